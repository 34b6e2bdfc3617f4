import { expect } from "chai";
import { existsSync } from "node:fs";
import net from "node:net";
import { join } from "node:path";
import { ValidationError } from "../../src/core/errors.js";
import { startHarness, type Harness } from "./harness.js";

/** Node keeps the TCP_NODELAY flag it last set in a private symbol; there is no public getter (nor getsockopt). */
function noDelayOf(socket: net.Socket): boolean | undefined {
  const sym = Object.getOwnPropertySymbols(socket).find((s) => s.description === "kSetNoDelay");
  return sym === undefined ? undefined : Boolean((socket as unknown as Record<symbol, unknown>)[sym]);
}

// A network of its own, not the run's shared one: the first test watches the coordinator's socket as it connects, the
// second stops the coordinator to check what it leaves in its storage dir.
describe("ZigbeeCoordinator", function () {
  this.timeout(30_000);
  let h: Harness | undefined;
  after(async () => {
    await h?.stop();
  });

  it("has Nagle's algorithm off (TCP_NODELAY), as herdsman's transport sets it", async () => {
    const sockets: net.Socket[] = [];
    const original = net.Socket.prototype.connect;
    // Observe every socket that connects while the coordinator starts; the one to the emulator's port is herdsman's.
    net.Socket.prototype.connect = function (this: net.Socket, ...args: unknown[]) {
      sockets.push(this);
      return (original as (...a: unknown[]) => net.Socket).apply(this, args);
    } as typeof original;
    try {
      h = await startHarness([]);
    } finally {
      net.Socket.prototype.connect = original;
    }
    const port = Number(h.sim.url.split(":").pop());
    const socket = sockets.find((s) => s.remotePort === port);
    expect(socket, "herdsman's socket to the coordinator").to.not.equal(undefined);
    expect(noDelayOf(socket!)).to.equal(true);
    // The control: a fresh Node socket starts with Nagle on, so the check above can fail.
    expect(noDelayOf(new net.Socket())).to.equal(false);
  });

  it("bounds permit-join to 0–254 s and keeps herdsman's database and the coordinator backup in the storage dir", async () => {
    const coordinator = h!.coordinator;
    for (const bad of [255, -1, 1.5]) {
      const err = await coordinator.permitJoin(bad).then(() => undefined, (e: unknown) => e);
      expect(err).to.be.instanceOf(ValidationError);
    }
    expect(coordinator.isJoinOpen()).to.equal(false);
    await coordinator.permitJoin(5);
    expect(coordinator.isJoinOpen()).to.equal(true);
    await coordinator.permitJoin(0);
    await coordinator.stop();
    expect(existsSync(join(h!.storageDir, "zigbee-database.db"))).to.equal(true);
    expect(existsSync(join(h!.storageDir, "zigbee-coordinator-backup.json"))).to.equal(true);
  });
});
