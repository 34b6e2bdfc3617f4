// One logger shape for the whole bridge. Homebridge's logger satisfies it; the CLI prints to stderr.
// Per-device prefixes ("Front door: ...") come from `prefixed`, so a 2 a.m. reader knows which door spoke. Each door has
// one such logger, made by the bridge (create-bridge.ts) and shared by its drivers, camera, delivery flow and faces.

export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export type LogLevel = keyof Logger;
const ORDER: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };

/** A logger that prefixes every line; the prefix is computed per line so a renamed device shows its new name. */
export function prefixed(base: Logger, prefix: string | (() => string)): Logger {
  const p = typeof prefix === "function" ? prefix : () => prefix;
  return {
    debug: (m) => base.debug(`${p()}: ${m}`),
    info: (m) => base.info(`${p()}: ${m}`),
    warn: (m) => base.warn(`${p()}: ${m}`),
    error: (m) => base.error(`${p()}: ${m}`),
  };
}

/** Writes timestamped lines to a stream (stderr by default, so stdout stays for machine-readable output). */
export function consoleLogger(options: { level?: LogLevel; stream?: NodeJS.WritableStream } = {}): Logger {
  const min = ORDER[options.level ?? "info"];
  const stream = options.stream ?? process.stderr;
  const write = (level: LogLevel, m: string) => {
    if (ORDER[level] >= min) stream.write(`${new Date().toISOString()} ${level.toUpperCase().padEnd(5)} ${m}\n`);
  };
  return {
    debug: (m) => write("debug", m),
    info: (m) => write("info", m),
    warn: (m) => write("warn", m),
    error: (m) => write("error", m),
  };
}

/** Collects lines; for tests that assert on what was logged (and that no secret was). */
export class MemoryLogger implements Logger {
  readonly lines: { level: LogLevel; message: string }[] = [];
  debug(m: string) { this.lines.push({ level: "debug", message: m }); }
  info(m: string) { this.lines.push({ level: "info", message: m }); }
  warn(m: string) { this.lines.push({ level: "warn", message: m }); }
  error(m: string) { this.lines.push({ level: "error", message: m }); }
  text(): string { return this.lines.map((l) => `${l.level} ${l.message}`).join("\n"); }
}

export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
