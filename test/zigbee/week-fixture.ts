// A simulated week of guest credentials and a helper that runs a reconciler to quiescence on a TestClock.
import type { TestClock } from "../../src/access/test-clock.js";
import { CredentialId } from "../../src/access/ids.js";
import type { DesiredCredential, SlotReconciler } from "../../src/zigbee/slot-reconciler.js";

const H = 3_600_000;
export const WEEK_T0 = Date.UTC(2026, 10, 23, 0, 0); // a Monday

/** Runs passes at the current instant and then at each retry, but never past `limit`. */
export async function settle(rec: SlotReconciler, clock: TestClock, limit: number): Promise<void> {
  await rec.reconcile();
  for (let i = 0; i < 100; i++) {
    const next = rec.nextWakeAt();
    if (next === undefined || next > limit) return;
    if (next > clock.now()) clock.set(next);
    await rec.reconcile();
  }
}

/** 50 credentials with windows of 1–8 h spread over a week, overlapping, at most 25 open at once (fits 30 slots). */
export function weekOfCredentials(n: number, seed = 7): DesiredCredential[] {
  let s = seed;
  const rnd = () => ((s = (s * 1103515245 + 12345) % 2 ** 31), s / 2 ** 31);
  const out: DesiredCredential[] = [];
  for (let i = 0; i < n; i++) {
    const windows: [number, number][] = [];
    let t = Math.floor(rnd() * 24);
    while (t < 7 * 24 && windows.length < 3) {
      const len = 1 + Math.floor(rnd() * 8);
      windows.push([t, Math.min(t + len, 7 * 24)]);
      t += len + 12 + Math.floor(rnd() * 48);
    }
    out.push({ credentialId: CredentialId(`c${i}`), pin: String(100000 + i * 37), windows: windows.map(([s0, e]) => ({ start: WEEK_T0 + s0 * H, end: WEEK_T0 + e * H })) });
  }
  return out;
}
