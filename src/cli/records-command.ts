// Read-only views and tokens: `doorstep visits`, `doorstep audit verify`, `doorstep token create|list|revoke`.
import { Command } from "commander";
import { DoorId, ProviderId } from "../access/ids.js";
import { formatInstant } from "../access/time-zone.js";
import type { TokenId } from "../store/token-store.js";
import { resolveContext, withStore, withStoreToRead, type GlobalOptions } from "./context.js";
import { EXIT_FAILURE, printJson, printTable, UsageError, type CliIo } from "./io.js";
import { parseWholeNumber } from "./parse-args.js";

export function visitsCommand(io: CliIo, globals: () => GlobalOptions): Command {
  return new Command("visits")
    .description("list visits, newest first")
    .option("--door <id>", "only this door")
    .option("--open", "only visits not yet closed")
    .option("--limit <n>", "how many (default 50)")
    .option("--json", "print JSON")
    .action(async (o: { door?: string; open?: boolean; limit?: string; json?: boolean }) => {
      const limit = o.limit === undefined ? 50 : parseWholeNumber("--limit", o.limit, 1, 1000);
      const context = await resolveContext(globals());
      await withStoreToRead(context, (store) => {
        const visits = store.visits.list({ ...(o.door ? { doorId: o.door as never } : {}), ...(o.open ? { open: true } : {}), limit });
        if (o.json) return printJson(io, visits);
        if (visits.length === 0) return void io.stdout.write("No visits.\n");
        const zone = context.config.delivery.timeZone;
        printTable(io, [
          ["ID", "DOOR", "VIA", "STARTED", "STATE", "CLIP", "ALERTS"],
          ...visits.map((v) => [
            v.id,
            v.doorId,
            v.via,
            formatInstant(v.startedAt, zone),
            v.closeReason ? `${v.state} (${v.closeReason})` : v.state,
            v.clip.length === 0 ? "-" : `${Math.round(v.clip.reduce((s, p) => s + p.durationMs, 0) / 1000)} s in ${v.clip.length} part(s)`,
            v.alerts.join("; ") || "-",
          ]),
        ]);
      });
    });
}

export function auditCommand(io: CliIo, globals: () => GlobalOptions, setExitCode: (code: number) => void): Command {
  const audit = new Command("audit").description("the tamper-evident audit log");
  audit
    .command("verify")
    .description("check the hash chain; names the first entry that was edited, deleted or reordered")
    .option("--json", "print JSON")
    .action(async (o: { json?: boolean }) => {
      const context = await resolveContext(globals());
      await withStoreToRead(context, (store) => {
        const result = store.audit.verify();
        if (o.json) printJson(io, result);
        else if (result.ok) io.stdout.write(`Audit log intact: ${result.entries} entries, hash chain verified.\n`);
        else io.stdout.write(`AUDIT LOG TAMPERED: entry ${result.firstBad} ${result.problem}: ${result.message}\n`);
        if (!result.ok) setExitCode(EXIT_FAILURE);
      });
    });
  return audit;
}

export function tokenCommand(io: CliIo, globals: () => GlobalOptions): Command {
  const token = new Command("token").description("API tokens for service providers");
  token
    .command("create")
    .description("create a provider token (shown once; stored hashed)")
    .requiredOption("--provider <name>", "provider name: letters, digits, dots, dashes")
    .option("--door <id...>", "the doors this provider may make codes for (default: every configured door)")
    .option("--json", "print JSON")
    .action(async (o: { provider: string; door?: string[]; json?: boolean }) => {
      if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(o.provider)) {
        throw new UsageError("must be 1-64 letters, digits, dots, underscores or dashes", "--provider");
      }
      const context = await resolveContext(globals());
      const known = context.config.doors.map((d) => d.id);
      for (const door of o.door ?? []) {
        if (!(known as string[]).includes(door)) throw new UsageError(`unknown door "${door}" (known: ${known.join(", ") || "none"})`, "--door");
      }
      const doors = o.door ? [...new Set(o.door)].map((d) => DoorId(d)) : undefined;
      await withStore(context, (store) => {
        const issued = store.transaction(() => {
          const t = store.tokens.create({ kind: "provider", providerId: ProviderId(o.provider), ...(doors ? { doors } : {}) });
          store.audit.append({ type: "token.created", actor: "owner:cli", details: { provider: o.provider, issued: t.id, ...(doors ? { doors } : {}) } });
          return t;
        });
        if (o.json) return printJson(io, { id: issued.id, provider: o.provider, ...(doors ? { doors } : {}), token: issued.token });
        io.stdout.write(`Token ${issued.id} for provider "${o.provider}":\n${issued.token}\n(shown once: only its hash is kept)\n`);
      });
    });
  token
    .command("list")
    .description("list tokens (never their secrets)")
    .option("--json", "print JSON")
    .action(async (o: { json?: boolean }) => {
      const context = await resolveContext(globals());
      await withStoreToRead(context, (store) => {
        const list = store.tokens.list();
        if (o.json) return printJson(io, list);
        printTable(io, [
          ["ID", "FOR", "CREATED", "STATE"],
          ...list.map((t) => [
            t.id,
            t.subject.kind === "owner" ? "owner" : `provider ${t.subject.providerId}`,
            new Date(t.createdAt).toISOString(),
            t.revokedAt === undefined ? "active" : "revoked",
          ]),
        ]);
      });
    });
  token
    .command("revoke")
    .description("revoke a token")
    .argument("<id>", "token id")
    .action(async (id: string) => {
      const context = await resolveContext(globals());
      await withStore(context, (store) => {
        const info = store.transaction(() => {
          const t = store.tokens.revoke(id as TokenId);
          store.audit.append({ type: "token.revoked", actor: "owner:cli", details: { revoked: t.id } });
          return t;
        });
        io.stdout.write(`Revoked token ${info.id}.\n`);
      });
    });
  return token;
}
