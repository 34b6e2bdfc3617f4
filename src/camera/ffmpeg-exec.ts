// Runs ffmpeg/ffprobe to completion (clip assembly, probing). Errors are redacted and name the tool.
import { execFile } from "node:child_process";
import { InternalError } from "../core/errors.js";
import { redactUrl } from "./ffmpeg-redact.js";

export interface ToolResult {
  stdout: Buffer;
  stderr: string;
}

/** Runs `tool args`, resolving with its output, rejecting (redacted) on a non-zero exit, a timeout or a missing binary. */
export function runTool(tool: string, args: readonly string[], options: { timeoutMs?: number } = {}): Promise<ToolResult> {
  return new Promise((resolve, reject) => {
    execFile(
      tool,
      args,
      { encoding: "buffer", maxBuffer: 256 * 1024 * 1024, timeout: options.timeoutMs ?? 120_000, killSignal: "SIGKILL" },
      (error, stdout, stderr) => {
        const err = stderr.toString("utf8");
        if (error) {
          const code = (error as NodeJS.ErrnoException).code;
          const why = code === "ENOENT" ? `${tool} not found` : `${tool} failed: ${redactUrl(err.trim().split("\n").slice(-3).join(" | ")) || error.message}`;
          reject(new InternalError(why));
          return;
        }
        resolve({ stdout, stderr: err });
      },
    );
  });
}

export interface MediaInfo {
  durationMs: number;
  videoCodec: string | undefined;
  audioCodec: string | undefined;
}

/** ffprobe's view of a media file: container duration and the first video and audio codec. */
export async function probeMedia(ffprobePath: string, file: string): Promise<MediaInfo> {
  const { stdout } = await runTool(ffprobePath, [
    "-v", "error", "-show_entries", "format=duration:stream=codec_type,codec_name", "-of", "json", file,
  ]);
  const parsed = JSON.parse(stdout.toString("utf8")) as {
    format?: { duration?: string };
    streams?: { codec_type?: string; codec_name?: string }[];
  };
  const streams = parsed.streams ?? [];
  return {
    durationMs: Math.round(Number(parsed.format?.duration ?? "0") * 1000),
    videoCodec: streams.find((s) => s.codec_type === "video")?.codec_name,
    audioCodec: streams.find((s) => s.codec_type === "audio")?.codec_name,
  };
}
