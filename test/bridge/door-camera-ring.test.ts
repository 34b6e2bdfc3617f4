// The ring lives in RAM, the clips on disk: a door's camera (real ONVIF simulator, real RTSP stream, real ffmpeg) records
// its always-on ring into /dev/shm/doorstep-<id>; while idle nothing of it reaches the storage folder, a visit copies
// only its own segments (pre-roll onward) there, and stopping removes the ring from memory.
import { expect } from "chai";
import fs from "node:fs";
import path from "node:path";
import { systemClock } from "../../src/access/clock.js";
import { VisitId } from "../../src/access/ids.js";
import { DoorCamera } from "../../src/bridge/door-camera.js";
import { ringCapBytes, ringLocation } from "../../src/camera/ring-location.js";
import { MemoryLogger } from "../../src/core/logger.js";
import { startOnvifSimulator, type OnvifSimulator } from "../../src/sim/camera/onvif-simulator.js";
import { startRtspDemoServer } from "../../src/sim/camera/rtsp-demo-server.js";
import type { RtspTestServer } from "../../src/sim/camera/rtsp-test-server.js";
import { eventually } from "../helpers/eventually.js";
import { useTempDir, withTempDir } from "../helpers/temp-dir.js";

/** Every file below `dir`, relative to it. */
function filesBelow(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return (fs.readdirSync(dir, { recursive: true, withFileTypes: true }) as fs.Dirent[])
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)));
}

describe("bridge/door camera: the ring in RAM, only visits in storage (real ffmpeg, ONVIF simulator, RTSP stream)", function () {
  this.timeout(90_000);
  let rtsp: RtspTestServer | undefined;
  let onvif: OnvifSimulator | undefined;
  let camera: DoorCamera | undefined;
  const log = new MemoryLogger();

  before(async () => {
    rtsp = await startRtspDemoServer();
    onvif = await startOnvifSimulator({ username: "admin", password: "Ring-Secret-3", rtspUrl: rtsp.url });
  });

  after(async () => {
    await camera?.stop();
    await onvif?.stop();
    await rtsp?.stop();
  });
  const tmp = useTempDir({ prefix: "doorstep-ring-ram-", per: "suite" });

  it("idle: segments accumulate in /dev/shm/doorstep-<id>/<door> and nothing but empty folders in storage", async () => {
    camera = new DoorCamera({
      doorId: "front",
      doorName: "Front door",
      camera: { host: onvif!.host, port: onvif!.port, username: "admin", password: "Ring-Secret-3" },
      recording: { ffmpegPath: "ffmpeg", ringSeconds: 30, maxBitrateKbps: 8000, retentionDays: 1, retentionGigabytes: 1 },
      storageDir: tmp.path,
      logger: log,
      clock: systemClock,
    });
    await camera.start();
    const ring = ringLocation({ storageDir: tmp.path, cameraId: "front" });
    expect(ring.inMemory, "/dev/shm is a tmpfs on the test machine").to.equal(true);
    expect(ring.dir.startsWith("/dev/shm/doorstep-")).to.equal(true);
    await eventually("the gate to open", () => camera!.isRecording(), { timeoutMs: 30_000 });
    await eventually("four segments in the ring", () => filesBelow(ring.dir).filter((f) => f.endsWith(".m4s")).length >= 4, { timeoutMs: 30_000 });
    expect(filesBelow(tmp.path)).to.deep.equal([]);
    expect(log.lines.map((l) => l.message).join("\n")).to.not.match(/not in memory/);
  });

  it("a visit copies its segments from the pre-roll on into storage; the clip is assembled there", async () => {
    const visitId = VisitId("visit-ram-1");
    camera!.beginVisit(visitId, { preRollMs: 2000 });
    const ring = ringLocation({ storageDir: tmp.path, cameraId: "front" });
    const ringBefore = filesBelow(ring.dir).filter((f) => f.endsWith(".m4s")).length;
    const clip = await camera!.endVisit(visitId, { postRollMs: 1000 });
    expect(clip.parts.length).to.equal(1);
    expect(clip.parts[0]!.durationMs).to.be.at.least(2000);
    const stored = filesBelow(tmp.path);
    expect(stored.every((f) => f.startsWith(`visits${path.sep}${visitId}${path.sep}`)), stored.join(", ")).to.equal(true);
    expect(stored).to.include(path.join("visits", visitId, "part-1.mp4"));
    // The ring is untouched by the copy: its segments stay in RAM until they age out.
    expect(filesBelow(ring.dir).filter((f) => f.endsWith(".m4s")).length).to.be.at.least(ringBefore);
  });

  it("stopping removes the ring from memory and leaves the clip", async () => {
    const ring = ringLocation({ storageDir: tmp.path, cameraId: "front" });
    await camera!.stop();
    camera = undefined;
    expect(fs.existsSync(ring.root)).to.equal(false);
    expect(filesBelow(tmp.path)).to.include(path.join("visits", "visit-ram-1", "part-1.mp4"));
  });
});

describe("camera/ring location and size cap", () => {
  it("a configured ringDir holds a per-bridge folder; two storage folders never share a ring", () => {
    const a = ringLocation({ storageDir: "/srv/a", cameraId: "front", ringDir: "/run/doorstep" });
    const b = ringLocation({ storageDir: "/srv/b", cameraId: "front", ringDir: "/run/doorstep" });
    expect(a.dir).to.match(/^\/run\/doorstep\/doorstep-[0-9a-f]{16}\/front$/);
    expect(a.root).to.not.equal(b.root);
    expect(ringLocation({ storageDir: "/srv/a", cameraId: "front", ringDir: "/run/doorstep" })).to.deep.equal(a);
  });

  it("without a tmpfs at /dev/shm it falls back to the storage folder", async () => {
    // The OS temp dir is on the disk here, unlike /dev/shm.
    const loc = await withTempDir((disk) => ringLocation({ storageDir: "/srv/a", cameraId: "front", shmDir: disk }), "doorstep-not-shm-");
    expect(loc).to.deep.equal({ root: "/srv/a/ring", dir: "/srv/a/ring/front", inMemory: false, scratch: false });
  });

  it("caps the ring at ringSeconds (plus two segments) of the highest expected bitrate", () => {
    // 120 s + 2 s at 8 Mbit/s = 122 MB.
    expect(ringCapBytes(120, 8000)).to.equal(122_000_000);
    expect(ringCapBytes(60, 4096, 2)).to.equal(Math.ceil((64 * 4096 * 1000) / 8));
  });
});
