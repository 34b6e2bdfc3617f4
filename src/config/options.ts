// The typed options catalogue: one JSON schema for the whole config. The ajv validator, the Homebridge UI's
// config.schema.json (generated from it by `homebridge-ui-schema.ts`) and docs/configuration.md all come from here.

export const PLATFORM_NAME = "Doorstep";
export const PLUGIN_NAME = "homebridge-doorstep";

export const DEFAULTS = {
  relockAfterSeconds: 30,
  preRollSeconds: 5,
  postRollSeconds: 5,
  apiHost: "127.0.0.1",
  apiPort: 8787,
  matterPort: 5540,
  homekitPort: 51827,
  maxCredentialDays: 366,
  lockoutAttempts: 5,
  lockoutWindowMinutes: 15,
  ringSeconds: 120,
  maxBitrateKbps: 8000,
  retentionDays: 30,
  retentionGigabytes: 20,
} as const;

const id = { type: "string", pattern: "^[a-z0-9][a-z0-9-]{0,31}$" } as const;
const port = { type: "integer", minimum: 1, maximum: 65535 } as const;

/** JSON Schema (draft-07) of the whole config. Every property has a title, a description and (where it has one) a default. */
export const configSchema = {
  $id: "https://doorstep.local/config.json",
  type: "object",
  additionalProperties: false,
  properties: {
    platform: { type: "string", title: "Platform", description: "Set by Homebridge.", default: PLATFORM_NAME },
    name: { type: "string", title: "Name", description: "Shown in the Homebridge log.", default: PLATFORM_NAME },
    _bridge: { type: "object", title: "Child bridge", description: "Set by Homebridge when Doorstep runs as a child bridge." },
    storagePath: {
      type: "string",
      minLength: 1,
      title: "Storage path",
      description: "Where the database, key file, recordings and pairings live. Defaults to Homebridge's storage dir, or ~/.doorstep for the standalone bridge.",
    },
    zigbee: {
      type: "object",
      title: "Zigbee coordinator",
      description: "The Zigbee adapter the locks are paired with.",
      additionalProperties: false,
      required: ["port"],
      properties: {
        adapter: {
          type: "string", enum: ["zstack", "ember", "deconz", "zboss", "zigate", "zoh", "auto"], default: "zstack", title: "Adapter",
          description: "Coordinator firmware family: zstack (Texas Instruments Z-Stack), ember (Silicon Labs EmberZNet: SkyConnect/ZBT-1, Sonoff ZBDongle-E), deconz (ConBee/RaspBee), zboss (Nordic), zigate, zoh (ZigBee on Host over an OpenThread RCP), or auto (detected from the USB ids, or from the mdns:// service).",
        },
        port: {
          type: "string",
          minLength: 1,
          pattern: "^(tcp://[^\\s:/]+:[0-9]{1,5}|mdns://[^\\s/]+|/\\S+)$",
          title: "Port",
          description: "Serial path (for example /dev/serial/by-id/…), tcp://host:port for a network coordinator, or mdns://service-type to find one on the network.",
        },
        baudRate: { type: "integer", enum: [38400, 57600, 115200, 230400, 460800, 921600], title: "Baud rate", description: "Serial only: when the adapter's firmware does not use its family's usual rate." },
        rtscts: { type: "boolean", title: "Hardware flow control", description: "Serial only: RTS/CTS flow control, for adapters whose firmware wants it." },
        channel: { type: "integer", minimum: 11, maximum: 26, default: 11, title: "Channel", description: "Zigbee channel 11-26, used when a new network is formed." },
        panId: { type: "integer", minimum: 1, maximum: 65534, default: 6754, title: "PAN ID", description: "Network PAN ID, used when a new network is formed." },
        networkKey: {
          type: "string",
          pattern: "^[0-9a-fA-F]{32}$",
          title: "Network key",
          description: "128-bit network key as 32 hex digits. Generated and kept in the storage dir when absent.",
        },
      },
    },
    doors: {
      type: "array",
      title: "Doors",
      description: "Each door: its Zigbee lock and its indoor camera.",
      default: [],
      maxItems: 64,
      items: {
        type: "object",
        title: "Door",
        description: "A door: its lock, its camera and how guest visits behave there.",
        additionalProperties: false,
        required: ["id", "name", "lock"],
        properties: {
          id: { ...id, title: "Door id", description: "Short id used in the API and CLI: lowercase letters, digits and dashes." },
          name: { type: "string", minLength: 1, maxLength: 64, title: "Name", description: "Shown in Apple Home and in the log." },
          hasCamera: {
            type: "boolean",
            title: "This door has a camera",
            description: "Turn off for a door without a camera: its camera settings are then ignored. When absent, the door has a camera if `camera` is set.",
          },
          lock: {
            type: "object",
            title: "Lock",
            description: "The Zigbee lock on this door: on Doorstep's own coordinator (the zigbee block), or on an existing Zigbee2MQTT.",
            additionalProperties: false,
            properties: {
              driver: {
                type: "string", enum: ["herdsman", "zigbee2mqtt"], default: "herdsman", title: "Driver",
                description: "herdsman: the lock is paired with Doorstep's own coordinator (needs ieee). zigbee2mqtt: the lock is paired with an existing Zigbee2MQTT, reached through its MQTT broker (needs mqtt, and device or ieee).",
              },
              ieee: { type: "string", pattern: "^0x[0-9a-fA-F]{16}$", title: "IEEE address", description: "The lock's 64-bit address, for example 0x00124b0012345678." },
              device: {
                type: "string", minLength: 1, maxLength: 256, pattern: "^[^#+]+$", title: "Zigbee2MQTT device",
                description: "Zigbee2MQTT only: the lock's friendly name (or IEEE address) in Zigbee2MQTT. Defaults to ieee.",
              },
              baseTopic: {
                type: "string", minLength: 1, pattern: "^[^#+]+$", default: "zigbee2mqtt", title: "Zigbee2MQTT base topic",
                description: "Zigbee2MQTT only: its mqtt.base_topic.",
              },
              pinSlots: {
                type: "integer", minimum: 1, maximum: 65535, title: "PIN slots",
                description: "Zigbee2MQTT only: the lock's number of PIN users, when neither Zigbee2MQTT's exposes nor Doorstep's device table know the model.",
              },
              mqtt: {
                type: "object",
                title: "MQTT broker",
                description: "Zigbee2MQTT only: the broker Zigbee2MQTT is connected to.",
                additionalProperties: false,
                required: ["url"],
                properties: {
                  url: {
                    type: "string", pattern: "^mqtts?://[^\\s/@]+(:[0-9]{1,5})?/?$", title: "URL",
                    description: "mqtt://host:1883 or mqtts://host:8883 (credentials go in username and password, not in the URL).",
                  },
                  username: { type: "string", minLength: 1, title: "Username", description: "MQTT user." },
                  password: { type: "string", minLength: 1, title: "Password", description: "MQTT password. Never logged.", "x-secret": true },
                  tls: {
                    type: "object",
                    title: "TLS",
                    description: "For mqtts:// brokers with a private CA or client certificates.",
                    additionalProperties: false,
                    properties: {
                      ca: { type: "string", minLength: 1, title: "CA file", description: "PEM file of the CA that signed the broker's certificate (default: the system's CAs)." },
                      cert: { type: "string", minLength: 1, title: "Client certificate", description: "PEM file of a client certificate, for brokers that require one." },
                      key: { type: "string", minLength: 1, title: "Client key", description: "PEM file of the client certificate's key." },
                      rejectUnauthorized: { type: "boolean", default: true, title: "Verify the broker", description: "Refuse a broker whose certificate does not verify. Turn off only for a test broker." },
                    },
                  },
                },
              },
            },
          },
          camera: {
            type: "object",
            title: "Camera",
            description: "The ONVIF camera that records this door. Without one, guest visits that require recording are refused.",
            additionalProperties: false,
            required: ["host", "username", "password"],
            properties: {
              host: { type: "string", minLength: 1, title: "Host", description: "Camera address (IP or host name)." },
              port: { ...port, default: 80, title: "ONVIF port", description: "The camera's ONVIF HTTP port." },
              username: { type: "string", minLength: 1, title: "Username", description: "ONVIF user." },
              password: { type: "string", minLength: 1, title: "Password", description: "ONVIF password. Never logged.", "x-secret": true },
              profile: { type: "string", minLength: 1, title: "Profile", description: "Media profile token or name; the best H.264 profile when absent." },
            },
          },
          relockAfterSeconds: {
            type: "integer", minimum: 5, maximum: 3600, default: DEFAULTS.relockAfterSeconds,
            title: "Relock after (s)", description: "A guest visit relocks the door this long after the unlock.",
          },
          preRollSeconds: {
            type: "integer", minimum: 0, maximum: 60, default: DEFAULTS.preRollSeconds,
            title: "Pre-roll (s)", description: "Video kept from before the door opened.",
          },
          postRollSeconds: {
            type: "integer", minimum: 0, maximum: 300, default: DEFAULTS.postRollSeconds,
            title: "Post-roll (s)", description: "Video kept after the door is locked again.",
          },
        },
      },
    },
    delivery: {
      type: "object",
      title: "Delivery access",
      description: "How guest credentials are honoured.",
      additionalProperties: false,
      default: {},
      properties: {
        requireRecording: { type: "boolean", default: true, title: "Require recording", description: "Refuse guest unlocks unless the camera is recording." },
        inHomeDeliveries: { type: "boolean", default: true, title: "In-home deliveries", description: "Initial state of the per-door 'In-home deliveries' switch." },
        timeZone: { type: "string", minLength: 1, title: "Time zone", description: "IANA time zone for schedules, for example Europe/Berlin. Defaults to the system's." },
        maxCredentialDays: {
          type: "integer", minimum: 1, maximum: 3660, default: DEFAULTS.maxCredentialDays,
          title: "Longest credential (days)", description: "The longest validity span a guest credential may have.",
        },
        lockoutAttempts: {
          type: "integer", minimum: 1, maximum: 100, default: DEFAULTS.lockoutAttempts,
          title: "Wrong PINs before lockout", description: "Wrong PINs per door (and per client) before further attempts are refused for a while.",
        },
        lockoutWindowMinutes: {
          type: "integer", minimum: 1, maximum: 1440, default: DEFAULTS.lockoutWindowMinutes,
          title: "Lockout window (min)", description: "The window in which wrong PINs are counted, and how long a lockout lasts.",
        },
      },
    },
    recording: {
      type: "object",
      title: "Recording",
      description: "The always-on ring and the visit clips.",
      additionalProperties: false,
      default: {},
      properties: {
        ffmpegPath: { type: "string", minLength: 1, default: "ffmpeg", title: "ffmpeg", description: "Path of the ffmpeg binary." },
        ringSeconds: { type: "integer", minimum: 10, maximum: 3600, default: DEFAULTS.ringSeconds, title: "Ring length (s)", description: "Seconds of video kept in the ring for pre-roll." },
        ringDir: {
          type: "string", minLength: 1, title: "Ring folder",
          description: "An in-memory (tmpfs) folder for the always-on ring, so the camera stream never wears the storage disk; default /dev/shm. Only visit clips go to storage.",
        },
        maxBitrateKbps: {
          type: "integer", minimum: 100, maximum: 100000, default: DEFAULTS.maxBitrateKbps, title: "Highest stream bitrate (kbit/s)",
          description: "The ring's memory cap is its length at this bitrate; set it to the camera's main-stream bitrate limit.",
        },
        retentionDays: { type: "integer", minimum: 1, maximum: 3650, default: DEFAULTS.retentionDays, title: "Keep clips (days)", description: "Visit clips older than this are deleted, oldest first." },
        retentionGigabytes: { type: "number", minimum: 0.1, maximum: 10000, default: DEFAULTS.retentionGigabytes, title: "Keep clips (GB)", description: "Visit clips beyond this total size are deleted, oldest first." },
      },
    },
    api: {
      type: "object",
      title: "HTTP API",
      description: "The provider and homeowner API.",
      additionalProperties: false,
      default: {},
      properties: {
        host: { type: "string", minLength: 1, default: DEFAULTS.apiHost, title: "Bind address", description: "127.0.0.1 keeps the API on this machine; use 0.0.0.0 only with TLS." },
        port: { type: "integer", minimum: 0, maximum: 65535, default: DEFAULTS.apiPort, title: "Port", description: "0 picks a free port." },
        tls: {
          type: "object",
          title: "TLS",
          description: "Serve HTTPS with this certificate.",
          additionalProperties: false,
          required: ["cert", "key"],
          properties: {
            cert: { type: "string", minLength: 1, title: "Certificate file", description: "PEM certificate chain path." },
            key: { type: "string", minLength: 1, title: "Key file", description: "PEM private key path.", "x-secret": true },
          },
        },
      },
    },
    matter: {
      type: "object",
      title: "Matter",
      description: "Expose each door to Matter controllers.",
      additionalProperties: false,
      default: {},
      properties: {
        enabled: { type: "boolean", default: false, title: "Enabled", description: "Run the Matter bridge." },
        port: { type: "integer", minimum: 0, maximum: 65535, default: DEFAULTS.matterPort, title: "Port", description: "Matter UDP port; 0 picks a free port." },
        passcode: { type: "integer", minimum: 1, maximum: 99999998, title: "Passcode", description: "Setup passcode; generated when absent.", "x-secret": true },
        discriminator: { type: "integer", minimum: 0, maximum: 4095, title: "Discriminator", description: "Setup discriminator; generated when absent." },
        requirePinForRemoteOperation: {
          type: "boolean", default: false, title: "Require a PIN to unlock from Matter",
          description: "Matter controllers must send a PIN with every lock/unlock (Google Home needs this to allow remote unlock; Apple Home cannot send one).",
        },
      },
    },
    homekit: {
      type: "object",
      title: "HomeKit (standalone bridge)",
      description: "Used by `doorstep serve`; inside Homebridge the Homebridge bridge is used instead.",
      additionalProperties: false,
      default: {},
      properties: {
        pincode: { type: "string", pattern: "^\\d{3}-\\d{2}-\\d{3}$", title: "Setup code", description: "HomeKit setup code like 031-45-154; generated when absent.", "x-secret": true },
        port: { type: "integer", minimum: 0, maximum: 65535, default: DEFAULTS.homekitPort, title: "Port", description: "HAP TCP port; 0 picks a free port." },
        bind: {
          type: "array",
          items: { type: "string", minLength: 1, title: "Interface", description: "An interface name (eth0) or one of its addresses." },
          minItems: 1,
          title: "Advertise on",
          description: "Interfaces or addresses the bridge is announced on (mDNS); all when absent. [\"127.0.0.1\"] keeps it on this machine.",
        },
      },
    },
  },
} as const;
