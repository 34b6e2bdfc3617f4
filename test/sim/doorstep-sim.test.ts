import { expect } from "chai";
import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { descendantsOf, isAlive, startDoorstep, type RunningDoorstep } from "../helpers/ready-line.js";
import { validateConfig } from "../../src/config/validate-config.js";

interface SimReady {
  zigbee: string;
  onvif: string;
  rtsp: string;
  control: string;
  simulated: boolean;
  doors: { id: string; ieee: string; profile: string; rtsp?: string }[];
  config?: string;
}

describe("doorstep sim (the real binary)", function () {
  this.timeout(90_000);
  let dir: string;
  let sim: RunningDoorstep<SimReady> | undefined;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "doorstep-sim-"));
    sim = await startDoorstep<SimReady>(["sim", "--doors", "2", "--video", "ffmpeg", "--write-config", join(dir, "doorstep.json")], "DOORSTEP SIM READY", { timeoutMs: 60_000 });
  });
  after(async () => {
    await sim?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it("prints its endpoints, all on loopback, labelled simulated", () => {
    const r = sim!.ready;
    expect(r.simulated).to.equal(true);
    expect(r.zigbee).to.match(/^tcp:\/\/127\.0\.0\.1:\d+$/);
    expect(r.onvif).to.match(/^http:\/\/127\.0\.0\.1:\d+\//);
    expect(r.rtsp).to.match(/^rtsp:\/\/127\.0\.0\.1:\d+\//);
    expect(r.control).to.match(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(r.doors.map((d) => d.id)).to.deep.equal(["front", "back"]);
  });

  it("writes a valid bridge config for itself, readable only by its owner", async () => {
    const path = join(dir, "doorstep.json");
    expect((await stat(path)).mode & 0o777).to.equal(0o600);
    const config = validateConfig(JSON.parse(await readFile(path, "utf8")));
    expect(config.zigbee?.port).to.equal(sim!.ready.zigbee);
    expect(config.doors.map((d) => d.lock.ieee)).to.deep.equal(sim!.ready.doors.map((d) => d.ieee));
  });

  it("lets a test type on the keypad and read the lock through the control endpoint", async () => {
    const { control } = sim!.ready;
    const typed = await fetch(`${control}/locks/front/keypad`, { method: "POST", body: JSON.stringify({ pin: "9999" }) });
    expect(typed.status).to.equal(200);
    expect(await typed.json()).to.include({ outcome: "rejected", reason: "invalid-pin" });
    const state = (await (await fetch(`${control}/locks/front`)).json()) as { lockState: number; users: unknown[]; wrongCodeCount: number; profile: string };
    expect(state.profile).to.equal("yale-assure");
    expect(state.wrongCodeCount).to.equal(1);
    expect((await fetch(`${control}/locks/nope`)).status).to.equal(404);
    expect((await fetch(`${control}/locks/front/keypad`, { method: "POST", body: "{" })).status).to.equal(400);
  });

  it("cuts and restores a camera stream", async () => {
    const { control } = sim!.ready;
    const off = await fetch(`${control}/cameras/front/stream`, { method: "POST", body: JSON.stringify({ on: false }) });
    expect(await off.json()).to.deep.equal({ on: false });
    const on = await fetch(`${control}/cameras/front/stream`, { method: "POST", body: JSON.stringify({ on: true }) });
    expect(await on.json()).to.deep.equal({ on: true });
  });

  it("stops on SIGTERM and leaves no process behind", async () => {
    const children = await descendantsOf(sim!.child.pid!);
    expect(children.length, "the ffmpeg encoders of the two cameras").to.be.at.least(2);
    const code = await sim!.stop();
    sim = undefined;
    expect(code).to.equal(0);
    await new Promise((r) => setTimeout(r, 500));
    const leftovers = [];
    for (const pid of children) if (await isAlive(pid)) leftovers.push(pid);
    expect(leftovers).to.deep.equal([]);
  });
});
