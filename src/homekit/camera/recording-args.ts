// The ffmpeg command line for one HomeKit Secure Video recording: the ring's fMP4 (init + segments, prebuffer first)
// arrives on stdin and leaves on stdout as the fragmented MP4 the home hub selected. Pure, so the choices are visible.

/** The hub's selected recording configuration, in plain units. */
export interface RecordingPlan {
  width: number;
  height: number;
  fps: number;
  profile: "baseline" | "main" | "high";
  level: "3.1" | "3.2" | "4.0";
  bitrateKbps: number;
  /** A key frame (and so a new fragment) every this many milliseconds: at most the selected fragment length. */
  keyFrameIntervalMs: number;
  /** Absent: no audio track (RecordingAudioActive is off, or the camera has no audio). */
  audio?: { sampleRateHz: number; channels: number; bitrateKbps: number };
}

export function recordingArgs(plan: RecordingPlan): string[] {
  const seconds = plan.keyFrameIntervalMs / 1000;
  const audio = plan.audio
    ? ["-map", "0:a:0?", "-c:a", "aac", "-profile:a", "aac_low", "-ar", String(plan.audio.sampleRateHz), "-ac", String(plan.audio.channels), "-b:a", `${plan.audio.bitrateKbps}k`]
    : ["-an"];
  return [
    "-hide_banner", "-loglevel", "error",
    "-f", "mp4", "-i", "pipe:0",
    "-map", "0:v:0",
    // Transcoded, not copied: only then do the size, profile, bitrate and the key frame at every fragment start follow
    // the hub's choice whatever the camera sends.
    "-c:v", "libx264", "-preset", "veryfast", "-tune", "zerolatency",
    "-profile:v", plan.profile, "-level:v", plan.level, "-pix_fmt", "yuv420p",
    "-vf", `scale=${plan.width}:${plan.height}`, "-r", String(plan.fps),
    "-b:v", `${plan.bitrateKbps}k`, "-maxrate", `${plan.bitrateKbps}k`, "-bufsize", `${plan.bitrateKbps * 2}k`,
    // Key frames exactly on the fragment grid, and none in between (no scene-cut key frames), so every fragment is
    // one key frame followed by `keyFrameIntervalMs` of video.
    "-force_key_frames", `expr:gte(t,n_forced*${seconds})`, "-g", String(Math.max(1, Math.round(seconds * plan.fps))), "-sc_threshold", "0",
    ...audio,
    "-f", "mp4", "-movflags", "frag_keyframe+empty_moov+default_base_moof",
    "pipe:1",
  ];
}
