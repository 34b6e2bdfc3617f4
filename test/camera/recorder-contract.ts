// The Recorder contract: what RingRecorder and the test double both do for the delivery flow, written once and run
// against each (recorder-contract.test.ts): the gate, a visit from begin to end, and the refusals around it.
import { expect } from "chai";
import { existsSync } from "node:fs";
import { VisitId } from "../../src/access/ids.js";
import type { Recorder } from "../../src/camera/recorder.js";
import { ConflictError, NotFoundError, ValidationError } from "../../src/core/errors.js";

/** Defines the contract's cases inside the caller's `describe`; `subject` is read when a case runs, on a started recorder. */
export function recorderContract(subject: () => Recorder): void {
  let n = 0;
  /** A visit id no case has used, so the cases do not depend on their order. */
  const visit = () => VisitId(`contract-${process.pid}-${++n}`);
  const failure = async (call: () => unknown) => {
    try {
      await call();
    } catch (error) {
      return error;
    }
    return undefined;
  };

  it("opens the gate while frames arrive, and says so in its health", () => {
    const recorder = subject();
    expect(recorder.isRecording()).to.equal(true);
    expect(recorder.health().state).to.equal("recording");
  });

  it("records a visit: open from begin to end, then a clip of it whose parts are on disk, and it can be assembled again", async () => {
    const recorder = subject();
    const v = visit();
    recorder.beginVisit(v, { preRollMs: 2000 });
    expect(recorder.openVisits()).to.include(v);
    const clip = await recorder.endVisit(v, { postRollMs: 0 });
    expect(recorder.openVisits()).to.not.include(v);
    expect(clip.visitId).to.equal(v);
    expect(clip.parts.length, "parts").to.be.at.least(1);
    for (const part of clip.parts) {
      expect(existsSync(part.path), `${part.path} exists`).to.equal(true);
      expect(part.durationMs).to.be.above(0);
      expect(part.segments).to.be.at.least(1);
      expect(part.firstFrameAt).to.be.at.most(part.lastFrameAt);
    }
    const again = await recorder.recoverVisit(v);
    expect(again.visitId).to.equal(v);
    expect(again.parts.length, "parts assembled again").to.equal(clip.parts.length);
  });

  it("refuses a visit it is recording, or has recorded, with ConflictError", async () => {
    const recorder = subject();
    const v = visit();
    recorder.beginVisit(v, { preRollMs: 0 });
    expect(await failure(() => recorder.beginVisit(v, { preRollMs: 0 }))).to.be.instanceOf(ConflictError);
    expect(await failure(() => recorder.recoverVisit(v)), "recovering a visit being recorded").to.be.instanceOf(ConflictError);
    await recorder.endVisit(v, { postRollMs: 0 });
    expect(await failure(() => recorder.beginVisit(v, { preRollMs: 0 })), "beginning a recorded visit again").to.be.instanceOf(ConflictError);
  });

  it("ends and recovers only visits it knows, with NotFoundError otherwise", async () => {
    const recorder = subject();
    expect(await failure(() => recorder.endVisit(visit(), { postRollMs: 0 }))).to.be.instanceOf(NotFoundError);
    expect(await failure(() => recorder.recoverVisit(visit()))).to.be.instanceOf(NotFoundError);
  });

  it("refuses a negative pre-roll or post-roll, and a visit id that is no safe folder name, with ValidationError", async () => {
    const recorder = subject();
    const calls: [string, () => unknown][] = [
      ["pre-roll -1", () => recorder.beginVisit(visit(), { preRollMs: -1 })],
      ["post-roll -1", () => recorder.endVisit(visit(), { postRollMs: -1 })],
      ["visit id ../x", () => recorder.beginVisit(VisitId("../x"), { preRollMs: 0 })],
    ];
    const wrong: string[] = [];
    for (const [name, call] of calls) if (!((await failure(call)) instanceof ValidationError)) wrong.push(name);
    expect(wrong, "calls that did not throw ValidationError").to.deep.equal([]);
    expect(recorder.openVisits()).to.deep.equal([]);
  });
}
