// `doorstep serve`: the standalone bridge (or the SIMULATED demo) until SIGINT/SIGTERM. Imported only when `serve` runs.
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { systemClock } from "../access/clock.js";
import { createBridge } from "../bridge/create-bridge.js";
import type { BridgeRuntime } from "../bridge/bridge-runtime.js";
import { validateConfig } from "../config/validate-config.js";
import type { DoorstepConfig } from "../config/config.js";
import { formatError, isDiskFull } from "../core/errors.js";
import { consoleLogger, prefixed, type Logger } from "../core/logger.js";
import { startStandaloneBridge, type StandaloneBridge } from "../homekit/standalone-bridge.js";
import { KEY_FILE_NAME } from "../store/key-file.js";
import { securePrivateTree } from "../store/storage-permissions.js";
import { openStore } from "../store/store.js";
import type { SimulatedHome } from "../sim/simulated-home.js";
import { resolveContext, type GlobalOptions } from "./context.js";
import { UsageError } from "./io.js";
import type { CliIo } from "./io.js";

export interface ServeOptions {
  demo?: boolean;
  verbose?: boolean;
}

/** How often files that libraries wrote under the storage dir are made private again. */
const PRIVATE_SWEEP_MS = 30_000;

export async function serve(io: CliIo, globals: () => GlobalOptions, o: ServeOptions): Promise<void> {
  // The plugin already runs this bridge inside Homebridge: a second one would fight it for the lock and the store.
  if (globals().homebridgeStorage) throw new UsageError("is for the commands that manage a Homebridge install; `serve` runs the standalone bridge", "--homebridge-storage");
  const logger = consoleLogger({ level: o.verbose ? "debug" : "info", stream: io.stderr });
  keepRunningOnDiskFull(logger);
  const context = await resolveContext(globals());
  const demo = o.demo === true || (context.configPath === undefined && globals().config === undefined);
  if (demo && !o.demo) logger.info("No config found: starting the SIMULATED demo. Write doorstep.json (see docs/configuration.md) to use real hardware.");
  const run = demo ? await startDemo(logger, globals().storage) : { config: context.config, storageDir: context.storageDir, home: undefined, cleanup: async () => {} };
  const ownerToken = issueOwnerToken(run.storageDir, demo);
  const runtime = await createBridge({ config: run.config, storageDir: run.storageDir, logger });
  let homekit: StandaloneBridge | undefined;
  const stopped = onSignals(logger, async () => {
    // Each step runs even if the one before failed: a half-stopped bridge must not keep the process alive.
    for (const step of [() => homekit?.stop(), () => runtime.stop(), () => run.home?.stop(), () => run.cleanup()]) {
      await Promise.resolve().then(step).catch((error: unknown) => logger.error(`Shutdown: ${formatError(error)}`));
    }
  });
  try {
    await runtime.start();
    homekit = await startStandaloneBridge({
      config: run.config,
      storageDir: run.storageDir,
      delivery: runtime.delivery,
      cameraFeeds: runtime.cameraFeeds,
      doorLoggers: runtime.doorLoggers,
      logger: prefixed(logger, "HomeKit"),
      // The demo advertises on loopback only: it must never announce a simulated door to the home network.
      ...(run.config.homekit.bind ? { bind: run.config.homekit.bind } : demo ? { bind: ["127.0.0.1"] } : {}),
    });
  } catch (error) {
    await homekit?.stop();
    await runtime.stop();
    await run.home?.stop();
    await run.cleanup();
    throw error;
  }
  // HAP-NodeJS, matter.js and zigbee-herdsman write their own files (0644): make them private now, and again now
  // and then (new pairings, coordinator backups), without waiting for the next start.
  const sweep = () => {
    try {
      securePrivateTree(run.storageDir, [join(run.storageDir, KEY_FILE_NAME)]);
    } catch (error) {
      logger.warn(`Cannot make ${run.storageDir} private: ${formatError(error)}`);
    }
  };
  sweep();
  // Real time: housekeeping of files other libraries write, which no test waits on.
  const sweeper = setInterval(sweep, PRIVATE_SWEEP_MS).unref();
  stopped.finally(() => clearInterval(sweeper)).catch((error: unknown) => logger.error(`Shutdown: ${formatError(error)}`));
  io.stdout.write(`DOORSTEP READY ${JSON.stringify(readyLine(runtime, ownerToken, run.home, homekit))}\n`);
  // The pairing secrets go to the terminal only, never to the log.
  io.stdout.write(`HomeKit: add "${run.config.name}" in the Home app with setup code ${homekit.setupCode} (QR content ${homekit.setupURI}).\n`);
  const { matter } = runtime;
  if (matter && !matter.commissioned) io.stdout.write(`Matter: pair with manual code ${matter.pairingCode} (QR content ${matter.qrPairingCode}) on UDP port ${matter.port}.\n`);
  if (demo) printDemoHelp(io, runtime, ownerToken, run.home!);
  await stopped;
}

/**
 * The last line of defence for a full disk: a write that fails with ENOSPC (or SQLite's "disk is full") somewhere no
 * one caught it must not stop the bridge (doors would stay as they are, visits unfinished). Every other uncaught error
 * still ends the process as Node would (stack on stderr, exit 1).
 */
function keepRunningOnDiskFull(logger: Logger): void {
  let warned = 0;
  process.on("uncaughtException", (error) => {
    if (isDiskFull(error)) {
      // At most one line a minute: a full disk repeats itself.
      if (Date.now() - warned > 60_000) logger.error(`Disk full: ${formatError(error)}. Doorstep keeps running; writes fail until space is freed.`);
      warned = Date.now();
      return;
    }
    console.error(error);
    process.exit(1);
  });
}

/** The demo: simulated hardware in this process, a fresh storage dir (unless --storage), every interface on. */
async function startDemo(logger: Logger, storage: string | undefined): Promise<{ config: DoorstepConfig; storageDir: string; home: SimulatedHome; cleanup: () => Promise<void> }> {
  const storageDir = storage ?? (await mkdtemp(join(tmpdir(), "doorstep-demo-")));
  // A --storage dir that does not exist yet is created, as the bridge would: the simulator writes its NV file there first.
  await mkdir(storageDir, { recursive: true, mode: 0o700 });
  logger.warn(`SIMULATED demo: the lock, the camera and the Zigbee coordinator are simulated (storage ${storageDir}).`);
  // Loaded only for the demo: a bridge on real hardware never carries the simulator in memory.
  const { startSimulatedHome } = await import("../sim/simulated-home.js");
  const home = await startSimulatedHome({
    doors: 1,
    nvFile: join(storageDir, "sim-nv.json"),
    onPersistError: (error) => logger.warn(`SIMULATED coordinator: cannot save its state (${formatError(error)}); it keeps running.`),
  });
  // The demo's Matter node announces itself on loopback only: a simulated door must never appear on the home network.
  process.env.MATTER_MDNS_NETWORKINTERFACE ??= "lo";
  const config = validateConfig({
    ...home.bridgeConfig(),
    delivery: { timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone },
    api: { host: "127.0.0.1", port: 0 },
    matter: { enabled: true, port: 0 },
    homekit: { port: 0 },
  });
  return { config, storageDir, home, cleanup: async () => (storage ? undefined : rm(storageDir, { recursive: true, force: true })) };
}

/**
 * On the first start (and every demo) the owner token is created and shown once; afterwards only its hash exists.
 * A demo start revokes the owner tokens of earlier demo starts, so tokens printed to old terminals stop working.
 */
function issueOwnerToken(storageDir: string, demo: boolean): string | undefined {
  const store = openStore({ storageDir, clock: systemClock });
  try {
    if (store.tokens.hasOwnerToken() && !demo) return undefined;
    return store.transaction(() => {
      if (demo) {
        for (const t of store.tokens.list()) {
          if (t.subject.kind !== "owner" || t.revokedAt !== undefined) continue;
          store.tokens.revoke(t.id);
          store.audit.append({ type: "token.revoked", actor: "system", details: { revoked: t.id, why: "a new demo start" } });
        }
      }
      const issued = store.tokens.create({ kind: "owner" });
      store.audit.append({ type: "token.created", actor: "system", details: { issued: issued.id, for: "owner" } });
      return issued.token;
    });
  } finally {
    store.close();
  }
}

function readyLine(runtime: BridgeRuntime, ownerToken: string | undefined, home: SimulatedHome | undefined, homekit: StandaloneBridge | undefined): Record<string, unknown> {
  return {
    api: runtime.apiUrl,
    ...(runtime.consoleUrl ? { console: runtime.consoleUrl } : {}),
    ...(ownerToken ? { ownerToken } : {}),
    ...(homekit ? { homekit: { port: homekit.port, setupCode: homekit.setupCode, setupURI: homekit.setupURI } } : {}),
    ...(runtime.matter ? { matter: { port: runtime.matter.port, pairingCode: runtime.matter.pairingCode, qrPairingCode: runtime.matter.qrPairingCode } } : {}),
    doors: runtime.config.doors.map((d) => d.id),
    simulated: home !== undefined,
    ...(home ? { sim: home.endpoints() } : {}),
  };
}

function printDemoHelp(io: CliIo, runtime: BridgeRuntime, ownerToken: string | undefined, home: SimulatedHome): void {
  const api = runtime.apiUrl ?? "(API off)";
  const auth = `-H 'Authorization: Bearer ${ownerToken ?? "<owner token>"}'`;
  io.stderr.write(
    [
      "",
      "──────── Doorstep SIMULATED demo ────────",
      `API            ${api}   (owner token above, shown once)`,
      `Console        ${runtime.consoleUrl ?? "(off)"}   (one-time login link; or log in with the owner token)`,
      `Simulator      ${home.control.url}   (type on the keypad, cut the camera)`,
      "Try:",
      `  curl -s ${auth} ${api}/v1/doors`,
      `  curl -s ${auth} -H 'content-type: application/json' ${api}/v1/credentials \\`,
      `       -d '{"label":"Parcel courier","kind":"delivery","doors":["front"],"validUntil":"${new Date(Date.now() + 86_400_000).toISOString()}"}'`,
      `  curl -s ${auth} -H 'content-type: application/json' ${api}/v1/doors/front/access -d '{"pin":"<the PIN>"}'`,
      `  curl -s -XPOST ${home.control.url}/locks/front/keypad -d '{"pin":"<the PIN>"}'`,
      "Ctrl-C stops everything (open visits are relocked first).",
      "",
    ].join("\n"),
  );
}

function onSignals(logger: Logger, stop: () => Promise<void>): Promise<void> {
  const log = prefixed(logger, "Shutdown");
  return new Promise((resolve) => {
    let stopping = false;
    const handler = (signal: NodeJS.Signals) => {
      if (stopping) return;
      stopping = true;
      log.info(`${signal}: relocking doors with open visits, then stopping.`);
      stop()
        .catch((error: unknown) => log.error(String(error)))
        .finally(() => {
          process.off("SIGINT", handler);
          process.off("SIGTERM", handler);
          resolve();
        });
    };
    process.on("SIGINT", handler);
    process.on("SIGTERM", handler);
  });
}
