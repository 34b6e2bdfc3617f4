import { expect } from "chai";
import fs from "node:fs";
import path from "node:path";
import { VisitId } from "../../src/access/ids.js";
import { ConflictError, NotFoundError, ValidationError } from "../../src/core/errors.js";
import { MemoryLogger } from "../../src/core/logger.js";
import { probeMedia } from "../../src/camera/ffmpeg-exec.js";
import { RingRecorder } from "../../src/camera/ring-recorder.js";
import { readFrameClocks } from "../../src/sim/camera/rtsp-frame-clock.js";
import { startRtspTestServer, type RtspTestServer } from "../../src/sim/camera/rtsp-test-server.js";
import { useTempDir } from "../helpers/temp-dir.js";
import { decoded, recordedUntil, ringHolds } from "./recorder-harness.js";

describe("camera/ring recorder: a visit clip with pre-roll and post-roll (real ffmpeg, real RTSP server)", function () {
  this.timeout(90_000);
  const PASSWORD = "Cam-Secret-7";
  let server: RtspTestServer | undefined;
  let recorder: RingRecorder | undefined;
  const log = new MemoryLogger();

  before(async () => {
    server = await startRtspTestServer({ audio: true, auth: { username: "admin", password: PASSWORD } });
  });

  after(async () => {
    await recorder?.stop();
    await server?.stop();
  });
  const dir = useTempDir({ prefix: "doorstep-recorder-visit-", per: "suite" });

  // The visit's span; each end may be off by up to one 1 s GOP (a stream-copied clip starts and ends on a keyframe).
  const PRE_ROLL_MS = 3000;
  const INSIDE_MS = 3000;
  const POST_ROLL_MS = 2000;

  it("3 s pre-roll, 3 s inside, 2 s post-roll: the clip covers unlock - 2 s to relock + 1 s by the frames' own clock", async () => {
    recorder = new RingRecorder({ ffmpegPath: "ffmpeg", ringSeconds: 60, cameraId: "front", url: server!.url, storagePath: dir.path, logger: log, minFreeBytes: 1024 * 1024 });
    await recorder.start();
    await recorder.waitUntilRecording(20_000);
    await ringHolds(recorder, PRE_ROLL_MS); // the whole pre-roll is in the ring before the unlock

    const visitId = VisitId("visit-1");
    expect(recorder.isRecording(), "gate open before unlock").to.equal(true);
    const unlockAt = Date.now();
    recorder.beginVisit(visitId, { preRollMs: PRE_ROLL_MS });
    await recordedUntil(recorder, unlockAt + INSIDE_MS, "the visit's video up to the relock");
    const relockAt = Date.now();
    const clip = await recorder.endVisit(visitId, { postRollMs: POST_ROLL_MS });

    expect(clip.parts).to.have.length(1);
    expect(clip.gaps).to.deep.equal([]);
    const part = clip.parts[0]!;

    // Independent of the recorder's bookkeeping: the wall-clock time drawn into the first and last frames.
    const frames = decoded(await readFrameClocks(part.path));
    // 15 fps over the 8 s span, with room for frames whose barcode does not decode.
    expect(frames.length, "frames with a readable clock").to.be.greaterThan(90);
    const first = frames[0]!;
    const last = frames[frames.length - 1]!;
    expect(first, `first frame ${first - unlockAt} ms from unlock`).to.be.at.most(unlockAt - (PRE_ROLL_MS - 1000));
    expect(last, `last frame ${last - relockAt} ms from relock`).to.be.at.least(relockAt + (POST_ROLL_MS - 1000));
    for (let i = 1; i < frames.length; i++) expect(frames[i]! - frames[i - 1]!, "no hole inside the clip").to.be.below(500);

    const info = await probeMedia("ffprobe", part.path);
    expect(info.videoCodec).to.equal("h264");
    expect(info.audioCodec).to.equal("aac");
    // Requested span plus on average half a 1 s GOP of keyframe alignment before the pre-roll.
    const expectedMs = PRE_ROLL_MS + (relockAt - unlockAt) + POST_ROLL_MS + 500;
    expect(Math.abs(info.durationMs - expectedMs), `duration ${info.durationMs} ms vs ${expectedMs} ms`).to.be.at.most(1000);
    expect(part.durationMs).to.equal(info.durationMs);
    // The recorder's own times agree with the frames' clock to within a second.
    expect(Math.abs(part.firstFrameAt - first)).to.be.below(1000);
    expect(Math.abs(part.lastFrameAt - last)).to.be.below(1000);

    const text = log.text();
    expect(text).to.include("visit visit-1");
    expect(text).to.not.include(PASSWORD);
  });

  it("after a crash mid-visit, recoverVisit assembles what the visit folder holds, with its wall-clock times", async () => {
    // Continues with the recorder of the previous test (still running).
    const visitId = VisitId("visit-crash");
    recorder!.beginVisit(visitId, { preRollMs: 1000 });
    expect(() => recorder!.beginVisit(visitId, { preRollMs: 1000 })).to.throw(ConflictError);
    const begunAt = Date.now();
    await recordedUntil(recorder!, begunAt + 3000, "3 s of video in the visit");
    await recorder!.stop(); // the process "dies": its memory of the open visit is gone

    const fresh = new RingRecorder({ ffmpegPath: "ffmpeg", ringSeconds: 60, cameraId: "front", url: server!.url, storagePath: dir.path });
    const clip = await fresh.recoverVisit(visitId);
    expect(clip.parts).to.have.length(1);
    const part = clip.parts[0]!;
    const frames = decoded(await readFrameClocks(part.path));
    expect(frames.length).to.be.greaterThan(30);
    expect(Math.abs(part.firstFrameAt - frames[0]!), "manifest times survive the crash").to.be.below(1000);
    expect(Math.abs(part.lastFrameAt - frames[frames.length - 1]!)).to.be.below(1000);
    expect(fs.existsSync(path.join(dir.path, "visits", "visit-crash", "part-1")), "segments folded into the MP4").to.equal(false);
    // Asking again returns the same clip from clip.json.
    expect(await fresh.recoverVisit(visitId)).to.deep.equal(clip);
  });

  it("rejects bad visit ids and unknown visits, changing nothing", async () => {
    const r = new RingRecorder({ ffmpegPath: "ffmpeg", ringSeconds: 60, cameraId: "front", url: server!.url, storagePath: dir.path });
    const before = fs.readdirSync(path.join(dir.path, "visits")).sort();
    expect(() => r.beginVisit(VisitId("../escape"), { preRollMs: 0 })).to.throw(ValidationError, /visitId/);
    expect(() => r.beginVisit(VisitId("ok-id"), { preRollMs: -5 })).to.throw(ValidationError, /preRollMs/);
    let error: unknown;
    try {
      await r.recoverVisit(VisitId("never-was"));
    } catch (e) {
      error = e;
    }
    expect(error).to.be.instanceOf(NotFoundError);
    expect(fs.readdirSync(path.join(dir.path, "visits")).sort()).to.deep.equal(before);
  });
});
