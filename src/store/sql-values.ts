// Typed reads of node:sqlite rows: a column of the wrong type is schema drift, reported as an InternalError.
import { InternalError } from "../core/errors.js";
import type { Row } from "./database.js";

export function text(row: Row, column: string): string {
  const value = row[column];
  if (typeof value !== "string") throw drift(column, "text", value);
  return value;
}

export function optText(row: Row, column: string): string | undefined {
  return row[column] === null || row[column] === undefined ? undefined : text(row, column);
}

export function int(row: Row, column: string): number {
  const value = row[column];
  if (typeof value !== "number" || !Number.isSafeInteger(value)) throw drift(column, "integer", value);
  return value;
}

export function optInt(row: Row, column: string): number | undefined {
  return row[column] === null || row[column] === undefined ? undefined : int(row, column);
}

export function bool(row: Row, column: string): boolean {
  return int(row, column) !== 0;
}

export function optBool(row: Row, column: string): boolean | undefined {
  return row[column] === null || row[column] === undefined ? undefined : bool(row, column);
}

export function blob(row: Row, column: string): Uint8Array {
  const value = row[column];
  if (!(value instanceof Uint8Array)) throw drift(column, "blob", value);
  return value;
}

/** `undefined` → SQL NULL, for optional fields. */
export function nullable<T extends string | number | Uint8Array>(value: T | undefined): T | null {
  return value === undefined ? null : value;
}

function drift(column: string, expected: string, value: unknown): InternalError {
  const found = value === null ? "NULL" : typeof value;
  return new InternalError(`Database column "${column}" holds ${found}, expected ${expected}.`);
}
