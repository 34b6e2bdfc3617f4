// A real HomeKit controller for tests: hap-controller over loopback (no mDNS), plus lookups by service and
// characteristic type so tests never hard-code instance ids.
import { generateKeyPairSync, randomUUID } from "node:crypto";
import hapController from "hap-controller";
import { eventually } from "../helpers/eventually.js";
import { makeTempDir, removeTempDir } from "../helpers/temp-dir.js";

const { HttpClient } = hapController;
type Client = InstanceType<typeof HttpClient>;

/** Short HAP type ids (HAP spec, "Apple-defined" UUIDs 0000XXXX-0000-1000-8000-0026BB765291). */
export const HAP = {
  service: { accessCode: "260", lockMechanism: "45", lockManagement: "44", switch: "49", occupancySensor: "86", cameraRtpStreamManagement: "110", accessoryInformation: "3E" },
  char: {
    lockCurrentState: "1D", lockTargetState: "1E", lockLastKnownAction: "1C", version: "37", on: "25", occupancyDetected: "71",
    accessCodeControlPoint: "262", accessCodeSupportedConfiguration: "261", configurationState: "263",
    name: "23", configuredName: "E3", setupEndpoints: "118", selectedRtpStreamConfiguration: "117", streamingStatus: "120",
  },
} as const;

/** HAP status "Service communication failure" (the Home app's "No Response"). */
export const SERVICE_COMMUNICATION_FAILURE = -70402;

let sharedStorage: string | undefined;
/**
 * HAP-NodeJS fixes its storage directory at first use, for the whole process: every in-process bridge of the test run
 * shares this one (their identities differ, so their files do not collide). Removed when the process exits.
 */
export function sharedHapStorageDir(): string {
  if (!sharedStorage) {
    const dir = makeTempDir("doorstep-hap-");
    sharedStorage = dir;
    process.once("exit", () => removeTempDir(dir));
  }
  return sharedStorage;
}

export interface CharRef {
  aid: number;
  iid: number;
  /** "aid.iid", as hap-controller wants it. */
  id: string;
  type: string;
  serviceType: string;
  serviceIid: number;
  /** The service's ConfiguredName or Name. */
  serviceName: string | undefined;
  accessoryName: string | undefined;
  value: unknown;
}

const short = (uuid: string) => uuid.split("-")[0]!.replace(/^0+/, "").toUpperCase();

export class TestController {
  readonly events: { id: string; value: unknown }[] = [];
  private constructor(
    private readonly admin: Client,
    readonly client: Client,
  ) {
    client.on("event", (e: { characteristics: { aid: number; iid: number; value: unknown }[] }) => {
      for (const c of e.characteristics) this.events.push({ id: `${c.aid}.${c.iid}`, value: c.value });
    });
  }

  /** Pair-setup with the setup code, then a persistent verified session. */
  static async pair(port: number, setupCode: string): Promise<TestController> {
    const admin = new HttpClient("doorstep-test", "127.0.0.1", port);
    await admin.pairSetup(setupCode);
    const client = new HttpClient("doorstep-test", "127.0.0.1", port, admin.getLongTermData() ?? undefined, { usePersistentConnections: true });
    return new TestController(admin, client);
  }

  /** A new session from stored pairing data (after the accessory restarted): pair-verify only. */
  static connect(port: number, pairingData: ReturnType<Client["getLongTermData"]>): TestController {
    const admin = new HttpClient("doorstep-test", "127.0.0.1", port, pairingData ?? undefined);
    const client = new HttpClient("doorstep-test", "127.0.0.1", port, pairingData ?? undefined, { usePersistentConnections: true });
    return new TestController(admin, client);
  }

  /** The controller's long-term keys, to reconnect after a restart. */
  get pairingData(): ReturnType<Client["getLongTermData"]> {
    return this.admin.getLongTermData();
  }

  async characteristics(): Promise<CharRef[]> {
    const { accessories } = await this.client.getAccessories();
    const out: CharRef[] = [];
    for (const accessory of accessories) {
      const info = accessory.services.find((s) => short(s.type) === HAP.service.accessoryInformation);
      const accessoryName = info?.characteristics.find((c) => short(c.type ?? "") === HAP.char.name)?.value as string | undefined;
      for (const service of accessory.services) {
        const named = (t: string) => service.characteristics.find((c) => short(c.type ?? "") === t)?.value as string | undefined;
        const serviceName = named(HAP.char.configuredName) ?? named(HAP.char.name);
        for (const c of service.characteristics) {
          out.push({ aid: accessory.aid, iid: c.iid!, id: `${accessory.aid}.${c.iid}`, type: short(c.type ?? ""), serviceType: short(service.type), serviceIid: service.iid, serviceName, accessoryName, value: c.value });
        }
      }
    }
    return out;
  }

  async find(serviceType: string, type: string, filter: (c: CharRef) => boolean = () => true): Promise<CharRef> {
    const found = (await this.characteristics()).filter((c) => c.serviceType === serviceType && c.type === type && filter(c));
    if (found.length !== 1) throw new Error(`expected one characteristic ${type} in service ${serviceType}, found ${found.length}`);
    return found[0]!;
  }

  /** Reads one characteristic: its value, or its HAP status when the read failed. */
  async read(id: string): Promise<{ value: unknown; status: number | undefined }> {
    const { characteristics } = await this.client.getCharacteristics([id]);
    const c = characteristics[0]!;
    return { value: c.value, status: c.status };
  }

  async write(id: string, value: unknown): Promise<void> {
    const result = await this.client.setCharacteristics({ [id]: value });
    const failed = (result as { characteristics?: { status?: number }[] }).characteristics?.find((c) => c.status !== undefined && c.status !== 0);
    if (failed) throw Object.assign(new Error(`write failed with HAP status ${failed.status}`), { hapStatus: failed.status });
  }

  /** A write with write-response (HAP "r": true): the accessory's answer value, or its HAP status when refused. */
  async writeForResponse(id: string, value: unknown): Promise<{ value: unknown; status: number | undefined }> {
    const result = (await this.client.setCharacteristics({ [id]: { value, r: true } })) as { characteristics?: { value?: unknown; status?: number }[] };
    const c = result.characteristics?.[0];
    return { value: c?.value, status: c?.status };
  }

  /**
   * Adds a second controller to the accessory through this (admin) one — HAP "Add Pairing" with its own Ed25519 key —
   * and returns a verified session as that controller.
   */
  async addController(port: number, admin: boolean): Promise<TestController> {
    const { publicKey, privateKey } = generateKeyPairSync("ed25519");
    const pub = Buffer.from(publicKey.export({ format: "jwk" }).x!, "base64url");
    const seed = Buffer.from(privateKey.export({ format: "jwk" }).d!, "base64url");
    const identifier = randomUUID();
    await this.admin.addPairing(identifier, pub, admin);
    const own = this.admin.getLongTermData()!;
    return TestController.connect(port, {
      AccessoryPairingID: own.AccessoryPairingID,
      AccessoryLTPK: own.AccessoryLTPK,
      iOSDevicePairingID: Buffer.from(identifier).toString("hex"),
      // libsodium's secret key layout: the 32-byte seed, then the public key.
      iOSDeviceLTSK: Buffer.concat([seed, pub]).toString("hex"),
      iOSDeviceLTPK: pub.toString("hex"),
    });
  }

  async subscribe(ids: string[]): Promise<void> {
    await this.client.subscribeCharacteristics(ids);
  }

  /** Waits for an event on `id` whose value satisfies `predicate` (events are coalesced by HAP-NodeJS for 250 ms). */
  async waitForEvent(id: string, predicate: (value: unknown) => boolean, timeoutMs = 15_000): Promise<unknown> {
    const hit = await eventually(`an event on ${id}`, () => this.events.find((e) => e.id === id && predicate(e.value)), { timeoutMs, everyMs: 50 }).catch((error: Error) => {
      throw new Error(`${error.message} (got ${JSON.stringify(this.events.filter((e) => e.id === id))})`);
    });
    return hit.value;
  }

  async close(): Promise<void> {
    await this.client.unsubscribeCharacteristics().catch(() => undefined);
    await this.client.close();
    await this.admin.close();
  }
}
