import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ALL_CATEGORIES, InvalidInput } from '../common/index.ts';
import { bundledPolicies } from './bundled.ts';
import { type PolicyDocument, validatePolicyDocument } from './document.ts';

/** The seed policy as published (a copy of ../shared/seed's, kept beside the YAML that encodes it). */
const SEED = readFileSync(new URL('../../policies/usage-policies/2024-01-10.md', import.meta.url), 'utf8');
const collapse = (s: string) => s.replace(/\s+/g, ' ').trim();
const plain = (s: string) => collapse(s.replace(/\*\*/g, '').replace(/\[([^\]]*)\]\([^)]*\)/g, '$1'));

/** Reads the seed's numbered items independently of the YAML: `section.N` and `section.N.M`. */
function seedItems(): Map<string, string> {
  const sections: Record<string, string> = {
    'Universal Policies': 'universal',
    'Building with the OpenAI API Platform': 'api',
    'Building with ChatGPT': 'chatgpt',
  };
  const items = new Map<string, string>();
  let prefix: string | null = null;
  let parent = 0;
  const lines = SEED.split('\n');
  lines.forEach((line, i) => {
    if (lines[i + 1]?.startsWith('---')) prefix = sections[line.trim()] ?? null;
    if (!prefix) return;
    const top = /^(\d+)\.\s+(.*)$/.exec(line);
    const nested = /^ {4}(\d+)\.\s+(.*)$/.exec(line);
    if (top) {
      parent = Number(top[1]);
      items.set(`${prefix}.${parent}`, plain(top[2]!));
    } else if (nested) {
      items.set(`${prefix}.${parent}.${nested[1]}`, plain(nested[2]!));
    }
  });
  return items;
}

describe('the bundled seed policy', () => {
  const doc = bundledPolicies().find((d) => d.version === '2024-01-10')!;

  it('has the 38 clause ids of DESIGN §4, in order', () => {
    const expected = [
      ...['1', '2', '3', '4'].map((n) => `universal.${n}`),
      'api.1.1', 'api.1.2', 'api.1.3', 'api.2.1', 'api.2.2', 'api.2.3', 'api.2.4', 'api.2.5',
      'api.3.1', 'api.3.2', 'api.3.3', 'api.3.4', 'api.4.1',
      'chatgpt.1.1', 'chatgpt.1.2', 'chatgpt.1.3', 'chatgpt.1.4',
      'chatgpt.2.1', 'chatgpt.2.2', 'chatgpt.2.3', 'chatgpt.2.4', 'chatgpt.2.5', 'chatgpt.2.6',
      'chatgpt.3.1', 'chatgpt.3.2', 'chatgpt.3.3', 'chatgpt.3.4', 'chatgpt.3.5', 'chatgpt.4.1', 'chatgpt.5',
      'store.1', 'store.2', 'store.3', 'store.4',
    ];
    expect(doc.clauses.map((c) => c.id)).toEqual(expected);
  });

  it("quotes the seed's own words for every numbered item", () => {
    const items = seedItems();
    const numbered = doc.clauses.filter((c) => !c.id.startsWith('store.'));
    expect(numbered).toHaveLength(34);
    for (const clause of numbered) {
      expect(collapse(clause.text), clause.id).toBe(items.get(clause.id));
      if (clause.group) expect(collapse(clause.group), clause.id).toBe(items.get(clause.id.split('.').slice(0, 2).join('.')));
    }
  });

  it('quotes the GPT Store sentences for the store clauses', () => {
    for (const clause of doc.clauses.filter((c) => c.id.startsWith('store.'))) {
      expect(collapse(SEED)).toContain(collapse(clause.text));
    }
  });

  it('carries every dated changelog entry of the seed', () => {
    const dated = [...SEED.matchAll(/^\* (\d{4}-\d{2}-\d{2}):\s+(.*)$/gm)].map((m) => ({ date: m[1], summary: collapse(m[2]!) }));
    expect(dated).toHaveLength(11);
    expect(doc.changelog.map((e) => ({ date: e.date, summary: collapse(e.summary) }))).toEqual(dated);
  });

  it('maps every category to at least one clause, and exempts red-teaming only from universal.4', () => {
    const used = new Set(doc.clauses.flatMap((c) => c.categories));
    expect([...ALL_CATEGORIES].filter((c) => !used.has(c))).toEqual([]);
    const exempt = doc.clauses.filter((c) => c.exemptions.length > 0);
    expect(exempt.map((c) => c.id)).toEqual(['universal.4']);
    expect(exempt[0]!.exemptions.map((e) => e.kind).sort()).toEqual(['red_teaming', 'research']);
  });

  it('makes sexual content involving minors critical', () => {
    const critical = doc.clauses.filter((c) => c.severity_overrides?.['sexual/minors'] === 'critical');
    expect(critical.map((c) => c.id)).toEqual(['universal.1', 'universal.3']);
  });
});

describe('validatePolicyDocument', () => {
  const valid = (): PolicyDocument => structuredClone(bundledPolicies()[0]!);

  function refusal(mutate: (doc: Record<string, unknown>) => void): InvalidInput {
    const doc = valid() as unknown as Record<string, unknown>;
    mutate(doc);
    try {
      validatePolicyDocument(doc);
    } catch (error) {
      expect(error).toBeInstanceOf(InvalidInput);
      return error as InvalidInput;
    }
    throw new Error('the document was accepted');
  }

  it('accepts the bundled document', () => {
    expect(validatePolicyDocument(valid()).clauses).toHaveLength(38);
  });

  it('names the path of a wrong type', () => {
    const error = refusal((doc) => ((doc.clauses as Record<string, unknown>[])[3]!.severity = 'extreme'));
    expect(error.param).toBe('clauses[3].severity');
    expect(error.message).toContain('clauses[3].severity');
  });

  it('refuses unknown fields, naming them', () => {
    const error = refusal((doc) => ((doc.clauses as Record<string, unknown>[])[0]!.colour = 'red'));
    expect(error.param).toBe('clauses[0].colour');
    expect(error.message).toMatch(/Unknown field "colour"/);
  });

  it('refuses duplicate clause ids', () => {
    const error = refusal((doc) => ((doc.clauses as Record<string, unknown>[])[5]!.id = 'universal.1'));
    expect(error.param).toBe('clauses[5].id');
    expect(error.message).toMatch(/duplicate clause id "universal.1"/);
  });

  it('refuses unknown categories and overrides for categories the clause lacks', () => {
    expect(refusal((doc) => ((doc.clauses as Record<string, unknown>[])[0]!.categories = ['gossip'])).param).toBe('clauses[0].categories[0]');
    expect(refusal((doc) => ((doc.clauses as Record<string, unknown>[])[4]!.severity_overrides = { sexual: 'low' })).param).toBe(
      'clauses[4].severity_overrides.sexual',
    );
  });

  it('requires a changelog and a well-formed version', () => {
    expect(refusal((doc) => (doc.changelog = [])).param).toBe('changelog');
    expect(refusal((doc) => (doc.version = '../etc')).param).toBe('version');
  });
});
