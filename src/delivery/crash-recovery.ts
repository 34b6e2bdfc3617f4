// Start-up recovery: every visit a crash left open is finished before the service answers anyone.
import type { DoorId } from "../access/ids.js";
import type { Visit } from "../store/visit-store.js";
import { raiseAlert, type DeliveryContext } from "./delivery-context.js";
import type { DoorRuntime } from "./door-runtime.js";
import { collectClip, relockDoor } from "./visit-owner.js";

export interface RecoveryReport {
  recovered: number;
  /** Doors whose relock the lock never confirmed. */
  unconfirmed: DoorId[];
}

/**
 * For each open visit: relock its door (confirmed by the lock, or given up with an alert — never claimed), assemble
 * the clip from what is on disk, close the visit as "recovered" with its audit entry.
 */
export async function recoverOpenVisits(ctx: DeliveryContext): Promise<RecoveryReport> {
  const report: RecoveryReport = { recovered: 0, unconfirmed: [] };
  const relockedDoors = new Map<DoorId, boolean>();
  for (const visit of ctx.store.visits.openVisits()) {
    const door = ctx.doors.get(visit.doorId);
    await recoverOne(ctx, visit, door, relockedDoors);
    report.recovered++;
  }
  await relockUnattendedDoors(ctx, relockedDoors);
  for (const [doorId, locked] of relockedDoors) if (!locked) report.unconfirmed.push(doorId);
  return report;
}

/**
 * Fail-secure: a door whose lock reports "unlocked" at start-up with no open visit is relocked. The store commits with
 * synchronous=NORMAL (database.ts), so a power cut can lose the last committed visit; its door must not stay open.
 */
async function relockUnattendedDoors(ctx: DeliveryContext, relockedDoors: Map<DoorId, boolean>): Promise<void> {
  for (const door of ctx.doors.values()) {
    if (relockedDoors.has(door.id) || door.driver.getState() !== "unlocked") continue;
    const result = await relockDoor(ctx, door);
    relockedDoors.set(door.id, result.locked);
    raiseAlert(
      ctx,
      door.id,
      result.locked
        ? "The door was unlocked at start-up with no visit open; it was relocked."
        : `The door was unlocked at start-up with no visit open and could not be relocked (${result.error}); check it.`,
    );
  }
}

async function recoverOne(ctx: DeliveryContext, visit: Visit, door: DoorRuntime | undefined, relockedDoors: Map<DoorId, boolean>): Promise<void> {
  const alerts: string[] = [];
  let relockedAt: number | undefined;
  let current = visit.state === "relocking" ? visit : ctx.store.visits.transition(visit.id, { state: "relocking" });
  if (!door) {
    alerts.push(`Door "${visit.doorId}" is no longer configured; its lock could not be relocked.`);
  } else {
    // Several open visits at one door need one confirmed relock.
    let locked = relockedDoors.get(door.id);
    if (locked === undefined) {
      const result = await relockDoor(ctx, door);
      locked = result.locked;
      relockedDoors.set(door.id, locked);
      if (!locked) raiseAlert(ctx, door.id, `After a restart the door could not be relocked (${result.error}); check it.`);
    }
    if (locked) relockedAt = ctx.clock.now();
    else alerts.push("The relock after the restart was not confirmed by the lock.");
  }
  const clip = door ? await collectClip(ctx, door, visit.id, 0, true) : { parts: [] };
  if (clip.alert) alerts.push(clip.alert);
  current = ctx.store.transaction(() => {
    const closed = ctx.store.visits.transition(current.id, {
      state: "closed",
      closeReason: "recovered",
      ...(relockedAt !== undefined && { relockedAt }),
      addAlerts: ["Finished at start-up after an unclean shutdown.", ...alerts],
      addClipParts: clip.parts,
    });
    ctx.store.audit.append({
      type: "visit.recovered",
      actor: "system",
      doorId: closed.doorId,
      visitId: closed.id,
      ...(closed.credentialId && { credentialId: closed.credentialId }),
      details: { previousState: visit.state, relockConfirmed: relockedAt !== undefined, clipParts: clip.parts.length },
    });
    return closed;
  });
  ctx.events.emit("visitEnded", { visit: current });
}
