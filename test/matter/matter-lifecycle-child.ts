// Runs inside a private network namespace (see test/helpers/netns.ts): the simulated home, the real bridge with our Matter
// node, and a matter.js controller. Covers what the Matter user list and the Matter commands do over a code's life:
// used up, revoked, expired, a failed edit, a restart, and Matter's PIN checks under the wrong-PIN lockout.
// Prints one JSON line per step: {"step", ...}. Never run outside a namespace: matter.js announces on every interface.
import "../../src/matter/matter-process-config.js";
import { Bytes, Seconds, ServerNode } from "@matter/main";
import { DoorLockClient } from "@matter/main/behaviors/door-lock";
import { DoorLock } from "@matter/main/clusters/door-lock";
import type { ClientNode, Endpoint } from "@matter/main";
import { createBridge } from "../../src/bridge/create-bridge.js";
import { validateConfig } from "../../src/config/validate-config.js";
import { consoleLogger } from "../../src/core/logger.js";
import { ownerVia } from "../../src/delivery/actor.js";
import { slotTableProbe, startMatterBridge } from "../../src/matter/index.js";
import { startSimulatedHome } from "../../src/sim/simulated-home.js";
import { openStore } from "../../src/store/store.js";
import { systemClock } from "../../src/access/clock.js";
import { eventually } from "../helpers/eventually.js";
import { makeTempDir, removeTempDir } from "../helpers/temp-dir.js";

const OWNER = ownerVia("api");
const out = (step: string, data: Record<string, unknown> = {}) =>
  process.stdout.write(`${JSON.stringify({ step, ...data }, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v))}\n`);
const logger = consoleLogger({ level: process.env.DOORSTEP_LOG === "debug" ? "debug" : "info" });
const until = async (what: string, test: () => boolean | Promise<boolean>, ms = 15_000): Promise<void> => {
  await eventually(what, test, { timeoutMs: ms, everyMs: 100 });
};
const statusOf = (error: unknown) => (error as { code?: number }).code ?? String(error);
const failureOf = async (run: () => Promise<unknown>) => {
  try {
    await run();
    return "accepted";
  } catch (e) {
    return statusOf(e);
  }
};

async function main(): Promise<void> {
  const storageDir = makeTempDir("doorstep-matter-life-");
  const home = await startSimulatedHome({ doors: 1, cameras: true, video: "ffmpeg" });
  const cleanups: (() => Promise<void>)[] = [async () => removeTempDir(storageDir), () => home.stop()];
  try {
    const bridgeConfig = home.bridgeConfig();
    const config = validateConfig({
      name: "Doorstep test",
      ...bridgeConfig,
      doors: (bridgeConfig.doors as Record<string, unknown>[]).map((d) => ({ ...d, preRollSeconds: 1, postRollSeconds: 1 })),
      delivery: { timeZone: "Europe/Berlin" },
      api: { host: "127.0.0.1", port: 0 },
      matter: { enabled: true, port: 0 },
    });
    const bridgeUp = async (port = 0) => {
      const c = { ...config, matter: { ...config.matter, port } };
      const runtime = await createBridge({ config: c, storageDir, logger, api: false, matter: false, pairingWindowSeconds: 1 });
      await runtime.start();
      const probeStore = openStore({ storageDir, clock: systemClock });
      try {
        const matter = await startMatterBridge({
          delivery: runtime.delivery,
          config: c,
          storageDir,
          logger,
          keypad: slotTableProbe(probeStore.slots),
          mirrorIntervalMs: 500,
          keypadDeadlineMs: 10_000,
        });
        return {
          runtime,
          matter,
          async down() {
            await matter.stop();
            await runtime.stop();
            probeStore.close();
          },
        };
      } catch (error) {
        await runtime.stop();
        probeStore.close();
        throw error;
      }
    };
    let bridge = await bridgeUp();
    cleanups.unshift(() => bridge.down());
    const controller = await ServerNode.create({ id: "controller", network: { port: 5550 } });
    cleanups.unshift(() => controller.close());
    await controller.start();
    const peer: ClientNode = await controller.peers.commission({ id: "bridge", pairingCode: bridge.matter.pairingCode, timeout: Seconds(30) });
    const walk = function* (ep: Endpoint): Generator<Endpoint> {
      yield ep;
      for (const p of ep.parts) yield* walk(p);
    };
    const lockEp = [...walk(peer as unknown as Endpoint)].find((e) => e.behaviors.supported.doorLock)!;
    const lock = lockEp.commandsOf(DoorLockClient);
    const delivery = () => bridge.runtime.delivery;
    const simLock = home.zigbee.lock("front");
    /** Names and statuses of the Matter users 1..24, as the controller reads them. */
    const userNames = async () => {
      const names: string[] = [];
      for (let i = 1; i <= 24; i++) {
        const u = await lock.getUser({ userIndex: i });
        if (u.userName !== null && u.userStatus !== null) names.push(`${u.userName}:${u.userStatus}`);
      }
      return names.sort();
    };
    await until("the camera records and the lock answers", () => delivery().door("front").camera.recording && delivery().door("front").lock.available, 30_000);

    // 1. Four codes made elsewhere (as the API makes them), one of them short-lived; each a Matter user.
    const now = Date.now();
    const make = (label: string, untilMs: number) =>
      delivery().credentials.create({ label, kind: "delivery", doors: ["front"], validFrom: new Date(now - 60_000).toISOString(), validUntil: new Date(untilMs).toISOString(), mode: "both" }, OWNER);
    const codes = { used: make("used", now + 3_600_000), revoked: make("revoked", now + 3_600_000), expiring: make("expiring", now + 15_000), kept: make("kept", now + 3_600_000) };
    await bridge.matter.syncUsers();
    const mirroredAtFirst = await userNames();

    // 2. The one-time code used up (a remote redemption), one revoked, one expired: the mirror follows, and never fails.
    const redeemed = await delivery().redeem({ doorId: "front", pin: codes.used.pin, actor: OWNER, source: "test" });
    if (redeemed.outcome === "unlocked") {
      await delivery().endVisit(redeemed.visitId, OWNER);
      await until("the visit closes", () => delivery().getVisit(redeemed.visitId, OWNER).state === "closed", 30_000);
    }
    const mirrorAfterUse = await failureOf(() => bridge.matter.syncUsers());
    const afterUse = await userNames();
    delivery().credentials.revoke(codes.revoked.credential.id, OWNER);
    const mirrorAfterRevoke = await failureOf(() => bridge.matter.syncUsers());
    const afterRevoke = await userNames();
    await until("the short code expires", () => !delivery().credentials.get(codes.expiring.credential.id, OWNER).live, 30_000);
    const mirrorAfterExpiry = await failureOf(() => bridge.matter.syncUsers());
    const afterExpiry = await userNames();
    out("lifecycle", { mirroredAtFirst, redeemed: redeemed.outcome, mirrorAfterUse, afterUse, mirrorAfterRevoke, afterRevoke, mirrorAfterExpiry, afterExpiry });

    // 3. A failed edit: a remote-only Matter user made keypad-capable while the lock takes no PIN. The command fails,
    //    and the guest keeps the code they had (same credential, still live, still remote).
    const walkerPin = "66228844";
    await lock.setUser({ operationType: DoorLock.DataOperationType.Add, userIndex: 20, userName: "walker", userUniqueId: null, userStatus: 1, userType: DoorLock.UserType.RemoteOnlyUser, credentialRule: 0 });
    const walkerSet = await lock.setCredential({
      operationType: 0,
      credential: { credentialType: 1, credentialIndex: 0 },
      credentialData: Bytes.fromString(walkerPin),
      userIndex: 20,
      userStatus: null,
      userType: null,
    });
    const before = delivery().credentials.check({ doorId: "front", pin: walkerPin, via: "remote", recording: true, lockAvailable: true }).credential;
    home.zigbee.faults.macNoAck(1000, { device: "front", command: "setPinCode" });
    const edit = await failureOf(() =>
      lock.setUser({ operationType: DoorLock.DataOperationType.Modify, userIndex: 20, userName: "walker", userUniqueId: null, userStatus: null, userType: DoorLock.UserType.UnrestrictedUser, credentialRule: null }),
    );
    home.zigbee.faults.clear();
    const after = delivery().credentials.check({ doorId: "front", pin: walkerPin, via: "remote", recording: true, lockAvailable: true });
    out("failed-edit", {
      walkerSet: walkerSet.status,
      edit,
      sameCredential: after.credential?.id === before?.id,
      live: after.credential?.live ?? false,
      mode: after.credential?.mode ?? null,
      decision: after.decision.outcome,
      userType: (await lock.getUser({ userIndex: 20 })).userType,
    });

    // 4. Restart on the same storage: the bridge comes up (crash recovery and the first mirror included), and the
    //    user list still follows the store.
    const port = bridge.matter.port;
    await bridge.down();
    cleanups.shift();
    let restartError: string | null = null;
    try {
      bridge = await bridgeUp(port);
      cleanups.unshift(() => bridge.down());
    } catch (error) {
      restartError = String(error);
      throw error;
    } finally {
      out("restart-start", { restartError });
    }
    await until("the controller reconnects", async () => {
      try {
        return (await lock.getUser({ userIndex: 20 })).userName === "walker";
      } catch {
        return false;
      }
    }, 30_000);
    delivery().credentials.revoke(codes.kept.credential.id, OWNER);
    const mirrorAfterRestart = await failureOf(() => bridge.matter.syncUsers());
    out("restarted", { mirrorAfterRestart, names: await userNames() });

    // 5. Matter's PIN check on LockDoor counts toward the wrong-PIN lockout; during the lockout the right PIN opens nothing.
    await until("the camera records and the lock answers", () => delivery().door("front").camera.recording && delivery().door("front").lock.available, 30_000);
    const guest = delivery().credentials.create({ label: "guest", kind: "guest", doors: ["front"], validFrom: new Date(Date.now() - 60_000).toISOString(), validUntil: new Date(Date.now() + 3_600_000).toISOString(), mode: "remote", pin: "58203716" }, OWNER);
    const wrongLocks: unknown[] = [];
    for (let i = 0; i < config.delivery.lockoutAttempts; i++) wrongLocks.push(await failureOf(() => lock.lockDoor({ pinCode: Bytes.fromString(`1357${String(2460 + i)}`) })));
    const unlocksBefore = simLock.commandsNamed("unlockDoor").length;
    const rightUnlock = await failureOf(() => lock.unlockDoor({ pinCode: Bytes.fromString(guest.pin) }));
    const rightLock = await failureOf(() => lock.lockDoor({ pinCode: Bytes.fromString(guest.pin) }));
    const api = await delivery().redeem({ doorId: "front", pin: guest.pin, actor: OWNER, source: "127.0.0.1" });
    out("lockout", { wrongLocks, rightUnlock, rightLock, api: api.outcome, simUnlocks: simLock.commandsNamed("unlockDoor").length - unlocksBefore });
  } finally {
    for (const c of cleanups) await c().catch((e: unknown) => out("cleanup-error", { error: String(e) }));
  }
  out("done");
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    out("error", { error: error instanceof Error ? `${error.message}\n${error.stack}` : String(error) });
    process.exit(1);
  },
);
