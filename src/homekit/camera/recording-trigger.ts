// What makes HomeKit Secure Video record at a door: the camera's own motion events (ONVIF) and a guest's visit (the
// door unlocked for someone other than the owner). Either one sets the camera accessory's motion sensor, which is the
// trigger the home hub watches; the recording ends when both are over.
import type { Logger } from "../../core/logger.js";
import type { CameraFeed, DeliveryEvents, DeliveryPort } from "../../delivery/delivery-port.js";
import type { Hap } from "../hap-module.js";
import type { Binding } from "../service-helpers.js";
import type { CameraBinding } from "./camera-binding.js";

export interface RecordingTriggerOptions {
  hap: Hap;
  doorId: string;
  delivery: DeliveryPort;
  feed: CameraFeed;
  camera: CameraBinding;
  logger: Logger;
}

export function bindRecordingTrigger(options: RecordingTriggerOptions): Binding {
  const { hap, doorId, delivery, feed, camera, logger } = options;
  const sensor = camera.controller.motionService;
  let motion = false;
  const guestVisits = new Set<string>();

  const update = () => {
    const triggered = motion || guestVisits.size > 0;
    sensor?.updateCharacteristic(hap.Characteristic.MotionDetected, triggered);
    camera.recording.setTriggered(triggered);
  };
  const stopMotion = feed.onMotion((active) => {
    if (active === motion) return;
    motion = active;
    logger.debug(`Camera motion ${active ? "started" : "ended"}.`);
    update();
  });
  const onStarted: (...args: DeliveryEvents["visitStarted"]) => void = ({ visit }) => {
    if (visit.doorId !== doorId || visit.via === "owner") return;
    guestVisits.add(visit.id);
    update();
  };
  const onEnded: (...args: DeliveryEvents["visitEnded"]) => void = ({ visit }) => {
    if (visit.doorId !== doorId || !guestVisits.delete(visit.id)) return;
    update();
  };
  delivery.events.on("visitStarted", onStarted);
  delivery.events.on("visitEnded", onEnded);
  update();
  return {
    dispose() {
      stopMotion();
      delivery.events.off("visitStarted", onStarted);
      delivery.events.off("visitEnded", onEnded);
    },
  };
}
