import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MarkerLanguageIdentifier, detectLanguage, detectLanguageWithEld, type LanguageMarkers } from './language.ts';

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
