// What the faces (HTTP API, HomeKit, Matter) may ask of the delivery service, and what it tells them.
// The faces depend on this contract only, never on one another or on a driver.
import type { EventEmitter } from "node:events";
import type { DoorId, EpochMs, VisitId } from "../access/ids.js";
import type { AccessReason, DenyReason, LeaveOutsideReason } from "../access/reasons.js";
import type { RecorderHealth } from "../camera/recorder.js";
import type { DoorSettings } from "../store/door-settings-store.js";
import type { Visit } from "../store/visit-store.js";
import type { DoorState, LockState } from "../zigbee/lock-driver.js";
import type { Actor } from "./actor.js";
import type { CredentialService, CredentialView } from "./credential-service.js";
import type { RemotePinCheck, RemotePinOutcome } from "./remote-pin-check.js";

/** The outcome of one remote redemption ("open the door for this PIN"). */
export type RedeemOutcome =
  | { outcome: "unlocked"; visitId: VisitId; relockAt: EpochMs }
  | { outcome: "denied"; reason: DenyReason; message: string }
  | { outcome: "leave-outside"; reason: Exclude<LeaveOutsideReason, "locked-out">; message: string }
  /** Too many wrong PINs at this door or from this client: retry after the given time (HTTP 429). */
  | { outcome: "locked-out"; reason: "locked-out"; retryAfterSeconds: number; message: string };

export interface RedeemRequest {
  doorId: string;
  pin: string;
  actor: Actor;
  /** The client's address, for the per-source wrong-PIN lockout. */
  source: string;
}

/** A door as the homeowner sees it. Unknown is said, never guessed: a lock that does not answer is "unknown". */
export interface DoorStatus {
  id: DoorId;
  name: string;
  lock: {
    state: LockState;
    available: boolean;
    battery?: number;
    model?: string;
    /** The PIN lengths both the lock's keypad and Doorstep accept (what the faces offer when someone picks a code). */
    pinLengths: { min: number; max: number };
  };
  door: DoorState;
  camera: { configured: boolean; recording: boolean; health?: RecorderHealth };
  switches: DoorSettings;
  /** The open visit at this door, if any. */
  visitId?: VisitId;
}

export interface DeliveryEvents {
  visitStarted: [{ visit: Visit }];
  visitEnded: [{ visit: Visit }];
  lockState: [{ doorId: DoorId; state: LockState; door: DoorState; available: boolean }];
  switches: [{ doorId: DoorId; switches: DoorSettings }];
  /** Something a person should look at: a late unlock, a use outside its window, a failed relock… */
  alert: [{ doorId: DoorId; visitId?: VisitId; message: string; at: EpochMs }];
  /** A keypad or remote attempt was refused (for HomeKit/Matter "LockOperationError"-style reporting). */
  refused: [{ doorId: DoorId; reason: AccessReason; via: "keypad" | "remote"; at: EpochMs }];
  /** A credential was created or revoked (by anyone: API, CLI, Matter, Apple Home), so lists of codes are stale. */
  credentialChanged: [{ credential: CredentialView }];
}

export interface HealthReport {
  ok: boolean;
  doors: { id: DoorId; lock: "ok" | "unavailable"; camera: "ok" | "not-recording" | "not-configured" }[];
  audit?: "ok" | "tampered";
}

/** The delivery service as the faces use it. */
export interface DeliveryPort {
  readonly credentials: CredentialService;
  readonly events: EventEmitter<DeliveryEvents>;
  redeem(request: RedeemRequest): Promise<RedeemOutcome>;
  /** Checks a PIN without opening (Matter's LockDoor with a PIN), through the wrong-PIN lockout like `redeem`. */
  checkRemotePin(check: RemotePinCheck): RemotePinOutcome;
  /** Ends a visit now: relocks and closes it. Providers may end only visits of their own credentials. */
  endVisit(visitId: string, actor: Actor): Promise<Visit>;
  listVisits(actor: Actor, filter?: { doorId?: string; open?: boolean; limit?: number; before?: EpochMs }): Visit[];
  getVisit(visitId: string, actor: Actor): Visit;
  /** Paths of the assembled clip parts; owner only (providers never read clips). */
  clipParts(visitId: string, actor: Actor): { path: string; durationMs: number }[];
  doors(): DoorStatus[];
  door(doorId: string): DoorStatus;
  setSwitches(doorId: string, patch: Partial<DoorSettings>, actor: Actor): DoorStatus;
  /** Owner lock/unlock from HomeKit/Matter/the API: no guest policy, but still recorded as a visit by "owner". */
  ownerLock(doorId: string, actor: Actor): Promise<LockState>;
  ownerUnlock(doorId: string, actor: Actor): Promise<LockState>;
  health(): HealthReport;
}

/** A door camera as the faces use it (HomeKit snapshots and live view): no ONVIF or ffmpeg types leak. */
export interface CameraFeed {
  /** A current JPEG from the camera (ONVIF snapshot). */
  snapshot(): Promise<Buffer>;
  /** Where a live view reads video from: the camera's RTSP URL with credentials, for ffmpeg only — never log it. */
  liveSourceUrl(): Promise<string>;
  /** True while the always-on recorder receives frames (the camera answers). */
  isRecording(): boolean;
  /** The always-on ring's complete segments, oldest first ([] while nothing is recorded): HomeKit Secure Video's prebuffer. */
  ringSegments(): RingSegment[];
  /** Calls `listener` for every segment the ring completes from now on; returns the function that stops it. */
  onRingSegment(listener: (segment: RingSegment) => void): () => void;
  /** Calls `listener` when the camera reports motion starting or ending; returns the function that stops it. */
  onMotion(listener: (active: boolean) => void): () => void;
}

/** One complete fragment of the ring: fMP4 (`moof`+`mdat`) starting on a key frame, decodable after its run's init segment. */
export interface RingSegment {
  /** The recorder run it belongs to: segments of different runs cannot be joined without their own init segment. */
  run: number;
  seq: number;
  path: string;
  /** The run's init segment (`ftyp`+`moov`). */
  initPath: string;
  durationMs: number;
  /** When the ring saw it complete: about the wall-clock time of its last frame. */
  appearedAt: EpochMs;
}
