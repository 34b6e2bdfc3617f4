// V8 flags for `doorstep serve`: a 1 MiB young-generation semi-space instead of V8's default (16 MiB and more on 64-bit)
// saves ~20 MiB of resident memory for a process whose allocation rate is small (measured in docs/benchmarks.md).
const SERVE_FLAGS = ["--max-semi-space-size=1"] as const;

/** The flags `serve` still lacks ([] for other commands, or when the user set the same flag in execArgv/NODE_OPTIONS). */
export function memoryFlagsFor(args: readonly string[], execArgv: readonly string[], nodeOptions: string | undefined): string[] {
  if (!args.includes("serve")) return [];
  const given = [...execArgv, ...(nodeOptions ?? "").split(/\s+/)];
  return SERVE_FLAGS.filter((flag) => !given.some((g) => g.split("=")[0] === flag.split("=")[0]));
}
