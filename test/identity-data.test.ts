import { describe, expect, it } from 'vitest';
import { counterfactuals, swapIdentities } from '../scripts/data/counterfactual.ts';
import { IDENTITY_TERMS } from '../scripts/data/identities.ts';
import type { LabelledItem } from '../scripts/data/labels.ts';
import { HATEFUL_TEMPLATES, NEUTRAL_TEMPLATES, identitySuite } from '../scripts/suites/identity.ts';

const byAdjective = (adjective: string) => Object.values(IDENTITY_TERMS).flat().find((t) => t.adjective === adjective)!;

describe('counterfactual identity copies', () => {
  it('swaps each group term for one of the same axis, adjective for adjective and plural for plural', () => {
    const choose = (axis: string) => byAdjective(axis === 'religion' ? 'buddhist' : 'bisexual');
    expect(swapIdentities('Muslims are welcome here, said the gay muslim teacher.', choose)).toBe('Buddhists are welcome here, said the bisexual buddhist teacher.');
  });

  it('leaves colour and age words alone unless they name people', () => {
    const choose = () => byAdjective('asian');
    expect(swapIdentities('I like my coffee black and my code old.', choose)).toBeNull();
    expect(swapIdentities('Black people marched downtown.', choose)).toBe('Asian people marched downtown.');
  });

  it('copies only benign texts that name a group, keeping their labels, with ids of their own', () => {
    const item = (id: string, text: string, flagged: boolean): LabelledItem => ({ id, text, flagged, labels: { hate: flagged }, source: 's', licence: 'x', family: 'tweets' });
    const copies = counterfactuals([item('s:1', 'jews are vermin', true), item('s:2', 'the weather is nice', false), item('s:3', 'many jews live in this town', false)], 2, 100, 'seed');
    expect(copies).toHaveLength(2);
    for (const copy of copies) {
      expect(copy).toMatchObject({ flagged: false, labels: { hate: false }, source: 'identity_counterfactual' });
      expect(copy.text).not.toMatch(/jews/);
      expect(copy.text).toMatch(/^many \w+ live in this town$/);
    }
    expect(new Set(copies.map((c) => c.id)).size).toBe(2);
  });
});

describe('identity suite', () => {
  it('has at least 50 terms over every axis, at least 20 neutral templates and hateful ones for each term', () => {
    const cases = identitySuite();
    const terms = new Set(cases.map((c) => c.term));
    expect(terms.size).toBeGreaterThanOrEqual(50);
    expect(new Set(cases.map((c) => c.axis))).toEqual(new Set(Object.keys(IDENTITY_TERMS)));
    expect(NEUTRAL_TEMPLATES.length).toBeGreaterThanOrEqual(20);
    expect(cases.filter((c) => c.hateful)).toHaveLength(terms.size * HATEFUL_TEMPLATES.length);
    expect(cases.find((c) => c.term === 'gay' && !c.hateful)!.text).toBe('I am gay.');
  });
});
