// What the lock reports by itself: keypad uses (a visit with its pre-roll), thumb-turn/key/RF operations, state changes,
// late unlocks. The door is already open when a keypad unlock is reported, so recording begins at once from the ring.
import type { Credential } from "../access/credential.js";
import { decide } from "../access/decide.js";
import { describe as describeReason, type AccessReason } from "../access/reasons.js";
import { formatError } from "../core/errors.js";
import type { LateUnlock, OperationEvent, OperationKind, StateChange } from "../zigbee/lock-driver.js";
import { raiseAlert, switchesOf, type DeliveryContext } from "./delivery-context.js";
import type { DoorRuntime } from "./door-runtime.js";
import { relockDoor, VisitOwner } from "./visit-owner.js";

const LOCK_KINDS: ReadonlySet<OperationKind> = new Set(["lock", "one-touch-lock", "key-lock", "auto-lock", "schedule-lock", "manual-lock"]);
const UNLOCK_KINDS: ReadonlySet<OperationKind> = new Set(["unlock", "key-unlock", "schedule-unlock", "manual-unlock"]);

/** Subscribes the door's driver events; returns the unsubscribe. */
export function attachDoorEvents(ctx: DeliveryContext, door: DoorRuntime): () => void {
  const events = door.driver.events;
  // A failure in our handling must never throw back into the driver that emitted the event.
  const guarded =
    <E>(handle: (e: E) => void) =>
    (e: E) => {
      try {
        handle(e);
      } catch (error) {
        door.log.error(`Handling a lock event failed: ${formatError(error)}`);
      }
    };
  const onState = guarded((e: StateChange) => onLockState(ctx, door, e));
  const onOperation = guarded((e: OperationEvent) => onLockOperation(ctx, door, e));
  const onLate = guarded((e: LateUnlock) => onLateUnlock(ctx, door, e));
  const onAvailability = (e: { available: boolean }) => {
    emitLockState(ctx, door);
    // A lock that has just been paired, or was away, gets its keypad codes brought up to date.
    if (e.available) door.sync?.schedule();
  };
  const onDoor = () => emitLockState(ctx, door);
  events.on("state", onState);
  events.on("operation", onOperation);
  events.on("lateUnlock", onLate);
  events.on("availability", onAvailability);
  events.on("door", onDoor);
  return () => {
    events.off("state", onState);
    events.off("operation", onOperation);
    events.off("lateUnlock", onLate);
    events.off("availability", onAvailability);
    events.off("door", onDoor);
  };
}

function emitLockState(ctx: DeliveryContext, door: DoorRuntime): void {
  ctx.events.emit("lockState", { doorId: door.id, state: door.driver.getState(), door: door.driver.getDoorState(), available: door.driver.isAvailable() });
}

function onLockState(ctx: DeliveryContext, door: DoorRuntime, e: StateChange): void {
  emitLockState(ctx, door);
  // The visit's owner decides what a report means in its phase. A bare "locked" report may be stale (an earlier
  // command's report arriving after the unlock): it only makes the relock due, confirmed by our own lock command.
  if (e.state === "unlocked") door.active?.dispatch({ type: "lock-opened" });
  else if (e.state === "locked") door.active?.dispatch({ type: "relock-due" });
}

function onLateUnlock(ctx: DeliveryContext, door: DoorRuntime, e: LateUnlock): void {
  if (door.active) return door.active.dispatch({ type: "lock-opened" });
  const message = `An unlock that had timed out reached the lock ${Math.round((e.observedAt - e.deadlineAt) / 1000)} s late; relocking.`;
  raiseAlert(ctx, door.id, message);
  relockDoor(ctx, door).then((r) => {
    if (!r.locked) raiseAlert(ctx, door.id, `The door could not be relocked after a late unlock (${r.error}).`);
  }, (error: unknown) => door.log.error(`Relock after a late unlock failed: ${formatError(error)}`));
}

function onLockOperation(ctx: DeliveryContext, door: DoorRuntime, e: OperationEvent): void {
  if (e.source === "keypad" && e.kind === "unlock") return keypadUnlock(ctx, door, e);
  if (e.source === "keypad" && (e.kind === "unlock-failure-invalid-pin" || e.kind === "unlock-failure-invalid-schedule")) {
    const reason: AccessReason = e.kind === "unlock-failure-invalid-pin" ? "unknown-credential" : "outside-schedule";
    if (reason === "unknown-credential") ctx.lockout.recordFailure([`door:${door.id}`]);
    ctx.store.audit.append({ type: "access.denied", actor: "keypad", doorId: door.id, details: { via: "keypad", reason, ...(e.slot !== undefined && { slot: e.slot }) } });
    ctx.events.emit("refused", { doorId: door.id, reason, via: "keypad", at: ctx.clock.now() });
    return;
  }
  // The lock's own word that it locked (thumb-turn, key, auto-lock): the visit's relock is confirmed without a command.
  // RF operations are the echo of our own commands, possibly late: they confirm nothing.
  if (LOCK_KINDS.has(e.kind) && e.source !== "rf") door.active?.dispatch({ type: "lock-locked" });
  // RF operations are the echo of our own commands (already in the visit's audit trail).
  if (e.source === "rf") return;
  if (LOCK_KINDS.has(e.kind) || UNLOCK_KINDS.has(e.kind)) {
    ctx.store.audit.append({ type: "lock.operation", actor: e.source, doorId: door.id, details: { source: e.source, kind: e.kind } });
  }
}

/**
 * Keypad unlock by slot N: the slot mapped to its credential, a visit opened with the pre-roll already on disk, the use
 * counted, the keypad brought up to date. Only a slot the lock confirmed holding its credential's code credits that
 * credential; a use the policy refuses (outside its window, revoked, an unknown or unconfirmed slot, the home saying
 * no) is still a visit, relocked at once with an alert.
 */
function keypadUnlock(ctx: DeliveryContext, door: DoorRuntime, e: OperationEvent): void {
  const now = ctx.clock.now();
  const row = e.slot === undefined ? undefined : ctx.store.slots.get(door.id, e.slot);
  // A slot being written, cleared or reassigned may still hold the previous guest's code: it credits nobody.
  const synced = row !== undefined && row.state === "synced" && row.desired === "present" && row.credentialId !== null;
  const credential = synced ? ctx.store.credentials.get(row.credentialId!) : undefined;
  const usage = credential ? ctx.store.credentials.usage(credential.id) : undefined;
  const decision = decide({
    credential,
    usage,
    door: door.id,
    via: "keypad",
    now,
    switches: switchesOf(ctx, door.id),
    recording: door.recording(),
    lockAvailable: true, // the lock itself just opened
    lockedOut: false,
    requireRecording: ctx.settings.requireRecording,
  });
  let refusal: AccessReason | undefined = decision.outcome === "allowed" ? undefined : decision.reason;

  if (door.active) {
    // A second code typed while a visit holds the door open: count and audit it; the running visit's relock covers it.
    if (!refusal && credential) ctx.store.credentials.consumeUse(credential.id, now);
    ctx.store.audit.append({
      type: refusal ? "access.denied" : "keypad.used",
      actor: "keypad",
      doorId: door.id,
      ...(credential && { credentialId: credential.id }),
      visitId: door.active.id,
      details: { via: "keypad", reason: refusal ?? null, slot: e.slot ?? null },
    });
    if (refusal) raiseAlert(ctx, door.id, `A keypad code was used during a visit that the policy refuses (${refusal}).`, door.active.id);
    door.sync?.schedule();
    return;
  }

  if (!refusal && credential) {
    const consumed = ctx.store.credentials.consumeUse(credential.id, now);
    if (!consumed.consumed) refusal = consumed.reason;
  }
  const message = refusal ? refusalMessage(ctx, refusal, credential, e.slot, row !== undefined && !synced) : undefined;
  const visit = ctx.store.transaction(() => {
    const v = ctx.store.visits.create({
      doorId: door.id,
      via: "keypad",
      ...(credential && { credentialId: credential.id }),
      ...(credential?.providerId && { providerId: credential.providerId }),
    });
    ctx.store.audit.append({
      type: "visit.opened",
      actor: "keypad",
      doorId: door.id,
      visitId: v.id,
      ...(credential && { credentialId: credential.id }),
      details: { via: "keypad", slot: e.slot ?? null, ...(credential && { label: credential.label, kind: credential.kind }) },
    });
    if (refusal) {
      ctx.store.audit.append({
        type: "access.denied",
        actor: "keypad",
        doorId: door.id,
        visitId: v.id,
        ...(credential && { credentialId: credential.id }),
        details: { via: "keypad", reason: refusal, slot: e.slot ?? null },
      });
    }
    return v;
  });
  if (refusal) ctx.events.emit("refused", { doorId: door.id, reason: refusal, via: "keypad", at: now });
  // Every use changes what belongs on the keypad: a used-up code leaves at once, a refused one is cleared.
  door.sync?.schedule();
  VisitOwner.keypad(ctx, door, {
    visitId: visit.id,
    via: "keypad",
    actor: "keypad",
    ...(credential && { credentialId: credential.id }),
    ...(message && { refusal: message }),
  });
}

function refusalMessage(ctx: DeliveryContext, reason: AccessReason, credential: Credential | undefined, slot: number | undefined, unsynced: boolean): string {
  if (unsynced) return `The lock opened for keypad slot ${slot ?? "?"}, whose code is not confirmed on the lock (it may be a previous guest's); relocking at once.`;
  if (!credential) return `The lock opened for keypad slot ${slot ?? "?"}, which holds no code Doorstep knows; relocking at once.`;
  const why = describeReason(reason, { credential, usage: ctx.store.credentials.usage(credential.id) ?? { uses: 0 }, now: ctx.clock.now(), timeZone: ctx.settings.timeZone });
  return `The lock opened for "${credential.label}" but the policy refuses it (${reason}): ${why} Relocking at once.`;
}
