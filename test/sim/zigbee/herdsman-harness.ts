// A real, unmodified zigbee-herdsman Controller pointed at the emulator, with temp storage and helpers to wait
// for its events. Everything started here is stopped by `stop()`.
import { join } from "node:path";
import { Controller, type Events, setLogger } from "zigbee-herdsman";
import { setLogger as setConvertersLogger } from "zigbee-herdsman-converters";

export const NETWORK_KEY = [1, 3, 5, 7, 9, 11, 13, 15, 0, 2, 4, 6, 8, 10, 12, 13];
export const PAN_ID = 0x1a62;
export const CHANNEL = 11;
/** The same network, as `startZigbeeSim({ network })` takes it, so herdsman starts "resumed". */
export const SIM_NETWORK = { panID: PAN_ID, channel: CHANNEL, networkKey: NETWORK_KEY };

let loggerSet = false;
/** herdsman and the converters log through global loggers; keep tests quiet unless ZH_LOG is set. */
export function quietHerdsman(): void {
  if (loggerSet || process.env.ZH_LOG) return;
  loggerSet = true;
  const noop = () => undefined;
  setLogger({ debug: noop, info: noop, warning: noop, error: noop });
  setConvertersLogger({ debug: noop, info: noop, warning: noop, error: noop });
}

export function makeController(url: string, dir: string, options: { backup?: boolean; networkKey?: number[] } = {}): Controller {
  quietHerdsman();
  return new Controller({
    network: { panID: PAN_ID, channelList: [CHANNEL], networkKey: options.networkKey ?? NETWORK_KEY },
    serialPort: { path: url, adapter: "zstack" },
    databasePath: join(dir, "database.db"),
    databaseBackupPath: join(dir, "database.db.backup"),
    backupPath: options.backup ? join(dir, "coordinator_backup.json") : "",
    adapter: { disableLED: false },
    acceptJoiningDeviceHandler: async () => true,
  });
}

/** Resolves with the first message that matches, or rejects after `timeoutMs`. */
export function waitForMessage(ctl: Controller, match: (m: Events.MessagePayload) => boolean, timeoutMs = 5000, what = "message"): Promise<Events.MessagePayload> {
  return new Promise((resolve, reject) => {
    const on = (m: Events.MessagePayload) => {
      if (!match(m)) return;
      clearTimeout(timer);
      ctl.off("message", on);
      resolve(m);
    };
    const timer = setTimeout(() => {
      ctl.off("message", on);
      reject(new Error(`no ${what} within ${timeoutMs} ms`));
    }, timeoutMs);
    ctl.on("message", on);
  });
}

/** Resolves when `count` interviews have finished (successful or failed). */
export function waitForInterviews(ctl: Controller, count: number, timeoutMs = 15000): Promise<Events.DeviceInterviewPayload[]> {
  return new Promise((resolve, reject) => {
    const done: Events.DeviceInterviewPayload[] = [];
    const on = (e: Events.DeviceInterviewPayload) => {
      if (e.status === "started") return;
      done.push(e);
      if (done.length === count) {
        clearTimeout(timer);
        ctl.off("deviceInterview", on);
        resolve(done);
      }
    };
    const timer = setTimeout(() => {
      ctl.off("deviceInterview", on);
      reject(new Error(`only ${done.length} of ${count} interviews finished within ${timeoutMs} ms`));
    }, timeoutMs);
    ctl.on("deviceInterview", on);
  });
}

/**
 * Stops the controller and the 60 s timers herdsman 11.1.1 leaves behind: the zstack adapter debounces a route
 * discovery per end-device announce (`deviceAnnounceRouteDiscoveryDebouncers`, `debounce(..., 60000)`) and
 * `stop()` does not clear them, so mocha (run without --exit) would wait a minute after the last join.
 */
export async function stopController(ctl: Controller | undefined): Promise<void> {
  if (!ctl) return;
  try {
    await ctl.stop();
  } finally {
    const adapter = (ctl as unknown as { adapter?: { deviceAnnounceRouteDiscoveryDebouncers?: Map<number, { clear(): void }> } }).adapter;
    for (const d of adapter?.deviceAnnounceRouteDiscoveryDebouncers?.values() ?? []) d.clear();
  }
}
