import type { Hooks } from '../common/index.ts';
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

/**
 * Where `needs_review` decisions go, run in the transaction that decided the submission: the review
 * case opens with it or not at all. The app wires the review queue in (store does not import review).
 */
export type NeedsReviewHooks = Hooks<[tx: Tx, submission: SubmissionNeedingReview]>;

/** Hands a submission to whoever subscribed, with the source ref that comes back with the finding. */
export async function routeToReview(hooks: NeedsReviewHooks, tx: Tx, submission: Omit<SubmissionNeedingReview, 'sourceRef'>): Promise<void> {
  await hooks.run(tx, { ...submission, sourceRef: `${SOURCE_PREFIX}${submission.submissionId}` });
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
