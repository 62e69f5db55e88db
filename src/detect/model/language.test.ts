import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { DATASETS_URL as DATASETS, describeWithDatasets } from '../../../test/support/datasets.ts';
import { MarkerLanguageIdentifier, detectLanguage, detectLanguageWithNgrams, loadEldReference, type LanguageMarkers } from './language.ts';

const detectLanguageWithEld = await loadEldReference();

const markers = JSON.parse(readFileSync(new URL('./language-markers.json', import.meta.url), 'utf8')) as LanguageMarkers;

describe('language identification', () => {
  const identifier = new MarkerLanguageIdentifier(markers);

  it('settles plain English and French from marker words, as eld does', () => {
    for (const text of ['How do I kill a Python process that hangs? It has been running for an hour.', 'Comment puis-je utiliser une carte quand je veux être payé ?']) {
      const verdict = identifier.decide(text);
      expect(verdict?.language).toBe(detectLanguageWithEld(text).language);
    }
  });

  it('leaves other languages, other scripts and texts without markers to eld', () => {
    expect(identifier.decide('Wie kann ich einen hängenden Prozess beenden?')).toBeUndefined();
    expect(identifier.decide('Как мне завершить процесс Python, который завис?')).toBeUndefined();
    expect(identifier.decide('4111 1111 1111 1111')).toBeUndefined();
    expect(detectLanguage('Wie kann ich einen hängenden Prozess beenden?').language).toBe('de');
  });

  it('was measured to agree with eld on the dev split', () => {
    expect(markers.devTexts).toBeGreaterThan(1000);
    for (const agreement of Object.values(markers.agreement)) expect(agreement).toBeGreaterThanOrEqual(0.995);
  });

});

describeWithDatasets('the n-gram language identifier on MultiQ and Dolly', () => {
  it("computes eld's verdicts exactly from its n-gram table, in every language", () => {
    const rows = parse(readFileSync(new URL('multiq/MultiQ.csv', DATASETS)), { columns: true, skip_empty_lines: true }) as Record<string, string>[];
    const questions = rows.map((row) => row['prompt']!);
    const dolly = readFileSync(new URL('dolly15k_first6400/dolly_first6400.jsonl', DATASETS), 'utf8').split('\n').filter(Boolean).slice(0, 1500);
    const texts = [...questions, ...dolly.map((line) => (JSON.parse(line) as { response: string }).response), '', '1234', '😀 ok', "don't", 'é'.repeat(500), 'a'.repeat(90) + ' b'];
    expect(new Set(texts.map((text) => detectLanguageWithEld(text).language)).size).toBeGreaterThan(40);
    expect(texts.filter((text) => JSON.stringify(detectLanguageWithNgrams(text)) !== JSON.stringify(detectLanguageWithEld(text)))).toEqual([]);
  });
});
