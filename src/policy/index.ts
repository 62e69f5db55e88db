export { PolicyRegistry, type PolicyVersionSummary, type StoredPolicy, type PolicyPublishedHook } from './registry.ts';
export {
  validatePolicyDocument,
  parsePolicyYaml,
  effectiveSeverity,
  policyDocumentSchema,
  clauseSchema,
  versionName,
  clauseId,
  SEVERITIES,
  SURFACES,
  type PolicyDocument,
  type Clause,
  type Severity,
  type ChangelogEntry,
  type StoreCheckSpec,
  STORE_FIELDS,
  STORE_CHECK_KINDS,
  STORE_SPECIALS,
} from './document.ts';
export { diffPolicies, type PolicyDiff, type FieldChange } from './diff.ts';
export { bundledPolicies, POLICIES_DIR } from './bundled.ts';
export {
  findViolations,
  flaggedCategories,
  clauseApplies,
  effectiveThresholds,
  type Violation,
  type ViolationInput,
  type Surface,
  type Scores,
} from './violations.ts';
export { ThresholdOverrides, thresholdOverridesSchema } from './thresholds.ts';
