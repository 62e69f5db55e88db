export { StoreSubmissions, FIELD_LIMITS, MAX_CONVERSATION_STARTERS, type SubmitInput, type SubmissionView, type DecisionView } from './submissions.ts';
export {
  evaluateSubmission,
  appliesToStoreApp,
  AUDIENCES,
  SURFACES as STORE_SURFACES,
  type SubmissionFields,
  type Decision,
  type DecisionStatus,
  type Reason,
  type TextDetector,
} from './evaluate.ts';
export { ReReviewJobs, DEFAULT_RE_REVIEW_OPTIONS, type ReReviewOptions, type ReReviewJobView, type ReReviewStats, type JobStatus } from './rereview.ts';
export { DEFAULT_CHECK, FIELD_NAMES, checkFor, type StoreCheck, type Outcome, type FieldName } from './checks.ts';
export { SIGNALS, type Signal, type SignalId } from './signals.ts';
export { coverageMarkdown, assertStoreChecks } from './coverage.ts';
export { type NeedsReviewHooks, type SubmissionNeedingReview, type ReviewFinding } from './human-review.ts';
export { MAX_SCREENSHOTS, type StoreImageJudge, type StoredImageMatcher, type SubmissionImage, type ListingImages } from './images.ts';
