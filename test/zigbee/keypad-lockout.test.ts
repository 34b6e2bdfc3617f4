// The configured wrong-PIN policy reaches the lock's own keypad (issue 10, item 5, first part): the driver writes the
// lock's wrongCodeEntryLimit (0x0030) and userCodeTemporaryDisableTime (0x0031) at start, through real zigbee-herdsman
// to the emulator, and the keypad then disables itself after that many wrong codes.
import { expect } from "chai";
import { useSharedLocks } from "./harness.js";

describe("HerdsmanLockDriver: the keypad's own wrong-code limit follows the configured lockout", function () {
  this.timeout(60_000);
  // The Yale profile ships with 5 wrong codes and 60 s; the policy here is stricter on purpose.
  const h = useSharedLocks({ front: { keypadLockout: { wrongCodeEntryLimit: 3, userCodeTemporaryDisableTime: 120 } } });

  it("after the configured number of wrong codes the keypad refuses even the right PIN, and the door stays locked", async () => {
    const d = h.driver("front");
    const lock = h.simLock("front");
    await d.setPin(2, "246813");
    const outcomes = [lock.typeKeypadPin("111111"), lock.typeKeypadPin("222222"), lock.typeKeypadPin("333333")].map((o) => o.outcome);
    expect(outcomes).to.deep.equal(["rejected", "rejected", "rejected"]);
    const right = lock.typeKeypadPin("246813");
    expect(right.outcome, "the right PIN during the keypad's lockout").to.equal("locked-out");
    expect(lock.state().lockState, "still locked").to.equal(1);
  });
});
