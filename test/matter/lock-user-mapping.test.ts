import { expect } from "chai";
import type { Credential } from "../../src/access/credential.js";
import { validateCredentialInput } from "../../src/access/credential-input.js";
import { CredentialId, DoorId } from "../../src/access/ids.js";
import {
  UserStatus, UserType, editPlan, instantToLocalSeconds, localSecondsToInstant, mirrorCredential, mirrorPlan, pinText, projectUser, termsInput, viewFingerprint,
  weekDayToWindow, type CredentialState, type EditPlan, type MatterUserView,
} from "../../src/matter/lock-user-mapping.js";

// Golden vectors written by hand from the Matter spec (LocalStartTime/LocalEndTime are local time; matter.js passes
// epoch-s fields as UNIX seconds) and the tz rules (Berlin CET +1, CEST +2 from 2026-03-29 01:00 UTC).
const utcSeconds = (iso: string) => Date.parse(iso) / 1000;
const BERLIN = "Europe/Berlin";
/** Wednesday 2 December 2026, 10:00 UTC (11:00 in Berlin). */
const NOW = Date.parse("2026-12-02T10:00:00Z");
const ctx = { doorId: "front", timeZone: BERLIN, now: NOW, maxCredentialDays: 30, expiringUserTimeoutMinutes: 45 };

const user = (over: Partial<MatterUserView> = {}): MatterUserView => ({
  userIndex: 3,
  userName: "courier",
  userStatus: UserStatus.OccupiedEnabled,
  userType: UserType.Unrestricted,
  pin: "482913",
  yearDay: [],
  weekDay: [],
  ...over,
});

describe("matter/lock-user-mapping", () => {
  describe("local time of year-day schedules", () => {
    const vectors: [string, string, string][] = [
      // wall clock in Berlin (as UNIX-encoded local seconds), the instant, why
      ["2026-12-02T11:00:00Z", "2026-12-02T10:00:00Z", "winter: CET, +1"],
      ["2026-07-15T09:00:00Z", "2026-07-15T07:00:00Z", "summer: CEST, +2"],
      ["2026-03-29T02:30:00Z", "2026-03-29T01:00:00Z", "inside the spring gap: the end of the gap"],
      ["2026-10-25T02:30:00Z", "2026-10-25T00:30:00Z", "the repeated hour: its first occurrence"],
    ];
    for (const [wall, instant, why] of vectors) {
      it(`${wall.slice(0, 16)} Berlin → ${instant.slice(0, 16)}Z (${why})`, () => {
        expect(localSecondsToInstant(utcSeconds(wall), BERLIN)).to.equal(Date.parse(instant));
      });
    }
    it("instant → local seconds is the inverse outside transitions", () => {
      expect(instantToLocalSeconds(Date.parse("2026-12-02T10:00:00Z"), BERLIN)).to.equal(utcSeconds("2026-12-02T11:00:00Z"));
      expect(instantToLocalSeconds(Date.parse("2026-07-15T07:00:00Z"), BERLIN)).to.equal(utcSeconds("2026-07-15T09:00:00Z"));
    });
  });

  describe("Matter user → credential", () => {
    it("a year-day user: validity from the schedule in the configured zone; started windows count from now", () => {
      const p = projectUser(
        user({ userType: UserType.YearDaySchedule, yearDay: [{ localStartTime: utcSeconds("2026-12-02T09:00:00Z"), localEndTime: utcSeconds("2026-12-02T13:00:00Z") }] }),
        ctx,
      );
      expect(p.kind).to.equal("credential");
      if (p.kind !== "credential") return;
      expect(p.input).to.deep.include({ kind: "guest", doors: ["front"], pin: "482913", mode: "both", label: "courier" });
      expect(p.input.validFrom).to.equal(NOW);
      expect(p.input.validUntil).to.equal(Date.parse("2026-12-02T12:00:00Z"));
      expect(validateCredentialInput(p.input, { knownDoors: ["front"], now: NOW, maxSpanDays: 30 }).ok).to.equal(true);
    });

    it("no year-day schedule: the credential ends after the configured maximum span", () => {
      const p = projectUser(user(), ctx);
      expect(p.kind === "credential" && p.input.validUntil).to.equal(NOW + 30 * 86_400_000);
    });

    it("week-day schedules become weekly windows in the configured zone", () => {
      const p = projectUser(
        user({ userType: UserType.WeekDaySchedule, weekDay: [{ daysMask: { monday: true, friday: true }, startHour: 8, startMinute: 5, endHour: 12, endMinute: 30 }] }),
        ctx,
      );
      expect(p.kind === "credential" && p.input.schedule).to.deep.equal({ type: "weekly", timeZone: BERLIN, windows: [{ days: ["MO", "FR"], start: "08:05", end: "12:30" }] });
    });

    it("Disposable → one use; Expiring → the ExpiringUserTimeout; RemoteOnly → remote only", () => {
      const d = projectUser(user({ userType: UserType.Disposable }), ctx);
      const e = projectUser(user({ userType: UserType.Expiring }), ctx);
      const r = projectUser(user({ userType: UserType.RemoteOnly }), ctx);
      expect(d.kind === "credential" && d.input.maxUses).to.equal(1);
      expect(e.kind === "credential" && e.input.expiresAfterFirstUseMinutes).to.equal(45);
      expect(r.kind === "credential" && r.input.mode).to.equal("remote");
    });

    const none: [string, Partial<MatterUserView>][] = [
      ["no PIN", { pin: undefined }],
      ["a disabled user", { userStatus: UserStatus.OccupiedDisabled }],
      ["a year-day user without a schedule", { userType: UserType.YearDaySchedule }],
      ["a week-day user without a schedule", { userType: UserType.WeekDaySchedule }],
      ["a schedule-restricted user without a schedule", { userType: UserType.ScheduleRestricted }],
      ["a non-access user", { userType: UserType.NonAccess }],
      ["a programming user", { userType: UserType.Programming }],
      ["a year-day schedule that is over", { yearDay: [{ localStartTime: utcSeconds("2026-12-01T09:00:00Z"), localEndTime: utcSeconds("2026-12-02T10:59:00Z") }] }],
    ];
    for (const [what, over] of none) {
      it(`${what} gives no access (fail closed)`, () => {
        const view = user(over);
        if ("pin" in over && over.pin === undefined) delete view.pin;
        expect(projectUser(view, ctx).kind).to.equal("no-access");
      });
    }

    it("weekDayToWindow reads the DaysMask bits Sunday..Saturday", () => {
      expect(weekDayToWindow({ daysMask: { sunday: true, saturday: true }, startHour: 0, startMinute: 0, endHour: 23, endMinute: 59 })).to.deep.equal({ days: ["SU", "SA"], start: "00:00", end: "23:59" });
    });
  });

  describe("credential → Matter user", () => {
    const credential = (over: Partial<Credential> = {}): Credential => ({
      id: CredentialId("cred_1"),
      label: "Parcel courier Tuesday",
      kind: "delivery",
      doors: [DoorId("front")],
      validFrom: Date.parse("2026-12-02T10:00:00Z"),
      validUntil: Date.parse("2026-12-02T14:00:00Z"),
      mode: "both",
      allowWhenPetsHome: false,
      requireRecording: true,
      createdAt: NOW,
      ...over,
    });

    it("validity becomes the year-day schedule in local time; the name is cut to Matter's 10 characters", () => {
      const m = mirrorCredential(credential(), true, BERLIN, 4);
      expect(m.userName).to.equal("Parcel cou");
      expect(m.userType).to.equal(UserType.YearDaySchedule);
      expect(m.userStatus).to.equal(UserStatus.OccupiedEnabled);
      expect(m.yearDay).to.deep.equal({ localStartTime: utcSeconds("2026-12-02T11:00:00Z"), localEndTime: utcSeconds("2026-12-02T15:00:00Z") });
    });

    it("user types: remote → RemoteOnly, one use → Disposable, expiring → Expiring; not live → disabled", () => {
      expect(mirrorCredential(credential({ mode: "remote", maxUses: 1 }), true, BERLIN, 4).userType).to.equal(UserType.RemoteOnly);
      expect(mirrorCredential(credential({ maxUses: 1 }), true, BERLIN, 4).userType).to.equal(UserType.Disposable);
      expect(mirrorCredential(credential({ expiresAfterFirstUseMinutes: 30 }), true, BERLIN, 4).userType).to.equal(UserType.Expiring);
      expect(mirrorCredential(credential(), false, BERLIN, 4).userStatus).to.equal(UserStatus.OccupiedDisabled);
    });

    it("a weekly window across midnight is split in two, the second on the following days", () => {
      const m = mirrorCredential(credential({ schedule: { type: "weekly", timeZone: BERLIN, windows: [{ days: ["SA"], start: "22:00", end: "02:00" }] } }), true, BERLIN, 4);
      expect(m.userType).to.equal(UserType.ScheduleRestricted);
      expect(m.weekDay).to.deep.equal([
        { daysMask: { saturday: true }, startHour: 22, startMinute: 0, endHour: 23, endMinute: 59 },
        { daysMask: { sunday: true }, startHour: 0, startMinute: 0, endHour: 2, endMinute: 0 },
      ]);
    });

    it("shows at most the supported number of week-day schedules", () => {
      const windows = ["MO", "TU", "WE"].map((d) => ({ days: [d as "MO"], start: "08:00", end: "09:00" }));
      expect(mirrorCredential(credential({ schedule: { type: "weekly", timeZone: BERLIN, windows } }), true, BERLIN, 2).weekDay).to.have.length(2);
    });
  });

  describe("PIN bytes and view digests", () => {
    const ascii = (text: string) => new Uint8Array([...text].map((c) => c.charCodeAt(0)));

    it("a PIN credential is 4 to 8 ASCII digits; anything else (a mirrored user's placeholder) is no PIN", () => {
      expect(pinText(ascii("4829"))).to.equal("4829");
      expect(pinText(ascii("48291377"))).to.equal("48291377");
      for (const bad of ["482", "482913770", "48a9", "48 9"]) expect(pinText(ascii(bad)), bad).to.equal(undefined);
      expect(pinText(new Uint8Array(8).fill(0xff))).to.equal(undefined);
    });

    it("a view's digest changes with any field, the PIN included, and never shows the PIN", () => {
      const base = viewFingerprint(user());
      expect(viewFingerprint(user())).to.equal(base);
      expect(viewFingerprint(user({ pin: "482914" }))).to.not.equal(base);
      expect(viewFingerprint(user({ userType: UserType.Disposable }))).to.not.equal(base);
      expect(viewFingerprint(user({ weekDay: [{ daysMask: { monday: true }, startHour: 8, startMinute: 0, endHour: 9, endMinute: 0 }] }))).to.not.equal(base);
      expect(viewFingerprint(user())).to.not.include("482913");
    });
  });

  describe("a credential's terms, to put back after a failed edit", () => {
    it("are a valid credential input once a PIN is added, with every term of the credential", () => {
      const schedule = { type: "weekly" as const, timeZone: BERLIN, windows: [{ days: ["MO" as const], start: "08:00", end: "09:00" }] };
      const c: Credential = {
        id: CredentialId("cred_2"), label: "Cleaner", kind: "cleaning", doors: [DoorId("front")], validFrom: NOW, validUntil: NOW + 86_400_000 * 7,
        mode: "keypad", allowWhenPetsHome: true, requireRecording: false, createdAt: NOW, schedule, maxUses: 3, expiresAfterFirstUseMinutes: 30,
      };
      const terms = termsInput(c);
      expect(terms).to.not.have.property("pin");
      const checked = validateCredentialInput({ ...terms, pin: "482913" }, { knownDoors: ["front"], now: NOW, maxSpanDays: 30 });
      expect(checked.ok, JSON.stringify(checked)).to.equal(true);
      if (!checked.ok) return;
      expect(checked.value).to.deep.include({ label: "Cleaner", kind: "cleaning", mode: "keypad", allowWhenPetsHome: true, requireRecording: false, maxUses: 3 });
      expect(checked.value.schedule).to.deep.equal(schedule);
      expect(checked.value.expiresAfterFirstUseMinutes).to.equal(30);
    });
  });

  describe("a changed Matter user → what happens to its credential", () => {
    const live: CredentialState = { id: "cred_1", live: true };
    const spent: CredentialState = { id: "cred_1", live: false };
    const revoked: CredentialState = { id: "cred_1", live: true, revokedAt: NOW };
    const cases: [string, CredentialState | undefined, boolean, EditPlan<CredentialState>][] = [
      ["a new user", undefined, false, { kind: "create", revokeOld: "no" }],
      ["same PIN, code live: changed in place", live, true, { kind: "amend", old: live }],
      ["same PIN, code spent: the old one goes first (two codes cannot share a PIN)", spent, true, { kind: "create", revokeOld: "before", old: spent }],
      ["new PIN: the old code works until the new one is on the keypad", live, false, { kind: "create", revokeOld: "after", old: live }],
      ["new PIN, old code spent", spent, false, { kind: "create", revokeOld: "after", old: spent }],
      ["the old code was revoked elsewhere", revoked, true, { kind: "create", revokeOld: "no" }],
    ];
    for (const [what, old, samePin, plan] of cases) {
      it(what, () => expect(editPlan(old, samePin)).to.deep.equal(plan));
    }
  });

  describe("credentials → Matter users (the mirror)", () => {
    const c = (id: string, over: Partial<CredentialState> = {}): CredentialState => ({ id, live: true, ...over });

    it("removes mirrored users whose code is gone, revoked or spent; disables Matter's own; adds live codes without a user", () => {
      const links = [
        { userIndex: 1, credentialId: "kept", origin: "store" },
        { userIndex: 2, credentialId: "deleted", origin: "store" },
        { userIndex: 3, credentialId: "revoked", origin: "store" },
        { userIndex: 4, credentialId: "spent", origin: "matter" },
        { userIndex: 5, credentialId: "mine", origin: "matter" },
      ];
      const credentials = [c("kept"), c("revoked", { revokedAt: NOW }), c("spent", { live: false }), c("mine"), c("new"), c("new-spent", { live: false })];
      const plan = mirrorPlan(links, credentials);
      expect(plan.remove).to.deep.equal([2, 3]);
      expect(plan.disable).to.deep.equal([4]);
      expect(plan.add.map((x) => x.id)).to.deep.equal(["new"]);
    });

    it("nothing to do when every live code has its user", () => {
      expect(mirrorPlan([{ userIndex: 1, credentialId: "a", origin: "store" }], [c("a")])).to.deep.equal({ remove: [], disable: [], add: [] });
    });
  });
});
