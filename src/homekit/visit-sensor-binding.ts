// "Guest visit": an occupancy sensor that is occupied while a guest's visit is open, so the Home app can notify
// the homeowner when one starts. The owner's own unlocks are visits too, but not guest visits.
import { ownerVia } from "../delivery/actor.js";
import type { DeliveryEvents } from "../delivery/delivery-port.js";
import type { Visit } from "../store/visit-store.js";
import type { DoorBindingContext } from "./door-binding-context.js";
import { ensureService, type Binding } from "./service-helpers.js";

export const GUEST_VISIT_SENSOR = { name: "Guest visit", subtype: "guest-visit" } as const;

const isGuestVisit = (visit: Visit) => visit.via !== "owner";

export function bindVisitSensor(ctx: DoorBindingContext): Binding {
  const { hap, accessory, doorId, delivery, logger } = ctx;
  const C = hap.Characteristic;
  const service = ensureService(hap, accessory, hap.Service.OccupancySensor, GUEST_VISIT_SENSOR.name, GUEST_VISIT_SENSOR.subtype);

  let guestVisit: string | undefined;
  const open = delivery.door(doorId).visitId;
  if (open !== undefined) {
    const visit = delivery.getVisit(open, ownerVia("homekit"));
    if (isGuestVisit(visit)) guestVisit = visit.id;
  }
  const value = () => (guestVisit ? C.OccupancyDetected.OCCUPANCY_DETECTED : C.OccupancyDetected.OCCUPANCY_NOT_DETECTED);
  service.getCharacteristic(C.OccupancyDetected).onGet(value);

  const onStarted: (...args: DeliveryEvents["visitStarted"]) => void = ({ visit }) => {
    if (visit.doorId !== doorId || !isGuestVisit(visit)) return;
    guestVisit = visit.id;
    logger.info(`Guest visit started (${visit.via}).`);
    service.updateCharacteristic(C.OccupancyDetected, value());
  };
  const onEnded: (...args: DeliveryEvents["visitEnded"]) => void = ({ visit }) => {
    if (visit.doorId !== doorId || visit.id !== guestVisit) return;
    guestVisit = undefined;
    service.updateCharacteristic(C.OccupancyDetected, value());
  };
  delivery.events.on("visitStarted", onStarted);
  delivery.events.on("visitEnded", onEnded);
  service.updateCharacteristic(C.OccupancyDetected, value());
  return {
    dispose() {
      delivery.events.off("visitStarted", onStarted);
      delivery.events.off("visitEnded", onEnded);
    },
  };
}
