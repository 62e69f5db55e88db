import type { FastifyInstance, FastifyReply, FastifyRequest, onSendHookHandler, preHandlerHookHandler } from 'fastify';
import { InvalidInput, canonicalJson, sha256Hex } from '../common/index.ts';
import type { IdempotencyKeys } from '../idempotency/index.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** The Idempotency-Key this request holds, once claimed. */
    heldIdempotencyKey: { tenantId: string; key: string } | null;
  }
}

const HEADER = 'idempotency-key';
const MAX_KEY_LENGTH = 255;
const CHANGES_STATE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** The request's Idempotency-Key header, checked; null when it has none. */
export function idempotencyKeyOf(request: FastifyRequest): string | null {
  const value = request.headers[HEADER];
  if (value === undefined) return null;
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_KEY_LENGTH) {
    throw new InvalidInput(`Idempotency-Key must be one header of 1–${MAX_KEY_LENGTH} characters.`, 'Idempotency-Key', 'invalid_idempotency_key');
  }
  return value;
}

/**
 * `Idempotency-Key` on every authenticated request that changes state (Stripe's convention, the
 * IETF draft's header): after validation the key is claimed for the tenant; a retry with the same
 * key and the same method, path and body gets the first answer back (`Idempotent-Replayed: true`)
 * and changes nothing; the same key for another request is a 409. A 5xx answer is not kept, so a
 * retry runs again.
 */
export function registerIdempotency(app: FastifyInstance, keys: IdempotencyKeys): void {
  app.decorateRequest('heldIdempotencyKey', null);
  /** Claims the key; true when the request was a replay and has been answered here. */
  const claim = async (request: FastifyRequest, reply: FastifyReply, key: string, tenantId: string): Promise<boolean> => {
    const digest = sha256Hex(`${request.method} ${request.url}\n${canonicalJson(request.body ?? null)}`);
    const claimed = await keys.claim(tenantId, key, digest);
    if (claimed.kind === 'replay') {
      reply.status(claimed.statusCode).header('content-type', 'application/json; charset=utf-8').header('idempotent-replayed', 'true').send(claimed.body);
      return true;
    }
    request.heldIdempotencyKey = { tenantId, key };
    return false;
  };
  const settle = async (request: FastifyRequest, reply: FastifyReply, payload: unknown, held: { tenantId: string; key: string }) => {
    request.heldIdempotencyKey = null;
    if (reply.statusCode >= 500 || typeof payload !== 'string') await keys.release(held.tenantId, held.key);
    else await keys.complete(held.tenantId, held.key, reply.statusCode, payload);
    return payload;
  };
  // Requests without the header (most) pass both hooks without a promise.
  const claimHook: preHandlerHookHandler = (request, reply, done) => {
    let key: string | null;
    try {
      key = idempotencyKeyOf(request);
    } catch (error) {
      return done(error as Error);
    }
    if (key === null || !request.principal) return done();
    // A replay is answered by the hook itself: done() would run the handler as well.
    claim(request, reply, key, request.principal.tenantId).then((replayed) => replayed || done(), done);
  };
  const settleHook: onSendHookHandler = (request, reply, payload, done) => {
    const held = request.heldIdempotencyKey;
    if (!held) return done(null, payload);
    settle(request, reply, payload, held).then((sent) => done(null, sent), done);
  };
  // Only on the routes that change state: reads and public routes pay nothing for it.
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    if (route.config?.public || !methods.some((method) => CHANGES_STATE.has(method))) return;
    route.preHandler = [...asArray(route.preHandler), claimHook];
    route.onSend = [...asArray(route.onSend), settleHook];
  });
}

function asArray<T>(value: T | T[] | undefined): T[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}
