// formatError: one sentence from anything thrown, ready to sit inside the caller's own sentence.

import { expect } from "chai";
import { ConflictError, formatError } from "../../src/core/errors.js";

describe("formatError", () => {
  it("drops the message's closing full stop, so a caller's sentence never ends in '..'", () => {
    expect(`Unable to start: ${formatError(new ConflictError("The bridge starts once."))}.`).to.equal("Unable to start: The bridge starts once.");
    expect(formatError(new Error("no answer.  "))).to.equal("no answer");
    expect(formatError("plain text.")).to.equal("plain text");
  });

  it("keeps everything else: messages without a stop, an ellipsis, a stop inside the text", () => {
    expect(formatError(new Error("v1.2 failed"))).to.equal("v1.2 failed");
    expect(formatError(new Error("waiting..."))).to.equal("waiting...");
    expect(formatError(42)).to.equal("42");
  });
});
