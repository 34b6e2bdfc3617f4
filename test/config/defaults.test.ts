// One default per option: the catalogue's (src/config/options.ts). What a config that leaves an option out gets is
// that default, through the real loader, and the components take it from the resolved config (no fallback of their own).
import { writeFile } from "node:fs/promises";
import { expect } from "chai";
import { TestClock } from "../../src/access/test-clock.js";
import { ownerVia } from "../../src/delivery/actor.js";
import { createBridge } from "../../src/bridge/create-bridge.js";
import { loadConfigFile } from "../../src/config/load-config.js";
import { configSchema, DEFAULTS } from "../../src/config/options.js";
import { MemoryLogger } from "../../src/core/logger.js";
import { useTempDir } from "../helpers/temp-dir.js";

type Schema = { [key: string]: unknown };

/** Every option left out where it can be: each object with defaulted children is present, nothing else is set. */
const SPARSE = {
  zigbee: { port: "tcp://127.0.0.1:6638" },
  doors: [
    { id: "front", name: "Front door", lock: { ieee: "0x00124b0012345678" }, camera: { host: "127.0.0.1", username: "u", password: "p" } },
    { id: "back", name: "Back door", lock: { driver: "zigbee2mqtt", device: "back-lock", mqtt: { url: "mqtt://127.0.0.1:1883", tls: {} } } },
  ],
};

/** [path, default] of every option with a default; array items as "doors[]". */
function defaultsOf(schema: Schema, path = ""): [string, unknown][] {
  const out: [string, unknown][] = [];
  for (const [name, sub] of Object.entries((schema.properties ?? {}) as Record<string, Schema>)) {
    const p = path ? `${path}.${name}` : name;
    if (sub.default !== undefined && sub.type !== "object" && sub.type !== "array") out.push([p, sub.default]);
    if (sub.type === "object") out.push(...defaultsOf(sub, p));
    if (sub.type === "array" && (sub.items as Schema).type === "object") out.push(...defaultsOf(sub.items as Schema, `${p}[]`));
  }
  return out;
}

/** The values at a path, one per array item on the way; none below an object the config leaves out (a door's camera). */
function valuesAt(value: unknown, path: string): unknown[] {
  let values = [value];
  const segments = path.split(".");
  segments.forEach((segment, i) => {
    const array = segment.endsWith("[]");
    const key = array ? segment.slice(0, -2) : segment;
    values = values.map((v) => (v as Record<string, unknown>)[key]);
    if (array) values = values.flatMap((v) => v as unknown[]);
    if (i < segments.length - 1) values = values.filter((v) => v !== undefined);
  });
  return values;
}

/** Options whose default applies to one kind of lock: checked on the door that leaves them out. */
const ONE_DOOR: Record<string, number> = { "doors[].lock.driver": 0, "doors[].lock.baseTopic": 1 };

describe("config defaults: one per option", () => {
  const dir = useTempDir();

  async function loadSparse(over: Record<string, unknown> = {}) {
    const file = dir.join("doorstep.json");
    await writeFile(file, JSON.stringify({ ...SPARSE, ...over }));
    return loadConfigFile(file);
  }

  it("the loader gives each option left out the catalogue's default", async () => {
    const config = await loadSparse();
    const options = defaultsOf(configSchema as unknown as Schema).filter(([path]) => path !== "platform");
    expect(options.length).to.be.greaterThan(20);
    const wrong: string[] = [];
    for (const [path, expected] of options) {
      const door = ONE_DOOR[path];
      const values = door === undefined ? valuesAt(config, path) : valuesAt({ doors: [config.doors[door]] }, path);
      for (const v of values) if (JSON.stringify(v) !== JSON.stringify(expected)) wrong.push(`${path}: ${JSON.stringify(v)}, not ${JSON.stringify(expected)}`);
    }
    expect(wrong).to.deep.equal([]);
  });

  it("the bridge's delivery service takes the lockout from the resolved config", async () => {
    // A config without a delivery block: the bridge must lock out after exactly the catalogue's number of wrong PINs.
    const config = await loadSparse({ zigbee: undefined, doors: [SPARSE.doors[1]] });
    const runtime = await createBridge({ config, storageDir: dir.join("storage"), logger: new MemoryLogger(), clock: new TestClock(Date.parse("2026-12-02T10:00:00Z")), api: false, matter: false });
    try {
      const check = () => runtime.delivery.checkRemotePin({ doorId: "back", pin: "13579", actor: ownerVia("matter"), source: "test" }).outcome;
      for (let i = 1; i < DEFAULTS.lockoutAttempts; i++) expect(check(), `wrong PIN ${i}`).to.equal("invalid");
      expect(check(), `wrong PIN ${DEFAULTS.lockoutAttempts}`).to.equal("invalid");
      expect(check(), "the next attempt").to.equal("locked-out");
    } finally {
      await runtime.stop();
    }
  });
});
