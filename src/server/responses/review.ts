import { z } from 'zod';
import { SEVERITIES } from '../../policy/index.ts';
import { CASE_STATUSES, OUTCOMES, reviewSettingsSchema } from '../../review/index.ts';
import { evidence, judgedImage } from '../responses.ts';
import { storedEnum } from './common.ts';
import { accountStanding } from './enforcement.ts';

/** The 2xx bodies of reports, the review queue, cases, decisions, appeals routing, metrics and settings. */

export const filedReport = z.object({
  object: z.literal('report'),
  id: z.string(),
  case_id: z.string().describe('The case the report opened or joined.'),
  merged: z.boolean().describe('The report joined a case already open on the same target.'),
  replayed: z.boolean().describe('The same report (idempotency key) was filed before: this is its original answer.'),
});

export const reviewer = z.object({ object: z.literal('reviewer'), actor: z.string(), role: z.string(), tenant: z.string() });

export const reviewCase = z.object({
  object: z.literal('review_case'),
  id: z.string(),
  kind: storedEnum(['report', 'automatic', 'store', 'appeal']),
  status: storedEnum(CASE_STATUSES),
  target: z.object({
    type: storedEnum(['account', 'content', 'app']),
    account: z.string().nullable(),
    app: z.string().nullable(),
    content: z
      .object({ type: z.string().nullable(), digest: z.string().nullable(), ref: z.string().nullable(), text: z.string().nullable().optional().describe('Only on the case page.') })
      .nullable(),
  }),
  clause_ids: z.array(z.string()),
  categories: z.array(z.string()),
  severity: storedEnum(SEVERITIES),
  sensitive: z.boolean().describe('Blur the content until the reviewer chooses to see it.'),
  child_safety: z.boolean(),
  classifier_score: z.number().nullable(),
  report_count: z.number().int(),
  priority: z.number(),
  sla_due_at: z.string(),
  overdue: z.boolean(),
  lease: z.object({ holder: z.string(), expires_at: z.string() }).nullable(),
  appeal: z.object({ id: z.string(), statement: z.string().nullable() }).nullable(),
  excluded_reviewers: z.array(z.string()),
  created_at: z.string(),
  updated_at: z.string(),
  closed_at: z.string().nullable(),
});

const caseCounts = z.object({ ...Object.fromEntries(CASE_STATUSES.map((status) => [status, z.number().int()])), unresolved: z.number().int(), total: z.number().int() });

export const reviewQueue = z.object({
  object: z.literal('list'),
  counts: caseCounts.describe('Cases matching the filters (all statuses), by status.'),
  data: z.array(reviewCase).describe('The cases of the status asked for, most urgent first, up to `limit`.'),
});

const decision = z.object({
  object: z.literal('review_decision'),
  id: z.string(),
  case_id: z.string(),
  reviewer: z.string(),
  stage: storedEnum(['primary', 'confirmation', 'escalation', 'appeal']),
  outcome: storedEnum(OUTCOMES),
  clause_ids: z.array(z.string()),
  category: z.string().nullable(),
  notes: z.string().nullable(),
  agrees_with: z.string().nullable(),
  enforcement_event_id: z.string().nullable(),
  decided_at: z.string(),
});

/** What the moderation that opened or joined a case saw (review's ClassifierView). */
const caseClassifier = z.object({
  category_scores: z.record(z.string(), z.number()),
  violations: z.array(z.object({ clause_id: z.string(), category: z.string().optional(), score: z.number().optional(), evidence: z.array(evidence).optional() })),
  policy_version: z.string().nullable(),
  images: z.array(judgedImage).optional(),
  judge: z.object({ name: z.string(), unsure: z.boolean(), rationale: z.string().nullable(), clause_ids: z.array(z.string()), categories: z.array(z.string()) }).optional(),
});

export const caseDetail = reviewCase.extend({
  classifier: caseClassifier.nullable().describe("The classifier's category scores and evidence spans, when a moderation result opened or joined the case."),
  reports: z.array(
    z.object({
      id: z.string(),
      source: z.string(),
      reporter: z.string().nullable(),
      clause_id: z.string().nullable(),
      category: z.string().nullable(),
      text: z.string().nullable(),
      evidence: z.array(z.object({ type: z.enum(['text', 'url', 'image_url']), value: z.string(), note: z.string().optional() })),
      created_at: z.string(),
    }),
  ),
  decisions: z.array(decision),
  clauses: z.array(z.object({ id: z.string(), title: z.string(), section: z.string(), text: z.string(), severity: z.enum(SEVERITIES), categories: z.array(z.string()) })),
  policy_version: z.string(),
  standing: accountStanding.nullable(),
});

export const decided = decision.extend({
  case_status: storedEnum(CASE_STATUSES),
  needs_confirmation: z.boolean(),
  agreed: z.boolean().nullable().describe('For a confirmation: whether the second reviewer agreed with the first.'),
  enforcement: z.object({ event_id: z.string(), result: z.unknown() }).nullable(),
  appeal: z.unknown(),
});

export const routedAppeal = z.object({ object: z.literal('routed_appeal'), appeal_id: z.string(), case_id: z.string(), created: z.boolean() });

const agreement = z.object({ n: z.number().int(), agreed: z.number().int(), rate: z.number().nullable() });
export const reviewMetrics = z.object({
  object: z.literal('review_metrics'),
  window_hours: z.number(),
  as_of: z.string(),
  decisions: z.number().int(),
  decisions_per_hour: z.number(),
  reviewers: z.array(z.object({ reviewer: z.string(), decisions: z.number().int(), decisions_per_hour: z.number() })),
  classifier_agreement: agreement.extend({ flag_score: z.number() }),
  reviewer_agreement: agreement,
  judge_agreement: agreement,
});

export const reviewSettings = reviewSettingsSchema.extend({ object: z.literal('review_settings') });
