// Tells Matter what the delivery service saw: lock and door state, keypad unlocks and refusals (LockOperation /
// LockOperationError with the user), visits (the occupancy sensor), the switches; and mirrors the credential store's
// codes as Matter users. DeliveryPort has no credential-change event, so the mirror runs at start, after each visit,
// and on a short interval.
import { DoorLock } from "@matter/main/clusters/door-lock";
import { formatError } from "../core/errors.js";
import { ownerVia } from "../delivery/actor.js";
import type { DeliveryEvents } from "../delivery/delivery-port.js";
import type { DoorEndpoints } from "./door-endpoints.js";
import { matterDoorState, matterLockStateChange } from "./door-endpoints.js";
import type { DoorstepLink } from "./doorstep-link.js";
import { GuestLockServer } from "./guest-lock-server.js";
import { operationErrorFor } from "./operation-error.js";

const MATTER = ownerVia("matter");

export interface DeliveryReporter {
  /** Mirrors the store's credentials as Matter users now. */
  mirrorNow(): Promise<void>;
  stop(): Promise<void>;
}

/** Wires the delivery events to the doors' endpoints; every update is awaited by stop(). */
export function startDeliveryReporter(link: DoorstepLink, doors: readonly DoorEndpoints[], mirrorIntervalMs: number): DeliveryReporter {
  const byDoor = new Map(doors.map((d) => [d.doorId, d]));
  const pending = new Set<Promise<unknown>>();
  let stopped = false;
  const run = (what: string, work: () => Promise<unknown>, log = link.logger) => {
    if (stopped) return;
    const p = work()
      .catch((error: unknown) => log.warn(`${what} failed: ${formatError(error)}`))
      .finally(() => pending.delete(p));
    pending.add(p);
  };
  /** Work for one door's endpoints: its failures are logged under the door's name. */
  const runFor = (d: DoorEndpoints, what: string, work: () => Promise<unknown>) => run(`Matter ${what}`, work, link.loggerOf(d.doorId));

  const onLockState = ({ doorId, state, door, available }: DeliveryEvents["lockState"][0]) => {
    const d = byDoor.get(doorId);
    if (!d) return;
    runFor(d, "lock state", async () => {
      const lockState = matterLockStateChange(state);
      await d.lock.set({ doorLock: { ...(lockState !== undefined && { lockState }), doorState: matterDoorState(door) } });
      await d.lock.set({ bridgedDeviceBasicInformation: { reachable: available } });
    });
  };
  const onVisitStarted = ({ visit }: DeliveryEvents["visitStarted"][0]) => {
    const d = byDoor.get(visit.doorId);
    if (!d) return;
    // A Matter command reports its own unlock (with the controller's fabric), or fails it; the rest is reported here.
    // Decided now: the command may have finished by the time the work below runs.
    const ownCommand = link.ownVisits.has(visit.id) || (link.isCommanding(visit.doorId) && visit.via !== "keypad");
    runFor(d, "visit start", async () => {
      await d.visit.set({ occupancySensing: { occupancy: { occupied: true } } });
      if (ownCommand) return;
      const source = visit.via === "keypad" ? DoorLock.OperationSource.Keypad : DoorLock.OperationSource.Remote;
      await d.lock.act((agent) => agent.get(GuestLockServer).reportUnlock(visit.credentialId, source));
    });
  };
  const onVisitEnded = ({ visit }: DeliveryEvents["visitEnded"][0]) => {
    const d = byDoor.get(visit.doorId);
    link.ownVisits.delete(visit.id);
    if (!d) return;
    runFor(d, "visit end", async () => {
      await d.visit.set({ occupancySensing: { occupancy: { occupied: false } } });
      await mirrorDoor(d);
    });
  };
  const onRefused = ({ doorId, reason, via }: DeliveryEvents["refused"][0]) => {
    const d = byDoor.get(doorId);
    if (!d || via !== "keypad") return; // remote refusals from Matter are reported by the command itself
    runFor(d, "refusal", async () => {
      await d.lock.act((agent) => agent.get(GuestLockServer).reportRefused(operationErrorFor(reason)));
    });
  };
  const onSwitches = ({ doorId, switches }: DeliveryEvents["switches"][0]) => {
    const d = byDoor.get(doorId);
    if (!d) return;
    runFor(d, "switches", async () => {
      await d.deliveries.set({ onOff: { onOff: switches.inHomeDeliveries } });
      await d.pets.set({ onOff: { onOff: switches.petsHome } });
    });
  };

  const mirrorDoor = async (d: DoorEndpoints) => {
    const credentials = link.delivery.credentials.list(MATTER, { doorId: d.doorId as never, includeRevoked: false });
    await d.lock.act((agent) => agent.get(GuestLockServer).mirror(credentials));
  };
  const mirrorAll = () => Promise.all(doors.map(mirrorDoor)).then(() => undefined);

  const events = link.delivery.events;
  events.on("lockState", onLockState);
  events.on("visitStarted", onVisitStarted);
  events.on("visitEnded", onVisitEnded);
  events.on("refused", onRefused);
  events.on("switches", onSwitches);
  // The mirror's own loop on the link's clock; stop() aborts its wait.
  const stopping = new AbortController();
  const mirrorLoop = async () => {
    for (;;) {
      await link.options.clock.delay(mirrorIntervalMs, { signal: stopping.signal });
      run("credential mirror", mirrorAll);
    }
  };
  const looping = mirrorLoop().catch(() => undefined); // rejects only when stop() aborts the wait

  return {
    async mirrorNow() {
      await mirrorAll();
    },
    async stop() {
      stopped = true;
      stopping.abort();
      await looping;
      events.off("lockState", onLockState);
      events.off("visitStarted", onVisitStarted);
      events.off("visitEnded", onVisitEnded);
      events.off("refused", onRefused);
      events.off("switches", onSwitches);
      await Promise.all([...pending]);
    },
  };
}
