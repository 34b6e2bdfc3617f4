#!/usr/bin/env node
import { memoryFlagsFor } from "./node-flags.js";

// The long-running bridge restarts itself once, in place (same pid), with V8 flags that keep its resident memory low;
// flags cannot be set after V8 has sized its heap, and a shebang cannot carry them portably. See docs/benchmarks.md.
const flags = memoryFlagsFor(process.argv.slice(2), process.execArgv, process.env.NODE_OPTIONS);
if (flags.length > 0 && typeof process.execve === "function") {
  process.execve(process.execPath, [process.execPath, ...flags, ...process.execArgv, ...process.argv.slice(1)], process.env);
}
const { runCli } = await import("./program.js");
process.exitCode = await runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr });
