// Response bodies of the simulated camera's device and media services, shaped after what a Hikvision
// DS-2CD2xxx returns (element order, prefixes, Profile_1/Profile_2 tokens, VideoSourceToken) so the client
// library parses them as it parses a real camera's.

import { escapeXml, isoTime } from "./onvif-sim-soap.js";

export interface SimProfile {
  readonly token: string;
  readonly name: string;
  readonly encoding: "H264" | "JPEG" | "MPEG4";
  readonly width: number;
  readonly height: number;
  readonly fps: number;
  readonly bitrateKbps: number;
}

/** Main stream, sub stream and an MJPEG stream: the best H.264 is not the one with the most pixels. */
export const DEFAULT_PROFILES: readonly SimProfile[] = [
  { token: "Profile_3", name: "mjpegStream", encoding: "JPEG", width: 2560, height: 1440, fps: 5, bitrateKbps: 8192 },
  { token: "Profile_2", name: "subStream", encoding: "H264", width: 640, height: 360, fps: 15, bitrateKbps: 512 },
  { token: "Profile_1", name: "mainStream", encoding: "H264", width: 1920, height: 1080, fps: 25, bitrateKbps: 4096 },
];

export interface SimDeviceInfo {
  readonly manufacturer: string;
  readonly model: string;
  readonly firmware: string;
  readonly serial: string;
  readonly hardwareId: string;
}

export function systemDateAndTime(cameraNow: number): string {
  const d = new Date(cameraNow);
  const t = `<tt:Time><tt:Hour>${d.getUTCHours()}</tt:Hour><tt:Minute>${d.getUTCMinutes()}</tt:Minute><tt:Second>${d.getUTCSeconds()}</tt:Second></tt:Time>`;
  const day = `<tt:Date><tt:Year>${d.getUTCFullYear()}</tt:Year><tt:Month>${d.getUTCMonth() + 1}</tt:Month><tt:Day>${d.getUTCDate()}</tt:Day></tt:Date>`;
  return (
    `<tds:GetSystemDateAndTimeResponse><tds:SystemDateAndTime>` +
    `<tt:DateTimeType>Manual</tt:DateTimeType><tt:DaylightSavings>false</tt:DaylightSavings>` +
    `<tt:TimeZone><tt:TZ>CST-0:00:00</tt:TZ></tt:TimeZone>` +
    `<tt:UTCDateTime>${t}${day}</tt:UTCDateTime><tt:LocalDateTime>${t}${day}</tt:LocalDateTime>` +
    `</tds:SystemDateAndTime></tds:GetSystemDateAndTimeResponse>`
  );
}

export function deviceInformation(i: SimDeviceInfo): string {
  return (
    `<tds:GetDeviceInformationResponse>` +
    `<tds:Manufacturer>${escapeXml(i.manufacturer)}</tds:Manufacturer><tds:Model>${escapeXml(i.model)}</tds:Model>` +
    `<tds:FirmwareVersion>${escapeXml(i.firmware)}</tds:FirmwareVersion><tds:SerialNumber>${escapeXml(i.serial)}</tds:SerialNumber>` +
    `<tds:HardwareId>${escapeXml(i.hardwareId)}</tds:HardwareId></tds:GetDeviceInformationResponse>`
  );
}

export function services(base: string): string {
  const svc = (ns: string, path: string, major: number, minor: number) =>
    `<tds:Service><tds:Namespace>${ns}</tds:Namespace><tds:XAddr>${base}${path}</tds:XAddr>` +
    `<tds:Version><tt:Major>${major}</tt:Major><tt:Minor>${minor}</tt:Minor></tds:Version></tds:Service>`;
  return (
    `<tds:GetServicesResponse>` +
    svc("http://www.onvif.org/ver10/device/wsdl", "/onvif/device_service", 17, 12) +
    svc("http://www.onvif.org/ver10/media/wsdl", "/onvif/Media", 17, 12) +
    svc("http://www.onvif.org/ver10/events/wsdl", "/onvif/Events", 17, 12) +
    `</tds:GetServicesResponse>`
  );
}

export function capabilities(base: string): string {
  return (
    `<tds:GetCapabilitiesResponse><tds:Capabilities>` +
    `<tt:Device><tt:XAddr>${base}/onvif/device_service</tt:XAddr></tt:Device>` +
    `<tt:Events><tt:XAddr>${base}/onvif/Events</tt:XAddr><tt:WSSubscriptionPolicySupport>true</tt:WSSubscriptionPolicySupport>` +
    `<tt:WSPullPointSupport>true</tt:WSPullPointSupport><tt:WSPausableSubscriptionManagerInterfaceSupport>false</tt:WSPausableSubscriptionManagerInterfaceSupport></tt:Events>` +
    `<tt:Media><tt:XAddr>${base}/onvif/Media</tt:XAddr><tt:StreamingCapabilities><tt:RTPMulticast>true</tt:RTPMulticast>` +
    `<tt:RTP_TCP>true</tt:RTP_TCP><tt:RTP_RTSP_TCP>true</tt:RTP_RTSP_TCP></tt:StreamingCapabilities></tt:Media>` +
    `</tds:Capabilities></tds:GetCapabilitiesResponse>`
  );
}

export function scopes(name: string, hardware: string): string {
  const s = (uri: string) => `<tds:Scopes><tt:ScopeDef>Fixed</tt:ScopeDef><tt:ScopeItem>${escapeXml(uri)}</tt:ScopeItem></tds:Scopes>`;
  return (
    `<tds:GetScopesResponse>` +
    s("onvif://www.onvif.org/type/video_encoder") +
    s("onvif://www.onvif.org/Profile/Streaming") +
    s(`onvif://www.onvif.org/name/${encodeURIComponent(name)}`) +
    s(`onvif://www.onvif.org/hardware/${encodeURIComponent(hardware)}`) +
    `</tds:GetScopesResponse>`
  );
}

export const VIDEO_SOURCE_TOKEN = "VideoSource_1";

export function videoSources(): string {
  return (
    `<trt:GetVideoSourcesResponse><trt:VideoSources token="${VIDEO_SOURCE_TOKEN}">` +
    `<tt:Framerate>25.000000</tt:Framerate><tt:Resolution><tt:Width>2560</tt:Width><tt:Height>1440</tt:Height></tt:Resolution>` +
    `</trt:VideoSources></trt:GetVideoSourcesResponse>`
  );
}

function profileXml(p: SimProfile): string {
  return (
    `<trt:Profiles token="${escapeXml(p.token)}" fixed="true"><tt:Name>${escapeXml(p.name)}</tt:Name>` +
    `<tt:VideoSourceConfiguration token="VideoSourceToken"><tt:Name>VideoSourceConfig</tt:Name><tt:UseCount>3</tt:UseCount>` +
    `<tt:SourceToken>${VIDEO_SOURCE_TOKEN}</tt:SourceToken><tt:Bounds x="0" y="0" width="2560" height="1440"></tt:Bounds></tt:VideoSourceConfiguration>` +
    `<tt:VideoEncoderConfiguration token="VideoEncoderToken_${escapeXml(p.token)}"><tt:Name>VideoEncoder_${escapeXml(p.token)}</tt:Name>` +
    `<tt:UseCount>1</tt:UseCount><tt:Encoding>${p.encoding}</tt:Encoding>` +
    `<tt:Resolution><tt:Width>${p.width}</tt:Width><tt:Height>${p.height}</tt:Height></tt:Resolution><tt:Quality>3.000000</tt:Quality>` +
    `<tt:RateControl><tt:FrameRateLimit>${p.fps}</tt:FrameRateLimit><tt:EncodingInterval>1</tt:EncodingInterval><tt:BitrateLimit>${p.bitrateKbps}</tt:BitrateLimit></tt:RateControl>` +
    (p.encoding === "H264" ? `<tt:H264><tt:GovLength>${p.fps}</tt:GovLength><tt:H264Profile>Main</tt:H264Profile></tt:H264>` : "") +
    `<tt:Multicast><tt:Address><tt:Type>IPv4</tt:Type><tt:IPv4Address>0.0.0.0</tt:IPv4Address></tt:Address><tt:Port>8860</tt:Port><tt:TTL>128</tt:TTL><tt:AutoStart>false</tt:AutoStart></tt:Multicast>` +
    `<tt:SessionTimeout>PT5S</tt:SessionTimeout></tt:VideoEncoderConfiguration></trt:Profiles>`
  );
}

export function profiles(list: readonly SimProfile[]): string {
  return `<trt:GetProfilesResponse>${list.map(profileXml).join("")}</trt:GetProfilesResponse>`;
}

function mediaUri(tag: "GetStreamUriResponse" | "GetSnapshotUriResponse", uri: string): string {
  return (
    `<trt:${tag}><trt:MediaUri><tt:Uri>${escapeXml(uri)}</tt:Uri><tt:InvalidAfterConnect>false</tt:InvalidAfterConnect>` +
    `<tt:InvalidAfterReboot>false</tt:InvalidAfterReboot><tt:Timeout>PT60S</tt:Timeout></trt:MediaUri></trt:${tag}>`
  );
}

export const streamUri = (uri: string): string => mediaUri("GetStreamUriResponse", uri);
export const snapshotUri = (uri: string): string => mediaUri("GetSnapshotUriResponse", uri);

/**
 * How the event service words its replies. "standard": as the ONVIF examples. "axis": as an Axis camera, which
 * leaves the optional CurrentTime out of every reply and puts its subscription id in ReferenceParameters.
 * "no-subscription-reference": a broken CreatePullPointSubscription reply that makes the onvif library throw
 * inside its own callback.
 */
export type SimEventReplies = "standard" | "axis" | "no-subscription-reference";

function currentTime(tag: string, now: number, replies: SimEventReplies): string {
  return replies === "axis" ? "" : `<${tag}>${isoTime(now)}</${tag}>`;
}

export function pullPointCreated(address: string, now: number, terminatesAt: number, replies: SimEventReplies = "standard"): string {
  const reference =
    replies === "no-subscription-reference"
      ? ""
      : `<tev:SubscriptionReference><wsa:Address>${escapeXml(address)}</wsa:Address>` +
        (replies === "axis"
          ? `<wsa:ReferenceParameters><dom0:SubscriptionId xmlns:dom0="http://www.axis.com/2009/event">7</dom0:SubscriptionId>` +
            `</wsa:ReferenceParameters>`
          : "") +
        `</tev:SubscriptionReference>`;
  return (
    `<tev:CreatePullPointSubscriptionResponse>${reference}${currentTime("wsnt:CurrentTime", now, replies)}` +
    `<wsnt:TerminationTime>${isoTime(terminatesAt)}</wsnt:TerminationTime></tev:CreatePullPointSubscriptionResponse>`
  );
}

export function pullMessages(now: number, terminatesAt: number, notifications: string, replies: SimEventReplies = "standard"): string {
  return (
    `<tev:PullMessagesResponse>${currentTime("tev:CurrentTime", now, replies)}` +
    `<tev:TerminationTime>${isoTime(terminatesAt)}</tev:TerminationTime>${notifications}</tev:PullMessagesResponse>`
  );
}

export function renewed(now: number, terminatesAt: number, replies: SimEventReplies = "standard"): string {
  return (
    `<wsnt:RenewResponse><wsnt:TerminationTime>${isoTime(terminatesAt)}</wsnt:TerminationTime>` +
    `${currentTime("wsnt:CurrentTime", now, replies)}</wsnt:RenewResponse>`
  );
}

export const unsubscribed = (): string => `<wsnt:UnsubscribeResponse></wsnt:UnsubscribeResponse>`;
