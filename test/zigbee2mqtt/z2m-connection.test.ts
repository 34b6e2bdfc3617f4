// The MQTT connection of the Zigbee2MQTT driver against a real Mosquitto that wants a username and password.
import { expect } from "chai";
import { DeviceUnreachableError } from "../../src/core/errors.js";
import { MemoryLogger } from "../../src/core/logger.js";
import { startMosquitto, type Mosquitto } from "../../src/sim/zigbee2mqtt/mosquitto.js";
import { Z2mConnection } from "../../src/zigbee/z2m-connection.js";
import { makeTempDir, removeTempDir } from "../helpers/temp-dir.js";

describe("Zigbee2MQTT driver's MQTT connection: a real Mosquitto with a password", function () {
  this.timeout(30_000);
  let dir: string | undefined;
  const PASSWORD = "broker-pass-7f3a";
  let broker: Mosquitto;

  before(async () => {
    dir = makeTempDir("doorstep-mqtt-auth-");
    broker = await startMosquitto({ dir, user: { username: "doorstep", password: PASSWORD } });
  });
  after(async () => {
    await broker?.stop();
    if (dir) removeTempDir(dir); // after the broker: it runs in this directory
  });

  it("connects with the right credentials, publishes, and receives what it subscribed to", async () => {
    const logger = new MemoryLogger();
    const a = new Z2mConnection({ url: broker.url, username: "doorstep", password: PASSWORD }, { logger });
    const b = new Z2mConnection({ url: broker.url, username: "doorstep", password: PASSWORD }, { logger });
    try {
      await a.start();
      await b.start();
      const got = new Promise<string>((resolve) => b.events.on("message", (topic, payload) => resolve(`${topic} ${payload.toString()}`)));
      await b.subscribe("zigbee2mqtt/test");
      await a.publish("zigbee2mqtt/test", { state: "LOCK" });
      expect(await got).to.equal('zigbee2mqtt/test {"state":"LOCK"}');
      expect(logger.text()).to.not.contain(PASSWORD);
    } finally {
      await a.stop();
      await b.stop();
    }
  });

  it("a wrong password: the start fails with DeviceUnreachableError naming the broker, never the password, and nothing can be published", async () => {
    const logger = new MemoryLogger();
    const wrong = "not-the-password-91c2";
    const c = new Z2mConnection({ url: broker.url, username: "doorstep", password: wrong }, { logger, reconnectMs: 200 });
    try {
      const err = await c.start(2_000).then(() => undefined, (e: unknown) => e);
      expect(err).to.be.instanceOf(DeviceUnreachableError);
      expect((err as Error).message).to.contain(`mqtt://127.0.0.1:${broker.port}`).and.not.contain(wrong);
      expect(await c.publish("zigbee2mqtt/x/set", { state: "UNLOCK" }).then(() => undefined, (e: unknown) => e)).to.be.instanceOf(DeviceUnreachableError);
      expect(logger.text()).to.match(/Not authorized|Bad username or password/i).and.not.contain(wrong);
    } finally {
      await c.stop();
    }
  });
});
