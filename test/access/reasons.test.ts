import { expect } from "chai";
import { DENY_REASONS, LEAVE_OUTSIDE_REASONS, describe as describeReason, isLeaveOutsideReason } from "../../src/access/reasons.js";
import { credential } from "../helpers/access-fixtures.js";

const utc = (iso: string): number => Date.parse(iso);

describe("access/reasons", () => {
  it("has exactly the reasons of DESIGN.md, plus mode-not-allowed", () => {
    expect([...DENY_REASONS, ...LEAVE_OUTSIDE_REASONS]).to.have.members([
      "unknown-credential", "revoked", "not-yet-valid", "expired", "outside-schedule", "uses-exhausted", "wrong-door",
      "deliveries-paused", "pets-home", "camera-unavailable", "lock-unavailable", "locked-out", "mode-not-allowed",
    ]);
    expect(LEAVE_OUTSIDE_REASONS.every(isLeaveOutsideReason)).to.equal(true);
    expect(DENY_REASONS.some(isLeaveOutsideReason)).to.equal(false);
  });

  it("gives a distinct sentence for every reason, with or without context", () => {
    const all = [...DENY_REASONS, ...LEAVE_OUTSIDE_REASONS];
    const bare = all.map((r) => describeReason(r));
    expect(new Set(bare).size).to.equal(all.length);
    for (const s of bare) expect(s).to.match(/^[A-Z].*\.$/);
    const c = credential({ maxUses: 1, revokedAt: utc("2026-12-02T10:00:00Z") });
    for (const r of all) expect(describeReason(r, { credential: c, now: utc("2026-12-02T11:00:00Z") })).to.match(/^[A-Z].*\.$/);
  });

  it("says when the next window opens, in the schedule's zone", () => {
    // Wednesday 2026-12-02 12:00 Berlin; the next Tuesday 09:00 CET is 2026-12-08 08:00 UTC.
    const c = credential({
      validUntil: utc("2026-12-31T00:00:00Z"),
      schedule: { type: "weekly", timeZone: "Europe/Berlin", windows: [{ days: ["TU"], start: "09:00", end: "12:00" }] },
    });
    expect(describeReason("outside-schedule", { credential: c, now: utc("2026-12-02T11:00:00Z") })).to.equal(
      "The code is outside its schedule (next window opens Tue 2026-12-08 09:00 Europe/Berlin).",
    );
    expect(describeReason("outside-schedule", { credential: c, now: utc("2026-12-29T12:00:00Z") })).to.match(/no later window/);
  });

  it("dates validity in the home's zone when there is no schedule", () => {
    const c = credential({ validFrom: utc("2026-12-01T08:00:00Z") });
    expect(describeReason("not-yet-valid", { credential: c, timeZone: "America/New_York" })).to.equal(
      "The code is not valid yet (valid from Tue 2026-12-01 03:00 America/New_York).",
    );
    expect(describeReason("expired", { credential: c })).to.equal("The code expired on Tue 2026-12-08 00:00 UTC.");
    expect(describeReason("expired", { credential: credential({ expiresAfterFirstUseMinutes: 30 }), usage: { uses: 1, firstUsedAt: utc("2026-12-02T10:00:00Z") } }))
      .to.equal("The code expired on Wed 2026-12-02 10:30 UTC (it expires a set time after its first use).");
  });
});
