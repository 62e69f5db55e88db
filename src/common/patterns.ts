import { RE2JS, RE2Set } from 're2js';

/**
 * A pattern over user text, matched by RE2 (the re2js port): time linear in the text whatever the
 * pattern, so a tenant's `(a+)+$` cannot freeze the server the way a backtracking engine would.
 * RE2 refuses what needs backtracking (back-references, look-around); the error says so.
 */
export interface TextPattern {
  source: string;
  caseSensitive: boolean;
  test(text: string): boolean;
  /** The first match's [start, end) in UTF-16 units, or null. */
  find(text: string): [number, number] | null;
}

export function compilePattern(source: string, caseSensitive = false): TextPattern {
  let compiled: RE2JS;
  try {
    compiled = RE2JS.compile(source, caseSensitive ? 0 : RE2JS.CASE_INSENSITIVE);
  } catch (error) {
    throw new Error(`not a pattern RE2 accepts (no back-references or look-around): ${(error as Error).message}`, { cause: error });
  }
  return {
    source,
    caseSensitive,
    test: (text) => compiled.test(text),
    find: (text) => {
      const matcher = compiled.matcher(text);
      return matcher.find() ? [matcher.start(), matcher.end()] : null;
    },
  };
}

/**
 * Every text pattern of a rule version in one RE2 set: one linear pass over a text says which
 * patterns match it, instead of one pass per pattern (≈10x fewer steps with 20 patterns). Should
 * the set's DFA run out of its memory budget, the patterns run one by one, still in linear time.
 */
export class PatternBank {
  private readonly patterns: TextPattern[] = [];
  private set: RE2Set | null = null;

  /** Adds a pattern (validated by compilePattern) and returns its index. */
  add(source: string, caseSensitive: boolean): number {
    this.patterns.push(compilePattern(source, caseSensitive));
    return this.patterns.length - 1;
  }

  get size(): number {
    return this.patterns.length;
  }

  /** The indices of the patterns that match `text`. */
  matches(text: string): ReadonlySet<number> {
    if (!this.patterns.length) return EMPTY;
    try {
      return new Set(this.compiled().match(text));
    } catch {
      const found = new Set<number>();
      this.patterns.forEach((pattern, index) => {
        if (pattern.test(text)) found.add(index);
      });
      return found;
    }
  }

  private compiled(): RE2Set {
    if (!this.set) {
      const set = new RE2Set(RE2Set.UNANCHORED, 0);
      for (const pattern of this.patterns) set.add(pattern.caseSensitive ? pattern.source : `(?i)(?:${pattern.source})`);
      set.compile();
      this.set = set;
    }
    return this.set;
  }
}

const EMPTY: ReadonlySet<number> = new Set();
