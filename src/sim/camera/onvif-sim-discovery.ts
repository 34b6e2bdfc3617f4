// The simulated camera's WS-Discovery target service (WS-Discovery 2005/04, ONVIF Core §7.3): joins
// 239.255.255.250:3702 and answers a Probe for dn:NetworkVideoTransmitter (or for any type) with a unicast
// ProbeMatches carrying its XAddrs and scopes. Only ever bound inside a test's own network namespace or on loopback.

import { randomUUID } from "node:crypto";
import { createSocket, type Socket } from "node:dgram";
import { escapeXml, textOf } from "./onvif-sim-soap.js";

export const WS_DISCOVERY_GROUP = "239.255.255.250";
export const WS_DISCOVERY_PORT = 3702;

export interface DiscoveryResponderOptions {
  /** Device service address(es) to advertise. */
  readonly xaddrs: readonly string[];
  readonly name: string;
  readonly hardware: string;
  /** The interface to join the group on (default: the kernel's choice). */
  readonly interfaceAddress?: string;
  /** Stable endpoint id; default a random urn:uuid. */
  readonly endpoint?: string;
}

export interface DiscoveryResponder {
  readonly endpoint: string;
  /** Probes answered so far. */
  readonly answered: number;
  stop(): Promise<void>;
}

function wantsUs(probe: string): boolean {
  const types = textOf(probe, "Types");
  if (!types) return true; // no Types: every target matches
  return types.split(/\s+/).some((t) => /(^|:)NetworkVideoTransmitter$/.test(t) || /(^|:)Device$/.test(t));
}

function probeMatches(o: DiscoveryResponderOptions, endpoint: string, relatesTo: string): string {
  const scopes = [
    "onvif://www.onvif.org/type/video_encoder",
    "onvif://www.onvif.org/Profile/Streaming",
    "onvif://www.onvif.org/location/country/home",
    `onvif://www.onvif.org/name/${encodeURIComponent(o.name)}`,
    `onvif://www.onvif.org/hardware/${encodeURIComponent(o.hardware)}`,
  ].join(" ");
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n` +
    `<SOAP-ENV:Envelope xmlns:SOAP-ENV="http://www.w3.org/2003/05/soap-envelope" xmlns:wsa="http://schemas.xmlsoap.org/ws/2004/08/addressing" ` +
    `xmlns:d="http://schemas.xmlsoap.org/ws/2005/04/discovery" xmlns:dn="http://www.onvif.org/ver10/network/wsdl" xmlns:tds="http://www.onvif.org/ver10/device/wsdl">` +
    `<SOAP-ENV:Header><wsa:MessageID>urn:uuid:${randomUUID()}</wsa:MessageID><wsa:RelatesTo>${escapeXml(relatesTo)}</wsa:RelatesTo>` +
    `<wsa:To SOAP-ENV:mustUnderstand="true">http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous</wsa:To>` +
    `<wsa:Action SOAP-ENV:mustUnderstand="true">http://schemas.xmlsoap.org/ws/2005/04/discovery/ProbeMatches</wsa:Action></SOAP-ENV:Header>` +
    `<SOAP-ENV:Body><d:ProbeMatches><d:ProbeMatch><wsa:EndpointReference><wsa:Address>${escapeXml(endpoint)}</wsa:Address></wsa:EndpointReference>` +
    `<d:Types>dn:NetworkVideoTransmitter tds:Device</d:Types><d:Scopes>${escapeXml(scopes)}</d:Scopes>` +
    `<d:XAddrs>${escapeXml(o.xaddrs.join(" "))}</d:XAddrs><d:MetadataVersion>10</d:MetadataVersion>` +
    `</d:ProbeMatch></d:ProbeMatches></SOAP-ENV:Body></SOAP-ENV:Envelope>`
  );
}

/** Starts answering Probes; resolves once the socket has joined the multicast group. */
export function startDiscoveryResponder(o: DiscoveryResponderOptions): Promise<DiscoveryResponder> {
  const endpoint = o.endpoint ?? `urn:uuid:${randomUUID()}`;
  const socket: Socket = createSocket({ type: "udp4", reuseAddr: true });
  let answered = 0;
  socket.on("message", (msg, rinfo) => {
    const xml = msg.toString("utf8");
    if (!/<(?:[\w.-]+:)?Probe[\s>/]/.test(xml) || !wantsUs(xml)) return;
    const relatesTo = textOf(xml, "MessageID") ?? "";
    const reply = Buffer.from(probeMatches(o, endpoint, relatesTo), "utf8");
    socket.send(reply, rinfo.port, rinfo.address, () => answered++);
  });
  return new Promise((resolve, reject) => {
    socket.once("error", reject);
    socket.bind(WS_DISCOVERY_PORT, () => {
      try {
        socket.addMembership(WS_DISCOVERY_GROUP, o.interfaceAddress);
      } catch (e) {
        socket.close();
        reject(e);
        return;
      }
      socket.off("error", reject);
      socket.on("error", () => undefined); // a stray ICMP error must not crash the simulator
      resolve({
        endpoint,
        get answered() {
          return answered;
        },
        stop: () => new Promise<void>((r) => socket.close(() => r())),
      });
    });
  });
}
