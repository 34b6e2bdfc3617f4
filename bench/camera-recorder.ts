// Recorder benchmark: the always-on ring (CPU, RSS, gate latency, visit start) beside on-demand ffmpeg's time to first
// frame, in one run against the GStreamer test camera on loopback. Run: node dist/bench/camera-recorder.js
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { VisitId } from "../src/access/ids.js";
import { RingRecorder } from "../src/camera/ring-recorder.js";
import { startRtspTestServer, type RtspTestServer } from "../src/sim/camera/rtsp-test-server.js";

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const CLK_TCK = 100; // Linux USER_HZ

function cpuTicks(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return Number(fields[11]) + Number(fields[12]); // utime + stime (fields 14 and 15 of the full line)
}

function rssKb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Number(m[1]) : NaN;
}

async function until(pred: () => boolean, timeoutMs: number, stepMs = 5): Promise<number> {
  const t0 = performance.now();
  while (!pred()) {
    if (performance.now() - t0 > timeoutMs) throw new Error("timeout");
    await sleep(stepMs);
  }
  return performance.now() - t0;
}

/** On-demand baseline: spawn ffmpeg, measure to `-progress frame>0` and to the first moof written to disk. */
async function onDemandFirstFrame(url: string, dir: string): Promise<{ frameMs: number; moofMs: number }> {
  const out = path.join(dir, `ondemand-${Date.now()}.mp4`);
  const t0 = performance.now();
  const ff = spawn("ffmpeg", [
    "-hide_banner", "-loglevel", "error", "-nostdin", "-nostats", "-stats_period", "0.05", "-progress", "pipe:1",
    "-rtsp_transport", "tcp", "-analyzeduration", "500000", "-probesize", "500000", "-i", url,
    "-map", "0:v:0", "-c", "copy", "-f", "mp4", "-movflags", "+frag_keyframe+empty_moov+default_base_moof",
    "-flush_packets", "1", "-frag_duration", "500000", "-y", out,
  ], { stdio: ["ignore", "pipe", "ignore"] });
  let frameMs = NaN;
  ff.stdout.on("data", (b: Buffer) => {
    const m = /frame=(\d+)/.exec(b.toString());
    if (m && Number(m[1]) > 0 && Number.isNaN(frameMs)) frameMs = performance.now() - t0;
  });
  let moofMs = NaN;
  try {
    moofMs = await until(() => fs.existsSync(out) && fs.readFileSync(out).includes("moof"), 15_000, 10);
    await until(() => !Number.isNaN(frameMs), 15_000, 10);
  } finally {
    ff.kill("SIGKILL");
    await new Promise((r) => ff.once("exit", r));
    fs.rmSync(out, { force: true });
  }
  return { frameMs, moofMs };
}

const fmt = (xs: number[], digits = 0) =>
  xs.length === 0 ? "n/a" : `median ${median(xs).toFixed(digits)} (min ${Math.min(...xs).toFixed(digits)}, max ${Math.max(...xs).toFixed(digits)}, n=${xs.length})`;
function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

/** Runs the benchmark (~1.5 min) and returns a markdown section. */
export async function benchCameraRecorder(options: { sampleSeconds?: number } = {}): Promise<string> {
  const sampleSeconds = options.sampleSeconds ?? 20;
  const storage = fs.mkdtempSync(path.join(os.tmpdir(), "doorstep-bench-cam-"));
  let server: RtspTestServer | undefined;
  let recorder: RingRecorder | undefined;
  try {
    server = await startRtspTestServer({ audio: true, fps: 15, width: 640, height: 360 });
    recorder = new RingRecorder({
      ffmpegPath: "ffmpeg", ringSeconds: 60,
      cameraId: "bench", url: server.url, storagePath: storage, minFreeBytes: 1024 * 1024, backoff: { initialMs: 200, maxMs: 1000 },
    });
    const rec = recorder;
    await rec.start();
    await rec.waitUntilRecording(20_000);
    const firstToGate: number[] = [];
    const s0 = rec.runStats()!;
    // Gate opens at the first complete segment after the first frame (a frame alone proves nothing is on disk).
    firstToGate.push(Date.now() - s0.firstFrameAt!);
    const spawnToGate = [Date.now() - s0.startedAt];

    // CPU and RSS of the always-on ffmpeg, and of this Node process (poll loop included).
    const pid = rec.ffmpegPid()!;
    const ticks0 = cpuTicks(pid);
    const node0 = process.cpuUsage();
    const t0 = performance.now();
    const rss: number[] = [];
    for (let i = 0; i < sampleSeconds; i++) {
      await sleep(1000);
      rss.push(rssKb(pid));
    }
    const wall = (performance.now() - t0) / 1000;
    const ffCpu = ((cpuTicks(pid) - ticks0) / CLK_TCK / wall) * 100;
    const nodeUsage = process.cpuUsage(node0);
    const nodeCpu = ((nodeUsage.user + nodeUsage.system) / 1e6 / wall) * 100;

    // beginVisit -> first segment in the visit folder, with pre-roll (already on disk) and without (next segment).
    const withPreRoll: number[] = [];
    const withoutPreRoll: number[] = [];
    for (let i = 0; i < 5; i++) {
      for (const [preRollMs, into] of [[5000, withPreRoll], [0, withoutPreRoll]] as const) {
        const id = VisitId(`bench-${preRollMs}-${i}`);
        const dir = path.join(storage, "visits", id, "part-1");
        const t = performance.now();
        rec.beginVisit(id, { preRollMs });
        await until(() => fs.existsSync(dir) && fs.readdirSync(dir).some((f) => f.endsWith(".m4s")), 10_000, 2);
        into.push(performance.now() - t);
        await rec.endVisit(id, { postRollMs: 0 });
      }
    }

    // On-demand ffmpeg, measured against the same (already running) stream.
    const onDemand: { frameMs: number; moofMs: number }[] = [];
    for (let i = 0; i < 3; i++) onDemand.push(await onDemandFirstFrame(server.url, storage));

    // Gate latency: stream cut -> isRecording() false; restored stream's first frame -> true.
    const cutToClosed: number[] = [];
    for (let i = 0; i < 3; i++) {
      await until(() => rec.isRecording(), 20_000, 5);
      await server.stop("SIGKILL");
      cutToClosed.push(await until(() => !rec.isRecording(), 10_000, 5));
      await server.restart();
      await until(() => rec.isRecording(), 30_000, 5);
      const s = rec.runStats()!;
      firstToGate.push(Date.now() - s.firstFrameAt!);
      spawnToGate.push(Date.now() - s.startedAt);
    }

    // Gate latency when the stream freezes with its connection open (server SIGSTOP): only the frame counter can tell.
    const freezeToClosed: number[] = [];
    const thawToOpen: number[] = [];
    for (let i = 0; i < 3; i++) {
      await until(() => rec.isRecording(), 20_000, 5);
      await sleep(1500);
      process.kill(-server.pid!, "SIGSTOP");
      try {
        freezeToClosed.push(await until(() => !rec.isRecording(), 10_000, 5));
      } finally {
        process.kill(-server.pid!, "SIGCONT");
      }
      thawToOpen.push(await until(() => rec.isRecording(), 20_000, 5));
    }

    const rows = [
      "| measure | value |",
      "|---|---|",
      `| always-on ffmpeg CPU (640x360@15, H.264 copy + AAC transcode, ${sampleSeconds} s) | ${ffCpu.toFixed(1)} % of one core |`,
      `| always-on ffmpeg RSS | ${fmt(rss.map((k) => k / 1024), 1)} MiB |`,
      `| Node process CPU over the same window (recorder poll loop + bench) | ${nodeCpu.toFixed(1)} % of one core |`,
      `| gate: stream cut (server SIGKILL) -> isRecording() false | ${fmt(cutToClosed)} ms |`,
      `| gate: stream frozen, connection open (server SIGSTOP) -> isRecording() false | ${fmt(freezeToClosed)} ms |`,
      `| gate: frozen stream resumes (SIGCONT) -> isRecording() true | ${fmt(thawToOpen)} ms |`,
      `| gate: first frame (-progress) -> isRecording() true (waits for the first complete segment) | ${fmt(firstToGate)} ms |`,
      `| gate: ffmpeg spawn -> isRecording() true | ${fmt(spawnToGate)} ms |`,
      `| beginVisit -> first segment in the visit folder, 5 s pre-roll | ${fmt(withPreRoll, 1)} ms |`,
      `| beginVisit -> first segment in the visit folder, no pre-roll (next segment) | ${fmt(withoutPreRoll)} ms |`,
      `| baseline: on-demand ffmpeg spawn -> first frame (-progress frame>0) | ${fmt(onDemand.map((o) => o.frameMs))} ms |`,
      `| baseline: on-demand ffmpeg spawn -> first fragment (moof) on disk | ${fmt(onDemand.map((o) => o.moofMs))} ms |`,
    ];
    return [
      "## Camera recorder (ring vs on-demand)",
      "",
      `Measured ${new Date().toISOString()} on ${os.cpus().length} x ${os.cpus()[0]?.model ?? "cpu"}, loopback, GStreamer test camera 640x360@15 fps, 1 s GOP, AAC audio; ${process.version}.`,
      "The ring has the pre-roll on disk before the visit starts; on-demand recording starts from nothing at the moment of the unlock.",
      "",
      ...rows,
      "",
    ].join("\n");
  } finally {
    await recorder?.stop();
    await server?.stop("SIGKILL");
    fs.rmSync(storage, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(await benchCameraRecorder());
}
