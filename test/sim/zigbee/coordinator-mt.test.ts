// The coordinator at the MT level, driven by a minimal MT client over loopback TCP: SRSP faults, sleepy
// delays, permit-join enforcement, unknown commands, and bad input to startZigbeeSim.
import { expect } from "chai";
import { writeFileSync } from "node:fs";
import { type Socket, connect } from "node:net";
import { mtCommand, readMtParams, writeMtParams, type MtValues } from "../../../src/sim/zigbee/mt-commands.js";
import { type MtFrame, MtFrameParser, MtSubsystem, MtType, encodeMtFrame } from "../../../src/sim/zigbee/mt-frame.js";
import { ZclDirection, ZclFrameType, encodeReadAttributes, encodeZclFrame } from "../../../src/sim/zigbee/zcl-frame.js";
import { type ZigbeeSim, startZigbeeSim } from "../../../src/sim/zigbee/zigbee-sim.js";
import { eventually } from "../../helpers/eventually.js";
import { withTempDir } from "../../helpers/temp-dir.js";
import { SIM_NETWORK } from "./herdsman-harness.js";

class MtClient {
  readonly frames: MtFrame[] = [];
  private readonly parser = new MtFrameParser();
  private waiters: { test: (f: MtFrame) => boolean; resolve: (f: MtFrame) => void }[] = [];
  private constructor(private readonly socket: Socket) {
    socket.on("data", (chunk) => {
      for (const f of this.parser.push(chunk)) {
        this.frames.push(f);
        const w = this.waiters.find((x) => x.test(f));
        if (w) {
          this.waiters = this.waiters.filter((x) => x !== w);
          w.resolve(f);
        }
      }
    });
  }
  static connect(port: number): Promise<MtClient> {
    return new Promise((resolve, reject) => {
      const s = connect(port, "127.0.0.1", () => resolve(new MtClient(s)));
      s.once("error", reject);
    });
  }
  send(name: string, values: MtValues = {}, raw?: Buffer): void {
    const spec = mtCommand(name);
    this.socket.write(encodeMtFrame({ type: spec.type, subsystem: spec.subsystem, commandId: spec.id, data: raw ?? writeMtParams(values, spec.request ?? []) }));
  }
  /** The next frame (already received or to come) of this MT command and type. */
  next(name: string, type: MtType, timeoutMs = 3000, where: (v: MtValues) => boolean = () => true): Promise<MtFrame> {
    const spec = mtCommand(name);
    const layout = type === MtType.SRSP ? spec.response : spec.request;
    const test = (f: MtFrame) => f.subsystem === spec.subsystem && f.commandId === spec.id && f.type === type && (!layout || where(readMtParams(f.data, layout)));
    const seen = this.frames.findIndex(test);
    if (seen >= 0) return Promise.resolve(this.frames.splice(seen, 1)[0]!);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w.test !== test);
        reject(new Error(`no ${name} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiters.push({
        test,
        resolve: (f) => {
          clearTimeout(timer);
          this.frames.splice(this.frames.indexOf(f), 1);
          resolve(f);
        },
      });
    });
  }
  values(name: string, f: MtFrame, type: MtType): MtValues {
    const spec = mtCommand(name);
    return readMtParams(f.data, (type === MtType.SRSP ? spec.response : spec.request) ?? []);
  }
  close(): void {
    this.socket.destroy();
  }
}

const readModelId = (tsn: number) =>
  encodeZclFrame({
    header: { frameType: ZclFrameType.GLOBAL, direction: ZclDirection.CLIENT_TO_SERVER, disableDefaultResponse: false, tsn, commandId: 0 },
    payload: encodeReadAttributes([0x0005]),
  });

describe("sim/zigbee coordinator at the MT level", function () {
  this.timeout(10_000);
  let sim: ZigbeeSim;
  let client: MtClient;

  beforeEach(async () => {
    sim = await startZigbeeSim({ network: SIM_NETWORK, autoJoin: false, locks: [{ id: "a", profile: "yale-assure" }, { id: "b", profile: "kwikset-910" }] });
    client = await MtClient.connect(sim.port);
  });
  afterEach(async () => {
    client?.close();
    await sim?.stop();
  });

  it("answers SYS ping with the Z-Stack capabilities, and an unknown SREQ with the MT RPC error", async () => {
    client.send("SYS.ping");
    expect(client.values("SYS.ping", await client.next("SYS.ping", MtType.SRSP), MtType.SRSP)).to.deep.equal({ capabilities: 0x0179 });
    // SYS 0x7f does not exist: RPC error SRSP on subsystem 0, cmd 0, error 0x02, then the offending CMD0/CMD1
    (client as unknown as { socket: Socket }).socket.write(encodeMtFrame({ type: MtType.SREQ, subsystem: MtSubsystem.SYS, commandId: 0x7f, data: Buffer.alloc(0) }));
    const rpc = await eventually("the RPC error SRSP", () => client.frames.find((f) => f.type === MtType.SRSP && f.subsystem === MtSubsystem.RES0));
    expect(rpc.data.toString("hex")).to.equal("02217f");
  });

  it("drop-srsp: the next ping is never answered, the one after is", async () => {
    sim.faults.dropSrsp(1, "SYS.ping");
    client.send("SYS.ping");
    client.send("SYS.ping");
    await client.next("SYS.ping", MtType.SRSP);
    // Answers go out in order: had the first ping been answered, its SRSP would have come before this one.
    expect(client.frames, "no second answer").to.have.length(0);
    expect(sim.faults.applied.at(-1)).to.include({ kind: "drop-srsp", detail: "SYS.ping" });
  });

  it("delay-srsp: a delayed ping answer arrives after the answer to a later request", async () => {
    sim.faults.delaySrsp(150, 1, "SYS.ping");
    client.send("SYS.ping");
    client.send("SYS.version");
    const srsps = await eventually("both answers", () => {
      const all = client.frames.filter((f) => f.type === MtType.SRSP);
      return all.length === 2 && all;
    });
    const order = srsps.map((f) => (f.commandId === 0x01 ? "ping" : f.commandId === 0x02 ? "version" : "?"));
    expect(order).to.deep.equal(["version", "ping"]);
  });

  it("permit join is enforced, and a sleepy lock's answers come after a non-sleepy lock's", async () => {
    expect(() => sim.join("a")).to.throw(/permit join is closed/);
    // ZDO Mgmt_Permit_Join_req broadcast: addrMode 0x0f, dst 0xfffc, duration 60, TC significance 1
    client.send("ZDO.mgmtPermitJoinReq", {}, Buffer.from([0x0f, 0xfc, 0xff, 60, 1]));
    await client.next("ZDO.mgmtPermitJoinReq", MtType.SRSP);
    expect(sim.coordinator.permitJoinOpen).to.equal(true);
    sim.join("a");
    sim.join("b");
    const ind = await client.next("ZDO.tcDeviceInd", MtType.AREQ);
    expect(client.values("ZDO.tcDeviceInd", ind, MtType.AREQ)).to.include({ extaddr: sim.lock("a").ieee, nwkaddr: sim.lock("a").nwk });

    sim.faults.sleepyDevice("a", 200);
    const a = sim.lock("a");
    const b = sim.lock("b");
    const req = (nwk: number, ep: number, transid: number) => {
      const data = readModelId(transid);
      client.send("AF.dataRequest", { dstaddr: nwk, destendpoint: ep, srcendpoint: 1, clusterid: 0, transid, options: 0, radius: 30, len: data.length, data });
    };
    req(a.nwk, a.endpointId, 1);
    req(b.nwk, b.endpointId, 2);
    const first = await client.next("AF.incomingMsg", MtType.AREQ);
    const second = await client.next("AF.incomingMsg", MtType.AREQ);
    expect([client.values("AF.incomingMsg", first, MtType.AREQ).srcaddr, client.values("AF.incomingMsg", second, MtType.AREQ).srcaddr]).to.deep.equal([b.nwk, a.nwk]);
    const c1 = client.values("AF.dataConfirm", await client.next("AF.dataConfirm", MtType.AREQ), MtType.AREQ);
    const c2 = client.values("AF.dataConfirm", await client.next("AF.dataConfirm", MtType.AREQ), MtType.AREQ);
    expect([c1.transid, c2.transid]).to.deep.equal([2, 1]);
    expect([c1.status, c2.status]).to.deep.equal([0, 0]);
  });

  it("response-lost delivers the frame but not the answer; drop-confirm answers but never confirms", async () => {
    client.send("ZDO.mgmtPermitJoinReq", {}, Buffer.from([0x0f, 0xfc, 0xff, 60, 1]));
    await client.next("ZDO.mgmtPermitJoinReq", MtType.SRSP);
    sim.join("a");
    const a = sim.lock("a");
    const send = (transid: number) => {
      const data = readModelId(transid);
      client.send("AF.dataRequest", { dstaddr: a.nwk, destendpoint: a.endpointId, srcendpoint: 1, clusterid: 0, transid, options: 0, radius: 30, len: data.length, data });
    };
    sim.faults.responseLost(1, { device: "a" });
    send(11);
    expect(client.values("AF.dataConfirm", await client.next("AF.dataConfirm", MtType.AREQ), MtType.AREQ)).to.include({ status: 0, transid: 11 });
    await eventually("the lock to get the read", () => a.commandsNamed("read").length === 1);
    sim.faults.addAf({ kind: "drop-confirm", remaining: 1, probability: 1 });
    send(12);
    // The lock answers in order, and a confirm goes out before the answer it confirms: the first answer to arrive is
    // the one to the second read (ZCL TSN 12), so the first was lost; and no confirm came before it, so none will.
    const answer = client.values("AF.incomingMsg", await client.next("AF.incomingMsg", MtType.AREQ), MtType.AREQ);
    expect((answer.data as Buffer)[1], "the ZCL TSN of the answer").to.equal(12);
    expect(client.frames.filter((f) => f.subsystem === MtSubsystem.AF && f.commandId === 0x81), "no other answer").to.have.length(0);
    expect(client.frames.filter((f) => f.subsystem === MtSubsystem.AF && f.commandId === 0x80), "no confirm").to.have.length(0);
    expect(sim.faults.applied.map((f) => f.kind)).to.deep.equal(["response-lost", "drop-confirm"]);
  });

  it("a data request to an address nobody has gets NWK_NO_ROUTE (0xCD)", async () => {
    const data = readModelId(9);
    client.send("AF.dataRequest", { dstaddr: 0x7777, destendpoint: 1, srcendpoint: 1, clusterid: 0, transid: 9, options: 0, radius: 30, len: data.length, data });
    const c = client.values("AF.dataConfirm", await client.next("AF.dataConfirm", MtType.AREQ), MtType.AREQ);
    expect(c).to.deep.equal({ status: 0xcd, endpoint: 1, transid: 9 });
  });

  it("dropFraction is reproducible: the same seed fails the same frames", async () => {
    const pattern = (seed: number) => {
      sim.faults.clear();
      sim.faults.reseed(seed);
      sim.faults.dropFraction(0.3);
      const info = { ieee: "0x0", clusterId: 0x101, commandId: 1, commandName: "unlockDoor", specific: true };
      return Array.from({ length: 40 }, () => sim.faults.afFaultFor(info) ?? "-").join(",");
    };
    const p1 = pattern(7);
    expect(pattern(7)).to.equal(p1);
    expect(pattern(8)).not.to.equal(p1);
    const failed = p1.split(",").filter((x) => x !== "-").length;
    expect(failed).to.be.within(4, 22);
    expect(() => sim.faults.dropFraction(1.5)).to.throw(/within 0-1/);
  });
});

describe("sim/zigbee startZigbeeSim input checks", () => {
  it("names what is wrong: unknown profile, duplicate id, bad network, corrupt NV file", async () => {
    await startZigbeeSim({ locks: [{ id: "x", profile: "acme" as never }] }).then(
      () => expect.fail("accepted an unknown profile"),
      (e: Error) => expect(e.message).to.match(/unknown lock profile "acme"/),
    );
    await startZigbeeSim({ locks: [{ id: "x", profile: "yale-assure" }, { id: "x", profile: "kwikset-910" }] }).then(
      () => expect.fail("accepted a duplicate id"),
      (e: Error) => expect(e.message).to.match(/"x" appears twice/),
    );
    await startZigbeeSim({ network: { ...SIM_NETWORK, channel: 30 } }).then(
      () => expect.fail("accepted channel 30"),
      (e: Error) => expect(e.message).to.match(/channel must be 11-26/),
    );
    await withTempDir(async (dir) => {
      writeFileSync(`${dir}/nv.json`, "{not json");
      await startZigbeeSim({ nvFile: `${dir}/nv.json` }).then(
        () => expect.fail("accepted a corrupt NV file"),
        (e: Error) => expect(e.message).to.match(/nv\.json is unreadable/),
      );
    }, "doorstep-zbsim-bad-");
  });
});
