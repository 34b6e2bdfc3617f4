// Issue 11 bench: what the always-on ring writes to the storage folder (the SD card on a Raspberry Pi), idle and per
// visit, now that the ring lives in RAM. A door's camera (DoorCamera: ONVIF simulator, GStreamer RTSP test stream, real
// ffmpeg) records for IDLE_S seconds; every file created in storage is watched and its final size counted. Run:
// node dist/bench/ring-storage-writes.js   (RING_IDLE_S, default 60)
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { systemClock } from "../src/access/clock.js";
import { VisitId } from "../src/access/ids.js";
import { DoorCamera } from "../src/bridge/door-camera.js";
import { ringLocation } from "../src/camera/ring-location.js";
import { silentLogger } from "../src/core/logger.js";
import { startOnvifSimulator } from "../src/sim/camera/onvif-simulator.js";
import { startRtspTestServer } from "../src/sim/camera/rtsp-test-server.js";
import { isMain } from "./zigbee-setup.js";

const IDLE_S = Number(process.env.RING_IDLE_S ?? 60);
const STREAM = { width: 1280, height: 720, fps: 15, bitrateKbps: 2048 };
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Watches a folder tree and keeps the largest size seen of every file created in it (deleted files still count). */
class WriteWatcher {
  private readonly sizes = new Map<string, number>();
  private readonly watcher: fs.FSWatcher;
  constructor(private readonly root: string) {
    this.watcher = fs.watch(root, { recursive: true }, (_event, name) => name && this.look(path.join(root, name)));
  }
  /** Rescans the tree too (an event can be coalesced) and returns the bytes and files counted so far. */
  total(): { bytes: number; files: number } {
    for (const e of fs.readdirSync(this.root, { recursive: true, withFileTypes: true })) if (e.isFile()) this.look(path.join(e.parentPath, e.name));
    let bytes = 0;
    for (const v of this.sizes.values()) bytes += v;
    return { bytes, files: this.sizes.size };
  }
  reset(): void {
    this.total();
    this.sizes.clear();
    this.seenBefore = new Set(fs.readdirSync(this.root, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name)));
  }
  private seenBefore = new Set<string>();
  private look(file: string): void {
    if (this.seenBefore.has(file)) return;
    try {
      const st = fs.statSync(file);
      if (st.isFile()) this.sizes.set(file, Math.max(this.sizes.get(file) ?? 0, st.size));
    } catch {
      // deleted before we looked: counted at its last size seen, if any
    }
  }
  close(): void {
    this.watcher.close();
  }
}

function dirBytes(dir: string): number {
  if (!fs.existsSync(dir)) return 0;
  let n = 0;
  for (const e of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) if (e.isFile()) n += fs.statSync(path.join(e.parentPath, e.name)).size;
  return n;
}

export async function benchRingStorageWrites(): Promise<string> {
  const storage = fs.mkdtempSync(path.join(os.tmpdir(), "doorstep-bench-ring-"));
  const rtsp = await startRtspTestServer(STREAM);
  const onvif = await startOnvifSimulator({ username: "admin", password: "Bench-Ring-1", rtspUrl: rtsp.url });
  const camera = new DoorCamera({
    doorId: "front",
    doorName: "Front door",
    camera: { host: onvif.host, port: onvif.port, username: "admin", password: "Bench-Ring-1" },
    recording: { ffmpegPath: "ffmpeg", ringSeconds: 120, maxBitrateKbps: 8000, retentionDays: 1, retentionGigabytes: 1 },
    storageDir: storage,
    logger: silentLogger,
    clock: systemClock,
  });
  const ring = ringLocation({ storageDir: storage, cameraId: "front" });
  const watcher = new WriteWatcher(storage);
  try {
    await camera.start();
    for (let i = 0; !camera.isRecording(); i++) {
      if (i > 600) throw new Error("the camera never started recording");
      await sleep(100);
    }
    watcher.reset();
    const ring0 = dirBytes(ring.dir);
    const t0 = performance.now();
    await sleep(IDLE_S * 1000);
    const idleS = (performance.now() - t0) / 1000;
    const idle = watcher.total();
    const ringRate = (dirBytes(ring.dir) - ring0) / idleS; // bytes/s entering the ring (none pruned yet: ringSeconds > IDLE_S)

    watcher.reset();
    const visitId = VisitId("bench-visit-1");
    camera.beginVisit(visitId, { preRollMs: 5000 });
    await sleep(10_000);
    const clip = await camera.endVisit(visitId, { postRollMs: 5000 });
    const visit = watcher.total();
    const kept = dirBytes(path.join(storage, "visits", visitId));
    const clipS = clip.parts.reduce((a, p) => a + p.durationMs, 0) / 1000;
    const mib = (b: number) => (b / 2 ** 20).toFixed(2);
    const perHour = (idle.bytes / idleS) * 3600;
    return [
      "## The ring in RAM: bytes written to storage",
      "",
      `One door's camera (\`DoorCamera\`: ONVIF simulator, GStreamer test stream ${STREAM.width}×${STREAM.height} at ${STREAM.fps} fps, ${STREAM.bitrateKbps} kbit/s`,
      `target, real ffmpeg), ring in \`${ring.root.replace(/doorstep-[0-9a-f]+/, "doorstep-<id>")}\` (tmpfs). Every file created in the storage folder is watched`,
      "(fs.watch plus a rescan) and counted at the largest size seen, so files written and deleted again count too.",
      "",
      "| | measured | per hour |",
      "|---|---|---|",
      `| idle: bytes written to storage over ${idleS.toFixed(0)} s (scaled ×${(3600 / idleS).toFixed(0)} to an hour) | ${idle.bytes} B in ${idle.files} files | ${mib(perHour)} MiB |`,
      `| the stream entering the ring (RAM), which the ring on disk used to write | ${mib(ringRate * idleS)} MiB | ${mib(ringRate * 3600)} MiB (${((ringRate * 8) / 1000).toFixed(0)} kbit/s) |`,
      `| one visit: 5 s pre-roll + 10 s + 5 s post-roll (${clipS.toFixed(1)} s of clip) | ${mib(visit.bytes)} MiB written in ${visit.files} files, ${mib(kept)} MiB kept | |`,
      "",
      "A visit writes its segments (copied from RAM as they arrive, with their manifest), then the assembled MP4; the segment copies are",
      "deleted once the MP4 is checked, so only the clip is kept. The test pattern compresses far below its bitrate target; a 1080p main",
      `stream at 4 Mbit/s would have written ${((4096 * 1000 * 3600) / 8 / 2 ** 30).toFixed(2)} GiB per hour to storage with the ring on disk, and writes 0 B now.`,
      "",
    ].join("\n");
  } finally {
    watcher.close();
    await camera.stop();
    await onvif.stop();
    await rtsp.stop();
    fs.rmSync(storage, { recursive: true, force: true });
  }
}

if (isMain(import.meta.url)) console.log(await benchRingStorageWrites());
