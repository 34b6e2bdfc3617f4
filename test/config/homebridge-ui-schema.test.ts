import { expect } from "chai";
import { readFile } from "node:fs/promises";
import { Ajv } from "ajv";
import { configSchema } from "../../src/config/options.js";
import { homebridgeUiSchema, homebridgeUiSchemaText } from "../../src/config/homebridge-ui-schema.js";

type Node = Record<string, unknown>;
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
    expect([...ui.keys()].sort()).to.deep.equal([...canonical.keys()].sort());
    for (const [path, spec] of canonical) expect(ui.get(path), path).to.deep.equal(spec);
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
    expect((camera.properties as Record<string, Node>).password).to.include({ format: "password" });
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
    const unknown = named.filter((n) => n !== "doors" && !paths.has(n));
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
