import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { useTempDir, type TempDir } from "./temp-dir.js";

/** The built CLI entry (dist/src/cli/main.js). */
export const CLI_MAIN = fileURLToPath(new URL("../../src/cli/main.js", import.meta.url));

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the real `doorstep` binary as a child process and waits for it to exit. */
export function runDoorstep(args: readonly string[], options: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--no-warnings", CLI_MAIN, ...args], { env: { ...process.env, ...options.env }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 20_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
  });
}

/** Mocha hooks in the calling `describe`: a fresh storage dir holding `config` as doorstep.json for each test, removed after. */
export function useTempStorage(config: unknown): TempDir {
  const storage = useTempDir();
  beforeEach(() => writeFileSync(storage.join("doorstep.json"), JSON.stringify(config)));
  return storage;
}
