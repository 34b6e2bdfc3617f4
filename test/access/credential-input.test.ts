import { expect } from "chai";
import { type CredentialInputOptions, parseInstant, validateCredentialInput } from "../../src/access/credential-input.js";

const NOW = Date.parse("2026-11-26T12:00:00Z");
const options: CredentialInputOptions = { knownDoors: ["front", "garage"], now: NOW, maxSpanDays: 366 };
const base = {
  label: "Parcel courier",
  kind: "delivery",
  doors: ["front"],
  validFrom: "2026-12-01T09:00:00+01:00",
  validUntil: "2026-12-01T13:00:00+01:00",
};

function errorsOf(input: unknown, opts: CredentialInputOptions = options): { path: string; message: string }[] {
  const r = validateCredentialInput(input, opts);
  return r.ok ? [] : r.errors;
}
const pathsOf = (input: unknown, opts?: CredentialInputOptions): string[] => errorsOf(input, opts).map((e) => e.path);

describe("access/credential-input", () => {
  it("accepts a delivery and applies the defaults", () => {
    const r = validateCredentialInput(base, options);
    expect(r.ok).to.equal(true);
    if (!r.ok) return;
    expect(r.value).to.deep.equal({
      label: "Parcel courier",
      kind: "delivery",
      doors: ["front"],
      validFrom: Date.parse("2026-12-01T08:00:00Z"),
      validUntil: Date.parse("2026-12-01T12:00:00Z"),
      mode: "both",
      allowWhenPetsHome: false,
      requireRecording: true,
      maxUses: 1,
    });
  });

  it("pet-care may enter with pets home by default; other kinds have no use limit by default", () => {
    const r = validateCredentialInput({ ...base, kind: "pet-care" }, options);
    expect(r.ok && r.value.allowWhenPetsHome).to.equal(true);
    expect(r.ok && r.value.maxUses).to.equal(undefined);
  });

  it("keeps explicit values, epoch milliseconds, a PIN and a schedule, for several doors", () => {
    const r = validateCredentialInput(
      {
        label: "  Cleaner  ", kind: "cleaning", doors: ["front", "garage"], pin: "048213",
        validFrom: Date.parse("2026-12-01T00:00:00Z"), validUntil: Date.parse("2027-03-01T00:00:00Z"),
        maxUses: 20, expiresAfterFirstUseMinutes: 240, mode: "keypad", allowWhenPetsHome: true, requireRecording: false,
        schedule: { type: "weekly", timeZone: "europe/berlin", windows: [{ days: ["TU"], start: "09:00", end: "13:00" }] },
      },
      options,
    );
    expect(r.ok).to.equal(true);
    if (!r.ok) return;
    expect(r.value).to.include({ label: "Cleaner", pin: "048213", maxUses: 20, expiresAfterFirstUseMinutes: 240, mode: "keypad", allowWhenPetsHome: true, requireRecording: false });
    expect(r.value.doors).to.deep.equal(["front", "garage"]);
    expect(r.value.schedule?.timeZone).to.equal("Europe/Berlin");
  });

  it("validFrom defaults to now", () => {
    const { validFrom: _, ...rest } = base;
    const r = validateCredentialInput(rest, options);
    expect(r.ok && r.value.validFrom).to.equal(NOW);
  });

  const bad: [string, Record<string, unknown>, string, RegExp][] = [
    ["no validUntil (unbounded)", { validUntil: undefined }, "validUntil", /required/],
    ["end before start", { validUntil: "2026-12-01T08:00:00+01:00" }, "validUntil", /after validFrom/],
    ["end equal to start", { validUntil: "2026-12-01T09:00:00+01:00" }, "validUntil", /after validFrom/],
    ["end already past", { validFrom: "2026-11-01T00:00:00Z", validUntil: "2026-11-02T00:00:00Z" }, "validUntil", /past/],
    ["span over 366 days", { validUntil: "2027-12-03T09:00:00+01:00" }, "validUntil", /366 days/],
    ["a date-time without offset", { validFrom: "2026-12-01T09:00:00" }, "validFrom", /offset/],
    ["an impossible date", { validUntil: "2027-02-29T09:00:00Z" }, "validUntil", /calendar date/],
    ["epoch seconds", { validFrom: 1_796_000_000 }, "validFrom", /seconds/],
    ["no doors", { doors: [] }, "doors", /non-empty/],
    ["an unknown door", { doors: ["front", "cellar"] }, "doors[1]", /unknown door "cellar"/],
    ["a door twice", { doors: ["front", "front"] }, "doors[1]", /twice/],
    ["an unknown kind", { kind: "plumber" }, "kind", /delivery, cleaning/],
    ["no label", { label: " " }, "label", /required/],
    ["PIN with letters", { pin: "12ab" }, "pin", /digits only/],
    ["PIN as a number", { pin: 4829 }, "pin", /string/],
    ["PIN too long", { pin: "482957163" }, "pin", /at most 8/],
    ["trivial PIN", { pin: "1234" }, "pin", /easy to guess/],
    ["maxUses zero", { maxUses: 0 }, "maxUses", /whole number/],
    ["expiresAfterFirstUseMinutes fractional", { expiresAfterFirstUseMinutes: 1.5 }, "expiresAfterFirstUseMinutes", /whole number/],
    ["an unknown mode", { mode: "bluetooth" }, "mode", /keypad, remote, both/],
    ["allowWhenPetsHome as a string", { allowWhenPetsHome: "yes" }, "allowWhenPetsHome", /true or false/],
    ["requireRecording as a number", { requireRecording: 0 }, "requireRecording", /true or false/],
    ["an unknown field", { validTo: "2026-12-02T00:00:00Z" }, "validTo", /unknown field/],
    ["an unknown zone", { schedule: { type: "weekly", timeZone: "Europe/Atlantis", windows: [{ days: ["TU"], start: "09:00", end: "12:00" }] } }, "schedule.timeZone", /Europe\/Atlantis/],
    ["a bad window time", { schedule: { type: "weekly", timeZone: "UTC", windows: [{ days: ["TU"], start: "9am", end: "12:00" }] } }, "schedule.windows[0].start", /HH:MM/],
    ["an unsupported RRULE part", { schedule: { type: "rrule", timeZone: "UTC", dtstart: "2026-12-01T09:00", rrule: "FREQ=DAILY;BYHOUR=9", durationMinutes: 60 } }, "schedule.rrule", /BYHOUR/],
    // 2026-12-01 is a Tuesday: a Monday-only rule never occurs between 09:00 and 13:00 that day.
    ["an RRULE that never occurs in the window", { schedule: { type: "rrule", timeZone: "Europe/Berlin", dtstart: "2026-11-30T09:00", rrule: "FREQ=WEEKLY;BYDAY=MO", durationMinutes: 60 } }, "schedule.rrule", /never occurs/],
    ["an RRULE whose only occurrence is already over", { validFrom: "2026-11-20T00:00:00Z", schedule: { type: "rrule", timeZone: "UTC", dtstart: "2026-11-21T09:00", rrule: "FREQ=DAILY;COUNT=1", durationMinutes: 60 } }, "schedule.rrule", /never occurs again/],
    ["weekly windows that never occur in the window", { schedule: { type: "weekly", timeZone: "Europe/Berlin", windows: [{ days: ["TU"], start: "14:00", end: "16:00" }] } }, "schedule.windows", /never occurs/],
  ];
  for (const [why, change, path, message] of bad) {
    it(`refuses ${why}, naming ${path}`, () => {
      const errors = errorsOf({ ...base, ...change });
      const match = errors.find((e) => e.path === path);
      expect(match, JSON.stringify(errors)).to.not.equal(undefined);
      expect(match?.message).to.match(message);
    });
  }

  it("honours a configured longest span", () => {
    expect(pathsOf({ ...base, validUntil: "2026-12-03T09:00:00+01:00" }, { ...options, maxSpanDays: 1 })).to.deep.equal(["validUntil"]);
  });

  it("honours the lock's PIN limits", () => {
    expect(pathsOf({ ...base, pin: "48295" }, { ...options, pinLimits: { maxLength: 4 } })).to.deep.equal(["pin"]);
  });

  it("reports every error at once", () => {
    expect(pathsOf({ label: "", kind: "x", doors: "front", validUntil: "soon", pin: "1111" })).to.have.members(["label", "kind", "doors", "pin", "validUntil"]);
  });

  it("never echoes the PIN in an error", () => {
    for (const pin of ["1234", "99999999", "1a2b3c", "482957163", "2580"]) {
      const text = JSON.stringify(errorsOf({ ...base, pin }));
      expect(text).to.include('"pin"');
      expect(text, pin).not.to.include(pin);
    }
  });

  it("refuses what is not an object", () => {
    expect(pathsOf(null)).to.deep.equal([""]);
    expect(pathsOf([base])).to.deep.equal([""]);
  });

  describe("parseInstant", () => {
    it("reads ISO 8601 with Z or an offset, and epoch milliseconds", () => {
      expect(parseInstant("2028-02-29T12:00:00Z")).to.deep.equal({ ok: true, value: Date.UTC(2028, 1, 29, 12) });
      expect(parseInstant("2026-12-01T09:00+01:00")).to.deep.equal({ ok: true, value: Date.UTC(2026, 11, 1, 8) });
      expect(parseInstant(1_796_000_000_000)).to.deep.equal({ ok: true, value: 1_796_000_000_000 });
    });
    it("refuses dates without an offset and impossible dates", () => {
      for (const v of ["2026-12-01", "2026-12-01T09:00", "2027-02-29T00:00:00Z", "2026-02-30T00:00:00Z", "tomorrow", true, 1.5]) {
        expect(parseInstant(v).ok, String(v)).to.equal(false);
      }
    });
  });
});
