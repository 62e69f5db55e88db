/**
 * The obfuscation-aware lexicon block: profanity and slur terms with severity, and topical terms (severity 0: the
 * self-harm group), matched as 1–3-token phrases.
 */
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
  'self-harm',
] as const;

/** Groups of the block in artifacts made before the self-harm group (FeatureConfig.lexiconGroups absent). */
export const LEGACY_LEXICON_GROUPS = 12;

export interface LexiconTerm {
  /** The term as normalize() writes it. */
  text: string;
  /**
   * 0..1 (surge's 1–3 severity scaled; multilingual list terms 0.5). 0: a topical term (self-harm wording), which
   * counts in its group only, not as a profanity hit.
   */
  severity: number;
  group: number;
}

export const MAX_PHRASE_TOKENS = 3;
const SUMMARY_FEATURES = 5;

/** Width of the lexicon block with `groups` groups. */
export function lexiconDim(groups: number): number {
  return SUMMARY_FEATURES + groups;
}

/** Accumulates lexicon hits for one text and writes the block's features. */
export class LexiconAccumulator {
  hits = 0;
  maxSeverity = 0;
  severitySum = 0;
  readonly groupCounts: Float64Array;

  /** `groups`: the first this many LEXICON_GROUPS are in the block (terms of later groups are not matched). */
  constructor(readonly groups: number) {
    this.groupCounts = new Float64Array(groups);
  }

  reset(): void {
    this.hits = 0;
    this.maxSeverity = 0;
    this.severitySum = 0;
    this.groupCounts.fill(0);
  }

  add(term: LexiconTerm): void {
    this.groupCounts[term.group]! += 1;
    if (term.severity === 0) return;
    this.hits += 1;
    this.severitySum += term.severity;
    if (term.severity > this.maxSeverity) this.maxSeverity = term.severity;
  }

  write(out: Float32Array, offset: number, tokenCount: number): void {
    out[offset] = this.hits > 0 ? 1 : 0;
    out[offset + 1] = Math.log1p(this.hits);
    out[offset + 2] = this.maxSeverity;
    out[offset + 3] = this.severitySum / Math.sqrt(tokenCount + 1);
    out[offset + 4] = this.hits / (tokenCount + 1);
    for (let g = 0; g < this.groups; g++) out[offset + SUMMARY_FEATURES + g] = Math.log1p(this.groupCounts[g]!);
  }
}
