// The TypeScript types in src/config/config.ts are written by hand beside the JSON schema in src/config/options.ts.
// This test reads both (the types through the compiler's type checker) and names every field whose presence,
// optionality or type differs, so the two cannot drift apart unnoticed.
import { fileURLToPath } from "node:url";
import { expect } from "chai";
import ts from "typescript";
import { configSchema } from "../../src/config/options.js";
import { validateConfig } from "../../src/config/validate-config.js";

type Schema = { [key: string]: unknown };

const CONFIG_TS = fileURLToPath(new URL("../../../src/config/config.ts", import.meta.url));

/** Schema properties validateConfig removes from the resolved config: they have no place in the type. */
const REMOVED = new Set(["platform", "_bridge", "doors[].hasCamera"]);

/** Where the type is deliberately not what the schema alone says, and why. Each must still differ (else drop it). */
const DELIBERATE: Record<string, string> = {
  "delivery.timeZone: optional in the schema, required in the type": "validateConfig fills it in with the system's zone",
  "doors[].lock.baseTopic: has a default in the schema, optional in the type": "only the Zigbee2MQTT variant reads it; a herdsman lock ignores the default",
};

describe("config types match the schema", function () {
  this.timeout(60_000); // a type-checker program over config.ts and what it imports

  let checker: ts.TypeChecker;
  let root: ts.Type;
  before(() => {
    const { NodeNext } = ts.ModuleKind;
    const options = { strict: true, module: NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, lib: ["lib.es2023.d.ts"], types: [], noEmit: true, skipLibCheck: true };
    const program = ts.createProgram([CONFIG_TS], options);
    checker = program.getTypeChecker();
    const source = program.getSourceFile(CONFIG_TS)!;
    const declaration = source.statements.find((s): s is ts.InterfaceDeclaration => ts.isInterfaceDeclaration(s) && s.name.text === "DoorstepConfig");
    expect(declaration, "DoorstepConfig in config.ts").to.not.equal(undefined);
    root = checker.getTypeAtLocation(declaration!);
  });

  it("has no mismatch but the deliberate ones", () => {
    const found = mismatches(checker, configSchema as unknown as Schema, root);
    const unexpected = found.filter((m) => !(m in DELIBERATE));
    const stale = Object.keys(DELIBERATE).filter((m) => !found.includes(m));
    expect(unexpected, "fields where config.ts and the schema disagree").to.deep.equal([]);
    expect(stale, "deliberate differences that no longer exist (remove them from DELIBERATE)").to.deep.equal([]);
  });

  it("finds a field the type lacks, an optionality and a type that differ", () => {
    // The checker itself is tested: a schema edited in three ways against the same type.
    const edited = structuredClone(configSchema) as unknown as Schema;
    const recording = (edited.properties as Schema).recording as { properties: Schema };
    recording.properties.newOption = { type: "integer", default: 1 };
    recording.properties.ringDir = { type: "string", default: "/dev/shm" };
    recording.properties.ffmpegPath = { type: "integer", default: 1 };
    const found = mismatches(checker, edited, root);
    expect(found).to.include.members([
      "recording.newOption: in the schema, not in the type",
      "recording.ringDir: has a default in the schema, optional in the type",
      "recording.ffmpegPath: integer in the schema, string in the type",
    ]);
  });

  it("resolves a config without the removed properties", () => {
    const config = validateConfig({
      platform: "Doorstep",
      _bridge: { username: "0E:00:00:00:00:01" },
      zigbee: { port: "tcp://127.0.0.1:6638" },
      doors: [{ id: "front", name: "Front door", hasCamera: true, lock: { ieee: "0x00124b0012345678" }, camera: { host: "127.0.0.1", username: "u", password: "p" } }],
    });
    expect(config).to.not.have.any.keys("platform", "_bridge");
    expect(config.doors[0]).to.not.have.any.keys("hasCamera");
  });
});

/** Every difference between the schema at `path` and the type, as "path: what differs". */
function mismatches(checker: ts.TypeChecker, schema: Schema, type: ts.Type, path = ""): string[] {
  const at = (p: string, what: string) => `${p || "(root)"}: ${what}`;
  if (schema.enum) {
    const want = (schema.enum as unknown[]).map((v) => JSON.stringify(v)).sort();
    const got = literals(type);
    return got && JSON.stringify(got) === JSON.stringify(want) ? [] : [at(path, `enum ${want.join("|")} in the schema, ${shown(checker, type)} in the type`)];
  }
  const kind = schema.type as string;
  const got = kindOf(checker, type);
  const want = kind === "integer" ? "number" : kind;
  if (got !== want) return [at(path, `${kind} in the schema, ${got} in the type`)];
  if (kind === "array") return mismatches(checker, schema.items as Schema, checker.getTypeArguments(type as ts.TypeReference)[0]!, `${path}[]`);
  if (kind !== "object" || !schema.properties) return [];

  const out: string[] = [];
  const members = type.isUnion() ? type.types : [type];
  const properties = schema.properties as Record<string, Schema>;
  const required = new Set((schema.required as string[] | undefined) ?? []);
  for (const [name, sub] of Object.entries(properties)) {
    const p = path ? `${path}.${name}` : name;
    if (REMOVED.has(p)) continue;
    // A union (LockConfig) is read as one object: a property is optional when some variant lacks it or marks it optional.
    const symbols = members.map((m) => m.getProperty(name));
    const present = symbols.filter((s): s is ts.Symbol => s !== undefined);
    if (present.length === 0) {
      out.push(at(p, "in the schema, not in the type"));
      continue;
    }
    const optionalInType = present.length < members.length || present.some((s) => (s.flags & ts.SymbolFlags.Optional) !== 0);
    const requiredInSchema = required.has(name) || sub.default !== undefined;
    if (requiredInSchema && optionalInType) out.push(at(p, `${required.has(name) ? "required" : "has a default"} in the schema, optional in the type`));
    if (!requiredInSchema && !optionalInType) out.push(at(p, "optional in the schema, required in the type"));
    const types = present.map((s) => checker.getNonNullableType(checker.getTypeOfSymbol(s)));
    if (sub.enum) out.push(...mismatches(checker, sub, unionOf(types), p));
    else for (const t of types) out.push(...mismatches(checker, sub, t, p));
  }
  const known = new Set(Object.keys(properties));
  for (const m of members) {
    for (const s of m.getProperties()) {
      const p = path ? `${path}.${s.name}` : s.name;
      if (!known.has(s.name) && !out.includes(at(p, "in the type, not in the schema"))) out.push(at(p, "in the type, not in the schema"));
    }
  }
  return [...new Set(out)];
}

/** The members of a union as one list, for enums split across the variants of a union. */
function unionOf(types: ts.Type[]): ts.Type {
  if (types.length === 1) return types[0]!;
  return { isUnion: () => true, types: types.flatMap((t) => (t.isUnion() ? t.types : [t])) } as unknown as ts.Type;
}

function shown(checker: ts.TypeChecker, type: ts.Type): string {
  return (type.isUnion() ? type.types : [type]).map((t) => checker.typeToString(t)).join("|");
}

/** The sorted JSON of each literal of a literal union, or undefined when the type is not one. */
function literals(type: ts.Type): string[] | undefined {
  const parts = type.isUnion() ? type.types : [type];
  const out: string[] = [];
  for (const t of parts) {
    if (t.isStringLiteral() || t.isNumberLiteral()) out.push(JSON.stringify(t.value));
    else return undefined;
  }
  return [...new Set(out)].sort();
}

/** The JSON schema type a TypeScript type stands for ("string" for a branded string too). */
function kindOf(checker: ts.TypeChecker, type: ts.Type): string {
  const t = checker.getNonNullableType(type);
  if (t.flags & ts.TypeFlags.StringLike) return "string";
  if (t.flags & ts.TypeFlags.NumberLike) return "number";
  if (t.flags & ts.TypeFlags.BooleanLike) return "boolean";
  if (t.isUnion() && t.types.every((m) => m.flags & ts.TypeFlags.BooleanLiteral)) return "boolean";
  if (t.isIntersection() && t.types.some((m) => m.flags & ts.TypeFlags.String)) return "string";
  if (checker.isArrayType(t)) return "array";
  if (t.isUnion()) {
    const kinds = new Set(t.types.map((m) => kindOf(checker, m)));
    return kinds.size === 1 ? [...kinds][0]! : checker.typeToString(t);
  }
  if (t.flags & ts.TypeFlags.Object) return "object";
  return checker.typeToString(t);
}
