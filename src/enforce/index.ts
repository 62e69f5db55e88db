export { Enforcement } from './service.ts';
export { EnforcementInTransaction } from './in-transaction.ts';
export { eventInput, EVENT_SOURCES, CONTENT_TYPES, type EventInput, type EventResult, type Recorded } from './events.ts';
export { exemptionInput, type ExemptionInput } from './exemptions.ts';
export { appealInput, appealDecisionInput, APPEAL_STATES, type AppealInput, type AppealDecisionInput, type OpenedAppeal } from './appeals.ts';
export { ACCOUNT_KINDS, type AccountKind } from './accounts.ts';
export {
  enforcementPolicySchema,
  validateEnforcementPolicy,
  parseEnforcementPolicyYaml,
  bundledEnforcementPolicy,
  RUNGS,
  type Rung,
  type Level,
  type EnforcementPolicy,
} from './enforcement-policy.ts';
export { EnforcementPolicies, type StoredEnforcementPolicy } from './policy-versions.ts';
export { CHILD_SAFETY_CATEGORY, isChildSafetyClause, CONFIRMATION_STATES, type ConfirmationState } from './child-safety.ts';
