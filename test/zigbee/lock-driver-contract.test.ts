// One contract, run against the test double and against the herdsman driver on the Z-Stack emulator (real
// zigbee-herdsman over TCP), once per emulated lock model: each model has its own duplicate-code rule and capabilities.
import { LOCK_PROFILES, type LockProfileKey } from "../../src/sim/zigbee/lock-profiles.js";
import type { LockCapabilities } from "../../src/zigbee/lock-driver.js";
import { KWIKSET_LIKE, SCHLAGE_LIKE, TestLockDriver, YALE_LIKE } from "../../src/zigbee/test-lock-driver.js";
import { startHarness, type Harness } from "./harness.js";
import { lockDriverContract } from "./lock-driver-contract.js";

/** Each emulated model, and the capabilities the double is given to stand in for it. */
const MODELS: readonly { profile: LockProfileKey; capabilities: LockCapabilities }[] = [
  { profile: "yale-assure", capabilities: YALE_LIKE },
  { profile: "kwikset-910", capabilities: KWIKSET_LIKE },
  { profile: "schlage-be468", capabilities: SCHLAGE_LIKE },
];

describe("LockDriver contract", function () {
  for (const { profile, capabilities } of MODELS) {
    const duplicatePins = LOCK_PROFILES[profile].lock.duplicatePolicy;

    describe(`TestLockDriver standing in for ${profile} (duplicate PINs: ${duplicatePins})`, () => {
      const driver = new TestLockDriver({ capabilities, duplicatePins });
      lockDriverContract(() => ({
        driver,
        duplicatePins,
        framesReceived: () => driver.commands.length + driver.locks + driver.unlocks,
        typeKeypadPin: (pin) => driver.typeKeypadPin(pin),
        programPinAtKeypad: (slot, pin) => driver.programPinAtKeypad(slot, pin),
      }));
    });
  }

  describe("HerdsmanLockDriver on the emulator", function () {
    this.timeout(60_000);
    let h: Harness | undefined;

    before(async () => {
      h = await startHarness(MODELS.map((m) => ({ id: m.profile, profile: m.profile })));
    });
    after(async () => {
      await h?.stop();
    });

    for (const { profile } of MODELS) {
      const duplicatePins = LOCK_PROFILES[profile].lock.duplicatePolicy;
      describe(`${profile} (duplicate PINs: ${duplicatePins})`, () => {
        lockDriverContract(() => {
          const sim = h!.simLock(profile);
          return {
            driver: h!.driver(profile),
            duplicatePins,
            framesReceived: () => sim.received.at(-1)?.seq ?? 0,
            typeKeypadPin: (pin) => void sim.typeKeypadPin(pin),
            programPinAtKeypad: (slot, pin) => void sim.programPinAtKeypad(slot, pin),
          };
        });
      });
    }
  });
});
