// The door camera in HomeKit: a CameraController (video only; the camera's audio is not forwarded) whose delegate
// takes snapshots from the camera and runs a live view through ffmpeg.
import type { CameraController } from "@homebridge/hap-nodejs";
import type { Logger } from "../../core/logger.js";
import type { CameraFeed } from "../../delivery/delivery-port.js";
import type { AccessoryHost, Hap } from "../hap-module.js";
import type { LiveVideoMode } from "./live-stream-args.js";
import { DoorStreamingDelegate } from "./streaming-delegate.js";

export interface CameraBindingOptions {
  hap: Hap;
  accessory: AccessoryHost;
  feed: CameraFeed;
  ffmpegPath: string;
  /** Default "transcode": exactly the size HomeKit asks for, whatever the camera sends. */
  videoMode?: LiveVideoMode;
  logger: Logger;
}

export interface CameraBinding {
  readonly controller: CameraController;
  readonly delegate: DoorStreamingDelegate;
  /** Stops every live view. */
  stop(): Promise<void>;
}

/** Sizes offered to HomeKit (width, height, fps); it picks one per viewer and network. */
const RESOLUTIONS: [number, number, number][] = [
  [1920, 1080, 30], [1280, 960, 30], [1280, 720, 30], [1024, 768, 30], [640, 480, 30], [640, 360, 30],
  [480, 360, 30], [480, 270, 30], [320, 240, 30], [320, 240, 15], [320, 180, 30],
];
/** Two viewers at once (say, the phone and the watch). */
const STREAM_COUNT = 2;

export function bindCamera(options: CameraBindingOptions): CameraBinding {
  const { hap } = options;
  const delegate = new DoorStreamingDelegate({
    hap,
    feed: options.feed,
    ffmpegPath: options.ffmpegPath,
    videoMode: options.videoMode ?? "transcode",
    logger: options.logger,
  });
  const controller = new hap.CameraController({
    cameraStreamCount: STREAM_COUNT,
    delegate,
    streamingOptions: {
      supportedCryptoSuites: [hap.SRTPCryptoSuites.AES_CM_128_HMAC_SHA1_80],
      video: {
        codec: {
          profiles: [hap.H264Profile.BASELINE, hap.H264Profile.MAIN, hap.H264Profile.HIGH],
          levels: [hap.H264Level.LEVEL3_1, hap.H264Level.LEVEL3_2, hap.H264Level.LEVEL4_0],
        },
        resolutions: RESOLUTIONS,
      },
    },
  });
  delegate.controller = controller;
  options.accessory.configureController(controller);
  return { controller, delegate, stop: () => delegate.stopAll() };
}
