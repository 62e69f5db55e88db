/**
 * bench:http's second reference: Warden's own HTTP stack (every hook: request id, auth against a real key,
 * rate limit, input guards, body validation, idempotency, metrics) answering `/v1/moderations` with a fixed
 * one-text answer, the moderation use case left out. The gap between it and the bare floor is what the
 * stack costs; the gap between it and `warden serve` is what moderating costs. Runs compiled (dist/).
 *
 *   WARDEN_ADMIN_KEY=… FIXED='{"id":…}' DB=sqlite:/tmp/x.db node bench/http-stack.mjs   → prints its URL
 */
import { createServices } from '../dist/app/index.js';
import { openStore } from '../dist/db/index.js';
import { buildApp, loggerOptions } from '../dist/server/index.js';

const store = await openStore(process.env.DB);
const services = createServices(store, undefined, { rateLimitPerSecond: 1_000_000 });
await services.tenancy.bootstrap(process.env.WARDEN_ADMIN_KEY);
const fixed = JSON.parse(process.env.FIXED);
const app = await buildApp({ ...services, moderations: { moderate: async () => fixed } }, { logger: { ...loggerOptions, level: 'warn' } });
console.log(await app.listen({ port: 0, host: '127.0.0.1' }));
