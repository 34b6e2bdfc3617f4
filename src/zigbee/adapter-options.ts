// The coordinator's port and adapter family as zigbee-herdsman takes them. Only names and fields that mean the same in
// herdsman 10.x (`serialPort`) and 11.x (`transport`) are produced, so the caller puts them under whichever key it has.

/** Adapter families herdsman drives (10.x and 11.x alike; "ezsp" is deprecated in both and not offered). */
export const ADAPTERS = ["zstack", "ember", "deconz", "zboss", "zigate", "zoh"] as const;
export type AdapterFamily = (typeof ADAPTERS)[number];

export interface AdapterConfig {
  /** "auto": herdsman detects the family from the USB ids (serial) or the mdns service's radio_type. */
  adapter?: AdapterFamily | "auto";
  /** A serial path, "tcp://host:port" or "mdns://service-type". */
  port: string;
  baudRate?: number;
  rtscts?: boolean;
}

/** What herdsman's transport/serialPort option receives. */
export interface HerdsmanPortOptions {
  path: string;
  adapter?: AdapterFamily;
  baudRate?: number;
  rtscts?: boolean;
}

export type PortKind = "serial" | "tcp" | "mdns";

export function portKind(port: string): PortKind {
  if (port.startsWith("tcp://")) return "tcp";
  if (port.startsWith("mdns://")) return "mdns";
  return "serial";
}

/** Baud rate and flow control are serial-only: herdsman ignores them for tcp:// and they are dropped here to say so. */
export function herdsmanPortOptions(cfg: AdapterConfig): HerdsmanPortOptions {
  const adapter = cfg.adapter ?? "zstack";
  const serial = portKind(cfg.port) === "serial";
  return {
    path: cfg.port,
    ...(adapter !== "auto" && { adapter }),
    ...(serial && cfg.baudRate !== undefined && { baudRate: cfg.baudRate }),
    ...(serial && cfg.rtscts !== undefined && { rtscts: cfg.rtscts }),
  };
}

const FIRMWARE: Record<AdapterFamily | "auto", string> = {
  zstack: "Texas Instruments Z-Stack",
  ember: "Silicon Labs EmberZNet (7.4 or later)",
  deconz: "deCONZ (ConBee/RaspBee)",
  zboss: "Nordic ZBOSS NCP",
  zigate: "ZiGate",
  zoh: "an OpenThread RCP (ZigBee on Host)",
  auto: "a firmware herdsman can detect",
};

/** The hint at the end of "the coordinator did not start" errors. */
export function adapterHint(cfg: AdapterConfig): string {
  const adapter = cfg.adapter ?? "zstack";
  return `check the port and that the adapter runs ${FIRMWARE[adapter]}${adapter === "auto" ? " (or set zigbee.adapter)" : ""}`;
}
