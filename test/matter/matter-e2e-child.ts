// Runs inside a private network namespace (see test/helpers/netns.ts): the simulated home (Zigbee coordinator emulator with
// its lock, ONVIF camera, RTSP stream), the real bridge (createBridge: store, herdsman, recorder, DeliveryService) with
// our Matter node, and a matter.js controller that commissions it. Prints one JSON line per step: {"step", ...}.
// Never run outside a namespace: matter.js announces on every interface it finds.
import "../../src/matter/matter-process-config.js";
import { Bytes, Seconds, ServerNode } from "@matter/main";
import { DoorLockClient } from "@matter/main/behaviors/door-lock";
import { OccupancySensingClient } from "@matter/main/behaviors/occupancy-sensing";
import { DoorLock } from "@matter/main/clusters/door-lock";
import type { ClientNode, Endpoint } from "@matter/main";
import { createBridge } from "../../src/bridge/create-bridge.js";
import { validateConfig } from "../../src/config/validate-config.js";
import { consoleLogger } from "../../src/core/logger.js";
import { ownerVia } from "../../src/delivery/actor.js";
import { DeliveryService } from "../../src/delivery/delivery-service.js";
import { slotTableProbe, startMatterBridge } from "../../src/matter/index.js";
import { startSimulatedHome } from "../../src/sim/simulated-home.js";
import { openStore } from "../../src/store/store.js";
import { systemClock } from "../../src/access/clock.js";
import { instantToLocalSeconds } from "../../src/matter/lock-user-mapping.js";
import { eventually } from "../helpers/eventually.js";
import { makeTempDir, removeTempDir } from "../helpers/temp-dir.js";

const ZONE = "Europe/Berlin";
const out = (step: string, data: Record<string, unknown> = {}) =>
  process.stdout.write(`${JSON.stringify({ step, ...data }, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v))}\n`);
const logger = consoleLogger({ level: process.env.DOORSTEP_LOG === "debug" ? "debug" : "info" });
const until = async (what: string, test: () => boolean | Promise<boolean>, ms = 15_000): Promise<void> => {
  await eventually(what, test, { timeoutMs: ms, everyMs: 100 });
};
/** Whether `test` became true within `ms` (an observation the mocha test asserts on, not a failure here). */
const becomes = (test: () => boolean | Promise<boolean>, ms = 15_000) => until("", test, ms).then(() => true, () => false);
const statusOf = (error: unknown) => (error as { code?: number }).code ?? String(error);

async function main(): Promise<void> {
  const storageDir = makeTempDir("doorstep-matter-bridge-");
  const home = await startSimulatedHome({ doors: 1, cameras: true, video: "ffmpeg" });
  const cleanups: (() => Promise<void>)[] = [async () => removeTempDir(storageDir), () => home.stop()];
  try {
    const bridgeConfig = home.bridgeConfig();
    const baseConfig = validateConfig({
      name: "Doorstep test",
      ...bridgeConfig,
      doors: (bridgeConfig.doors as Record<string, unknown>[]).map((d) => ({ ...d, preRollSeconds: 2, postRollSeconds: 1 })),
      delivery: { timeZone: ZONE },
      api: { host: "127.0.0.1", port: 0 },
      matter: { enabled: true, port: 0 },
    });
    const bridgeUp = async (requirePinForRemoteOperation = false, port = 0) => {
      const config = { ...baseConfig, matter: { ...baseConfig.matter, port, requirePinForRemoteOperation } };
      const runtime = await createBridge({ config, storageDir, logger, api: false, matter: false, pairingWindowSeconds: 1 });
      await runtime.start();
      const probeStore = openStore({ storageDir, clock: systemClock });
      const matter = await startMatterBridge({ delivery: runtime.delivery, config, storageDir, logger, keypad: slotTableProbe(probeStore.slots), mirrorIntervalMs: 500 });
      return {
        runtime,
        matter,
        async down() {
          await matter.stop(); // the device closes before the controller (research: the reverse hangs)
          await runtime.stop();
          probeStore.close();
        },
      };
    };
    let bridge = await bridgeUp();
    cleanups.unshift(() => bridge.down());
    out("ready", { pairingCode: bridge.matter.pairingCode, qr: bridge.matter.qrPairingCode, port: bridge.matter.port });

    const controller = await ServerNode.create({ id: "controller", network: { port: 5550 } });
    cleanups.unshift(() => controller.close());
    await controller.start();
    const commissionStart = Date.now();
    const peer: ClientNode = await controller.peers.commission({ id: "bridge", pairingCode: bridge.matter.pairingCode, timeout: Seconds(30) });
    out("commissioned", { bridgeCommissioned: bridge.matter.commissioned(), ms: Date.now() - commissionStart });

    const walk = function* (ep: Endpoint): Generator<Endpoint> {
      yield ep;
      for (const p of ep.parts) yield* walk(p);
    };
    const endpoints = () => [...walk(peer as unknown as Endpoint)];
    const lockEp = endpoints().find((e) => e.behaviors.supported.doorLock)!;
    const visitEp = endpoints().find((e) => e.behaviors.supported.occupancySensing)!;
    out("endpoints", { count: endpoints().length, lock: lockEp?.number });
    const lock = lockEp.commandsOf(DoorLockClient);
    const operations: unknown[] = [];
    const errors: unknown[] = [];
    lockEp.eventsOf(DoorLockClient).lockOperation.on((ev) => void operations.push(ev));
    lockEp.eventsOf(DoorLockClient).lockOperationError.on((ev) => void errors.push(ev));
    const delivery = () => bridge.runtime.delivery;
    const seen: unknown[] = [];
    for (const name of ["visitStarted", "visitEnded", "refused", "alert"] as const) {
      delivery().events.on(name, (e: unknown) => void seen.push({
        name,
        via: (e as { visit?: { via: string } }).visit?.via,
        reason: (e as { reason?: string }).reason,
        message: (e as { message?: string }).message,
      }));
    }
    process.on("exit", () => out("delivery-events", { seen }));
    const simLock = home.zigbee.lock("front");

    // 1. A user with a PIN and a year-day schedule (local time in the configured zone, UNIX-seconds encoding).
    const pin = "482913";
    const now = Date.now();
    await lock.setUser({ operationType: DoorLock.DataOperationType.Add, userIndex: 1, userName: "courier", userUniqueId: 42, userStatus: DoorLock.UserStatus.OccupiedEnabled, userType: DoorLock.UserType.YearDayScheduleUser, credentialRule: DoorLock.CredentialRule.Single });
    const set = await lock.setCredential({
      operationType: DoorLock.DataOperationType.Add,
      credential: { credentialType: DoorLock.CredentialType.Pin, credentialIndex: 0 },
      credentialData: Bytes.fromString(pin),
      userIndex: 1,
      userStatus: null,
      userType: null,
    });
    const beforeSchedule = delivery().credentials.list(ownerVia("matter"), { doorId: "front" as never }).length;
    await lock.setYearDaySchedule({
      yearDayIndex: 1,
      userIndex: 1,
      localStartTime: instantToLocalSeconds(now - 60_000, ZONE),
      localEndTime: instantToLocalSeconds(now + 3_600_000, ZONE),
    });
    const stored = delivery().credentials.list(ownerVia("matter"), { doorId: "front" as never });
    out("user-created", {
      setCredentialStatus: set.status,
      credentialIndexAssigned: (await lock.getUser({ userIndex: 1 })).credentials?.[0]?.credentialIndex ?? null,
      credentialsBeforeSchedule: beforeSchedule,
      stored: stored.map((c) => ({ kind: c.kind, doors: c.doors, validFrom: c.validFrom, validUntil: c.validUntil, mode: c.mode, label: c.label })),
      expectedValidUntil: Math.floor((now + 3_600_000) / 1000) * 1000,
      simPins: simLock.state().users.filter((u) => u.pin !== undefined).length,
    });

    // 2. Duplicate PIN, malformed and out-of-range commands: the right status, and the store unchanged.
    const countBefore = delivery().credentials.list(ownerVia("matter"), { doorId: "front" as never, includeRevoked: true }).length;
    const dup = await lock.setCredential({
      operationType: DoorLock.DataOperationType.Add,
      credential: { credentialType: DoorLock.CredentialType.Pin, credentialIndex: 5 },
      credentialData: Bytes.fromString(pin),
      userIndex: null,
      userStatus: null,
      userType: null,
    });
    const letters = await lock.setCredential({ operationType: DoorLock.DataOperationType.Add, credential: { credentialType: DoorLock.CredentialType.Pin, credentialIndex: 6 }, credentialData: Bytes.fromString("12ab"), userIndex: null, userStatus: null, userType: null });
    let badWeekDay: unknown = "accepted";
    try {
      await lock.setWeekDaySchedule({ weekDayIndex: 1, userIndex: 1, daysMask: { monday: true }, startHour: 25, startMinute: 0, endHour: 26, endMinute: 0 });
    } catch (e) {
      badWeekDay = statusOf(e);
    }
    let badUser: unknown = "accepted";
    try {
      await lock.setUser({ operationType: DoorLock.DataOperationType.Add, userIndex: 999, userName: "x", userUniqueId: null, userStatus: null, userType: null, credentialRule: null });
    } catch (e) {
      badUser = statusOf(e);
    }
    const countAfter = delivery().credentials.list(ownerVia("matter"), { doorId: "front" as never, includeRevoked: true }).length;
    out("bad-input", { duplicate: dup.status, letters: letters.status, badWeekDay, badUser, countBefore, countAfter });

    // 3. Unlock with the PIN inside the window: delivery flow (recording first), the emulator's lock gets the unlock.
    await until("the camera records", () => delivery().door("front").camera.recording && delivery().door("front").lock.available, 30_000);
    const unlocksBefore = simLock.commandsNamed("unlockDoor").length;
    const unlockStart = Date.now();
    await lock.unlockDoor({ pinCode: Bytes.fromString(pin) });
    const unlockMs = Date.now() - unlockStart;
    const unlockedState = await becomes(() => lockEp.stateOf(DoorLockClient).lockState === DoorLock.LockState.Unlocked);
    const visits = delivery().listVisits(ownerVia("matter"), { doorId: "front" });
    const sensorDuring = await becomes(() => visitEp.stateOf(OccupancySensingClient).occupancy.occupied === true);
    const visit = visits[0]!;
    const unlockedOp = operations.at(-1);
    await delivery().endVisit(visit.id, ownerVia("matter"));
    const relockedState = await becomes(() => lockEp.stateOf(DoorLockClient).lockState === DoorLock.LockState.Locked);
    await until("the visit closes with its clip", () => delivery().getVisit(visit.id, ownerVia("matter")).state === "closed", 30_000);
    const sensorAfter = await becomes(() => visitEp.stateOf(OccupancySensingClient).occupancy.occupied === false);
    out("unlocked", {
      simUnlocks: simLock.commandsNamed("unlockDoor").length - unlocksBefore,
      visit: { via: visit.via, ofCredential: visit.credentialId === stored[0]?.id },
      clipParts: delivery().clipParts(visit.id, ownerVia("matter")).length,
      operation: unlockedOp,
      unlockMs,
      unlockedState,
      relockedState,
      sensorDuring,
      sensorAfter,
    });

    // 4. Wrong PIN; then the same PIN outside its window: refused, lockState unchanged, the lock not told to unlock.
    const unlocksMid = simLock.commandsNamed("unlockDoor").length;
    let wrong: unknown = "accepted";
    try {
      await lock.unlockDoor({ pinCode: Bytes.fromString("000000") });
    } catch (e) {
      wrong = statusOf(e);
    }
    await lock.setYearDaySchedule({
      yearDayIndex: 1,
      userIndex: 1,
      localStartTime: instantToLocalSeconds(now + 7_200_000, ZONE),
      localEndTime: instantToLocalSeconds(now + 10_800_000, ZONE),
    });
    let outside: unknown = "accepted";
    try {
      await lock.unlockDoor({ pinCode: Bytes.fromString(pin) });
    } catch (e) {
      outside = statusOf(e);
    }
    out("refused", {
      wrong,
      outside,
      lockState: (await lockEp.getStateOf(DoorLockClient)).lockState,
      simUnlocks: simLock.commandsNamed("unlockDoor").length - unlocksMid,
      errorEvents: await until("LockOperationError events", () => errors.length >= 2).then(() => errors.length, () => errors.length),
    });

    // 4b. The Zigbee lock does not answer: an owner unlock (no PIN) fails with a status, lockState stays Locked.
    const simUnlocksBeforeFault = simLock.commandsNamed("unlockDoor").length;
    home.zigbee.faults.macNoAck(1000, { device: "front" });
    let unreachable: unknown = "accepted";
    try {
      await lock.unlockDoor({});
    } catch (e) {
      unreachable = statusOf(e);
    }
    const lockStateAfter = (await lockEp.getStateOf(DoorLockClient)).lockState;
    out("unreachable", { unreachable, lockState: lockStateAfter, simLockState: simLock.state().lockState, simUnlocks: simLock.commandsNamed("unlockDoor").length - simUnlocksBeforeFault });
    home.zigbee.faults.clear();
    for (const v of delivery().listVisits(ownerVia("matter"), { doorId: "front", open: true })) await delivery().endVisit(v.id, ownerVia("matter"));
    await until("the lock answers again", () => delivery().door("front").lock.available, 30_000);

    // 5. A keypad unlock at the simulated lock with a code made through the credential service (as the API does):
    //    it appears as a Matter user, and the controller gets LockOperation (Keypad) with that user.
    const api = delivery().credentials.create({ label: "Cleaner", kind: "cleaning", doors: ["front"], validFrom: new Date(now - 60_000).toISOString(), validUntil: new Date(now + 3_600_000).toISOString(), pin: "731905" }, ownerVia("api"));
    let mirrored: { userIndex: number; userName: string | null; userType: number | null } | undefined;
    await until("the API credential as a Matter user", async () => {
      for (let i = 1; i <= 5; i++) {
        const u = await lock.getUser({ userIndex: i });
        if (u.userName === "Cleaner") mirrored = { userIndex: u.userIndex, userName: u.userName, userType: u.userType };
      }
      return mirrored !== undefined;
    });
    await until("the cleaner's PIN on the keypad", () => simLock.state().users.some((u) => u.pin === "731905"));
    const opsBefore = operations.length;
    simLock.typeKeypadPin("731905");
    await until("the keypad LockOperation", () => operations.slice(opsBefore).some((o) => (o as { operationSource: number }).operationSource === DoorLock.OperationSource.Keypad));
    const keypadOp = operations.slice(opsBefore).find((o) => (o as { operationSource: number }).operationSource === DoorLock.OperationSource.Keypad);
    const errorsBefore = errors.length;
    simLock.typeKeypadPin("24681357");
    const keypadRefusal = await becomes(() => errors.slice(errorsBefore).some((e) => (e as { operationSource: number }).operationSource === DoorLock.OperationSource.Keypad));
    out("keypad", { apiCredential: api.credential.id, mirrored, keypadOp, keypadRefusal, keypadError: errors.at(-1) });
    const open = delivery().listVisits(ownerVia("matter"), { doorId: "front", open: true });
    for (const v of open) await delivery().endVisit(v.id, ownerVia("matter"));

    const failureOf = async (run: () => Promise<unknown>) => {
      try {
        await run();
        return "accepted";
      } catch (e) {
        return statusOf(e);
      }
    };
    const closeOpenVisits = async () => {
      for (const v of delivery().listVisits(ownerVia("matter"), { doorId: "front", open: true })) await delivery().endVisit(v.id, ownerVia("matter"));
      await until("locked", () => lockEp.stateOf(DoorLockClient).lockState === DoorLock.LockState.Locked);
    };
    /** DisposableUser, RemoteOnlyUser, week-day schedules, operating modes and requirePinForRemoteOperation. */
    const enforcement = async () => {
      await until("the camera records", () => delivery().door("front").camera.recording && delivery().door("front").lock.available, 30_000);
      const noPin = await failureOf(() => lock.unlockDoor({}));
      // DisposableUser: one unlock, then refused, and the user is disabled.
      await lock.setUser({ operationType: 0, userIndex: 3, userName: "parcel", userUniqueId: null, userStatus: 1, userType: DoorLock.UserType.DisposableUser, credentialRule: 0 });
      const disposableSet = await lock.setCredential({ operationType: 0, credential: { credentialType: 1, credentialIndex: 0 }, credentialData: Bytes.fromString("55117733"), userIndex: 3, userStatus: null, userType: null });
      const disposableStored = delivery().credentials.list(ownerVia("matter"), { doorId: "front" as never }).find((c) => c.label === "parcel");
      const first = await failureOf(() => lock.unlockDoor({ pinCode: Bytes.fromString("55117733") }));
      await closeOpenVisits();
      const second = await failureOf(() => lock.unlockDoor({ pinCode: Bytes.fromString("55117733") }));
      const disposableStatus = (await lock.getUser({ userIndex: 3 })).userStatus;
      // RemoteOnlyUser with a week-day schedule: a remote-only credential with weekly windows; never on the keypad.
      await lock.setUser({ operationType: 0, userIndex: 4, userName: "walker", userUniqueId: null, userStatus: 1, userType: DoorLock.UserType.RemoteOnlyUser, credentialRule: 0 });
      await lock.setCredential({ operationType: 0, credential: { credentialType: 1, credentialIndex: 0 }, credentialData: Bytes.fromString("66228844"), userIndex: 4, userStatus: null, userType: null });
      await lock.setWeekDaySchedule({ weekDayIndex: 1, userIndex: 4, daysMask: { monday: true, wednesday: true }, startHour: 7, startMinute: 30, endHour: 9, endMinute: 0 });
      const remoteStored = delivery().credentials.list(ownerVia("matter"), { doorId: "front" as never }).find((c) => c.label === "walker");
      // Storing it scheduled a keypad sync pass for now (a 0 ms timer, armed before ours, so it starts first); once that
      // pass is over, a PIN the sync (wrongly) wrote would be on the lock.
      await new Promise((r) => setTimeout(r, 0));
      const service = delivery();
      if (!(service instanceof DeliveryService)) throw new Error("the bridge's delivery is not a DeliveryService");
      await service.keypadSyncIdle();
      const remoteOnKeypad = simLock.state().users.some((u) => u.pin === "66228844");
      // The API credential's PIN is a duplicate for Matter too.
      const apiDuplicate = (await lock.setCredential({ operationType: 0, credential: { credentialType: 1, credentialIndex: 0 }, credentialData: Bytes.fromString("731905"), userIndex: null, userStatus: null, userType: null })).status;
      // Operating mode NoRemoteLockUnlock: a valid PIN is refused remotely; Normal again afterwards.
      const unlocksBefore = simLock.commandsNamed("unlockDoor").length;
      await lockEp.setStateOf(DoorLockClient, { operatingMode: DoorLock.OperatingMode.NoRemoteLockUnlock });
      const inNoRemote = await failureOf(() => lock.unlockDoor({ pinCode: Bytes.fromString("731905") }));
      await lockEp.setStateOf(DoorLockClient, { operatingMode: DoorLock.OperatingMode.Normal });
      const simUnlocksInNoRemote = simLock.commandsNamed("unlockDoor").length - unlocksBefore;
      // The lock does not take the PIN (no answer to setPinCode): SetCredential fails and nothing is left behind.
      home.zigbee.faults.macNoAck(1000, { device: "front", command: "setPinCode" });
      await lock.setUser({ operationType: 0, userIndex: 5, userName: "rejected", userUniqueId: null, userStatus: 1, userType: 0, credentialRule: 0 });
      const rejectedSet = await failureOf(() => lock.setCredential({ operationType: 0, credential: { credentialType: 1, credentialIndex: 0 }, credentialData: Bytes.fromString("90817263"), userIndex: 5, userStatus: null, userType: null }));
      home.zigbee.faults.clear();
      const rejectedLive = delivery().credentials.list(ownerVia("matter"), { doorId: "front" as never }).filter((c) => c.label === "rejected" && c.live).length;
      const rejectedUserCredentials = (await lock.getUser({ userIndex: 5 })).credentials?.length ?? 0;
      return {
        rejectedSet,
        rejectedLive,
        rejectedUserCredentials,
        noPin,
        disposableSet: disposableSet.status,
        disposableStored: disposableStored ? { maxUses: disposableStored.maxUses, mode: disposableStored.mode } : null,
        first,
        second,
        disposableStatus,
        remoteStored: remoteStored ? { mode: remoteStored.mode, schedule: remoteStored.schedule } : null,
        remoteOnKeypad,
        apiDuplicate,
        inNoRemote,
        simUnlocksInNoRemote,
      };
    };

    // 6. Restart the bridge: the fabric and the users survive.
    const firstPort = bridge.matter.port;
    await bridge.down();
    cleanups.shift();
    bridge = await bridgeUp(true, firstPort); // the same port, as a configured one would be
    cleanups.unshift(() => bridge.down());
    await until("the controller reconnects", async () => {
      try {
        const u = await lock.getUser({ userIndex: 1 });
        return u.userName === "courier";
      } catch {
        return false;
      }
    }, 30_000);
    const afterRestart = await lock.getUser({ userIndex: 1 });
    const names: (string | null)[] = [];
    for (let i = 1; i <= 6; i++) names.push((await lock.getUser({ userIndex: i })).userName);
    out("restarted", { commissioned: bridge.matter.commissioned(), user1: afterRestart.userName, user1Credentials: afterRestart.credentials?.length ?? 0, names });

    // 6b. After the restart with requirePinForRemoteOperation: an unlock without a PIN is refused.
    const rp = await enforcement();
    out("enforcement", rp);

    // 6c. Clearing the mirrored API credential's user in Matter revokes the credential, and it stays gone.
    await lock.clearUser({ userIndex: mirrored!.userIndex });
    await bridge.matter.syncUsers();
    out("cleared-mirrored", {
      revoked: delivery().credentials.get(api.credential.id, ownerVia("api")).revokedAt !== undefined,
      userAfterSync: (await lock.getUser({ userIndex: mirrored!.userIndex })).userName,
    });

    // 7. Decommission: the bridge forgets the fabric.
    await peer.decommission();
    await until("the fabric is gone", () => !bridge.matter.commissioned(), 15_000);
    out("decommissioned", { commissioned: bridge.matter.commissioned() });
  } finally {
    for (const c of cleanups) await c().catch((e: unknown) => out("cleanup-error", { error: String(e) }));
  }
  out("done");
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    const causes = error instanceof AggregateError ? error.errors.map((e: unknown) => (e instanceof Error ? `${e.message} ${String((e as { cause?: unknown }).cause ?? "")}` : String(e))) : [];
    out("error", { error: error instanceof Error ? `${error.message}\n${error.stack}` : String(error), causes });
    process.exit(1);
  },
);
