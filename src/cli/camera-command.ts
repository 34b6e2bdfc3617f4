import { Command } from "commander";
import { discoverCameras } from "../camera/camera-discovery.js";
import type { CliIo } from "./io.js";
import { printJson, printTable } from "./io.js";
import { parseWholeNumber } from "./parse-args.js";

export function cameraCommand(io: CliIo): Command {
  const camera = new Command("camera").description("ONVIF cameras");
  camera
    .command("discover")
    .description("find ONVIF cameras on the local network (WS-Discovery probe)")
    .option("--timeout <ms>", "how long to listen for answers", "3000")
    .option("--interface <address>", "send the probe from this local IPv4 address")
    .option("--json", "print JSON")
    .action(async (o: { timeout: string; interface?: string; json?: boolean }) => {
      const timeoutMs = parseWholeNumber("--timeout", o.timeout, 100, 60_000);
      const found = await discoverCameras({ timeoutMs, ...(o.interface ? { interfaceAddress: o.interface } : {}) });
      if (o.json) return printJson(io, found);
      if (found.length === 0) return void io.stdout.write("No ONVIF camera answered. Is it on this network, with ONVIF (and discovery) enabled?\n");
      printTable(io, [["IP", "NAME", "HARDWARE", "DEVICE SERVICE"], ...found.map((c) => [c.address, c.from, c.scopes.name ?? "-", c.scopes.hardware ?? "-", c.xaddrs[0] ?? "-"])]);
    });
  return camera;
}
