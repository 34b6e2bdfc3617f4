import { expect } from "chai";
import type { RecorderHealth } from "../../src/camera/recorder.js";
import { afterRunEnded, assessGate, gateHealth, stalledRun, type RunProgress } from "../../src/camera/recording-gate.js";

const T0 = 1_000_000;
const TIMING = { gateMs: 1500, segmentSeconds: 1 };

function run(p: Partial<RunProgress> = {}): RunProgress {
  return { startedAt: T0, frames: 0, firstFrameAt: undefined, lastFrameAt: undefined, newestSegmentAt: undefined, longestSegmentMs: 0, ...p };
}

/** A run that has recorded since T0 + 1 s, its last frame and segment at the given times. */
const healthy = (lastFrameAt: number, newestSegmentAt: number | undefined, longestSegmentMs = 1000) =>
  run({ frames: 100, firstFrameAt: T0 + 1000, lastFrameAt, newestSegmentAt, longestSegmentMs });

describe("camera/recording gate: when video counts as reaching disk", () => {
  const cases: { name: string; run: RunProgress; now: number; verdict: string }[] = [
    { name: "no frame yet", run: run(), now: T0 + 60_000, verdict: "starting" },
    { name: "fresh frame and fresh segment", run: healthy(T0 + 5000, T0 + 4800), now: T0 + 5100, verdict: "ok" },
    { name: "last frame 1499 ms ago", run: healthy(T0 + 5000, T0 + 5000), now: T0 + 6499, verdict: "ok" },
    { name: "last frame exactly gateMs ago", run: healthy(T0 + 5000, T0 + 5000), now: T0 + 6500, verdict: "no-frames" },
    { name: "frames but no segment yet, within a segment and the slack", run: healthy(T0 + 4400, undefined), now: T0 + 4500, verdict: "starting" },
    { name: "frames but no segment for longer than a segment and the slack", run: healthy(T0 + 4600, undefined), now: T0 + 4501 + 100, verdict: "no-segments" },
    { name: "newest segment 3.5 s old (1 s segments + 2.5 s slack)", run: healthy(T0 + 9000, T0 + 5500), now: T0 + 9000, verdict: "ok" },
    { name: "newest segment 3.501 s old", run: healthy(T0 + 9001, T0 + 5500), now: T0 + 9001, verdict: "no-segments" },
    { name: "a 4 s GOP: a 6 s old segment is still fine", run: healthy(T0 + 12_000, T0 + 6000, 4000), now: T0 + 12_000, verdict: "ok" },
    { name: "a 4 s GOP: a 6.6 s old segment is not", run: healthy(T0 + 12_600, T0 + 6000, 4000), now: T0 + 12_600, verdict: "no-segments" },
  ];
  for (const c of cases) {
    it(`${c.name}: ${c.verdict}`, () => {
      expect(assessGate(c.run, c.now, TIMING), c.name).to.equal(c.verdict);
    });
  }

  it("longer configured segments widen the allowance the same way", () => {
    const r = healthy(T0 + 10_000, T0 + 5000, 0);
    expect(assessGate(r, T0 + 10_000, { gateMs: 1500, segmentSeconds: 2 }), "5 s old, 2 s segments").to.equal("no-segments");
    expect(assessGate(r, T0 + 10_000, { gateMs: 1500, segmentSeconds: 3 }), "5 s old, 3 s segments").to.equal("ok");
  });
});

describe("camera/recording gate: the health a verdict means", () => {
  const starting: RecorderHealth = { state: "starting", since: T0, message: "connecting to the camera's video stream" };
  const restarting: RecorderHealth = { state: "restarting", attempt: 1, retryInMs: 500, reason: "ffmpeg-crashed", message: "x" };
  const failed: RecorderHealth = { state: "failed", reason: "auth-failed", retryInMs: 500, message: "y" };
  const recording: RecorderHealth = { state: "recording", lastFrameAt: T0, newestSegmentAt: T0, message: "recording" };

  it("ok is recording with the run's last frame and segment", () => {
    const r = healthy(T0 + 5000, T0 + 4800);
    expect(gateHealth(r, "ok", starting, TIMING)).to.deep.equal({ state: "recording", lastFrameAt: T0 + 5000, newestSegmentAt: T0 + 4800, message: "recording" });
  });

  it("starting keeps a restart's or failure's reason, and says connecting otherwise", () => {
    const r = run();
    expect(gateHealth(r, "starting", restarting, TIMING), "after a restart").to.equal(undefined);
    expect(gateHealth(r, "starting", failed, TIMING), "after a failure").to.equal(undefined);
    expect(gateHealth(r, "starting", starting, TIMING), "already starting").to.equal(undefined);
    expect(gateHealth(r, "starting", recording, TIMING)).to.deep.equal(starting);
  });

  it("a stall names what is missing and since when, once per cause", () => {
    const r = healthy(T0 + 5000, T0 + 4000);
    const noFrames = gateHealth(r, "no-frames", recording, TIMING);
    expect(noFrames).to.deep.equal({ state: "stalled", since: T0 + 5000, lastFrameAt: T0 + 5000, message: "no video frame from the camera in the last 1.5 s" });
    expect(gateHealth(r, "no-frames", noFrames!, TIMING), "the same stall again").to.equal(undefined);
    const noSegments = gateHealth(r, "no-segments", noFrames!, TIMING);
    expect(noSegments).to.deep.equal({
      state: "stalled", since: T0 + 4000, lastFrameAt: T0 + 5000, message: "frames arrive but no segment has reached disk: check the disk",
    });
    const neverWrote = run({ frames: 10, firstFrameAt: T0 + 700, lastFrameAt: T0 + 900 });
    expect(gateHealth(neverWrote, "no-segments", recording, TIMING)).to.include({ since: T0 + 700 });
    expect(gateHealth(run(), "no-frames", recording, TIMING), "no frame ever: since the run started").to.include({ since: T0 });
  });
});

describe("camera/recording gate: the watchdog and the restart backoff", () => {
  it("kills a run that wrote no frame for longer than stallRestartMs, naming why", () => {
    expect(stalledRun(run(), T0 + 8000, 8000), "8 s without a frame").to.equal(undefined);
    expect(stalledRun(run(), T0 + 8001, 8000), "never a frame").to.equal("stream-unreachable");
    expect(stalledRun(healthy(T0 + 2000, T0 + 2000), T0 + 10_000, 8000)).to.equal(undefined);
    expect(stalledRun(healthy(T0 + 2000, T0 + 2000), T0 + 10_001, 8000), "frames, then none").to.equal("stream-ended");
  });

  const backoff = { initialMs: 500, maxMs: 30_000 };
  it("doubles the wait per failure up to the cap, restarting twice before it reports failed", () => {
    let failures = 0;
    const seen: [string, number][] = [];
    for (let i = 0; i < 9; i++) {
      const next = afterRunEnded({ failures, run: run(), reason: "stream-unreachable", backoff });
      failures = next.failures;
      seen.push([next.health.state, next.retryInMs]);
    }
    expect(seen).to.deep.equal([
      ["restarting", 500], ["restarting", 1000], ["failed", 2000], ["failed", 4000], ["failed", 8000],
      ["failed", 16_000], ["failed", 30_000], ["failed", 30_000], ["failed", 30_000],
    ]);
  });

  it("a missing ffmpeg, a full disk and a refused password fail at once", () => {
    for (const reason of ["ffmpeg-missing", "disk-full", "auth-failed"] as const) {
      const next = afterRunEnded({ failures: 0, run: run(), reason, backoff });
      expect(next.health, reason).to.deep.include({ state: "failed", reason, retryInMs: 500 });
    }
    const crash = afterRunEnded({ failures: 0, run: run(), reason: "ffmpeg-crashed", backoff }).health;
    expect(crash).to.deep.equal({ state: "restarting", attempt: 1, retryInMs: 500, reason: "ffmpeg-crashed", message: "ffmpeg stopped unexpectedly; restarting ffmpeg in 1 s" });
  });

  it("a run that recorded for more than 30 s starts the count again", () => {
    const longRun = run({ frames: 900, firstFrameAt: T0, lastFrameAt: T0 + 30_001 });
    expect(afterRunEnded({ failures: 5, run: longRun, reason: "stream-ended", backoff })).to.deep.include({ failures: 1, retryInMs: 500 });
    const shortRun = run({ frames: 900, firstFrameAt: T0, lastFrameAt: T0 + 30_000 });
    expect(afterRunEnded({ failures: 5, run: shortRun, reason: "stream-ended", backoff })).to.deep.include({ failures: 6, retryInMs: 16_000 });
  });
});
