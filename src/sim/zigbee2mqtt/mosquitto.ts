// A Mosquitto broker for the simulated Zigbee2MQTT setup and its tests: loopback only, a config file of our own,
// a free port, stopped (and restartable on the same port, to drop every connection) by whoever started it.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import net from "node:net";
import { join } from "node:path";

export interface MosquittoOptions {
  /** Directory for the config, the persistence file and the log. */
  dir: string;
  /** Default: a free loopback port. */
  port?: number;
  /** Require this user (written hashed with mosquitto_passwd); anonymous otherwise. */
  user?: { username: string; password: string };
  binary?: string;
}

export interface Mosquitto {
  readonly port: number;
  readonly url: string;
  /** Stops the broker: every client is dropped. Retained messages persist to `dir` for `start()`. */
  stop(): Promise<void>;
  /** Starts it again on the same port. */
  start(): Promise<void>;
  readonly running: boolean;
}

/** Where Mosquitto is, or undefined (Debian: `apt-get install mosquitto`). */
export function findMosquitto(): string | undefined {
  for (const p of ["/usr/sbin/mosquitto", "/usr/bin/mosquitto", "/usr/local/sbin/mosquitto", "/usr/local/bin/mosquitto"]) {
    if (spawnSync(p, ["-h"], { stdio: "ignore" }).error === undefined) return p;
  }
  return undefined;
}

export async function freeLoopbackPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

export async function startMosquitto(options: MosquittoOptions): Promise<Mosquitto> {
  const binary = options.binary ?? findMosquitto();
  if (!binary) throw new Error("Mosquitto is not installed (Debian: apt-get install mosquitto)");
  mkdirSync(options.dir, { recursive: true });
  const port = options.port ?? (await freeLoopbackPort());
  const conf = join(options.dir, "mosquitto.conf");
  const lines = [
    `listener ${port} 127.0.0.1`,
    "persistence true",
    `persistence_location ${options.dir}/`,
    "log_dest stderr",
    // Started as root, Mosquitto would drop to its own user and could not write its persistence file here.
    ...(process.getuid?.() === 0 ? ["user root"] : []),
    "log_type error",
  ];
  if (options.user) {
    const pw = join(options.dir, "passwd");
    writeFileSync(pw, "", { mode: 0o600 });
    const r = spawnSync(join(binary, "..", "..", "bin", "mosquitto_passwd"), ["-b", pw, options.user.username, options.user.password], { stdio: "ignore" });
    if (r.status !== 0) throw new Error("mosquitto_passwd failed");
    lines.push("allow_anonymous false", `password_file ${pw}`);
  } else {
    lines.push("allow_anonymous true");
  }
  writeFileSync(conf, `${lines.join("\n")}\n`);

  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  const start = async () => {
    if (child) return;
    const c = spawn(binary, ["-c", conf], { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    c.stderr!.on("data", (d) => (stderr += d));
    child = c;
    exited = new Promise((r) => c.once("exit", () => r()));
    exited.then(() => {
      if (child === c) child = undefined;
    }, () => undefined);
    // Ready when it accepts a TCP connection (observed, not slept on).
    const end = Date.now() + 10_000;
    for (;;) {
      if (!child) throw new Error(`Mosquitto exited at start: ${stderr.trim()}`);
      if (await accepts(port)) return;
      if (Date.now() > end) throw new Error(`Mosquitto did not listen on 127.0.0.1:${port}: ${stderr.trim()}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  };
  const stop = async () => {
    const c = child;
    if (!c) return;
    c.kill("SIGTERM");
    const t = setTimeout(() => c.kill("SIGKILL"), 5_000);
    await exited;
    clearTimeout(t);
  };
  await start();
  return {
    port,
    url: `mqtt://127.0.0.1:${port}`,
    stop,
    start,
    get running() {
      return child !== undefined;
    },
  };
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, "127.0.0.1");
    s.once("connect", () => {
      s.destroy();
      resolve(true);
    });
    s.once("error", () => resolve(false));
  });
}
