// The Matter face end to end, in a private network namespace: a real matter.js controller commissions our bridge,
// which runs on the real bridge (store, zigbee-herdsman to the coordinator emulator, ONVIF camera + ffmpeg recorder,
// DeliveryService). The scenario runs in matter-e2e-child.ts; each `it` checks what one step observed.
import { expect } from "chai";
import { fileURLToPath } from "node:url";
import { runInNamespace, type NamespaceRun } from "../helpers/netns.js";

const CHILD = fileURLToPath(new URL("./matter-e2e-child.js", import.meta.url));
const PIN_TYPE = 1;
const KEYPAD = 3;
const REMOTE = 7;
const LOCKED = 1;
const FAILURE = 1;

describe("Matter bridge (controller commissioning over loopback in a private network namespace)", function () {
  this.timeout(150_000);
  let run: NamespaceRun;
  const step = (name: string) => run.step(name);

  before(async () => {
    run = await runInNamespace(CHILD, 140_000);
  });

  it("commissions: the bridge is paired and shows the aggregator with the door's four endpoints", () => {
    expect(step("ready").pairingCode).to.match(/^\d{11}$/);
    expect(step("ready").qr).to.match(/^MT:/);
    expect(step("ready").port, "matter.port 0 → the port the node got").to.be.within(1, 65535);
    expect(step("commissioned").bridgeCommissioned).to.equal(true);
    expect(step("endpoints").count, "root, aggregator, lock, two switches, visit sensor").to.equal(6);
  });

  it("SetUser + SetCredential (index 0 → first free slot) + SetYearDaySchedule make one guest credential on the keypad", () => {
    const s = step("user-created");
    expect(s.setCredentialStatus).to.equal(0);
    expect(s.credentialIndexAssigned).to.equal(1);
    expect(s.credentialsBeforeSchedule, "a year-day user without a schedule gives no access").to.equal(0);
    expect(s.stored).to.have.length(1);
    expect(s.stored[0]).to.include({ kind: "guest", mode: "both", label: "courier" });
    expect(s.stored[0].doors).to.deep.equal(["front"]);
    // The schedule was given in Berlin local time; the credential ends at that instant (whole seconds).
    expect(s.stored[0].validUntil).to.equal(s.expectedValidUntil);
    expect(s.simPins, "the PIN reached the emulator's keypad before SetYearDaySchedule succeeded").to.equal(1);
  });

  it("bad input gets the Matter status and leaves the store unchanged", () => {
    const s = step("bad-input");
    expect(s.duplicate, "duplicate PIN → DlStatus Duplicate").to.equal(2);
    expect(s.letters, "non-digit PIN → INVALID_COMMAND").to.equal(0x85);
    expect(s.badWeekDay, "hour 25 → CONSTRAINT_ERROR").to.equal(0x87);
    expect(s.badUser, "user index out of range → INVALID_COMMAND").to.equal(0x85);
    expect(s.countAfter).to.equal(s.countBefore);
  });

  it("UnlockDoor with the PIN inside its window runs the delivery flow: the lock unlocks and the recorder keeps the visit", () => {
    const s = step("unlocked");
    expect(s.simUnlocks, "the emulator's lock received one unlock").to.equal(1);
    expect(s.visit).to.deep.equal({ via: "remote", ofCredential: true });
    expect(s.clipParts, "the visit has its clip").to.be.greaterThan(0);
    expect(s.operation).to.include({ lockOperationType: 1, operationSource: REMOTE, userIndex: 1, fabricIndex: 1 });
    expect(s.operation.credentials).to.deep.equal([{ credentialType: PIN_TYPE, credentialIndex: 1 }]);
    expect(s.unlockedState, "lockState Unlocked").to.equal(true);
    expect(s.relockedState, "lockState Locked after the visit").to.equal(true);
    expect(s.sensorDuring, "Guest visit occupied during the visit").to.equal(true);
    expect(s.sensorAfter, "and clear after it").to.equal(true);
  });

  it("refuses a wrong PIN and the PIN outside its window: Failure, LockOperationError, lock untouched", () => {
    const s = step("refused");
    expect(s.wrong).to.equal(FAILURE);
    expect(s.outside).to.equal(FAILURE);
    expect(s.lockState).to.equal(LOCKED);
    expect(s.simUnlocks).to.equal(0);
    expect(s.errorEvents).to.equal(2);
  });

  it("an unreachable Zigbee lock: UnlockDoor fails and lockState does not change", () => {
    const s = step("unreachable");
    expect(s.unreachable).to.equal(FAILURE);
    expect(s.lockState).to.equal(LOCKED);
    expect(s.simLockState).to.equal(LOCKED);
    expect(s.simUnlocks).to.equal(0);
  });

  it("a credential made through the credential service appears as a Matter user; its keypad unlock emits LockOperation", () => {
    const s = step("keypad");
    expect(s.mirrored).to.include({ userName: "Cleaner" });
    expect(s.keypadOp).to.include({ lockOperationType: 1, operationSource: KEYPAD, userIndex: s.mirrored.userIndex });
    expect(s.keypadOp.credentials).to.have.length(1);
    expect(s.keypadOp.credentials[0].credentialType).to.equal(PIN_TYPE);
    expect(s.keypadRefusal, "a wrong PIN at the keypad → LockOperationError (Keypad)").to.equal(true);
    expect(s.keypadError).to.include({ operationSource: KEYPAD, operationError: 1 });
  });

  it("enforces what matter.js leaves alone: requirePinForRemoteOperation, DisposableUser, RemoteOnlyUser, week-day schedules, operating mode", () => {
    const s = step("enforcement");
    expect(s.noPin, "no PIN while the config requires one").to.equal(FAILURE);
    expect(s.disposableSet).to.equal(0);
    expect(s.disposableStored).to.deep.equal({ maxUses: 1, mode: "both" });
    expect(s.first).to.equal("accepted");
    expect(s.second, "a DisposableUser opens once").to.equal(FAILURE);
    expect(s.disposableStatus, "and is then OccupiedDisabled").to.equal(3);
    expect(s.remoteStored).to.deep.equal({
      mode: "remote",
      schedule: { type: "weekly", timeZone: "Europe/Berlin", windows: [{ days: ["MO", "WE"], start: "07:30", end: "09:00" }] },
    });
    expect(s.remoteOnKeypad, "a RemoteOnlyUser's PIN never reaches the keypad").to.equal(false);
    expect(s.apiDuplicate, "a PIN an API credential holds is a Duplicate").to.equal(2);
    expect(s.inNoRemote, "NoRemoteLockUnlock refuses remote unlocks").to.equal(FAILURE);
    expect(s.simUnlocksInNoRemote).to.equal(0);
  });

  it("a PIN the lock does not take fails SetCredential, and leaves no live credential and no Matter credential", () => {
    const s = step("enforcement");
    expect(s.rejectedSet).to.equal(FAILURE);
    expect(s.rejectedLive).to.equal(0);
    expect(s.rejectedUserCredentials).to.equal(0);
  });

  it("clearing a mirrored user in Matter revokes its credential, which does not come back", () => {
    expect(step("cleared-mirrored")).to.deep.equal({ step: "cleared-mirrored", revoked: true, userAfterSync: null });
  });

  it("a restart keeps the fabric and the users; decommissioning removes the fabric; everything stops", () => {
    expect(step("restarted")).to.include({ commissioned: true, user1: "courier", user1Credentials: 1 });
    expect(step("restarted").names.filter((n: string | null) => n === "Cleaner"), "the mirror does not add a user twice").to.have.length(1);
    expect(step("decommissioned").commissioned).to.equal(false);
    expect(step("done")).to.be.an("object");
    expect(run.steps.has("cleanup-error"), String(run.steps.get("cleanup-error")?.error)).to.equal(false);
    expect(run.code).to.equal(0);
  });
});
