// The CameraController's streaming delegate for one door camera: snapshots from the camera, live view through ffmpeg
// sending SRTP straight to the controller with the keys it negotiated.
import { createSocket } from "node:dgram";
import type {
  CameraController, CameraStreamingDelegate, PrepareStreamCallback, PrepareStreamRequest, SnapshotRequest,
  SnapshotRequestCallback, StreamingRequest, StreamRequestCallback,
} from "@homebridge/hap-nodejs";
import { InternalError, NotFoundError, ValidationError, formatError } from "../../core/errors.js";
import type { Logger } from "../../core/logger.js";
import type { CameraFeed } from "../../delivery/delivery-port.js";
import type { Hap } from "../hap-module.js";
import { noResponse } from "../service-helpers.js";
import { H264_LEVELS, H264_PROFILES, type LiveVideoMode } from "./live-stream-args.js";
import { LiveStreamProcess } from "./live-stream-process.js";

export interface StreamingDelegateOptions {
  hap: Hap;
  feed: CameraFeed;
  ffmpegPath: string;
  videoMode: LiveVideoMode;
  logger: Logger;
}

/** What prepareStream negotiated, kept until the controller starts (or abandons) the session. */
interface PreparedSession {
  targetAddress: string;
  ipv6: boolean;
  targetPort: number;
  srtpKeyAndSalt: Buffer;
  ssrc: number;
  localAddress: string;
  localPort: number;
}

export class DoorStreamingDelegate implements CameraStreamingDelegate {
  /** Set once the controller exists (it needs the delegate first). */
  controller: CameraController | undefined;
  private readonly prepared = new Map<string, PreparedSession>();
  private readonly live = new Map<string, LiveStreamProcess>();

  constructor(private readonly options: StreamingDelegateOptions) {}

  /** The ffmpeg pids of the running live views (for diagnostics and tests). */
  livePids(): number[] {
    return [...this.live.values()].flatMap((p) => (p.pid === undefined ? [] : [p.pid]));
  }

  handleSnapshotRequest(_request: SnapshotRequest, callback: SnapshotRequestCallback): void {
    this.options.feed.snapshot().then(
      (jpeg) => callback(undefined, jpeg),
      (error: unknown) => {
        this.options.logger.warn(`Unable to take a snapshot: ${formatError(error)}.`);
        callback(noResponse(this.options.hap));
      },
    );
  }

  prepareStream(request: PrepareStreamRequest, callback: PrepareStreamCallback): void {
    const { hap } = this.options;
    if (request.video.srtpCryptoSuite !== hap.SRTPCryptoSuites.AES_CM_128_HMAC_SHA1_80) {
      callback(new ValidationError(`unsupported SRTP crypto suite ${request.video.srtpCryptoSuite}`));
      return;
    }
    const ipv6 = request.addressVersion === "ipv6";
    const localAddress = ipv6 ? request.sourceAddress : request.sourceAddress.replace(/^::ffff:/, "");
    reserveUdpPort(localAddress, ipv6).then(
      (localPort) => {
        const ssrc = hap.CameraController.generateSynchronisationSource();
        this.prepared.set(request.sessionID, {
          targetAddress: request.targetAddress,
          ipv6,
          targetPort: request.video.port,
          srtpKeyAndSalt: Buffer.concat([request.video.srtp_key, request.video.srtp_salt]),
          ssrc,
          localAddress,
          localPort,
        });
        callback(undefined, { video: { port: localPort, ssrc, srtp_key: request.video.srtp_key, srtp_salt: request.video.srtp_salt } });
      },
      (error: unknown) => callback(error instanceof Error ? error : new InternalError(String(error))),
    );
  }

  handleStreamRequest(request: StreamingRequest, callback: StreamRequestCallback): void {
    const { hap } = this.options;
    switch (request.type) {
      case hap.StreamRequestTypes.START:
        this.start(request.sessionID, request.video).then(
          () => callback(),
          (error: unknown) => {
            this.options.logger.error(`Unable to start the live view: ${formatError(error)}.`);
            callback(error instanceof Error ? error : new InternalError(String(error)));
          },
        );
        return;
      case hap.StreamRequestTypes.RECONFIGURE:
        // The running ffmpeg keeps its settings; HomeKit copes with the stream it gets.
        this.options.logger.debug(`Live view reconfigure to ${request.video.width}x${request.video.height} ignored.`);
        callback();
        return;
      case hap.StreamRequestTypes.STOP:
        this.stopSession(request.sessionID).then(() => callback(), () => callback());
        return;
    }
  }

  /** Stops every live view (shutdown). */
  async stopAll(): Promise<void> {
    this.prepared.clear();
    await Promise.all([...this.live.keys()].map((id) => this.stopSession(id)));
  }

  private async start(sessionId: string, video: Extract<StreamingRequest, { type: "start" }>["video"]): Promise<void> {
    const session = this.prepared.get(sessionId);
    if (!session) throw new NotFoundError("no prepared session for this stream");
    this.prepared.delete(sessionId);
    const sourceUrl = await this.options.feed.liveSourceUrl();
    const process = new LiveStreamProcess(
      this.options.ffmpegPath,
      {
        sourceUrl,
        mode: this.options.videoMode,
        video: {
          width: video.width,
          height: video.height,
          fps: video.fps,
          maxBitrateKbps: video.max_bit_rate,
          payloadType: video.pt,
          ssrc: session.ssrc,
          mtu: video.mtu,
          profile: H264_PROFILES[video.profile] ?? "main",
          level: H264_LEVELS[video.level] ?? "3.1",
        },
        target: { address: session.targetAddress, ipv6: session.ipv6, port: session.targetPort, srtpKeyAndSalt: session.srtpKeyAndSalt },
        local: { address: session.localAddress, port: session.localPort },
      },
      this.options.logger,
      (reason) => {
        this.live.delete(sessionId);
        this.options.logger.warn(`The live view stopped: ${reason}.`);
        this.controller?.forceStopStreamingSession(sessionId);
      },
    );
    await process.start();
    this.live.set(sessionId, process);
    this.options.logger.info(`Live view started (${video.width}x${video.height} at ${video.fps} fps, ${this.options.videoMode}).`);
  }

  private async stopSession(sessionId: string): Promise<void> {
    this.prepared.delete(sessionId);
    const process = this.live.get(sessionId);
    if (!process) return;
    this.live.delete(sessionId);
    await process.stop();
    this.options.logger.info("Live view stopped.");
  }
}

/** A free UDP port on `address` (bound and released: ffmpeg binds it next). */
function reserveUdpPort(address: string, ipv6: boolean): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = createSocket(ipv6 ? "udp6" : "udp4");
    socket.once("error", reject);
    socket.bind(0, address, () => {
      const { port } = socket.address();
      socket.close(() => resolve(port));
    });
  });
}
