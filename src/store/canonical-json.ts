// Canonical JSON (sorted keys, no whitespace): the same value always hashes the same, whatever order it was built in.
import { InternalError } from "../core/errors.js";

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/** Serialises plain JSON data with keys sorted; InternalError for anything JSON cannot carry faithfully. */
export function canonicalJson(value: unknown, path = "$"): string {
  if (value === null || typeof value === "boolean" || typeof value === "string") return JSON.stringify(value);
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new InternalError(`${path} is ${value}, which JSON cannot hold.`);
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map((item, i) => canonicalJson(item, `${path}[${i}]`)).join(",")}]`;
  if (isPlainObject(value)) {
    const fields = Object.keys(value)
      .filter((key) => value[key] !== undefined)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonicalJson(value[key], `${path}.${key}`)}`);
    return `{${fields.join(",")}}`;
  }
  const kind = typeof value === "object" ? "non-plain object" : typeof value;
  throw new InternalError(`${path} is a ${kind}; only JSON data can be stored.`);
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}
