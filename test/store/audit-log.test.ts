import { expect } from "chai";
import { createHmac } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { CredentialId, VisitId } from "../../src/access/ids.js";
import { InternalError } from "../../src/core/errors.js";
import { deriveKeys, hashEntry, type AuditVerification, type Store } from "../../src/store/index.js";
import { FRONT, runStoreWorker, StoreFixture, T0 } from "./store-fixtures.js";

describe("store/audit-log", () => {
  let fixture: StoreFixture;
  let store: Store;
  beforeEach(async () => {
    fixture = await StoreFixture.create();
    store = fixture.open();
  });
  afterEach(() => fixture.cleanup());

  /** The chain's HMAC, computed here from the key file, independently of the audit log's own code. */
  function mac(text: string): string {
    const keys = deriveKeys(readFileSync(join(fixture.storageDir, "doorstep.key")));
    return createHmac("sha256", keys.audit).update(text).digest("hex");
  }

  /** Appends entries 1..n, one millisecond apart. */
  function appendMany(n: number): void {
    for (let i = 1; i <= n; i++) {
      fixture.clock.set(T0 + i);
      const visitId = VisitId(`v${i}`);
      store.audit.append({ type: "visit.opened", actor: "keypad", doorId: FRONT, visitId, details: { n: i, slot: 3 } });
    }
  }

  /** Runs plain SQL on the database through a second, raw connection: what someone with the file could do. */
  function tamper(sql: string): void {
    const raw = new DatabaseSync(join(fixture.storageDir, "doorstep.db"));
    try {
      raw.exec(sql);
    } finally {
      raw.close();
    }
  }

  const failure = (result: AuditVerification) => {
    if (result.ok) throw new Error(`verify passed: ${JSON.stringify(result)}`);
    return result;
  };

  it("chains each entry to the one before with SHA-256(prevHash || canonical JSON)", () => {
    fixture.clock.set(T0);
    const first = store.audit.append({
      type: "credential.created",
      actor: "owner",
      credentialId: CredentialId("c1"),
      details: { label: "Dog walker", doors: ["front"], window: { until: 2, from: 1 } },
    });
    // Written by hand from the format: keys sorted at every level, no whitespace, absent fields left out.
    const canonical =
      `{"actor":"owner","at":${T0},"credentialId":"c1","details":{"doors":["front"],"label":"Dog walker",` +
      `"window":{"from":1,"until":2}},"seq":1,"type":"credential.created"}`;
    const genesis = "0".repeat(64);
    expect(first.prevHash).to.equal(genesis);
    expect(first.hash).to.equal(mac(genesis + canonical));
    const second = store.audit.append({ type: "system.started", actor: "system" });
    expect(second).to.deep.include({ seq: 2, prevHash: first.hash });
    expect(store.audit.head()).to.deep.equal({ seq: 2, hash: second.hash });
    expect(store.audit.list()).to.deep.equal([first, second]);
    expect(store.audit.verify()).to.deep.equal({ ok: true, entries: 2 });
  });

  it("keeps one chain when two store instances append in turn", () => {
    const other = fixture.open();
    for (let i = 0; i < 10; i++) (i % 2 ? store : other).audit.append({ type: "test.turn", actor: "system", details: { i } });
    expect(store.audit.verify()).to.deep.equal({ ok: true, entries: 10 });
    expect(other.audit.list().map((e) => e.details["i"])).to.deep.equal([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it("keeps one chain when threads with their own connections append at the same moment", async () => {
    const parties = 3;
    const count = 40;
    const barrier = new SharedArrayBuffer(4);
    await Promise.all(
      Array.from({ length: parties }, (_, worker) =>
        runStoreWorker({ action: "append", storageDir: fixture.storageDir, at: T0, barrier, parties, count, worker }),
      ),
    );
    expect(store.audit.verify()).to.deep.equal({ ok: true, entries: parties * count });
    const entries = store.audit.list({ limit: 1000 });
    const perWorker = [0, 1, 2].map((w) => entries.filter((e) => e.details["worker"] === w).map((e) => e.details["i"]));
    expect(perWorker).to.deep.equal([0, 1, 2].map(() => Array.from({ length: count }, (_, i) => i)));
  });

  it("filters entries by visit, credential and door, and pages after a seq", () => {
    appendMany(5);
    expect(store.audit.list({ visitId: VisitId("v3") }).map((e) => e.seq)).to.deep.equal([3]);
    expect(store.audit.list({ afterSeq: 3 }).map((e) => e.seq)).to.deep.equal([4, 5]);
    expect(store.audit.list({ doorId: FRONT, limit: 2 }).map((e) => e.seq)).to.deep.equal([1, 2]);
  });

  describe("verify names the first bad entry", () => {
    beforeEach(() => appendMany(6));

    it("an edited entry", () => {
      tamper(`UPDATE audit_log SET details = '{"n":3,"slot":4}' WHERE seq = 3`);
      tamper(`UPDATE audit_log SET actor = 'owner' WHERE seq = 5`);
      expect(failure(store.audit.verify())).to.deep.include({ firstBad: 3, problem: "edited" });
    });

    it("an edited timestamp or door", () => {
      tamper(`UPDATE audit_log SET at = at + 1 WHERE seq = 2`);
      expect(failure(store.audit.verify())).to.deep.include({ firstBad: 2, problem: "edited" });
    });

    it("an entry deleted from the middle", () => {
      tamper("DELETE FROM audit_log WHERE seq = 4");
      const result = failure(store.audit.verify());
      expect(result).to.deep.include({ firstBad: 4, problem: "deleted" });
      expect(result.message).to.match(/Entry 4 is missing/);
    });

    it("two entries swapped", () => {
      tamper(`UPDATE audit_log SET seq = -2 WHERE seq = 2;
              UPDATE audit_log SET seq = 2 WHERE seq = 5;
              UPDATE audit_log SET seq = 5 WHERE seq = -2`);
      const result = failure(store.audit.verify());
      expect(result).to.deep.include({ firstBad: 2, problem: "reordered" });
      expect(result.message).to.match(/Entry 2 holds the entry written as 5/);
    });

    it("the tail deleted, detected through the head kept beside the log", () => {
      tamper("DELETE FROM audit_log WHERE seq >= 5");
      const result = failure(store.audit.verify());
      expect(result).to.deep.include({ firstBad: 5, problem: "truncated" });
      expect(result.message).to.match(/Entries 5-6 were deleted from the end/);
    });

    it("the tail cut and the head rewritten to the new last entry (issue 10 item 3)", () => {
      const last = store.audit.list({ afterSeq: 3, limit: 1 })[0]!;
      tamper(`DELETE FROM audit_log WHERE seq >= 5; UPDATE audit_head SET seq = 4, hash = '${last.hash}'`);
      const result = failure(store.audit.verify());
      expect(result).to.deep.include({ firstBad: 0, problem: "truncated" });
      expect(result.message).to.match(/head record was rewritten .* entries after 4 may have been cut/);
      // Nor can the log be appended to from a head it cannot vouch for.
      expect(() => store.audit.append({ type: "after.cut", actor: "system" })).to.throw(/head record is missing or damaged/);
    });

    it("an entry rewritten with a freshly computed hash, caught by the next entry's link", () => {
      const entry = store.audit.list({ afterSeq: 2, limit: 1 })[0]!;
      const forged = { ...entry, actor: "owner" };
      const canonical = JSON.stringify({
        actor: forged.actor,
        at: forged.at,
        details: { n: 3, slot: 3 },
        doorId: forged.doorId,
        seq: 3,
        type: forged.type,
        visitId: forged.visitId,
      });
      const hash = mac(entry.prevHash + canonical);
      tamper(`UPDATE audit_log SET actor = 'owner', hash = '${hash}' WHERE seq = 3`);
      const result = failure(store.audit.verify());
      expect(result).to.deep.include({ firstBad: 3, problem: "edited" });
      expect(result.message).to.match(/Entry 3 was rewritten: entry 4 was chained to a different one/);
    });

    it("the whole chain and its head rewritten without the key file", () => {
      // Someone with the database but not doorstep.key recomputes every link with a key of their own.
      const forger = Buffer.alloc(32, 7);
      let prev = "0".repeat(64);
      const rows = store.audit.list({ limit: 1000 });
      for (const e of rows) {
        const { hash: _old, ...unsealed } = { ...e, prevHash: prev, actor: "forger" };
        const hash = hashEntry(forger, prev, unsealed, e.seq);
        tamper(`UPDATE audit_log SET actor = 'forger', prev_hash = '${prev}', hash = '${hash}' WHERE seq = ${e.seq}`);
        prev = hash;
      }
      tamper(`UPDATE audit_head SET seq = ${rows.length}, hash = '${prev}'`);
      expect(failure(store.audit.verify())).to.deep.include({ firstBad: 1, problem: "edited" });
    });

    it("an entry added behind the log's back, even with a valid hash", () => {
      const last = store.audit.head()!;
      const canonical = JSON.stringify({ actor: "owner", at: T0 + 7, details: {}, seq: 7, type: "door.unlocked" });
      const hash = mac(last.hash + canonical);
      tamper(
        `INSERT INTO audit_log (seq, at, type, actor, details, prev_hash, hash)
         VALUES (7, ${T0 + 7}, 'door.unlocked', 'owner', '{}', '${last.hash}', '${hash}')`,
      );
      const result = failure(store.audit.verify());
      expect(result).to.deep.include({ problem: "inserted", firstBad: 7 });
      expect(result.message).to.match(/Entry 7 was added outside the audit log/);
    });

    it("and goes on detecting it after further appends", () => {
      tamper("DELETE FROM audit_log WHERE seq = 6");
      store.audit.append({ type: "after.tamper", actor: "system" });
      expect(failure(store.audit.verify())).to.deep.include({ firstBad: 6, problem: "deleted" });
    });
  });

  describe("secrets", () => {
    const secretDetails: Record<string, unknown>[] = [
      { pin: "583920" },
      { newPin: "583920" },
      { PIN: "583920" },
      { door_pin: "583920" },
      { token: "x" },
      { ownerToken: "x" },
      { visit: { apiToken: "x" } },
      { password: "hunter2" },
      { cameraPassword: "hunter2" },
      { list: [{ secret: "x" }] },
      { networkKey: [1, 2, 3] },
      { note: "dst_abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG" },
    ];
    for (const details of secretDetails) {
      it(`refuses details ${JSON.stringify(Object.keys(details))} without writing or echoing the value`, () => {
        let error: unknown;
        try {
          store.audit.append({ type: "test.secret", actor: "system", details: details as never });
        } catch (e) {
          error = e;
        }
        expect(error).to.be.instanceOf(InternalError);
        expect((error as Error).message).not.to.match(/583920|hunter2|dst_abc/);
        expect(store.audit.list()).to.deep.equal([]);
      });
    }

    it("accepts ordinary details that merely resemble those words", () => {
      store.audit.append({
        type: "keypad.used",
        actor: "keypad",
        details: { slot: 3, keypad: true, spinning: false, shipping: "parcel", mapping: 1, reason: "expired", keyboard: "x" },
      });
      expect(store.audit.verify()).to.deep.equal({ ok: true, entries: 1 });
    });

    it("refuses details JSON cannot carry faithfully", () => {
      expect(() => store.audit.append({ type: "t", actor: "a", details: { n: Number.NaN } })).to.throw(InternalError, /details\.n/);
      expect(() => store.audit.append({ type: "t", actor: "a", details: { when: new Date() as never } })).to.throw(InternalError);
      expect(store.audit.list()).to.deep.equal([]);
    });
  });
});
