import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { describe } from 'vitest';
import { ManualClock } from '../../src/common/index.ts';
import { type Store, openStore } from '../../src/db/index.ts';

export type BackendName = 'sqlite' | 'postgres';

/** A fresh, empty database of one backend; `drop` removes every trace of it. */
export interface TestDatabase {
  backend: BackendName;
  url: string;
  drop(): Promise<void>;
}

const postgresUrl = process.env.WARDEN_TEST_POSTGRES_URL;
if (!postgresUrl && process.env.CI === 'true') {
  throw new Error('CI=true but WARDEN_TEST_POSTGRES_URL is not set: the PostgreSQL suite must run in CI.');
}

/** The backends this run covers: SQLite always, PostgreSQL when WARDEN_TEST_POSTGRES_URL is set. */
export const BACKENDS: BackendName[] = postgresUrl ? ['sqlite', 'postgres'] : ['sqlite'];

export async function createTestDatabase(backend: BackendName): Promise<TestDatabase> {
  if (backend === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'warden-test-'));
    return { backend, url: `sqlite:${join(dir, 'warden.db')}`, drop: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  const name = `warden_test_${randomBytes(6).toString('hex')}`;
  await adminQuery(`create database ${name}`);
  const url = new URL(postgresUrl!);
  url.pathname = `/${name}`;
  return {
    backend,
    url: url.toString(),
    drop: async () => adminQuery(`drop database if exists ${name} with (force)`),
  };
}

async function adminQuery(statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: postgresUrl });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

/** Runs the same suite once per backend. */
export function describeEachBackend(title: string, suite: (backend: BackendName) => void): void {
  for (const backend of BACKENDS) describe(`${title} [${backend}]`, () => suite(backend));
}

/** An opened, migrated store on a fresh database, with a clock the test controls. */
export async function openTestStore(backend: BackendName): Promise<{ store: Store; clock: ManualClock; database: TestDatabase; close(): Promise<void> }> {
  const database = await createTestDatabase(backend);
  const store = await openStore(database.url);
  return {
    store,
    clock: new ManualClock(),
    database,
    close: async () => {
      await store.close();
      await database.drop();
    },
  };
}
