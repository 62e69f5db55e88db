import type { FastifyInstance } from 'fastify';
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Request counts and latency by route, plus the process's own metrics, at GET /metrics. */
export function registerMetrics(app: FastifyInstance): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const requests = new Counter({
    name: 'warden_http_requests_total',
    help: 'HTTP requests by route, method and status code.',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [registry],
  });
  const latency = new Histogram({
    name: 'warden_http_request_duration_seconds',
    help: 'HTTP request latency by route and method.',
    labelNames: ['method', 'route'] as const,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });

  // Routes are templates (or "unmatched"), so the label sets stay bounded whatever the URLs requested,
  // and each set's child metrics are looked up once (prom-client hashes a label object on every call).
  const counted = new Map<string, { count: Counter.Internal; time: Histogram.Internal<'method' | 'route'> }>();
  app.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url ?? 'unmatched';
    const key = `${request.method} ${reply.statusCode} ${route}`;
    let children = counted.get(key);
    if (!children) {
      children = { count: requests.labels(request.method, route, String(reply.statusCode)), time: latency.labels(request.method, route) };
      counted.set(key, children);
    }
    children.count.inc();
    children.time.observe(reply.elapsedTime / 1000);
    done();
  });

  app.get('/metrics', { config: { public: true } }, async (_request, reply) => {
    reply.type(registry.contentType);
    return registry.metrics();
  });
  return registry;
}
