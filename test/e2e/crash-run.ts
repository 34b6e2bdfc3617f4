// Issue 5, crash test: `doorstep serve` is killed with SIGKILL while couriers redeem delivery codes on three doors, and
// restarted on the same storage against the same `doorstep sim` (its --nv-file keeps the network). Each kill is aimed at
// a named phase of a visit and fired when the test sees that phase (API visit state, emulator lock state), not after a
// random delay:
//   opening   the unlock request is on its way (the emulated lock answers late), the visit not yet open
//   open      the visit is open and the door unlocked at the emulator
//   post-roll the door is relocked, the recorder is taking the post-roll
//   clip      the post-roll is over, the visit is not closed yet: its clip is being written
// A kill whose phase the visit went past unseen is carried over to the next visit. After every restart each door must be
// locked at the emulator; at the end every visit the bridge started is closed with its audit entries, every visit it
// acknowledged exists, and the audit chain verifies.
import { expect } from "chai";
import { join } from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import { systemClock } from "../../src/access/clock.js";
import { VisitId } from "../../src/access/ids.js";
import { seededRandom } from "../../src/sim/zigbee/fault-injection.js";
import { openStore } from "../../src/store/store.js";
import { runDoorstep } from "../helpers/cli.js";
import { eventually } from "../helpers/eventually.js";
import { processesOfStorage, type RunningDoorstep } from "../helpers/ready-line.js";
import { makeTempDir, removeTempDir } from "../helpers/temp-dir.js";
import { call, createProviderToken, isoIn, simLock, startServe, startSim, writeBridgeConfig, type DoorView, type ServeReady, type SimReady, type VisitView } from "./e2e-harness.js";

export const KILL_PHASES = ["opening", "open", "post-roll", "clip"] as const;
export type KillPhase = (typeof KILL_PHASES)[number];

export interface CrashRunOptions {
  /** Visits at least; the run goes on past them (up to three times as many) until every planned kill has landed. */
  visits: number;
  /** The phases to kill in, one kill each, in a seeded order. */
  kills: readonly KillPhase[];
  seed: number;
}

const DOORS = 3;
const TIMING = { relockAfterSeconds: 5, preRollSeconds: 1, postRollSeconds: 2 };
/** How late the emulated lock answers while an "opening" kill is aimed: long enough to see the visit in "opening". */
const LATE_LOCK_MS = 1_500;
/** One visit in this many runs to its scheduled relock; the others are ended by the courier (POST /end) to keep the run short. */
const SCHEDULED_RELOCK_EVERY = 10;
const LOCKED = 1;
const TERMINAL_AUDIT = new Set(["visit.closed", "visit.recovered", "visit.failed"]);
/** How often a kill's watcher looks at the visit. */
const WATCH_EVERY_MS = 20;

interface KillRecord {
  phase: KillPhase;
  /** The visit (index) the kill was aimed at, its door, and its id once the bridge answered. */
  visit: number;
  doorId: string;
  visitId?: string;
  /** Doors the emulator showed unlocked right after the kill. */
  unlockedAtKill: string[];
  /** Doors not locked at the emulator once the new bridge was READY. */
  unlockedAfterReady: string[];
  /** SIGKILL → new bridge READY → every door recording (ms). */
  readyMs: number;
  recordingMs: number;
}

/** The phases in a seeded order (Fisher–Yates). */
function shuffled<T>(items: readonly T[], random: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** Defines the crash test's describe for these parameters (test/e2e/crash.test.ts: the small run; crash.long.test.ts: the full one). */
export function describeCrashRun(title: string, options: CrashRunOptions): void {
  describe(title, function () {
    this.timeout(15 * 60_000);
    let dir: string;
    let storage: string;
    let configPath: string;
    let sim: RunningDoorstep<SimReady> | undefined;
    let bridge: RunningDoorstep<ServeReady> | undefined;
    let owner: string | undefined;
    let courier: string;
    let doors: string[];
    let control: string;

    before(async () => {
      dir = makeTempDir("doorstep-crash-");
      storage = join(dir, "storage");
      sim = await startSim(dir, DOORS, { nvFile: join(dir, "sim-nv.json") });
      control = sim.ready.control;
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
      else removeTempDir(dir);
    });

    /** Starts the bridge and waits until every door is available and recording, so no redemption meets a cold start. */
    let lastReadyMs = 0;
    async function start(): Promise<RunningDoorstep<ServeReady>> {
      const t0 = Date.now();
      const b = await startServe(configPath);
      lastReadyMs = Date.now() - t0;
      owner ??= b.ready.ownerToken;
      if (!owner) throw new Error("the first start printed no owner token");
      await eventually("every door available and recording", async () => {
        const r = await call<DoorView[]>(b.ready.api, "GET", "/v1/doors", owner);
        return r.status === 200 && r.body.length === DOORS && r.body.every((d) => d.lock?.available && d.camera?.recording);
      }, { timeoutMs: 90_000, everyMs: 200 });
      return b;
    }

    async function unlockedDoors(): Promise<string[]> {
      const states = await Promise.all(doors.map(async (id) => [id, (await simLock(control, id)).lockState] as const));
      return states.filter(([, s]) => s !== LOCKED).map(([id]) => id);
    }

    const lockAnswersLate = async (doorId: string, ms: number) => {
      const r = await call(control, "POST", `/locks/${doorId}/delay`, undefined, { ms });
      if (r.status !== 200) throw new Error(`POST /locks/${doorId}/delay: ${r.status} ${JSON.stringify(r.body)}`);
    };

    it("every door relocked after each restart; every visit closed and audited; the audit chain verifies; a kill landed in every planned phase", async () => {
      const runStart = Date.now();
      const random = seededRandom(options.seed);
      /** Kills not yet landed, in the order they are aimed. */
      const pending = shuffled(options.kills, random);
      const stride = options.visits / Math.max(1, options.kills.length);
      /** The next kill is aimed at the first visit from this index on: the n-th within the n-th stride of the run, seeded. */
      const aimFromFor = (landed: number, after: number) => Math.max(after, Math.floor(landed * stride + random() * stride));
      let aimFrom = aimFromFor(0, 0);
      /** Set while a kill is aimed at a visit; only one at a time. */
      let aimed: { visit: number; phase: KillPhase } | undefined;
      const missed = new Map<KillPhase, number>();
      bridge = await start();

      // `up` resolves with the API of a ready bridge; a kill replaces it with a pending one until the restart is READY.
      let up: Promise<string> = Promise.resolve(bridge.ready.api);
      const kills: KillRecord[] = [];
      const acknowledged: string[] = [];
      const outcomes = new Map<string, number>();
      let transportErrors = 0;
      let killing = false;

      /** SIGKILL now, note which doors the emulator shows unlocked, restart on the same storage. */
      async function killAndRestart(record: Omit<KillRecord, "unlockedAtKill" | "unlockedAfterReady" | "readyMs" | "recordingMs">): Promise<void> {
        const victim = bridge!;
        const t0 = Date.now();
        let ready!: (api: string) => void;
        let failed!: (error: unknown) => void;
        up = new Promise<string>((resolve, reject) => ((ready = resolve), (failed = reject)));
        up.catch(() => undefined); // a failed restart is reported by this function; the couriers then fail on `await up`
        victim.child.kill("SIGKILL");
        try {
          await new Promise<void>((r) => (victim.child.exitCode !== null || victim.child.signalCode !== null ? r() : victim.child.once("exit", () => r())));
          const unlockedAtKill = await unlockedDoors();
          if (record.phase === "opening") await lockAnswersLate(record.doorId, 0);
          bridge = await start();
          kills.push({ ...record, unlockedAtKill, unlockedAfterReady: await unlockedDoors(), readyMs: lastReadyMs, recordingMs: Date.now() - t0 });
          ready(bridge.ready.api);
        } catch (error) {
          failed(error);
          throw error;
        }
      }

      /** The phase the visit is in, as the API and the emulator show it (undefined: none of the four). */
      async function phaseOf(api: string, doorId: string, visitId: string | undefined): Promise<KillPhase | "closed" | undefined> {
        if (visitId === undefined) {
          const v = (await call<VisitView[]>(api, "GET", `/v1/visits?open=true&doorId=${doorId}`, owner)).body[0];
          return v?.state === "opening" && (await simLock(control, doorId)).lockState === LOCKED ? "opening" : undefined;
        }
        const v = (await call<VisitView>(api, "GET", `/v1/visits/${visitId}`, owner)).body;
        if (v.state === "closed") return "closed";
        const lockState = (await simLock(control, doorId)).lockState;
        if (v.state === "open" && lockState !== LOCKED) return "open";
        if (v.state === "relocking" && v.relockedAt !== undefined && lockState === LOCKED) {
          return Date.now() < v.relockedAt + TIMING.postRollSeconds * 1000 ? "post-roll" : "clip";
        }
        return undefined;
      }

      /**
       * Watches visit `k` on `doorId` and kills the bridge the moment it is in `phase`. Resolves false when the visit went
       * past that phase unseen, the courier is done with it, or the bridge died under it some other way: the kill is then
       * carried over to a later visit.
       */
      async function watch(k: number, doorId: string, phase: KillPhase, api: string, visitId: () => string | undefined, done: () => boolean): Promise<boolean> {
        const order = ["opening", "open", "post-roll", "clip", "closed"];
        for (;;) {
          if (killing || done()) return false;
          let seen: KillPhase | "closed" | undefined;
          try {
            seen = await phaseOf(api, doorId, visitId());
          } catch (error) {
            if (error instanceof TypeError) return false; // the bridge is gone
            throw error;
          }
          if (seen === phase) {
            killing = true;
            try {
              const id = visitId();
              await killAndRestart({ phase, visit: k, doorId, ...(id !== undefined && { visitId: id }) });
            } finally {
              killing = false;
            }
            return true;
          }
          if (seen !== undefined && order.indexOf(seen) > order.indexOf(phase)) return false;
          await delay(WATCH_EVERY_MS); // a poll interval: the phase has no event the test could subscribe to
        }
      }

      /** One courier's visit: create a code, redeem it, end it (most of the time), and wait until it is closed. */
      async function visit(k: number, doorId: string): Promise<void> {
        const api = await up;
        const aim = aimed === undefined && pending.length > 0 && k >= aimFrom ? (aimed = { visit: k, phase: pending[0]! }) : undefined;
        let visitId: string | undefined;
        let done = false;
        if (aim?.phase === "opening") await lockAnswersLate(doorId, LATE_LOCK_MS);
        const watcher = aim ? watch(k, doorId, aim.phase, api, () => visitId, () => done) : undefined;
        try {
          const created = await call<{ id: string; pin: string }>(api, "POST", "/v1/credentials", courier, {
            label: `Parcel ${k}`, kind: "delivery", doors: [doorId], mode: "remote", validUntil: isoIn(3_600_000),
          });
          if (created.status !== 201) throw new Error(`create: ${created.status} ${JSON.stringify(created.body)}`);
          const r = await call<{ outcome: string; visitId?: string; reason?: string }>(api, "POST", `/v1/doors/${doorId}/access`, courier, { pin: created.body.pin });
          const key = `${r.status} ${r.body.outcome}${r.body.reason ? ` ${r.body.reason}` : ""}`;
          outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
          if (r.status === 200) {
            visitId = r.body.visitId!;
            acknowledged.push(visitId);
            // An "open" kill needs the door to stay open until it is seen: that visit runs to its scheduled relock.
            if (k % SCHEDULED_RELOCK_EVERY !== 0 && aim?.phase !== "open") await call(api, "POST", `/v1/visits/${visitId}/end`, courier);
            // The next courier comes once this visit is closed (relocked, post-roll recorded, clip kept).
            const id = visitId;
            await eventually(`visit ${id} closed`, async () => {
              try {
                return (await call<VisitView>(api, "GET", `/v1/visits/${id}`, owner)).body.state === "closed";
              } catch (error) {
                if (error instanceof TypeError) return "bridge-died"; // this round ends; the restarted bridge recovers the visit
                throw error;
              }
            }, { timeoutMs: 30_000, everyMs: 100 });
          }
        } catch (error) {
          // The bridge died under this request (or was restarting): the next round waits for the new one.
          if (!(error instanceof TypeError)) throw error;
          transportErrors++;
        } finally {
          done = true;
          if (aim) {
            const landed = await watcher!;
            aimed = undefined;
            if (landed) {
              pending.shift();
              aimFrom = aimFromFor(options.kills.length - pending.length, k + 1);
            } else {
              missed.set(aim.phase, (missed.get(aim.phase) ?? 0) + 1);
              if (aim.phase === "opening") await lockAnswersLate(doorId, 0);
            }
          }
        }
      }

      let next = 0;
      const cap = options.visits * 3;
      const worker = async (doorId: string) => {
        while (next < cap && (next < options.visits || pending.length > 0)) await visit(next++, doorId);
      };
      await Promise.all(doors.map((d) => worker(d)));

      // Let visits still running at the end finish, then stop cleanly and inspect the storage itself.
      const api = await up;
      await eventually("no open visit", async () => {
        const r = await call<VisitView[]>(api, "GET", "/v1/visits?open=true&limit=1000", owner);
        return r.status === 200 && r.body.length === 0;
      }, { timeoutMs: 60_000, everyMs: 250 });
      expect(await bridge.stop(), "clean SIGTERM exit").to.equal(0);
      bridge = undefined;

      const verify = await runDoorstep(["--config", configPath, "audit", "verify", "--json"]);
      const store = openStore({ storageDir: storage, clock: systemClock });
      try {
        const visits = store.visits.list({ limit: 1000 });
        const missingAudit: string[] = [];
        for (const v of visits) {
          const types = new Set(store.audit.list({ visitId: v.id, limit: 1000 }).map((e) => e.type));
          if (!types.has("visit.opened") || ![...types].some((t) => TERMINAL_AUDIT.has(t))) missingAudit.push(`${v.id}: ${[...types].join(",")}`);
        }
        const byReason = new Map<string, number>();
        for (const v of visits) byReason.set(v.closeReason ?? v.state, (byReason.get(v.closeReason ?? v.state) ?? 0) + 1);
        const closeReasonOf = (id: string | undefined) => (id === undefined ? undefined : store.visits.get(VisitId(id))?.closeReason);
        const summary = {
          seed: options.seed,
          visits: next,
          kills: kills.map((k) => ({ phase: k.phase, visit: k.visit, closeReason: closeReasonOf(k.visitId), unlockedAtKill: k.unlockedAtKill.length })),
          missedAims: Object.fromEntries(missed),
          visitsStarted: visits.length,
          acknowledged: acknowledged.length,
          closeReasons: Object.fromEntries(byReason),
          outcomes: Object.fromEntries(outcomes),
          transportErrors,
          restartReadyMs: kills.map((r) => r.readyMs),
          restartRecordingMs: kills.map((r) => r.recordingMs),
          runSeconds: Math.round((Date.now() - runStart) / 1000),
        };
        process.stdout.write(`      crash test: ${JSON.stringify(summary)}\n`);

        expect(kills.map((k) => k.phase).sort(), "a kill landed in every planned phase").to.deep.equal([...options.kills].sort());
        expect(kills.filter((r) => r.unlockedAfterReady.length > 0), "doors unlocked after a restart was READY").to.deep.equal([]);
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
}
