// Issue 10, item 5: the wrong-PIN lockout reaches the keypad. The real `doorstep sim` (Z-Stack emulator with its lock)
// and the real `doorstep serve` (zigbee-herdsman over TCP), driven through HTTP only: the bridge API, and the simulator's
// control endpoint as the person at the keypad.
import { expect } from "chai";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { eventually } from "../helpers/eventually.js";
import type { RunningDoorstep } from "../helpers/ready-line.js";
import { makeTempDir, removeTempDir } from "../helpers/temp-dir.js";
import { call, isoIn, simLock, startServe, startSim, writeBridgeConfig, type ServeReady, type SimReady } from "./e2e-harness.js";

const LOCKED = 1;
const NORMAL = 0;
const VACATION = 1;
const ATTEMPTS = 3;
const WINDOW_MINUTES = 1;

describe("end to end: a wrong-PIN lockout turns the lock's keypad off, across a restart, until it ends", function () {
  this.timeout(300_000);
  let dir: string;
  let configPath: string;
  let sim: RunningDoorstep<SimReady> | undefined;
  let bridge: RunningDoorstep<ServeReady> | undefined;
  let api: string;
  let control: string;
  let owner: string;
  let pin: string;

  before(async () => {
    dir = makeTempDir("doorstep-keypad-lockout-");
    sim = await startSim(dir, 1);
    control = sim.ready.control;
    configPath = await writeBridgeConfig(dir, join(dir, "storage"), { relockAfterSeconds: 5, preRollSeconds: 1, postRollSeconds: 1 });
    const config = JSON.parse(await readFile(configPath, "utf8")) as { delivery: Record<string, unknown> };
    config.delivery = { ...config.delivery, lockoutAttempts: ATTEMPTS, lockoutWindowMinutes: WINDOW_MINUTES };
    await writeFile(configPath, JSON.stringify(config, null, 2), { mode: 0o600 });
    bridge = await startServe(configPath);
    api = bridge.ready.api;
    owner = bridge.ready.ownerToken!;
    const created = await call<{ pin: string }>(api, "POST", "/v1/credentials", owner, { label: "Cleaner", kind: "cleaning", doors: ["front"], validUntil: isoIn(3_600_000), mode: "both" });
    expect(created.status).to.equal(201);
    pin = created.body.pin;
    await eventually("the cleaner's PIN on the keypad", async () => (await simLock(control, "front")).users.some((u) => u.pin === pin), { timeoutMs: 60_000, everyMs: 100 });
  });

  after(async () => {
    await bridge?.stop();
    await sim?.stop();
    removeTempDir(dir);
  });

  const lockView = () => simLock(control, "front") as Promise<Awaited<ReturnType<typeof simLock>> & { attributes: Record<string, number> }>;
  const keypad = async (p: string) => (await call<{ outcome: string }>(control, "POST", "/locks/front/keypad", undefined, { pin: p })).body.outcome;
  const redeem = (p: string) => call<{ outcome: string }>(api, "POST", "/v1/doors/front/access", owner, { pin: p });
  const mode = async () => (await lockView()).attributes.operatingMode;

  it("pairing gives the lock's own keypad the configured limit (wrongCodeEntryLimit, userCodeTemporaryDisableTime)", async () => {
    const a = (await lockView()).attributes;
    expect(a.wrongCodeEntryLimit).to.equal(ATTEMPTS);
    expect(a.userCodeTemporaryDisableTime).to.equal(WINDOW_MINUTES * 60);
    expect(a.operatingMode).to.equal(NORMAL);
  });

  it("an API lockout (429) turns the keypad off: the right PIN typed on the keypad does not open the door", async () => {
    for (let i = 0; i < ATTEMPTS; i++) expect((await redeem(`90817${260 + i}`)).status).to.equal(403);
    expect((await redeem(pin)).status, "the API is locked out").to.equal(429);
    await eventually("the keypad to be turned off", async () => (await mode()) === VACATION, { timeoutMs: 30_000, everyMs: 100 });
    expect(await keypad(pin), "the keypad ignores the right PIN").to.equal("disabled");
    expect((await lockView()).lockState).to.equal(LOCKED);
  });

  it("the lockout survives a restart of the bridge", async () => {
    expect(await bridge!.stop()).to.equal(0);
    bridge = await startServe(configPath);
    api = bridge.ready.api;
    expect((await redeem(pin)).status, "still locked out after the restart").to.equal(429);
    expect(await mode()).to.equal(VACATION);
    expect(await keypad(pin)).to.equal("disabled");
  });

  it("when the lockout ends the keypad is on again and opens with the right PIN", async () => {
    await eventually("the keypad to be turned on again", async () => (await mode()) === NORMAL, { timeoutMs: (WINDOW_MINUTES * 60 + 30) * 1000, everyMs: 500 });
    expect(await keypad(pin)).to.equal("unlocked");
    await eventually("the door to relock", async () => (await lockView()).lockState === LOCKED, { timeoutMs: 30_000, everyMs: 100 });
  });

  it("wrong PINs typed on the keypad count in the same lockout: the API then answers 429 and the keypad goes off", async () => {
    for (let i = 0; i < ATTEMPTS; i++) expect(await keypad(`13579${240 + i}`)).to.equal("rejected");
    await eventually("the keypad to be turned off", async () => (await mode()) === VACATION, { timeoutMs: 30_000, everyMs: 100 });
    expect((await redeem(pin)).status).to.equal(429);
  });
});
