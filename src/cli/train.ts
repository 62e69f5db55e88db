import type { Command } from 'commander';
import { withServices } from './database.ts';
import { CliError, printJson } from './output.ts';

/** `warden train --tenant T`: trains the tenant's model from its labelled examples, with a progress bar, and puts it in shadow. */
export function registerTrain(program: Command): void {
  program
    .command('train')
    .description("train a tenant's model from its reviewers' decisions and uploaded examples; the new model runs in shadow until an admin promotes it")
    .requiredOption('--tenant <name>', 'tenant')
    .option('--db <url>', 'sqlite:PATH or postgres://… (env WARDEN_DB)')
    .option('--json', 'print the trained model as JSON')
    .action(async (options: { tenant: string; db?: string; json?: boolean }) => {
      await withServices(options.db, async ({ tenancy, tenantModels }) => {
        const tenant = await tenancy.findTenant(options.tenant);
        if (!tenant) throw new CliError(`no tenant "${options.tenant}"`);
        const model = await tenantModels.train(tenant.id, 'cli', (done) => {
          if (process.stderr.isTTY) process.stderr.write(`\rtraining ${bar(done)} ${Math.round(done * 100)}%`);
        });
        if (process.stderr.isTTY) process.stderr.write('\n');
        if (model.status !== 'ready') throw new CliError(`training failed: ${model.error ?? model.status}`);
        if (options.json) return printJson(model);
        console.log(`Trained ${model.id} on ${model.examples} examples in ${model.card?.training_ms ?? 0} ms; it runs in shadow. Compare: GET /v1/models/${model.id}/comparison`);
      });
    });
}

function bar(done: number, width = 30): string {
  const filled = Math.round(done * width);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
}
