// A typed view of the parts of `onvif` (agsh) 0.8.3 the driver uses. The package's bundled typings collapse
// overloads and type responses loosely; this module states exactly what we call and treats every parsed
// response as `unknown` until onvif-parse.ts has checked it. Nothing here is exported past src/camera.

import type { Agent } from "node:http";
import { createRequire } from "node:module";

/** Node-style callback: `xml` is the raw SOAP response when the library had one. */
export type OnvifCallback<T> = (error: Error | null, result: T, xml?: string) => void;

/** Constructor options we pass (see lib/cam.js). */
export interface OnvifCamOptions {
  hostname: string;
  port: number;
  path?: string;
  username?: string;
  password?: string;
  /** false: HTTP Digest only, no WS-Security header. */
  useWSSecurity?: boolean;
  /** Per request timeout, ms. */
  timeout?: number;
  /** Used for requests to the device service XAddrs (not for pull-point addresses; see OnvifSubscription). */
  agent?: Agent;
  autoconnect: false;
  /** Keep our host and port for every service XAddr (cameras behind NAT report addresses we cannot reach). */
  preserveAddress?: boolean;
}

/** A legacy `url.parse` object: the library passes it to http.request as the request options. */
export interface OnvifParsedUrl {
  href: string;
  hostname: string | null;
  port: string | number | null;
  path: string | null;
  /** We set this so pull-point requests go through an agent we can destroy. */
  agent?: Agent;
}

export interface OnvifSubscription {
  /** Missing in a broken reply: the library stores what it parsed before it fails. */
  subscriptionReference?: { address?: OnvifParsedUrl };
}

export interface OnvifCam {
  /** Set by connect() from GetSystemDateAndTime; never recomputed on the same instance. */
  timeShift?: number;
  /** linerase()d GetProfiles entries, after connect(). */
  profiles?: unknown[];
  events: { subscription?: OnvifSubscription; terminationTime?: Date };

  connect(callback: (error: Error | null) => void): void;
  getDeviceInformation(callback: OnvifCallback<unknown>): void;
  getStreamUri(
    options: { protocol: "RTSP" | "UDP" | "HTTP"; stream: "RTP-Unicast" | "RTP-Multicast"; profileToken: string },
    callback: OnvifCallback<unknown>,
  ): void;
  getSnapshotUri(options: { profileToken: string }, callback: OnvifCallback<unknown>): void;
  createPullPointSubscription(callback: OnvifCallback<unknown>): void;
  pullMessages(options: { messageLimit: number }, callback: OnvifCallback<unknown>): void;
  renew(options: Record<string, never>, callback: OnvifCallback<unknown>): void;
  unsubscribe(callback: OnvifCallback<unknown>, preserveListeners: boolean): void;

  on(event: "warning", listener: (message: string) => void): this;
  removeAllListeners(): this;
}

export interface OnvifModule {
  Cam: new (options: OnvifCamOptions) => OnvifCam;
}

const require = createRequire(import.meta.url);

/** The `onvif` package, typed as above. Loaded once. */
export const onvif: OnvifModule = require("onvif") as OnvifModule;
