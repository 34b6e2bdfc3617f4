// What the coordinator needs from a simulated end device, and what the device gets back to talk over the air.

export interface SimEndpoint {
  readonly id: number;
  readonly profileId: number;
  readonly deviceId: number;
  readonly deviceVersion: number;
  readonly inClusters: readonly number[];
  readonly outClusters: readonly number[];
}

/** The coordinator side of a device's radio link. */
export interface SimLink {
  /** Sends a ZCL frame from the device to the coordinator (AF_INCOMING_MSG at the host). */
  sendZcl(srcEndpoint: number, dstEndpoint: number, clusterId: number, zcl: Buffer): void;
}

export interface BindingEntry {
  readonly clusterId: number;
  readonly srcEndpoint: number;
  readonly dstIeee: string;
  readonly dstEndpoint: number;
}

export interface SimDevice {
  readonly ieee: string;
  nwk: number;
  /** ZDO node descriptor logical type: 2 = end device. */
  readonly logicalType: number;
  /** MAC capability flags (802.15.4 / Zigbee 2.3.2.3.6); 0x80 = allocate address, no RxOnWhenIdle: a sleepy end device. */
  readonly macCapabilities: number;
  readonly manufacturerCode: number;
  readonly endpoints: readonly SimEndpoint[];
  /** Called by the coordinator when the device joins; the device keeps the link to send frames. */
  attach(link: SimLink | undefined): void;
  /** A ZCL frame delivered over the air from the coordinator. */
  receiveZcl(srcEndpoint: number, dstEndpoint: number, clusterId: number, zcl: Buffer): void;
  /** ZDO Bind/Unbind request applied to this device; returns a ZDO status. */
  bind(entry: BindingEntry, add: boolean): number;
}
