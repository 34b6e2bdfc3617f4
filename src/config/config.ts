import type { DoorId } from "../access/ids.js";

/** The config after validation, with every default applied. */
export interface DoorstepConfig {
  name: string;
  storagePath?: string;
  zigbee?: ZigbeeConfig;
  doors: DoorConfig[];
  delivery: DeliveryConfig;
  recording: RecordingConfig;
  api: ApiConfig;
  matter: MatterConfig;
  homekit: HomekitConfig;
}

export interface ZigbeeConfig {
  adapter: "zstack";
  /** A serial path or "tcp://host:port". */
  port: string;
  channel: number;
  panId: number;
  networkKey?: string;
}

export interface CameraConfig {
  host: string;
  port: number;
  username: string;
  password: string;
  profile?: string;
}

export interface DoorConfig {
  id: DoorId;
  name: string;
  lock: { ieee: string };
  camera?: CameraConfig;
  relockAfterSeconds: number;
  preRollSeconds: number;
  postRollSeconds: number;
}

export interface DeliveryConfig {
  requireRecording: boolean;
  inHomeDeliveries: boolean;
  timeZone: string;
  maxCredentialDays: number;
  lockoutAttempts: number;
  lockoutWindowMinutes: number;
}

export interface RecordingConfig {
  ffmpegPath: string;
  ringSeconds: number;
  /** The in-memory base folder for the ring (default /dev/shm). */
  ringDir?: string;
  maxBitrateKbps: number;
  retentionDays: number;
  retentionGigabytes: number;
}

export interface ApiConfig {
  host: string;
  port: number;
  tls?: { cert: string; key: string };
}

export interface MatterConfig {
  enabled: boolean;
  port: number;
  passcode?: number;
  discriminator?: number;
  /** Matter lock/unlock commands must carry a PIN (default false). */
  requirePinForRemoteOperation: boolean;
}

export interface HomekitConfig {
  pincode?: string;
  port: number;
  /** Interfaces or addresses to advertise on (mDNS); all when absent. */
  bind?: string[];
}
