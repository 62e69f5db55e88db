import type { Tx } from '../db/index.ts';
import type { Evidence } from '../detect/index.ts';
import type { PolicyDocument, Violation } from '../policy/index.ts';

/** One moderation request's results, as the domains that act on them (enforcement, review) see them. */
export interface FollowUp {
  tenantId: string;
  /** The caller as the audit log names it: `key:<id>`. */
  actor: string;
  /** The account the request named (`warden.account`, else OpenAI's `user`), or null. */
  account: string | null;
  /** The response's id; side effects derive their ids from it (`moderation:<id>:<index>`). */
  moderationId: string;
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
  readonly violations: Violation<Evidence>[];
  /** Scores by both OpenAI's and Warden's categories. */
  readonly categoryScores: Record<string, number>;
  /** The highest of categoryScores and its category (the first of equals); [null, 0] when there are none. */
  readonly topScore: readonly [category: string | null, score: number];
}

/** A write that must follow a moderation, run in the transaction that commits all of the request's side effects. */
export type FollowUpWrite = (tx: Tx) => Promise<void>;

/**
 * The record of what must follow one moderation: each domain adds its writes while planning, from
 * cached state only, so a request with nothing to write never touches the database.
 */
export class FollowUpPlan {
  readonly writes: FollowUpWrite[] = [];

  add(write: FollowUpWrite): void {
    this.writes.push(write);
  }
}
