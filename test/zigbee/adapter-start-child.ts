// Child process for test/zigbee/adapters.long.test.ts: starts the coordinator with one adapter family on a port, prints
// how it ended as one JSON line, and exits. A child because herdsman's deCONZ adapter starts an interval in its
// constructor that nothing ever clears (zigbee-herdsman deconzAdapter.js), which would keep mocha alive.
import { MemoryLogger } from "../../src/core/logger.js";
import type { AdapterFamily } from "../../src/zigbee/adapter-options.js";
import { ZigbeeCoordinator } from "../../src/zigbee/zigbee-coordinator.js";
import { makeTempDir, removeTempDir } from "../helpers/temp-dir.js";

const [adapter, port] = process.argv.slice(2) as [AdapterFamily, string];
const storageDir = makeTempDir(`doorstep-adapter-${adapter}-`);
const logger = new MemoryLogger();
const coordinator = new ZigbeeCoordinator({ config: { adapter, port, channel: 11, panId: 6754 }, storageDir, logger });
let result: { started: boolean; error?: string; message?: string; log: string };
try {
  await coordinator.start();
  result = { started: true, log: logger.text() };
} catch (error) {
  result = {
    started: false,
    error: error instanceof Error ? error.constructor.name : typeof error,
    message: error instanceof Error ? error.message : String(error),
    log: logger.text(),
  };
}
await coordinator.stop().catch(() => undefined);
removeTempDir(storageDir);
process.stdout.write(`${JSON.stringify(result)}\n`);
process.exit(0);
