import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import {
  RegExpMatcher,
  assignIncrementingIds,
  englishDataset,
  englishRecommendedBlacklistMatcherTransformers,
  englishRecommendedTransformers,
  pattern,
} from 'obscenity';
import { beforeAll, describe, expect, it } from 'vitest';
import { DATASETS_URL as DATASETS, describeWithDatasets } from '../../../test/support/datasets.ts';
import { normalize } from '../normalize.ts';
import { ObscenityPrefilter } from './profanity-prefilter.ts';
import { WindowedMatcher } from './windowed-matcher.ts';

function csvColumn(path: string, column: string): string[] {
  const rows = parse(readFileSync(new URL(path, DATASETS)), { columns: true, skip_empty_lines: true }) as Record<string, string>[];
  return rows.map((row) => row[column]!);
}

function evenlySpaced<T>(items: T[], count: number): T[] {
  const step = Math.max(1, items.length / count);
  return Array.from({ length: Math.min(count, items.length) }, (_, i) => items[Math.floor(i * step)]!);
}

/** Profane terms, multilingual bad words, tweets full of obfuscated slurs, and benign long-form text. */
function corpus(): string[] {
  const dolly = readFileSync(new URL('dolly15k_first6400/dolly_first6400.jsonl', DATASETS), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => (JSON.parse(line) as { response: string }).response);
  return [
    ...csvColumn('surge_profanity_en/profanity_en.csv', 'text'),
    ...csvColumn('ldnoobw_multilingual_badwords/badwords_multilingual.csv', 'term'),
    ...evenlySpaced(csvColumn('davidson_hate_offensive/data_labeled_data.csv', 'tweet'), 3000),
    ...evenlySpaced(dolly, 1000),
  ];
}

const terms = englishDataset.build();
const matcher = new RegExpMatcher({ ...terms, ...englishRecommendedTransformers });
const prefilter = new ObscenityPrefilter(terms.blacklistedTerms, englishRecommendedBlacklistMatcherTransformers);

describeWithDatasets('ObscenityPrefilter on profane terms, tweets and long benign texts', () => {
  let texts: string[] = [];
  let matched: boolean[] = [];
  beforeAll(() => {
    texts = corpus().flatMap((text) => [text, normalize(text).text]);
    matched = texts.map((text) => matcher.getAllMatches(text).length > 0);
  });

  it('never drops a text in which obscenity finds a match, raw or normalised', () => {
    expect(matched.filter(Boolean).length).toBeGreaterThan(2000);
    expect(texts.filter((text, i) => matched[i] && !prefilter.mayMatch(text))).toEqual([]);
  });

  it('lets through few texts obscenity finds nothing in', () => {
    const clean = texts.filter((_, i) => !matched[i]);
    const passed = clean.filter((text) => prefilter.mayMatch(text)).length;
    expect(clean.length).toBeGreaterThan(5000);
    expect(passed / clean.length).toBeLessThan(0.05);
  });

  it('the windowed matcher finds what obscenity finds in the whole text, term by term and in order', () => {
    const windowed = new WindowedMatcher({ ...terms, ...englishRecommendedTransformers });
    const spans = (matches: { startIndex: number; endIndex: number; termId: number }[]) => matches.map((m) => `${m.termId}@${m.startIndex}-${m.endIndex}`).join();
    expect(texts.filter((text) => spans(windowed.getAllMatches(text)) !== spans(matcher.getAllMatches(text, true)))).toEqual([]);
  });

});

describe('ObscenityPrefilter', () => {
  it('follows the pattern syntax: optionals, wildcards, word boundaries, astral characters', () => {
    const custom = assignIncrementingIds([pattern`|b[a]d|`, pattern`w?rd`, pattern`😀x`]);
    const filter = new ObscenityPrefilter(custom, []);
    expect(['bd', 'a bad day', 'word', 'w-rd', '😀x'].map((t) => filter.mayMatch(t))).toEqual([true, true, true, true, true]);
    expect(['badly', 'abad', 'wrd', 'xx', '😀'].map((t) => filter.mayMatch(t))).toEqual([false, false, false, false, false]);
  });
});
