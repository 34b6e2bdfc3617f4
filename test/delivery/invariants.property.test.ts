// Random interleavings of redemptions, keypad uses, camera and lock faults and time: whatever happens, no unlock
// without a visit, no visit without its audit entry, no code used beyond its uses, nothing left open after stop().
import { expect } from "chai";
import fc from "fast-check";
import { CredentialId } from "../../src/access/ids.js";
import { OWNER, harness } from "./harness.js";
import type { OperationAnswer } from "../../src/zigbee/test-lock-driver.js";

type Step =
  | { kind: "redeem"; code: number; source: number; wrong: boolean }
  | { kind: "redeem-concurrently"; code: number }
  | { kind: "keypad"; code: number }
  | { kind: "camera"; on: boolean; dieOnBegin: boolean }
  | { kind: "lock-available"; on: boolean }
  | { kind: "unlock-answer"; answer: OperationAnswer }
  | { kind: "lock-reports"; state: "locked" | "unlocked" }
  | { kind: "advance"; ms: number }
  | { kind: "end"; code: number };

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ kind: fc.constant("redeem" as const), code: fc.nat(3), source: fc.nat(2), wrong: fc.boolean() }),
  fc.record({ kind: fc.constant("redeem-concurrently" as const), code: fc.nat(3) }),
  fc.record({ kind: fc.constant("keypad" as const), code: fc.nat(3) }),
  fc.record({ kind: fc.constant("camera" as const), on: fc.boolean(), dieOnBegin: fc.boolean() }),
  fc.record({ kind: fc.constant("lock-available" as const), on: fc.boolean() }),
  fc.record({ kind: fc.constant("unlock-answer" as const), answer: fc.constantFrom<OperationAnswer>("confirm", "time-out", "reject", "unreachable") }),
  fc.record({ kind: fc.constant("lock-reports" as const), state: fc.constantFrom("locked" as const, "unlocked" as const) }),
  fc.record({ kind: fc.constant("advance" as const), ms: fc.integer({ min: 0, max: 90_000 }) }),
  fc.record({ kind: fc.constant("end" as const), code: fc.nat(3) }),
);

describe("delivery: invariants under random interleavings (property)", function () {
  this.timeout(120_000);

  it("every unlock has a visit, every visit its audit entry, no code over its uses, all closed after stop()", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 25 }), async (steps) => {
        const h = await harness();
        try {
          const lock = h.doors.front!.lock;
          const recorder = h.doors.front!.recorder!;
          const codes = [
            h.credential({ label: "Courier A" }),
            h.credential({ label: "Courier B", maxUses: 2 }),
            h.credential({ label: "Cleaner", kind: "cleaning" }),
            h.credential({ label: "Keypad only", kind: "guest", mode: "keypad" }),
          ];
          await h.scheduler.advance(0);
          const unlockedBy = new Map<string, number>();
          const note = (id: string, outcome: { outcome: string }) => {
            if (outcome.outcome === "unlocked") unlockedBy.set(id, (unlockedBy.get(id) ?? 0) + 1);
          };
          for (const s of steps) {
            switch (s.kind) {
              case "redeem": {
                const code = codes[s.code]!;
                const pin = s.wrong ? "90909090" : code.pin;
                note(code.id, await h.service.redeem({ doorId: "front", pin, actor: OWNER, source: `10.0.0.${s.source}` }));
                break;
              }
              case "redeem-concurrently": {
                const code = codes[s.code]!;
                const outcomes = await Promise.all([1, 2, 3].map((n) => h.service.redeem({ doorId: "front", pin: code.pin, actor: OWNER, source: `10.1.0.${n}` })));
                outcomes.forEach((o) => note(code.id, o));
                break;
              }
              case "keypad": {
                const slot = [...lock.pins].find(([, p]) => p.pin === codes[s.code]!.pin)?.[0];
                lock.keypadUnlock(slot ?? 29);
                break;
              }
              case "camera":
                recorder.recording = s.on;
                recorder.dieOnBegin = s.dieOnBegin;
                break;
              case "lock-available":
                lock.available = s.on;
                break;
              case "unlock-answer":
                lock.unlockAnswers.push(s.answer);
                break;
              case "lock-reports":
                lock.report(s.state);
                break;
              case "advance":
                await h.scheduler.advance(s.ms);
                break;
              case "end": {
                const open = h.store.visits.list({ open: true });
                if (open[0]) await h.service.endVisit(open[0].id, OWNER).catch(() => undefined);
                break;
              }
            }
          }
          await h.scheduler.advance(120_000);
          await h.service.stop();

          const visits = h.store.visits.list({ limit: 1000 });
          const audit = h.store.audit.list({ limit: 10_000 });
          // No unlock command without a visit record that got as far as the unlock.
          const sentUnlocks = visits.filter((v) => (v.via === "remote" || v.via === "owner") && v.closeReason !== "aborted").length;
          expect(lock.unlocks, "unlock commands vs visits that sent one").to.equal(sentUnlocks);
          for (const v of visits) {
            expect(audit.some((e) => e.visitId === v.id && e.type === "visit.opened"), `visit ${v.id} has its audit entry`).to.equal(true);
            expect(v.state, "nothing left open after stop()").to.equal("closed");
            expect(audit.some((e) => e.visitId === v.id && (e.type === "visit.closed" || e.type === "visit.failed")), "and its closing entry").to.equal(true);
          }
          for (const c of codes) {
            const credential = h.store.credentials.get(CredentialId(c.id))!;
            const uses = h.store.credentials.usage(credential.id)!.uses;
            if (credential.maxUses !== undefined) expect(uses).to.be.at.most(credential.maxUses);
            if (credential.maxUses !== undefined) expect(unlockedBy.get(c.id) ?? 0).to.be.at.most(credential.maxUses);
          }
          expect(h.store.audit.verify().ok).to.equal(true);
          const text = JSON.stringify(audit);
          for (const c of codes) expect(text).to.not.include(c.pin);
        } finally {
          await h.cleanup();
        }
      }),
      { numRuns: 60, seed: 20261202 },
    );
  });
});
