import { sql } from 'kysely';
import type { FastifyInstance } from 'fastify';
import type { Services } from '../../app/index.ts';
import { health } from '../responses.ts';

export async function healthRoutes(app: FastifyInstance, { services }: { services: Services }) {
  app.get('/healthz', { config: { public: true }, schema: { response: { 200: health, 503: health } } }, async (_request, reply) => {
    try {
      await sql`select 1`.execute(services.store.db);
      return { status: 'ok', database: services.store.dialect };
    } catch {
      return reply.status(503).send({ status: 'unavailable', database: services.store.dialect });
    }
  });
}
