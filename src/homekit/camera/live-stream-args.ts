// The ffmpeg command line of one HomeKit live view: read the camera's RTSP stream, send H.264 as SRTP to the address,
// port and keys the controller negotiated. Pure, so every flag is tested without ffmpeg.
import { secretInputArgs, type InputOptions } from "../../core/ffmpeg-secret-input.js";

/** HAP H264Profile values → x264 profile names (HAP spec, Selected Video Parameters: Profile ID). */
export const H264_PROFILES = ["baseline", "main", "high"] as const;
/** HAP H264Level values → H.264 levels (HAP spec: 0 = 3.1, 1 = 3.2, 2 = 4.0). */
export const H264_LEVELS = ["3.1", "3.2", "4.0"] as const;

export type LiveVideoMode = "transcode" | "copy";

export interface LiveStreamPlan {
  /** The camera's RTSP URL with credentials: fed to ffmpeg on stdin, never on its command line or into a log. */
  sourceUrl: string;
  /**
   * "transcode" re-encodes to exactly what the controller asked for (works with any camera);
   * "copy" forwards the camera's H.264 unchanged (no CPU, but the camera's resolution and profile).
   */
  mode: LiveVideoMode;
  video: {
    width: number;
    height: number;
    fps: number;
    maxBitrateKbps: number;
    payloadType: number;
    /** Signed 32-bit, as HAP-NodeJS generates it; ffmpeg takes it as is. */
    ssrc: number;
    mtu: number;
    profile: (typeof H264_PROFILES)[number];
    level: (typeof H264_LEVELS)[number];
  };
  target: {
    address: string;
    ipv6: boolean;
    port: number;
    /** AES_CM_128_HMAC_SHA1_80 master key (16 bytes) followed by the master salt (14 bytes). */
    srtpKeyAndSalt: Buffer;
  };
  /** The local end ffmpeg sends from (and receives the controller's RTCP on). */
  local: { address: string; port: number };
}

export function liveStreamArgs(plan: LiveStreamPlan): string[] {
  const { video, target, local } = plan;
  const host = target.ipv6 ? `[${target.address}]` : target.address;
  const query = new URLSearchParams({
    rtcpport: String(target.port),
    localrtpport: String(local.port),
    localaddr: local.address,
    pkt_size: String(video.mtu),
  });
  const encode =
    plan.mode === "copy"
      ? // In-band SPS/PPS on every keyframe: many cameras send them only in the SDP, which HomeKit never sees.
        ["-c:v", "copy", "-bsf:v", "dump_extra"]
      : [
          "-c:v", "libx264",
          "-preset", "ultrafast",
          "-tune", "zerolatency",
          "-profile:v", video.profile,
          "-level:v", video.level,
          "-pix_fmt", "yuv420p",
          "-vf", `scale=w=${video.width}:h=${video.height}:force_original_aspect_ratio=decrease:force_divisible_by=2`,
          "-r", String(video.fps),
          // A keyframe every 2 s lets a joining viewer start quickly.
          "-g", String(video.fps * 2),
          "-b:v", `${video.maxBitrateKbps}k`,
          "-maxrate", `${video.maxBitrateKbps}k`,
          "-bufsize", `${video.maxBitrateKbps * 2}k`,
        ];
  return [
    "-hide_banner",
    "-nostats",
    "-loglevel", "warning",
    // The camera URL (with its password) is read from stdin (liveStreamInput), never from the command line.
    ...secretInputArgs(),
    "-map", "0:v:0",
    "-an", "-sn", "-dn",
    ...encode,
    "-payload_type", String(video.payloadType),
    "-ssrc", String(video.ssrc),
    "-f", "rtp",
    "-srtp_out_suite", "AES_CM_128_HMAC_SHA1_80",
    "-srtp_out_params", target.srtpKeyAndSalt.toString("base64"),
    `srtp://${host}:${target.port}?${query.toString()}`,
  ];
}

/** How the live view opens the camera URL it reads from stdin. */
export const LIVE_INPUT_OPTIONS: InputOptions = { rtsp_transport: "tcp" };

/** ffmpeg's own messages can echo the input URL: strip any `user:password@` before they reach a log. */
export function redactCredentials(text: string): string {
  return text.replace(/([a-z][a-z0-9+.-]*:\/\/)[^\s/@]+@/gi, "$1***@");
}
