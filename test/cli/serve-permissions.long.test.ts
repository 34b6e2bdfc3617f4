// Issue 10 item 6 through the real binary: everything under the storage dir is 0700 (folders) / 0600 (files), also
// what an older version left at 0755/0644 and what the libraries write (zigbee-herdsman's coordinator backup, HAP-NodeJS
// pairings, matter.js storage) and ffmpeg's ring segments; a storage dir open to others is warned about.
import { expect } from "chai";
import { execFileSync } from "node:child_process";
import { chmodSync, existsSync, lstatSync, mkdirSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { ringLocation } from "../../src/camera/ring-location.js";
import { eventually } from "../helpers/eventually.js";
import { startDoorstep, type RunningDoorstep } from "../helpers/ready-line.js";
import { useTempDir } from "../helpers/temp-dir.js";

/** Every entry under `dir` whose mode is not 0700 (folders) or 0600 (files), as "path mode". */
function looseEntries(dir: string): string[] {
  const loose: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const full = join(d, e.name);
      let mode: number;
      try {
        mode = lstatSync(full).mode & 0o777;
      } catch {
        continue; // the ring deletes old segments while we look
      }
      if (e.isDirectory()) {
        if (mode !== 0o700) loose.push(`${relative(dir, full)}/ ${mode.toString(8)}`);
        walk(full);
      } else if (e.isFile() && mode !== 0o600) {
        loose.push(`${relative(dir, full)} ${mode.toString(8)}`);
      }
    }
  };
  walk(dir);
  return loose;
}

/** All files under `dir` (relative paths). */
function files(dir: string): string[] {
  return (readdirSync(dir, { recursive: true, withFileTypes: true }) as import("node:fs").Dirent[])
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)));
}

describe("doorstep serve keeps its storage private (real binary, issue 10 item 6)", function () {
  this.timeout(180_000);
  const tmp = useTempDir({ prefix: "doorstep-perms-", per: "suite" });
  let bridge: RunningDoorstep<{ api: string }> | undefined;

  after(async () => {
    await bridge?.stop();
  });

  it("makes the library-written files and a loosened tree private, and warns about an open storage dir", async () => {
    const storage = tmp.path;
    // A first run writes what the libraries write.
    bridge = await startDoorstep(["--storage", storage, "serve", "--demo"], "DOORSTEP READY", { timeoutMs: 90_000 });
    await bridge.stop();
    bridge = undefined;
    const written = files(storage);
    expect(written).to.include.members(["doorstep.db", "doorstep.key", join("zigbee", "zigbee-coordinator-backup.json")]);
    expect(written.some((f) => f.startsWith("homekit/")), "HomeKit files").to.equal(true);
    expect(written.some((f) => f.startsWith("matter/")), "Matter files").to.equal(true);

    // As an older version (or a careless restore) would leave it: folders 0755, files 0644 (the key aside: it is
    // refused when readable, a separate check), plus a stale clip.
    mkdirSync(join(storage, "visits", "old-visit"), { recursive: true });
    writeFileSync(join(storage, "visits", "old-visit", "part-0.mp4"), "clip");
    execFileSync("chmod", ["-R", "go+rX", storage]);
    chmodSync(join(storage, "doorstep.key"), 0o600);
    expect(looseEntries(storage).length).to.be.greaterThan(5);

    bridge = await startDoorstep(["--storage", storage, "serve", "--demo"], "DOORSTEP READY", { timeoutMs: 90_000 });
    expect(bridge.stderr()).to.match(/storage directory .* is open to other users \(mode 0755\)/);
    expect(looseEntries(storage)).to.deep.equal([]);

    // Written after start-up by ffmpeg (umask 077), not by the sweep: a ring segment newer than READY.
    const readyAt = Date.now();
    // The ring lives in RAM (/dev/shm), outside the storage dir, and is as private there.
    const ringDir = ringLocation({ storageDir: storage, cameraId: "front" }).root;
    expect(existsSync(join(storage, "ring")), "no ring in the storage dir").to.equal(false);
    const fresh = await eventually(
      "a ring segment written after READY",
      () => files(ringDir).map((f) => join(ringDir, f)).find((f) => f.endsWith(".m4s") && (statSync(f, { throwIfNoEntry: false })?.mtimeMs ?? 0) > readyAt + 500),
      { timeoutMs: 20_000, everyMs: 200 },
    );
    expect(statSync(fresh).mode & 0o777).to.equal(0o600);
    expect(looseEntries(ringDir)).to.deep.equal([]);
    expect(statSync(ringDir).mode & 0o777).to.equal(0o700);
  });
});
