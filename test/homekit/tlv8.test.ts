import { expect } from "chai";
import { decodeTlv, encodeTlv } from "./tlv8.js";

// Golden vectors written from the HAP specification's TLV8 rules, not from any implementation.
describe("TLV8 test codec (HAP spec §14.1)", () => {
  it("encodes type, length, value", () => {
    expect(encodeTlv([[0x06, [0x01]]]).toString("hex")).to.equal("060101");
  });
  it("fragments values over 255 bytes into consecutive items of the same type", () => {
    const value = Buffer.alloc(300, 0xab);
    const encoded = encodeTlv([[0x01, value]]);
    expect(encoded.length).to.equal(2 + 255 + 2 + 45);
    expect([encoded[0], encoded[1], encoded[257], encoded[258]]).to.deep.equal([0x01, 0xff, 0x01, 45]);
    expect(decodeTlv(encoded).get(1)).to.deep.equal(value);
  });
  it("separates two items of the same type with FF 00", () => {
    expect(encodeTlv([[0x01, [0x0a]], [0x01, [0x0b]]]).toString("hex")).to.equal("01010aff0001010b");
  });
  it("nests sub-TLVs", () => {
    expect(encodeTlv([[0x03, [[0x01, [0x00]], [0x02, "a"]]]]).toString("hex")).to.equal("0306010100020161");
  });
});
