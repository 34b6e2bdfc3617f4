// The link's wait for a new PIN to reach the keypad, on a TestClock: the 20 s deadline is checked without waiting 20 s.
import { expect } from "chai";
import { CredentialId } from "../../src/access/ids.js";
import { settle, TestClock } from "../../src/access/test-clock.js";
import { DeviceRejectedError, DeviceUnreachableError } from "../../src/core/errors.js";
import { silentLogger } from "../../src/core/logger.js";
import { DoorstepLink, type KeypadSyncState } from "../../src/matter/doorstep-link.js";

const DEADLINE_MS = 20_000;
const CREDENTIAL = CredentialId("cred-1");

function linkWith(states: Map<string, KeypadSyncState> | undefined, clock: TestClock): DoorstepLink {
  return new DoorstepLink({
    delivery: undefined as never, // awaitKeypad never reaches the delivery service
    logger: silentLogger,
    timeZone: "UTC",
    maxCredentialDays: 30,
    requirePinForRemoteOperation: false,
    ...(states && { keypad: { status: (doorId) => states.get(doorId) ?? { state: "absent" } } }),
    keypadDeadlineMs: DEADLINE_MS,
    clock,
    doorLoggers: new Map(),
  });
}

/** Starts the wait and records how it ended, so a test can move time and look. */
function watch(p: Promise<void>): { result: () => "pending" | "synced" | Error } {
  let result: "pending" | "synced" | Error = "pending";
  p.then(() => (result = "synced"), (error: Error) => (result = error));
  return { result: () => result };
}

describe("matter/DoorstepLink.awaitKeypad (TestClock)", () => {
  it("returns at once when the PIN is already on the keypad, or when there is no keypad probe", async () => {
    const clock = new TestClock(0);
    await linkWith(new Map([["front", { state: "synced" }]]), clock).awaitKeypad("front", CREDENTIAL);
    await linkWith(undefined, clock).awaitKeypad("front", CREDENTIAL);
    expect(clock.pending).to.equal(0);
  });

  it("keeps looking while the write is pending and returns once the reconciler reports it synced", async () => {
    const clock = new TestClock(0);
    const states = new Map<string, KeypadSyncState>([["front", { state: "pending" }]]);
    const wait = watch(linkWith(states, clock).awaitKeypad("front", CREDENTIAL));
    await clock.elapse(5000);
    expect(wait.result()).to.equal("pending");
    states.set("front", { state: "synced" });
    await clock.elapse(100);
    expect(wait.result()).to.equal("synced");
    expect(clock.pending, "no wait left behind").to.equal(0);
  });

  it("fails with the lock's reason when the write failed", async () => {
    const clock = new TestClock(0);
    const states = new Map<string, KeypadSyncState>([["front", { state: "pending" }]]);
    const wait = watch(linkWith(states, clock).awaitKeypad("front", CREDENTIAL));
    states.set("front", { state: "failed", reason: "duplicate code" });
    await clock.elapse(100);
    const error = wait.result();
    expect(error).to.be.instanceOf(DeviceRejectedError);
    expect((error as Error).message).to.match(/duplicate code/);
  });

  it("gives up exactly at the deadline, naming it", async () => {
    const clock = new TestClock(0);
    const wait = watch(linkWith(new Map([["front", { state: "pending" }]]), clock).awaitKeypad("front", CREDENTIAL));
    await clock.elapse(DEADLINE_MS - 1);
    expect(wait.result(), "1 ms before the deadline").to.equal("pending");
    await clock.elapse(1);
    await settle();
    const error = wait.result();
    expect(error).to.be.instanceOf(DeviceUnreachableError);
    expect((error as Error).message).to.match(/within 20 s/);
  });
});
