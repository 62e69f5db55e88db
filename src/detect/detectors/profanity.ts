import { englishDataset, englishRecommendedTransformers } from 'obscenity';
import type { Category } from '../../common/index.ts';
import { originalSpan } from '../normalize.ts';
import type { DetectionProvider, Evidence, ProviderResult, TextInput } from '../types.ts';
import { WindowedMatcher } from './windowed-matcher.ts';

const CATEGORY: Category = 'profanity';
const DETECTOR = 'profanity';

let english: WindowedMatcher | undefined;

/** obscenity's English dataset and transformers (confusables, leet, repeated letters), built once. */
function englishMatcher(): WindowedMatcher {
  english ??= new WindowedMatcher({ ...englishDataset.build(), ...englishRecommendedTransformers });
  return english;
}

/**
 * Profanity, via obscenity on the normalised text: obscenity already undoes look-alikes, leet
 * and stretched letters, and normalisation adds the split-word tricks ("f.u.c.k", "k i l l").
 */
export function findProfanity(input: TextInput): Evidence[] {
  const normalized = input.normalized;
  const found: Evidence[] = [];
  for (const match of englishMatcher().getAllMatches(normalized.text)) {
    const word = englishDataset.getPayloadWithPhraseMetadata(match).phraseMetadata?.originalWord ?? 'term';
    const span = originalSpan(input.text, normalized, match.startIndex, match.endIndex + 1);
    if (found.some((f) => f.span![0] === span.start && f.span![1] === span.end)) continue;
    found.push({ detector: DETECTOR, category: CATEGORY, kind: `profanity:${word}`, span: [span.start, span.end], score: 1 });
  }
  return found;
}

export function profanityProvider(): DetectionProvider {
  return {
    id: DETECTOR,
    categories: [CATEGORY],
    thresholds: { [CATEGORY]: 0.5 },
    detect(input: TextInput): ProviderResult {
      const evidence = findProfanity(input);
      return { scores: { [CATEGORY]: evidence.length ? 1 : 0 }, evidence };
    },
  };
}
