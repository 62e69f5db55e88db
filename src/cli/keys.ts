import type { Command } from 'commander';
import { assertRole } from '../tenancy/index.ts';
import { withServices } from './database.ts';
import { CliError, printJson } from './output.ts';

export function registerKeys(program: Command): void {
  const keys = program.command('keys').description('create, list and revoke API keys');

  keys
    .command('create')
    .description('create an API key (and the tenant, if it is new); the key is printed once')
    .requiredOption('--tenant <name>', 'tenant the key belongs to')
    .requiredOption('--role <role>', 'admin, reviewer or client')
    .option('--label <text>', 'a note to recognise the key by')
    .option('--db <url>', 'sqlite:PATH or postgres://… (env WARDEN_DB)')
    .option('--json', 'print {"key","tenant","role"}')
    .action(async (options: { tenant: string; role: string; label?: string; db?: string; json?: boolean }) => {
      assertRole(options.role);
      const role = options.role;
      await withServices(options.db, async ({ tenancy }) => {
        const tenant = await tenancy.ensureTenant(options.tenant, 'cli');
        const created = await tenancy.createKey({ tenant, role, label: options.label, actor: 'cli' });
        if (options.json) return printJson({ key: created.key, tenant: created.tenant, role: created.role, id: created.id });
        console.log(`Created ${created.role} key ${created.id} for tenant "${created.tenant}". It is shown only once:\n\n    ${created.key}\n`);
      });
    });

  keys
    .command('list')
    .description("list a tenant's keys (never their secrets)")
    .requiredOption('--tenant <name>', 'tenant')
    .option('--db <url>', 'sqlite:PATH or postgres://… (env WARDEN_DB)')
    .option('--json', 'print JSON')
    .action(async (options: { tenant: string; db?: string; json?: boolean }) => {
      await withServices(options.db, async ({ tenancy }) => {
        const tenant = await tenancy.findTenant(options.tenant);
        if (!tenant) throw new CliError(`no tenant "${options.tenant}"`);
        const rows = await tenancy.listKeys(tenant.id);
        if (options.json) return printJson(rows);
        for (const row of rows) {
          console.log(`${row.id}  ${row.role.padEnd(8)} ${row.revoked_at ? `revoked ${row.revoked_at}` : 'active'}  ${row.label ?? ''}`);
        }
      });
    });

  keys
    .command('revoke <id>')
    .description('revoke a key: it stops working at once')
    .requiredOption('--tenant <name>', 'tenant the key belongs to')
    .option('--db <url>', 'sqlite:PATH or postgres://… (env WARDEN_DB)')
    .action(async (id: string, options: { tenant: string; db?: string }) => {
      await withServices(options.db, async ({ tenancy }) => {
        const tenant = await tenancy.findTenant(options.tenant);
        if (!tenant) throw new CliError(`no tenant "${options.tenant}"`);
        await tenancy.revokeKey(tenant.id, id, 'cli');
        console.log(`Revoked ${id}.`);
      });
    });
}
