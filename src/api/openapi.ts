// The OpenAPI 3.1 document of the HTTP API v1, generated from the same route table and schemas the server validates with.
// docs/openapi.json is this function's output (src/api/write-openapi.ts writes it; a test fails when it is stale).
import { InternalError } from "../core/errors.js";
import { ROUTES, type RouteSpec } from "./routes.js";
import { errorSchema, type JsonSchema } from "./schemas.js";

/** The API version the document describes (bump with a breaking change to /v1). */
export const API_VERSION = "1.0.0";

const ERROR_DESCRIPTIONS: Record<number, string> = {
  400: "Invalid input (issues name each field), malformed JSON, or a malformed path or query.",
  401: "Missing, malformed, unknown or revoked bearer token.",
  403: "Not allowed for this token: an owner-only operation, or a value beyond a provider's rights (issues name the fields).",
  404: "No such record, or it belongs to another provider.",
  409: "Conflict with the current state.",
  413: "Body larger than the limit.",
  415: "Body is not application/json.",
  500: "Unexpected failure; the message is generic and the details are in the bridge's log.",
  507: "storage-full: the bridge's disk is full; nothing was changed (reads keep working).",
};

const jsonContent = (schema: JsonSchema) => ({ "application/json": { schema } });

/** "/v1/credentials/:id" → "/v1/credentials/{id}". */
export function openApiPath(url: string): string {
  return url.replace(/:([A-Za-z]+)/g, "{$1}");
}

function parameters(route: RouteSpec): object[] {
  const out: object[] = [];
  for (const [where, schema] of [
    ["path", route.params],
    ["query", route.querystring],
  ] as const) {
    if (!schema) continue;
    const props = (schema["properties"] ?? {}) as Record<string, JsonSchema>;
    const required = new Set((schema["required"] ?? []) as string[]);
    for (const [name, prop] of Object.entries(props)) {
      const { description, ...rest } = prop as { description?: string };
      out.push({ name, in: where, required: where === "path" || required.has(name), schema: rest, ...(description ? { description } : {}) });
    }
  }
  return out;
}

function operation(route: RouteSpec): object {
  const responses: Record<string, object> = {};
  for (const [status, spec] of Object.entries(route.responses)) {
    responses[status] = {
      description: spec.description,
      ...(spec.headers ? { headers: spec.headers } : {}),
      ...(spec.schema ? { content: jsonContent(spec.schema) } : {}),
      ...(spec.mediaType ? { content: { [spec.mediaType]: { schema: { type: "string", contentMediaType: spec.mediaType } } } } : {}),
    };
  }
  const errorStatuses = new Set<number>([500, ...(route.errors ?? [])]);
  if (route.params || route.querystring || route.body) errorStatuses.add(400);
  if (route.auth !== "public") errorStatuses.add(401);
  // Every write (and a redemption, which records a use and a visit) can meet a full disk.
  if (route.method !== "GET") errorStatuses.add(507);
  for (const status of [...errorStatuses].sort((a, b) => a - b)) {
    if (responses[status]) continue;
    responses[status] = { description: ERROR_DESCRIPTIONS[status] ?? "Error.", content: jsonContent({ $ref: "#/components/schemas/Error" }) };
  }
  return {
    operationId: route.operationId,
    summary: route.summary,
    ...(route.description ? { description: route.description } : {}),
    ...(route.auth === "public" ? { security: [{}, { bearer: [] }] } : {}),
    ...(route.auth === "owner" ? { "x-doorstep-auth": "owner" } : {}),
    ...(parameters(route).length ? { parameters: parameters(route) } : {}),
    ...(route.body ? { requestBody: { required: true, content: jsonContent(route.body) } } : {}),
    responses,
  };
}

/**
 * Moves every schema that has a `title` into components.schemas and puts a $ref in its place, so the document names
 * each shape once (the server's schemas stay self-contained; this is presentation only).
 */
function extractNamed(value: unknown, components: Record<string, unknown>): unknown {
  if (Array.isArray(value)) return value.map((v) => extractNamed(v, components));
  if (typeof value !== "object" || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = extractNamed(v, components);
  const title = out["title"];
  if (typeof title !== "string" || "$ref" in out) return out;
  const existing = components[title];
  if (existing !== undefined && JSON.stringify(existing) !== JSON.stringify(out)) {
    throw new InternalError(`Two different API schemas are both titled "${title}".`);
  }
  components[title] = out;
  return { $ref: `#/components/schemas/${title}` };
}

/** The OpenAPI 3.1 document for every route in ROUTES. */
export function openApiDocument(): Record<string, unknown> {
  const components: Record<string, unknown> = { Error: errorSchema };
  const paths: Record<string, Record<string, object>> = {};
  for (const route of ROUTES) {
    const path = (paths[openApiPath(route.url)] ??= {});
    path[route.method.toLowerCase()] = extractNamed(operation(route), components) as object;
  }
  const schemas = Object.fromEntries(Object.keys(components).sort().map((k) => [k, components[k]]));
  return {
    openapi: "3.1.0",
    info: {
      title: "Doorstep HTTP API",
      version: API_VERSION,
      description:
        "Guest credentials, remote door access (record, then unlock), visits and their clips. " +
        "Every request but GET /v1/health needs `Authorization: Bearer <token>`: the owner token, or a provider token that sees only its own credentials. See docs/api.md.",
    },
    servers: [{ url: "http://127.0.0.1:8787", description: "The bridge (loopback by default; host and port are configured under api)." }],
    security: [{ bearer: [] }],
    components: {
      securitySchemes: { bearer: { type: "http", scheme: "bearer", description: 'Tokens look like "dst_…"; create them with `doorstep token create`.' } },
      schemas,
    },
    paths,
  };
}

/** The document as written to docs/openapi.json (two-space JSON and a final newline). */
export function openApiText(): string {
  return `${JSON.stringify(openApiDocument(), null, 2)}\n`;
}
