/**
 * Long texts: a suite built from dev-split material only (nothing in it was trained on), and the calibration
 * of window scoring on one half of it (src/detect/model/windows.ts). Hosts are dev paragraphs of the long-form
 * benign sources (WikiText, Stack Exchange, Dolly responses) joined to a target length; into a host goes
 * either nothing (benign), one dev positive of at most MAX_INSERT characters (a violation inside a benign
 * post: the text takes the positive's labels), or one dev benign-but-scary prompt (an alarming but benign
 * sentence: a hard negative); the long dev texts of the other sources join as they are (natural; a benign one only where its source annotated every moderation category). Items are split by a hash of their id into a calibration half, which `npm run
 * train` fits the window calibration on, and an evaluation half, which the card and `npm run eval:suites`
 * report, so the reported figures are not the ones the calibration was chosen on.
 */
import { MODERATION_CATEGORIES, type Category } from '../../src/common/index.ts';
import { LinearTextModel, hashString, seededRandom, windowLogit, type WindowCalibration, type WindowParts, type WindowShape } from '../../src/detect/index.ts';
import { metricsAt, type BinaryMetrics } from './metrics.ts';
import { flagScore, isBenignScary, type Item, type TrainedModel } from './pipeline.ts';

export const HOST_SOURCES = ['wikitext2', 'stackexchange', 'dolly_responses'];
/** Inserted positives are sentence-sized: longer ones are long texts already. */
const MAX_INSERT = 300;
const MIN_INSERT = 20;
/** Length buckets of the built texts, in characters: [low, high). */
export const LENGTH_BUCKETS: readonly [number, number][] = [[300, 700], [700, 1500], [1500, 3000], [3000, 6000]];
const SEED = 20261202;

export type Half = 'calibration' | 'evaluation';

/** Which half of the long-text suite an item's material belongs to. */
export function halfOf(id: string): Half {
  return (hashString(`long-texts:${id}`) & 1) === 0 ? 'calibration' : 'evaluation';
}

export interface LongText {
  id: string;
  text: string;
  flagged: boolean;
  labels: Partial<Record<Category, boolean>>;
  /** benign: a host alone; positive / alarming: a host with a dev positive / benign-but-scary prompt inserted; natural: a long dev text as it is. */
  kind: 'benign' | 'positive' | 'alarming' | 'natural benign' | 'natural positive';
  bucket: string;
  /** The dev text inserted into the host (positive and alarming kinds). */
  inserted?: string;
}

/** The long texts of one half, built deterministically from the dev split. */
export function buildLongTexts(dev: Item[], half: Half): LongText[] {
  const mine = dev.filter((item) => halfOf(item.id) === half);
  const hosts = HOST_SOURCES.map((source) => mine.filter((item) => item.source === source && !item.flagged).map((item) => item.text)).filter((pool) => pool.length > 0);
  // Without host paragraphs (a recipe without the long-form sources) only the natural long texts remain.
  const positives = hosts.length ? mine.filter((item) => item.flagged && !HOST_SOURCES.includes(item.source) && item.text.length >= MIN_INSERT && item.text.length <= MAX_INSERT) : [];
  const alarming = hosts.length ? mine.filter((item) => isBenignScary(item) && item.text.length <= MAX_INSERT) : [];
  const random = seededRandom(SEED + (half === 'calibration' ? 0 : 1));
  const pick = <T>(list: T[]): T => list[Math.floor(random() * list.length)]!;
  const texts: LongText[] = [];
  const host = (b: number): { paragraphs: string[]; bucket: string } => {
    const [low, high] = LENGTH_BUCKETS[b]!;
    const pool = pick(hosts);
    const target = low + random() * (high - low);
    const paragraphs: string[] = [];
    let length = 0;
    while (length < target) {
      const paragraph = pick(pool);
      paragraphs.push(paragraph);
      length += paragraph.length + 1;
    }
    return { paragraphs, bucket: bucketName(LENGTH_BUCKETS[b]!) };
  };
  const insert = (paragraphs: string[], sentence: string): string => {
    const at = Math.floor(random() * (paragraphs.length + 1));
    return [...paragraphs.slice(0, at), sentence, ...paragraphs.slice(at)].join('\n');
  };
  const none = Object.fromEntries(MODERATION_CATEGORIES.map((c) => [c, false])) as Partial<Record<Category, boolean>>;
  positives.forEach((item, i) => {
    const { paragraphs, bucket } = host(i % LENGTH_BUCKETS.length);
    texts.push({ id: `positive:${item.id}`, text: insert(paragraphs, item.text), flagged: true, labels: item.labels, kind: 'positive', bucket, inserted: item.text });
  });
  // As many benign hosts as positives, and every benign-but-scary prompt of the half once per bucket.
  for (let i = 0; i < positives.length; i++) {
    const { paragraphs, bucket } = host(i % LENGTH_BUCKETS.length);
    texts.push({ id: `benign:${i}`, text: paragraphs.join('\n'), flagged: false, labels: none, kind: 'benign', bucket });
  }
  alarming.forEach((item) => {
    for (let b = 0; b < LENGTH_BUCKETS.length; b++) {
      const { paragraphs, bucket } = host(b);
      texts.push({ id: `alarming:${item.id}:${b}`, text: insert(paragraphs, item.text), flagged: false, labels: none, kind: 'alarming', bucket, inserted: item.text });
    }
  });
  // Long dev texts of every other source as they are (prompts, comments, posts): the styles the hosts lack.
  for (const item of mine) {
    if (HOST_SOURCES.includes(item.source) || item.text.length < LENGTH_BUCKETS[0]![0]) continue;
    // A text is benign only where its source said so for every moderation category: a jailbreak prompt or a C-SSRS
    // post is "not flagged" because its source annotated other categories, not because it holds no harassment.
    if (!item.flagged && !annotatedBenign(item)) continue;
    const bucket = LENGTH_BUCKETS.find(([, high]) => item.text.length < high) ?? LENGTH_BUCKETS.at(-1)!;
    texts.push({ id: `natural:${item.id}`, text: item.text, flagged: item.flagged, labels: item.labels, kind: item.flagged ? 'natural positive' : 'natural benign', bucket: bucketName(bucket) });
  }
  return texts;
}

/** Whether an item's source annotated every moderation category, all of them false. */
export function annotatedBenign(item: Item): boolean {
  return MODERATION_CATEGORIES.every((category) => item.labels[category] === false);
}

function bucketName([low, high]: [number, number]): string {
  return `${low}–${high}`;
}

/**
 * How texts are windowed, before calibration fits the offsets: sentence windows of at least 8 and at most 48
 * tokens, and each line of several sentences up to 80 tokens (an inserted post or quoted message scored whole).
 */
export const WINDOW_SHAPE: WindowShape = { maxTokens: 48, minTokens: 8, sentences: 1, paragraphTokens: 80 };
const OFFSET_GRID = Array.from({ length: 21 }, (_, i) => -1 + i * 0.25);
/** An offset this high gives a category no window path in practice (no window logit clears its threshold by 6). */
const OFF = 6;
const SLOPE_GRID = [0, 0.25, 0.5, 0.75];
const AGREEMENT_GRID = [0, 0.1, 0.25];
/** Rounds of coordinate descent over the per-category offsets. */
const ROUNDS = 3;
/**
 * The window path may add at most this much to each kind of benign text's flagged rate under whole-text scoring
 * (hosts alone, natural long texts), shorter and longer than LONG_TEXT apart; a host with an alarming sentence may be flagged as often as that sentence is
 * alone, or this much more often than the whole text is, whichever is higher.
 */
const MAX_ADDED_FALSE_POSITIVES = 0.04;
/** Texts of at least this many characters are budgeted apart from shorter ones. */
const LONG_TEXT = 1500;

interface Scored {
  text: LongText;
  parts: WindowParts;
}

/** Scores the long texts once, keeping the parts the calibration combines. */
export function scoreParts(model: LinearTextModel, texts: LongText[], shape: WindowShape = WINDOW_SHAPE): Scored[] {
  return texts.map((text) => ({ text, parts: model.windowParts(text.text, shape) }));
}

/** Whether a text is flagged by any moderation category under a calibration (null: whole text only). */
function flaggedUnder(model: LinearTextModel, { parts }: Scored, calibration: WindowCalibration | null): boolean {
  return model.categories.some((category, k) => categoryFlagged(model, parts, k, category, calibration) && (MODERATION_CATEGORIES as readonly string[]).includes(category));
}

function categoryFlagged(model: LinearTextModel, parts: WindowParts, k: number, category: string, calibration: WindowCalibration | null): boolean {
  const threshold = model.thresholds[category] ?? 0.5;
  const cut = Math.log(threshold / (1 - threshold));
  if (parts.whole[k]! >= cut) return true;
  return calibration !== null && windowLogit(calibration, category, parts.bestWindow[k]!, parts.whole[k]!, threshold, parts.windows) >= cut;
}

/** The combined score of a category as the model computes it (for ranking figures). */
function combinedScore(model: LinearTextModel, parts: WindowParts, k: number, category: string, calibration: WindowCalibration | null): number {
  const threshold = model.thresholds[category] ?? 0.5;
  const logit = calibration === null ? parts.whole[k]! : Math.max(parts.whole[k]!, windowLogit(calibration, category, parts.bestWindow[k]!, parts.whole[k]!, threshold, parts.windows));
  return 1 / (1 + Math.exp(-logit));
}

/** The flagged-rate ceilings of the benign kinds of texts, and which texts belong to each. */
interface BenignBudget {
  members: Int32Array[];
  allowed: number[];
}

function benignBudget(model: LinearTextModel, scored: Scored[], addedFalsePositives: number): BenignBudget {
  const members: Int32Array[] = [];
  const allowed: number[] = [];
  // Shorter and longer texts apart: a length-blind budget lets the few long natural texts be flagged far more often.
  const groups = (['benign', 'alarming', 'natural benign'] as const).flatMap((kind) => [false, true].map((long) => ({ kind, long })));
  for (const { kind, long } of groups) {
    const idx = Int32Array.from(scored.map((s, i) => (s.text.kind === kind && s.text.text.length >= LONG_TEXT === long ? i : -1)).filter((i) => i >= 0));
    if (idx.length === 0) continue;
    const whole = Array.from(idx).filter((i) => flaggedUnder(model, scored[i]!, null)).length / idx.length;
    // An alarming sentence that the model flags alone may be flagged inside a host too: that is the short-text model's error, not the windows'.
    const alone = kind === 'alarming' ? Array.from(idx).filter((i) => flagScore(model.score(scored[i]!.text.inserted ?? ''), model.thresholds, MODERATION_CATEGORIES) >= 0.5).length / idx.length : 0;
    members.push(idx);
    allowed.push(Math.max(whole + addedFalsePositives, alone));
  }
  return { members, allowed };
}

/**
 * Fits the window calibration on scored calibration texts. For each length slope and agreement weight of the
 * grids, per-category offsets are fitted by coordinate descent (ROUNDS passes; each category's offset in turn
 * set to the grid value that gives the best binary F1 over all calibration texts) while every kind of benign text
 * stays within its budget (benignBudget); the setting with the best F1 wins, ties to fewer false positives. The
 * F1 objective is what makes the offsets precision-aware: a category whose windows raise more benign texts than
 * positives keeps its window path shut.
 */
export function calibrateWindows(model: LinearTextModel, scored: Scored[], shape: WindowShape = WINDOW_SHAPE, addedFalsePositives = MAX_ADDED_FALSE_POSITIVES): WindowCalibration {
  const none: WindowCalibration = { ...shape, offsets: {}, lengthSlope: 0, agreement: 0 };
  const n = scored.length;
  const labels = Uint8Array.from(scored.map((s) => (s.text.flagged ? 1 : 0)));
  const positives = labels.reduce((a, b) => a + b, 0);
  const budget = benignBudget(model, scored, addedFalsePositives);
  // Nothing to calibrate on: no window path rather than one no text has checked.
  if (positives === 0 || budget.members.length === 0) return none;
  const categories = model.categories.map((category, k) => ({ category, k })).filter(({ category }) => (MODERATION_CATEGORIES as readonly string[]).includes(category));
  const cuts = categories.map(({ category }) => {
    const t = model.thresholds[category] ?? 0.5;
    return Math.log(t / (1 - t));
  });
  const wholeFlag = Uint8Array.from(scored.map((s) => (categories.some(({ k }, j) => s.parts.whole[k]! >= cuts[j]!) ? 1 : 0)));
  let best: { calibration: WindowCalibration; f1: number; fp: number } | null = null;
  for (const lengthSlope of SLOPE_GRID) {
    for (const agreement of AGREEMENT_GRID) {
      // margins[j][i]: how far text i's window path for category j clears its threshold before the offset.
      const margins = categories.map(({ k }, j) =>
        Float64Array.from(scored, ({ parts }) => (parts.windows < 2 ? -Infinity : parts.bestWindow[k]! - lengthSlope * Math.log(parts.windows) + agreement * Math.min(0, parts.whole[k]! - cuts[j]!) - cuts[j]!)),
      );
      const offsets = categories.map(() => OFF);
      let fit = { f1: binaryF1(wholeFlag, labels), fp: 0 };
      for (let round = 0; round < ROUNDS; round++) {
        for (let j = 0; j < categories.length; j++) {
          const others = new Uint8Array(n);
          for (let i = 0; i < n; i++) {
            let flagged = wholeFlag[i]!;
            for (let o = 0; o < categories.length && !flagged; o++) if (o !== j && margins[o]![i]! >= offsets[o]!) flagged = 1;
            others[i] = flagged;
          }
          for (const candidate of [OFF, ...OFFSET_GRID]) {
            const flags = Uint8Array.from(others, (f, i) => f | (margins[j]![i]! >= candidate ? 1 : 0));
            if (!budget.members.every((idx, b) => share(flags, idx) <= budget.allowed[b]! + 1e-9)) continue;
            const f1 = binaryF1(flags, labels);
            const fp = flags.reduce((a, f, i) => a + (f && !labels[i] ? 1 : 0), 0);
            if (f1 > fit.f1 + 1e-9 || (candidate === offsets[j] && f1 >= fit.f1 - 1e-9)) {
              fit = { f1, fp };
              offsets[j] = candidate;
            }
          }
        }
      }
      const calibration: WindowCalibration = {
        ...shape,
        lengthSlope,
        agreement,
        offsets: Object.fromEntries(categories.flatMap(({ category }, j) => (offsets[j]! < OFF ? [[category, offsets[j]!]] : []))),
      };
      if (!best || fit.f1 > best.f1 + 1e-9 || (Math.abs(fit.f1 - best.f1) <= 1e-9 && fit.fp < best.fp)) best = { calibration, f1: fit.f1, fp: fit.fp };
    }
  }
  return best?.calibration ?? none;
}

function share(flags: Uint8Array, idx: Int32Array): number {
  let flagged = 0;
  for (const i of idx) flagged += flags[i]!;
  return flagged / idx.length;
}

function binaryF1(flags: Uint8Array, labels: Uint8Array): number {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  for (let i = 0; i < flags.length; i++) {
    if (flags[i] && labels[i]) tp += 1;
    else if (flags[i]) fp += 1;
    else if (labels[i]) fn += 1;
  }
  return tp === 0 ? 0 : (2 * tp) / (2 * tp + fp + fn);
}

export interface LongTextRow {
  bucket: string;
  positives: number;
  benign: number;
  alarming: number;
  recall: number;
  benignFpr: number;
  alarmingFpr: number;
  natural: number;
  naturalRecall: number;
  naturalBenign: number;
  naturalBenignFpr: number;
}

export interface LongTextReport {
  /** Whole texts only, then with the window calibration. */
  modes: { mode: string; binary: BinaryMetrics; benignFpr: number; alarmingFpr: number; naturalRecall: number; naturalBenignFpr: number; byBucket: LongTextRow[]; categories: Record<string, { positives: number; recall: number }> }[];
}

/** Recall and false-positive rates of the evaluation half, whole texts only and with windows, by length bucket. */
export function evaluateLongTexts(model: LinearTextModel, scored: Scored[], calibration: WindowCalibration | null): LongTextReport {
  const modes: [string, WindowCalibration | null][] = [['whole text', null]];
  if (calibration) modes.push(['windows (calibrated)', calibration]);
  return {
    modes: modes.map(([mode, cal]) => {
      const flags = scored.map((s) => flaggedUnder(model, s, cal));
      const binaryScores = scored.map((s) => Math.max(0, ...model.categories.map((category, k) => ((MODERATION_CATEGORIES as readonly string[]).includes(category) ? thresholdRelative(combinedScore(model, s.parts, k, category, cal), model.thresholds[category] ?? 0.5) : 0))));
      const share = (filter: (s: Scored) => boolean) => {
        const idx = scored.map((s, i) => (filter(s) ? i : -1)).filter((i) => i >= 0);
        return { n: idx.length, rate: idx.length ? idx.filter((i) => flags[i]).length / idx.length : 0 };
      };
      const byBucket = LENGTH_BUCKETS.map(bucketName).map((bucket) => {
        const p = share((s) => s.text.bucket === bucket && s.text.kind === 'positive');
        const b = share((s) => s.text.bucket === bucket && s.text.kind === 'benign');
        const a = share((s) => s.text.bucket === bucket && s.text.kind === 'alarming');
        const np = share((s) => s.text.bucket === bucket && s.text.kind === 'natural positive');
        const nb = share((s) => s.text.bucket === bucket && s.text.kind === 'natural benign');
        return { bucket, positives: p.n, benign: b.n, alarming: a.n, recall: p.rate, benignFpr: b.rate, alarmingFpr: a.rate, natural: np.n, naturalRecall: np.rate, naturalBenign: nb.n, naturalBenignFpr: nb.rate };
      });
      const categories: Record<string, { positives: number; recall: number }> = {};
      model.categories.forEach((category, k) => {
        const pos = scored.filter((s) => s.text.labels[category] === true);
        if (pos.length === 0 || !(MODERATION_CATEGORIES as readonly string[]).includes(category)) return;
        categories[category] = { positives: pos.length, recall: pos.filter((s) => categoryFlagged(model, s.parts, k, category, cal)).length / pos.length };
      });
      return {
        mode,
        binary: metricsAt(binaryScores, scored.map((s) => (s.text.flagged ? 1 : 0)), 0.5),
        benignFpr: share((s) => s.text.kind === 'benign').rate,
        alarmingFpr: share((s) => s.text.kind === 'alarming').rate,
        naturalRecall: share((s) => s.text.kind === 'natural positive').rate,
        naturalBenignFpr: share((s) => s.text.kind === 'natural benign').rate,
        byBucket,
        categories,
      };
    }),
  };
}

function thresholdRelative(score: number, threshold: number): number {
  return score < threshold ? (0.5 * score) / threshold : 0.5 + (0.5 * (score - threshold)) / (1 - threshold);
}

/**
 * Fits the window calibration of a freshly trained model on the calibration half of the long-text suite and
 * stores it in the artifact's metadata; the returned model scores long texts with it.
 */
export function withWindowCalibration(trained: TrainedModel, dev: Item[]): TrainedModel {
  const calibration = calibrateWindows(trained.model, scoreParts(trained.model, buildLongTexts(dev, 'calibration')));
  const weights = { ...trained.weights, metadata: { ...trained.weights.metadata, windows: calibration } };
  return { ...trained, weights, model: new LinearTextModel(weights) };
}
