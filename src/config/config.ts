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

/** zigbee-herdsman's adapter families (the same names in herdsman 10.x and 11.x), or "auto" to let herdsman detect it. */
export type ZigbeeAdapterName = "zstack" | "ember" | "deconz" | "zboss" | "zigate" | "zoh" | "auto";

/** Serial rates zigbee-herdsman's adapters run at. */
export type ZigbeeBaudRate = 38400 | 57600 | 115200 | 230400 | 460800 | 921600;

export interface ZigbeeConfig {
  adapter: ZigbeeAdapterName;
  /** A serial path, "tcp://host:port" or "mdns://service-type". */
  port: string;
  baudRate?: ZigbeeBaudRate;
  rtscts?: boolean;
  channel: number;
  panId: number;
  networkKey?: string;
}

/** Which driver reaches the lock: Doorstep's own coordinator, or an existing Zigbee2MQTT over MQTT. */
export type LockConfig =
  | { driver: "herdsman"; ieee: string }
  | { driver: "zigbee2mqtt"; ieee?: string; device?: string; baseTopic: string; pinSlots?: number; mqtt: MqttConfig };

export interface MqttConfig {
  url: string;
  username?: string;
  password?: string;
  tls?: { ca?: string; cert?: string; key?: string; rejectUnauthorized: boolean };
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
  lock: LockConfig;
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
