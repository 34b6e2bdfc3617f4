// Reading what the onvif library hands back, with inputs shaped as it produces them from real cameras' XML.

import { expect } from "chai";
import type { CameraProfile } from "../../src/camera/camera-driver.js";
import { classifyOnvifError } from "../../src/camera/onvif-faults.js";
import { parseDeviceInformation, parseMotion, parseProfile, parseSubscriptionTimes } from "../../src/camera/onvif-parse.js";
import { selectProfile } from "../../src/camera/onvif-profile-select.js";

const p = (token: string, encoding: CameraProfile["encoding"], width: number, height: number, fps?: number): CameraProfile => ({
  token,
  name: token.toLowerCase(),
  encoding,
  width,
  height,
  ...(fps !== undefined ? { fps } : {}),
});

describe("ONVIF response parsing and profile selection", () => {
  it("picks the largest H.264 profile, then the higher frame rate, else keeps the camera's order", () => {
    const list = [p("jpeg", "JPEG", 3840, 2160), p("sub", "H264", 640, 360), p("main", "H264", 1920, 1080, 20), p("main30", "H264", 1920, 1080, 30), p("hevc", "H265", 2560, 1440)];
    const c = selectProfile(list);
    expect(c.ok && c.profile.token).to.equal("main30");
    const tie = selectProfile([p("a", "H264", 1280, 720), p("b", "H264", 1280, 720)]);
    expect(tie.ok && tie.profile.token).to.equal("a");
  });

  it("takes a configured token before a name, and explains what is missing", () => {
    const list = [p("Profile_1", "H264", 1920, 1080), { ...p("Profile_2", "H264", 640, 360), name: "Profile_1" }];
    const byToken = selectProfile(list, "Profile_1");
    expect(byToken.ok && byToken.profile.width).to.equal(1920);
    const missing = selectProfile(list, "nope");
    expect(missing.ok).to.equal(false);
    expect(!missing.ok && missing.reason).to.include('"nope"').and.to.include("Profile_2");
    const noH264 = selectProfile([p("m", "JPEG", 640, 480), p("h", "H265", 1920, 1080)]);
    expect(!noH264.ok && noH264.reason).to.include("no H.264 profile (only JPEG, H265)");
    expect(selectProfile([]).ok).to.equal(false);
  });

  it("reads a linerase()d Media1 profile and skips one without a video encoder", () => {
    const raw = {
      $: { token: "Profile_1", fixed: true },
      name: "mainStream",
      videoEncoderConfiguration: { encoding: "H264", resolution: { width: 2688, height: 1520 }, rateControl: { frameRateLimit: 20 } },
    };
    expect(parseProfile(raw)).to.deep.equal({ token: "Profile_1", name: "mainStream", encoding: "H264", width: 2688, height: 1520, fps: 20 });
    expect(parseProfile({ $: { token: "audio" }, name: "audio only" })).to.equal(undefined);
  });

  it("keeps a serial number's leading zeros by reading the raw XML", () => {
    const xml =
      `<env:Body><tds:GetDeviceInformationResponse><tds:Manufacturer>AXIS</tds:Manufacturer><tds:Model>M1065-LW</tds:Model>` +
      `<tds:FirmwareVersion>9.80.3</tds:FirmwareVersion><tds:SerialNumber>00408C123456</tds:SerialNumber><tds:HardwareId>7C3</tds:HardwareId>` +
      `</tds:GetDeviceInformationResponse></env:Body>`;
    expect(parseDeviceInformation(xml)).to.deep.equal({ manufacturer: "AXIS", model: "M1065-LW", firmware: "9.80.3", serial: "00408C123456" });
    expect(parseDeviceInformation("<x/>").serial).to.equal("unknown");
  });

  it("understands the cell motion detector (IsMotion) and Hikvision's MotionAlarm (State), and ignores other topics", () => {
    const cell = {
      topic: { _: "tns1:RuleEngine/CellMotionDetector/Motion", $: { Dialect: "http://www.onvif.org/ver10/tev/topicExpression/ConcreteSet" } },
      message: {
        message: {
          $: { UtcTime: new Date(), PropertyOperation: "Changed" },
          source: { simpleItem: [{ $: { Name: "VideoSourceConfigurationToken", Value: "VideoSourceToken" } }] },
          data: { simpleItem: { $: { Name: "IsMotion", Value: true } } },
        },
      },
    };
    expect(parseMotion(cell, 5)).to.deep.equal({ active: true, topic: "tns1:RuleEngine/CellMotionDetector/Motion", operation: "Changed", receivedAt: 5 });
    const alarm = {
      topic: { _: "tns1:VideoSource/MotionAlarm" },
      message: { message: { $: { PropertyOperation: "Initialized" }, data: { simpleItem: { $: { Name: "State", Value: false } } } } },
    };
    expect(parseMotion(alarm, 6)).to.deep.include({ active: false, operation: "Initialized" });
    const tamper = { topic: { _: "tns1:RuleEngine/TamperDetector/Tamper" }, message: { message: { data: { simpleItem: { $: { Name: "IsTamper", Value: true } } } } } };
    expect(parseMotion(tamper, 7)).to.equal(undefined);
  });

  it("sorts library errors into not-authorized, unreachable and rejected", () => {
    const refused = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:1"), { code: "ECONNREFUSED" });
    expect(classifyOnvifError(refused)).to.equal("unreachable");
    expect(classifyOnvifError(new Error("Network timeout"))).to.equal("unreachable");
    expect(classifyOnvifError(new Error("ONVIF SOAP Fault: Sender not AuthorizedThe action requested requires authorization"))).to.equal("not-authorized");
    expect(classifyOnvifError(new Error("Digest authentication failed 401"))).to.equal("not-authorized");
    expect(classifyOnvifError(new Error("Wrong ONVIF SOAP response"))).to.equal("rejected");
  });

  it("reads a subscription's remaining time with CurrentTime, and without it (Axis) against our clock, capped", () => {
    const at = (iso: string) => new Date(iso);
    const ours = Date.parse("2026-01-01T12:00:00Z");
    // Camera clock an hour behind: only the difference of its two times counts.
    expect(parseSubscriptionTimes({ currentTime: at("2026-01-01T11:00:00Z"), terminationTime: at("2026-01-01T11:01:00Z") }, ours))
      .to.deep.equal({ remainingMs: 60_000, fromCameraClock: true });
    expect(parseSubscriptionTimes({ terminationTime: at("2026-01-01T12:01:00Z") }, ours)).to.deep.equal({ remainingMs: 60_000, fromCameraClock: false });
    // Camera clock ahead: never more than the PT2M asked for; behind (already past on ours): the PT2M asked for.
    expect(parseSubscriptionTimes({ terminationTime: at("2026-01-01T13:00:00Z") }, ours)?.remainingMs).to.equal(120_000);
    expect(parseSubscriptionTimes({ terminationTime: at("2026-01-01T11:00:00Z") }, ours)?.remainingMs).to.equal(120_000);
    expect(parseSubscriptionTimes({ currentTime: "", terminationTime: "soon" }, ours)).to.equal(undefined);
  });
});
