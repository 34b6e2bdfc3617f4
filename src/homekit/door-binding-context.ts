import type { Logger } from "../core/logger.js";
import type { DeliveryPort } from "../delivery/delivery-port.js";
import type { AccessoryHost, Hap } from "./hap-module.js";

/** What each per-door HomeKit binding is given. */
export interface DoorBindingContext {
  hap: Hap;
  accessory: AccessoryHost;
  doorId: string;
  /** The door's name as configured ("Front door"). */
  name: string;
  delivery: DeliveryPort;
  /** Already prefixed with the door's name. */
  logger: Logger;
}
