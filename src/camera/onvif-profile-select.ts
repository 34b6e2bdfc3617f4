// Which media profile to record: the one the user configured, else the best H.264 (ffmpeg stream-copies it
// into MP4 and HomeKit plays it; H.265 and MJPEG need a transcode).

import type { CameraProfile } from "./camera-driver.js";

export type ProfileChoice =
  | { readonly ok: true; readonly profile: CameraProfile; readonly why: string }
  | { readonly ok: false; readonly reason: string };

/**
 * `wanted` matches a profile token first, then a name (case-insensitive). Without it: the H.264 profile with
 * the most pixels, then the higher frame rate; ties keep the camera's order (its main stream comes first).
 */
export function selectProfile(profiles: readonly CameraProfile[], wanted?: string): ProfileChoice {
  if (profiles.length === 0) return { ok: false, reason: "the camera reported no media profile with video" };
  if (wanted !== undefined && wanted !== "") {
    const byToken = profiles.find((p) => p.token === wanted);
    const byName = profiles.find((p) => p.name.toLowerCase() === wanted.toLowerCase());
    const chosen = byToken ?? byName;
    if (!chosen) {
      const known = profiles.map((p) => `${p.token} (${p.name})`).join(", ");
      return { ok: false, reason: `configured profile "${wanted}" is not on the camera; it has ${known}` };
    }
    return { ok: true, profile: chosen, why: `configured profile "${wanted}"` };
  }
  const h264 = profiles.filter((p) => p.encoding === "H264");
  if (h264.length === 0) {
    const kinds = [...new Set(profiles.map((p) => p.encoding))].join(", ");
    return { ok: false, reason: `the camera has no H.264 profile (only ${kinds}); set one up in its web page` };
  }
  let best = h264[0]!;
  for (const p of h264.slice(1)) {
    const area = p.width * p.height;
    const bestArea = best.width * best.height;
    if (area > bestArea || (area === bestArea && (p.fps ?? 0) > (best.fps ?? 0))) best = p;
  }
  return { ok: true, profile: best, why: `best H.264 profile (${best.width}x${best.height})` };
}
