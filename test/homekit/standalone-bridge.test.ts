// The standalone HomeKit bridge over real HAP: published on loopback, paired with hap-controller, driving the real
// delivery service on a real store, with real zigbee-herdsman talking to the project's Z-Stack emulator and its lock.
import { expect } from "chai";
import { readFileSync, statSync } from "node:fs";
import { systemClock } from "../../src/access/clock.js";
import { DoorId } from "../../src/access/ids.js";
import { validateConfig } from "../../src/config/validate-config.js";
import { MemoryLogger } from "../../src/core/logger.js";
import { ownerVia } from "../../src/delivery/actor.js";
import { DeliveryService } from "../../src/delivery/delivery-service.js";
import { IDENTITY_FILE } from "../../src/homekit/bridge-identity.js";
import { loadHap } from "../../src/homekit/hap-module.js";
import { startStandaloneBridge, type StandaloneBridge } from "../../src/homekit/standalone-bridge.js";
import { openStore, type Store } from "../../src/store/store.js";
import { eventually } from "../helpers/eventually.js";
import { useTempDir } from "../helpers/temp-dir.js";
import { startHarness, type Harness } from "../zigbee/harness.js";
import { HAP, sharedHapStorageDir, TestController, type CharRef } from "./hap-test-client.js";

const OWNER = ownerVia("api");
const RELOCK_S = 2;
/** ZCL Door Lock LockState attribute values. */
const ZCL_LOCKED = 1;
const ZCL_UNLOCKED = 2;

describe("standalone HomeKit bridge: hap-controller ↔ HAP ↔ delivery service ↔ herdsman ↔ Z-Stack emulator", function () {
  this.timeout(90_000);
  const tmp = useTempDir({ prefix: "doorstep-homekit-", per: "suite" });
  const logger = new MemoryLogger();
  let zigbee: Harness | undefined;
  let store: Store | undefined;
  let service: DeliveryService | undefined;
  let bridge: StandaloneBridge | undefined;
  let controller: TestController | undefined;
  const ids: Record<"current" | "target" | "lastAction" | "version" | "deliveries" | "pets" | "guest", CharRef> = {} as never;

  before(async () => {
    zigbee = await startHarness([{ id: "front", profile: "kwikset-910" }]);
    const driver = zigbee.driver("front");
    await driver.lock({ deadlineMs: 10_000 });
    await eventually("the lock to report locked", () => driver.getState() === "locked");
    store = openStore({ storageDir: tmp.join("store"), clock: systemClock });
    const config = validateConfig({
      name: "Doorstep Test",
      zigbee: { port: zigbee.sim.url },
      doors: [{ id: "front", name: "Front door", lock: { ieee: zigbee.simLock("front").ieee } }],
      delivery: { requireRecording: false, timeZone: "UTC" },
    });
    service = new DeliveryService({
      store,
      logger,
      settings: config.delivery,
      syncKeypads: false,
      timing: { unlockDeadlineMs: 8_000, lockDeadlineMs: 8_000, relockRetryDelayMs: 500 },
      doors: [{ id: DoorId("front"), name: "Front door", relockAfterSeconds: RELOCK_S, preRollSeconds: 0, postRollSeconds: 0, driver }],
    });
    await service.start();
    bridge = await startStandaloneBridge({
      config,
      storageDir: tmp.path,
      delivery: service,
      cameraFeeds: new Map(),
      logger,
      hap: await loadHap(),
      port: 0,
      bind: ["127.0.0.1"],
      hapStorageDir: sharedHapStorageDir(),
    });
    controller = await TestController.pair(bridge.port, bridge.setupCode);
    const c = controller;
    ids.current = await c.find(HAP.service.lockMechanism, HAP.char.lockCurrentState);
    ids.target = await c.find(HAP.service.lockMechanism, HAP.char.lockTargetState);
    ids.lastAction = await c.find(HAP.service.lockManagement, HAP.char.lockLastKnownAction);
    ids.version = await c.find(HAP.service.lockManagement, HAP.char.version);
    ids.deliveries = await c.find(HAP.service.switch, HAP.char.on, (x) => x.serviceName === "In-home deliveries");
    ids.pets = await c.find(HAP.service.switch, HAP.char.on, (x) => x.serviceName === "Pets home");
    ids.guest = await c.find(HAP.service.occupancySensor, HAP.char.occupancyDetected, (x) => x.serviceName === "Guest visit");
    await c.subscribe([ids.current.id, ids.target.id, ids.deliveries.id, ids.pets.id, ids.guest.id]);
  });

  after(async () => {
    await controller?.close();
    await bridge?.stop();
    await service?.stop();
    await zigbee?.stop();
    store?.close();
  });

  it("prints a setup code and an X-HM:// setup URI, and keeps the identity (mode 0600) under <storage>/homekit", () => {
    const identityFile = tmp.join("homekit", IDENTITY_FILE);
    const identity = JSON.parse(readFileSync(identityFile, "utf8")) as { username: string; pincode: string; setupId: string };
    expect(bridge!.setupCode).to.match(/^\d{3}-\d{2}-\d{3}$/).and.equal(identity.pincode);
    // X-HM:// + 9 base-36 digits of the payload + the 4-character setup id (HAP spec, Setup Payload).
    expect(bridge!.setupURI).to.match(/^X-HM:\/\/[0-9A-Z]{9}[0-9A-Z]{4}$/);
    expect(bridge!.setupURI.endsWith(identity.setupId)).to.equal(true);
    expect(statSync(identityFile).mode & 0o777).to.equal(0o600);
    expect(logger.text()).not.to.include(bridge!.setupCode);
  });

  it("reads the lock as secured, with LockManagement version 1.0", async () => {
    expect((await controller!.read(ids.current.id)).value).to.equal(1);
    expect((await controller!.read(ids.target.id)).value).to.equal(1);
    expect((await controller!.read(ids.version.id)).value).to.equal("1.0");
  });

  it("unlocks over HAP: the emulated lock opens, the unsecured event arrives, last known action 'unsecured remotely'; then locks again", async () => {
    const c = controller!;
    await c.write(ids.target.id, 0);
    await c.waitForEvent(ids.current.id, (v) => v === 0);
    expect(zigbee!.simLock("front").state().lockState).to.equal(ZCL_UNLOCKED);
    expect((await c.read(ids.current.id)).value).to.equal(0);
    expect((await c.read(ids.lastAction.id)).value).to.equal(7);

    c.events.length = 0;
    await c.write(ids.target.id, 1);
    await c.waitForEvent(ids.current.id, (v) => v === 1);
    expect(zigbee!.simLock("front").state().lockState).to.equal(ZCL_LOCKED);
    expect((await c.read(ids.lastAction.id)).value).to.equal(6);
  });

  it("reports the thumb-turn at the door as an event: unsecured physically", async () => {
    const c = controller!;
    c.events.length = 0;
    zigbee!.simLock("front").turnThumb("unlock");
    await c.waitForEvent(ids.current.id, (v) => v === 0);
    expect((await c.read(ids.lastAction.id)).value).to.equal(10);
    await zigbee!.driver("front").lock({ deadlineMs: 8_000 });
    await c.waitForEvent(ids.current.id, (v) => v === 1);
  });

  it("the switches change the delivery decision: pets home or deliveries paused → leave it outside; both clear → the door opens", async () => {
    const c = controller!;
    const { pin } = service!.credentials.create(
      { label: "Parcel courier", kind: "delivery", doors: ["front"], mode: "remote", requireRecording: false, validUntil: Date.now() + 3_600_000 },
      OWNER,
    );
    const redeem = () => service!.redeem({ doorId: "front", pin, actor: OWNER, source: "127.0.0.1" });

    await c.write(ids.pets.id, true);
    expect(service!.door("front").switches.petsHome).to.equal(true);
    const pets = await redeem();
    expect(pets).to.include({ outcome: "leave-outside", reason: "pets-home" });

    await c.write(ids.pets.id, false);
    await c.write(ids.deliveries.id, false);
    expect(service!.door("front").switches).to.deep.equal({ inHomeDeliveries: false, petsHome: false });
    const paused = await redeem();
    expect(paused).to.include({ outcome: "leave-outside", reason: "deliveries-paused" });

    // A change made elsewhere (the API) reaches HomeKit as an event.
    c.events.length = 0;
    service!.setSwitches("front", { inHomeDeliveries: true }, OWNER);
    await c.waitForEvent(ids.deliveries.id, (v) => v === true || v === 1);

    expect((await c.read(ids.guest.id)).value).to.equal(0);
    const opened = await redeem();
    expect(opened.outcome).to.equal("unlocked");
    await c.waitForEvent(ids.guest.id, (v) => v === 1);
    await c.waitForEvent(ids.current.id, (v) => v === 0);
    // Relocked after relockAfterSeconds and closed: the sensor goes off.
    await c.waitForEvent(ids.guest.id, (v) => v === 0, 20_000);
    expect((await c.read(ids.guest.id)).value).to.equal(0);
    expect((await c.read(ids.current.id)).value).to.equal(1);
    expect((await c.read(ids.lastAction.id)).value).to.equal(8);
  });

  it("restarts on the same storage with the same identity: the pairing still works and the accessory ids are kept", async () => {
    const before = await controller!.client.getAccessories();
    const pairing = controller!.pairingData;
    const { setupURI, setupCode } = bridge!;
    await controller!.close();
    controller = undefined;
    await bridge!.stop();
    bridge = await startStandaloneBridge({
      config: validateConfig({
        name: "Doorstep Test",
        zigbee: { port: zigbee!.sim.url },
        doors: [{ id: "front", name: "Front door", lock: { ieee: zigbee!.simLock("front").ieee } }],
        delivery: { requireRecording: false, timeZone: "UTC" },
      }),
      storageDir: tmp.path, delivery: service!, cameraFeeds: new Map(), logger,
      hap: await loadHap(), port: 0, bind: ["127.0.0.1"], hapStorageDir: sharedHapStorageDir(),
    });
    expect(bridge.setupURI).to.equal(setupURI);
    expect(bridge.setupCode).to.equal(setupCode);
    controller = TestController.connect(bridge.port, pairing);
    const after = await controller.client.getAccessories();
    const shape = (a: typeof before) => a.accessories.map((x) => ({ aid: x.aid, services: x.services.map((s) => `${s.iid}:${s.type}`) }));
    expect(shape(after)).to.deep.equal(shape(before));
    expect((await controller.read(ids.current.id)).value).to.equal(1);
  });
});
