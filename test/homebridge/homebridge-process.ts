// The real `homebridge` binary as a child process, with this package as its only plugin (-P <package root>).
import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";
import { terminate, waitForOutput } from "../helpers/ready-line.js";

/** The package root (dist/test/homebridge → ../../..): Homebridge reads its package.json main. */
export const PACKAGE_ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const HOMEBRIDGE_BIN = fileURLToPath(new URL("../../../node_modules/homebridge/bin/homebridge.js", import.meta.url));

export interface RunningHomebridge {
  child: ChildProcess;
  log(): string;
  /** Resolves once the log contains `text`; rejects if Homebridge exits first or after `timeoutMs`. */
  waitForLog(text: string | RegExp, timeoutMs?: number): Promise<void>;
  /** SIGTERM (SIGKILL after `graceMs`); resolves with the exit code or signal. */
  stop(graceMs?: number): Promise<number | string>;
}

/** `pluginRoot`: the plugin package to load, by default this checkout (an installed copy in the pack-and-install test). */
export function startHomebridge(storageDir: string, options: { pluginRoot?: string; env?: NodeJS.ProcessEnv } = {}): RunningHomebridge {
  const child = spawn(process.execPath, [HOMEBRIDGE_BIN, "-U", storageDir, "-P", options.pluginRoot ?? PACKAGE_ROOT, "-Q", "--strict-plugin-resolution"], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...(options.env ?? process.env), FORCE_COLOR: "0" },
  });
  let output = "";
  child.stdout!.on("data", (d) => (output += d));
  child.stderr!.on("data", (d) => (output += d));
  const exited = new Promise<number | string>((resolve) => child.once("exit", (code, signal) => resolve(code ?? signal ?? -1)));
  const matches = (text: string | RegExp) => (typeof text === "string" ? output.includes(text) : text.test(output));
  return {
    child,
    log: () => output,
    waitForLog: (text, timeoutMs = 60_000) => waitForOutput(child, () => matches(text), `homebridge log "${text}"`, timeoutMs, () => output),
    stop: (graceMs = 15_000) => terminate(child, exited, graceMs),
  };
}

/** A TCP port free on 127.0.0.1 right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
