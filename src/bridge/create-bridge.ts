// The composition root: builds the whole bridge from a validated config. `doorstep serve` and the Homebridge platform
// both run exactly this, so the two modes cannot drift apart.
import { join } from "node:path";
import { systemClock, type Clock } from "../access/clock.js";
import { DoorId } from "../access/ids.js";
import { createApiServer, type ApiServer } from "../api/api-server.js";
import { consoleApiContext } from "./console-api-context.js";
import { applyRetention } from "../camera/retention.js";
import type { DoorstepConfig } from "../config/config.js";
import { ConflictError, formatError } from "../core/errors.js";
import { prefixed, type Logger } from "../core/logger.js";
import type { CameraFeed } from "../delivery/delivery-port.js";
import { DeliveryService } from "../delivery/delivery-service.js";
import { openStore, type Store } from "../store/store.js";
import { ZigbeeCoordinator } from "../zigbee/zigbee-coordinator.js";
import type { MatterBridge } from "../matter/index.js";
import type { BridgeRuntime } from "./bridge-runtime.js";
import { DoorCamera } from "./door-camera.js";
import { PairedLock } from "./paired-lock.js";
import { Zigbee2MqttLocks } from "./zigbee2mqtt-locks.js";
import type { LockDriver } from "../zigbee/lock-driver.js";
import { SetupService } from "./setup-service.js";
import { revokeUiCredential, rotateUiCredential } from "./ui-credential.js";

export interface CreateBridgeOptions {
  config: DoorstepConfig;
  storageDir: string;
  logger: Logger;
  clock?: Clock;
  /** How long joining stays open at start when a configured lock is not paired yet (s, ≤ 254). */
  pairingWindowSeconds?: number;
  /** Start the HTTP API (default true). */
  api?: boolean;
  /** Write the Homebridge UI server's owner credential (ui-credential.json) once the API listens (the Homebridge plugin). */
  uiCredential?: boolean;
  /** Start the Matter node when `config.matter.enabled` (default true; tests that drive the node themselves pass false). */
  matter?: boolean;
}

const RETENTION_INTERVAL_MS = 60 * 60_000;

/** Builds everything; nothing runs until `start()`. */
export async function createBridge(options: CreateBridgeOptions): Promise<BridgeRuntime> {
  const { config, storageDir, logger } = options;
  const clock = options.clock ?? systemClock;
  const store: Store = openStore({ storageDir, clock });
  if (store.storageWarning) logger.warn(store.storageWarning);
  // Zigbee2MQTT doors need no coordinator of our own; a `zigbee` block alone still runs one (for pairing the first lock).
  const coordinator = config.zigbee
    ? new ZigbeeCoordinator({ config: config.zigbee, storageDir: join(storageDir, "zigbee"), logger: prefixed(logger, "Zigbee") })
    : undefined;
  const z2m = new Zigbee2MqttLocks(logger, clock);

  const locks = new Map<string, PairedLock>();
  const drivers = new Map<string, LockDriver>();
  const cameras = new Map<string, DoorCamera>();
  const doorLoggers = new Map<string, Logger>();
  // The lock's own keypad limit follows the configured lockout; it holds at most 255 s (ZCL uint8).
  const keypadLockout = { wrongCodeEntryLimit: config.delivery.lockoutAttempts, userCodeTemporaryDisableTime: Math.min(255, config.delivery.lockoutWindowMinutes * 60) };
  for (const door of config.doors) {
    // One logger per door, shared by its drivers, camera, the delivery flow and the HomeKit/Matter faces.
    const doorLog = prefixed(logger, door.name);
    doorLoggers.set(door.id, doorLog);
    if (door.lock.driver === "zigbee2mqtt") {
      drivers.set(door.id, z2m.add(door.lock, doorLog));
    } else if (coordinator) {
      const paired = new PairedLock(coordinator, door.lock.ieee.toLowerCase(), door.name, doorLog, clock, keypadLockout);
      locks.set(door.id, paired);
      drivers.set(door.id, paired);
    }
    if (door.camera) {
      cameras.set(door.id, new DoorCamera({ doorId: door.id, doorName: door.name, camera: door.camera, recording: config.recording, storageDir, logger: doorLog, clock }));
    }
  }

  const delivery = new DeliveryService({
    store,
    clock,
    logger,
    settings: config.delivery,
    doors: config.doors.flatMap((door) => {
      const driver = drivers.get(door.id);
      if (!driver) return [];
      const recorder = cameras.get(door.id);
      return [
        {
          id: DoorId(door.id),
          name: door.name,
          relockAfterSeconds: door.relockAfterSeconds,
          preRollSeconds: door.preRollSeconds,
          postRollSeconds: door.postRollSeconds,
          driver,
          logger: doorLoggers.get(door.id)!,
          ...(recorder ? { recorder } : {}),
        },
      ];
    }),
  });

  const setup = new SetupService({ coordinator, config, clock, logger });

  let api: ApiServer | undefined;
  let apiUrl: string | undefined;
  let consoleUrl: string | undefined;
  let matter: MatterBridge | undefined;
  let retentionTimer: NodeJS.Timeout | undefined;
  let state: "new" | "running" | "stopped" = "new";
  const started: (() => Promise<void>)[] = [];

  const runtime: BridgeRuntime = {
    config,
    storageDir,
    logger,
    delivery,
    cameraFeeds: cameras as ReadonlyMap<string, CameraFeed>,
    doorLoggers,
    setup,
    get apiUrl() {
      return apiUrl;
    },
    get consoleUrl() {
      return consoleUrl;
    },
    get matter() {
      return matter && { port: matter.port, pairingCode: matter.pairingCode, qrPairingCode: matter.qrPairingCode, commissioned: matter.commissioned() };
    },
    async start() {
      if (state !== "new") throw new ConflictError("the bridge starts once");
      state = "running";
      try {
        if (coordinator) {
          await coordinator.start();
          started.push(() => coordinator.stop());
          setup.start();
          started.push(async () => setup.stop());
          // Lock drivers detach from the coordinator before it stops (reverse order below).
          started.push(() => Promise.all([...locks.values()].map((l) => l.stop())).then(() => undefined));
          await Promise.all([...locks.values()].map((l) => l.attach()));
          coordinator.events.on("interview", (e) => {
            const lock = e.status === "successful" ? locks.get(doorIdOf(config, e.ieee) ?? "") : undefined;
            if (!lock) return;
            lock.attach().then(closeJoiningWhenAllPaired).catch((error: unknown) => logger.error(`Attaching a lock failed: ${formatError(error)}`));
          });
          const unpaired = [...locks.entries()].filter(([, l]) => !l.paired).map(([id]) => id);
          if (unpaired.length > 0) {
            const seconds = Math.min(254, options.pairingWindowSeconds ?? 180);
            logger.warn(`Lock(s) not paired yet for ${unpaired.join(", ")}: joining is open for ${seconds} s. Put each lock in pairing mode.`);
            await coordinator.permitJoin(seconds);
            joiningOpen = true;
            await closeJoiningWhenAllPaired(); // a lock may have joined before permitJoin even answered
          }
        }
        if (z2m.size > 0) {
          await z2m.start();
          started.push(() => z2m.stop());
        }
        // Cameras first: a visit recovered at start wants its recorder.
        await Promise.all([...cameras.values()].map((c) => c.start()));
        started.push(() => Promise.all([...cameras.values()].map((c) => c.stop())).then(() => undefined));
        const recovery = await delivery.start();
        started.push(() => delivery.stop());
        if (recovery.recovered > 0) {
          logger.warn(`Finished ${recovery.recovered} visit(s) left open by the last run` +
            `${recovery.unconfirmed.length ? `; the relock of ${recovery.unconfirmed.join(", ")} is NOT confirmed: check those doors` : ""}.`);
        }
        if (options.api !== false) {
          api = createApiServer({
            delivery,
            verifyToken: (token) => store.tokens.verify(token),
            verifyAudit: () => store.audit.verify(),
            logger,
            setup,
            host: config.api.host,
            port: config.api.port,
            ...(config.api.tls ? { tls: config.api.tls } : {}),
            consoleApi: consoleApiContext({ store, delivery, cameras, home: { name: config.name, timeZone: config.delivery.timeZone } }),
          });
          const listening = await api.start();
          apiUrl = listening.url;
          consoleUrl = listening.loginUrl;
          started.push(() => api!.stop());
          if (options.uiCredential) {
            rotateUiCredential(store.tokens, storageDir, apiUrl);
            started.push(async () => revokeUiCredential(store.tokens, storageDir));
          }
        }
        if (config.matter.enabled && options.matter !== false) {
          // Imported only when enabled: matter.js is large and sets process-wide defaults when it loads.
          const { startMatterBridge, slotTableProbe } = await import("../matter/index.js");
          const node = await startMatterBridge({ delivery, config, storageDir, logger, doorLoggers, clock, keypad: slotTableProbe(store.slots) });
          matter = node;
          started.push(() => node.stop());
        }
        // Real time: housekeeping no test waits on (retention itself reads ages from the clock).
        retentionTimer = setInterval(() => runRetention(), RETENTION_INTERVAL_MS);
        retentionTimer.unref();
        runRetention();
      } catch (error) {
        await runtime.stop();
        throw error;
      }
    },
    async stop() {
      if (state === "stopped") return;
      state = "stopped";
      if (retentionTimer) clearInterval(retentionTimer);
      // Reverse order: the API stops taking requests, the delivery service relocks open visits, then the hardware goes.
      for (const stop of started.reverse()) {
        try {
          await stop();
        } catch (error) {
          logger.error(`Stopping: ${formatError(error)}`);
        }
      }
      started.length = 0;
      store.close();
    },
  };

  let joiningOpen = false;
  /** An open network lets any device join: close it as soon as every configured lock is in. */
  async function closeJoiningWhenAllPaired(): Promise<void> {
    if (!coordinator || !joiningOpen || ![...locks.values()].every((l) => l.paired)) return;
    joiningOpen = false;
    try {
      await coordinator.permitJoin(0);
      logger.info("Every configured lock is paired: joining is closed.");
    } catch (error) {
      logger.warn(`Could not close joining: ${formatError(error)}`);
    }
  }

  function runRetention(): void {
    try {
      const open = new Set(store.visits.openVisits().map((v) => v.id as string));
      const result = applyRetention({
        visitsDir: join(storageDir, "visits"),
        isOpen: (id) => open.has(id),
        clock,
        maxAgeDays: config.recording.retentionDays,
        maxBytes: Math.round(config.recording.retentionGigabytes * 2 ** 30),
      });
      for (const d of result.deleted) logger.info(`Retention: deleted the clip of visit ${d.visitId} (${d.reason}, ${Math.round(d.bytes / 1024)} KiB).`);
    } catch (error) {
      logger.error(`Retention failed: ${formatError(error)}`);
    }
  }

  return runtime;
}

function doorIdOf(config: DoorstepConfig, ieee: string): string | undefined {
  return config.doors.find((d) => d.lock.driver === "herdsman" && d.lock.ieee.toLowerCase() === ieee.toLowerCase())?.id;
}
