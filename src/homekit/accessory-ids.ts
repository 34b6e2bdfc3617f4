// Accessory UUIDs derive from the door id only, so they survive restarts, renames and cache restores.
import { PLUGIN_NAME } from "../config/options.js";
import type { Hap } from "./hap-module.js";

export type DoorAccessoryKind = "lock" | "camera";

/** The stable UUID of one of a door's accessories. */
export function doorAccessoryUuid(hap: Hap, doorId: string, kind: DoorAccessoryKind): string {
  return hap.uuid.generate(`${PLUGIN_NAME}:door:${doorId}:${kind}`);
}
