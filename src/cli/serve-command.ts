import { Command } from "commander";
import type { GlobalOptions } from "./context.js";
import type { CliIo } from "./io.js";
import type { ServeOptions } from "./serve.js";

export function serveCommand(io: CliIo, globals: () => GlobalOptions): Command {
  return new Command("serve")
    .description("run the bridge; with --demo, or when no config exists, a SIMULATED lock and camera with every interface on")
    .option("--demo", "run against the simulated coordinator, lock and camera (SIMULATED)")
    .option("--verbose", "debug logging")
    // The bridge (herdsman, Fastify, HAP, matter.js) loads when `serve` runs, not for `doorstep --help` or `guest list`.
    .action(async (o: ServeOptions) => (await import("./serve.js")).serve(io, globals, o));
}
