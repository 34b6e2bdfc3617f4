import { expect } from "chai";
import { memoryFlagsFor } from "../../src/cli/node-flags.js";

describe("cli/node flags for the long-running bridge", () => {
  it("serve gets the small young generation; other commands start as they are", () => {
    expect(memoryFlagsFor(["--storage", "/x", "serve"], [], undefined)).to.deep.equal(["--max-semi-space-size=1"]);
    expect(memoryFlagsFor(["guest", "list"], [], undefined)).to.deep.equal([]);
    expect(memoryFlagsFor(["sim", "--doors", "2"], [], undefined)).to.deep.equal([]);
  });

  it("a flag already given (after the re-exec, on the command line or in NODE_OPTIONS) is not added again", () => {
    expect(memoryFlagsFor(["serve"], ["--max-semi-space-size=1"], undefined)).to.deep.equal([]);
    expect(memoryFlagsFor(["serve"], ["--max-semi-space-size=8"], undefined)).to.deep.equal([]);
    expect(memoryFlagsFor(["serve"], [], "--max-semi-space-size=4 --enable-source-maps")).to.deep.equal([]);
  });
});
