// Issue 10 items 3 and 4 through the real binary: a cut audit tail under a rewritten head is reported, a key without
// its database is an error naming both files (nothing re-created), and read commands never create a storage dir.
import { expect } from "chai";
import { existsSync } from "node:fs";
import { readdir, rm, truncate } from "node:fs/promises";
import { DatabaseSync } from "node:sqlite";
import { runDoorstep, useTempStorage } from "../helpers/cli.js";

const CONFIG = {
  zigbee: { port: "tcp://127.0.0.1:1" },
  doors: [{ id: "front", name: "Front door", lock: { ieee: "0x00124b0012345678" } }],
};
const FUTURE = new Date(Date.now() + 3 * 86_400_000).toISOString();

describe("doorstep CLI: the store's files (the real binary)", function () {
  this.timeout(60_000);
  const storage = useTempStorage(CONFIG);
  const cli = (...args: string[]) => runDoorstep(["--storage", storage.path, ...args]);
  const addGuests = async (n: number) => {
    for (let i = 0; i < n; i++) {
      const r = await cli("guest", "add", "--label", `Guest ${i}`, "--kind", "guest", "--door", "front", "--until", FUTURE);
      expect(r.code, r.stderr).to.equal(0);
    }
  };


  it("audit verify reports the end of the log cut and the head rewritten to the new last entry (item 3)", async () => {
    await addGuests(5);
    expect(JSON.parse((await cli("audit", "verify", "--json")).stdout)).to.deep.equal({ ok: true, entries: 5 });
    const raw = new DatabaseSync(storage.join("doorstep.db"));
    try {
      const row3 = raw.prepare("SELECT hash FROM audit_log WHERE seq = 3").get() as { hash: string };
      raw.exec(`DELETE FROM audit_log WHERE seq >= 4; UPDATE audit_head SET seq = 3, hash = '${row3.hash}'`);
    } finally {
      raw.close();
    }
    const json = await cli("audit", "verify", "--json");
    expect(json.code).to.equal(1);
    expect(JSON.parse(json.stdout)).to.deep.include({ ok: false, firstBad: 0, problem: "truncated" });
    const text = await cli("audit", "verify");
    expect(text.code).to.equal(1);
    expect(text.stdout).to.match(/AUDIT LOG TAMPERED: .*cut from the end/);
  });

  for (const [what, damage] of [
    ["deleted", (db: string) => rm(db)],
    ["emptied", (db: string) => truncate(db, 0)],
  ] as const) {
    it(`refuses a key whose database was ${what}, naming both files, and creates nothing (item 4)`, async () => {
      await addGuests(1);
      const db = storage.join("doorstep.db");
      for (const f of ["doorstep.db-wal", "doorstep.db-shm"]) await rm(storage.join(f), { force: true });
      await damage(db);
      const before = (await readdir(storage.path)).sort();
      for (const args of [["audit", "verify"], ["guest", "list"], ["guest", "add", "--label", "G", "--kind", "guest", "--door", "front", "--until", FUTURE]]) {
        const r = await cli(...args);
        expect(r.code, args.join(" ")).to.equal(1);
        expect(r.stderr).to.contain(storage.join("doorstep.key")).and.contain(db).and.contain("Nothing was created");
        expect(r.stdout).not.to.contain("intact");
      }
      expect((await readdir(storage.path)).sort()).to.deep.equal(before);
    });
  }

  it("refuses a database emptied of its tables beside its key (item 4)", async () => {
    await addGuests(1);
    const raw = new DatabaseSync(storage.join("doorstep.db"));
    try {
      const tables = raw.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[];
      raw.exec("PRAGMA foreign_keys = OFF");
      for (const { name } of tables) raw.exec(`DROP TABLE "${name}"`);
    } finally {
      raw.close();
    }
    const r = await cli("audit", "verify");
    expect(r.code).to.equal(1);
    expect(r.stderr).to.contain("doorstep.key").and.contain("is empty");
  });

  it("token create --door limits a provider token to configured doors, refusing unknown ones", async () => {
    const bad = await cli("token", "create", "--provider", "acme", "--door", "garage");
    expect(bad.code).to.equal(2);
    expect(bad.stderr).to.contain('unknown door "garage"');
    const ok = await cli("token", "create", "--provider", "acme", "--door", "front", "--json");
    expect(ok.code, ok.stderr).to.equal(0);
    expect(JSON.parse(ok.stdout)).to.deep.include({ provider: "acme", doors: ["front"] });
    const list = JSON.parse((await cli("token", "list", "--json")).stdout) as { subject: { doors?: string[] } }[];
    expect(list.map((t) => t.subject.doors)).to.deep.equal([["front"]]);
  });

  it("read commands on a missing storage dir fail and create nothing (item 4)", async () => {
    const missing = storage.join("nowhere");
    for (const args of [["audit", "verify"], ["visits"], ["guest", "list"], ["token", "list"]]) {
      const r = await runDoorstep(["--config", storage.join("doorstep.json"), "--storage", missing, ...args]);
      expect(r.code, args.join(" ")).to.equal(1);
      expect(r.stderr).to.contain(`no Doorstep storage at ${missing}`);
      expect(existsSync(missing), args.join(" ")).to.equal(false);
    }
  });
});
