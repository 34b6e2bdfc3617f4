// Issue 11 bench: the resident memory of `doorstep serve` (the real binary) for one door against `doorstep sim` running
// in its own process, without and with Matter, and where it goes: each part imported alone in a fresh node.
// Run: node dist/bench/serve-rss.js   (SERVE_RSS_N: guest visits per run, default 5)
import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { api, startCli as startCliProcess, type RunningCli } from "./cli-process.js";
import { isMain } from "./zigbee-setup.js";

const N = Number(process.env.SERVE_RSS_N ?? 5);
const SETTLE_MS = 10_000;
const PROBE = fileURLToPath(new URL("./import-rss-probe.js", import.meta.url));
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const GOAL_MB = { withoutMatter: 120, withMatter: 200 };

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

type Running = RunningCli;

/** The real CLI; `serve` gets BENCH_SERVE_NODE_ARGS (e.g. to compare V8 flags). */
function startCli(args: string[], prefix: string): Promise<Running> {
  const nodeArgs = prefix === "DOORSTEP READY" ? (process.env.BENCH_SERVE_NODE_ARGS ?? "").split(" ").filter(Boolean) : [];
  return startCliProcess(args, prefix, nodeArgs);
}

interface ServeSample {
  readyMs: number;
  atReadyKb: number;
  settledKb: number;
  afterVisitsKb: number;
  hwmKb: number;
  childrenKb: number;
}

/** One door, `doorstep sim` in its own process; `serve` with Matter on or off; RSS of the serve process alone. */
export async function measureServe(matter: boolean): Promise<ServeSample> {
  const dir = mkdtempSync(join(tmpdir(), "doorstep-bench-rss-"));
  let sim: Running | undefined;
  let serve: Running | undefined;
  try {
    sim = await startCli(["sim", "--ports", "0", "--write-config", join(dir, "sim.json")], "DOORSTEP SIM READY");
    const simConfig = JSON.parse(readFileSync(join(dir, "sim.json"), "utf8")) as Record<string, unknown>;
    const config = { ...simConfig, api: { host: "127.0.0.1", port: 0 }, homekit: { port: 0, bind: ["127.0.0.1"] }, matter: { enabled: matter, port: 0 } };
    writeFileSync(join(dir, "doorstep.json"), JSON.stringify(config), { mode: 0o600 });
    // Matter advertises on loopback only in the bench.
    process.env.MATTER_MDNS_NETWORKINTERFACE ??= "lo";
    const serveArgs = ["--storage", join(dir, "storage"), "--config", join(dir, "doorstep.json"), "serve"];
    const doorReady = async (base: string, owner: string) => {
      for (let tries = 0; ; tries++) {
        const d = ((await api(base, owner, "GET", "/v1/doors")).body as unknown as { lock?: { state: string; available: boolean }; camera?: { recording: boolean } }[])[0];
        if (d?.camera?.recording && d.lock?.available && d.lock.state === "locked") return;
        if (tries > 1200) throw new Error("the door never became ready");
        await sleep(100);
      }
    };
    // First start pairs the lock (the one time the converters' device lookup loads); the measured start is the next one,
    // a bridge's everyday state. The owner token is printed on the first start only.
    serve = await startCli(serveArgs, "DOORSTEP READY");
    const { ownerToken: owner } = serve.ready as { ownerToken: string };
    await doorReady((serve.ready as { api: string }).api, owner);
    await serve.stop();
    const t0 = performance.now();
    serve = await startCli(serveArgs, "DOORSTEP READY");
    const readyMs = performance.now() - t0;
    const pid = serve.child.pid!;
    const atReadyKb = status(pid).rssKb;
    const { api: base } = serve.ready as { api: string };
    await doorReady(base, owner);
    await sleep(SETTLE_MS);
    const settledKb = status(pid).rssKb;
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
    const after = status(pid);
    const childrenKb = descendants(pid).reduce((a, p) => {
      try {
        return a + status(p).rssKb;
      } catch {
        return a;
      }
    }, 0);
    return { readyMs, atReadyKb, settledKb, afterVisitsKb: after.rssKb, hwmKb: after.hwmKb, childrenKb };
  } finally {
    await serve?.stop();
    await sim?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** What importing one module costs, alone in a fresh node (RSS after import minus RSS before, after a GC). */
async function importCost(spec: string): Promise<{ mb: number; ms: number }> {
  const child = spawn(process.execPath, ["--expose-gc", PROBE, spec], { stdio: ["ignore", "pipe", "inherit"] });
  let out = "";
  child.stdout.on("data", (d) => (out += String(d)));
  await new Promise<void>((r) => child.once("exit", () => r()));
  const parsed = JSON.parse(out.trim().split("\n").at(-1) ?? "{}") as { mb?: number; ms?: number };
  if (parsed.mb === undefined) throw new Error(`import probe failed for ${spec}: ${out}`);
  return { mb: parsed.mb, ms: parsed.ms ?? NaN };
}

const SRC = (p: string) => fileURLToPath(new URL(`../src/${p}`, import.meta.url));
const PARTS: { name: string; spec: string; when: string }[] = [
  { name: "`doorstep` CLI (`src/cli/program.js`, every command's module: what `serve` loads before the bridge starts)", spec: SRC("cli/program.js"), when: "always" },
  { name: "bridge composition root (`src/bridge/create-bridge.js`)", spec: SRC("bridge/create-bridge.js"), when: "serve" },
  { name: "Zigbee coordinator (`src/zigbee/zigbee-coordinator.js`, zigbee-herdsman)", spec: SRC("zigbee/zigbee-coordinator.js"), when: "serve" },
  { name: "zigbee-herdsman", spec: "zigbee-herdsman", when: "serve" },
  { name: "zigbee-herdsman-converters (device lookup)", spec: "zigbee-herdsman-converters", when: "pairing only" },
  { name: "HTTP API (`src/api/api-server.js`, Fastify)", spec: SRC("api/api-server.js"), when: "serve" },
  { name: "HomeKit bridge (`src/homekit/standalone-bridge.js`)", spec: SRC("homekit/standalone-bridge.js"), when: "serve (standalone)" },
  { name: "@homebridge/hap-nodejs", spec: "@homebridge/hap-nodejs", when: "serve (standalone)" },
  { name: "ONVIF (`onvif`)", spec: "onvif", when: "with a camera" },
  { name: "Matter (`src/matter/index.js`)", spec: SRC("matter/index.js"), when: "Matter enabled" },
  { name: "@matter/main (whole; every `@matter/main/*` subpath loads it)", spec: "@matter/main", when: "Matter enabled" },
  { name: "@matter/node (root: the only export of ServerNode and Endpoint, and it loads every behavior)", spec: "@matter/node", when: "Matter enabled" },
  { name: "@matter/nodejs (Node platform: storage, network; exports only its root)", spec: "@matter/nodejs", when: "Matter enabled" },
  { name: "@matter/node/behaviors/door-lock (smallest import holding the DoorLock server)", spec: "@matter/node/behaviors/door-lock", when: "not used alone" },
  { name: "@matter/types/clusters/door-lock (the cluster definition alone)", spec: "@matter/types/clusters/door-lock", when: "not used alone" },
  { name: "simulator (`src/sim/simulated-home.js`)", spec: SRC("sim/simulated-home.js"), when: "sim / --demo only" },
];

export async function benchServeRss(): Promise<string> {
  const mb = (kb: number) => (kb / 1024).toFixed(1);
  const runs = [
    { label: "without Matter", goal: GOAL_MB.withoutMatter, s: await measureServe(false) },
    { label: "with Matter", goal: GOAL_MB.withMatter, s: await measureServe(true) },
  ];
  const base = await importCost("none");
  const parts: string[] = [];
  for (const p of PARTS) {
    const c = await importCost(p.spec);
    parts.push(`| ${p.name} | ${p.when} | ${c.mb.toFixed(1)} | ${Math.round(c.ms)} |`);
  }
  return [
    "## `doorstep serve`: resident memory",
    "",
    `VmRSS (MiB) of the \`doorstep serve\` node process (the real binary, Node ${process.version}) for one door (simulated Z-Stack lock and`,
    "ONVIF camera from `doorstep sim` in a separate process, so the simulator is not counted), API and HomeKit on, on its second start (the",
    `first one paired the lock), sampled at READY, once the lock is paired and the camera recording plus ${SETTLE_MS / 1000} s, and after`,
    `${N} guest visits (redeem, end, clip assembled). \`serve\` re-executes itself in place with \`--max-semi-space-size=1\` (src/cli/node-flags.ts).`,
    "The recorder's ffmpeg is a child process, listed apart.",
    "",
    "| serve | at READY | settled | after visits | peak (VmHWM) | goal | met | ffmpeg children |",
    "|---|---|---|---|---|---|---|---|",
    ...runs.map(
      (r) =>
        `| ${r.label} | ${mb(r.s.atReadyKb)} | ${mb(r.s.settledKb)} | ${mb(r.s.afterVisitsKb)} | ${mb(r.s.hwmKb)} | ≤ ${r.goal} | ${r.s.afterVisitsKb / 1024 <= r.goal ? "yes" : "**no**"} | ${mb(r.s.childrenKb)} |`,
    ),
    "",
    `Where it goes: each part imported alone in a fresh \`node\` (RSS after the import minus before; a bare node is ${base.mb.toFixed(1)} MiB over`,
    "its own start-up baseline). Parts overlap (the coordinator includes zigbee-herdsman), so the rows do not add up.",
    "",
    "| part | loaded | MiB | import ms |",
    "|---|---|---|---|",
    ...parts,
    "",
  ].join("\n");
}

if (isMain(import.meta.url)) console.log(await benchServeRss());
