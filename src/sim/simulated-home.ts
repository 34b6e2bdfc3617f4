// The whole simulated hardware of a home: a Z-Stack coordinator with one simulated lock per door, and per door an
// ONVIF camera with its RTSP stream, plus the loopback control endpoint. Used by `doorstep sim`, `serve --demo` and tests.
import { randomBytes } from "node:crypto";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startMosquitto } from "./zigbee2mqtt/mosquitto.js";
import { startZigbee2mqtt } from "./zigbee2mqtt/zigbee2mqtt-process.js";
import type { LockProfileKey } from "./zigbee/lock-profiles.js";
import { startZigbeeSim, type ZigbeeSim, type ZigbeeSimNetwork } from "./zigbee/zigbee-sim.js";
import { startOnvifSimulator, type OnvifSimulator } from "./camera/onvif-simulator.js";
import { startRtspTestServer, type RtspTestServer } from "./camera/rtsp-test-server.js";
import { startRtspDemoServer } from "./camera/rtsp-demo-server.js";
import { startControlServer, type ControlServer } from "./control-server.js";
import { SIM_PORT_SPAN, simPorts } from "./sim-ports.js";

export { SIM_DEFAULT_BASE_PORT, SIM_PORT_SPAN, simPorts } from "./sim-ports.js";

export const SIM_DOOR_IDS = ["front", "back", "garage", "side", "patio", "cellar", "shed", "gate"] as const;
const PROFILES: LockProfileKey[] = ["yale-assure", "kwikset-910", "schlage-be468"];

/** The network the simulated coordinator has already formed, so a bridge configured with it resumes at once. */
export const SIM_NETWORK: ZigbeeSimNetwork = {
  panID: 0x1a62,
  channel: 15,
  networkKey: [0x01, 0x03, 0x05, 0x07, 0x09, 0x0b, 0x0d, 0x0f, 0x00, 0x02, 0x04, 0x06, 0x08, 0x0a, 0x0c, 0x0d],
};

export interface SimulatedCamera {
  onvif: OnvifSimulator;
  rtsp: RtspTestServer;
  username: string;
  password: string;
}

export interface SimulatedDoor {
  id: string;
  name: string;
  ieee: string;
  profile: LockProfileKey;
  camera?: SimulatedCamera;
}

export interface SimulatedHome {
  zigbee: ZigbeeSim;
  doors: SimulatedDoor[];
  control: ControlServer;
  /** What the simulation looks like from outside, for `DOORSTEP SIM READY` and `serve --demo`. */
  endpoints(): {
    zigbee: string;
    onvif: string | undefined;
    rtsp: string | undefined;
    control: string;
    mqtt?: string;
    zigbee2mqtt?: { version: string; baseTopic: string };
    doors: { id: string; ieee: string; profile: string; onvif?: string; rtsp?: string }[];
  };
  /** A doorstep.json `doors`/`zigbee` block pointing at this simulation (holds the simulated camera passwords). */
  bridgeConfig(): Record<string, unknown>;
  stop(): Promise<void>;
}

export interface SimulatedHomeOptions {
  doors?: number;
  /** Cameras need ffmpeg (and, for the clock-carrying test stream, GStreamer); default true. */
  cameras?: boolean;
  /** "gstreamer": the test stream with the wall-clock barcode; "ffmpeg": the demo stream; "auto": GStreamer when installed. */
  video?: "auto" | "gstreamer" | "ffmpeg";
  /** Keep the coordinator's NV and PIN tables here across restarts. */
  nvFile?: string;
  /** Called when saving the coordinator's NV file fails (e.g. a full disk); the simulator keeps running. */
  onPersistError?: (error: unknown) => void;
  /**
   * Put a real Zigbee2MQTT (from its own prefix) and a Mosquitto broker on top of the coordinator, with every lock
   * paired to it; the bridge config then reaches the locks through Zigbee2MQTT instead of owning the coordinator.
   */
  zigbee2mqtt?: { prefix?: string; verbose?: boolean };
  /**
   * First of a fixed block of TCP ports (see `simPorts`), so a written config stays valid across restarts; 0 or absent:
   * every endpoint takes an ephemeral port (tests, so parallel runs cannot collide).
   */
  basePort?: number;
  /** Camera passwords per door id to reuse (from a config written by an earlier run); missing ones are generated. */
  cameraPasswords?: Readonly<Record<string, string>>;
}

export async function startSimulatedHome(options: SimulatedHomeOptions = {}): Promise<SimulatedHome> {
  const count = options.doors ?? 1;
  if (!Number.isInteger(count) || count < 1 || count > SIM_DOOR_IDS.length) {
    throw new RangeError(`doors must be a whole number from 1 to ${SIM_DOOR_IDS.length}`);
  }
  const base = options.basePort ?? 0;
  if (!Number.isInteger(base) || base < 0 || (base > 0 && (base < 1024 || base + SIM_PORT_SPAN > 65536))) {
    throw new RangeError(`basePort must be 0 (ephemeral) or from 1024 to ${65536 - SIM_PORT_SPAN}`);
  }
  const specs = SIM_DOOR_IDS.slice(0, count).map((id, i) => ({ id, profile: PROFILES[i % PROFILES.length]! }));
  const stoppers: (() => Promise<void>)[] = [];
  try {
    const zigbee = await startZigbeeSim({
      locks: specs,
      network: SIM_NETWORK,
      port: simPorts(base).zigbee,
      ...(options.nvFile ? { nvFile: options.nvFile } : {}),
      ...(options.onPersistError ? { onPersistError: options.onPersistError } : {}),
    });
    stoppers.push(() => zigbee.stop());
    const video = options.video === "auto" || options.video === undefined ? (hasGstreamer() ? "gstreamer" : "ffmpeg") : options.video;
    const doors: SimulatedDoor[] = [];
    for (const [i, spec] of specs.entries()) {
      const door: SimulatedDoor = { id: spec.id, name: titleCase(spec.id), ieee: zigbee.lock(spec.id).ieee, profile: spec.profile };
      if (options.cameras !== false) {
        const ports = simPorts(base, i);
        const rtsp = video === "gstreamer" ? await startRtspTestServer({ port: ports.rtsp }) : await startRtspDemoServer({ port: ports.rtsp });
        stoppers.push(() => rtsp.stop());
        const username = "doorstep";
        const password = options.cameraPasswords?.[spec.id] ?? randomBytes(12).toString("base64url");
        const onvif = await startOnvifSimulator({ username, password, rtspUrl: rtsp.url, name: `Simulated ${door.name} camera`, port: ports.onvif });
        stoppers.push(() => onvif.stop());
        door.camera = { onvif, rtsp, username, password };
      }
      doors.push(door);
    }
    const control = await startControlServer({ zigbee, doors, port: simPorts(base).control });
    stoppers.push(() => control.stop());
    const z2m = options.zigbee2mqtt ? await startZ2mStack(zigbee, options.zigbee2mqtt, stoppers) : undefined;

    return {
      zigbee,
      doors,
      control,
      endpoints: () => ({
        zigbee: zigbee.url,
        onvif: doors[0]?.camera?.onvif.url,
        rtsp: doors[0]?.camera?.rtsp.url,
        control: control.url,
        ...(z2m && { mqtt: z2m.broker.url, zigbee2mqtt: { version: z2m.z2m.version, baseTopic: z2m.z2m.baseTopic } }),
        doors: doors.map((d) => ({
          id: d.id,
          ieee: d.ieee,
          profile: d.profile,
          ...(d.camera ? { onvif: d.camera.onvif.url, rtsp: d.camera.rtsp.url } : {}),
        })),
      }),
      bridgeConfig: () => ({
        ...(!z2m && { zigbee: { port: zigbee.url, channel: SIM_NETWORK.channel, panId: SIM_NETWORK.panID, networkKey: Buffer.from(SIM_NETWORK.networkKey).toString("hex") } }),
        doors: doors.map((d) => ({
          id: d.id,
          name: d.name,
          lock: z2m ? { driver: "zigbee2mqtt", mqtt: { url: z2m.broker.url }, baseTopic: z2m.z2m.baseTopic, device: d.ieee } : { ieee: d.ieee },
          ...(d.camera ? { camera: { host: d.camera.onvif.host, port: d.camera.onvif.port, username: d.camera.username, password: d.camera.password } } : {}),
        })),
      }),
      stop: () => stopAll(stoppers),
    };
  } catch (error) {
    await stopAll(stoppers);
    throw error;
  }
}

/** Mosquitto on a free loopback port and Zigbee2MQTT on the coordinator, every lock paired; stopped with the rest. */
async function startZ2mStack(zigbee: ZigbeeSim, options: { prefix?: string; verbose?: boolean }, stoppers: (() => Promise<void>)[]) {
  const dir = mkdtempSync(join(tmpdir(), "doorstep-sim-z2m-"));
  stoppers.push(async () => rmSync(dir, { recursive: true, force: true }));
  const broker = await startMosquitto({ dir: join(dir, "broker") });
  stoppers.push(() => broker.stop());
  const z2m = await startZigbee2mqtt({
    dataDir: join(dir, "zigbee2mqtt"), mqttUrl: broker.url, zigbeeUrl: zigbee.url,
    network: { panId: SIM_NETWORK.panID, channel: SIM_NETWORK.channel, networkKey: SIM_NETWORK.networkKey },
    ...(options.prefix && { prefix: options.prefix }), ...(options.verbose && { verbose: true }),
  });
  stoppers.push(() => z2m.close());
  await z2m.pair([...zigbee.locks.values()].map((l) => l.ieee));
  return { broker, z2m };
}

async function stopAll(stoppers: (() => Promise<void>)[]): Promise<void> {
  for (const stop of stoppers.reverse()) await stop().catch(() => undefined);
  stoppers.length = 0;
}

function hasGstreamer(): boolean {
  try {
    execFileSync("/usr/bin/python3", ["-c", "import gi; gi.require_version('GstRtspServer', '1.0')"], { stdio: "ignore", timeout: 10_000 });
    return true;
  } catch {
    return false;
  }
}

const titleCase = (id: string) => `${id.charAt(0).toUpperCase()}${id.slice(1)} door`;
