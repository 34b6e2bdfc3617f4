// Runs inside a private network namespace (test/helpers/netns.ts): `doorstep sim` (Zigbee coordinator emulator
// with its lock, ONVIF camera), the real `homebridge` binary with the built plugin and Matter enabled, and a matter.js
// controller that commissions the node Homebridge's log announces. Prints one JSON line per step: {"step", ...}.
// Never run outside a namespace: matter.js announces on every interface it finds.
import "../../src/matter/matter-process-config.js";
import { mkdirSync, readFileSync, readdirSync, readlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Seconds, ServerNode } from "@matter/main";
import type { ClientNode, Endpoint } from "@matter/main";
import { DoorLockClient } from "@matter/main/behaviors/door-lock";
import { PLATFORM_NAME } from "../../src/config/options.js";
import { eventually } from "../helpers/eventually.js";
import { descendantsOf, isAlive, processesOfStorage, startDoorstep, type RunningDoorstep } from "../helpers/ready-line.js";
import { makeTempDir, removeTempDir } from "../helpers/temp-dir.js";
import { freePort, startHomebridge, type RunningHomebridge } from "./homebridge-process.js";

interface SimReady {
  control: string;
}

const PAIRING_LINE = /Matter: pair the doors with manual code (\d{11}) \(QR content (MT:[^)]+)\), UDP port (\d+)\./;

const out = (step: string, data: Record<string, unknown> = {}) =>
  process.stdout.write(`${JSON.stringify({ step, ...data }, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v))}\n`);

/**
 * Whether process `pid` itself holds a UDP socket bound to `port`: /proc/<pid>/net/udp{,6} lists the namespace's
 * sockets (local port in hex, inode in column 10), and /proc/<pid>/fd links to "socket:[inode]" for the ones it holds.
 */
function holdsUdpPort(pid: number, port: number): boolean {
  const inodes = new Set<string>();
  for (const table of ["udp", "udp6"]) {
    for (const line of readFileSync(`/proc/${pid}/net/${table}`, "utf8").split("\n").slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols.length > 9 && parseInt(cols[1]!.split(":").at(-1)!, 16) === port) inodes.add(cols[9]!);
    }
  }
  return readdirSync(`/proc/${pid}/fd`).some((fd) => {
    try {
      return inodes.has(/^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`))?.[1] ?? "");
    } catch {
      return false; // closed meanwhile
    }
  });
}

async function main(): Promise<void> {
  const t0 = Date.now();
  const dir = makeTempDir("doorstep-hb-matter-");
  const hbDir = join(dir, "homebridge");
  const simConfigFile = join(dir, "sim-doorstep.json");
  let sim: RunningDoorstep<SimReady> | undefined;
  let homebridge: RunningHomebridge | undefined;
  let controller: ServerNode | undefined;
  try {
    sim = await startDoorstep<SimReady>(["sim", "--ports", "0", "--write-config", simConfigFile], "DOORSTEP SIM READY", { timeoutMs: 30_000 });
    const simConfig = JSON.parse(readFileSync(simConfigFile, "utf8")) as { doors: Record<string, unknown>[] };
    // A short post-roll: the owner visit closing at shutdown must fit in Homebridge's 5 s before its forced exit.
    const doors = simConfig.doors.map((d) => ({ ...d, postRollSeconds: 1 }));
    const hapPort = await freePort();
    mkdirSync(hbDir, { recursive: true });
    writeFileSync(
      join(hbDir, "config.json"),
      JSON.stringify({
        bridge: { name: "Doorstep HB Matter", username: "0E:D0:05:7E:00:03", pin: "031-45-154", port: hapPort, bind: ["127.0.0.1"] },
        accessories: [],
        platforms: [{ platform: PLATFORM_NAME, name: "Doorstep", ...simConfig, doors, api: { port: 0 }, matter: { enabled: true, port: 0 } }],
      }),
    );
    out("sim", { ms: Date.now() - t0 });

    homebridge = startHomebridge(hbDir);
    await homebridge.waitForLog(/Running \d+ door\(s\)/, 45_000);
    // The platform logs the pairing line right after "Running …" (only while not commissioned); allow for the pipe.
    await homebridge.waitForLog(PAIRING_LINE, 2_000);
    const [, pairingCode, qr, port] = PAIRING_LINE.exec(homebridge.log())!;
    out("announced", {
      pairingCode,
      qr,
      port: Number(port),
      // The node's UDP socket belongs to the Homebridge process itself: Matter runs in-process, not in a child.
      inHomebridgeProcess: holdsUdpPort(homebridge.child.pid!, Number(port)),
      inSimProcess: holdsUdpPort(sim.child.pid!, Number(port)),
      ms: Date.now() - t0,
    });

    controller = await ServerNode.create({ id: "controller", network: { port: 5550 } });
    await controller.start();
    const peer: ClientNode = await controller.peers.commission({ id: "homebridge", pairingCode: pairingCode!, timeout: Seconds(30) });
    const walk = function* (ep: Endpoint): Generator<Endpoint> {
      yield ep;
      for (const p of ep.parts) yield* walk(p);
    };
    const lockEp = [...walk(peer as unknown as Endpoint)].find((e) => e.behaviors.supported.doorLock);
    if (!lockEp) throw new Error("the commissioned node has no DoorLock endpoint");
    out("commissioned", { lockEndpoint: lockEp.number, ms: Date.now() - t0 });

    const lockState = async () => ((await (await fetch(`${sim!.ready.control}/locks/front`)).json()) as { lockState: number }).lockState;
    const operations: unknown[] = [];
    lockEp.eventsOf(DoorLockClient).lockOperation.on((ev) => void operations.push(ev));
    const matterBefore = (await lockEp.getStateOf(DoorLockClient)).lockState;
    const simBefore = await lockState();
    const lock = lockEp.commandsOf(DoorLockClient);
    await lock.unlockDoor({});
    // The command answers after the lock confirmed, so the sim has the unlocked state already; poll for safety.
    await eventually("the simulated lock to report unlocked", async () => (await lockState()) === 2, { timeoutMs: 15_000, everyMs: 100 }).catch(() => undefined);
    const simAfter = await lockState();
    const matterAfter = await eventually("lockState Unlocked on the controller", () => lockEp.stateOf(DoorLockClient).lockState === 2, { timeoutMs: 15_000, everyMs: 100 }).then(
      () => lockEp.stateOf(DoorLockClient).lockState,
      () => lockEp.stateOf(DoorLockClient).lockState,
    );
    await eventually("the LockOperation event", () => operations.length > 0, { timeoutMs: 10_000, everyMs: 100 }).catch(() => undefined);
    out("unlocked", { matterBefore, simBefore, simAfter, matterAfter, operation: operations.at(-1) ?? null, ms: Date.now() - t0 });

    // The device goes before the controller (research/matter.md: the reverse order hangs the device's close).
    const pid = homebridge.child.pid!;
    const descendants = await descendantsOf(pid);
    const code = await homebridge.stop();
    await eventually("every descendant to exit", async () => (await Promise.all(descendants.map(isAlive))).every((a) => !a), { timeoutMs: 10_000, everyMs: 100 }).catch(() => undefined);
    const stillAlive = (await Promise.all(descendants.map(async (d) => ((await isAlive(d)) ? d : -1)))).filter((d) => d >= 0);
    const log = homebridge.log();
    out("stopped", {
      code,
      descendants: descendants.length,
      stillAlive,
      homebridgeAlive: await isAlive(pid),
      matching: await processesOfStorage(join(hbDir, "doorstep"), hbDir),
      stoppedLine: log.includes("[Doorstep] Stopped."),
      unhandled: /unhandled|uncaught/i.test(log),
      // Homebridge did not load matter.js before the plugin could switch off its config file, argv and signal traps.
      matterPreempted: log.includes("matter.js was initialised before Doorstep"),
      ms: Date.now() - t0,
    });
  } finally {
    // For the test's failure messages.
    if (homebridge) out("homebridge-log", { log: homebridge.log().slice(-6000) });
    await homebridge?.stop().catch(() => undefined);
    await controller?.close().catch((e: unknown) => out("cleanup-error", { error: String(e) }));
    await sim?.stop().catch(() => undefined);
    removeTempDir(dir);
  }
  out("done", { ms: Date.now() - t0 });
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    out("error", { error: error instanceof Error ? `${error.message}\n${error.stack}` : String(error) });
    process.exit(1);
  },
);
