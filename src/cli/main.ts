import { Command, CommanderError } from 'commander';
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
import { silencesCommand } from './commands/silences.js';
import { EXIT } from './exit.js';
import { VERSION } from '../version.js';

/** Runs the CLI and returns the process exit code (0 ok, 1 drift with --fail-on-drift, 2 bad input). */
export async function main(argv: string[]): Promise<number> {
  const program = new Command('lookout')
    .description('Lookout: keep production ML models healthy (drift, quality, metrics, alerts, rollouts)')
    .version(VERSION)
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
  let code: number = EXIT.ok;
  const setCode = (c: number): void => {
    code = c;
  };
  program.addCommand(driftCommand(setCode));
  program.addCommand(metricsCommand(setCode));
  program.addCommand(reportCommand(setCode));
  program.addCommand(serveCommand(setCode));
  program.addCommand(keysCommand(setCode));
  for (const c of [modelsCommand, versionsCommand, promoteCommand, rollbackCommand, rolloutCommand]) program.addCommand(c(setCode));
  program.addCommand(alertsCommand(setCode));
  program.addCommand(silencesCommand(setCode));
  // addCommand() does not pass these settings on: usage errors must reach the catch below (exit 2).
  const override = (cmd: Command): void => {
    cmd.exitOverride().configureOutput({ writeErr: (s) => process.stderr.write(s) });
    cmd.commands.forEach(override);
  };
  program.commands.forEach(override);
  try {
    await program.parseAsync(argv);
    return code;
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version exit with 0; usage errors (unknown option, missing value) are bad input.
      return err.exitCode === 0 ? EXIT.ok : EXIT.badInput;
    }
    if (err instanceof InputError) {
      process.stderr.write(`lookout: error: ${err.message}\n`);
      return EXIT.badInput;
    }
    process.stderr.write(`lookout: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    return EXIT.internal;
  }
}
