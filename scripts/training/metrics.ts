/** Binary metrics over scored examples; labels 1/0. */
export interface BinaryMetrics {
  n: number;
  nPos: number;
  precision: number;
  recall: number;
  f1: number;
  auprc: number;
}

/** Average precision (area under the precision–recall curve, step-wise, ties broken as one group). */
export function averagePrecision(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  const order = Array.from({ length: scores.length }, (_, i) => i).sort((a, b) => scores[b]! - scores[a]!);
  const totalPos = order.reduce((n, i) => n + (labels[i] === 1 ? 1 : 0), 0);
  if (totalPos === 0) return 0;
  let tp = 0;
  let seen = 0;
  let ap = 0;
  for (let i = 0; i < order.length; ) {
    let j = i;
    let groupPos = 0;
    while (j < order.length && scores[order[j]!] === scores[order[i]!]) {
      if (labels[order[j]!] === 1) groupPos++;
      j++;
    }
    tp += groupPos;
    seen += j - i;
    ap += (groupPos / totalPos) * (tp / seen);
    i = j;
  }
  return ap;
}

export function metricsAt(scores: ArrayLike<number>, labels: ArrayLike<number>, threshold: number): BinaryMetrics {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  let nPos = 0;
  for (let i = 0; i < scores.length; i++) {
    const positive = labels[i] === 1;
    if (positive) nPos++;
    const predicted = scores[i]! >= threshold;
    if (predicted && positive) tp++;
    else if (predicted) fp++;
    else if (positive) fn++;
  }
  const precision = tp + fp > 0 ? tp / (tp + fp) : 0;
  const recall = tp + fn > 0 ? tp / (tp + fn) : 0;
  const f1 = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
  return { n: scores.length, nPos, precision, recall, f1, auprc: averagePrecision(scores, labels) };
}

/**
 * The threshold with the best F1 (ties: the higher threshold). With `weights`, each example counts that many
 * times (a benign example of weight 3 costs three false positives when flagged).
 */
export function bestF1Threshold(scores: ArrayLike<number>, labels: ArrayLike<number>, weights?: ArrayLike<number>): number {
  const order = Array.from({ length: scores.length }, (_, i) => i).sort((a, b) => scores[b]! - scores[a]!);
  const weight = (i: number) => (weights ? weights[i]! : 1);
  const totalPos = order.reduce((n, i) => n + (labels[i] === 1 ? weight(i) : 0), 0);
  if (totalPos === 0) return 0.5;
  let tp = 0;
  let predicted = 0;
  let best = -1;
  let bestThreshold = 0.5;
  for (let i = 0; i < order.length; i++) {
    const at = order[i]!;
    predicted += weight(at);
    if (labels[at] === 1) tp += weight(at);
    const next = order[i + 1];
    if (next !== undefined && scores[next] === scores[at]) continue;
    const f1 = (2 * tp) / (predicted + totalPos);
    if (f1 > best) {
      best = f1;
      bestThreshold = scores[at]!;
    }
  }
  return bestThreshold;
}

/** Maps a score so that its category's threshold lands on 0.5 (to compare categories with different thresholds). */
export function calibrated(score: number, threshold: number): number {
  if (threshold <= 0 || threshold >= 1) return score;
  return score < threshold ? (0.5 * score) / threshold : 0.5 + (0.5 * (score - threshold)) / (1 - threshold);
}
