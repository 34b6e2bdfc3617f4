// The one temp-dir fixture: a fresh directory under the OS temp dir, removed when the test (or suite) that made it ends.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface TempDir {
  /** The directory of the running test (per "test") or suite (per "suite"); throws outside it. */
  readonly path: string;
  /** A path inside it. */
  join(...parts: string[]): string;
}

/** Makes a temp dir now; the caller removes it with `removeTempDir` (prefer `useTempDir` or `withTempDir`). */
export function makeTempDir(prefix = "doorstep-test-"): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function removeTempDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** Registers mocha hooks in the calling `describe`: a new dir before each test (or once for the suite), removed after the suite's other after hooks. */
export function useTempDir(options: { prefix?: string; per?: "test" | "suite" } = {}): TempDir {
  let current: string | undefined;
  const make = () => {
    current = makeTempDir(options.prefix);
  };
  const remove = () => {
    if (current !== undefined) removeTempDir(current);
    current = undefined;
  };
  // The removal hook is added when the dir is made, so it runs after the suite's own after hooks, which may still stop a
  // bridge or a child writing into the dir (mocha runs hooks in the order they were added).
  let removalAdded = false;
  const makeThenRemoveLast = function (this: Mocha.Context) {
    make();
    const suite = this.test?.parent;
    if (removalAdded) return;
    if (suite === undefined) throw new Error("useTempDir: not inside a mocha suite");
    if (options.per === "suite") suite.afterAll("remove the temp dir", remove);
    else suite.afterEach("remove the temp dir", remove);
    removalAdded = true;
  };
  if (options.per === "suite") before(makeThenRemoveLast);
  else beforeEach(makeThenRemoveLast);
  const path = () => {
    if (current === undefined) throw new Error("useTempDir: the directory exists only while a test of its suite runs");
    return current;
  };
  return {
    get path() {
      return path();
    },
    join: (...parts) => join(path(), ...parts),
  };
}

/** Runs `fn` with a fresh temp dir and removes the dir afterwards, whatever `fn` does. */
export async function withTempDir<T>(fn: (dir: string) => Promise<T> | T, prefix?: string): Promise<T> {
  const dir = makeTempDir(prefix);
  try {
    return await fn(dir);
  } finally {
    removeTempDir(dir);
  }
}
