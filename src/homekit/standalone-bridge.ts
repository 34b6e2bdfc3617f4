// `doorstep serve`'s HomeKit face: a HAP bridge published with @homebridge/hap-nodejs, one lock accessory (and one
// camera accessory) per door. Pairings, the identity and HAP's own files live under `<storage>/homekit`.
import { join } from "node:path";
import type { DoorstepConfig } from "../config/config.js";
import { ConfigError } from "../core/errors.js";
import { prefixed, type Logger } from "../core/logger.js";
import type { CameraFeed, DeliveryPort } from "../delivery/delivery-port.js";
import { AccessCodeIds, accessCodeIdsFile } from "./access-code-ids.js";
import { doorAccessoryUuid } from "./accessory-ids.js";
import { loadOrCreateIdentity } from "./bridge-identity.js";
import type { LiveVideoMode } from "./camera/live-stream-args.js";
import { DoorHomeKit } from "./door-homekit.js";
import { loadHap, type Hap } from "./hap-module.js";

export interface StandaloneBridgeOptions {
  config: DoorstepConfig;
  storageDir: string;
  delivery: DeliveryPort;
  cameraFeeds: ReadonlyMap<string, CameraFeed>;
  logger: Logger;
  /** Per door id, the door's one logger (the bridge's `doorLoggers`); absent: `logger` prefixed with the door's name. */
  doorLoggers?: ReadonlyMap<string, Logger>;
  /** Default: @homebridge/hap-nodejs, loaded now (a clear ConfigError when it is not installed). */
  hap?: Hap;
  /** Default config.homekit.port; 0 picks a free port. */
  port?: number;
  /** Addresses or interfaces to advertise on (mDNS); e.g. ["127.0.0.1"] to stay on loopback. Default: all. */
  bind?: string[];
  /** Default "transcode". */
  liveVideoMode?: LiveVideoMode;
  /**
   * Where HAP-NodeJS keeps pairings and ids; default `<storage>/homekit`. It allows one per process, so tests that
   * publish several bridges in one process share one (the identities, still per storage dir, never collide).
   */
  hapStorageDir?: string;
}

export interface StandaloneBridge {
  /** "031-45-154": shown to the user (never logged by Doorstep). */
  readonly setupCode: string;
  /** "X-HM://…": the QR code's content. */
  readonly setupURI: string;
  readonly port: number;
  /** Per door id. */
  readonly doors: ReadonlyMap<string, DoorHomeKit>;
  /** Ends live views, stops listening to the delivery service and unpublishes (pairings are kept). */
  stop(): Promise<void>;
}

export const HOMEKIT_DIR = "homekit";

/** HAP-NodeJS keeps one storage directory per process, fixed at its first use. */
let hapStorageDir: string | undefined;

export async function startStandaloneBridge(options: StandaloneBridgeOptions): Promise<StandaloneBridge> {
  const { config, delivery, logger } = options;
  const hap = options.hap ?? (await loadHap());
  const dir = join(options.storageDir, HOMEKIT_DIR);
  useHapStorage(hap, options.hapStorageDir ?? dir);
  const identity = loadOrCreateIdentity(dir, config.homekit.pincode);

  const accessCodes = { ids: AccessCodeIds.open(accessCodeIdsFile(options.storageDir)), maxCredentialDays: config.delivery.maxCredentialDays };
  const bridge = new hap.Bridge(config.name, hap.uuid.generate(`homebridge-doorstep:bridge:${identity.username}`));
  const doors = new Map<string, DoorHomeKit>();
  const doorConfigs = new Map(config.doors.map((d) => [d.id as string, d]));
  for (const status of delivery.doors()) {
    const name = doorConfigs.get(status.id)?.name ?? status.name;
    const lockAccessory = new hap.Accessory(name, doorAccessoryUuid(hap, status.id, "lock"));
    bridge.addBridgedAccessory(lockAccessory);
    const feed = options.cameraFeeds.get(status.id);
    let camera: ConstructorParameters<typeof DoorHomeKit>[0]["camera"];
    if (feed) {
      const cameraAccessory = new hap.Accessory(`${name} camera`, doorAccessoryUuid(hap, status.id, "camera"));
      bridge.addBridgedAccessory(cameraAccessory);
      camera = { accessory: cameraAccessory, feed, ffmpegPath: config.recording.ffmpegPath, ...(options.liveVideoMode && { videoMode: options.liveVideoMode }) };
    }
    const doorLogger = options.doorLoggers?.get(status.id) ?? prefixed(logger, name);
    const door = new DoorHomeKit({ hap, doorId: status.id, name, delivery, logger: doorLogger, lockAccessory, accessCodes, ...(camera && { camera }) });
    door.start();
    doors.set(status.id, door);
  }

  const stopDoors = () => Promise.all([...doors.values()].map((d) => d.stop()));
  let port: number;
  try {
    const listening = new Promise<number>((resolve) => bridge.once("listening", (p: number) => resolve(p)));
    await bridge.publish({
      username: identity.username,
      pincode: identity.pincode,
      setupID: identity.setupId,
      port: options.port ?? config.homekit.port,
      category: hap.Categories.BRIDGE,
      addIdentifyingMaterial: false,
      ...(options.bind && { bind: options.bind }),
    });
    port = await listening;
  } catch (error) {
    await stopDoors();
    await bridge.unpublish().catch(() => undefined);
    throw error;
  }
  logger.info(`HomeKit bridge "${config.name}" published on port ${port} with ${doors.size} door(s).`);

  let stopped: Promise<void> | undefined;
  return {
    setupCode: identity.pincode,
    setupURI: bridge.setupURI(),
    port,
    doors,
    stop() {
      stopped ??= (async () => {
        await stopDoors();
        await bridge.unpublish();
      })();
      return stopped;
    },
  };
}

function useHapStorage(hap: Hap, dir: string): void {
  if (hapStorageDir === dir) return;
  if (hapStorageDir !== undefined) {
    throw new ConfigError(`HAP-NodeJS already keeps its files in ${hapStorageDir}; one process serves one HomeKit storage directory (asked for ${dir}).`);
  }
  try {
    hap.HAPStorage.setCustomStoragePath(dir);
  } catch (error) {
    throw new ConfigError(`HAP-NodeJS storage was already set up elsewhere in this process; cannot use ${dir}: ${(error as Error).message}`);
  }
  hapStorageDir = dir;
}
