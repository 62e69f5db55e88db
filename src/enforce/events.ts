import { z } from 'zod';
import { ALL_CATEGORIES, InvalidInput, canonicalJson, sha256Hex } from '../common/index.ts';
import { type Clause, type PolicyDocument, effectiveSeverity } from '../policy/index.ts';
import { ACCOUNT_KINDS } from './accounts.ts';
import type { actionView } from './actions.ts';
import { isChildSafetyViolation } from './child-safety.ts';
import { type Exemption, coveringExemption } from './exemptions.ts';
import type { ClassifiedViolation } from './strikes.ts';

export const EVENT_SOURCES = ['api', 'moderation', 'review'] as const;
export const CONTENT_TYPES = ['text', 'image'] as const;
/** Clock skew tolerated on a caller's `occurred_at`. */
const FUTURE_SKEW_MS = 5 * 60 * 1000;

const violationInput = z
  .object({
    clause_id: z.string().min(1).max(100),
    category: z.enum(ALL_CATEGORIES).optional(),
    score: z.number().min(0).max(1).optional(),
    evidence: z.array(z.record(z.string(), z.unknown())).max(100).optional(),
  })
  .strict();

export const eventInput = z
  .object({
    /** Idempotency id: the same id twice counts once. */
    id: z.string().min(1).max(200),
    account: z.string().min(1).max(256),
    account_kind: z.enum(ACCOUNT_KINDS).default('user'),
    source: z.enum(EVENT_SOURCES).default('api'),
    occurred_at: z.string().datetime({ offset: true }).optional(),
    violations: z.array(violationInput).min(1).max(50),
    content: z.object({ digest: z.string().regex(/^[a-f0-9]{64}$/, 'a sha256 digest in hex'), type: z.enum(CONTENT_TYPES) }).strict().optional(),
    reviewer: z.string().min(1).max(200).optional(),
  })
  .strict();
export type EventInput = z.infer<typeof eventInput>;

/** What recording an event answers; a repeated id gets the very same answer back. */
export interface EventResult {
  object: 'enforcement_event';
  id: string;
  account: string;
  source: string;
  occurred_at: string;
  recorded_at: string;
  violations: ClassifiedViolation[];
  counted: boolean;
  weight: number;
  score: number;
  rung: string;
  in_force: string;
  action: ReturnType<typeof actionView> | null;
  child_safety_report: string | null;
  policy_version: string;
  enforcement_version: string;
}

export interface Recorded {
  result: EventResult;
  /** True when the id had been recorded before and this is its original result. */
  replayed: boolean;
}

/** Refuses an event naming an unknown clause, a category the clause is not enforced through, or a future time. */
export function checkEvent(event: EventInput, document: PolicyDocument, now: Date, param: string): void {
  const clauses = clauseMap(document);
  event.violations.forEach((violation, index) => {
    const clause = clauses.get(violation.clause_id);
    if (!clause) {
      throw new InvalidInput(`Unknown clause "${violation.clause_id}" in policy version ${document.version}.`, `${param}violations[${index}].clause_id`, 'unknown_clause');
    }
    if (violation.category && !(clause.categories as string[]).includes(violation.category)) {
      throw new InvalidInput(
        `Clause "${clause.id}" is not enforced through "${violation.category}" (it covers ${clause.categories.join(', ')}).`,
        `${param}violations[${index}].category`,
      );
    }
  });
  if (event.occurred_at && new Date(event.occurred_at).getTime() > now.getTime() + FUTURE_SKEW_MS) {
    throw new InvalidInput('occurred_at is in the future.', `${param}occurred_at`);
  }
}

export function classify(event: EventInput, document: PolicyDocument, exemptions: Exemption[]): ClassifiedViolation[] {
  const clauses = clauseMap(document);
  return event.violations.map((violation) => {
    const clause = clauses.get(violation.clause_id)!;
    const category = violation.category ?? null;
    const childSafety = isChildSafetyViolation(clause, category);
    const exemption = coveringExemption(exemptions, clause.id, category, childSafety);
    return {
      clause_id: clause.id,
      category,
      severity: effectiveSeverity(clause, category),
      score: violation.score ?? null,
      child_safety: childSafety,
      exempt: exemption !== null,
      exemption_id: exemption?.id ?? null,
    };
  });
}

const clauseMaps = new WeakMap<PolicyDocument, Map<string, Clause>>();

function clauseMap(document: PolicyDocument): Map<string, Clause> {
  let map = clauseMaps.get(document);
  if (!map) {
    map = new Map(document.clauses.map((c) => [c.id, c]));
    clauseMaps.set(document, map);
  }
  return map;
}

export function bodyDigest(event: EventInput): string {
  return sha256Hex(canonicalJson(event));
}
