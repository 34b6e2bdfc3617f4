// Supported lock models as data: each entry composes traits; attributes read from the lock at interview override
// the table's numbers, the table supplies what a lock cannot tell about itself (masked read-back, status quirks).
import type { LockCapabilities } from "./lock-driver.js";
import { STATUS_DUPLICATE_CODE } from "./zcl-door-lock.js";

/** Everything Doorstep knows about a model beyond what zigbee-herdsman-converters knows. */
export interface LockTraits {
  pinSlots: number;
  minPinLength: number;
  maxPinLength: number;
  yearDaySchedules: number;
  weekDaySchedules: number;
  /** getPinCode returns a masked PIN: a read-back can only say whether the slot is occupied. */
  masksPinsOnRead: boolean;
  /** setPinCode status meaning "this code already exists" (ZCL: 3), or null when the lock reports no such status. */
  duplicateCodeStatus: number | null;
  /** User ids the bridge must never write or clear. */
  reservedSlots: readonly number[];
}

export type Trait = Partial<LockTraits>;

export interface LockModel {
  vendor: string;
  /** genBasic modelId values this entry matches (exactly). */
  zigbeeModels: readonly string[];
  /** The vendor's model number. */
  model: string;
  description: string;
  traits: readonly Trait[];
}

// ── Traits ──

/** PIN users and code lengths. */
export function pins(args: { slots: number; minLength: number; maxLength: number }): Trait {
  return { pinSlots: args.slots, minPinLength: args.minLength, maxPinLength: args.maxLength };
}

/** In-lock schedules per user (Year-Day 0x0015 and Week-Day 0x0014). */
export function schedules(args: { yearDay: number; weekDay: number }): Trait {
  return { yearDaySchedules: args.yearDay, weekDaySchedules: args.weekDay };
}

export function masksPinsOnRead(masks = true): Trait {
  return { masksPinsOnRead: masks };
}

export function duplicateCodeStatus(status: number | null): Trait {
  return { duplicateCodeStatus: status };
}

export function reservedSlots(...slots: number[]): Trait {
  return { reservedSlots: slots };
}

/** What an unknown lock is assumed to do until its attributes say otherwise: the most cautious reading. */
export const DEFAULT_TRAITS: LockTraits = {
  pinSlots: 0,
  minPinLength: 4,
  maxPinLength: 8,
  yearDaySchedules: 0,
  weekDaySchedules: 0,
  masksPinsOnRead: true,
  duplicateCodeStatus: STATUS_DUPLICATE_CODE,
  reservedSlots: [],
};

// ── The table ──

export const LOCK_MODELS: readonly LockModel[] = [
  {
    vendor: "Yale",
    zigbeeModels: ["YRD226 TSDB", "YRD226L TSDB"],
    model: "YRD226HA2619",
    description: "Assure Lock touchscreen deadbolt",
    traits: [pins({ slots: 250, minLength: 4, maxLength: 8 }), schedules({ yearDay: 1, weekDay: 7 }), masksPinsOnRead(false), duplicateCodeStatus(3)],
  },
  {
    vendor: "Yale",
    zigbeeModels: ["YRD256 TSDB", "YRD256L TSDB"],
    model: "YRD256HA20BP",
    description: "Assure Lock SL keypad deadbolt",
    traits: [pins({ slots: 250, minLength: 4, maxLength: 8 }), schedules({ yearDay: 1, weekDay: 7 }), masksPinsOnRead(false), duplicateCodeStatus(3)],
  },
  {
    vendor: "Kwikset",
    zigbeeModels: ["SMARTCODE_DEADBOLT_10_L"],
    model: "99140-002",
    description: "SmartCode 910 touchpad deadbolt",
    traits: [pins({ slots: 30, minLength: 4, maxLength: 8 }), schedules({ yearDay: 0, weekDay: 0 }), duplicateCodeStatus(3)],
  },
  {
    vendor: "Kwikset",
    zigbeeModels: ["SMARTCODE_DEADBOLT_5", "SMARTCODE_DEADBOLT_5_L"],
    model: "99100-045",
    description: "SmartCode 914 push-button deadbolt",
    traits: [pins({ slots: 30, minLength: 4, maxLength: 8 }), schedules({ yearDay: 0, weekDay: 0 }), duplicateCodeStatus(3)],
  },
  {
    vendor: "Schlage",
    zigbeeModels: ["BE468"],
    model: "BE468",
    description: "Connect keypad deadbolt",
    traits: [pins({ slots: 30, minLength: 4, maxLength: 8 }), schedules({ yearDay: 0, weekDay: 0 }), duplicateCodeStatus(3)],
  },
  {
    vendor: "Weiser",
    zigbeeModels: ["SMARTCODE_DEADBOLT_10"],
    model: "9GED18000-009",
    description: "SmartCode 10 touchpad deadbolt",
    traits: [pins({ slots: 30, minLength: 4, maxLength: 8 }), schedules({ yearDay: 0, weekDay: 0 }), duplicateCodeStatus(3)],
  },
];

/** Folds an entry's traits over the cautious defaults. */
export function traitsOf(model: LockModel | undefined): LockTraits {
  let out: LockTraits = { ...DEFAULT_TRAITS };
  for (const t of model?.traits ?? []) out = { ...out, ...t };
  return out;
}

/** The table entry for a genBasic modelId (exact match), or undefined. */
export function findLockModel(zigbeeModel: string | undefined, table: readonly LockModel[] = LOCK_MODELS): LockModel | undefined {
  if (!zigbeeModel) return undefined;
  return table.find((m) => m.zigbeeModels.includes(zigbeeModel));
}

/** Door Lock attributes as read at interview; any may be missing when the lock did not answer them. */
export interface InterviewAttributes {
  numOfPinUsersSupported?: number;
  numOfYearDaySchedulesSupportedPerUser?: number;
  numOfWeekDaySchedulesSupportedPerUser?: number;
  minPinLen?: number;
  maxPinLen?: number;
  requirePinForRfOperation?: boolean | number;
}

const isCount = (v: unknown): v is number => typeof v === "number" && Number.isInteger(v) && v >= 0 && v <= 0xffff;

/** Capabilities from what the lock said, falling back to the table (then to cautious defaults) for what it did not. */
export function resolveCapabilities(model: LockModel | undefined, attrs: InterviewAttributes): LockCapabilities {
  const t = traitsOf(model);
  const minLen = isCount(attrs.minPinLen) && attrs.minPinLen > 0 ? attrs.minPinLen : t.minPinLength;
  const maxLen = isCount(attrs.maxPinLen) && attrs.maxPinLen >= minLen ? attrs.maxPinLen : Math.max(t.maxPinLength, minLen);
  return {
    pinSlots: isCount(attrs.numOfPinUsersSupported) ? attrs.numOfPinUsersSupported : t.pinSlots,
    minPinLength: minLen,
    maxPinLength: maxLen,
    yearDaySchedules: isCount(attrs.numOfYearDaySchedulesSupportedPerUser) ? attrs.numOfYearDaySchedulesSupportedPerUser : t.yearDaySchedules,
    weekDaySchedules: isCount(attrs.numOfWeekDaySchedulesSupportedPerUser) ? attrs.numOfWeekDaySchedulesSupportedPerUser : t.weekDaySchedules,
    requirePinForRf: attrs.requirePinForRfOperation === undefined ? undefined : Boolean(attrs.requirePinForRfOperation),
    masksPinsOnRead: t.masksPinsOnRead,
    duplicateCodeStatus: t.duplicateCodeStatus,
    reservedSlots: t.reservedSlots,
  };
}
