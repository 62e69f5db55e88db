import { readFileSync } from 'node:fs';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { type ZodTypeAny, z } from 'zod';
import { zodToJsonSchema } from 'zod-to-json-schema';

/**
 * The API's OpenAPI 3.1 document, derived from the zod schemas that validate each route (so it cannot drift
 * from what the server accepts), served at `GET /openapi.json`, with a reference page at `/docs`.
 * Every operation also describes the OpenAI-shaped error body, its bearer-key security and the roles it needs.
 *
 * @example
 * curl -s localhost:8080/openapi.json | jq '.paths | keys'
 */
export async function registerOpenApi(app: FastifyInstance): Promise<void> {
  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Warden API',
        version: PACKAGE_VERSION,
        description: 'Usage-policy enforcement: OpenAI-compatible moderation, enforcement, review, store review and webhooks.',
      },
      components: {
        securitySchemes: { apiKey: { type: 'http', scheme: 'bearer', description: 'A Warden API key (`wdn_…`).' } },
      },
    },
    transform: ({ schema, url, route }) => ({ schema: describeRoute({ ...schema }, route.config ?? {}), url }),
  });
  app.get('/openapi.json', { config: { public: true }, schema: { hide: true } }, async () => app.swagger());
  await app.register(async (docs) => {
    docs.addHook('onRoute', (route) => {
      route.config = { ...route.config, public: true };
    });
    // @fastify/swagger-ui redirects /docs/static/index.html to /docs/, but with a query string to itself, forever.
    docs.addHook('onRequest', async (request, reply) => {
      if (request.url.startsWith('/docs/static/index.html?')) return reply.redirect('/docs/');
    });
    await docs.register(fastifySwaggerUi, { routePrefix: '/docs', uiConfig: { url: '/openapi.json' } });
  });
}

const PACKAGE_VERSION = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

/** The body of every error response (OpenAI's shape). */
const ERROR_BODY = z.object({
  error: z.object({
    message: z.string(),
    type: z.string(),
    param: z.string().nullable(),
    code: z.string().nullable(),
  }),
});

const ERROR_RESPONSE = { description: 'An error (4xx, 5xx): `error.message` says why, `error.param` names the offending field.', ...jsonSchema(ERROR_BODY) };

const SCHEMA_PARTS = ['body', 'querystring', 'params', 'headers'] as const;

type RouteConfig = { public?: boolean; roles?: readonly string[] };

/** One route's schema as OpenAPI sees it: zod parts as JSON Schema, errors, security and roles. */
function describeRoute(schema: Record<string, unknown>, config: RouteConfig): Record<string, unknown> {
  const described: Record<string, unknown> = { ...schema };
  for (const part of SCHEMA_PARTS) {
    if (isZod(schema[part])) described[part] = jsonSchema(schema[part]);
  }
  const responses = (schema.response ?? {}) as Record<string, unknown>;
  described.response = {
    ...Object.fromEntries(Object.entries(responses).map(([status, body]) => [status, isZod(body) ? jsonSchema(body) : body])),
    default: ERROR_RESPONSE,
  };
  if (!config.public) {
    described.security = [{ apiKey: [] }];
    const roles = config.roles ? `Roles: ${config.roles.join(', ')}.` : 'Any role.';
    described.description = [schema.description, roles].filter(Boolean).join(' ');
  }
  return described;
}

function isZod(value: unknown): value is ZodTypeAny {
  return typeof value === 'object' && value !== null && typeof (value as ZodTypeAny).safeParse === 'function';
}

function jsonSchema(schema: ZodTypeAny): Record<string, unknown> {
  const { $schema: _dialect, ...rest } = zodToJsonSchema(schema, { target: 'jsonSchema7', $refStrategy: 'none' }) as Record<string, unknown>;
  return rest;
}
