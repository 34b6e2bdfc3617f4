// The JSON body parser: Fastify's own answers a "__proto__" key with "not valid JSON" (its parser refuses the key but
// reports a syntax error). Here valid JSON that carries a prototype-poisoning key is refused as invalid input naming
// the key, and broken JSON stays a syntax error. JSON.parse makes "__proto__" an own property, so nothing is polluted
// while we look.
import { errorCodes } from "fastify";
import { ValidationError } from "../core/errors.js";

/** Parses a JSON body; errors are mapped by http-errors.ts (malformed-json, or invalid-input naming the key). */
export function parseJsonBody(body: string): unknown {
  if (body.length === 0) throw new errorCodes.FST_ERR_CTP_EMPTY_JSON_BODY();
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    throw new errorCodes.FST_ERR_CTP_INVALID_JSON_BODY();
  }
  const poisoned = findPoisonedKey(value, "");
  if (poisoned !== undefined) throw new ValidationError("is not an accepted key (it would change object prototypes)", poisoned);
  return value;
}

/**
 * The path of the first "__proto__" key, or "constructor" holding "prototype", anywhere in the value. Iterative: a body
 * nested thousands deep must not overflow the stack.
 */
function findPoisonedKey(root: unknown, rootPath: string): string | undefined {
  const stack: [unknown, string][] = [[root, rootPath]];
  while (stack.length > 0) {
    const [value, path] = stack.pop()!;
    if (typeof value !== "object" || value === null) continue;
    if (Array.isArray(value)) {
      value.forEach((child, i) => stack.push([child, `${path}[${i}]`]));
      continue;
    }
    for (const [key, child] of Object.entries(value)) {
      const here = path ? `${path}.${key}` : key;
      if (key === "__proto__") return here;
      if (key === "constructor" && typeof child === "object" && child !== null && Object.hasOwn(child, "prototype")) return `${here}.prototype`;
      stack.push([child, here]);
    }
  }
  return undefined;
}
