import { afterAll, beforeAll, expect, it } from 'vitest';
import { bundledPolicies } from '../src/policy/index.ts';
import { describeEachBackend } from './support/backends.ts';
import { type TestServer, startTestServer } from './support/server.ts';

interface Page {
  object: string;
  data: { id?: string; seq?: number; version?: string }[];
  has_more: boolean;
  next_cursor: string | null;
}

/** Walks a list with ?limit= and the cursors it returns; every page is checked for the convention. */
async function walk(server: TestServer, path: string, limit: number): Promise<{ pages: Page[]; ids: string[] }> {
  const pages: Page[] = [];
  let after: string | null = null;
  do {
    const separator = path.includes('?') ? '&' : '?';
    const response = await server.request(`${path}${separator}limit=${limit}${after ? `&after=${after}` : ''}`);
    expect(response.status).toBe(200);
    const page = (await response.json()) as Page;
    expect(page.object).toBe('list');
    expect(page.data.length).toBeLessThanOrEqual(limit);
    expect(page.next_cursor === null).toBe(!page.has_more);
    pages.push(page);
    after = page.next_cursor;
  } while (after && pages.length < 100);
  return { pages, ids: pages.flatMap((page) => page.data.map((row) => String(row.id ?? row.version ?? row.seq))) };
}

describeEachBackend('one pagination convention: limit, after, {data, has_more, next_cursor}', (backend) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(backend);
    // Created at one instant of the test clock: the cursor must break ties on the id.
    for (let i = 0; i < 6; i += 1) await server.createKey('client');
    for (let i = 0; i < 5; i += 1) {
      const created = await server.request('/v1/subscriptions', { method: 'POST', json: { email: `ops${i}@example.com`, events: ['policy.published'] } });
      expect(created.status).toBe(201);
    }
    const posted = async (path: string, json: unknown) => expect((await server.request(path, { method: 'POST', json })).status).toBe(201);
    await posted('/v1/store/submissions', { name: 'Recipe Helper', description: 'Suggests weeknight dinners.' });
    // Three policy versions beside the seed (each starts a store re-review job and notifies the subscribers).
    const seed = bundledPolicies().at(-1)!;
    for (let i = 1; i <= 3; i += 1) {
      await posted('/v1/policies', { ...seed, version: `paged-${i}`, changelog: [{ date: '2026-02-01', summary: `Paging check ${i}.` }, ...seed.changelog] });
    }
    await server.services.deliveries.drain();
    const enforcement = (await (await server.request('/v1/enforcement/policy')).json()) as { document: Record<string, unknown> };
    for (let i = 1; i <= 4; i += 1) await posted('/v1/enforcement/policies', { ...enforcement.document, version: `paged-${i}` });
    for (let i = 1; i <= 5; i += 1) await posted('/v1/hash-banks', { name: `bank ${i}`, clause_id: 'universal.1', category: 'privacy/sensitive-identifiers' });
    for (let i = 1; i <= 3; i += 1) {
      await posted('/v1/rules/versions', { version: `paged-${i}`, summary: 'paging', rules: [{ id: 'spam', when: { text: { pattern: 'free crypto' } }, then: [{ label: 'spam' }] }] });
    }
  });
  afterAll(async () => server?.close());

  it.each([
    ['/v1/keys', 7],
    ['/v1/subscriptions', 5],
    ['/v1/policies', 4],
    ['/v1/enforcement/policies', 5],
    ['/v1/hash-banks', 5],
    ['/v1/rules/versions', 3],
    ['/v1/store/review-jobs', 3],
    ['/v1/deliveries', 15],
  ])('%s pages through all %i rows exactly once, in order, whatever the page size', async (path, total) => {
    const all = await walk(server, path, 500);
    expect(all.pages).toHaveLength(1);
    expect(all.ids).toHaveLength(total);
    for (const limit of [1, 2, 3, total]) {
      const paged = await walk(server, path, limit);
      expect(paged.ids).toEqual(all.ids);
      expect(paged.pages).toHaveLength(Math.ceil(total / limit));
      // has_more is exact: a last page that is exactly full still says there is no more.
      expect(paged.pages.at(-1)!.has_more).toBe(false);
    }
  });

  it('marks the version in force on whichever page it falls, oldest first', async () => {
    const policies = (await walk(server, '/v1/policies', 1)).pages.flatMap((page) => page.data) as { version: string; current: boolean }[];
    expect(policies.map((p) => [p.version, p.current])).toEqual([
      ['2024-01-10', false],
      ['paged-1', false],
      ['paged-2', false],
      ['paged-3', true],
    ]);
    const enforcement = (await walk(server, '/v1/enforcement/policies', 2)).pages.flatMap((page) => page.data) as { version: string; current: boolean; source: string; object: string }[];
    expect(enforcement.map((p) => [p.version, p.source, p.current])).toEqual([
      ['default-1', 'bundled', false],
      ['paged-1', 'published', false],
      ['paged-2', 'published', false],
      ['paged-3', 'published', false],
      ['paged-4', 'published', true],
    ]);
    expect(enforcement.every((p) => p.object === 'enforcement_policy')).toBe(true);
  });

  it.each(['/v1/policies', '/v1/enforcement/policies', '/v1/rules/versions', '/v1/store/review-jobs', '/v1/deliveries'])(
    '%s pages by an internal sequence that no answer carries',
    async (path) => {
      const { pages } = await walk(server, path, 2);
      for (const row of pages.flatMap((page) => page.data)) expect(row).not.toHaveProperty('seq');
    },
  );

  it('/v1/audit pages by sequence without gaps or repeats', async () => {
    const all = await walk(server, '/v1/audit', 500);
    expect(all.ids.length).toBeGreaterThan(10);
    const paged = await walk(server, '/v1/audit', 4);
    expect(paged.ids).toEqual(all.ids);
    expect(new Set(paged.ids).size).toBe(paged.ids.length);
  });

  it('refuses a cursor that is not one of that list, a limit out of range, and unknown parameters', async () => {
    const keysCursor = (await walk(server, '/v1/keys', 2)).pages[0]!.next_cursor!;
    for (const path of ['/v1/audit?after=' + keysCursor, '/v1/keys?after=not-a-cursor', '/v1/keys?after=' + Buffer.from('[1]').toString('base64url')]) {
      const response = await server.request(path);
      expect(response.status).toBe(400);
      expect(((await response.json()) as { error: { param: string; code: string } }).error).toMatchObject({ param: 'after', code: 'invalid_cursor' });
    }
    for (const path of ['/v1/keys?limit=0', '/v1/keys?limit=501', '/v1/keys?offset=3']) expect((await server.request(path)).status).toBe(400);
  });
});
