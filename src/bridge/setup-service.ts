// The SetupPort over the Zigbee coordinator and WS-Discovery: joining opened from the console for a bounded time,
// what joined meanwhile (and whether its interview made it a lock we can drive), cameras that answer a probe.
import { EventEmitter } from "node:events";
import type { Clock } from "../access/clock.js";
import type { EpochMs } from "../access/ids.js";
import type { CameraCandidate, PairingArrival, PairingEvent, PairingState, SetupPort } from "../api/setup-port.js";
import { discoverCameras, type DiscoveredCamera } from "../camera/camera-discovery.js";
import type { DoorstepConfig } from "../config/config.js";
import { ConflictError } from "../core/errors.js";
import type { Logger } from "../core/logger.js";
import type { ZigbeeCoordinator } from "../zigbee/zigbee-coordinator.js";

const KEEP_ARRIVALS = 20;

export interface SetupServiceOptions {
  coordinator: ZigbeeCoordinator | undefined;
  config: DoorstepConfig;
  clock: Clock;
  logger: Logger;
  /** Replaceable for tests that run discovery in a private network namespace. */
  discover?: (timeoutMs: number) => Promise<readonly DiscoveredCamera[]>;
}

export class SetupService implements SetupPort {
  private readonly events = new EventEmitter<{ pairing: [PairingEvent] }>();
  private arrivals: PairingArrival[] = [];
  private until: EpochMs | undefined;
  private detach: (() => void) | undefined;

  constructor(private readonly options: SetupServiceOptions) {}

  /** Follows the coordinator's join and interview events (call once it runs). */
  start(): void {
    const { coordinator } = this.options;
    if (!coordinator || this.detach) return;
    const joined = (e: { ieee: string }) => this.record({ ieee: e.ieee, status: "joined" });
    const interviewed = (e: Parameters<Parameters<typeof coordinator.events.on<"interview">>[1]>[0]) =>
      this.record(
        e.status === "successful"
          ? { ieee: e.ieee, status: "interviewed", vendor: e.identity.vendor, model: e.identity.model, supported: e.identity.supported }
          : { ieee: e.ieee, status: "failed", reason: e.reason },
      );
    const joinChanged = (e: { open: boolean; seconds?: number }) => {
      this.until = e.open && e.seconds !== undefined ? ((this.options.clock.now() + e.seconds * 1000) as EpochMs) : e.open ? this.until : undefined;
      this.emit();
    };
    coordinator.events.on("deviceJoined", joined);
    coordinator.events.on("interview", interviewed);
    coordinator.events.on("permitJoin", joinChanged);
    this.detach = () => {
      coordinator.events.off("deviceJoined", joined);
      coordinator.events.off("interview", interviewed);
      coordinator.events.off("permitJoin", joinChanged);
    };
  }

  stop(): void {
    this.detach?.();
    this.detach = undefined;
  }

  async permitJoin(seconds: number): Promise<PairingState> {
    const { coordinator, logger } = this.options;
    if (!coordinator) throw new ConflictError("No Zigbee coordinator is configured: set zigbee.port in the settings first.");
    await coordinator.permitJoin(seconds);
    this.until = seconds > 0 ? ((this.options.clock.now() + seconds * 1000) as EpochMs) : undefined;
    logger.info(seconds > 0 ? `Joining is open for ${seconds} s (from the console): put the lock in pairing mode.` : "Joining is closed.");
    this.emit();
    return this.pairing();
  }

  pairing(): PairingState {
    const open = this.options.coordinator?.isJoinOpen() ?? false;
    const until = open && this.until !== undefined && this.until > this.options.clock.now() ? this.until : undefined;
    const seconds = until !== undefined ? Math.max(0, Math.ceil((until - this.options.clock.now()) / 1000)) : undefined;
    return { open, ...(until !== undefined ? { until, seconds } : {}), arrivals: this.arrivals.map((a) => ({ ...a })) };
  }

  onPairing(listener: (event: PairingEvent) => void): () => void {
    this.events.on("pairing", listener);
    return () => this.events.off("pairing", listener);
  }

  async discoverCameras(timeoutMs: number): Promise<CameraCandidate[]> {
    const found = await (this.options.discover ?? ((t) => discoverCameras({ timeoutMs: t })))(timeoutMs);
    return found.flatMap((camera) => {
      const service = camera.xaddrs.find((x) => x.startsWith("http")) ?? camera.xaddrs[0];
      if (!service) return [];
      let url: URL;
      try {
        url = new URL(service);
      } catch {
        return [];
      }
      const port = url.port ? Number(url.port) : url.protocol === "https:" ? 443 : 80;
      return [
        {
          address: camera.address,
          host: url.hostname.replace(/^\[(.*)\]$/, "$1"),
          port,
          deviceService: service,
          ...(camera.scopes.name !== undefined ? { name: camera.scopes.name } : {}),
          ...(camera.scopes.hardware !== undefined ? { hardware: camera.scopes.hardware } : {}),
        },
      ];
    });
  }

  private record(arrival: Omit<PairingArrival, "at" | "doorId">): void {
    const ieee = arrival.ieee.toLowerCase();
    const doorId = this.options.config.doors.find((d) => d.lock.ieee?.toLowerCase() === ieee)?.id;
    const entry: PairingArrival = { ...arrival, ieee, at: this.options.clock.now(), ...(doorId ? { doorId } : {}) };
    this.arrivals = [entry, ...this.arrivals.filter((a) => a.ieee !== ieee)].slice(0, KEEP_ARRIVALS);
    this.emit(entry);
  }

  private emit(arrival?: PairingArrival): void {
    const state = this.pairing();
    const message = arrival ? describeArrival(arrival) : state.open ? `Joining is open${state.seconds ? ` for ${state.seconds} s` : ""}: put the lock in pairing mode.` : "Joining is closed.";
    this.events.emit("pairing", { type: "pairing", data: { ...state, message, ...(arrival ? { arrival, ieee: arrival.ieee } : {}) } });
  }
}

function describeArrival(a: PairingArrival): string {
  const what = a.model ? `${a.vendor ?? ""} ${a.model}`.trim() : "A device";
  const door = a.doorId ? ` (the lock of door "${a.doorId}")` : "";
  switch (a.status) {
    case "joined":
      return `A device joined: ${a.ieee}${door}; identifying it…`;
    case "interviewed":
      return `${what} ${a.ieee}${door} is paired${a.supported === false ? " (a model Doorstep does not know: driven from what it reports)" : ""}.`;
    case "failed":
      return `${a.ieee}${door} joined but could not be identified: ${a.reason ?? "interview failed"}. Try pairing it again.`;
  }
}
