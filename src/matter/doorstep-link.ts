// What the Matter behaviors reach the rest of Doorstep through: the DeliveryPort, the door behind each endpoint, the
// settings, and the keypad-sync probe. Registered in the node's environment (`env.get(DoorstepLink)`), so a behavior
// never imports a driver or the store.
import type { Clock } from "../access/clock.js";
import type { CredentialId, VisitId } from "../access/ids.js";
import type { Logger } from "../core/logger.js";
import type { DeliveryPort } from "../delivery/delivery-port.js";
import type { DoorSettings } from "../store/door-settings-store.js";
import { DeviceRejectedError, DeviceUnreachableError, NotFoundError } from "../core/errors.js";

/** Where a credential's PIN stands on a door's lock keypad. */
export type KeypadSyncState = { state: "synced" } | { state: "pending" } | { state: "failed"; reason: string } | { state: "absent" };

/**
 * Reports the keypad sync of one credential at one door. DeliveryPort offers no way to await the reconciler's
 * write, so the composition root passes this (see `slotTableProbe`); without it a new PIN is not awaited.
 */
export interface KeypadSyncProbe {
  status(doorId: string, credentialId: CredentialId): KeypadSyncState;
}

/** What an endpoint of the bridge stands for. */
export type EndpointRole = { kind: "lock"; doorId: string } | { kind: "switch"; doorId: string; switch: keyof DoorSettings } | { kind: "visit"; doorId: string };

export interface DoorstepLinkOptions {
  delivery: DeliveryPort;
  /** Node-wide lines ("Matter: ..."). */
  logger: Logger;
  /** Per door id, the door's one logger: what a door's endpoints say goes there ("Front door: ..."). */
  doorLoggers: ReadonlyMap<string, Logger>;
  timeZone: string;
  maxCredentialDays: number;
  requirePinForRemoteOperation: boolean;
  keypad?: KeypadSyncProbe;
  /** How long a command waits for a new PIN to reach the keypad (ms). */
  keypadDeadlineMs: number;
  /** What time it is, and how the link and its reporter wait. */
  clock: Clock;
}

/** How often a command looks at the keypad sync while it waits (the slot table has no change event). */
export const KEYPAD_POLL_MS = 100;

export class DoorstepLink {
  private readonly roles = new Map<string, EndpointRole>();
  /** Doors with a Matter unlock/lock in flight: visits they start are reported by the command itself. */
  private readonly inFlight = new Map<string, number>();
  /** Visits started by a Matter command (reported by the command, not again from the delivery events). */
  readonly ownVisits = new Set<VisitId>();

  constructor(readonly options: DoorstepLinkOptions) {}

  get delivery(): DeliveryPort {
    return this.options.delivery;
  }

  get logger(): Logger {
    return this.options.logger;
  }

  /** The door's logger; the node's for a door the bridge does not know. */
  loggerOf(doorId: string): Logger {
    return this.options.doorLoggers.get(doorId) ?? this.options.logger;
  }

  register(endpointId: string, role: EndpointRole): void {
    this.roles.set(endpointId, role);
  }

  role(endpointId: string): EndpointRole {
    const role = this.roles.get(endpointId);
    if (!role) throw new NotFoundError(`endpoint ${endpointId} is not a Doorstep endpoint`);
    return role;
  }

  /** Runs a Matter-initiated operation on a door, marking the door busy so its visit events are not reported twice. */
  async commanding<T>(doorId: string, run: () => Promise<T>): Promise<T> {
    this.inFlight.set(doorId, (this.inFlight.get(doorId) ?? 0) + 1);
    try {
      return await run();
    } finally {
      const n = (this.inFlight.get(doorId) ?? 1) - 1;
      if (n <= 0) this.inFlight.delete(doorId);
      else this.inFlight.set(doorId, n);
    }
  }

  isCommanding(doorId: string): boolean {
    return this.inFlight.has(doorId);
  }

  /** Resolves when the credential's PIN is on the keypad; rejects with the lock's reason, or at the deadline. */
  async awaitKeypad(doorId: string, credentialId: CredentialId): Promise<void> {
    const probe = this.options.keypad;
    if (!probe) return;
    const { clock, keypadDeadlineMs } = this.options;
    const deadline = clock.now() + keypadDeadlineMs;
    for (;;) {
      const s = probe.status(doorId, credentialId);
      if (s.state === "synced") return;
      if (s.state === "failed") throw new DeviceRejectedError(`the lock did not take the PIN: ${s.reason}`);
      const left = deadline - clock.now();
      if (left <= 0) throw new DeviceUnreachableError(`the PIN did not reach the lock keypad within ${Math.round(keypadDeadlineMs / 1000)} s`);
      await clock.delay(Math.min(KEYPAD_POLL_MS, left));
    }
  }
}

/** The slot table as `store.slots` offers it (structural, so this folder needs no import of the store). */
export interface SlotTable {
  findByCredential(doorId: never, credentialId: CredentialId): { state: "synced" | "pending" | "failed"; lastError?: string } | undefined;
}

/** A KeypadSyncProbe on the store's lock-slot table, which the reconciler keeps. */
export function slotTableProbe(slots: SlotTable): KeypadSyncProbe {
  return {
    status(doorId, credentialId) {
      const slot = slots.findByCredential(doorId as never, credentialId);
      if (!slot) return { state: "absent" };
      if (slot.state === "synced") return { state: "synced" };
      // The reconciler retries a failed write; a first failure with the lock's answer is final for the command.
      if (slot.state === "failed") return { state: "failed", reason: slot.lastError ?? "failed" };
      return { state: "pending" };
    },
  };
}
