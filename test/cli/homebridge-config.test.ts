// The CLI on a Homebridge install: `--homebridge-storage DIR` takes DIR/config.json's Doorstep block and the plugin's
// storage DIR/doorstep; `--config` accepts Homebridge's config.json too. Each through the real binary.
import { expect } from "chai";
import { existsSync, writeFileSync } from "node:fs";
import { runDoorstep } from "../helpers/cli.js";
import { useTempDir } from "../helpers/temp-dir.js";

const BLOCK = {
  platform: "Doorstep",
  name: "Doorstep",
  zigbee: { port: "tcp://127.0.0.1:1" },
  doors: [{ id: "front", name: "Front door", lock: { ieee: "0x00124b0012345678" } }],
};
const FUTURE = new Date(Date.now() + 30 * 86_400_000).toISOString();

describe("doorstep CLI with Homebridge's config", function () {
  this.timeout(60_000);
  const hb = useTempDir({ prefix: "doorstep-hbcli-" });
  const writeConfig = (platforms: unknown[]) =>
    writeFileSync(hb.join("config.json"), JSON.stringify({ bridge: { name: "HB", username: "0E:00:00:00:00:01", port: 51826, pin: "031-45-154" }, platforms }));

  it("--homebridge-storage DIR: the Doorstep block's doors, the store in DIR/doorstep", async () => {
    writeConfig([{ platform: "config", name: "Config", port: 8581 }, BLOCK]);
    const add = await runDoorstep(["--homebridge-storage", hb.path, "guest", "add", "--label", "Cleaner", "--kind", "guest", "--door", "front", "--until", FUTURE, "--json"]);
    expect(add.code, add.stderr).to.equal(0);
    expect(existsSync(hb.join("doorstep", "doorstep.db")), "the plugin's store").to.equal(true);
    const list = await runDoorstep(["--homebridge-storage", hb.path, "guest", "list", "--json"]);
    expect((JSON.parse(list.stdout) as { label: string }[]).map((c) => c.label)).to.deep.equal(["Cleaner"]);
  });

  it("--config config.json (Homebridge's) is read as its Doorstep block, not refused for `bridge`", async () => {
    writeConfig([BLOCK]);
    const add = await runDoorstep(["--config", hb.join("config.json"), "guest", "add", "--label", "Walker", "--kind", "guest", "--door", "front", "--until", FUTURE, "--json"]);
    expect(add.code, add.stderr).to.equal(0);
    expect(add.stderr).to.not.include("is not a known option");
    expect(existsSync(hb.join("doorstep", "doorstep.db"))).to.equal(true);
  });

  it("a Homebridge config without a Doorstep block, or a missing one: exit 2 with a message naming the file", async () => {
    writeConfig([{ platform: "config", name: "Config", port: 8581 }]);
    const none = await runDoorstep(["--homebridge-storage", hb.path, "guest", "list"]);
    expect(none.code).to.equal(2);
    expect(none.stderr).to.include(hb.join("config.json")).and.include('without a "Doorstep" platform block');
    const missing = await runDoorstep(["--homebridge-storage", hb.join("nowhere"), "guest", "list"]);
    expect(missing.code).to.equal(2);
    expect(missing.stderr).to.include("does not exist");
    expect(existsSync(hb.join("doorstep")), "nothing created").to.equal(false);
  });

  it("refuses `serve` with --homebridge-storage (the plugin already runs that bridge), starting nothing", async () => {
    writeConfig([BLOCK]);
    const serve = await runDoorstep(["--homebridge-storage", hb.path, "serve"]);
    expect(serve.code).to.equal(2);
    expect(serve.stderr).to.include("--homebridge-storage");
    expect(existsSync(hb.join("doorstep")), "nothing created").to.equal(false);
  });

  it("a bad Doorstep block: the problem is named with its path", async () => {
    writeConfig([{ ...BLOCK, doors: [{ id: "Front Door", name: "x", lock: { ieee: "0x00124b0012345678" } }] }]);
    const bad = await runDoorstep(["--homebridge-storage", hb.path, "guest", "list"]);
    expect(bad.code).to.equal(2);
    expect(bad.stderr).to.include("doors[0].id");
  });
});
