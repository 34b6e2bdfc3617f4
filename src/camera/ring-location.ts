// Where the always-on ring lives: in RAM (a tmpfs, /dev/shm by default), so the camera stream never wears the SD card
// holding the storage folder; only a visit's segments are copied to storage (clip-visit.ts copies across filesystems).
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";

/** statfs f_type of the in-memory filesystems (linux/magic.h). */
const TMPFS_MAGIC = 0x01021994;
const RAMFS_MAGIC = 0x858458f6;
const DEFAULT_SHM = "/dev/shm";

export interface RingLocation {
  /** The camera's ring folder. */
  dir: string;
  /** This bridge's folder holding every camera's ring. */
  root: string;
  /** The ring is on an in-memory filesystem (tmpfs or ramfs). */
  inMemory: boolean;
  /** The ring is scratch space outside the storage folder, removed when the recorder stops. */
  scratch: boolean;
}

/**
 * `<base>/doorstep-<id>/<cameraId>`, base being `recording.ringDir` if set, else /dev/shm; `<id>` comes from the storage
 * folder, so two bridges on one machine (or parallel tests) never share a ring and a restarted bridge finds its own.
 * Without a configured ringDir and without a writable tmpfs at /dev/shm: `<storage>/ring/<cameraId>`, on the disk.
 */
export function ringLocation(options: { storageDir: string; cameraId: string; ringDir?: string; shmDir?: string }): RingLocation {
  const base = options.ringDir ? path.resolve(options.ringDir) : (options.shmDir ?? DEFAULT_SHM);
  if (options.ringDir || (isInMemory(base) && isWritableDir(base))) {
    const id = createHash("sha256").update(path.resolve(options.storageDir)).digest("hex").slice(0, 16);
    const root = path.join(base, `doorstep-${id}`);
    return { root, dir: path.join(root, options.cameraId), inMemory: isInMemory(base), scratch: true };
  }
  const root = path.join(options.storageDir, "ring");
  return { root, dir: path.join(root, options.cameraId), inMemory: false, scratch: false };
}

/**
 * The ring's byte cap: `ringSeconds` of the stream at `maxBitrateKbps` (the highest bitrate expected from the camera),
 * plus two segments of slack for the segment being written and the one being pruned. Pruning by age keeps the ring at
 * ringSeconds × the real bitrate; the cap only bounds the RAM a camera streaming above its stated bitrate can take.
 */
export function ringCapBytes(ringSeconds: number, maxBitrateKbps: number, segmentSeconds = 1): number {
  return Math.ceil(((ringSeconds + 2 * segmentSeconds) * maxBitrateKbps * 1000) / 8);
}

/** Removes a camera's scratch ring, and the bridge's ring folder once no camera's ring is left in it. */
export function removeRing(location: RingLocation): void {
  if (!location.scratch) return;
  fs.rmSync(location.dir, { recursive: true, force: true });
  try {
    fs.rmdirSync(location.root);
  } catch {
    // another camera's ring is still there
  }
}

function isInMemory(dir: string): boolean {
  try {
    const type = Number(fs.statfsSync(dir).type);
    return type === TMPFS_MAGIC || type === RAMFS_MAGIC;
  } catch {
    return false;
  }
}

function isWritableDir(dir: string): boolean {
  try {
    fs.accessSync(dir, fs.constants.W_OK | fs.constants.X_OK);
    return fs.statSync(dir).isDirectory();
  } catch {
    return false;
  }
}
