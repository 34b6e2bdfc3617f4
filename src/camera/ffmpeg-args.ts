// The one ffmpeg command line for the always-on ring. Kept pure so the choices are visible and testable.
import path from "node:path";
import { secretInputArgs, type InputOptions } from "../core/ffmpeg-secret-input.js";

export interface RingArgsOptions {
  /** Directory for this ffmpeg run: its init.mp4, numbered segments and playlist. */
  runDir: string;
  segmentSeconds: number;
  /** "aac": transcode the first audio track if there is one (G.711 cannot be copied into MP4); "drop": no audio. */
  audio: "aac" | "drop";
  /** How often ffmpeg reports `-progress`; the gate's 1.5 s needs well under 1 s. */
  statsPeriodSeconds: number;
  /** RTSP socket timeout: a camera that goes silent ends ffmpeg after this. */
  socketTimeoutSeconds: number;
}

export const PLAYLIST_NAME = "ring.m3u8";
export const INIT_NAME = "init.mp4";
export const SEGMENT_PATTERN = "seg_%06d.m4s";

/** How the ring opens the camera URL it reads from stdin (see core/ffmpeg-secret-input.ts). */
export function ringInputOptions(o: Pick<RingArgsOptions, "socketTimeoutSeconds">): InputOptions {
  return {
    rtsp_transport: "tcp",
    timeout: String(Math.round(o.socketTimeoutSeconds * 1_000_000)),
    fflags: "+genpts",
    analyzeduration: "1000000",
    probesize: "1000000",
  };
}

/**
 * HLS muxer rather than the segment muxer: it writes one init.mp4 plus `moof/mdat` segments cut on keyframes, and with
 * `temp_file` a segment enters the playlist only once complete, so the playlist tells us exactly which files are whole.
 * We delete old segments ourselves (no `delete_segments`) so that a segment an open visit still needs is never removed.
 */
export function ringArgs(o: RingArgsOptions): string[] {
  const audio = o.audio === "aac" ? ["-map", "0:a:0?", "-c:a", "aac", "-b:a", "64k"] : ["-an"];
  // The camera URL (with its password) is not here: ffmpeg reads it from stdin (ringInput), never from its argv.
  return [
    "-hide_banner", "-loglevel", "error", "-nostdin", "-nostats",
    "-stats_period", String(o.statsPeriodSeconds), "-progress", "pipe:1",
    "-fflags", "+genpts", "-analyzeduration", "1000000", "-probesize", "1000000",
    ...secretInputArgs(),
    "-map", "0:v:0", "-c:v", "copy", ...audio,
    "-f", "hls", "-hls_time", String(o.segmentSeconds), "-hls_list_size", "10",
    "-hls_flags", "independent_segments+temp_file",
    "-hls_segment_type", "fmp4", "-hls_fmp4_init_filename", INIT_NAME,
    "-hls_segment_filename", path.join(o.runDir, SEGMENT_PATTERN),
    path.join(o.runDir, PLAYLIST_NAME),
  ];
}
