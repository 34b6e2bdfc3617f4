import { expect } from "chai";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { InternalError, StoreError } from "../../src/core/errors.js";
import { APPLICATION_ID, Database, MIGRATIONS, migrate, schemaVersion, type Migration } from "../../src/store/index.js";
import { StoreFixture, T0 } from "./store-fixtures.js";

describe("store/migrations", () => {
  let fixture: StoreFixture;
  let db: Database;
  beforeEach(async () => {
    fixture = await StoreFixture.create();
    mkdirSync(fixture.storageDir, { recursive: true });
    db = Database.open(join(fixture.storageDir, "doorstep.db"));
  });
  afterEach(async () => {
    db.close();
    await fixture.cleanup();
  });

  const tables = () =>
    db
      .all("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
      .map((r) => r["name"])
      .filter((name) => name !== "sqlite_sequence");

  it("migrates an empty database to the latest version and marks the file as Doorstep's", () => {
    expect(schemaVersion(db)).to.equal(0);
    const result = migrate(db, T0);
    expect(result).to.deep.equal({ from: 0, to: MIGRATIONS.length });
    expect(schemaVersion(db)).to.equal(MIGRATIONS.length);
    expect(tables()).to.include.members([
      "api_tokens", "audit_log", "credential_doors", "credential_usage", "credentials",
      "door_settings", "lock_slots", "meta", "schema_version", "visits",
    ]);
    expect(Number(db.get("PRAGMA application_id")!["application_id"])).to.equal(APPLICATION_ID);
    expect(db.all("SELECT version, applied_at FROM schema_version")).to.deep.equal(
      MIGRATIONS.map((m) => ({ version: m.version, applied_at: T0 })),
    );
  });

  it("is idempotent: a second run changes nothing", () => {
    migrate(db, T0);
    const schema = db.all("SELECT sql FROM sqlite_master ORDER BY name");
    expect(migrate(db, T0 + 1)).to.deep.equal({ from: MIGRATIONS.length, to: MIGRATIONS.length });
    expect(db.all("SELECT sql FROM sqlite_master ORDER BY name")).to.deep.equal(schema);
    expect(db.all("SELECT version FROM schema_version")).to.have.length(MIGRATIONS.length);
  });

  it("applies only the new migrations on reopen and keeps the data", () => {
    const store = fixture.open();
    store.audit.append({ type: "test.kept", actor: "system" });
    store.close();
    const next: Migration = {
      version: MIGRATIONS.length + 1,
      name: "test column",
      up: (d) => d.exec("ALTER TABLE visits ADD COLUMN note TEXT"),
    };
    const upgraded = fixture.open({ migrations: [...MIGRATIONS, next] });
    expect(upgraded.audit.verify()).to.deep.equal({ ok: true, entries: 1 });
    expect(schemaVersion(db)).to.equal(MIGRATIONS.length + 1);
    expect(db.all("SELECT name FROM pragma_table_info('visits') WHERE name = 'note'")).to.have.length(1);
  });

  it("rolls back every step of a migration that fails", () => {
    const broken: Migration = {
      version: MIGRATIONS.length + 1,
      name: "broken",
      up: (d) => {
        d.exec("CREATE TABLE half_done (x INTEGER)");
        d.exec("THIS IS NOT SQL");
      },
    };
    expect(() => migrate(db, T0, [...MIGRATIONS, broken])).to.throw();
    expect(schemaVersion(db)).to.equal(0);
    expect(tables()).to.deep.equal([]);
  });

  it("refuses a database written by a newer Doorstep, naming both versions", () => {
    migrate(db, T0);
    db.run("INSERT INTO schema_version (version, name, applied_at) VALUES (99, 'from the future', 0)");
    expect(() => migrate(db, T0)).to.throw(StoreError, new RegExp(`schema version 99.*up to version ${MIGRATIONS.length}`));
    expect(() => fixture.open()).to.throw(StoreError, /newer Doorstep/);
    const raw = new DatabaseSync(join(fixture.storageDir, "doorstep.db"));
    try {
      expect(raw.prepare("SELECT max(version) AS v FROM schema_version").get()).to.deep.include({ v: 99 });
    } finally {
      raw.close();
    }
  });

  it("rejects a migration list that is out of order", () => {
    const list: Migration[] = [{ version: 2, name: "skips one", up: () => undefined }];
    expect(() => migrate(db, T0, list)).to.throw(InternalError, /expected 1/);
  });
});
