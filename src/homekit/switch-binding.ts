// The door's two homeowner switches, "In-home deliveries" and "Pets home": stored by the delivery service, which
// decides with them (pets home → leave it outside), and pushed back here whenever anyone changes them.
import { formatError } from "../core/errors.js";
import { ownerVia } from "../delivery/actor.js";
import type { DeliveryEvents } from "../delivery/delivery-port.js";
import type { DoorSettings } from "../store/door-settings-store.js";
import type { DoorBindingContext } from "./door-binding-context.js";
import { ensureService, noResponse, type Binding } from "./service-helpers.js";

/** The switches as HomeKit shows them; the subtype is part of the service's identity (keep it stable). */
export const DOOR_SWITCHES: readonly { key: keyof DoorSettings; name: string; subtype: string }[] = [
  { key: "inHomeDeliveries", name: "In-home deliveries", subtype: "in-home-deliveries" },
  { key: "petsHome", name: "Pets home", subtype: "pets-home" },
];

export function bindSwitches(ctx: DoorBindingContext): Binding {
  const { hap, accessory, doorId, delivery, logger } = ctx;
  const On = hap.Characteristic.On;
  const services = DOOR_SWITCHES.map((s) => {
    const service = ensureService(hap, accessory, hap.Service.Switch, s.name, s.subtype);
    service
      .getCharacteristic(On)
      .onGet(() => delivery.door(doorId).switches[s.key])
      .onSet((value) => {
        try {
          delivery.setSwitches(doorId, { [s.key]: value === true || value === 1 }, ownerVia("homekit"));
          logger.info(`${s.name} switched ${value ? "on" : "off"} (Apple Home).`);
        } catch (error) {
          logger.error(`Unable to switch ${s.name}: ${formatError(error)}.`);
          throw noResponse(hap);
        }
      });
    return { ...s, service };
  });

  const push = (switches: DoorSettings) => {
    for (const s of services) s.service.updateCharacteristic(On, switches[s.key]);
  };
  const onSwitches: (...args: DeliveryEvents["switches"]) => void = (e) => {
    if (e.doorId === doorId) push(e.switches);
  };
  delivery.events.on("switches", onSwitches);
  push(delivery.door(doorId).switches);
  return { dispose: () => delivery.events.off("switches", onSwitches) };
}
