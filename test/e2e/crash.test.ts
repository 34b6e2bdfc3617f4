// The crash test's small run, in the fast tier: one kill aimed at each phase of a visit (opening, open, post-roll,
// clip), seeded. The full run (200 visits, 20 kills) is test/e2e/crash.long.test.ts in `npm run test:long`.
import { KILL_PHASES, describeCrashRun } from "./crash-run.js";

describeCrashRun("crash test: kill -9 of doorstep serve once in every phase of a visit", {
  visits: Number(process.env.DOORSTEP_CRASH_VISITS ?? 8),
  kills: KILL_PHASES,
  seed: Number(process.env.DOORSTEP_CRASH_SEED ?? 0x5eed),
});
