// One door as the delivery flow sees it: its lock, its optional camera recorder, its PIN sync and its open visit.
import type { DoorId } from "../access/ids.js";
import type { Recorder } from "../camera/recorder.js";
import { prefixed, type Logger } from "../core/logger.js";
import type { LockDriver, LockState } from "../zigbee/lock-driver.js";
import type { CredentialSync } from "./credential-sync.js";
import type { VisitOwner } from "./visit-owner.js";

/** A door the service manages; the caller starts and stops the driver and the recorder. */
export interface DeliveryDoor {
  id: DoorId;
  name: string;
  relockAfterSeconds: number;
  preRollSeconds: number;
  postRollSeconds: number;
  driver: LockDriver;
  /** Absent when the door has no camera: guest access then needs a credential and config that waive recording. */
  recorder?: Recorder;
  /**
   * The door's one logger, prefixed with its name, which its drivers, camera and faces share (made once by the bridge).
   * Absent: the service's logger prefixed with the door's name.
   */
  logger?: Logger;
}

export class DoorRuntime {
  /** The owner of the visit that holds the door; one at a time. */
  active: VisitOwner | undefined;
  /** Visits relocked and recording their post-roll. */
  readonly closing = new Set<Promise<void>>();
  sync: CredentialSync | undefined;
  /** Every line about this door goes through here: "Front door: ...". */
  readonly log: Logger;

  constructor(
    readonly door: DeliveryDoor,
    serviceLogger: Logger,
  ) {
    this.log = door.logger ?? prefixed(serviceLogger, door.name);
  }

  get id(): DoorId {
    return this.door.id;
  }

  get driver(): LockDriver {
    return this.door.driver;
  }

  get recorder(): Recorder | undefined {
    return this.door.recorder;
  }

  lockState(): LockState {
    return this.driver.getState();
  }

  /**
   * "Confirmed" means the lock is reachable and has itself reported a settled state (locked or unlocked).
   * Moving, jammed or unknown (e.g. after a timed-out command) is not confirmed: a guest unlock then waits.
   */
  lockConfirmed(): boolean {
    const state = this.driver.getState();
    return this.driver.isAvailable() && (state === "locked" || state === "unlocked");
  }

  /** The recording gate: false when there is no camera. */
  recording(): boolean {
    try {
      return this.recorder?.isRecording() ?? false;
    } catch {
      return false;
    }
  }

  /** Tracks a post-roll close so stop() can wait for it. */
  track(work: Promise<void>): void {
    const p = work.finally(() => this.closing.delete(p));
    this.closing.add(p);
  }
}
