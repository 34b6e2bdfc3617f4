// Golden ZCL frames for the Door Lock cluster, written by hand from the ZCL specification (ZCL r8, 07-5123):
//  - 2.4.1 frame header: frame control | [manufacturer code] | transaction sequence number | command id
//    frame control bits: 0-1 frame type (00 global, 01 cluster-specific), 2 manufacturer specific,
//    3 direction (0 client→server, 1 server→client), 4 disable default response.
//  - 2.6.2 data types: uint16/uint32 little-endian; octet/character strings are a length byte then the bytes.
//  - 7.3.2.16 Door Lock client→server commands, 7.3.2.17 server→client commands.
// These bytes are NOT produced by any codec; they are the independent reference the codec and herdsman's
// frames are checked against.

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ""), "hex");
const h2 = (n: number) => n.toString(16).padStart(2, "0");

/** Cluster-specific, client→server, default response disabled (herdsman sets it for commands that have a response). */
const CS_C2S_NODEFAULT = "11";
/** Cluster-specific, server→client, default response disabled. */
const CS_S2C_NODEFAULT = "19";

export interface GoldenFrame {
  readonly name: string;
  readonly section: string;
  /** The frame for a given transaction sequence number. */
  readonly bytes: (tsn: number) => Buffer;
}

export const GOLDEN_CLIENT_TO_SERVER: readonly GoldenFrame[] = [
  // 7.3.2.16.2 Unlock Door: PIN/RFID code (octet string) "1234" = 04 31 32 33 34
  { name: "unlockDoor(pin 1234)", section: "7.3.2.16.2", bytes: (t) => hex(`${CS_C2S_NODEFAULT} ${h2(t)} 01 04 31323334`) },
  // 7.3.2.16.1 Lock Door with no code: an empty octet string (length 0)
  { name: "lockDoor(no pin)", section: "7.3.2.16.1", bytes: (t) => hex(`${CS_C2S_NODEFAULT} ${h2(t)} 00 00`) },
  // 7.3.2.16.6 Set PIN Code: user id uint16 LE 5, user status 1 (occupied/enabled), user type 1 (year day), code "246810"
  { name: "setPinCode(5, enabled, year-day, 246810)", section: "7.3.2.16.6", bytes: (t) => hex(`${CS_C2S_NODEFAULT} ${h2(t)} 05 0500 01 01 06 323436383130`) },
  // 7.3.2.16.7 Get PIN Code: user id 5
  { name: "getPinCode(5)", section: "7.3.2.16.7", bytes: (t) => hex(`${CS_C2S_NODEFAULT} ${h2(t)} 06 0500`) },
  // 7.3.2.16.8 Clear PIN Code: user id 5
  { name: "clearPinCode(5)", section: "7.3.2.16.8", bytes: (t) => hex(`${CS_C2S_NODEFAULT} ${h2(t)} 07 0500`) },
  // 7.3.2.16.14 Set Year Day Schedule: schedule id 0, user id 5, local start 849452400 (0x32a19d70), local end 849697200 (0x32a559b0)
  { name: "setYearDaySchedule(0, 5, 849452400, 849697200)", section: "7.3.2.16.14", bytes: (t) => hex(`${CS_C2S_NODEFAULT} ${h2(t)} 0e 00 0500 709da132 b059a532`) },
  // 7.3.2.16.11 Set Week Day Schedule: schedule 1, user 5, days mask Mon-Fri (bits 1-5 = 0x3e), 09:00-17:30
  { name: "setWeekDaySchedule(1, 5, Mon-Fri, 09:00-17:30)", section: "7.3.2.16.11", bytes: (t) => hex(`${CS_C2S_NODEFAULT} ${h2(t)} 0b 01 0500 3e 09 00 11 1e`) },
  // 7.3.2.16.9 Set User Status: user 5, status 3 (occupied/disabled)
  { name: "setUserStatus(5, disabled)", section: "7.3.2.16.9", bytes: (t) => hex(`${CS_C2S_NODEFAULT} ${h2(t)} 09 0500 03`) },
];

/** Operation Event Notification (7.3.2.17.19): source, code, user id, PIN, zigbee local time, data (char string). */
export function goldenOperationEvent(tsn: number, source: number, code: number, userId: number, localTime: number): Buffer {
  const t = Buffer.alloc(4);
  t.writeUInt32LE(localTime);
  const u = Buffer.alloc(2);
  u.writeUInt16LE(userId);
  return Buffer.concat([hex(`${CS_S2C_NODEFAULT} ${h2(tsn)} 20 ${h2(source)} ${h2(code)}`), u, hex("00"), t, hex("00")]);
}

export const GOLDEN_SERVER_TO_CLIENT: readonly GoldenFrame[] = [
  // 7.3.2.17.6 Set PIN Code Response, status 3 = duplicate code
  { name: "setPinCodeRsp(duplicate)", section: "7.3.2.17.6", bytes: (t) => hex(`${CS_S2C_NODEFAULT} ${h2(t)} 05 03`) },
  // 7.3.2.17.7 Get PIN Code Response: user 5, status 1, type 0, code "246810"
  { name: "getPinCodeRsp(5, enabled, unrestricted, 246810)", section: "7.3.2.17.7", bytes: (t) => hex(`${CS_S2C_NODEFAULT} ${h2(t)} 06 0500 01 00 06 323436383130`) },
  // 7.3.2.17.19 Operation Event Notification: keypad (0), unlock (2), user 5, no PIN, local time 0x32a19d70, no data
  { name: "operationEventNotification(keypad, unlock, 5)", section: "7.3.2.17.19", bytes: (t) => goldenOperationEvent(t, 0, 2, 5, 849452400) },
  // 7.3.2.17.20 Programming Event Notification: rf (1), PIN added (2), user 5, no PIN, type 0, status 1, time 0, no data
  { name: "programmingEventNotification(rf, added, 5)", section: "7.3.2.17.20", bytes: (t) => hex(`${CS_S2C_NODEFAULT} ${h2(t)} 21 01 02 0500 00 00 01 00000000 00`) },
  // 2.5.11 Report Attributes on the Door Lock cluster: global, server→client, no default rsp (0x18); cmd 0x0a;
  // attribute 0x0000 LockState, type 0x30 enum8, value 2 (unlocked) (7.3.2.2.1)
  { name: "report lockState unlocked", section: "2.5.11 / 7.3.2.2.1", bytes: (t) => hex(`18 ${h2(t)} 0a 0000 30 02`) },
];
