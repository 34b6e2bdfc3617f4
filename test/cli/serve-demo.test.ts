import { expect } from "chai";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { descendantsOf, isAlive, startDoorstep, type RunningDoorstep } from "../helpers/ready-line.js";

interface Ready {
  api: string;
  ownerToken: string;
  doors: string[];
  simulated: boolean;
  sim: { zigbee: string; control: string; rtsp: string };
  homekit: { port: number; setupCode: string; setupURI: string };
}

describe("doorstep serve with no config (the SIMULATED demo, real binary)", function () {
  this.timeout(120_000);
  let storage: string;
  let bridge: RunningDoorstep<Ready> | undefined;

  before(async () => {
    storage = await mkdtemp(join(tmpdir(), "doorstep-demo-test-"));
    // An empty storage dir holds no doorstep.json: serve falls back to the demo.
    bridge = await startDoorstep<Ready>(["--storage", storage, "serve"], "DOORSTEP READY", { timeoutMs: 90_000 });
  });
  after(async () => {
    await bridge?.stop();
    await rm(storage, { recursive: true, force: true });
  });

  it("says it is simulated and prints what a script needs", () => {
    const r = bridge!.ready;
    expect(r.simulated).to.equal(true);
    expect(r.api).to.match(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(r.ownerToken).to.match(/^dst_/);
    expect(r.doors).to.deep.equal(["front"]);
    expect(r.sim.zigbee).to.match(/^tcp:\/\/127\.0\.0\.1:\d+$/);
    expect(bridge!.stderr()).to.contain("SIMULATED");
  });

  it("publishes the HomeKit bridge, which refuses an unpaired controller", async () => {
    const { homekit } = bridge!.ready;
    expect(homekit.setupCode).to.match(/^\d{3}-\d{2}-\d{3}$/);
    expect(homekit.setupURI).to.match(/^X-HM:\/\//);
    expect(bridge!.stderr()).to.not.contain(homekit.setupCode);
    // HAP answers 470 (connection authorization required) to anyone who has not paired.
    const res = await fetch(`http://127.0.0.1:${homekit.port}/accessories`);
    expect(res.status).to.equal(470);
  });

  it("serves the API with the owner token and refuses without it", async () => {
    const { api, ownerToken } = bridge!.ready;
    expect((await fetch(`${api}/v1/doors`)).status).to.equal(401);
    const doors = (await (await fetch(`${api}/v1/doors`, { headers: { authorization: `Bearer ${ownerToken}` } })).json()) as { id: string; lock: { model?: string } }[];
    expect(doors.map((d) => d.id)).to.deep.equal(["front"]);
  });

  it("pairs the simulated lock and has it report locked", async () => {
    const { api, ownerToken } = bridge!.ready;
    const deadline = Date.now() + 30_000;
    let lock: { state: string; available: boolean } | undefined;
    while (Date.now() < deadline) {
      const doors = (await (await fetch(`${api}/v1/doors`, { headers: { authorization: `Bearer ${ownerToken}` } })).json()) as { lock: { state: string; available: boolean } }[];
      lock = doors[0]!.lock;
      if (lock.available && lock.state === "locked") break;
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(lock).to.deep.include({ state: "locked", available: true });
    // With every configured lock in, the network stops accepting new devices.
    while (Date.now() < deadline && !bridge!.stderr().includes("joining is closed")) await new Promise((r) => setTimeout(r, 100));
    expect(bridge!.stderr()).to.contain("Every configured lock is paired: joining is closed.");
  });

  it("stops on SIGTERM with exit 0 and leaves no ffmpeg behind", async () => {
    const children = await descendantsOf(bridge!.child.pid!);
    expect(children.length, "the recorder's ffmpeg and the simulated camera").to.be.at.least(2);
    const code = await bridge!.stop();
    bridge = undefined;
    expect(code).to.equal(0);
    await new Promise((r) => setTimeout(r, 500));
    const leftovers = [];
    for (const pid of children) if (await isAlive(pid)) leftovers.push(pid);
    expect(leftovers).to.deep.equal([]);
  });
});
