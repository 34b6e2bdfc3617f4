import { expect } from "chai";
import { readFile } from "node:fs/promises";
import { Ajv } from "ajv";
import { configSchema } from "../../src/config/options.js";
import { homebridgeUiSchema, homebridgeUiSchemaText } from "../../src/config/homebridge-ui-schema.js";

type Node = Record<string, unknown>;
const ui = () => homebridgeUiSchema().schema as Node;
const packageRoot = new URL("../../../", import.meta.url);

/** Walks both schemas side by side; returns every property path with its type/default/enum/bounds as the UI sees them. */
function leaves(schema: Node, path = "", out = new Map<string, Node>()): Map<string, Node> {
  const props = schema.properties as Record<string, Node> | undefined;
  if (props) for (const [k, v] of Object.entries(props)) leaves(v, path ? `${path}.${k}` : k, out);
  else if (schema.items) leaves(schema.items as Node, `${path}[]`, out);
  else out.set(path, { type: schema.type, default: schema.default, enum: schema.enum, minimum: schema.minimum, maximum: schema.maximum, pattern: schema.pattern });
  return out;
}

describe("config.schema.json (Homebridge UI)", () => {
  it("is the file generated from the ajv schema (run `npm run schema` after changing src/config/options.ts)", async () => {
    const onDisk = await readFile(new URL("config.schema.json", packageRoot), "utf8");
    expect(onDisk).to.equal(homebridgeUiSchemaText());
  });

  it("has the same options, types, defaults and bounds as the ajv schema", () => {
    const ui = leaves(homebridgeUiSchema().schema as Node);
    const canonical = leaves(configSchema as unknown as Node);
    canonical.delete("platform");
    canonical.delete("_bridge");
    // The standalone bridge's HomeKit options mean nothing inside Homebridge.
    for (const path of [...canonical.keys()]) if (path.startsWith("homekit.")) canonical.delete(path);
    expect([...ui.keys()].sort()).to.deep.equal([...canonical.keys()].sort());
    // Inside optional objects (a door's camera, the coordinator) a default would make the form write the object.
    const optional = /^(zigbee|doors\[\]\.camera|doors\[\]\.lock\.mqtt\.tls|api\.tls)\./;
    for (const [path, spec] of canonical) {
      const expected = optional.test(path) ? { ...spec, default: undefined } : spec;
      expect(ui.get(path), path).to.deep.equal(expected);
    }
  });

  it("gives every option a title and a description, and marks secrets as password fields", () => {
    const missing: string[] = [];
    const walk = (node: Node, path: string) => {
      if (path && (typeof node.title !== "string" || typeof node.description !== "string")) missing.push(path);
      for (const [k, v] of Object.entries((node.properties as Record<string, Node>) ?? {})) walk(v, path ? `${path}.${k}` : k);
      if (node.items) walk(node.items as Node, `${path}[]`);
    };
    walk(homebridgeUiSchema().schema as Node, "");
    expect(missing, "options without a title or description").to.deep.equal([]);
    const props = (homebridgeUiSchema().schema as { properties: Record<string, Node> }).properties;
    const camera = ((props.doors!.items as Node).properties as Record<string, Node>).camera!;
    expect((camera.properties as Record<string, Node>).password).to.deep.include({ "x-schema-form": { type: "password" } });
    // `format: "password"` is no JSON Schema format: the UI's validator logs an error for every use.
    expect(JSON.stringify(ui())).to.not.include('"format"');
  });

  it("keys every layout item inside the doors array doors[] (else each fieldset becomes an array element of its own)", () => {
    const doors = (homebridgeUiSchema().layout as Node[]).find((i) => typeof i === "object" && i.key === "doors")!;
    for (const item of doors.items as unknown[]) {
      const key = typeof item === "string" ? item : (item as Node).key;
      expect(key, JSON.stringify(item)).to.be.a("string").and.match(/^doors\[\]/);
    }
  });

  it("shows a door's camera fields only when its 'This door has a camera' switch is on, and the TLS key once a certificate is set", () => {
    const layout = homebridgeUiSchema().layout as Node[];
    const doors = layout.find((i) => typeof i === "object" && i.key === "doors")!;
    expect(doors.items).to.include("doors[].hasCamera");
    const cameraGroup = (doors.items as Node[]).find((i) => typeof i === "object" && i.title === "Camera")!;
    const shows = new Function("model", "arrayIndices", (cameraGroup.condition as { functionBody: string }).functionBody) as (m: unknown, a: number[]) => boolean;
    expect(shows({ doors: [{ hasCamera: false }, { hasCamera: true }] }, [1])).to.equal(true);
    expect(shows({ doors: [{ hasCamera: true }, {}] }, [1])).to.equal(false);
    const api = layout.find((i) => typeof i === "object" && i.title === "HTTP API")!;
    const key = (api.items as Node[]).find((i) => typeof i === "object" && i.key === "api.tls.key")!;
    const keyShows = new Function("model", (key.condition as { functionBody: string }).functionBody) as (m: unknown) => boolean;
    expect(keyShows({})).to.equal(false);
    expect(keyShows({ api: { tls: { cert: "/etc/cert.pem" } } })).to.equal(true);
    const tls = ((ui().properties as Record<string, Node>).api!.properties as Record<string, Node>).tls!;
    expect((tls.properties as Record<string, Node>).cert).to.not.have.property("required");
  });

  it("lays out every option it offers (nothing is saved that the form does not show)", () => {
    const schema = homebridgeUiSchema();
    const named = new Set<string>();
    const collect = (item: unknown) => {
      if (typeof item === "string") named.add(item);
      else if (item && typeof item === "object") {
        const o = item as Node;
        if (typeof o.key === "string") named.add(o.key);
        for (const child of (o.items as unknown[]) ?? []) collect(child);
      }
    };
    (schema.layout as unknown[]).forEach(collect);
    const missing = [...leaves(schema.schema as Node).keys()].filter((p) => !named.has(p));
    expect(missing).to.deep.equal([]);
  });

  it("uses the custom settings screen (which keeps the schema form) and a platform block of its own", () => {
    expect(homebridgeUiSchema()).to.include({ customUi: true, singular: true });
  });

  it("is a platform schema whose alias matches the registered platform, and whose layout names only real options", () => {
    const ui = homebridgeUiSchema();
    expect(ui).to.include({ pluginAlias: "Doorstep", pluginType: "platform", singular: true });
    const paths = new Set([...leaves(ui.schema as Node).keys()].map((p) => p.replace(/\[\]/g, "[]")));
    const named: string[] = [];
    const collect = (item: unknown) => {
      if (typeof item === "string") named.push(item);
      else if (item && typeof item === "object") {
        const o = item as Node;
        if (typeof o.key === "string") named.push(o.key);
        for (const child of (o.items as unknown[]) ?? []) collect(child);
      }
    };
    (ui.layout as unknown[]).forEach(collect);
    const unknown = named.filter((n) => n !== "doors" && n !== "doors[]" && !paths.has(n));
    expect(unknown).to.deep.equal([]);
  });

  it("the ajv schema compiles in strict mode", () => {
    const ajv = new Ajv({ strict: true });
    ajv.addKeyword({ keyword: "x-secret", schemaType: "boolean" });
    expect(() => ajv.compile(configSchema)).to.not.throw();
  });
});

describe("docs/configuration.md", () => {
  it("is the file generated from the options catalogue (run `npm run schema`)", async () => {
    const { configurationDoc } = await import("../../src/config/configuration-doc.js");
    const onDisk = await readFile(new URL("docs/configuration.md", packageRoot), "utf8");
    expect(onDisk).to.equal(configurationDoc());
  });
});
