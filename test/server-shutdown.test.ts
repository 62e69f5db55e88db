import { once } from 'node:events';
import http from 'node:http';
import net from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { createServices } from '../src/app/index.ts';
import { buildApp } from '../src/server/index.ts';
import { openTestStore } from './support/backends.ts';

/** Resolves with the promise, or fails once `ms` have passed: close() must not wait on a client. */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms} ms`)), ms);
  });
  return Promise.race([promise, limit]).finally(() => clearTimeout(timer));
}

// HTTP only: the database behind the server makes no difference, so SQLite stands in for both.
describe('server shutdown', () => {
  let cleanup: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await cleanup?.();
    cleanup = undefined;
  });

  /** A real server on loopback with one extra public route that answers when the test says so. */
  async function startServer() {
    const test = await openTestStore('sqlite');
    const app: FastifyInstance = await buildApp(createServices(test.store, test.clock), { logger: false });
    let arrived: () => void = () => {};
    let answer: () => void = () => {};
    const requestArrived = new Promise<void>((resolve) => (arrived = resolve));
    const answerNow = new Promise<void>((resolve) => (answer = resolve));
    app.get('/test/slow', { config: { public: true } }, async () => {
      arrived();
      await answerNow;
      return { ok: true };
    });
    const url = new URL(await app.listen({ port: 0, host: '127.0.0.1' }));
    cleanup = async () => {
      answer();
      // A failed test may leave close() stuck: give up on it rather than on the database.
      await within(app.close(), 5_000, 'app.close()').catch(() => undefined);
      await test.close();
    };
    return { app, port: Number(url.port), requestArrived, answer };
  }

  it('a client that connected but sent no request does not hold close() up', async () => {
    const { app, port } = await startServer();
    // What an HTTP client's connection pool (or a browser's preconnect) leaves behind: an open
    // connection the server has accepted, with no request on it yet.
    const accepted = once(app.server, 'connection');
    const socket = net.connect(port, '127.0.0.1');
    await once(socket, 'connect');
    await accepted;
    const socketClosed = once(socket, 'close');
    await within(app.close(), 5_000, 'app.close()');
    await within(socketClosed, 5_000, 'the server ending the connection');
  });

  it('a request in flight when close() starts gets its answer, then the connection is ended', async () => {
    const { app, port, requestArrived, answer } = await startServer();
    const agent = new http.Agent({ keepAlive: true });
    try {
      const response = new Promise<{ status: number; body: string }>((resolve, reject) => {
        http
          .get({ host: '127.0.0.1', port, path: '/test/slow', agent }, (res) => {
            let body = '';
            res.on('data', (chunk: Buffer) => (body += chunk.toString()));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
          })
          .on('error', reject);
      });
      await requestArrived;
      const closed = app.close();
      // Answer only once the HTTP server itself is closing (app.close() gets there asynchronously).
      while (app.server.listening) await new Promise((resolve) => setTimeout(resolve, 5));
      answer();
      expect(await within(response, 5_000, 'the answer')).toMatchObject({ status: 200, body: '{"ok":true}' });
      // The keep-alive connection is not left open for the keep-alive timeout (72 s).
      await within(closed, 5_000, 'app.close()');
    } finally {
      agent.destroy();
    }
  });
});
