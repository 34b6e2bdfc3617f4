// Herdsman's errors carry the whole ZCL payload in their text (a PIN included): they are translated here, once,
// into our typed errors with messages of our own.
import { DeviceRejectedError, DeviceUnreachableError, DoorstepError } from "../core/errors.js";
import { statusName } from "./zcl-door-lock.js";

/** MAC/NWK delivery failures herdsman reports from a Z-Stack data confirm; 9999 is herdsman's own "no confirm". */
const DELIVERY_STATUS: Record<number, string> = {
  0x11: "BUFFER_FULL", 0x1a: "MAC_NO_RESOURCES", 0xcd: "NWK_NO_ROUTE", 0xe1: "MAC_CHANNEL_ACCESS_FAILURE",
  0xe9: "MAC_NO_ACK", 0xf0: "MAC_TRANSACTION_EXPIRED", 9999: "TIMEOUT",
};

/** Maps a herdsman failure to DeviceRejectedError (the lock said no) or DeviceUnreachableError (no usable answer). */
export function toDriverError(error: unknown, what: string): DoorstepError {
  if (error instanceof DoorstepError) return error;
  const e = error as { code?: unknown; message?: unknown; constructor?: { name?: string } } | undefined;
  const cls = e?.constructor?.name;
  const code = typeof e?.code === "number" ? e.code : undefined;
  if (cls === "ZclStatusError" && code !== undefined) {
    return new DeviceRejectedError(`${what} refused by the lock: ${statusName(what, code)}`, code);
  }
  if (cls === "DataConfirmError" && code !== undefined) {
    return new DeviceUnreachableError(`${what} not delivered to the lock (${DELIVERY_STATUS[code] ?? `0x${code.toString(16)}`})`);
  }
  if (typeof e?.message === "string" && /timeout|timed out/i.test(e.message)) {
    return new DeviceUnreachableError(`${what}: no answer from the lock`);
  }
  return new DeviceUnreachableError(`${what}: the coordinator could not reach the lock`);
}

