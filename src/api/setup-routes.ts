// Setting up hardware from the console (owner only): open Zigbee joining and see the lock arrive; discover cameras.
// Kept apart from the core routes; routes.ts and handlers.ts include these.
import { ConflictError } from "../core/errors.js";
import type { RouteSpec } from "./routes.js";
import type { JsonSchema } from "./schemas.js";
import type { SetupPort } from "./setup-port.js";
import type { Handler } from "./handlers.js";

export type SetupOperationId = "permitJoin" | "getPermitJoin" | "discoverCameras";

const arrival: JsonSchema = {
  type: "object",
  additionalProperties: false,
  required: ["ieee", "at", "status"],
  properties: {
    ieee: { type: "string" },
    at: { type: "integer", description: "Epoch ms." },
    status: { type: "string", enum: ["joined", "interviewed", "failed"] },
    vendor: { type: "string" },
    model: { type: "string" },
    supported: { type: "boolean" },
    reason: { type: "string" },
    doorId: { type: "string" },
  },
};
const pairingState: JsonSchema = {
  type: "object",
  additionalProperties: false,
  required: ["open", "arrivals"],
  properties: {
    open: { type: "boolean" },
    until: { type: "integer", description: "Epoch ms when joining closes." },
    seconds: { type: "integer", description: "Whole seconds until joining closes." },
    arrivals: { type: "array", items: arrival, description: "The latest arrivals, newest first." },
  },
};
const candidate: JsonSchema = {
  type: "object",
  additionalProperties: false,
  required: ["address", "host", "port", "deviceService"],
  properties: {
    address: { type: "string", description: "WS-Discovery endpoint reference (urn:uuid:…)." },
    host: { type: "string" },
    port: { type: "integer" },
    deviceService: { type: "string" },
    name: { type: "string" },
    hardware: { type: "string" },
  },
};

export const SETUP_ROUTES: readonly RouteSpec[] = [
  {
    operationId: "permitJoin",
    method: "POST",
    url: "/v1/zigbee/permit-join",
    summary: "Open Zigbee joining to pair a lock (owner only)",
    description: "Opens the network for `seconds` (1-254; 0 closes it). Devices that join and their interview show in the answer of GET and as `pairing` events.",
    auth: "owner",
    body: { type: "object", additionalProperties: false, required: ["seconds"], properties: { seconds: { type: "integer", minimum: 0, maximum: 254 } } },
    responses: { 200: { description: "Joining state.", schema: pairingState } },
    errors: [403, 409, 413, 415],
  },
  {
    operationId: "getPermitJoin",
    method: "GET",
    url: "/v1/zigbee/permit-join",
    summary: "Whether joining is open, and the devices that arrived (owner only)",
    auth: "owner",
    responses: { 200: { description: "Joining state.", schema: pairingState } },
    errors: [403],
  },
  {
    operationId: "discoverCameras",
    method: "POST",
    url: "/v1/cameras/discover",
    summary: "Find ONVIF cameras on the local network (owner only)",
    description: "Sends a WS-Discovery probe and collects answers for `timeoutMs` (default 3000).",
    auth: "owner",
    body: { type: "object", additionalProperties: false, properties: { timeoutMs: { type: "integer", minimum: 500, maximum: 10000 } } },
    responses: { 200: { description: "The cameras that answered.", schema: { type: "array", items: candidate } } },
    errors: [403, 413, 415],
  },
];

export function createSetupHandlers(setup: SetupPort | undefined): Record<SetupOperationId, Handler> {
  const port = (): SetupPort => {
    if (!setup) throw new ConflictError("This bridge cannot set up hardware.");
    return setup;
  };
  return {
    async permitJoin(request) {
      return port().permitJoin((request.body as { seconds: number }).seconds);
    },
    async getPermitJoin() {
      return port().pairing();
    },
    async discoverCameras(request) {
      return port().discoverCameras((request.body as { timeoutMs?: number } | undefined)?.timeoutMs ?? 3000);
    },
  };
}
