// Child of bench/serve-rss.ts: imports one module (or "none") in a fresh node and prints {"mb","ms"}: the RSS it added.
// Resolves bare specifiers from this package, not from the caller's directory.
import { pathToFileURL } from "node:url";

const spec = process.argv[2] ?? "none";
const gc = (globalThis as { gc?: () => void }).gc;
gc?.();
const before = process.memoryUsage().rss;
const t0 = performance.now();
if (spec !== "none") {
  const target = spec.startsWith("/") ? pathToFileURL(spec).href : import.meta.resolve(spec);
  await import(target);
}
const ms = performance.now() - t0;
await new Promise((r) => setTimeout(r, 200));
gc?.();
process.stdout.write(`${JSON.stringify({ mb: (process.memoryUsage().rss - before) / 2 ** 20, ms })}\n`);
