import { Command, CommanderError, Help } from 'commander';
import { InputError } from '../io/errors.js';
import { driftCommand } from './commands/drift.js';
import { metricsCommand } from './commands/metrics.js';
import { reportCommand } from './commands/report.js';
import { serveCommand } from './commands/serve.js';
import { keysCommand } from './commands/keys.js';
import { modelsCommand } from './commands/models.js';
import { versionsCommand } from './commands/versions.js';
import { promoteCommand, rollbackCommand, rolloutCommand } from './commands/deploy.js';
import { alertsCommand } from './commands/alerts.js';
import { snapshotCommand } from './commands/snapshot.js';
import { silencesCommand } from './commands/silences.js';
import { actionsCommand } from './commands/actions.js';
import { monitorsCommand } from './commands/monitors.js';
import { notificationsCommand } from './commands/notifications.js';
import { statusCommand } from './commands/status.js';
import { printJsonError } from './api.js';
import { EXIT } from './exit.js';
import { printable } from './printable.js';
import { VERSION } from '../version.js';

/**
 * The `lookout` program with every command (exit overrides set): what `main` parses, and what tests read the commands
 * and options of (test/audit12-docswalk: every option the docs name exists, every option is documented).
 */
export function lookoutProgram(setCode: (c: number) => void): Command {
  const program = new Command('lookout')
    .description('Lookout: keep production ML models healthy (drift, quality, metrics, alerts, rollouts)')
    .version(VERSION)
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
  program.addCommand(driftCommand(setCode));
  program.addCommand(metricsCommand(setCode));
  program.addCommand(reportCommand(setCode));
  program.addCommand(serveCommand(setCode));
  program.addCommand(keysCommand(setCode));
  for (const c of [modelsCommand, versionsCommand, promoteCommand, rollbackCommand, rolloutCommand]) program.addCommand(c(setCode));
  program.addCommand(monitorsCommand(setCode));
  program.addCommand(alertsCommand(setCode));
  program.addCommand(silencesCommand(setCode));
  program.addCommand(actionsCommand(setCode));
  program.addCommand(notificationsCommand(setCode));
  program.addCommand(snapshotCommand(setCode));
  program.addCommand(statusCommand(setCode));
  // addCommand() does not pass these settings on: usage errors must reach the catch of main (exit 2). Commander's help
  // does not mark the options a command requires (`silences add --created-by`): they say "(required)".
  const help = new Help();
  const override = (cmd: Command): void => {
    cmd.exitOverride().configureOutput({ writeErr: (s) => process.stderr.write(s) })
      .configureHelp({ optionDescription: (o) => `${help.optionDescription(o)}${o.mandatory ? ' (required)' : ''}` });
    cmd.commands.forEach(override);
  };
  program.commands.forEach(override);
  return program;
}

/** Runs the CLI and returns the process exit code (0 ok, 1 drift with --fail-on-drift or unwell with status --fail-on, 2 bad input). */
export async function main(argv: string[]): Promise<number> {
  let code: number = EXIT.ok;
  const program = lookoutProgram((c) => {
    code = c;
  });
  // --json as the command parsed it; a usage error comes before that: then its word on the command line
  let json: boolean | undefined;
  program.hook('preAction', (_program, cmd) => {
    json = cmd.opts()['json'] === true;
  });
  try {
    await program.parseAsync(argv);
    return code;
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version exit with 0; usage errors (unknown option, missing value) are bad input.
      if (err.exitCode === 0) return EXIT.ok;
      if (json ?? jsonOnCommandLine(program, argv)) printJsonError('usage', err.message.replace(/^error: /, ''), { reason: err.code });
      return EXIT.badInput;
    }
    if (err instanceof InputError) {
      if (json === true) printJsonError(err.code, err.message, err.details);
      process.stderr.write(`lookout: error: ${printable(err.message, true)}\n`);
      return EXIT.badInput;
    }
    if (json === true) printJsonError('internal', err instanceof Error ? err.message : String(err), {});
    process.stderr.write(`lookout: internal error: ${printable(err instanceof Error ? (err.stack ?? err.message) : String(err), true)}\n`);
    return EXIT.internal;
  }
}

/** Whether argv asks for --json of a command that takes it (for a usage error, before commander has parsed it). */
function jsonOnCommandLine(program: Command, argv: string[]): boolean {
  const words = argv.slice(2);
  const end = words.indexOf('--');
  const own = end === -1 ? words : words.slice(0, end);
  let cmd = program;
  for (const w of own) {
    if (cmd.commands.length === 0) break;
    const sub = cmd.commands.find((c) => c.name() === w || c.aliases().includes(w));
    if (sub !== undefined) cmd = sub;
  }
  return own.includes('--json') && cmd.options.some((o) => o.long === '--json');
}
