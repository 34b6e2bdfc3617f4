// HomeKit Secure Video for a door camera, fed from the always-on ring: when the home hub asks for a recording, the
// ring's last `prebufferLength` of video and then each new segment go through ffmpeg, which makes the fragmented MP4
// the hub selected; its init segment is sent first, then one fragment per key frame. The recording ends (last packet
// flagged) once the trigger (motion, a guest visit) is over, at the latest after MAX_RECORDING_MS.
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import type { CameraRecordingConfiguration, CameraRecordingDelegate, HDSProtocolSpecificErrorReason, RecordingPacket } from "@homebridge/hap-nodejs";
import { DeviceUnreachableError, formatError } from "../../core/errors.js";
import type { Logger } from "../../core/logger.js";
import type { CameraFeed, RingSegment } from "../../delivery/delivery-port.js";
import { Mp4Fragmenter } from "./mp4-fragments.js";
import { recordingArgs, type RecordingPlan } from "./recording-args.js";

/** Scrypted's cap too: a trigger that never clears still ends its recording. */
export const MAX_RECORDING_MS = 180_000;
const STOP_GRACE_MS = 2_000;
/** How long a recording waits for the ring's first segment when the ring is empty (the recorder just started). */
const FIRST_SEGMENT_WAIT_MS = 5_000;
/** HAP's enum values (H264Profile, H264Level, AudioRecordingSamplerate), which are const enums in its typings. */
const PROFILES = ["baseline", "main", "high"] as const;
const LEVELS = ["3.1", "3.2", "4.0"] as const;
const SAMPLE_RATES_HZ = [8_000, 16_000, 24_000, 32_000, 44_100, 48_000] as const;

export interface RecordingDelegateOptions {
  feed: CameraFeed;
  ffmpegPath: string;
  logger: Logger;
  /** RecordingAudioActive as the Home app set it (read when a recording starts). */
  audioActive: () => boolean;
  /** Default Date.now. */
  now?: () => number;
}

interface OpenRecording {
  /** Ends the input: ffmpeg flushes what it has and the recording ends with its last fragment flagged. */
  finish(): void;
  abort(): void;
}

/** The hub's selected configuration as an ffmpeg plan. */
export function planFor(configuration: CameraRecordingConfiguration, audio: boolean): RecordingPlan {
  const [width, height, fps] = configuration.videoCodec.resolution;
  const { parameters } = configuration.videoCodec;
  const fragmentMs = configuration.mediaContainerConfiguration.fragmentLength;
  const plan: RecordingPlan = {
    width,
    height,
    fps,
    profile: PROFILES[parameters.profile] ?? "main",
    level: LEVELS[parameters.level] ?? "4.0",
    bitrateKbps: parameters.bitRate,
    keyFrameIntervalMs: Math.min(fragmentMs, parameters.iFrameInterval > 0 ? parameters.iFrameInterval : fragmentMs),
  };
  if (audio) {
    const { audioCodec } = configuration;
    plan.audio = { sampleRateHz: SAMPLE_RATES_HZ[audioCodec.samplerate] ?? 32_000, channels: audioCodec.audioChannels ?? 1, bitrateKbps: audioCodec.bitrate || 32 };
  }
  return plan;
}

/**
 * The segments a recording starts with: the newest run's, from the one holding `now - prebufferMs` on. Each ring
 * segment starts on a key frame, so the recording does too. A ring running behind (a busy machine: no segment within
 * the window) still gives its newest segment, so the recording starts as close to the event as the ring has.
 */
export function prebufferSegments(segments: readonly RingSegment[], now: number, prebufferMs: number): RingSegment[] {
  const newest = segments.at(-1);
  if (!newest) return [];
  const run = segments.filter((s) => s.run === newest.run).sort((a, b) => a.seq - b.seq);
  const within = run.filter((s) => s.appearedAt > now - prebufferMs);
  return within.length > 0 ? within : run.slice(-1);
}

export class DoorRecordingDelegate implements CameraRecordingDelegate {
  private active = false;
  private configuration: CameraRecordingConfiguration | undefined;
  private triggered = false;
  private readonly open = new Map<number, OpenRecording>();
  private readonly now: () => number;

  constructor(private readonly options: RecordingDelegateOptions) {
    this.now = options.now ?? Date.now;
  }

  get recordingActive(): boolean {
    return this.active;
  }

  updateRecordingActive(active: boolean): void {
    this.active = active;
    this.options.logger.info(`HomeKit Secure Video recording ${active ? "enabled" : "disabled"}.`);
  }

  updateRecordingConfiguration(configuration: CameraRecordingConfiguration | undefined): void {
    // A recording under way keeps the configuration it started with (it holds its own plan).
    this.configuration = configuration;
  }

  /** Motion or a guest visit began (true) or is over (false): open recordings end once it is over. */
  setTriggered(triggered: boolean): void {
    this.triggered = triggered;
    if (!triggered) for (const recording of this.open.values()) recording.finish();
  }

  acknowledgeStream(streamId: number): void {
    this.options.logger.debug(`HomeKit Secure Video: the hub acknowledged recording ${streamId}.`);
  }

  closeRecordingStream(streamId: number, reason: HDSProtocolSpecificErrorReason | undefined): void {
    this.open.get(streamId)?.abort();
    if (reason !== undefined && reason !== 0) this.options.logger.debug(`HomeKit Secure Video: recording ${streamId} closed by the hub (reason ${reason}).`);
  }

  /** Ends every recording now (shutdown). */
  stopAll(): void {
    for (const recording of this.open.values()) recording.abort();
  }

  async *handleRecordingStreamRequest(streamId: number, signal?: AbortSignal): AsyncGenerator<RecordingPacket> {
    const { feed, ffmpegPath, logger } = this.options;
    const configuration = this.configuration;
    if (!configuration) throw new DeviceUnreachableError("HomeKit Secure Video asked for a recording before selecting a configuration.");
    const startedAt = this.now();
    const plan = planFor(configuration, this.options.audioActive());

    // Subscribe before listing, so no segment falls between the two; duplicates are skipped by sequence number.
    const arrived: RingSegment[] = [];
    let wake: (() => void) | undefined;
    const unsubscribe = feed.onRingSegment((segment) => {
      arrived.push(segment);
      wake?.();
    });
    let prebuffer = prebufferSegments(feed.ringSegments(), startedAt, configuration.prebufferLength);
    if (prebuffer.length === 0) {
      // The ring is (re)starting: its first segment is at most a few seconds away.
      await new Promise<void>((resolve) => {
        // Real time, not the Clock: HomeKit waits on this answer, and ffmpeg writes the segment in real time.
        const timer = setTimeout(resolve, FIRST_SEGMENT_WAIT_MS);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
        signal?.addEventListener("abort", () => wake?.(), { once: true });
      });
      wake = undefined;
      prebuffer = arrived.length > 0 && !signal?.aborted ? [arrived.shift()!] : [];
    }
    if (prebuffer.length === 0) {
      unsubscribe();
      throw new DeviceUnreachableError("HomeKit Secure Video: the camera's ring holds no video to record from.");
    }
    const run = prebuffer[0]!.run;
    let lastSeq = -1;

    const child: ChildProcess = spawn(ffmpegPath, recordingArgs(plan), { stdio: ["pipe", "pipe", "pipe"] });
    const exited = new Promise<void>((resolve) => child.once("close", () => resolve()));
    let stderrTail = "";
    child.stderr!.setEncoding("utf8");
    child.stderr!.on("data", (chunk: string) => (stderrTail = (stderrTail + chunk).slice(-2_000)));
    // ffmpeg stopping early closes its stdin; that is the end of the recording, not an error to crash on.
    child.stdin!.on("error", () => undefined);

    let inputOpen = true;
    const endInput = () => {
      if (!inputOpen) return;
      inputOpen = false;
      child.stdin!.end();
    };
    const write = (segment: RingSegment): boolean => {
      if (segment.seq <= lastSeq) return true;
      let data: Buffer;
      try {
        data = readFileSync(segment.path);
      } catch {
        // Pruned before we read it: the recording cannot continue without a hole, so it ends here.
        return false;
      }
      lastSeq = segment.seq;
      child.stdin!.write(data);
      return true;
    };
    let aborted = false;
    const abort = () => {
      aborted = true;
      endInput();
      child.kill("SIGKILL");
      wake?.();
    };
    signal?.addEventListener("abort", abort, { once: true });
    this.open.set(streamId, { finish: () => wake?.(), abort });

    // Feeds ffmpeg from the ring until the trigger is over (or the cap, or the ring restarted in a new run).
    const feeding = (async () => {
      child.stdin!.write(readFileSync(prebuffer[0]!.initPath));
      for (const segment of prebuffer) if (!write(segment)) return endInput();
      for (;;) {
        while (arrived.length > 0) {
          const segment = arrived.shift()!;
          if (segment.run !== run || !write(segment)) return endInput();
        }
        if (aborted || !inputOpen) return endInput();
        if (!this.triggered || this.now() - startedAt >= MAX_RECORDING_MS) return endInput();
        await new Promise<void>((resolve) => (wake = resolve));
        wake = undefined;
      }
    })().catch((error: unknown) => {
      logger.error(`HomeKit Secure Video: feeding the recording failed: ${formatError(error)}.`);
      endInput();
    });

    const fragmenter = new Mp4Fragmenter();
    let pending: Buffer | undefined;
    let sentInit = false;
    let fragments = 0;
    try {
      for await (const chunk of child.stdout! as AsyncIterable<Buffer>) {
        if (aborted) break;
        for (const piece of fragmenter.push(chunk)) {
          if (piece.kind === "init") {
            sentInit = true;
            yield { data: piece.data, isLast: false };
            continue;
          }
          // One fragment held back, so the last one can carry isLast.
          if (pending) {
            fragments++;
            yield { data: pending, isLast: false };
          }
          pending = piece.data;
        }
      }
      if (!aborted) {
        const tail = fragmenter.end();
        if (tail[0]) {
          if (pending) {
            fragments++;
            yield { data: pending, isLast: false };
          }
          pending = tail[0].data;
        }
        if (pending) {
          fragments++;
          yield { data: pending, isLast: true };
        } else if (!sentInit) {
          throw new DeviceUnreachableError(`HomeKit Secure Video: ffmpeg made no video${stderrTail.trim() ? ` (${stderrTail.trim().split("\n").pop()})` : ""}.`);
        }
      }
      logger.debug(`HomeKit Secure Video: recording ${streamId} sent ${fragments} fragment(s).`);
    } finally {
      this.open.delete(streamId);
      signal?.removeEventListener("abort", abort);
      unsubscribe();
      endInput();
      wake?.();
      await feeding;
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGTERM");
        // Real time, not the Clock: a grace period for a real process to exit.
        const timer = setTimeout(() => child.kill("SIGKILL"), STOP_GRACE_MS);
        await exited;
        clearTimeout(timer);
      }
    }
  }
}
