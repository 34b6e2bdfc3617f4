// Sorting what the onvif library reports (plain Errors with socket codes or "ONVIF SOAP Fault: ..." text)
// into the few cases the driver acts on differently.

export type OnvifFailure =
  /** Wrong credentials or a rejected WS-Security timestamp: reconnect once with a fresh clock offset. */
  | "not-authorized"
  /** Nothing answered (refused, reset, timed out, no route): retry with backoff. */
  | "unreachable"
  /** It answered, but not with what we need (a fault, HTML, no H.264): retry slowly. */
  | "rejected";

const NETWORK_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EHOSTDOWN",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EPIPE",
  "ECONNABORTED",
]);

export function classifyOnvifError(error: unknown): OnvifFailure {
  const code = typeof error === "object" && error !== null ? (error as { code?: unknown }).code : undefined;
  if (typeof code === "string" && NETWORK_CODES.has(code)) return "unreachable";
  const message = error instanceof Error ? error.message : String(error);
  if (/not ?authori[sz]ed|Digest authentication failed|Unauthorized/i.test(message)) return "not-authorized";
  if (/Network timeout|socket hang up/i.test(message)) return "unreachable";
  return "rejected";
}

/** A short description of a network error, without anything from a URL's userinfo. */
export function describeNetworkError(error: unknown): string {
  const code = typeof error === "object" && error !== null ? (error as { code?: unknown }).code : undefined;
  if (code === "ECONNREFUSED") return "connection refused";
  if (code === "ETIMEDOUT" || (error instanceof Error && /timeout/i.test(error.message))) return "no answer (timed out)";
  if (code === "ECONNRESET" || (error instanceof Error && /hang up/i.test(error.message))) return "connection reset";
  if (code === "EHOSTUNREACH" || code === "ENETUNREACH") return "no route to host";
  if (code === "ENOTFOUND" || code === "EAI_AGAIN") return "host name not found";
  return typeof code === "string" ? code : error instanceof Error ? error.message : String(error);
}
