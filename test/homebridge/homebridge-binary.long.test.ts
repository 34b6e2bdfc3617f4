// The real `homebridge` binary loads the built plugin from a temp storage dir, against the simulated hardware of
// `doorstep sim` (Z-Stack emulator with its lock, ONVIF camera simulator with its RTSP stream). hap-controller pairs
// and unlocks; shutdown leaves no process behind; a restart restores the accessories from cache without duplicates.
import { expect } from "chai";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { PLATFORM_NAME } from "../../src/config/options.js";
import { eventually } from "../helpers/eventually.js";
import { processesOfStorage, startDoorstep, type RunningDoorstep } from "../helpers/ready-line.js";
import { useTempDir } from "../helpers/temp-dir.js";
import { HAP, TestController } from "../homekit/hap-test-client.js";
import { freePort, startHomebridge, type RunningHomebridge } from "./homebridge-process.js";

const PIN = "031-45-154";
/** ZCL Door Lock LockState: 2 = unlocked. */
const ZCL_UNLOCKED = 2;

interface SimReady {
  control: string;
}

function writeHomebridgeConfig(dir: string, port: number, platform: Record<string, unknown>): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, "config.json"),
    JSON.stringify({
      bridge: { name: "Doorstep HB Test", username: "0E:D0:05:7E:00:01", pin: PIN, port, bind: ["127.0.0.1"] },
      accessories: [],
      platforms: [platform],
    }),
  );
}

const cachedUuids = (file: string) => (JSON.parse(readFileSync(file, "utf8")) as { UUID: string }[]).map((a) => a.UUID).sort();

describe("the real homebridge binary with the built plugin, against `doorstep sim`", function () {
  this.timeout(240_000);
  const tmp = useTempDir({ prefix: "doorstep-hb-", per: "suite" });
  const hbDir = () => tmp.join("homebridge");
  const cacheFile = () => join(hbDir(), "accessories", "cachedAccessories");
  const simConfigFile = () => tmp.join("sim-doorstep.json");
  let sim: RunningDoorstep<SimReady> | undefined;
  let homebridge: RunningHomebridge | undefined;
  let controller: TestController | undefined;
  let pairing: TestController["pairingData"] = null;
  let port = 0;
  let accessoryCount = 0;

  before(async () => {
    sim = await startDoorstep<SimReady>(["sim", "--ports", "0", "--write-config", simConfigFile()], "DOORSTEP SIM READY", { timeoutMs: 60_000 });
    port = await freePort();
    const simConfig = JSON.parse(readFileSync(simConfigFile(), "utf8")) as { doors: Record<string, unknown>[] };
    // A short post-roll: a visit closing at shutdown must fit in Homebridge's 5 s before its forced exit.
    const doors = simConfig.doors.map((d) => ({ ...d, postRollSeconds: 1 }));
    writeHomebridgeConfig(hbDir(), port, { platform: PLATFORM_NAME, name: "Doorstep", ...simConfig, doors, api: { port: 0 } });
  });

  after(async () => {
    await controller?.close().catch(() => undefined);
    await homebridge?.stop();
    await sim?.stop();
  });

  async function startAndWait(): Promise<RunningHomebridge> {
    const hb = startHomebridge(hbDir());
    homebridge = hb;
    await hb.waitForLog(`is running on port ${port}`, 90_000);
    await hb.waitForLog(/Running 1 door\(s\)/, 90_000);
    return hb;
  }

  it("starts, publishes the door, pairs with hap-controller and unlocks the simulated lock", async () => {
    await startAndWait();
    controller = await TestController.pair(port, PIN);
    pairing = controller.pairingData;
    const c = controller;
    const current = await c.find(HAP.service.lockMechanism, HAP.char.lockCurrentState);
    const target = await c.find(HAP.service.lockMechanism, HAP.char.lockTargetState);
    await c.subscribe([current.id]);
    await c.write(target.id, 0);
    await c.waitForEvent(current.id, (v) => v === 0, 30_000);
    const lock = (await (await fetch(`${sim!.ready.control}/locks/front`)).json()) as { lockState: number };
    expect(lock.lockState).to.equal(ZCL_UNLOCKED);
    accessoryCount = (await c.client.getAccessories()).accessories.length;
    // The bridge itself, the front door's lock accessory and its camera accessory.
    expect(accessoryCount).to.equal(3);
    expect(homebridge!.log()).to.include("[Doorstep] Front door: Unlocking (Apple Home).");
    // No HAP characteristic warnings (slow handlers, characteristics a service does not declare, invalid values).
    expect(homebridge!.log()).not.to.match(/generated a warning|not in required or optional|slow to respond|illegal value/i);
    // Locked again, as a homeowner leaves it.
    await c.write(target.id, 1);
    await c.waitForEvent(current.id, (v) => v === 1, 30_000);
  });

  it("shuts down on SIGTERM leaving no process behind (its recorders' ffmpeg included)", async () => {
    await controller?.close();
    controller = undefined;
    expect((await processesOfStorage(join(hbDir(), "doorstep"), hbDir())).length).to.be.greaterThan(0);
    const code = await homebridge!.stop();
    // Exit 0: the plugin finished stopping by itself, before Homebridge's forced exit (128 + SIGTERM) 5 s after the signal.
    expect(code, homebridge!.log()).to.equal(0);
    expect(homebridge!.log()).to.include("[Doorstep] Stopped.");
    expect(homebridge!.log()).not.to.match(/unhandled|uncaught/i);
    expect(await processesOfStorage(join(hbDir(), "doorstep"), hbDir())).to.deep.equal([]);
  });

  it("restarts from its cache: same accessories, no duplicates, the pairing still valid", async () => {
    expect(existsSync(cacheFile())).to.equal(true);
    const before = cachedUuids(cacheFile());
    expect(before).to.have.length(2);
    await startAndWait();
    controller = TestController.connect(port, pairing);
    expect((await controller.client.getAccessories()).accessories.length).to.equal(accessoryCount);
    expect(homebridge!.log()).not.to.include("Removed");
    await controller.close();
    controller = undefined;
    expect(await homebridge!.stop()).to.equal(0);
    expect(cachedUuids(cacheFile())).to.deep.equal(before);
    expect(await processesOfStorage(join(hbDir(), "doorstep"), hbDir())).to.deep.equal([]);
  });

  it("removes a cached accessory whose door no longer has it (camera taken out of the config)", async () => {
    const config = JSON.parse(readFileSync(join(hbDir(), "config.json"), "utf8")) as { platforms: { doors: Record<string, unknown>[] }[] };
    for (const door of config.platforms[0]!.doors) delete door["camera"];
    writeFileSync(join(hbDir(), "config.json"), JSON.stringify(config));
    await startAndWait();
    expect(homebridge!.log()).to.include('Removed "Front door camera": its door is no longer configured.');
    controller = TestController.connect(port, pairing);
    expect((await controller.client.getAccessories()).accessories.length).to.equal(accessoryCount - 1);
    await controller.close();
    controller = undefined;
    expect(await homebridge!.stop()).to.equal(0);
    expect(cachedUuids(cacheFile())).to.have.length(1);
  });
});

describe("the real homebridge binary running Doorstep as a child bridge", function () {
  this.timeout(240_000);
  const tmp = useTempDir({ prefix: "doorstep-hb-child-", per: "suite" });
  const hbDir = () => tmp.join("homebridge");
  const simConfigFile = () => tmp.join("sim-doorstep.json");
  let sim: RunningDoorstep<SimReady> | undefined;
  let homebridge: RunningHomebridge | undefined;
  let controller: TestController | undefined;

  before(async () => {
    sim = await startDoorstep<SimReady>(["sim", "--ports", "0", "--no-cameras", "--write-config", simConfigFile()], "DOORSTEP SIM READY", { timeoutMs: 60_000 });
  });

  after(async () => {
    await controller?.close().catch(() => undefined);
    await homebridge?.stop();
    await sim?.stop();
  });

  it("runs in its own process on its own port, pairs and unlocks; SIGTERM to Homebridge stops both processes", async () => {
    const port = await freePort();
    const childPort = await freePort();
    const simConfig = JSON.parse(readFileSync(simConfigFile(), "utf8")) as { doors: Record<string, unknown>[] };
    const doors = simConfig.doors.map((d) => ({ ...d, postRollSeconds: 1 }));
    writeHomebridgeConfig(hbDir(), port, {
      platform: PLATFORM_NAME, name: "Doorstep", ...simConfig, doors, api: { port: 0 },
      _bridge: { username: "0E:D0:05:7E:00:02", port: childPort, bind: ["127.0.0.1"] },
    });
    homebridge = startHomebridge(hbDir());
    await homebridge.waitForLog(`is running on port ${childPort}`, 90_000);
    await homebridge.waitForLog(/Running 1 door\(s\)/, 90_000);
    const children = await childrenOf(homebridge.child.pid!);
    expect(children.length, "the child bridge process").to.be.greaterThan(0);

    controller = await TestController.pair(childPort, PIN);
    const current = await controller.find(HAP.service.lockMechanism, HAP.char.lockCurrentState);
    const target = await controller.find(HAP.service.lockMechanism, HAP.char.lockTargetState);
    await controller.subscribe([current.id]);
    await controller.write(target.id, 0);
    await controller.waitForEvent(current.id, (v) => v === 0, 30_000);
    await controller.write(target.id, 1);
    await controller.waitForEvent(current.id, (v) => v === 1, 30_000);
    await controller.close();
    controller = undefined;

    await homebridge.stop();
    await eventually(
      "the plugin's processes and the child bridge to exit",
      async () => (await processesOfStorage(join(hbDir(), "doorstep"), hbDir())).length === 0 && children.every((pid) => !existsSync(`/proc/${pid}`)),
      { timeoutMs: 15_000, everyMs: 100 },
    );
    expect(homebridge.log()).to.include("[Doorstep] Stopped.");
  });
});

/** Process ids whose parent is `pid` (from /proc/<id>/stat, field 4). */
async function childrenOf(pid: number): Promise<number[]> {
  const { readdir, readFile } = await import("node:fs/promises");
  const out: number[] = [];
  for (const entry of await readdir("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = await readFile(`/proc/${entry}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (ppid === pid) out.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

describe("the real homebridge binary with a bad Doorstep config", function () {
  this.timeout(120_000);
  const tmp = useTempDir({ prefix: "doorstep-hb-bad-", per: "suite" });
  let homebridge: RunningHomebridge | undefined;

  after(async () => {
    await homebridge?.stop();
  });

  it("logs one line naming the wrong field and keeps Homebridge running", async () => {
    const port = await freePort();
    writeHomebridgeConfig(tmp.path, port, {
      platform: PLATFORM_NAME,
      name: "Doorstep",
      zigbee: { port: "tcp://127.0.0.1:9" },
      doors: [{ id: "front", name: "Front door", lock: { ieee: "not-an-address" } }],
    });
    homebridge = startHomebridge(tmp.path);
    await homebridge.waitForLog(`is running on port ${port}`, 90_000);
    const lines = homebridge.log().split("\n").filter((l) => l.includes("Not starting"));
    expect(lines).to.have.length(1);
    expect(lines[0]).to.include("doors[0].lock.ieee");
    expect(homebridge.child.exitCode).to.equal(null);
    expect(await homebridge.stop()).to.be.oneOf([0, 143, "SIGTERM"]);
  });
});
