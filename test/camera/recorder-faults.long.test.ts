import { expect } from "chai";
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { VisitId } from "../../src/access/ids.js";
import { MemoryLogger } from "../../src/core/logger.js";
import { RingRecorder, type RecorderGapEvent } from "../../src/camera/ring-recorder.js";
import type { RecorderHealth } from "../../src/camera/recorder.js";
import { readFrameClocks } from "../../src/sim/camera/rtsp-frame-clock.js";
import { startRtspTestServer, type RtspTestServer } from "../../src/sim/camera/rtsp-test-server.js";
import { eventually } from "../helpers/eventually.js";
import { makeTempDir, removeTempDir, useTempDir } from "../helpers/temp-dir.js";
import { decoded, recordedUntil, ringHolds } from "./recorder-harness.js";

describe("camera/ring recorder faults (real ffmpeg, real RTSP server)", function () {
  this.timeout(90_000);
  let server: RtspTestServer | undefined;
  let recorder: RingRecorder | undefined;

  afterEach(async () => {
    await recorder?.stop();
    recorder = undefined;
    await server?.stop("SIGKILL");
    server = undefined;
  });
  const dir = useTempDir({ prefix: "doorstep-recorder-faults-" });

  it("the stream dies mid-visit: the gate closes within 3 s, recording resumes, the clip has two parts and the gap is logged", async () => {
    server = await startRtspTestServer({});
    const log = new MemoryLogger();
    recorder = new RingRecorder({
      ffmpegPath: "ffmpeg", ringSeconds: 60,
      cameraId: "door", url: server.url, storagePath: dir.path, logger: log, minFreeBytes: 1024 * 1024,
      backoff: { initialMs: 300, maxMs: 1500 },
    });
    const gaps: RecorderGapEvent[] = [];
    recorder.on("gap", (g) => gaps.push(g));
    await recorder.start();
    await recorder.waitUntilRecording(20_000);
    await ringHolds(recorder, 2000);
    const visitId = VisitId("cut-1");
    const begunAt = Date.now();
    recorder.beginVisit(visitId, { preRollMs: 2000 });
    await recordedUntil(recorder, begunAt + 2000, "2 s of video in the visit before the cut");

    const cutAt = Date.now();
    await server.stop("SIGKILL");
    // The deadline is the claim: the gate closes within 3 s of the stream dying.
    await eventually("the gate to close after the stream died", () => !recorder!.isRecording(), { timeoutMs: 3000 });
    expect(recorder.health().state).to.not.equal("recording");
    // The outage lasts until the recorder has retried the dead stream and failed again, so the clip has a real hole.
    await eventually("a failed restart against the dead stream", () => {
      const h = recorder!.health();
      return (h.state === "restarting" && h.attempt >= 2) || h.state === "failed";
    });
    const restoredAt = Date.now();
    await server.restart();
    await recorder.waitUntilRecording(20_000);
    await recordedUntil(recorder, Date.now() + 1000, "1 s of video after recording resumed");
    const clip = await recorder.endVisit(visitId, { postRollMs: 1000 });

    expect(clip.parts).to.have.length(2);
    expect(clip.gaps).to.have.length(1);
    // The hole spans the outage: from about the cut (part 1's last segment may land just after it) to the restore.
    expect(clip.gaps[0]!.gapMs).to.be.greaterThan(restoredAt - cutAt - 1000);
    expect(clip.gaps[0]!.gapMs).to.be.greaterThan(0);
    expect(gaps.map((g) => g.part)).to.deep.equal([2]);
    expect(log.text()).to.match(/visit cut-1: recording resumed after a \d+\.\d s gap; the clip continues in part 2/);
    // The frames' own clock shows the hole: part 1 ends near the cut, part 2 starts after the server came back.
    const one = decoded(await readFrameClocks(clip.parts[0]!.path));
    const two = decoded(await readFrameClocks(clip.parts[1]!.path));
    expect(one.length).to.be.greaterThan(30);
    expect(two.length).to.be.greaterThan(15);
    expect(one[one.length - 1]!).to.be.below(cutAt + 500);
    expect(two[0]!).to.be.at.least(restoredAt);
  });

  it("ffmpeg missing: failed(ffmpeg-missing), gate closed, a clear sentence", async () => {
    server = await startRtspTestServer({});
    recorder = new RingRecorder({ ringSeconds: 60, cameraId: "door", url: server.url, storagePath: dir.path, ffmpegPath: dir.join("no-such-ffmpeg") });
    const states: RecorderHealth[] = [];
    recorder.on("health", (h) => states.push(h));
    await recorder.start();
    await eventually("failed health", () => recorder!.health().state === "failed", { timeoutMs: 5000 });
    const h = recorder.health();
    expect(h.state === "failed" && h.reason).to.equal("ffmpeg-missing");
    expect(h.message).to.match(/ffmpeg could not be started/);
    expect(recorder.isRecording()).to.equal(false);
    let error: unknown;
    try {
      await recorder.waitUntilRecording(500);
    } catch (e) {
      error = e;
    }
    expect(String(error)).to.match(/not recording: ffmpeg could not be started/);
    expect(states.some((s) => s.state === "recording")).to.equal(false);
  });

  it("ffmpeg killed with SIGKILL: nothing already recorded is lost, it restarts, and the visit continues in a new part", async () => {
    server = await startRtspTestServer({});
    recorder = new RingRecorder({
      ffmpegPath: "ffmpeg",
      cameraId: "door", url: server.url, storagePath: dir.path, minFreeBytes: 1024 * 1024, backoff: { initialMs: 300, maxMs: 1500 },
      ringSeconds: 3, // a short ring, so pruning runs during the visit
    });
    await recorder.start();
    await recorder.waitUntilRecording(20_000);
    const visitId = VisitId("crash-1");
    recorder.beginVisit(visitId, { preRollMs: 1000 });
    const partDir = dir.join("visits", "crash-1", "part-1");
    await eventually("two segments in the visit's first part", () => fs.existsSync(partDir) && fs.readdirSync(partDir).filter((f) => f.endsWith(".m4s")).length >= 2);
    // The video files (the manifest beside them keeps growing by design).
    const before = new Map(fs.readdirSync(partDir).filter((f) => f.endsWith(".m4s") || f.endsWith(".mp4")).map((f) => [f, fs.statSync(path.join(partDir, f)).size]));
    const ringBefore = recorder.ringSegments().map((s) => ({ path: s.path, bytes: s.bytes }));
    expect([...before.keys()].filter((f) => f.endsWith(".m4s")).length).to.be.at.least(2);

    const pid = recorder.ffmpegPid();
    expect(pid).to.be.a("number");
    process.kill(pid!, "SIGKILL");
    await eventually("restarting health", () => recorder!.health().state === "restarting", { timeoutMs: 3000 });
    const h = recorder.health();
    expect(h.state === "restarting" && h.reason).to.equal("ffmpeg-crashed");
    await recorder.waitUntilRecording(20_000);
    expect(recorder.ffmpegPid()).to.not.equal(pid);

    for (const [f, size] of before) expect(fs.statSync(path.join(partDir, f)).size, f).to.equal(size);
    // Ring segments from before the crash are all still there, unless pruned for age (never for the crash).
    for (const s of ringBefore) if (fs.existsSync(s.path)) expect(fs.statSync(s.path).size, s.path).to.equal(s.bytes);
    // The ring prunes itself to its 3 s span; the visit keeps every segment it took (its own hard links).
    await eventually("old ring segments pruned", () => ringBefore.some((s) => !fs.existsSync(s.path)));
    expect(recorder.ringSegments().length).to.be.at.most(5);
    const clip = await recorder.endVisit(visitId, { postRollMs: 1000 });
    expect(clip.parts).to.have.length(2);
    expect(clip.parts[0]!.segments).to.be.at.least([...before.keys()].filter((f) => f.endsWith(".m4s")).length);
    expect(decoded(await readFrameClocks(clip.parts[0]!.path)).length).to.be.greaterThan(20);
    expect(decoded(await readFrameClocks(clip.parts[1]!.path)).length).to.be.greaterThan(10);
  });

  it("a full disk (a tiny tmpfs in a private mount namespace): failed(disk-full), gate closed, recorded segments kept", async () => {
    server = await startRtspTestServer({ audio: true });
    const child = fileURLToPath(new URL("./recorder-disk-full-child.js", import.meta.url));
    const mountDir = makeTempDir("doorstep-recorder-diskfull-");
    let proc: ChildProcess | undefined;
    try {
      // unshare -m: the tmpfs exists only for the child and vanishes with it; nothing on the host is mounted.
      proc = spawn(
        "unshare",
        ["-m", "--propagation", "private", "sh", "-c", 'mount -t tmpfs -o size=512k tmpfs "$0" && exec "$1" "$2"', mountDir, process.execPath, child],
        { stdio: ["ignore", "pipe", "pipe"], detached: true, env: { ...process.env, DOORSTEP_TEST_URL: server.url, DOORSTEP_TEST_DIR: mountDir } },
      );
      let out = "";
      let err = "";
      proc.stdout!.on("data", (d: Buffer) => (out += d.toString()));
      proc.stderr!.on("data", (d: Buffer) => (err += d.toString()));
      const code = await new Promise<number | null>((resolve) => proc!.once("exit", (c) => resolve(c)));
      const line = /RESULT (\{.*\})/.exec(out);
      expect(line, `child output: ${out} ${err}`).to.not.equal(null);
      expect(code).to.equal(0);
      const r = JSON.parse(line![1]!) as {
        reason: string; message: string; gateWhenFull: boolean; gateLater: boolean;
        segmentsBefore: number; keptIntact: number; decodedFrames: number;
      };
      expect(r.reason).to.equal("disk-full");
      expect(r.message).to.match(/disk holding recordings is full/);
      expect(r.gateWhenFull).to.equal(false);
      expect(r.gateLater).to.equal(false);
      expect(r.segmentsBefore).to.be.at.least(2);
      expect(r.keptIntact).to.equal(r.segmentsBefore);
      expect(r.decodedFrames).to.be.greaterThan(10);
    } finally {
      if (proc?.pid && proc.exitCode === null) {
        try {
          process.kill(-proc.pid, "SIGKILL");
        } catch {
          // already gone
        }
      }
      removeTempDir(mountDir);
    }
  });
});
