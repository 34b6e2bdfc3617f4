// The door camera over real HAP: a snapshot through the ONVIF camera simulator, and a live view negotiated by writing
// SetupEndpoints and SelectedRTPStreamConfiguration (TLV8 written from the spec) — real ffmpeg reads the real GStreamer
// RTSP server and sends SRTP to a UDP port this test listens on; END stops ffmpeg.
import { expect } from "chai";
import { randomBytes } from "node:crypto";
import { createSocket, type Socket } from "node:dgram";
import { existsSync, readFileSync } from "node:fs";
import { TestClock } from "../../src/access/test-clock.js";
import { DoorId } from "../../src/access/ids.js";
import { OnvifCameraDriver } from "../../src/camera/onvif-camera-driver.js";
import { validateConfig } from "../../src/config/validate-config.js";
import { MemoryLogger, prefixed } from "../../src/core/logger.js";
import type { CameraFeed } from "../../src/delivery/delivery-port.js";
import { DeliveryService } from "../../src/delivery/delivery-service.js";
import { loadHap } from "../../src/homekit/hap-module.js";
import { startStandaloneBridge, type StandaloneBridge } from "../../src/homekit/standalone-bridge.js";
import { startOnvifSimulator, type OnvifSimulator } from "../../src/sim/camera/onvif-simulator.js";
import { startRtspTestServer, type RtspTestServer } from "../../src/sim/camera/rtsp-test-server.js";
import { openStore, type Store } from "../../src/store/store.js";
import { TestLockDriver } from "../../src/zigbee/test-lock-driver.js";
import { eventually } from "../helpers/eventually.js";
import { processesMatching } from "../helpers/ready-line.js";
import { useTempDir } from "../helpers/temp-dir.js";
import { HAP, sharedHapStorageDir, TestController } from "./hap-test-client.js";
import { decodeTlv, encodeTlv, f32, u16, u32 } from "./tlv8.js";

const PASSWORD = "cam-Secret-77";
const VIDEO_PT = 99;

describe("HomeKit camera: snapshot and SRTP live view through real ffmpeg", function () {
  this.timeout(60_000);
  const tmp = useTempDir({ prefix: "doorstep-homekit-cam-", per: "suite" });
  const logger = new MemoryLogger();
  const clock = new TestClock(Date.parse("2026-12-02T10:00:00Z"));
  let rtsp: RtspTestServer | undefined;
  let onvif: OnvifSimulator | undefined;
  let camera: OnvifCameraDriver | undefined;
  let store: Store | undefined;
  let service: DeliveryService | undefined;
  let bridge: StandaloneBridge | undefined;
  let controller: TestController | undefined;
  let udp: Socket | undefined;

  before(async () => {
    // The RTSP stream needs the camera's password too, so the live view's ffmpeg must be given it (never in its argv).
    rtsp = await startRtspTestServer({ width: 640, height: 360, fps: 15, auth: { username: "admin", password: PASSWORD } });
    onvif = await startOnvifSimulator({ username: "admin", password: PASSWORD, rtspUrl: `rtsp://127.0.0.1:${rtsp.port}/cam` });
    camera = new OnvifCameraDriver({ name: "Front door camera", host: onvif.host, port: onvif.port, username: "admin", password: PASSWORD, events: false, logger });
    await camera.connect();
    await camera.waitReady(15_000);
    const driver = camera;
    // Live view only: the ring (HomeKit Secure Video's prebuffer) is tested in recording-delegate.long.test.ts.
    const feed: CameraFeed = {
      snapshot: () => driver.snapshot(),
      liveSourceUrl: () => driver.streamUri(),
      isRecording: () => true,
      ringSegments: () => [],
      onRingSegment: () => () => undefined,
      onMotion: () => () => undefined,
    };

    store = openStore({ storageDir: tmp.join("store"), clock });
    const config = validateConfig({
      zigbee: { port: "tcp://127.0.0.1:9" },
      doors: [{ id: "front", name: "Front door", lock: { ieee: "0x0000000000000001" }, camera: { host: onvif.host, port: onvif.port, username: "admin", password: PASSWORD } }],
    });
    service = new DeliveryService({
      store, clock, settings: { ...config.delivery, timeZone: "UTC" }, syncKeypads: false,
      doors: [{ id: DoorId("front"), name: "Front door", relockAfterSeconds: 30, preRollSeconds: 0, postRollSeconds: 0, driver: new TestLockDriver({ clock }) }],
    });
    await service.start();
    bridge = await startStandaloneBridge({
      config, storageDir: tmp.path, delivery: service, cameraFeeds: new Map([["front", feed]]), logger: prefixed(logger, "bridge"),
      hap: await loadHap(), port: 0, bind: ["127.0.0.1"], hapStorageDir: sharedHapStorageDir(),
    });
    controller = await TestController.pair(bridge.port, bridge.setupCode);
  });

  after(async () => {
    udp?.close();
    await controller?.close();
    await bridge?.stop();
    await service?.stop();
    store?.close();
    await camera?.stop();
    await onvif?.stop();
    await rtsp?.stop();
  });

  it("a snapshot is the camera's JPEG", async () => {
    const chars = await controller!.characteristics();
    const cameraAid = chars.find((c) => c.serviceType === HAP.service.cameraRtpStreamManagement)!.aid;
    const image = await controller!.client.getImage(640, 360, cameraAid);
    expect(image.subarray(0, 2).toString("hex")).to.equal("ffd8");
    expect(image.length).to.be.greaterThan(100);
  });

  it("SetupEndpoints + START: ffmpeg sends SRTP (RTP v2, our payload type and SSRC) to the requested loopback port; END stops ffmpeg", async () => {
    const c = controller!;
    // HAP-NodeJS makes one stream management service per concurrent stream: use the first.
    const streaming = (await c.characteristics()).filter((x) => x.serviceType === HAP.service.cameraRtpStreamManagement);
    const first = Math.min(...streaming.map((x) => x.serviceIid));
    const setup = streaming.find((x) => x.serviceIid === first && x.type === HAP.char.setupEndpoints)!;
    const selected = streaming.find((x) => x.serviceIid === first && x.type === HAP.char.selectedRtpStreamConfiguration)!;

    const packets: Buffer[] = [];
    udp = createSocket("udp4");
    udp.on("message", (m) => packets.push(m));
    await new Promise<void>((resolve) => udp!.bind(0, "127.0.0.1", resolve));
    const port = udp.address().port;

    const session = randomBytes(16);
    const keys = [[0x01, [0x00]], [0x02, randomBytes(16)], [0x03, randomBytes(14)]] as [number, Buffer | number[]][];
    await c.write(setup.id, encodeTlv([
      [0x01, session],
      [0x03, [[0x01, [0x00]], [0x02, "127.0.0.1"], [0x03, u16(port)], [0x04, u16(port)]]],
      [0x04, keys],
      [0x05, keys],
    ]).toString("base64"));
    const response = decodeTlv(Buffer.from((await c.read(setup.id)).value as string, "base64"));
    expect(response.get(0x02)?.[0], "SetupEndpoints status").to.equal(0);
    const ssrc = response.get(0x06)!.readUInt32LE(0);

    await c.write(selected.id, encodeTlv([
      [0x01, [[0x01, session], [0x02, [0x01]]]],
      [0x02, [
        [0x01, [0x00]],
        [0x02, [[0x01, [0x01]], [0x02, [0x00]], [0x03, [0x00]]]],
        [0x03, [[0x01, u16(640)], [0x02, u16(360)], [0x03, [15]]]],
        [0x04, [[0x01, [VIDEO_PT]], [0x02, u32(0x1234)], [0x03, u16(300)], [0x04, f32(0.5)], [0x05, u16(1378)]]],
      ]],
      [0x03, [
        [0x01, [0x02]],
        [0x02, [[0x01, [0x01]], [0x02, [0x00]], [0x03, [0x01]], [0x04, [30]]]],
        [0x03, [[0x01, [110]], [0x02, u32(0x5678)], [0x03, u16(24)], [0x04, f32(5)], [0x06, [13]]]],
        [0x04, [0x00]],
      ]],
    ]).toString("base64"));

    // RTP and RTCP share the port (HomeKit multiplexes them); RTCP packet types are 200-204 (RFC 5761 §4).
    const isRtcp = (p: Buffer) => p[1]! >= 200 && p[1]! <= 204;
    await eventually("SRTP packets", () => packets.filter((p) => !isRtcp(p)).length >= 5, { timeoutMs: 30_000, everyMs: 50 });
    for (const p of packets) {
      expect(p[0]! >> 6, "RTP/RTCP version").to.equal(2);
      if (isRtcp(p)) {
        expect(p.readUInt32BE(4), "RTCP sender SSRC").to.equal(ssrc);
        continue;
      }
      expect(p[1]! & 0x7f, "payload type").to.equal(VIDEO_PT);
      expect(p.readUInt32BE(8), "SSRC").to.equal(ssrc);
    }
    const pids = await processesMatching(`srtp://127.0.0.1:${port}`);
    expect(pids).to.have.length(1);
    // Issue 10 item 7: the camera password is on no command line another user can read (ps, /proc/<pid>/cmdline).
    const cmdline = readFileSync(`/proc/${pids[0]}/cmdline`, "utf8");
    expect(cmdline).to.include("pipe:0").and.not.include(PASSWORD).and.not.include("admin:");

    await c.write(selected.id, encodeTlv([[0x01, [[0x01, session], [0x02, [0x00]]]]]).toString("base64"));
    await eventually("ffmpeg to exit", () => !existsSync(`/proc/${pids[0]}`), { everyMs: 50 });
    expect(await processesMatching(`srtp://127.0.0.1:${port}`)).to.deep.equal([]);
    expect(logger.text()).to.include("Live view started");
    expect(logger.text()).not.to.include(PASSWORD);
  });

  it("a camera that stops answering gives HomeKit an error for the snapshot, not an old picture", async () => {
    const chars = await controller!.characteristics();
    const cameraAid = chars.find((c) => c.serviceType === HAP.service.cameraRtpStreamManagement)!.aid;
    await onvif!.stop();
    onvif = undefined;
    const failed = await controller!.client.getImage(640, 360, cameraAid).then(() => undefined, (e: unknown) => e);
    expect(failed, "getImage must fail").to.be.instanceOf(Error);
    expect(logger.text()).to.include("Unable to take a snapshot");
    expect(logger.text()).not.to.include(PASSWORD);
  });
});
