// Owns the zigbee-herdsman Controller: network start, pairing, interview and identification of locks.
// The Controller never leaves src/zigbee; the rest of the bridge sees LockIdentity and LockDriver only.
import { EventEmitter } from "node:events";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { Controller, Zcl, setLogger } from "zigbee-herdsman";
import type { Models } from "zigbee-herdsman";
import { ConfigError, DeviceUnreachableError, ValidationError, formatError } from "../core/errors.js";
import { silentLogger, type Logger } from "../core/logger.js";
import { ADAPTERS, adapterHint, herdsmanPortOptions, type AdapterFamily } from "./adapter-options.js";
import { toDriverError } from "./herdsman-errors.js";
import { findLockModel, resolveCapabilities, type InterviewAttributes } from "./devices.js";
import type { LockCapabilities, LockIdentity } from "./lock-driver.js";

/** Structurally the `zigbee` block of the config. */
export interface CoordinatorConfig {
  adapter?: AdapterFamily | "auto";
  /** A serial path, "tcp://host:port" or "mdns://service-type". */
  port: string;
  baudRate?: number;
  rtscts?: boolean;
  channel: number;
  panId: number;
  /** 32 hex digits. Without it herdsman's well-known default key would be used, so a real network should set one. */
  networkKey?: string;
}

export interface CoordinatorOptions {
  config: CoordinatorConfig;
  /** Storage dir: herdsman's database and the coordinator backup are kept here. */
  storageDir: string;
  logger?: Logger;
}

export type Interviewed =
  | { ieee: string; status: "successful"; identity: LockIdentity; capabilities: LockCapabilities }
  | { ieee: string; status: "failed"; reason: string };

export interface CoordinatorEvents {
  deviceJoined: [{ ieee: string }];
  interview: [Interviewed];
  deviceLeft: [{ ieee: string }];
  permitJoin: [{ open: boolean; seconds?: number }];
  disconnected: [];
}

/** Door Lock attributes read once at interview and kept in herdsman's database (device.meta). */
const INTERVIEW_ATTRIBUTES = [
  "numOfPinUsersSupported",
  "numOfWeekDaySchedulesSupportedPerUser",
  "numOfYearDaySchedulesSupportedPerUser",
  "maxPinLen",
  "minPinLen",
  "requirePinForRfOperation",
] as const;
const META_KEY = "doorstepLock";
/** Herdsman accepts 1–254 s; 255 would mean "forever" on some stacks, which pairing must never be. */
const MAX_PERMIT_JOIN_S = 254;

export class ZigbeeCoordinator {
  readonly events = new EventEmitter<CoordinatorEvents>();
  private controller: Controller | undefined;
  private readonly log: Logger;
  private readonly identities = new Map<string, { identity: LockIdentity; capabilities: LockCapabilities }>();

  constructor(private readonly options: CoordinatorOptions) {
    this.log = options.logger ?? silentLogger;
  }

  /** Starts the network; resolves with how herdsman found the adapter ("resumed", "reset" or "restored"). */
  async start(): Promise<string> {
    if (this.controller) throw new ValidationError("the Zigbee coordinator is already started");
    const cfg = this.options.config;
    if (cfg.adapter !== undefined && cfg.adapter !== "auto" && !ADAPTERS.includes(cfg.adapter)) {
      throw new ConfigError(`zigbee.adapter: unsupported adapter ${String(cfg.adapter)} (one of ${ADAPTERS.join(", ")}, auto)`);
    }
    mkdirSync(this.options.storageDir, { recursive: true, mode: 0o700 });
    installHerdsmanLogger(this.log);
    const controller = new Controller({
      network: {
        panID: cfg.panId,
        channelList: [cfg.channel],
        ...(cfg.networkKey && { networkKey: parseNetworkKey(cfg.networkKey) }),
      },
      // For tcp:// herdsman's Z-Stack port calls setNoDelay(true) on its socket (adapter/z-stack/znp/znp.js openSocketPort),
      // so no Nagle stall sits between us and the coordinator (checked in test/zigbee/coordinator.test.ts). This folder
      // opens no other socket. Herdsman 10.x names this block `serialPort` (11.x renamed it `transport`).
      serialPort: herdsmanPortOptions(cfg),
      databasePath: join(this.options.storageDir, "zigbee-database.db"),
      databaseBackupPath: join(this.options.storageDir, "zigbee-database.db.backup"),
      backupPath: join(this.options.storageDir, "zigbee-coordinator-backup.json"),
      adapter: { disableLED: false },
      acceptJoiningDeviceHandler: async () => true,
    });
    controller.on("deviceJoined", (e) => this.events.emit("deviceJoined", { ieee: e.device.ieeeAddr }));
    controller.on("deviceLeave", (e) => {
      this.identities.delete(e.ieeeAddr);
      this.log.info(`Device ${e.ieeeAddr} left the network.`);
      this.events.emit("deviceLeft", { ieee: e.ieeeAddr });
    });
    controller.on("deviceInterview", (e) => {
      if (e.status === "started") return;
      if (e.status === "failed") {
        this.log.warn(`Interview of ${e.device.ieeeAddr} failed; bring the lock close to the coordinator and pair it again.`);
        this.events.emit("interview", { ieee: e.device.ieeeAddr, status: "failed", reason: "interview failed" });
        return;
      }
      this.onInterviewed(e.device).catch((error: unknown) => {
        const reason = formatError(toDriverError(error, "lock setup"));
        this.log.warn(`Could not set up ${e.device.ieeeAddr}: ${reason}; pair it again.`);
        this.events.emit("interview", { ieee: e.device.ieeeAddr, status: "failed", reason });
      });
    });
    controller.on("permitJoinChanged", (e) => this.events.emit("permitJoin", { open: e.permitted, ...(e.time !== undefined && { seconds: e.time }) }));
    controller.on("adapterDisconnected", () => {
      this.log.error("The Zigbee coordinator disconnected; check its cable or network connection.");
      this.events.emit("disconnected");
    });
    this.controller = controller;
    try {
      const result = await controller.start();
      this.log.info(`Zigbee network ${result} on channel ${cfg.channel}.`);
      return result;
    } catch (error) {
      this.controller = undefined;
      controller.removeAllListeners();
      throw new DeviceUnreachableError(`The Zigbee coordinator at ${cfg.port} did not start (${redactPins(formatError(error))}); ${adapterHint(cfg)}.`);
    }
  }

  async stop(): Promise<void> {
    const c = this.controller;
    this.controller = undefined;
    if (!c) return;
    try {
      await c.stop();
    } finally {
      c.removeAllListeners();
      clearHerdsmanDebouncers(c);
    }
  }

  /** Opens the network for pairing for at most `seconds` (1–254). */
  async permitJoin(seconds: number): Promise<void> {
    if (!Number.isInteger(seconds) || seconds < 0 || seconds > MAX_PERMIT_JOIN_S) {
      throw new ValidationError(`must be an integer 0–${MAX_PERMIT_JOIN_S}`, "permitJoin.seconds");
    }
    await this.herdsman().permitJoin(seconds);
  }

  isJoinOpen(): boolean {
    return this.controller?.getPermitJoin() ?? false;
  }

  /** Locks known to the network (interviewed, with a Door Lock cluster). */
  locks(): LockIdentity[] {
    const out: LockIdentity[] = [];
    for (const d of this.herdsman().getDevicesIterator((x) => x.type !== "Coordinator")) {
      const info = this.lockInfo(d.ieeeAddr);
      if (info) out.push(info.identity);
    }
    return out;
  }

  /** Identity and capabilities of a paired lock, or undefined when no such lock is known. */
  lockInfo(ieee: string): { identity: LockIdentity; capabilities: LockCapabilities } | undefined {
    const known = this.identities.get(ieee);
    if (known) return known;
    const device = this.controller?.getDeviceByIeeeAddr(ieee);
    const meta = device?.meta[META_KEY] as { identity: LockIdentity; attributes: InterviewAttributes } | undefined;
    if (!device || !meta || !lockEndpoint(device)) return undefined;
    const info = { identity: meta.identity, capabilities: resolveCapabilities(findLockModel(device.modelID), meta.attributes) };
    this.identities.set(ieee, info);
    return info;
  }

  /** @internal The herdsman Controller, for the drivers in this folder only. */
  herdsman(): Controller {
    if (!this.controller) throw new DeviceUnreachableError("the Zigbee coordinator is not started");
    return this.controller;
  }

  /** @internal */
  device(ieee: string): Models.Device | undefined {
    return this.controller?.getDeviceByIeeeAddr(ieee);
  }

  /** @internal */
  coordinatorEndpoint(): Models.Endpoint {
    const ep = this.herdsman().getDevicesByType("Coordinator")[0]?.getEndpoint(1);
    if (!ep) throw new DeviceUnreachableError("the Zigbee coordinator has no endpoint 1");
    return ep;
  }

  // ── Interview ──

  private async onInterviewed(device: Models.Device): Promise<void> {
    const endpoint = lockEndpoint(device);
    if (!endpoint) {
      this.log.info(`Device ${device.ieeeAddr} (${device.modelID ?? "unknown model"}) has no Door Lock cluster; ignored.`);
      return;
    }
    const definition = await (await converters()).findByDevice(device);
    const model = findLockModel(device.modelID);
    const identity: LockIdentity = {
      ieee: device.ieeeAddr,
      vendor: model?.vendor ?? definition?.vendor ?? device.manufacturerName ?? "unknown",
      model: model?.model ?? definition?.model ?? device.modelID ?? "unknown",
      description: model?.description ?? definition?.description ?? "Zigbee door lock",
      supported: model !== undefined,
    };
    const attributes = await readInterviewAttributes(endpoint);
    await this.configureReporting(endpoint);
    device.meta[META_KEY] = { identity, attributes };
    device.save();
    const capabilities = resolveCapabilities(model, attributes);
    this.identities.set(device.ieeeAddr, { identity, capabilities });
    this.log.info(
      `Paired ${identity.vendor} ${identity.model} (${device.ieeeAddr}): ${capabilities.pinSlots} PIN slots, ` +
        `${capabilities.yearDaySchedules} year-day schedules${identity.supported ? "" : " (model not in Doorstep's table: using what it reports)"}.`,
    );
    this.events.emit("interview", { ieee: device.ieeeAddr, status: "successful", identity, capabilities });
  }

  /** Binds the Door Lock and Power cluster to us and asks for lockState and battery reports. */
  private async configureReporting(endpoint: Models.Endpoint): Promise<void> {
    const coordinator = this.coordinatorEndpoint();
    await endpoint.bind("closuresDoorLock", coordinator);
    await endpoint.configureReporting("closuresDoorLock", [
      { attribute: "lockState", minimumReportInterval: 0, maximumReportInterval: 3600, reportableChange: 0 },
    ]);
    if (endpoint.supportsInputCluster("genPowerCfg")) {
      await endpoint.bind("genPowerCfg", coordinator);
      await endpoint.configureReporting("genPowerCfg", [
        { attribute: "batteryPercentageRemaining", minimumReportInterval: 3600, maximumReportInterval: 62000, reportableChange: 0 },
      ]);
    }
  }
}

/** The endpoint that serves the Door Lock cluster (1 on Yale, 2 on some Kwikset). */
export function lockEndpoint(device: Models.Device): Models.Endpoint | undefined {
  return device.endpoints.find((e) => e.supportsInputCluster("closuresDoorLock"));
}

async function readInterviewAttributes(endpoint: Models.Endpoint): Promise<InterviewAttributes> {
  // One read frame without herdsman's all-or-nothing status check: an attribute the lock lacks comes back
  // UNSUPPORTED_ATTRIBUTE and is simply absent (the device table fills it in).
  const cluster = Zcl.Utils.getCluster("closuresDoorLock");
  const ids = INTERVIEW_ATTRIBUTES.map((name) => ({ attrId: cluster.attributes[name]!.ID }));
  const frame = await endpoint.zclCommand("closuresDoorLock", "read", ids, {}, undefined, false);
  const records = (frame?.payload ?? []) as { attrId: number; status: number; attrData?: unknown }[];
  const out: InterviewAttributes = {};
  for (const name of INTERVIEW_ATTRIBUTES) {
    const rec = records.find((r) => r.attrId === cluster.attributes[name]!.ID);
    const v = rec?.status === 0 ? rec.attrData : undefined;
    if (typeof v === "number" || typeof v === "boolean") (out as Record<string, unknown>)[name] = v;
  }
  return out;
}

/**
 * zigbee-herdsman's Z-Stack adapter (10.9.5, 11.1.1) keeps a 60 s route-discovery debounce timer per announced end device
 * and does not clear it on stop(), which would hold the process (and a test run) open for a minute.
 */
function clearHerdsmanDebouncers(controller: Controller): void {
  const adapter = (controller as unknown as { adapter?: { deviceAnnounceRouteDiscoveryDebouncers?: unknown } }).adapter;
  const debouncers = adapter?.deviceAnnounceRouteDiscoveryDebouncers;
  if (!(debouncers instanceof Map)) return;
  for (const d of debouncers.values()) (d as { clear?: () => void }).clear?.();
  debouncers.clear();
}

export function parseNetworkKey(hex: string): number[] {
  if (!/^[0-9a-fA-F]{32}$/.test(hex)) throw new ConfigError("zigbee.networkKey: must be 32 hex digits");
  return Array.from({ length: 16 }, (_, i) => parseInt(hex.slice(i * 2, i * 2 + 2), 16));
}

// Herdsman logs ZCL payloads (PINs included) at debug level and in some error texts, and the converters print their
// debug lines to the console by default; only warnings and errors reach our logger, with any PIN-carrying field blanked.
let herdsmanLogTarget: Logger = silentLogger;
function installHerdsmanLogger(log: Logger): void {
  herdsmanLogTarget = log;
  const text = (m: string | (() => string)) => redactPins(typeof m === "function" ? m() : m);
  const sink = {
    debug: () => undefined,
    info: () => undefined,
    warning: (m: string | (() => string), ns: string) => herdsmanLogTarget.debug(`herdsman ${ns}: ${text(m)}`),
    error: (m: string | (() => string), ns: string) => herdsmanLogTarget.warn(`herdsman ${ns}: ${text(m)}`),
  };
  setLogger(sink);
  convertersLogSink = sink;
}

// zigbee-herdsman-converters holds every device definition there is (tens of MiB once loaded): it is loaded only when a
// device is paired, and a lock paired before is identified from herdsman's database (device.meta) without it.
let convertersLogSink: Parameters<typeof import("zigbee-herdsman-converters").setLogger>[0] | undefined;
let convertersModule: Promise<typeof import("zigbee-herdsman-converters")> | undefined;
function converters(): Promise<typeof import("zigbee-herdsman-converters")> {
  convertersModule ??= import("zigbee-herdsman-converters").then((m) => {
    if (convertersLogSink) m.setLogger(convertersLogSink);
    return m;
  });
  return convertersModule;
}

/** Blanks the values of PIN-carrying ZCL fields in a herdsman log line. */
export function redactPins(line: string): string {
  return line.replace(/("?(?:pincodevalue|pin|pin_code|code)"?\s*[:=]\s*)("[^"]*"|\{[^}]*\}|\[[^\]]*\]|[0-9A-Za-z]+)/gi, "$1<redacted>");
}
