// A Recorder test double for the API tests: a switchable "recording" gate, and a visit clip written as a small file
// (the bytes stand in for an MP4, so the clip route's streaming and ranges can be checked byte for byte).
// The recorder's real behaviour is tested in test/camera against ffmpeg; here only the HTTP face is under test.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { VisitId } from "../../src/access/ids.js";
import type { BeginVisitOptions, EndVisitOptions, Recorder, RecorderHealth, VisitClip } from "../../src/camera/recorder.js";

export class FakeRecorder implements Recorder {
  recording = true;
  private readonly open = new Set<VisitId>();

  constructor(private readonly dir: string) {}

  async start(): Promise<void> {}
  async stop(): Promise<void> {}
  health(): RecorderHealth {
    return this.recording
      ? { state: "recording", lastFrameAt: Date.now(), newestSegmentAt: Date.now(), message: "recording" }
      : { state: "stalled", since: Date.now(), lastFrameAt: undefined, message: "no frames" };
  }
  isRecording(): boolean {
    return this.recording;
  }
  beginVisit(visitId: VisitId, _options: BeginVisitOptions): void {
    this.open.add(visitId);
  }
  async endVisit(visitId: VisitId, _options: EndVisitOptions): Promise<VisitClip> {
    this.open.delete(visitId);
    const path = join(this.dir, `${visitId}.mp4`);
    writeFileSync(path, FakeRecorder.clipBytes(visitId));
    const now = Date.now();
    return { visitId, parts: [{ path, durationMs: 1000, firstFrameAt: now - 1000, lastFrameAt: now, segments: 1 }], gaps: [] };
  }
  async recoverVisit(visitId: VisitId): Promise<VisitClip> {
    return { visitId, parts: [], gaps: [] };
  }
  openVisits(): VisitId[] {
    return [...this.open];
  }

  /** The clip file's content for a visit: 4 KiB that differ per visit and per offset. */
  static clipBytes(visitId: string): Buffer {
    const out = Buffer.alloc(4096);
    for (let i = 0; i < out.length; i++) out[i] = (i * 31 + visitId.charCodeAt(i % visitId.length)) & 0xff;
    return out;
  }
}
