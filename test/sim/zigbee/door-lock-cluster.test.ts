import { expect } from "chai";
import {
  DoorLockCluster,
  type DoorLockEvent,
  EventSource,
  LockState,
  NO_USER,
  OperationEventCode,
  ProgrammingEventCode,
  SetPinStatus,
  UserStatus,
  UserType,
  ZIGBEE_EPOCH_MS,
  zigbeeLocalParts,
} from "../../../src/sim/zigbee/door-lock-cluster.js";
import { LOCK_PROFILES, type LockProfileKey } from "../../../src/sim/zigbee/lock-profiles.js";
import { TestSimScheduler } from "../../../src/sim/zigbee/scheduler.js";
import { ZclStatus } from "../../../src/sim/zigbee/zcl-frame.js";

const pin = (s: string) => Buffer.from(s, "ascii");
/** Zigbee local seconds for a wall-clock time written as UTC fields. */
const zt = (iso: string) => Math.floor((Date.parse(`${iso}Z`) - ZIGBEE_EPOCH_MS) / 1000);

function make(profile: LockProfileKey = "yale-assure") {
  const scheduler = new TestSimScheduler(Date.UTC(2026, 10, 26, 12, 0, 0));
  const events: DoorLockEvent[] = [];
  const lock = new DoorLockCluster(LOCK_PROFILES[profile].lock, scheduler, (e) => events.push(e));
  const cmd = (name: string, f: Record<string, number | Buffer> = {}) => lock.handleCommand(name, f);
  const status = (name: string, f: Record<string, number | Buffer> = {}) => {
    const r = cmd(name, f);
    return r.kind === "response" ? Number(r.fields.status) : `default:${r.status}`;
  };
  return { lock, scheduler, events, cmd, status };
}

describe("sim/zigbee DoorLockCluster (ZCL 7.3 server behaviour)", () => {
  it("RF lock/unlock without PIN succeeds and reports lockState then an RF operation event with no user", () => {
    const { lock, events, status } = make();
    expect(status("unlockDoor", { pin: Buffer.alloc(0) })).to.equal(0);
    expect(lock.lockState).to.equal(LockState.UNLOCKED);
    expect(events[0]).to.deep.equal({ kind: "lockState", state: LockState.UNLOCKED });
    expect(events[1]).to.include({ kind: "operation", source: EventSource.RF, code: OperationEventCode.UNLOCK, userId: NO_USER });
  });

  it("requirePINforRFOperation: no PIN → failure and the door stays locked; a valid PIN unlocks as that user", () => {
    const { lock, events, status } = make();
    expect(lock.writeAttribute("requirePINforRFOperation", true)).to.equal(ZclStatus.SUCCESS);
    expect(status("setPinCode", { userId: 3, userStatus: 1, userType: 0, pin: pin("1357") })).to.equal(0);
    expect(status("unlockDoor", { pin: Buffer.alloc(0) })).to.equal(1);
    expect(lock.lockState).to.equal(LockState.LOCKED);
    expect(status("unlockDoor", { pin: pin("9999") })).to.equal(1);
    expect(events.at(-1)).to.include({ kind: "operation", code: OperationEventCode.UNLOCK_FAILURE_INVALID_PIN, userId: NO_USER });
    expect(status("unlockDoor", { pin: pin("1357") })).to.equal(0);
    expect(events.at(-1)).to.include({ kind: "operation", source: EventSource.RF, code: OperationEventCode.UNLOCK, userId: 3 });
  });

  it("PIN users: set/get/clear, status and type, programming events; out-of-range ids fail", () => {
    const { lock, events, cmd, status } = make();
    expect(status("setPinCode", { userId: 5, userStatus: 1, userType: 1, pin: pin("246810") })).to.equal(0);
    expect(events.at(-1)).to.include({ kind: "programming", source: EventSource.RF, code: ProgrammingEventCode.PIN_CODE_ADDED, userId: 5 });
    expect(cmd("getPinCode", { userId: 5 })).to.deep.equal({ kind: "response", fields: { userId: 5, userStatus: 1, userType: 1, pin: pin("246810") } });
    expect(status("setUserStatus", { userId: 5, userStatus: UserStatus.DISABLED })).to.equal(0);
    expect(cmd("getUserStatus", { userId: 5 })).to.deep.equal({ kind: "response", fields: { userId: 5, userStatus: UserStatus.DISABLED } });
    expect(status("setUserType", { userId: 5, userType: UserType.MASTER })).to.equal(0);
    expect(cmd("getUserType", { userId: 5 })).to.deep.equal({ kind: "response", fields: { userId: 5, userType: UserType.MASTER } });
    expect(status("clearPinCode", { userId: 5 })).to.equal(0);
    expect(events.at(-1)).to.include({ kind: "programming", code: ProgrammingEventCode.PIN_CODE_DELETED, userId: 5 });
    expect(cmd("getPinCode", { userId: 5 })).to.deep.equal({ kind: "response", fields: { userId: 5, userStatus: 0, userType: 0xff, pin: Buffer.alloc(0) } });
    expect(status("setPinCode", { userId: 250, userStatus: 1, userType: 0, pin: pin("1234") })).to.equal(SetPinStatus.GENERAL_FAILURE);
    expect(status("getPinCode", { userId: 250 })).to.equal(`default:${ZclStatus.INVALID_FIELD}`);
    expect(status("clearPinCode", { userId: 250 })).to.equal(1);
    expect(lock.snapshot().users).to.have.length(0);
  });

  it("rejects PINs outside min/max length or non-digits, changing nothing", () => {
    const { lock, status } = make();
    expect(status("setPinCode", { userId: 1, userStatus: 1, userType: 0, pin: pin("123") })).to.equal(1);
    expect(status("setPinCode", { userId: 1, userStatus: 1, userType: 0, pin: pin("123456789") })).to.equal(1);
    expect(status("setPinCode", { userId: 1, userStatus: 1, userType: 0, pin: pin("12a4") })).to.equal(1);
    expect(status("setPinCode", { userId: 1, userStatus: 0, userType: 0, pin: pin("1234") })).to.equal(1);
    expect(lock.snapshot().users).to.have.length(0);
  });

  it("duplicate codes: Yale answers 0x03 for a code on any slot; Schlage only for another slot; Kwikset allows", () => {
    const yale = make("yale-assure");
    expect(yale.status("setPinCode", { userId: 1, userStatus: 1, userType: 0, pin: pin("2468") })).to.equal(0);
    expect(yale.status("setPinCode", { userId: 2, userStatus: 1, userType: 0, pin: pin("2468") })).to.equal(SetPinStatus.DUPLICATE_CODE);
    expect(yale.status("setPinCode", { userId: 1, userStatus: 1, userType: 0, pin: pin("2468") })).to.equal(SetPinStatus.DUPLICATE_CODE);
    const schlage = make("schlage-be468");
    expect(schlage.status("setPinCode", { userId: 1, userStatus: 1, userType: 0, pin: pin("2468") })).to.equal(0);
    expect(schlage.status("setPinCode", { userId: 1, userStatus: 1, userType: 0, pin: pin("2468") })).to.equal(0);
    expect(schlage.status("setPinCode", { userId: 2, userStatus: 1, userType: 0, pin: pin("2468") })).to.equal(SetPinStatus.DUPLICATE_CODE);
    const kwikset = make("kwikset-910");
    expect(kwikset.status("setPinCode", { userId: 1, userStatus: 1, userType: 0, pin: pin("2468") })).to.equal(0);
    expect(kwikset.status("setPinCode", { userId: 2, userStatus: 1, userType: 0, pin: pin("2468") })).to.equal(0);
  });

  it("the masking profile never reads a PIN back", () => {
    const { cmd, status } = make("schlage-be468");
    status("setPinCode", { userId: 4, userStatus: 1, userType: 0, pin: pin("8642") });
    const r = cmd("getPinCode", { userId: 4 });
    expect(r.kind === "response" && (r.fields.pin as Buffer).toString()).to.equal("****");
  });

  it("Kwikset has no schedules: schedule commands answer UNSUP_CLUSTER_COMMAND and schedule user types fail", () => {
    const { status } = make("kwikset-910");
    expect(status("setYearDaySchedule", { scheduleId: 0, userId: 1, localStartTime: 1, localEndTime: 2 })).to.equal(`default:${ZclStatus.UNSUP_CLUSTER_COMMAND}`);
    expect(status("setWeekDaySchedule", { scheduleId: 0, userId: 1, daysMask: 1, startHour: 1, startMinute: 0, endHour: 2, endMinute: 0 })).to.equal(`default:${ZclStatus.UNSUP_CLUSTER_COMMAND}`);
    expect(status("setPinCode", { userId: 1, userStatus: 1, userType: UserType.YEAR_DAY_SCHEDULE, pin: pin("1234") })).to.equal(1);
  });

  it("a year-day user opens only inside the window on the lock's own clock; an unset clock fails closed", () => {
    const { lock, scheduler, events, cmd, status } = make();
    status("setPinCode", { userId: 5, userStatus: 1, userType: UserType.YEAR_DAY_SCHEDULE, pin: pin("246810") });
    expect(status("setYearDaySchedule", { scheduleId: 0, userId: 5, localStartTime: zt("2026-12-01T15:00:00"), localEndTime: zt("2026-12-01T17:00:00") })).to.equal(0);
    expect(cmd("getYearDaySchedule", { scheduleId: 0, userId: 5 })).to.deep.equal({
      kind: "response",
      fields: { scheduleId: 0, userId: 5, status: 0, localStartTime: zt("2026-12-01T15:00:00"), localEndTime: zt("2026-12-01T17:00:00") },
    });
    expect(lock.keypadUnlock("246810")).to.deep.equal({ outcome: "rejected", reason: "outside-schedule", userId: 5 }); // clock not set
    lock.syncClock(zt("2026-12-01T14:59:00"));
    expect(lock.keypadUnlock("246810")).to.include({ outcome: "rejected", reason: "outside-schedule" });
    expect(events.at(-1)).to.include({ kind: "operation", source: EventSource.KEYPAD, code: OperationEventCode.UNLOCK_FAILURE_INVALID_SCHEDULE, userId: 5 });
    scheduler.advance(2 * 60_000);
    expect(lock.keypadUnlock("246810")).to.deep.equal({ outcome: "unlocked", userId: 5 });
    expect(events.at(-1)).to.include({ kind: "operation", source: EventSource.KEYPAD, code: OperationEventCode.UNLOCK, userId: 5 });
    scheduler.advance(2 * 3600_000);
    expect(lock.keypadUnlock("246810")).to.include({ outcome: "rejected", reason: "outside-schedule" });
    expect(status("clearYearDaySchedule", { scheduleId: 0, userId: 5 })).to.equal(0);
    expect(status("getYearDaySchedule", { scheduleId: 0, userId: 5 })).to.equal(ZclStatus.NOT_FOUND);
  });

  it("a week-day user opens on the listed days and hours only", () => {
    const { lock, status } = make();
    status("setPinCode", { userId: 7, userStatus: 1, userType: UserType.WEEK_DAY_SCHEDULE, pin: pin("7777") });
    // Mon-Fri 09:00-17:30
    expect(status("setWeekDaySchedule", { scheduleId: 1, userId: 7, daysMask: 0x3e, startHour: 9, startMinute: 0, endHour: 17, endMinute: 30 })).to.equal(0);
    expect(zigbeeLocalParts(zt("2026-11-30T10:00:00")).dayOfWeek).to.equal(1); // a Monday
    lock.syncClock(zt("2026-11-30T10:00:00"));
    expect(lock.keypadUnlock("7777").outcome).to.equal("unlocked");
    lock.syncClock(zt("2026-11-30T17:30:00"));
    expect(lock.keypadUnlock("7777").outcome).to.equal("rejected");
    lock.syncClock(zt("2026-11-29T10:00:00")); // Sunday
    expect(lock.keypadUnlock("7777").outcome).to.equal("rejected");
    expect(status("setWeekDaySchedule", { scheduleId: 1, userId: 7, daysMask: 0, startHour: 9, startMinute: 0, endHour: 17, endMinute: 30 })).to.equal(ZclStatus.INVALID_FIELD);
  });

  it("wrong-code limit locks the keypad out for the disable time, then it works again", () => {
    const { lock, scheduler, events, status } = make();
    lock.writeAttribute("wrongCodeEntryLimit", 3);
    lock.writeAttribute("userCodeTemporaryDisableTime", 30);
    status("setPinCode", { userId: 2, userStatus: 1, userType: 0, pin: pin("2222") });
    for (let i = 0; i < 3; i++) expect(lock.keypadUnlock("0000")).to.include({ outcome: "rejected", reason: "invalid-pin" });
    expect(events.at(-1)).to.include({ kind: "operation", source: EventSource.KEYPAD, code: OperationEventCode.UNLOCK_FAILURE_INVALID_PIN, userId: NO_USER });
    expect(lock.keypadUnlock("2222").outcome).to.equal("locked-out");
    expect(lock.lockState).to.equal(LockState.LOCKED);
    expect(lock.snapshot().lockoutUntilMs).to.be.a("number");
    scheduler.advance(30_000);
    expect(lock.keypadUnlock("2222")).to.deep.equal({ outcome: "unlocked", userId: 2 });
    expect(lock.writeAttribute("wrongCodeEntryLimit", 0)).to.equal(ZclStatus.INVALID_VALUE);
    expect(lock.writeAttribute("numberOfPINUsersSupported", 10)).to.equal(ZclStatus.READ_ONLY);
  });

  it("auto relock after autoRelockTime, reported as an auto-lock event", () => {
    const { lock, scheduler, events, status } = make();
    lock.writeAttribute("autoRelockTime", 10);
    status("unlockDoor", { pin: Buffer.alloc(0) });
    scheduler.advance(9_999);
    expect(lock.lockState).to.equal(LockState.UNLOCKED);
    scheduler.advance(1);
    expect(lock.lockState).to.equal(LockState.LOCKED);
    expect(events.at(-1)).to.include({ kind: "operation", source: EventSource.MANUAL, code: OperationEventCode.AUTO_LOCK });
  });

  it("thumb turn and keypad programming produce manual and keypad events", () => {
    const { lock, events } = make();
    lock.manual("unlock");
    expect(events.at(-1)).to.include({ kind: "operation", source: EventSource.MANUAL, code: OperationEventCode.MANUAL_UNLOCK });
    expect(lock.keypadProgramPin(9, "9090")).to.equal(SetPinStatus.SUCCESS);
    expect(events.at(-1)).to.include({ kind: "programming", source: EventSource.KEYPAD, code: ProgrammingEventCode.PIN_CODE_ADDED, userId: 9 });
    expect(lock.keypadDeletePin(9)).to.equal(true);
    expect(events.at(-1)).to.include({ kind: "programming", source: EventSource.KEYPAD, code: ProgrammingEventCode.PIN_CODE_DELETED, userId: 9 });
  });

  it("clearing a PIN clears its schedules, so a reused slot starts clean; persisted state restores", () => {
    const { lock, status } = make();
    status("setPinCode", { userId: 5, userStatus: 1, userType: 1, pin: pin("5555") });
    status("setYearDaySchedule", { scheduleId: 0, userId: 5, localStartTime: 10, localEndTime: 20 });
    const saved = lock.persisted();
    status("clearPinCode", { userId: 5 });
    status("setPinCode", { userId: 5, userStatus: 1, userType: 1, pin: pin("6666") });
    expect(lock.snapshot().users[0]!.yearDay).to.deep.equal([]);
    const other = make();
    other.lock.restore(saved);
    expect(other.lock.snapshot().users).to.deep.equal([{ userId: 5, status: 1, type: 1, pin: "5555", weekDay: [], yearDay: [{ scheduleId: 0, localStartTime: 10, localEndTime: 20 }] }]);
  });
});
