// Run by cameras-discover.test.ts inside `unshare -rn`: a simulated camera answers WS-Discovery while a real bridge's
// API probes on POST /v1/cameras/discover; prints the answers as one JSON line.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { createBridge } from "../../src/bridge/create-bridge.js";
import { UI_CREDENTIAL_FILE, type UiCredential } from "../../src/bridge/ui-credential.js";
import { validateConfig } from "../../src/config/validate-config.js";
import { startOnvifSimulator } from "../../src/sim/camera/onvif-simulator.js";
import { makeTempDir, removeTempDir } from "../helpers/temp-dir.js";

const quiet = { debug() {}, info() {}, warn() {}, error() {} };
const storageDir = makeTempDir("doorstep-discover-");
const cam = await startOnvifSimulator({
  username: "admin",
  password: "pw",
  rtspUrl: "rtsp://127.0.0.1:8554/x",
  name: "Hall camera",
  discovery: { interfaceAddress: "127.0.0.1" },
});
const bridge = await createBridge({ config: validateConfig({ api: { port: 0 } }), storageDir, logger: quiet, uiCredential: true, matter: false });
try {
  await bridge.start();
  const { url, token } = JSON.parse(readFileSync(join(storageDir, UI_CREDENTIAL_FILE), "utf8")) as UiCredential;
  const post = async (body: unknown, auth = true) => {
    const response = await fetch(`${url}/v1/cameras/discover`, {
      method: "POST",
      headers: { "content-type": "application/json", ...(auth ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as unknown };
  };
  const found = await post({ timeoutMs: 1500 });
  const bad = await post({ timeoutMs: 60_000 });
  const anonymous = await post({}, false);
  process.stdout.write(`${JSON.stringify({ step: "discovered", sim: cam.url, found, bad: bad.status, anonymous: anonymous.status })}\n`);
} finally {
  await bridge.stop();
  await cam.stop();
  removeTempDir(storageDir);
}
