import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import Fastify, { type FastifyInstance, type RouteOptions } from 'fastify';
import type { LoggerOptions } from 'pino';
import { registerAuth } from './auth.ts';
import { frameworkErrorOptions, registerErrorHandling } from './errors.ts';
import { MAX_PARAM_LENGTH, registerInputGuards } from './input-guards.ts';
import { registerIdempotency } from './idempotency.ts';
import { registerMetrics } from './metrics.ts';
import { registerOpenApi } from './openapi.ts';
import { registerRateLimits } from './rate-limit.ts';
import { auditRoutes } from './routes/audit.ts';
import { childSafetyRoutes } from './routes/child-safety.ts';
import { consoleRoutes } from './routes/console.ts';
import { enforcementRoutes } from './routes/enforcement.ts';
import { imageRoutes } from './routes/images.ts';
import { judgeRoutes } from './routes/judges.ts';
import { healthRoutes } from './routes/health.ts';
import { keyRoutes } from './routes/keys.ts';
import { learningRoutes } from './routes/learning.ts';
import { moderationRoutes } from './routes/moderations.ts';
import { policyRoutes } from './routes/policies.ts';
import { reviewRoutes } from './routes/review.ts';
import { ruleRoutes } from './routes/rules.ts';
import { storeRoutes } from './routes/store.ts';
import { subscriptionRoutes } from './routes/subscriptions.ts';
import { trendRoutes } from './routes/trends.ts';
import type { Services } from '../app/index.ts';
import { zodSerializerCompiler, zodValidatorCompiler } from './zod.ts';

export interface AppOptions {
  /** pino options, or false for silence (tests). */
  logger?: LoggerOptions | boolean;
  /** Largest request body accepted, in bytes. */
  bodyLimit?: number;
  /** Fail (500) an answer that its route's response schema does not describe: the test servers' check. */
  checkResponses?: boolean;
}

export const DEFAULT_BODY_LIMIT = 1024 * 1024;

/** A route as registered: what the OpenAPI document and the route-coverage suites check against. */
export interface RegisteredRoute {
  method: string;
  url: string;
  public: boolean;
  roles?: readonly string[];
  /** The route's zod schemas (body, querystring, params), for the OpenAPI document and the HTTP fuzzing suite. */
  schema?: RouteOptions['schema'];
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Every route, HEAD routes (Fastify's own, one per GET) left out. */
    registeredRoutes(): RegisteredRoute[];
  }
}

/** Logs never carry keys or bodies: pino's request serializer has no body, and credentials are redacted. */
export const loggerOptions: LoggerOptions = {
  level: process.env.LOG_LEVEL ?? 'info',
  redact: { paths: ['req.headers.authorization', 'req.headers.cookie', '*.key', '*.secret'], censor: '[redacted]' },
};

export async function buildApp(services: Services, options: AppOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    logger: options.logger ?? loggerOptions,
    bodyLimit: options.bodyLimit ?? DEFAULT_BODY_LIMIT,
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: MAX_PARAM_LENGTH },
    requestIdHeader: false,
    genReqId: requestId,
    ...frameworkErrorOptions,
  });
  app.setValidatorCompiler(zodValidatorCompiler);
  // Response schemas describe the answers in the OpenAPI document; answers are serialised as built, never filtered.
  app.setSerializerCompiler(zodSerializerCompiler(options.checkResponses === true));
  endConnectionsOnClose(app);
  recordRoutes(app);
  app.addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', request.id);
    done();
  });
  registerErrorHandling(app);
  registerInputGuards(app);
  const metrics = registerMetrics(app);
  registerAuth(app, { tenancy: services.tenancy });
  await registerRateLimits(app, services.rateLimits);
  registerIdempotency(app, services.idempotencyKeys);

  await registerOpenApi(app); // before the routes, so that it sees each one
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
  await app.register(imageRoutes, { services });
  await app.register(ruleRoutes, { services });
  await app.register(trendRoutes, { services });
  await app.register(learningRoutes, { services });
  await app.register(judgeRoutes, { services, metrics });
  await app.register(consoleRoutes);
  return app;
}

/** The caller's `x-request-id` when it is a plausible id (so its logs and ours line up), else a new UUID. */
function requestId(request: IncomingMessage): string {
  const given = request.headers['x-request-id'];
  return typeof given === 'string' && /^[\w.:-]{1,128}$/.test(given) ? given : randomUUID();
}

function recordRoutes(app: FastifyInstance): void {
  const routes: RouteOptions[] = [];
  app.addHook('onRoute', (route) => {
    routes.push(route);
  });
  // Read lazily: plugins' own onRoute hooks (the console's "public") run after this one and change the options.
  app.decorate('registeredRoutes', () =>
    routes.flatMap((route) =>
      [route.method]
        .flat()
        .filter((method) => method !== 'HEAD')
        .map((method) => ({ method, url: route.url, public: route.config?.public === true, roles: route.config?.roles, schema: route.schema })),
    ),
  );
}

/**
 * close() must not wait on clients. Node's server.close() ends only the connections that are idle
 * at that moment: one that was accepted but has not sent a request yet counts as busy (and close()
 * stops the timer that would have ended it), and one whose answer was still being written is then
 * kept alive for the keep-alive timeout (72 s). A pooled HTTP client's spare connection or a
 * browser's preconnect would hold shutdown up, for ever in the first case. So once the server is
 * closing, every connection is ended as soon as it has no request in progress; requests already in
 * progress still get their answers.
 */
function endConnectionsOnClose(app: FastifyInstance): void {
  const requestsInProgress = new Map<Socket, number>();
  let closing = false;
  const end = (socket: Socket) => socket.end(() => socket.destroy());
  app.server.on('connection', (socket: Socket) => {
    requestsInProgress.set(socket, 0);
    socket.once('close', () => requestsInProgress.delete(socket));
  });
  app.server.prependListener('request', (request: IncomingMessage, response: ServerResponse) => {
    const socket = request.socket;
    if (!requestsInProgress.has(socket)) return;
    requestsInProgress.set(socket, requestsInProgress.get(socket)! + 1);
    // 'close' comes after Node has finished with the response (or after the client went away).
    response.once('close', () => {
      const left = requestsInProgress.get(socket);
      if (left === undefined) return;
      requestsInProgress.set(socket, left - 1);
      if (closing && left === 1) end(socket);
    });
  });
  app.addHook('preClose', async () => {
    closing = true;
    for (const [socket, requests] of requestsInProgress) if (requests === 0) socket.destroy();
  });
}
