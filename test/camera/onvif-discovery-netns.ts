// Run by onvif-discovery.test.ts inside `unshare -rn` (a private network namespace with only loopback):
// two simulated cameras answer WS-Discovery, the probe runs, and the result goes to stdout as one JSON line.

import { discoverCameras } from "../../src/camera/camera-discovery.js";
import { startOnvifSimulator, type OnvifSimulator } from "../../src/sim/camera/onvif-simulator.js";

const cams: OnvifSimulator[] = [];
try {
  for (const name of ["Front door", "Back door"]) {
    cams.push(
      await startOnvifSimulator({
        username: "admin",
        password: "pw",
        rtspUrl: "rtsp://127.0.0.1:8554/x",
        name,
        discovery: { interfaceAddress: "127.0.0.1" },
      }),
    );
  }
  const found = await discoverCameras({ timeoutMs: 1500, interfaceAddress: "127.0.0.1" });
  process.stdout.write(`${JSON.stringify({ step: "discovered", sims: cams.map((c) => c.url), found })}\n`);
} finally {
  for (const c of cams) await c.stop();
}
