import { expect } from "chai";
import { TestClock } from "../../src/access/test-clock.js";
import { CredentialId } from "../../src/access/ids.js";
import { DeviceUnreachableError } from "../../src/core/errors.js";
import { MemorySlotRepository } from "../../src/zigbee/slot-repository.js";
import { SlotReconciler } from "../../src/zigbee/slot-reconciler.js";
import { eventually } from "../helpers/eventually.js";
import { useSharedLocks } from "./harness.js";

describe("HerdsmanLockDriver under transport faults (emulator fault injection)", function () {
  this.timeout(60_000);
  const h = useSharedLocks({ front: { retryDelaysMs: [20, 20], responseTimeoutMs: 500 }, back: { retryDelaysMs: [20, 20], responseTimeoutMs: 500 } });

  it("retries a frame the lock did not acknowledge, and the write lands once", async () => {
    const d = h.driver("back");
    h.sim.faults.macNoAck(1, { device: "back", command: "setPinCode" });
    await d.setPin(4, "24682");
    expect(h.simLock("back").commandsNamed("setPinCode").filter((c) => c.fields.userId === 4)).to.have.length(1);
    expect(h.simLock("back").state().users.find((u) => u.userId === 4)?.pin).to.equal("24682");
  });

  it("gives up with DeviceUnreachableError naming the MAC status, reports the lock unavailable, then available again", async () => {
    // No event of an earlier test can arrive here: the shared locks were reset and read back before this driver started.
    const d = h.driver("back");
    const availability: boolean[] = [];
    d.events.on("availability", (e) => availability.push(e.available));
    h.sim.faults.macNoAck(3, { device: "back", command: "clearPinCode" });
    const err = await d.clearPin(6).then(() => undefined, (e: unknown) => e);
    expect(err).to.be.instanceOf(DeviceUnreachableError);
    expect((err as Error).message).to.match(/MAC_NO_ACK/);
    expect(d.isAvailable()).to.equal(false);
    await d.clearPin(6);
    expect(availability).to.deep.equal([false, true]);
  });

  it("a write whose answer was lost is retried, the Yale-like lock answers DUPLICATE_CODE for the same slot, and the reconciler counts it synced", async () => {
    const clock = new TestClock(Date.now());
    const rec = new SlotReconciler({ lockKey: "front", driver: h.driver("front"), repository: new MemorySlotRepository(), clock, logger: h.logger });
    h.sim.faults.responseLost(1, { device: "front", command: "setPinCode" });
    rec.setDesired([{ credentialId: CredentialId("g1"), pin: "314159", windows: [{ start: clock.now() - 1000, end: clock.now() + 3_600_000 }] }]);
    await rec.reconcile();
    expect(rec.status(CredentialId("g1"))).to.deep.equal({ state: "on-lock", slot: 0 });
    const lock = h.simLock("front");
    expect(lock.commandsNamed("setPinCode")).to.have.length(2); // the lost-answer one, and the retry the lock called a duplicate
    expect(lock.commandsNamed("getPinCode")).to.have.length(1); // one read-back of that slot, never a scan
    expect(lock.state().users.find((u) => u.userId === 0)?.pin).to.equal("314159");
    expect(lock.state().users.find((u) => u.userId === 0)?.yearDay).to.have.length(1);
    rec.setDesired([]);
    await rec.reconcile();
    expect(lock.state().users.filter((u) => u.status === 1)).to.have.length(0);
  });

  it("reports a lock that leaves the network as unavailable", async () => {
    const d = h.driver("back");
    // The lock rejoins the network in the next test's reset of the shared locks.
    h.sim.coordinator.leave(h.simLock("back"));
    await eventually("the lock reported unavailable", () => !d.isAvailable());
  });
});
