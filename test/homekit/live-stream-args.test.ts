import { expect } from "chai";
import { liveStreamArgs, redactCredentials, type LiveStreamPlan } from "../../src/homekit/camera/live-stream-args.js";

const key = Buffer.alloc(16, 1);
const salt = Buffer.alloc(14, 2);
const plan: LiveStreamPlan = {
  sourceUrl: "rtsp://admin:s3cret@192.0.2.10:554/stream1",
  mode: "transcode",
  video: { width: 1280, height: 720, fps: 30, maxBitrateKbps: 299, payloadType: 99, ssrc: -123456, mtu: 1378, profile: "main", level: "4.0" },
  target: { address: "192.0.2.20", ipv6: false, port: 50000, srtpKeyAndSalt: Buffer.concat([key, salt]) },
  local: { address: "192.0.2.1", port: 40000 },
};
const after = (args: string[], flag: string) => args[args.indexOf(flag) + 1];
/** The value of the last `flag`: output options follow the input's (the input is the concat demuxer, `-f concat`). */
const lastAfter = (args: string[], flag: string) => args[args.lastIndexOf(flag) + 1];

describe("live view ffmpeg arguments", () => {
  it("sends SRTP with the negotiated suite, key+salt, payload type, SSRC and MTU to the controller's port", () => {
    const args = liveStreamArgs(plan);
    expect(after(args, "-srtp_out_suite")).to.equal("AES_CM_128_HMAC_SHA1_80");
    expect(Buffer.from(after(args, "-srtp_out_params")!, "base64")).to.deep.equal(Buffer.concat([key, salt]));
    expect(after(args, "-payload_type")).to.equal("99");
    expect(after(args, "-ssrc")).to.equal("-123456");
    expect(lastAfter(args, "-f")).to.equal("rtp");
    const url = new URL(args.at(-1)!);
    expect(url.protocol).to.equal("srtp:");
    expect(url.host).to.equal("192.0.2.20:50000");
    expect(Object.fromEntries(url.searchParams)).to.deep.equal({ rtcpport: "50000", localrtpport: "40000", localaddr: "192.0.2.1", pkt_size: "1378" });
  });

  it("transcodes to the requested size, rate, profile, level and bitrate", () => {
    const args = liveStreamArgs(plan);
    expect(after(args, "-c:v")).to.equal("libx264");
    expect(after(args, "-profile:v")).to.equal("main");
    expect(after(args, "-level:v")).to.equal("4.0");
    expect(after(args, "-r")).to.equal("30");
    expect(after(args, "-b:v")).to.equal("299k");
    expect(after(args, "-vf")).to.include("w=1280:h=720");
  });

  it("copies the camera's H.264 with in-band parameter sets in copy mode", () => {
    const args = liveStreamArgs({ ...plan, mode: "copy" });
    expect(after(args, "-c:v")).to.equal("copy");
    expect(after(args, "-bsf:v")).to.equal("dump_extra");
    expect(args).not.to.include("libx264");
  });

  it("brackets an IPv6 target", () => {
    const args = liveStreamArgs({ ...plan, target: { ...plan.target, address: "fd00::20", ipv6: true } });
    expect(args.at(-1)).to.match(/^srtp:\/\/\[fd00::20\]:50000\?/);
  });

  it("redacts credentials from ffmpeg output before it is logged", () => {
    const line = "[rtsp @ 0x1] method DESCRIBE failed: 401 Unauthorized rtsp://admin:s3cret@192.0.2.10:554/stream1";
    expect(redactCredentials(line)).to.equal("[rtsp @ 0x1] method DESCRIBE failed: 401 Unauthorized rtsp://***@192.0.2.10:554/stream1");
  });
});
