// Cached accessories of a Doorstep that could not start: every read answers "No Response" instead of the values
// Homebridge restored from its cache, which may be hours old.
import type { PlatformAccessory } from "homebridge";
import type { Hap } from "../homekit/hap-module.js";
import { noResponse } from "../homekit/service-helpers.js";

export function markNoResponse(hap: Hap, accessory: PlatformAccessory): void {
  for (const service of accessory.services) {
    if (service.UUID === hap.Service.AccessoryInformation.UUID) continue;
    for (const characteristic of service.characteristics) {
      if (characteristic.UUID === hap.Characteristic.Name.UUID) continue;
      characteristic.onGet(() => {
        throw noResponse(hap);
      });
    }
  }
}
