export { Moderator, type ModerationContext, type ModerationResult, type ModerationResponse, type WardenExtension, type ModerationWarning, type DecidedBy, type JudgeSummary } from './moderator.ts';
export { resolveModel, MODEL_NAMES, DEFAULT_MODEL } from './models.ts';
export { moderationRequestSchema, moderationItems, moderationImages, MAX_INPUTS, MAX_INPUT_CHARS, type ModerationRequest, type ModerationItem } from './request.ts';
export { ModerationService, SLICE_MS, type ModerationCall } from './service.ts';
export { FollowUpPlan, type FollowUp, type FollowUpResult, type FollowUpWrite } from './follow-up.ts';
export { RETRY_WINDOW_MS } from './committer.ts';
export { TenantModerationCache, type TenantPolicySource, type TenantModeration } from './contexts.ts';
export { withImageFindings, type ImageModeration, type ImageSummary } from './images.ts';
export { NO_CASCADE, type Cascade, type CascadeCall, type CascadeOutcome, type JudgeNote } from './cascade.ts';
