// A real Zigbee2MQTT, run as a child process on top of the Z-Stack emulator and a broker, for `doorstep sim
// --zigbee2mqtt`, the tests and the benchmark. It is not a dependency of Doorstep: it is installed into its own
// prefix (`npm install --prefix .z2m --ignore-scripts zigbee2mqtt@2.14.1`; scripts/dev.sh does it for the tests).
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import mqtt, { type MqttClient } from "mqtt";

export const ZIGBEE2MQTT_VERSION = "2.14.1";
/** The checkout's (or installed package's) root, three levels above dist/src/sim/zigbee2mqtt. */
const PACKAGE_ROOT = fileURLToPath(new URL("../../../../", import.meta.url));

/** The prefix Zigbee2MQTT is installed in: DOORSTEP_Z2M_PREFIX, else `.z2m/` in the package root. */
export function zigbee2mqttPrefix(prefix?: string): string {
  return resolve(prefix ?? process.env.DOORSTEP_Z2M_PREFIX ?? join(PACKAGE_ROOT, ".z2m"));
}

/** Zigbee2MQTT's entry script in the prefix, or an error saying how to install it. */
export function findZigbee2mqtt(prefix?: string): { entry: string; version: string } {
  const dir = zigbee2mqttPrefix(prefix);
  const entry = join(dir, "node_modules", "zigbee2mqtt", "index.js");
  if (!existsSync(entry)) {
    throw new Error(`Zigbee2MQTT is not installed in ${dir}: npm install --prefix ${dir} --ignore-scripts zigbee2mqtt@${ZIGBEE2MQTT_VERSION}`);
  }
  const req = createRequire(join(dir, "package.json"));
  return { entry, version: (req("zigbee2mqtt/package.json") as { version: string }).version };
}

export interface Zigbee2mqttOptions {
  /** Its data directory (configuration.yaml, database.db, coordinator backup). Kept across restarts. */
  dataDir: string;
  /** The broker, mqtt://127.0.0.1:PORT. */
  mqttUrl: string;
  mqttUser?: { username: string; password: string };
  /** The coordinator: the emulator's tcp:// URL. */
  zigbeeUrl: string;
  baseTopic?: string;
  network: { panId: number; channel: number; networkKey: readonly number[] };
  /** Zigbee2MQTT's availability feature (the `<device>/availability` topics); default true. */
  availability?: boolean;
  prefix?: string;
  /** Inherit its output (for debugging). */
  verbose?: boolean;
}

export interface Zigbee2mqtt {
  readonly version: string;
  readonly baseTopic: string;
  /** Resolves when Zigbee2MQTT says `online` on its bridge/state (again, after a restart). */
  start(): Promise<void>;
  /** SIGINT (it publishes `offline` and closes the adapter), SIGKILL after 10 s. */
  stop(): Promise<void>;
  /** Opens joining until every IEEE address has been interviewed and configured, then closes it. */
  pair(ieees: readonly string[], timeoutMs?: number): Promise<void>;
  /** Renames a device (a friendly name instead of its IEEE address). */
  rename(from: string, to: string): Promise<void>;
  readonly running: boolean;
  /** Stops it and the observer client. */
  close(): Promise<void>;
}

type Body = Record<string, unknown>;

export async function startZigbee2mqtt(options: Zigbee2mqttOptions): Promise<Zigbee2mqtt> {
  const { entry, version } = findZigbee2mqtt(options.prefix);
  const base = options.baseTopic ?? "zigbee2mqtt";
  mkdirSync(options.dataDir, { recursive: true });
  const n = options.network;
  writeFileSync(join(options.dataDir, "configuration.yaml"), [
    "version: 4",
    "homeassistant:", "  enabled: false",
    "frontend:", "  enabled: false",
    "mqtt:", `  server: ${options.mqttUrl}`, `  base_topic: ${base}`,
    ...(options.mqttUser ? [`  user: ${options.mqttUser.username}`, `  password: ${JSON.stringify(options.mqttUser.password)}`] : []),
    "serial:", `  port: ${options.zigbeeUrl}`, "  adapter: zstack",
    "advanced:", `  network_key: [${n.networkKey.join(", ")}]`, `  pan_id: ${n.panId}`, "  ext_pan_id: [221, 221, 221, 221, 221, 221, 221, 221]",
    `  channel: ${n.channel}`, "  log_level: info", "  log_output: [console]",
    "ota:", "  disable_automatic_update_check: true",
    "availability:", `  enabled: ${options.availability ?? true}`,
    // Slot read-backs carry the PIN, so a write can be compared (locks that mask it still answer with a mask).
    "device_options:", "  expose_pin: true",
    "",
  ].join("\n"), { mode: 0o600 });

  // An observer of our own, to see Zigbee2MQTT's state and answers.
  const observer: MqttClient = mqtt.connect(options.mqttUrl, {
    clientId: `doorstep-sim-z2m-${process.pid}-${Math.random().toString(16).slice(2, 8)}`,
    reconnectPeriod: 500,
    ...(options.mqttUser && { username: options.mqttUser.username, password: options.mqttUser.password }),
  });
  const listeners = new Set<(topic: string, body: Body) => void>();
  observer.on("message", (topic, payload) => {
    let body: Body = {};
    try {
      const parsed: unknown = JSON.parse(payload.toString());
      body = parsed !== null && typeof parsed === "object" ? (parsed as Body) : { value: parsed };
    } catch {
      body = { value: payload.toString() };
    }
    for (const l of [...listeners]) l(topic, body);
  });
  observer.on("connect", () => observer.subscribe(`${base}/bridge/#`, { qos: 1 }));
  await new Promise<void>((r, j) => {
    const t = setTimeout(() => j(new Error(`the broker ${options.mqttUrl} did not accept the observer`)), 10_000);
    observer.once("connect", () => {
      clearTimeout(t);
      r();
    });
  });

  const waitFor = (what: string, pred: (topic: string, body: Body) => boolean, timeoutMs: number) =>
    new Promise<void>((resolve, reject) => {
      const l = (topic: string, body: Body) => {
        if (!pred(topic, body)) return;
        clearTimeout(timer);
        listeners.delete(l);
        resolve();
      };
      const timer = setTimeout(() => {
        listeners.delete(l);
        reject(new Error(`Zigbee2MQTT: ${what} did not happen within ${timeoutMs / 1000} s`));
      }, timeoutMs);
      listeners.add(l);
    });

  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  let output = "";
  const start = async () => {
    if (child) return;
    const online = waitFor("bridge/state online", (t, b) => t === `${base}/bridge/state` && b.state === "online", 120_000);
    const c = spawn(process.execPath, [entry], {
      cwd: options.dataDir, // it rebuilds itself when `git rev-parse HEAD` in its cwd differs from its build's hash
      env: { ...process.env, ZIGBEE2MQTT_DATA: options.dataDir, Z2M_ONBOARD_NO_SERVER: "1" },
      stdio: ["ignore", options.verbose ? "inherit" : "pipe", options.verbose ? "inherit" : "pipe"],
    });
    output = "";
    const keep = (d: Buffer) => (output = (output + d.toString()).slice(-8_000));
    c.stdout?.on("data", keep);
    c.stderr?.on("data", keep);
    child = c;
    exited = new Promise((r) => c.once("exit", () => r()));
    const died = exited.then(() => {
      if (child === c) child = undefined;
      throw new Error(`Zigbee2MQTT exited at start:\n${output}`);
    });
    // A retained `online` from the previous run may be delivered first: wait for the state this run publishes.
    await Promise.race([online, died]);
    died.catch(() => undefined);
  };
  const stop = async () => {
    const c = child;
    if (!c) return;
    c.kill("SIGINT");
    const t = setTimeout(() => c.kill("SIGKILL"), 10_000);
    await exited;
    clearTimeout(t);
    child = undefined;
  };
  const request = async (name: string, payload: Body, timeoutMs = 10_000) => {
    // Zigbee2MQTT says `online` a moment before it subscribes to requests: ask again until it answers.
    const answered = waitFor(`an answer to ${name}`, (t, b) => t === `${base}/bridge/response/${name}` && b.status === "ok", timeoutMs);
    let done = false;
    void answered.then(() => (done = true), () => (done = true));
    for (let i = 0; !done; i++) {
      if (i % 20 === 0) observer.publish(`${base}/bridge/request/${name}`, JSON.stringify(payload));
      await new Promise((r) => setTimeout(r, 50));
    }
    await answered;
  };

  const z2m: Zigbee2mqtt = {
    version,
    baseTopic: base,
    start,
    stop,
    async pair(ieees, timeoutMs = 60_000) {
      const want = ieees.map((i) => i.toLowerCase());
      const configured = Promise.all(want.map((ieee) =>
        waitFor(`configuring ${ieee}`, (t, b) => t === `${base}/bridge/logging` && typeof b.message === "string" &&
          b.message.toLowerCase().includes(ieee) && /successfully configured/i.test(b.message), timeoutMs)));
      await request("permit_join", { time: 120 });
      await configured;
      await request("permit_join", { time: 0 });
    },
    async rename(from, to) {
      await request("device/rename", { from, to });
    },
    get running() {
      return child !== undefined;
    },
    async close() {
      await stop();
      await observer.endAsync(true);
    },
  };
  try {
    await start();
  } catch (error) {
    await z2m.close();
    throw error;
  }
  return z2m;
}
