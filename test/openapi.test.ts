import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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

  it('describes request bodies and parameters from the zod schemas that validate them', () => {
    const moderation = document.paths['/v1/moderations']!.post!;
    expect(JSON.stringify(moderation.requestBody)).toContain('"input"');
    const revoke = document.paths['/v1/keys/{id}']!.delete!;
    expect(revoke.parameters).toEqual([expect.objectContaining({ in: 'path', name: 'id' })]);
  });

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
