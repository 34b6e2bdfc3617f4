// The door camera in HomeKit: a CameraController whose streaming delegate takes snapshots from the camera and runs a
// live view through ffmpeg (video only), with HomeKit Secure Video recording from the ring and a motion sensor that
// triggers it.
import type { CameraController, CameraRecordingOptions } from "@homebridge/hap-nodejs";
import type { Logger } from "../../core/logger.js";
import type { CameraFeed } from "../../delivery/delivery-port.js";
import type { AccessoryHost, Hap } from "../hap-module.js";
import type { LiveVideoMode } from "./live-stream-args.js";
import { DoorRecordingDelegate } from "./recording-delegate.js";
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
  readonly recording: DoorRecordingDelegate;
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
/** HKSV prebuffer: the 4 s minimum HAP asks for; the ring holds far more. */
export const PREBUFFER_MS = 4_000;
/** The fragment length HKSV hubs select (4 s); each fragment starts on a key frame. */
export const FRAGMENT_MS = 4_000;
/** Sizes offered for HKSV recordings; hubs expect 1080p and 720p at 15 and 24/30 fps. */
const RECORDING_RESOLUTIONS: [number, number, number][] = [
  [1920, 1080, 30], [1920, 1080, 24], [1920, 1080, 15], [1280, 720, 30], [1280, 720, 24], [1280, 720, 15], [640, 360, 15],
];

function recordingOptions(hap: Hap): CameraRecordingOptions {
  return {
    prebufferLength: PREBUFFER_MS,
    mediaContainerConfiguration: { type: hap.MediaContainerType.FRAGMENTED_MP4, fragmentLength: FRAGMENT_MS },
    video: {
      type: hap.VideoCodecType.H264,
      parameters: {
        profiles: [hap.H264Profile.BASELINE, hap.H264Profile.MAIN, hap.H264Profile.HIGH],
        levels: [hap.H264Level.LEVEL3_1, hap.H264Level.LEVEL3_2, hap.H264Level.LEVEL4_0],
      },
      resolutions: RECORDING_RESOLUTIONS,
    },
    // AAC-LC only: ffmpeg's own AAC encoder has no AAC-ELD.
    audio: { codecs: { type: hap.AudioRecordingCodecType.AAC_LC, audioChannels: 1, samplerate: [hap.AudioRecordingSamplerate.KHZ_32, hap.AudioRecordingSamplerate.KHZ_48] } },
  };
}

export function bindCamera(options: CameraBindingOptions): CameraBinding {
  const { hap } = options;
  const delegate = new DoorStreamingDelegate({
    hap,
    feed: options.feed,
    ffmpegPath: options.ffmpegPath,
    videoMode: options.videoMode ?? "transcode",
    logger: options.logger,
  });
  let controller: CameraController | undefined;
  const recording = new DoorRecordingDelegate({
    feed: options.feed,
    ffmpegPath: options.ffmpegPath,
    logger: options.logger,
    audioActive: () =>
      controller?.recordingManagement?.recordingManagementService.getCharacteristic(hap.Characteristic.RecordingAudioActive).value ===
      hap.Characteristic.RecordingAudioActive.ENABLE,
  });
  controller = new hap.CameraController({
    cameraStreamCount: STREAM_COUNT,
    delegate,
    recording: { options: recordingOptions(hap), delegate: recording },
    sensors: { motion: true },
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
  return {
    controller,
    delegate,
    recording,
    stop: async () => {
      recording.stopAll();
      await delegate.stopAll();
    },
  };
}
