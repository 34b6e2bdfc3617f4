import { expect } from "chai";
import { readFile, stat } from "node:fs/promises";
import { eventually } from "../helpers/eventually.js";
import { descendantsOf, isAlive, startDoorstep, type RunningDoorstep } from "../helpers/ready-line.js";
import { validateConfig } from "../../src/config/validate-config.js";
import { runInNamespace } from "../helpers/netns.js";
import { useTempDir } from "../helpers/temp-dir.js";

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
  const dir = useTempDir({ prefix: "doorstep-sim-", per: "suite" });
  let sim: RunningDoorstep<SimReady> | undefined;

  before(async () => {
    sim = await startDoorstep<SimReady>(["sim", "--ports", "0", "--doors", "2", "--video", "ffmpeg", "--write-config", dir.join("doorstep.json")], "DOORSTEP SIM READY", { timeoutMs: 60_000 });
  });
  after(async () => {
    await sim?.stop();
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
    const path = dir.join("doorstep.json");
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
    // The children exit with the simulator; init may take a moment to reap them. One that outlives the deadline leaked.
    const leftovers = async () => (await Promise.all(children.map(async (pid) => ((await isAlive(pid)) ? [pid] : [])))).flat();
    await eventually("every child to exit", async () => (await leftovers()).length === 0, { timeoutMs: 5_000 }).catch(() => undefined);
    expect(await leftovers()).to.deep.equal([]);
  });
});

describe("doorstep sim default ports (the real binary, in a private network namespace so fixed ports cannot collide)", function () {
  this.timeout(120_000);
  let run: Awaited<ReturnType<typeof runInNamespace>>;
  before(async () => {
    run = await runInNamespace(new URL("./sim-fixed-ports-child.js", import.meta.url).pathname, 110_000);
  });

  it("listens on its documented fixed ports and a restart keeps the written config valid, byte for byte", () => {
    const first = run.steps.get("first") as { ready: SimReady; config: string; code: number } | undefined;
    const second = run.steps.get("second") as { ready: SimReady; config: string; code: number } | undefined;
    expect(first, `first run; stderr:\n${run.stderrTail}`).to.not.equal(undefined);
    expect(second, `second run; stderr:\n${run.stderrTail}`).to.not.equal(undefined);
    expect(first!.ready.zigbee).to.equal("tcp://127.0.0.1:47800");
    expect(first!.ready.control).to.equal("http://127.0.0.1:47801");
    expect(first!.ready.onvif).to.match(/^http:\/\/127\.0\.0\.1:47810\//);
    expect(first!.ready.rtsp).to.match(/^rtsp:\/\/127\.0\.0\.1:47811\//);
    expect(second!.ready).to.deep.equal(first!.ready);
    expect(second!.config).to.equal(first!.config);
    expect([first!.code, second!.code]).to.deep.equal([0, 0]);
  });

  it("refuses a port block below 1024, naming --ports", () => {
    const bad = run.steps.get("bad-ports") as { error: string } | undefined;
    expect(bad?.error).to.match(/exited \(2\)/);
    expect(bad?.error).to.match(/--ports/);
  });
});
