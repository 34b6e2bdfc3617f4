import { expect } from "chai";
import type { SegmentRecord } from "../../src/camera/segment-index.js";
import { isPinned, preRollStart, VisitLinks } from "../../src/camera/visit-links.js";

function seg(run: number, seq: number, appearedAt: number, durationMs = 1000): SegmentRecord {
  const name = `seg_${String(seq).padStart(6, "0")}.m4s`;
  return { run, seq, name, path: `/ring/run-${run}/${name}`, durationMs, appearedAt, bytes: 100 };
}

/** Offers `s` as the recorder does: place, open the part if new, link. Returns the placement. */
function take(links: VisitLinks, s: SegmentRecord) {
  if (!links.wants(s)) return undefined;
  const placement = links.place(s);
  if (placement.started) links.opened(placement, s);
  links.linked(s);
  return placement;
}

describe("camera/visit links: which segments a visit takes", () => {
  it("the span starts at the visit's start minus its pre-roll", () => {
    expect(preRollStart(20_000, 5000)).to.equal(15_000);
    expect(preRollStart(20_000, 0)).to.equal(20_000);
  });

  it("wants every segment overlapping [from, until), including the one the pre-roll starts inside", () => {
    const links = new VisitLinks(10_500);
    links.until = 13_000;
    const table: [SegmentRecord, boolean, string][] = [
      [seg(1, 0, 10_000), false, "ends before from (9000-10000)"],
      [seg(1, 1, 10_500), false, "ends exactly at from"],
      [seg(1, 2, 11_000), true, "contains from (10000-11000)"],
      [seg(1, 3, 12_000), true, "inside"],
      [seg(1, 4, 13_000), true, "ends at until"],
      [seg(1, 5, 13_500), true, "contains until (12500-13500)"],
      [seg(1, 6, 14_000), false, "starts at until"],
      [seg(1, 7, 16_000, 4000), true, "a long segment spanning until (12000-16000)"],
    ];
    for (const [s, wanted, why] of table) expect(links.wants(s), why).to.equal(wanted);
  });

  it("an open visit (until = Infinity) wants everything after its start, each segment once", () => {
    const links = new VisitLinks(0);
    const s = seg(1, 1, 1_000_000_000);
    expect(links.wants(s)).to.equal(true);
    take(links, s);
    expect(links.wants(s), "already linked").to.equal(false);
    expect(links.wants(seg(2, 1, 1_000_000_000)), "same seq, other run").to.equal(true);
  });

  it("starts a part per run, measuring the hole from the last linked frame to the new part's first", () => {
    const links = new VisitLinks(0);
    expect(links.parts()).to.equal(0);
    expect(take(links, seg(1, 0, 1000))).to.deep.equal({ part: 1, run: 1, started: { part: 1 } });
    expect(take(links, seg(1, 1, 2000))).to.deep.equal({ part: 1, run: 1 });
    expect(take(links, seg(1, 2, 3000))).to.deep.equal({ part: 1, run: 1 });
    expect(take(links, seg(2, 0, 9000))).to.deep.equal({ part: 2, run: 2, started: { part: 2, gap: { fromAt: 3000, untilAt: 8000, gapMs: 5000 } } });
    expect(take(links, seg(3, 0, 9500, 1000))).to.deep.equal({
      part: 3, run: 3, started: { part: 3, gap: { fromAt: 9000, untilAt: 8500, gapMs: 0 } },
    }, "overlapping runs: no negative gap");
    expect(links.parts()).to.equal(3);
  });

  it("place() changes nothing until the part is opened and the segment linked", () => {
    const links = new VisitLinks(0);
    const s = seg(4, 0, 1000);
    expect(links.place(s)).to.deep.equal({ part: 1, run: 4, started: { part: 1 } });
    expect(links.place(s), "asked again").to.deep.equal({ part: 1, run: 4, started: { part: 1 } });
    expect(links.parts()).to.equal(0);
    expect(links.wants(s)).to.equal(true);
  });

  it("a segment lost before linking still opens its part, and the next of its run joins that part", () => {
    const links = new VisitLinks(0);
    const lost = seg(1, 0, 1000);
    const placement = links.place(lost);
    links.opened(placement, lost); // the ring deleted the file before it could be linked: no linked() call
    expect(links.wants(lost), "still wanted: it was never linked").to.equal(true);
    expect(take(links, seg(1, 1, 2000))).to.deep.equal({ part: 1, run: 1 });
  });

  it("is satisfied once a segment reaching `until` appeared", () => {
    const links = new VisitLinks(0);
    expect(links.isSatisfiedBy(1e12), "open visit").to.equal(false);
    links.until = 5000;
    expect(links.isSatisfiedBy(undefined), "empty ring").to.equal(false);
    expect(links.isSatisfiedBy(4999)).to.equal(false);
    expect(links.isSatisfiedBy(5000)).to.equal(true);
  });

  it("pins a segment while any open visit still wants it", () => {
    const a = new VisitLinks(5000);
    const b = new VisitLinks(20_000);
    const early = seg(1, 0, 4000);
    const mid = seg(1, 1, 6000);
    expect(isPinned([a, b], early), "before both visits").to.equal(false);
    expect(isPinned([a, b], mid), "visit a wants it").to.equal(true);
    take(a, mid);
    expect(isPinned([a, b], mid), "taken by a, before b").to.equal(false);
    expect(isPinned([], mid), "no visits").to.equal(false);
  });
});
