import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import { refusedAddress } from './address-guard.ts';

export interface WebhookTarget {
  url: string;
  body: string;
  headers: Record<string, string>;
  /** The whole attempt, connection to last byte, is abandoned after this. */
  timeoutMs: number;
  /** Loopback and private networks are refused unless this is set (tests, or receivers on one's own network). */
  allowPrivateNetworks: boolean;
}

export interface WebhookOutcome {
  ok: boolean;
  statusCode: number | null;
  error: string | null;
}

const MAX_RESPONSE_BYTES = 64 * 1024;

/**
 * POSTs one webhook. Redirects are never followed (a 3xx is a failure), the response body is
 * read only up to a small limit, and the address is checked after DNS resolution, so a name
 * that resolves to a private address is refused as well as a literal one. Node connects to an
 * IP literal without any lookup, so a literal is checked here first.
 */
export function postWebhook(target: WebhookTarget): Promise<WebhookOutcome> {
  const url = new URL(target.url);
  const literal = url.hostname.replace(/^\[|\]$/g, '');
  const refused = target.allowPrivateNetworks || !isIP(literal) ? null : refusedAddress(literal);
  if (refused) return Promise.resolve({ ok: false, statusCode: null, error: `${literal} is a ${refused} address; not connecting` });
  const client = url.protocol === 'https:' ? https : http;
  return new Promise((resolve) => {
    let settled = false;
    const finish = (outcome: WebhookOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(outcome);
    };
    const request = client.request(
      url,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(target.body), 'user-agent': 'Warden-Webhooks/1', ...target.headers },
        lookup: guardedLookup(target.allowPrivateNetworks),
        agent: false,
      },
      (response) => {
        const status = response.statusCode ?? 0;
        let received = 0;
        response.on('data', (chunk: Buffer) => {
          received += chunk.length;
          if (received > MAX_RESPONSE_BYTES) response.destroy();
        });
        response.on('close', () => {
          if (status >= 200 && status < 300) finish({ ok: true, statusCode: status, error: null });
          else if (status >= 300 && status < 400) finish({ ok: false, statusCode: status, error: `redirect to ${response.headers.location ?? '?'} not followed` });
          else finish({ ok: false, statusCode: status, error: `receiver answered HTTP ${status}` });
        });
      },
    );
    const timer = setTimeout(() => {
      finish({ ok: false, statusCode: null, error: `timed out after ${target.timeoutMs} ms` });
      request.destroy();
    }, target.timeoutMs);
    request.on('error', (error) => finish({ ok: false, statusCode: null, error: error.message }));
    request.end(target.body);
  });
}

export interface GuardedGet {
  url: string;
  /** The whole fetch, connection to last byte, is abandoned after this. */
  timeoutMs: number;
  /** Larger bodies are abandoned as soon as they exceed it (from Content-Length, or while reading). */
  maxBytes: number;
  allowPrivateNetworks: boolean;
  accept?: string;
}

export type GuardedGetOutcome =
  | { ok: true; contentType: string | null; body: Buffer }
  | { ok: false; reason: 'refused' | 'failed' | 'too_large'; error: string };

/**
 * GETs a URL under the same guard as webhooks: private, loopback and link-local addresses refused (literal ones
 * here, names after DNS resolution), no redirects followed, a size cap and a time cap.
 */
export function getGuarded(target: GuardedGet): Promise<GuardedGetOutcome> {
  const url = new URL(target.url);
  const literal = url.hostname.replace(/^\[|\]$/g, '');
  const refused = target.allowPrivateNetworks || !isIP(literal) ? null : refusedAddress(literal);
  if (refused) return Promise.resolve({ ok: false, reason: 'refused', error: `${literal} is a ${refused} address; not connecting` });
  const client = url.protocol === 'https:' ? https : http;
  return new Promise((resolve) => {
    let settled = false;
    const finish = (outcome: GuardedGetOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(outcome);
      request.destroy();
    };
    const request = client.request(
      url,
      { method: 'GET', headers: { 'user-agent': 'Warden/1', accept: target.accept ?? '*/*' }, lookup: guardedLookup(target.allowPrivateNetworks), agent: false },
      (response) => {
        const status = response.statusCode ?? 0;
        if (status >= 300 && status < 400) return finish({ ok: false, reason: 'refused', error: `redirect to ${response.headers.location ?? '?'} not followed` });
        if (status < 200 || status >= 300) return finish({ ok: false, reason: 'failed', error: `the server answered HTTP ${status}` });
        const tooLarge = { ok: false as const, reason: 'too_large' as const, error: `the body is larger than ${target.maxBytes} bytes` };
        if (Number(response.headers['content-length'] ?? 0) > target.maxBytes) return finish(tooLarge);
        const chunks: Buffer[] = [];
        let received = 0;
        response.on('data', (chunk: Buffer) => {
          received += chunk.length;
          if (received > target.maxBytes) finish(tooLarge);
          else chunks.push(chunk);
        });
        response.on('end', () => finish({ ok: true, contentType: response.headers['content-type'] ?? null, body: Buffer.concat(chunks) }));
        response.on('error', (error) => finish({ ok: false, reason: 'failed', error: error.message }));
      },
    );
    const timer = setTimeout(() => finish({ ok: false, reason: 'failed', error: `timed out after ${target.timeoutMs} ms` }), target.timeoutMs);
    request.on('error', (error: NodeJS.ErrnoException) => finish({ ok: false, reason: error.code === 'EPRIVATE' ? 'refused' : 'failed', error: error.message }));
    request.end();
  });
}

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

function guardedLookup(allowPrivate: boolean) {
  return (hostname: string, options: object, callback: LookupCallback) => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, []);
      const refused = allowPrivate ? undefined : addresses.find((entry) => refusedAddress(entry.address) !== null);
      if (refused) return callback(Object.assign(new Error(`${hostname} resolves to a private address (${refused.address})`), { code: 'EPRIVATE' }), []);
      const all = (options as { all?: boolean }).all;
      if (all) return callback(null, addresses);
      callback(null, addresses[0]!.address, addresses[0]!.family);
    });
  };
}

export interface GuardedPost {
  url: string;
  body: string;
  headers: Record<string, string>;
  timeoutMs: number;
  maxBytes: number;
  allowPrivateNetworks: boolean;
  /** Abandons the request early (the caller gave up). */
  signal?: AbortSignal;
}

export type GuardedPostOutcome =
  | { ok: true; statusCode: number; body: string }
  | { ok: false; reason: 'refused' | 'timeout' | 'failed' | 'too_large'; statusCode: number | null; body: string | null; error: string };

/**
 * POSTs a JSON body and reads the answer, under the same guard as webhooks (private, loopback and
 * link-local addresses refused, literal ones here and names after DNS resolution, unless allowed;
 * no redirects followed; a size cap and a time cap on the whole exchange). A non-2xx answer comes
 * back with its status and body, for the caller to tell a 429 from a 500.
 */
export function postGuarded(target: GuardedPost): Promise<GuardedPostOutcome> {
  const url = new URL(target.url);
  const literal = url.hostname.replace(/^\[|\]$/g, '');
  const refused = target.allowPrivateNetworks || !isIP(literal) ? null : refusedAddress(literal);
  if (refused) return Promise.resolve({ ok: false, reason: 'refused', statusCode: null, body: null, error: `${literal} is a ${refused} address; not connecting` });
  const client = url.protocol === 'https:' ? https : http;
  return new Promise((resolve) => {
    let settled = false;
    const finish = (outcome: GuardedPostOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      target.signal?.removeEventListener('abort', abort);
      resolve(outcome);
      request.destroy();
    };
    const abort = () => finish({ ok: false, reason: 'failed', statusCode: null, body: null, error: 'abandoned by the caller' });
    const request = client.request(
      url,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(target.body), 'user-agent': 'Warden/1', accept: 'application/json', ...target.headers },
        lookup: guardedLookup(target.allowPrivateNetworks),
        agent: false,
      },
      (response) => {
        const status = response.statusCode ?? 0;
        if (status >= 300 && status < 400) return finish({ ok: false, reason: 'refused', statusCode: status, body: null, error: `redirect to ${response.headers.location ?? '?'} not followed` });
        const chunks: Buffer[] = [];
        let received = 0;
        response.on('data', (chunk: Buffer) => {
          received += chunk.length;
          if (received > target.maxBytes) finish({ ok: false, reason: 'too_large', statusCode: status, body: null, error: `the answer is larger than ${target.maxBytes} bytes` });
          else chunks.push(chunk);
        });
        response.on('end', () => {
          const body = Buffer.concat(chunks).toString('utf8');
          if (status >= 200 && status < 300) finish({ ok: true, statusCode: status, body });
          else finish({ ok: false, reason: 'failed', statusCode: status, body, error: `the server answered HTTP ${status}` });
        });
        response.on('error', (error) => finish({ ok: false, reason: 'failed', statusCode: status, body: null, error: error.message }));
      },
    );
    const timer = setTimeout(() => finish({ ok: false, reason: 'timeout', statusCode: null, body: null, error: `timed out after ${target.timeoutMs} ms` }), target.timeoutMs);
    target.signal?.addEventListener('abort', abort, { once: true });
    request.on('error', (error: NodeJS.ErrnoException) =>
      finish({ ok: false, reason: error.code === 'EPRIVATE' ? 'refused' : 'failed', statusCode: null, body: null, error: error.message }),
    );
    request.end(target.body);
  });
}
