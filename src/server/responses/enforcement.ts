import { z } from 'zod';
import { ACCOUNT_KINDS, APPEAL_STATES, CONFIRMATION_STATES, EVENT_SOURCES, RUNGS, enforcementPolicySchema } from '../../enforce/index.ts';
import { SEVERITIES } from '../../policy/index.ts';
import { pageOf } from '../responses.ts';
import { storedEnum } from './common.ts';

/** The 2xx bodies of events, accounts' standing, actions, appeals, exemptions, enforcement policies and child-safety reports. */

const level = storedEnum([...RUNGS, 'none'] as const);

const classifiedViolation = z.object({
  clause_id: z.string(),
  category: z.string().nullable(),
  severity: storedEnum(SEVERITIES),
  score: z.number().nullable(),
  child_safety: z.boolean(),
  exempt: z.boolean(),
  exemption_id: z.string().nullable(),
});

export const enforcementAction = z.object({
  object: z.literal('enforcement_action'),
  id: z.string(),
  rung: storedEnum(RUNGS),
  previous_rung: level,
  trigger: storedEnum(['threshold', 'severity_floor', 'child_safety']),
  reasons: z.object({
    clause_ids: z.array(z.string()),
    event_ids: z.array(z.string()).describe("The tenant's ids of the events behind the action."),
    score: z.number(),
    threshold: z.number().nullable(),
  }),
  status: z.enum(['in_force', 'ended', 'reversed']),
  taken_at: z.string(),
  ends_at: z.string().nullable(),
  reversed_at: z.string().nullable(),
  reversed_by: z.string().nullable(),
  reversal_reason: z.string().nullable(),
  enforcement_version: z.string(),
});

export const reversedAction = enforcementAction.extend({ restored_rung: level.describe('The rung the account is back on.') });

export const enforcementEvent = z.object({
  object: z.literal('enforcement_event'),
  id: z.string(),
  account: z.string(),
  source: storedEnum(EVENT_SOURCES),
  occurred_at: z.string(),
  recorded_at: z.string(),
  violations: z.array(classifiedViolation),
  counted: z.boolean(),
  weight: z.number(),
  score: z.number(),
  rung: level,
  in_force: level,
  action: enforcementAction.nullable().describe('The action this event caused, if any.'),
  child_safety_report: z.string().nullable(),
  policy_version: z.string(),
  enforcement_version: z.string(),
});

export const recordedEvents = z.object({ object: z.literal('list'), data: z.array(enforcementEvent.extend({ replayed: z.boolean() })) });

export const appeal = z.object({
  object: z.literal('appeal'),
  id: z.string(),
  account: z.string(),
  action_id: z.string(),
  statement: z.string(),
  state: storedEnum(APPEAL_STATES),
  opened_at: z.string(),
  opened_by: z.string(),
  decided_at: z.string().nullable(),
  decided_by: z.string().nullable(),
  decision_reason: z.string().nullable(),
});

export const exemption = z.object({
  object: z.literal('exemption'),
  id: z.string(),
  account: z.string(),
  clause_ids: z.array(z.string()),
  categories: z.array(z.string()),
  reason: z.string(),
  granted_by: z.string(),
  created_at: z.string(),
  expires_at: z.string(),
  revoked_at: z.string().nullable(),
  status: storedEnum(['active', 'expired', 'revoked']),
});
export const exemptionPage = pageOf(exemption);

export const accountStanding = z.object({
  object: z.literal('account_standing'),
  account: z.object({ id: z.string(), kind: storedEnum(ACCOUNT_KINDS), created_at: z.string() }),
  as_of: z.string(),
  score: z.number().describe('The decayed strike score as of `as_of`.'),
  rung: level,
  in_force: level,
  suspension: z.object({ action_id: z.string(), rung: storedEnum(RUNGS), ends_at: z.string().nullable() }).nullable(),
  current_actions: z.array(enforcementAction),
  actions: z.array(enforcementAction),
  events: z
    .array(
      z.object({
        id: z.string(),
        source: storedEnum(EVENT_SOURCES),
        occurred_at: z.string(),
        recorded_at: z.string(),
        violations: z.array(classifiedViolation),
        weight: z.number(),
        counted: z.boolean(),
        voided_at: z.string().nullable(),
        voided_by: z.string().nullable(),
        reviewer: z.string().nullable(),
        child_safety: z.boolean(),
        evidence: z.unknown().describe('The evidence sent with the event; for a child-safety event, a note that only the child_safety role sees it.'),
      }),
    )
    .describe('The latest 100 events, newest first.'),
  exemptions: z.array(exemption),
  appeals: z.array(appeal),
  enforcement_version: z.string(),
});

export const enforcementPolicy = z.object({
  object: z.literal('enforcement_policy'),
  version: z.string(),
  source: z.enum(['bundled', 'published']).describe('`bundled` until the tenant publishes its own version.'),
  published_at: z.string().nullable(),
  published_by: z.string().nullable(),
  digest: z.string(),
  current: z.boolean(),
  document: enforcementPolicySchema,
});
export const enforcementPolicyPage = pageOf(enforcementPolicy);

export const childSafetyReport = z.object({
  object: z.literal('child_safety_report'),
  id: z.string(),
  status: storedEnum(['pending_submission', 'submitted']),
  incident_at: z.string(),
  tenant: z.object({ id: z.string(), name: z.string() }),
  account: z.object({ id: z.string(), internal_id: z.string() }),
  event_id: z.string(),
  content: z.object({ digest: z.string().nullable(), type: z.string().nullable() }),
  detection_source: z.string(),
  reviewer: z.string().nullable(),
  clause_ids: z.array(z.string()),
  evidence: z.unknown(),
  retention_hold: z.boolean(),
  external_report_id: z.string().nullable(),
  submitted_at: z.string().nullable(),
  submitted_by: z.string().nullable(),
  created_at: z.string(),
  confirmation: z
    .object({ state: storedEnum(CONFIRMATION_STATES), by: z.string().nullable(), at: z.string().nullable() })
    .nullable()
    .describe("A reviewer's finding awaiting, or settled by, a second reviewer; null for other sources."),
});
export const childSafetyReportPage = pageOf(childSafetyReport);
