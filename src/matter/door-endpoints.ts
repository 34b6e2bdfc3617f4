// The Matter endpoints of one door under the aggregator: the bridged DoorLock, the two switches and the visit sensor.
// Data-driven: each endpoint is a row with its role, label and device type.
import { Endpoint } from "@matter/main";
import { BridgedDeviceBasicInformationServer } from "@matter/main/behaviors/bridged-device-basic-information";
import { OccupancySensingServer } from "@matter/main/behaviors/occupancy-sensing";
import { DoorLock } from "@matter/main/clusters/door-lock";
import { DoorLockDevice } from "@matter/main/devices/door-lock";
import { OccupancySensorDevice } from "@matter/main/devices/occupancy-sensor";
import { OnOffPlugInUnitDevice } from "@matter/main/devices/on-off-plug-in-unit";
import type { DoorStatus } from "../delivery/delivery-port.js";
import type { DoorState, LockState } from "../zigbee/lock-driver.js";
import { DoorSwitchServer } from "./door-switch-server.js";
import type { DoorstepLink } from "./doorstep-link.js";
import { GuestLockServer } from "./guest-lock-server.js";

/** Users, PIN slots and schedules the bridged lock offers (the bridge, not the Zigbee lock, holds them). */
export const LOCK_LIMITS = {
  users: 30,
  weekDaySchedulesPerUser: 4,
  /** One: a credential has one validity interval, so several disjoint year-day windows are not offered. */
  yearDaySchedulesPerUser: 1,
  minPinLength: 4,
  maxPinLength: 8,
  wrongCodeEntryLimit: 5,
  userCodeTemporaryDisableTime: 60,
  /** Matter ExpiringUserTimeout default (minutes). */
  expiringUserTimeout: 60,
} as const;

export const LockEndpointType = DoorLockDevice.with(BridgedDeviceBasicInformationServer, GuestLockServer);
export const SwitchEndpointType = OnOffPlugInUnitDevice.with(BridgedDeviceBasicInformationServer, DoorSwitchServer);
export const VisitEndpointType = OccupancySensorDevice.with(BridgedDeviceBasicInformationServer, OccupancySensingServer.with("PhysicalContact", "OccupancyEvent"));

export interface DoorEndpoints {
  doorId: string;
  lock: Endpoint<typeof LockEndpointType>;
  deliveries: Endpoint<typeof SwitchEndpointType>;
  pets: Endpoint<typeof SwitchEndpointType>;
  visit: Endpoint<typeof VisitEndpointType>;
}

/** Matter LockState for a lock state known at start; "unknown" is null (the spec's "not known"), never a guess. */
export function matterLockState(state: LockState): DoorLock.LockState | null {
  return matterLockStateChange(state) ?? null;
}

/**
 * The Matter LockState a reported state moves to, or undefined for "leave it": a lock that went quiet ("unknown",
 * e.g. an unlock that timed out) or is between states has not moved as far as anyone knows, so a failed command
 * leaves lockState as it was (the bridged node's `reachable` says when the lock stops answering).
 */
export function matterLockStateChange(state: LockState): DoorLock.LockState | undefined {
  switch (state) {
    case "locked":
      return DoorLock.LockState.Locked;
    case "unlocked":
      return DoorLock.LockState.Unlocked;
    case "jammed":
      return DoorLock.LockState.NotFullyLocked;
    default:
      return undefined;
  }
}

export function matterDoorState(state: DoorState): DoorLock.DoorState | null {
  switch (state) {
    case "open":
      return DoorLock.DoorState.DoorOpen;
    case "closed":
      return DoorLock.DoorState.DoorClosed;
    case "jammed":
      return DoorLock.DoorState.DoorJammed;
    case "forced-open":
      return DoorLock.DoorState.DoorForcedOpen;
    default:
      return null;
  }
}

/** Endpoint ids must be stable across restarts: matter.js keys their stored state (users, PINs) by them. */
const endpointId = (doorId: string, part: string) => `door-${doorId.replace(/[^A-Za-z0-9_-]/g, "_")}-${part}`;
const label = (text: string) => text.slice(0, 32);

/** Builds one door's endpoints (not yet added) and registers their roles with the link. */
export function doorEndpoints(status: DoorStatus, link: DoorstepLink, requirePinForRemoteOperation: boolean): DoorEndpoints {
  const doorId = status.id as string;
  const bridged = (part: string, name: string, reachable: boolean) => ({
    nodeLabel: label(name),
    productName: label("Doorstep"),
    uniqueId: label(`doorstep-${doorId}-${part}`),
    reachable,
  });
  const ids = { lock: endpointId(doorId, "lock"), deliveries: endpointId(doorId, "deliveries"), pets: endpointId(doorId, "pets"), visit: endpointId(doorId, "visit") };
  link.register(ids.lock, { kind: "lock", doorId });
  link.register(ids.deliveries, { kind: "switch", doorId, switch: "inHomeDeliveries" });
  link.register(ids.pets, { kind: "switch", doorId, switch: "petsHome" });
  link.register(ids.visit, { kind: "visit", doorId });

  const lock = new Endpoint(LockEndpointType, {
    id: ids.lock,
    bridgedDeviceBasicInformation: bridged("lock", status.name, status.lock.available),
    doorLock: {
      lockState: matterLockState(status.lock.state),
      lockType: DoorLock.LockType.DeadBolt,
      actuatorEnabled: true,
      doorState: matterDoorState(status.door),
      operatingMode: DoorLock.OperatingMode.Normal,
      // Bits are inverted: true = NOT supported. Passage would need the lock held open; not offered.
      supportedOperatingModes: { passage: true, alwaysSet: 2047 },
      numberOfTotalUsersSupported: LOCK_LIMITS.users,
      numberOfPinUsersSupported: LOCK_LIMITS.users,
      numberOfCredentialsSupportedPerUser: 1,
      minPinCodeLength: LOCK_LIMITS.minPinLength,
      maxPinCodeLength: LOCK_LIMITS.maxPinLength,
      credentialRulesSupport: { single: true },
      numberOfWeekDaySchedulesSupportedPerUser: LOCK_LIMITS.weekDaySchedulesPerUser,
      numberOfYearDaySchedulesSupportedPerUser: LOCK_LIMITS.yearDaySchedulesPerUser,
      requirePinForRemoteOperation,
      wrongCodeEntryLimit: LOCK_LIMITS.wrongCodeEntryLimit,
      userCodeTemporaryDisableTime: LOCK_LIMITS.userCodeTemporaryDisableTime,
      expiringUserTimeout: LOCK_LIMITS.expiringUserTimeout,
      autoRelockTime: 0,
    },
  });
  const deliveries = new Endpoint(SwitchEndpointType, {
    id: ids.deliveries,
    bridgedDeviceBasicInformation: bridged("deliveries", `${status.name} In-home deliveries`, true),
    onOff: { onOff: status.switches.inHomeDeliveries },
  });
  const pets = new Endpoint(SwitchEndpointType, {
    id: ids.pets,
    bridgedDeviceBasicInformation: bridged("pets", `${status.name} Pets home`, true),
    onOff: { onOff: status.switches.petsHome },
  });
  const visit = new Endpoint(VisitEndpointType, {
    id: ids.visit,
    bridgedDeviceBasicInformation: bridged("visit", `${status.name} Guest visit`, true),
    occupancySensing: { occupancy: { occupied: status.visitId !== undefined } },
  });
  return { doorId, lock, deliveries, pets, visit };
}
