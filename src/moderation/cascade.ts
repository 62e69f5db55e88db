import type { CategoryScores } from '../detect/index.ts';
import type { PolicyDocument } from '../policy/index.ts';
import type { FollowUpWrite } from './follow-up.ts';
import type { ModerationResult } from './moderator.ts';
import type { ModerationItem } from './request.ts';

/** What the stage after local detection sees of one request. */
export interface CascadeCall {
  tenantId: string;
  moderationId: string;
  items: ModerationItem[];
  /** The local verdicts, one per item (images' findings already in the first). */
  results: ModerationResult[];
  document: PolicyDocument;
  /** The thresholds in force (the model's defaults with the tenant's overrides). */
  thresholds: CategoryScores;
}

/** What the judge concluded about one result, for the domains that act on it (review). */
export interface JudgeNote {
  judge: string;
  /** The judge wants a person to look: a clause it is unsure about, or a judgement that failed on an uncertain item. */
  unsure: boolean;
  rationale: string | null;
  /** The clauses the judge found violated (empty when it found none or gave no answer). */
  clauseIds: string[];
  /** The categories that sent the item to the judge. */
  categories: string[];
}

export interface CascadeOutcome {
  /** The results to serve, in the request's order. */
  results: ModerationResult[];
  /** Per result: what the judge concluded, or null where it was not asked. */
  notes: (JudgeNote | null)[];
  /** What the judge stage records, written in the transaction that commits the request's side effects. */
  write: FollowUpWrite | null;
}

/**
 * The stage after local detection: a tenant's LLM judge, asked about the uncertain results
 * (see src/judge). It answers null, at once and from cache (not even a promise once the tenant's
 * judge settings are in memory), for a tenant that has no judge: the request then goes on exactly
 * as without it.
 */
export interface Cascade {
  apply(call: CascadeCall): Promise<CascadeOutcome | null> | null;
}

/** The cascade of a deployment without judges. */
export const NO_CASCADE: Cascade = { apply: () => null };
