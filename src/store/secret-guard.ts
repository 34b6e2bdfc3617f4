// Refuses audit details that could carry a secret, so a bug elsewhere cannot write a PIN or token into the log for ever.
import { InternalError } from "../core/errors.js";
import { isPlainObject } from "./canonical-json.js";

/** Words that name a secret, matched against each word of a key (`pinCode`, `door-pin`, `networkKey`). */
const SECRET_WORDS = new Set([
  "pin", "pins", "pincode", "key", "apikey", "networkkey", "authorization", "bearer", "cookie",
]);
/** Fragments that name a secret wherever they appear in a key (`apiToken`, `ownertoken`, `wifiPassword`). */
const SECRET_FRAGMENTS = ["password", "passwd", "passcode", "secret", "token"];

/** A Doorstep API token anywhere inside a string value. */
const TOKEN_LIKE = /dst_[A-Za-z0-9_-]{20,}/;

/** Throws InternalError naming the offending path (never its value) if `details` has a secret-like key or value. */
export function assertNoSecrets(details: unknown, path = "details"): void {
  if (typeof details === "string") {
    if (TOKEN_LIKE.test(details)) {
      throw new InternalError(`${path} looks like an API token; secrets never go into the audit log.`);
    }
    return;
  }
  if (Array.isArray(details)) {
    details.forEach((item, index) => assertNoSecrets(item, `${path}[${index}]`));
    return;
  }
  if (!isPlainObject(details)) return;
  for (const [key, value] of Object.entries(details)) {
    const keyWords = words(key);
    const joined = keyWords.join("");
    const named = keyWords.some((word) => SECRET_WORDS.has(word)) || SECRET_FRAGMENTS.some((f) => joined.includes(f));
    if (named) {
      throw new InternalError(`${path}.${key} names a secret; PINs, tokens and passwords never go into the audit log.`);
    }
    assertNoSecrets(value, `${path}.${key}`);
  }
}

/** `pinCode` → ["pin", "code"], `API_TOKEN` → ["api", "token"], `PINSlot` → ["pin", "slot"]. */
function words(key: string): string[] {
  return key
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1 $2")
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
}
