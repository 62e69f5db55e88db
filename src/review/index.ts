export { ReviewDesk } from './desk.ts';
export type { Reviewer } from './context.ts';
export { reportInput, MAX_EVIDENCE_BYTES, type ReportInput } from './intake.ts';
export { decisionInput, OUTCOMES, type DecisionInput, type ClosedCase, type ContentDecided } from './decisions.ts';
export { type SubmissionForReview } from './store-cases.ts';
export { queueFilters, type QueueFilters } from './queue.ts';
export { CASE_STATUSES } from './cases.ts';
export { reviewSettingsSchema, DEFAULT_REVIEW_SETTINGS, type ReviewSettings } from './settings.ts';
export { priorityOf, slaDeadline } from './priority.ts';
