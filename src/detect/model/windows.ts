/**
 * Window scoring of long texts. A violation inside a long benign post is diluted when the whole text is scored
 * (the hashed blocks are scaled by 1/√count and the word vectors mean-pooled), so a text longer than
 * `maxTokens` tokens is also scored in windows of about two sentences, and each category's window evidence
 * joins the whole-text score. Every window is one more chance of a false alarm, so the window logits are
 * calibrated at training time (scripts/training/windows.ts) on long texts built from held-out material:
 *
 *   window logit of category k = max over windows − offsets[k] − lengthSlope · ln(windows)
 *                                 + agreement · min(0, whole logit − logit(threshold k))
 *   score = σ(max(whole logit, window logit))
 *
 * The length term makes a text with many windows need stronger window evidence (the maximum of more draws of
 * noise is higher); the agreement term asks for whole-text evidence too, so that one alarming word in a long
 * benign article, which the whole text dilutes, has to carry its window alone.
 */
export interface WindowCalibration {
  /** Texts of at most this many tokens are scored whole only; longer ones also in windows of at most this many. */
  maxTokens: number;
  /** Sentences a window starts with (one or two); it is extended by more until it has minTokens tokens. */
  sentences: number;
  /** Short sentences say little alone: a window takes the next sentence while it has fewer tokens than this. */
  minTokens: number;
  /**
   * A line (paragraph) of several sentences and at most this many tokens is one more window, so that a short post
   * or a quoted message inside a long text is scored as it would be alone (0 or absent: no paragraph windows).
   */
  paragraphTokens?: number;
  /** Per category, the logit subtracted from its best window (categories absent here: no window path). */
  offsets: Record<string, number>;
  lengthSlope: number;
  agreement: number;
}

/** How a text is cut into windows. */
export type WindowShape = Pick<WindowCalibration, 'maxTokens' | 'minTokens' | 'sentences' | 'paragraphTokens'>;

/** Where a text's windows are: pairs [from, to) of token indices, and how many. */
export interface WindowRanges {
  bounds: Int32Array;
  count: number;
}

/**
 * Windows over `tokenCount` tokens whose sentences start at `sentenceStarts` (ascending, the first 0): one per
 * sentence start, covering `shape.sentences` sentences, extended to `minTokens` and cut at `maxTokens`; a
 * sentence longer than `maxTokens` is covered by windows of that size at half-window strides. A window that
 * ends where the one before it ends adds nothing and is skipped. With `lineStarts` (1 where a sentence starts a
 * line) and `shape.paragraphTokens`, each line of two or more sentences and at most that many tokens is a
 * window too. Linear in the number of windows written.
 */
export function windowRanges(sentenceStarts: Int32Array, sentences: number, tokenCount: number, shape: WindowShape, out: WindowRanges, lineStarts?: Uint8Array): void {
  const { maxTokens, minTokens } = shape;
  const paragraphTokens = lineStarts ? (shape.paragraphTokens ?? 0) : 0;
  out.count = 0;
  const stride = Math.max(1, maxTokens >> 1);
  const sentenceEnd = (s: number) => (s + 1 < sentences ? sentenceStarts[s + 1]! : tokenCount);
  let previousEnd = -1;
  let paragraphEnd = -1;
  for (let s = 0; s < sentences; s++) {
    const start = sentenceStarts[s]!;
    if (paragraphTokens > 0 && s > paragraphEnd && lineStarts![s] === 1) {
      let last = s;
      while (last + 1 < sentences && lineStarts![last + 1] !== 1) last += 1;
      paragraphEnd = last;
      if (last > s && sentenceEnd(last) - start <= paragraphTokens) push(out, start, sentenceEnd(last));
    }
    if (sentenceEnd(s) - start > maxTokens) {
      let from = start;
      for (; from + maxTokens < sentenceEnd(s); from += stride) previousEnd = pushAfter(out, from, from + maxTokens, previousEnd);
      previousEnd = pushAfter(out, sentenceEnd(s) - maxTokens, sentenceEnd(s), previousEnd);
      continue;
    }
    let end = sentenceEnd(s);
    for (let k = s + 1; k < sentences && (k < s + shape.sentences || end - start < minTokens) && sentenceEnd(k) - start <= maxTokens; k++) end = sentenceEnd(k);
    previousEnd = pushAfter(out, start, end, previousEnd);
  }
}

/** Pushes [from, to) unless it ends where an earlier sentence window ends; returns the latest end. */
function pushAfter(out: WindowRanges, from: number, to: number, previousEnd: number): number {
  if (to <= previousEnd || to <= from) return previousEnd;
  push(out, from, to);
  return to;
}

function push(out: WindowRanges, from: number, to: number): void {
  if (out.bounds.length < 2 * (out.count + 1)) {
    const grown = new Int32Array(out.bounds.length * 2);
    grown.set(out.bounds);
    out.bounds = grown;
  }
  out.bounds[2 * out.count] = from;
  out.bounds[2 * out.count + 1] = to;
  out.count += 1;
}

/** The window path's logit for one category (see the module comment); -Infinity when it has no offset. */
export function windowLogit(calibration: WindowCalibration, category: string, bestWindow: number, whole: number, threshold: number, windows: number): number {
  const offset = calibration.offsets[category];
  if (offset === undefined || windows < 2) return -Infinity;
  const thresholdLogit = Math.log(threshold / (1 - threshold));
  return bestWindow - offset - calibration.lengthSlope * Math.log(windows) + calibration.agreement * Math.min(0, whole - thresholdLogit);
}
