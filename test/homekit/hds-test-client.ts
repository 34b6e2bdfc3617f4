// The controller side of a HomeKit Data Stream (HDS), for tests: no public HDS client exists, so this one is built from
// the HAP-NodeJS building blocks it exports (DataStreamParser/Reader/Writer for the message encoding) plus Node's
// crypto for the transport. It does what a home hub does, as far as HAP-NodeJS's accessory side shows it:
//  1. writes SetupDataStreamTransport (start session, transport HDS over TCP, a 32-byte controller salt) with
//     write-response, and gets the accessory's TCP port and salt;
//  2. derives the two ChaCha20-Poly1305 keys with HKDF-SHA512 from the HAP session's pair-verify shared secret and
//     the two salts ("HDS-Read-Encryption-Key" accessory→controller, "HDS-Write-Encryption-Key" controller→accessory);
//  3. connects, sends the `control`/`hello` request and exchanges framed messages (type 1, 24-bit length, AEAD over the
//     4-byte header, 64-bit little-endian nonce counter per direction).
// The shared secret is read from hap-controller's pair-verify state, the one private field this touches: a controller
// knows its own session secret, hap-controller just does not expose it. hap-controller verifies a second connection for
// event subscriptions (overwriting that state), so the HDS setup runs on a session of its own that never subscribes.
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from "node:crypto";
import { connect, type Socket } from "node:net";
import hap from "@homebridge/hap-nodejs";
import { eventually } from "../helpers/eventually.js";
import { TestController } from "./hap-test-client.js";
import { decodeTlv, encodeTlv } from "./tlv8.js";

const { DataStreamParser, DataStreamReader, DataStreamWriter, Int64 } = hap;

export interface HdsMessage {
  kind: "event" | "request" | "response";
  protocol: string;
  topic: string;
  id?: number;
  status?: number;
  message: Record<string, unknown>;
}

const nonce = (counter: number) => {
  const n = Buffer.alloc(12);
  n.writeBigUInt64LE(BigInt(counter), 4);
  return n;
};
const plain = (v: unknown): number | undefined => (v === undefined ? undefined : typeof v === "object" && v !== null && "value" in v ? Number((v as { value: unknown }).value) : Number(v));

export class HdsTestClient {
  readonly received: HdsMessage[] = [];
  private buffer = Buffer.alloc(0);
  private readNonce = 0;
  private writeNonce = 0;
  private nextId = 1;
  private closedError: Error | undefined;

  private constructor(
    private readonly socket: Socket,
    private readonly readKey: Buffer,
    private readonly writeKey: Buffer,
    /** The HAP session the data stream belongs to: closing it ends the stream. */
    private readonly session: TestController,
  ) {
    socket.on("data", (data: Buffer) => this.onData(data));
    socket.on("close", () => (this.closedError ??= new Error("the HDS connection closed")));
    socket.on("error", (error) => (this.closedError = error));
  }

  /** Opens a HAP session with the pairing, sets up the transport through `setupCharId` (SetupDataStreamTransport), connects and says hello. */
  static async open(port: number, pairing: TestController["pairingData"], setupCharId: string): Promise<HdsTestClient> {
    const controller = TestController.connect(port, pairing);
    const controllerSalt = randomBytes(32);
    const answer = await controller.writeForResponse(setupCharId, encodeTlv([[1, [0]], [2, [0]], [3, controllerSalt]]).toString("base64"));
    if (answer.status) throw new Error(`SetupDataStreamTransport refused with HAP status ${answer.status}`);
    const response = decodeTlv(Buffer.from(answer.value as string, "base64"));
    if (response.get(1)?.[0] !== 0) throw new Error(`SetupDataStreamTransport status ${response.get(1)?.[0]}`);
    const hdsPort = decodeTlv(response.get(2)!).get(1)!.readUInt16LE(0);
    const accessorySalt = response.get(3)!;
    const sharedSecret = (controller.client as unknown as { pairingProtocol: { pairVerify: { sharedSecret: Buffer } } }).pairingProtocol.pairVerify.sharedSecret;
    const salt = Buffer.concat([controllerSalt, accessorySalt]);
    const key = (info: string) => Buffer.from(hkdfSync("sha512", sharedSecret, salt, info, 32));
    const socket = connect(hdsPort, "127.0.0.1");
    await new Promise<void>((resolve, reject) => socket.once("connect", resolve).once("error", reject));
    const client = new HdsTestClient(socket, key("HDS-Read-Encryption-Key"), key("HDS-Write-Encryption-Key"), controller);
    const hello = await client.request("control", "hello", {});
    if (hello.status !== 0) throw new Error(`hello answered with status ${hello.status}`);
    return client;
  }

  /** Sends a request and waits for its response. */
  async request(protocol: string, topic: string, message: Record<string, unknown>, timeoutMs = 10_000): Promise<HdsMessage> {
    const id = this.nextId++;
    this.send({ protocol, request: topic, id: new Int64(id) }, message);
    return this.waitFor((m) => m.kind === "response" && m.id === id, timeoutMs);
  }

  sendEvent(protocol: string, topic: string, message: Record<string, unknown>): void {
    this.send({ protocol, event: topic }, message);
  }

  /** Resolves with the first received message matching `predicate` (already received ones included). */
  async waitFor(predicate: (m: HdsMessage) => boolean, timeoutMs = 30_000): Promise<HdsMessage> {
    // A closed stream ends the wait at once: nothing more will arrive.
    const found = await eventually("a matching HDS message", () => this.received.find(predicate) ?? (this.closedError && { closed: this.closedError }), {
      timeoutMs,
      everyMs: 20,
    }).catch((error: Error) => {
      throw new Error(`${error.message} (got ${this.received.map((m) => `${m.protocol}/${m.topic}`).join(", ")})`);
    });
    if ("closed" in found) throw found.closed;
    return found;
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => {
      if (this.socket.destroyed) return resolve();
      this.socket.once("close", () => resolve());
      this.socket.end();
      setTimeout(() => this.socket.destroy(), 1_000).unref();
    });
    await this.session.close();
  }

  private send(header: Record<string, unknown>, message: Record<string, unknown>): void {
    const headerWriter = new DataStreamWriter();
    const messageWriter = new DataStreamWriter();
    DataStreamParser.encode(header, headerWriter);
    DataStreamParser.encode(message, messageWriter);
    const payload = Buffer.concat([Buffer.from([headerWriter.length()]), headerWriter.getData(), messageWriter.getData()]);
    const frameHeader = Buffer.from([1, (payload.length >> 16) & 0xff, (payload.length >> 8) & 0xff, payload.length & 0xff]);
    const cipher = createCipheriv("chacha20-poly1305", this.writeKey, nonce(this.writeNonce++), { authTagLength: 16 });
    cipher.setAAD(frameHeader, { plaintextLength: payload.length });
    const ciphertext = Buffer.concat([cipher.update(payload), cipher.final()]);
    this.socket.write(Buffer.concat([frameHeader, ciphertext, cipher.getAuthTag()]));
  }

  private onData(data: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, data]);
    while (this.buffer.length >= 4) {
      const length = this.buffer.readUIntBE(1, 3);
      if (this.buffer.length < 4 + length + 16) return;
      const frameHeader = this.buffer.subarray(0, 4);
      const ciphertext = this.buffer.subarray(4, 4 + length);
      const tag = this.buffer.subarray(4 + length, 4 + length + 16);
      this.buffer = this.buffer.subarray(4 + length + 16);
      const decipher = createDecipheriv("chacha20-poly1305", this.readKey, nonce(this.readNonce++), { authTagLength: 16 });
      decipher.setAAD(frameHeader, { plaintextLength: length });
      decipher.setAuthTag(tag);
      // A frame that fails authentication throws here: the test fails rather than reading forged data.
      const payload = Buffer.concat([decipher.update(ciphertext), decipher.final()]);
      const headerLength = payload[0]!;
      const header = DataStreamParser.decode(new DataStreamReader(payload.subarray(1, 1 + headerLength))) as Record<string, unknown>;
      const message = DataStreamParser.decode(new DataStreamReader(payload.subarray(1 + headerLength))) as Record<string, unknown>;
      const kind = header.event !== undefined ? "event" : header.request !== undefined ? "request" : "response";
      this.received.push({
        kind,
        protocol: String(header.protocol),
        topic: String(header.event ?? header.request ?? header.response),
        ...(header.id !== undefined && { id: plain(header.id) }),
        ...(header.status !== undefined && { status: plain(header.status) }),
        message,
      });
    }
  }
}

/** One recording's media as the hub rebuilds it from `dataSend/data` events: the chunks of each data sequence number joined, in order. */
export function reassemble(received: readonly HdsMessage[]): { type: string; data: Buffer }[] {
  type Packet = { data: Buffer; metadata: { dataType: string; dataSequenceNumber: number; dataChunkSequenceNumber: number; isLastDataChunk: boolean } };
  const packets = received.filter((m) => m.protocol === "dataSend" && m.topic === "data").flatMap((m) => m.message.packets as Packet[]);
  const bySequence = new Map<number, Packet[]>();
  for (const p of packets) bySequence.set(p.metadata.dataSequenceNumber, [...(bySequence.get(p.metadata.dataSequenceNumber) ?? []), p]);
  const sequences = [...bySequence.keys()];
  sequences.forEach((n, i) => {
    if (n !== i + 1) throw new Error(`data sequence numbers are not consecutive: ${sequences.join(", ")}`);
  });
  return sequences.map((n) => {
    const chunks = bySequence.get(n)!.sort((a, b) => a.metadata.dataChunkSequenceNumber - b.metadata.dataChunkSequenceNumber);
    if (!chunks.at(-1)!.metadata.isLastDataChunk) throw new Error(`data sequence ${n} lacks its last chunk`);
    return { type: chunks[0]!.metadata.dataType, data: Buffer.concat(chunks.map((x) => Buffer.from(x.data))) };
  });
}
