// The doors whose locks live on an existing Zigbee2MQTT: one MQTT connection per broker (shared by its doors),
// one Zigbee2MQTT lock driver per door. A broker that is down at start does not stop the bridge: its locks stay
// unavailable (guest unlocks are refused) while the connection keeps retrying.
import type { Clock } from "../access/clock.js";
import type { LockConfig } from "../config/config.js";
import { formatError } from "../core/errors.js";
import { prefixed, type Logger } from "../core/logger.js";
import { Z2mConnection, safeUrl } from "../zigbee/z2m-connection.js";
import { Z2mLockDriver } from "../zigbee/z2m-lock-driver.js";

type Z2mLockConfig = Extract<LockConfig, { driver: "zigbee2mqtt" }>;

export class Zigbee2MqttLocks {
  private readonly connections = new Map<string, Z2mConnection>();
  private readonly drivers: Z2mLockDriver[] = [];

  constructor(
    private readonly logger: Logger,
    private readonly clock: Clock,
  ) {}

  get size(): number {
    return this.drivers.length;
  }

  add(lock: Z2mLockConfig, doorLog: Logger): Z2mLockDriver {
    const m = lock.mqtt;
    // Same broker and same credentials: one connection.
    const key = JSON.stringify([m.url, m.username ?? "", m.password ?? "", m.tls ?? null]);
    let connection = this.connections.get(key);
    if (!connection) {
      connection = new Z2mConnection(
        { url: m.url, ...(m.username !== undefined && { username: m.username }), ...(m.password !== undefined && { password: m.password }), ...(m.tls && { tls: m.tls }) },
        { logger: prefixed(this.logger, `MQTT ${safeUrl(m.url)}`) },
      );
      this.connections.set(key, connection);
    }
    const device = lock.device !== undefined && !/^0x[0-9a-fA-F]{16}$/.test(lock.device)
      ? { kind: "friendly-name" as const, name: lock.device }
      : { kind: "ieee" as const, ieee: (lock.device ?? lock.ieee ?? "").toLowerCase() };
    const driver = new Z2mLockDriver({
      connection, baseTopic: lock.baseTopic, device, clock: this.clock, logger: doorLog,
      ...(lock.pinSlots !== undefined && { pinSlots: lock.pinSlots }),
    });
    this.drivers.push(driver);
    return driver;
  }

  async start(): Promise<void> {
    await Promise.all([...this.connections.values()].map(async (c) => {
      try {
        await c.start();
      } catch (error) {
        this.logger.error(`${formatError(error)} Its locks are unavailable until it answers; retrying.`);
      }
    }));
    await Promise.all(this.drivers.map((d) => d.start()));
  }

  async stop(): Promise<void> {
    await Promise.all(this.drivers.map((d) => d.stop()));
    await Promise.all([...this.connections.values()].map((c) => c.stop()));
  }
}
