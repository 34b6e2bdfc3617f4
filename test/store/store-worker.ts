// A separate thread with its own store connection that acts at the same moment as its siblings (a shared barrier).
import { parentPort, workerData } from "node:worker_threads";
import { TestClock } from "../../src/access/test-clock.js";
import type { CredentialId } from "../../src/access/ids.js";
import { openStore } from "../../src/store/index.js";

export type WorkerJob = {
  storageDir: string;
  at: number;
  /** Int32 counter of threads ready; each waits until it reaches `parties`. */
  barrier: SharedArrayBuffer;
  parties: number;
} & ({ action: "consume"; credentialId: CredentialId } | { action: "append"; count: number; worker: number });

const job = workerData as WorkerJob;
const store = openStore({ storageDir: job.storageDir, clock: new TestClock(job.at) });
try {
  const ready = new Int32Array(job.barrier);
  Atomics.add(ready, 0, 1);
  Atomics.notify(ready, 0);
  const deadline = Date.now() + 10_000;
  for (let seen = Atomics.load(ready, 0); seen < job.parties; seen = Atomics.load(ready, 0)) {
    if (Date.now() > deadline) throw new Error("barrier timed out");
    Atomics.wait(ready, 0, seen, 100);
  }
  if (job.action === "consume") {
    parentPort!.postMessage(store.credentials.consumeUse(job.credentialId, job.at));
  } else {
    for (let i = 0; i < job.count; i++) {
      store.audit.append({ type: "test.concurrent", actor: "system", details: { worker: job.worker, i } });
    }
    parentPort!.postMessage("done");
  }
} finally {
  store.close();
}
