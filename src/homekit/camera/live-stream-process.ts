// One running live-view ffmpeg: started with a plan, stopped by the controller (or when it dies by itself).
import { spawn, type ChildProcess } from "node:child_process";
import type { Logger } from "../../core/logger.js";
import { feedSecretInput } from "../../core/ffmpeg-secret-input.js";
import { LIVE_INPUT_OPTIONS, liveStreamArgs, redactCredentials, type LiveStreamPlan } from "./live-stream-args.js";
import { InternalError } from "../../core/errors.js";

/** After SIGTERM, how long ffmpeg may take to flush before it is killed. */
const STOP_GRACE_MS = 2_000;

export class LiveStreamProcess {
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();
  private stopping = false;

  constructor(
    private readonly ffmpegPath: string,
    private readonly plan: LiveStreamPlan,
    private readonly logger: Logger,
    /** Called when ffmpeg ends without being asked to (camera gone, bad stream). */
    private readonly onUnexpectedExit: (reason: string) => void,
  ) {}

  /** The ffmpeg process id while it runs. */
  get pid(): number | undefined {
    return this.child?.exitCode === null && this.child.signalCode === null ? this.child.pid : undefined;
  }

  /** Spawns ffmpeg; resolves once it runs (rejects if it cannot be started at all). */
  start(): Promise<void> {
    const child = spawn(this.ffmpegPath, liveStreamArgs(this.plan), { stdio: ["pipe", "ignore", "pipe"] });
    this.child = child;
    feedSecretInput(child.stdin, this.plan.sourceUrl, LIVE_INPUT_OPTIONS);
    let tail = "";
    child.stderr!.setEncoding("utf8");
    child.stderr!.on("data", (chunk: string) => {
      tail = (tail + chunk).slice(-2_000);
      for (const line of chunk.split("\n")) if (line.trim()) this.logger.debug(`ffmpeg: ${redactCredentials(line.trim())}`);
    });
    this.exited = new Promise((resolve) => {
      child.once("close", () => resolve());
      child.once("error", () => resolve());
    });
    return new Promise((resolve, reject) => {
      child.once("spawn", () => {
        child.once("exit", (code, signal) => {
          if (this.stopping) return;
          const last = redactCredentials(tail.trim().split("\n").pop() ?? "");
          this.onUnexpectedExit(`ffmpeg ended (${signal ?? `exit ${code}`})${last ? `: ${last}` : ""}`);
        });
        resolve();
      });
      child.once("error", (error) => reject(new InternalError(`cannot run ${this.ffmpegPath}: ${error.message}`, { cause: error })));
    });
  }

  /** Stops ffmpeg and resolves once it is gone. */
  async stop(): Promise<void> {
    this.stopping = true;
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return this.exited;
    child.kill("SIGTERM");
    // Real time, not the Clock: a grace period for a real process to exit.
    const timer = setTimeout(() => child.kill("SIGKILL"), STOP_GRACE_MS);
    await this.exited;
    clearTimeout(timer);
  }
}
