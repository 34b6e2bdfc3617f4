// A Zigbee2MQTT device entry (`bridge/devices`) → the lock's identity and capabilities.
// The exposes say whether the device is a lock and takes PINs; the slot count comes from the `pin_code.user`
// feature's value_max when Zigbee2MQTT states it, else from Doorstep's device table (by Zigbee model id), else from
// the door's configured `pinSlots`. Zigbee2MQTT has no year-day/week-day converters: the bridge enforces every window.
import { findLockModel, traitsOf } from "./devices.js";
import type { LockCapabilities, LockIdentity } from "./lock-driver.js";
import { asObject, type Json } from "./z2m-payload.js";

/** How the config names the lock: its friendly name or its IEEE address. */
export type Z2mDeviceRef = { kind: "friendly-name"; name: string } | { kind: "ieee"; ieee: string };

export interface Z2mDevice {
  ieee: string;
  friendlyName: string;
  supported: boolean;
  disabled: boolean;
  interviewed: boolean;
  modelId?: string;
  definition?: { vendor: string; model: string; description: string; exposes: unknown[] };
}

/** Parses the `bridge/devices` payload (an array); entries that are not objects are skipped. */
export function parseDevices(payload: unknown): Z2mDevice[] {
  if (!Array.isArray(payload)) return [];
  return payload.flatMap((raw): Z2mDevice[] => {
    const d = asObject(raw);
    if (!d || typeof d.ieee_address !== "string" || typeof d.friendly_name !== "string") return [];
    const def = asObject(d.definition);
    return [{
      ieee: d.ieee_address.toLowerCase(),
      friendlyName: d.friendly_name,
      supported: d.supported !== false,
      disabled: d.disabled === true,
      interviewed: d.interview_completed !== false,
      ...(typeof d.model_id === "string" && { modelId: d.model_id }),
      ...(def && {
        definition: {
          vendor: String(def.vendor ?? "unknown"),
          model: String(def.model ?? "unknown"),
          description: String(def.description ?? ""),
          exposes: Array.isArray(def.exposes) ? def.exposes : [],
        },
      }),
    }];
  });
}

export function findDevice(devices: readonly Z2mDevice[], ref: Z2mDeviceRef): Z2mDevice | undefined {
  return ref.kind === "ieee" ? devices.find((d) => d.ieee === ref.ieee.toLowerCase()) : devices.find((d) => d.friendlyName === ref.name);
}

export interface LockExposes {
  isLock: boolean;
  takesPins: boolean;
  /** From `pin_code.user.value_max` when stated. */
  pinSlots?: number;
}

/** Reads the exposes: a `lock` expose with a `state` feature, and a `pin_code` composite. */
export function lockExposes(exposes: readonly unknown[]): LockExposes {
  const all = flatten(exposes);
  const isLock = all.some((e) => e.type === "lock") && all.some((e) => e.property === "state" || e.name === "state");
  const pin = all.find((e) => e.type === "composite" && e.property === "pin_code");
  const user = pin && flatten(Array.isArray(pin.features) ? pin.features : []).find((f) => f.property === "user" || f.name === "user");
  const max = user?.value_max;
  return {
    isLock,
    takesPins: pin !== undefined,
    ...(typeof max === "number" && Number.isInteger(max) && max >= 0 && { pinSlots: max + 1 }),
  };
}

export interface Z2mLockProfile {
  identity: LockIdentity;
  capabilities: LockCapabilities;
  /** Where the slot count came from, for the start-up log. */
  slotsFrom: "exposes" | "device-table" | "config" | "none";
}

/** Identity and capabilities of a Zigbee2MQTT lock; `configuredSlots` is the door's `lock.pinSlots`. */
export function lockProfile(device: Z2mDevice, configuredSlots?: number): Z2mLockProfile {
  const exposes = lockExposes(device.definition?.exposes ?? []);
  const model = device.modelId ? findLockModel(device.modelId) : undefined;
  const traits = traitsOf(model);
  let pinSlots = 0;
  let slotsFrom: Z2mLockProfile["slotsFrom"] = "none";
  if (exposes.takesPins) {
    if (exposes.pinSlots !== undefined) [pinSlots, slotsFrom] = [exposes.pinSlots, "exposes"];
    else if (model) [pinSlots, slotsFrom] = [traits.pinSlots, "device-table"];
    else if (configuredSlots !== undefined) [pinSlots, slotsFrom] = [configuredSlots, "config"];
  }
  const identity: LockIdentity = {
    ieee: device.ieee,
    vendor: model?.vendor ?? device.definition?.vendor ?? "unknown",
    model: model?.model ?? device.definition?.model ?? device.modelId ?? "unknown",
    description: model?.description ?? device.definition?.description ?? "",
    supported: model !== undefined,
  };
  const capabilities: LockCapabilities = {
    pinSlots,
    minPinLength: traits.minPinLength,
    maxPinLength: traits.maxPinLength,
    yearDaySchedules: 0,
    weekDaySchedules: 0,
    // Zigbee2MQTT shows a read-back PIN only with the device option expose_pin; the driver compares when it does.
    masksPinsOnRead: traits.masksPinsOnRead,
    duplicateCodeStatus: traits.duplicateCodeStatus,
    reservedSlots: traits.reservedSlots,
  };
  return { identity, capabilities, slotsFrom };
}

/** Exposes nest (a `lock` expose has `features`); one flat list of every entry. */
function flatten(list: readonly unknown[]): Json[] {
  const out: Json[] = [];
  for (const item of list) {
    const o = asObject(item);
    if (!o) continue;
    out.push(o);
    if (Array.isArray(o.features) && o.type !== "composite") out.push(...flatten(o.features));
  }
  return out;
}
