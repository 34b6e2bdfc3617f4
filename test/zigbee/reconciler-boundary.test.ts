import { expect } from "chai";
import { TestClock } from "../../src/access/test-clock.js";
import { MemorySlotRepository } from "../../src/zigbee/slot-repository.js";
import { SlotReconciler } from "../../src/zigbee/slot-reconciler.js";
import { eventually } from "../helpers/eventually.js";
import { useSharedLocks } from "./harness.js";
import { WEEK_T0 as T0, settle, weekOfCredentials } from "./week-fixture.js";

describe("SlotReconciler against the emulator (real herdsman, 30-slot Kwikset-like lock)", function () {
  this.timeout(180_000);
  const h = useSharedLocks({ back: { retryDelaysMs: [] } });

  /** The PINs the emulated lock really holds (enabled users). */
  const pinsOnLock = () => new Set(h.simLock("back").state().users.filter((u) => u.status === 1).map((u) => u.pin));

  it("keeps every open-window PIN on the lock and none whose window closed, over a week with 10% of frames not acknowledged", async () => {
    const clock = new TestClock(T0);
    const rec = new SlotReconciler({
      lockKey: "door", driver: h.driver("back"), repository: new MemorySlotRepository(), clock, logger: h.logger,
      retry: { baseMs: 5_000, maxMs: 40_000 }, breaker: { threshold: 10, cooldownMs: 20_000 },
    });
    rec.start();
    const creds = weekOfCredentials(50);
    rec.setDesired(creds);
    h.sim.faults.dropFraction(0.1, { kind: "mac-no-ack", match: { device: "back" } });
    const edges = [...new Set(creds.flatMap((c) => c.windows.flatMap((w) => [w.start, w.end])))].sort((a, b) => a - b);
    const failures: string[] = [];
    let maxOpen = 0;
    for (const edge of edges) {
      clock.set(edge);
      await settle(rec, clock, edge + 10 * 60_000); // only the retry delay is allowed
      const want = new Set(creds.filter((c) => c.windows.some((w) => w.start <= edge && edge < w.end)).map((c) => c.pin));
      maxOpen = Math.max(maxOpen, want.size);
      const have = pinsOnLock();
      const missing = [...want].filter((p) => !have.has(p)).length;
      const stale = [...have].filter((p) => !want.has(p)).length;
      if (missing || stale) failures.push(`${new Date(edge).toISOString()}: ${missing} missing, ${stale} stale`);
    }
    await rec.stop();
    const dropped = h.sim.faults.applied.filter((f) => f.kind === "mac-no-ack").length;
    expect(failures).to.deep.equal([]);
    expect(edges.length).to.be.greaterThan(60);
    expect(dropped, "the fault injection must actually have dropped frames").to.be.greaterThan(3);
    expect(maxOpen).to.be.greaterThan(1);
  });

  it("repairs drift: a PIN deleted at the keypad is rewritten, a code added at the keypad in a managed slot is cleared", async () => {
    const clock = new TestClock(T0);
    const rec = new SlotReconciler({
      lockKey: "drift", driver: h.driver("back"), repository: new MemorySlotRepository(), clock, logger: h.logger,
      managedSlots: [20, 21, 22, 23],
    });
    rec.start();
    let drift = 0;
    rec.events.on("drift", () => drift++);
    const [a] = weekOfCredentials(1, 99);
    rec.setDesired([{ ...a!, windows: [{ start: T0, end: T0 + 3_600_000 }] }]);
    await rec.reconcile();
    expect(pinsOnLock().has(a!.pin)).to.equal(true);
    const slot = h.simLock("back").state().users.find((u) => u.pin === a!.pin)!.userId;

    h.simLock("back").deletePinAtKeypad(slot);
    await eventually("the drift of the deleted PIN", () => drift === 1);
    await rec.reconcile();
    expect(pinsOn(slot)).to.equal(a!.pin);

    h.simLock("back").programPinAtKeypad(22, "7777");
    await eventually("the drift of the keypad-added PIN", () => drift === 2);
    await rec.reconcile();
    expect(pinsOnLock().has("7777")).to.equal(false);
    expect(pinsOnLock().has(a!.pin)).to.equal(true);
    await rec.stop();
  });

  const pinsOn = (slot: number) => h.simLock("back").state().users.find((u) => u.userId === slot && u.status === 1)?.pin;
});
