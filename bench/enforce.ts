/**
 * Events ingested and evaluated per second, single process, on SQLite and (given a URL) PostgreSQL.
 *
 *   npm run bench:enforce -- [--json] [--events N] [--batch B] [--postgres postgres://…]
 *
 * PostgreSQL runs when --postgres or WARDEN_TEST_POSTGRES_URL names a server; a scratch database is
 * created on it and dropped afterwards. Four ways in are measured: one event per transaction through
 * the domain (sequential), batches through the domain, batches over HTTP (POST /v1/events/batch), and
 * single events over HTTP (POST /v1/events) with many requests in flight, which group commit coalesces.
 * Each figure carries the process's CPU seconds too: on a shared machine wall time alone misleads.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { openStore } from '../src/db/index.ts';
import type { EventInput } from '../src/enforce/index.ts';
import { createServices } from '../src/app/index.ts';
import { buildApp } from '../src/server/index.ts';

const TARGET_EVENTS_PER_SECOND = 5000;
// Non-child-safety clauses of every severity, so accounts climb the ladder and actions are taken.
const CLAUSES = ['api.3.3', 'api.3.4', 'api.3.1', 'api.1.1', 'universal.2', 'api.2.2', 'universal.4', 'store.1'];
const ACCOUNTS = 2000;
// Requests in flight for the single-event HTTP run.
const IN_FLIGHT = 64;

const { values } = parseArgs({
  options: {
    json: { type: 'boolean', default: false },
    events: { type: 'string', default: '20000' },
    batch: { type: 'string', default: '1000' },
    postgres: { type: 'string' },
  },
});
const totalEvents = Number(values.events);
const batchSize = Number(values.batch);
const postgresUrl = values.postgres ?? process.env.WARDEN_TEST_POSTGRES_URL;

interface Measurement {
  events: number;
  seconds: number;
  events_per_second: number;
  cpu_seconds: number;
}

interface Started {
  wall: bigint;
  cpu: NodeJS.CpuUsage;
}

function start(): Started {
  return { wall: process.hrtime.bigint(), cpu: process.cpuUsage() };
}

function makeEvents(run: string, count: number): EventInput[] {
  return Array.from({ length: count }, (_, i) => ({
    id: `${run}-${i}`,
    account: `acct-${(i * 7919) % ACCOUNTS}`,
    account_kind: 'user',
    source: 'api',
    violations: [{ clause_id: CLAUSES[i % CLAUSES.length]! }],
  }));
}

function measured(count: number, started: Started): Measurement {
  const seconds = Number(process.hrtime.bigint() - started.wall) / 1e9;
  const cpu = process.cpuUsage(started.cpu);
  return {
    events: count,
    seconds: Math.round(seconds * 1000) / 1000,
    events_per_second: Math.round(count / seconds),
    cpu_seconds: Math.round((cpu.user + cpu.system) / 1000) / 1000,
  };
}

async function post(url: string, key: string, body: unknown): Promise<void> {
  const response = await fetch(url, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (response.status >= 300) throw new Error(`${url} failed: ${response.status} ${await response.text()}`);
  await response.arrayBuffer();
}

async function benchBackend(url: string) {
  const store = await openStore(url);
  try {
    const services = createServices(store, undefined, { rateLimitPerSecond: 1_000_000 });
    const boot = await services.tenancy.bootstrap();
    if (!boot.created || !boot.generatedKey) throw new Error('the bench needs an empty database');
    const key = boot.generatedKey;
    const tenantId = (await services.tenancy.findTenant('default'))!.id;
    const enforcement = services.enforcement;

    const singleCount = Math.min(totalEvents, 2000);
    let started = start();
    for (const event of makeEvents('single', singleCount)) await enforcement.recordEvents(tenantId, 'bench', [event]);
    const single = measured(singleCount, started);

    const events = makeEvents('batch', totalEvents);
    started = start();
    for (let i = 0; i < events.length; i += batchSize) await enforcement.recordEvents(tenantId, 'bench', events.slice(i, i + batchSize));
    const batched = measured(events.length, started);

    const app = await buildApp(services, { logger: false, bodyLimit: 64 * 1024 * 1024 });
    const baseUrl = await app.listen({ port: 0, host: '127.0.0.1' });
    const overHttp = makeEvents('http', totalEvents);
    started = start();
    for (let i = 0; i < overHttp.length; i += batchSize) {
      await post(`${baseUrl}/v1/events/batch`, key, { events: overHttp.slice(i, i + batchSize) });
    }
    const http = measured(overHttp.length, started);

    const singles = makeEvents('http-single', Math.min(totalEvents, 5000));
    let next = 0;
    started = start();
    await Promise.all(
      Array.from({ length: IN_FLIGHT }, async () => {
        while (next < singles.length) await post(`${baseUrl}/v1/events`, key, singles[next++]);
      }),
    );
    const httpSingles = measured(singles.length, started);
    await app.close();

    const actions = await store.db.selectFrom('enforcement_actions').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
    return {
      single_event_per_transaction: single,
      batched: { ...batched, batch_size: batchSize },
      http_batched: { ...http, batch_size: batchSize },
      http_single_events_concurrent: { ...httpSingles, in_flight: IN_FLIGHT },
      actions_taken: Number(actions.n),
    };
  } finally {
    await store.close();
  }
}

async function adminQuery(url: string, statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'warden-bench-'));
  let sqlite;
  try {
    sqlite = await benchBackend(`sqlite:${join(dir, 'bench.db')}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }

  let postgres = null;
  if (postgresUrl) {
    const name = `warden_bench_${randomBytes(6).toString('hex')}`;
    await adminQuery(postgresUrl, `create database ${name}`);
    const url = new URL(postgresUrl);
    url.pathname = `/${name}`;
    try {
      postgres = await benchBackend(url.toString());
    } finally {
      await adminQuery(postgresUrl, `drop database if exists ${name} with (force)`);
    }
  }

  const result = {
    benchmark: 'enforce',
    accounts: ACCOUNTS,
    target_events_per_second_sqlite: TARGET_EVENTS_PER_SECOND,
    meets_target_sqlite: sqlite.batched.events_per_second >= TARGET_EVENTS_PER_SECOND,
    sqlite,
    postgres,
  };
  if (values.json) {
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    return;
  }
  for (const [backend, figures] of [['sqlite', sqlite], ['postgres', postgres]] as const) {
    if (!figures) continue;
    process.stdout.write(
      `${backend}: ${figures.single_event_per_transaction.events_per_second} events/s one per transaction, ` +
        `${figures.batched.events_per_second} events/s in batches of ${batchSize}, ` +
        `${figures.http_batched.events_per_second} events/s over HTTP batches, ` +
        `${figures.http_single_events_concurrent.events_per_second} events/s as single HTTP requests (${IN_FLIGHT} in flight)\n`,
    );
  }
}

await main();
