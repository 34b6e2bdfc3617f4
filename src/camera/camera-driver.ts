// The narrow camera interface the rest of Doorstep sees. No ONVIF type crosses it, so the library behind it
// (onvif 0.8.3 today, its v1 rewrite later) stays a local change.

import type { EpochMs } from "../access/ids.js";

/** What the camera says about itself (GetDeviceInformation); feeds HomeKit's AccessoryInformation. */
export interface CameraInfo {
  readonly manufacturer: string;
  readonly model: string;
  readonly firmware: string;
  readonly serial: string;
}

export type VideoEncoding = "H264" | "H265" | "JPEG" | "MPEG4" | "other";

/** One media profile of the camera, reduced to what profile selection and the recorder need. */
export interface CameraProfile {
  readonly token: string;
  readonly name: string;
  readonly encoding: VideoEncoding;
  readonly width: number;
  readonly height: number;
  readonly fps?: number;
}

/**
 * The camera's health, with one human sentence (never a password) that a log line or the UI can show as is.
 * `unauthorized` is not retried on its own: many cameras lock an account after a few failed logins.
 */
export type CameraHealth =
  | { readonly state: "connecting"; readonly message: string }
  | { readonly state: "ready"; readonly message: string; readonly auth: CameraAuthMode }
  | { readonly state: "unauthorized"; readonly message: string }
  | { readonly state: "unreachable"; readonly message: string; readonly retryInMs: number }
  | { readonly state: "unusable"; readonly message: string; readonly retryInMs: number }
  | { readonly state: "stopped"; readonly message: string };

export type CameraHealthState = CameraHealth["state"];

/** How the driver authenticated: a WS-UsernameToken digest, or HTTP Digest for cameras that accept only that. */
export type CameraAuthMode = "ws-username-token" | "http-digest";

/** A motion report from the camera's event service (RuleEngine/CellMotionDetector/Motion, VideoSource/MotionAlarm, ...). */
export interface MotionEvent {
  readonly active: boolean;
  /** The ONVIF topic, e.g. `tns1:RuleEngine/CellMotionDetector/Motion`. */
  readonly topic: string;
  /** `Initialized` on a fresh subscription (the current state), `Changed` on an edge. */
  readonly operation: "Initialized" | "Changed" | "Deleted" | "unknown";
  /** Our clock when it arrived (the camera's clock may be off). */
  readonly receivedAt: EpochMs;
}

/** Why an event subscription was created again. */
export type ResubscribeReason = "quiet" | "failed" | "expired";

/** Events a camera driver emits. */
export interface CameraDriverEvents {
  health: [CameraHealth];
  motion: [MotionEvent];
  /** The event subscription was recreated (the watchdog found it quiet, or it failed); for logs and tests. */
  resubscribed: [ResubscribeReason];
}

export interface CameraDriver {
  /** The name used in every log line and health message ("Front door camera"). */
  readonly name: string;
  readonly health: CameraHealth;
  /** Known once the driver has been ready at least once. */
  readonly info: CameraInfo | undefined;
  /** The profile the driver uses for streaming and snapshots. */
  readonly profile: CameraProfile | undefined;
  readonly profiles: readonly CameraProfile[];

  /**
   * Connects (first attempt awaited) and keeps the connection: an unreachable camera is retried with backoff.
   * Resolves with the health after the first attempt; never rejects for camera faults. Called again while
   * `unauthorized`, it tries once more (the only way out of that state).
   */
  connect(): Promise<CameraHealth>;
  /** Resolves when the camera is ready; rejects at once when unauthorized, else with the health's message after `timeoutMs`. */
  waitReady(timeoutMs: number): Promise<void>;
  /**
   * The RTSP URL of the selected profile with the camera credentials inserted, for ffmpeg.
   * It holds the password: log it only through `redactUrl()`.
   */
  streamUri(): Promise<string>;
  /** One JPEG from the camera's snapshot URI. */
  snapshot(): Promise<Buffer>;

  on<K extends keyof CameraDriverEvents>(event: K, listener: (...args: CameraDriverEvents[K]) => void): this;
  off<K extends keyof CameraDriverEvents>(event: K, listener: (...args: CameraDriverEvents[K]) => void): this;

  /** Stops every timer, request and subscription. */
  stop(): Promise<void>;
}

/** Inserts `user:password@` into a URL (percent-encoded), replacing any credentials it already had. */
export function withCredentials(url: string, username: string, password: string): string {
  const u = new URL(url);
  u.username = encodeURIComponent(username);
  u.password = encodeURIComponent(password);
  return u.toString();
}

/** The URL with any password replaced by `***`, safe for logs. Unparseable input is redacted whole. */
export function redactUrl(url: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return "<unparseable url>";
  }
  if (u.password) u.password = "***";
  return u.toString();
}
