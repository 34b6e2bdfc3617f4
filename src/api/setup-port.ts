// What the API needs from the bridge to set up hardware from the console: open Zigbee joining and watch a lock arrive,
// and look for ONVIF cameras. Defined here (its consumer); the composition root implements it over the coordinator.
import type { EpochMs } from "../access/ids.js";

/** A device that joined while joining was open, as far as it got. */
export interface PairingArrival {
  ieee: string;
  at: EpochMs;
  /** joined: on the network, interview running; interviewed: a lock we can drive; failed: see reason. */
  status: "joined" | "interviewed" | "failed";
  vendor?: string;
  model?: string;
  /** False when Doorstep's device table does not know the model (it is driven from what the lock reports). */
  supported?: boolean;
  reason?: string;
  /** The configured door whose lock this is, if any. */
  doorId?: string;
}

export interface PairingState {
  open: boolean;
  /** When joining closes, and the whole seconds left (open only). */
  until?: EpochMs;
  seconds?: number;
  /** The latest arrivals, newest first. */
  arrivals: PairingArrival[];
}

/** One ONVIF camera that answered the WS-Discovery probe, with what the door's camera fields need. */
export interface CameraCandidate {
  /** The endpoint reference (urn:uuid:…), stable across address changes. */
  address: string;
  host: string;
  port: number;
  deviceService: string;
  name?: string;
  hardware?: string;
}

/** A pairing change; `message` is a sentence for the console, `ieee` the device an arrival is about. */
export type PairingEvent = { type: "pairing"; data: PairingState & { message: string; arrival?: PairingArrival; ieee?: string } };

export interface SetupPort {
  /** Opens joining for `seconds` (0 closes it); a ConflictError when there is no Zigbee coordinator. */
  permitJoin(seconds: number): Promise<PairingState>;
  pairing(): PairingState;
  /** Subscribes to pairing changes (joining opened/closed, a device arrived or was interviewed). */
  onPairing(listener: (event: PairingEvent) => void): () => void;
  discoverCameras(timeoutMs: number): Promise<CameraCandidate[]>;
}
