import { type Category, type Clock } from '../common/index.ts';
import type { Queryable, Tx } from '../db/index.ts';
import { type FollowUp, type FollowUpPlan, type ModerationResult, type RuleOutcome, type VerdictDraft, withRuleOutcome } from '../moderation/index.ts';
import { enqueueEvents } from '../notify/index.ts';
import type { RuleEffects, RuleMatch, RuleSubject } from './compile.ts';
import { STANDINGS } from './document.ts';
import { detectorIds } from './history.ts';
import type { RuleHits } from './hits.ts';
import type { RuleRegistry, TenantRules } from './registry.ts';

type Standing = (typeof STANDINGS)[number];

/**
 * The tenant's rules on the live moderation path: a verdict stage that judges every result with
 * the compiled live and shadow versions (from memory: no database read unless a rule in force
 * reads the account's age or standing), records every match as a hit (off the request path),
 * and amends the results with the live rules' actions before the response is built. Shadow
 * matches are recorded and never change a result.
 */
export class LiveRules {
  constructor(
    private readonly registry: RuleRegistry,
    private readonly hits: RuleHits,
    private readonly db: Queryable,
  ) {}

  /** Subscribe to ModerationService.verdictStages. */
  readonly stage = (draft: VerdictDraft): Promise<void> | void => {
    const loaded = this.registry.loadedRulesFor(draft.tenantId);
    // A tenant without rules (the common case) costs no promise once its rules are in memory.
    if (loaded?.empty) return;
    return this.judge(draft, loaded ?? this.registry.rulesFor(draft.tenantId));
  };

  private async judge(draft: VerdictDraft, loading: TenantRules | Promise<TenantRules>): Promise<void> {
    const rules = await loading;
    if (rules.empty) return;
    const account = draft.account === null ? null : { id: draft.account, ...(rules.needsAccount ? await accountFacts(this.db, draft.tenantId, draft.account, draft.at) : UNREAD) };
    draft.results.forEach((result, index) => {
      const subject = subjectOf(draft, result, index, account);
      const { matches, effects } = rules.evaluate(subject);
      if (matches.length === 0) return;
      this.hits.record(subject, `${draft.moderationId}:${index}`, matches);
      const live = matches.filter((m) => m.mode === 'live');
      if (live.length) draft.results[index] = withRuleOutcome(result, outcomeOf(live, effects), draft.context);
    });
  }
}

/** Facts no rule in force reads: left unknown rather than looked up. */
const UNREAD = { createdAt: null, standing: 'none' as Standing };

/**
 * The account's creation time and its standing at `at` (the highest rung of its enforcement
 * actions in force). An account Warden has not seen yet is first seen now: its age is 0.
 */
export async function accountFacts(db: Queryable, tenantId: string, externalId: string, at: Date): Promise<{ createdAt: number; standing: Standing }> {
  const now = at.toISOString();
  const [account, actions] = await Promise.all([
    db.selectFrom('accounts').select('created_at').where('tenant_id', '=', tenantId).where('external_id', '=', externalId).executeTakeFirst(),
    db
      .selectFrom('enforcement_actions as x')
      .innerJoin('accounts as a', 'a.id', 'x.account_id')
      .select('x.rung')
      .where('x.tenant_id', '=', tenantId)
      .where('a.external_id', '=', externalId)
      .where('x.taken_at', '<=', now)
      .where('x.reversed_at', 'is', null)
      .where((eb) => eb.or([eb('x.ends_at', 'is', null), eb('x.ends_at', '>', now)]))
      .execute(),
  ]);
  let standing: Standing = 'none';
  for (const { rung } of actions) if (STANDINGS.indexOf(rung as Standing) > STANDINGS.indexOf(standing)) standing = rung as Standing;
  return { createdAt: account ? Date.parse(account.created_at) : at.getTime(), standing };
}

function subjectOf(draft: VerdictDraft, result: ModerationResult, index: number, account: RuleSubject['account']): RuleSubject {
  const { warden } = result;
  const scores = { ...result.category_scores, ...warden.category_scores };
  const flagged = new Set<string>();
  for (const [category, on] of Object.entries({ ...result.categories, ...warden.categories })) if (on) flagged.add(category);
  const evidence = warden.evidence as { detector?: string; kind?: string; match?: { bank_id?: string } }[];
  return {
    tenantId: draft.tenantId,
    at: draft.at.getTime(),
    source: 'moderation',
    surface: draft.context.surface,
    inputType: warden.images?.length ? 'image' : 'text',
    language: warden.language?.code ?? null,
    account,
    appId: null,
    scores,
    flagged,
    detectors: detectorIds(evidence),
    clauses: new Set(warden.violations.map((v) => v.clause_id)),
    hashBanks: new Set(evidence.flatMap((e) => (e.match?.bank_id ? [e.match.bank_id] : []))),
    texts: { text: draft.items[index]!.join('\n') },
  };
}

/** The live matches' merged effects, with the rules behind each flagged clause and changed score. */
function outcomeOf(live: RuleMatch[], effects: RuleEffects): RuleOutcome {
  const byClause = new Map<string, string[]>();
  const byScore = new Map<Category, string[]>();
  const add = <K>(map: Map<K, string[]>, key: K, rule: string) => map.set(key, [...new Set([...(map.get(key) ?? []), rule])]);
  for (const match of live) {
    for (const action of match.actions) {
      if (action.flag_clause) add(byClause, action.flag_clause, match.rule);
      const scored = action.set_score?.category ?? action.raise_score?.category;
      if (scored) add(byScore, scored, match.rule);
    }
  }
  return {
    version: live[0]!.version,
    matched: live.map((m) => m.rule),
    clauses: [...byClause].map(([clause_id, rules]) => ({ clause_id, rules })),
    scores: (Object.entries(effects.scores) as [Category, number][]).map(([category, value]) => ({ category, value, rules: byScore.get(category) ?? [] })),
    labels: effects.labels,
    block: effects.block,
    review_priority: effects.review,
    notify: effects.notify,
  };
}

/**
 * Plans a `rule.notify` outbox event for each result a live rule asked to notify about, in the
 * moderation's follow-up transaction (so a retried request announces once). Subscribe to
 * ModerationService.followUps.
 */
export function planRuleNotifications(clock: Clock) {
  return (followUp: FollowUp, plan: FollowUpPlan): void => {
    const events = followUp.results.flatMap((result) =>
      (result.rules?.notify ?? []).map(({ rule, message }) => ({
        tenantId: followUp.tenantId,
        type: 'rule.notify' as const,
        at: clock.now(),
        payload: { rule, version: result.rules!.version, message, moderation_id: followUp.moderationId, index: result.index, account: followUp.account, labels: result.rules!.labels, digest: result.digest },
      })),
    );
    if (events.length) plan.add((tx: Tx) => enqueueEvents(tx, events).then(() => undefined));
  };
}
