export {
  validateRuleDocument,
  parseRuleYaml,
  parseDuration,
  ruleDocumentSchema,
  RULE_SOURCES,
  RULE_SURFACES,
  RULE_MODES,
  ACTION_KINDS,
  STANDINGS,
  type RuleDocument,
  type Rule,
  type RuleAction,
  type Condition,
  type RuleMode,
  type RuleSource,
  type RuleSurface,
  type ActionKind,
} from './document.ts';
export { CompiledRules, effectsOf, actionKind, PRIORITY_NAMES, type RuleSubject, type RuleMatch, type RuleEffects, type Evaluation, type TextField } from './compile.ts';
export { WindowRegistry, SlidingWindow } from './windows.ts';
export { RuleRegistry, TenantRules, type RuleVersionSummary, type StoredRules, type Deployment } from './registry.ts';
export { RuleHits, HIT_RETENTION_DAYS, type HitCounts } from './hits.ts';
export { backtest, backtestRangeSchema, MAX_BACKTEST_DAYS, type BacktestRange, type BacktestReport, type VersionEffect } from './backtest.ts';
export { loadHistory, detectorIds, MAX_BACKTEST_ITEMS, type HistoryItem } from './history.ts';
export { LiveRules, accountFacts, planRuleNotifications } from './live.ts';
