// Doorstep's Zigbee2MQTT lock driver against a real Zigbee2MQTT (its own zigbee-herdsman on the Z-Stack emulator)
// and a real Mosquitto: the Yale-like, Kwikset-like and PIN-masking (Schlage-like) profiles.
import { expect } from "chai";
import { DeviceRejectedError, DeviceUnreachableError, ValidationError } from "../../src/core/errors.js";
import type { OperationEvent, ProgrammingEvent } from "../../src/zigbee/lock-driver.js";
import { eventually } from "../helpers/eventually.js";
import { startZ2mHarness, type Z2mHarness } from "./harness.js";

const LOCKED = 1;
const UNLOCKED = 2;

describe("Zigbee2MQTT lock driver: real Zigbee2MQTT + Mosquitto + the Z-Stack emulator", function () {
  this.timeout(120_000);
  let h: Z2mHarness;

  before(async () => {
    h = await startZ2mHarness([
      { id: "yale", profile: "yale-assure" },
      { id: "kwikset", profile: "kwikset-910" },
      { id: "schlage", profile: "schlage-be468" },
    ]);
  });
  after(async () => h?.stop());

  it("finds each lock in Zigbee2MQTT's device list: identity, and the slot count from the device table (the exposes carry none)", async () => {
    const yale = await h.driver("yale");
    expect(yale.identity).to.include({ vendor: "Yale", model: "YRD226HA2619", supported: true, ieee: h.simLock("yale").ieee });
    expect(yale.capabilities).to.include({ pinSlots: 250, yearDaySchedules: 0, weekDaySchedules: 0 });
    const kwikset = await h.driver("kwikset");
    expect(kwikset.capabilities.pinSlots).to.equal(30);
    const schlage = await h.driver("schlage");
    expect(schlage.capabilities).to.include({ pinSlots: 30, masksPinsOnRead: true });
  });

  it("unlocks and locks, each confirmed by the lock's own report; a lock already there is confirmed by a fresh read", async () => {
    for (const id of ["yale", "kwikset"]) {
      const d = await h.driver(id);
      const sim = h.simLock(id);
      const before = sim.commandsNamed("unlockDoor").length;
      expect(await d.unlock({ deadlineMs: 10_000 })).to.deep.equal({ outcome: "confirmed", state: "unlocked" });
      expect(sim.state().lockState).to.equal(UNLOCKED);
      expect(sim.commandsNamed("unlockDoor")).to.have.length(before + 1);
      expect(await d.lock({ deadlineMs: 10_000 })).to.deep.equal({ outcome: "confirmed", state: "locked" });
      expect(sim.state().lockState).to.equal(LOCKED);
      // Locked already: no report would come, so the driver reads the state back rather than trust Zigbee2MQTT's cache.
      expect(await d.lock()).to.deep.equal({ outcome: "confirmed", state: "locked" });
    }
  });

  it("writes a PIN as a string (leading zeros survive), confirms it by a one-slot read-back, and clears it", async () => {
    const d = await h.driver("yale");
    const sim = h.simLock("yale");
    const reads = sim.commandsNamed("getPinCode").length;
    await d.setPin(4, "012345");
    expect(sim.state().users.find((u) => u.userId === 4)).to.include({ pin: "012345" });
    expect(await d.readSlot(4, "012345")).to.deep.equal({ slot: 4, status: "enabled", pinMatches: true });
    expect(await d.readSlot(4, "999999")).to.deep.equal({ slot: 4, status: "enabled", pinMatches: false });
    await d.clearPin(4);
    expect(sim.state().users.find((u) => u.userId === 4 && u.status !== 0)).to.equal(undefined);
    expect(await d.readSlot(4)).to.deep.equal({ slot: 4, status: "available" });
    // One read per write, clear or read asked for, of that slot only: never Zigbee2MQTT's read of every slot.
    const asked = sim.commandsNamed("getPinCode").slice(reads);
    expect(asked).to.have.length(5);
  });

  it("a masking lock: the write is confirmed by the slot's status; its read-back cannot compare codes", async () => {
    const d = await h.driver("schlage");
    await d.setPin(2, "24680");
    expect(h.simLock("schlage").state().users.find((u) => u.userId === 2)).to.include({ pin: "24680" });
    expect(await d.readSlot(2, "24680")).to.deep.equal({ slot: 2, status: "enabled" });
    await d.clearPin(2);
  });

  it("a refused PIN write (a duplicate in another slot) is DeviceRejectedError, without the PIN in the message", async () => {
    const d = await h.driver("yale");
    await d.setPin(7, "555123");
    const err = await d.setPin(8, "555123").then(() => undefined, (e: unknown) => e);
    expect(err).to.be.instanceOf(DeviceRejectedError);
    expect((err as Error).message).to.match(/slot 8 reads back available/).and.not.match(/555123/);
    await d.clearPin(7);
  });

  it("reports keypad unlocks with their slot, wrong codes, manual turns and programming at the keypad", async () => {
    const d = await h.driver("kwikset");
    const sim = h.simLock("kwikset");
    await d.lock();
    await d.setPin(3, "135790");
    const ops: OperationEvent[] = [];
    const prog: ProgrammingEvent[] = [];
    d.events.on("operation", (e) => ops.push(e));
    d.events.on("programming", (e) => prog.push(e));
    sim.typeKeypadPin("135790");
    await eventually("the keypad unlock event", () => ops.some((e) => e.kind === "unlock"));
    expect(ops.find((e) => e.kind === "unlock")).to.deep.include({ source: "keypad", slot: 3 });
    await eventually("the unlocked state", () => d.getState() === "unlocked");
    sim.typeKeypadPin("000000");
    await eventually("the wrong-PIN event", () => ops.some((e) => e.kind === "unlock-failure-invalid-pin"));
    expect(ops.find((e) => e.kind === "unlock-failure-invalid-pin")).to.deep.include({ source: "keypad" });
    sim.turnThumb("lock");
    await eventually("the locked state", () => d.getState() === "locked");
    sim.programPinAtKeypad(12, "86420");
    await eventually("the programming event of slot 12", () => prog.some((e) => e.kind === "pin-added" && e.slot === 12));
    d.events.removeAllListeners("operation");
    d.events.removeAllListeners("programming");
    await d.clearPin(12);
    await d.clearPin(3);
  });

  it("an unlock that misses its deadline is timed-out, not failed; when it lands, a lateUnlock event follows", async () => {
    const d = await h.driver("yale");
    const sim = h.simLock("yale");
    await d.lock();
    const late: unknown[] = [];
    d.events.on("lateUnlock", (e) => late.push(e));
    // The first two unlock frames expire in the coordinator's queue; Zigbee2MQTT's herdsman retries and lands one later.
    h.sim.faults.transactionExpired(2, { device: "yale", command: "unlockDoor" });
    expect(await d.unlock({ deadlineMs: 1_000 })).to.deep.equal({ outcome: "timed-out", state: "unknown" });
    await eventually("the late unlock", () => late.length === 1, { timeoutMs: 30_000 });
    expect(d.getState()).to.equal("unlocked");
    expect(sim.state().lockState).to.equal(UNLOCKED);
    d.events.removeAllListeners("lateUnlock");
    await d.lock();
  });

  it("rejects bad input and sends nothing", async () => {
    const d = await h.driver("kwikset");
    const sim = h.simLock("kwikset");
    const before = sim.received.length;
    for (const bad of [() => d.setPin(30, "1234"), () => d.setPin(1, "12"), () => d.setPin(1, "12a4"), () => d.setYearDaySchedule()]) {
      expect(await bad().then(() => undefined, (e: unknown) => e)).to.be.instanceOf(ValidationError);
    }
    expect(sim.received.length).to.equal(before);
  });

  it("follows a rename in Zigbee2MQTT, and addresses a lock configured by its friendly name", async () => {
    const byIeee = await h.driver("kwikset");
    await h.z2m.rename(h.simLock("kwikset").ieee, "Back door lock");
    await eventually("the renamed device", () => byIeee.friendlyName === "Back door lock");
    const byName = await h.driver("kwikset", { device: { kind: "friendly-name", name: "Back door lock" } });
    expect(await byName.unlock()).to.deep.include({ outcome: "confirmed" });
    await eventually("the unlocked state by IEEE", () => byIeee.getState() === "unlocked");
    expect(await byIeee.lock()).to.deep.include({ outcome: "confirmed" });
  });

  it("the broker drops every connection: unavailable, nothing sent meanwhile, and back in service once it returns", async () => {
    const d = await h.driver("yale");
    const sim = h.simLock("yale");
    await h.broker.stop();
    await eventually("the driver unavailable", () => !d.isAvailable());
    const before = sim.commandsNamed("unlockDoor").length;
    expect(await d.unlock().then(() => undefined, (e: unknown) => e)).to.be.instanceOf(DeviceUnreachableError);
    await h.broker.start();
    await eventually("the driver available again", () => d.isAvailable(), { timeoutMs: 30_000 });
    expect(sim.commandsNamed("unlockDoor")).to.have.length(before);
    expect(await d.unlock({ deadlineMs: 10_000 })).to.deep.include({ outcome: "confirmed" });
    expect(await d.lock({ deadlineMs: 10_000 })).to.deep.include({ outcome: "confirmed" });
  });

  it("Zigbee2MQTT restarts: unavailable while it is down (bridge/state offline), then the lock works again", async () => {
    const d = await h.driver("kwikset");
    await h.z2m.stop();
    await eventually("the driver unavailable", () => !d.isAvailable());
    expect(await d.unlock().then(() => undefined, (e: unknown) => e)).to.be.instanceOf(DeviceUnreachableError);
    await h.z2m.start();
    await eventually("the driver available again", () => d.isAvailable(), { timeoutMs: 30_000 });
    expect(await d.unlock({ deadlineMs: 10_000 })).to.deep.include({ outcome: "confirmed" });
    expect(h.simLock("kwikset").state().lockState).to.equal(UNLOCKED);
    expect(await d.lock({ deadlineMs: 10_000 })).to.deep.include({ outcome: "confirmed" });
  });

  it("a lock that leaves the network drops out of Zigbee2MQTT's device list: unavailable, and nothing is sent to it", async () => {
    const d = await h.driver("schlage");
    const events: boolean[] = [];
    d.events.on("availability", (e) => events.push(e.available));
    h.sim.leave("schlage");
    await eventually("the driver unavailable", () => !d.isAvailable(), { timeoutMs: 30_000 });
    expect(events).to.deep.equal([false]);
    expect(await d.unlock().then(() => undefined, (e: unknown) => e)).to.be.instanceOf(DeviceUnreachableError);
  });

  it("never logs a PIN", () => {
    for (const pin of ["012345", "24680", "555123", "135790", "86420"]) expect(h.logger.text()).to.not.contain(pin);
  });
});
