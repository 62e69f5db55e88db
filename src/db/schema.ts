import type { Generated, Insertable, Selectable } from 'kysely';

/**
 * The one schema every query is typed from. Timestamps are ISO-8601 UTC strings and
 * JSON documents are text, so both SQLite and PostgreSQL store them the same way.
 */
export interface Tables {
  tenants: TenantsTable;
  api_keys: ApiKeysTable;
  policy_versions: PolicyVersionsTable;
  audit_log: AuditLogTable;
  audit_head: AuditHeadTable;
  // detection (issue 5): per-tenant threshold overrides
  moderation_thresholds: ModerationThresholdsTable;
  // enforcement (issue 3): see the enforcement block below
  enforcement_policies: EnforcementPoliciesTable;
  accounts: AccountsTable;
  enforcement_events: EnforcementEventsTable;
  enforcement_actions: EnforcementActionsTable;
  exemptions: ExemptionsTable;
  appeals: AppealsTable;
  child_safety_reports: ChildSafetyReportsTable;
  // notify: the transactional outbox
  outbox: OutboxTable;
  // review (issue 4): see the review block below
  review_cases: ReviewCasesTable;
  review_reports: ReviewReportsTable;
  review_decisions: ReviewDecisionsTable;
  review_settings: ReviewSettingsTable;
  // store and notify delivery (issue 6): see the store/notify block at the end
  store_apps: StoreAppsTable;
  store_submissions: StoreSubmissionsTable;
  store_decisions: StoreDecisionsTable;
  store_review_jobs: StoreReviewJobsTable;
  subscriptions: SubscriptionsTable;
  deliveries: DeliveriesTable;
  delivery_attempts: DeliveryAttemptsTable;

  hash_banks: HashBanksTable;
  hash_bank_entries: HashBankEntriesTable;
  image_settings: ImageSettingsTable;
  // rules and trends (issue 18)
  rule_versions: RuleVersionsTable;
  rule_deployments: RuleDeploymentsTable;
  rule_hits: RuleHitsTable;
  trend_counts: TrendCountsTable;
  trend_spikes: TrendSpikesTable;
  // learning (issue 17): see the learning block at the end
  training_examples: TrainingExamplesTable;
  tenant_models: TenantModelsTable;
  model_deployments: ModelDeploymentsTable;
  model_shadow_tallies: ModelShadowTalliesTable;
  // the moderation hot path (issue 13): see the block at the end
  cache_generations: CacheGenerationsTable;
  idempotency_keys: IdempotencyKeysTable;
  moderation_requests: ModerationRequestsTable;
  // the policy-as-prompt judge (issue 16): see the block at the end
  judges: JudgesTable;
  judge_answers: JudgeAnswersTable;
  judge_verdicts: JudgeVerdictsTable;
  judge_jobs: JudgeJobsTable;
  tenant_rate_limits: TenantRateLimitsTable;
}

export interface TenantsTable {
  id: string;
  name: string;
  created_at: string;
}

export interface ApiKeysTable {
  id: string;
  tenant_id: string;
  role: string;
  /** sha256 of the key, truncated: finds the row without revealing the secret. */
  lookup: string;
  salt: string;
  /** HMAC-SHA256(salt, key), compared in constant time. */
  hash: string;
  label: string | null;
  created_at: string;
  revoked_at: string | null;
}

export interface PolicyVersionsTable {
  seq: Generated<number>;
  tenant_id: string;
  name: string;
  version: string;
  /** The validated policy document as JSON. */
  document: string;
  digest: string;
  published_at: string;
  published_by: string;
}

export interface AuditLogTable {
  seq: Generated<number>;
  at: string;
  tenant_id: string | null;
  actor: string;
  action: string;
  target: string;
  payload: string;
  payload_digest: string;
  prev_hash: string;
  hash: string;
}

/** The one row (id 1) naming the chain's last entry; seq 0 and the genesis hash while it is empty. */
export interface AuditHeadTable {
  id: number;
  seq: number;
  hash: string;
  updated_at: string;
}

export type TenantRow = Selectable<TenantsTable>;
export type ApiKeyRow = Selectable<ApiKeysTable>;
export type PolicyVersionRow = Selectable<PolicyVersionsTable>;
export type NewPolicyVersion = Insertable<PolicyVersionsTable>;
export type AuditRow = Selectable<AuditLogTable>;
export type AuditHeadRow = Selectable<AuditHeadTable>;

// ---- detection (issue 5): tenants' overrides of the model's per-category thresholds ----

export interface ModerationThresholdsTable {
  tenant_id: string;
  category: string;
  threshold: number;
  updated_at: string;
  updated_by: string;
}

// ---- enforcement (issue 3): accounts' standing, strikes, actions, exemptions, appeals, child safety ----

export interface EnforcementPoliciesTable {
  seq: Generated<number>;
  tenant_id: string;
  version: string;
  /** The validated enforcement policy as JSON. */
  document: string;
  digest: string;
  published_at: string;
  published_by: string;
}

export interface AccountsTable {
  id: string;
  tenant_id: string;
  /** The tenant's own identifier for the user, developer or app (OpenAI's `user`). */
  external_id: string;
  kind: string;
  /** Decayed strike score as of `score_at`. */
  score: number;
  score_at: string;
  created_at: string;
  updated_at: string;
}

export interface EnforcementEventsTable {
  seq: Generated<number>;
  id: string;
  tenant_id: string;
  account_id: string;
  /** The caller's idempotency id: the same id counts once. */
  idempotency_key: string;
  body_digest: string;
  source: string;
  occurred_at: string;
  recorded_at: string;
  /** JSON: each violation with its severity and whether it was exempted. */
  violations: string;
  /** JSON evidence; null when it was child-safety evidence (kept only in the report). */
  evidence: string | null;
  /** Strike weight counted (0 when fully exempt). */
  weight: number;
  content_digest: string | null;
  content_type: string | null;
  reviewer: string | null;
  policy_version: string;
  enforcement_version: string;
  child_safety: number;
  retention_hold: number;
  voided_at: string | null;
  voided_by: string | null;
  /** JSON: the response first returned, replayed for a repeated idempotency id. */
  result: string;
}

export interface EnforcementActionsTable {
  seq: Generated<number>;
  id: string;
  tenant_id: string;
  account_id: string;
  rung: string;
  previous_rung: string;
  trigger: string;
  /** JSON: clause ids, event ids, score and threshold behind the action. */
  reasons: string;
  event_id: string;
  enforcement_version: string;
  taken_at: string;
  ends_at: string | null;
  reversed_at: string | null;
  reversed_by: string | null;
  reversal_reason: string | null;
}

export interface ExemptionsTable {
  id: string;
  tenant_id: string;
  account_id: string;
  /** JSON array of clause ids. */
  clause_ids: string;
  /** JSON array of categories. */
  categories: string;
  reason: string;
  granted_by: string;
  created_at: string;
  expires_at: string;
  revoked_at: string | null;
  revoked_by: string | null;
}

export interface AppealsTable {
  id: string;
  tenant_id: string;
  account_id: string;
  action_id: string;
  statement: string;
  state: string;
  opened_at: string;
  opened_by: string;
  decided_at: string | null;
  decided_by: string | null;
  decision_reason: string | null;
}

export interface ChildSafetyReportsTable {
  id: string;
  tenant_id: string;
  tenant_name: string;
  account_id: string;
  account_external_id: string;
  event_id: string;
  incident_at: string;
  content_digest: string | null;
  content_type: string | null;
  detection_source: string;
  reviewer: string | null;
  clause_ids: string;
  evidence: string;
  status: string;
  external_report_id: string | null;
  submitted_at: string | null;
  submitted_by: string | null;
  retention_hold: number;
  created_at: string;
  /** For a reviewer's finding: `pending` until a second reviewer says `confirmed` or `unconfirmed`; null otherwise. */
  confirmation: string | null;
  confirmation_by: string | null;
  confirmation_at: string | null;
}

export type AccountRow = Selectable<AccountsTable>;
export type EnforcementEventRow = Selectable<EnforcementEventsTable>;
export type EnforcementActionRow = Selectable<EnforcementActionsTable>;
export type ExemptionRow = Selectable<ExemptionsTable>;
export type AppealRow = Selectable<AppealsTable>;
export type ChildSafetyReportRow = Selectable<ChildSafetyReportsTable>;
export type EnforcementPolicyRow = Selectable<EnforcementPoliciesTable>;

// ---- notify: the transactional outbox (delivery columns are for the webhook-delivery issue) ----

export interface OutboxTable {
  seq: Generated<number>;
  id: string;
  tenant_id: string;
  type: string;
  payload: string;
  created_at: string;
  status: string;
  attempts: number;
  next_attempt_at: string | null;
  last_error: string | null;
  delivered_at: string | null;
}

export type OutboxRow = Selectable<OutboxTable>;

// ---- review (issue 4): reports, review cases with leases, reviewers' decisions, settings ----

export interface ReviewCasesTable {
  id: string;
  tenant_id: string;
  /** `report`, `automatic` (from a moderation result) or `appeal`. */
  kind: string;
  /** `account`, `content` or `app`. */
  target_type: string;
  target_key: string;
  /** target_key while unresolved, null once closed: reports merge into the unresolved case. */
  open_target_key: string | null;
  account_external_id: string | null;
  app_id: string | null;
  content_text: string | null;
  content_ref: string | null;
  content_type: string | null;
  content_digest: string | null;
  /** JSON array of the clause ids alleged so far. */
  clause_ids: string;
  /** JSON array of the categories alleged so far. */
  categories: string;
  severity: string;
  classifier_score: number | null;
  /** JSON: the classifier's category scores and evidence spans, when a moderation result opened or joined the case. */
  classifier: string | null;
  report_count: number;
  priority: number;
  child_safety: number;
  /** `open`, `awaiting_confirmation`, `escalated` or `closed`. */
  status: string;
  sla_due_at: string;
  lease_holder: string | null;
  lease_expires_at: string | null;
  appeal_id: string | null;
  appeal_statement: string | null;
  /** JSON array of reviewers who may not decide this case (who decided the case an appeal is against). */
  excluded_reviewers: string;
  created_at: string;
  updated_at: string;
  closed_at: string | null;
  /** What the case stands for in another domain, e.g. `store_submission:<id>`; told when the case closes. */
  source_ref: string | null;
}

export interface ReviewReportsTable {
  id: string;
  tenant_id: string;
  case_id: string;
  idempotency_key: string;
  body_digest: string;
  /** `report` (a person) or `moderation` (an automatic case). */
  source: string;
  reporter: string;
  submitted_by: string;
  clause_id: string | null;
  category: string | null;
  text: string | null;
  /** JSON array of evidence items. */
  evidence: string;
  created_at: string;
}

export interface ReviewDecisionsTable {
  id: string;
  tenant_id: string;
  case_id: string;
  reviewer: string;
  /** `primary`, `confirmation` or `appeal`. */
  stage: string;
  outcome: string;
  clause_ids: string;
  category: string | null;
  terminate: number;
  notes: string | null;
  classifier_score: number | null;
  /** For a confirmation: the primary decision it was compared with. */
  agrees_with: string | null;
  enforcement_event_id: string | null;
  decided_at: string;
}

export interface ReviewSettingsTable {
  tenant_id: string;
  /** JSON: when moderation results open cases automatically. */
  settings: string;
  updated_at: string;
  updated_by: string;
}

export type ReviewCaseRow = Selectable<ReviewCasesTable>;
export type ReviewReportRow = Selectable<ReviewReportsTable>;
export type ReviewDecisionRow = Selectable<ReviewDecisionsTable>;

// ---- store (issue 6): app submissions, their decisions, re-review jobs ----

export interface StoreAppsTable {
  id: string;
  tenant_id: string;
  /** The tenant's identifier for the app's developer, echoed in notifications. */
  owner: string | null;
  created_at: string;
}

export interface StoreSubmissionsTable {
  seq: Generated<number>;
  id: string;
  tenant_id: string;
  app_id: string;
  revision: number;
  /** JSON: name, description, instructions, conversation_starters, audience, category, surface. */
  fields: string;
  /** approved | rejected | needs_review: the latest decision. */
  status: string;
  /** 1 for the app's newest revision, 0 for the history it keeps. */
  latest: number;
  policy_version: string;
  /** JSON: the latest decision's reasons. */
  reasons: string;
  submitted_by: string;
  created_at: string;
  decided_at: string;
}

export interface StoreDecisionsTable {
  seq: Generated<number>;
  id: string;
  tenant_id: string;
  submission_id: string;
  status: string;
  policy_version: string;
  reasons: string;
  /** submission | re_review */
  trigger: string;
  job_id: string | null;
  decided_at: string;
}

export interface StoreReviewJobsTable {
  seq: Generated<number>;
  id: string;
  tenant_id: string;
  policy_version: string;
  /** pending | running | completed */
  status: string;
  total: number;
  processed: number;
  changed: number;
  /** seq of the last submission re-reviewed: the job resumes after it. */
  cursor: number;
  /** The highest submission seq when the job was scheduled: later submissions were decided under the new version. */
  last_submission_seq: number;
  created_at: string;
  updated_at: string;
  finished_at: string | null;
}

export type StoreSubmissionRow = Selectable<StoreSubmissionsTable>;
export type StoreDecisionRow = Selectable<StoreDecisionsTable>;
export type StoreReviewJobRow = Selectable<StoreReviewJobsTable>;

// ---- notify delivery (issue 6): subscriptions, per-subscriber deliveries of outbox events, attempts ----

export interface SubscriptionsTable {
  id: string;
  tenant_id: string;
  /** webhook | email */
  kind: string;
  url: string | null;
  email: string | null;
  /** JSON array of event types. */
  events: string;
  /** The webhook signing secret; never returned after creation. */
  secret: string | null;
  created_by: string;
  created_at: string;
  deleted_at: string | null;
}

export interface DeliveriesTable {
  seq: Generated<number>;
  id: string;
  tenant_id: string;
  /** The outbox event id: stable across retries, so receivers can de-duplicate. */
  event_id: string;
  subscription_id: string;
  /** pending | delivered | dead */
  status: string;
  attempts: number;
  /** When a pending delivery is next due; while an attempt runs, the end of its lease. */
  next_attempt_at: string;
  last_error: string | null;
  created_at: string;
  delivered_at: string | null;
}

export interface DeliveryAttemptsTable {
  seq: Generated<number>;
  delivery_id: string;
  tenant_id: string;
  attempt: number;
  started_at: string;
  duration_ms: number;
  status_code: number | null;
  error: string | null;
}

export type SubscriptionRow = Selectable<SubscriptionsTable>;
export type DeliveryRow = Selectable<DeliveriesTable>;
export type DeliveryAttemptRow = Selectable<DeliveryAttemptsTable>;

// ---- images (issue 15): hash banks of known images, per-tenant image settings ----

export interface HashBanksTable {
  id: string;
  tenant_id: string;
  name: string;
  description: string | null;
  /** The policy clause a match violates, and the category it is cited under. */
  clause_id: string;
  category: string;
  /** Largest PDQ Hamming distance that counts as a match (0–63). */
  threshold: number;
  /** 1 when the bank is matched against. */
  enabled: number;
  /** Incremented on every change of the bank or its entries: processes reload their in-memory index when it moves. */
  revision: number;
  created_by: string;
  created_at: string;
  updated_at: string;
  deleted_at: string | null;
}

export interface HashBankEntriesTable {
  seq: Generated<number>;
  bank_id: string;
  tenant_id: string;
  /** pdq | md5 | sha256 */
  kind: string;
  /** Lower-case hex. */
  hash: string;
  /** PDQ quality (0–100) when known. */
  quality: number | null;
  note: string | null;
  added_by: string;
  added_at: string;
}

export interface ImageSettingsTable {
  tenant_id: string;
  /** 1 when /v1/moderations may fetch http(s) image URLs for this tenant. */
  fetch_urls: number;
  updated_by: string;
  updated_at: string;
}

export type HashBankRow = Selectable<HashBanksTable>;
export type HashBankEntryRow = Selectable<HashBankEntriesTable>;

// ---- rules and trends (issue 18) ----

export interface RuleVersionsTable {
  seq: Generated<number>;
  tenant_id: string;
  version: string;
  document: string;
  digest: string;
  created_at: string;
  created_by: string;
}

/** Which stored rule version a tenant runs live, and which runs beside it in shadow. */
export interface RuleDeploymentsTable {
  tenant_id: string;
  live_version: string | null;
  shadow_version: string | null;
  updated_at: string;
  updated_by: string;
}

/** One rule matching one judged item: `mode` shadow means its actions were only recorded. */
export interface RuleHitsTable {
  seq: Generated<number>;
  tenant_id: string;
  version: string;
  rule_id: string;
  mode: string;
  source: string;
  subject_ref: string | null;
  account: string | null;
  actions: string;
  at: string;
}

/** Verdicts per time bucket; absent dimensions are stored as "" so the key stays whole. */
export interface TrendCountsTable {
  tenant_id: string;
  /** minute | hour | day */
  granularity: string;
  bucket_start: string;
  category: string;
  clause_id: string;
  surface: string;
  source: string;
  count: number;
}

/** One spike episode per series: announced once, extended while it lasts. */
export interface TrendSpikesTable {
  id: string;
  tenant_id: string;
  series: string;
  started_at: string;
  last_bucket: string;
  observed: number;
  baseline: number;
  score: number;
  created_at: string;
}

export type RuleVersionRow = Selectable<RuleVersionsTable>;
export type RuleHitRow = Selectable<RuleHitsTable>;
export type TrendCountRow = Selectable<TrendCountsTable>;
export type TrendSpikeRow = Selectable<TrendSpikesTable>;
/** One row per tenant whose cached settings changed, plus the row `*` that counts every change (see ChangeFeed). */
export interface CacheGenerationsTable {
  tenant_id: string;
  generation: number;
}

/** A state-changing request made with an `Idempotency-Key`: its body's digest, then its answer (null while in progress). */
export interface IdempotencyKeysTable {
  tenant_id: string;
  key: string;
  request_digest: string;
  status_code: number | null;
  response: string | null;
  created_at: string;
}

/** A moderation request whose side effects committed, by the digest of who asked about what (see the moderation use case). */
export interface ModerationRequestsTable {
  tenant_id: string;
  fingerprint: string;
  moderation_id: string;
  created_at: string;
}

export type IdempotencyKeyRow = Selectable<IdempotencyKeysTable>;

/** A tenant's own requests-per-second limit per API key. */
export interface TenantRateLimitsTable {
  tenant_id: string;
  requests_per_second: number;
  updated_at: string;
  updated_by: string;
}

// ---- learning (issue 17): labelled examples, tenant models, what each tenant serves, shadow tallies ----

export interface TrainingExamplesTable {
  id: string;
  tenant_id: string;
  /** sha256 of the text: one example per content, the latest decision about it wins. */
  content_digest: string;
  /** Null when the content was not retained: such an example counts but cannot train. */
  text: string | null;
  /** JSON: category → true/false, only the categories the decision settles (absent is unknown). */
  labels: string;
  clause_ids: string;
  /** `review`, `appeal` or `upload`. */
  source: string;
  /** The decision or upload it came from. */
  source_ref: string | null;
  decided_by: string;
  decided_at: string;
  created_at: string;
}

export interface TenantModelsTable {
  id: string;
  tenant_id: string;
  /** `training`, `ready` or `failed`. */
  status: string;
  /** The base text model's id the adapter was trained over. */
  base_model: string;
  progress: number;
  examples: number;
  /** JSON: the model card (data counts, held-out metrics, digest of the weights). */
  card: string | null;
  /** JSON: the adapter's weights. */
  weights: string | null;
  error: string | null;
  created_by: string;
  created_at: string;
  finished_at: string | null;
}

export interface ModelDeploymentsTable {
  tenant_id: string;
  /** Null: the base model alone. */
  active_model_id: string | null;
  shadow_model_id: string | null;
  /** JSON array, newest last: what a rollback returns to (null entries are the base model). */
  previous_model_ids: string;
  /** How much F1 a candidate may lose on any category before promotion needs an override. */
  tolerance: number;
  updated_at: string;
  updated_by: string;
}

export interface ModelShadowTalliesTable {
  model_id: string;
  tenant_id: string;
  compared: number;
  disagreed: number;
  /** JSON: category → { compared, disagreed }. */
  by_category: string;
  /** JSON: the latest disagreements (digest, a text excerpt, served and candidate flags). */
  examples: string;
  updated_at: string;
}

export type TrainingExampleRow = Selectable<TrainingExamplesTable>;
export type TenantModelRow = Selectable<TenantModelsTable>;
export type ModelDeploymentRow = Selectable<ModelDeploymentsTable>;

// ---- the policy-as-prompt judge (issue 16) ----

/** A tenant's judge provider: an OpenAI-compatible chat-completions endpoint and how the cascade uses it. */
export interface JudgesTable {
  id: string;
  tenant_id: string;
  name: string;
  /** JSON: the judge's settings (URL, model, limits, clauses, cascade modes, examples); never the API key. */
  config: string;
  /** The API key, AES-256-GCM under WARDEN_SECRET_KEY (`v1.<iv>.<tag>.<ciphertext>`), or null. */
  api_key_ciphertext: string | null;
  /** The name of the environment variable holding the API key (`WARDEN_JUDGE_KEY_*`), or null. */
  api_key_env: string | null;
  /** 1 for the judge the tenant's moderations use (at most one per tenant). */
  enabled: number;
  created_at: string;
  created_by: string;
  updated_at: string;
  updated_by: string;
}

/** A judge's answer about one content, cached by the content's digest and the prompt it was asked with. */
export interface JudgeAnswersTable {
  tenant_id: string;
  judge_id: string;
  content_digest: string;
  /** sha256 of the system prompt: the policy version, the template version, the clauses and examples in it, the model. */
  prompt_digest: string;
  policy_version: string;
  template_version: string;
  /** JSON: the validated answer. */
  answer: string;
  latency_ms: number;
  created_at: string;
}

/** One moderation result the judge was asked about (or is waiting for), and what was served. */
export interface JudgeVerdictsTable {
  id: string;
  tenant_id: string;
  moderation_id: string;
  item_index: number;
  judge_id: string;
  judge_name: string;
  /** `band`, `always` or `shadow`. */
  mode: string;
  /** `applied` (the judge decided), `shadow` (judged, local served), `failed` (local served), `pending` (background). */
  status: string;
  cached: number;
  content_digest: string;
  policy_version: string;
  template_version: string;
  /** JSON array: the categories that sent the item to the judge. */
  categories: string;
  /** JSON arrays of clause ids: what the local model found, and what the judge found. */
  local_clause_ids: string;
  judge_clause_ids: string | null;
  /** 1 when the judge and the local model found the same judged clauses violated. */
  agreed: number | null;
  unsure: number;
  /** `model`, `judge` or `rule`: who decided the result served (or delivered, for a background judgement). */
  decided_by: string;
  answer: string | null;
  /** Why the judge gave no usable answer (timeout, rate_limited, server_error, malformed, refusal, budget_exhausted, breaker_open, …). */
  error_kind: string | null;
  error: string | null;
  latency_ms: number | null;
  /** JSON: the moderation result (the judge's once applied; never the text). */
  result: string;
  created_at: string;
  judged_at: string | null;
}

/** An item waiting for a background judgement; its text lives here only until it is judged. */
export interface JudgeJobsTable {
  id: string;
  tenant_id: string;
  verdict_id: string;
  text: string;
  attempts: number;
  next_attempt_at: string;
  lease_expires_at: string | null;
  created_at: string;
}

export type JudgeRow = Selectable<JudgesTable>;
export type JudgeVerdictRow = Selectable<JudgeVerdictsTable>;
