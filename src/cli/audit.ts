import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { type ChainHead, type VerifyResult, verifyChain } from '../audit/index.ts';
import { withServices } from './database.ts';
import { CliError, printJson } from './output.ts';

export function registerAudit(program: Command): void {
  const audit = program.command('audit').description('the tamper-evident audit log');
  audit
    .command('verify')
    .description('walk the hash chain to its stored head; exit 1 naming the first broken or missing entry')
    .option('--db <url>', 'sqlite:PATH or postgres://… (env WARDEN_DB)')
    .option('--witness <file>', 'a head recorded by an earlier run: it must still be in the chain; the new head is written back when intact')
    .option('--json', 'print JSON')
    .action(async (options: { db?: string; json?: boolean; witness?: string }) => {
      const witness = options.witness ? readWitness(options.witness) : undefined;
      const result = await withServices(options.db, (services) => verifyChain(services.store, { witness }));
      if (options.json) printJson(result);
      else if (result.ok) console.log(`audit log intact: ${result.entries} entries, head #${result.head.seq} ${result.head.hash}`);
      else console.error(brokenMessage(result));
      if (!result.ok) process.exitCode = 1;
      else if (options.witness) writeWitness(options.witness, result.head);
    });
}

function brokenMessage(result: Extract<VerifyResult, { ok: false }>): string {
  const { seq, action, reason } = result.firstBad;
  const head = result.head ? `#${result.head.seq} ${result.head.hash}` : 'missing';
  return `audit log BROKEN at entry #${seq}${action ? ` (${action})` : ''}: ${reason}. ${result.entries} entries before it verify; stored head ${head}.`;
}

/** The witness file holds `{"seq":…,"hash":"…"}`; a missing file is a first run. */
function readWitness(file: string): ChainHead | undefined {
  if (!existsSync(file)) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new CliError(`--witness ${file}: not JSON (${(error as Error).message})`);
  }
  const { seq, hash } = (parsed ?? {}) as Partial<ChainHead>;
  if (!Number.isInteger(seq) || typeof hash !== 'string' || !/^[0-9a-f]{64}$/.test(hash)) {
    throw new CliError(`--witness ${file}: expected {"seq": <integer>, "hash": "<64 hex digits>"}`);
  }
  return { seq: seq!, hash };
}

/** Written to a temporary file and renamed, so a crash never leaves half a witness. */
function writeWitness(file: string, head: ChainHead): void {
  writeFileSync(`${file}.tmp`, `${JSON.stringify({ seq: head.seq, hash: head.hash })}\n`);
  renameSync(`${file}.tmp`, file);
}
