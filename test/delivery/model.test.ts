// The model-based test of the visit, the keypad sync and the lock, short tier (runs in `npm test`).
// The long tier (many more runs, longer sequences) is model.long.test.ts, run by `npm run test:long`.
import { runModel } from "./model.js";

describe("delivery: model-based interleavings (short tier)", function () {
  this.timeout(120_000);

  it("keeps every invariant through random create/revoke/expire/keypad/remote/owner/late-unlock/dropped-frame/restart sequences", async () => {
    await runModel({ numRuns: 25, maxCommands: 30, seed: 20261207 });
  });
});
