import { expect } from "chai";
import fs from "node:fs";
import path from "node:path";
import { TestClock } from "../../src/access/test-clock.js";
import { ValidationError } from "../../src/core/errors.js";
import { applyRetention } from "../../src/camera/retention.js";
import { useTempDir } from "../helpers/temp-dir.js";

const DAY = 86_400_000;

describe("camera/clip retention", () => {
  const tmp = useTempDir({ prefix: "doorstep-retention-" });
  const clock = new TestClock(Date.parse("2026-11-26T12:00:00Z"));

  /** A fake visit folder of `bytes` bytes whose files were last written `daysAgo` days ago. */
  function visit(id: string, daysAgo: number, bytes: number): void {
    const d = path.join(tmp.path, id);
    fs.mkdirSync(path.join(d, "part-1"), { recursive: true });
    fs.writeFileSync(path.join(d, "part-1.mp4"), Buffer.alloc(bytes));
    fs.writeFileSync(path.join(d, "part-1", "seg_000001.m4s"), Buffer.alloc(0));
    const t = new Date(clock.now() - daysAgo * DAY);
    for (const p of [path.join(d, "part-1", "seg_000001.m4s"), path.join(d, "part-1"), path.join(d, "part-1.mp4"), d]) fs.utimesSync(p, t, t);
  }


  it("deletes clips older than N days and keeps the rest", () => {
    visit("old", 40, 10);
    visit("recent", 2, 10);
    const r = applyRetention({ visitsDir: tmp.path, maxAgeDays: 30, isOpen: () => false, clock });
    expect(r.deleted.map((d) => [d.visitId, d.reason])).to.deep.equal([["old", "age"]]);
    expect(fs.readdirSync(tmp.path)).to.deep.equal(["recent"]);
    expect(r.keptBytes).to.equal(10);
  });

  it("deletes the oldest first until under M bytes", () => {
    visit("a", 5, 400);
    visit("b", 4, 400);
    visit("c", 3, 400);
    visit("d", 1, 400);
    const r = applyRetention({ visitsDir: tmp.path, maxBytes: 900, isOpen: () => false, clock });
    expect(r.deleted.map((d) => d.visitId)).to.deep.equal(["a", "b"]);
    expect(fs.readdirSync(tmp.path).sort()).to.deep.equal(["c", "d"]);
    expect(r.keptBytes).to.equal(800);
  });

  it("never deletes an open visit, by age or by size", () => {
    visit("open-old", 90, 1000);
    visit("closed", 1, 1000);
    const r = applyRetention({ visitsDir: tmp.path, maxAgeDays: 30, maxBytes: 500, isOpen: (id) => id === "open-old", clock });
    expect(r.deleted.map((d) => d.visitId)).to.deep.equal(["closed"]);
    expect(fs.existsSync(path.join(tmp.path, "open-old", "part-1.mp4"))).to.equal(true);
  });

  it("age follows the injected clock", () => {
    visit("v", 10, 10);
    expect(applyRetention({ visitsDir: tmp.path, maxAgeDays: 14, isOpen: () => false, clock }).deleted).to.deep.equal([]);
    const later = new TestClock(clock.now() + 5 * DAY);
    expect(applyRetention({ visitsDir: tmp.path, maxAgeDays: 14, isOpen: () => false, clock: later }).deleted.map((d) => d.visitId)).to.deep.equal(["v"]);
  });

  it("rejects a bad policy, naming the field, and deletes nothing", () => {
    visit("v", 100, 10);
    expect(() => applyRetention({ visitsDir: tmp.path, maxAgeDays: -1, isOpen: () => false, clock }))
      .to.throw(ValidationError, /retention.maxAgeDays/);
    expect(() => applyRetention({ visitsDir: tmp.path, maxBytes: Number.NaN, isOpen: () => false, clock }))
      .to.throw(ValidationError, /retention.maxBytes/);
    expect(fs.readdirSync(tmp.path)).to.deep.equal(["v"]);
  });

  it("a missing visits folder is simply empty", () => {
    expect(applyRetention({ visitsDir: path.join(tmp.path, "nope"), maxAgeDays: 1, isOpen: () => false, clock })).to.deep.equal({ deleted: [], keptBytes: 0 });
  });
});
