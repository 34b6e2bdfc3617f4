// Runs a compiled node script inside a private user+network namespace (`unshare -rn`): only `lo` exists there, so
// multicast (matter.js' mDNS, WS-Discovery) and UDP never reach a real interface. Multicast on lo needs the flag and a 224.0.0.0/4 route
// (research/matter.md). The script prints JSON lines {"step": ...}; they are collected by step name.
import { spawn, spawnSync } from "node:child_process";
import { makeTempDir, removeTempDir } from "./temp-dir.js";

export interface NamespaceRun {
  code: number | null;
  steps: Map<string, Record<string, unknown>>;
  stderrTail: string;
  /** What step `name` reported; throws when it never ran, quoting the run's error step, any `*-log` step and stderr. */
  step(name: string): Record<string, any>;
}

/** Throws (the test fails, never skips) when unprivileged user+network namespaces are not available. */
export function assertNamespacesAvailable(): void {
  const probe = spawnSync("unshare", ["-rn", "true"], { encoding: "utf8" });
  if (probe.error || probe.status !== 0) {
    throw new Error(`"unshare -rn" is required for the multicast tests (private network namespace): ${probe.error?.message ?? probe.stderr.trim()}`);
  }
}

const SETUP = "ip link set lo up && ip link set lo multicast on && ip route add 224.0.0.0/4 dev lo && exec \"$0\" \"$1\"";

export async function runInNamespace(script: string, timeoutMs: number): Promise<NamespaceRun> {
  assertNamespacesAvailable();
  const controllerStorage = makeTempDir("doorstep-matter-ctl-");
  const child = spawn("unshare", ["-rn", "sh", "-c", SETUP, process.execPath, script], {
    // Own process group, so a hung run is stopped with everything it started (ffmpeg, the RTSP server).
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, MATTER_MDNS_NETWORKINTERFACE: "lo", MATTER_STORAGE_PATH: controllerStorage, MATTER_LOG_LEVEL: "error" },
  });
  const steps = new Map<string, Record<string, unknown>>();
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
    stdout += chunk;
    for (let nl = stdout.indexOf("\n"); nl >= 0; nl = stdout.indexOf("\n")) {
      const line = stdout.slice(0, nl);
      stdout = stdout.slice(nl + 1);
      if (!line.startsWith("{")) continue;
      try {
        const parsed = JSON.parse(line) as Record<string, unknown>;
        if (typeof parsed.step === "string") steps.set(parsed.step, parsed);
      } catch {
        // not one of ours (a library printing JSON-looking text)
      }
    }
  });
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
    stderr = (stderr + chunk).slice(-8000);
  });
  const timer = setTimeout(() => {
    if (child.pid !== undefined) {
      try {
        process.kill(-child.pid, "SIGKILL");
      } catch {
        // already gone
      }
    }
  }, timeoutMs);
  try {
    const code = await new Promise<number | null>((resolve, reject) => {
      child.on("error", reject);
      child.on("close", (c) => resolve(c));
    });
    return { code, steps, stderrTail: stderr, step: (name) => stepOf(steps, name, stderr) };
  } finally {
    clearTimeout(timer);
    removeTempDir(controllerStorage);
  }
}

function stepOf(steps: Map<string, Record<string, any>>, name: string, stderrTail: string): Record<string, any> {
  const s = steps.get(name);
  if (s) return s;
  const error = steps.get("error");
  const logs = [...steps].filter(([n]) => n.endsWith("-log")).map(([, l]) => String(l.log));
  throw new Error([`step "${name}" did not run${error ? `: ${String(error.error)}` : ""}`, ...logs, stderrTail.slice(-3000)].join("\n"));
}
