// The API under test, wired as `doorstep serve` wires it: a real store in a temp dir, the real DeliveryService and its
// CredentialService, the real token store, and the Fastify server on 127.0.0.1:0, reached with real HTTP (fetch).
// Only the hardware is doubled (an in-memory lock driver and a switchable recorder).
import { join } from "node:path";
import { systemClock } from "../../src/access/clock.js";
import { DoorId, type ProviderId } from "../../src/access/ids.js";
import { createApiServer, type ApiServer, type ApiServerOptions } from "../../src/api/api-server.js";
import { consoleApiContext } from "../../src/bridge/console-api-context.js";
import { MemoryLogger } from "../../src/core/logger.js";
import { DeliveryService } from "../../src/delivery/delivery-service.js";
import { openStore, type Store } from "../../src/store/index.js";
import { TestRecorder } from "../../src/camera/test-recorder.js";
import { TestLockDriver } from "../../src/zigbee/test-lock-driver.js";
import { makeTempDir, removeTempDir } from "../helpers/temp-dir.js";

export interface ApiResponse {
  status: number;
  headers: Headers;
  text: string;
  /** The parsed body when it is JSON, else undefined. */
  json: any;
}

export interface RequestOptions {
  token?: string | undefined;
  /** A value sent as JSON. */
  body?: unknown;
  /** Sent as is (with Content-Type application/json unless headers say otherwise). */
  raw?: string | Buffer;
  headers?: Record<string, string>;
}

export class ApiHarness {
  readonly logger = new MemoryLogger();
  readonly recorders = new Map<string, TestRecorder>();
  readonly drivers = new Map<string, TestLockDriver>();
  store!: Store;
  delivery!: DeliveryService;
  server!: ApiServer;
  url = "";
  ownerToken = "";
  /** Provider tokens by provider id: "acme" and "zest". */
  readonly providerTokens: Record<string, string> = {};

  private constructor(readonly dir: string) {}

  static async start(options: { lockoutAttempts?: number; requireRecording?: boolean; server?: Partial<ApiServerOptions> } = {}): Promise<ApiHarness> {
    const h = new ApiHarness(makeTempDir("doorstep-api-"));
    try {
      h.store = openStore({ storageDir: join(h.dir, "storage"), clock: systemClock });
      const doors = ["front", "back"].map((id) => {
        const driver = new TestLockDriver();
        const recorder = new TestRecorder({ clipDir: h.dir });
        h.drivers.set(id, driver);
        h.recorders.set(id, recorder);
        return { id: DoorId(id), name: `${id[0]!.toUpperCase()}${id.slice(1)} door`, relockAfterSeconds: 120, preRollSeconds: 0, postRollSeconds: 0, driver, recorder };
      });
      h.delivery = new DeliveryService({
        store: h.store,
        doors,
        settings: {
          requireRecording: options.requireRecording ?? true,
          inHomeDeliveries: true,
          timeZone: "UTC",
          maxCredentialDays: 366,
          lockoutAttempts: options.lockoutAttempts ?? 5,
          lockoutWindowMinutes: 15,
        },
        logger: h.logger,
        syncKeypads: false,
      });
      await h.delivery.start();
      h.ownerToken = h.store.tokens.create({ kind: "owner" }).token;
      for (const p of ["acme", "zest"]) h.providerTokens[p] = h.store.tokens.create({ kind: "provider", providerId: p as ProviderId }).token;
      h.server = createApiServer({
        delivery: h.delivery,
        verifyToken: (t) => h.store.tokens.verify(t),
        verifyAudit: () => h.store.audit.verify(),
        logger: h.logger,
        host: "127.0.0.1",
        port: 0,
        consoleApi: consoleApiContext({ store: h.store, delivery: h.delivery, cameras: new Map(), home: { name: "Test home", timeZone: "Europe/Berlin" } }),
        ...options.server,
      });
      h.url = (await h.server.start()).url;
      return h;
    } catch (error) {
      await h.stop();
      throw error;
    }
  }

  async request(method: string, path: string, options: RequestOptions = {}): Promise<ApiResponse> {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token !== undefined) headers["authorization"] = `Bearer ${options.token}`;
    let body: string | Buffer | undefined;
    if (options.body !== undefined) body = JSON.stringify(options.body);
    if (options.raw !== undefined) body = options.raw;
    if (body !== undefined && !Object.keys(headers).some((k) => k.toLowerCase() === "content-type")) headers["content-type"] = "application/json";
    const response = await fetch(`${this.url}${path}`, { method, headers, ...(body !== undefined ? { body } : {}) });
    const buffer = Buffer.from(await response.arrayBuffer());
    const text = buffer.toString("utf8");
    let json: unknown;
    if (text !== "" && (response.headers.get("content-type") ?? "").includes("json")) json = JSON.parse(text);
    return { status: response.status, headers: response.headers, text, json };
  }

  /** A valid credential request for the front door, live for a day from now; override what the test is about. */
  credentialBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
    const now = Date.now();
    return { label: "Parcel courier", kind: "delivery", doors: ["front"], validFrom: now - 60_000, validUntil: now + 86_400_000, ...overrides };
  }

  /** Everything the API could change, to compare before and after. */
  snapshot(): string {
    const credentials = this.store.credentials.list({ includeRevoked: true }).map((c) => ({ ...c, usage: this.store.credentials.usage(c.id) }));
    const visits = this.store.visits.list({ limit: 1000 });
    const settings = ["front", "back"].map((d) => this.store.doorSettings.get(DoorId(d), { inHomeDeliveries: true, petsHome: false }));
    return JSON.stringify({ credentials, visits, settings, audit: this.store.audit.head(), tokens: this.store.tokens.list() });
  }

  async stop(): Promise<void> {
    await this.server?.stop();
    await this.delivery?.stop();
    this.store?.close();
    removeTempDir(this.dir);
  }
}
