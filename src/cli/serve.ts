import type { Command } from 'commander';
import { openStore } from '../db/index.ts';
import { createServices } from '../app/index.ts';
import { buildApp } from '../server/index.ts';
import { DEFAULT_TENANT } from '../tenancy/index.ts';
import { resolveDbUrl } from './database.ts';
import { CliError } from './output.ts';

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('run the HTTP API (and the console) until interrupted')
    .option('--port <port>', 'port to listen on (env PORT)', process.env.PORT ?? '8080')
    .option('--host <host>', 'address to bind (env HOST)', process.env.HOST ?? '127.0.0.1')
    .option('--db <url>', 'sqlite:PATH or postgres://… (env WARDEN_DB)')
    .option('--rate-limit <n>', 'requests per second allowed per API key (env WARDEN_RATE_LIMIT)', process.env.WARDEN_RATE_LIMIT ?? '1000')
    .action(async (options: { port: string; host: string; db?: string; rateLimit: string }) => {
      const port = Number(options.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new CliError(`--port must be 0–65535, got "${options.port}"`);
      const rateLimitPerSecond = Number(options.rateLimit);
      if (!Number.isInteger(rateLimitPerSecond) || rateLimitPerSecond < 1) throw new CliError(`--rate-limit must be a whole number ≥ 1, got "${options.rateLimit}"`);
      await serve({ port, host: options.host, dbUrl: resolveDbUrl(options.db), rateLimitPerSecond });
    });
}

async function serve(options: { port: number; host: string; dbUrl: string; rateLimitPerSecond: number }): Promise<void> {
  const store = await openStore(options.dbUrl);
  const services = createServices(store, undefined, { rateLimitPerSecond: options.rateLimitPerSecond });
  const bootstrap = await services.tenancy.bootstrap(process.env.WARDEN_ADMIN_KEY || undefined);
  // Printed before listening, so that a failed listen cannot lose the only copy of the key.
  if (bootstrap.created) announceBootstrap(bootstrap.generatedKey);
  for (const tenant of await services.tenancy.listTenants()) {
    await store.db.transaction().execute((tx) => services.policies.seedTenant(tx, tenant));
  }
  await services.tenantModels.failInterrupted();
  // The detection thread loads its model while the server starts; until it is ready, requests are detected here.
  void services.moderation.warmUp();
  const app = await buildApp(services);
  const stop = async () => {
    await Promise.all([services.deliveries.stop(), services.reReviews.stop(), services.ruleHits.stop(), services.trends.stop(), services.spikes.stop(), services.shadowTallies.stop(), services.tenantModels.drain(), services.judgeWorker.stop(), services.moderation.close()]);
    await app.close();
    await store.close();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const address = await app.listen({ port: options.port, host: options.host });
  // Webhook delivery and store re-review run beside the API, never inside a request.
  services.deliveries.start();
  services.reReviews.start();
  services.ruleHits.start();
  services.trends.start();
  services.spikes.start();
  services.shadowTallies.start();
  services.judgeWorker.start();
  process.stdout.write(`Warden is listening on ${address} (database ${store.location})\n`);
  if (bootstrap.created && bootstrap.generatedKey) {
    process.stdout.write(`Try: curl -H "Authorization: Bearer ${bootstrap.generatedKey}" ${address}/v1/policies\n`);
  }
}

/** First start: the generated admin key is printed once. */
function announceBootstrap(generatedKey: string | null): void {
  if (generatedKey) {
    process.stdout.write(
      `\nCreated tenant "${DEFAULT_TENANT}" and its admin API key. It is shown only this once; store it now:\n\n` +
        `    ${generatedKey}\n\n`,
    );
  } else {
    process.stdout.write(`\nCreated tenant "${DEFAULT_TENANT}" with WARDEN_ADMIN_KEY as its admin API key.\n\n`);
  }
}
