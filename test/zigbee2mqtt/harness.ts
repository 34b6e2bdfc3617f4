// Real Zigbee2MQTT (from the .z2m prefix) on the project's Z-Stack emulator, a real Mosquitto on a loopback port,
// and Doorstep's Zigbee2MQTT lock driver on top. Started once per test file: forming the network and pairing is slow.
import { join } from "node:path";
import { MemoryLogger } from "../../src/core/logger.js";
import { startMosquitto, type Mosquitto } from "../../src/sim/zigbee2mqtt/mosquitto.js";
import { startZigbee2mqtt, type Zigbee2mqtt } from "../../src/sim/zigbee2mqtt/zigbee2mqtt-process.js";
import { startZigbeeSim, type LockProfileKey, type SimulatedLock, type ZigbeeSim } from "../../src/sim/zigbee/index.js";
import { Z2mConnection } from "../../src/zigbee/z2m-connection.js";
import { Z2mLockDriver, type Z2mLockDriverOptions } from "../../src/zigbee/z2m-lock-driver.js";
import { eventually } from "../helpers/eventually.js";
import { makeTempDir, removeTempDir } from "../helpers/temp-dir.js";

const NETWORK = { panId: 0x1a62, channel: 11, networkKey: [1, 3, 5, 7, 9, 11, 13, 15, 0, 2, 4, 6, 8, 10, 12, 13] };

export interface Z2mHarness {
  dir: string;
  sim: ZigbeeSim;
  broker: Mosquitto;
  z2m: Zigbee2mqtt;
  logger: MemoryLogger;
  simLock(id: string): SimulatedLock;
  /** A started driver on its own connection (stopped by `stop()`). */
  driver(id: string, options?: Partial<Z2mLockDriverOptions>): Promise<Z2mLockDriver>;
  connection(): Z2mConnection;
  stop(): Promise<void>;
}

export async function startZ2mHarness(locks: { id: string; profile: LockProfileKey }[]): Promise<Z2mHarness> {
  const dir = makeTempDir("doorstep-z2m-");
  const logger = new MemoryLogger();
  const cleanups: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const c of cleanups.reverse()) await c().catch(() => undefined);
    cleanups.length = 0;
    removeTempDir(dir);
  };
  try {
    const sim = await startZigbeeSim({ locks });
    cleanups.push(() => sim.stop());
    const broker = await startMosquitto({ dir: join(dir, "broker") });
    cleanups.push(() => broker.stop());
    const z2m = await startZigbee2mqtt({
      dataDir: join(dir, "z2m"), mqttUrl: broker.url, zigbeeUrl: sim.url, network: NETWORK, verbose: !!process.env.Z2M_LOG,
    });
    cleanups.push(() => z2m.close());
    await z2m.pair(locks.map((l) => sim.lock(l.id).ieee));
    const connections: Z2mConnection[] = [];
    const drivers: Z2mLockDriver[] = [];
    cleanups.push(async () => {
      for (const d of drivers) await d.stop();
      for (const c of connections) await c.stop();
    });
    const connection = () => {
      const c = new Z2mConnection({ url: broker.url }, { logger, reconnectMs: 250 });
      connections.push(c);
      return c;
    };
    return {
      dir, sim, broker, z2m, logger, stop, connection,
      simLock: (id) => sim.lock(id),
      async driver(id, options = {}) {
        const conn = options.connection ?? connection();
        await conn.start();
        const d = new Z2mLockDriver({
          connection: conn, baseTopic: z2m.baseTopic, device: { kind: "ieee", ieee: sim.lock(id).ieee }, logger, ...options,
        });
        drivers.push(d);
        await d.start();
        await eventually("the driver available with a known state", () => d.isAvailable() && d.getState() !== "unknown", { timeoutMs: 15_000 });
        return d;
      },
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
