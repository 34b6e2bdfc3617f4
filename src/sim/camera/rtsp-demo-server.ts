// A demo camera stream that needs only ffmpeg (for `doorstep serve --demo` on a machine without GStreamer).
//
// ffmpeg cannot serve RTSP to players (its `-rtsp_flags listen` only receives a published stream), so this is a tiny
// RTSP server of our own: ffmpeg encodes `lavfi testsrc2` to H.264 and sends RTP to a loopback UDP socket; we answer
// OPTIONS / DESCRIBE / SETUP / PLAY / GET_PARAMETER / TEARDOWN and relay the RTP packets to each client interleaved on its
// RTSP TCP connection. Limits (documented in docs): TCP-interleaved transport only (UDP SETUP gets 461), one video track,
// no audio, no auth, no RTCP sender reports, and no wall-clock barcode (tests use the GStreamer server instead).
import { spawn, type ChildProcess } from "node:child_process";
import dgram from "node:dgram";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { withParentDeathSignal } from "../../camera/ffmpeg-spawn.js";
import { DeviceUnreachableError } from "../../core/errors.js";
import type { RtspTestServer } from "./rtsp-test-server.js";

export interface RtspDemoServerOptions {
  /** Port on 127.0.0.1; 0 or absent picks a free one (kept across restart()). */
  port?: number;
  fps?: number;
  width?: number;
  height?: number;
  ffmpegPath?: string;
  path?: string;
  startTimeoutMs?: number;
}

/** Starts the ffmpeg-fed demo RTSP server; same handle as the GStreamer test server. */
export async function startRtspDemoServer(options: RtspDemoServerOptions = {}): Promise<RtspTestServer> {
  const server = new DemoRtspServer(options);
  await server.start();
  return server;
}

interface Client {
  socket: net.Socket;
  playing: boolean;
  session: string;
}

class DemoRtspServer implements RtspTestServer {
  private ffmpeg: ChildProcess | undefined;
  private udp: dgram.Socket | undefined;
  private tcp: net.Server | undefined;
  private clients = new Set<Client>();
  private sdp = "";
  private boundPort: number;
  private tmpDir: string | undefined;

  constructor(private readonly o: RtspDemoServerOptions) {
    this.boundPort = o.port ?? 0;
  }

  get port(): number {
    return this.boundPort;
  }

  get url(): string {
    return `rtsp://127.0.0.1:${this.boundPort}${this.mount}`;
  }

  get pid(): number | undefined {
    return this.ffmpeg?.pid;
  }

  private get mount(): string {
    return this.o.path ?? "/cam";
  }

  running(): boolean {
    return this.tcp !== undefined;
  }

  async start(): Promise<void> {
    const udp = dgram.createSocket("udp4");
    this.udp = udp;
    await new Promise<void>((resolve, reject) => {
      udp.once("error", reject);
      udp.bind(0, "127.0.0.1", () => resolve());
    });
    udp.on("message", (packet) => this.relay(packet));
    this.tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), "doorstep-demo-rtsp-"));
    const sdpFile = path.join(this.tmpDir, "stream.sdp");
    const fps = this.o.fps ?? 15;
    const size = `${this.o.width ?? 640}x${this.o.height ?? 360}`;
    const args = [
      "-hide_banner", "-loglevel", "error", "-nostdin", "-re",
      "-f", "lavfi", "-i", `testsrc2=size=${size}:rate=${fps}`,
      "-c:v", "libx264", "-preset", "ultrafast", "-tune", "zerolatency", "-g", String(fps), "-pix_fmt", "yuv420p",
      "-flags", "+global_header", "-f", "rtp", "-sdp_file", sdpFile, `rtp://127.0.0.1:${udp.address().port}`,
    ];
    const guarded = withParentDeathSignal(this.o.ffmpegPath ?? "ffmpeg", args);
    const ffmpeg = spawn(guarded.command, guarded.args, { stdio: ["ignore", "ignore", "pipe"], detached: true });
    this.ffmpeg = ffmpeg;
    let stderr = "";
    ffmpeg.stderr?.on("data", (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2000)));
    const deadline = Date.now() + (this.o.startTimeoutMs ?? 10_000);
    let failed: string | undefined;
    ffmpeg.once("error", (e) => (failed = e.message));
    ffmpeg.once("exit", (code) => (failed ??= `ffmpeg exited with ${code}`));
    while (!fs.existsSync(sdpFile) || fs.readFileSync(sdpFile, "utf8").indexOf("m=video") < 0) {
      if (failed || Date.now() > deadline) {
        await this.stop();
        throw new DeviceUnreachableError(`demo RTSP source did not start: ${failed ?? "no SDP"} ${stderr.trim()}`.trim());
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    this.sdp = describeSdp(fs.readFileSync(sdpFile, "utf8"));
    const tcp = net.createServer((socket) => this.accept(socket));
    this.tcp = tcp;
    await new Promise<void>((resolve, reject) => {
      tcp.once("error", reject);
      tcp.listen(this.boundPort, "127.0.0.1", () => resolve());
    });
    this.boundPort = (tcp.address() as net.AddressInfo).port;
  }

  async stop(): Promise<void> {
    const { ffmpeg, udp, tcp } = this;
    this.ffmpeg = undefined;
    this.udp = undefined;
    this.tcp = undefined;
    for (const c of this.clients) c.socket.destroy();
    this.clients.clear();
    if (ffmpeg && ffmpeg.exitCode === null && ffmpeg.signalCode === null) {
      await new Promise<void>((resolve) => {
        ffmpeg.once("exit", () => resolve());
        try {
          process.kill(-ffmpeg.pid!, "SIGKILL");
        } catch {
          ffmpeg.kill("SIGKILL");
        }
      });
    }
    udp?.close();
    if (tcp) await new Promise<void>((resolve) => tcp.close(() => resolve()));
    if (this.tmpDir) fs.rmSync(this.tmpDir, { recursive: true, force: true });
    this.tmpDir = undefined;
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  private relay(packet: Buffer): void {
    const header = Buffer.from([0x24, 0, packet.length >> 8, packet.length & 0xff]);
    for (const c of this.clients) {
      // A client that cannot keep up is dropped rather than buffered without bound.
      if (!c.playing) continue;
      if (c.socket.writableLength > 4 * 1024 * 1024) {
        c.socket.destroy();
        continue;
      }
      c.socket.write(Buffer.concat([header, packet]));
    }
  }

  private accept(socket: net.Socket): void {
    const client: Client = { socket, playing: false, session: Math.random().toString(16).slice(2, 10) };
    this.clients.add(client);
    let buffered = Buffer.alloc(0);
    socket.on("data", (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      for (;;) {
        if (buffered.length > 0 && buffered[0] === 0x24) {
          // Interleaved RTCP from the client: skip it.
          if (buffered.length < 4) return;
          const len = buffered.readUInt16BE(2);
          if (buffered.length < 4 + len) return;
          buffered = buffered.subarray(4 + len);
          continue;
        }
        const end = buffered.indexOf("\r\n\r\n");
        if (end < 0) {
          if (buffered.length > 16 * 1024) socket.destroy();
          return;
        }
        const request = buffered.subarray(0, end).toString("utf8");
        buffered = buffered.subarray(end + 4);
        this.answer(client, request);
      }
    });
    socket.on("error", () => socket.destroy());
    socket.on("close", () => this.clients.delete(client));
  }

  private answer(client: Client, request: string): void {
    const lines = request.split("\r\n");
    const [method = "", uri = ""] = (lines[0] ?? "").split(" ");
    const headers = new Map<string, string>();
    for (const line of lines.slice(1)) {
      const i = line.indexOf(":");
      if (i > 0) headers.set(line.slice(0, i).trim().toLowerCase(), line.slice(i + 1).trim());
    }
    const cseq = headers.get("cseq") ?? "0";
    const reply = (status: string, extra: Record<string, string> = {}, body = "") => {
      const head = [`RTSP/1.0 ${status}`, `CSeq: ${cseq}`, "Server: doorstep-demo", ...Object.entries(extra).map(([k, v]) => `${k}: ${v}`)];
      if (body) head.push("Content-Type: application/sdp", `Content-Length: ${Buffer.byteLength(body)}`);
      client.socket.write(head.join("\r\n") + "\r\n\r\n" + body);
    };
    let pathname = "";
    try {
      pathname = new URL(uri).pathname;
    } catch {
      pathname = "";
    }
    const base = `rtsp://127.0.0.1:${this.boundPort}${this.mount}`;
    switch (method) {
      case "OPTIONS":
        return reply("200 OK", { Public: "OPTIONS, DESCRIBE, SETUP, PLAY, TEARDOWN, GET_PARAMETER" });
      case "DESCRIBE":
        if (pathname !== this.mount) return reply("404 Not Found");
        return reply("200 OK", { "Content-Base": `${base}/` }, this.sdp);
      case "SETUP": {
        const transport = headers.get("transport") ?? "";
        if (!/RTP\/AVP\/TCP/i.test(transport)) return reply("461 Unsupported Transport");
        return reply("200 OK", { Transport: "RTP/AVP/TCP;unicast;interleaved=0-1", Session: `${client.session};timeout=60` });
      }
      case "PLAY":
        client.playing = true;
        return reply("200 OK", { Session: client.session, Range: "npt=0.000-" });
      case "GET_PARAMETER":
        return reply("200 OK", { Session: client.session });
      case "TEARDOWN":
        client.playing = false;
        reply("200 OK", { Session: client.session });
        client.socket.end();
        return;
      default:
        return reply("405 Method Not Allowed");
    }
  }
}

/** ffmpeg's SDP, rewritten for DESCRIBE: no fixed address or port, one control URL for the track. */
function describeSdp(ffmpegSdp: string): string {
  const out: string[] = [];
  for (const line of ffmpegSdp.split(/\r?\n/)) {
    if (!line) continue;
    if (line.startsWith("c=")) out.push("c=IN IP4 0.0.0.0");
    else if (line.startsWith("m=video")) out.push(line.replace(/^m=video \d+/, "m=video 0"), "a=control:trackID=0");
    else if (line.startsWith("s=")) out.push("s=Doorstep demo camera (SIMULATED)");
    else out.push(line);
  }
  return out.join("\r\n") + "\r\n";
}
