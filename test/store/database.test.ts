import { expect } from "chai";
import { existsSync, readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { InternalError, StoreError } from "../../src/core/errors.js";
import { Database } from "../../src/store/index.js";
import { StoreFixture } from "./store-fixtures.js";

describe("store/database", () => {
  let fixture: StoreFixture;
  beforeEach(async () => {
    fixture = await StoreFixture.create();
  });
  afterEach(() => fixture.cleanup());

  const dbPath = () => join(fixture.storageDir, "doorstep.db");
  const keyPath = () => join(fixture.storageDir, "doorstep.key");

  it("opens in WAL mode with foreign keys enforced", () => {
    fixture.open();
    const raw = new DatabaseSync(dbPath());
    try {
      expect(raw.prepare("PRAGMA journal_mode").get()).to.deep.include({ journal_mode: "wal" });
    } finally {
      raw.close();
    }
    const db = Database.open(dbPath());
    try {
      expect(() => db.run("INSERT INTO credential_usage (credential_id, uses) VALUES ('nobody', 0)")).to.throw(/FOREIGN KEY/);
    } finally {
      db.close();
    }
  });

  it("refuses a file of garbage with a StoreError naming it, and leaves it untouched", () => {
    mkdirSync(fixture.storageDir, { recursive: true });
    const garbage = Buffer.alloc(16384, 0);
    for (let i = 0; i < garbage.length; i++) garbage[i] = (i * 7919 + 13) % 251;
    writeFileSync(dbPath(), garbage);
    let error: unknown;
    try {
      fixture.open();
    } catch (e) {
      error = e;
    }
    expect(error).to.be.instanceOf(StoreError);
    expect((error as Error).message).to.include(dbPath()).and.to.match(/restore/i);
    expect(readFileSync(dbPath()).equals(garbage)).to.equal(true);
    expect(existsSync(keyPath()), "no key file created next to a database we could not read").to.equal(false);
  });

  it("refuses a database whose pages were damaged after a valid header", () => {
    const store = fixture.open();
    for (let i = 0; i < 50; i++) {
      store.audit.append({ type: "test.filler", actor: "system", details: { n: i, text: "x".repeat(200) } });
    }
    store.close();
    // Fold the WAL into the main file so the damage below hits real content.
    const raw = new DatabaseSync(dbPath());
    raw.exec("PRAGMA wal_checkpoint(TRUNCATE)");
    raw.close();
    const bytes = readFileSync(dbPath());
    expect(bytes.length).to.be.greaterThan(3 * 4096);
    bytes.fill(0xa5, 4096 + 100, bytes.length - 100);
    writeFileSync(dbPath(), bytes);
    expect(() => fixture.open()).to.throw(StoreError, /damaged|not a database/);
    expect(readFileSync(dbPath()).equals(bytes)).to.equal(true);
  });

  it("refuses another program's SQLite database and leaves it untouched", () => {
    mkdirSync(fixture.storageDir, { recursive: true });
    const foreign = new DatabaseSync(dbPath());
    foreign.exec("CREATE TABLE recipes (name TEXT); INSERT INTO recipes VALUES ('soup')");
    foreign.close();
    const before = readFileSync(dbPath());
    expect(() => fixture.open()).to.throw(StoreError, /another program/);
    expect(readFileSync(dbPath()).equals(before)).to.equal(true);
  });

  describe("transaction", () => {
    let db: Database;
    beforeEach(() => {
      mkdirSync(fixture.storageDir, { recursive: true });
      db = Database.open(dbPath());
      db.exec("CREATE TABLE t (x INTEGER)");
    });
    afterEach(() => db.close());
    const count = () => Number(db.get("SELECT count(*) AS n FROM t")!["n"]);

    it("commits what the callback wrote and returns its result", () => {
      expect(db.transaction(() => db.run("INSERT INTO t VALUES (1)").changes)).to.equal(1);
      expect(count()).to.equal(1);
    });

    it("rolls back everything when the callback throws", () => {
      expect(() =>
        db.transaction(() => {
          db.run("INSERT INTO t VALUES (1)");
          throw new Error("boom");
        }),
      ).to.throw("boom");
      expect(count()).to.equal(0);
      expect(db.inTransaction).to.equal(false);
    });

    it("rolls back only a nested transaction that threw", () => {
      db.transaction(() => {
        db.run("INSERT INTO t VALUES (1)");
        expect(() =>
          db.transaction(() => {
            db.run("INSERT INTO t VALUES (2)");
            throw new Error("inner");
          }),
        ).to.throw("inner");
      });
      expect(db.all("SELECT x FROM t").map((r) => r["x"])).to.deep.equal([1]);
    });

    it("refuses an async callback and rolls it back", () => {
      expect(() =>
        db.transaction(async () => {
          db.run("INSERT INTO t VALUES (1)");
        }),
      ).to.throw(InternalError, /synchronous/);
      expect(count()).to.equal(0);
    });
  });
});
