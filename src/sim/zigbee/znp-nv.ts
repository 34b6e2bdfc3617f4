// The ZNP's non-volatile memory: OSAL NV items (by 16-bit id) and Z-Stack 3.x extended items (sysId/itemId/subId),
// the NIB layout herdsman reads to decide between "resumed" and "commissioning", and JSON persistence so a
// restarted emulator comes back with the same network.
import { randomBytes } from "node:crypto";
import { readFileSync, renameSync, writeFileSync } from "node:fs";

/** OSAL NV item ids (Z-Stack `ZComDef.h`). */
export const NvId = {
  STARTUP_OPTION: 0x0003,
  NIB: 0x0021,
  EXTENDED_PAN_ID: 0x002d,
  NWK_ACTIVE_KEY_INFO: 0x003a,
  NWK_ALTERN_KEY_INFO: 0x003b,
  APS_USE_EXT_PANID: 0x0047,
  HAS_CONFIGURED_ZSTACK3: 0x0060,
  PRECFGKEY: 0x0062,
  PRECFGKEYS_ENABLE: 0x0063,
  NWKKEY: 0x0082,
  PANID: 0x0083,
  CHANLIST: 0x0084,
  LOGICAL_TYPE: 0x0087,
  ZDO_DIRECT_CB: 0x008f,
  APS_LINK_KEY_TABLE: 0x004c,
  TCLK_SEED: 0x0101,
} as const;

/**
 * Z-Stack 3.x.0 extended NV tables (system id 1 = ZSTACK): item id, entry size and the capacity a CC2652
 * image ships with. herdsman's backup reads them, and its restore sizes its tables from them.
 */
export const NvTable = {
  ADDRMGR: { itemId: 0x0001, entrySize: 11, capacity: 48 },
  TCLK: { itemId: 0x0004, entrySize: 19, capacity: 16 },
  APS_KEY_DATA: { itemId: 0x0006, entrySize: 24, capacity: 16 },
  NWK_SEC_MATERIAL: { itemId: 0x0007, entrySize: 12, capacity: 12 },
} as const;
const SYS_ZSTACK = 1;
/** Security manager (APS link key) table: a 16-bit used-count header, then 5-byte entries. */
const SECURITY_MANAGER_ENTRIES = 16;

export function extendedKey(sysId: number, itemId: number, subId: number): string {
  return `${sysId}:${itemId}:${subId}`;
}

/** The value herdsman writes to HAS_CONFIGURED once it has commissioned the adapter. */
export const HAS_CONFIGURED_MAGIC = 0x55;

/** Zigbee network parameters as the coordinator holds them. */
export interface NetworkParams {
  readonly panId: number;
  /** Extended PAN id as configured (big-endian byte order, as herdsman's `extendedPanID` option). */
  readonly extendedPanId: Buffer;
  readonly channel: number;
  readonly networkKey: Buffer;
}

// NIB (Z-Stack 3.0.2 nwk.h, unaligned, 110 bytes): the offsets herdsman's Structs.nib() reads.
const NIB_LENGTH = 110;
const NIB = {
  SecurityLevel: 12,
  nwkProtocolVersion: 17,
  nwkDevAddress: 20,
  nwkLogicalChannel: 22,
  nwkCoordAddress: 23,
  nwkCoordExtAddress: 25,
  nwkPanId: 33,
  nwkState: 35,
  channelList: 36,
  extendedPANID: 53,
  nwkKeyLoaded: 61,
  nwkUpdateId: 109,
} as const;

/** Builds a NIB for a formed network. `extPanIdWire` is in NV (reversed) byte order. */
export function buildNib(p: { panId: number; channel: number; extPanIdWire: Buffer; coordinatorIeeeLe: Buffer }): Buffer {
  const nib = Buffer.alloc(NIB_LENGTH);
  nib[1] = 5; // PassiveAckTimeout
  nib[2] = 2; // MaxBroadcastRetries
  nib[3] = 20; // MaxChildren
  nib[4] = 15; // MaxDepth
  nib[7] = 30; // BroadcastDeliveryTime
  nib[NIB.SecurityLevel] = 5;
  nib[NIB.nwkProtocolVersion] = 2;
  nib.writeUInt16LE(0x0000, NIB.nwkDevAddress);
  nib[NIB.nwkLogicalChannel] = p.channel;
  nib.writeUInt16LE(0x0000, NIB.nwkCoordAddress);
  p.coordinatorIeeeLe.copy(nib, NIB.nwkCoordExtAddress);
  nib.writeUInt16LE(p.panId, NIB.nwkPanId);
  nib[NIB.nwkState] = 9;
  nib.writeUInt32LE((1 << p.channel) >>> 0, NIB.channelList);
  p.extPanIdWire.copy(nib, NIB.extendedPANID);
  nib[NIB.nwkKeyLoaded] = 1;
  return nib;
}

export function parseNib(nib: Buffer | undefined): { panId: number; channel: number; extPanIdWire: Buffer } | undefined {
  if (!nib || nib.length < NIB_LENGTH) return undefined;
  const panId = nib.readUInt16LE(NIB.nwkPanId);
  const channel = nib[NIB.nwkLogicalChannel]!;
  if (panId === 0xffff || channel === 0) return undefined;
  return { panId, channel, extPanIdWire: Buffer.from(nib.subarray(NIB.extendedPANID, NIB.extendedPANID + 8)) };
}

/** What is persisted between emulator runs. */
export interface NvFileContent {
  readonly format: "doorstep-znp-nv";
  readonly version: 1;
  readonly coordinatorIeee: string;
  readonly items: Record<string, string>;
  readonly extended: Record<string, string>;
  /** Devices on the network (so a restarted emulator still knows them), by IEEE. */
  readonly devices: readonly { ieee: string; nwk: number; id?: string }[];
  /** Simulated device state (e.g. a lock's PIN table), by device id. */
  readonly deviceState?: Record<string, unknown>;
}

export class NvMemory {
  readonly items = new Map<number, Buffer>();
  readonly extended = new Map<string, Buffer>();

  /** Factory state: only the items a blank CC2652 ZNP image carries (herdsman probes NWKKEY's size for alignment). */
  static factory(): NvMemory {
    const nv = new NvMemory();
    nv.factoryReset();
    return nv;
  }

  factoryReset(): void {
    this.items.clear();
    this.extended.clear();
    this.items.set(NvId.NWKKEY, Buffer.alloc(21)); // 21 bytes = "unaligned" platform
    this.items.set(NvId.STARTUP_OPTION, Buffer.from([0]));
    this.items.set(NvId.TCLK_SEED, randomBytes(16));
    this.items.set(NvId.APS_LINK_KEY_TABLE, Buffer.alloc(2 + SECURITY_MANAGER_ENTRIES * 5));
    for (const t of Object.values(NvTable)) {
      for (let i = 0; i < t.capacity; i++) this.extended.set(extendedKey(SYS_ZSTACK, t.itemId, i), emptyTableEntry(t.itemId, t.entrySize));
    }
  }

  /** Records a device in the address manager table, as Z-Stack does when a child joins (user 0x01 = associated). */
  addAddress(ieeeLe: Buffer, nwk: number): void {
    const t = NvTable.ADDRMGR;
    let free: string | undefined;
    for (let i = 0; i < t.capacity; i++) {
      const k = extendedKey(SYS_ZSTACK, t.itemId, i);
      const e = this.extended.get(k);
      if (!e) continue;
      if (e[0] !== 0 && e.subarray(3, 11).equals(ieeeLe)) {
        free = k;
        break;
      }
      if (free === undefined && e[0] === 0) free = k;
    }
    if (!free) return; // table full: Z-Stack would refuse the join; the emulator just does not record it
    const entry = Buffer.alloc(11);
    entry[0] = 0x01;
    entry.writeUInt16LE(nwk, 1);
    ieeeLe.copy(entry, 3);
    this.extended.set(free, entry);
  }

  /** Frees a device's address manager entry (it left). */
  removeAddress(ieeeLe: Buffer): void {
    const t = NvTable.ADDRMGR;
    for (let i = 0; i < t.capacity; i++) {
      const k = extendedKey(SYS_ZSTACK, t.itemId, i);
      const e = this.extended.get(k);
      if (e && e[0] !== 0 && e.subarray(3, 11).equals(ieeeLe)) this.extended.set(k, emptyTableEntry(t.itemId, t.entrySize));
    }
  }

  /** Forms a network: the NV items Z-Stack writes during BDB formation. */
  form(params: NetworkParams, coordinatorIeeeLe: Buffer): void {
    const extPanIdWire = Buffer.from(params.extendedPanId).reverse();
    this.items.set(NvId.PANID, u16(params.panId));
    this.items.set(NvId.CHANLIST, u32((1 << params.channel) >>> 0));
    this.items.set(NvId.EXTENDED_PAN_ID, extPanIdWire);
    this.items.set(NvId.APS_USE_EXT_PANID, extPanIdWire);
    this.items.set(NvId.PRECFGKEY, Buffer.from(params.networkKey));
    this.items.set(NvId.PRECFGKEYS_ENABLE, Buffer.from([0]));
    const descriptor = Buffer.concat([Buffer.from([0]), params.networkKey]);
    this.items.set(NvId.NWK_ACTIVE_KEY_INFO, descriptor);
    this.items.set(NvId.NWK_ALTERN_KEY_INFO, Buffer.from(descriptor));
    this.items.set(NvId.NWKKEY, Buffer.concat([Buffer.from([0]), params.networkKey, Buffer.alloc(4)]));
    this.items.set(NvId.NIB, buildNib({ panId: params.panId, channel: params.channel, extPanIdWire, coordinatorIeeeLe }));
  }

  /** The network parameters Z-Stack would form with, from the commissioning items herdsman wrote. */
  commissioningParams(primaryChannelMask: number | undefined, coordinatorIeeeLe: Buffer): NetworkParams {
    const panItem = this.items.get(NvId.PANID);
    let panId = panItem && panItem.length >= 2 ? panItem.readUInt16LE(0) : 0xffff;
    if (panId === 0xffff) panId = 1 + (randomBytes(2).readUInt16LE(0) % 0xfff0);
    const chanItem = this.items.get(NvId.CHANLIST);
    const mask = primaryChannelMask || (chanItem && chanItem.length >= 4 ? chanItem.readUInt32LE(0) : 0) || 1 << 11;
    let channel = 11;
    for (let c = 11; c <= 26; c++) if (mask & (1 << c)) { channel = c; break; }
    const ext = this.items.get(NvId.EXTENDED_PAN_ID);
    const extWire = ext && ext.length === 8 && !ext.equals(Buffer.alloc(8, 0xff)) ? ext : coordinatorIeeeLe;
    const key = this.items.get(NvId.PRECFGKEY);
    return {
      panId,
      channel,
      extendedPanId: Buffer.from(extWire).reverse(),
      networkKey: key && key.length === 16 ? Buffer.from(key) : randomBytes(16),
    };
  }

  /** The formed network, if any. */
  network(): NetworkParams | undefined {
    const nib = parseNib(this.items.get(NvId.NIB));
    const key = this.items.get(NvId.NWK_ACTIVE_KEY_INFO);
    if (!nib || !key || key.length < 17) return undefined;
    return { panId: nib.panId, channel: nib.channel, extendedPanId: Buffer.from(nib.extPanIdWire).reverse(), networkKey: Buffer.from(key.subarray(1, 17)) };
  }

  toJSON(coordinatorIeee: string, devices: NvFileContent["devices"], deviceState: Record<string, unknown> = {}): NvFileContent {
    const items: Record<string, string> = {};
    for (const [id, v] of [...this.items].sort((a, b) => a[0] - b[0])) items[`0x${id.toString(16).padStart(4, "0")}`] = v.toString("hex");
    const extended: Record<string, string> = {};
    for (const [k, v] of this.extended) extended[k] = v.toString("hex");
    return { format: "doorstep-znp-nv", version: 1, coordinatorIeee, items, extended, devices, deviceState };
  }

  static fromJSON(content: unknown): { nv: NvMemory; coordinatorIeee: string; devices: NvFileContent["devices"]; deviceState: Record<string, unknown> } {
    const c = content as Partial<NvFileContent> | null;
    if (!c || c.format !== "doorstep-znp-nv" || c.version !== 1 || typeof c.coordinatorIeee !== "string" || typeof c.items !== "object") {
      throw new Error("not a doorstep ZNP NV file (expected format \"doorstep-znp-nv\", version 1)");
    }
    const nv = new NvMemory();
    for (const [k, v] of Object.entries(c.items ?? {})) nv.items.set(Number(k), Buffer.from(v, "hex"));
    for (const [k, v] of Object.entries(c.extended ?? {})) nv.extended.set(k, Buffer.from(v, "hex"));
    return {
      nv,
      coordinatorIeee: c.coordinatorIeee,
      devices: Array.isArray(c.devices) ? c.devices : [],
      deviceState: c.deviceState && typeof c.deviceState === "object" ? c.deviceState : {},
    };
  }
}

/** Reads an NV file; undefined when it does not exist yet. Throws a clear error for a corrupt file. */
export function readNvFile(path: string): ReturnType<typeof NvMemory.fromJSON> | undefined {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw e;
  }
  try {
    return NvMemory.fromJSON(JSON.parse(text));
  } catch (e) {
    throw new Error(`ZNP NV file ${path} is unreadable: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
}

/** Writes atomically (temp file + rename), so a crash never leaves half a file. */
export function writeNvFile(path: string, content: NvFileContent): void {
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(content, null, 1)}\n`);
  renameSync(tmp, path);
}

function emptyTableEntry(itemId: number, size: number): Buffer {
  const e = Buffer.alloc(size);
  // An unused address manager entry: user 0, nwk 0xFFFE, IEEE all ones.
  if (itemId === NvTable.ADDRMGR.itemId) {
    e.writeUInt16LE(0xfffe, 1);
    e.fill(0xff, 3);
  }
  return e;
}

function u16(v: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16LE(v);
  return b;
}
function u32(v: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(v >>> 0);
  return b;
}
