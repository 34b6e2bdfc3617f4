// LockMechanism + LockManagement for one door, fed by the delivery service. Reads come from the service, never a
// cached value; an unreachable lock reads as "No Response" and is pushed as UNKNOWN.
import { formatError } from "../core/errors.js";
import { ownerVia } from "../delivery/actor.js";
import type { DeliveryEvents } from "../delivery/delivery-port.js";
import type { LockState } from "../zigbee/lock-driver.js";
import type { DoorBindingContext } from "./door-binding-context.js";
import { lastKnownAction, LAST_ACTION, type LastKnownAction, type LockCause } from "./last-known-action.js";
import { hapLockReading, TARGET, type HapTargetState } from "./lock-state-map.js";
import { ensureService, noResponse, type Binding } from "./service-helpers.js";

/** How long a HomeKit write waits for the lock before answering; HAP times writes out after 9 s (3 s warning + 6 s). */
export const OWNER_COMMAND_WAIT_MS = 5_000;
/** HAP spec: the Lock Management service's Version characteristic. */
const LOCK_MANAGEMENT_VERSION = "1.0";

export function bindLock(ctx: DoorBindingContext): Binding {
  const { hap, accessory, doorId, delivery, logger } = ctx;
  const C = hap.Characteristic;
  const lock = ensureService(hap, accessory, hap.Service.LockMechanism, ctx.name);
  const management = ensureService(hap, accessory, hap.Service.LockManagement, ctx.name);

  const initial = delivery.door(doorId);
  let target: HapTargetState = hapLockReading(initial.lock.state, true).target ?? TARGET.SECURED;
  // Before Doorstep saw anyone act, the best it knows is the lock's own state.
  let lastAction: LastKnownAction = initial.lock.state === "unlocked" ? LAST_ACTION.UNSECURED_PHYSICALLY : LAST_ACTION.SECURED_PHYSICALLY;
  let lastSettled: LockState | undefined = settled(initial.lock.state) ? initial.lock.state : undefined;
  /** Set while a HomeKit write is being carried out, so its own state change is attributed to it. */
  let homekitCommand: "lock" | "unlock" | undefined;
  let visitOpen = initial.visitId !== undefined;

  const read = () => {
    const status = delivery.door(doorId);
    if (!status.lock.available) throw noResponse(hap);
    return hapLockReading(status.lock.state, true);
  };

  lock.getCharacteristic(C.LockCurrentState).onGet(() => read().current);
  lock
    .getCharacteristic(C.LockTargetState)
    .onGet(() => read().target ?? target)
    .onSet(async (value) => {
      const wanted: HapTargetState = value === TARGET.UNSECURED ? TARGET.UNSECURED : TARGET.SECURED;
      const kind = wanted === TARGET.SECURED ? "lock" : "unlock";
      target = wanted;
      homekitCommand = kind;
      setLastAction({ kind: "homekit", locked: kind === "lock" });
      logger.info(`${kind === "lock" ? "Locking" : "Unlocking"} (Apple Home).`);
      const command = kind === "lock" ? delivery.ownerLock(doorId, ownerVia("homekit")) : delivery.ownerUnlock(doorId, ownerVia("homekit"));
      const outcome = command.then(
        (state) => ({ ok: true as const, state }),
        (error: unknown) => ({ ok: false as const, error }),
      );
      // A lock that takes longer answers later through the lockState event; HomeKit gets its write answer now.
      // Real time, not the Clock: the deadline of a HAP write answer.
      let timer: NodeJS.Timeout | undefined;
      const waited = await Promise.race([outcome, new Promise<"pending">((resolve) => (timer = setTimeout(() => resolve("pending"), OWNER_COMMAND_WAIT_MS)))]);
      clearTimeout(timer);
      if (waited === "pending") {
        outcome.then((o) => {
          if (!o.ok) logger.error(`Unable to ${kind} the door: ${formatError(o.error)}.`);
          homekitCommand = undefined;
          push();
        }).catch((error: unknown) => logger.error(`Unable to ${kind} the door: ${formatError(error)}.`));
        return;
      }
      homekitCommand = undefined;
      push();
      if (!waited.ok) {
        logger.error(`Unable to ${kind} the door: ${formatError(waited.error)}.`);
        throw noResponse(hap);
      }
    });

  management.getCharacteristic(C.Version).updateValue(LOCK_MANAGEMENT_VERSION);
  // Vendor-specific control point commands: none are supported; accepting the write keeps controllers content.
  management.getCharacteristic(C.LockControlPoint).onSet(() => undefined);
  const lastActionChar = management.getCharacteristic(C.LockLastKnownAction);
  lastActionChar.onGet(() => lastAction);

  function setLastAction(cause: LockCause): void {
    lastAction = lastKnownAction(cause);
    lastActionChar.updateValue(lastAction);
  }

  function push(): void {
    const status = delivery.door(doorId);
    const reading = hapLockReading(status.lock.state, status.lock.available);
    if (reading.target !== undefined) target = reading.target;
    lock.updateCharacteristic(C.LockCurrentState, reading.current);
    lock.updateCharacteristic(C.LockTargetState, target);
  }

  const onLockState: (...args: DeliveryEvents["lockState"]) => void = (e) => {
    if (e.doorId !== doorId) return;
    if (e.available && settled(e.state) && e.state !== lastSettled) {
      const locked = e.state === "locked";
      // Visits and HomeKit writes set their own cause; anything else happened at the door.
      if (homekitCommand === undefined && !(visitOpen && !locked)) {
        setLastAction(visitOpen && locked ? { kind: "visit-relocked", closeReason: "relocked" } : { kind: "report", locked });
      }
      lastSettled = e.state;
    }
    push();
  };
  const onVisitStarted: (...args: DeliveryEvents["visitStarted"]) => void = ({ visit }) => {
    if (visit.doorId !== doorId) return;
    visitOpen = true;
    if (visit.via !== "owner") setLastAction({ kind: "visit-opened", via: visit.via });
  };
  const onVisitEnded: (...args: DeliveryEvents["visitEnded"]) => void = ({ visit }) => {
    if (visit.doorId === doorId) visitOpen = false;
  };
  delivery.events.on("lockState", onLockState);
  delivery.events.on("visitStarted", onVisitStarted);
  delivery.events.on("visitEnded", onVisitEnded);
  push();

  return {
    dispose() {
      delivery.events.off("lockState", onLockState);
      delivery.events.off("visitStarted", onVisitStarted);
      delivery.events.off("visitEnded", onVisitEnded);
    },
  };
}

function settled(state: LockState): state is "locked" | "unlocked" {
  return state === "locked" || state === "unlocked";
}
