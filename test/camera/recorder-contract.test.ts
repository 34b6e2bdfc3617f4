// One contract, run against the test double and against RingRecorder on real ffmpeg reading a real RTSP server.
import { MemoryLogger } from "../../src/core/logger.js";
import { RingRecorder } from "../../src/camera/ring-recorder.js";
import { TestRecorder } from "../../src/camera/test-recorder.js";
import { startRtspTestServer, type RtspTestServer } from "../../src/sim/camera/rtsp-test-server.js";
import { useTempDir } from "../helpers/temp-dir.js";
import { recorderContract } from "./recorder-contract.js";

describe("Recorder contract", function () {
  describe("TestRecorder", () => {
    const dir = useTempDir({ per: "suite" });
    let recorder: TestRecorder | undefined;
    before(() => {
      recorder = new TestRecorder({ clipDir: dir.path });
    });
    recorderContract(() => recorder!);
  });

  describe("RingRecorder (real ffmpeg, real RTSP server)", function () {
    this.timeout(60_000);
    const dir = useTempDir({ per: "suite" });
    let server: RtspTestServer | undefined;
    let recorder: RingRecorder | undefined;

    before(async () => {
      server = await startRtspTestServer();
      recorder = new RingRecorder({ ffmpegPath: "ffmpeg", ringSeconds: 60, cameraId: "front", url: server.url, storagePath: dir.path, logger: new MemoryLogger(), minFreeBytes: 1024 * 1024 });
      await recorder.start();
      await recorder.waitUntilRecording(20_000);
    });
    after(async () => {
      await recorder?.stop();
      await server?.stop();
    });

    recorderContract(() => recorder!);
  });
});
