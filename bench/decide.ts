// Access decisions at scale: 100,000 credentials over 1,000 doors. Measures, per decision, the
// lookup of the credential by id in a Map plus decide(), and separately activeWindows() for a
// week (what the lock slot reconciler asks). Runnable alone: `node dist/bench/decide.js`.
import os from "node:os";
import { pathToFileURL } from "node:url";
import { activeWindows } from "../src/access/active-windows.js";
import type { Credential, CredentialKind, CredentialUsage, Schedule, Weekday } from "../src/access/credential.js";
import { type Decision, decide } from "../src/access/decide.js";
import { CredentialId, DoorId } from "../src/access/ids.js";
import { seededRandom } from "../src/sim/zigbee/fault-injection.js";

const CREDENTIALS = 100_000;
const DOORS = 1_000;
const DECISIONS = 200_000;
const WARMUP = 20_000;
const WINDOW_SAMPLES = 20_000;
const DAY = 86_400_000;
const START = Date.parse("2026-11-30T00:00:00Z"); // a Monday
const ZONES = ["Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "Asia/Tokyo", "UTC"];
const KINDS: CredentialKind[] = ["delivery", "cleaning", "pet-care", "guest", "service"];
const DAYS: Weekday[] = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"];

function population(random: () => number): { credentials: Map<CredentialId, Credential>; usages: Map<CredentialId, CredentialUsage>; ids: CredentialId[] } {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  const hhmm = (m: number) => `${String(Math.floor(m / 60)).padStart(2, "0")}:${String(m % 60).padStart(2, "0")}`;
  const credentials = new Map<CredentialId, Credential>();
  const usages = new Map<CredentialId, CredentialUsage>();
  const ids: CredentialId[] = [];
  for (let i = 0; i < CREDENTIALS; i++) {
    const id = CredentialId(`c${i}`);
    const kind = pick(KINDS);
    const door = Math.floor(random() * DOORS);
    const doors = random() < 0.2 ? [DoorId(`d${door}`), DoorId(`d${(door + 1) % DOORS}`)] : [DoorId(`d${door}`)];
    const validFrom = START - Math.floor(random() * 30) * DAY;
    const validUntil = START + Math.floor(1 + random() * 30) * DAY;
    const zone = pick(ZONES);
    const shape = random();
    let schedule: Schedule | undefined;
    if (shape < 0.4) {
      const start = Math.floor(random() * 96) * 15;
      schedule = { type: "weekly", timeZone: zone, windows: [{ days: ["MO" as Weekday, ...DAYS.slice(1).filter(() => random() < 0.5)], start: hhmm(start), end: hhmm((start + 240) % 1440) }] };
    } else if (shape < 0.6) {
      const dtstart = new Date(validFrom).toISOString().slice(0, 11) + hhmm(Math.floor(random() * 96) * 15);
      const rrule = pick(["FREQ=DAILY", "FREQ=WEEKLY;BYDAY=MO,WE,FR", "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,TH", "FREQ=DAILY;COUNT=40", "FREQ=MONTHLY;BYDAY=1MO,-1FR"]);
      schedule = { type: "rrule", timeZone: zone, dtstart, rrule, durationMinutes: 60 + Math.floor(random() * 8) * 30 };
    }
    const c: Credential = {
      id, label: `bench ${i}`, kind, doors, validFrom, validUntil,
      mode: pick(["keypad", "remote", "both", "both"] as const), allowWhenPetsHome: kind === "pet-care", requireRecording: true,
      createdAt: validFrom - DAY,
      ...(schedule ? { schedule } : {}),
      ...(kind === "delivery" ? { maxUses: 1 } : random() < 0.2 ? { maxUses: 5 } : {}),
    };
    credentials.set(id, c);
    usages.set(id, { uses: random() < 0.1 ? 1 : 0 });
    ids.push(id);
  }
  return { credentials, usages, ids };
}

function percentile(sorted: Float64Array, p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
}

const us = (ms: number): string => `${(ms * 1000).toFixed(2)} µs`;

function row(label: string, samples: Float64Array): string {
  const sorted = Float64Array.from(samples).sort();
  const mean = samples.reduce((a, b) => a + b, 0) / samples.length;
  return `| ${label} | ${samples.length.toLocaleString("en-US")} | ${us(percentile(sorted, 0.5))} | ${us(percentile(sorted, 0.99))} | ${us(percentile(sorted, 0.999))} | ${us(sorted[sorted.length - 1]!)} | ${us(mean)} |`;
}

/** Runs the benchmark and returns its markdown section. */
export async function benchDecide(): Promise<string> {
  const random = seededRandom(20261126);
  const built = performance.now();
  const { credentials, usages, ids } = population(random);
  const buildMs = performance.now() - built;

  const decisionTimes = new Float64Array(DECISIONS);
  const outcomes: Record<Decision["outcome"], number> = { allowed: 0, denied: 0, "leave-outside": 0 };
  for (let i = -WARMUP; i < DECISIONS; i++) {
    // An attempt: a known id (as the store's PIN index would return it) or, 5% of the time, none.
    const id = random() < 0.95 ? ids[Math.floor(random() * ids.length)]! : CredentialId("none");
    const door = DoorId(`d${Math.floor(random() * DOORS)}`);
    const now = START + Math.floor(random() * 7 * DAY);
    const via = random() < 0.5 ? "keypad" : "remote";
    const petsHome = random() < 0.2;
    const t0 = performance.now();
    const credential = credentials.get(id);
    const decision = decide({
      credential, usage: usages.get(id), door: credential && random() < 0.9 ? credential.doors[0]! : door, via, now,
      switches: { inHomeDeliveries: true, petsHome }, recording: true, lockAvailable: true, lockedOut: false, requireRecording: true,
    });
    const t1 = performance.now();
    if (i >= 0) {
      decisionTimes[i] = t1 - t0;
      outcomes[decision.outcome]++;
    }
  }

  const windowTimes = new Float64Array(WINDOW_SAMPLES);
  let windowsFound = 0;
  for (let i = -WARMUP / 10; i < WINDOW_SAMPLES; i++) {
    const id = ids[Math.floor(random() * ids.length)]!;
    const from = START + Math.floor(random() * 7) * DAY;
    const t0 = performance.now();
    const windows = activeWindows(credentials.get(id)!, from, from + 7 * DAY, usages.get(id));
    const t1 = performance.now();
    if (i >= 0) {
      windowTimes[i] = t1 - t0;
      windowsFound += windows.length;
    }
  }

  const p99 = percentile(Float64Array.from(decisionTimes).sort(), 0.99);
  const share = (n: number) => `${((100 * n) / DECISIONS).toFixed(1)}%`;
  return [
    "## Access decisions",
    "",
    `${CREDENTIALS.toLocaleString("en-US")} credentials over ${DOORS.toLocaleString("en-US")} doors (40% weekly windows, 20% RRULE, 40% unscheduled; zones ${ZONES.join(", ")}), built in ${buildMs.toFixed(0)} ms.`,
    `Each decision is timed from the Map lookup of the credential by id to the returned decision, at instants spread over one week, after ${WARMUP.toLocaleString("en-US")} warm-up decisions.`,
    `activeWindows is timed for one week of a random credential. Timings include two performance.now() calls and each schedule's`,
    `one-time compilation on first use; the tail (p99.9, max) includes garbage collection and preemption (load average ${os.loadavg()[0]!.toFixed(1)} at the end of the run).`,
    "",
    "| measure | samples | p50 | p99 | p99.9 | max | mean |",
    "|---|---|---|---|---|---|---|",
    row("Map lookup + decide", decisionTimes),
    row("activeWindows, one week", windowTimes),
    "",
    `Decision p99 target < 100 µs: ${p99 < 0.1 ? "met" : "NOT met"} (${us(p99)}).`,
    `Outcomes: allowed ${share(outcomes.allowed)}, denied ${share(outcomes.denied)}, leave-outside ${share(outcomes["leave-outside"])}; ${(windowsFound / WINDOW_SAMPLES).toFixed(1)} windows per activeWindows call on average.`,
  ].join("\n");
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.stdout.write(`${await benchDecide()}\n`);
}
