// Doorstep's own Matter node: a ServerNode with an aggregator and, per door, the bridged DoorLock, the two switches
// and the visit sensor, all backed by the DeliveryPort. Storage under <storageDir>/matter.
import "./matter-process-config.js";
import { join } from "node:path";
import { mkdirSync } from "node:fs";
import { Endpoint, ServerNode, VendorId } from "@matter/main";
import { AggregatorEndpoint } from "@matter/main/endpoints/aggregator";
import { systemClock, type Clock } from "../access/clock.js";
import type { DoorstepConfig } from "../config/config.js";
import { formatError } from "../core/errors.js";
import { prefixed, type Logger } from "../core/logger.js";
import type { DeliveryPort } from "../delivery/delivery-port.js";
import { doorEndpoints, matterLockStateChange, type DoorEndpoints } from "./door-endpoints.js";
import { DoorstepLink, type KeypadSyncProbe } from "./doorstep-link.js";
import { startDeliveryReporter, type DeliveryReporter } from "./delivery-reporter.js";
import { matterEnvironment } from "./matter-environment.js";
import { routeMatterLogs } from "./matter-logging.js";
import { matterProcessConfigured } from "./matter-process-config.js";
import { resolvePairingIdentity, type PairingIdentity } from "./pairing-identity.js";

export interface StartMatterBridgeOptions {
  delivery: DeliveryPort;
  config: DoorstepConfig;
  storageDir: string;
  logger: Logger;
  /** Per door id, the door's one logger (the bridge's `doorLoggers`); absent: `logger` prefixed with the door's name. */
  doorLoggers?: ReadonlyMap<string, Logger>;
  /** Where new PINs' keypad sync is read from (`slotTableProbe(store.slots)`); without it a new PIN is not awaited. */
  keypad?: KeypadSyncProbe;
  clock?: Clock;
  /** How often credentials made elsewhere are mirrored as Matter users (ms, default 5000). */
  mirrorIntervalMs?: number;
  /** How long a Matter command waits for a new PIN to reach the keypad (ms, default 20000). */
  keypadDeadlineMs?: number;
}

export interface MatterBridge {
  /** The 11-digit manual pairing code. */
  pairingCode: string;
  /** The QR code payload ("MT:..."). */
  qrPairingCode: string;
  port: number;
  /** Whether a controller has commissioned this node. */
  commissioned(): boolean;
  /** Mirrors credentials made elsewhere as Matter users now (the interval does it anyway). */
  syncUsers(): Promise<void>;
  stop(): Promise<void>;
}

/** How often credentials made elsewhere are mirrored as Matter users. */
const MIRROR_INTERVAL_MS = 5_000;
/** How long a Matter command waits for a new PIN to reach the keypad: a Zigbee PIN write with its retries fits. */
const KEYPAD_DEADLINE_MS = 20_000;

/** Builds and starts the node; resolves once it is announced and ready to commission. */
export async function startMatterBridge(options: StartMatterBridgeOptions): Promise<MatterBridge> {
  const { delivery, config, storageDir } = options;
  const logger = prefixed(options.logger, "Matter");
  const clock = options.clock ?? systemClock;
  if (!matterProcessConfigured) logger.warn("matter.js was initialised before Doorstep could switch off its config file, argv and signal handling.");
  const dir = join(storageDir, "matter");
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const identity = resolvePairingIdentity(dir, config.matter);
  const requirePin = config.matter.requirePinForRemoteOperation;
  const doorLoggers = new Map(delivery.doors().map((d) => [d.id as string, options.doorLoggers?.get(d.id) ?? prefixed(options.logger, d.name)]));
  const link = new DoorstepLink({
    delivery,
    logger,
    doorLoggers,
    timeZone: config.delivery.timeZone,
    maxCredentialDays: config.delivery.maxCredentialDays,
    requirePinForRemoteOperation: requirePin,
    ...(options.keypad && { keypad: options.keypad }),
    keypadDeadlineMs: options.keypadDeadlineMs ?? KEYPAD_DEADLINE_MS,
    clock,
  });

  // Only when this process's matter.js is ours: a host that set matter.js up first keeps its own logging.
  const restoreLogs = matterProcessConfigured ? routeMatterLogs(prefixed(logger, "matter.js")) : () => undefined;
  let node: ServerNode;
  try {
    node = await createNode(config, dir, identity);
  } catch (error) {
    restoreLogs();
    throw error;
  }
  node.env.set(DoorstepLink, link);

  let reporter: DeliveryReporter | undefined;
  try {
    const aggregator = new Endpoint(AggregatorEndpoint, { id: "doors" });
    await node.add(aggregator);
    const doors: DoorEndpoints[] = [];
    for (const status of delivery.doors()) {
      const d = doorEndpoints(status, link, requirePin);
      await aggregator.add(d.lock);
      await aggregator.add(d.deliveries);
      await aggregator.add(d.pets);
      await aggregator.add(d.visit);
      // Stored attributes win over construction values; the configured setting wins over both at every start.
      const lockState = matterLockStateChange(status.lock.state);
      await d.lock.set({ doorLock: { requirePinForRemoteOperation: requirePin, ...(lockState !== undefined && { lockState }) } });
      doors.push(d);
    }
    reporter = startDeliveryReporter(link, doors, options.mirrorIntervalMs ?? MIRROR_INTERVAL_MS);
    // A mirror that fails (the store's codes not shown as Matter users) must not keep the bridge from starting:
    // the codes still work; the interval retries and says so.
    await reporter.mirrorNow().catch((error: unknown) => logger.warn(`credential mirror failed at start: ${formatError(error)}`));
    await node.start();
  } catch (error) {
    await reporter?.stop();
    await node.close().catch(() => undefined);
    restoreLogs();
    throw error;
  }

  const { manualPairingCode, qrPairingCode } = node.state.commissioning.pairingCodes;
  // Port 0 in config means "any free port": the node knows which one it got.
  const port = node.state.network.operationalPort > 0 ? node.state.network.operationalPort : config.matter.port;
  if (!node.state.commissioning.commissioned) {
    // The pairing code lets anyone on the network commission the lock: the host shows it to the owner, not the log.
    logger.info(`Ready to pair on UDP port ${port}.`);
  } else {
    logger.info(`Running on UDP port ${port}, paired with ${node.state.commissioning.fabrics ? Object.keys(node.state.commissioning.fabrics).length : 0} fabric(s).`);
  }

  let stopping: Promise<void> | undefined;
  return {
    pairingCode: manualPairingCode,
    qrPairingCode,
    port,
    commissioned: () => node.state.commissioning.commissioned,
    syncUsers: () => reporter!.mirrorNow(),
    stop() {
      stopping ??= (async () => {
        await reporter?.stop();
        try {
          await node.close();
        } catch (error) {
          logger.error(`Stopping the Matter node: ${formatError(error)}`);
        }
        restoreLogs();
      })();
      return stopping;
    },
  };
}

/** The root node: an aggregator bridge with the (uncertified) test vendor and product ids. */
function createNode(config: DoorstepConfig, dir: string, identity: PairingIdentity): Promise<ServerNode> {
  return ServerNode.create({
    id: "doorstep",
    environment: matterEnvironment("doorstep-matter", dir),
    network: { port: config.matter.port },
    commissioning: { passcode: identity.passcode, discriminator: identity.discriminator },
    productDescription: { name: config.name.slice(0, 32), deviceType: AggregatorEndpoint.deviceType },
    basicInformation: {
      vendorName: "Doorstep",
      // 0xFFF1/0x8000 are the test ids: Doorstep holds no certification; controllers warn and accept.
      vendorId: VendorId(0xfff1),
      productName: "Doorstep bridge",
      productId: 0x8000,
      nodeLabel: config.name.slice(0, 32),
      serialNumber: `doorstep-${identity.discriminator}`,
      uniqueId: `doorstep-bridge-${identity.discriminator}`,
    },
  });
}
