// Reads the folder rules from docs/architecture.md and every import in src/, and lists the imports a rule forbids.
// The doc's table is the one source: its "may use" column names folders in backticks; after "types:" come folders
// whose types (only `import type` / `export type`) may be used.

import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";

export interface FolderRule {
  readonly values: ReadonlySet<string>;
  readonly types: ReadonlySet<string>;
}

/** One import of one file: `to` is the top folder under src/ it reaches. */
export interface ImportEdge {
  readonly file: string;
  readonly line: number;
  readonly from: string;
  readonly to: string;
  readonly typeOnly: boolean;
  readonly specifier: string;
}

const names = (cell: string): Set<string> => new Set([...cell.matchAll(/`([a-z-]+)`/g)].map((m) => m[1]!));

/** The rows of the "Folders" table whose first cell is `src/<folder>`. */
export function parseFolderRules(markdown: string): Map<string, FolderRule> {
  const rules = new Map<string, FolderRule>();
  for (const line of markdown.split("\n")) {
    const cells = line.split("|").map((c) => c.trim());
    const folder = /^`src\/([a-z-]+)`$/.exec(cells[1] ?? "")?.[1];
    if (!folder || cells.length < 5) continue;
    const [values = "", types = ""] = (cells[3] ?? "").split(/types:/);
    rules.set(folder, { values: names(values), types: names(types) });
  }
  return rules;
}

// Static `import … from`, `export … from`, side-effect `import "…"` and dynamic `import("…")` with a literal.
const IMPORT = /(?:^|[;\s])(import|export)\s+(type\s+)?(?:[^"';]*?\sfrom\s*)?["']([^"']+)["']|\bimport\(\s*["']([^"']+)["']\s*\)/g;

/** Every relative import in `source` that leaves the file's top folder (`from`), as edges to other top folders. */
export function importsOf(file: string, source: string, srcRoot: string): ImportEdge[] {
  const from = relative(srcRoot, file).split(sep)[0]!;
  const edges: ImportEdge[] = [];
  for (const m of source.matchAll(IMPORT)) {
    const specifier = m[3] ?? m[4]!;
    if (!specifier.startsWith(".")) continue;
    const target = relative(srcRoot, resolve(dirname(file), specifier));
    const to = target.startsWith("..") ? "(outside src)" : target.split(sep)[0]!;
    if (to === from) continue;
    const line = source.slice(0, m.index).split("\n").length + (m[0].startsWith("\n") ? 1 : 0);
    edges.push({ file: relative(dirname(srcRoot), file), line, from, to, typeOnly: Boolean(m[2]), specifier });
  }
  return edges;
}

/** A test double's module: `test-<seam>.ts` beside the seam's interface. */
const isDouble = (path: string): boolean => /^test-[^/\\]*$/.test(path.split(/[/\\]/).at(-1) ?? "");

/**
 * Every import of a test double by product code, as "file:line → specifier". Doubles may import each other, and
 * src/sim (simulated hardware, never imported by the product) may use them; any other module of src/ may not.
 */
export function doubleImports(file: string, source: string, srcRoot: string): string[] {
  const from = relative(srcRoot, file);
  if (from.split(sep)[0] === "sim" || isDouble(from)) return [];
  const out: string[] = [];
  for (const m of source.matchAll(IMPORT)) {
    const specifier = m[3] ?? m[4]!;
    if (!specifier.startsWith(".") || !isDouble(specifier)) continue;
    const line = source.slice(0, m.index).split("\n").length + (m[0].startsWith("\n") ? 1 : 0);
    out.push(`${relative(dirname(srcRoot), file)}:${line} → ${specifier}`);
  }
  return out;
}

export function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(p);
    return e.name.endsWith(".ts") ? [p] : [];
  });
}

/** The edges no rule allows, each as "file:line from → to (specifier)"; an unknown folder breaks every edge it has. */
export function forbidden(edges: readonly ImportEdge[], rules: ReadonlyMap<string, FolderRule>): string[] {
  return edges
    .filter((e) => {
      const rule = rules.get(e.from);
      if (!rule) return true;
      return !(rule.values.has(e.to) || (e.typeOnly && rule.types.has(e.to)));
    })
    .map((e) => `${e.file}:${e.line} ${e.from} → ${e.to}${e.typeOnly ? " (types)" : ""} (${e.specifier})`);
}

export function readText(path: string): string {
  return readFileSync(path, "utf8");
}
