// The pure parts of HomeKit Secure Video recording: splitting an fMP4 byte stream into init + fragments, which ring
// segments make the prebuffer, and how the hub's selection becomes an ffmpeg plan.
import { expect } from "chai";
import type { CameraRecordingConfiguration } from "@homebridge/hap-nodejs";
import { ValidationError } from "../../src/core/errors.js";
import type { RingSegment } from "../../src/delivery/delivery-port.js";
import { Mp4Fragmenter } from "../../src/homekit/camera/mp4-fragments.js";
import { recordingArgs } from "../../src/homekit/camera/recording-args.js";
import { planFor, prebufferSegments } from "../../src/homekit/camera/recording-delegate.js";

function box(type: string, payload = 4): Buffer {
  const b = Buffer.alloc(8 + payload, 0xab);
  b.writeUInt32BE(8 + payload, 0);
  b.write(type, 4, "latin1");
  return b;
}
function largeBox(type: string, payload = 4): Buffer {
  const b = Buffer.alloc(16 + payload, 0xcd);
  b.writeUInt32BE(1, 0);
  b.write(type, 4, "latin1");
  b.writeBigUInt64BE(BigInt(16 + payload), 8);
  return b;
}

describe("HKSV: fMP4 stream → init segment + fragments", () => {
  const stream = Buffer.concat([box("ftyp"), box("moov", 40), box("moof", 10), box("mdat", 100), box("moof", 10), largeBox("mdat", 50)]);

  it("emits ftyp+moov as the init segment and each moof with its mdat as one fragment, whatever the chunk boundaries", () => {
    for (const size of [1, 3, 7, 64, stream.length]) {
      const f = new Mp4Fragmenter();
      const pieces = [];
      for (let o = 0; o < stream.length; o += size) pieces.push(...f.push(stream.subarray(o, o + size)));
      pieces.push(...f.end());
      expect(pieces.map((p) => [p.kind, p.data.length]), `chunks of ${size}`).to.deep.equal([
        ["init", 8 + 4 + 8 + 40],
        ["fragment", 18 + 108],
        ["fragment", 18 + 66],
      ]);
      expect(Buffer.concat(pieces.map((p) => p.data)).equals(stream)).to.equal(true);
    }
  });

  it("holds a fragment until the next moof or the end (so the last one can be flagged)", () => {
    const f = new Mp4Fragmenter();
    expect(f.push(Buffer.concat([box("ftyp"), box("moov"), box("moof"), box("mdat")])).map((p) => p.kind)).to.deep.equal(["init"]);
    expect(f.end().map((p) => p.kind)).to.deep.equal(["fragment"]);
  });

  it("refuses a stream that ends inside a box, or a box of unusable size", () => {
    const f = new Mp4Fragmenter();
    f.push(box("ftyp").subarray(0, 10));
    expect(() => f.end()).to.throw(ValidationError, /ends inside a box/);
    const zero = box("mdat");
    zero.writeUInt32BE(0, 0);
    expect(() => new Mp4Fragmenter().push(zero)).to.throw(ValidationError, /unusable size 0/);
  });
});

describe("HKSV: the prebuffer taken from the ring", () => {
  const seg = (run: number, seq: number, appearedAt: number): RingSegment => ({ run, seq, path: `/ring/${run}/${seq}`, initPath: `/ring/${run}/init.mp4`, durationMs: 1000, appearedAt });

  it("takes the newest run's segments that end within the prebuffer, oldest first", () => {
    const ring = [seg(1, 0, 1000), seg(1, 1, 2000), seg(2, 0, 7000), seg(2, 1, 8000), seg(2, 2, 9000), seg(2, 3, 10_000)];
    expect(prebufferSegments(ring, 10_500, 4000).map((s) => `${s.run}/${s.seq}`)).to.deep.equal(["2/0", "2/1", "2/2", "2/3"]);
    expect(prebufferSegments(ring, 10_500, 2000).map((s) => s.seq)).to.deep.equal([2, 3]);
    expect(prebufferSegments([], 10_500, 4000)).to.deep.equal([]);
  });

  it("gives the newest segment when the ring runs behind the window (nothing within the prebuffer)", () => {
    const ring = [seg(3, 0, 1000), seg(3, 1, 2000)];
    expect(prebufferSegments(ring, 30_000, 4000).map((s) => s.seq)).to.deep.equal([1]);
  });
});

describe("HKSV: the hub's selection as an ffmpeg plan", () => {
  const selection = (overrides: { fragmentLength?: number; iFrameInterval?: number } = {}) =>
    ({
      prebufferLength: 4000,
      eventTriggerTypes: [1],
      mediaContainerConfiguration: { type: 0, fragmentLength: overrides.fragmentLength ?? 4000 },
      videoCodec: { type: 0, parameters: { profile: 2, level: 1, bitRate: 2000, iFrameInterval: overrides.iFrameInterval ?? 4000 }, resolution: [1280, 720, 24] },
      audioCodec: { type: 0, audioChannels: 1, samplerate: 5, bitrate: 64, bitrateMode: 0 },
    }) as unknown as CameraRecordingConfiguration;

  it("maps HAP's profile, level, size, bitrate and sample rate; key frames at the shorter of fragment length and I-frame interval", () => {
    expect(planFor(selection(), true)).to.deep.equal({
      width: 1280, height: 720, fps: 24, profile: "high", level: "3.2", bitrateKbps: 2000, keyFrameIntervalMs: 4000,
      audio: { sampleRateHz: 48_000, channels: 1, bitrateKbps: 64 },
    });
    expect(planFor(selection({ fragmentLength: 2000 }), false).keyFrameIntervalMs).to.equal(2000);
    expect(planFor(selection({ iFrameInterval: 1000 }), false).keyFrameIntervalMs).to.equal(1000);
    expect(planFor(selection(), false)).to.not.have.property("audio");
  });

  it("forces key frames on the fragment grid and none between, reads stdin and writes fragmented MP4 to stdout", () => {
    const args = recordingArgs(planFor(selection({ fragmentLength: 2000 }), false));
    const after = (flag: string) => args[args.indexOf(flag) + 1];
    expect(after("-i")).to.equal("pipe:0");
    expect(after("-force_key_frames")).to.equal("expr:gte(t,n_forced*2)");
    expect(after("-g")).to.equal("48");
    expect(after("-sc_threshold")).to.equal("0");
    expect(after("-movflags")).to.equal("frag_keyframe+empty_moov+default_base_moof");
    expect(args).to.include("-an");
    expect(args.at(-1)).to.equal("pipe:1");
  });
});
