import fastifyRateLimit from '@fastify/rate-limit';
import type { FastifyInstance } from 'fastify';
import { RateLimited } from '../common/index.ts';
import type { TenantRateLimits } from '../tenancy/index.ts';

/**
 * Per-key request rates through @fastify/rate-limit: at most the key's tenant's limit (`PUT /v1/rate-limit`, else
 * the server's default) in each one-second window per API key, with the IETF draft's `RateLimit-Limit`, `RateLimit-Remaining` and `RateLimit-Reset` headers
 * on every answer and `Retry-After` on a 429. Public routes (health, metrics, docs, the console's files) are
 * not limited. Counters live in this process: behind several replicas each counts its own share.
 *
 * Registered after the auth hook (which resolves the key) and before the routes (the plugin attaches to each).
 */
export async function registerRateLimits(app: FastifyInstance, limits: TenantRateLimits): Promise<void> {
  await app.register(fastifyRateLimit, {
    global: true,
    hook: 'preValidation',
    // Cached per tenant: a change holds at once here and within a change-feed poll on other replicas.
    max: async (request) => (request.principal ? limits.perSecond(request.principal.tenantId) : limits.defaultPerSecond),
    timeWindow: 1000,
    enableDraftSpec: true,
    keyGenerator: (request) => (request.principal ? `key:${request.principal.keyId}` : `ip:${request.ip}`),
    allowList: (request) => request.routeOptions.config.public === true,
    // What is thrown here goes through the error handler like any other error: OpenAI's shape, Retry-After.
    errorResponseBuilder: (_request, context) => new RateLimited(Math.max(1, Math.ceil(context.ttl / 1000))),
  });
}
