import type { Command } from 'commander';
import { verifyChain } from '../audit/index.ts';
import { withServices } from './database.ts';
import { printJson } from './output.ts';

export function registerAudit(program: Command): void {
  const audit = program.command('audit').description('the tamper-evident audit log');
  audit
    .command('verify')
    .description('walk the hash chain; exit 1 naming the first broken entry')
    .option('--db <url>', 'sqlite:PATH or postgres://… (env WARDEN_DB)')
    .option('--json', 'print JSON')
    .action(async (options: { db?: string; json?: boolean }) => {
      const result = await withServices(options.db, (services) => verifyChain(services.store));
      if (options.json) printJson(result);
      else if (result.ok) console.log(`audit log intact: ${result.entries} entries, head ${result.head}`);
      else console.error(`audit log BROKEN at entry #${result.firstBad.seq} (${result.firstBad.action}): ${result.firstBad.reason}. ${result.entries} entries before it verify.`);
      if (!result.ok) process.exitCode = 1;
    });
}
