export {
  judgeSettingsSchema,
  judgeInputSchema,
  judgeReplaceSchema,
  judgeName,
  modeOf,
  CASCADE_MODES,
  API_KEY_ENV_PREFIX,
  type JudgeSettings,
  type JudgeInput,
  type JudgeReplace,
  type CascadeMode,
} from './settings.ts';
export { SecretBox, secretBoxFromEnv } from './secrets.ts';
export { JudgeRegistry, type JudgeView, type StoredJudge, type JudgeRegistryOptions } from './registry.ts';
export { TEMPLATE_VERSION, buildPrompt, judgedClauses, parseAnswer, userMessage, answerSchema, MalformedAnswer, type Prompt, type JudgedClause, type JudgeAnswer } from './template.ts';
export { askJudge, completionsUrl, BREAKER_FAILURES, type FailureKind, type Endpoint, type JudgeCall } from './client.ts';
export { JudgeGate, type GateLimits } from './gate.ts';
export { JudgeCascade, type JudgeLogger, type Judgement } from './cascade.ts';
export { JudgeWorker, MAX_JOB_ATTEMPTS, type JudgeWorkerSources } from './worker.ts';
export { judgedModeration, type JudgedModerationView } from './moderations.ts';
export { judgeStats, percentile } from './stats.ts';
export { routeOf, applyAnswer, clausesFor, type Route } from './verdict.ts';
export { judgeOptionsFromEnv, type JudgeOptions } from './options.ts';
export { evaluateCascade, type CascadeEvaluation } from './eval.ts';
