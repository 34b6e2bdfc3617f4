// The peer path for comparison: Zigbee2MQTT (its own pinned zigbee-herdsman) driving a lock on the project's ZNP
// emulator, commanded over MQTT through an aedes broker. Zigbee2MQTT, aedes and mqtt are NOT project dependencies:
// they are installed into a separate prefix (default /tmp/doorstep-z2m, or $DOORSTEP_Z2M_PREFIX) with
//   npm install --prefix /tmp/doorstep-z2m --no-audit --no-fund --ignore-scripts zigbee2mqtt@2.14.1 aedes@1.2.0 mqtt@5.16.0
// and loaded from there at run time. When they are absent, `startZ2m` throws a clear error saying so.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { createServer, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startZigbeeSim, type LockProfileKey, type ZigbeeSim, type ZigbeeSimNetwork } from "../src/sim/zigbee/index.js";

export const Z2M_PREFIX = process.env.DOORSTEP_Z2M_PREFIX ?? "/tmp/doorstep-z2m";
export const Z2M_INSTALL = `npm install --prefix ${Z2M_PREFIX} --no-audit --no-fund --ignore-scripts zigbee2mqtt@2.14.1 aedes@1.2.0 mqtt@5.16.0`;

const NETWORK: ZigbeeSimNetwork = {
  panID: 0x1a63,
  channel: 20,
  networkKey: [2, 4, 6, 8, 10, 12, 14, 16, 1, 3, 5, 7, 9, 11, 13, 15],
  extendedPanID: [0xdd, 0xdd, 0xdd, 0xdd, 0xdd, 0xdd, 0xdd, 0xdd],
};

/** The slice of mqtt.js this bench uses. */
interface MqttClient {
  on(event: "connect", cb: () => void): void;
  on(event: "message", cb: (topic: string, payload: Buffer) => void): void;
  on(event: "error", cb: (e: Error) => void): void;
  subscribe(topic: string): void;
  publish(topic: string, payload: string): void;
  end(force?: boolean, cb?: () => void): void;
}
interface Aedes {
  handle(socket: Socket): void;
  close(cb?: () => void): void;
}

export interface Z2mRig {
  sim: ZigbeeSim;
  /** The lock's MQTT topic, zigbee2mqtt/<ieee>. */
  topic: string;
  lockId: string;
  versions: { zigbee2mqtt: string; herdsman: string; converters: string };
  /** Publishes JSON to `<topic>/set`. */
  set(payload: Record<string, unknown>): void;
  /** Resolves with the next message on `topic` that `match` accepts. */
  next(topic: string, match: (msg: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<Record<string, unknown>>;
  stop(): Promise<void>;
}

/** Starts the emulator with one lock, an aedes broker, Zigbee2MQTT as a child process; pairs and configures the lock. */
export async function startZ2m(profile: LockProfileKey = "yale-assure"): Promise<Z2mRig> {
  if (!existsSync(join(Z2M_PREFIX, "node_modules", "zigbee2mqtt", "index.js"))) {
    throw new Error(`Zigbee2MQTT is not installed in ${Z2M_PREFIX}; install it (outside the project) with: ${Z2M_INSTALL}`);
  }
  const req = createRequire(join(Z2M_PREFIX, "bench-loader.cjs"));
  const versions = {
    zigbee2mqtt: (req("zigbee2mqtt/package.json") as { version: string }).version,
    herdsman: (req("zigbee-herdsman/package.json") as { version: string }).version,
    converters: (req("zigbee-herdsman-converters/package.json") as { version: string }).version,
  };
  const { Aedes } = req("aedes") as { Aedes: { createBroker(): Promise<Aedes> } };
  const mqtt = req("mqtt") as { connect(url: string): MqttClient };

  const stops: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const s of stops.reverse()) await s().catch(() => undefined);
  };
  try {
    const lockId = "z2m-door";
    const sim = await startZigbeeSim({ locks: [{ id: lockId, profile }], network: NETWORK });
    stops.push(() => sim.stop());

    const aedes = await Aedes.createBroker();
    // TCP_NODELAY on the broker's sockets (research/perf-reliability.md 1a: otherwise Nagle adds ~40 ms to replies).
    const broker: Server = createServer((socket) => {
      socket.setNoDelay(true);
      aedes.handle(socket);
    });
    await new Promise<void>((r) => broker.listen(0, "127.0.0.1", () => r()));
    stops.push(() => new Promise<void>((r) => aedes.close(() => broker.close(() => r()))));
    const mqttPort = (broker.address() as { port: number }).port;

    const data = mkdtempSync(join(tmpdir(), "doorstep-bench-z2m-"));
    stops.push(async () => rmSync(data, { recursive: true, force: true }));
    writeFileSync(
      join(data, "configuration.yaml"),
      [
        "version: 4",
        "homeassistant:",
        "  enabled: false",
        "frontend:",
        "  enabled: false",
        "mqtt:",
        `  server: mqtt://127.0.0.1:${mqttPort}`,
        "  base_topic: zigbee2mqtt",
        "serial:",
        `  port: ${sim.url}`,
        "  adapter: zstack",
        "advanced:",
        `  network_key: [${NETWORK.networkKey.join(", ")}]`,
        `  pan_id: ${NETWORK.panID}`,
        `  ext_pan_id: [${NETWORK.extendedPanID!.join(", ")}]`,
        `  channel: ${NETWORK.channel}`,
        `  log_level: ${process.env.DOORSTEP_Z2M_LOG_LEVEL ?? "warning"}`,
        "  log_output: [console]",
        "ota:",
        "  disable_automatic_update_check: true",
        "availability:",
        "  enabled: false",
        "",
      ].join("\n"),
    );
    const z2m: ChildProcess = spawn(process.execPath, [req.resolve("zigbee2mqtt/index.js")], {
      cwd: data,
      env: { ...process.env, ZIGBEE2MQTT_DATA: data, Z2M_ONBOARD_NO_SERVER: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let z2mLog = "";
    z2m.stdout!.on("data", (d) => (z2mLog = (z2mLog + String(d)).slice(-4000)));
    z2m.stderr!.on("data", (d) => (z2mLog = (z2mLog + String(d)).slice(-4000)));
    stops.push(
      () =>
        new Promise<void>((r) => {
          if (z2m.exitCode !== null || z2m.signalCode !== null) return r();
          const t = setTimeout(() => z2m.kill("SIGKILL"), 5000);
          z2m.once("exit", () => (clearTimeout(t), r()));
          z2m.kill("SIGINT");
        }),
    );

    const client = mqtt.connect(`mqtt://127.0.0.1:${mqttPort}`);
    await new Promise<void>((r, j) => (client.on("connect", r), client.on("error", j)));
    stops.push(() => new Promise<void>((r) => client.end(true, () => r())));
    type Waiter = { topic: string; match: (m: Record<string, unknown>) => boolean; done: (m: Record<string, unknown>) => void };
    const waiters = new Set<Waiter>();
    client.on("message", (topic, payload) => {
      let msg: Record<string, unknown>;
      try {
        const v = JSON.parse(payload.toString()) as unknown;
        msg = typeof v === "object" && v !== null ? (v as Record<string, unknown>) : { value: v };
      } catch {
        msg = { value: payload.toString() };
      }
      for (const w of [...waiters]) if (w.topic === topic && w.match(msg)) (waiters.delete(w), w.done(msg));
    });
    client.subscribe("zigbee2mqtt/#");
    const next = (topic: string, match: (m: Record<string, unknown>) => boolean, timeoutMs = 20_000) =>
      new Promise<Record<string, unknown>>((resolve, reject) => {
        const w: Waiter = { topic, match, done: (m) => (clearTimeout(t), resolve(m)) };
        const t = setTimeout(() => (waiters.delete(w), reject(new Error(`no ${topic} message within ${timeoutMs} ms; Zigbee2MQTT log tail:\n${z2mLog}`))), timeoutMs);
        waiters.add(w);
      });

    await next("zigbee2mqtt/bridge/state", (m) => (m.state ?? m.value) === "online", 90_000);
    const lock = sim.lock(lockId);
    const interviewed = next("zigbee2mqtt/bridge/event", (m) => m.type === "device_interview" && (m.data as { status?: string }).status !== "started", 60_000);
    // "online" can come before Zigbee2MQTT subscribes to its request topics: ask again until it answers.
    const permitted = next("zigbee2mqtt/bridge/response/permit_join", () => true, 30_000);
    const ask = () => client.publish("zigbee2mqtt/bridge/request/permit_join", JSON.stringify({ time: 120 }));
    ask();
    const asking = setInterval(ask, 2000);
    const answer = await permitted.finally(() => clearInterval(asking));
    if (answer.status !== "ok") throw new Error(`Zigbee2MQTT refused permit_join: ${JSON.stringify(answer)}`);
    const iv = await interviewed;
    if ((iv.data as { status?: string }).status !== "successful") throw new Error(`Zigbee2MQTT interview: ${JSON.stringify(iv.data)}`);
    // Z2M configures the lock after the interview (binds, reporting); wait until that traffic has settled.
    for (let quiet = 0, seen = lock.received.length; quiet < 10; ) {
      await new Promise((r) => setTimeout(r, 200));
      if (lock.received.length === seen) quiet++;
      else (quiet = 0), (seen = lock.received.length);
    }
    client.publish("zigbee2mqtt/bridge/request/permit_join", JSON.stringify({ time: 0 }));
    const topic = `zigbee2mqtt/${lock.ieee}`;
    return {
      sim,
      topic,
      lockId,
      versions,
      set: (payload) => client.publish(`${topic}/set`, JSON.stringify(payload)),
      next,
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
