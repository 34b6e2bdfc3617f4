import { expect } from "chai";
import { eventually } from "../helpers/eventually.js";
import { descendantsOf, isAlive, startDoorstep, type RunningDoorstep } from "../helpers/ready-line.js";
import { useTempDir } from "../helpers/temp-dir.js";

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
  const storage = useTempDir({ prefix: "doorstep-demo-test-", per: "suite" });
  let bridge: RunningDoorstep<Ready> | undefined;

  before(async () => {
    // An empty storage dir holds no doorstep.json: serve falls back to the demo.
    bridge = await startDoorstep<Ready>(["--storage", storage.path, "serve"], "DOORSTEP READY", { timeoutMs: 90_000 });
  });
  after(async () => {
    await bridge?.stop();
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
    const lock = await eventually(
      "the lock paired and locked",
      async () => {
        const doors = (await (await fetch(`${api}/v1/doors`, { headers: { authorization: `Bearer ${ownerToken}` } })).json()) as { lock: { state: string; available: boolean } }[];
        const { lock } = doors[0]!;
        return lock.available && lock.state === "locked" && lock;
      },
      { timeoutMs: 30_000, everyMs: 250 },
    );
    expect(lock).to.deep.include({ state: "locked", available: true });
    // With every configured lock in, the network stops accepting new devices.
    await eventually("joining to close", () => bridge!.stderr().includes("joining is closed"), { timeoutMs: 30_000, everyMs: 100 });
    expect(bridge!.stderr()).to.contain("Every configured lock is paired: joining is closed.");
  });

  it("stops on SIGTERM with exit 0 and leaves no ffmpeg behind", async () => {
    const children = await descendantsOf(bridge!.child.pid!);
    expect(children.length, "the recorder's ffmpeg and the simulated camera").to.be.at.least(2);
    const code = await bridge!.stop();
    bridge = undefined;
    expect(code).to.equal(0);
    // The children exit with the bridge; init may take a moment to reap them. One that outlives the deadline leaked.
    const leftovers = async () => (await Promise.all(children.map(async (pid) => ((await isAlive(pid)) ? [pid] : [])))).flat();
    await eventually("every child to exit", async () => (await leftovers()).length === 0, { timeoutMs: 5_000 }).catch(() => undefined);
    expect(await leftovers()).to.deep.equal([]);
  });
});
