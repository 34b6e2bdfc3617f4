import { expect } from "chai";
import { readFile, stat } from "node:fs/promises";
import { runDoorstep, useTempStorage } from "../helpers/cli.js";

const CONFIG = {
  zigbee: { port: "tcp://127.0.0.1:1" },
  doors: [
    { id: "front", name: "Front door", lock: { ieee: "0x00124b0012345678" } },
    { id: "back", name: "Back door", lock: { ieee: "0x00124b0012345679" } },
  ],
  delivery: { timeZone: "Europe/Berlin" },
};
const FUTURE = new Date(Date.now() + 30 * 86_400_000).toISOString();

describe("doorstep CLI (the real binary)", function () {
  this.timeout(60_000);
  const storage = useTempStorage(CONFIG);
  const cli = (...args: string[]) => runDoorstep(["--storage", storage.path, ...args]);


  it("adds a credential, shows its PIN once, and never again", async () => {
    const add = await cli("guest", "add", "--label", "Parcel courier", "--kind", "delivery", "--door", "front", "--until", FUTURE, "--json");
    expect(add.code, add.stderr).to.equal(0);
    const created = JSON.parse(add.stdout) as { id: string; pin: string; credential: { maxUses: number } };
    expect(created.pin).to.match(/^\d{6}$/);
    expect(created.credential.maxUses).to.equal(1);
    const list = await cli("guest", "list", "--json");
    expect(list.code).to.equal(0);
    expect(list.stdout).to.contain(created.id).and.not.contain(created.pin);
    const text = await cli("guest", "list");
    expect(text.stdout).to.contain("Parcel courier").and.not.contain(created.pin);
    // Nor in the database file in clear.
    const db = await readFile(storage.join("doorstep.db"));
    expect(db.includes(Buffer.from(created.pin))).to.equal(false);
  });

  it("creates the key file with mode 0600", async () => {
    await cli("guest", "list");
    expect((await stat(storage.join("doorstep.key"))).mode & 0o777).to.equal(0o600);
  });

  it("answers bad input with exit 2, names every field, and writes nothing", async () => {
    const before = await cli("audit", "verify", "--json");
    const bad = await cli("guest", "add", "--label", "x", "--kind", "delivery", "--door", "garage", "--until", FUTURE, "--pin", "1234");
    expect(bad.code).to.equal(2);
    expect(bad.stderr).to.contain('--door (doors[0]): unknown door "garage"').and.contain("--pin (pin)");
    expect(bad.stderr).to.not.contain("1234");
    const after = await cli("audit", "verify", "--json");
    expect(after.stdout).to.equal(before.stdout);
    expect((await cli("guest", "list", "--json")).stdout.trim()).to.equal("[]");
  });

  const badArgs: [string, string[], string][] = [
    ["an unbounded window", ["--label", "x", "--kind", "guest", "--door", "front"], "--until"],
    ["an end before the start", ["--label", "x", "--kind", "guest", "--door", "front", "--from", FUTURE, "--until", new Date(Date.now() + 86_400_000).toISOString()], "--until (validUntil): must be after validFrom"],
    ["an unknown time zone", ["--label", "x", "--kind", "guest", "--door", "front", "--until", FUTURE, "--weekly", "MO 09:00-10:00", "--tz", "Mars/Base"], "Mars/Base"],
    ["an RRULE that never occurs", ["--label", "x", "--kind", "guest", "--door", "front", "--until", FUTURE, "--rrule", "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30", "--dtstart", "2026-01-01T09:00", "--duration", "60"], "--weekly/--rrule"],
    ["a PIN with letters", ["--label", "x", "--kind", "guest", "--door", "front", "--until", FUTURE, "--pin", "12a4"], "--pin (pin)"],
    ["a PIN that is too long", ["--label", "x", "--kind", "guest", "--door", "front", "--until", FUTURE, "--pin", "123456789"], "--pin (pin)"],
    ["a non-ISO date", ["--label", "x", "--kind", "guest", "--door", "front", "--until", "tomorrow"], "--until: must be an ISO 8601"],
    ["an unknown kind", ["--label", "x", "--kind", "burglar", "--door", "front", "--until", FUTURE], "burglar"],
    ["a bad weekly window", ["--label", "x", "--kind", "guest", "--door", "front", "--until", FUTURE, "--weekly", "XX 09:00-10:00"], "--weekly: unknown day XX"],
  ];
  for (const [what, args, mention] of badArgs) {
    it(`refuses ${what} with exit 2`, async () => {
      const r = await cli("guest", "add", ...args);
      expect(r.code, r.stderr).to.equal(2);
      expect(r.stderr).to.contain(mention);
      expect((await cli("guest", "list", "--json")).stdout.trim()).to.equal("[]");
    });
  }

  it("refuses a duplicate PIN on the same door but allows it on another door", async () => {
    const args = ["--label", "Cleaner", "--kind", "cleaning", "--until", FUTURE, "--pin", "482916"];
    expect((await cli("guest", "add", ...args, "--door", "front")).code).to.equal(0);
    const dup = await cli("guest", "add", ...args, "--door", "front");
    expect(dup.code).to.equal(1);
    expect(dup.stderr).to.contain('Door "front" already has a live credential with this PIN').and.not.contain("482916");
    expect((await cli("guest", "add", ...args, "--door", "back")).code).to.equal(0);
  });

  it("checks a PIN with no side effect and explains the decision", async () => {
    await cli("guest", "add", "--label", "Dog walker", "--kind", "pet-care", "--door", "front", "--until", "2027-06-01T00:00:00Z", "--from", "2026-11-01T00:00:00Z", "--pin", "583920", "--weekly", "TU,TH 12:00-13:00");
    const inside = await cli("guest", "check", "--door", "front", "--pin", "583920", "--at", "2026-12-01T12:30:00+01:00", "--json");
    expect(JSON.parse(inside.stdout)).to.include({ outcome: "allowed" });
    const outside = await cli("guest", "check", "--door", "front", "--pin", "583920", "--at", "2026-12-02T12:30:00+01:00");
    expect(outside.code).to.equal(0);
    expect(outside.stdout).to.contain("DENIED (outside-schedule)").and.contain("Thu 2026-12-03 12:00 Europe/Berlin");
    const wrongDoor = await cli("guest", "check", "--door", "back", "--pin", "583920", "--at", "2026-12-01T12:30:00+01:00", "--json");
    expect(JSON.parse(wrongDoor.stdout)).to.include({ outcome: "denied", reason: "unknown-credential" });
    const list = JSON.parse((await cli("guest", "list", "--json")).stdout) as { usage: { uses: number } }[];
    expect(list[0]!.usage.uses).to.equal(0);
  });

  it("revokes, and a revoked code is then refused", async () => {
    const add = JSON.parse((await cli("guest", "add", "--label", "G", "--kind", "guest", "--door", "front", "--until", FUTURE, "--pin", "749261", "--json")).stdout) as { id: string };
    expect((await cli("guest", "revoke", add.id)).code).to.equal(0);
    const check = JSON.parse((await cli("guest", "check", "--door", "front", "--pin", "749261", "--json")).stdout);
    expect(check).to.include({ outcome: "denied", reason: "revoked" });
    expect((await cli("guest", "revoke", "cred_nope")).code).to.equal(1);
  });

  it("creates provider tokens shown once and stored hashed", async () => {
    const r = await cli("token", "create", "--provider", "acme", "--json");
    expect(r.code).to.equal(0);
    const { token } = JSON.parse(r.stdout) as { token: string };
    expect(token).to.match(/^dst_/);
    expect((await cli("token", "list")).stdout).to.contain("provider acme").and.not.contain(token);
    const db = await readFile(storage.join("doorstep.db"));
    expect(db.includes(Buffer.from(token))).to.equal(false);
    expect((await cli("token", "create", "--provider", "bad name!")).code).to.equal(2);
  });

  it("verifies the audit log and lists visits", async () => {
    await cli("guest", "add", "--label", "G", "--kind", "guest", "--door", "front", "--until", FUTURE);
    const verify = await cli("audit", "verify", "--json");
    expect(JSON.parse(verify.stdout)).to.deep.equal({ ok: true, entries: 1 });
    const visits = await cli("visits", "--json");
    expect(JSON.parse(visits.stdout)).to.deep.equal([]);
  });

  it("reports an invalid config file with its path and exit 2", async () => {
    const r = await runDoorstep(["--config", storage.join("missing.json"), "guest", "list"]);
    expect(r.code).to.equal(2);
    expect(r.stderr).to.contain("missing.json does not exist");
  });

  it("answers unknown commands and options with exit 2", async () => {
    expect((await cli("frobnicate")).code).to.equal(2);
    expect((await cli("guest", "add", "--nope")).code).to.equal(2);
    expect((await cli("visits", "--limit", "lots")).code).to.equal(2);
  });
});
