import { expect } from "chai";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { CredentialId, DoorId, ProviderId } from "../../src/access/ids.js";
import { ConflictError, NotFoundError, StoreError, ValidationError } from "../../src/core/errors.js";
import type { Store } from "../../src/store/index.js";
import { BACK, credential, DAY, FRONT, HOUR, StoreFixture, T0 } from "./store-fixtures.js";

describe("store/credential-store", () => {
  let fixture: StoreFixture;
  let store: Store;
  beforeEach(async () => {
    fixture = await StoreFixture.create();
    store = fixture.open();
  });
  afterEach(() => fixture.cleanup());

  const count = () => store.credentials.list({ includeRevoked: true }).length;

  it("stores a credential and gives it back unchanged, with its PIN decryptable for the reconciler", () => {
    const c = credential({
      doors: [BACK, FRONT],
      providerId: ProviderId("acme"),
      schedule: { type: "weekly", timeZone: "Europe/Berlin", windows: [{ days: ["MO", "WE"], start: "09:00", end: "12:00" }] },
      maxUses: 3,
      expiresAfterFirstUseMinutes: 30,
      allowWhenPetsHome: true,
    });
    store.credentials.insert(c, "583920");
    expect(store.credentials.get(c.id)).to.deep.equal(c);
    expect(store.credentials.usage(c.id)).to.deep.equal({ uses: 0 });
    expect(store.credentials.revealPin(c.id)).to.equal("583920");
    expect(store.credentials.get(CredentialId("nope"))).to.equal(undefined);
    expect(() => store.credentials.revealPin(CredentialId("nope"))).to.throw(NotFoundError);
  });

  it("never writes the PIN in clear: the database and its WAL do not contain it", () => {
    const pins = ["583920", "90417263", "447196"];
    for (const pin of pins) store.credentials.insert(credential(), pin);
    const files = ["doorstep.db", "doorstep.db-wal"].map((f) => join(fixture.storageDir, f)).filter((f) => existsSync(f));
    const bytes = Buffer.concat(files.map((f) => readFileSync(f)));
    expect(bytes.length).to.be.greaterThan(0);
    for (const pin of pins) {
      expect(bytes.includes(Buffer.from(pin, "latin1")), `ASCII ${pin}`).to.equal(false);
      expect(bytes.includes(Buffer.from(pin, "utf16le")), `UTF-16 ${pin}`).to.equal(false);
    }
    // The test can fail: the label is written in clear, and is found.
    const label = store.credentials.list()[0]!.label;
    expect(bytes.includes(Buffer.from(label))).to.equal(true);
  });

  it("rejects a second live credential with the same PIN on the same door, naming the door and not the PIN; nothing written", () => {
    store.credentials.insert(credential(), "583920");
    const before = count();
    const duplicate = credential({ doors: [BACK, FRONT] });
    let error: unknown;
    try {
      store.credentials.insert(duplicate, "583920");
    } catch (e) {
      error = e;
    }
    expect(error).to.be.instanceOf(ConflictError);
    expect((error as Error).message).to.include('Door "front"').and.not.include("583920");
    expect(count()).to.equal(before);
    expect(store.credentials.get(duplicate.id)).to.equal(undefined);
    expect(store.credentials.findByPin(BACK, "583920"), "no lookup row left on the first door").to.equal(undefined);
  });

  it("sees a duplicate inserted through another connection", () => {
    fixture.open().credentials.insert(credential(), "583920");
    expect(() => store.credentials.insert(credential(), "583920")).to.throw(ConflictError);
  });

  it("allows the same PIN on another door, after revocation, after expiry and after the uses ran out", () => {
    const first = credential();
    store.credentials.insert(first, "583920");
    store.credentials.insert(credential({ doors: [BACK] }), "583920");

    store.credentials.revoke(first.id, T0 + HOUR);
    const second = credential();
    store.credentials.insert(second, "583920");

    const third = credential({ validUntil: T0 + 2 * DAY });
    expect(() => store.credentials.insert(third, "583920")).to.throw(ConflictError);
    fixture.clock.set(second.validUntil);
    store.credentials.insert(third, "583920");

    fixture.clock.set(T0 + DAY + HOUR);
    const fourth = credential({ validUntil: T0 + 3 * DAY });
    expect(() => store.credentials.insert(fourth, "583920")).to.throw(ConflictError);
    const oneTime = credential({ doors: [BACK], maxUses: 1, validUntil: T0 + 3 * DAY });
    store.credentials.insert(oneTime, "661204");
    expect(store.credentials.consumeUse(oneTime.id, fixture.clock.now()).consumed).to.equal(true);
    store.credentials.insert(credential({ doors: [BACK], validUntil: T0 + 3 * DAY }), "661204");
  });

  it("counts a credential used up by expiresAfterFirstUseMinutes as no longer live", () => {
    const c = credential({ expiresAfterFirstUseMinutes: 10 });
    store.credentials.insert(c, "583920");
    store.credentials.consumeUse(c.id, T0 + HOUR);
    fixture.clock.set(T0 + HOUR + 9 * 60_000);
    expect(() => store.credentials.insert(credential(), "583920")).to.throw(ConflictError);
    fixture.clock.set(T0 + HOUR + 10 * 60_000);
    store.credentials.insert(credential(), "583920");
  });

  describe("findByPin", () => {
    it("finds the credential a PIN opens a door with, and nothing on another door or for another PIN", () => {
      const c = credential({ doors: [FRONT, BACK] });
      store.credentials.insert(c, "583920");
      for (const door of [FRONT, BACK]) {
        const match = store.credentials.findByPin(door, "583920");
        expect(match?.credential).to.deep.equal(c);
        expect(match?.live).to.equal(true);
        expect(match?.usage).to.deep.equal({ uses: 0 });
      }
      expect(store.credentials.findByPin(DoorId("garage"), "583920")).to.equal(undefined);
      expect(store.credentials.findByPin(FRONT, "583921")).to.equal(undefined);
      expect(store.credentials.findByPin(FRONT, "not a pin")).to.equal(undefined);
    });

    it("prefers the live credential, else returns the most recent match so the caller can say why", () => {
      const old = credential();
      store.credentials.insert(old, "583920");
      store.credentials.revoke(old.id, T0 + 1);
      const current = credential();
      store.credentials.insert(current, "583920");
      store.credentials.revoke(current.id, T0 + 2);
      const revokedMatch = store.credentials.findByPin(FRONT, "583920");
      expect(revokedMatch?.credential.id).to.equal(current.id);
      expect(revokedMatch?.live).to.equal(false);

      const live = credential({ createdAt: T0 - DAY });
      store.credentials.insert(live, "583920");
      expect(store.credentials.findByPin(FRONT, "583920")?.credential.id).to.equal(live.id);
      expect(store.credentials.findByPin(FRONT, "583920", live.validUntil)?.live, "judged at the time asked").to.equal(false);
    });
  });

  it("lists by provider and door, leaving revoked credentials out unless asked", () => {
    const acme = ProviderId("acme");
    const a = credential({ providerId: acme });
    const b = credential({ providerId: acme, doors: [BACK] });
    const c = credential({ providerId: ProviderId("walkies") });
    const d = credential();
    for (const [i, x] of [a, b, c, d].entries()) store.credentials.insert(x, `${7100 + i * 13}`);
    store.credentials.revoke(b.id, T0 + 5);
    const ids = (list: { id: string }[]) => list.map((x) => x.id);
    expect(ids(store.credentials.list())).to.deep.equal([a.id, c.id, d.id]);
    expect(ids(store.credentials.list({ includeRevoked: true }))).to.deep.equal([a.id, b.id, c.id, d.id]);
    expect(ids(store.credentials.list({ providerId: acme }))).to.deep.equal([a.id]);
    expect(ids(store.credentials.list({ providerId: acme, includeRevoked: true }))).to.deep.equal([a.id, b.id]);
    expect(ids(store.credentials.list({ doorId: BACK, includeRevoked: true }))).to.deep.equal([b.id]);
  });

  it("revokes once: a second revoke keeps the first time; an unknown id is NotFound", () => {
    const c = credential();
    store.credentials.insert(c, "583920");
    expect(store.credentials.revoke(c.id, T0 + 10).revokedAt).to.equal(T0 + 10);
    expect(store.credentials.revoke(c.id, T0 + 20).revokedAt).to.equal(T0 + 10);
    expect(() => store.credentials.revoke(CredentialId("nope"), T0)).to.throw(NotFoundError, /"nope"/);
  });

  it("rejects bad input naming the field, and writes nothing", () => {
    const cases: [Parameters<Store["credentials"]["insert"]>, string][] = [
      [[credential(), "12a4"], "pin"],
      [[credential(), "123"], "pin"],
      [[credential(), "123456789"], "pin"],
      [[credential({ doors: [] }), "583920"], "doors"],
      [[credential({ doors: [FRONT, FRONT] }), "583920"], "doors"],
      [[credential({ id: CredentialId("") }), "583920"], "id"],
    ];
    for (const [args, path] of cases) {
      expect(() => store.credentials.insert(...args), path).to.throw(ValidationError).with.property("path", path);
    }
    expect(count()).to.equal(0);
    const c = credential();
    store.credentials.insert(c, "583920");
    expect(() => store.credentials.insert({ ...c, doors: [BACK] }, "583921")).to.throw(ConflictError, /already exists/);
    expect(store.credentials.get(c.id)?.doors).to.deep.equal([FRONT]);
  });

  it("cannot decrypt a PIN whose ciphertext was moved onto another credential's row", async () => {
    const a = credential();
    const b = credential();
    store.credentials.insert(a, "583920");
    store.credentials.insert(b, "771204");
    const { DatabaseSync } = await import("node:sqlite");
    const raw = new DatabaseSync(join(fixture.storageDir, "doorstep.db"));
    try {
      raw
        .prepare("UPDATE credentials SET pin_sealed = (SELECT pin_sealed FROM credentials WHERE id = ?) WHERE id = ?")
        .run(a.id, b.id);
    } finally {
      raw.close();
    }
    expect(() => store.credentials.revealPin(b.id)).to.throw(StoreError, /cannot be decrypted/);
  });
});
