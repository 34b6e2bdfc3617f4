// One door's camera as the rest of the bridge sees it: the ONVIF driver finds the stream, the always-on ring recorder
// records it, and both hide behind `Recorder` (for the delivery flow) and `CameraFeed` (for HomeKit).
// The recorder can only exist once the camera has told us its stream URL, so until then the gate is closed.
import path from "node:path";
import type { Clock } from "../access/clock.js";
import type { VisitId } from "../access/ids.js";
import type { CameraDriver } from "../camera/camera-driver.js";
import { redactUrl } from "../camera/camera-driver.js";
import { INIT_NAME } from "../camera/ffmpeg-args.js";
import { OnvifCameraDriver } from "../camera/onvif-camera-driver.js";
import type { BeginVisitOptions, EndVisitOptions, Recorder, RecorderHealth, VisitClip } from "../camera/recorder.js";
import { RingRecorder } from "../camera/ring-recorder.js";
import type { SegmentRecord } from "../camera/segment-index.js";
import { removeRing, ringCapBytes, ringLocation, type RingLocation } from "../camera/ring-location.js";
import type { CameraConfig, RecordingConfig } from "../config/config.js";
import { DeviceUnreachableError, formatError } from "../core/errors.js";
import type { Logger } from "../core/logger.js";
import type { CameraFeed, RingSegment } from "../delivery/delivery-port.js";

export interface DoorCameraOptions {
  doorId: string;
  doorName: string;
  camera: CameraConfig;
  recording: RecordingConfig;
  storageDir: string;
  logger: Logger;
  clock: Clock;
}

export class DoorCamera implements Recorder, CameraFeed {
  readonly driver: CameraDriver;
  private recorder: RingRecorder | undefined;
  private recorderUrl: string | undefined;
  private stopped = false;
  /** Serialises recorder (re)creation when the camera becomes ready twice in quick succession. */
  private pipeline: Promise<void> = Promise.resolve();
  /** Outlive a recorder restart (the camera moved its stream), so HomeKit keeps receiving the new recorder's segments. */
  private readonly segmentListeners = new Set<(segment: RingSegment) => void>();
  private readonly ring: RingLocation;

  constructor(private readonly options: DoorCameraOptions) {
    const { camera, doorName, logger, clock } = options;
    const { ringDir } = options.recording;
    this.ring = ringLocation({ storageDir: options.storageDir, cameraId: options.doorId, ...(ringDir ? { ringDir } : {}) });
    if (!this.ring.inMemory) logger.warn(`The video ring is at ${this.ring.dir}, not in memory: the camera stream is written there around the clock. Set recording.ringDir to a tmpfs.`);
    this.driver = new OnvifCameraDriver({
      name: `${doorName} camera`,
      host: camera.host,
      port: camera.port,
      username: camera.username,
      password: camera.password,
      ...(camera.profile ? { profile: camera.profile } : {}),
      logger,
      clock,
    });
  }

  async start(): Promise<void> {
    this.driver.on("health", (health) => {
      if (health.state === "ready") this.pipeline = this.pipeline.then(() => this.ensureRecorder());
    });
    const health = await this.driver.connect();
    if (health.state === "ready") await (this.pipeline = this.pipeline.then(() => this.ensureRecorder()));
    else this.options.logger.warn(`${health.message} Guest visits that require recording are refused until it answers.`);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    // The driver first: stopping it ends its logins, retries and session, so a recorder (re)start waiting on the
    // camera's answer is not waited out to its request timeout (Homebridge allows a platform 5 s to stop).
    const driverStopped = this.driver.stop();
    await this.pipeline;
    await this.recorder?.stop();
    await driverStopped;
    removeRing(this.ring);
  }

  // ── Recorder ──
  health(): RecorderHealth {
    if (this.recorder) return this.recorder.health();
    return { state: "stopped", message: `Not recording: ${this.driver.health.message}` };
  }
  isRecording(): boolean {
    return this.recorder?.isRecording() ?? false;
  }
  beginVisit(visitId: VisitId, options: BeginVisitOptions): void {
    if (!this.recorder) throw new DeviceUnreachableError(`${this.options.doorName}: no recording to take the visit from (${this.driver.health.message})`);
    this.recorder.beginVisit(visitId, options);
  }
  async endVisit(visitId: VisitId, options: EndVisitOptions): Promise<VisitClip> {
    if (!this.recorder) return { visitId, parts: [], gaps: [] };
    return this.recorder.endVisit(visitId, options);
  }
  async recoverVisit(visitId: VisitId): Promise<VisitClip> {
    return (this.recorder ?? this.createRecorder("rtsp://127.0.0.1/unused")).recoverVisit(visitId);
  }
  openVisits(): VisitId[] {
    return this.recorder?.openVisits() ?? [];
  }

  // ── CameraFeed ──
  snapshot(): Promise<Buffer> {
    return this.driver.snapshot();
  }
  liveSourceUrl(): Promise<string> {
    return this.driver.streamUri();
  }
  ringSegments(): RingSegment[] {
    return this.recorder?.ringSegments().map(ringSegment) ?? [];
  }
  onRingSegment(listener: (segment: RingSegment) => void): () => void {
    this.segmentListeners.add(listener);
    return () => this.segmentListeners.delete(listener);
  }
  onMotion(listener: (active: boolean) => void): () => void {
    const onEvent = (event: { active: boolean }) => listener(event.active);
    this.driver.on("motion", onEvent);
    return () => this.driver.off("motion", onEvent);
  }

  private async ensureRecorder(): Promise<void> {
    if (this.stopped) return;
    let url: string;
    try {
      url = await this.driver.streamUri();
    } catch (error) {
      if (!this.stopped) this.options.logger.error(`Cannot get the stream address from the camera: ${formatError(error)}`);
      return;
    }
    if (this.stopped || (this.recorder && url === this.recorderUrl)) return;
    if (this.recorder) {
      // The camera moved its stream: the same recorder records the new one, so an open visit's clip goes on.
      this.options.logger.info(`Camera stream changed to ${redactUrl(url)}; recording from there.`);
      this.recorderUrl = url;
      await this.recorder.changeSource(url);
      return;
    }
    this.recorderUrl = url;
    this.recorder = this.createRecorder(url);
    await this.recorder.start();
  }

  private createRecorder(url: string): RingRecorder {
    const { doorId, recording, storageDir, logger, clock } = this.options;
    const recorder = new RingRecorder({
      cameraId: doorId,
      url,
      storagePath: storageDir,
      ffmpegPath: recording.ffmpegPath,
      ringSeconds: recording.ringSeconds,
      ringDir: this.ring.dir,
      ringMaxBytes: ringCapBytes(recording.ringSeconds, recording.maxBitrateKbps),
      logger,
      clock,
    });
    recorder.on("segment", (segment) => {
      for (const listener of this.segmentListeners) listener(ringSegment(segment));
    });
    return recorder;
  }
}

function ringSegment(s: SegmentRecord): RingSegment {
  return { run: s.run, seq: s.seq, path: s.path, initPath: path.join(path.dirname(s.path), INIT_NAME), durationMs: s.durationMs, appearedAt: s.appearedAt };
}
