// One door in HomeKit: the lock accessory (lock, lock management, the two switches, the "Guest visit" sensor) and,
// when the door has a camera, the camera accessory. The same code serves the standalone bridge and Homebridge:
// the caller creates (or restores) the accessories and hands them in.
import type { Logger } from "../core/logger.js";
import type { CameraFeed, DeliveryPort } from "../delivery/delivery-port.js";
import { bindAccessCodes, type AccessCodeOptions } from "./access-code-binding.js";
import { bindCamera, type CameraBinding } from "./camera/camera-binding.js";
import type { LiveVideoMode } from "./camera/live-stream-args.js";
import { bindRecordingTrigger } from "./camera/recording-trigger.js";
import type { DoorBindingContext } from "./door-binding-context.js";
import type { AccessoryHost, Hap } from "./hap-module.js";
import { bindLock } from "./lock-binding.js";
import type { Binding } from "./service-helpers.js";
import { bindSwitches } from "./switch-binding.js";
import { bindVisitSensor } from "./visit-sensor-binding.js";

export const MANUFACTURER = "Doorstep";

export interface DoorHomeKitOptions {
  hap: Hap;
  doorId: string;
  name: string;
  delivery: DeliveryPort;
  /** Already prefixed with the door's name. */
  logger: Logger;
  lockAccessory: AccessoryHost;
  /** The Access Code service (Apple Home manages keypad codes); absent: the lock has none. */
  accessCodes?: AccessCodeOptions;
  /** Both present, or the door has no camera in HomeKit. */
  camera?: { accessory: AccessoryHost; feed: CameraFeed; ffmpegPath: string; videoMode?: LiveVideoMode };
}

export class DoorHomeKit {
  private bindings: Binding[] = [];
  private cameraBinding: CameraBinding | undefined;

  constructor(private readonly options: DoorHomeKitOptions) {}

  /** The live view's delegate, when the door has a camera. */
  get camera(): CameraBinding | undefined {
    return this.cameraBinding;
  }

  /** Builds (or re-binds restored) services and starts pushing the door's state to them. */
  start(): void {
    const { hap, doorId, name, delivery, logger, lockAccessory, camera } = this.options;
    const status = delivery.door(doorId);
    setInformation(hap, lockAccessory, { model: status.lock.model ?? "Zigbee lock", serial: `${doorId}-lock` });
    const ctx: DoorBindingContext = { hap, accessory: lockAccessory, doorId, name, delivery, logger };
    this.bindings = [bindLock(ctx), bindSwitches(ctx), bindVisitSensor(ctx)];
    if (this.options.accessCodes) this.bindings.push(bindAccessCodes(ctx, this.options.accessCodes));
    if (camera) {
      setInformation(hap, camera.accessory, { model: "ONVIF camera", serial: `${doorId}-camera` });
      this.cameraBinding = bindCamera({
        hap,
        accessory: camera.accessory,
        feed: camera.feed,
        ffmpegPath: camera.ffmpegPath,
        ...(camera.videoMode && { videoMode: camera.videoMode }),
        logger,
      });
      this.bindings.push(bindRecordingTrigger({ hap, doorId, delivery, feed: camera.feed, camera: this.cameraBinding, logger }));
    }
  }

  /** Stops listening to the delivery service and ends every live view. */
  async stop(): Promise<void> {
    for (const binding of this.bindings.splice(0)) binding.dispose();
    await this.cameraBinding?.stop();
  }
}

function setInformation(hap: Hap, accessory: AccessoryHost, info: { model: string; serial: string }): void {
  const C = hap.Characteristic;
  const service = accessory.getService(hap.Service.AccessoryInformation);
  if (!service) return;
  service.setCharacteristic(C.Manufacturer, MANUFACTURER).setCharacteristic(C.Model, info.model).setCharacteristic(C.SerialNumber, info.serial);
}
