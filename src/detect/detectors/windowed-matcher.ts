import { type BlacklistedTerm, type MatchPayload, RegExpMatcher, type TransformerContainer, compareMatchByPositionAndId } from 'obscenity';
import { ObscenityPrefilter } from './profanity-prefilter.ts';

/** What obscenity's RegExpMatcher is built from. */
export interface ObscenityTerms {
  blacklistedTerms: BlacklistedTerm[];
  whitelistedTerms?: string[];
  blacklistMatcherTransformers?: TransformerContainer[];
  whitelistMatcherTransformers?: TransformerContainer[];
}

/**
 * obscenity's RegExpMatcher, asked only about the prefilter's windows and, in each, only for the
 * terms that may match there: one matcher per term, all sharing the whitelist and transformers.
 * A text then costs a few regular expressions over a few dozen characters instead of every term
 * over all of it, and gets the same matches as the whole matcher (a test compares them).
 */
export class WindowedMatcher {
  private readonly prefilter: ObscenityPrefilter;
  /** Units around a candidate match that a whitelisted term containing it can reach. */
  private readonly margin: number;
  private readonly terms: Map<number, BlacklistedTerm>;
  private readonly matchers = new Map<number, RegExpMatcher>();

  constructor(private readonly options: ObscenityTerms) {
    this.prefilter = new ObscenityPrefilter(options.blacklistedTerms, options.blacklistMatcherTransformers ?? []);
    this.margin = Math.max(0, ...(options.whitelistedTerms ?? []).map((term) => term.length)) + 1;
    this.terms = new Map(options.blacklistedTerms.map((term) => [term.id, term]));
  }

  /** What RegExpMatcher.getAllMatches(text, true) returns: every match, sorted by position and term. */
  getAllMatches(text: string): MatchPayload[] {
    const found: MatchPayload[] = [];
    for (const { start, end, termIds } of this.prefilter.windows(text, this.margin)) {
      const slice = text.slice(start, end);
      const inWindow: MatchPayload[] = [];
      for (const termId of termIds) {
        for (const match of this.matcherFor(termId).getAllMatches(slice)) {
          inWindow.push({ ...match, startIndex: start + match.startIndex, endIndex: start + match.endIndex });
        }
      }
      found.push(...inWindow.sort(compareMatchByPositionAndId));
    }
    return found;
  }

  private matcherFor(termId: number): RegExpMatcher {
    let matcher = this.matchers.get(termId);
    if (!matcher) {
      matcher = new RegExpMatcher({ ...this.options, blacklistedTerms: [this.terms.get(termId)!] });
      this.matchers.set(termId, matcher);
    }
    return matcher;
  }
}
