// Everything under the storage directory is the owner's alone: folders 0700, files 0600 (visit clips, the video ring,
// the Zigbee coordinator backup that holds the network key, HomeKit and Matter pairings, the database). Libraries that
// write their own files (zigbee-herdsman, HAP-NodeJS, matter.js) and a storage dir made by an older version leave
// 0644/0755 behind, so the tree is brought back to these modes at every open and after start-up.
import fs from "node:fs";
import path from "node:path";

const PRIVATE_DIR = 0o700;
const PRIVATE_FILE = 0o600;

/**
 * Tightens every folder under `dir` to 0700 and every file to 0600 (symlinks are not followed; sockets and the like
 * are left alone). Returns how many entries were changed. Entries that vanish meanwhile (the ring deletes segments)
 * are skipped; other errors are thrown. `leave` are paths not to touch: the key file, which is refused rather than
 * fixed when others could read it (they may already have copied it).
 */
export function securePrivateTree(dir: string, leave: readonly string[] = []): number {
  const untouched = new Set(leave.map((p) => path.resolve(p)));
  let changed = 0;
  const stack = [dir];
  while (stack.length > 0) {
    const current = stack.pop()!;
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(current, { withFileTypes: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") continue;
      throw error;
    }
    for (const entry of entries) {
      const full = path.join(current, entry.name);
      if (untouched.has(path.resolve(full))) continue;
      if (entry.isDirectory()) {
        changed += tighten(full, PRIVATE_DIR);
        stack.push(full);
      } else if (entry.isFile()) {
        changed += tighten(full, PRIVATE_FILE);
      }
    }
  }
  return changed;
}

/** A sentence for the log when `dir` itself lets group or others in (its contents are made private regardless). */
export function storageDirWarning(dir: string): string | undefined {
  let mode: number;
  try {
    mode = fs.statSync(dir).mode & 0o777;
  } catch {
    return undefined;
  }
  if ((mode & 0o077) === 0) return undefined;
  return (
    `The storage directory ${dir} is open to other users (mode ${mode.toString(8).padStart(4, "0")}); ` +
    `everything inside is kept 0700/0600, but run \`chmod 700 ${dir}\` so no one else can list it.`
  );
}

function tighten(file: string, wanted: number): number {
  let mode: number;
  try {
    mode = fs.lstatSync(file).mode & 0o777;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return 0;
    throw error;
  }
  if (mode === wanted) return 0;
  try {
    fs.chmodSync(file, wanted);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return 0;
    throw error;
  }
  return 1;
}
