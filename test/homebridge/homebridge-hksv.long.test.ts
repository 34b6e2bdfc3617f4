// HomeKit Secure Video through the real `homebridge` binary with the built plugin, against `doorstep sim`: a code added
// as an Apple Home access code is typed on the emulated keypad, the guest's visit raises the camera accessory's motion
// sensor, and the recording is fetched over a real HomeKit Data Stream (the test hub of test/homekit/hds-test-client.ts)
// until the visit ends (relock) and the stream is flagged ended.
import { expect } from "chai";
import { execFile } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { PLATFORM_NAME } from "../../src/config/options.js";
import { eventually } from "../helpers/eventually.js";
import { startDoorstep, type RunningDoorstep } from "../helpers/ready-line.js";
import { useTempDir } from "../helpers/temp-dir.js";
import { OP, request, response } from "../homekit/access-code-wire.js";
import { HAP, TestController } from "../homekit/hap-test-client.js";
import { HdsTestClient, reassemble } from "../homekit/hds-test-client.js";
import { HKSV, selectedConfiguration } from "../homekit/hksv-wire.js";
import { freePort, startHomebridge, type RunningHomebridge } from "./homebridge-process.js";

const run = promisify(execFile);
const PIN = "031-45-154";
const GUEST_CODE = "482913";

describe("the real homebridge binary: a guest's visit recorded for HomeKit Secure Video", function () {
  this.timeout(240_000);
  const tmp = useTempDir({ prefix: "doorstep-hb-hksv-", per: "suite" });
  const hbDir = () => tmp.join("homebridge");
  const simConfigFile = () => tmp.join("sim-doorstep.json");
  let sim: RunningDoorstep<{ control: string }> | undefined;
  let homebridge: RunningHomebridge | undefined;
  let controller: TestController | undefined;
  let hds: HdsTestClient | undefined;
  let port = 0;

  const lock = async () => (await (await fetch(`${sim!.ready.control}/locks/front`)).json()) as { users: { pin: string }[]; lockState: number };

  before(async () => {
    sim = await startDoorstep<{ control: string }>(["sim", "--write-config", simConfigFile()], "DOORSTEP SIM READY", { timeoutMs: 60_000 });
    port = await freePort();
    const simConfig = JSON.parse(readFileSync(simConfigFile(), "utf8")) as { doors: Record<string, unknown>[] };
    // A visit that ends by itself soon: relock after 6 s, a short post-roll.
    const doors = simConfig.doors.map((d) => ({ ...d, relockAfterSeconds: 6, postRollSeconds: 1 }));
    mkdirSync(hbDir(), { recursive: true });
    writeFileSync(
      join(hbDir(), "config.json"),
      JSON.stringify({
        bridge: { name: "Doorstep HB HKSV", username: "0E:D0:05:7E:00:04", pin: PIN, port, bind: ["127.0.0.1"] },
        accessories: [],
        platforms: [{ platform: PLATFORM_NAME, name: "Doorstep", ...simConfig, doors, api: { port: 0 } }],
      }),
    );
    homebridge = startHomebridge(hbDir());
    await homebridge.waitForLog(`is running on port ${port}`, 90_000);
    await homebridge.waitForLog(/Running 1 door\(s\)/, 90_000);
    controller = await TestController.pair(port, PIN);
  });

  afterEach(function () {
    // Homebridge's log says why a recording stream was closed; show it with a failure.
    if (this.currentTest?.state === "failed") console.error(homebridge?.log().split("\n").slice(-40).join("\n"));
  });

  after(async () => {
    await hds?.close().catch(() => undefined);
    await controller?.close().catch(() => undefined);
    await homebridge?.stop();
    await sim?.stop();
  });

  it("Apple Home code → keypad → guest visit → motion sensor → recording over HDS, ended when the visit ends", async () => {
    const c = controller!;
    const controlPoint = await c.find(HAP.service.accessCode, HAP.char.accessCodeControlPoint);
    const added = response((await c.writeForResponse(controlPoint.id, request(OP.add, [{ code: GUEST_CODE }]))).value);
    expect(added.entries[0]!.status).to.equal(0);
    await eventually("the guest code on the lock", async () => (await lock()).users.some((u) => u.pin === GUEST_CODE), { timeoutMs: 30_000, everyMs: 100 });

    const selected = await c.find(HKSV.recordingManagement, HKSV.selectedRecordingConfiguration);
    const active = await c.find(HKSV.recordingManagement, HKSV.active);
    const motion = await c.find(HKSV.motionSensor, HKSV.motionDetected);
    const setup = await c.find(HKSV.dataStreamManagement, HKSV.setupDataStreamTransport);
    await c.write(selected.id, selectedConfiguration());
    await c.write(active.id, 1);
    await c.subscribe([motion.id]);

    // The visit needs the camera recording (the guest policy's gate), which the ring logs once frames reach disk.
    await homebridge!.waitForLog(/Front door: recording$/m, 60_000);
    const typed = (await (await fetch(`${sim!.ready.control}/locks/front/keypad`, { method: "POST", body: JSON.stringify({ pin: GUEST_CODE }) })).json()) as Record<string, unknown>;
    expect(JSON.stringify(typed)).to.not.match(/wrong|invalid|locked-out/i);
    await c.waitForEvent(motion.id, (v) => v === true || v === 1, 30_000);

    hds = await HdsTestClient.open(port, c.pairingData, setup.id);
    const open = await hds.request("dataSend", "open", { target: "controller", type: "ipcamera.recording", streamId: 7, reason: "motion" });
    expect(open.status, "DATA_SEND OPEN accepted").to.equal(0);
    // The visit relocks after 6 s; the motion sensor clears and the recording ends with its last fragment flagged.
    await c.waitForEvent(motion.id, (v) => v === false || v === 0, 60_000);
    await hds.waitFor((m) => m.protocol === "dataSend" && m.topic === "data" && m.message.endOfStream === true, 60_000);
    hds.sendEvent("dataSend", "ack", { streamId: 7, endOfStream: true });

    const pieces = reassemble(hds.received);
    expect(pieces[0]!.type).to.equal("mediaInitialization");
    expect(pieces.length, "init + fragments").to.be.at.least(2);
    const file = tmp.join("hb-recording.mp4");
    writeFileSync(file, Buffer.concat(pieces.map((p) => p.data)));
    const { stdout } = await run("ffprobe", ["-v", "error", "-select_streams", "v:0", "-show_entries", "stream=codec_name,width,height:frame=key_frame", "-of", "json", file], { maxBuffer: 64 * 1024 * 1024 });
    const probe = JSON.parse(stdout) as { streams: { codec_name: string; width: number; height: number }[]; frames: { key_frame: number }[] };
    expect(probe.streams[0]).to.include({ codec_name: "h264", width: 640, height: 360 });
    expect(probe.frames[0]!.key_frame).to.equal(1);
    // Recorded at 15 fps from the motion event until the relock 6 s after the unlock (plus what the ring had before).
    expect(probe.frames.length, "frames covering the visit").to.be.greaterThan(45);
    expect(homebridge!.log()).to.include("HomeKit Secure Video recording enabled");
    expect(homebridge!.log()).not.to.match(/generated a warning|not in required or optional|slow to respond|illegal value|unexpected error/i);
  });
});
