// Turns a visit folder (a part folder of init.mp4 + segments per ffmpeg run) into faststart MP4s, measured, and clip.json.
import fs from "node:fs";
import path from "node:path";
import type { EpochMs, VisitId } from "../access/ids.js";
import { InternalError } from "../core/errors.js";
import { MANIFEST_NAME, PART_INIT_NAME, type ManifestEntry } from "./clip-visit.js";
import { probeMedia, runTool } from "./ffmpeg-exec.js";
import type { ClipGap, ClipPart, VisitClip } from "./recorder.js";

export interface AssembleTools {
  ffmpegPath: string;
  ffprobePath: string;
}

/** The segments of a part folder, in order: from its manifest, or (manifest lost) from the files and their mtimes. */
export function readPartSegments(partDir: string, fallbackDurationMs: number): ManifestEntry[] {
  const manifest = path.join(partDir, MANIFEST_NAME);
  const entries = new Map<string, ManifestEntry>();
  if (fs.existsSync(manifest)) {
    for (const line of fs.readFileSync(manifest, "utf8").split("\n")) {
      if (!line.trim()) continue;
      try {
        const e = JSON.parse(line) as ManifestEntry;
        if (typeof e.name === "string" && fs.existsSync(path.join(partDir, e.name))) entries.set(e.name, e);
      } catch {
        // A line torn by a crash mid-write: the segment is still found below from its file.
      }
    }
  }
  for (const name of fs.readdirSync(partDir)) {
    const m = /^seg_(\d+)\.m4s$/.exec(name);
    if (!m || entries.has(name)) continue;
    const st = fs.statSync(path.join(partDir, name));
    entries.set(name, { name, run: 0, seq: Number(m[1]), durationMs: fallbackDurationMs, appearedAt: st.mtimeMs });
  }
  return [...entries.values()].sort((a, b) => a.seq - b.seq);
}

/**
 * init.mp4 followed by the segments is already a valid fragmented MP4; one stream-copy pass moves the index to the front
 * (faststart) so the clip plays while it downloads. Writes `outPath`, returns its measured facts.
 */
export async function assemblePart(
  partDir: string,
  outPath: string,
  tools: AssembleTools,
  fallbackDurationMs = 1000,
  /** End of the wanted span (visit end + post-roll): the tail past it is cut (a cut at the end needs no keyframe). */
  untilAt?: EpochMs,
): Promise<ClipPart | undefined> {
  const segments = readPartSegments(partDir, fallbackDurationMs);
  const init = path.join(partDir, PART_INIT_NAME);
  if (segments.length === 0 || !fs.existsSync(init)) return undefined;
  const raw = `${outPath}.raw.mp4`;
  const tmp = `${outPath}.tmp.mp4`;
  const fd = fs.openSync(raw, "w", 0o600);
  try {
    for (const file of [init, ...segments.map((s) => path.join(partDir, s.name))]) fs.writeSync(fd, fs.readFileSync(file));
  } finally {
    fs.closeSync(fd);
  }
  const first = segments[0]!;
  const last = segments[segments.length - 1]!;
  const firstFrameAt: EpochMs = first.appearedAt - first.durationMs;
  let lastFrameAt: EpochMs = last.appearedAt;
  const limit: string[] = [];
  if (untilAt !== undefined && untilAt > firstFrameAt && untilAt < lastFrameAt) {
    limit.push("-t", ((untilAt - firstFrameAt) / 1000).toFixed(3));
    lastFrameAt = untilAt;
  }
  try {
    await runTool(tools.ffmpegPath, [
      "-hide_banner", "-loglevel", "error", "-nostdin", "-i", raw, "-map", "0", "-c", "copy", ...limit,
      "-movflags", "+faststart", "-y", "-f", "mp4", tmp,
    ]);
    // The clip is the owner's alone, whatever ffmpeg's umask made of it.
    fs.chmodSync(tmp, 0o600);
    fs.renameSync(tmp, outPath);
  } finally {
    fs.rmSync(raw, { force: true });
    fs.rmSync(tmp, { force: true });
  }
  const info = await probeMedia(tools.ffprobePath, outPath);
  if (info.videoCodec === undefined) throw new InternalError(`assembled clip ${path.basename(outPath)} has no video stream`);
  return { path: outPath, durationMs: info.durationMs, firstFrameAt, lastFrameAt, segments: segments.length };
}

/** Written once a visit's parts are assembled; the part folders are removed only after it exists. */
export const CLIP_JSON = "clip.json";

/**
 * Assembles every `part-<n>` folder of a visit into `part-<n>.mp4` (the last cut at `untilAt`), measures the gaps between
 * them, writes clip.json and then removes the part folders: the MP4s hold everything, the linked segments would double
 * the visit's size.
 */
export async function assembleVisit(dir: string, visitId: VisitId, tools: AssembleTools & { segmentMs: number }, untilAt?: EpochMs): Promise<VisitClip> {
  const partDirs = fs
    .readdirSync(dir)
    .map((name) => ({ name, m: /^part-(\d+)$/.exec(name) }))
    .filter((p) => p.m !== null)
    .sort((a, b) => Number(a.m![1]) - Number(b.m![1]));
  const parts: ClipPart[] = [];
  for (const [i, p] of partDirs.entries()) {
    const lastPart = i === partDirs.length - 1;
    const part = await assemblePart(path.join(dir, p.name), path.join(dir, `${p.name}.mp4`), tools, tools.segmentMs, lastPart ? untilAt : undefined);
    if (part) parts.push(part);
  }
  const clip: VisitClip = { visitId, parts, gaps: gapsBetween(parts) };
  writeFileAtomic(path.join(dir, CLIP_JSON), JSON.stringify(clip, null, 2));
  for (const p of partDirs) fs.rmSync(path.join(dir, p.name), { recursive: true, force: true });
  return clip;
}

/** The clip of a visit already assembled (clip.json and no part folder left), or undefined if it still needs assembling. */
export function readAssembledClip(dir: string): VisitClip | undefined {
  const hasParts = fs.readdirSync(dir).some((name) => /^part-\d+$/.test(name));
  if (hasParts || !fs.existsSync(path.join(dir, CLIP_JSON))) return undefined;
  return JSON.parse(fs.readFileSync(path.join(dir, CLIP_JSON), "utf8")) as VisitClip;
}

/** The hole between each part's last frame and the next part's first. */
export function gapsBetween(parts: readonly ClipPart[]): ClipGap[] {
  const gaps: ClipGap[] = [];
  for (let i = 1; i < parts.length; i++) {
    const fromAt = parts[i - 1]!.lastFrameAt;
    const untilAt = parts[i]!.firstFrameAt;
    gaps.push({ afterPart: i, fromAt, untilAt, gapMs: Math.max(0, untilAt - fromAt) });
  }
  return gaps;
}

function writeFileAtomic(file: string, text: string): void {
  const tmp = `${file}.tmp`;
  fs.writeFileSync(tmp, text, { mode: 0o600 });
  fs.renameSync(tmp, file);
}
