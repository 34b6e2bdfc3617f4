// How a lock's state reads in HomeKit. Pure: the truth table is tested row by row.
// HomeKit shows "Locking…"/"Unlocking…" when the target differs from the current state, so moving states set the target.
import type { LockState } from "../zigbee/lock-driver.js";

/** HAP LockCurrentState values (HAP spec, Lock Current State 0x1D). */
export const CURRENT = { UNSECURED: 0, SECURED: 1, JAMMED: 2, UNKNOWN: 3 } as const;
/** HAP LockTargetState values (HAP spec, Lock Target State 0x1E). */
export const TARGET = { UNSECURED: 0, SECURED: 1 } as const;

export type HapCurrentState = (typeof CURRENT)[keyof typeof CURRENT];
export type HapTargetState = (typeof TARGET)[keyof typeof TARGET];

export interface HapLockReading {
  current: HapCurrentState;
  /** Undefined: keep whatever target HomeKit last set (jammed or unknown says nothing about intent). */
  target: HapTargetState | undefined;
}

/**
 * SECURED only when the lock itself confirmed "locked": a moving lock is not secured yet, and an unreachable one is
 * UNKNOWN whatever it last said (no stale "Locked" in the Home app).
 */
export function hapLockReading(state: LockState, available: boolean): HapLockReading {
  if (!available) return { current: CURRENT.UNKNOWN, target: undefined };
  switch (state) {
    case "locked":
      return { current: CURRENT.SECURED, target: TARGET.SECURED };
    case "unlocked":
      return { current: CURRENT.UNSECURED, target: TARGET.UNSECURED };
    case "locking":
      return { current: CURRENT.UNSECURED, target: TARGET.SECURED };
    case "unlocking":
      return { current: CURRENT.UNSECURED, target: TARGET.UNSECURED };
    case "jammed":
      return { current: CURRENT.JAMMED, target: undefined };
    case "unknown":
      return { current: CURRENT.UNKNOWN, target: undefined };
  }
}
