// Checked reading of what the onvif library hands back: linerase()d objects (numbers and booleans already
// converted, single-item arrays flattened) or the raw SOAP text. Everything arrives as `unknown` and leaves typed.

import type { EpochMs } from "../access/ids.js";
import type { CameraInfo, CameraProfile, MotionEvent, VideoEncoding } from "./camera-driver.js";
import { xmlFirstText } from "./onvif-xml.js";
import { DeviceRejectedError } from "../core/errors.js";

/** Walks object keys; undefined as soon as a step is not an object. */
export function dig(value: unknown, ...path: string[]): unknown {
  let v: unknown = value;
  for (const key of path) {
    if (typeof v !== "object" || v === null) return undefined;
    v = (v as Record<string, unknown>)[key];
  }
  return v;
}

/** linerase() flattens a single child into an object; this gives a list back in both cases. */
export function asList(value: unknown): unknown[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}

function text(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (typeof value === "object" && value !== null && "_" in value) return text((value as { _: unknown })._);
  return undefined;
}

function num(value: unknown): number | undefined {
  const n = typeof value === "number" ? value : typeof value === "string" ? Number(value) : NaN;
  return Number.isFinite(n) ? n : undefined;
}

/**
 * GetDeviceInformation, read from the raw XML: linerase() turns a serial like "0042" into the number 42.
 * Missing fields become "unknown" (some cameras leave HardwareId or SerialNumber out).
 */
export function parseDeviceInformation(xml: string | undefined): CameraInfo {
  const field = (name: string) => (xml ? xmlFirstText(xml, name)?.trim() : undefined) || "unknown";
  return {
    manufacturer: field("Manufacturer"),
    model: field("Model"),
    firmware: field("FirmwareVersion"),
    serial: field("SerialNumber"),
  };
}

function encodingOf(value: unknown): VideoEncoding {
  const s = text(value)?.toUpperCase();
  if (s === "H264" || s === "H265" || s === "JPEG" || s === "MPEG4") return s;
  if (s === "HEVC") return "H265";
  return "other";
}

/** One linerase()d Media1 profile, or undefined if it has no token or no video encoder. */
export function parseProfile(raw: unknown): CameraProfile | undefined {
  const token = text(dig(raw, "$", "token"));
  const encoder = dig(raw, "videoEncoderConfiguration");
  if (!token || encoder === undefined) return undefined;
  const fps = num(dig(encoder, "rateControl", "frameRateLimit"));
  return {
    token,
    name: text(dig(raw, "name")) ?? token,
    encoding: encodingOf(dig(encoder, "encoding")),
    width: num(dig(encoder, "resolution", "width")) ?? 0,
    height: num(dig(encoder, "resolution", "height")) ?? 0,
    ...(fps !== undefined ? { fps } : {}),
  };
}

export function parseProfiles(raw: readonly unknown[] | undefined): CameraProfile[] {
  return (raw ?? []).map(parseProfile).filter((p): p is CameraProfile => p !== undefined);
}

/** `{ uri }` (Media1 GetStreamUri / GetSnapshotUri as returned by the library). */
export function parseMediaUri(raw: unknown, operation: string): string {
  const uri = text(dig(raw, "uri"));
  if (!uri) throw new DeviceRejectedError(`${operation} answered without a URI`);
  return uri;
}

/** What the onvif library asks for in CreatePullPointSubscription and Renew (PT2M, fixed in lib/events.js). */
export const REQUESTED_SUBSCRIPTION_MS = 120_000;

/** How long a subscription has left, from a Create/Renew/PullMessages reply; undefined without a TerminationTime. */
export interface SubscriptionTimes {
  readonly remainingMs: number;
  /** false: the reply had no CurrentTime (Axis), so the remaining time is a guess on our clock. */
  readonly fromCameraClock: boolean;
}

function validDate(value: unknown): Date | undefined {
  return value instanceof Date && !Number.isNaN(value.getTime()) ? value : undefined;
}

/**
 * CurrentTime is optional in WS-BaseNotification and Axis cameras leave it out. Without it the termination time
 * is read against our clock, capped at what was asked for (a camera clock ahead of ours would stretch it), and a
 * time already past on our clock (a camera clock behind ours) counts as the requested lifetime.
 */
export function parseSubscriptionTimes(raw: unknown, localNow: number): SubscriptionTimes | undefined {
  const t = validDate(dig(raw, "terminationTime"));
  if (!t) return undefined;
  const c = validDate(dig(raw, "currentTime"));
  if (c) return { remainingMs: t.getTime() - c.getTime(), fromCameraClock: true };
  const guess = t.getTime() - localNow;
  return { remainingMs: guess > 0 ? Math.min(guess, REQUESTED_SUBSCRIPTION_MS) : REQUESTED_SUBSCRIPTION_MS, fromCameraClock: false };
}

const MOTION_TOPIC = /(CellMotionDetector\/Motion|MotionAlarm|MotionDetector|\/Motion$)/i;
const MOTION_ITEMS = new Set(["IsMotion", "State", "Motion", "IsMotionDetected"]);

/** A NotificationMessage if it is a motion report we understand, else undefined (other topics are ignored). */
export function parseMotion(raw: unknown, receivedAt: EpochMs): MotionEvent | undefined {
  const topic = text(dig(raw, "topic"));
  if (!topic || !MOTION_TOPIC.test(topic)) return undefined;
  const message = dig(raw, "message", "message");
  for (const item of asList(dig(message, "data", "simpleItem"))) {
    const name = text(dig(item, "$", "Name"));
    if (!name || !MOTION_ITEMS.has(name)) continue;
    const value = dig(item, "$", "Value");
    const active = value === true || value === 1 || (typeof value === "string" && /^(true|1)$/i.test(value));
    const op = text(dig(message, "$", "PropertyOperation"));
    const operation = op === "Initialized" || op === "Changed" || op === "Deleted" ? op : "unknown";
    return { active, topic, operation, receivedAt };
  }
  return undefined;
}
