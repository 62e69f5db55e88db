/** The obfuscation-aware lexicon block: profanity and slur terms with severity, matched as 1–3-token phrases. */
export const LEXICON_GROUPS = [
  'sexual anatomy / sexual acts',
  'racial / ethnic slurs',
  'sexual orientation / gender',
  'bodily fluids / excrement',
  'other / general insult',
  'religious offense',
  'mental disability',
  'physical disability',
  'physical attributes',
  'animal references',
  'political',
  'multilingual',
] as const;

export interface LexiconTerm {
  /** The term as normalize() writes it. */
  text: string;
  /** 0..1 (surge's 1–3 severity scaled; multilingual list terms 0.5). */
  severity: number;
  group: number;
}

export const MAX_PHRASE_TOKENS = 3;
const SUMMARY_FEATURES = 5;
export const LEXICON_DIM = SUMMARY_FEATURES + LEXICON_GROUPS.length;

/** Accumulates lexicon hits for one text and writes the block's features. */
export class LexiconAccumulator {
  hits = 0;
  maxSeverity = 0;
  severitySum = 0;
  readonly groupCounts = new Float64Array(LEXICON_GROUPS.length);

  reset(): void {
    this.hits = 0;
    this.maxSeverity = 0;
    this.severitySum = 0;
    this.groupCounts.fill(0);
  }

  add(term: LexiconTerm): void {
    this.hits += 1;
    this.severitySum += term.severity;
    if (term.severity > this.maxSeverity) this.maxSeverity = term.severity;
    this.groupCounts[term.group]! += 1;
  }

  write(out: Float32Array, offset: number, tokenCount: number): void {
    out[offset] = this.hits > 0 ? 1 : 0;
    out[offset + 1] = Math.log1p(this.hits);
    out[offset + 2] = this.maxSeverity;
    out[offset + 3] = this.severitySum / Math.sqrt(tokenCount + 1);
    out[offset + 4] = this.hits / (tokenCount + 1);
    for (let g = 0; g < LEXICON_GROUPS.length; g++) out[offset + SUMMARY_FEATURES + g] = Math.log1p(this.groupCounts[g]!);
  }
}
