// Fixtures shared by the test files of one run (the paired Zigbee network of test/zigbee/harness.ts) register their
// stop here, and are stopped once, at the end of the run. Loaded through .mocharc.json `require`.
// In mocha --parallel mode (the fast tier) each worker process runs files one after another and root hooks run per
// file: a worker keeps its shared fixtures from file to file, stops them before a file that did not claim them (it may
// start a zigbee-herdsman of its own, and herdsman's database is process-wide), and leaves them to its own exit.
import { rmSync } from "node:fs";

type Stop = () => Promise<void>;

const stops = new Set<Stop>();
const inWorker = process.env.MOCHA_WORKER_ID !== undefined;
let claimedByLoadedFile = false;

/** `stop` runs at the end of the run (in a parallel worker: before a file that does not claim it); returns an unregister. */
export function stopAtEndOfRun(stop: Stop): () => void {
  stops.add(stop);
  return () => stops.delete(stop);
}

/** Called while a test file loads (in its `describe`): that file uses the run's shared fixtures, keep them. */
export function claimSharedFixtures(): void {
  claimedByLoadedFile = true;
}

const exitRemovals = new Set<string>();
/** A shared fixture's directory, removed when this process exits (a parallel worker never stops its fixtures). */
export function removeAtExit(dir: string): () => void {
  if (exitRemovals.size === 0) process.once("exit", () => exitRemovals.forEach((d) => rmSync(d, { recursive: true, force: true })));
  exitRemovals.add(dir);
  return () => exitRemovals.delete(dir);
}

async function stopAll(): Promise<void> {
  const errors: unknown[] = [];
  for (const stop of [...stops].reverse()) {
    stops.delete(stop);
    await stop().catch((error: unknown) => errors.push(error));
  }
  if (errors.length > 0) throw new AggregateError(errors, "stopping the run's shared fixtures failed");
}

export const mochaHooks = {
  async beforeAll(): Promise<void> {
    const claimed = claimedByLoadedFile;
    claimedByLoadedFile = false;
    if (inWorker && !claimed) await stopAll();
  },
  async afterAll(): Promise<void> {
    if (!inWorker) await stopAll();
  },
};
