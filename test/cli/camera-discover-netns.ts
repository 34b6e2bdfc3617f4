// Run by camera-discover.test.ts inside `unshare -rn`: a simulated camera answers WS-Discovery while the real
// `doorstep camera discover --json` binary probes; prints the CLI's exit code and output as one JSON line.
import { spawn, spawnSync } from "node:child_process";
import { startOnvifSimulator } from "../../src/sim/camera/onvif-simulator.js";
import { CLI_MAIN } from "../helpers/cli.js";

const cam = await startOnvifSimulator({
  username: "admin",
  password: "pw",
  rtspUrl: "rtsp://127.0.0.1:8554/x",
  name: "Hall camera",
  discovery: { interfaceAddress: "127.0.0.1" },
});
try {
  // The simulator answers from this process's event loop, so the CLI runs as a child without blocking it.
  const result = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, ["--no-warnings", CLI_MAIN, "camera", "discover", "--timeout", "1500", "--interface", "127.0.0.1", "--json"]);
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
  const bad = spawnSync(process.execPath, ["--no-warnings", CLI_MAIN, "camera", "discover", "--timeout", "soon"], { encoding: "utf8" });
  process.stdout.write(`${JSON.stringify({ step: "discovered", sim: cam.url, ...result, badCode: bad.status })}\n`);
} finally {
  await cam.stop();
}
