// Shared by the store tests: temporary storage directories, opened stores, and credentials to put in them.
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import { TestClock } from "../../src/access/test-clock.js";
import type { Credential } from "../../src/access/credential.js";
import { CredentialId, DoorId } from "../../src/access/ids.js";
import { openStore, type Store, type StoreOptions } from "../../src/store/index.js";
import { makeTempDir, removeTempDir } from "../helpers/temp-dir.js";
import type { WorkerJob } from "./store-worker.js";

export const T0 = Date.UTC(2026, 10, 26, 12, 0, 0);
export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;
export const FRONT = DoorId("front");
export const BACK = DoorId("back");

/** A temporary storage directory with the stores opened on it; `cleanup` closes them and deletes the directory. */
export class StoreFixture {
  readonly clock = new TestClock(T0);
  private readonly opened: Store[] = [];

  private constructor(readonly dir: string) {}

  static async create(): Promise<StoreFixture> {
    return new StoreFixture(makeTempDir("doorstep-store-"));
  }

  /** The storage directory used by `open` (a subdirectory, so openStore's own mkdir is exercised). */
  get storageDir(): string {
    return join(this.dir, "storage");
  }

  /** Another store instance (its own connection) on the same storage directory. */
  open(options: Partial<StoreOptions> = {}): Store {
    const store = openStore({ storageDir: this.storageDir, clock: this.clock, ...options });
    this.opened.push(store);
    return store;
  }

  async cleanup(): Promise<void> {
    for (const store of this.opened) store.close();
    removeTempDir(this.dir);
  }
}

let counter = 0;

/** A valid credential for the front door, live from T0 for a day; override what the test is about. */
export function credential(overrides: Partial<Credential> = {}): Credential {
  counter++;
  return {
    id: CredentialId(`cred-${counter}`),
    label: `Courier ${counter}`,
    kind: "delivery",
    doors: [FRONT],
    validFrom: T0,
    validUntil: T0 + DAY,
    mode: "both",
    allowWhenPetsHome: false,
    requireRecording: true,
    createdAt: T0 + counter,
    ...overrides,
  };
}

/** Runs store-worker.ts in its own thread (its own connection) and resolves with the one message it posts. */
export function runStoreWorker<T>(job: WorkerJob): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const worker = new Worker(new URL("./store-worker.js", import.meta.url), { workerData: job });
    let result: { value: T } | undefined;
    worker.once("message", (value: T) => (result = { value }));
    worker.once("error", reject);
    worker.once("exit", (code) => {
      if (result && code === 0) resolve(result.value);
      else reject(new Error(`store worker exited with ${code}`));
    });
  });
}
