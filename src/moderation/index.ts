export { Moderator, type ModerationContext, type ModerationResult, type ModelResult, type ModerationResponse, type WardenExtension, type ModerationWarning } from './moderator.ts';
export { resolveModel, modelCategories, MODEL_NAMES, LEGACY_CATEGORIES, DEFAULT_MODEL } from './models.ts';
export { moderationRequestSchema, moderationItems, moderationImages, MAX_INPUTS, MAX_INPUT_CHARS, type ModerationRequest, type ModerationItem } from './request.ts';
export { ModerationService, SLICE_MS, type ModerationCall } from './service.ts';
export { FollowUpPlan, type FollowUp, type FollowUpResult, type FollowUpWrite } from './follow-up.ts';
export { RETRY_WINDOW_MS } from './committer.ts';
export { TenantModerationCache, type TenantPolicySource, type TenantModeration } from './contexts.ts';
export { withImageFindings, type ImageModeration, type ImageSummary } from './images.ts';
