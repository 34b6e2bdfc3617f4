// The visit's transitions as a table, like access/decide: each row is a state, an event, the next state and its effects.
import { expect } from "chai";
import { openedAtKeypad, opening, step, type VisitEffect, type VisitEvent, type VisitMachineState } from "../../src/delivery/visit-machine.js";

const base = opening();
const at = (patch: Partial<VisitMachineState>): VisitMachineState => ({ ...base, ...patch });
const unlocking = at({ phase: "unlocking", mayBeOpen: true });
const unconfirmed = at({ phase: "unlocking", mayBeOpen: true, unconfirmed: true });
const open = at({ phase: "open", mayBeOpen: true, opened: true });
const relocking = at({ phase: "relocking", mayBeOpen: true, opened: true, closeAs: "relocked" });
const relockingAfterSettle = at({ phase: "relocking", mayBeOpen: true, closeAs: "failed", failure: "unlock-unconfirmed" });

const unlock: VisitEffect = { type: "send-unlock" };
const sendRelock: VisitEffect = { type: "send-relock" };
const relocked: VisitEffect = { type: "record-relocked" };
const endWith = (postRoll: boolean): VisitEffect => ({ type: "end-recording", postRoll });

type Row = [string, VisitMachineState, VisitEvent, Partial<VisitMachineState>, VisitEffect[]];

function table(rows: Row[]): void {
  for (const [name, from, event, to, effects] of rows) {
    it(name, () => {
      const next = step(from, event);
      expect(next.effects, `${name}: effects`).to.deep.equal(effects);
      for (const [key, value] of Object.entries(to)) expect(next.state[key as keyof VisitMachineState], `${name}: ${key}`).to.deep.equal(value);
    });
  }
}

describe("delivery/visit-machine", () => {
  describe("the way through", () => {
    table([
      ["opening, the gate passes -> unlocking, the unlock is sent", base, { type: "gate", ok: true }, { phase: "unlocking", mayBeOpen: true }, [unlock]],
      ["the unlock is confirmed -> open, the relock armed", unlocking, { type: "unlock-confirmed" }, { phase: "open", opened: true }, [{ type: "record-open", late: false }]],
      ["our own unlock's report before its answer changes nothing", unlocking, { type: "lock-opened" }, { phase: "unlocking" }, []],
      ["the relock is due -> relocking", open, { type: "relock-due" }, { phase: "relocking", closeAs: "relocked" }, [sendRelock]],
      ["ended through the API -> relocking, closing as ended", open, { type: "end-requested" }, { phase: "relocking", closeAs: "ended" }, [sendRelock]],
      ["the owner unlocks again during the visit -> through the owner, the relock re-armed once confirmed", open, { type: "unlock-requested" },
        { phase: "unlocking", opened: true }, [unlock]],
      ["… the lock refuses it -> the door was open: relocked, not merely closed", at({ ...open, phase: "unlocking" }), { type: "unlock-failed", refused: true },
        { phase: "relocking", failure: "lock-unavailable" }, [sendRelock]],
      ["… a stale 'locked' report meanwhile does not start a relock", at({ ...open, phase: "unlocking" }), { type: "relock-due" }, { phase: "unlocking" }, []],
      ["the lock locks itself -> post-roll without a lock command", open, { type: "lock-locked" }, { phase: "post-roll", closeAs: "relocked" }, [relocked, endWith(true)]],
      ["the relock is confirmed -> post-roll, recording the post-roll", relocking, { type: "relock-confirmed" }, { phase: "post-roll" }, [relocked, endWith(true)]],
      ["the recording ended -> closed", at({ ...relocking, phase: "post-roll" }), { type: "recording-ended" }, { phase: "closed" }, [{ type: "close", reason: "relocked", refund: false }]],
      ["a relock timer before the door opened changes nothing", base, { type: "relock-due" }, { phase: "opening" }, []],
    ]);
    it("a keypad visit starts open, the lock having opened by itself", () => {
      expect(openedAtKeypad()).to.deep.equal({ state: { ...open }, effects: [{ type: "record-open", late: false }] });
    });
  });

  describe("the one failure path: recording always ended, a door that may be open always relocked", () => {
    table([
      ["the gate fails (camera) -> post-roll with no post-roll, nothing to relock", base, { type: "gate", ok: false, reason: "camera-unavailable" },
        { phase: "post-roll", failure: "camera-unavailable", closeAs: "aborted" }, [endWith(false)]],
      ["the lock refuses the unlock -> nothing moved, recording ended", unlocking, { type: "unlock-failed", refused: true },
        { phase: "post-roll", failure: "lock-unavailable", closeAs: "failed", mayBeOpen: false }, [endWith(false)]],
      ["the unlock is unanswered -> it may have landed: relocked first", unlocking, { type: "unlock-failed", refused: false },
        { phase: "relocking", failure: "lock-unavailable", closeAs: "failed" }, [sendRelock]],
      ["a failed visit relocked -> no post-roll", at({ phase: "relocking", mayBeOpen: true, failure: "lock-unavailable", closeAs: "failed" }), { type: "relock-confirmed" },
        { phase: "post-roll" }, [relocked, endWith(false)]],
      ["a failed visit closes as failed with its use given back", at({ phase: "post-roll", failure: "lock-unavailable", closeAs: "failed" }), { type: "recording-ended" },
        { phase: "closed" }, [{ type: "close", reason: "failed", failure: "lock-unavailable", refund: true }]],
      ["the relock is given up -> open again, retried, still closing as it would", relocking, { type: "relock-given-up" }, { phase: "open", closeAs: "relocked" }, [{ type: "record-relock-failed" }]],
      ["a given-up failed relock is retried when due", at({ ...relockingAfterSettle, phase: "open" }), { type: "relock-due" }, { phase: "relocking", closeAs: "failed" }, [sendRelock]],
    ]);
  });

  describe("a timed-out unlock", () => {
    table([
      ["the unlock times out -> waiting for the lock, alerted", unlocking, { type: "unlock-timed-out" }, { phase: "unlocking", unconfirmed: true }, [{ type: "record-unconfirmed" }]],
      ["it lands late -> relocked at once", unconfirmed, { type: "lock-opened" }, { phase: "relocking", opened: true, closeAs: "relocked" }, [{ type: "record-open", late: true }, sendRelock]],
      ["silence past the settle time -> the failure path", unconfirmed, { type: "settle-expired" }, { phase: "relocking", failure: "unlock-unconfirmed", closeAs: "failed" }, [sendRelock]],
      ["a settle timer after the answer changes nothing", open, { type: "settle-expired" }, { phase: "open" }, []],
      // Issue 10, item 15.
      ["ended while timed out -> relocked now (no throw, no lost visit)", unconfirmed, { type: "end-requested" }, { phase: "relocking", closeAs: "ended", unconfirmed: false }, [sendRelock]],
      ["ended while the unlock is on its way -> its answer is awaited first", unlocking, { type: "end-requested" }, { phase: "unlocking", closeAs: "ended" }, []],
      ["… then it times out -> relocked", at({ ...unlocking, closeAs: "ended" }), { type: "unlock-timed-out" }, { phase: "relocking", closeAs: "ended" }, [sendRelock]],
      ["… then it is confirmed -> the door opened, relocked at once", at({ ...unlocking, closeAs: "ended" }), { type: "unlock-confirmed" },
        { phase: "relocking", opened: true, closeAs: "ended" }, [{ type: "record-open", late: true }, sendRelock]],
      ["a late unlock during the settle relock -> recorded as opened, relocked again", relockingAfterSettle, { type: "lock-opened" },
        { phase: "relocking", opened: true, relockAgain: true }, [{ type: "record-open", late: true }]],
      ["the first relock confirmed, one more is due", at({ ...relockingAfterSettle, opened: true, relockAgain: true }), { type: "relock-confirmed" },
        { phase: "relocking", relockAgain: false }, [sendRelock]],
      ["the second relock confirmed -> post-roll (someone may have come in)", at({ ...relockingAfterSettle, opened: true }), { type: "relock-confirmed" },
        { phase: "post-roll" }, [relocked, endWith(true)]],
      ["a failed visit whose door opened late closes as relocked, its use kept", at({ ...relockingAfterSettle, phase: "post-roll", opened: true }), { type: "recording-ended" },
        { phase: "closed" }, [{ type: "close", reason: "relocked", refund: false }]],
      ["a second report of the same late opening changes nothing", at({ ...relocking }), { type: "lock-opened" }, { relockAgain: false }, []],
    ]);
  });

  describe("events that do not apply change nothing", () => {
    const phases: VisitMachineState[] = [base, unlocking, unconfirmed, open, relocking, at({ phase: "post-roll" }), at({ phase: "closed" })];
    const stray: VisitEvent[] = [{ type: "relock-confirmed" }, { type: "recording-ended" }, { type: "gate", ok: true }];
    for (const s of phases) {
      for (const e of stray) {
        const applies =
          (e.type === "relock-confirmed" && s.phase === "relocking") ||
          (e.type === "recording-ended" && s.phase === "post-roll") ||
          (e.type === "gate" && s.phase === "opening");
        if (applies) continue;
        it(`${e.type} in ${s.phase}${s.unconfirmed ? " (unconfirmed)" : ""}`, () => {
          expect(step(s, e)).to.deep.equal({ state: s, effects: [] });
        });
      }
    }
    it("a closed visit ignores everything", () => {
      const closed = at({ phase: "closed" });
      for (const e of [{ type: "end-requested" }, { type: "lock-opened" }, { type: "relock-due" }, { type: "settle-expired" }] as VisitEvent[]) {
        expect(step(closed, e)).to.deep.equal({ state: closed, effects: [] });
      }
    });
  });
});
