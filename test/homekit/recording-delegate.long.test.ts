// HomeKit Secure Video's recording delegate driven directly, fed by the real ring: the ONVIF camera simulator and the
// GStreamer RTSP test server (which draws the wall-clock time into every frame), Doorstep's DoorCamera with its real
// ffmpeg ring recorder, and real ffmpeg making the recording. What comes out is checked with ffprobe and by reading the
// clock drawn in the frames, never by the delegate's own bookkeeping.
import { expect } from "chai";
import { execFile } from "node:child_process";
import { writeFileSync } from "node:fs";
import { promisify } from "node:util";
import type { CameraRecordingConfiguration, RecordingPacket } from "@homebridge/hap-nodejs";
import { systemClock } from "../../src/access/clock.js";
import { DoorCamera } from "../../src/bridge/door-camera.js";
import { DeviceUnreachableError } from "../../src/core/errors.js";
import { MemoryLogger } from "../../src/core/logger.js";
import type { CameraFeed } from "../../src/delivery/delivery-port.js";
import { DoorRecordingDelegate } from "../../src/homekit/camera/recording-delegate.js";
import { readFrameClocks } from "../../src/sim/camera/rtsp-frame-clock.js";
import { startOnvifSimulator, type OnvifSimulator } from "../../src/sim/camera/onvif-simulator.js";
import { startRtspTestServer, type RtspTestServer } from "../../src/sim/camera/rtsp-test-server.js";
import { decoded } from "../camera/recorder-harness.js";
import { eventually } from "../helpers/eventually.js";
import { useTempDir } from "../helpers/temp-dir.js";

const run = promisify(execFile);
const PASSWORD = "Cam-Secret-7";
const FPS = 15;

/** What a hub selects, as HAP-NodeJS hands it to the delegate (its enum values spelled out: H.264 main 4.0, AAC-LC 32 kHz). */
function configuration(fragmentLength: number, prebufferLength = 4000): CameraRecordingConfiguration {
  return {
    prebufferLength,
    eventTriggerTypes: [1],
    mediaContainerConfiguration: { type: 0, fragmentLength },
    videoCodec: { type: 0, parameters: { profile: 1, level: 2, bitRate: 600, iFrameInterval: fragmentLength }, resolution: [640, 360, FPS] },
    audioCodec: { type: 0, audioChannels: 1, samplerate: 3, bitrate: 32, bitrateMode: 0 },
  } as unknown as CameraRecordingConfiguration;
}

interface Probe {
  streams: { codec_type: string; codec_name: string; width?: number; height?: number; profile?: string; sample_rate?: string }[];
  format: { format_name: string; duration?: string };
}
async function ffprobe(file: string): Promise<Probe> {
  const { stdout } = await run("ffprobe", ["-v", "error", "-show_streams", "-show_format", "-of", "json", file]);
  return JSON.parse(stdout) as Probe;
}
/** Video frames of a file: key frame flag and presentation time (s). */
async function videoFrames(file: string): Promise<{ key: boolean; pts: number }[]> {
  const { stdout } = await run("ffprobe", ["-v", "error", "-select_streams", "v:0", "-show_entries", "frame=key_frame,pts_time", "-of", "json", file], { maxBuffer: 64 * 1024 * 1024 });
  return (JSON.parse(stdout) as { frames: { key_frame: number; pts_time: string }[] }).frames.map((f) => ({ key: f.key_frame === 1, pts: Number(f.pts_time) }));
}
const boxTypes = (data: Buffer): string[] => {
  const out: string[] = [];
  for (let o = 0; o + 8 <= data.length; o += data.readUInt32BE(o)) out.push(data.toString("latin1", o + 4, o + 8));
  return out;
};

describe("HomeKit Secure Video recording delegate: ring → ffmpeg → fMP4 (real RTSP server, ONVIF simulator, ffmpeg)", function () {
  this.timeout(120_000);
  const tmp = useTempDir({ prefix: "doorstep-hksv-", per: "suite" });
  const logger = new MemoryLogger();
  let rtsp: RtspTestServer | undefined;
  let onvif: OnvifSimulator | undefined;
  let camera: DoorCamera | undefined;
  let audio = false;
  let delegate: DoorRecordingDelegate;

  before(async () => {
    rtsp = await startRtspTestServer({ width: 640, height: 360, fps: FPS, audio: true });
    onvif = await startOnvifSimulator({ username: "admin", password: PASSWORD, rtspUrl: rtsp.url });
    camera = new DoorCamera({
      doorId: "front",
      doorName: "Front door",
      camera: { host: onvif.host, port: onvif.port, username: "admin", password: PASSWORD },
      recording: { ffmpegPath: "ffmpeg", ringSeconds: 30, maxBitrateKbps: 8000, retentionDays: 1, retentionGigabytes: 1 },
      storageDir: tmp.path,
      logger,
      clock: systemClock,
    });
    await camera.start();
    // More than the 4 s prebuffer in the ring before anything is asked of it.
    await eventually("six ring segments", () => camera!.ringSegments().length >= 6, { timeoutMs: 40_000 });
    delegate = new DoorRecordingDelegate({ feed: camera, ffmpegPath: "ffmpeg", logger, audioActive: () => audio });
  });

  after(async () => {
    delegate?.stopAll();
    await camera?.stop();
    await onvif?.stop();
    await rtsp?.stop();
  });

  /** Runs one recording: triggered now, the trigger cleared after `liveMs`; returns every packet. */
  async function record(streamId: number, liveMs: number, fragmentLength = 4000): Promise<{ packets: RecordingPacket[]; triggeredAt: number; clearedAt: number }> {
    delegate.updateRecordingConfiguration(configuration(fragmentLength));
    delegate.setTriggered(true);
    const triggeredAt = Date.now();
    const packets: RecordingPacket[] = [];
    const clear = setTimeout(() => delegate.setTriggered(false), liveMs); // kept: the trigger lasts this long of live video, as motion would
    for await (const packet of delegate.handleRecordingStreamRequest(streamId)) packets.push(packet);
    clearTimeout(clear);
    return { packets, triggeredAt, clearedAt: triggeredAt + liveMs };
  }

  it("sends the init segment, then fragments that each start on a key frame and last at most the fragment length; the last is flagged", async () => {
    const { packets, triggeredAt } = await record(1, 9_000);
    expect(packets.length, "init + fragments").to.be.at.least(4);
    const [init, ...fragments] = packets;
    expect(boxTypes(init!.data)).to.deep.equal(["ftyp", "moov"]);
    for (const f of fragments) expect(boxTypes(f.data).slice(0, 2)).to.deep.equal(["moof", "mdat"]);
    expect(packets.map((p) => p.isLast)).to.deep.equal([...packets.slice(0, -1).map(() => false), true]);

    const whole = tmp.join("rec-1.mp4");
    writeFileSync(whole, Buffer.concat(packets.map((p) => p.data)));
    const probe = await ffprobe(whole);
    expect(probe.format.format_name).to.include("mp4");
    const video = probe.streams.filter((s) => s.codec_type === "video");
    expect(video).to.have.length(1);
    expect(video[0]).to.include({ codec_name: "h264", width: 640, height: 360, profile: "Main" });
    expect(probe.streams.filter((s) => s.codec_type === "audio"), "no audio while RecordingAudioActive is off").to.deep.equal([]);

    // Each fragment, decoded after the init segment on its own: key frame first, no longer than 4 s.
    for (const [i, fragment] of fragments.entries()) {
      const file = tmp.join(`rec-1-frag-${i}.mp4`);
      writeFileSync(file, Buffer.concat([init!.data, fragment.data]));
      const frames = await videoFrames(file);
      expect(frames.length, `fragment ${i} has frames`).to.be.greaterThan(0);
      expect(frames[0]!.key, `fragment ${i} starts on a key frame`).to.equal(true);
      expect(frames.slice(1).some((f) => f.key), `fragment ${i} has one key frame`).to.equal(false);
      expect(frames.length / FPS, `fragment ${i} duration`).to.be.at.most(4 + 1 / FPS);
    }

    // The prebuffer, by the clock drawn into the frames: the recording starts at least 4 s before the trigger.
    const clocks = decoded(await readFrameClocks(whole));
    expect(clocks.length, "frames with a readable clock").to.be.greaterThan(FPS * 8);
    expect(triggeredAt - clocks[0]!, "prebuffer before the trigger (ms)").to.be.at.least(4000);
    for (let i = 1; i < clocks.length; i++) expect(clocks[i]! - clocks[i - 1]!, "no hole in the recording").to.be.below(500);
    // And it follows the live ring until the trigger is cleared.
    expect(clocks.at(-1)! - triggeredAt, "live video after the trigger (ms)").to.be.at.least(7_000);
  });

  it("honours a shorter selected fragment length (2 s)", async () => {
    const { packets } = await record(2, 5_000, 2000);
    const [init, ...fragments] = packets;
    for (const [i, fragment] of fragments.entries()) {
      const file = tmp.join(`rec-2-frag-${i}.mp4`);
      writeFileSync(file, Buffer.concat([init!.data, fragment.data]));
      const frames = await videoFrames(file);
      expect(frames[0]!.key, `fragment ${i} starts on a key frame`).to.equal(true);
      expect(frames.length / FPS, `fragment ${i} duration`).to.be.at.most(2 + 1 / FPS);
    }
    expect(fragments.length, "fragments of 2 s for ~9 s of video").to.be.at.least(4);
  });

  it("carries AAC audio only while RecordingAudioActive is on", async () => {
    audio = true;
    try {
      const { packets } = await record(3, 2_000);
      const file = tmp.join("rec-3.mp4");
      writeFileSync(file, Buffer.concat(packets.map((p) => p.data)));
      const audioStreams = (await ffprobe(file)).streams.filter((s) => s.codec_type === "audio");
      expect(audioStreams).to.have.length(1);
      expect(audioStreams[0]).to.include({ codec_name: "aac", sample_rate: "32000" });
    } finally {
      audio = false;
    }
  });

  it("stops at once when the hub aborts: no further packets, none flagged last", async () => {
    delegate.updateRecordingConfiguration(configuration(4000));
    delegate.setTriggered(true);
    const abort = new AbortController();
    const packets: RecordingPacket[] = [];
    const started = Date.now();
    for await (const packet of delegate.handleRecordingStreamRequest(4, abort.signal)) {
      packets.push(packet);
      if (packets.length === 2) abort.abort();
    }
    delegate.setTriggered(false);
    expect(packets).to.have.length(2);
    expect(packets.some((p) => p.isLast)).to.equal(false);
    expect(Date.now() - started, "returned without waiting for the trigger to clear").to.be.below(30_000);
  });

  it("waits for the first segment of a ring that holds none yet (the recorder just started), then records from it", async () => {
    // The real camera's segments as they complete, but an empty ring when the recording starts.
    const real = camera!;
    const starting: CameraFeed = {
      snapshot: () => real.snapshot(),
      liveSourceUrl: () => real.liveSourceUrl(),
      isRecording: () => real.isRecording(),
      ringSegments: () => [],
      onRingSegment: (listener) => real.onRingSegment(listener),
      onMotion: (listener) => real.onMotion(listener),
    };
    const fresh = new DoorRecordingDelegate({ feed: starting, ffmpegPath: "ffmpeg", logger, audioActive: () => false });
    fresh.updateRecordingConfiguration(configuration(4000));
    fresh.setTriggered(true);
    const packets: RecordingPacket[] = [];
    const clear = setTimeout(() => fresh.setTriggered(false), 3_000); // kept: the trigger lasts 3 s of live video, as motion would
    for await (const packet of fresh.handleRecordingStreamRequest(6)) packets.push(packet);
    clearTimeout(clear);
    expect(boxTypes(packets[0]!.data)).to.deep.equal(["ftyp", "moov"]);
    expect(packets.length).to.be.at.least(2);
    expect(packets.at(-1)!.isLast).to.equal(true);
  });

  it("refuses a recording before the hub selected a configuration", async () => {
    const fresh = new DoorRecordingDelegate({ feed: camera!, ffmpegPath: "ffmpeg", logger, audioActive: () => false });
    let error: unknown;
    try {
      for await (const _ of fresh.handleRecordingStreamRequest(5)) void _;
    } catch (e) {
      error = e;
    }
    expect(error).to.be.instanceOf(DeviceUnreachableError);
  });

  it("hears the camera's ONVIF motion events (the trigger's first source)", async () => {
    const seen: boolean[] = [];
    const stop = camera!.onMotion((active) => seen.push(active));
    try {
      onvif!.injectMotion(true);
      await eventually("motion started", () => seen.includes(true), { timeoutMs: 20_000 });
      onvif!.injectMotion(false);
      await eventually("motion ended", () => seen.includes(false), { timeoutMs: 20_000 });
    } finally {
      stop();
    }
  });
});
