// One MQTT connection to the broker Zigbee2MQTT uses. It reconnects on its own (mqtt.js), re-subscribes, and never
// queues a command while offline: a lock command sent minutes later would be a surprise, so publishing fails instead.
// The password travels only to mqtt.js; no message built here carries it.
import { EventEmitter } from "node:events";
import { readFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import mqtt, { type IClientOptions, type MqttClient } from "mqtt";
import { ConfigError, DeviceUnreachableError } from "../core/errors.js";
import { silentLogger, type Logger } from "../core/logger.js";

export interface MqttTlsOptions {
  /** PEM file of the CA that signed the broker's certificate (else the system's CAs). */
  ca?: string;
  /** Client certificate and key (PEM files), for brokers that want one. */
  cert?: string;
  key?: string;
  /** `mqtt.tls.rejectUnauthorized`; false accepts any certificate (a test broker only). */
  rejectUnauthorized: boolean;
}

export interface MqttSettings {
  /** mqtt://host:port or mqtts://host:port (no credentials in the URL). */
  url: string;
  username?: string;
  password?: string;
  tls?: MqttTlsOptions;
  clientId?: string;
}

export interface Z2mConnectionEvents {
  connected: [];
  disconnected: [];
  /** `retained`: delivered from the broker's store on subscribing, not published just now. */
  message: [topic: string, payload: Buffer, retained: boolean];
}

export interface Z2mConnectionOptions {
  logger?: Logger;
  /** Wait between reconnect attempts (ms, default 2000). */
  reconnectMs?: number;
  /** Give up on one connect attempt after this long (ms, default 10000). */
  connectTimeoutMs?: number;
}

export class Z2mConnection {
  readonly events = new EventEmitter<Z2mConnectionEvents>();
  private client: MqttClient | undefined;
  private readonly log: Logger;
  private readonly topics = new Set<string>();
  private wasConnected = false;

  constructor(
    private readonly settings: MqttSettings,
    private readonly options: Z2mConnectionOptions = {},
  ) {
    this.log = options.logger ?? silentLogger;
  }

  get connected(): boolean {
    return this.client?.connected === true;
  }

  /** Starts connecting; resolves once connected the first time, or rejects after `firstConnectMs` (the client keeps trying). */
  async start(firstConnectMs = 15_000): Promise<void> {
    if (this.client) return;
    const client = mqtt.connect(this.settings.url, this.clientOptions());
    this.client = client;
    client.on("connect", () => {
      if (!this.wasConnected) this.log.info(`Connected to the MQTT broker ${safeUrl(this.settings.url)}.`);
      else this.log.info("Reconnected to the MQTT broker.");
      this.wasConnected = true;
      // Subscriptions made while offline, and all of them after a clean-session reconnect.
      for (const topic of this.topics) client.subscribe(topic, { qos: 1 });
      this.events.emit("connected");
    });
    client.on("close", () => {
      if (this.wasConnected) this.events.emit("disconnected");
    });
    client.on("offline", () => this.log.warn(`The MQTT broker ${safeUrl(this.settings.url)} is not reachable; retrying.`));
    client.on("error", (error) => this.log.warn(`MQTT: ${error.message}`));
    client.on("message", (topic, payload, packet) => this.events.emit("message", topic, payload, packet.retain));
    if (client.connected) return;
    // Real time, not the Clock: the deadline of a real MQTT connection.
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        cleanup();
        reject(new DeviceUnreachableError(`The MQTT broker ${safeUrl(this.settings.url)} did not accept a connection within ${firstConnectMs / 1000} s.`));
      }, firstConnectMs);
      const onConnect = () => {
        cleanup();
        resolve();
      };
      const cleanup = () => {
        clearTimeout(timer);
        client.off("connect", onConnect);
      };
      client.on("connect", onConnect);
    });
  }

  async stop(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (!client) return;
    await client.endAsync(true);
    client.removeAllListeners();
  }

  /** Subscribes now and after every reconnect (mqtt.js re-subscribes what it was subscribed to). */
  async subscribe(topic: string): Promise<void> {
    this.topics.add(topic);
    if (this.client?.connected) await this.client.subscribeAsync(topic, { qos: 1 });
  }

  async unsubscribe(topic: string): Promise<void> {
    if (!this.topics.delete(topic)) return;
    if (this.client?.connected) await this.client.unsubscribeAsync(topic);
  }

  /** Publishes when connected; throws DeviceUnreachableError (nothing queued) when not. */
  async publish(topic: string, body: object): Promise<void> {
    const client = this.client;
    if (!client?.connected) throw new DeviceUnreachableError("the MQTT broker is not connected");
    await client.publishAsync(topic, JSON.stringify(body), { qos: 1 });
  }

  private clientOptions(): IClientOptions {
    const s = this.settings;
    const url = parseUrl(s.url);
    if (url.username || url.password) throw new ConfigError("the MQTT URL must not carry credentials: put them in username and password");
    return {
      clientId: s.clientId ?? `doorstep-${randomBytes(4).toString("hex")}`,
      clean: true,
      resubscribe: false, // done on "connect" above, from our own list
      reconnectPeriod: this.options.reconnectMs ?? 2_000,
      connectTimeout: this.options.connectTimeoutMs ?? 10_000,
      queueQoSZero: false,
      ...(s.username !== undefined && { username: s.username }),
      ...(s.password !== undefined && { password: s.password }),
      ...(s.tls && {
        ...(s.tls.ca && { ca: readPem(s.tls.ca, "ca") }),
        ...(s.tls.cert && { cert: readPem(s.tls.cert, "cert") }),
        ...(s.tls.key && { key: readPem(s.tls.key, "key") }),
        rejectUnauthorized: s.tls.rejectUnauthorized,
      }),
    };
  }
}

function parseUrl(url: string): URL {
  try {
    return new URL(url);
  } catch {
    throw new ConfigError("the MQTT URL must look like mqtt://host:1883 or mqtts://host:8883");
  }
}

/** host:port only, for logs. */
export function safeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}`;
  } catch {
    return "(invalid URL)";
  }
}

function readPem(path: string, what: string): Buffer {
  try {
    return readFileSync(path);
  } catch {
    throw new ConfigError(`mqtt.tls.${what}: cannot read ${path}`);
  }
}
