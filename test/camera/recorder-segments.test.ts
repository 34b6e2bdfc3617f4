import { expect } from "chai";
import { classifyEnding } from "../../src/camera/ffmpeg-failure.js";
import { ProgressParser, type ProgressReport } from "../../src/camera/ffmpeg-progress.js";
import { selectSegments, segmentsToPrune, type SegmentRecord } from "../../src/camera/segment-index.js";
import { parsePlaylist } from "../../src/camera/segment-playlist.js";

function seg(run: number, seq: number, appearedAt: number, durationMs = 1000, bytes = 100): SegmentRecord {
  const name = `seg_${String(seq).padStart(6, "0")}.m4s`;
  return { run, seq, name, path: `/ring/run-${run}/${name}`, durationMs, appearedAt, bytes };
}

describe("camera/segment selection by appearance time", () => {
  // Ten 1 s segments that appeared at 1000, 2000, ... 10000: segment k covers [k*1000 - 1000, k*1000).
  const ring = Array.from({ length: 10 }, (_, i) => seg(1, i, (i + 1) * 1000));

  it("takes from the segment that contains now - preRoll onward", () => {
    const picked = selectSegments(ring, 4500);
    expect(picked.map((s) => s.seq)).to.deep.equal([4, 5, 6, 7, 8, 9]);
    expect(picked[0]!.appearedAt - picked[0]!.durationMs).to.be.at.most(4500);
  });

  it("stops after the segment that reaches until", () => {
    expect(selectSegments(ring, 4500, 7200).map((s) => s.seq)).to.deep.equal([4, 5, 6, 7]);
  });

  it("a boundary exactly at a segment's end does not take that segment", () => {
    expect(selectSegments(ring, 5000).map((s) => s.seq)[0]).to.equal(5);
  });

  it("uses appearance time, not sequence numbers: a late segment of a restarted run is placed by when it appeared", () => {
    const mixed = [seg(1, 0, 1000), seg(1, 1, 2000), seg(2, 0, 9000), seg(2, 1, 10000)];
    expect(selectSegments(mixed, 8500).map((s) => `${s.run}/${s.seq}`)).to.deep.equal(["2/0", "2/1"]);
    expect(selectSegments(mixed, 0).map((s) => `${s.run}/${s.seq}`)).to.deep.equal(["1/0", "1/1", "2/0", "2/1"]);
  });

  it("uses each segment's own duration (a 4 s GOP makes 4 s segments)", () => {
    const long = [seg(1, 0, 4000, 4000), seg(1, 1, 8000, 4000)];
    expect(selectSegments(long, 4500).map((s) => s.seq)).to.deep.equal([1]);
    expect(selectSegments(long, 3900).map((s) => s.seq)).to.deep.equal([0, 1]);
  });
});

describe("camera/ring pruning", () => {
  // Segments that appeared at 1000 ... 10000, 100 bytes each.
  const ring = Array.from({ length: 10 }, (_, i) => seg(1, i, (i + 1) * 1000, 1000, 100));

  it("deletes segments older than the ring's span", () => {
    expect(segmentsToPrune(ring, { keepSince: 3500, maxBytes: 1e9 }).map((s) => s.seq)).to.deep.equal([0, 1, 2]);
  });

  it("deletes the oldest beyond the byte limit", () => {
    expect(segmentsToPrune(ring, { keepSince: 0, maxBytes: 550 }).map((s) => s.seq)).to.deep.equal([0, 1, 2, 3, 4]);
  });

  it("never deletes a pinned segment, even if the ring stays over its limit", () => {
    const pinned = new Set([0, 1]);
    const doomed = segmentsToPrune(ring, { keepSince: 3500, maxBytes: 1e9 }, (s) => pinned.has(s.seq));
    expect(doomed.map((s) => s.seq)).to.deep.equal([2]);
    const all = segmentsToPrune(ring, { keepSince: Infinity, maxBytes: 0 }, (s) => s.seq < 5);
    expect(all.map((s) => s.seq)).to.deep.equal([5, 6, 7, 8, 9]);
  });

  it("deletes nothing within limits", () => {
    expect(segmentsToPrune(ring, { keepSince: 1000, maxBytes: 1000 })).to.deep.equal([]);
  });
});

describe("camera/HLS playlist parsing", () => {
  it("lists complete segments with their EXTINF durations", () => {
    const text = [
      "#EXTM3U", "#EXT-X-VERSION:7", "#EXT-X-TARGETDURATION:1", "#EXT-X-MEDIA-SEQUENCE:3", '#EXT-X-MAP:URI="init.mp4"',
      "#EXTINF:1.000130,", "#EXT-X-PROGRAM-DATE-TIME:2026-11-26T15:45:43.693+0000", "seg_000003.m4s",
      "#EXTINF:0.733333,", "seg_000004.m4s", "#EXT-X-ENDLIST", "",
    ].join("\n");
    expect(parsePlaylist(text)).to.deep.equal([
      { name: "seg_000003.m4s", durationMs: 1000 },
      { name: "seg_000004.m4s", durationMs: 733 },
    ]);
  });

  it("ignores entries without a duration and any path outside the ring folder", () => {
    expect(parsePlaylist("#EXTM3U\nseg_000001.m4s\n#EXTINF:1.0,\n../etc/passwd\n#EXTINF:1.0,\nseg_000002.m4s\n")).to.deep.equal([
      { name: "seg_000002.m4s", durationMs: 1000 },
    ]);
  });

  it("an empty or truncated playlist (a full disk) yields nothing", () => {
    expect(parsePlaylist("")).to.deep.equal([]);
    expect(parsePlaylist("#EXTM3U\n#EXTINF:1.0")).to.deep.equal([]);
  });
});

describe("camera/ffmpeg -progress parsing", () => {
  it("reports each block's frame counter, across chunk boundaries", () => {
    const seen: ProgressReport[] = [];
    const p = new ProgressParser((r) => seen.push(r));
    p.feed("frame=0\nfps=0.00\nout_time_us=N/A\nprogress=continue\nfra");
    p.feed("me=32\nout_time_us=2133333\nprogress=conti");
    expect(seen).to.have.length(1);
    p.feed("nue\nframe=36\nprogress=end\n");
    expect(seen).to.deep.equal([
      { frame: 0, outTimeUs: undefined, end: false },
      { frame: 32, outTimeUs: 2133333, end: false },
      { frame: 36, outTimeUs: undefined, end: true },
    ]);
  });
});

describe("camera/ffmpeg endings", () => {
  const base = { exitCode: 1, signal: null, stderrTail: "", frames: 0 };
  it("names each failure", () => {
    expect(classifyEnding({ ...base, spawnErrorCode: "ENOENT" })).to.equal("ffmpeg-missing");
    expect(classifyEnding({ ...base, exitCode: 127, stderrTail: "setpriv: failed to execute /opt/ff: No such file or directory" }))
      .to.equal("ffmpeg-missing");
    expect(classifyEnding({ ...base, stderrTail: "rtsp://***@h/x: Connection refused" })).to.equal("stream-unreachable");
    expect(classifyEnding({ ...base, stderrTail: "method DESCRIBE failed: 401 Unauthorized" })).to.equal("auth-failed");
    expect(classifyEnding({ ...base, frames: 90, stderrTail: "seg_000007.m4s: No space left on device" })).to.equal("disk-full");
    expect(classifyEnding({ ...base, frames: 90, freeBytes: 10, minFreeBytes: 1000 })).to.equal("disk-full");
    expect(classifyEnding({ ...base, frames: 90, exitCode: null, signal: "SIGKILL" })).to.equal("ffmpeg-crashed");
    expect(classifyEnding({ ...base, frames: 90, exitCode: 0 })).to.equal("stream-ended");
  });
});
