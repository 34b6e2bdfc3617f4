// The LockDriver contract (test/zigbee/lock-driver-contract.ts) against the Zigbee2MQTT driver: real Zigbee2MQTT and
// Mosquitto on the Z-Stack emulator, one lock per duplicate-code rule. Long tier: Zigbee2MQTT takes a while to pair.
import { LOCK_PROFILES, type LockProfileKey } from "../../src/sim/zigbee/lock-profiles.js";
import type { Z2mLockDriver } from "../../src/zigbee/z2m-lock-driver.js";
import { lockDriverContract } from "../zigbee/lock-driver-contract.js";
import { startZ2mHarness, type Z2mHarness } from "./harness.js";

const PROFILES: readonly LockProfileKey[] = ["yale-assure", "kwikset-910", "schlage-be468"];

describe("LockDriver contract: Z2mLockDriver through real Zigbee2MQTT on the emulator", function () {
  this.timeout(120_000);
  let h: Z2mHarness | undefined;
  const drivers = new Map<LockProfileKey, Z2mLockDriver>();

  before(async () => {
    h = await startZ2mHarness(PROFILES.map((profile) => ({ id: profile, profile })));
    for (const profile of PROFILES) drivers.set(profile, await h.driver(profile));
  });
  after(async () => {
    await h?.stop();
  });

  for (const profile of PROFILES) {
    const duplicatePins = LOCK_PROFILES[profile].lock.duplicatePolicy;
    describe(`${profile} (duplicate PINs: ${duplicatePins})`, () => {
      lockDriverContract(() => {
        const sim = h!.simLock(profile);
        return {
          driver: drivers.get(profile)!,
          duplicatePins,
          confirmsByReadBack: true,
          framesReceived: () => sim.received.at(-1)?.seq ?? 0,
          typeKeypadPin: (pin) => void sim.typeKeypadPin(pin),
          programPinAtKeypad: (slot, pin) => void sim.programPinAtKeypad(slot, pin),
        };
      });
    });
  }
});
