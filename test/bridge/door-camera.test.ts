// One door's camera as the bridge runs it (ONVIF driver + always-on ring recorder), against the simulated ONVIF camera
// and real RTSP servers with real ffmpeg (issue 10, item 17): a stream that moves mid-visit.
import { expect } from "chai";
import { systemClock } from "../../src/access/clock.js";
import { VisitId } from "../../src/access/ids.js";
import { DoorCamera } from "../../src/bridge/door-camera.js";
import { MemoryLogger } from "../../src/core/logger.js";
import { startOnvifSimulator, type OnvifSimulator } from "../../src/sim/camera/onvif-simulator.js";
import { startRtspTestServer, type RtspTestServer } from "../../src/sim/camera/rtsp-test-server.js";
import { eventually } from "../helpers/eventually.js";
import { makeTempDir, removeTempDir } from "../helpers/temp-dir.js";

const USER = "admin";
const PASSWORD = "door-cam-pass";

describe("DoorCamera (ONVIF simulator, RTSP servers, real ffmpeg)", function () {
  this.timeout(90_000);
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    while (cleanups.length) await cleanups.pop()!().catch(() => undefined);
  });

  async function rtsp(): Promise<RtspTestServer> {
    const s = await startRtspTestServer({ fps: 10, width: 320, height: 240, bitrateKbps: 200 });
    cleanups.push(() => s.stop());
    return s;
  }
  async function onvif(rtspUrl: string, port = 0): Promise<OnvifSimulator> {
    const s = await startOnvifSimulator({ username: USER, password: PASSWORD, rtspUrl, port });
    cleanups.push(() => s.stop());
    return s;
  }
  function doorCamera(sim: OnvifSimulator) {
    const storageDir = makeTempDir("doorstep-door-camera-");
    cleanups.push(async () => removeTempDir(storageDir));
    const logger = new MemoryLogger();
    const camera = new DoorCamera({
      doorId: "front",
      doorName: "Front door",
      camera: { host: sim.host, port: sim.port, username: USER, password: PASSWORD },
      recording: { ffmpegPath: "ffmpeg", ringSeconds: 30, maxBitrateKbps: 8000, retentionDays: 1, retentionGigabytes: 1 },
      storageDir,
      logger,
      clock: systemClock,
    });
    cleanups.push(() => camera.stop());
    return { camera, logger };
  }

  it("a stream address that changes mid-visit keeps the visit: its clip covers both streams", async () => {
    const first = await rtsp();
    const second = await rtsp();
    let sim = await onvif(first.url);
    const { camera, logger } = doorCamera(sim);
    await camera.start();
    await eventually("recording from the first stream", () => camera.isRecording(), { timeoutMs: 20_000 });
    const visitId = VisitId("5b0e7a52-4b53-4d3f-9a53-1c1f6c0e0a01");
    camera.beginVisit(visitId, { preRollMs: 1000 });
    const linesBefore = logger.lines.length;

    // The camera reboots with its stream on another port: ONVIF comes back on the same address and answers the new one.
    const port = sim.port;
    await sim.stop();
    await first.stop("SIGKILL");
    await eventually("the driver to notice the camera is gone", () => camera.driver.health.state !== "ready", { timeoutMs: 20_000 });
    sim = await onvif(second.url, port);
    await eventually("the new stream address", () => logger.lines.slice(linesBefore).some((l) => l.message.includes("Camera stream changed")), { timeoutMs: 40_000 });
    await eventually("recording from the second stream", () => camera.isRecording(), { timeoutMs: 30_000 });

    expect(camera.openVisits(), "the open visit survives the change").to.deep.equal([visitId]);
    const clip = await camera.endVisit(visitId, { postRollMs: 1000 });
    expect(clip.parts.length, "a part before and one after the change").to.be.at.least(2);
    expect(clip.parts.every((p) => p.durationMs > 0)).to.equal(true);
  });
});
