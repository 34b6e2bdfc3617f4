// The clusters a simulated lock serves, as data: ids, attributes with their ZCL types, and the Door Lock
// cluster's command payload layouts (ZCL r8 chapter 7.3 "Door Lock", 3.2 Basic, 3.3 Power Configuration,
// 3.12 Time).
import { ZclDataType, type ZclField } from "./zcl-frame.js";

export const ClusterId = {
  BASIC: 0x0000,
  POWER_CFG: 0x0001,
  IDENTIFY: 0x0003,
  TIME: 0x000a,
  OTA: 0x0019,
  DOOR_LOCK: 0x0101,
} as const;

export const PROFILE_HA = 0x0104;
/** HA device id "Door Lock" (0x000A). */
export const DEVICE_ID_DOOR_LOCK = 0x000a;

export interface AttributeSpec {
  readonly id: number;
  readonly name: string;
  readonly type: ZclDataType;
  readonly writable?: boolean;
  readonly reportable?: boolean;
}

const a = (id: number, name: string, type: ZclDataType, flags: "" | "w" | "r" | "wr" = ""): AttributeSpec => ({
  id,
  name,
  type,
  writable: flags.includes("w"),
  reportable: flags.includes("r"),
});
const T = ZclDataType;

/** Attributes per cluster id; a read of any other attribute answers UNSUPPORTED_ATTRIBUTE. */
export const CLUSTER_ATTRIBUTES: Readonly<Record<number, readonly AttributeSpec[]>> = {
  [ClusterId.BASIC]: [
    a(0x0000, "zclVersion", T.UINT8),
    a(0x0001, "appVersion", T.UINT8),
    a(0x0002, "stackVersion", T.UINT8),
    a(0x0003, "hwVersion", T.UINT8),
    a(0x0004, "manufacturerName", T.CHAR_STR),
    a(0x0005, "modelId", T.CHAR_STR),
    a(0x0006, "dateCode", T.CHAR_STR),
    a(0x0007, "powerSource", T.ENUM8),
    a(0x4000, "swBuildId", T.CHAR_STR),
  ],
  [ClusterId.POWER_CFG]: [
    a(0x0020, "batteryVoltage", T.UINT8, "r"),
    a(0x0021, "batteryPercentageRemaining", T.UINT8, "r"),
    a(0x003e, "batteryAlarmState", T.BITMAP32, "r"),
  ],
  [ClusterId.IDENTIFY]: [a(0x0000, "identifyTime", T.UINT16, "w")],
  [ClusterId.DOOR_LOCK]: [
    a(0x0000, "lockState", T.ENUM8, "r"),
    a(0x0001, "lockType", T.ENUM8),
    a(0x0002, "actuatorEnabled", T.BOOLEAN),
    a(0x0003, "doorState", T.ENUM8, "r"),
    a(0x0011, "numberOfTotalUsersSupported", T.UINT16),
    a(0x0012, "numberOfPINUsersSupported", T.UINT16),
    a(0x0014, "numberOfWeekDaySchedulesSupportedPerUser", T.UINT8),
    a(0x0015, "numberOfYearDaySchedulesSupportedPerUser", T.UINT8),
    a(0x0016, "numberOfHolidaySchedulesSupported", T.UINT8),
    a(0x0017, "maxPINCodeLength", T.UINT8),
    a(0x0018, "minPINCodeLength", T.UINT8),
    a(0x0023, "autoRelockTime", T.UINT32, "wr"),
    a(0x0024, "soundVolume", T.UINT8, "w"),
    a(0x0025, "operatingMode", T.ENUM8, "w"),
    a(0x0026, "supportedOperatingModes", T.BITMAP16),
    a(0x0030, "wrongCodeEntryLimit", T.UINT8, "w"),
    a(0x0031, "userCodeTemporaryDisableTime", T.UINT8, "w"),
    a(0x0032, "sendPINOverTheAir", T.BOOLEAN, "w"),
    a(0x0033, "requirePINforRFOperation", T.BOOLEAN, "w"),
    a(0x0040, "alarmMask", T.BITMAP16, "w"),
    a(0x0041, "keypadOperationEventMask", T.BITMAP16, "w"),
    a(0x0042, "rfOperationEventMask", T.BITMAP16, "w"),
    a(0x0043, "manualOperationEventMask", T.BITMAP16, "w"),
    a(0x0045, "keypadProgrammingEventMask", T.BITMAP16, "w"),
    a(0x0046, "rfProgrammingEventMask", T.BITMAP16, "w"),
  ],
};

export function findAttribute(clusterId: number, attrId: number): AttributeSpec | undefined {
  return CLUSTER_ATTRIBUTES[clusterId]?.find((x) => x.id === attrId);
}
export function attributeByName(clusterId: number, name: string): AttributeSpec {
  const spec = CLUSTER_ATTRIBUTES[clusterId]?.find((x) => x.name === name);
  if (!spec) throw new Error(`cluster 0x${clusterId.toString(16)} has no attribute ${name}`);
  return spec;
}

/** Time cluster attribute ids (3.12.2.2). */
export const TimeAttr = { TIME: 0x0000, TIME_STATUS: 0x0001, TIME_ZONE: 0x0002, LOCAL_TIME: 0x0007 } as const;

// ---- Door Lock cluster commands (7.3.2.16 client→server, 7.3.2.17 server→client)

/** Door Lock client→server command ids (7.3.2.16, table 7-19). */
export enum DoorLockCmd {
  LOCK_DOOR = 0x00,
  UNLOCK_DOOR = 0x01,
  TOGGLE = 0x02,
  UNLOCK_WITH_TIMEOUT = 0x03,
  SET_PIN_CODE = 0x05,
  GET_PIN_CODE = 0x06,
  CLEAR_PIN_CODE = 0x07,
  CLEAR_ALL_PIN_CODES = 0x08,
  SET_USER_STATUS = 0x09,
  GET_USER_STATUS = 0x0a,
  SET_WEEKDAY_SCHEDULE = 0x0b,
  GET_WEEKDAY_SCHEDULE = 0x0c,
  CLEAR_WEEKDAY_SCHEDULE = 0x0d,
  SET_YEARDAY_SCHEDULE = 0x0e,
  GET_YEARDAY_SCHEDULE = 0x0f,
  CLEAR_YEARDAY_SCHEDULE = 0x10,
  SET_USER_TYPE = 0x14,
  GET_USER_TYPE = 0x15,
}

/** Door Lock server→client command ids (7.3.2.17). Responses share their request's id. */
export enum DoorLockRsp {
  OPERATION_EVENT_NOTIFICATION = 0x20,
  PROGRAMMING_EVENT_NOTIFICATION = 0x21,
}

const f = (spec: string): readonly ZclField[] =>
  spec
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => {
      const [name, type] = s.split(":") as [string, ZclField["type"]];
      return { name, type };
    });

export interface DoorLockCommandSpec {
  readonly id: number;
  readonly name: string;
  readonly request: readonly ZclField[];
  /** The response payload (same command id, server→client). */
  readonly response: readonly ZclField[];
}

const statusOnly = f("status:u8");

/** Door Lock command layouts, as in ZCL r8 7.3.2.16/7.3.2.17. */
export const DOOR_LOCK_COMMANDS: readonly DoorLockCommandSpec[] = [
  { id: 0x00, name: "lockDoor", request: f("pin:octstr"), response: f("status:enum8") },
  { id: 0x01, name: "unlockDoor", request: f("pin:octstr"), response: f("status:enum8") },
  { id: 0x02, name: "toggle", request: f("pin:octstr"), response: f("status:enum8") },
  { id: 0x03, name: "unlockWithTimeout", request: f("timeout:u16,pin:octstr"), response: f("status:enum8") },
  { id: 0x05, name: "setPinCode", request: f("userId:u16,userStatus:u8,userType:enum8,pin:octstr"), response: statusOnly },
  { id: 0x06, name: "getPinCode", request: f("userId:u16"), response: f("userId:u16,userStatus:u8,userType:enum8,pin:octstr") },
  { id: 0x07, name: "clearPinCode", request: f("userId:u16"), response: statusOnly },
  { id: 0x08, name: "clearAllPinCodes", request: [], response: statusOnly },
  { id: 0x09, name: "setUserStatus", request: f("userId:u16,userStatus:u8"), response: statusOnly },
  { id: 0x0a, name: "getUserStatus", request: f("userId:u16"), response: f("userId:u16,userStatus:u8") },
  { id: 0x0b, name: "setWeekDaySchedule", request: f("scheduleId:u8,userId:u16,daysMask:map8,startHour:u8,startMinute:u8,endHour:u8,endMinute:u8"), response: statusOnly },
  { id: 0x0c, name: "getWeekDaySchedule", request: f("scheduleId:u8,userId:u16"), response: f("scheduleId:u8,userId:u16,status:u8,daysMask:map8,startHour:u8,startMinute:u8,endHour:u8,endMinute:u8") },
  { id: 0x0d, name: "clearWeekDaySchedule", request: f("scheduleId:u8,userId:u16"), response: statusOnly },
  { id: 0x0e, name: "setYearDaySchedule", request: f("scheduleId:u8,userId:u16,localStartTime:u32,localEndTime:u32"), response: statusOnly },
  { id: 0x0f, name: "getYearDaySchedule", request: f("scheduleId:u8,userId:u16"), response: f("scheduleId:u8,userId:u16,status:u8,localStartTime:u32,localEndTime:u32") },
  { id: 0x10, name: "clearYearDaySchedule", request: f("scheduleId:u8,userId:u16"), response: statusOnly },
  { id: 0x14, name: "setUserType", request: f("userId:u16,userType:enum8"), response: statusOnly },
  { id: 0x15, name: "getUserType", request: f("userId:u16"), response: f("userId:u16,userType:enum8") },
];

/** Operation Event Notification (7.3.2.17.19). */
export const OPERATION_EVENT_LAYOUT = f("source:u8,code:u8,userId:u16,pin:octstr,localTime:u32,data:charstr");
/** Programming Event Notification (7.3.2.17.20). */
export const PROGRAMMING_EVENT_LAYOUT = f("source:u8,code:u8,userId:u16,pin:octstr,userType:enum8,userStatus:u8,localTime:u32,data:charstr");

export function doorLockCommand(id: number): DoorLockCommandSpec | undefined {
  return DOOR_LOCK_COMMANDS.find((c) => c.id === id);
}
export function doorLockCommandByName(name: string): DoorLockCommandSpec {
  const c = DOOR_LOCK_COMMANDS.find((x) => x.name === name);
  if (!c) throw new Error(`no Door Lock command ${name}`);
  return c;
}
