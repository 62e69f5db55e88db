import { type Category, PatternBank, canonicalJson } from '../common/index.ts';
import {
  type Condition,
  type CountScope,
  type RuleAction,
  type RuleDocument,
  type RuleMode,
  type RuleSource,
  type RuleSurface,
  INPUT_TYPES,
  STANDINGS,
  parseDuration,
} from './document.ts';
import type { WindowRegistry } from './windows.ts';

export type TextField = 'text' | 'name' | 'description' | 'instructions' | 'conversation_starters' | 'category';

/** What a rule sees of one judged item: the verdict's signals and who and where it came from. */
export interface RuleSubject {
  tenantId: string;
  /** When it happened, ms since the epoch: windows count by this time. */
  at: number;
  source: RuleSource;
  surface: RuleSurface;
  inputType: (typeof INPUT_TYPES)[number];
  language: string | null;
  account: { id: string; createdAt: number | null; standing: (typeof STANDINGS)[number] } | null;
  appId: string | null;
  scores: Readonly<Partial<Record<Category, number>>>;
  flagged: ReadonlySet<string>;
  /** Detector ids with a finding (`credit-card`, `profanity`, …). */
  detectors: ReadonlySet<string>;
  /** Clause ids the verdict found violated. */
  clauses: ReadonlySet<string>;
  /** Ids of the hash banks an image of the item matched. */
  hashBanks: ReadonlySet<string>;
  texts: Readonly<Partial<Record<TextField, string>>>;
}

export interface RuleMatch {
  rule: string;
  version: string;
  mode: RuleMode;
  actions: RuleAction[];
}

/** What the live matches ask for, merged: the caller takes these actions. */
export interface RuleEffects {
  clauses: string[];
  /** The score each set/raise action leaves a category at. */
  scores: Partial<Record<Category, number>>;
  /** The highest review priority asked for, or null when no rule routes to review. */
  review: number | null;
  labels: string[];
  block: boolean;
  /** The rules that asked to notify, with their messages. */
  notify: { rule: string; message: string | null }[];
}

export interface Evaluation {
  matches: RuleMatch[];
  effects: RuleEffects;
}

/** Per evaluation: which of the version's patterns each text field matches, found on first need. */
class TextHits {
  private readonly byField = new Map<string, ReadonlySet<number>>();

  constructor(
    private readonly bank: PatternBank,
    private readonly texts: RuleSubject['texts'],
  ) {}

  inField(field: string, index: number): boolean {
    let hits = this.byField.get(field);
    if (!hits) {
      const text = this.texts[field as TextField];
      hits = text === undefined ? new Set() : this.bank.matches(text);
      this.byField.set(field, hits);
    }
    return hits.has(index);
  }

  anywhere(index: number): boolean {
    for (const field of Object.keys(this.texts)) if (this.inField(field, index)) return true;
    return false;
  }
}

type Predicate = (subject: RuleSubject, text: TextHits) => boolean;

interface Counter {
  signature: string;
  of: Predicate;
  key: (subject: RuleSubject) => string | null;
  add(key: string, at: number): void;
}

interface CompiledRule {
  id: string;
  mode: RuleMode;
  when: Predicate;
  actions: RuleAction[];
}

export const PRIORITY_NAMES = { low: 25, normal: 50, high: 75, urgent: 100 } as const;

/**
 * A rule version compiled once into closures: patterns compiled, durations parsed, windows bound.
 * `evaluate` first records the subject in every window whose counted condition it meets (so a
 * count includes the event being judged), then runs each rule's condition, short-circuiting.
 */
export class CompiledRules {
  private readonly rules: CompiledRule[];
  private readonly counters: Counter[] = [];
  private readonly patterns = new PatternBank();
  /** Signatures of the windows this version counts in (see WindowRegistry.retain). */
  readonly windowSignatures = new Set<string>();
  /** Whether a rule reads the account's age or standing: only then must the live path look the account up. */
  readonly needsAccount: boolean;

  constructor(
    readonly document: RuleDocument,
    windows: WindowRegistry,
    /** Forces every rule into shadow: the version runs beside the live one. */
    forceShadow = false,
  ) {
    const compiler = new ConditionCompiler(windows, this.counters, this.windowSignatures, this.patterns);
    this.rules = document.rules.map((rule) => ({
      id: rule.id,
      mode: forceShadow ? 'shadow' : (rule.mode ?? document.mode),
      when: compiler.compile(rule.when),
      actions: rule.then,
    }));
    this.needsAccount = compiler.readsAccount;
  }

  get version(): string {
    return this.document.version;
  }

  get size(): number {
    return this.rules.length;
  }

  /**
   * Counts the subject in the windows it belongs to; call once per subject, before `match`.
   * `seen` holds the window signatures already counted for this subject (by another version).
   */
  observe(subject: RuleSubject, seen = new Set<string>(), text = new TextHits(this.patterns, subject.texts)): void {
    for (const counter of this.counters) {
      if (seen.has(counter.signature)) continue;
      seen.add(counter.signature);
      if (!counter.of(subject, text)) continue;
      const key = counter.key(subject);
      if (key !== null) counter.add(key, subject.at);
    }
  }

  /** The rules whose conditions the subject meets. */
  match(subject: RuleSubject, text = new TextHits(this.patterns, subject.texts)): RuleMatch[] {
    const matches: RuleMatch[] = [];
    for (const rule of this.rules) {
      if (rule.when(subject, text)) matches.push({ rule: rule.id, version: this.document.version, mode: rule.mode, actions: rule.actions });
    }
    return matches;
  }

  evaluate(subject: RuleSubject): Evaluation {
    const text = new TextHits(this.patterns, subject.texts);
    this.observe(subject, new Set(), text);
    const matches = this.match(subject, text);
    return { matches, effects: effectsOf(matches, subject.scores) };
  }
}

/** Merges the live matches' actions; shadow matches change nothing. */
export function effectsOf(matches: RuleMatch[], scores: RuleSubject['scores']): RuleEffects {
  const effects: RuleEffects = { clauses: [], scores: {}, review: null, labels: [], block: false, notify: [] };
  for (const match of matches) {
    if (match.mode !== 'live') continue;
    for (const action of match.actions) applyAction(effects, action, match.rule, scores);
  }
  return effects;
}

function applyAction(effects: RuleEffects, action: RuleAction, rule: string, scores: RuleSubject['scores']): void {
  if (action.flag_clause && !effects.clauses.includes(action.flag_clause)) effects.clauses.push(action.flag_clause);
  if (action.set_score) effects.scores[action.set_score.category] = action.set_score.value;
  if (action.raise_score) {
    const { category, by } = action.raise_score;
    const current = effects.scores[category] ?? scores[category] ?? 0;
    effects.scores[category] = Math.min(1, current + by);
  }
  if (action.review) {
    const { priority } = action.review;
    const value = typeof priority === 'number' ? priority : PRIORITY_NAMES[priority];
    effects.review = Math.max(effects.review ?? 0, value);
  }
  if (action.label && !effects.labels.includes(action.label)) effects.labels.push(action.label);
  if (action.block) effects.block = true;
  if (action.notify) effects.notify.push({ rule, message: action.notify.message ?? null });
}

/** The kind of an action: its one key. */
export function actionKind(action: RuleAction): keyof RuleAction {
  return Object.keys(action)[0] as keyof RuleAction;
}

const KEY_OF: Record<CountScope, (subject: RuleSubject) => string | null> = {
  account: (s) => s.account?.id ?? null,
  app: (s) => s.appId,
  tenant: (s) => s.tenantId,
};

class ConditionCompiler {
  readsAccount = false;

  constructor(
    private readonly windows: WindowRegistry,
    private readonly counters: Counter[],
    private readonly signatures: Set<string>,
    private readonly patterns: PatternBank,
  ) {}

  compile(condition: Condition): Predicate {
    if (condition.all) {
      const parts = byCost(condition.all).map((c) => this.compile(c));
      return (s, t) => parts.every((p) => p(s, t));
    }
    if (condition.any) {
      const parts = byCost(condition.any).map((c) => this.compile(c));
      return (s, t) => parts.some((p) => p(s, t));
    }
    if (condition.not) {
      const inner = this.compile(condition.not);
      return (s, t) => !inner(s, t);
    }
    if (condition.count) return this.count(condition.count);
    if (condition.text) return this.text(condition.text);
    if (condition.account_age || condition.account_standing) this.readsAccount = true;
    return leaf(condition);
  }

  private text(text: NonNullable<Condition['text']>): Predicate {
    const index = this.patterns.add(text.pattern, text.case_sensitive);
    const field = text.field;
    if (field) return (_s, t) => t.inField(field, index);
    return (_s, t) => t.anywhere(index);
  }

  private count(count: NonNullable<Condition['count']>): Predicate {
    const windowMs = parseDuration(count.window);
    const signature = canonicalJson({ of: count.of, per: count.per, window: windowMs, at_least: count.at_least });
    const window = this.windows.window(signature, windowMs, count.at_least);
    const key = KEY_OF[count.per];
    if (!this.signatures.has(signature)) {
      this.signatures.add(signature);
      this.counters.push({ signature, of: this.compile(count.of), key, add: (k, at) => window.add(k, at) });
    }
    return (s) => {
      const k = key(s);
      return k !== null && window.reached(k, s.at);
    };
  }
}

/**
 * Conditions are pure, so `all` and `any` may test them in any order: set look-ups first, a count
 * next, text patterns (a pass over the text) last, so a pattern runs only when the rest allow.
 */
function byCost(conditions: Condition[]): Condition[] {
  return conditions.map((condition, index) => ({ condition, index, cost: costOf(condition) })).sort((a, b) => a.cost - b.cost || a.index - b.index).map((c) => c.condition);
}

function costOf(condition: Condition): number {
  if (condition.text) return 100;
  if (condition.count) return 10;
  const children = condition.all ?? condition.any ?? (condition.not ? [condition.not] : null);
  return children ? children.reduce((sum, child) => sum + costOf(child), 0) : 1;
}

function leaf(condition: Condition): Predicate {
  if (condition.category !== undefined) {
    if (typeof condition.category === 'string') {
      const name = condition.category;
      return (s) => s.flagged.has(name);
    }
    const { name, min_score: min } = condition.category;
    if (min === undefined) return (s) => s.flagged.has(name);
    return (s) => (s.scores[name] ?? 0) >= min;
  }
  if (condition.detector !== undefined) {
    const id = condition.detector;
    return (s) => s.detectors.has(id);
  }
  if (condition.clause !== undefined) {
    const id = condition.clause;
    return (s) => s.clauses.has(id);
  }
  if (condition.hash_bank !== undefined) {
    if (condition.hash_bank === true) return (s) => s.hashBanks.size > 0;
    const banks = condition.hash_bank;
    return (s) => banks.some((bank) => s.hashBanks.has(bank));
  }
  if (condition.account_age) return agePredicate(condition.account_age);
  if (condition.account_standing) {
    const standings = new Set<string>(condition.account_standing);
    return (s) => s.account !== null && standings.has(s.account.standing);
  }
  if (condition.input_type) return membership(condition.input_type, (s) => s.inputType);
  if (condition.language) return membership(condition.language, (s) => s.language);
  if (condition.surface) return membership(condition.surface, (s) => s.surface);
  if (condition.source) return membership(condition.source, (s) => s.source);
  throw new Error(`unknown condition ${JSON.stringify(condition)}`);
}

function membership<T extends string>(values: readonly T[], read: (s: RuleSubject) => string | null): Predicate {
  const set = new Set<string>(values);
  return (s) => {
    const value = read(s);
    return value !== null && set.has(value);
  };
}

/** An account's age at the subject's time; a subject without an account, or with an unknown creation time, never matches. */
function agePredicate(age: NonNullable<Condition['account_age']>): Predicate {
  const under = age.under === undefined ? Infinity : parseDuration(age.under);
  const over = age.over === undefined ? -Infinity : parseDuration(age.over);
  return (s) => {
    if (!s.account || s.account.createdAt === null) return false;
    const ms = s.at - s.account.createdAt;
    return ms < under && ms > over;
  };
}
