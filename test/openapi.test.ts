import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { SCHEMA_FILE, generateApiTypes } from '../scripts/api-types.ts';
import { type TestServer, startTestServer } from './support/server.ts';

interface OpenApiDocument {
  openapi: string;
  paths: Record<string, Record<string, { security?: unknown[]; requestBody?: unknown; parameters?: { in: string; name: string }[]; responses: Record<string, unknown> }>>;
}

describe('the OpenAPI document', () => {
  let server: TestServer;
  const routes: { method: string; url: string; public: boolean }[] = [];
  let document: OpenApiDocument;

  beforeAll(async () => {
    server = await startTestServer('sqlite');
    const response = await fetch(`${server.baseUrl}/openapi.json`);
    expect(response.status).toBe(200);
    document = (await response.json()) as OpenApiDocument;
    routes.push(...server.app.registeredRoutes());
  });
  afterAll(() => server.close());

  it('is valid OpenAPI 3.1, served without a key', async () => {
    expect(document.openapi).toBe('3.1.0');
    const result = await new Validator().validate(document as unknown as Record<string, unknown>);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it('lists every API route the server registered, with its error shape and security', () => {
    const api = routes.filter((route) => route.url.startsWith('/v1/'));
    expect(api.length).toBeGreaterThan(30);
    for (const route of api) {
      const path = route.url.replace(/:([A-Za-z_]+)/g, '{$1}');
      const operation = document.paths[path]?.[route.method.toLowerCase()];
      expect(operation, `${route.method} ${path}`).toBeDefined();
      expect(operation!.responses.default, `${route.method} ${path}`).toMatchObject({ description: expect.any(String) });
      if (!route.public) expect(operation!.security, `${route.method} ${path}`).toEqual([{ apiKey: [] }]);
    }
  });

  it('describes the 2xx answer of each route that declares one, and no route is added without one', () => {
    const api = routes.filter((route) => route.url.startsWith('/v1/') || route.url === '/healthz');
    const undescribed: string[] = [];
    for (const route of api) {
      const path = route.url.replace(/:([A-Za-z_]+)/g, '{$1}');
      const operation = document.paths[path]?.[route.method.toLowerCase()];
      const success = Object.entries(operation?.responses ?? {}).filter(([status]) => /^2\d\d$/.test(status));
      if (success.length === 0) undescribed.push(`${route.method} ${path}`);
      for (const [status, response] of success) {
        // A 204 has no body to describe.
        if (status === '204') expect(response, `${route.method} ${path} ${status}`).not.toHaveProperty('content');
        else expect(JSON.stringify(response), `${route.method} ${path} ${status}`).toContain('"application/json"');
      }
    }
    // Routes whose answers are not described yet (issue 14): this list may only shrink.
    expect(undescribed, 'routes without a 2xx response schema').toEqual([]);
  });

  it('describes the moderation answer in OpenAI\'s shape with the warden extension', () => {
    const answer = JSON.stringify(document.paths['/v1/moderations']!.post!.responses['200']);
    for (const field of ['category_scores', 'category_applied_input_types', 'policy_version', 'violations']) expect(answer).toContain(`"${field}"`);
    const keys = JSON.stringify(document.paths['/v1/keys']!.get!.responses['200']);
    for (const field of ['has_more', 'next_cursor', 'revoked_at']) expect(keys).toContain(`"${field}"`);
  });

  it('describes request bodies and parameters from the zod schemas that validate them', () => {
    const moderation = document.paths['/v1/moderations']!.post!;
    expect(JSON.stringify(moderation.requestBody)).toContain('"input"');
    const revoke = document.paths['/v1/keys/{id}']!.delete!;
    expect(revoke.parameters).toEqual([expect.objectContaining({ in: 'path', name: 'id' })]);
  });

  it('matches the console\'s committed generated types (npm run api:types)', async () => {
    expect(readFileSync(SCHEMA_FILE, 'utf8') === (await generateApiTypes()), `${SCHEMA_FILE} is stale: run npm run api:types`).toBe(true);
  }, 60_000);

  it('has a reference page at /docs', async () => {
    const response = await fetch(`${server.baseUrl}/docs`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/html');
  });

  it('redirects /docs/static/index.html to /docs/, with a query string too (it once redirected to itself; found by npm run fuzz)', async () => {
    for (const path of ['/docs/static/index.html', '/docs/static/index.html?a=1']) {
      const response = await fetch(`${server.baseUrl}${path}`, { redirect: 'manual' });
      expect(response.status, path).toBe(302);
      expect(response.headers.get('location'), path).toBe('/docs/');
    }
    expect((await fetch(`${server.baseUrl}/docs/static/index.html?a=1`)).status).toBe(200);
  });
});
