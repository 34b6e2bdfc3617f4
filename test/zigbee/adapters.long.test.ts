// Every adapter family zigbee-herdsman drives. Only Z-Stack runs against the project's emulator (the other tests);
// for the others this checks what can be checked honestly without their hardware: the options herdsman receives,
// and that a port that does not answer ends in one clear error naming the port and the firmware to check, after
// herdsman really tried that adapter (its own log namespace shows which driver it started).
import { expect } from "chai";
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { DeviceUnreachableError } from "../../src/core/errors.js";
import { freeLoopbackPort } from "../../src/sim/zigbee2mqtt/mosquitto.js";
import { ADAPTERS, herdsmanPortOptions, portKind } from "../../src/zigbee/adapter-options.js";
import { validateConfig } from "../../src/config/validate-config.js";

describe("zigbee adapters", function () {
  this.timeout(60_000);

  it("builds herdsman's port options: the family, and baud rate / flow control for serial ports only", () => {
    expect(herdsmanPortOptions({ adapter: "ember", port: "/dev/serial/by-id/usb-Nabu_Casa_ZBT-1", baudRate: 460800, rtscts: false }))
      .to.deep.equal({ path: "/dev/serial/by-id/usb-Nabu_Casa_ZBT-1", adapter: "ember", baudRate: 460800, rtscts: false });
    expect(herdsmanPortOptions({ adapter: "deconz", port: "tcp://192.0.2.7:6638", baudRate: 115200 })).to.deep.equal({ path: "tcp://192.0.2.7:6638", adapter: "deconz" });
    expect(herdsmanPortOptions({ adapter: "auto", port: "mdns://slzb-06" }), "auto: herdsman detects the family").to.deep.equal({ path: "mdns://slzb-06" });
    expect(herdsmanPortOptions({ port: "/dev/ttyUSB0" }), "the default stays Z-Stack").to.deep.equal({ path: "/dev/ttyUSB0", adapter: "zstack" });
    expect([portKind("tcp://h:1"), portKind("mdns://x"), portKind("/dev/ttyACM0")]).to.deep.equal(["tcp", "mdns", "serial"]);
  });

  it("the config takes every family and serial, tcp:// and mdns:// ports, and names what is wrong otherwise", () => {
    for (const adapter of [...ADAPTERS, "auto"]) {
      expect(validateConfig({ zigbee: { adapter, port: "mdns://slzb-06" } }).zigbee).to.include({ adapter, port: "mdns://slzb-06" });
      expect(validateConfig({ zigbee: { adapter, port: "/dev/ttyUSB0" } }).zigbee).to.include({ adapter, port: "/dev/ttyUSB0" });
    }
    expect(() => validateConfig({ zigbee: { adapter: "ezsp", port: "/dev/ttyUSB0" } })).to.throw(/zigbee\.adapter: must be one of "zstack", "ember"/);
    expect(() => validateConfig({ zigbee: { port: "udp://x:1" } })).to.throw(/zigbee\.port: must be a serial path like \/dev\/ttyUSB0, tcp:\/\/host:port or mdns:\/\/service-type/);
    expect(() => validateConfig({ zigbee: { port: "/dev/ttyUSB0", baudRate: 12345 } })).to.throw(/zigbee\.baudRate/);
  });

  // What herdsman 10.9.5's driver for that family says (in its log or its error) when it fails to open the port: it shows
  // herdsman really started that family's driver.
  const signature: Record<(typeof ADAPTERS)[number], RegExp> = {
    zstack: /zh:zstack:znp: Socket error/,
    ember: /zh:ember:/,
    deconz: /failed to start adapter connection to firmware/,
    zboss: /zh:zboss:/,
    zigate: /zh:zigate:driver: Socket error/,
    zoh: /connect ECONNREFUSED/,
  };
  const hint: Record<(typeof ADAPTERS)[number], RegExp> = {
    zstack: /Z-Stack/, ember: /EmberZNet/, deconz: /deCONZ/, zboss: /ZBOSS/, zigate: /ZiGate/, zoh: /OpenThread RCP/,
  };

  for (const adapter of ADAPTERS) {
    // deCONZ is tried on a serial path that does not exist: the config refuses it over tcp:// (next test).
    const where = adapter === "deconz" ? "a serial port that does not exist" : "a tcp:// port that does not answer";
    it(`${adapter}: ${where} is one clear DeviceUnreachableError naming the port and the firmware`, async () => {
      const port = adapter === "deconz" ? "/dev/ttyDOORSTEP-NONE" : `tcp://127.0.0.1:${await freeLoopbackPort()}`; // nothing listens there
      const out = await runChild(adapter, port);
      expect(out.started).to.equal(false);
      expect(out.error).to.equal(DeviceUnreachableError.name);
      expect(out.message).to.contain(port).and.match(hint[adapter]);
      expect(`${out.log}\n${out.message}`).to.match(signature[adapter]);
    });
  }

  it("refuses deCONZ over tcp:// (herdsman 10.9's deCONZ driver crashes the process when the connection closes)", () => {
    expect(() => validateConfig({ zigbee: { adapter: "deconz", port: "tcp://127.0.0.1:6638" } })).to.throw(/zigbee\.port: deCONZ .* serial port only/);
    expect(validateConfig({ zigbee: { adapter: "deconz", port: "/dev/ttyACM0" } }).zigbee).to.include({ adapter: "deconz" });
  });
});

const CHILD = fileURLToPath(new URL("./adapter-start-child.js", import.meta.url));

function runChild(adapter: string, port: string): Promise<{ started: boolean; error?: string; message?: string; log: string }> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [CHILD, adapter, port], { timeout: 50_000 }, (error, stdout) => {
      if (error) return reject(error);
      resolve(JSON.parse(stdout.trim().split("\n").pop()!) as { started: boolean; log: string });
    });
  });
}
