// The temp-dir fixture: a dir per test or per suite, there while the suite's own after hooks run, gone afterwards.
import { expect } from "chai";
import { existsSync, writeFileSync } from "node:fs";
import { useTempDir, withTempDir } from "./temp-dir.js";

describe("temp-dir fixture", () => {
  const seen: string[] = [];

  describe("per test", () => {
    const tmp = useTempDir();
    afterEach(() => {
      // A fixture stopped here may still write into the dir: it must exist until the suite's own hooks are done.
      writeFileSync(tmp.join("late"), "x");
      seen.push(tmp.path);
    });
    it("gives each test a fresh, empty dir", () => expect(existsSync(tmp.join("late"))).to.equal(false));
    it("gives the next test another one", () => expect(existsSync(tmp.join("late"))).to.equal(false));
  });

  describe("per suite", () => {
    const tmp = useTempDir({ per: "suite" });
    after(() => {
      writeFileSync(tmp.join("late"), "x");
      seen.push(tmp.path);
    });
    it("keeps one dir for the suite", () => writeFileSync(tmp.join("first"), "x"));
    it("the same dir in the next test", () => expect(existsSync(tmp.join("first"))).to.equal(true));
  });

  describe("afterwards", () => {
    // mocha runs nested suites in order, so both suites above are done here.
    it("removed every dir after its suite's own hooks ran", () => {
      expect(seen).to.have.length(3);
      expect(new Set(seen).size).to.equal(3);
      for (const dir of seen) expect(existsSync(dir), dir).to.equal(false);
    });
  });

  it("withTempDir removes its dir even when the callback throws", async () => {
    let made = "";
    const failing = withTempDir((dir) => {
      made = dir;
      throw new Error("boom");
    });
    await failing.then(
      () => expect.fail("withTempDir swallowed the error"),
      (error: Error) => expect(error.message).to.equal("boom"),
    );
    expect(made).to.not.equal("");
    expect(existsSync(made)).to.equal(false);
  });
});
