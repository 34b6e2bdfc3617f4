// Small helpers every HomeKit binding uses: find-or-add a service (cached accessories already have theirs), the one
// HAP error for "the device does not answer", and the disposable binding shape.
import type { Service, WithUUID } from "@homebridge/hap-nodejs";
import type { AccessoryHost, Hap } from "./hap-module.js";

/** What a binding returns: undo every listener it added. */
export interface Binding {
  dispose(): void;
}

/** A HAP service class (hap.Service.LockMechanism, …): its UUID and its (displayName, subtype) constructor. */
export type ServiceType = WithUUID<typeof Service> & (new (displayName?: string, subtype?: string) => Service);

/**
 * The accessory's service of this type (and subtype), added if missing. Secondary services get a ConfiguredName,
 * without which iOS 16+ shows the accessory's name instead of theirs.
 */
export function ensureService(
  hap: Hap,
  accessory: AccessoryHost,
  type: ServiceType,
  name: string,
  subtype?: string,
): Service {
  const existing = subtype ? accessory.getServiceById(type, subtype) : accessory.getService(type);
  const service = existing ?? accessory.addService(new type(name, subtype));
  if (subtype) {
    if (!service.optionalCharacteristics.some((c) => c.UUID === hap.Characteristic.ConfiguredName.UUID)) {
      service.addOptionalCharacteristic(hap.Characteristic.ConfiguredName);
    }
    const configured = service.getCharacteristic(hap.Characteristic.ConfiguredName);
    if (!configured.value) configured.setValue(name);
  }
  return service;
}

/** "No Response" in the Home app: the device behind the characteristic does not answer. */
export function noResponse(hap: Hap): Error {
  return new hap.HapStatusError(hap.HAPStatus.SERVICE_COMMUNICATION_FAILURE);
}
