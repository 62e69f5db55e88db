import { z } from 'zod';
import { InvalidInput } from './errors.ts';

/** Turns the first zod issue into a 400 whose `param` is a readable path: `clauses[3].severity`. */
export function zodToInvalidInput(error: z.ZodError, paramPrefix = ''): InvalidInput {
  const issue = error.issues[0]!;
  const path = [...issue.path];
  if (issue.code === z.ZodIssueCode.unrecognized_keys) path.push(issue.keys[0]!);
  const param = formatPath(paramPrefix, path);
  const message =
    issue.code === z.ZodIssueCode.unrecognized_keys
      ? `Unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`
      : issue.message;
  return new InvalidInput(param ? `${param}: ${message}` : message, param || null);
}

export function formatPath(prefix: string, path: (string | number)[]): string {
  return path.reduce<string>((out, part) => {
    if (typeof part === 'number') return `${out}[${part}]`;
    return out ? `${out}.${part}` : part;
  }, prefix);
}
