import { expect } from "chai";
import { ForbiddenError, toHttpError, UnauthorizedError } from "../../src/api/http-errors.js";
import {
  ConfigError, ConflictError, DeviceRejectedError, DeviceUnreachableError, InternalError, NotFoundError, StoreError, ValidationError,
} from "../../src/core/errors.js";

describe("API error mapping", () => {
  it("maps each error class to one status and code", () => {
    const cases: [unknown, number, string][] = [
      [new ValidationError("must be a door id", "doors[0]"), 400, "invalid-input"],
      [new UnauthorizedError("no token", false), 401, "unauthorized"],
      [new ForbiddenError("owner only"), 403, "forbidden"],
      [new NotFoundError("No visit x."), 404, "not-found"],
      [new ConflictError("busy"), 409, "conflict"],
      [new DeviceRejectedError("status 1", 1), 502, "device-rejected"],
      [new DeviceUnreachableError("no answer"), 503, "device-unreachable"],
      [new StoreError("disk full"), 503, "store-unavailable"],
    ];
    for (const [error, status, code] of cases) {
      const http = toHttpError(error);
      expect([http.status, http.body.code], String(error)).to.deep.equal([status, code]);
    }
    expect(toHttpError(new ValidationError("must be after validFrom", "validUntil")).body.issues).to.deep.equal([{ path: "validUntil", message: "must be after validFrom" }]);
  });

  it("answers anything unexpected with a generic 500 that carries no message, stack or secret of the original", () => {
    for (const error of [new Error("pin 482913 at /var/lib/x"), new TypeError("x is undefined"), new InternalError("invariant"), new ConfigError("bad"), "a string", undefined, { statusCode: 503 }]) {
      const http = toHttpError(error);
      expect(http.status).to.equal(500);
      expect(http.unexpected).to.equal(true);
      expect(http.body).to.deep.equal({ code: "internal", message: "Something went wrong inside the bridge; the details are in its log." });
    }
  });

  it("never passes a parser's message through (a JSON syntax error quotes the body)", () => {
    const syntax = Object.assign(new SyntaxError('Unexpected token in JSON: {"pin":"482913"'), { statusCode: 400 });
    expect(toHttpError(syntax).body).to.deep.equal({ code: "malformed-json", message: "The body is not valid JSON." });
    const other = Object.assign(new Error("secret-bearing framework text"), { statusCode: 431 });
    expect(toHttpError(other)).to.deep.include({ status: 431, body: { code: "bad-request", message: "The request is not valid." } });
  });

  it("turns ajv errors into issues naming the field, without values", () => {
    const http = toHttpError({
      validationContext: "body",
      validation: [
        { keyword: "required", instancePath: "/schedule", params: { missingProperty: "timeZone" }, message: "x" },
        { keyword: "additionalProperties", instancePath: "", params: { additionalProperty: "k".repeat(100) }, message: "x" },
        { keyword: "enum", instancePath: "/schedule/windows/0/days/1", params: { allowedValues: ["MO", "TU"] }, message: "x" },
        { keyword: "if", instancePath: "/schedule", params: { failingKeyword: "then" }, message: 'must match "then" schema' },
        { keyword: "pattern", instancePath: "/pin", params: { pattern: "^[0-9]{4,12}$" }, message: 'must match pattern "^[0-9]{4,12}$"' },
      ],
    });
    expect(http.status).to.equal(400);
    expect(http.body.issues).to.deep.equal([
      { path: "schedule.timeZone", message: "is required" },
      { path: `${"k".repeat(64)}…`, message: "is not a known field" },
      { path: "schedule.windows[0].days[1]", message: "must be one of MO, TU" },
      { path: "pin", message: 'must match pattern "^[0-9]{4,12}$"' },
    ]);
    const query = toHttpError({ validationContext: "querystring", validation: [{ keyword: "maximum", instancePath: "/limit", params: {}, message: "must be <= 1000" }] });
    expect(query.body.issues).to.deep.equal([{ path: "query.limit", message: "must be <= 1000" }]);
  });
});
