// The peer path on the same emulator: a real Zigbee2MQTT child process (its own herdsman) behind an in-process aedes
// broker; timing from publishing `<ieee>/set {"state":"UNLOCK"}` to the AF data request arriving at the emulator.
// Zigbee2MQTT, aedes and mqtt are not project dependencies: they are loaded from Z2M_DIR or DOORSTEP_Z2M_PREFIX
// (else /tmp/doorstep-z2m or /tmp/z2m-bench), installed there with
// `npm install --prefix DIR --ignore-scripts zigbee2mqtt@2.14.1 aedes@1.2.0 mqtt@5.16.0`. Without them: "not measured".
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startZigbeeSim } from "../src/sim/zigbee/index.js";
import { isMain, percentile } from "./zigbee-setup.js";

const NETWORK_KEY = [1, 3, 5, 7, 9, 11, 13, 15, 0, 2, 4, 6, 8, 10, 12, 13];

export interface Z2mResult {
  measured: boolean;
  note: string;
  z2mVersion?: string;
  publishToAf?: number[];
  publishToUnlockedState?: number[];
}

interface MqttClient {
  on(event: "message", fn: (topic: string, payload: Buffer) => void): void;
  on(event: "connect", fn: () => void): void;
  subscribe(topic: string): void;
  publish(topic: string, payload: string): void;
  end(force?: boolean, cb?: () => void): void;
}

export async function runZ2m(n: number, warm: number): Promise<Z2mResult> {
  const candidates = [process.env.Z2M_DIR, process.env.DOORSTEP_Z2M_PREFIX, "/tmp/doorstep-z2m", "/tmp/z2m-bench"].filter((d): d is string => !!d);
  const dir = candidates.find((d) => existsSync(join(d, "node_modules", "zigbee2mqtt", "index.js"))) ?? candidates[0]!;
  if (!existsSync(join(dir, "node_modules", "zigbee2mqtt", "index.js"))) {
    return { measured: false, note: `Zigbee2MQTT not measured: not installed in ${dir} (see bench/zigbee-z2m.ts).` };
  }
  const req = createRequire(join(dir, "package.json"));
  const { Aedes } = req("aedes") as { Aedes: { createBroker(): Promise<{ handle(s: net.Socket): void; close(cb?: () => void): void }> } };
  const mqtt = req("mqtt") as { connect(url: string): MqttClient };
  const z2mVersion = (req("zigbee2mqtt/package.json") as { version: string }).version;
  const z2mReq = createRequire(req.resolve("zigbee2mqtt/package.json"));
  const herdsmanVersion = (z2mReq("zigbee-herdsman/package.json") as { version: string }).version;

  const sim = await startZigbeeSim({ locks: [{ id: "door", profile: "yale-assure" }] });
  const broker = await Aedes.createBroker();
  // Best case for the peer: Nagle off on the broker's sockets too (Mosquitto's default leaves it on).
  const server = net.createServer((s) => {
    s.setNoDelay(true);
    broker.handle(s);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const mport = (server.address() as net.AddressInfo).port;
  const data = mkdtempSync(join(tmpdir(), "doorstep-bench-z2m-"));
  writeFileSync(join(data, "configuration.yaml"), [
    "version: 4", "homeassistant:", "  enabled: false", "frontend:", "  enabled: false",
    "mqtt:", `  server: mqtt://127.0.0.1:${mport}`, "  base_topic: zigbee2mqtt",
    "serial:", `  port: ${sim.url}`, "  adapter: zstack",
    "advanced:", `  network_key: [${NETWORK_KEY.join(", ")}]`, "  pan_id: 6754", "  ext_pan_id: [221, 221, 221, 221, 221, 221, 221, 221]", "  channel: 11",
    `  log_level: ${process.env.Z2M_LOG ? "info" : "error"}`, "  log_output: [console]", "ota:", "  disable_automatic_update_check: true", "availability:", "  enabled: false", "",
  ].join("\n"));
  let z2m: ChildProcess | undefined;
  let client: MqttClient | undefined;
  const handlers = new Set<(topic: string, body: Record<string, unknown>, at: number) => void>();
  const waitFor = (pred: (topic: string, body: Record<string, unknown>) => boolean, ms: number) =>
    new Promise<number>((resolve, reject) => {
      const h = (t: string, b: Record<string, unknown>, at: number) => {
        if (!pred(t, b)) return;
        clearTimeout(timer);
        handlers.delete(h);
        resolve(at);
      };
      const timer = setTimeout(() => {
        handlers.delete(h);
        reject(new Error("Zigbee2MQTT did not answer in time"));
      }, ms);
      handlers.add(h);
    });
  try {
    z2m = spawn(process.execPath, [req.resolve("zigbee2mqtt/index.js")], {
      cwd: data, // Zigbee2MQTT rebuilds itself (pnpm) when `git rev-parse HEAD` in its cwd differs from its dist hash
      env: { ...process.env, ZIGBEE2MQTT_DATA: data, Z2M_ONBOARD_NO_SERVER: "1" },
      stdio: ["ignore", process.env.Z2M_LOG ? "inherit" : "ignore", process.env.Z2M_LOG ? "inherit" : "ignore"],
    });
    client = mqtt.connect(`mqtt://127.0.0.1:${mport}`);
    await new Promise<void>((r) => client!.on("connect", r));
    client.on("message", (topic, payload) => {
      const at = performance.now();
      let body: Record<string, unknown> = {};
      try {
        const parsed: unknown = JSON.parse(payload.toString());
        if (parsed && typeof parsed === "object") body = parsed as Record<string, unknown>;
      } catch {
        body = { raw: payload.toString() };
      }
      if (process.env.Z2M_LOG) console.error(`[mqtt] ${topic} ${payload.toString().slice(0, 200)}`);
      for (const h of [...handlers]) h(topic, body, at);
    });
    client.subscribe("zigbee2mqtt/#");
    await waitFor((t, b) => t === "zigbee2mqtt/bridge/state" && (b.state ?? b.raw) === "online", 90_000);
    const lock = sim.lock("door");
    const topic = `zigbee2mqtt/${lock.ieee}`;
    const interviewed = waitFor((t, b) => t === "zigbee2mqtt/bridge/event" && b.type === "device_interview" && (b.data as { status?: string })?.status === "successful", 60_000);
    await new Promise((r) => setTimeout(r, 1_000)); // "online" is published just before it subscribes to requests
    client.publish("zigbee2mqtt/bridge/request/permit_join", JSON.stringify({ time: 60 }));
    await interviewed;
    await new Promise((r) => setTimeout(r, 2_000)); // Zigbee2MQTT configures the lock (binds, reporting) right after

    let afAt: number | undefined;
    sim.coordinator.on("mtRequest", (name) => {
      if (name === "AF.dataRequest" && afAt === undefined) afAt = performance.now();
    });
    const publishToAf: number[] = [];
    const publishToUnlockedState: number[] = [];
    for (let i = 0; i < warm + n; i++) {
      const locked = waitFor((t, b) => t === topic && (b.lock_state === "locked" || b.action === "lock"), 5_000);
      client.publish(`${topic}/set`, JSON.stringify({ state: "LOCK" }));
      await locked;
      await new Promise((r) => setTimeout(r, 30));
      const before = lock.commandsNamed("unlockDoor").length;
      afAt = undefined;
      const unlocked = waitFor((t, b) => t === topic && b.lock_state === "unlocked", 5_000);
      const t0 = performance.now();
      client.publish(`${topic}/set`, JSON.stringify({ state: "UNLOCK" }));
      const tState = await unlocked;
      if (afAt === undefined || lock.commandsNamed("unlockDoor").length !== before + 1) throw new Error("no unlockDoor frame seen");
      if (i >= warm) {
        publishToAf.push(afAt - t0);
        publishToUnlockedState.push(tState - t0);
      }
      await new Promise((r) => setTimeout(r, 30));
    }
    return { measured: true, note: `Zigbee2MQTT ${z2mVersion} (with its own zigbee-herdsman ${herdsmanVersion}), aedes broker with TCP_NODELAY on its sockets`, z2mVersion, publishToAf, publishToUnlockedState };
  } catch (error) {
    return { measured: false, note: `Zigbee2MQTT not measured: ${error instanceof Error ? error.message : String(error)}` };
  } finally {
    if (z2m && z2m.exitCode === null) {
      const exited = new Promise((r) => z2m!.once("exit", r));
      z2m.kill("SIGINT");
      const t = setTimeout(() => z2m!.kill("SIGKILL"), 5_000);
      await exited;
      clearTimeout(t);
    }
    await new Promise<void>((r) => (client ? client.end(true, () => r()) : r()));
    await new Promise<void>((r) => server.close(() => r()));
    await new Promise<void>((r) => broker.close(() => r()));
    await sim.stop();
    rmSync(data, { recursive: true, force: true });
  }
}

if (isMain(import.meta.url)) {
  const r = await runZ2m(Number(process.env.ZIGBEE_BENCH_N ?? 50), 10);
  console.log(r.note);
  if (r.publishToAf) console.log("publish→AF p50/p99", percentile(r.publishToAf, 50), percentile(r.publishToAf, 99));
  if (r.publishToUnlockedState) console.log("publish→state p50/p99", percentile(r.publishToUnlockedState, 50), percentile(r.publishToUnlockedState, 99));
}
