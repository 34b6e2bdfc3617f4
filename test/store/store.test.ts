import { expect } from "chai";
import { statSync } from "node:fs";
import { join } from "node:path";
import { StoreError } from "../../src/core/errors.js";
import { openStore } from "../../src/store/index.js";
import { credential, FRONT, StoreFixture } from "./store-fixtures.js";

describe("store/openStore", () => {
  let fixture: StoreFixture;
  beforeEach(async () => {
    fixture = await StoreFixture.create();
  });
  afterEach(() => fixture.cleanup());

  it("creates the storage directory (0700) and keeps everything across a reopen", () => {
    const store = fixture.open();
    expect(statSync(fixture.storageDir).mode & 0o777).to.equal(0o700);
    expect(store.databasePath).to.equal(join(fixture.storageDir, "doorstep.db"));
    for (const file of ["doorstep.db", "doorstep.db-wal"]) {
      expect(statSync(join(fixture.storageDir, file)).mode & 0o777, file).to.equal(0o600);
    }
    const c = credential();
    store.credentials.insert(c, "583920");
    const { token } = store.tokens.create({ kind: "owner" });
    const visit = store.visits.create({ doorId: FRONT, via: "owner" });
    store.audit.append({ type: "credential.created", actor: "owner", credentialId: c.id });
    store.close();
    const again = fixture.open();
    expect(again.credentials.findByPin(FRONT, "583920")?.credential).to.deep.equal(c);
    expect(again.tokens.verify(token)).to.deep.equal({ kind: "owner" });
    expect(again.visits.get(visit.id)).to.deep.equal(visit);
    expect(again.audit.verify()).to.deep.equal({ ok: true, entries: 1 });
  });

  it("groups calls into one transaction that commits or rolls back as a whole", () => {
    const store = fixture.open();
    const c = credential();
    expect(() =>
      store.transaction(() => {
        store.credentials.insert(c, "583920");
        store.audit.append({ type: "credential.created", actor: "owner", credentialId: c.id });
        throw new Error("the caller changed its mind");
      }),
    ).to.throw("changed its mind");
    expect(store.credentials.get(c.id)).to.equal(undefined);
    expect(store.audit.verify()).to.deep.equal({ ok: true, entries: 0 });
    store.transaction(() => {
      store.credentials.insert(c, "583920");
      store.audit.append({ type: "credential.created", actor: "owner", credentialId: c.id });
    });
    expect(store.audit.list({ credentialId: c.id })).to.have.length(1);
  });

  it("says why when the storage directory cannot be created", () => {
    const blocked = join(fixture.storageDir, "doorstep.db", "inside-a-file");
    fixture.open();
    expect(() => openStore({ storageDir: blocked, clock: fixture.clock })).to.throw(StoreError, /storage directory/);
  });
});
