import Fastify, { type FastifyInstance } from 'fastify';
import type { LoggerOptions } from 'pino';
import { registerAuth } from './auth.ts';
import { registerErrorHandling } from './errors.ts';
import { registerMetrics } from './metrics.ts';
import { auditRoutes } from './routes/audit.ts';
import { childSafetyRoutes } from './routes/child-safety.ts';
import { consoleRoutes } from './routes/console.ts';
import { enforcementRoutes } from './routes/enforcement.ts';
import { healthRoutes } from './routes/health.ts';
import { keyRoutes } from './routes/keys.ts';
import { moderationRoutes } from './routes/moderations.ts';
import { policyRoutes } from './routes/policies.ts';
import { reviewRoutes } from './routes/review.ts';
import { storeRoutes } from './routes/store.ts';
import { subscriptionRoutes } from './routes/subscriptions.ts';
import type { Services } from './services.ts';
import { zodValidatorCompiler } from './zod.ts';

export interface AppOptions {
  /** pino options, or false for silence (tests). */
  logger?: LoggerOptions | boolean;
  /** Largest request body accepted, in bytes. */
  bodyLimit?: number;
  rateLimitPerSecond?: number;
}

export const DEFAULT_BODY_LIMIT = 1024 * 1024;

/** Logs never carry keys or bodies: pino's request serializer has no body, and credentials are redacted. */
export const loggerOptions: LoggerOptions = {
  level: process.env.LOG_LEVEL ?? 'info',
  redact: { paths: ['req.headers.authorization', 'req.headers.cookie', '*.key', '*.secret'], censor: '[redacted]' },
};

export async function buildApp(services: Services, options: AppOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    logger: options.logger ?? loggerOptions,
    bodyLimit: options.bodyLimit ?? DEFAULT_BODY_LIMIT,
    routerOptions: { ignoreTrailingSlash: true },
  });
  app.setValidatorCompiler(zodValidatorCompiler);
  registerErrorHandling(app);
  const metrics = registerMetrics(app);
  registerAuth(app, { tenancy: services.tenancy, rateLimitPerSecond: options.rateLimitPerSecond ?? 1000 });

  await app.register(healthRoutes, { services });
  await app.register(policyRoutes, { services });
  await app.register(keyRoutes, { services });
  await app.register(auditRoutes, { services });
  await app.register(moderationRoutes, { services });
  await app.register(enforcementRoutes, { services });
  await app.register(childSafetyRoutes, { services });
  await app.register(reviewRoutes, { services });
  await app.register(storeRoutes, { services, metrics });
  await app.register(subscriptionRoutes, { services, metrics });
  await app.register(consoleRoutes);
  return app;
}
