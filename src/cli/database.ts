import { existsSync } from 'node:fs';
import { DEFAULT_DB_URL, type Store, openStore, parseDbUrl } from '../db/index.ts';
import { type Services, createServices } from '../app/index.ts';

/** `--db`, else WARDEN_DB, else ./warden.db. */
export function resolveDbUrl(option?: string): string {
  return option ?? process.env.WARDEN_DB ?? DEFAULT_DB_URL;
}

/** True when the URL names a SQLite file that is not there yet (so reading it would only create it). */
export function isMissingSqliteFile(url: string): boolean {
  const target = parseDbUrl(url);
  return target.dialect === 'sqlite' && target.target !== ':memory:' && !existsSync(target.target);
}

/** Opens the database, runs `work` with the wired services, and always closes it. */
export async function withServices<T>(dbOption: string | undefined, work: (services: Services) => Promise<T>): Promise<T> {
  const store: Store = await openStore(resolveDbUrl(dbOption));
  try {
    return await work(createServices(store));
  } finally {
    await store.close();
  }
}
