// Apple Home's access codes through the real `homebridge` binary: the built plugin's lock accessory carries the Access
// Code service on Homebridge's own HAP bridge; hap-controller adds, lists and removes codes, which reach the keypad of
// `doorstep sim`'s emulated lock; a non-admin pairing is refused; identifiers survive a Homebridge restart.
import { expect } from "chai";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { PLATFORM_NAME } from "../../src/config/options.js";
import { eventually } from "../helpers/eventually.js";
import { startDoorstep, type RunningDoorstep } from "../helpers/ready-line.js";
import { useTempDir } from "../helpers/temp-dir.js";
import { OP, request, response } from "../homekit/access-code-wire.js";
import { HAP, TestController } from "../homekit/hap-test-client.js";
import { freePort, startHomebridge, type RunningHomebridge } from "./homebridge-process.js";

const PIN = "031-45-154";
const HAP_INSUFFICIENT_PRIVILEGES = -70401;

describe("the real homebridge binary: Apple Home access codes on the plugin's lock", function () {
  this.timeout(240_000);
  const tmp = useTempDir({ prefix: "doorstep-hb-codes-", per: "suite" });
  const hbDir = () => tmp.join("homebridge");
  const simConfigFile = () => tmp.join("sim-doorstep.json");
  let sim: RunningDoorstep<{ control: string }> | undefined;
  let homebridge: RunningHomebridge | undefined;
  let controller: TestController | undefined;
  let port = 0;
  let controlPoint = "";

  const keypadPins = async () => ((await (await fetch(`${sim!.ready.control}/locks/front`)).json()) as { users: { pin: string }[] }).users.map((u) => u.pin);
  const send = async (op: number, entries: { id?: number; code?: string }[] = []) => {
    const answer = await controller!.writeForResponse(controlPoint, request(op, entries));
    expect(answer.status ?? 0, "HAP status").to.equal(0);
    return response(answer.value);
  };
  async function startAndWait(): Promise<void> {
    homebridge = startHomebridge(hbDir());
    await homebridge.waitForLog(`is running on port ${port}`, 90_000);
    await homebridge.waitForLog(/Running 1 door\(s\)/, 90_000);
  }

  before(async () => {
    sim = await startDoorstep<{ control: string }>(["sim", "--no-cameras", "--write-config", simConfigFile()], "DOORSTEP SIM READY", { timeoutMs: 60_000 });
    port = await freePort();
    const simConfig = JSON.parse(readFileSync(simConfigFile(), "utf8")) as Record<string, unknown>;
    mkdirSync(hbDir(), { recursive: true });
    writeFileSync(
      join(hbDir(), "config.json"),
      JSON.stringify({
        bridge: { name: "Doorstep HB Codes", username: "0E:D0:05:7E:00:03", pin: PIN, port, bind: ["127.0.0.1"] },
        accessories: [],
        platforms: [{ platform: PLATFORM_NAME, name: "Doorstep", ...simConfig, api: { port: 0 } }],
      }),
    );
  });

  after(async () => {
    await controller?.close().catch(() => undefined);
    await homebridge?.stop();
    await sim?.stop();
  });

  it("adds a code from the admin controller: it reaches the emulated keypad and is listed by identifier", async () => {
    await startAndWait();
    controller = await TestController.pair(port, PIN);
    controlPoint = (await controller.find(HAP.service.accessCode, HAP.char.accessCodeControlPoint)).id;
    const added = await send(OP.add, [{ code: "482913" }]);
    expect(added).to.deep.equal({ op: OP.add, entries: [{ id: 1, code: "482913", flags: 0, status: 0 }] });
    await eventually("PIN 482913 on the keypad", async () => (await keypadPins()).includes("482913"), { timeoutMs: 30_000, everyMs: 100 });
    expect((await send(OP.list)).entries).to.deep.equal([{ id: 1, flags: 0, status: 0 }]);
    expect(homebridge!.log()).to.include("[Doorstep] Front door: Apple Home added access code 1.").and.not.include("482913");
  });

  it("refuses the same write from a controller paired without admin rights", async () => {
    const guest = await controller!.addController(port, false);
    try {
      const answer = await guest.writeForResponse(controlPoint, request(OP.add, [{ code: "915372" }]));
      expect(answer.status).to.equal(HAP_INSUFFICIENT_PRIVILEGES);
    } finally {
      await guest.close();
    }
    expect(await keypadPins()).to.not.include("915372");
  });

  it("keeps the identifier across a Homebridge restart, and a removed code leaves the keypad", async () => {
    const pairing = controller!.pairingData;
    await controller!.close();
    controller = undefined;
    expect(await homebridge!.stop()).to.equal(0);
    await startAndWait();
    controller = TestController.connect(port, pairing);
    expect((await send(OP.list)).entries).to.deep.equal([{ id: 1, flags: 0, status: 0 }]);
    expect((await send(OP.remove, [{ id: 1 }])).entries).to.deep.equal([{ id: 1, flags: 0, status: 0 }]);
    await eventually("PIN 482913 gone from the keypad", async () => !(await keypadPins()).includes("482913"), { timeoutMs: 30_000, everyMs: 100 });
    expect((await send(OP.list)).entries).to.deep.equal([]);
  });
});
