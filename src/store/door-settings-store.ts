// The homeowner's per-door switches ("In-home deliveries", "Pets home"), persisted across restarts.
import type { Clock } from "../access/clock.js";
import type { DoorId } from "../access/ids.js";
import type { Database } from "./database.js";
import { optBool } from "./sql-values.js";

export interface DoorSettings {
  inHomeDeliveries: boolean;
  petsHome: boolean;
}

/**
 * A switch the homeowner never touched is stored as NULL and reads as the default passed in, so a changed config
 * default still applies to it.
 */
export class DoorSettingsStore {
  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
  ) {}

  get(doorId: DoorId, defaults: DoorSettings): DoorSettings {
    const row = this.db.get("SELECT in_home_deliveries, pets_home FROM door_settings WHERE door_id = ?", doorId);
    return {
      inHomeDeliveries: (row && optBool(row, "in_home_deliveries")) ?? defaults.inHomeDeliveries,
      petsHome: (row && optBool(row, "pets_home")) ?? defaults.petsHome,
    };
  }

  /** Sets the switches given in `patch` and returns the door's settings after the change. */
  update(doorId: DoorId, patch: Partial<DoorSettings>, defaults: DoorSettings): DoorSettings {
    const flag = (value: boolean | undefined) => (value === undefined ? null : value ? 1 : 0);
    this.db.run(
      `INSERT INTO door_settings (door_id, in_home_deliveries, pets_home, updated_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (door_id) DO UPDATE SET
         in_home_deliveries = coalesce(excluded.in_home_deliveries, in_home_deliveries),
         pets_home = coalesce(excluded.pets_home, pets_home),
         updated_at = excluded.updated_at`,
      doorId,
      flag(patch.inHomeDeliveries),
      flag(patch.petsHome),
      this.clock.now(),
    );
    return this.get(doorId, defaults);
  }
}
