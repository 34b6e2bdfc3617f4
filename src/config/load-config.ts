import { readFile } from "node:fs/promises";
import { ConfigError } from "../core/errors.js";
import type { DoorstepConfig } from "./config.js";
import { PLATFORM_NAME } from "./options.js";
import { validateConfig } from "./validate-config.js";

/** Reads and validates a doorstep.json. Errors name the file and, for JSON syntax errors, the line and column. */
export async function loadConfigFile(path: string): Promise<DoorstepConfig> {
  return (await loadAnyConfigFile(path)).config;
}

/**
 * Reads a doorstep.json or a Homebridge config.json (recognised by its `bridge`/`platforms` keys), taking the Doorstep
 * platform block from the latter; `homebridge` says which it was.
 */
export async function loadAnyConfigFile(path: string): Promise<{ config: DoorstepConfig; homebridge: boolean }> {
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
  const homebridge = isHomebridgeConfig(raw);
  if (homebridge) raw = platformBlock(raw as { platforms?: unknown }, path);
  try {
    return { config: validateConfig(raw), homebridge };
  } catch (error) {
    if (error instanceof ConfigError) throw new ConfigError(`${path}: ${error.message}`, error.issues);
    throw error;
  }
}

function isHomebridgeConfig(raw: unknown): boolean {
  return typeof raw === "object" && raw !== null && !Array.isArray(raw) && ("bridge" in raw || "platforms" in raw);
}

function platformBlock(raw: { platforms?: unknown }, path: string): unknown {
  const blocks = Array.isArray(raw.platforms) ? raw.platforms.filter((p) => (p as { platform?: unknown } | null)?.platform === PLATFORM_NAME) : [];
  if (blocks.length === 0) throw new ConfigError(`${path} is a Homebridge config without a "${PLATFORM_NAME}" platform block (add Doorstep in the Homebridge UI first).`);
  if (blocks.length > 1) throw new ConfigError(`${path} has ${blocks.length} "${PLATFORM_NAME}" platform blocks; Doorstep takes one.`);
  return blocks[0];
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
