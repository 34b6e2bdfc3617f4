import { readFile } from "node:fs/promises";
import { ConfigError } from "../core/errors.js";
import type { DoorstepConfig } from "./config.js";
import { validateConfig } from "./validate-config.js";

/** Reads and validates a doorstep.json. Errors name the file and, for JSON syntax errors, the line and column. */
export async function loadConfigFile(path: string): Promise<DoorstepConfig> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ConfigError(code === "ENOENT" ? `Config file ${path} does not exist.` : `Cannot read config file ${path} (${code ?? "error"}).`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`Config file ${path} is not valid JSON: ${jsonErrorPosition(text, error)}`);
  }
  try {
    return validateConfig(raw);
  } catch (error) {
    if (error instanceof ConfigError) throw new ConfigError(`${path}: ${error.message}`, error.issues);
    throw error;
  }
}

/**
 * Where and what the syntax error is, in our words. The parser's own message is never passed on: it quotes the text
 * around the error, and a config file holds passwords (camera, network key).
 */
function jsonErrorPosition(text: string, error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const what = /Unexpected end/i.test(message)
    ? "it ends before the JSON is complete"
    : /control character/i.test(message)
      ? "a control character (e.g. a raw line break) inside a string"
      : "a syntax error";
  const m = /position (\d+)/.exec(message);
  if (!m) return `${what} (check quotes, commas and brackets)`;
  const offset = Number(m[1]);
  const before = text.slice(0, offset);
  const line = before.split("\n").length;
  const column = offset - before.lastIndexOf("\n");
  return `${what} at line ${line}, column ${column}`;
}
