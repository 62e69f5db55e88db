import { WardenError } from '../common/index.ts';

/** Thrown for bad command-line input; main() prints it and exits non-zero. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

export function describeError(error: unknown): { message: string; exitCode: number } {
  if (error instanceof CliError) return { message: error.message, exitCode: error.exitCode };
  if (error instanceof WardenError) return { message: error.message, exitCode: 1 };
  const code = (error as { code?: string }).code;
  if (code === 'ECONNREFUSED') return { message: `cannot reach the database: ${(error as Error).message}`, exitCode: 1 };
  return { message: (error as Error).stack ?? String(error), exitCode: 1 };
}
