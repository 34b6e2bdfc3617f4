// The Access Code TLV codec against byte sequences written out by hand from the public reverse-engineered description
// (rednblkx/homekit-lock-access-code README: its "Example Add/List/Read/Remove" dumps and the Supported Configuration
// example "AQEBAgEEAwEGBAH/"), not produced by the encoder under test.
import { expect } from "chai";
import { ValidationError } from "../../src/core/errors.js";
import { decodeAccessCodeRequest, encodeAccessCodeResponse, encodeSupportedConfiguration } from "../../src/homekit/access-code-tlv.js";

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ""), "hex");

describe("Access Code TLV8 codec (golden vectors)", () => {
  it("decodes the README's Add request: operation 3 with one request entry holding ASCII code 1234", () => {
    expect(decodeAccessCodeRequest(hex("01 01 03  02 06  02 04 31 32 33 34"))).to.deep.equal({ operation: "add", entries: [{ code: "1234" }] });
  });

  it("encodes the README's Add response byte for byte: operation echoed, identifier, code, flags 0, status 0", () => {
    const bytes = encodeAccessCodeResponse("add", [{ identifier: 1, code: "1234", status: "success" }]);
    expect(bytes.toString("hex")).to.equal(hex("01 01 03  03 0f  01 01 01  02 04 31 32 33 34  03 01 00  04 01 00").toString("hex"));
  });

  it("decodes the README's bulk Read request: three entries separated by 00 00", () => {
    const request = decodeAccessCodeRequest(hex("01 01 02  02 03 01 01 00  00 00  02 03 01 01 01  00 00  02 03 01 01 02"));
    expect(request).to.deep.equal({ operation: "read", entries: [{ identifier: 0 }, { identifier: 1 }, { identifier: 2 }] });
  });

  it("encodes the README's List response: entries separated by 00 00", () => {
    const bytes = encodeAccessCodeResponse("list", [
      { identifier: 0, code: "1234", status: "success" },
      { identifier: 1, code: "56789", status: "success" },
      { identifier: 2, code: "2468", status: "success" },
    ]);
    const expected = hex(`01 01 01
      03 0f 01 01 00 02 04 31 32 33 34 03 01 00 04 01 00  00 00
      03 10 01 01 01 02 05 35 36 37 38 39 03 01 00 04 01 00  00 00
      03 0f 01 01 02 02 04 32 34 36 38 03 01 00 04 01 00`);
    expect(bytes.toString("hex")).to.equal(expected.toString("hex"));
  });

  it("decodes the README's Remove request and encodes a response without a code (Doorstep never reveals a PIN)", () => {
    expect(decodeAccessCodeRequest(hex("01 01 05  02 03 01 01 02"))).to.deep.equal({ operation: "remove", entries: [{ identifier: 2 }] });
    expect(encodeAccessCodeResponse("remove", [{ identifier: 2, status: "success" }]).toString("hex")).to.equal(
      hex("01 01 05  03 09 01 01 02 03 01 00 04 01 00").toString("hex"),
    );
  });

  it("encodes status codes by their documented numbers (4 duplicate, 5 too short, 9 does not exist)", () => {
    const bytes = encodeAccessCodeResponse("add", [{ status: "duplicate" }, { status: "tooShort" }, { identifier: 7, status: "doesNotExist" }]);
    expect(bytes.toString("hex")).to.equal(hex("01 01 03  03 06 03 01 00 04 01 04  00 00  03 06 03 01 00 04 01 05  00 00  03 09 01 01 07 03 01 00 04 01 09").toString("hex"));
  });

  it("writes identifiers above 255 little-endian in as few bytes as they need, and reads them back", () => {
    expect(encodeAccessCodeResponse("read", [{ identifier: 300, status: "success" }]).subarray(3, 9).toString("hex")).to.equal(hex("03 0a 01 02 2c 01").toString("hex"));
    expect(decodeAccessCodeRequest(hex("01 01 02  02 04 01 02 2c 01")).entries).to.deep.equal([{ identifier: 300 }]);
  });

  it("encodes the Supported Configuration example AQEBAgEEAwEGBAH/ (digits, 4 to 6, 255 codes)", () => {
    expect(encodeSupportedConfiguration({ minLength: 4, maxLength: 6, maxCodes: 255 }).toString("base64")).to.equal("AQEBAgEEAwEGBAH/");
  });

  it("joins a value split over 255-byte items (HAP TLV8 fragmentation)", () => {
    const code = "1".repeat(300);
    // The outer request item of 255 bytes holds the code item's header (02 ff) and its first 253 bytes; the outer
    // continuation holds the rest of the code item. The inner item is itself fragmented (255 + 45 bytes).
    const inner = Buffer.concat([hex("02 ff"), Buffer.from(code.slice(0, 255)), hex("02 2d"), Buffer.from(code.slice(255))]);
    const outer = Buffer.concat([hex("01 01 03"), hex("02 ff"), inner.subarray(0, 255), Buffer.from([0x02, inner.length - 255]), inner.subarray(255)]);
    expect(decodeAccessCodeRequest(outer).entries[0]!.code).to.equal(code);
  });

  it("refuses malformed requests with a ValidationError naming the part", () => {
    const cases: [string, RegExp][] = [
      ["02 03 01 01 00", /exactly one operation, found 0/],
      ["01 01 09", /9 is not an operation/],
      ["01 02 03 00", /operation: must be one byte/],
      ["01 01 02  02 07 01 05 01 02 03 04 05", /identifier: must be 1 to 4 bytes/],
      ["01 01 02  02 05 01 01", /longer than the data/],
      ["01 01 01  07 00", /unexpected item of type 7/],
      ["01", /inside an item header/],
    ];
    for (const [bytes, message] of cases) {
      expect(() => decodeAccessCodeRequest(hex(bytes)), bytes).to.throw(ValidationError, message);
    }
  });

  it("refuses a supported configuration that cannot be encoded", () => {
    expect(() => encodeSupportedConfiguration({ minLength: 6, maxLength: 4, maxCodes: 10 })).to.throw(ValidationError, /minLength/);
    expect(() => encodeSupportedConfiguration({ minLength: 4, maxLength: 8, maxCodes: 256 })).to.throw(ValidationError, /maxCodes/);
  });
});
