// The `doorstep` command: exit 0 ok, 2 bad input (nothing changed), 1 failure.
import { Command, CommanderError } from "commander";
import { auditCommand, tokenCommand, visitsCommand } from "./records-command.js";
import { guestCommand } from "./guest-command.js";
import { serveCommand } from "./serve-command.js";
import { simCommand } from "./sim-command.js";
import { cameraCommand } from "./camera-command.js";
import { describeError, EXIT_BAD_INPUT, EXIT_OK, exitCodeFor, type CliIo } from "./io.js";
import type { GlobalOptions } from "./context.js";

export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  let exitCode = EXIT_OK;
  const program = new Command("doorstep")
    .description("Doorstep: time-boxed guest access to a Zigbee lock, every visit on camera")
    .option("--config <file>", "config file: a doorstep.json or Homebridge's config.json (default: doorstep.json in the storage dir)")
    .option("--storage <dir>", "storage dir (default: the config's storagePath, else ~/.doorstep)")
    .option("--homebridge-storage <dir>", "use the plugin inside Homebridge: <dir>/config.json's Doorstep block and the storage under <dir>/doorstep")
    .showHelpAfterError("(run with --help for usage)")
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) })
    .exitOverride();
  const globals = (): GlobalOptions => program.opts<GlobalOptions>();
  program.addCommand(serveCommand(io, globals));
  program.addCommand(guestCommand(io, globals));
  program.addCommand(visitsCommand(io, globals));
  program.addCommand(auditCommand(io, globals, (code) => (exitCode = code)));
  program.addCommand(tokenCommand(io, globals));
  program.addCommand(cameraCommand(io));
  program.addCommand(simCommand(io));
  // Subcommands report usage errors the same way (exit 2) instead of calling process.exit.
  for (const command of allCommands(program)) command.exitOverride().configureOutput(program.configureOutput());

  try {
    await program.parseAsync([...argv], { from: "user" });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version are not errors; everything else commander rejects is bad input.
      return error.exitCode === 0 ? EXIT_OK : EXIT_BAD_INPUT;
    }
    io.stderr.write(`doorstep: ${describeError(error)}\n`);
    return exitCodeFor(error);
  }
}

function allCommands(command: Command): Command[] {
  return command.commands.flatMap((c) => [c, ...allCommands(c)]);
}
