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

export interface CaseSummary {
  id: string;
  kind: string;
  status: string;
  target: { type: string; account: string | null; app: string | null; content: { type: string | null; digest: string | null; ref: string | null; text?: string | null } | null };
  clause_ids: string[];
  categories: string[];
  severity: string;
  sensitive: boolean;
  child_safety: boolean;
  classifier_score: number | null;
  report_count: number;
  priority: number;
  sla_due_at: string;
  overdue: boolean;
  lease: { holder: string; expires_at: string } | null;
  appeal: { id: string; statement: string } | null;
  excluded_reviewers: string[];
  created_at: string;
}

export interface Queue {
  counts: Record<string, number>;
  data: CaseSummary[];
}

export interface EvidenceSpan {
  span?: [number, number];
  category?: string;
  kind?: string;
  /** Image evidence: which input, and for a hash-bank match, the bank and distance. */
  detector?: string;
  input?: string;
  match?: { bank_id: string; bank_name: string; hash: string; distance: number; threshold: number; child_safety: boolean };
}

/** An image of the content as the moderation judged it; its bytes are not retained. */
export interface CaseImage {
  input: string;
  format: string;
  width: number;
  height: number;
  frames: number;
  hashes: { pdq: string; quality: number; md5: string; sha256: string };
  bank_matches: number;
  classification?: { model: string; classes: Record<string, number>; scores: Record<string, number> };
}

export interface Action {
  id: string;
  rung: string;
  status?: string;
  trigger: string;
  taken_at: string;
  ends_at: string | null;
  reasons: { clause_ids: string[]; event_ids: string[] };
}

export interface Standing {
  account: { id: string; kind: string };
  score: number;
  rung: string;
  in_force: string;
  current_actions: Action[];
  actions: Action[];
  events: { id: string; source: string; recorded_at: string; counted: boolean }[];
}

export interface CaseDetail extends CaseSummary {
  classifier: {
    category_scores: Record<string, number>;
    violations: { clause_id: string; category?: string; score?: number; evidence?: EvidenceSpan[] }[];
    images?: CaseImage[];
    /** The tenant's LLM judge, when it decided the result and was unsure. */
    judge?: { name: string; unsure: boolean; rationale: string | null; clause_ids: string[]; categories: string[] };
  } | null;
  reports: { id: string; source: string; reporter: string; clause_id: string | null; category: string | null; text: string | null; evidence: { type: string; value: string; note?: string }[]; created_at: string }[];
  decisions: { id: string; reviewer: string; stage: string; outcome: string; clause_ids: string[]; notes: string | null; decided_at: string }[];
  clauses: { id: string; title: string; section: string; text: string; severity: string }[];
  policy_version: string;
  standing: Standing | null;
}
