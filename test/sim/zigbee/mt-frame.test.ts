// Golden MT frames written by hand from TI's "Z-Stack Monitor and Test API" (SWRA198), section 2.1.1:
// SOF 0xFE, LEN, CMD0 (type << 5 | subsystem), CMD1, DATA, FCS = XOR(LEN, CMD0, CMD1, DATA...).
import { expect } from "chai";
import { MtFrameParser, MtSubsystem, MtType, decodeMtFrame, encodeMtFrame, mtChecksum } from "../../../src/sim/zigbee/mt-frame.js";
import { bytesToIeee, ieeeToBytes, mtCommand, readMtParams, writeMtParams } from "../../../src/sim/zigbee/mt-commands.js";

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ""), "hex");

describe("sim/zigbee MT frame codec", () => {
  // SYS_PING SREQ: CMD0 = 0x21 (SREQ=1<<5 | SYS=1), CMD1 = 0x01, no data; FCS = 0x00 ^ 0x21 ^ 0x01 = 0x20
  const sysPingReq = hex("fe 00 21 01 20");
  // SYS_PING SRSP with Capabilities 0x0179: CMD0 = 0x61; FCS = 02^61^01^79^01 = 0x1a
  const sysPingRsp = hex("fe 02 61 01 79 01 1a");
  // AF_DATA_CONFIRM AREQ, status 0xE9 (MAC_NO_ACK), endpoint 1, trans id 5: CMD0 = 0x44, CMD1 = 0x80; FCS = 03^44^80^e9^01^05 = 0x2a
  const afConfirmNoAck = hex("fe 03 44 80 e9 01 05 2a");

  it("encodes frames byte-exact with the hand-computed FCS", () => {
    expect(encodeMtFrame({ type: MtType.SREQ, subsystem: MtSubsystem.SYS, commandId: 0x01, data: Buffer.alloc(0) })).to.deep.equal(sysPingReq);
    expect(encodeMtFrame({ type: MtType.SRSP, subsystem: MtSubsystem.SYS, commandId: 0x01, data: hex("7901") })).to.deep.equal(sysPingRsp);
    expect(encodeMtFrame({ type: MtType.AREQ, subsystem: MtSubsystem.AF, commandId: 0x80, data: hex("e90105") })).to.deep.equal(afConfirmNoAck);
    expect(mtChecksum(hex("03 44 80 e9 01 05"))).to.equal(0x2a);
  });

  it("decodes a frame and rejects a wrong checksum or length, naming the problem", () => {
    const f = decodeMtFrame(afConfirmNoAck);
    expect(f).to.deep.include({ type: MtType.AREQ, subsystem: MtSubsystem.AF, commandId: 0x80 });
    expect(f.data).to.deep.equal(hex("e9 01 05"));
    expect(() => decodeMtFrame(hex("fe 03 44 80 e9 01 05 2b"))).to.throw(/checksum/);
    expect(() => decodeMtFrame(hex("fe 04 44 80 e9 01 05 2a"))).to.throw(/length/);
  });

  it("splits a stream: skips herdsman's bootloader byte 0xEF, reassembles split frames, drops a corrupt one", () => {
    const parser = new MtFrameParser();
    const stream = Buffer.concat([hex("ef"), sysPingReq, hex("fe 02 61 01 79 01 00"), afConfirmNoAck]);
    const frames = [...parser.push(stream.subarray(0, 4)), ...parser.push(stream.subarray(4, 9)), ...parser.push(stream.subarray(9))];
    expect(frames.map((f) => `${f.subsystem}:${f.commandId}`)).to.deep.equal(["1:1", "4:128"]);
    expect(parser.badFrames).to.equal(1);
  });

  it("refuses data longer than one frame can carry", () => {
    expect(() => encodeMtFrame({ type: MtType.AREQ, subsystem: MtSubsystem.AF, commandId: 0x81, data: Buffer.alloc(251) })).to.throw(/maximum is 250/);
  });

  it("reads and writes AF_DATA_REQUEST parameters per the MT layout", () => {
    // dstaddr 0x4d2e, dst ep 1, src ep 1, cluster 0x0101, transid 7, options 0, radius 30, len 4, data
    const body = hex("2e4d 01 01 0101 07 00 1e 04 11 2a 01 00");
    const p = readMtParams(body, mtCommand("AF.dataRequest").request!);
    expect(p).to.deep.include({ dstaddr: 0x4d2e, destendpoint: 1, srcendpoint: 1, clusterid: 0x0101, transid: 7, radius: 30, len: 4 });
    expect(p.data).to.deep.equal(hex("11 2a 01 00"));
    expect(writeMtParams(p, mtCommand("AF.dataRequest").request!)).to.deep.equal(body);
    expect(() => readMtParams(body.subarray(0, 5), mtCommand("AF.dataRequest").request!)).to.throw(/clusterid/);
  });

  it("IEEE addresses travel little-endian", () => {
    expect(ieeeToBytes("0x00124b0024c0ffee")).to.deep.equal(hex("eeffc024004b1200"));
    expect(bytesToIeee(hex("eeffc024004b1200"))).to.equal("0x00124b0024c0ffee");
    expect(() => ieeeToBytes("0x1234")).to.throw(/not an IEEE address/);
  });
});
