import { expect } from "chai";
import { execFile } from "node:child_process";
import { VisitId } from "../../src/access/ids.js";
import { probeMedia } from "../../src/camera/ffmpeg-exec.js";
import { RingRecorder } from "../../src/camera/ring-recorder.js";
import { startRtspDemoServer } from "../../src/sim/camera/rtsp-demo-server.js";
import type { RtspTestServer } from "../../src/sim/camera/rtsp-test-server.js";
import { useTempDir } from "../helpers/temp-dir.js";
import { recordedUntil, ringHolds } from "./recorder-harness.js";

describe("camera/demo RTSP source (ffmpeg only, no GStreamer)", function () {
  this.timeout(60_000);
  let server: RtspTestServer | undefined;
  let recorder: RingRecorder | undefined;

  before(async () => {
    server = await startRtspDemoServer();
  });

  after(async () => {
    await recorder?.stop();
    await server?.stop();
  });
  const dir = useTempDir({ prefix: "doorstep-recorder-demo-", per: "suite" });

  it("the ring recorder records it over RTSP/TCP into an H.264 clip", async () => {
    recorder = new RingRecorder({ ffmpegPath: "ffmpeg", ringSeconds: 60, cameraId: "demo", url: server!.url, storagePath: dir.path, minFreeBytes: 1024 * 1024 });
    await recorder.start();
    await recorder.waitUntilRecording(20_000);
    await ringHolds(recorder, 1000);
    const begunAt = Date.now();
    recorder.beginVisit(VisitId("demo-1"), { preRollMs: 1000 });
    await recordedUntil(recorder, begunAt + 2000, "2 s of video in the visit");
    const clip = await recorder.endVisit(VisitId("demo-1"), { postRollMs: 1000 });
    expect(clip.parts).to.have.length(1);
    const info = await probeMedia("ffprobe", clip.parts[0]!.path);
    expect(info.videoCodec).to.equal("h264");
    expect(info.durationMs).to.be.within(3000, 5500);
  });

  it("refuses UDP transport with 461, as documented", async () => {
    const stderr = await new Promise<string>((resolve) => {
      execFile("ffmpeg", ["-v", "error", "-rtsp_transport", "udp", "-i", server!.url, "-t", "1", "-f", "null", "-"], { timeout: 15_000 }, (_e, _o, err) =>
        resolve(String(err)),
      );
    });
    expect(stderr).to.match(/461/);
  });
});
