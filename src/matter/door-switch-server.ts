// "In-home deliveries" and "Pets home" as Matter OnOff: a controller's On/Off goes to DeliveryPort.setSwitches first
// (persisted, audited); only then does the attribute change. The delivery service's `switches` event keeps it in step
// when the switch changes elsewhere.
import { OnOffServer } from "@matter/main/behaviors/on-off";
import { InternalError } from "../core/errors.js";
import { matterStatusError } from "./matter-status.js";
import { ownerVia } from "../delivery/actor.js";
import { DoorstepLink } from "./doorstep-link.js";

export class DoorSwitchServer extends OnOffServer {
  override async on(): Promise<void> {
    this.#apply(true);
    await super.on();
  }

  override async off(): Promise<void> {
    this.#apply(false);
    await super.off();
  }

  #apply(value: boolean): void {
    const link = this.env.get(DoorstepLink);
    const role = link.role(this.endpoint.id);
    if (role.kind !== "switch") throw matterStatusError(new InternalError(`Endpoint ${this.endpoint.id} is not a Doorstep switch`));
    try {
      link.delivery.setSwitches(role.doorId, { [role.switch]: value }, ownerVia("matter"));
    } catch (error) {
      throw matterStatusError(error, "The switch did not change");
    }
  }
}
