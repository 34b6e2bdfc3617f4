import { Command } from "commander";
import { formatError } from "../core/errors.js";
import { writeFile } from "node:fs/promises";
import { resolve } from "node:path";
import { startSimulatedHome } from "../sim/simulated-home.js";
import { findMosquitto } from "../sim/zigbee2mqtt/mosquitto.js";
import { findZigbee2mqtt } from "../sim/zigbee2mqtt/zigbee2mqtt-process.js";
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
    .option("--zigbee2mqtt", "also run a real Zigbee2MQTT (from .z2m/ or DOORSTEP_Z2M_PREFIX) and a Mosquitto broker on the coordinator, locks paired to it")
    .option("--z2m-prefix <dir>", "where Zigbee2MQTT is installed (npm install --prefix DIR --ignore-scripts zigbee2mqtt@2.14.1)")
    .option("--write-config <file>", "write a doorstep.json pointing a bridge at this simulation (mode 0600: it holds the simulated camera passwords)")
    .action(async (o: { doors: string; cameras: boolean; video: string; nvFile?: string; writeConfig?: string; zigbee2mqtt?: boolean; z2mPrefix?: string }) => {
      const doors = parseWholeNumber("--doors", o.doors, 1, 8);
      if (!["auto", "gstreamer", "ffmpeg"].includes(o.video)) throw new UsageError("must be auto, gstreamer or ffmpeg", "--video");
      if (o.zigbee2mqtt) checkZigbee2mqttSetup(o.z2mPrefix);
      const home = await startSimulatedHome({
        doors, cameras: o.cameras, video: o.video as "auto", ...(o.nvFile ? { nvFile: resolve(o.nvFile) } : {}),
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
function checkZigbee2mqttSetup(prefix: string | undefined): void {
  if (!findMosquitto()) throw new UsageError("needs the Mosquitto broker: install it (Debian/Ubuntu: apt-get install mosquitto)", "--zigbee2mqtt");
  try {
    findZigbee2mqtt(prefix && resolve(prefix));
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error), "--zigbee2mqtt");
  }
}
