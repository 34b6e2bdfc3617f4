// The composition root's product: the whole bridge built from a config, as `doorstep serve` and the Homebridge
// platform run it. The faces (HomeKit, Matter) are given these parts, never the drivers themselves.
import type { DoorstepConfig } from "../config/config.js";
import type { Logger } from "../core/logger.js";
import type { SetupPort } from "../api/setup-port.js";
import type { CameraFeed, DeliveryPort } from "../delivery/delivery-port.js";

export interface BridgeRuntime {
  readonly config: DoorstepConfig;
  readonly storageDir: string;
  readonly logger: Logger;
  readonly delivery: DeliveryPort;
  /** Per door id, for doors with a camera. */
  readonly cameraFeeds: ReadonlyMap<string, CameraFeed>;
  /** Per door id: the door's one logger ("Front door: ..."), for the faces to log under the same name as its drivers. */
  readonly doorLoggers: ReadonlyMap<string, Logger>;
  /** Pairing a lock and discovering cameras (the console's setup buttons); pairing events for live updates. */
  readonly setup: SetupPort;
  /** The HTTP API's base URL once started. */
  readonly apiUrl: string | undefined;
  /** The web console's one-time login link once the API started; for the owner's eyes (print, never log). */
  readonly consoleUrl: string | undefined;
  /** The Matter node once started (config matter.enabled); the pairing code is for the owner's eyes, not the log. */
  readonly matter: { port: number; pairingCode: string; qrPairingCode: string; commissioned: boolean } | undefined;
  start(): Promise<void>;
  /** Relocks doors with open visits first, then stops everything; idempotent. */
  stop(): Promise<void>;
}
