import type { Tx } from '../db/index.ts';
import type { PolicyDocument, Surface } from '../policy/index.ts';
import type { ImageSummary } from './images.ts';
import type { ModerationViolation, RulesView } from './rule-outcome.ts';
import type { JudgeNote } from './cascade.ts';

/** One moderation request's results, as the domains that act on them (enforcement, review) see them. */
export interface FollowUp {
  tenantId: string;
  /** The caller as the audit log names it: `key:<id>`. */
  actor: string;
  /** The account the request named (`warden.account`, else OpenAI's `user`), or null. */
  account: string | null;
  /** The response's id; side effects derive their ids from it (`moderation:<id>:<index>`). */
  moderationId: string;
  /** Where the content was seen. */
  surface: Surface;
  /** The policy version the verdicts used: whatever follows is judged against it, not a newer one. */
  policy: { version: string; document: PolicyDocument };
  results: FollowUpResult[];
}

export interface FollowUpResult {
  readonly index: number;
  /** sha256 of the input's text (parts joined by newlines): events name content without storing it. */
  readonly digest: string;
  /** The input's text, for whoever must show a person what was judged. */
  readonly text: string;
  /** Detected and rule-decided (`decided_by: rule`) alike. */
  readonly violations: ModerationViolation[];
  /** Scores by both OpenAI's and Warden's categories. */
  readonly categoryScores: Record<string, number>;
  /** The highest of categoryScores and its category (the first of equals); [null, 0] when there are none. */
  readonly topScore: readonly [category: string | null, score: number];
  /** The input's images as judged (hashes, size, the image model's scores), never their bytes. */
  readonly images?: ImageSummary[];
  /** What the tenant's live rules asked for (a review priority, labels, a block), or null when none matched. */
  readonly rules: RulesView | null;
  /** What the tenant's LLM judge concluded, when it was asked about this result. */
  readonly judge?: JudgeNote;
}

/** A write that must follow a moderation, run in the transaction that commits all of the request's side effects. */
export type FollowUpWrite = (tx: Tx) => Promise<void>;

/**
 * The record of what must follow one moderation: each domain adds its writes while planning, from
 * cached state only, so a request with nothing to write never touches the database.
 */
export class FollowUpPlan {
  readonly writes: FollowUpWrite[] = [];
  /** What the writes change that another transaction may change at the same moment (see add). */
  readonly locks: string[] = [];

  /**
   * `locks`: keys naming what the write locks or must not have changed under it (an account, a review
   * target), within the tenant. The transaction takes them all, in one order, before its first write, so
   * that concurrent follow-ups touching the same things queue rather than deadlock.
   */
  add(write: FollowUpWrite, locks: readonly string[] = []): void {
    this.writes.push(write);
    this.locks.push(...locks);
  }
}
