// The model-based test of issue 10: random interleavings of create, revoke, expire (time), keypad use, remote use, owner
// unlock/lock, end, late unlock, dropped frames and restart, driven through the DeliveryPort with the real store, the
// real reconciler (keypad sync) and a lock double. After every step the invariants hold:
//  - a PIN is on the lock only while its credential is live, or for at most SYNC_DELAY_MS after it stopped being live;
//  - a keypad or remote opening is credited only to the credential whose PIN was used;
//  - every closed visit has its recording ended, and its door relocked if it was unlocked;
//  - nothing answers 5xx (errors mapped as the API maps them); only the lock itself may make an owner command fail.
// At the end (faults cleared, time run out, service stopped) every visit is closed and the door is locked.
import { expect } from "chai";
import fc from "fast-check";
import { rmSync } from "node:fs";
import { CredentialId, VisitId } from "../../src/access/ids.js";
import { toHttpError } from "../../src/api/http-errors.js";
import type { Visit } from "../../src/store/visit-store.js";
import type { LockDriver, LockState } from "../../src/zigbee/lock-driver.js";
import type { TestRecorder } from "../../src/camera/test-recorder.js";
import type { OperationAnswer, TestLockDriver } from "../../src/zigbee/test-lock-driver.js";
import { OWNER, harness, type Harness } from "./harness.js";

const H = 3_600_000;
/** How long a code that stopped being live may stay on the lock: the poll interval plus a retry after a lost frame. */
export const SYNC_DELAY_MS = 120_000;
/**
 * After frames were lost, how long the keypad sync may take to catch up once they get through again: its longest
 * backoff (300 s) plus the circuit breaker's cooldown (60 s).
 */
export const RECOVERY_MS = 6 * 60_000;

interface Code {
  id: string;
  pin: string;
  /** When its last use was taken (a used-up code is dead from then on). */
  usedUpAt?: number;
}

export interface Model {
  codes: Code[];
}

export interface Real {
  h: Harness;
  lock: LockUnderTest;
  recorder: TestRecorder;
}

/** The lock the model drives: the double (fast, every fault scriptable) or the emulator through real zigbee-herdsman. */
export interface LockUnderTest {
  /** The driver the service gets; undefined: the harness' own double. */
  readonly driver: LockDriver | undefined;
  /** Whether unlock/lock answers can be scripted (time-outs, late unlocks): the double only. */
  readonly scriptable: boolean;
  /** slot → PIN, as the lock really holds them. */
  pins(r: Real): Map<number, string>;
  state(r: Real): LockState;
  /** Types a PIN at the keypad; resolves once the service has had the lock's report. */
  type(r: Real, pin: string): Promise<void>;
  /** The next n PIN-table frames are lost. */
  dropFrames(r: Real, n: number): void;
  /** When a frame was last lost, if ever. */
  lastDropAt(r: Real): number | undefined;
  clearFaults(r: Real): void;
  /** Moves time on and waits until the service, the keypad sync and the lock have nothing in flight. */
  advance(r: Real, ms: number): Promise<void>;
  /** What the lock itself says, for a failure message. */
  describe?(r: Real): string;
  /** The double behind the harness, for scripted answers (scriptable locks only). */
  double?(r: Real): TestLockDriver;
}

/** The lock double, TestLockDriver (src/zigbee/test-lock-driver.ts). */
export const doubleLock: LockUnderTest = {
  driver: undefined,
  scriptable: true,
  pins: (r) => new Map([...r.h.doors.front!.lock.pins].map(([slot, p]) => [slot, p.pin])),
  state: (r) => r.h.doors.front!.lock.state,
  async type(r, pin) {
    // The lock opens only for a code in its table; otherwise it reports a wrong PIN.
    r.h.doors.front!.lock.typeKeypadPin(pin);
  },
  dropFrames: (r, n) => void r.h.doors.front!.lock.faults.push(...Array<"unreachable">(n).fill("unreachable")),
  lastDropAt: (r) => r.h.doors.front!.lock.lastDroppedAt,
  clearFaults(r) {
    const lock = r.h.doors.front!.lock;
    lock.unlockAnswers.length = 0;
    lock.lockAnswers.length = 0;
    lock.faults.length = 0;
    if (lock.state === "unknown") lock.report("locked"); // an unlock still timed out never lands
  },
  advance: (r, ms) => r.h.scheduler.advance(ms),
  double: (r) => r.h.doors.front!.lock,
};

type Cmd = fc.AsyncCommand<Model, Real>;

/** A call through the port: a thrown error must map to 4xx, or, for `device`, to the lock's own 502/503. */
async function call<T>(what: string, run: () => Promise<T> | T, device = false): Promise<T | undefined> {
  try {
    return await run();
  } catch (error) {
    const status = toHttpError(error).status;
    const allowed = status < 500 || (device && (status === 502 || status === 503) && /Device/.test((error as Error).name));
    expect(allowed, `${what} answered ${status}: ${(error as Error).stack}`).to.equal(true);
    return undefined;
  }
}

const newVisits = (r: Real, before: ReadonlySet<string>): Visit[] => r.h.store.visits.list({ limit: 1000 }).filter((v) => !before.has(v.id));
const visitIds = (r: Real) => new Set(r.h.store.visits.list({ limit: 1000 }).map((v) => v.id as string));
const keypadCredits = (r: Real) => r.h.store.audit.list({ limit: 10_000 }).filter((e) => e.type === "keypad.used");

function noteUsedUp(m: Model, r: Real): void {
  for (const c of m.codes) {
    const credential = r.h.store.credentials.get(CredentialId(c.id))!;
    const uses = r.h.store.credentials.usage(credential.id)!.uses;
    if (credential.maxUses !== undefined && uses >= credential.maxUses) c.usedUpAt ??= r.h.clock.now();
    else delete c.usedUpAt; // a refunded use makes it live again
  }
}

/** When the credential stopped being live, or undefined while it is live (as the keypad sees it). */
function deadSince(m: Model, r: Real, code: Code): number | undefined {
  const c = r.h.store.credentials.get(CredentialId(code.id))!;
  const now = r.h.clock.now();
  const ends = [c.revokedAt, c.validUntil <= now ? c.validUntil : undefined, code.usedUpAt].filter((t): t is number => t !== undefined);
  if (c.mode === "remote") return c.createdAt;
  return ends.length === 0 ? undefined : Math.min(...ends);
}

/** The invariants that hold after every step. */
export function checkInvariants(m: Model, r: Real): void {
  const now = r.h.clock.now();
  noteUsedUp(m, r); // a use given back (a failed visit) makes a code live again
  const lastDrop = r.lock.lastDropAt(r);
  for (const [slot, pin] of r.lock.pins(r)) {
    const code = m.codes.find((c) => c.pin === pin);
    expect(code, `slot ${slot} holds a code Doorstep never made`).to.not.equal(undefined);
    const dead = deadSince(m, r, code!);
    if (dead === undefined) continue;
    // Off within the sync delay, or, when frames were lost, within the recovery time after the last lost one.
    const deadline = Math.max(dead + SYNC_DELAY_MS, lastDrop === undefined ? 0 : lastDrop + RECOVERY_MS);
    expect(now, `a dead code is still on the lock (slot ${slot}), ${now - dead} ms after it stopped being live`).to.be.at.most(deadline);
  }
  for (const v of r.h.store.visits.list({ limit: 1000 })) {
    if (v.state !== "closed") continue;
    if (r.recorder.begun.has(v.id)) {
      expect(r.recorder.ended.has(v.id) || r.recorder.recovered.includes(v.id), `visit ${v.id} (${v.closeReason}) has its recording ended`).to.equal(true);
    }
    if (v.unlockedAt !== undefined && v.closeReason !== "recovered") expect(v.relockedAt, `visit ${v.id} was unlocked and is relocked`).to.be.a("number");
  }
}

// ── Commands ──

class CreateCode implements Cmd {
  constructor(readonly kind: "delivery" | "cleaning", readonly mode: "both" | "keypad" | "remote", readonly hours: number) {}
  check = (m: Readonly<Model>) => m.codes.length < 8;
  async run(m: Model, r: Real): Promise<void> {
    const now = r.h.clock.now();
    const made = await call("create", () =>
      r.h.service.credentials.create({ label: "Guest", kind: this.kind, mode: this.mode, doors: ["front"], validFrom: now - 60_000, validUntil: now + this.hours * H }, OWNER),
    );
    if (made) m.codes.push({ id: made.credential.id, pin: made.pin });
  }
  toString = () => `create(${this.kind}, ${this.mode}, ${this.hours} h)`;
}

class Revoke implements Cmd {
  constructor(readonly index: number) {}
  check = (m: Readonly<Model>) => m.codes.length > 0;
  async run(m: Model, r: Real): Promise<void> {
    const code = m.codes[this.index % m.codes.length]!;
    await call("revoke", () => r.h.service.credentials.revoke(code.id, OWNER));
  }
  toString = () => `revoke(${this.index})`;
}

class Advance implements Cmd {
  constructor(readonly ms: number) {}
  check = () => true;
  async run(_m: Model, r: Real): Promise<void> {
    await r.lock.advance(r, this.ms);
  }
  toString = () => `advance(${this.ms})`;
}

class KeypadUse implements Cmd {
  constructor(readonly index: number) {}
  check = (m: Readonly<Model>) => m.codes.length > 0;
  async run(m: Model, r: Real): Promise<void> {
    const code = m.codes[this.index % m.codes.length]!;
    const before = visitIds(r);
    const creditsBefore = keypadCredits(r).length;
    await r.lock.type(r, code.pin);
    await r.lock.advance(r, 0);
    for (const v of newVisits(r, before)) {
      if (v.credentialId !== undefined) expect(v.credentialId, "a keypad opening is credited to the code typed").to.equal(code.id);
    }
    for (const e of keypadCredits(r).slice(creditsBefore)) expect(e.credentialId, "a keypad use during a visit is credited to the code typed").to.equal(code.id);
    noteUsedUp(m, r);
  }
  toString = () => `keypad(${this.index})`;
}

class RemoteUse implements Cmd {
  constructor(readonly index: number) {}
  check = (m: Readonly<Model>) => m.codes.length > 0;
  async run(m: Model, r: Real): Promise<void> {
    const code = m.codes[this.index % m.codes.length]!;
    const outcome = await call("redeem", () => r.h.service.redeem({ doorId: "front", pin: code.pin, actor: OWNER, source: "10.0.0.9" }));
    if (outcome?.outcome === "unlocked") {
      expect(r.h.store.visits.get(VisitId(outcome.visitId))!.credentialId, "a remote opening is credited to the code used").to.equal(code.id);
    }
    await r.lock.advance(r, 0);
    noteUsedUp(m, r);
  }
  toString = () => `remote(${this.index})`;
}

class OwnerUnlock implements Cmd {
  check = () => true;
  async run(_m: Model, r: Real): Promise<void> {
    await call("owner unlock", () => r.h.service.ownerUnlock("front", OWNER), true);
    await r.lock.advance(r, 0);
  }
  toString = () => "ownerUnlock";
}

class OwnerLock implements Cmd {
  check = () => true;
  async run(_m: Model, r: Real): Promise<void> {
    await call("owner lock", () => r.h.service.ownerLock("front", OWNER), true);
    await r.lock.advance(r, 0);
  }
  toString = () => "ownerLock";
}

class EndVisit implements Cmd {
  check = () => true;
  async run(_m: Model, r: Real): Promise<void> {
    const open = r.h.store.visits.list({ open: true })[0];
    if (open) await call("end visit", () => r.h.service.endVisit(open.id, OWNER));
    await r.lock.advance(r, 0);
  }
  toString = () => "endVisit";
}

class NextAnswer implements Cmd {
  constructor(readonly command: "unlock" | "lock", readonly answer: OperationAnswer) {}
  check = () => true;
  async run(_m: Model, r: Real): Promise<void> {
    const lock = r.lock.double!(r);
    (this.command === "unlock" ? lock.unlockAnswers : lock.lockAnswers).push(this.answer);
  }
  toString = () => `next ${this.command}: ${this.answer}`;
}

/** A timed-out unlock lands late (only when one is outstanding: the lock's state is unknown). */
class LateUnlock implements Cmd {
  check = () => true;
  async run(_m: Model, r: Real): Promise<void> {
    const lock = r.lock.double!(r);
    if (lock.state !== "unknown") return;
    const now = r.h.clock.now();
    lock.report("unlocked");
    lock.events.emit("lateUnlock", { requestedAt: now - 10_000, deadlineAt: now - 2_000, observedAt: now });
    await r.lock.advance(r, 0);
  }
  toString = () => "lateUnlock";
}

class DropFrames implements Cmd {
  constructor(readonly n: number) {}
  check = () => true;
  async run(_m: Model, r: Real): Promise<void> {
    r.lock.dropFrames(r, this.n);
  }
  toString = () => `drop(${this.n})`;
}

/** The bridge restarts (a clean stop, then start-up recovery) on the same storage, lock and camera. */
class Restart implements Cmd {
  check = () => true;
  async run(_m: Model, r: Real): Promise<void> {
    await r.h.service.stop();
    r.h.store.close();
    const { recorder } = r;
    recorder.restart();
    const lock = r.h.doors.front!.lock;
    r.h = await harness({
      dir: r.h.dir,
      clock: r.h.clock,
      ...(r.lock.driver && { drivers: { front: r.lock.driver } }),
      before: (doors) => void (doors.front = { lock, recorder }),
    });
    await r.lock.advance(r, 0);
  }
  toString = () => "restart";
}

const index = fc.nat(7);
const anyLock = [
  fc.tuple(fc.constantFrom("delivery" as const, "cleaning" as const), fc.constantFrom("both" as const, "keypad" as const, "remote" as const), fc.integer({ min: 1, max: 6 }))
    .map(([k, mode, h]) => new CreateCode(k, mode, h)),
  index.map((i) => new Revoke(i)),
  fc.constantFrom(1_000, 8_000, 30_000, 61_000, 15 * 60_000, 2 * H).map((ms) => new Advance(ms)),
  index.map((i) => new KeypadUse(i)),
  index.map((i) => new RemoteUse(i)),
  fc.constant(new OwnerUnlock()),
  fc.constant(new OwnerLock()),
  fc.constant(new EndVisit()),
  fc.integer({ min: 1, max: 2 }).map((n) => new DropFrames(n)),
  fc.constant(new Restart()),
];
/** Scripted answers of the lock: time-outs, refusals, silence, late unlocks. */
const scripted = [
  fc.tuple(fc.constantFrom("unlock" as const, "lock" as const), fc.constantFrom<OperationAnswer>("time-out", "reject", "unreachable")).map(([c, a]) => new NextAnswer(c, a)),
  fc.constant(new LateUnlock()),
];

/** After the run: faults cleared and time run out, every visit is closed, recorded to its end, and the door is locked. */
async function finish(m: Model, r: Real): Promise<void> {
  r.lock.clearFaults(r);
  await r.lock.advance(r, 20 * 60_000);
  await r.lock.advance(r, 2 * H); // past the owner's maximum visit and every retry
  checkInvariants(m, r);
  await r.h.service.stop();
  for (const v of r.h.store.visits.list({ limit: 1000 })) {
    expect(v.state, `visit ${v.id} (${v.via}) is closed`).to.equal("closed");
    if (r.recorder.begun.has(v.id)) expect(r.recorder.ended.has(v.id) || r.recorder.recovered.includes(v.id), `visit ${v.id} recording ended`).to.equal(true);
  }
  expect(r.recorder.openVisits().filter((id) => !r.recorder.recovered.includes(id)), "no recording left running").to.deep.equal([]);
  expect(r.lock.state(r), `the door is locked${r.lock.describe ? ` (${r.lock.describe(r)})` : ""}`).to.equal("locked");
  expect(r.h.store.audit.verify().ok).to.equal(true);
}

export async function runModel(options: {
  numRuns: number;
  maxCommands: number;
  seed?: number;
  lock?: LockUnderTest;
  before?: () => Promise<void>;
}): Promise<void> {
  const lock = options.lock ?? doubleLock;
  const commands = lock.scriptable ? [...anyLock, ...scripted] : anyLock;
  await fc.assert(
    fc.asyncProperty(fc.commands(commands, { maxCommands: options.maxCommands, size: "max" }), async (cmds) => {
      await options.before?.();
      const h = await harness(lock.driver ? { drivers: { front: lock.driver } } : {});
      const real: Real = { h, lock, recorder: h.doors.front!.recorder! };
      const model: Model = { codes: [] };
      try {
        await fc.asyncModelRun(() => ({ model, real }), [...wrap(cmds)]);
        await finish(model, real);
      } finally {
        await real.h.service.stop().catch(() => undefined);
        real.h.store.close();
        rmSync(real.h.dir, { recursive: true, force: true });
      }
    }),
    { numRuns: options.numRuns, ...(options.seed !== undefined && { seed: options.seed }) },
  );
}

/** Every command followed by the invariant check. */
function* wrap(cmds: Iterable<Cmd>): Iterable<Cmd> {
  for (const c of cmds) {
    yield {
      check: (m: Readonly<Model>) => c.check(m),
      run: async (m: Model, r: Real) => {
        await c.run(m, r);
        checkInvariants(m, r);
      },
      toString: () => c.toString(),
    };
  }
}
