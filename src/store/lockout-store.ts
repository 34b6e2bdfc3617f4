// The wrong-PIN lockout's failure times, so a restart does not hand a guesser a fresh set of attempts.
import type { EpochMs } from "../access/ids.js";
import type { Database } from "./database.js";
import { text } from "./sql-values.js";

export class LockoutStore {
  constructor(private readonly db: Database) {}

  /** Every key's stored failure times (the caller drops those outside its window). */
  load(): Map<string, EpochMs[]> {
    const out = new Map<string, EpochMs[]>();
    for (const row of this.db.all("SELECT key, failures FROM lockout_failures")) {
      const parsed: unknown = JSON.parse(text(row, "failures"));
      if (Array.isArray(parsed)) out.set(text(row, "key"), parsed.filter((t): t is EpochMs => Number.isInteger(t)));
    }
    return out;
  }

  /** Replaces a key's failure times; none left removes the key. */
  save(key: string, failures: readonly EpochMs[]): void {
    if (failures.length === 0) this.db.run("DELETE FROM lockout_failures WHERE key = ?", key);
    else this.db.run("INSERT INTO lockout_failures (key, failures) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET failures = excluded.failures", key, JSON.stringify(failures));
  }
}
