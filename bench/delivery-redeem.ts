// The guest flow's own cost: DeliveryService.redeem() (lockout check, PIN lookup, policy, atomic use, durable visit
// and audit entry in SQLite, unlock with status check) → the unlockDoor AF request at the emulator, beside the bare
// LockDriver.unlock() → AF request on the same rig in the same run. No HTTP and no camera here (requireRecording off).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { systemClock } from "../src/access/clock.js";
import { DoorId, type VisitId } from "../src/access/ids.js";
import { ownerVia } from "../src/delivery/actor.js";
import { DeliveryService } from "../src/delivery/delivery-service.js";
import { openStore } from "../src/store/store.js";
import { fmt, isMain, percentile, startRig } from "./zigbee-setup.js";

const N = Number(process.env.DELIVERY_BENCH_N ?? 200);
const WARM = 20;

export async function benchDeliveryRedeem(): Promise<string> {
  const rig = await startRig("kwikset-910");
  const dir = mkdtempSync(join(tmpdir(), "doorstep-bench-delivery-"));
  const store = openStore({ storageDir: dir, clock: systemClock });
  const owner = ownerVia("api");
  const service = new DeliveryService({
    store,
    settings: { requireRecording: false, inHomeDeliveries: true, timeZone: "UTC", maxCredentialDays: 366, lockoutAttempts: 5, lockoutWindowMinutes: 15 },
    doors: [{ id: DoorId("door"), name: "Bench door", relockAfterSeconds: 600, preRollSeconds: 0, postRollSeconds: 0, driver: rig.driver }],
    syncKeypads: false,
  });
  try {
    await rig.driver.lock();
    await service.start();
    let afAt: number | undefined;
    rig.sim.coordinator.on("mtRequest", (name) => {
      if (name === "AF.dataRequest" && afAt === undefined) afAt = performance.now();
    });
    const settle = () => new Promise((r) => setTimeout(r, 30));

    const flowToAf: number[] = [];
    const flowToUnlocked: number[] = [];
    for (let i = 0; i < WARM + N; i++) {
      const { pin } = service.credentials.create(
        { label: `Courier ${i}`, kind: "delivery", doors: ["door"], mode: "remote", requireRecording: false, validUntil: Date.now() + 3_600_000 },
        owner,
      );
      await settle();
      afAt = undefined;
      const t0 = performance.now();
      const outcome = await service.redeem({ doorId: "door", pin, actor: owner, source: "127.0.0.1" });
      const t1 = performance.now();
      if (outcome.outcome !== "unlocked") throw new Error(`redeem ${i}: ${outcome.outcome} ${"reason" in outcome ? outcome.reason : ""}`);
      if (afAt === undefined) throw new Error("no AF.dataRequest seen for the redemption");
      if (i >= WARM) {
        flowToAf.push(afAt - t0);
        flowToUnlocked.push(t1 - t0);
      }
      await service.endVisit(outcome.visitId as VisitId, owner); // relocks (confirmed) before the next one
      await settle();
    }

    const bareToAf: number[] = [];
    for (let i = 0; i < WARM + N; i++) {
      await rig.driver.lock();
      await settle();
      afAt = undefined;
      const t0 = performance.now();
      await rig.driver.unlock();
      if (afAt === undefined) throw new Error("no AF.dataRequest seen for the bare unlock");
      if (i >= WARM) bareToAf.push(afAt - t0);
      await settle();
    }
    await rig.driver.lock();

    const row = (label: string, s: number[]) => `| ${label} | ${s.length} | ${fmt(percentile(s, 50))} | ${fmt(percentile(s, 95))} | ${fmt(percentile(s, 99))} | ${fmt(Math.max(...s))} |`;
    return [
      "## Delivery: the guest flow's cost up to the unlock frame",
      "",
      `Milliseconds, ${N} redemptions after ${WARM} warm-up, one at a time, each of a fresh one-time code, the door relocked`,
      "(confirmed) between them. DeliveryService.redeem() with the real store (node:sqlite, WAL, synchronous=NORMAL) on the local disk,",
      "the real access core and the real zigbee-herdsman driver over loopback TCP to the project's ZNP emulator (Kwikset profile).",
      "No HTTP and no camera in this measurement: the recording gate is off (see the camera bench for the recorder).",
      `Node ${process.version}. Nearest-rank percentiles.`,
      "",
      "| path | N | p50 | p95 | p99 | max |",
      "|---|---|---|---|---|---|",
      row("redeem() → AF.dataRequest(unlockDoor) at the emulator", flowToAf),
      row("LockDriver.unlock() → AF.dataRequest (same rig, same run)", bareToAf),
      row("redeem() → resolved \"unlocked\" (unlockDoorRsp checked, visit open committed)", flowToUnlocked),
      "",
    ].join("\n");
  } finally {
    await service.stop();
    store.close();
    await rig.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (isMain(import.meta.url)) console.log(await benchDeliveryRedeem());
