// A lock that stops answering must read "No Response" in HomeKit, not its last state; a jammed one reads JAMMED.
// The real delivery service and a real HAP session; the lock is the delivery tests' double (a dependency).
import { expect } from "chai";
import { TestClock } from "../../src/access/test-clock.js";
import { DoorId } from "../../src/access/ids.js";
import { validateConfig } from "../../src/config/validate-config.js";
import { MemoryLogger } from "../../src/core/logger.js";
import { DeliveryService } from "../../src/delivery/delivery-service.js";
import { loadHap } from "../../src/homekit/hap-module.js";
import { startStandaloneBridge, type StandaloneBridge } from "../../src/homekit/standalone-bridge.js";
import { openStore, type Store } from "../../src/store/store.js";
import { TestLockDriver } from "../../src/zigbee/test-lock-driver.js";
import { useTempDir } from "../helpers/temp-dir.js";
import { HAP, SERVICE_COMMUNICATION_FAILURE, sharedHapStorageDir, TestController } from "./hap-test-client.js";

describe("HomeKit lock: an unreachable lock reads No Response, a jammed one JAMMED", function () {
  this.timeout(30_000);
  const tmp = useTempDir({ prefix: "doorstep-homekit-nr-", per: "suite" });
  const clock = new TestClock(Date.parse("2026-12-02T10:00:00Z"));
  const lock = new TestLockDriver({ clock });
  let store: Store | undefined;
  let service: DeliveryService | undefined;
  let bridge: StandaloneBridge | undefined;
  let controller: TestController | undefined;
  let current = "";
  let target = "";

  before(async () => {
    store = openStore({ storageDir: tmp.join("store"), clock });
    const config = validateConfig({ zigbee: { port: "tcp://127.0.0.1:9" }, doors: [{ id: "front", name: "Front door", lock: { ieee: "0x0000000000000001" } }] });
    service = new DeliveryService({
      store,
      clock,
      settings: { ...config.delivery, timeZone: "UTC" },
      syncKeypads: false,
      doors: [{ id: DoorId("front"), name: "Front door", relockAfterSeconds: 30, preRollSeconds: 0, postRollSeconds: 0, driver: lock }],
    });
    await service.start();
    bridge = await startStandaloneBridge({
      config, storageDir: tmp.path, delivery: service, cameraFeeds: new Map(), logger: new MemoryLogger(),
      hap: await loadHap(), port: 0, bind: ["127.0.0.1"], hapStorageDir: sharedHapStorageDir(),
    });
    controller = await TestController.pair(bridge.port, bridge.setupCode);
    current = (await controller.find(HAP.service.lockMechanism, HAP.char.lockCurrentState)).id;
    target = (await controller.find(HAP.service.lockMechanism, HAP.char.lockTargetState)).id;
    await controller.subscribe([current]);
  });

  after(async () => {
    await controller?.close();
    await bridge?.stop();
    await service?.stop();
    store?.close();
  });

  it("reads secured while the lock confirms locked", async () => {
    expect(await controller!.read(current)).to.deep.include({ value: 1 });
  });

  it("jammed → JAMMED (2), pushed as an event", async () => {
    lock.report("jammed");
    await controller!.waitForEvent(current, (v) => v === 2);
    expect(await controller!.read(current)).to.deep.include({ value: 2 });
    lock.report("locked");
    await controller!.waitForEvent(current, (v) => v === 1);
  });

  it("unreachable → UNKNOWN pushed, and reads fail with 'service communication failure' instead of a stale 'secured'", async () => {
    controller!.events.length = 0;
    lock.available = false;
    lock.events.emit("availability", { available: false, at: clock.now() });
    await controller!.waitForEvent(current, (v) => v === 3);
    expect((await controller!.read(current)).status).to.equal(SERVICE_COMMUNICATION_FAILURE);
    expect((await controller!.read(target)).status).to.equal(SERVICE_COMMUNICATION_FAILURE);

    lock.available = true;
    lock.events.emit("availability", { available: true, at: clock.now() });
    await controller!.waitForEvent(current, (v) => v === 1);
    expect(await controller!.read(current)).to.deep.include({ value: 1 });
  });

  it("a write the lock refuses answers 'service communication failure' and the state stays secured", async () => {
    lock.unlockAnswers.push("reject");
    const failed = await controller!.write(target, 0).then(() => undefined, (e: { hapStatus?: number }) => e);
    expect(failed?.hapStatus).to.equal(SERVICE_COMMUNICATION_FAILURE);
    expect(await controller!.read(current)).to.deep.include({ value: 1 });
  });
});
