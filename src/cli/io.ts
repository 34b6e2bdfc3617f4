import { ConfigError, DoorstepError, StoreError, ValidationError, formatError } from "../core/errors.js";

/** Where a command writes: stdout for results (JSON with --json), stderr for logs and errors. */
export interface CliIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_BAD_INPUT = 2;

/** Bad input (exit 2) as opposed to a failure (exit 1): the message names the argument and nothing was changed. */
export class UsageError extends ValidationError {}

export function exitCodeFor(error: unknown): number {
  if (error instanceof ValidationError || error instanceof ConfigError) return EXIT_BAD_INPUT;
  return EXIT_FAILURE;
}

export function describeError(error: unknown): string {
  if (error instanceof ConfigError && error.issues.length > 1) {
    return `${error.message.split(":")[0]}:\n${error.issues.map((i) => `  - ${i.path || "(root)"}: ${i.message}`).join("\n")}`;
  }
  if (error instanceof StoreError) return `${error.message}`;
  if (error instanceof DoorstepError) return error.message;
  return `Unexpected error: ${formatError(error)}`;
}

export function printJson(io: CliIo, value: unknown): void {
  io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** A plain text table: the first row is the header. */
export function printTable(io: CliIo, rows: string[][]): void {
  if (rows.length === 0) return;
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? "").length)));
  for (const row of rows) io.stdout.write(`${row.map((cell, c) => cell.padEnd(widths[c]!)).join("  ").trimEnd()}\n`);
}
