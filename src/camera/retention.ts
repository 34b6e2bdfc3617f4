// Keeps visit clips for N days and within M bytes, deleting the oldest first and never a visit that is still open.
import fs from "node:fs";
import path from "node:path";
import type { Clock } from "../access/clock.js";
import type { EpochMs } from "../access/ids.js";
import { ValidationError } from "../core/errors.js";

export interface RetentionPolicy {
  /** Delete clips whose newest file is older than this many days. Undefined: no age limit. */
  maxAgeDays?: number | undefined;
  /** Delete the oldest clips until all visits together use at most this. Undefined: no size limit. */
  maxBytes?: number | undefined;
}

export interface RetentionOptions extends RetentionPolicy {
  visitsDir: string;
  /** Open visits are never touched. */
  isOpen: (visitId: string) => boolean;
  clock: Clock;
}

export interface RetentionDeletion {
  visitId: string;
  bytes: number;
  lastWrittenAt: EpochMs;
  reason: "age" | "size";
}

export interface RetentionResult {
  deleted: RetentionDeletion[];
  keptBytes: number;
}

interface VisitFolder {
  visitId: string;
  dir: string;
  bytes: number;
  lastWrittenAt: EpochMs;
}

/** Checks a policy, naming the field that is wrong. */
export function validateRetention(policy: RetentionPolicy): void {
  if (policy.maxAgeDays !== undefined && !(Number.isFinite(policy.maxAgeDays) && policy.maxAgeDays > 0)) {
    throw new ValidationError("must be a positive number of days", "retention.maxAgeDays");
  }
  if (policy.maxBytes !== undefined && !(Number.isFinite(policy.maxBytes) && policy.maxBytes >= 0)) {
    throw new ValidationError("must be a non-negative number of bytes", "retention.maxBytes");
  }
}

/** Applies the policy once; safe to call on a timer. Nothing is deleted when the policy is invalid. */
export function applyRetention(o: RetentionOptions): RetentionResult {
  validateRetention(o);
  const folders = listVisitFolders(o.visitsDir).sort((a, b) => a.lastWrittenAt - b.lastWrittenAt);
  const now = o.clock.now();
  const deleted: RetentionDeletion[] = [];
  const kept: VisitFolder[] = [];
  for (const f of folders) {
    const tooOld = o.maxAgeDays !== undefined && now - f.lastWrittenAt > o.maxAgeDays * 86_400_000;
    if (tooOld && !o.isOpen(f.visitId)) {
      remove(f);
      deleted.push({ visitId: f.visitId, bytes: f.bytes, lastWrittenAt: f.lastWrittenAt, reason: "age" });
    } else {
      kept.push(f);
    }
  }
  let total = kept.reduce((sum, f) => sum + f.bytes, 0);
  if (o.maxBytes !== undefined) {
    for (const f of [...kept]) {
      if (total <= o.maxBytes) break;
      if (o.isOpen(f.visitId)) continue;
      remove(f);
      kept.splice(kept.indexOf(f), 1);
      total -= f.bytes;
      deleted.push({ visitId: f.visitId, bytes: f.bytes, lastWrittenAt: f.lastWrittenAt, reason: "size" });
    }
  }
  return { deleted, keptBytes: total };
}

function listVisitFolders(visitsDir: string): VisitFolder[] {
  let names: string[];
  try {
    names = fs.readdirSync(visitsDir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
  const out: VisitFolder[] = [];
  for (const name of names) {
    const dir = path.join(visitsDir, name);
    if (!fs.statSync(dir).isDirectory()) continue;
    const { bytes, newest } = measure(dir);
    out.push({ visitId: name, dir, bytes, lastWrittenAt: newest });
  }
  return out;
}

function measure(dir: string): { bytes: number; newest: EpochMs } {
  let bytes = 0;
  let newest = fs.statSync(dir).mtimeMs;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      const inner = measure(p);
      bytes += inner.bytes;
      newest = Math.max(newest, inner.newest);
    } else {
      const st = fs.statSync(p);
      bytes += st.size;
      newest = Math.max(newest, st.mtimeMs);
    }
  }
  return { bytes, newest };
}

function remove(f: VisitFolder): void {
  fs.rmSync(f.dir, { recursive: true, force: true });
}
