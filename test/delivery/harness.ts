// A delivery service on a real store in a temp dir, the real access core, test locks and recorders, manual time.
import { makeTempDir, removeTempDir } from "../helpers/temp-dir.js";
import { TestClock } from "../../src/access/test-clock.js";
import { DoorId } from "../../src/access/ids.js";
import { ownerVia, type Actor } from "../../src/delivery/actor.js";
import type { DeliverySettings, DeliveryTiming } from "../../src/delivery/delivery-context.js";
import { DeliveryService } from "../../src/delivery/delivery-service.js";
import type { DeliveryEvents } from "../../src/delivery/delivery-port.js";
import { openStore, type Store } from "../../src/store/store.js";
import type { LockDriver } from "../../src/zigbee/lock-driver.js";
import { TestScheduler } from "../../src/delivery/test-scheduler.js";
import { TestRecorder } from "../../src/camera/test-recorder.js";
import { TestLockDriver } from "../../src/zigbee/test-lock-driver.js";

/** A shared log of side effects across doubles, to assert their order. */
export type Trace = string[];

export const FRONT = DoorId("front");
export const BACK = DoorId("back");
export const OWNER: Actor = ownerVia("api");
/** Wednesday 2 December 2026, 10:00 UTC. */
export const T0 = Date.parse("2026-12-02T10:00:00Z");

export const SETTINGS: DeliverySettings = {
  requireRecording: true,
  inHomeDeliveries: true,
  timeZone: "UTC",
  maxCredentialDays: 366,
  lockoutAttempts: 5,
  lockoutWindowMinutes: 15,
};

export const TIMING: Partial<DeliveryTiming> = { relockRetryDelayMs: 0, relockAttempts: 3, settleTimeoutMs: 60_000, relockRetryAfterMs: 30_000 };

export interface HarnessDoor {
  lock: TestLockDriver;
  recorder: TestRecorder | undefined;
}

export interface Harness {
  dir: string;
  clock: TestClock;
  scheduler: TestScheduler;
  store: Store;
  trace: Trace;
  service: DeliveryService;
  doors: Record<string, HarnessDoor>;
  /** Every event the service emitted, in order. */
  emitted: { name: keyof DeliveryEvents; payload: unknown }[];
  /** Creates a credential as the owner; returns its id and PIN. */
  credential(input: Record<string, unknown>, actor?: Actor): { id: string; pin: string };
  /** Audit entry types in order. */
  auditTypes(): string[];
  cleanup(): Promise<void>;
}

export interface HarnessOptions {
  dir?: string;
  clock?: TestClock;
  settings?: Partial<DeliverySettings>;
  timing?: Partial<DeliveryTiming>;
  /** Doors and whether each has a camera (default: one "front" door with a camera). */
  doors?: { id: string; camera: boolean; relockAfterSeconds?: number }[];
  syncKeypads?: boolean;
  start?: boolean;
  /** A real lock driver for a door instead of its double (the model-based test against the emulator). */
  drivers?: Record<string, LockDriver>;
  /** Prepare the doubles before start() runs (recovery). */
  before?: (doors: Record<string, HarnessDoor>) => void;
}

export async function harness(options: HarnessOptions = {}): Promise<Harness> {
  const dir = options.dir ?? makeTempDir("doorstep-delivery-");
  const clock = options.clock ?? new TestClock(T0);
  const scheduler = new TestScheduler(clock);
  const store = openStore({ storageDir: dir, clock });
  const trace: Trace = [];
  const doors: Record<string, HarnessDoor> = {};
  const specs = options.doors ?? [{ id: "front", camera: true }];
  for (const spec of specs) doors[spec.id] = { lock: new TestLockDriver({ trace, clock }), recorder: spec.camera ? new TestRecorder({ trace, clock }) : undefined };
  options.before?.(doors);
  const service = new DeliveryService({
    store,
    clock,
    scheduler,
    settings: { ...SETTINGS, ...options.settings },
    timing: { ...TIMING, ...options.timing },
    syncKeypads: options.syncKeypads ?? true,
    doors: specs.map((spec) => ({
      id: DoorId(spec.id),
      name: `${spec.id} door`,
      relockAfterSeconds: spec.relockAfterSeconds ?? 30,
      preRollSeconds: 5,
      postRollSeconds: 10,
      driver: options.drivers?.[spec.id] ?? doors[spec.id]!.lock,
      ...(doors[spec.id]!.recorder && { recorder: doors[spec.id]!.recorder! }),
    })),
  });
  const emitted: Harness["emitted"] = [];
  for (const name of ["visitStarted", "visitEnded", "lockState", "switches", "alert", "refused"] as const) {
    service.events.on(name, (payload: unknown) => emitted.push({ name, payload }));
  }
  if (options.start ?? true) await service.start();
  return {
    dir,
    clock,
    scheduler,
    store,
    trace,
    service,
    doors,
    emitted,
    credential(input, actor = OWNER) {
      const { credential, pin } = service.credentials.create(
        { label: "Courier", kind: "delivery", doors: ["front"], validFrom: T0 - 3_600_000, validUntil: T0 + 86_400_000, ...input },
        actor,
      );
      return { id: credential.id, pin };
    },
    auditTypes() {
      return store.audit.list({ limit: 10_000 }).map((e) => e.type);
    },
    async cleanup() {
      await service.stop();
      store.close();
      removeTempDir(dir);
    },
  };
}
