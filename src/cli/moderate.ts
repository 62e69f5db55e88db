import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import { localDetection } from '../detect/index.ts';
import { type ModerationContext, Moderator, DEFAULT_MODEL, resolveModel } from '../moderation/index.ts';
import { bundledPolicies } from '../policy/index.ts';
import { CliError, printJson } from './output.ts';

interface ModerateOptions {
  jsonl?: boolean;
  model: string;
}

/** Moderation without a server or a database: the bundled policy and the model's own thresholds. */
function localModeration(): { moderator: Moderator; context: ModerationContext } {
  const moderator = new Moderator(localDetection());
  const document = bundledPolicies().at(-1)!;
  return { moderator, context: { document, thresholds: moderator.defaultThresholds, surface: 'api' } };
}

export function registerModerate(program: Command): void {
  program
    .command('moderate [text]')
    .description('moderate TEXT (or stdin) locally and print the /v1/moderations JSON')
    .option('--jsonl', 'read {"text": …} per line from stdin and write one result per line')
    .option('--model <name>', 'an OpenAI moderation model name', DEFAULT_MODEL)
    .action(async (text: string | undefined, options: ModerateOptions) => {
      const model = resolveModel(options.model);
      const { moderator, context } = localModeration();
      if (options.jsonl) {
        if (text !== undefined) throw new CliError('--jsonl reads stdin: give no TEXT argument');
        await moderateJsonl(moderator, context, model);
        return;
      }
      const input = text ?? (await readStdin());
      printJson(moderator.response(model, moderator.moderate([[input]], context)));
    });
}

async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) throw new CliError('give TEXT, or pipe the text on stdin');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Streams: each line is answered as soon as it is read. A bad line gets an error line and exit status 1. */
async function moderateJsonl(moderator: Moderator, context: ModerationContext, model: string): Promise<void> {
  const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
  let lineNumber = 0;
  for await (const line of lines) {
    lineNumber += 1;
    if (!line.trim()) continue;
    const item = parseLine(line);
    if ('error' in item) {
      process.stdout.write(`${JSON.stringify({ line: lineNumber, error: item.error })}\n`);
      process.exitCode = 1;
      continue;
    }
    const [result] = moderator.response(model, moderator.moderate([[item.text]], context)).results;
    const output = item.id === undefined ? result : { id: item.id, ...result };
    process.stdout.write(`${JSON.stringify(output)}\n`);
  }
}

function parseLine(line: string): { text: string; id?: unknown } | { error: string } {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return { error: 'not valid JSON' };
  }
  if (!value || typeof value !== 'object' || typeof (value as { text?: unknown }).text !== 'string') {
    return { error: 'expected an object with a string "text"' };
  }
  const { text, id } = value as { text: string; id?: unknown };
  return id === undefined ? { text } : { text, id };
}
