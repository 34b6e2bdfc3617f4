// Parses ffmpeg's `-progress pipe:1` output: blocks of key=value lines, each ended by `progress=continue|end`.

export interface ProgressReport {
  /** Frames written so far in this run. */
  frame: number;
  outTimeUs: number | undefined;
  end: boolean;
}

/** Feed it stdout chunks; it calls `onReport` once per complete block. */
export class ProgressParser {
  private buffered = "";
  private current = new Map<string, string>();

  constructor(private readonly onReport: (report: ProgressReport) => void) {}

  feed(chunk: string | Buffer): void {
    this.buffered += chunk.toString();
    let nl: number;
    while ((nl = this.buffered.indexOf("\n")) >= 0) {
      const line = this.buffered.slice(0, nl).trim();
      this.buffered = this.buffered.slice(nl + 1);
      const eq = line.indexOf("=");
      if (eq <= 0) continue;
      const key = line.slice(0, eq);
      const value = line.slice(eq + 1);
      if (key === "progress") {
        const frame = Number(this.current.get("frame") ?? "0");
        const out = Number(this.current.get("out_time_us"));
        this.current.clear();
        this.onReport({
          frame: Number.isFinite(frame) ? frame : 0,
          outTimeUs: Number.isFinite(out) ? out : undefined,
          end: value === "end",
        });
      } else {
        this.current.set(key, value);
      }
    }
    // A runaway line without newlines must not grow without bound.
    if (this.buffered.length > 64 * 1024) this.buffered = "";
  }
}
