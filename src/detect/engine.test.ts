import { describe, expect, it } from 'vitest';
import { identifiersProvider } from './detectors/identifiers.ts';
import { profanityProvider } from './detectors/profanity.ts';
import { Detection, textModelProvider } from './engine.ts';

let lastScored = '';
const fixedScores = (text: string) => {
  lastScored = text;
  return { harassment: text.includes('idiot') ? 0.9 : 0.1, profanity: 0.3 };
};
const fixedModel = {
  categories: ['harassment', 'profanity'] as const,
  thresholds: { harassment: 0.4, profanity: 0.7 },
  score: fixedScores,
  scoreNormalized: fixedScores,
  /** The word "idiot" of the text scored last, for each category asked. */
  explainLast: (categories: readonly ('harassment' | 'profanity')[]) => {
    const start = lastScored.indexOf('idiot');
    return start < 0 ? [] : categories.map((category) => ({ category, start, end: start + 5 }));
  },
};

describe('Detection', () => {
  it('combines providers: highest score per category, every provider’s evidence', () => {
    const detection = new Detection([textModelProvider(fixedModel), identifiersProvider(), profanityProvider()]);
    const result = detection.detect('you idiot, f.u.c.k off; card 4111 1111 1111 1111');
    expect(result.scores).toEqual({ harassment: 0.9, profanity: 1, 'privacy/sensitive-identifiers': 1 });
    expect(result.evidence.map((e) => [e.detector, e.kind])).toEqual([
      ['identifiers', 'payment_card:visa'],
      ['profanity', 'profanity:fuck'],
      ['text-model', 'model:word'],
    ]);
  });

  it('cites the words behind a model category that reaches its threshold, as spans of the original text', () => {
    const detection = new Detection([textModelProvider(fixedModel)]);
    const text = 'ＹＯＵ   IDIOT!!';
    const [evidence, ...rest] = detection.detect(text).evidence;
    expect(rest).toEqual([]);
    expect(evidence).toMatchObject({ detector: 'text-model', category: 'harassment', score: 0.9 });
    expect(text.slice(...evidence!.span!)).toBe('IDIOT');
    expect(detection.detect('you are kind').evidence).toEqual([]);
  });

  it('takes each category’s threshold from the first provider that scores it', () => {
    const detection = new Detection([textModelProvider(fixedModel), identifiersProvider(), profanityProvider()]);
    expect(detection.thresholds).toEqual({ harassment: 0.4, profanity: 0.7, 'privacy/sensitive-identifiers': 0.5 });
    expect([...detection.categories].sort()).toEqual(['harassment', 'privacy/sensitive-identifiers', 'profanity']);
  });

  it('runs with deterministic detectors alone', () => {
    const detection = new Detection([identifiersProvider()]);
    expect(detection.detect('nothing sensitive')).toEqual({ scores: { 'privacy/sensitive-identifiers': 0 }, evidence: [] });
  });

  it('identifies the language once per text and hands it to the model, whose calibration depends on it', () => {
    const languages: (string | undefined)[] = [];
    const identified: string[] = [];
    const model = { ...fixedModel, scoreNormalized: (text: string, language?: string) => (languages.push(language), fixedScores(text)) };
    const detection = new Detection([textModelProvider(model)], {
      identify: (text) => (identified.push(text), text.startsWith('Das') ? { language: 'de', confidence: 0.9 } : { language: 'und', confidence: 0 }),
      trained: ['en'],
    });
    detection.detect('Das ist gut, sagt meine Mutter');
    expect(detection.language('Das ist gut, sagt meine Mutter')).toEqual({ code: 'de', confidence: 0.9, supported: false });
    detection.detect('12345');
    // A few words are too few to trust the language with the scores ("Lyrics Finder" reads as Danish).
    detection.detect('Das Finder');
    // An inconclusive identification is no language: the model scores without a language offset.
    expect(languages).toEqual(['de', undefined, undefined]);
    expect(identified).toEqual(['Das ist gut, sagt meine Mutter', '12345', 'Das Finder']);
  });
});
