// Run by recorder-faults.long.test.ts inside `unshare -m` with a 512 KiB tmpfs mounted on DOORSTEP_TEST_DIR:
// records until the disk is full and reports, as one `RESULT {json}` line, what the recorder and the disk showed.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { RingRecorder } from "../../src/camera/ring-recorder.js";
import type { SegmentRecord } from "../../src/camera/segment-index.js";
import { readFrameClocks } from "../../src/sim/camera/rtsp-frame-clock.js";
import { setTimeout as sleep } from "node:timers/promises";
import { eventually } from "../helpers/eventually.js";
import { decoded } from "./recorder-harness.js";

const url = process.env.DOORSTEP_TEST_URL!;
const dir = process.env.DOORSTEP_TEST_DIR!;
// Leave ~64 KiB free so the disk fills after a few seconds of video.
const st = fs.statfsSync(dir);
fs.writeFileSync(path.join(dir, "filler"), Buffer.alloc(Math.max(0, st.bavail * st.bsize - 64 * 1024)));

const recorder = new RingRecorder({ ffmpegPath: "ffmpeg", ringSeconds: 60, cameraId: "door", url, storagePath: dir, minFreeBytes: 12 * 1024, backoff: { initialMs: 300, maxMs: 1000 } });
const seen: SegmentRecord[] = [];
recorder.on("segment", (s) => seen.push(s));
try {
  await recorder.start();
  await recorder.waitUntilRecording(20_000);
  await eventually("failed(disk-full)", () => {
    const h = recorder.health();
    return h.state === "failed" && h.reason === "disk-full";
  }, { timeoutMs: 30_000 });
  const h = recorder.health();
  const gateWhenFull = recorder.isRecording();
  // A window in which the gate must NOT reopen (a disk that is still full): nothing to wait for, so a fixed 1.5 s.
  await sleep(1500);
  const gateLater = recorder.isRecording();
  // Segments that were complete (listed by ffmpeg) before the disk filled, still on disk, unchanged.
  const complete = seen.filter((s) => s.bytes > 0);
  const intact = complete.filter((s) => fs.existsSync(s.path) && fs.statSync(s.path).size === s.bytes);
  // Decode them (init + segments of run 1), writing the joined file outside the full tmpfs.
  const run1 = intact.filter((s) => s.run === 1);
  const joined = path.join(os.tmpdir(), `doorstep-diskfull-${process.pid}.mp4`);
  fs.writeFileSync(joined, Buffer.concat([fs.readFileSync(path.join(path.dirname(run1[0]!.path), "init.mp4")), ...run1.map((s) => fs.readFileSync(s.path))]));
  const frames = decoded(await readFrameClocks(joined));
  fs.rmSync(joined, { force: true });
  const reason = h.state === "failed" ? h.reason : h.state;
  console.log("RESULT " + JSON.stringify({
    reason, message: h.message, gateWhenFull, gateLater, segmentsBefore: complete.length, keptIntact: intact.length, decodedFrames: frames.length,
  }));
} finally {
  await recorder.stop();
}
