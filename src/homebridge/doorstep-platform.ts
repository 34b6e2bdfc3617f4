// The Homebridge 2.x dynamic platform: runs the same bridge as `doorstep serve` (store, Zigbee, cameras, delivery
// service, HTTP API) and shows each door in Apple Home through Homebridge's own HAP bridge.
import { join } from "node:path";
import type { API, DynamicPlatformPlugin, Logging, PlatformAccessory, PlatformConfig } from "homebridge";
import type { BridgeRuntime } from "../bridge/bridge-runtime.js";
import { createBridge } from "../bridge/create-bridge.js";
import type { DoorstepConfig } from "../config/config.js";
import { PLATFORM_NAME, PLUGIN_NAME } from "../config/options.js";
import { validateConfig } from "../config/validate-config.js";
import { formatError } from "../core/errors.js";
import { prefixed, type Logger } from "../core/logger.js";
import { doorAccessoryUuid } from "../homekit/accessory-ids.js";
import { AccessCodeIds, accessCodeIdsFile } from "../homekit/access-code-ids.js";
import { DoorHomeKit } from "../homekit/door-homekit.js";
import { markNoResponse } from "./no-response.js";

/** The storage folder inside Homebridge's storage directory. */
export const STORAGE_FOLDER = "doorstep";

export class DoorstepPlatform implements DynamicPlatformPlugin {
  private readonly logger: Logger;
  private readonly config: DoorstepConfig | undefined;
  /** Accessories Homebridge restored from its cache, by UUID. */
  private readonly cached = new Map<string, PlatformAccessory>();
  private runtime: BridgeRuntime | undefined;
  private doors: DoorHomeKit[] = [];
  private launching: Promise<void> | undefined;

  constructor(
    log: Logging,
    rawConfig: PlatformConfig,
    private readonly api: API,
  ) {
    this.logger = log;
    try {
      this.config = validateConfig(rawConfig);
    } catch (error) {
      // Homebridge must keep running: the plugin stays loaded and does nothing until the config is fixed.
      log.error(`Not starting: ${formatError(error)}. Fix it in the plugin's settings and restart Homebridge.`);
    }
    api.on("didFinishLaunching", () => {
      this.launching = this.launch();
    });
    api.on("shutdown", () => {
      this.shutdown().catch((error: unknown) => this.logger.error(`Shutdown failed: ${formatError(error)}.`));
    });
  }

  configureAccessory(accessory: PlatformAccessory): void {
    this.cached.set(accessory.UUID, accessory);
  }

  private async launch(): Promise<void> {
    const { config, api } = this;
    if (!config) {
      for (const accessory of this.cached.values()) markNoResponse(api.hap, accessory);
      return;
    }
    const storageDir = config.storagePath ?? join(api.user.storagePath(), STORAGE_FOLDER);
    try {
      this.runtime = await createBridge({ config, storageDir, logger: this.logger, uiCredential: true });
      await this.runtime.start();
    } catch (error) {
      this.logger.error(`Unable to start: ${formatError(error)}.`);
      await this.runtime?.stop().catch(() => undefined);
      this.runtime = undefined;
      for (const accessory of this.cached.values()) markNoResponse(api.hap, accessory);
      return;
    }
    try {
      this.publishDoors(this.runtime, config, storageDir);
    } catch (error) {
      this.logger.error(`Unable to add the doors to HomeKit: ${formatError(error)}.`);
    }
    this.logger.info(`Running ${this.doors.length} door(s)${this.runtime.apiUrl ? `; API at ${this.runtime.apiUrl}` : ""}.`);
    const { matter } = this.runtime;
    // Inside Homebridge the log is the owner's only screen; like Homebridge's own setup code, the pairing code is shown
    // there until a controller has commissioned the node, and never again after.
    if (matter && !matter.commissioned) {
      this.logger.info(`Matter: pair the doors with manual code ${matter.pairingCode} (QR content ${matter.qrPairingCode}), UDP port ${matter.port}.`);
    }
  }

  private publishDoors(runtime: BridgeRuntime, config: DoorstepConfig, storageDir: string): void {
    const { api } = this;
    const hap = api.hap;
    const accessCodes = { ids: AccessCodeIds.open(accessCodeIdsFile(storageDir)), maxCredentialDays: config.delivery.maxCredentialDays };
    const wanted = new Set<string>();
    const created: PlatformAccessory[] = [];
    const restored: PlatformAccessory[] = [];
    const accessoryFor = (uuid: string, name: string, category: number) => {
      wanted.add(uuid);
      const cached = this.cached.get(uuid);
      if (cached) {
        restored.push(cached);
        return cached;
      }
      const accessory = new api.platformAccessory(name, uuid, category);
      created.push(accessory);
      return accessory;
    };

    for (const status of runtime.delivery.doors()) {
      const name = config.doors.find((d) => d.id === status.id)?.name ?? status.name;
      const lockAccessory = accessoryFor(doorAccessoryUuid(hap, status.id, "lock"), name, hap.Categories.DOOR_LOCK);
      lockAccessory.context = { doorId: status.id, kind: "lock" };
      const feed = runtime.cameraFeeds.get(status.id);
      const cameraAccessory = feed ? accessoryFor(doorAccessoryUuid(hap, status.id, "camera"), `${name} camera`, hap.Categories.IP_CAMERA) : undefined;
      if (cameraAccessory) cameraAccessory.context = { doorId: status.id, kind: "camera" };
      const door = new DoorHomeKit({
        hap,
        doorId: status.id,
        name,
        delivery: runtime.delivery,
        logger: runtime.doorLoggers.get(status.id) ?? prefixed(this.logger, name),
        lockAccessory,
        accessCodes,
        ...(feed && cameraAccessory && { camera: { accessory: cameraAccessory, feed, ffmpegPath: config.recording.ffmpegPath } }),
      });
      door.start();
      this.doors.push(door);
    }

    const stale = [...this.cached.values()].filter((a) => !wanted.has(a.UUID));
    if (stale.length > 0) {
      api.unregisterPlatformAccessories(PLUGIN_NAME, PLATFORM_NAME, stale);
      for (const a of stale) this.logger.info(`Removed "${a.displayName}": its door is no longer configured.`);
    }
    if (restored.length > 0) api.updatePlatformAccessories(restored);
    if (created.length > 0) api.registerPlatformAccessories(PLUGIN_NAME, PLATFORM_NAME, created);
  }

  /** Ends live views, then stops the bridge (which relocks doors with open visits first). */
  private async shutdown(): Promise<void> {
    await this.launching;
    const doors = this.doors.splice(0);
    await Promise.all(doors.map((d) => d.stop().catch((error: unknown) => this.logger.error(`Stopping: ${formatError(error)}.`))));
    const runtime = this.runtime;
    this.runtime = undefined;
    if (!runtime) return;
    try {
      await runtime.stop();
      this.logger.info("Stopped.");
    } catch (error) {
      this.logger.error(`Stopping: ${formatError(error)}.`);
    }
  }
}
