import { Ajv, type ErrorObject } from "ajv";
import { ConfigError } from "../core/errors.js";
import type { DoorConfig, DoorstepConfig } from "./config.js";
import { configSchema } from "./options.js";

export interface ConfigIssue {
  /** A JSON path like `doors[0].camera.port`. */
  path: string;
  message: string;
}

const ajv = new Ajv({ allErrors: true, useDefaults: true, strict: true });
ajv.addKeyword({ keyword: "x-secret", schemaType: "boolean" });
const validateSchema = ajv.compile(configSchema);

/**
 * Validates a raw config (a parsed doorstep.json or the Homebridge platform block) and returns it with defaults applied.
 * Throws ConfigError listing every problem, each with the JSON path it concerns; the input is never modified.
 */
export function validateConfig(raw: unknown, options: { systemTimeZone?: string } = {}): DoorstepConfig {
  const issues = configIssues(raw);
  if (issues.length > 0) {
    throw new ConfigError(`Invalid config: ${issues.map((i) => `${i.path || "(root)"}: ${i.message}`).join("; ")}`, issues);
  }
  const config = withoutUnusedCameras(raw) as Record<string, unknown>;
  validateSchema(config); // applies defaults to the copy
  const typed = config as unknown as DoorstepConfig & { platform?: string; _bridge?: unknown };
  delete typed.platform;
  delete typed._bridge;
  for (const door of typed.doors as (DoorConfig & { hasCamera?: boolean })[]) delete door.hasCamera;
  typed.delivery.timeZone ??= options.systemTimeZone ?? Intl.DateTimeFormat().resolvedOptions().timeZone;
  return typed;
}

/** Every problem with a raw config, schema and cross-field rules together; empty when valid. */
export function configIssues(raw: unknown): ConfigIssue[] {
  const copy = withoutUnusedCameras(raw);
  if (!validateSchema(copy)) return (validateSchema.errors ?? []).map(toIssue);
  return crossFieldIssues(copy as unknown as DoorstepConfig);
}

/**
 * A copy without the camera of each door whose "This door has a camera" switch (Homebridge UI) is off: what was typed
 * there before the switch was turned off is kept in the file but neither checked nor used.
 */
function withoutUnusedCameras(raw: unknown): unknown {
  const copy = structuredClone(raw);
  const doors = (copy as { doors?: unknown } | null)?.doors;
  if (Array.isArray(doors)) {
    for (const door of doors) {
      if (door && typeof door === "object" && (door as { hasCamera?: unknown }).hasCamera === false) delete (door as { camera?: unknown }).camera;
    }
  }
  return copy;
}

function crossFieldIssues(config: DoorstepConfig): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const seen = new Map<string, number>();
  const seenIeee = new Map<string, number>();
  config.doors.forEach((door, i) => {
    if ((door as { hasCamera?: boolean }).hasCamera === true && !door.camera) {
      issues.push({ path: `doors[${i}].camera`, message: "is required when hasCamera is on (fill in the camera, or turn hasCamera off)" });
    }
    const first = seen.get(door.id);
    if (first !== undefined) issues.push({ path: `doors[${i}].id`, message: `duplicate door id "${door.id}" (also doors[${first}])` });
    else seen.set(door.id, i);
    issues.push(...lockIssues(door.lock as unknown as RawLock, `doors[${i}].lock`));
    if (door.lock.ieee === undefined) return;
    const ieee = door.lock.ieee.toLowerCase();
    const firstIeee = seenIeee.get(ieee);
    if (firstIeee !== undefined) issues.push({ path: `doors[${i}].lock.ieee`, message: `lock ${door.lock.ieee} is already used by doors[${firstIeee}]` });
    else seenIeee.set(ieee, i);
  });
  if (config.doors.some((d) => d.lock.driver === "herdsman") && !config.zigbee) {
    issues.push({ path: "zigbee", message: "is required when doors are configured (the coordinator the locks are paired with)" });
  }
  // zigbee-herdsman 10.9.5's deCONZ driver binds its TCP socket's close handler without `this`: the first dropped
  // connection throws an uncaught TypeError that would take the whole bridge down. Its serial path is sound.
  if (config.zigbee?.adapter === "deconz" && config.zigbee.port.startsWith("tcp://")) {
    issues.push({ path: "zigbee.port", message: "deCONZ (ConBee/RaspBee) works over its serial port only: the deCONZ driver of zigbee-herdsman 10.9 crashes when a tcp:// connection closes" });
  }
  const zone = config.delivery?.timeZone;
  if (zone !== undefined && !isTimeZone(zone)) {
    issues.push({ path: "delivery.timeZone", message: `unknown time zone "${zone}" (use an IANA name such as Europe/Berlin)` });
  }
  return issues;
}

type RawLock = { driver: string; ieee?: string; device?: string; mqtt?: unknown; pinSlots?: number };

/** The options each driver needs, and none of the other driver's. */
function lockIssues(lock: RawLock, path: string): ConfigIssue[] {
  if (lock.driver === "zigbee2mqtt") {
    const out: ConfigIssue[] = [];
    if (lock.mqtt === undefined) out.push({ path: `${path}.mqtt`, message: "is required for a lock on Zigbee2MQTT (the broker's url)" });
    if (lock.device === undefined && lock.ieee === undefined) out.push({ path: `${path}.device`, message: "is required for a lock on Zigbee2MQTT (its friendly name), unless ieee is given" });
    return out;
  }
  const out: ConfigIssue[] = [];
  if (lock.ieee === undefined) out.push({ path: `${path}.ieee`, message: "is required (the lock's IEEE address on Doorstep's coordinator)" });
  for (const key of ["device", "mqtt", "pinSlots"] as const) {
    if (lock[key] !== undefined) out.push({ path: `${path}.${key}`, message: 'applies only with driver "zigbee2mqtt"' });
  }
  return out;
}

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

function toIssue(error: ErrorObject): ConfigIssue {
  const base = pointerToPath(error.instancePath);
  const p = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case "required":
      return { path: join(base, String(p.missingProperty)), message: "is required" };
    case "additionalProperties":
      return { path: join(base, String(p.additionalProperty)), message: "is not a known option (check its spelling)" };
    case "enum":
      return { path: base, message: `must be one of ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(", ")}` };
    case "pattern":
      return { path: base, message: patternHint(base) };
    default:
      return { path: base, message: error.message ?? "is invalid" };
  }
}

/** Pattern errors explain the expected shape instead of echoing a regex (and never the value: it may be a secret). */
function patternHint(path: string): string {
  if (path.endsWith(".ieee")) return "must be a 64-bit IEEE address like 0x00124b0012345678";
  if (path.endsWith("zigbee.port")) return "must be a serial path like /dev/ttyUSB0, tcp://host:port or mdns://service-type";
  if (path.endsWith("mqtt.url")) return "must look like mqtt://host:1883 or mqtts://host:8883, without credentials";
  if (path.endsWith(".device") || path.endsWith(".baseTopic")) return "must not contain the MQTT wildcards # or +";
  if (path.endsWith("networkKey")) return "must be 32 hex digits";
  if (path.endsWith("pincode")) return "must look like 031-45-154";
  if (/doors\[\d+\]\.id$/.test(path)) return "must be 1-32 lowercase letters, digits or dashes, starting with a letter or digit";
  return "has the wrong format";
}

function pointerToPath(pointer: string): string {
  return pointer
    .split("/")
    .slice(1)
    .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"))
    .reduce((acc, seg) => (/^\d+$/.test(seg) ? `${acc}[${seg}]` : join(acc, seg)), "");
}

const join = (base: string, key: string) => (base ? `${base}.${key}` : key);
