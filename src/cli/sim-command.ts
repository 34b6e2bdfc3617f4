import { Command } from "commander";
import { formatError } from "../core/errors.js";
import { readFile, writeFile } from "node:fs/promises";
import { resolve } from "node:path";
// Only the port constants are imported up front; the simulator itself loads when `sim` runs (not for `serve`).
import { SIM_DEFAULT_BASE_PORT, SIM_PORT_SPAN } from "../sim/sim-ports.js";
import type { CliIo } from "./io.js";
import { parseWholeNumber } from "./parse-args.js";
import { UsageError } from "./io.js";

export function simCommand(io: CliIo): Command {
  return new Command("sim")
    .description("run the SIMULATED hardware alone (Zigbee coordinator with locks, ONVIF cameras with RTSP streams, control endpoint)")
    .option("--doors <n>", "how many doors (1-8)", "1")
    .option("--no-cameras", "locks only")
    .option("--video <source>", "auto, gstreamer (test stream with the wall clock per frame) or ffmpeg (demo stream)", "auto")
    .option("--nv-file <file>", "keep the coordinator's network and PIN tables here across restarts")
    .option(
      "--ports <base>",
      `first of a fixed block of loopback ports: base Zigbee, base+1 control, base+10+2i ONVIF and base+11+2i RTSP of door i; 0 = ephemeral ports`,
      String(SIM_DEFAULT_BASE_PORT),
    )
    .option("--zigbee2mqtt", "also run a real Zigbee2MQTT (from .z2m/ or DOORSTEP_Z2M_PREFIX) and a Mosquitto broker on the coordinator, locks paired to it")
    .option("--z2m-prefix <dir>", "where Zigbee2MQTT is installed (npm install --prefix DIR --ignore-scripts zigbee2mqtt@2.14.1)")
    .option("--write-config <file>", "write a doorstep.json pointing a bridge at this simulation (mode 0600: it holds the simulated camera passwords; an existing one's passwords are kept)")
    .action(async (o: { doors: string; cameras: boolean; video: string; nvFile?: string; ports: string; writeConfig?: string; zigbee2mqtt?: boolean; z2mPrefix?: string }) => {
      const doors = parseWholeNumber("--doors", o.doors, 1, 8);
      if (!["auto", "gstreamer", "ffmpeg"].includes(o.video)) throw new UsageError("must be auto, gstreamer or ffmpeg", "--video");
      const basePort = o.ports === "0" ? 0 : parseWholeNumber("--ports", o.ports, 1024, 65536 - SIM_PORT_SPAN);
      if (o.zigbee2mqtt) await checkZigbee2mqttSetup(o.z2mPrefix);
      const { startSimulatedHome } = await import("../sim/simulated-home.js");
      const cameraPasswords = o.writeConfig ? await passwordsOf(resolve(o.writeConfig)) : {};
      const home = await startSimulatedHome({
        doors,
        cameras: o.cameras,
        video: o.video as "auto",
        basePort,
        cameraPasswords,
        ...(o.nvFile ? { nvFile: resolve(o.nvFile) } : {}),
        ...(o.zigbee2mqtt && { zigbee2mqtt: { ...(o.z2mPrefix && { prefix: resolve(o.z2mPrefix) }) } }),
        onPersistError: (error) => void io.stderr.write(`SIMULATED coordinator: cannot save its state (${formatError(error)}); it keeps running.\n`),
      });
      const stopped = new Promise<void>((done) => {
        const stop = () => {
          process.off("SIGINT", stop);
          process.off("SIGTERM", stop);
          io.stderr.write("SIMULATED hardware stopping…\n");
          home.stop().then(done, (error: unknown) => {
            io.stderr.write(`SIMULATED hardware: stop failed (${formatError(error)})\n`);
            done();
          });
        };
        process.on("SIGINT", stop);
        process.on("SIGTERM", stop);
      });
      if (o.writeConfig) await writeFile(resolve(o.writeConfig), `${JSON.stringify(home.bridgeConfig(), null, 2)}\n`, { mode: 0o600 });
      io.stderr.write(`SIMULATED hardware running: ${doors} door(s). Ctrl-C stops it.\n`);
      if (o.zigbee2mqtt) {
        const e = home.endpoints();
        const lock = (home.bridgeConfig().doors as { lock: unknown }[])[0]?.lock;
        io.stderr.write(`Zigbee2MQTT ${e.zigbee2mqtt?.version} on the simulated coordinator, broker ${e.mqtt}, every lock paired.\n` +
          `A door on it in doorstep.json: "lock": ${JSON.stringify(lock)}\n`);
      }
      io.stdout.write(`DOORSTEP SIM READY ${JSON.stringify({ ...home.endpoints(), simulated: true, ...(o.writeConfig ? { config: resolve(o.writeConfig) } : {}) })}\n`);
      await stopped;
    });
}

/** Says what is missing before anything starts. */
async function checkZigbee2mqttSetup(prefix: string | undefined): Promise<void> {
  const { findMosquitto } = await import("../sim/zigbee2mqtt/mosquitto.js");
  const { findZigbee2mqtt } = await import("../sim/zigbee2mqtt/zigbee2mqtt-process.js");
  if (!findMosquitto()) throw new UsageError("needs the Mosquitto broker: install it (Debian/Ubuntu: apt-get install mosquitto)", "--zigbee2mqtt");
  try {
    findZigbee2mqtt(prefix && resolve(prefix));
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error), "--zigbee2mqtt");
  }
}

/** The camera passwords of a config written by an earlier run, so fixed ports plus the same passwords keep it valid. */
async function passwordsOf(file: string): Promise<Record<string, string>> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch {
    return {};
  }
  try {
    const doors = (JSON.parse(text) as { doors?: { id?: unknown; camera?: { password?: unknown } }[] }).doors ?? [];
    const out: Record<string, string> = {};
    for (const d of doors) if (typeof d.id === "string" && typeof d.camera?.password === "string") out[d.id] = d.camera.password;
    return out;
  } catch {
    return {};
  }
}
