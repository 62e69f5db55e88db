import { Command, CommanderError } from 'commander';
import { registerAudit } from './audit.ts';
import { registerEval } from './eval.ts';
import { registerKeys } from './keys.ts';
import { registerModerate } from './moderate.ts';
import { describeError } from './output.ts';
import { registerPolicy } from './policy.ts';
import { registerServe } from './serve.ts';
import { registerTrain } from './train.ts';

export function buildProgram(): Command {
  const program = new Command('warden')
    .description('Warden: usage-policy enforcement for AI products')
    .exitOverride()
    .showHelpAfterError('(run with --help for usage)');
  registerServe(program);
  registerPolicy(program);
  registerKeys(program);
  registerAudit(program);
  registerModerate(program);
  registerEval(program);
  registerTrain(program);
  return program;
}

export async function main(argv: string[]): Promise<void> {
  // `warden policy show | head` closes our stdout early: that is not an error.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(0);
    throw error;
  });
  try {
    await buildProgram().parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      process.exitCode = error.exitCode;
      return;
    }
    const { message, exitCode } = describeError(error);
    process.stderr.write(`warden: ${message}\n`);
    process.exitCode = exitCode;
  }
}
