import { expect } from "chai";
import { TestClock } from "../../src/access/test-clock.js";
import { CredentialId, DoorId } from "../../src/access/ids.js";
import { StoreSlotRepository } from "../../src/delivery/store-slot-repository.js";
import { openStore, type Store } from "../../src/store/store.js";
import { ValidationError } from "../../src/core/errors.js";
import { MemoryLogger } from "../../src/core/logger.js";
import { MemorySlotRepository, type SlotRecord, type SlotRepository } from "../../src/zigbee/slot-repository.js";
import { SlotReconciler, type DesiredCredential } from "../../src/zigbee/slot-reconciler.js";
import { KWIKSET_LIKE, TestLockDriver, YALE_LIKE } from "../../src/zigbee/test-lock-driver.js";
import { settle, weekOfCredentials } from "./week-fixture.js";
import { credential } from "../helpers/access-fixtures.js";
import { useTempDir, type TempDir } from "../helpers/temp-dir.js";

const H = 3_600_000;
const T0 = Date.UTC(2026, 10, 23, 0, 0); // a Monday

/** The reconciler's tests run against both repositories: the in-memory one and the store's (which survives a restart). */
type RepositoryKind = "in-memory" | "store-backed";
const cleanups: (() => void)[] = [];

/** The store's slot table wants real credentials behind each slot (a foreign key): made on first sight, as the service would have. */
class StoreBackedRepository implements SlotRepository {
  private readonly inner: StoreSlotRepository;
  constructor(private readonly store: Store) {
    this.inner = new StoreSlotRepository(store.slots);
  }
  list(lockKey: string): SlotRecord[] { return this.inner.list(lockKey); }
  get(lockKey: string, slot: number): SlotRecord | undefined { return this.inner.get(lockKey, slot); }
  delete(lockKey: string, slot: number): void { this.inner.delete(lockKey, slot); }
  put(lockKey: string, record: SlotRecord): void {
    const id = record.credentialId;
    if (id !== null && !this.store.credentials.get(id)) {
      this.store.credentials.insert(credential({ id, doors: [DoorId(lockKey)] }), String(90_000_000 + this.store.credentials.list({}).length));
    }
    this.inner.put(lockKey, record);
  }
}

function repositoryFor(kind: RepositoryKind, clock: TestClock): { repository: SlotRepository; restarted: () => SlotRepository } {
  if (kind === "in-memory") {
    const repository = new MemorySlotRepository();
    return { repository, restarted: () => repository };
  }
  const store = openStore({ storageDir: tempDir!.path, clock });
  cleanups.push(() => store.close()); // before the temp dir goes (useTempDir removes it after the suite's own hooks)
  // A restart: what was in memory is gone, only the store's rows remain.
  return { repository: new StoreBackedRepository(store), restarted: () => new StoreBackedRepository(store) };
}

let kind: RepositoryKind = "in-memory";
let tempDir: TempDir | undefined;

function setup(caps = KWIKSET_LIKE, extra: Partial<ConstructorParameters<typeof SlotReconciler>[0]> = {}) {
  const clock = new TestClock(T0);
  const driver = new TestLockDriver({ capabilities: caps });
  const { repository, restarted } = repositoryFor(kind, clock);
  const logger = new MemoryLogger();
  const rec = new SlotReconciler({
    lockKey: "front", driver, repository, clock, logger, retry: { baseMs: 1_000, maxMs: 8_000 },
    breaker: { threshold: 3, cooldownMs: 30_000 }, ...extra,
  });
  rec.start();
  return { clock, driver, repository, restarted, logger, rec };
}

const cred = (id: string, pin: string, ...windows: [number, number][]): DesiredCredential => ({
  credentialId: CredentialId(id), pin, windows: windows.map(([s, e]) => ({ start: T0 + s * H, end: T0 + e * H })),
});
const pinsOn = (d: TestLockDriver) => new Set([...d.pins.values()].map((p) => p.pin));

for (const repositoryKind of ["in-memory", "store-backed"] as const)
describe(`SlotReconciler (TestLockDriver, ${repositoryKind} repository)`, () => {
  const dir = useTempDir({ prefix: "doorstep-slots-" });
  before(() => {
    kind = repositoryKind;
    tempDir = dir;
  });
  afterEach(() => {
    for (const clean of cleanups.splice(0)) clean();
  });

  it("writes a PIN at its window start and clears it at the end, not before", async () => {
    const { clock, driver, rec } = setup();
    rec.setDesired([cred("a", "1111", [2, 4])]);
    await rec.reconcile();
    expect(driver.commands).to.deep.equal([]);
    expect(rec.nextWakeAt()).to.equal(T0 + 2 * H);
    clock.set(T0 + 2 * H);
    await rec.reconcile();
    expect(pinsOn(driver)).to.deep.equal(new Set(["1111"]));
    expect(rec.status(CredentialId("a"))).to.deep.equal({ state: "on-lock", slot: 0 });
    expect(rec.nextWakeAt()).to.equal(T0 + 4 * H);
    clock.set(T0 + 4 * H);
    await rec.reconcile();
    expect(driver.pins.size).to.equal(0);
    expect(driver.commands).to.deep.equal(["setPin 0", "clearPin 0"]);
    expect(rec.status(CredentialId("a"))).to.deep.equal({ state: "off-lock" });
    await rec.stop();
  });

  it("allocates the lowest free managed slots and skips reserved ones", async () => {
    const { driver, rec } = setup({ ...KWIKSET_LIKE, reservedSlots: [0] }, { managedSlots: [0, 1, 2, 5] });
    rec.setDesired([cred("a", "1111", [0, 1]), cred("b", "2222", [0, 1]), cred("c", "3333", [0, 1])]);
    await rec.reconcile();
    expect([...driver.pins.keys()].sort()).to.deep.equal([1, 2, 5]);
    await rec.stop();
  });

  it("reports no-free-slot and writes the credential once a slot frees up", async () => {
    const { clock, driver, rec } = setup(KWIKSET_LIKE, { managedSlots: [3] });
    rec.setDesired([cred("a", "1111", [0, 2]), cred("b", "2222", [1, 3])]);
    await rec.reconcile();
    clock.set(T0 + 1 * H);
    await rec.reconcile();
    expect(rec.status(CredentialId("b"))).to.deep.equal({ state: "failed", reason: "no-free-slot" });
    clock.set(T0 + 2 * H);
    await rec.reconcile();
    // The closing credential's slot is overwritten directly: one frame instead of clear + write.
    expect(driver.commands).to.deep.equal(["setPin 3", "setPin 3"]);
    expect(pinsOn(driver)).to.deep.equal(new Set(["2222"]));
    expect(rec.status(CredentialId("b"))).to.deep.equal({ state: "on-lock", slot: 3 });
    await rec.stop();
  });

  it("sends only the difference: one change on a 250-slot lock with 100 codes costs one write", async () => {
    const { clock, driver, rec } = setup({ ...YALE_LIKE, yearDaySchedules: 0 });
    const creds = Array.from({ length: 100 }, (_, i) => cred(`c${i}`, String(100000 + i), [0, 10]));
    rec.setDesired(creds);
    await rec.reconcile();
    expect(driver.commands.length).to.equal(100);
    driver.commands.length = 0;
    rec.setDesired([...creds, cred("new", "999999", [0, 10])]);
    clock.advance(1000);
    const report = await rec.reconcile();
    expect(driver.commands).to.deep.equal(["setPin 100"]);
    expect(report.commands).to.equal(1);
    await rec.stop();
  });

  it("pushes a year-day schedule with the PIN when the lock keeps schedules, and only the schedule when the window moves", async () => {
    const { clock, driver, rec } = setup(YALE_LIKE);
    rec.setDesired([cred("a", "1111", [0, 2])]);
    await rec.reconcile();
    expect(driver.pins.get(0)).to.deep.equal({ pin: "1111", type: "year-day" });
    expect(driver.yearDay.get(0)).to.deep.equal({ start: T0, end: T0 + 2 * H });
    rec.setDesired([cred("a", "1111", [0, 3])]);
    clock.advance(1000);
    await rec.reconcile();
    expect(driver.commands).to.deep.equal(["setPin 0", "setYearDay 0", "setYearDay 0"]);
    expect(driver.yearDay.get(0)).to.deep.equal({ start: T0, end: T0 + 3 * H });
    await rec.stop();
  });

  it("treats a duplicate-code status for the same slot as success (an earlier write landed, its answer was lost)", async () => {
    const { clock, driver, rec } = setup({ ...YALE_LIKE, yearDaySchedules: 0 });
    driver.faults.push("lost-answer");
    rec.setDesired([cred("a", "1111", [0, 2])]);
    await rec.reconcile();
    expect(rec.status(CredentialId("a"))).to.deep.include({ state: "pending", reason: "unreachable" });
    clock.set(rec.nextWakeAt()!);
    await rec.reconcile();
    expect(driver.commands).to.deep.equal(["setPin 0", "setPin 0", "readSlot 0"]);
    expect(rec.status(CredentialId("a"))).to.deep.equal({ state: "on-lock", slot: 0 });
  });

  it("gives a lock without duplicate-code semantics no such benefit of the doubt", async () => {
    const { clock, driver, rec } = setup({ ...YALE_LIKE, yearDaySchedules: 0, duplicateCodeStatus: null });
    driver.faults.push("lost-answer");
    rec.setDesired([cred("a", "1111", [0, 2])]);
    await rec.reconcile();
    clock.set(rec.nextWakeAt()!);
    await rec.reconcile();
    expect(driver.commands).to.deep.equal(["setPin 0", "setPin 0"]);
    expect(rec.status(CredentialId("a"))).to.deep.include({ state: "failed" });
  });

  it("fails a duplicate that sits in another slot, naming why, and retries later", async () => {
    const { driver, rec } = setup({ ...YALE_LIKE, yearDaySchedules: 0 });
    driver.pins.set(7, { pin: "1111", type: "unrestricted" }); // put there by someone else, unknown to us
    rec.setDesired([cred("a", "1111", [0, 2])]);
    await rec.reconcile();
    const st = rec.status(CredentialId("a"));
    expect(st.state).to.equal("failed");
    expect(st).to.have.property("reason").that.matches(/another slot/);
    expect(rec.nextWakeAt()).to.equal(T0 + 1_000);
  });

  it("keeps a refused write failed with the status, and retries only after the backoff", async () => {
    const { clock, driver, rec } = setup();
    driver.faults.push({ rejectStatus: 1 }, { rejectStatus: 1 });
    rec.setDesired([cred("a", "1111", [0, 5])]);
    await rec.reconcile();
    expect(rec.status(CredentialId("a"))).to.deep.include({ state: "failed" });
    await rec.reconcile(); // not due yet
    expect(driver.commands.length).to.equal(1);
    clock.advance(1_000);
    await rec.reconcile();
    expect(driver.commands.length).to.equal(2);
    expect(rec.nextWakeAt()).to.equal(clock.now() + 2_000); // doubled
    clock.advance(2_000);
    await rec.reconcile();
    expect(rec.status(CredentialId("a"))).to.deep.equal({ state: "on-lock", slot: 0 });
    expect(rec.breakerState).to.equal("closed");
  });

  it("opens the circuit breaker after repeated silence and probes once after the cooldown", async () => {
    const { clock, driver, rec } = setup();
    driver.faults.push("unreachable", "unreachable", "unreachable", "unreachable");
    rec.setDesired(Array.from({ length: 5 }, (_, i) => cred(`c${i}`, String(1000 + i), [0, 5])));
    await rec.reconcile();
    expect(driver.commands.length).to.equal(3); // threshold 3, then it stops sending
    expect(rec.breakerState).to.equal("open");
    clock.advance(10_000);
    await rec.reconcile();
    expect(driver.commands.length).to.equal(3);
    clock.advance(20_000);
    await rec.reconcile();
    expect(driver.commands.length).to.equal(4); // half-open probe failed: open again
    expect(rec.breakerState).to.equal("open");
    clock.advance(30_000);
    await rec.reconcile();
    expect(driver.pins.size).to.equal(5);
    expect(rec.breakerState).to.equal("closed");
  });

  it("repairs drift: a PIN removed at the keypad is rewritten, a foreign code in a managed slot is cleared", async () => {
    const { driver, rec, logger } = setup();
    const drift: unknown[] = [];
    rec.events.on("drift", (d) => drift.push(d));
    rec.setDesired([cred("a", "1111", [0, 5])]);
    await rec.reconcile();
    driver.deletePinAtKeypad(0);
    driver.programPinAtKeypad(9, "4444");
    expect(drift).to.have.length(2);
    await rec.reconcile();
    expect(pinsOn(driver)).to.deep.equal(new Set(["1111"]));
    expect(driver.commands).to.deep.equal(["setPin 0", "clearPin 9", "setPin 0"]);
    expect(logger.text()).to.not.match(/4444|1111/);
  });

  it("ignores programming events that echo its own RF writes", async () => {
    const { driver, rec } = setup();
    rec.setDesired([cred("a", "1111", [0, 5])]);
    await rec.reconcile();
    driver.events.emit("programming", { source: "rf", kind: "pin-added", slot: 0, code: 2, at: T0 });
    await rec.reconcile();
    expect(driver.commands).to.deep.equal(["setPin 0"]);
  });

  it("rejects bad input with the credential named, without the PIN, and changes nothing", async () => {
    const { driver, rec } = setup();
    rec.setDesired([cred("a", "1111", [0, 5])]);
    const bad = [
      [cred("a", "1111", [0, 5]), cred("b", "12", [0, 5])],
      [cred("a", "1111", [0, 5]), cred("b", "12ab34", [0, 5])],
      [cred("a", "1111", [0, 5]), cred("b", "1111", [0, 5])],
      [cred("a", "1111", [5, 5])],
    ];
    for (const set of bad) {
      expect(() => rec.setDesired(set)).to.throw(ValidationError).that.satisfies((e: Error) => !/1111|12ab34/.test(e.message.replace(/credential \w+/g, "")));
    }
    await rec.reconcile();
    expect(driver.commands).to.deep.equal(["setPin 0"]);
  });

  it("carries on from the persisted view after a restart without rewriting synced slots", async () => {
    const { clock, driver, restarted, rec } = setup();
    rec.setDesired([cred("a", "1111", [0, 5]), cred("b", "2222", [0, 5])]);
    await rec.reconcile();
    await rec.stop();
    const again = new SlotReconciler({ lockKey: "front", driver, repository: restarted(), clock });
    again.setDesired([cred("a", "1111", [0, 5])]);
    await again.reconcile();
    expect(driver.commands).to.deep.equal(["setPin 0", "setPin 1", "clearPin 1"]);
  });

  // Issue 10, item 10: a lock that masks PINs on read answers "something is there" for any code.
  it("never takes a reused slot's previous code for the new guest's: a masked read over another code clears it first", async () => {
    const { clock, driver, rec } = setup({ ...KWIKSET_LIKE, masksPinsOnRead: true }, { managedSlots: [3] });
    rec.setDesired([cred("a", "1111", [0, 1]), cred("b", "2222", [1, 3])]);
    await rec.reconcile();
    expect(driver.pins.get(3)?.pin).to.equal("1111");
    driver.pins.set(7, { pin: "2222", type: "unrestricted" }); // b's code is on the lock already, in a slot we do not manage
    clock.set(T0 + 1 * H); // a's window closes, b's opens: slot 3 is reused
    await rec.reconcile();
    expect(pinsOn(driver), "the previous guest's code is gone").to.not.include("1111");
    expect(rec.status(CredentialId("b")), "and b is not claimed to be on the lock").to.deep.include({ state: "failed", reason: "rejected: the lock holds this code in another slot" });
    expect(driver.commands).to.deep.equal(["setPin 3", "setPin 3", "readSlot 3", "clearPin 3", "setPin 3"]);
  });

  it("still accepts a masked read where the slot was empty before (an earlier write landed, its answer was lost)", async () => {
    const { clock, driver, rec } = setup({ ...KWIKSET_LIKE, masksPinsOnRead: true });
    driver.faults.push("lost-answer");
    rec.setDesired([cred("a", "1111", [0, 2])]);
    await rec.reconcile();
    clock.set(rec.nextWakeAt()!);
    await rec.reconcile();
    expect(driver.commands).to.deep.equal(["setPin 0", "setPin 0", "readSlot 0"]);
    expect(rec.status(CredentialId("a"))).to.deep.equal({ state: "on-lock", slot: 0 });
  });

  // Issue 10, item 12: a keypad edit noted as "pending" must survive a restart.
  it("repairs a PIN removed at the keypad even when the bridge restarts before the repair", async () => {
    const { clock, driver, restarted, rec } = setup();
    rec.setDesired([cred("a", "1111", [0, 5])]);
    await rec.reconcile();
    driver.deletePinAtKeypad(0);
    await rec.stop(); // the bridge goes down before the repair pass
    const again = new SlotReconciler({ lockKey: "front", driver, repository: restarted(), clock });
    again.setDesired([cred("a", "1111", [0, 5])]);
    await again.reconcile();
    expect(pinsOn(driver)).to.deep.equal(new Set(["1111"]));
    expect(again.status(CredentialId("a"))).to.deep.equal({ state: "on-lock", slot: 0 });
  });

  it("keeps every open-window PIN on the lock and no other, over a week with 10% silent frames", async () => {
    const { clock, driver, rec } = setup(KWIKSET_LIKE, { retry: { baseMs: 2_000, maxMs: 16_000 }, breaker: { threshold: 8, cooldownMs: 10_000 } });
    driver.failRate = 0.1;
    const creds = weekOfCredentials(50);
    rec.setDesired(creds);
    const edges = [...new Set(creds.flatMap((c) => c.windows.flatMap((w) => [w.start, w.end])))].sort((a, b) => a - b);
    const failures: string[] = [];
    for (const edge of edges) {
      clock.set(edge);
      await settle(rec, clock, edge + 120_000);
      const want = new Set(creds.filter((c) => c.windows.some((w) => w.start <= edge && edge < w.end)).map((c) => c.pin));
      const have = pinsOn(driver);
      for (const p of want) if (!have.has(p)) failures.push(`${new Date(edge).toISOString()}: missing a code`);
      for (const p of have) if (!want.has(p)) failures.push(`${new Date(edge).toISOString()}: stale code still on the lock`);
    }
    expect(failures).to.deep.equal([]);
    expect(edges.length).to.be.greaterThan(60);
  });
});
