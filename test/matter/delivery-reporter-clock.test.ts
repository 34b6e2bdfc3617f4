// The credential mirror's interval runs on the link's clock: once per interval, and nothing left waiting after stop().
// The endpoints and the delivery port are stand-ins that count (no matter.js node): only the timing is under test.
import { expect } from "chai";
import { EventEmitter } from "node:events";
import { TestClock } from "../../src/access/test-clock.js";
import { silentLogger } from "../../src/core/logger.js";
import type { DeliveryEvents, DeliveryPort } from "../../src/delivery/delivery-port.js";
import { startDeliveryReporter } from "../../src/matter/delivery-reporter.js";
import type { DoorEndpoints } from "../../src/matter/door-endpoints.js";
import { DoorstepLink } from "../../src/matter/doorstep-link.js";

describe("matter/delivery reporter: the credential mirror on the link's clock (TestClock)", () => {
  it("mirrors once per interval, and stop() ends the loop with nothing left waiting", async () => {
    const clock = new TestClock(0);
    let mirrored = 0;
    const events = new EventEmitter<DeliveryEvents>();
    const delivery = { events, credentials: { list: () => [] } } as unknown as DeliveryPort;
    const link = new DoorstepLink({
      delivery, logger: silentLogger, timeZone: "UTC", maxCredentialDays: 30, requirePinForRemoteOperation: false, keypadDeadlineMs: 1000, clock, doorLoggers: new Map(),
    });
    const door = { doorId: "front", lock: { act: async () => void mirrored++ } } as unknown as DoorEndpoints;
    const reporter = startDeliveryReporter(link, [door], 5000);

    await clock.elapse(4999);
    expect(mirrored, "before the first interval").to.equal(0);
    await clock.elapse(1);
    expect(mirrored).to.equal(1);
    await clock.elapse(10_000);
    expect(mirrored, "two more intervals").to.equal(3);
    expect(clock.pending, "the next interval").to.equal(1);

    await reporter.stop();
    expect(clock.pending, "nothing waiting after stop").to.equal(0);
    expect(events.listenerCount("visitEnded")).to.equal(0);
    await clock.elapse(20_000);
    expect(mirrored, "no mirror after stop").to.equal(3);
  });
});
