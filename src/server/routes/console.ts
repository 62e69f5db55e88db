import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

/** Where `npm run build:web` puts the reviewer console. */
export const CONSOLE_DIR = fileURLToPath(new URL('../../../web/dist/', import.meta.url));

const MISSING_BUILD = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Warden console</title></head>
<body><h1>The reviewer console has not been built</h1>
<p>Run <code>npm run build:web</code> in the Warden checkout (<code>npm start</code> does it for you), then reload.</p></body></html>`;

/** The reviewer console's static files at /console. They are public: the console itself asks for a reviewer key. */
export async function consoleRoutes(app: FastifyInstance) {
  app.addHook('onRoute', (route) => {
    route.config = { ...route.config, public: true };
    route.schema = { ...route.schema, hide: true }; // static files, not API: kept out of /openapi.json
  });
  if (!existsSync(`${CONSOLE_DIR}index.html`)) {
    const missing = async (_request: unknown, reply: { status(code: number): { type(t: string): { send(body: string): unknown } } }) =>
      reply.status(503).type('text/html; charset=utf-8').send(MISSING_BUILD);
    app.get('/console', missing);
    app.get('/console/*', missing);
    return;
  }
  await app.register(fastifyStatic, { root: CONSOLE_DIR, prefix: '/console/', index: false });
  // The router ignores trailing slashes, so this one route answers both /console and /console/.
  app.get('/console', async (_request, reply) => reply.sendFile('index.html'));
}
