import { Command, Option } from "commander";
import { ACCESS_MODES, CREDENTIAL_KINDS, type Schedule, type WeeklyWindow } from "../access/credential.js";
import { formatInstant } from "../access/time-zone.js";
import { ValidationError } from "../core/errors.js";
import { ownerVia } from "../delivery/actor.js";
import type { CredentialView } from "../delivery/credential-service.js";
import { credentialService, resolveContext, withStore, withStoreToRead, type GlobalOptions } from "./context.js";
import { printJson, printTable, type CliIo } from "./io.js";
import { flagForPath, parseIsoInstant, parseWeeklyWindow, parseWholeNumber } from "./parse-args.js";

const CLI = ownerVia("cli");

interface AddOptions {
  label: string;
  kind: string;
  door: string[];
  from?: string;
  until: string;
  pin?: string;
  weekly?: string[];
  rrule?: string;
  dtstart?: string;
  duration?: string;
  tz?: string;
  maxUses?: string;
  expiresAfterFirstUse?: string;
  mode?: string;
  allowWhenPetsHome?: boolean;
  requireRecording: boolean;
  json?: boolean;
}

export function guestCommand(io: CliIo, globals: () => GlobalOptions): Command {
  const guest = new Command("guest").description("create, list, revoke and check guest credentials");

  guest
    .command("add")
    .description("create a guest credential; its PIN is shown once")
    .requiredOption("--label <text>", 'who it is for, e.g. "Parcel courier"')
    .addOption(new Option("--kind <kind>", "kind of guest").choices([...CREDENTIAL_KINDS]).makeOptionMandatory())
    .requiredOption("--door <id>", "a door it opens (repeat for several)", collect, [])
    .option("--from <iso>", "valid from (default: now)")
    .requiredOption("--until <iso>", "valid until, exclusive (every code ends)")
    .option("--pin <digits>", "the PIN (default: a random one)")
    .option("--weekly <window>", 'weekly window, e.g. "MO,WE 09:00-12:00" (repeatable)', collect)
    .option("--rrule <rule>", 'RFC 5545 rule, e.g. "FREQ=WEEKLY;BYDAY=TU;INTERVAL=2"')
    .option("--dtstart <local>", "first occurrence, local time YYYY-MM-DDTHH:MM (with --rrule)")
    .option("--duration <minutes>", "length of each occurrence (with --rrule)")
    .option("--tz <zone>", "IANA time zone of the schedule (default: the config's)")
    .option("--max-uses <n>", "how many times it may be used (deliveries default to 1)")
    .option("--expires-after-first-use <minutes>", "ends this long after the first use")
    .addOption(new Option("--mode <mode>", "keypad, remote (API) or both").choices([...ACCESS_MODES]))
    .option("--allow-when-pets-home", "may enter while 'Pets home' is on (pet-care does by default)")
    .option("--no-require-recording", "may enter without the camera recording")
    .option("--json", "print JSON")
    .action(async (o: AddOptions) => {
      const context = await resolveContext(globals());
      const input = credentialInput(o, context.config.delivery.timeZone);
      await withStore(context, (store) => {
        let created;
        try {
          created = credentialService(context, store).create(input, CLI);
        } catch (error) {
          if (error instanceof ValidationError) throw ValidationError.of(error.issues.map((i) => ({ path: flagForPath(i.path), message: i.message })));
          throw error;
        }
        const { credential, pin } = created;
        if (o.json) return printJson(io, { id: credential.id, pin, credential });
        io.stdout.write(`Created ${credential.id} "${credential.label}" (${credential.kind}) for ${credential.doors.join(", ")}.\n`);
        io.stdout.write(`Valid ${span(credential, context.config.delivery.timeZone)}.\n`);
        io.stdout.write(`PIN: ${pin}   (shown once: pass it on now)\n`);
      });
    });

  guest
    .command("list")
    .description("list guest credentials (live and expired; --all adds revoked)")
    .option("--door <id>", "only those for this door")
    .option("--all", "include revoked credentials")
    .option("--json", "print JSON")
    .action(async (o: { door?: string; all?: boolean; json?: boolean }) => {
      const context = await resolveContext(globals());
      await withStoreToRead(context, (store) => {
        const list = credentialService(context, store).list(CLI, {
          ...(o.door ? { doorId: o.door as never } : {}),
          includeRevoked: o.all === true,
        });
        if (o.json) return printJson(io, list);
        if (list.length === 0) return void io.stdout.write("No guest credentials.\n");
        const zone = context.config.delivery.timeZone;
        printTable(io, [
          ["ID", "LABEL", "KIND", "DOORS", "VALID", "USES", "STATE"],
          ...list.map((c) => [c.id, c.label, c.kind, c.doors.join(","), span(c, zone), uses(c), state(c)]),
        ]);
      });
    });

  guest
    .command("revoke")
    .description("revoke a credential (the bridge clears it from the lock)")
    .argument("<id>", "credential id")
    .option("--json", "print JSON")
    .action(async (id: string, o: { json?: boolean }) => {
      const context = await resolveContext(globals());
      await withStore(context, (store) => {
        const c = credentialService(context, store).revoke(id, CLI);
        if (o.json) return printJson(io, c);
        io.stdout.write(`Revoked ${c.id} "${c.label}".\n`);
      });
    });

  guest
    .command("check")
    .description("what the policy says for a PIN at a door and time, with no side effect")
    .requiredOption("--door <id>", "door id")
    .requiredOption("--pin <digits>", "the PIN to check")
    .option("--at <iso>", "when (default: now)")
    .addOption(new Option("--via <via>", "how it is presented").choices(["keypad", "remote"]).default("remote"))
    .option("--json", "print JSON")
    .action(async (o: { door: string; pin: string; at?: string; via: "keypad" | "remote"; json?: boolean }) => {
      const at = o.at === undefined ? undefined : parseIsoInstant("--at", o.at);
      const context = await resolveContext(globals());
      await withStoreToRead(context, (store) => {
        // Offline, the lock and the camera cannot be asked: assume both up, and say so.
        const result = credentialService(context, store).check({
          doorId: o.door,
          pin: o.pin,
          ...(at === undefined ? {} : { at }),
          via: o.via,
          recording: true,
          lockAvailable: true,
        });
        if (o.json) return printJson(io, { ...result.decision, sentence: result.sentence, credentialId: result.credential?.id, assumed: { recording: true, lockAvailable: true } });
        io.stdout.write(`${result.decision.outcome.toUpperCase()}${"reason" in result.decision ? ` (${result.decision.reason})` : ""}: ${result.sentence}\n`);
        io.stdout.write("(policy only: assumes the lock answers and the camera records)\n");
      });
    });

  return guest;
}

function credentialInput(o: AddOptions, defaultZone: string): Record<string, unknown> {
  const timeZone = o.tz ?? defaultZone;
  let schedule: Schedule | undefined;
  if (o.weekly && o.rrule) throw new ValidationError("give either --weekly or --rrule, not both", "--weekly/--rrule");
  if (o.weekly) schedule = { type: "weekly", timeZone, windows: o.weekly.map(parseWeeklyWindow) as WeeklyWindow[] };
  if (o.rrule) {
    if (!o.dtstart) throw new ValidationError("is required with --rrule (local YYYY-MM-DDTHH:MM)", "--dtstart");
    if (!o.duration) throw new ValidationError("is required with --rrule (minutes)", "--duration");
    schedule = { type: "rrule", timeZone, rrule: o.rrule, dtstart: o.dtstart, durationMinutes: parseWholeNumber("--duration", o.duration, 1, 10080) };
  }
  return {
    label: o.label,
    kind: o.kind,
    doors: o.door,
    validUntil: parseIsoInstant("--until", o.until),
    ...(o.from ? { validFrom: parseIsoInstant("--from", o.from) } : {}),
    ...(o.pin !== undefined ? { pin: o.pin } : {}),
    ...(schedule ? { schedule } : {}),
    ...(o.maxUses ? { maxUses: parseWholeNumber("--max-uses", o.maxUses, 1, 10000) } : {}),
    ...(o.expiresAfterFirstUse ? { expiresAfterFirstUseMinutes: parseWholeNumber("--expires-after-first-use", o.expiresAfterFirstUse, 1, 527040) } : {}),
    ...(o.mode ? { mode: o.mode } : {}),
    ...(o.allowWhenPetsHome ? { allowWhenPetsHome: true } : {}),
    ...(o.requireRecording === false ? { requireRecording: false } : {}),
  };
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

const span = (c: CredentialView, zone: string) => `${formatInstant(c.validFrom, zone)} → ${formatInstant(c.validUntil, zone)}`;
const uses = (c: CredentialView) => `${c.usage.uses}${c.maxUses !== undefined ? `/${c.maxUses}` : ""}`;
const state = (c: CredentialView) => (c.revokedAt !== undefined ? "revoked" : c.live ? "live" : "ended");
