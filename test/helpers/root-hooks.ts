// Fixtures shared by the test files of one run (the paired Zigbee network of test/zigbee/harness.ts) register their
// stop here; the root afterAll stops them once, at the end of the run. Loaded through .mocharc.json `require`.
// In mocha --parallel mode root hooks run per file in each worker process, so there a shared fixture is started
// lazily by the first file of a worker that needs it and stopped after that file.
type Stop = () => Promise<void>;

const stops = new Set<Stop>();

/** `stop` runs at the end of the run (or of the file, in parallel mode); the returned function unregisters it. */
export function stopAtEndOfRun(stop: Stop): () => void {
  stops.add(stop);
  return () => stops.delete(stop);
}

export const mochaHooks = {
  async afterAll(): Promise<void> {
    const errors: unknown[] = [];
    for (const stop of [...stops].reverse()) {
      stops.delete(stop);
      await stop().catch((error: unknown) => errors.push(error));
    }
    if (errors.length > 0) throw new AggregateError(errors, "stopping the run's shared fixtures failed");
  },
};
