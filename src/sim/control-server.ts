// The simulator's control endpoint (loopback only): a person or a test acts on the simulated hardware.
//   POST /locks/:doorId/keypad {pin}   types a PIN on the keypad
//   GET  /locks/:doorId                the lock's state, PIN table and the commands it received
//   POST /locks/:doorId/delay {ms}     frames to and from the lock wait `ms` (a sleepy or distant lock); 0 ends it
//   POST /cameras/:doorId/stream {on}  cuts or restores the video
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { ZigbeeSim } from "./zigbee/zigbee-sim.js";
import type { SimulatedDoor } from "./simulated-home.js";

export interface ControlServer {
  url: string;
  stop(): Promise<void>;
}

const MAX_BODY_BYTES = 4096;

export async function startControlServer(options: { zigbee: ZigbeeSim; doors: SimulatedDoor[]; port?: number }): Promise<ControlServer> {
  const { zigbee, doors } = options;
  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => send(res, 500, { error: error instanceof Error ? error.message : String(error) }));
  });
  server.on("connection", (socket) => socket.setNoDelay(true));

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const m = /^\/(locks|cameras)\/([^/]+)(?:\/(keypad|stream|delay))?$/.exec(url.pathname);
    if (req.method === "GET" && url.pathname === "/") {
      return send(res, 200, { doors: doors.map((d) => ({ id: d.id, lock: `/locks/${d.id}`, camera: d.camera ? `/cameras/${d.id}` : undefined })) });
    }
    if (!m) return send(res, 404, { error: `no such endpoint: ${req.method} ${url.pathname}` });
    const [, kind, doorId, action] = m;
    const door = doors.find((d) => d.id === doorId);
    if (!door) return send(res, 404, { error: `no simulated door "${doorId}" (doors: ${doors.map((d) => d.id).join(", ")})` });

    if (kind === "locks" && !action && req.method === "GET") {
      const lock = zigbee.lock(door.id);
      return send(res, 200, {
        ...lock.state(),
        commands: lock.received.slice(-200).map((c) => ({ at: new Date(c.atMs).toISOString(), name: c.name, fields: redactFields(c.fields) })),
      });
    }
    if (kind === "locks" && action === "keypad" && req.method === "POST") {
      const body = await readJson(req);
      if (typeof body?.pin !== "string" || !/^\d{1,12}$/.test(body.pin)) return send(res, 400, { error: 'body must be {"pin": "digits"}' });
      return send(res, 200, zigbee.lock(door.id).typeKeypadPin(body.pin));
    }
    if (kind === "locks" && action === "delay" && req.method === "POST") {
      const body = await readJson(req);
      if (typeof body?.ms !== "number" || !(body.ms >= 0 && body.ms <= 60_000)) return send(res, 400, { error: 'body must be {"ms": 0-60000}' });
      zigbee.faults.sleepyDevice(door.id, body.ms);
      return send(res, 200, { ms: body.ms });
    }
    if (kind === "cameras" && action === "stream" && req.method === "POST") {
      if (!door.camera) return send(res, 404, { error: `door "${door.id}" has no simulated camera` });
      const body = await readJson(req);
      if (typeof body?.on !== "boolean") return send(res, 400, { error: 'body must be {"on": true|false}' });
      if (body.on && !door.camera.rtsp.running()) await door.camera.rtsp.restart();
      if (!body.on && door.camera.rtsp.running()) await door.camera.rtsp.stop("SIGKILL");
      return send(res, 200, { on: door.camera.rtsp.running() });
    }
    if (kind === "cameras" && !action && req.method === "GET" && door.camera) {
      return send(res, 200, { streaming: door.camera.rtsp.running(), onvif: door.camera.onvif.url, stats: door.camera.onvif.stats() });
    }
    return send(res, 405, { error: `${req.method} is not supported on ${url.pathname}` });
  }

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** PINs a bridge wrote are the simulation's own data, but the command log shows only their length. */
function redactFields(fields: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(fields)) out[k] = /pin|code/i.test(k) && (typeof v === "string" || Buffer.isBuffer(v)) ? `<${String(v).length} digits>` : v;
  return out;
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown> | undefined> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(chunk as Buffer);
  }
  try {
    const v = JSON.parse(Buffer.concat(chunks).toString("utf8")) as unknown;
    return typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
}
