// Issue 5, crash test: `doorstep serve` is killed with SIGKILL at seeded random moments while couriers redeem 200
// delivery codes on three doors, and restarted on the same storage against the same `doorstep sim` (its --nv-file keeps
// the network). After every restart each door must be locked at the emulator; at the end every visit the bridge started
// is closed with its audit entries, every visit it acknowledged exists, and the audit chain verifies.
import { expect } from "chai";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { systemClock } from "../../src/access/clock.js";
import { VisitId } from "../../src/access/ids.js";
import { openStore } from "../../src/store/store.js";
import { runDoorstep } from "../helpers/cli.js";
import { processesOfStorage, type RunningDoorstep } from "../helpers/ready-line.js";
import { call, createProviderToken, isoIn, simLock, sleep, startServe, startSim, waitFor, writeBridgeConfig, type DoorView, type ServeReady, type SimReady, type VisitView } from "./e2e-harness.js";
import { seededRandom } from "../../src/sim/zigbee/fault-injection.js";

const REDEMPTIONS = Number(process.env.DOORSTEP_CRASH_REDEMPTIONS ?? 200);
const KILLS = Number(process.env.DOORSTEP_CRASH_KILLS ?? 20);
const SEED = Number(process.env.DOORSTEP_CRASH_SEED ?? 0x5eed);
const DOORS = 3;
const TIMING = { relockAfterSeconds: 5, preRollSeconds: 1, postRollSeconds: 1 };
/** Kills land up to this long after the redemption they are tied to: before the answer, in the open visit, the post-roll, the clip. */
const MAX_KILL_DELAY_MS = 3000;
/** One visit in this many runs to its scheduled relock; the others are ended by the courier (POST /end) to keep the run short. */
const SCHEDULED_RELOCK_EVERY = 10;
const LOCKED = 1;
const TERMINAL_AUDIT = new Set(["visit.closed", "visit.recovered", "visit.failed"]);

/** Redemption index → kill delay (ms), ~evenly spread over the run with random jitter. */
function killSchedule(random: () => number): Map<number, number> {
  const schedule = new Map<number, number>();
  const stride = REDEMPTIONS / KILLS;
  for (let i = 0; i < KILLS; i++) {
    const at = Math.min(REDEMPTIONS - 1, Math.floor(i * stride + random() * stride));
    schedule.set(at, Math.floor(random() * MAX_KILL_DELAY_MS));
  }
  return schedule;
}

interface RestartRecord {
  kill: number;
  /** Doors the emulator showed unlocked right after the kill. */
  unlockedAtKill: string[];
  /** Doors not locked at the emulator once the new bridge was READY. */
  unlockedAfterReady: string[];
  /** SIGKILL → new bridge READY → every door recording (ms). */
  readyMs: number;
  recordingMs: number;
}

describe("crash test: kill -9 of doorstep serve during 200 visits", function () {
  this.timeout(15 * 60_000);
  let dir: string;
  let storage: string;
  let configPath: string;
  let sim: RunningDoorstep<SimReady> | undefined;
  let bridge: RunningDoorstep<ServeReady> | undefined;
  let owner: string | undefined;
  let courier: string;
  let doors: string[];

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "doorstep-crash-"));
    storage = join(dir, "storage");
    sim = await startSim(dir, DOORS, { nvFile: join(dir, "sim-nv.json") });
    doors = sim.ready.doors.map((d) => d.id);
    configPath = await writeBridgeConfig(dir, storage, TIMING);
    courier = await createProviderToken(configPath, "acme");
  });

  after(async () => {
    await bridge?.stop();
    await sim?.stop();
    // A SIGKILLed bridge cannot stop its ffmpeg recorders itself; make sure none outlives the test either way.
    for (const pid of await processesOfStorage(storage)) process.kill(pid, "SIGKILL");
    if (process.env.DOORSTEP_CRASH_KEEP) process.stdout.write(`      kept ${dir}\n`);
    else await rm(dir, { recursive: true, force: true });
  });

  /** Starts the bridge and waits until every door is available and recording, so no redemption meets a cold start. */
  let lastReadyMs = 0;
  async function start(): Promise<RunningDoorstep<ServeReady>> {
    const t0 = Date.now();
    const b = await startServe(configPath);
    lastReadyMs = Date.now() - t0;
    owner ??= b.ready.ownerToken;
    if (!owner) throw new Error("the first start printed no owner token");
    await waitFor("every door available and recording", async () => {
      const r = await call<DoorView[]>(b.ready.api, "GET", "/v1/doors", owner);
      return r.status === 200 && r.body.length === DOORS && r.body.every((d) => d.lock?.available && d.camera?.recording) ? true : undefined;
    }, 90_000, 200);
    return b;
  }

  async function unlockedDoors(): Promise<string[]> {
    const states = await Promise.all(doors.map(async (id) => [id, (await simLock(sim!.ready.control, id)).lockState] as const));
    return states.filter(([, s]) => s !== LOCKED).map(([id]) => id);
  }

  it("every door relocked after each restart; every visit closed and audited; the audit chain verifies", async () => {
    const runStart = Date.now();
    const random = seededRandom(SEED);
    const schedule = killSchedule(random);
    bridge = await start();

    // `up` resolves with the API of a ready bridge; a kill replaces it with a pending one until the restart is READY.
    let up: Promise<string> = Promise.resolve(bridge.ready.api);
    let ops: Promise<void> = Promise.resolve();
    const restarts: RestartRecord[] = [];
    const killTimes: number[] = [];
    const acknowledged: string[] = [];
    const outcomes = new Map<string, number>();
    let transportErrors = 0;

    /** SIGKILL now, note which doors the emulator shows unlocked, restart on the same storage; resolves with the new API. */
    async function killAndRestartOnce(kill: number): Promise<string> {
      const victim = bridge!;
      const t0 = Date.now();
      killTimes.push(t0);
      victim.child.kill("SIGKILL");
      await new Promise<void>((r) => (victim.child.exitCode !== null || victim.child.signalCode !== null ? r() : victim.child.once("exit", () => r())));
      await sleep(300);
      const unlockedAtKill = await unlockedDoors();
      bridge = await start();
      const recordingMs = Date.now() - t0;
      restarts.push({ kill, unlockedAtKill, unlockedAfterReady: await unlockedDoors(), readyMs: lastReadyMs, recordingMs });
      return bridge.ready.api;
    }
    // Kills run one after another; `up` is replaced at the moment of the kill, and a failed restart rejects it, so the
    // couriers fail the test instead of waiting forever.
    const killAndRestart = (kill: number): Promise<void> =>
      (ops = ops.then(() => {
        const restarted = killAndRestartOnce(kill);
        up = restarted;
        restarted.catch(() => undefined);
        return restarted.then(() => undefined);
      }));

    const pendingKills: Promise<void>[] = [];
    let next = 0;
    const worker = async (doorId: string) => {
      while (next < REDEMPTIONS) {
        const api = await up;
        const k = next++;
        const delay = schedule.get(k);
        if (delay !== undefined) pendingKills.push(new Promise<void>((r) => setTimeout(() => r(killAndRestart(k)), delay)));
        try {
          const created = await call<{ id: string; pin: string }>(api, "POST", "/v1/credentials", courier, {
            label: `Parcel ${k}`,
            kind: "delivery",
            doors: [doorId],
            mode: "remote",
            validUntil: isoIn(3_600_000),
          });
          if (created.status !== 201) throw new Error(`create: ${created.status} ${JSON.stringify(created.body)}`);
          const r = await call<{ outcome: string; visitId?: string; reason?: string }>(api, "POST", `/v1/doors/${doorId}/access`, courier, { pin: created.body.pin });
          const key = `${r.status} ${r.body.outcome}${r.body.reason ? ` ${r.body.reason}` : ""}`;
          outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
          if (r.status !== 200) continue;
          const visitId = r.body.visitId!;
          acknowledged.push(visitId);
          if (k % SCHEDULED_RELOCK_EVERY !== 0) await call(api, "POST", `/v1/visits/${visitId}/end`, courier);
          // The next courier comes once this visit is closed (relocked, post-roll recorded, clip kept), so kills land in
          // every phase. Polled by hand: a transport error (the bridge died) ends this round, it is not retried.
          for (const deadline = Date.now() + 30_000; ; await sleep(100)) {
            const v = await call<VisitView>(api, "GET", `/v1/visits/${visitId}`, owner);
            if (v.body.state === "closed") break;
            if (Date.now() > deadline) throw new Error(`visit ${visitId} still ${v.body.state} after 30 s`);
          }
        } catch (error) {
          // The bridge died under this request (or was restarting): the next round waits for the new one.
          if (!(error instanceof TypeError)) throw error;
          transportErrors++;
          await sleep(100);
        }
      }
    };
    await Promise.all(doors.map((d) => worker(d)));
    await Promise.all(pendingKills);
    await ops;

    // Let visits still running at the end finish, then stop cleanly and inspect the storage itself.
    const api = await up;
    await waitFor("no open visit", async () => {
      const r = await call<VisitView[]>(api, "GET", "/v1/visits?open=true&limit=1000", owner);
      return r.status === 200 && r.body.length === 0 ? true : undefined;
    }, 60_000, 250);
    expect(await bridge.stop(), "clean SIGTERM exit").to.equal(0);
    bridge = undefined;

    const verify = await runDoorstep(["--config", configPath, "audit", "verify", "--json"]);
    const store = openStore({ storageDir: storage, clock: systemClock });
    let summary: Record<string, unknown>;
    try {
      const visits = store.visits.list({ limit: 1000 });
      const missingAudit: string[] = [];
      for (const v of visits) {
        const types = new Set(store.audit.list({ visitId: v.id, limit: 1000 }).map((e) => e.type));
        if (!types.has("visit.opened") || ![...types].some((t) => TERMINAL_AUDIT.has(t))) missingAudit.push(`${v.id}: ${[...types].join(",")}`);
      }
      const spans = visits.filter((v) => v.closeReason === "ended" && v.endedAt !== undefined).map((v) => v.endedAt! - v.startedAt).sort((a, b) => a - b);
      const byReason = new Map<string, number>();
      for (const v of visits) byReason.set(v.closeReason ?? v.state, (byReason.get(v.closeReason ?? v.state) ?? 0) + 1);
      summary = {
        seed: SEED,
        redemptions: REDEMPTIONS,
        kills: restarts.length,
        killsWithADoorUnlocked: restarts.filter((r) => r.unlockedAtKill.length > 0).length,
        visitsStarted: visits.length,
        acknowledged: acknowledged.length,
        closeReasons: Object.fromEntries(byReason),
        outcomes: Object.fromEntries(outcomes),
        transportErrors,
        endedVisitMedianMs: spans[Math.floor(spans.length / 2)],
        restartReadyMs: restarts.map((r) => r.readyMs),
        restartRecordingMs: restarts.map((r) => r.recordingMs),
        runSeconds: Math.round((Date.now() - runStart) / 1000),
        ...(process.env.DOORSTEP_CRASH_KEEP ? { killTimes } : {}),
      };
      process.stdout.write(`      crash test: ${JSON.stringify(summary)}\n`);

      expect(restarts.length, "every scheduled kill happened").to.equal(schedule.size);
      expect(restarts.filter((r) => r.unlockedAfterReady.length > 0), "doors unlocked after a restart was READY").to.deep.equal([]);
      expect(visits.filter((v) => v.state !== "closed").map((v) => v.id), "visits not closed").to.deep.equal([]);
      expect(missingAudit, "visits without their opening and closing audit entries").to.deep.equal([]);
      const known = new Set(visits.map((v) => v.id as string));
      expect(acknowledged.filter((id) => !known.has(id)), "acknowledged visits missing from the store").to.deep.equal([]);
      for (const id of acknowledged) expect(store.visits.get(VisitId(id))?.state).to.equal("closed");
      expect(byReason.get("recovered") ?? 0, "some kills landed inside a visit (else this test proved nothing)").to.be.greaterThan(0);
    } finally {
      store.close();
    }
    expect(verify.code, verify.stderr).to.equal(0);
    expect(JSON.parse(verify.stdout)).to.include({ ok: true });
    expect(await unlockedDoors(), "doors unlocked at the end").to.deep.equal([]);
    // No recorder of a killed bridge is still running.
    expect(await processesOfStorage(storage)).to.deep.equal([]);
  });
});
