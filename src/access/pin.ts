// PIN rules. A guest PIN is what stands between a stranger and the front door, so the
// guessable ones are refused, and generated PINs are uniformly random among the rest.
// Nothing here ever puts the PIN itself into a message.

/** Length limits; a lock may narrow the default 4-8 (ZCL attributes 0x0017/0x0018). */
export interface PinLimits {
  minLength: number;
  maxLength: number;
}

export const DEFAULT_PIN_LIMITS: PinLimits = { minLength: 4, maxLength: 8 };

export type PinProblem =
  | "not-digits"
  | "too-short"
  | "too-long"
  | "repeated-digit"
  | "sequence"
  | "repeated-pattern"
  | "common";

export type PinCheck = { ok: true } | { ok: false; problem: PinProblem; message: string };

/**
 * Often-chosen PINs that the pattern rules below do not already catch (keypad columns
 * 2580/0852, "1004", years people pick, "5683" = LOVE, doubled pairs ...).
 */
const COMMON_PINS: ReadonlySet<string> = new Set([
  "1004", "2580", "0852", "1470", "0741", "3690", "0963", "1379", "1397", "7913", "1590", "1122", "1133", "2211",
  "1221", "2112", "1001", "0101", "1010", "2001", "1998", "1999", "2000", "1990", "1984", "5683", "0007", "0069",
  "6969", "4200", "1066", "112233", "121212", "123123", "147258", "159753", "123654", "654321", "666666", "696969",
  "11223344", "12341234", "12344321", "87654321", "12121212",
]);

/** Ascending (0123..., and 7890 as on a keypad row) and descending digit runs. */
const ASCENDING = "01234567890";
const DESCENDING = "09876543210";

/** Why a PIN is trivial, or undefined when it is not (digits assumed). */
type TrivialProblem = Exclude<PinProblem, "not-digits" | "too-short" | "too-long">;

function trivialProblem(pin: string): TrivialProblem | undefined {
  if (/^(\d)\1*$/.test(pin)) return "repeated-digit";
  if (ASCENDING.includes(pin) || DESCENDING.includes(pin)) return "sequence";
  // A short block repeated: 1212, 6969, 123123, 12341234.
  for (let size = 2; size <= pin.length / 2; size++) {
    if (pin.length % size === 0 && pin.slice(0, size).repeat(pin.length / size) === pin) return "repeated-pattern";
  }
  if (COMMON_PINS.has(pin)) return "common";
  return undefined;
}

const MESSAGES: Record<Exclude<PinProblem, "too-short" | "too-long">, string> = {
  "not-digits": "must contain digits only",
  "repeated-digit": "is too easy to guess: one digit repeated",
  sequence: "is too easy to guess: a run of consecutive digits",
  "repeated-pattern": "is too easy to guess: a short pattern repeated",
  common: "is too easy to guess: one of the most common PINs",
};

/** Checks a PIN against the rules; `limits` are the lock's own, within which the defaults also apply. */
export function checkPin(pin: string, limits: Partial<PinLimits> = {}): PinCheck {
  const minLength = Math.max(DEFAULT_PIN_LIMITS.minLength, limits.minLength ?? 0);
  const maxLength = Math.min(DEFAULT_PIN_LIMITS.maxLength, limits.maxLength ?? Infinity);
  if (typeof pin !== "string" || !/^\d+$/.test(pin)) return { ok: false, problem: "not-digits", message: MESSAGES["not-digits"] };
  if (pin.length < minLength) return { ok: false, problem: "too-short", message: `must have at least ${minLength} digits` };
  if (pin.length > maxLength) return { ok: false, problem: "too-long", message: `must have at most ${maxLength} digits` };
  const trivial = trivialProblem(pin);
  return trivial ? { ok: false, problem: trivial, message: MESSAGES[trivial] } : { ok: true };
}

/** True when the PIN passes every rule. */
export function isAcceptablePin(pin: string, limits?: Partial<PinLimits>): boolean {
  return checkPin(pin, limits).ok;
}

/** The injected random source produced no usable PIN: it is broken, not random. */
export class RandomSourceError extends Error {
  constructor() {
    super("generatePin: the random source produced no usable PIN; it is not random");
    this.name = "RandomSourceError";
  }
}

/** Fills a byte array with random bytes, e.g. `(n) => crypto.getRandomValues(new Uint8Array(n))`. */
export type RandomBytes = (n: number) => Uint8Array;

/**
 * A random PIN of `length` digits that passes every rule. Digits are unbiased: bytes of 250
 * or more are discarded (250 = 25 * 10) rather than folded in with a modulo.
 */
export function generatePin(length: number, random: RandomBytes): string {
  if (!Number.isInteger(length) || length < DEFAULT_PIN_LIMITS.minLength || length > DEFAULT_PIN_LIMITS.maxLength) {
    throw new RangeError(`PIN length must be a whole number from ${DEFAULT_PIN_LIMITS.minLength} to ${DEFAULT_PIN_LIMITS.maxLength}, got ${length}`);
  }
  // At most a few hundred of 10^4 four-digit PINs are refused, so a handful of tries suffices;
  // the bound only protects against a broken random source.
  let budget = 100_000;
  for (let attempt = 0; attempt < 1000; attempt++) {
    let pin = "";
    while (pin.length < length) {
      const bytes = random(length * 2);
      budget -= Math.max(bytes.length, 1);
      if (budget < 0) break;
      for (const b of bytes) {
        if (b < 250 && pin.length < length) pin += String(b % 10);
      }
    }
    if (budget < 0) break;
    if (trivialProblem(pin) === undefined) return pin;
  }
  throw new RandomSourceError();
}
