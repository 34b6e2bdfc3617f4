// One logger per door: what the delivery flow, the lock driver and the camera say about a door all carry the door's
// name as their prefix ("Front door: ..."), never its id ("front: ...") or a name of their own.
import { expect } from "chai";
import type { BridgeRuntime } from "../../src/bridge/bridge-runtime.js";
import { createBridge } from "../../src/bridge/create-bridge.js";
import { validateConfig } from "../../src/config/validate-config.js";
import { MemoryLogger } from "../../src/core/logger.js";
import { ownerVia } from "../../src/delivery/actor.js";
import { startSimulatedHome, type SimulatedHome } from "../../src/sim/simulated-home.js";
import { eventually } from "../helpers/eventually.js";
import { useTempDir } from "../helpers/temp-dir.js";

const OWNER = ownerVia("api");

describe("one logger per door", function () {
  this.timeout(90_000);
  const storage = useTempDir();
  let home: SimulatedHome | undefined;
  let runtime: BridgeRuntime | undefined;
  afterEach(async () => {
    await runtime?.stop();
    await home?.stop();
    runtime = undefined;
    home = undefined;
  });

  it("a visit's lines from the delivery flow, the lock driver and the camera carry the door's name", async () => {
    home = await startSimulatedHome({ doors: 1, cameras: true, video: "ffmpeg" });
    const simConfig = home.bridgeConfig();
    const config = validateConfig({ ...simConfig, delivery: { timeZone: "UTC", lockoutAttempts: 2 }, api: { host: "127.0.0.1", port: 0 } });
    const door = config.doors[0]!;
    const logger = new MemoryLogger();
    runtime = await createBridge({ config, storageDir: storage.path, logger, api: false, matter: false, pairingWindowSeconds: 1 });
    await runtime.start();
    const delivery = runtime.delivery;
    await eventually("the camera records and the lock answers", () => delivery.door(door.id).camera.recording && delivery.door(door.id).lock.available, { timeoutMs: 60_000 });

    // A visit, and a wrong-PIN lockout: the delivery flow turns the keypad off and says so.
    expect(await delivery.ownerUnlock(door.id, OWNER)).to.equal("unlocked");
    expect(await delivery.ownerLock(door.id, OWNER)).to.equal("locked");
    for (let i = 0; i < 2; i++) await delivery.redeem({ doorId: door.id, pin: "13579", actor: OWNER, source: "test" });
    await eventually("the keypad turned off", () => logger.lines.some((l) => /keypad off/i.test(l.message)));

    const lines = logger.lines.map((l) => l.message);
    const prefix = `${door.name}: `;
    expect(lines.filter((l) => l.startsWith(`${door.id}: `)), "lines under the door's id").to.deep.equal([]);
    const doorLines = lines.filter((l) => l.startsWith(prefix));
    expect(doorLines.some((l) => l.includes("Keypad off")), "the delivery flow").to.equal(true);
    expect(doorLines.some((l) => /Lock .* ready/.test(l)), "the lock driver").to.equal(true);
    expect(doorLines.some((l) => /camera .* ready/.test(l)), "the camera driver").to.equal(true);
    expect(doorLines.some((l) => l.includes("recording with")), "the recorder").to.equal(true);
  });
});
