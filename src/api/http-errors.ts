// Every error the API can answer with, translated once: HTTP status, stable code, a sentence, and for invalid input the
// field issues. Parser and framework messages are never passed through (a JSON syntax error quotes the body, which may
// hold a PIN); unexpected errors become a generic 500 and are logged by the caller.
import {
  ConfigError,
  ConflictError,
  DeviceRejectedError,
  DeviceUnreachableError,
  DoorstepError,
  ForbiddenError,
  InternalError,
  NotFoundError,
  StoreError,
  StorageFullError,
  ValidationError,
} from "../core/errors.js";
import { ajvIssues, type AjvErrorLike, type Issue } from "./validation.js";

/** The token is missing, malformed, unknown or revoked (HTTP 401). */
export class UnauthorizedError extends DoorstepError {
  readonly code = "unauthorized";
  constructor(
    message: string,
    /** True when a token was presented (so WWW-Authenticate says error="invalid_token"). */
    readonly presented: boolean,
  ) {
    super(message);
  }
}

/** The token is fine but may not do this (HTTP 403): providers and owner-only operations. */
export { ForbiddenError };

export interface ErrorBody {
  code: string;
  message: string;
  issues?: Issue[];
}

export interface HttpError {
  status: number;
  body: ErrorBody;
  headers?: Record<string, string>;
  /** True for the generic 500: the caller logs the original error. */
  unexpected?: boolean;
}

/** Fastify's own client errors, by code: status, our code, and a fixed message. */
const FRAMEWORK_ERRORS: Record<string, { status: number; code: string; message: string }> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { status: 415, code: "unsupported-media-type", message: "The body must be JSON (Content-Type: application/json)." },
  FST_ERR_CTP_INVALID_TYPE: { status: 415, code: "unsupported-media-type", message: "The Content-Type header is not valid." },
  FST_ERR_CTP_BODY_TOO_LARGE: { status: 413, code: "body-too-large", message: "The body is larger than this API accepts." },
  FST_ERR_CTP_EMPTY_JSON_BODY: { status: 400, code: "malformed-json", message: "The body is empty but Content-Type says JSON: send a JSON object or no Content-Type." },
  FST_ERR_CTP_INVALID_JSON_BODY: { status: 400, code: "malformed-json", message: "The body is not valid JSON." },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { status: 400, code: "bad-request", message: "Content-Length does not match the body." },
  FST_ERR_BAD_URL: { status: 400, code: "bad-request", message: "The URL is not valid." },
  FST_ERR_MAX_PARAM_LENGTH: { status: 414, code: "uri-too-long", message: "A path segment is longer than this API accepts." },
  FST_ERR_ASYNC_CONSTRAINT: { status: 400, code: "bad-request", message: "The request could not be routed." },
};

const UNEXPECTED: HttpError = {
  status: 500,
  body: { code: "internal", message: "Something went wrong inside the bridge; the details are in its log." },
  unexpected: true,
};

interface FrameworkErrorLike {
  code?: unknown;
  statusCode?: unknown;
  validation?: unknown;
  validationContext?: unknown;
}

/** The response for anything a handler, hook, parser or validator threw. */
export function toHttpError(error: unknown): HttpError {
  if (error instanceof UnauthorizedError) {
    return {
      status: 401,
      body: { code: error.code, message: error.message },
      headers: { "www-authenticate": error.presented ? 'Bearer realm="doorstep", error="invalid_token"' : 'Bearer realm="doorstep"' },
    };
  }
  if (error instanceof ForbiddenError) {
    const issues = error.issues.map((i) => ({ path: i.path, message: i.message }));
    return { status: 403, body: { code: error.code, message: error.message, ...(issues.length > 0 ? { issues } : {}) } };
  }
  if (error instanceof ValidationError) {
    return { status: 400, body: { code: error.code, message: error.message, issues: error.issues.map((i) => ({ path: i.path, message: i.message })) } };
  }
  if (error instanceof NotFoundError) return { status: 404, body: { code: error.code, message: error.message } };
  if (error instanceof ConflictError) return { status: 409, body: { code: error.code, message: error.message } };
  if (error instanceof DeviceUnreachableError) return { status: 503, body: { code: error.code, message: error.message } };
  if (error instanceof DeviceRejectedError) return { status: 502, body: { code: error.code, message: error.message } };
  if (error instanceof StorageFullError) {
    const message = "The bridge's disk is full: nothing was changed. Reading still works; the owner must free space.";
    return { status: 507, body: { code: error.code, message }, unexpected: true };
  }
  if (error instanceof StoreError) return { status: 503, body: { code: error.code, message: "The bridge's store is unavailable; see its log." }, unexpected: true };
  if (error instanceof ConfigError || error instanceof InternalError) return UNEXPECTED;

  if (typeof error === "object" && error !== null) {
    const e = error as FrameworkErrorLike;
    if (Array.isArray(e.validation)) {
      const issues = ajvIssues(e.validation as AjvErrorLike[], typeof e.validationContext === "string" ? e.validationContext : "body");
      const message = issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join("; ");
      return { status: 400, body: { code: "invalid-input", message, issues } };
    }
    const known = typeof e.code === "string" ? FRAMEWORK_ERRORS[e.code] : undefined;
    if (known) return { status: known.status, body: { code: known.code, message: known.message } };
    // JSON syntax errors and prototype-poisoning refusals from the body parser carry statusCode 400.
    if (error instanceof SyntaxError && e.statusCode === 400) return { status: 400, body: { code: "malformed-json", message: "The body is not valid JSON." } };
    if (typeof e.statusCode === "number" && e.statusCode >= 400 && e.statusCode < 500) {
      return { status: e.statusCode, body: { code: "bad-request", message: "The request is not valid." } };
    }
  }
  return UNEXPECTED;
}

/** Status line and body for what Node's HTTP parser refuses before any route runs (Fastify's clientErrorHandler). */
export function clientErrorResponse(error: { code?: unknown }): string {
  const [status, reason, body]: [number, string, ErrorBody] =
    error.code === "HPE_HEADER_OVERFLOW"
      ? [431, "Request Header Fields Too Large", { code: "headers-too-large", message: "The request headers are larger than this API accepts." }]
      : error.code === "ERR_HTTP_REQUEST_TIMEOUT"
        ? [408, "Request Timeout", { code: "request-timeout", message: "The request took too long to arrive." }]
        : [400, "Bad Request", { code: "bad-request", message: "The request could not be read as HTTP." }];
  const json = JSON.stringify(body);
  return `HTTP/1.1 ${status} ${reason}\r\nContent-Length: ${Buffer.byteLength(json)}\r\nContent-Type: application/json; charset=utf-8\r\nConnection: close\r\n\r\n${json}`;
}
