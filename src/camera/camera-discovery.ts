// WS-Discovery (2005/04, as ONVIF Core §7 profiles it): multicast one Probe for dn:NetworkVideoTransmitter
// to 239.255.255.250:3702 and collect the unicast ProbeMatches for a while. Behind `doorstep camera discover`.

import { randomUUID } from "node:crypto";
import { createSocket } from "node:dgram";
import { InternalError, ValidationError } from "../core/errors.js";
import { xmlElements, xmlFirstText } from "./onvif-xml.js";

export const WS_DISCOVERY_ADDRESS = "239.255.255.250";
export const WS_DISCOVERY_PORT = 3702;

/** One camera that answered, by its WS-Discovery endpoint reference. */
export interface DiscoveredCamera {
  /** The endpoint reference address, usually `urn:uuid:...`: stable across IP changes. */
  readonly address: string;
  /** Device service URLs (http://ip/onvif/device_service). */
  readonly xaddrs: readonly string[];
  readonly scopes: {
    /** From `onvif://www.onvif.org/name/...`, decoded. */
    readonly name?: string;
    /** From `onvif://www.onvif.org/hardware/...`, decoded. */
    readonly hardware?: string;
    readonly all: readonly string[];
  };
  readonly types: readonly string[];
  /** The IP the answer came from. */
  readonly from: string;
}

export interface DiscoverOptions {
  /** How long to collect answers; cameras wait up to 500 ms (APP_MAX_DELAY) before they answer. Default 3000. */
  readonly timeoutMs?: number;
  /** Send the probe out of this local IPv4 address's interface (default: the kernel's multicast route). */
  readonly interfaceAddress?: string;
}

/** The Probe, with its MessageID so answers can be matched by RelatesTo. */
export function probeMessage(messageId: string): string {
  return (
    `<?xml version="1.0" encoding="UTF-8"?>` +
    `<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing" ` +
    `xmlns:d="http://schemas.xmlsoap.org/ws/2005/04/discovery" xmlns:dn="http://www.onvif.org/ver10/network/wsdl">` +
    `<s:Header><a:Action s:mustUnderstand="1">http://schemas.xmlsoap.org/ws/2005/04/discovery/Probe</a:Action>` +
    `<a:MessageID>${messageId}</a:MessageID><a:To s:mustUnderstand="1">urn:schemas-xmlsoap-org:ws:2005:04:discovery</a:To></s:Header>` +
    `<s:Body><d:Probe><d:Types>dn:NetworkVideoTransmitter</d:Types></d:Probe></s:Body></s:Envelope>`
  );
}

function scopeValue(scopes: readonly string[], kind: "name" | "hardware"): string | undefined {
  const prefix = `onvif://www.onvif.org/${kind}/`;
  const hit = scopes.find((s) => s.toLowerCase().startsWith(prefix));
  if (!hit) return undefined;
  const raw = hit.slice(prefix.length);
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

/**
 * The cameras in one ProbeMatches message (usually one). Answers to someone else's probe (RelatesTo set and
 * different) are dropped; answers without RelatesTo are kept, as some cameras leave it out.
 */
export function parseProbeMatches(xml: string, from: string, messageId?: string): DiscoveredCamera[] {
  const relatesTo = xmlFirstText(xml, "RelatesTo")?.trim();
  if (messageId && relatesTo && relatesTo !== messageId) return [];
  const out: DiscoveredCamera[] = [];
  for (const match of xmlElements(xml, "ProbeMatch")) {
    const address = xmlFirstText(match, "Address")?.trim();
    if (!address) continue;
    const list = (name: string) => (xmlFirstText(match, name) ?? "").split(/\s+/).filter((s) => s.length > 0);
    const scopes = list("Scopes");
    const name = scopeValue(scopes, "name");
    const hardware = scopeValue(scopes, "hardware");
    out.push({
      address,
      xaddrs: list("XAddrs"),
      scopes: { ...(name !== undefined ? { name } : {}), ...(hardware !== undefined ? { hardware } : {}), all: scopes },
      types: list("Types"),
      from,
    });
  }
  return out;
}

/** Probes the local network for ONVIF cameras; resolves after `timeoutMs` with each camera once. */
export function discoverCameras(options: DiscoverOptions = {}): Promise<DiscoveredCamera[]> {
  const timeoutMs = options.timeoutMs ?? 3000;
  if (!Number.isFinite(timeoutMs) || timeoutMs < 100 || timeoutMs > 60_000) {
    return Promise.reject(new ValidationError("must be between 100 and 60000 ms", "timeoutMs"));
  }
  const messageId = `urn:uuid:${randomUUID()}`;
  const probe = Buffer.from(probeMessage(messageId), "utf8");
  const found = new Map<string, DiscoveredCamera>();
  const socket = createSocket({ type: "udp4" });
  return new Promise((resolve, reject) => {
    const timers: NodeJS.Timeout[] = [];
    let settled = false;
    const finish = (error?: Error) => {
      if (settled) return;
      settled = true;
      timers.forEach(clearTimeout);
      socket.close();
      if (error) reject(error);
      else resolve([...found.values()]);
    };
    socket.on("error", (e) => finish(e));
    socket.on("message", (msg, rinfo) => {
      for (const cam of parseProbeMatches(msg.toString("utf8"), rinfo.address, messageId)) {
        if (!found.has(cam.address)) found.set(cam.address, cam);
      }
    });
    socket.bind(0, options.interfaceAddress, () => {
      try {
        if (options.interfaceAddress) socket.setMulticastInterface(options.interfaceAddress);
        socket.setMulticastTTL(1);
      } catch (e) {
        finish(e instanceof Error ? e : new InternalError(String(e)));
        return;
      }
      // UDP may drop one datagram: the spec repeats a Probe (MULTICAST_UDP_REPEAT); we send it twice.
      const send = () => socket.send(probe, WS_DISCOVERY_PORT, WS_DISCOVERY_ADDRESS, (e) => e && finish(e));
      send();
      // Real time, not the Clock: the listening window of a real UDP socket.
      timers.push(setTimeout(send, Math.min(250, timeoutMs / 4)));
      timers.push(setTimeout(() => finish(), timeoutMs));
    });
  });
}
