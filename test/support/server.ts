import type { FastifyInstance } from 'fastify';
import { ManualClock } from '../../src/common/index.ts';
import type { Store } from '../../src/db/index.ts';
import type { Role } from '../../src/tenancy/index.ts';
import { type ServiceOptions, type Services, createServices } from '../../src/app/index.ts';
import { type AppOptions, buildApp } from '../../src/server/index.ts';
import { type BackendName, type TestDatabase, createTestDatabase } from './backends.ts';
import { openStore } from '../../src/db/index.ts';

/** A real server on loopback over a fresh database, with the default tenant's admin key. */
export interface TestServer {
  baseUrl: string;
  adminKey: string;
  app: FastifyInstance;
  services: Services;
  store: Store;
  clock: ManualClock;
  database: TestDatabase;
  /** fetch against the server with a key (the admin key unless another is given). */
  request(path: string, init?: RequestInit & { key?: string | null; json?: unknown }): Promise<Response>;
  /** Creates another key, in this tenant or a new one. */
  createKey(role: Role, tenant?: string): Promise<string>;
  close(): Promise<void>;
}

/** `rateLimitPerSecond`: the server's default limit per key (`--rate-limit`). */
export async function startTestServer(backend: BackendName, options: AppOptions & { rateLimitPerSecond?: number } = {}, serviceOptions: ServiceOptions = {}): Promise<TestServer> {
  const { rateLimitPerSecond, ...appOptions } = options;
  const database = await createTestDatabase(backend);
  const store = await openStore(database.url);
  const clock = new ManualClock();
  const services = createServices(store, clock, { rateLimitPerSecond, ...serviceOptions });
  const boot = await services.tenancy.bootstrap();
  if (!boot.created || !boot.generatedKey) throw new Error('bootstrap did not create a key');
  const adminKey = boot.generatedKey;
  const app = await buildApp(services, { logger: false, checkResponses: true, ...appOptions });
  const baseUrl = await app.listen({ port: 0, host: '127.0.0.1' });

  return {
    baseUrl,
    adminKey,
    app,
    services,
    store,
    clock,
    database,
    request(path, init = {}) {
      const { key = adminKey, json, headers, ...rest } = init;
      const merged = new Headers(headers);
      if (key) merged.set('authorization', `Bearer ${key}`);
      if (json !== undefined) merged.set('content-type', 'application/json');
      return fetch(`${baseUrl}${path}`, { ...rest, headers: merged, body: json !== undefined ? JSON.stringify(json) : rest.body });
    },
    async createKey(role, tenant = 'default') {
      const row = await services.tenancy.ensureTenant(tenant, 'test');
      return (await services.tenancy.createKey({ tenant: row, role, actor: 'test' })).key;
    },
    async close() {
      await services.tenantModels.drain();
      await services.shadowTallies.stop();
      await app.close();
      await store.close();
      await database.drop();
    },
  };
}

/** Asserts the OpenAI error shape and returns the error object. */
export async function expectApiError(response: Response, status: number): Promise<{ message: string; type: string; param: string | null; code: string }> {
  const body = (await response.json()) as { error?: { message: string; type: string; param: string | null; code: string } };
  if (response.status !== status || !body.error) {
    throw new Error(`expected HTTP ${status} with an error body, got ${response.status}: ${JSON.stringify(body)}`);
  }
  for (const field of ['message', 'type', 'param', 'code'] as const) {
    if (!(field in body.error)) throw new Error(`error body lacks "${field}": ${JSON.stringify(body)}`);
  }
  return body.error;
}
