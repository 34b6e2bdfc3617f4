// Issue 7 §5: with Matter enabled, the real `homebridge` binary runs Doorstep's Matter node inside the plugin process.
// In a private network namespace, a matter.js controller commissions it with the pairing code from Homebridge's log,
// unlocks the door of `doorstep sim`, and Homebridge then stops cleanly. The scenario runs in homebridge-matter-child.ts;
// each `it` checks what one step observed.
import { expect } from "chai";
import { fileURLToPath } from "node:url";
import { runInNamespace, type NamespaceRun } from "../helpers/netns.js";

const CHILD = fileURLToPath(new URL("./homebridge-matter-child.js", import.meta.url));
/** Matter DoorLock LockState and ZCL Door Lock LockState share the values: 1 locked, 2 unlocked. */
const LOCKED = 1;
const UNLOCKED = 2;
const UNLOCK_OPERATION = 1;
const REMOTE = 7;

describe("the real homebridge binary with Matter enabled (controller in a private network namespace)", function () {
  this.timeout(120_000);
  let run: NamespaceRun;
  const step = (name: string) => run.step(name);

  before(async () => {
    // Throws (fails, never skips) when `unshare -rn` is not available.
    run = await runInNamespace(CHILD, 100_000);
  });

  it("logs the Matter pairing code in Homebridge's log, and a controller commissions the plugin's node with it", () => {
    const announced = step("announced");
    expect(announced.pairingCode).to.match(/^\d{11}$/);
    expect(announced.qr).to.match(/^MT:/);
    expect(announced.port, "matter.port 0 → the port the node got").to.be.within(1, 65535);
    expect(announced.inHomebridgeProcess, "the Homebridge process itself holds the node's UDP port").to.equal(true);
    expect(announced.inSimProcess, "(the probe tells processes apart)").to.equal(false);
    expect(step("commissioned").lockEndpoint, "the bridged DoorLock sits below the aggregator").to.be.greaterThan(1);
  });

  it("reads the bridged DoorLock's lockState and unlocks the simulated Zigbee lock with UnlockDoor", () => {
    const s = step("unlocked");
    expect(s.simBefore, "the simulated lock starts locked").to.equal(LOCKED);
    expect(s.matterBefore, "and the Matter lock says so").to.equal(LOCKED);
    expect(s.simAfter, "the emulator's lock is unlocked").to.equal(UNLOCKED);
    expect(s.matterAfter).to.equal(UNLOCKED);
    expect(s.operation).to.include({ lockOperationType: UNLOCK_OPERATION, operationSource: REMOTE });
  });

  it("SIGTERM: Homebridge exits 0 by itself, leaving no process behind", () => {
    const s = step("stopped");
    expect(s.code, `exit 0, not Homebridge's forced exit\n${String(run.steps.get("homebridge-log")?.log)}`).to.equal(0);
    expect(s.stoppedLine).to.equal(true);
    expect(s.unhandled).to.equal(false);
    expect(s.matterPreempted, "the plugin set up matter.js in Homebridge's process before anything else did").to.equal(false);
    expect(s.descendants, "the camera recorder's ffmpeg ran under Homebridge").to.be.greaterThan(0);
    expect(s.stillAlive).to.deep.equal([]);
    expect(s.homebridgeAlive).to.equal(false);
    expect(s.matching).to.deep.equal([]);
    expect(step("done")).to.be.an("object");
    expect(run.steps.has("cleanup-error"), String(run.steps.get("cleanup-error")?.error)).to.equal(false);
    expect(run.code).to.equal(0);
  });
});
