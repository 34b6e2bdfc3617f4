import { spawn, type ChildProcess } from "node:child_process";
import { CLI_MAIN } from "./cli.js";
import { ringLocation } from "../../src/camera/ring-location.js";

export interface RunningDoorstep<T> {
  child: ChildProcess;
  ready: T;
  stderr: () => string;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves with the exit code (or signal name). */
  stop(graceMs?: number): Promise<number | string>;
}

/**
 * Starts the real `doorstep` binary and waits for its `<prefix> {json}` line on stdout. `bin`: an installed `doorstep`
 * executable to run instead of the checkout's build; `env` then replaces the environment instead of adding to it.
 */
export function startDoorstep<T>(
  args: readonly string[],
  prefix: string,
  options: { timeoutMs?: number; env?: NodeJS.ProcessEnv; bin?: string; cwd?: string } = {},
): Promise<RunningDoorstep<T>> {
  const child = options.bin
    ? spawn(options.bin, args, { stdio: ["ignore", "pipe", "pipe"], env: options.env ?? process.env, ...(options.cwd ? { cwd: options.cwd } : {}) })
    : spawn(process.execPath, ["--no-warnings", CLI_MAIN, ...args], { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, ...options.env } });
  let stdout = "";
  let stderr = "";
  child.stderr!.on("data", (d) => (stderr += d));
  const exited = new Promise<number | string>((resolve) => child.once("exit", (code, signal) => resolve(code ?? signal ?? -1)));
  const stop = (graceMs = 10_000) => terminate(child, exited, graceMs);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      stop(1000).catch(() => undefined); // the child is being abandoned; its exit code does not matter here
      reject(new Error(`no "${prefix}" line within ${options.timeoutMs ?? 30_000} ms; stderr:\n${stderr}`));
    }, options.timeoutMs ?? 30_000);
    child.stdout!.on("data", (d) => {
      stdout += d;
      const line = stdout.split("\n").find((l) => l.startsWith(`${prefix} `));
      if (line) {
        clearTimeout(timer);
        resolve({ child, ready: JSON.parse(line.slice(prefix.length + 1)) as T, stderr: () => stderr, stop });
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`doorstep exited (${code}) before "${prefix}"; stderr:\n${stderr}`));
    }, reject);
  });
}

/**
 * Resolves once `matched()` holds, checked on each chunk `child` writes (so on the line itself, not on a poll); rejects
 * when the child's output closes first or after `timeoutMs`, quoting `log()`. Register it after the listeners that
 * collect the output, so they have the chunk when it is checked.
 */
export function waitForOutput(child: ChildProcess, matched: () => boolean, what: string, timeoutMs: number, log: () => string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const settle = (error?: Error) => {
      clearTimeout(timer);
      child.stdout?.off("data", check);
      child.stderr?.off("data", check);
      child.off("close", closed);
      if (error) reject(error);
      else resolve();
    };
    const check = () => {
      if (matched()) settle();
    };
    // "close", not "exit": every chunk of output has been delivered by then.
    const closed = () => settle(matched() ? undefined : new Error(`the process exited before ${what}:\n${log()}`));
    const timer = setTimeout(() => settle(new Error(`no ${what} within ${timeoutMs} ms:\n${log()}`)), timeoutMs);
    child.stdout?.on("data", check);
    child.stderr?.on("data", check);
    child.once("close", closed);
    if (matched()) settle();
    else if (child.exitCode !== null || child.signalCode !== null) closed();
  });
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves with the exit code or signal `exited` reports. */
export async function terminate(child: ChildProcess, exited: Promise<number | string>, graceMs: number): Promise<number | string> {
  if (child.exitCode !== null || child.signalCode !== null) return exited;
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
  const result = await exited;
  clearTimeout(timer);
  return result;
}

/** Process ids whose command line contains `needle` (from /proc), to prove nothing was left behind. */
export async function processesMatching(needle: string): Promise<number[]> {
  const { readdir, readFile } = await import("node:fs/promises");
  const pids: number[] = [];
  for (const entry of await readdir("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmd = (await readFile(`/proc/${entry}/cmdline`, "utf8")).replace(/\0/g, " ");
      if (cmd.includes(needle)) pids.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

/**
 * Processes of a bridge whose storage folder is `storageDir`: any whose command line names `dir` (default the storage
 * folder itself) or the bridge's in-memory ring folder (the recorders' ffmpeg write there, not into storage).
 */
export async function processesOfStorage(storageDir: string, dir = storageDir): Promise<number[]> {
  const ringRoot = ringLocation({ storageDir, cameraId: "any" }).root;
  return [...new Set([...(await processesMatching(dir)), ...(await processesMatching(ringRoot))])];
}

/** Every live descendant of `pid` (children, grandchildren…), from /proc. */
export async function descendantsOf(pid: number): Promise<number[]> {
  const { readdir, readFile } = await import("node:fs/promises");
  const parentOf = new Map<number, number>();
  for (const entry of await readdir("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // Field 4 of /proc/PID/stat is the parent; the command name (field 2) may hold spaces, so split after ")".
      const stat = await readFile(`/proc/${entry}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      parentOf.set(Number(entry), Number(fields[1]));
    } catch {
      // exited meanwhile
    }
  }
  const out: number[] = [];
  const walk = (p: number) => {
    for (const [child, parent] of parentOf) {
      if (parent === p) {
        out.push(child);
        walk(child);
      }
    }
  };
  walk(pid);
  return out;
}

/** True while /proc has the process (a zombie counts as gone). */
export async function isAlive(pid: number): Promise<boolean> {
  const { readFile } = await import("node:fs/promises");
  try {
    const stat = await readFile(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return false;
  }
}
