// The test camera's video: the GStreamer RTSP server (src/sim/camera/rtsp-server.py) on loopback, with the wall-clock
// time of every frame drawn into it as a barcode (read back with rtsp-frame-clock.ts).
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import { fileURLToPath } from "node:url";
import { DeviceUnreachableError } from "../../core/errors.js";

export interface RtspTestServerOptions {
  /** Port on 127.0.0.1; 0 or absent picks a free one (kept across restart()). */
  port?: number;
  /** Adds an AAC audio track. */
  audio?: boolean;
  fps?: number;
  /** Keyframe interval in frames; default fps (1 s), so 1 s segments cut cleanly. */
  gop?: number;
  width?: number;
  height?: number;
  /** Video bitrate, kbit/s. */
  bitrateKbps?: number;
  /** Require RTSP Basic auth with these credentials (the URL then carries them). */
  auth?: { username: string; password: string };
  /** Mount path, default "/cam". */
  path?: string;
  /** Python with GStreamer bindings; default /usr/bin/python3 (pyenv/venv pythons lack `gi`). */
  python?: string;
  /** How long to wait for READY, default 15 s. */
  startTimeoutMs?: number;
}

export interface RtspTestServer {
  /** rtsp://[user:pass@]127.0.0.1:port/path */
  readonly url: string;
  readonly port: number;
  /** The python process (its own process group), or undefined while stopped. */
  readonly pid: number | undefined;
  running(): boolean;
  /** Stops the server; `SIGKILL` cuts the stream abruptly, like a camera losing power. */
  stop(signal?: "SIGTERM" | "SIGKILL"): Promise<void>;
  /** Starts it again on the same port (after stop(), or stops it first). */
  restart(): Promise<void>;
}

/**
 * Where the python script is. tsc does not copy .py files, so it stays in src/: from dist/src/sim/camera/ that is
 * ../../../../src/sim/camera/rtsp-server.py (the package root's src/). A copy beside this module is used if present.
 */
export function rtspServerScriptPath(): string {
  const beside = fileURLToPath(new URL("./rtsp-server.py", import.meta.url));
  if (fs.existsSync(beside)) return beside;
  const fromDist = fileURLToPath(new URL("../../../../src/sim/camera/rtsp-server.py", import.meta.url));
  if (fs.existsSync(fromDist)) return fromDist;
  throw new DeviceUnreachableError(`RTSP test server script not found (looked for ${beside} and ${fromDist})`);
}

/** Starts the GStreamer RTSP test server and resolves once it listens. */
export async function startRtspTestServer(options: RtspTestServerOptions = {}): Promise<RtspTestServer> {
  const server = new GstRtspTestServer(options);
  await server.spawn();
  return server;
}

class GstRtspTestServer implements RtspTestServer {
  private proc: ChildProcess | undefined;
  private boundPort: number;

  constructor(private readonly o: RtspTestServerOptions) {
    this.boundPort = o.port ?? 0;
  }

  get port(): number {
    return this.boundPort;
  }

  get url(): string {
    const auth = this.o.auth ? `${encodeURIComponent(this.o.auth.username)}:${encodeURIComponent(this.o.auth.password)}@` : "";
    return `rtsp://${auth}127.0.0.1:${this.boundPort}${this.o.path ?? "/cam"}`;
  }

  get pid(): number | undefined {
    return this.proc?.pid;
  }

  running(): boolean {
    return this.proc !== undefined && this.proc.exitCode === null && this.proc.signalCode === null;
  }

  async spawn(): Promise<void> {
    const fps = this.o.fps ?? 15;
    const args = [
      rtspServerScriptPath(),
      "--bind", "127.0.0.1",
      "--port", String(this.boundPort),
      "--path", this.o.path ?? "/cam",
      "--fps", String(fps),
      "--gop", String(this.o.gop ?? fps),
      "--width", String(this.o.width ?? 640),
      "--height", String(this.o.height ?? 360),
      "--bitrate", String(this.o.bitrateKbps ?? 800),
      "--audio", this.o.audio ? "aac" : "none",
    ];
    // Credentials go through the environment, not argv, so `ps` does not show them.
    const env = { ...process.env };
    if (this.o.auth) env.DOORSTEP_RTSP_AUTH = `${this.o.auth.username}:${this.o.auth.password}`;
    else delete env.DOORSTEP_RTSP_AUTH;
    const proc = spawn(this.o.python ?? "/usr/bin/python3", args, { stdio: ["ignore", "pipe", "pipe"], detached: true, env });
    this.proc = proc;
    let stderr = "";
    proc.stderr?.on("data", (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2000)));
    const timeoutMs = this.o.startTimeoutMs ?? 15_000;
    await new Promise<void>((resolve, reject) => {
      let out = "";
      const fail = (why: string) => {
        clearTimeout(timer);
        killGroup(proc, "SIGKILL");
        reject(new DeviceUnreachableError(`RTSP test server did not start: ${why}${stderr ? `: ${stderr.trim().split("\n").slice(-3).join(" | ")}` : ""}`));
      };
      const timer = setTimeout(() => fail(`no READY within ${timeoutMs} ms`), timeoutMs);
      proc.once("error", (e) => fail(e.message));
      proc.once("exit", (code) => fail(`exited with ${code}`));
      proc.stdout?.on("data", (d: Buffer) => {
        out += d.toString();
        const m = /READY (\{.*\})/.exec(out);
        if (!m) return;
        clearTimeout(timer);
        proc.removeAllListeners("exit");
        proc.removeAllListeners("error");
        proc.stdout?.removeAllListeners("data");
        proc.stdout?.resume();
        this.boundPort = (JSON.parse(m[1]!) as { port: number }).port;
        resolve();
      });
    });
  }

  async stop(signal: "SIGTERM" | "SIGKILL" = "SIGTERM"): Promise<void> {
    const proc = this.proc;
    this.proc = undefined;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => killGroup(proc, "SIGKILL"), 3000);
      proc.once("exit", () => {
        clearTimeout(timer);
        resolve();
      });
      killGroup(proc, signal);
    });
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.spawn();
  }
}

/** The server runs in its own process group (detached) so that a kill reaches GStreamer's threads and nothing else. */
function killGroup(proc: ChildProcess, signal: NodeJS.Signals): void {
  if (proc.pid === undefined) return;
  try {
    process.kill(-proc.pid, signal);
  } catch {
    proc.kill(signal);
  }
}
