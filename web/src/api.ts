/** The Warden API as the console calls it: same origin, the reviewer's key as a bearer token. */
import type { paths } from './api/schema';

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

/**
 * The JSON answer of a route, from the types generated from the server's OpenAPI document (`npm run api:types`),
 * never copied by hand: `Answer<'/v1/models/{id}'>`, `Answer<'/v1/models/train', 'post', 202>`.
 */
export type Answer<P extends keyof paths, M extends Method = 'get', S extends number = 200> = paths[P][M] extends { responses: infer R }
  ? S extends keyof R
    ? R[S] extends { content: { 'application/json': infer Body } }
      ? Body
      : never
    : never
  : never;

export type VersionSummary = Answer<'/v1/policies'>['data'][number];

const KEY_STORAGE = 'warden.reviewerKey';

export function storedKey(): string | null {
  return sessionStorage.getItem(KEY_STORAGE);
}

export function storeKey(key: string | null): void {
  if (key) sessionStorage.setItem(KEY_STORAGE, key);
  else sessionStorage.removeItem(KEY_STORAGE);
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export async function api<T>(path: string, init: { method?: string; body?: unknown; key?: string } = {}): Promise<T> {
  const key = init.key ?? storedKey();
  const headers: Record<string, string> = {};
  if (key) headers.authorization = `Bearer ${key}`;
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(path, { method: init.method ?? 'GET', headers, body: init.body === undefined ? undefined : JSON.stringify(init.body) });
  const body = (await res.json().catch(() => null)) as { error?: { message: string } } | null;
  if (!res.ok) throw new ApiError(res.status, body?.error?.message ?? `HTTP ${res.status}`);
  return body as T;
}

export type Whoami = Answer<'/v1/review/whoami'>;

export type Queue = Answer<'/v1/review/queue'>;
export type CaseSummary = Queue['data'][number];
export type CaseDetail = Answer<'/v1/review/cases/{id}'>;
type Classifier = NonNullable<CaseDetail['classifier']>;
export type EvidenceSpan = NonNullable<Classifier['violations'][number]['evidence']>[number];
/** An image of the content as the moderation judged it; its bytes are not retained. */
export type CaseImage = NonNullable<Classifier['images']>[number];
export type Standing = NonNullable<CaseDetail['standing']>;
export type Action = Standing['actions'][number];
