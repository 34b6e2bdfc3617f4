// HomeKit Secure Video end to end as far as it can go without a home hub: the standalone bridge's camera accessory over
// real HAP (hap-controller, paired and verified), the recording configuration selected and recording activated by HAP
// writes, motion from the ONVIF camera simulator raising the accessory's motion sensor, and the recording fetched over a
// real HomeKit Data Stream connection (test/homekit/hds-test-client.ts) from the ring of Doorstep's DoorCamera recording
// the RTSP test server. The reassembled media is checked with ffprobe and by the wall-clock drawn into the frames.
import { expect } from "chai";
import { execFile } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { systemClock } from "../../src/access/clock.js";
import { TestClock } from "../../src/access/test-clock.js";
import { DoorId } from "../../src/access/ids.js";
import { DoorCamera } from "../../src/bridge/door-camera.js";
import { validateConfig } from "../../src/config/validate-config.js";
import { MemoryLogger, prefixed } from "../../src/core/logger.js";
import { ownerVia } from "../../src/delivery/actor.js";
import { DeliveryService } from "../../src/delivery/delivery-service.js";
import { loadHap } from "../../src/homekit/hap-module.js";
import { startStandaloneBridge, type StandaloneBridge } from "../../src/homekit/standalone-bridge.js";
import { readFrameClocks } from "../../src/sim/camera/rtsp-frame-clock.js";
import { startOnvifSimulator, type OnvifSimulator } from "../../src/sim/camera/onvif-simulator.js";
import { startRtspTestServer, type RtspTestServer } from "../../src/sim/camera/rtsp-test-server.js";
import { openStore, type Store } from "../../src/store/store.js";
import { decoded } from "../camera/recorder-harness.js";
import { TestLockDriver } from "../../src/zigbee/test-lock-driver.js";
import { eventually } from "../helpers/eventually.js";
import { useTempDir } from "../helpers/temp-dir.js";
import { sharedHapStorageDir, TestController } from "./hap-test-client.js";
import { HdsTestClient, reassemble, type HdsMessage } from "./hds-test-client.js";
import { HKSV as T } from "./hksv-wire.js";
import { selectedConfiguration } from "./hksv-wire.js";
import { decodeTlv } from "./tlv8.js";

const run = promisify(execFile);
const PASSWORD = "Cam-Secret-7";
const FPS = 15;

describe("HomeKit Secure Video over HAP and a real HomeKit Data Stream (test harness hub)", function () {
  this.timeout(150_000);
  const tmp = useTempDir({ prefix: "doorstep-hksv-hds-", per: "suite" });
  const logger = new MemoryLogger();
  let rtsp: RtspTestServer | undefined;
  let onvif: OnvifSimulator | undefined;
  let camera: DoorCamera | undefined;
  let store: Store | undefined;
  let service: DeliveryService | undefined;
  let bridge: StandaloneBridge | undefined;
  let controller: TestController | undefined;
  let hds: HdsTestClient | undefined;

  before(async () => {
    const dir = tmp.path;
    rtsp = await startRtspTestServer({ width: 640, height: 360, fps: FPS });
    onvif = await startOnvifSimulator({ username: "admin", password: PASSWORD, rtspUrl: rtsp.url });
    const cameraConfig = { host: onvif.host, port: onvif.port, username: "admin", password: PASSWORD };
    camera = new DoorCamera({
      doorId: "front", doorName: "Front door", camera: cameraConfig,
      recording: { ffmpegPath: "ffmpeg", ringSeconds: 30, maxBitrateKbps: 8000, retentionDays: 1, retentionGigabytes: 1 },
      storageDir: dir, logger, clock: systemClock,
    });
    await camera.start();
    store = openStore({ storageDir: join(dir, "store"), clock: systemClock });
    const config = validateConfig({
      zigbee: { port: "tcp://127.0.0.1:9" },
      doors: [{ id: "front", name: "Front door", lock: { ieee: "0x0000000000000001" }, camera: cameraConfig }],
    });
    service = new DeliveryService({
      store, settings: { ...config.delivery, timeZone: "UTC" }, syncKeypads: false,
      doors: [{ id: DoorId("front"), name: "Front door", relockAfterSeconds: 30, preRollSeconds: 2, postRollSeconds: 0, driver: new TestLockDriver({ clock: new TestClock(Date.now()) }), recorder: camera }],
    });
    await service.start();
    bridge = await startStandaloneBridge({
      config, storageDir: dir, delivery: service, cameraFeeds: new Map([["front", camera]]), logger: prefixed(logger, "bridge"),
      hap: await loadHap(), port: 0, bind: ["127.0.0.1"], hapStorageDir: sharedHapStorageDir(),
    });
    controller = await TestController.pair(bridge.port, bridge.setupCode);
    await eventually("six ring segments", () => camera!.ringSegments().length >= 6, { timeoutMs: 40_000 });
  });

  after(async () => {
    await hds?.close();
    await controller?.close();
    await bridge?.stop();
    await service?.stop();
    store?.close();
    await camera?.stop();
    await onvif?.stop();
    await rtsp?.stop();
  });

  it("advertises a ≥ 4 s prebuffer and 4 s fMP4 fragments (Supported Camera Recording Configuration)", async () => {
    const supported = await controller!.find(T.recordingManagement, T.supportedRecordingConfiguration);
    const tlv = decodeTlv(Buffer.from((await controller!.read(supported.id)).value as string, "base64"));
    expect(tlv.get(1)!.readInt32LE(0), "prebuffer (ms)").to.be.at.least(4000);
    const container = decodeTlv(tlv.get(3)!);
    expect(container.get(1)![0], "fragmented MP4").to.equal(0);
    expect(decodeTlv(container.get(2)!).get(1)!.readInt32LE(0), "fragment length (ms)").to.equal(4000);
  });

  it("records a motion event: motion sensor raised, init + key-frame fragments over HDS with the prebuffer, end of stream when motion ends", async () => {
    const c = controller!;
    const selected = await c.find(T.recordingManagement, T.selectedRecordingConfiguration);
    const active = await c.find(T.recordingManagement, T.active);
    const motion = await c.find(T.motionSensor, T.motionDetected);
    const setup = await c.find(T.dataStreamManagement, T.setupDataStreamTransport);
    await c.write(selected.id, selectedConfiguration());
    await c.write(active.id, 1);
    await c.subscribe([motion.id]);

    onvif!.injectMotion(true);
    const triggeredAt = Date.now();
    await c.waitForEvent(motion.id, (v) => v === true || v === 1, 20_000);

    hds = await HdsTestClient.open(bridge!.port, c.pairingData, setup.id);
    const open = await hds.request("dataSend", "open", { target: "controller", type: "ipcamera.recording", streamId: 1, reason: "motion" });
    expect(open.status, "DATA_SEND OPEN accepted").to.equal(0);

    const isData = (m: HdsMessage) => m.protocol === "dataSend" && m.topic === "data";
    // Live video after the prebuffer, then motion ends: a second fragment (the first holds the ≥ 4 s prebuffer).
    const sequence = (m: HdsMessage) => (m.message.packets as { metadata: { dataSequenceNumber: number } }[])[0]!.metadata.dataSequenceNumber;
    await hds.waitFor((m) => isData(m) && sequence(m) >= 3, 60_000);
    onvif!.injectMotion(false);
    await c.waitForEvent(motion.id, (v) => v === false || v === 0, 20_000);
    const last = await hds.waitFor((m) => isData(m) && m.message.endOfStream === true, 60_000);
    hds.sendEvent("dataSend", "ack", { streamId: 1, endOfStream: true });

    const pieces = reassemble(hds.received);
    expect(pieces[0]!.type).to.equal("mediaInitialization");
    expect(pieces.slice(1).every((p) => p.type === "mediaFragment")).to.equal(true);
    expect(pieces.length, "init + at least two fragments").to.be.at.least(3);
    expect(last.message.endOfStream).to.equal(true);

    const file = tmp.join("hds-recording.mp4");
    writeFileSync(file, Buffer.concat(pieces.map((p) => p.data)));
    const { stdout } = await run("ffprobe", ["-v", "error", "-select_streams", "v:0", "-show_entries", "stream=codec_name,width,height:frame=key_frame", "-of", "json", file], { maxBuffer: 64 * 1024 * 1024 });
    const probe = JSON.parse(stdout) as { streams: { codec_name: string; width: number; height: number }[]; frames: { key_frame: number }[] };
    expect(probe.streams[0]).to.include({ codec_name: "h264", width: 640, height: 360 });
    expect(probe.frames[0]!.key_frame, "starts on a key frame").to.equal(1);
    const clocks = decoded(await readFrameClocks(file));
    expect(triggeredAt - clocks[0]!, "prebuffer before the motion event (ms)").to.be.at.least(4000);
    expect(logger.text()).to.include("HomeKit Secure Video recording enabled");
  });

  it("raises the motion sensor for a guest's visit (the door opened for a code) until the visit ends", async () => {
    const c = controller!;
    const motion = await c.find(T.motionSensor, T.motionDetected);
    expect((await c.read(motion.id)).value, "no motion before the visit").to.be.oneOf([false, 0]);
    c.events.length = 0;
    service!.credentials.create({ label: "Parcel courier", kind: "delivery", doors: ["front"], pin: "582039", validUntil: Date.now() + 3_600_000 }, ownerVia("api"));
    const outcome = await service!.redeem({ doorId: "front", pin: "582039", actor: ownerVia("api"), source: "127.0.0.1" });
    expect(outcome.outcome, JSON.stringify(outcome)).to.equal("unlocked");
    await c.waitForEvent(motion.id, (v) => v === true || v === 1, 20_000);
    await service!.endVisit((outcome as { visitId: string }).visitId, ownerVia("api"));
    await c.waitForEvent(motion.id, (v) => v === false || v === 0, 20_000);
  });
});
