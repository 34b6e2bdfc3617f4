// Issue 5 bench: the memory of `doorstep serve --demo` (the real binary, simulated hardware in-process), right after
// READY and after N guest visits, with its child processes (ffmpeg recorder, RTSP test camera) listed separately.
// Run: node dist/bench/serve-rss.js   (SERVE_RSS_N: visits, default 20)
import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { isMain } from "./zigbee-setup.js";

const N = Number(process.env.SERVE_RSS_N ?? 20);
const SETTLE_MS = 10_000;
const CLI_MAIN = fileURLToPath(new URL("../src/cli/main.js", import.meta.url));
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

interface ProcSample {
  pid: number;
  what: string;
  rssKb: number;
  hwmKb: number;
}

function status(pid: number): { rssKb: number; hwmKb: number } {
  const text = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (key: string) => Number(new RegExp(`${key}:\\s+(\\d+) kB`).exec(text)?.[1] ?? NaN);
  return { rssKb: kb("VmRSS"), hwmKb: kb("VmHWM") };
}

/** Every live descendant of `root` (from /proc/<pid>/stat's ppid field). */
function descendants(root: number): number[] {
  const parent = new Map<number, number>();
  for (const e of readdirSync("/proc")) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const stat = readFileSync(`/proc/${e}/stat`, "utf8");
      parent.set(Number(e), Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]));
    } catch {
      // exited meanwhile
    }
  }
  const out: number[] = [];
  const walk = (p: number) => {
    for (const [pid, pp] of parent) {
      if (pp === p) {
        out.push(pid);
        walk(pid);
      }
    }
  };
  walk(root);
  return out;
}

/** A short name for a child process, from its command line. */
function describe(pid: number): string {
  const args = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
  const cmd = args.join(" ");
  if (cmd.includes("rtsp-server.py")) return "RTSP test camera (python3 GStreamer)";
  if (/ffmpeg/.test(args[0] ?? "") && cmd.includes("-f hls")) return "ffmpeg ring recorder";
  if (/ffmpeg/.test(args[0] ?? "") && cmd.includes("testsrc")) return "ffmpeg demo camera source";
  if (/ffmpeg/.test(args[0] ?? "")) return "ffmpeg (other)";
  return args[0] ?? "?";
}

function sample(root: number): ProcSample[] {
  const out: ProcSample[] = [{ pid: root, what: "doorstep serve --demo (node)", ...status(root) }];
  for (const pid of descendants(root)) {
    try {
      out.push({ pid, what: describe(pid), ...status(pid) });
    } catch {
      // exited meanwhile
    }
  }
  return out;
}

async function api(base: string, token: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { "content-type": "application/json" } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

export async function benchServeRss(): Promise<string> {
  const storage = mkdtempSync(join(tmpdir(), "doorstep-bench-rss-"));
  const child = spawn(process.execPath, ["--no-warnings", CLI_MAIN, "serve", "--demo", "--storage", storage], { stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (d) => (stderr = (stderr + String(d)).slice(-4000)));
  const exited = new Promise<void>((r) => child.once("exit", () => r()));
  try {
    const t0 = performance.now();
    const ready = await new Promise<{ api: string; ownerToken: string }>((resolve, reject) => {
      let out = "";
      const timer = setTimeout(() => reject(new Error(`no DOORSTEP READY within 120 s:\n${stderr}`)), 120_000);
      child.stdout.on("data", (d) => {
        out += String(d);
        const line = out.split("\n").find((l) => l.startsWith("DOORSTEP READY "));
        if (!line) return;
        clearTimeout(timer);
        resolve(JSON.parse(line.slice("DOORSTEP READY ".length)) as { api: string; ownerToken: string });
      });
      exited.then(() => reject(new Error(`serve --demo exited before READY:\n${stderr}`)), reject);
    });
    const readyMs = performance.now() - t0;
    const atReady = sample(child.pid!);
    await sleep(SETTLE_MS);
    const settled = sample(child.pid!);

    const { api: base, ownerToken: owner } = ready;
    await (async () => {
      for (let tries = 0; ; tries++) {
        const r = await api(base, owner, "GET", "/v1/doors");
        const d = (r.body as unknown as { camera?: { recording: boolean } }[])[0];
        if (d?.camera?.recording) return;
        if (tries > 600) throw new Error("the demo camera never started recording");
        await sleep(100);
      }
    })();
    for (let i = 0; i < N; i++) {
      const c = await api(base, owner, "POST", "/v1/credentials", { label: `Parcel ${i}`, kind: "delivery", doors: ["front"], validUntil: new Date(Date.now() + 3_600_000).toISOString() });
      if (c.status !== 201) throw new Error(`create: ${c.status} ${JSON.stringify(c.body)}`);
      const r = await api(base, owner, "POST", "/v1/doors/front/access", { pin: c.body.pin });
      if (r.status !== 200) throw new Error(`redeem: ${r.status} ${JSON.stringify(r.body)}`);
      const id = r.body.visitId as string;
      await api(base, owner, "POST", `/v1/visits/${id}/end`);
      for (let tries = 0; (await api(base, owner, "GET", `/v1/visits/${id}`)).body.state !== "closed"; tries++) {
        if (tries > 600) throw new Error(`visit ${id} never closed`);
        await sleep(100);
      }
    }
    await sleep(2000);
    const afterVisits = sample(child.pid!);

    const mb = (kb: number) => (kb / 1024).toFixed(1);
    const kinds = [...new Set([...settled, ...afterVisits].map((p) => p.what))];
    const sum = (s: ProcSample[], what: string) => s.filter((p) => p.what === what).reduce((a, p) => a + p.rssKb, 0);
    const count = (s: ProcSample[], what: string) => s.filter((p) => p.what === what).length;
    const lines = kinds.map((k) => `| ${k} | ${count(settled, k)} | ${mb(sum(atReady, k))} | ${mb(sum(settled, k))} | ${mb(sum(afterVisits, k))} |`);
    const total = (s: ProcSample[]) => s.reduce((a, p) => a + p.rssKb, 0);
    const bridge = afterVisits[0]!;
    return [
      "## `doorstep serve --demo`: resident memory",
      "",
      `VmRSS (MiB) from /proc of the real binary (\`node dist/src/cli/main.js serve --demo\`, Node ${process.version}) and of each child process it`,
      `started, sampled at READY (${Math.round(readyMs)} ms after spawn), ${SETTLE_MS / 1000} s later, and after ${N} guest visits (create a delivery code,`,
      "redeem it, end the visit, wait until it is closed with its clip). The demo runs the simulated coordinator, lock, ONVIF camera",
      "and control endpoint inside the bridge process, so the node figure includes them.",
      "",
      "| process | count | at READY | settled | after visits |",
      "|---|---|---|---|---|",
      ...lines,
      `| **total** | | ${mb(total(atReady))} | ${mb(total(settled))} | ${mb(total(afterVisits))} |`,
      "",
      `Peak RSS of the node process (VmHWM) by the end: ${mb(bridge.hwmKb)} MiB.`,
      "",
    ].join("\n");
  } finally {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      const t = setTimeout(() => child.kill("SIGKILL"), 15_000);
      await exited;
      clearTimeout(t);
    }
    rmSync(storage, { recursive: true, force: true });
  }
}

if (isMain(import.meta.url)) console.log(await benchServeRss());
