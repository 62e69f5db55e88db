import { z } from 'zod';
import { InvalidInput } from '../common/index.ts';
import type { Queryable } from '../db/index.ts';
import { CompiledRules, type RuleMatch, actionKind } from './compile.ts';
import { type ActionKind, type RuleDocument, RULE_SOURCES } from './document.ts';
import { type HistoryItem, loadHistory } from './history.ts';
import { WindowRegistry } from './windows.ts';

/** The longest history one backtest reads. */
export const MAX_BACKTEST_DAYS = 90;
export const MAX_EXAMPLES = 50;
/** How many affected account ids a report lists (the count is always exact). */
const LISTED_ACCOUNTS = 100;

export const backtestRangeSchema = z
  .object({
    from: z.string().datetime({ offset: true }),
    to: z.string().datetime({ offset: true }),
    sources: z.array(z.enum(RULE_SOURCES)).min(1).default([...RULE_SOURCES]),
    examples: z.number().int().min(0).max(MAX_EXAMPLES).default(10),
  })
  .strict();
export type BacktestRange = z.infer<typeof backtestRangeSchema>;

/** What one version does to the history: per action, how many items it would act on. */
export interface VersionEffect {
  version: string;
  /** Items at least one rule matched (live or shadow). */
  matched_items: number;
  /** Per action kind, items at least one live rule would have taken it on. */
  actions: Partial<Record<ActionKind, number>>;
  /** Per action kind, items only shadow rules asked it for (recorded, never taken). */
  shadow_actions: Partial<Record<ActionKind, number>>;
  accounts_affected: number;
  rules: { id: string; mode: string; matches: number; accounts: number }[];
}

export interface BacktestReport {
  object: 'rules.backtest';
  from: string;
  to: string;
  items: Record<string, number>;
  truncated: boolean;
  candidate: VersionEffect;
  /** The live version over the same history, or null when the tenant has none. */
  live: VersionEffect | null;
  /** What publishing the candidate would change: items whose set of taken actions differs. */
  changed_items: number;
  /** Per action kind: candidate count minus live count. */
  action_delta: Partial<Record<ActionKind, number>>;
  accounts: string[];
  examples: { ref: string; at: string; source: string; account: string | null; rules: string[]; actions: ActionKind[]; live_actions: ActionKind[] }[];
}

interface Replay {
  effect: VersionEffect;
  taken: string[][];
  matchedRules: string[][];
  accountSet: Set<string>;
}

/**
 * Replays stored history through a candidate rule version (and the live one, to say what would
 * change), oldest first, with fresh windows so counts are what they would have been. Nothing is
 * written and nothing acts.
 */
export async function backtest(db: Queryable, tenantId: string, candidate: RuleDocument, live: RuleDocument | null, range: BacktestRange): Promise<BacktestReport> {
  const from = new Date(range.from);
  const to = new Date(range.to);
  if (to <= from) throw new InvalidInput('"to" must be after "from".', 'to');
  if (to.getTime() - from.getTime() > MAX_BACKTEST_DAYS * 86_400_000) throw new InvalidInput(`A backtest covers at most ${MAX_BACKTEST_DAYS} days.`, 'to');
  const { items, truncated } = await loadHistory(db, tenantId, { from, to, sources: range.sources });
  const mine = replay(candidate, items);
  const theirs = live ? replay(live, items) : null;
  const changed = items.map((_, i) => mine.taken[i]!.join() !== (theirs?.taken[i] ?? []).join());
  const delta: Partial<Record<ActionKind, number>> = {};
  for (const kind of new Set([...Object.keys(mine.effect.actions), ...Object.keys(theirs?.effect.actions ?? {})]) as Set<ActionKind>) {
    delta[kind] = (mine.effect.actions[kind] ?? 0) - (theirs?.effect.actions[kind] ?? 0);
  }
  const examples = items
    .map((item, i) => ({ item, i }))
    .filter(({ i }) => mine.matchedRules[i]!.length > 0)
    .slice(0, range.examples)
    .map(({ item, i }) => ({
      ref: item.ref,
      at: new Date(item.subject.at).toISOString(),
      source: item.subject.source,
      account: item.subject.account?.id ?? null,
      rules: mine.matchedRules[i]!,
      actions: mine.taken[i]! as ActionKind[],
      live_actions: (theirs?.taken[i] ?? []) as ActionKind[],
    }));
  const counts: Record<string, number> = Object.fromEntries(range.sources.map((s) => [s, 0]));
  for (const item of items) counts[item.subject.source] = (counts[item.subject.source] ?? 0) + 1;
  return {
    object: 'rules.backtest',
    from: from.toISOString(),
    to: to.toISOString(),
    items: counts,
    truncated,
    candidate: mine.effect,
    live: theirs?.effect ?? null,
    changed_items: changed.filter(Boolean).length,
    action_delta: delta,
    accounts: [...mine.accountSet].sort().slice(0, LISTED_ACCOUNTS),
    examples,
  };
}

function replay(document: RuleDocument, items: HistoryItem[]): Replay {
  const compiled = new CompiledRules(document, new WindowRegistry(Number.MAX_SAFE_INTEGER));
  const effect: VersionEffect = { version: document.version, matched_items: 0, actions: {}, shadow_actions: {}, accounts_affected: 0, rules: [] };
  const perRule = new Map(document.rules.map((rule) => [rule.id, { id: rule.id, mode: rule.mode ?? document.mode, matches: 0, accounts: new Set<string>() }]));
  const accountSet = new Set<string>();
  const taken: string[][] = [];
  const matchedRules: string[][] = [];
  for (const item of items) {
    const matches = compiled.evaluate(item.subject).matches;
    const live = kindsOf(matches.filter((m) => m.mode === 'live'));
    const shadowOnly = kindsOf(matches.filter((m) => m.mode === 'shadow')).filter((kind) => !live.includes(kind));
    taken.push(live);
    matchedRules.push(matches.map((m) => m.rule));
    if (matches.length) effect.matched_items++;
    for (const kind of live) effect.actions[kind] = (effect.actions[kind] ?? 0) + 1;
    for (const kind of shadowOnly) effect.shadow_actions[kind] = (effect.shadow_actions[kind] ?? 0) + 1;
    const account = item.subject.account?.id;
    if (account && live.length) accountSet.add(account);
    for (const match of matches) {
      const entry = perRule.get(match.rule)!;
      entry.matches++;
      if (account) entry.accounts.add(account);
    }
  }
  effect.accounts_affected = accountSet.size;
  effect.rules = [...perRule.values()].map(({ accounts, ...rule }) => ({ ...rule, accounts: accounts.size }));
  return { effect, taken, matchedRules, accountSet };
}

/** The distinct action kinds of some matches, in a stable order. */
function kindsOf(matches: RuleMatch[]): ActionKind[] {
  const kinds = new Set<ActionKind>();
  for (const match of matches) for (const action of match.actions) kinds.add(actionKind(action) as ActionKind);
  return [...kinds].sort();
}
