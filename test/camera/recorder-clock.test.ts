// The ring recorder's waits on its injected clock (a TestClock): restart backoff, the end of a visit's post-roll, the
// recording deadline, and nothing left waiting after stop(). No camera and no ffmpeg: the configured binary does not
// exist, so every run fails at once, the way a missing ffmpeg does.
import { expect } from "chai";
import { VisitId } from "../../src/access/ids.js";
import { TestClock } from "../../src/access/test-clock.js";
import { MemoryLogger } from "../../src/core/logger.js";
import { RingRecorder } from "../../src/camera/ring-recorder.js";
import { DeviceUnreachableError } from "../../src/core/errors.js";
import { eventually } from "../helpers/eventually.js";
import { useTempDir } from "../helpers/temp-dir.js";

describe("camera/ring recorder waits on its clock (TestClock, no ffmpeg)", () => {
  let recorder: RingRecorder | undefined;
  let clock: TestClock;
  const log = new MemoryLogger();

  afterEach(async () => {
    await recorder?.stop();
    recorder = undefined;
  });
  const dir = useTempDir({ prefix: "doorstep-recorder-clock-" });

  /** A started recorder whose first run has failed (ffmpeg missing). */
  async function failingRecorder(): Promise<{ r: RingRecorder }> {
    clock = new TestClock(Date.parse("2026-12-07T10:00:00Z"));
    const r = new RingRecorder({
      cameraId: "door", url: "rtsp://127.0.0.1:9/none", storagePath: dir.path, ffmpegPath: dir.join("no-such-ffmpeg"), ringSeconds: 60,
      backoff: { initialMs: 500, maxMs: 2000 }, logger: log, clock,
    });
    recorder = r;
    await r.start();
    await eventually("the first run to fail", () => failedRun(r));
    return { r };
  }

  /** The run number and the retry delay once that run has failed. */
  const failedRun = (r: RingRecorder) => {
    const h = r.health();
    const run = r.runStats()?.run;
    return h.state === "failed" && run !== undefined && r.ffmpegPid() === undefined ? { run, retryInMs: h.retryInMs } : undefined;
  };

  it("restarts only when the clock reaches the backoff, doubling it each time", async () => {
    const { r } = await failingRecorder();
    expect(failedRun(r)).to.deep.equal({ run: 1, retryInMs: 500 });
    await clock.elapse(499);
    expect(r.runStats()?.run, "no restart before the backoff").to.equal(1);
    const seen = [failedRun(r)!.retryInMs];
    for (const wait of [1, 1000, 2000]) {
      await clock.elapse(wait);
      const next = await eventually(`run ${seen.length + 1} to fail`, () => failedRun(r)?.run === seen.length + 1 && failedRun(r));
      seen.push(next.retryInMs!);
    }
    expect(seen, "doubling, capped at maxMs").to.deep.equal([500, 1000, 2000, 2000]);
  });

  it("a visit on a camera that sends nothing ends at the end of its post-roll, without the grace", async () => {
    const { r } = await failingRecorder();
    const visitId = VisitId("quiet-1");
    r.beginVisit(visitId, { preRollMs: 0 });
    let done = false;
    const ending = r.endVisit(visitId, { postRollMs: 3000 }).finally(() => (done = true));
    await clock.elapse(2999);
    expect(done, "1 ms before the end of the post-roll").to.equal(false);
    await clock.elapse(1);
    const clip = await ending;
    expect(clip).to.deep.equal({ visitId, parts: [], gaps: [] });
    expect(log.text()).to.match(/visit quiet-1: no segment reached the end of the post-roll/);
  });

  it("waitUntilRecording gives up when the clock reaches its deadline, saying why, and an abort ends it at once", async () => {
    const { r } = await failingRecorder();
    let outcome: unknown = "pending";
    const waiting = r.waitUntilRecording(10_000).then(() => "recording", (e: unknown) => (outcome = e));
    await clock.elapse(9999);
    expect(outcome, "before the deadline").to.equal("pending");
    await clock.elapse(1);
    await waiting;
    expect(outcome).to.be.instanceOf(DeviceUnreachableError);
    expect((outcome as Error).message).to.match(/camera door is not recording: ffmpeg could not be started/);

    const ac = new AbortController();
    const aborted = r.waitUntilRecording(10_000, ac.signal).catch((e: unknown) => e);
    const reason = new Error("shutting down");
    ac.abort(reason);
    expect(await aborted).to.equal(reason);
  });

  it("stop() leaves nothing waiting on the clock", async () => {
    const { r } = await failingRecorder();
    expect(clock.pending, "the poll loop and the restart wait").to.equal(2);
    await r.stop();
    expect(clock.pending).to.equal(0);
    expect(r.health().state).to.equal("stopped");
  });
});
