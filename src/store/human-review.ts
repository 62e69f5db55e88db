import type { Tx } from '../db/index.ts';
import type { PolicyDocument } from '../policy/index.ts';
import type { Reason } from './evaluate.ts';

export const SOURCE_PREFIX = 'store_submission:';

/** A submission decided `needs_review`, as the hook that puts it before a person sees it. */
export interface SubmissionNeedingReview {
  tenantId: string;
  submissionId: string;
  appId: string;
  actor: string;
  policy: PolicyDocument;
  reasons: Reason[];
  /** Each text field by its path (`conversation_starters[1]`), for the reviewer to read. */
  fields: { field: string; text: string }[];
  /** Hand this back with the person's finding (see applyReviewFinding). */
  sourceRef: string;
}

/** Runs in the transaction that decided the submission: the review case opens with it or not at all. */
export type NeedsReviewHook = (tx: Tx, submission: SubmissionNeedingReview) => Promise<void>;

/** Where `needs_review` decisions go; the server wires the review queue in (store does not import review). */
export class HumanReviewRouting {
  private readonly hooks: NeedsReviewHook[] = [];

  onNeedsReview(hook: NeedsReviewHook): void {
    this.hooks.push(hook);
  }

  async route(tx: Tx, submission: Omit<SubmissionNeedingReview, 'sourceRef'>): Promise<void> {
    for (const hook of this.hooks) await hook(tx, { ...submission, sourceRef: `${SOURCE_PREFIX}${submission.submissionId}` });
  }
}

/** A person's finding on a submission's review case. */
export interface ReviewFinding {
  tenantId: string;
  sourceRef: string;
  caseId: string;
  finding: 'violation' | 'no_violation';
  clauseIds: string[];
  reviewer: string;
  notes: string | null;
  at: Date;
}
