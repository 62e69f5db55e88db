import { describe, expect, it } from 'vitest';
import { InvalidInput, compilePattern } from '../common/index.ts';
import { CompiledRules, type RuleSubject } from './compile.ts';
import { type RuleDocument, parseRuleYaml, validateRuleDocument } from './document.ts';
import { SlidingWindow, WindowRegistry } from './windows.ts';

const T0 = Date.parse('2026-03-01T12:00:00Z');
const MIN = 60_000;

function subject(overrides: Partial<RuleSubject> = {}): RuleSubject {
  return {
    tenantId: 'ten_1',
    at: T0,
    source: 'moderation',
    surface: 'api',
    inputType: 'text',
    language: 'en',
    account: { id: 'acct-1', createdAt: T0 - 3_600_000, standing: 'none' },
    appId: null,
    scores: { harassment: 0.7, violence: 0.1 },
    flagged: new Set(['harassment']),
    detectors: new Set(['credit-card']),
    clauses: new Set(['universal.3']),
    hashBanks: new Set(['bank_1']),
    texts: { text: 'you are pathetic' },
    ...overrides,
  };
}

function rules(yamlRules: unknown[], extra: Partial<RuleDocument> = {}): CompiledRules {
  const document = validateRuleDocument({ version: 'v1', summary: 'test', rules: yamlRules, ...extra });
  return new CompiledRules(document, new WindowRegistry());
}

const onlyRule = (when: unknown, then: unknown[] = [{ label: 'hit' }]) => rules([{ id: 'r', when, then }]);
const matches = (when: unknown, s: RuleSubject = subject()) => onlyRule(when).evaluate(s).matches.length === 1;

describe('rule documents', () => {
  it('names the path of a broken field', () => {
    const bad = { version: 'v1', summary: 's', rules: [{ id: 'a', when: { all: [{ category: 'harassment' }, { text: { pattern: '(a' } }] }, then: [{ label: 'x' }] }] };
    expect(() => validateRuleDocument(bad)).toThrow(InvalidInput);
    try {
      validateRuleDocument(bad);
    } catch (error) {
      expect((error as InvalidInput).param).toBe('rules[0].when.all[1].text.pattern');
    }
  });

  it('refuses a count window that is no duration as invalid input, naming it (the fuzzing suite got a 500)', () => {
    for (const window of ['1 aaa', '', '8d', '10w']) {
      const doc = { version: 'v1', summary: 's', rules: [{ id: 'a', when: { count: { of: { category: 'harassment' }, per: 'account', window, at_least: 2 } }, then: [{ block: true }] }] };
      expect(() => validateRuleDocument(doc), window).toThrow(InvalidInput);
      try {
        validateRuleDocument(doc);
      } catch (error) {
        expect((error as InvalidInput).param, window).toBe('rules[0].when.count.window');
      }
    }
  });

  it('refuses a condition with two keys, an unknown category, a count of a count and duplicate ids', () => {
    const param = (doc: unknown) => {
      try {
        validateRuleDocument(doc);
      } catch (error) {
        return (error as InvalidInput).param;
      }
      return 'accepted';
    };
    const base = (when: unknown) => ({ version: 'v1', summary: 's', rules: [{ id: 'a', when, then: [{ block: true }] }] });
    expect(param(base({ category: 'harassment', clause: 'api.1' }))).toBe('rules[0].when');
    expect(param(base({ category: 'nonsense' }))).toBe('rules[0].when.category');
    expect(param(base({ count: { of: { count: { of: { category: 'hate' }, per: 'account', window: '1m', at_least: 2 } }, per: 'account', window: '1m', at_least: 2 } }))).toBe(
      'rules[0].when.count.of.count',
    );
    expect(param(base({ count: { of: { category: 'hate' }, per: 'account', window: '30d', at_least: 2 } }))).toBe('rules[0].when.count.window');
    expect(param({ ...base({ category: 'hate' }), rules: [...base({ category: 'hate' }).rules, ...base({ category: 'hate' }).rules] })).toBe('rules[1].id');
    expect(param({ version: 'v1', summary: 's', rules: [{ id: 'a', when: { category: 'hate' }, then: [{ block: true, label: 'x' }] }] })).toBe('rules[0].then[0]');
  });

  it('reads YAML', () => {
    const doc = parseRuleYaml(`version: v2\nsummary: first rules\nrules:\n  - id: cards\n    when: { detector: credit-card }\n    then: [{ label: pii }]\n`);
    expect(doc.rules[0]!.id).toBe('cards');
    expect(doc.mode).toBe('live');
  });
});

describe('signals', () => {
  it('category flags and scores', () => {
    expect(matches({ category: 'harassment' })).toBe(true);
    expect(matches({ category: 'hate' })).toBe(false);
    expect(matches({ category: { name: 'violence', min_score: 0.1 } })).toBe(true);
    expect(matches({ category: { name: 'violence', min_score: 0.2 } })).toBe(false);
  });

  it('detector findings and clause ids', () => {
    expect(matches({ detector: 'credit-card' })).toBe(true);
    expect(matches({ detector: 'iban' })).toBe(false);
    expect(matches({ clause: 'universal.3' })).toBe(true);
    expect(matches({ clause: 'universal.4' })).toBe(false);
  });

  it('hash-bank matches, any bank or named ones', () => {
    expect(matches({ hash_bank: true })).toBe(true);
    expect(matches({ hash_bank: ['bank_2', 'bank_1'] })).toBe(true);
    expect(matches({ hash_bank: ['bank_2'] })).toBe(false);
    expect(matches({ hash_bank: true }, subject({ hashBanks: new Set() }))).toBe(false);
  });

  it('text and field matches, case-insensitive unless asked', () => {
    expect(matches({ text: { pattern: '\\bPATHETIC\\b' } })).toBe(true);
    expect(matches({ text: { pattern: '\\bPATHETIC\\b', case_sensitive: true } })).toBe(false);
    const listing = subject({ source: 'submission', texts: { name: 'Spy Buddy', description: 'track your partner' } });
    expect(matches({ text: { pattern: 'partner', field: 'description' } }, listing)).toBe(true);
    expect(matches({ text: { pattern: 'partner', field: 'name' } }, listing)).toBe(false);
  });

  it('account age and standing; no account never matches', () => {
    expect(matches({ account_age: { under: '1d' } })).toBe(true);
    expect(matches({ account_age: { over: '2h' } })).toBe(false);
    expect(matches({ account_age: { over: '30m', under: '2h' } })).toBe(true);
    expect(matches({ account_standing: ['none'] })).toBe(true);
    expect(matches({ account_standing: ['warning', 'suspended'] })).toBe(false);
    expect(matches({ account_age: { under: '1d' } }, subject({ account: null }))).toBe(false);
  });

  it('input type, language, surface and source', () => {
    expect(matches({ input_type: ['text'] })).toBe(true);
    expect(matches({ input_type: ['image'] })).toBe(false);
    expect(matches({ language: ['en', 'fr'] })).toBe(true);
    expect(matches({ language: ['de'] }, subject({ language: null }))).toBe(false);
    expect(matches({ surface: ['gpts', 'store'] })).toBe(false);
    expect(matches({ surface: ['api'] })).toBe(true);
    expect(matches({ source: ['report'] })).toBe(false);
  });

  it('all, any and not', () => {
    expect(matches({ all: [{ category: 'harassment' }, { not: { category: 'hate' } }] })).toBe(true);
    expect(matches({ any: [{ category: 'hate' }, { surface: ['store'] }] })).toBe(false);
  });
});

describe('windows', () => {
  const young = { count: { of: { category: 'harassment' }, per: 'account', window: '10m', at_least: 3 } };

  it('counts per account across bucket edges exactly', () => {
    const compiled = onlyRule(young);
    const at = (ms: number, account = 'acct-1') => compiled.evaluate(subject({ at: T0 + ms, account: { id: account, createdAt: T0, standing: 'none' } })).matches.length;
    expect(at(0)).toBe(0);
    expect(at(5 * MIN)).toBe(0);
    expect(at(5 * MIN, 'acct-2')).toBe(0); // another account's events do not count
    expect(at(10 * MIN)).toBe(0); // the event at 0 is exactly 10m old: out of (t-10m, t]
    expect(at(10 * MIN + 1)).toBe(1); // 5m, 10m and now
    expect(at(0, 'acct-3') + at(MIN, 'acct-3')).toBe(0);
    expect(at(10 * MIN - 1, 'acct-3')).toBe(1); // the first event is 1 ms inside the window
  });

  it('counts only what the count names, per app and per tenant', () => {
    const perApp = onlyRule({ count: { of: { source: ['submission'] }, per: 'app', window: '1h', at_least: 2 } });
    const sub = (ms: number, appId: string | null, source: RuleSubject['source'] = 'submission') => perApp.evaluate(subject({ at: T0 + ms, appId, source })).matches.length;
    expect(sub(0, 'app-1')).toBe(0);
    expect(sub(1, 'app-1', 'report')).toBe(0);
    expect(sub(2, null)).toBe(0);
    expect(sub(3, 'app-1')).toBe(1);
    const perTenant = onlyRule({ count: { of: { category: 'harassment' }, per: 'tenant', window: '1m', at_least: 2 } });
    expect(perTenant.evaluate(subject({ account: null })).matches.length).toBe(0);
    expect(perTenant.evaluate(subject({ account: null, at: T0 + 1 })).matches.length).toBe(1);
  });

  it('keeps a window across versions that count the same thing', () => {
    const windows = new WindowRegistry();
    const doc = (version: string) => validateRuleDocument({ version, summary: 's', rules: [{ id: 'r', when: young, then: [{ label: 'x' }] }] });
    const v1 = new CompiledRules(doc('v1'), windows);
    v1.evaluate(subject());
    v1.evaluate(subject({ at: T0 + 1 }));
    const v2 = new CompiledRules(doc('v2'), windows);
    expect(v2.evaluate(subject({ at: T0 + 2 })).matches).toHaveLength(1);
  });

  it('holds at most N times per key and drops stale keys', () => {
    const window = new SlidingWindow(1_000, 2, 10);
    for (let i = 0; i < 10; i++) window.add(`k${i}`, i);
    window.add('fresh', 5_000);
    expect(window.size).toBe(1);
    window.add('fresh', 5_001);
    window.add('fresh', 5_002);
    expect(window.count('fresh', 5_002)).toBe(2);
  });
});

describe('actions and modes', () => {
  it('merges every kind of action from live rules', () => {
    const compiled = rules([
      { id: 'a', when: { category: 'harassment' }, then: [{ flag_clause: 'universal.3' }, { set_score: { category: 'hate', value: 0.4 } }, { review: { priority: 'high' } }] },
      { id: 'b', when: { detector: 'credit-card' }, then: [{ raise_score: { category: 'harassment', by: 0.5 } }, { label: 'pii' }, { block: true }, { notify: { message: 'card seen' } }, { review: { priority: 20 } }] },
    ]);
    const { effects, matches: found } = compiled.evaluate(subject());
    expect(found.map((m) => m.rule)).toEqual(['a', 'b']);
    expect(effects).toEqual({
      clauses: ['universal.3'],
      scores: { hate: 0.4, harassment: 1 },
      review: 75,
      labels: ['pii'],
      block: true,
      notify: [{ rule: 'b', message: 'card seen' }],
    });
  });

  it('shadow rules match but never act, alone or as a whole version', () => {
    const compiled = rules([
      { id: 'live', when: { category: 'harassment' }, then: [{ label: 'seen' }] },
      { id: 'quiet', mode: 'shadow', when: { category: 'harassment' }, then: [{ block: true }] },
    ]);
    const result = compiled.evaluate(subject());
    expect(result.matches.map((m) => [m.rule, m.mode])).toEqual([['live', 'live'], ['quiet', 'shadow']]);
    expect(result.effects.block).toBe(false);
    expect(result.effects.labels).toEqual(['seen']);
    const shadowVersion = new CompiledRules(compiled.document, new WindowRegistry(), true);
    const shadowed = shadowVersion.evaluate(subject());
    expect(shadowed.matches.every((m) => m.mode === 'shadow')).toBe(true);
    expect(shadowed.effects).toEqual({ clauses: [], scores: {}, review: null, labels: [], block: false, notify: [] });
  });
});

describe('patterns', () => {
  it('refuses back-references and look-around', () => {
    expect(() => compilePattern('(a)\\1')).toThrow(/RE2/);
    expect(() => compilePattern('foo(?=bar)')).toThrow(/RE2/);
  });

  it('runs a catastrophic-backtracking pattern in linear time', () => {
    const pattern = compilePattern('^(a+)+$');
    const time = (n: number) => {
      const text = `${'a'.repeat(n)}!`;
      let best = Infinity;
      for (let i = 0; i < 3; i++) {
        const start = performance.now();
        expect(pattern.test(text)).toBe(false);
        best = Math.min(best, performance.now() - start);
      }
      return best;
    };
    time(1_000); // warm up
    const small = time(10_000);
    const large = time(40_000);
    // A backtracking engine takes 2^n steps here (never finishing); RE2 grows with n (4x here), quadratic would be 16x.
    expect(large / Math.max(small, 0.5)).toBeLessThan(12);
  });
});
