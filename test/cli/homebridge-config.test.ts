// The CLI on a Homebridge install: `--homebridge-storage DIR` takes DIR/config.json's Doorstep block and the plugin's
// storage DIR/doorstep; `--config` accepts Homebridge's config.json too. Each through the real binary.
import { expect } from "chai";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runDoorstep } from "../helpers/cli.js";

const BLOCK = {
  platform: "Doorstep",
  name: "Doorstep",
  zigbee: { port: "tcp://127.0.0.1:1" },
  doors: [{ id: "front", name: "Front door", lock: { ieee: "0x00124b0012345678" } }],
};
const FUTURE = new Date(Date.now() + 30 * 86_400_000).toISOString();

describe("doorstep CLI with Homebridge's config", function () {
  this.timeout(60_000);
  let dir: string;
  const writeConfig = (platforms: unknown[]) =>
    writeFileSync(join(dir, "config.json"), JSON.stringify({ bridge: { name: "HB", username: "0E:00:00:00:00:01", port: 51826, pin: "031-45-154" }, platforms }));

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "doorstep-hbcli-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("--homebridge-storage DIR: the Doorstep block's doors, the store in DIR/doorstep", async () => {
    writeConfig([{ platform: "config", name: "Config", port: 8581 }, BLOCK]);
    const add = await runDoorstep(["--homebridge-storage", dir, "guest", "add", "--label", "Cleaner", "--kind", "guest", "--door", "front", "--until", FUTURE, "--json"]);
    expect(add.code, add.stderr).to.equal(0);
    expect(existsSync(join(dir, "doorstep", "doorstep.db")), "the plugin's store").to.equal(true);
    const list = await runDoorstep(["--homebridge-storage", dir, "guest", "list", "--json"]);
    expect((JSON.parse(list.stdout) as { label: string }[]).map((c) => c.label)).to.deep.equal(["Cleaner"]);
  });

  it("--config config.json (Homebridge's) is read as its Doorstep block, not refused for `bridge`", async () => {
    writeConfig([BLOCK]);
    const add = await runDoorstep(["--config", join(dir, "config.json"), "guest", "add", "--label", "Walker", "--kind", "guest", "--door", "front", "--until", FUTURE, "--json"]);
    expect(add.code, add.stderr).to.equal(0);
    expect(add.stderr).to.not.include("is not a known option");
    expect(existsSync(join(dir, "doorstep", "doorstep.db"))).to.equal(true);
  });

  it("a Homebridge config without a Doorstep block, or a missing one: exit 2 with a message naming the file", async () => {
    writeConfig([{ platform: "config", name: "Config", port: 8581 }]);
    const none = await runDoorstep(["--homebridge-storage", dir, "guest", "list"]);
    expect(none.code).to.equal(2);
    expect(none.stderr).to.include(join(dir, "config.json")).and.include('without a "Doorstep" platform block');
    const missing = await runDoorstep(["--homebridge-storage", join(dir, "nowhere"), "guest", "list"]);
    expect(missing.code).to.equal(2);
    expect(missing.stderr).to.include("does not exist");
    expect(existsSync(join(dir, "doorstep")), "nothing created").to.equal(false);
  });

  it("refuses `serve` with --homebridge-storage (the plugin already runs that bridge), starting nothing", async () => {
    writeConfig([BLOCK]);
    const serve = await runDoorstep(["--homebridge-storage", dir, "serve"]);
    expect(serve.code).to.equal(2);
    expect(serve.stderr).to.include("--homebridge-storage");
    expect(existsSync(join(dir, "doorstep")), "nothing created").to.equal(false);
  });

  it("a bad Doorstep block: the problem is named with its path", async () => {
    writeConfig([{ ...BLOCK, doors: [{ id: "Front Door", name: "x", lock: { ieee: "0x00124b0012345678" } }] }]);
    const bad = await runDoorstep(["--homebridge-storage", dir, "guest", "list"]);
    expect(bad.code).to.equal(2);
    expect(bad.stderr).to.include("doors[0].id");
  });
});
