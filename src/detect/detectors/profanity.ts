import { RegExpMatcher, englishDataset, englishRecommendedBlacklistMatcherTransformers, englishRecommendedTransformers } from 'obscenity';
import type { Category } from '../../common/index.ts';
import { originalSpan } from '../normalize.ts';
import type { DetectionProvider, Evidence, ProviderResult, TextInput } from '../types.ts';
import { ObscenityPrefilter } from './profanity-prefilter.ts';

const CATEGORY: Category = 'profanity';
const DETECTOR = 'profanity';

interface EnglishMatcher {
  matcher: RegExpMatcher;
  prefilter: ObscenityPrefilter;
  /** Units around a candidate match that a whitelisted term containing it can reach. */
  margin: number;
}

let english: EnglishMatcher | undefined;

/**
 * obscenity's English dataset and transformers (confusables, leet, repeated letters), built
 * once, with a prefilter derived from the same terms and transformers.
 */
function englishMatcher(): EnglishMatcher {
  if (!english) {
    const terms = englishDataset.build();
    english = {
      matcher: new RegExpMatcher({ ...terms, ...englishRecommendedTransformers }),
      prefilter: new ObscenityPrefilter(terms.blacklistedTerms, englishRecommendedBlacklistMatcherTransformers),
      margin: Math.max(0, ...(terms.whitelistedTerms ?? []).map((term) => term.length)) + 1,
    };
  }
  return english;
}

/**
 * Profanity, via obscenity on the normalised text: obscenity already undoes look-alikes, leet
 * and stretched letters, and normalisation adds the split-word tricks ("f.u.c.k", "k i l l").
 * The matcher runs only on the prefilter's windows, which hold every match it would find in the
 * whole text.
 */
export function findProfanity(input: TextInput): Evidence[] {
  const normalized = input.normalized;
  const { matcher, prefilter, margin } = englishMatcher();
  const found: Evidence[] = [];
  const windows = prefilter.windows(normalized.text, margin);
  for (let w = 0; w < windows.length; w += 2) {
    const offset = windows[w]!;
    for (const match of matcher.getAllMatches(normalized.text.slice(offset, windows[w + 1]), true)) {
      const word = englishDataset.getPayloadWithPhraseMetadata(match).phraseMetadata?.originalWord ?? 'term';
      const span = originalSpan(input.text, normalized, offset + match.startIndex, offset + match.endIndex + 1);
      if (found.some((f) => f.span![0] === span.start && f.span![1] === span.end)) continue;
      found.push({ detector: DETECTOR, category: CATEGORY, kind: `profanity:${word}`, span: [span.start, span.end], score: 1 });
    }
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
