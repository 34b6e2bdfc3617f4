// SOAP 1.2 plumbing for the simulated camera: reading a request by local element names and writing
// envelopes and faults with the prefixes a Hikvision device service uses (env:, tds:, trt:, tt:, tev:, wsnt:).
// Independent of src/camera on purpose: the driver's own parsing must not be what makes its tests pass.

export const NS = {
  env: "http://www.w3.org/2003/05/soap-envelope",
  xsi: "http://www.w3.org/2001/XMLSchema-instance",
  xsd: "http://www.w3.org/2001/XMLSchema",
  tt: "http://www.onvif.org/ver10/schema",
  tds: "http://www.onvif.org/ver10/device/wsdl",
  trt: "http://www.onvif.org/ver10/media/wsdl",
  tev: "http://www.onvif.org/ver10/events/wsdl",
  ter: "http://www.onvif.org/ver10/error",
  wsnt: "http://docs.oasis-open.org/wsn/b-2",
  wsa: "http://www.w3.org/2005/08/addressing",
  wstop: "http://docs.oasis-open.org/wsn/t-1",
  tns1: "http://www.onvif.org/ver10/topics",
  wsse: "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd",
  wsu: "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd",
  "wsrf-rw": "http://docs.oasis-open.org/wsrf/rw-2",
} as const;

export interface SoapRequest {
  /** Local name of the first element in the Body, e.g. "GetProfiles". */
  readonly operation: string;
  readonly header: string;
  readonly body: string;
}

export function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&${{ "&": "amp", "<": "lt", ">": "gt", '"': "quot", "'": "apos" }[c]};`);
}

function unescapeXml(s: string): string {
  return s
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, "&");
}

/** Inner XML of the first element with this local name (any prefix), or undefined. */
export function inner(xml: string, localName: string): string | undefined {
  const re = new RegExp(`<(?:[\\w.-]+:)?${localName}(?:\\s[^>]*)?(?:/>|>([\\s\\S]*?)</(?:[\\w.-]+:)?${localName}\\s*>)`);
  const m = re.exec(xml);
  return m ? (m[1] ?? "") : undefined;
}

/** Trimmed, unescaped text of the first element with this local name. */
export function textOf(xml: string, localName: string): string | undefined {
  const v = inner(xml, localName);
  return v === undefined ? undefined : unescapeXml(v.replace(/<[^>]*>/g, "")).trim();
}

/** The start tag (with attributes) of the first element with this local name. */
export function startTag(xml: string, localName: string): string | undefined {
  return new RegExp(`<(?:[\\w.-]+:)?${localName}(?:\\s[^>]*)?/?>`).exec(xml)?.[0];
}

export function parseSoapRequest(xml: string): SoapRequest | undefined {
  const body = inner(xml, "Body");
  if (body === undefined) return undefined;
  const first = /<(?:[\w.-]+:)?([A-Za-z_][\w.-]*)[\s/>]/.exec(body);
  if (!first) return undefined;
  return { operation: first[1]!, header: inner(xml, "Header") ?? "", body };
}

/** xs:dateTime in UTC with milliseconds, the shape the onvif client turns into a Date. */
export function isoTime(ms: number): string {
  return new Date(ms).toISOString();
}

/** Parses an xs:duration of the PnDTnHnMnS form (PT60S, PT1M, PT2M); undefined if it is not one. */
export function parseDuration(s: string | undefined): number | undefined {
  if (!s) return undefined;
  const m = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/.exec(s.trim());
  if (!m || s.trim() === "P" || s.trim() === "PT") return undefined;
  return (((Number(m[1] ?? 0) * 24 + Number(m[2] ?? 0)) * 60 + Number(m[3] ?? 0)) * 60 + Number(m[4] ?? 0)) * 1000;
}

export function envelope(body: string, action?: string): string {
  const ns = Object.entries(NS)
    .map(([p, u]) => `xmlns:${p}="${u}"`)
    .join(" ");
  const header = action ? `<env:Header><wsa:Action>${escapeXml(action)}</wsa:Action></env:Header>` : "<env:Header/>";
  return `<?xml version="1.0" encoding="UTF-8"?>\n<env:Envelope ${ns}>${header}<env:Body>${body}</env:Body></env:Envelope>`;
}

export interface SoapFault {
  readonly status: number;
  readonly xml: string;
}

/** A SOAP 1.2 fault with an ONVIF subcode (ONVIF Core §5.11.2), e.g. ("Sender", "ter:NotAuthorized", ...). */
export function fault(code: "Sender" | "Receiver", subcode: string, reason: string, detail?: string): SoapFault {
  const sub = subcode.split("/");
  let subXml = "";
  for (const s of sub.reverse()) subXml = `<env:Subcode><env:Value>${s}</env:Value>${subXml}</env:Subcode>`;
  const body =
    `<env:Fault><env:Code><env:Value>env:${code}</env:Value>${subXml}</env:Code>` +
    `<env:Reason><env:Text xml:lang="en">${escapeXml(reason)}</env:Text></env:Reason>` +
    (detail ? `<env:Detail><env:Text>${escapeXml(detail)}</env:Text></env:Detail>` : "") +
    `</env:Fault>`;
  return { status: code === "Sender" ? 400 : 500, xml: envelope(body) };
}

export const notAuthorized = (): SoapFault =>
  fault("Sender", "ter:NotAuthorized", "Sender not Authorized", "The action requested requires authorization and the sender is not authorized");
