// The real `doorstep` CLI as a child process for the out-of-process benchmarks (load, serve memory): started, its
// `<prefix> {json}` line awaited, stopped with SIGTERM (SIGKILL after 15 s).
import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";

const CLI_MAIN = fileURLToPath(new URL("../src/cli/main.js", import.meta.url));

export interface RunningCli {
  child: ChildProcess;
  ready: Record<string, unknown>;
  stop(): Promise<void>;
}

export async function startCli(args: string[], prefix: string, nodeArgs: readonly string[] = []): Promise<RunningCli> {
  const child = spawn(process.execPath, ["--no-warnings", ...nodeArgs, CLI_MAIN, ...args], { stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  child.stderr!.on("data", (d) => (stderr = (stderr + String(d)).slice(-4000)));
  const exited = new Promise<void>((r) => child.once("exit", () => r()));
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill("SIGTERM");
    const t = setTimeout(() => child.kill("SIGKILL"), 15_000);
    await exited;
    clearTimeout(t);
  };
  try {
    const ready = await new Promise<Record<string, unknown>>((resolve, reject) => {
      let out = "";
      const timer = setTimeout(() => reject(new Error(`no ${prefix} within 120 s:\n${stderr}`)), 120_000);
      child.stdout!.on("data", (d) => {
        out += String(d);
        const line = out.split("\n").find((l) => l.startsWith(`${prefix} `));
        if (!line) return;
        clearTimeout(timer);
        resolve(JSON.parse(line.slice(prefix.length + 1)) as Record<string, unknown>);
      });
      exited.then(() => reject(new Error(`${args.join(" ")} exited before ${prefix}:\n${stderr}`)), reject);
    });
    return { child, ready, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** One bearer-token API call; the JSON body as a record. */
export async function api(base: string, token: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { "content-type": "application/json" } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}
