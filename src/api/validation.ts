// Request validation with ajv: bodies are taken exactly as sent (no coercion, no removal of unknown fields, no
// defaults), while path and query values, which are always strings on the wire, may be coerced to the scalar the
// schema names ("?limit=10" → 10). ajv's errors become issues that name the field.
import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";
import type { JsonSchema } from "./schemas.js";

export interface Issue {
  path: string;
  message: string;
}

/** The parts of an ajv error we read (Fastify passes ajv's errors through as `error.validation`). */
export type AjvErrorLike = Pick<ErrorObject, "keyword" | "instancePath" | "params" | "message">;

const common = { allErrors: true, removeAdditional: false, useDefaults: false, allowUnionTypes: true, strict: true } as const;
// allErrors lists every problem at once; the body limit bounds the work it can cause.
const bodyAjv = new Ajv({ ...common, coerceTypes: false });
const stringPartsAjv = new Ajv({ ...common, coerceTypes: true });

/** Fastify's validatorCompiler: one compiled validator per route and request part. */
export function compileValidator(schema: JsonSchema, httpPart: string | undefined): ValidateFunction {
  return (httpPart === "body" ? bodyAjv : stringPartsAjv).compile(schema);
}

const MAX_ISSUES = 20;
const MAX_NAME = 64;

/** "/schedule/windows/0/end" → "schedule.windows[0].end". */
function pointerToPath(pointer: string): string {
  let out = "";
  for (const raw of pointer.split("/").slice(1)) {
    const part = raw.replace(/~1/g, "/").replace(/~0/g, "~");
    out += /^\d+$/.test(part) ? `[${part}]` : out === "" ? part : `.${part}`;
  }
  return out;
}

function join(base: string, name: string): string {
  if (name === "") return base;
  const shown = name.length > MAX_NAME ? `${name.slice(0, MAX_NAME)}…` : name;
  return base === "" || shown.startsWith("[") ? `${base}${shown}` : `${base}.${shown}`;
}

const PREFIX: Record<string, string> = { body: "", querystring: "query", params: "params", headers: "headers" };

/**
 * Issues from ajv errors, each naming its field ("label", "schedule.windows[0].end", "query.limit"). Values are never
 * quoted (they may be a PIN); unknown field names are, shortened.
 */
export function ajvIssues(errors: readonly AjvErrorLike[], context: string): Issue[] {
  const prefix = PREFIX[context] ?? context;
  const issues: Issue[] = [];
  const seen = new Set<string>();
  for (const error of errors) {
    // if/then reports the branch's own errors, then "must match then schema": the branch errors are the useful ones.
    if (error.keyword === "if") continue;
    const at = join(prefix, pointerToPath(error.instancePath));
    const params = error.params as Record<string, unknown>;
    let issue: Issue;
    switch (error.keyword) {
      case "required":
        issue = { path: join(at, String(params["missingProperty"])), message: "is required" };
        break;
      case "additionalProperties":
        issue = { path: join(at, String(params["additionalProperty"])), message: "is not a known field" };
        break;
      case "enum":
        issue = { path: at, message: `must be one of ${(params["allowedValues"] as unknown[]).map(String).join(", ")}` };
        break;
      case "const":
        issue = { path: at, message: `must be ${JSON.stringify(params["allowedValue"])}` };
        break;
      case "type":
        issue = { path: at, message: `must be ${String(params["type"]).replace(",", " or ")}` };
        break;
      case "minProperties":
        issue = { path: at, message: "must name at least one field" };
        break;
      default:
        issue = { path: at, message: error.message ?? "is not valid" };
    }
    const key = `${issue.path}\u0000${issue.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    issues.push(issue);
    if (issues.length >= MAX_ISSUES) break;
  }
  return issues.length > 0 ? issues : [{ path: prefix, message: "is not valid" }];
}
