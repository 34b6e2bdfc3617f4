// Issue 10 item 7: the camera password never reaches ffmpeg's command line (which every local user can read with ps or
// /proc/<pid>/cmdline). Real ffmpeg records from the real GStreamer RTSP server, which demands the password.
import { expect } from "chai";
import fs from "node:fs";
import { execFileSync } from "node:child_process";
import { RingRecorder } from "../../src/camera/ring-recorder.js";
import { secretInputList } from "../../src/core/ffmpeg-secret-input.js";
import { startRtspTestServer, type RtspTestServer } from "../../src/sim/camera/rtsp-test-server.js";
import { eventually } from "../helpers/eventually.js";
import { useTempDir } from "../helpers/temp-dir.js";

// A quote, a colon-free mix of reserved characters: the list's quoting must carry it intact.
const PASSWORD = "s3cr'et-Pa55 #x";

describe("camera/ring recorder keeps the camera password out of ps (real ffmpeg, real RTSP server with auth)", function () {
  this.timeout(60_000);
  let server: RtspTestServer | undefined;
  let recorder: RingRecorder | undefined;
  afterEach(async () => {
    await recorder?.stop();
    recorder = undefined;
    await server?.stop("SIGKILL");
    server = undefined;
  });
  const dir = useTempDir({ prefix: "doorstep-recorder-password-" });

  it("records with the password while ffmpeg's cmdline, environment and ps show none of it", async () => {
    server = await startRtspTestServer({ auth: { username: "cam", password: PASSWORD } });
    expect(server.url).to.include(encodeURIComponent(PASSWORD));
    recorder = new RingRecorder({ ffmpegPath: "ffmpeg", ringSeconds: 60, cameraId: "door", url: server.url, storagePath: dir.path, minFreeBytes: 1024 * 1024 });
    await recorder.start();
    await recorder.waitUntilRecording(20_000);
    const pid = recorder.ffmpegPid()!;
    expect(pid).to.be.a("number");
    const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
    expect(cmdline.some((a) => a.endsWith("ffmpeg"))).to.equal(true);
    expect(cmdline).to.include("pipe:0");
    const secrets = [PASSWORD, encodeURIComponent(PASSWORD), "cam:"];
    const environ = fs.readFileSync(`/proc/${pid}/environ`, "utf8");
    const ps = execFileSync("ps", ["-eo", "pid,args", "--no-headers"], { encoding: "utf8" });
    for (const secret of secrets) {
      expect(cmdline.join(" "), secret).not.to.include(secret);
      expect(environ, secret).not.to.include(secret);
      expect(ps, secret).not.to.include(secret);
    }
  });

  it("a wrong password is refused by the camera (the URL really is what ffmpeg opens)", async () => {
    server = await startRtspTestServer({ auth: { username: "cam", password: PASSWORD } });
    const wrong = server.url.replace(encodeURIComponent(PASSWORD), "wrong");
    recorder = new RingRecorder({ ffmpegPath: "ffmpeg", ringSeconds: 60, cameraId: "door", url: wrong, storagePath: dir.path, minFreeBytes: 1024 * 1024, backoff: { initialMs: 200, maxMs: 500 } });
    await recorder.start();
    await eventually("the camera to refuse the wrong password", () => (recorder!.health() as { reason?: string }).reason === "auth-failed", { timeoutMs: 20_000 });
    expect(recorder.isRecording()).to.equal(false);
  });

  it("the list refuses a URL that could smuggle directives, and quotes single quotes", () => {
    expect(() => secretInputList("rtsp://h/x\nfile '/etc/passwd'")).to.throw(/control character/);
    expect(secretInputList("rtsp://u:a'b@h/x", { rtsp_transport: "tcp" })).to.equal(
      "ffconcat version 1.0\nfile 'rtsp://u:a'\\''b@h/x'\noption rtsp_transport 'tcp'\n",
    );
  });
});
