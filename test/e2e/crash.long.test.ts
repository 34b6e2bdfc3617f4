// The crash test's full run (`npm run test:long`): 200 visits on three doors, 20 kills, five aimed at each phase of a
// visit (opening, open, post-roll, clip) in a seeded order. The fast tier runs the small one (crash.test.ts).
import { KILL_PHASES, describeCrashRun } from "./crash-run.js";

const KILLS = Number(process.env.DOORSTEP_CRASH_KILLS ?? 20);

describeCrashRun("crash test: kill -9 of doorstep serve during 200 visits, kills aimed at every phase", {
  visits: Number(process.env.DOORSTEP_CRASH_REDEMPTIONS ?? 200),
  kills: Array.from({ length: KILLS }, (_, i) => KILL_PHASES[i % KILL_PHASES.length]!),
  seed: Number(process.env.DOORSTEP_CRASH_SEED ?? 0x5eed),
});
