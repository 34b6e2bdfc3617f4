import { expect } from "chai";
import { ConfigError } from "../../src/core/errors.js";
import { configIssues, validateConfig } from "../../src/config/validate-config.js";

const door = (over: Record<string, unknown> = {}) => ({ id: "front", name: "Front door", lock: { ieee: "0x00124b0012345678" }, ...over });
const base = () => ({ zigbee: { port: "tcp://127.0.0.1:6638" }, doors: [door()] });

function issuesOf(raw: unknown): string[] {
  return configIssues(raw).map((i) => `${i.path}: ${i.message}`);
}

describe("config validation", () => {
  it("accepts an empty config and applies every default", () => {
    const config = validateConfig({}, { systemTimeZone: "Europe/Berlin" });
    expect(config.doors).to.deep.equal([]);
    expect(config.delivery).to.deep.include({ requireRecording: true, inHomeDeliveries: true, timeZone: "Europe/Berlin", maxCredentialDays: 366 });
    expect(config.api).to.deep.equal({ host: "127.0.0.1", port: 8787 });
    expect(config.matter).to.deep.include({ enabled: false, port: 5540 });
  });

  it("applies per-door defaults and keeps what was given", () => {
    const config = validateConfig({ ...base(), doors: [door({ relockAfterSeconds: 12 })] });
    expect(config.doors[0]).to.deep.include({ relockAfterSeconds: 12, preRollSeconds: 5, postRollSeconds: 5 });
    expect(config.zigbee).to.deep.equal({ port: "tcp://127.0.0.1:6638", adapter: "zstack", channel: 11, panId: 6754 });
  });

  it("does not modify its input", () => {
    const raw = base();
    const before = JSON.stringify(raw);
    validateConfig(raw);
    expect(JSON.stringify(raw)).to.equal(before);
  });

  it("drops the keys Homebridge owns", () => {
    const config = validateConfig({ platform: "Doorstep", _bridge: { port: 1 }, name: "D" }) as unknown as Record<string, unknown>;
    expect(config).to.not.have.property("platform");
    expect(config).to.not.have.property("_bridge");
  });

  const cases: [string, unknown, string][] = [
    ["a door port out of range", { ...base(), doors: [door({ camera: { host: "cam", port: 70000, username: "u", password: "p" } })] }, "doors[0].camera.port: must be <= 65535"],
    ["a missing lock", { ...base(), doors: [{ id: "front", name: "F" }] }, "doors[0].lock: is required"],
    ["an unknown option", { ...base(), delivery: { requireRecordings: false } }, "delivery.requireRecordings: is not a known option (check its spelling)"],
    ["a bad IEEE address", { ...base(), doors: [door({ lock: { ieee: "12:34" } })] }, "doors[0].lock.ieee: must be a 64-bit IEEE address like 0x00124b0012345678"],
    ["a bad Zigbee port", { zigbee: { port: "http://x" } }, "zigbee.port: must be a serial path like /dev/ttyUSB0, tcp://host:port or mdns://service-type"],
    ["a Zigbee2MQTT lock without its broker", { doors: [door({ lock: { driver: "zigbee2mqtt", device: "Front lock" } })] }, "doors[0].lock.mqtt: is required for a lock on Zigbee2MQTT (the broker's url)"],
    ["a Zigbee2MQTT lock with neither device nor ieee", { doors: [door({ lock: { driver: "zigbee2mqtt", mqtt: { url: "mqtt://broker:1883" } } })] }, "doors[0].lock.device: is required for a lock on Zigbee2MQTT (its friendly name), unless ieee is given"],
    ["Zigbee2MQTT options on a lock of the own coordinator", { ...base(), doors: [door({ lock: { ieee: "0x00124b0012345678", mqtt: { url: "mqtt://broker:1883" } } })] }, 'doors[0].lock.mqtt: applies only with driver "zigbee2mqtt"'],
    ["an MQTT URL with credentials in it", { doors: [door({ lock: { driver: "zigbee2mqtt", device: "x", mqtt: { url: "mqtt://user:pw@broker:1883" } } })] }, "doors[0].lock.mqtt.url: must look like mqtt://host:1883 or mqtts://host:8883, without credentials"],
    ["a friendly name with an MQTT wildcard", { doors: [door({ lock: { driver: "zigbee2mqtt", device: "front/#", mqtt: { url: "mqtt://broker:1883" } } })] }, "doors[0].lock.device: must not contain the MQTT wildcards # or +"],
    ["a wrong type", { ...base(), delivery: { requireRecording: "yes" } }, "delivery.requireRecording: must be boolean"],
    ["an unknown time zone", { delivery: { timeZone: "Mars/Olympus" } }, 'delivery.timeZone: unknown time zone "Mars/Olympus" (use an IANA name such as Europe/Berlin)'],
    ["duplicate door ids", { ...base(), doors: [door(), door({ lock: { ieee: "0x00124b0012345679" } })] }, 'doors[1].id: duplicate door id "front" (also doors[0])'],
    ["one lock on two doors", { ...base(), doors: [door(), door({ id: "back" })] }, "doors[1].lock.ieee: lock 0x00124b0012345678 is already used by doors[0]"],
    ["doors without a coordinator", { doors: [door()] }, "zigbee: is required when doors are configured (the coordinator the locks are paired with)"],
    ["a bad channel", { zigbee: { port: "/dev/ttyUSB0", channel: 30 } }, "zigbee.channel: must be <= 26"],
    ["a bad door id", { ...base(), doors: [door({ id: "Front Door" })] }, "doors[0].id: must be 1-32 lowercase letters, digits or dashes, starting with a letter or digit"],
    ["a bad HomeKit code", { homekit: { pincode: "12345678" } }, "homekit.pincode: must look like 031-45-154"],
    ["a root that is not an object", [1, 2], ": must be object"],
  ];
  for (const [what, raw, expected] of cases) {
    it(`names the path for ${what}`, () => {
      expect(issuesOf(raw)).to.include(expected);
      expect(() => validateConfig(raw)).to.throw(ConfigError);
    });
  }

  it("takes a door on Zigbee2MQTT with no zigbee block, with defaults, and keeps the {ieee} form of the own coordinator", () => {
    const config = validateConfig({
      doors: [door({ lock: { driver: "zigbee2mqtt", device: "Front door lock", mqtt: { url: "mqtts://broker.lan:8883", username: "doorstep", password: "s3cret", tls: { ca: "/etc/ca.pem" } } } })],
    });
    expect(config.zigbee).to.equal(undefined);
    expect(config.doors[0]!.lock).to.deep.equal({
      driver: "zigbee2mqtt", device: "Front door lock", baseTopic: "zigbee2mqtt",
      mqtt: { url: "mqtts://broker.lan:8883", username: "doorstep", password: "s3cret", tls: { ca: "/etc/ca.pem", rejectUnauthorized: true } },
    });
    expect(validateConfig(base()).doors[0]!.lock).to.include({ driver: "herdsman", ieee: "0x00124b0012345678" });
  });

  it("never echoes the MQTT password in an error", () => {
    const raw = { doors: [door({ lock: { driver: "zigbee2mqtt", device: "x", mqtt: { url: "ftp://broker", password: "hunter2-mqtt" } } })] };
    const message = (() => {
      try {
        validateConfig(raw);
        return "";
      } catch (e) {
        expect(e).to.be.instanceOf(ConfigError);
        return (e as Error).message;
      }
    })();
    expect(message).to.contain("doors[0].lock.mqtt.url").and.not.contain("hunter2-mqtt");
  });

  it("never echoes a secret in an error", () => {
    const raw = { ...base(), doors: [door({ camera: { host: "cam", username: "u", password: "hunter2-secret", port: "80" } })] };
    let error: unknown;
    try {
      validateConfig(raw);
    } catch (e) {
      error = e;
    }
    expect(error).to.be.instanceOf(ConfigError);
    expect((error as Error).message).to.contain("doors[0].camera.port").and.not.contain("hunter2-secret");
  });
});

describe("a door's hasCamera switch (the Homebridge UI's 'This door has a camera')", () => {
  const base = { zigbee: { port: "/dev/ttyUSB0" } };
  const door = { id: "front", name: "Front", lock: { ieee: "0x00124b0012345678" } };

  it("off: the camera typed in before is neither checked nor used", () => {
    const raw = { ...base, doors: [{ ...door, hasCamera: false, camera: { port: 80 } }] };
    expect(configIssues(raw)).to.deep.equal([]);
    const config = validateConfig(raw);
    expect(config.doors[0]).to.not.have.property("camera");
    expect(config.doors[0]).to.not.have.property("hasCamera");
    expect(raw.doors[0]!.camera).to.deep.equal({ port: 80 }, "the input is not modified");
  });

  it("on without a camera: an issue naming the door's camera", () => {
    expect(configIssues({ ...base, doors: [{ ...door, hasCamera: true }] })).to.deep.equal([
      { path: "doors[0].camera", message: "is required when hasCamera is on (fill in the camera, or turn hasCamera off)" },
    ]);
  });

  it("on (or absent) with a camera: the camera is used", () => {
    const camera = { host: "10.0.0.9", username: "u", password: "p" };
    for (const flag of [{ hasCamera: true }, {}]) {
      const config = validateConfig({ ...base, doors: [{ ...door, ...flag, camera }] });
      expect(config.doors[0]!.camera).to.include({ host: "10.0.0.9", port: 80 });
    }
  });
});
