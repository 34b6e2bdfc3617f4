// Shared by the end-to-end tests: the real `doorstep sim` (simulated Zigbee coordinator, locks, ONVIF cameras with the
// clock-carrying GStreamer stream) and the real `doorstep serve` pointed at it, driven through their HTTP endpoints only.
import { existsSync, readdirSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { runDoorstep } from "../helpers/cli.js";
import { startDoorstep, type RunningDoorstep } from "../helpers/ready-line.js";

export interface SimReady {
  zigbee: string;
  control: string;
  doors: { id: string; ieee: string; profile: string; onvif?: string; rtsp?: string }[];
  config?: string;
}

export interface ServeReady {
  api: string;
  ownerToken?: string;
  doors: string[];
  simulated: boolean;
}

export interface DoorTiming {
  relockAfterSeconds: number;
  preRollSeconds: number;
  postRollSeconds: number;
}

/** Starts `doorstep sim` writing its bridge config into `dir` (GStreamer video: every frame carries the wall clock). */
export function startSim(dir: string, doors: number, options: { nvFile?: string } = {}): Promise<RunningDoorstep<SimReady>> {
  const args = ["sim", "--ports", "0", "--doors", String(doors), "--video", "gstreamer", "--write-config", join(dir, "sim.json")];
  if (options.nvFile) args.push("--nv-file", options.nvFile);
  return startDoorstep<SimReady>(args, "DOORSTEP SIM READY", { timeoutMs: 90_000 });
}

/**
 * Writes `doorstep.json` for the bridge: the simulator's zigbee/doors block, the given door timings, the API on an
 * ephemeral loopback port, storage in `storageDir`, schedules in UTC. Returns the config path.
 */
export async function writeBridgeConfig(dir: string, storageDir: string, timing: DoorTiming): Promise<string> {
  const sim = JSON.parse(await readFile(join(dir, "sim.json"), "utf8")) as { zigbee: unknown; doors: Record<string, unknown>[] };
  const config = {
    zigbee: sim.zigbee,
    doors: sim.doors.map((d) => ({ ...d, ...timing })),
    delivery: { timeZone: "UTC" },
    // The ring in the test's own folder, not /dev/shm: it goes with the folder even after a SIGKILL, and tests can watch it.
    recording: { ringSeconds: 30, ringDir: join(dir, "ring") },
    api: { host: "127.0.0.1", port: 0 },
    // An ephemeral HAP port, so runs never collide on the default 51827.
    homekit: { port: 0, bind: ["127.0.0.1"] },
    storagePath: storageDir,
  };
  const path = join(dir, "doorstep.json");
  await writeFile(path, JSON.stringify(config, null, 2), { mode: 0o600 });
  return path;
}

/** Seconds of video the bridge's ring holds for `doorId` (one segment per second), in a config from `writeBridgeConfig`. */
export function ringSeconds(dir: string, doorId: string): number {
  const base = join(dir, "ring");
  if (!existsSync(base)) return 0;
  // <ringDir>/doorstep-<storage id>/<door>/run-<n>/seg_<n>.m4s: one folder per ffmpeg run.
  const runs = readdirSync(base).flatMap((d) => {
    const camera = join(base, d, doorId);
    return existsSync(camera) ? readdirSync(camera).map((r) => join(camera, r)) : [];
  });
  return runs.reduce((n, run) => n + readdirSync(run).filter((f) => /^seg_\d+\.m4s$/.test(f)).length, 0);
}

/** `doorstep token create --provider NAME --json` on the bridge's storage; returns the token. */
export async function createProviderToken(configPath: string, provider: string): Promise<string> {
  const r = await runDoorstep(["--config", configPath, "token", "create", "--provider", provider, "--json"]);
  if (r.code !== 0) throw new Error(`token create exited ${r.code}: ${r.stderr}`);
  return (JSON.parse(r.stdout) as { token: string }).token;
}

/** Starts `doorstep serve` on the config and waits for `DOORSTEP READY`. */
export function startServe(configPath: string, timeoutMs = 90_000): Promise<RunningDoorstep<ServeReady>> {
  return startDoorstep<ServeReady>(["--config", configPath, "serve"], "DOORSTEP READY", { timeoutMs });
}

export interface HttpReply<T = unknown> {
  status: number;
  body: T;
  headers: Headers;
}

/** One JSON request to the bridge API (or the simulator's control endpoint when `token` is undefined). */
export async function call<T = Record<string, unknown>>(base: string, method: string, path: string, token?: string, body?: unknown): Promise<HttpReply<T>> {
  const headers: Record<string, string> = {};
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers["content-type"] = "application/json";
  const res = await fetch(`${base}${path}`, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  return { status: res.status, body: parsed as T, headers: res.headers };
}

/** What the simulator's control endpoint says about a lock. */
export interface SimLockView {
  lockState: number;
  /** type: ZCL user type (1: year-day schedule user, only opens inside its yearDay schedules). */
  users: { userId: number; status: number; type: number; pin: string; yearDay: unknown[] }[];
  commands: { at: string; name: string }[];
}

export async function simLock(control: string, doorId: string): Promise<SimLockView> {
  const r = await call<SimLockView>(control, "GET", `/locks/${doorId}`);
  if (r.status !== 200) throw new Error(`GET /locks/${doorId}: ${r.status}`);
  return r.body;
}

/** An ISO instant `offsetMs` from now. */
export const isoIn = (offsetMs: number) => new Date(Date.now() + offsetMs).toISOString();

/** "HH:MM" in UTC, `offsetMin` minutes from now (wrapping at midnight). */
export function utcHhMm(offsetMin: number): string {
  const d = new Date(Date.now() + offsetMin * 60_000);
  return `${String(d.getUTCHours()).padStart(2, "0")}:${String(d.getUTCMinutes()).padStart(2, "0")}`;
}

/** The API's view of a door (owner). */
export interface DoorView {
  id: string;
  lock?: { state: string; available: boolean };
  camera?: { configured: boolean; recording: boolean };
  switches?: { inHomeDeliveries: boolean; petsHome: boolean };
  visitId?: string;
}

export interface VisitView {
  id: string;
  doorId: string;
  via: string;
  state: string;
  credentialId?: string;
  startedAt: number;
  unlockedAt?: number;
  relockedAt?: number;
  endedAt?: number;
  relockAt?: number;
  closeReason?: string;
  alerts: string[];
  clip: { durationMs: number; firstFrameAt: number; lastFrameAt: number }[];
}
