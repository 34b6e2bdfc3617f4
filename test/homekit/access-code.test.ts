// Apple Home's access codes over real HAP: the standalone bridge published on loopback, paired and pair-verified with
// hap-controller, Access Code control point writes with write-response, driving the real delivery service on a real
// store, whose keypad sync programs the Z-Stack emulator's lock through real zigbee-herdsman.
import { expect } from "chai";
import { systemClock } from "../../src/access/clock.js";
import { CredentialId, DoorId } from "../../src/access/ids.js";
import { validateConfig } from "../../src/config/validate-config.js";
import { MemoryLogger } from "../../src/core/logger.js";
import { ownerVia } from "../../src/delivery/actor.js";
import { DeliveryService } from "../../src/delivery/delivery-service.js";
import { ACCESS_CODE_LABEL } from "../../src/homekit/access-code-binding.js";
import { loadHap } from "../../src/homekit/hap-module.js";
import { startStandaloneBridge, type StandaloneBridge } from "../../src/homekit/standalone-bridge.js";
import { openStore, type Store } from "../../src/store/store.js";
import { eventually } from "../helpers/eventually.js";
import { useTempDir } from "../helpers/temp-dir.js";
import { startHarness, type Harness } from "../zigbee/harness.js";
import { items, OP, request, response } from "./access-code-wire.js";
import { HAP, sharedHapStorageDir, TestController } from "./hap-test-client.js";

const API = ownerVia("api");
const HAP_INVALID_VALUE = -70410;
const HAP_INSUFFICIENT_PRIVILEGES = -70401;
describe("Access Code service: hap-controller ↔ HAP ↔ delivery service ↔ keypad sync ↔ Z-Stack emulator", function () {
  this.timeout(120_000);
  const tmp = useTempDir({ prefix: "doorstep-accesscode-", per: "suite" });
  const logger = new MemoryLogger();
  let zigbee: Harness | undefined;
  let store: Store | undefined;
  let service: DeliveryService | undefined;
  let bridge: StandaloneBridge | undefined;
  let controller: TestController | undefined;
  let guest: TestController | undefined;
  const ids = { controlPoint: "", supported: "", state: "" };
  let apiCredentialId = "";

  const config = () =>
    validateConfig({
      name: "Doorstep Test",
      zigbee: { port: zigbee!.sim.url },
      doors: [{ id: "front", name: "Front door", lock: { ieee: zigbee!.simLock("front").ieee } }],
      delivery: { requireRecording: false, timeZone: "UTC" },
    });

  async function start(): Promise<void> {
    store = openStore({ storageDir: tmp.join("store"), clock: systemClock });
    const cfg = config();
    service = new DeliveryService({
      store,
      logger,
      settings: cfg.delivery,
      timing: { unlockDeadlineMs: 8_000, lockDeadlineMs: 8_000, relockRetryDelayMs: 500 },
      doors: [{ id: DoorId("front"), name: "Front door", relockAfterSeconds: 2, preRollSeconds: 0, postRollSeconds: 0, driver: zigbee!.driver("front") }],
    });
    await service.start();
    bridge = await startStandaloneBridge({
      config: cfg,
      storageDir: tmp.path,
      delivery: service,
      cameraFeeds: new Map(),
      logger,
      hap: await loadHap(),
      port: 0,
      bind: ["127.0.0.1"],
      hapStorageDir: sharedHapStorageDir(),
    });
  }

  async function stop(): Promise<void> {
    await controller?.close();
    await guest?.close();
    controller = guest = undefined;
    await bridge?.stop();
    await service?.stop();
    store?.close();
  }

  async function findIds(c: TestController): Promise<void> {
    ids.controlPoint = (await c.find(HAP.service.accessCode, HAP.char.accessCodeControlPoint)).id;
    ids.supported = (await c.find(HAP.service.accessCode, HAP.char.accessCodeSupportedConfiguration)).id;
    ids.state = (await c.find(HAP.service.accessCode, HAP.char.configurationState)).id;
  }

  const send = async (op: number, entries: { id?: number; code?: string }[] = []) => {
    const answer = await controller!.writeForResponse(ids.controlPoint, request(op, entries));
    expect(answer.status ?? 0, "HAP status").to.equal(0);
    const decoded = response(answer.value);
    expect(decoded.op, "the response echoes the operation").to.equal(op);
    return decoded.entries;
  };
  const keypadPins = () => zigbee!.simLock("front").state().users.map((u) => u.pin);
  const stateValue = async () => (await controller!.read(ids.state)).value as number;

  before(async () => {
    zigbee = await startHarness([{ id: "front", profile: "kwikset-910" }]);
    await start();
    controller = await TestController.pair(bridge!.port, bridge!.setupCode);
    await findIds(controller);
    await controller.subscribe([ids.state]);
  });

  after(async () => {
    await stop();
    await zigbee?.stop();
  });

  it("advertises digits only, the lock's PIN lengths and the number of codes (Supported Configuration)", async () => {
    const { min, max } = service!.door("front").lock.pinLengths;
    const tlv = Buffer.from((await controller!.read(ids.supported)).value as string, "base64");
    expect(items(tlv).map(([t, v]) => [t, v[0]])).to.deep.equal([[1, 1], [2, min], [3, max], [4, 100]]);
  });

  it("lists a code made through the API by identifier, without its PIN", async () => {
    expect(await send(OP.list)).to.deep.equal([]);
    const { credential } = service!.credentials.create({ label: "Dog walker", kind: "pet-care", doors: ["front"], pin: "583920", validUntil: Date.now() + 86_400_000 }, API);
    apiCredentialId = credential.id;
    const listed = await send(OP.list);
    expect(listed).to.deep.equal([{ id: 1, flags: 0, status: 0 }]);
  });

  it("adds a code: a guest credential on this door reaches the keypad, and Configuration State is notified", async () => {
    const before = await stateValue();
    controller!.events.length = 0;
    const [added] = await send(OP.add, [{ code: "482913" }]);
    expect(added).to.deep.equal({ id: 2, code: "482913", flags: 0, status: 0 });
    const credential = service!.credentials.list(API, { doorId: DoorId("front") }).find((c) => c.label === ACCESS_CODE_LABEL)!;
    expect(credential).to.include({ kind: "guest", live: true });
    expect(credential.doors).to.deep.equal(["front"]);
    expect(credential.schedule).to.equal(undefined);
    expect(service!.credentials.check({ doorId: "front", pin: "482913", via: "keypad", recording: true, lockAvailable: true }).decision.outcome).to.equal("allowed");
    await eventually("PIN 482913 on the keypad", () => keypadPins().includes("482913"), { timeoutMs: 30_000 });
    await controller!.waitForEvent(ids.state, (v) => v !== before);
    expect(await stateValue()).to.not.equal(before);
    expect(logger.text()).to.include("Apple Home added access code 2").and.not.include("482913");
  });

  it("reads codes by identifier: known ones succeed, an unknown one is 'does not exist' (9)", async () => {
    expect(await send(OP.read, [{ id: 2 }, { id: 1 }, { id: 42 }])).to.deep.equal([
      { id: 2, flags: 0, status: 0 },
      { id: 1, flags: 0, status: 0 },
      { id: 42, flags: 0, status: 9 },
    ]);
  });

  it("refuses duplicate and invalid codes with their status, changing nothing", async () => {
    const count = () => service!.credentials.list(API).length;
    const before = count();
    const { max } = service!.door("front").lock.pinLengths;
    const answers = await send(OP.add, [{ code: "482913" }, { code: "583920" }, { code: "12a4" }, { code: "123" }, { code: "1".repeat(max + 1) }, { code: "1234" }]);
    expect(answers.map((a) => a.status)).to.deep.equal([4, 4, 7, 5, 6, 8]);
    expect(answers.every((a) => a.id === undefined)).to.equal(true);
    expect(count()).to.equal(before);
  });

  it("refuses a request that is not TLV of the Access Code layout with HAP 'invalid value', changing nothing", async () => {
    const answer = await controller!.writeForResponse(ids.controlPoint, Buffer.from([0x01, 0x01, 0x09]).toString("base64"));
    expect(answer.status).to.equal(HAP_INVALID_VALUE);
    expect(logger.text()).to.include("9 is not an operation");
  });

  it("updates a Home app code: same identifier, new PIN on the keypad, old PIN revoked; Doorstep's own codes cannot be changed", async () => {
    const [updated] = await send(OP.update, [{ id: 2, code: "739164" }]);
    expect(updated).to.deep.equal({ id: 2, code: "739164", flags: 0, status: 0 });
    expect(service!.credentials.check({ doorId: "front", pin: "482913", via: "keypad", recording: true, lockAvailable: true }).decision.outcome).to.equal("denied");
    expect(service!.credentials.check({ doorId: "front", pin: "739164", via: "keypad", recording: true, lockAvailable: true }).decision.outcome).to.equal("allowed");
    await eventually("PIN 739164 on the keypad in place of 482913", () => keypadPins().includes("739164") && !keypadPins().includes("482913"), { timeoutMs: 30_000 });
    expect((await send(OP.list)).map((e) => e.id)).to.deep.equal([1, 2]);
    const [refused] = await send(OP.update, [{ id: 1, code: "620481" }]);
    expect(refused).to.deep.equal({ id: 1, flags: 0, status: 8 });
    expect(service!.credentials.get(apiCredentialId, API).revokedAt).to.equal(undefined);
  });

  it("keeps identifiers and Configuration State across a restart of the bridge and the delivery service", async () => {
    const state = await stateValue();
    const pairing = controller!.pairingData;
    await stop();
    await start();
    controller = TestController.connect(bridge!.port, pairing);
    await findIds(controller);
    await controller.subscribe([ids.state]);
    expect(await stateValue()).to.equal(state);
    expect((await send(OP.list)).map((e) => e.id)).to.deep.equal([1, 2]);
  });

  it("removes a code: its credential is revoked and cleared from the keypad", async () => {
    expect(await send(OP.remove, [{ id: 2 }, { id: 77 }])).to.deep.equal([
      { id: 2, flags: 0, status: 0 },
      { id: 77, flags: 0, status: 9 },
    ]);
    expect(service!.credentials.list(API, { doorId: DoorId("front") }).map((c) => c.id)).to.deep.equal([apiCredentialId]);
    await eventually("PIN 739164 gone from the keypad", () => !keypadPins().includes("739164"), { timeoutMs: 30_000 });
    expect((await send(OP.list)).map((e) => e.id)).to.deep.equal([1]);
  });

  it("notifies Configuration State when a code changes elsewhere (revoked through the API), and drops it from the list", async () => {
    const before = await stateValue();
    controller!.events.length = 0;
    service!.credentials.revoke(CredentialId(apiCredentialId), API);
    await controller!.waitForEvent(ids.state, (v) => v !== before);
    expect(await send(OP.list)).to.deep.equal([]);
  });

  it("refuses a controller paired without admin rights: no list, no add, no configuration", async () => {
    guest = await controller!.addController(bridge!.port, false);
    const answer = await guest.writeForResponse(ids.controlPoint, request(OP.add, [{ code: "915372" }]));
    expect(answer.status).to.equal(HAP_INSUFFICIENT_PRIVILEGES);
    expect((await guest.read(ids.supported)).status).to.equal(HAP_INSUFFICIENT_PRIVILEGES);
    expect((await guest.read(ids.state)).status).to.equal(HAP_INSUFFICIENT_PRIVILEGES);
    expect(service!.credentials.list(API, { doorId: DoorId("front") })).to.deep.equal([]);
    // The same session may still use the lock itself: only the code management is admin-only.
    const current = await guest.find(HAP.service.lockMechanism, HAP.char.lockCurrentState);
    expect((await guest.read(current.id)).status ?? 0).to.equal(0);
  });
});
