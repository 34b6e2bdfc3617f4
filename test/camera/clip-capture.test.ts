import { expect } from "chai";
import fs from "node:fs";
import path from "node:path";
import { VisitId } from "../../src/access/ids.js";
import { gapsBetween, readPartSegments } from "../../src/camera/clip-assemble.js";
import { VisitCapture } from "../../src/camera/clip-visit.js";
import type { SegmentRecord } from "../../src/camera/segment-index.js";
import { useTempDir } from "../helpers/temp-dir.js";

describe("camera/visit capture (fake ring folders)", () => {
  const tmp = useTempDir({ prefix: "doorstep-capture-" });

  /** A fake segment file in `<root>/ring/run-<run>/` that appeared at `appearedAt`. */
  function segment(run: number, seq: number, appearedAt: number): SegmentRecord {
    const dir = path.join(tmp.path, "ring", `run-${run}`);
    fs.mkdirSync(dir, { recursive: true });
    if (!fs.existsSync(path.join(dir, "init.mp4"))) fs.writeFileSync(path.join(dir, "init.mp4"), `init of run ${run}`);
    const name = `seg_${String(seq).padStart(6, "0")}.m4s`;
    fs.writeFileSync(path.join(dir, name), `run ${run} seq ${seq}`);
    return { run, seq, name, path: path.join(dir, name), durationMs: 1000, appearedAt, bytes: 10 };
  }
  const initOf = (s: SegmentRecord) => path.join(path.dirname(s.path), "init.mp4");

  it("links the wanted segments, a part per run, and measures the gap between parts", () => {
    const visitDir = path.join(tmp.path, "visits", "v1");
    const capture = new VisitCapture(VisitId("v1"), visitDir, 10_500);
    const early = segment(1, 0, 10_000); // covers 9000-10000: before the pre-roll start
    const a = segment(1, 1, 11_000);
    const b = segment(1, 2, 12_000);
    const c = segment(2, 0, 20_000); // after a restart: covers 19000-20000
    expect(capture.take(early, initOf(early))).to.deep.equal({});
    expect(capture.take(a, initOf(a)).started).to.deep.equal({ part: 1 });
    expect(capture.take(b, initOf(b))).to.deep.equal({});
    expect(capture.take(b, initOf(b)), "a segment is taken once").to.deep.equal({});
    expect(capture.take(c, initOf(c)).started).to.deep.equal({ part: 2, gap: { fromAt: 12_000, untilAt: 19_000, gapMs: 7000 } });

    expect(fs.readdirSync(path.join(visitDir, "part-1")).sort()).to.deep.equal(["init.mp4", "seg_000001.m4s", "seg_000002.m4s", "segments.jsonl"]);
    expect(fs.readFileSync(path.join(visitDir, "part-2", "init.mp4"), "utf8")).to.equal("init of run 2");
    expect(readPartSegments(path.join(visitDir, "part-1"), 1000).map((e) => [e.name, e.appearedAt])).to.deep.equal([
      ["seg_000001.m4s", 11_000],
      ["seg_000002.m4s", 12_000],
    ]);
  });

  it("a linked segment survives the ring deleting its copy", () => {
    const capture = new VisitCapture(VisitId("v2"), path.join(tmp.path, "visits", "v2"), 0);
    const s = segment(1, 5, 5000);
    capture.take(s, initOf(s));
    fs.rmSync(path.dirname(s.path), { recursive: true });
    expect(fs.readFileSync(path.join(tmp.path, "visits", "v2", "part-1", s.name), "utf8")).to.equal("run 1 seq 5");
  });

  it("stops wanting segments past `until`, and is satisfied by one that reaches it", () => {
    const capture = new VisitCapture(VisitId("v3"), path.join(tmp.path, "visits", "v3"), 0);
    capture.until = 3000;
    expect(capture.needs(segment(1, 0, 3500))).to.equal(true); // covers 2500-3500
    expect(capture.needs(segment(1, 1, 4500))).to.equal(false); // covers 3500-4500
    expect(capture.isSatisfiedBy(2900)).to.equal(false);
    expect(capture.isSatisfiedBy(3000)).to.equal(true);
  });

  it("reports a segment the ring already deleted instead of failing", () => {
    const capture = new VisitCapture(VisitId("v4"), path.join(tmp.path, "visits", "v4"), 0);
    const s = segment(1, 0, 1000);
    fs.rmSync(s.path);
    expect(capture.take(s, initOf(s)).missing).to.equal(true);
  });

  it("without its manifest (torn by a crash), a part's segments are found from the files", () => {
    const dir = path.join(tmp.path, "part");
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, "seg_000003.m4s"), "x");
    fs.writeFileSync(path.join(dir, "seg_000001.m4s"), "x");
    fs.writeFileSync(path.join(dir, "segments.jsonl"), '{"name":"seg_000001.m4s","run":1,"seq":1,"durationMs":900,"appearedAt":42}\n{"name":"seg_0000');
    const entries = readPartSegments(dir, 1000);
    expect(entries.map((e) => [e.name, e.durationMs])).to.deep.equal([["seg_000001.m4s", 900], ["seg_000003.m4s", 1000]]);
    expect(entries[0]!.appearedAt).to.equal(42);
  });

  it("the gap between assembled parts runs from one part's last frame to the next one's first, never negative", () => {
    const part = (firstFrameAt: number, lastFrameAt: number) => ({ path: "p.mp4", durationMs: lastFrameAt - firstFrameAt, firstFrameAt, lastFrameAt, segments: 1 });
    expect(gapsBetween([])).to.deep.equal([]);
    expect(gapsBetween([part(0, 5000)])).to.deep.equal([]);
    expect(gapsBetween([part(0, 5000), part(8000, 9000), part(8500, 12_000)])).to.deep.equal([
      { afterPart: 1, fromAt: 5000, untilAt: 8000, gapMs: 3000 },
      { afterPart: 2, fromAt: 9000, untilAt: 8500, gapMs: 0 },
    ]);
  });
});
