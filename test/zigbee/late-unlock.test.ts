import { expect } from "chai";
import type { LateUnlock, LockState } from "../../src/zigbee/lock-driver.js";
import { eventually } from "../helpers/eventually.js";
import { useSharedLocks } from "./harness.js";

describe("late unlocks: the reported state follows what the lock really did", function () {
  this.timeout(60_000);
  const h = useSharedLocks({ front: {} });

  it("settles as timed-out at the deadline, then reports the unlock that lands late and the unlocked state", async () => {
    const d = h.driver("front");
    expect(d.getState(), "read at the driver's start").to.equal("locked");
    // The first two unlock frames expire in the coordinator's indirect queue (a sleepy lock that did not poll);
    // herdsman retries on its own and the third lands seconds later.
    h.sim.faults.transactionExpired(2, { device: "front", command: "unlockDoor" });
    const states: LockState[] = [];
    const late: LateUnlock[] = [];
    d.events.on("state", (e) => states.push(e.state));
    d.events.on("lateUnlock", (e) => late.push(e));

    const outcome = await d.unlock({ deadlineMs: 1_000 });
    expect(outcome).to.deep.equal({ outcome: "timed-out", state: "unknown" });
    expect(d.getState()).to.equal("unknown");
    expect(h.simLock("front").state().lockState, "the lock has not moved yet").to.equal(1);

    await eventually("the late unlock", () => late.length === 1, { timeoutMs: 30_000 });
    expect(h.simLock("front").state().lockState).to.equal(2);
    expect(d.getState()).to.equal("unlocked");
    expect(late[0]!.observedAt).to.be.greaterThan(late[0]!.deadlineAt);
    // Before the deadline only "unlocking" (or the lock's own reports of the bolt still locked); after it, unknown until the lock says unlocked.
    const cut = states.indexOf("unknown");
    expect(cut).to.be.greaterThan(0);
    expect(states.slice(0, cut)).to.not.include("unlocked");
    expect(states.slice(cut)).to.deep.equal(["unknown", "unlocked"]);
    expect(h.sim.faults.applied.filter((f) => f.kind === "mac-transaction-expired")).to.have.length(2);
  });

  it("confirms within the deadline when the lock answers in time, with no late event", async () => {
    const d = h.driver("front");
    const late: LateUnlock[] = [];
    d.events.on("lateUnlock", (e) => late.push(e));
    expect(await d.unlock({ deadlineMs: 5_000 })).to.deep.equal({ outcome: "confirmed", state: "unlocked" });
    await d.lock();
    expect(late).to.deep.equal([]);
  });
});
