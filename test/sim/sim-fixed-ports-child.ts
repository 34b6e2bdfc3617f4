// Runs inside a private network namespace (test/helpers/netns.ts): starts the real `doorstep sim` twice with its
// default fixed ports and the same --write-config, printing each run's endpoints and written config as JSON steps.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { startDoorstep } from "../helpers/ready-line.js";
import { makeTempDir, removeTempDir } from "../helpers/temp-dir.js";

const out = (step: string, data: Record<string, unknown>) => process.stdout.write(`${JSON.stringify({ step, ...data })}\n`);

const dir = makeTempDir("doorstep-sim-ports-");
const configFile = join(dir, "doorstep.json");
try {
  for (const run of ["first", "second"]) {
    const sim = await startDoorstep<Record<string, unknown>>(["sim", "--video", "ffmpeg", "--write-config", configFile], "DOORSTEP SIM READY", { timeoutMs: 60_000 });
    const config = await readFile(configFile, "utf8");
    const code = await sim.stop();
    out(run, { ready: sim.ready, config, code });
  }
  const bad = await startDoorstep(["sim", "--ports", "80"], "DOORSTEP SIM READY", { timeoutMs: 20_000 }).then(
    () => "started",
    (error: unknown) => String(error),
  );
  out("bad-ports", { error: bad });
} finally {
  removeTempDir(dir);
}
