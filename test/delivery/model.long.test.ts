// The model-based test, long tier: `npm run test:long` (not part of `npm test`). DOORSTEP_MODEL_RUNS overrides the run count.
import { runModel } from "./model.js";

describe("delivery: model-based interleavings (long tier)", function () {
  this.timeout(0);

  it("keeps every invariant through many long random sequences", async () => {
    await runModel({ numRuns: Number(process.env["DOORSTEP_MODEL_RUNS"] ?? 500), maxCommands: 80 });
  });
});
