// Real, unmodified zigbee-herdsman 11 (adapter 'zstack', tcp://127.0.0.1:PORT) against the emulator, with
// zigbee-herdsman-converters identifying the simulated locks.
import { expect } from "chai";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Controller, Events } from "zigbee-herdsman";
import * as zhc from "zigbee-herdsman-converters";
import { EventSource, OperationEventCode, ZIGBEE_EPOCH_MS } from "../../../src/sim/zigbee/door-lock-cluster.js";
import { LOCK_PROFILES } from "../../../src/sim/zigbee/lock-profiles.js";
import type { ReceivedCommand } from "../../../src/sim/zigbee/simulated-lock.js";
import { type ZigbeeSim, startZigbeeSim } from "../../../src/sim/zigbee/zigbee-sim.js";
import { GOLDEN_CLIENT_TO_SERVER, goldenOperationEvent } from "./door-lock-golden.js";
import { eventually } from "../../helpers/eventually.js";
import { makeTempDir, removeTempDir } from "../../helpers/temp-dir.js";
import { stopSharedNetwork } from "../../zigbee/harness.js";
import { SIM_NETWORK, makeController, stopController, waitForInterviews, waitForMessage } from "./herdsman-harness.js";

type Device = NonNullable<ReturnType<Controller["getDeviceByIeeeAddr"]>>;
type Endpoint = NonNullable<ReturnType<Device["getEndpoint"]>>;

const golden = (name: string) => {
  const g = GOLDEN_CLIENT_TO_SERVER.find((x) => x.name === name);
  if (!g) throw new Error(`no golden vector ${name}`);
  return g;
};
const pin = (s: string) => Buffer.from(s, "ascii");

describe("sim/zigbee emulator driven by real zigbee-herdsman", function () {
  this.timeout(30_000);
  // Networks of their own, not the run's shared one (test/zigbee/harness.ts): these tests are about the emulator meeting
  // a bare herdsman Controller at start-up, join, interview and configure, and leave the network changed. herdsman's
  // database is process-wide, so the shared network (if an earlier file started it) is stopped first.
  before(stopSharedNetwork);

  describe("three locks on a resumed network", () => {
    let sim: ZigbeeSim;
    let ctl: Controller;
    let dir: string;
    let startResult: string;
    const devices = new Map<string, Device>();
    const ep = (id: string): Endpoint => {
      const lock = sim.lock(id);
      const e = devices.get(id)?.getEndpoint(lock.endpointId);
      if (!e) throw new Error(`no herdsman endpoint for ${id}`);
      return e;
    };
    /** Sends a command through herdsman and returns its response plus the frame the lock received. */
    async function sendAndCapture(id: string, command: string, payload: Record<string, unknown>): Promise<{ rsp: unknown; frame: ReceivedCommand }> {
      const lock = sim.lock(id);
      const received = lock.waitForCommand(command);
      // herdsman types payloads per command; this helper is generic over commands
      const send = ep(id).command.bind(ep(id)) as unknown as (c: string, cmd: string, p: unknown, o: object) => Promise<unknown>;
      const rsp = await send("closuresDoorLock", command, payload, {});
      return { rsp, frame: await received };
    }

    before(async () => {
      dir = makeTempDir("doorstep-zbsim-");
      sim = await startZigbeeSim({
        network: SIM_NETWORK,
        locks: [
          { id: "front", profile: "yale-assure" },
          { id: "back", profile: "kwikset-910" },
          { id: "side", profile: "schlage-be468" },
        ],
      });
      ctl = makeController(sim.url, dir);
      startResult = await ctl.start();
      const interviews = waitForInterviews(ctl, 3);
      await ctl.permitJoin(60);
      for (const e of await interviews) {
        expect(e.status, `interview of ${e.device.ieeeAddr}`).to.equal("successful");
        const lock = [...sim.locks.values()].find((l) => l.ieee === e.device.ieeeAddr);
        if (lock) devices.set(lock.id, e.device);
      }
      await ctl.permitJoin(0);
    });

    after(async () => {
      await stopController(ctl);
      await sim?.stop();
      if (dir) removeTempDir(dir);
    });

    it("starts resumed from the pre-formed NV, and every lock joins when herdsman permits joining", () => {
      expect(startResult).to.equal("resumed");
      expect([...devices.keys()].sort()).to.deep.equal(["back", "front", "side"]);
      for (const lock of sim.locks.values()) expect(lock.state().joined, lock.id).to.equal(true);
    });

    it("zigbee-herdsman-converters findByDevice identifies each profile as its real model", async () => {
      for (const [id, device] of devices) {
        const profile = LOCK_PROFILES[sim.lock(id).profile.key];
        expect(device.modelID, id).to.equal(profile.modelId);
        expect(device.manufacturerName, id).to.equal(profile.manufacturerName);
        expect(device.type, id).to.equal("EndDevice");
        const def = await zhc.findByDevice(device);
        expect(def?.model, id).to.equal(profile.expectedModel);
      }
    });

    it("the converters' configure() binds and sets up reporting; the bound lock sets its clock from herdsman's genTime", async () => {
      const coordinatorEp = ctl.getDevicesByType("Coordinator")[0]!.getEndpoint(1)!;
      for (const [id, device] of devices) {
        const def = await zhc.findByDevice(device);
        const clockSynced = new Promise<number>((r) => sim.lock(id).once("clockSynced", r));
        await def!.configure!(device, coordinatorEp, def!);
        const lock = sim.lock(id);
        expect(lock.commandsNamed("configReport").length, id).to.be.greaterThan(0);
        const local = await clockSynced;
        // herdsman serves localTime = UTC + zone (+ DST): compare with the host's own offset
        const expected = (Date.now() - ZIGBEE_EPOCH_MS) / 1000 - new Date().getTimezoneOffset() * 60;
        expect(Math.abs(local - expected), `${id} lock clock`).to.be.lessThan(10);
        expect(lock.received.some((c) => c.clusterId === 0x000a && c.name === "readRsp"), id).to.equal(true);
      }
      // ZDO unbind and bind again round-trip through the emulator to the lock's binding table
      const front = devices.get("front")!.getEndpoint(1)!;
      await front.unbind("genPowerCfg", coordinatorEp);
      await front.bind("genPowerCfg", coordinatorEp);
      expect(sim.coordinator.trace).to.include.members(["ZDO.bindReq", "ZDO.unbindReq"]);
    });

    it("lock/unlock: response status, lockState report and RF operation event reach herdsman; frames match the spec bytes", async () => {
      const report = waitForMessage(ctl, (m) => m.type === "attributeReport" && m.cluster === "closuresDoorLock" && (m.data as Record<string, unknown>).lockState === 2, 5000, "lockState report");
      const event = waitForMessage(ctl, (m) => m.type === "commandOperationEventNotification", 5000, "operation event");
      const { rsp, frame } = await sendAndCapture("front", "unlockDoor", { pincodevalue: Buffer.alloc(0) });
      expect(rsp).to.deep.equal({ status: 0 });
      expect((await report).device.ieeeAddr).to.equal(sim.lock("front").ieee);
      expect((await event).data).to.include({ opereventsrc: EventSource.RF, opereventcode: OperationEventCode.UNLOCK });
      expect(frame.raw.toString("hex")).to.equal(Buffer.from([0x11, frame.tsn, 0x01, 0x00]).toString("hex"));
      const locked = await sendAndCapture("front", "lockDoor", { pincodevalue: Buffer.alloc(0) });
      expect(locked.rsp).to.deep.equal({ status: 0 });
      expect(locked.frame.raw.toString("hex")).to.equal(golden("lockDoor(no pin)").bytes(locked.frame.tsn).toString("hex"));
      expect(sim.lock("front").state().lockState).to.equal(1);
    });

    it("herdsman's frames equal the hand-written golden vectors (setPinCode, year-day, week-day, user status, get/clear)", async () => {
      const cases: [string, string, Record<string, unknown>][] = [
        ["setPinCode(5, enabled, year-day, 246810)", "setPinCode", { userid: 5, userstatus: 1, usertype: 1, pincodevalue: pin("246810") }],
        ["setYearDaySchedule(0, 5, 849452400, 849697200)", "setYearDaySchedule", { scheduleid: 0, userid: 5, zigbeelocalstarttime: 849452400, zigbeelocalendtime: 849697200 }],
        ["setWeekDaySchedule(1, 5, Mon-Fri, 09:00-17:30)", "setWeekDaySchedule", { scheduleid: 1, userid: 5, daysmask: 0x3e, starthour: 9, startminute: 0, endhour: 17, endminute: 30 }],
        ["setUserStatus(5, disabled)", "setUserStatus", { userid: 5, userstatus: 3 }],
        ["getPinCode(5)", "getPinCode", { userid: 5 }],
        ["unlockDoor(pin 1234)", "unlockDoor", { pincodevalue: pin("1234") }],
        ["clearPinCode(5)", "clearPinCode", { userid: 5 }],
      ];
      for (const [vector, command, payload] of cases) {
        const { frame } = await sendAndCapture("front", command, payload);
        expect(frame.raw.toString("hex"), vector).to.equal(golden(vector).bytes(frame.tsn).toString("hex"));
      }
      // the lock's log never shows a PIN in decoded fields; only the raw bytes carry it
      expect(JSON.stringify(sim.lock("front").received.map((c) => c.fields))).not.to.include("246810");
    });

    it("PIN with a year-day schedule: set, read back, used at the keypad inside the window, cleared", async () => {
      const lock = sim.lock("front");
      const now = lock.state().lockClock.localTime!;
      const set = await sendAndCapture("front", "setPinCode", { userid: 7, userstatus: 1, usertype: 1, pincodevalue: pin("481516") });
      expect(set.rsp).to.deep.equal({ status: 0 });
      const sched = { scheduleid: 0, userid: 7, zigbeelocalstarttime: now - 60, zigbeelocalendtime: now + 3600 };
      expect(await ep("front").command("closuresDoorLock", "setYearDaySchedule", sched, {})).to.deep.equal({ status: 0 });
      expect(await ep("front").command("closuresDoorLock", "getYearDaySchedule", { scheduleid: 0, userid: 7 }, {})).to.deep.equal({ ...sched, status: 0 });
      expect(await ep("front").command("closuresDoorLock", "getPinCode", { userid: 7 }, {})).to.deep.include({ userid: 7, userstatus: 1, usertype: 1 });

      const event = waitForMessage(ctl, (m) => m.type === "commandOperationEventNotification" && (m.data as Record<string, unknown>).opereventsrc === 0, 5000, "keypad event");
      expect(lock.typeKeypadPin("481516")).to.deep.equal({ outcome: "unlocked", userId: 7 });
      const msg = await event;
      expect(msg.data).to.include({ opereventsrc: 0, opereventcode: 2, userid: 7 });
      // the frame the lock sent is the spec layout, and the converters decode it as a keypad unlock by slot 7
      const sent = lock.sent.filter((f) => f.commandId === 0x20).at(-1)!;
      const tsn = sent.raw[1]!;
      const localTime = sent.raw.readUInt32LE(sent.raw.length - 5);
      expect(sent.raw.toString("hex")).to.equal(goldenOperationEvent(tsn, 0, 2, 7, localTime).toString("hex"));
      const def = (await zhc.findByDevice(msg.device))!;
      const converted = convertWith(def, msg);
      expect(converted).to.include({ action: "unlock", action_user: 7, action_source_name: "keypad" });

      expect(await ep("front").command("closuresDoorLock", "clearPinCode", { userid: 7 }, {})).to.deep.equal({ status: 0 });
      expect(lock.state().users.find((u) => u.userId === 7)).to.equal(undefined);
      const failure = waitForMessage(ctl, (m) => m.type === "commandOperationEventNotification" && (m.data as Record<string, unknown>).opereventcode === 5, 5000, "failure event");
      expect(lock.typeKeypadPin("481516").outcome).to.equal("rejected");
      await failure;
    });

    it("a keypad use outside the schedule and a wrong PIN arrive as failure events", async () => {
      const lock = sim.lock("front");
      const now = lock.state().lockClock.localTime!;
      const stateBefore = lock.state().lockState;
      await ep("front").command("closuresDoorLock", "setPinCode", { userid: 8, userstatus: 1, usertype: 1, pincodevalue: pin("11223344") }, {});
      await ep("front").command("closuresDoorLock", "setYearDaySchedule", { scheduleid: 0, userid: 8, zigbeelocalstarttime: now + 3600, zigbeelocalendtime: now + 7200 }, {});
      const outside = waitForMessage(ctl, (m) => m.type === "commandOperationEventNotification" && (m.data as Record<string, unknown>).opereventcode === 6, 5000, "schedule failure");
      expect(lock.typeKeypadPin("11223344")).to.deep.equal({ outcome: "rejected", reason: "outside-schedule", userId: 8 });
      expect((await outside).data).to.include({ opereventsrc: 0, userid: 8 });
      const wrong = waitForMessage(ctl, (m) => m.type === "commandOperationEventNotification" && (m.data as Record<string, unknown>).opereventcode === 5, 5000, "wrong PIN event");
      expect(lock.typeKeypadPin("99999").outcome).to.equal("rejected");
      const w = await wrong;
      const def = (await zhc.findByDevice(w.device))!;
      expect(convertWith(def, w)).to.include({ action: "unlock_failure_invalid_pin_or_id", action_source_name: "keypad" });
      expect(lock.state().lockState).to.equal(stateBefore);
    });

    it("rejections reach the caller: Yale duplicate code 0x03, Kwikset schedules UNSUP_CLUSTER_COMMAND, Schlage masks PINs", async () => {
      expect(await ep("front").command("closuresDoorLock", "setPinCode", { userid: 20, userstatus: 1, usertype: 0, pincodevalue: pin("5050") }, {})).to.deep.equal({ status: 0 });
      expect(await ep("front").command("closuresDoorLock", "setPinCode", { userid: 21, userstatus: 1, usertype: 0, pincodevalue: pin("5050") }, {})).to.deep.equal({ status: 3 });
      expect(sim.lock("front").state().users.find((u) => u.userId === 21)).to.equal(undefined);
      const rsp = await ep("back").command("closuresDoorLock", "setYearDaySchedule", { scheduleid: 0, userid: 1, zigbeelocalstarttime: 1, zigbeelocalendtime: 2 }, {});
      expect(rsp).to.deep.equal({ cmdId: 0x0e, statusCode: 0x81 });
      expect(await ep("side").command("closuresDoorLock", "setPinCode", { userid: 3, userstatus: 1, usertype: 0, pincodevalue: pin("7531") }, {})).to.deep.equal({ status: 0 });
      const read = (await ep("side").command("closuresDoorLock", "getPinCode", { userid: 3 }, {})) as { pincodevalue: Buffer };
      expect(read.pincodevalue.toString()).to.equal("****");
      const attrs = await ep("back").read("closuresDoorLock", ["numOfPinUsersSupported", "numOfYearDaySchedulesSupportedPerUser", "numOfWeekDaySchedulesSupportedPerUser", "maxPinLen", "minPinLen"]);
      expect(attrs).to.deep.equal({ numOfPinUsersSupported: 30, numOfYearDaySchedulesSupportedPerUser: 0, numOfWeekDaySchedulesSupportedPerUser: 0, maxPinLen: 8, minPinLen: 4 });
    });

    it("requirePinForRfOperation written over the air makes a PIN-less unlock fail", async () => {
      await ep("side").write("closuresDoorLock", { requirePinForRfOperation: 1 }, {});
      expect(await ep("side").command("closuresDoorLock", "unlockDoor", { pincodevalue: Buffer.alloc(0) }, {})).to.deep.equal({ status: 1 });
      expect(sim.lock("side").state().lockState).to.equal(1);
      expect(await ep("side").command("closuresDoorLock", "unlockDoor", { pincodevalue: pin("7531") }, {})).to.deep.equal({ status: 0 });
      await ep("side").write("closuresDoorLock", { requirePinForRfOperation: 0 }, {});
      await ep("side").command("closuresDoorLock", "lockDoor", { pincodevalue: Buffer.alloc(0) }, {});
    });

    it("MAC no-ACK (0xE9) on the next frame: herdsman retries and the unlock lands once", async () => {
      const lock = sim.lock("front");
      const before = lock.commandsNamed("unlockDoor").length;
      sim.faults.macNoAck(1, { device: "front", command: "unlockDoor" });
      expect(await ep("front").command("closuresDoorLock", "unlockDoor", { pincodevalue: Buffer.alloc(0) }, {})).to.deep.equal({ status: 0 });
      expect(lock.commandsNamed("unlockDoor").length - before).to.equal(1);
      expect(sim.faults.applied.at(-1)).to.include({ kind: "mac-no-ack", device: "front" });
    });

    it("MAC transaction expired (0xF0) on the next 2 frames: herdsman's recovery (assoc table) then success", async () => {
      const lock = sim.lock("front");
      const before = lock.commandsNamed("lockDoor").length;
      const traceFrom = sim.coordinator.trace.length;
      sim.faults.transactionExpired(2, { device: "front", command: "lockDoor" });
      expect(await ep("front").command("closuresDoorLock", "lockDoor", { pincodevalue: Buffer.alloc(0) }, {})).to.deep.equal({ status: 0 });
      expect(lock.commandsNamed("lockDoor").length - before).to.equal(1);
      expect(sim.faults.applied.filter((f) => f.kind === "mac-transaction-expired")).to.have.length(2);
      expect(sim.coordinator.trace.slice(traceFrom), JSON.stringify(sim.coordinator.trace.slice(traceFrom))).to.include("UTIL.assocGetWithAddress");
      expect(lock.state().lockState).to.equal(1);
    });

    it("a lost response: the lock has already opened (its report arrives first) while herdsman retries the unlock", async () => {
      const lock = sim.lock("front");
      await ep("front").command("closuresDoorLock", "lockDoor", { pincodevalue: Buffer.alloc(0) }, {});
      const before = lock.commandsNamed("unlockDoor").length;
      sim.faults.responseLost(1, { device: "front", command: "unlockDoor" });
      let resolved = false;
      const report = waitForMessage(ctl, (m) => m.type === "attributeReport" && m.cluster === "closuresDoorLock" && (m.data as Record<string, unknown>).lockState === 2, 5000, "lockState report").then(() => resolved);
      const rsp = await ep("front").command("closuresDoorLock", "unlockDoor", { pincodevalue: Buffer.alloc(0) }, { timeout: 1000 });
      resolved = true;
      expect(rsp).to.deep.equal({ status: 0 });
      expect(await report, "the report came before the command resolved").to.equal(false);
      expect(lock.commandsNamed("unlockDoor").length - before, "herdsman resent the unlock").to.equal(2);
      await ep("front").command("closuresDoorLock", "lockDoor", { pincodevalue: Buffer.alloc(0) }, {});
    });

    it("two locks at once: parallel unlocks both land", async () => {
      const [a, b] = await Promise.all([
        ep("front").command("closuresDoorLock", "unlockDoor", { pincodevalue: Buffer.alloc(0) }, {}),
        ep("back").command("closuresDoorLock", "unlockDoor", { pincodevalue: Buffer.alloc(0) }, {}),
      ]);
      expect([a, b]).to.deep.equal([{ status: 0 }, { status: 0 }]);
      expect([sim.lock("front").state().lockState, sim.lock("back").state().lockState]).to.deep.equal([2, 2]);
      await Promise.all(["front", "back"].map((id) => ep(id).command("closuresDoorLock", "lockDoor", { pincodevalue: Buffer.alloc(0) }, {})));
    });

    it("leaving: herdsman's removeFromNetwork takes a lock off; a lock leaving on its own is announced as deviceLeave", async () => {
      const side = sim.lock("side");
      await devices.get("side")!.removeFromNetwork();
      expect(sim.coordinator.trace).to.include("ZDO.mgmtLeaveReq");
      await eventually("the side lock off the network", () => !side.state().joined);
      expect(ctl.getDeviceByIeeeAddr(side.ieee)).to.equal(undefined);
      // the back door leaves by itself
      const left = new Promise<string>((resolve) => ctl.once("deviceLeave", (e) => resolve(e.ieeeAddr)));
      sim.leave("back");
      expect(await left).to.equal(sim.lock("back").ieee);
      // and rejoins through a newly opened permit-join (autoJoin), interviewed again
      const again = waitForInterviews(ctl, 1);
      await ctl.permitJoin(30);
      expect((await again)[0]!.device.ieeeAddr).to.equal(sim.lock("back").ieee);
      await ctl.permitJoin(0);
      devices.set("back", ctl.getDeviceByIeeeAddr(sim.lock("back").ieee)!);
      expect(await ep("back").command("closuresDoorLock", "lockDoor", { pincodevalue: Buffer.alloc(0) }, {})).to.deep.equal({ status: 0 });
    });

    it("battery changes are reported as genPowerCfg batteryPercentageRemaining", async () => {
      const report = waitForMessage(ctl, (m) => m.type === "attributeReport" && m.cluster === "genPowerCfg", 5000, "battery report");
      sim.lock("back").setBattery(42);
      expect((await report).data).to.deep.equal({ batteryPercentageRemaining: 84 });
    });
  });

  describe("start-up: fresh commissioning, then resume from the NV file", () => {
    let dir: string;
    const stops: (() => Promise<void>)[] = [];
    after(async () => {
      for (const s of stops.reverse()) await s().catch(() => undefined);
      if (dir) removeTempDir(dir);
    });

    it("a blank coordinator is commissioned ('reset'); restarted from its NV file with the same config it resumes, lock and PINs intact", async () => {
      dir = makeTempDir("doorstep-zbsim-nv-");
      const nvFile = `${dir}/znp-nv.json`;
      const sim1 = await startZigbeeSim({ nvFile, locks: [{ id: "front", profile: "yale-assure" }] });
      stops.push(() => sim1.stop());
      const ctl1 = makeController(sim1.url, dir);
      stops.push(() => stopController(ctl1));
      expect(await ctl1.start()).to.equal("reset");
      expect(sim1.coordinator.trace).to.include("APP_CNF.bdbStartCommissioning");
      expect(sim1.coordinator.network()?.panId).to.equal(SIM_NETWORK.panID);
      const interviewed = waitForInterviews(ctl1, 1);
      await ctl1.permitJoin(60);
      expect((await interviewed)[0]!.status).to.equal("successful");
      const ieee = sim1.lock("front").ieee;
      const ep1 = ctl1.getDeviceByIeeeAddr(ieee)!.getEndpoint(1)!;
      expect(await ep1.command("closuresDoorLock", "setPinCode", { userid: 2, userstatus: 1, usertype: 0, pincodevalue: pin("2580") }, {})).to.deep.equal({ status: 0 });
      await stopController(ctl1);
      await sim1.stop();
      stops.length = 0;

      const sim2 = await startZigbeeSim({ nvFile, locks: [{ id: "front", profile: "yale-assure" }] });
      stops.push(() => sim2.stop());
      expect(sim2.lock("front").state().joined).to.equal(true);
      expect(sim2.lock("front").state().users.map((u) => [u.userId, u.pin])).to.deep.equal([[2, "2580"]]);
      const ctl2 = makeController(sim2.url, dir);
      stops.push(() => stopController(ctl2));
      expect(await ctl2.start()).to.equal("resumed");
      expect(sim2.coordinator.trace).not.to.include("APP_CNF.bdbStartCommissioning");
      const ep2 = ctl2.getDeviceByIeeeAddr(ieee)!.getEndpoint(1)!;
      expect(await ep2.command("closuresDoorLock", "unlockDoor", { pincodevalue: pin("2580") }, {})).to.deep.equal({ status: 0 });
      expect(sim2.lock("front").state().lockState).to.equal(2);
    });
  });

  describe("start-up: restore from herdsman's coordinator backup onto a blank coordinator", () => {
    let dir: string;
    const stops: (() => Promise<void>)[] = [];
    after(async () => {
      for (const s of stops.reverse()) await s().catch(() => undefined);
      if (dir) removeTempDir(dir);
    });

    it("the backup lists the joined lock (address manager table); a blank emulator is 'restored' to the same network", async () => {
      dir = makeTempDir("doorstep-zbsim-restore-");
      const sim1 = await startZigbeeSim({ network: SIM_NETWORK, locks: [{ id: "front", profile: "yale-assure" }] });
      stops.push(() => sim1.stop());
      const ctl1 = makeController(sim1.url, dir, { backup: true });
      stops.push(() => stopController(ctl1));
      expect(await ctl1.start()).to.equal("resumed");
      const interviewed = waitForInterviews(ctl1, 1);
      await ctl1.permitJoin(60);
      await interviewed;
      await stopController(ctl1); // writes the coordinator backup
      await sim1.stop();
      stops.length = 0;
      const backup = JSON.parse(readFileSync(join(dir, "coordinator_backup.json"), "utf8")) as { devices: { ieee_address: string }[]; pan_id: string };
      expect(backup.pan_id).to.equal(SIM_NETWORK.panID.toString(16));
      expect(backup.devices.map((d) => `0x${d.ieee_address}`)).to.include(sim1.lock("front").ieee);

      const sim2 = await startZigbeeSim({ locks: [] });
      stops.push(() => sim2.stop());
      expect(sim2.coordinator.network()).to.equal(undefined);
      const ctl2 = makeController(sim2.url, dir, { backup: true });
      stops.push(() => stopController(ctl2));
      expect(await ctl2.start()).to.equal("restored");
      const nw = sim2.coordinator.network()!;
      expect({ panId: nw.panId, channel: nw.channel, key: [...nw.networkKey] }).to.deep.equal({
        panId: SIM_NETWORK.panID,
        channel: SIM_NETWORK.channel,
        key: SIM_NETWORK.networkKey,
      });
    });
  });

  describe("host connection faults", () => {
    let sim: ZigbeeSim;
    let ctl: Controller;
    let dir: string;
    after(async () => {
      await stopController(ctl).catch(() => undefined);
      await sim?.stop();
      if (dir) removeTempDir(dir);
    });

    it("closing the socket makes herdsman emit 'adapterDisconnected'", async () => {
      dir = makeTempDir("doorstep-zbsim-close-");
      sim = await startZigbeeSim({ network: SIM_NETWORK, locks: [] });
      ctl = makeController(sim.url, dir);
      expect(await ctl.start()).to.equal("resumed");
      const disconnected = new Promise<void>((resolve) => ctl.once("adapterDisconnected", () => resolve()));
      sim.faults.closeSocket();
      await disconnected;
      expect(sim.coordinator.hostConnected).to.equal(false);
      expect(sim.faults.applied.at(-1)).to.include({ kind: "close-socket" });
    });
  });
});

/** Runs the definition's fromZigbee converters on a herdsman message, as Zigbee2MQTT does. */
function convertWith(def: Awaited<ReturnType<typeof zhc.findByDevice>>, msg: Events.MessagePayload): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const fz of def!.fromZigbee) {
    const types = Array.isArray(fz.type) ? fz.type : [fz.type];
    if (fz.cluster !== msg.cluster || !types.includes(msg.type as never)) continue;
    const convert = fz.convert as unknown as (...args: unknown[]) => Record<string, unknown> | undefined;
    Object.assign(out, convert(def, msg, () => undefined, {}, { state: {}, device: msg.device, deviceExposesChanged: () => undefined }) ?? {});
  }
  return out;
}
