/**
 * Long texts: a suite built from dev-split material only (nothing in it was trained on), and the calibration
 * of window scoring on one half of it (src/detect/model/windows.ts). Hosts are dev paragraphs of the long-form
 * benign sources (WikiText, Stack Exchange, Dolly responses) joined to a target length; into a host goes
 * either nothing (benign), one dev positive of at most MAX_INSERT characters (a violation inside a benign
 * post: the text takes the positive's labels), or one dev benign-but-scary prompt (an alarming but benign
 * sentence: a hard negative); the long dev texts of the other sources join as they are (natural). Items are split by a hash of their id into a calibration half, which `npm run
 * train` fits the window calibration on, and an evaluation half, which the card and `npm run eval:suites`
 * report, so the reported figures are not the ones the calibration was chosen on.
 */
import { MODERATION_CATEGORIES, type Category } from '../../src/common/index.ts';
import { LinearTextModel, hashString, seededRandom, windowLogit, type WindowCalibration, type WindowParts, type WindowShape } from '../../src/detect/index.ts';
import { metricsAt, type BinaryMetrics } from './metrics.ts';
import { isBenignScary, type Item, type TrainedModel } from './pipeline.ts';

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
    texts.push({ id: `positive:${item.id}`, text: insert(paragraphs, item.text), flagged: true, labels: item.labels, kind: 'positive', bucket });
  });
  // As many benign hosts as positives, and every benign-but-scary prompt of the half once per bucket.
  for (let i = 0; i < positives.length; i++) {
    const { paragraphs, bucket } = host(i % LENGTH_BUCKETS.length);
    texts.push({ id: `benign:${i}`, text: paragraphs.join('\n'), flagged: false, labels: none, kind: 'benign', bucket });
  }
  alarming.forEach((item) => {
    for (let b = 0; b < LENGTH_BUCKETS.length; b++) {
      const { paragraphs, bucket } = host(b);
      texts.push({ id: `alarming:${item.id}:${b}`, text: insert(paragraphs, item.text), flagged: false, labels: none, kind: 'alarming', bucket });
    }
  });
  // Long dev texts of every other source as they are (prompts, comments, posts): the styles the hosts lack.
  for (const item of mine) {
    if (HOST_SOURCES.includes(item.source) || item.text.length < LENGTH_BUCKETS[0]![0]) continue;
    const bucket = LENGTH_BUCKETS.find(([, high]) => item.text.length < high) ?? LENGTH_BUCKETS.at(-1)!;
    texts.push({ id: `natural:${item.id}`, text: item.text, flagged: item.flagged, labels: item.labels, kind: item.flagged ? 'natural positive' : 'natural benign', bucket: bucketName(bucket) });
  }
  return texts;
}

function bucketName([low, high]: [number, number]): string {
  return `${low}–${high}`;
}

/** How texts are windowed, before calibration fits the offsets. */
export const WINDOW_SHAPE: WindowShape = { maxTokens: 48, minTokens: 8, sentences: 1 };
const OFFSET_GRID = Array.from({ length: 33 }, (_, i) => -2 + i * 0.25);
const SLOPE_GRID = [0, 0.25, 0.5, 0.75, 1];
const AGREEMENT_GRID = [0, 0.25, 0.5];
/** Per-category offsets are pulled toward the shared one as if this many more positives had voted for it. */
const OFFSET_PRIOR_POSITIVES = 30;
/** The window path may add at most this much to the benign false-positive rate of whole-text scoring. */
const MAX_ADDED_FALSE_POSITIVES = 0.03;

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

/**
 * Fits the window calibration on scored calibration texts: for each length slope and agreement weight of the
 * grids, a shared offset and per-category offsets (each category's F1-best, shrunk toward the shared one),
 * keeping the setting with the most recall while each kind of benign text (hosts alone, with an alarming
 * sentence, natural) is flagged at most MAX_ADDED_FALSE_POSITIVES more often than by whole-text scoring; ties go
 * to fewer false positives.
 */
export function calibrateWindows(model: LinearTextModel, scored: Scored[], shape: WindowShape = WINDOW_SHAPE, addedFalsePositives = MAX_ADDED_FALSE_POSITIVES): WindowCalibration {
  const positives = scored.filter((s) => s.text.flagged);
  const rate = (list: Scored[], calibration: WindowCalibration | null) => list.filter((s) => flaggedUnder(model, s, calibration)).length / Math.max(1, list.length);
  // Each kind of benign text on its own: the few natural long texts must not hide behind the many hosts.
  const benignKinds = (['benign', 'alarming', 'natural benign'] as const).map((kind) => scored.filter((s) => s.text.kind === kind)).filter((list) => list.length > 0);
  const allowed = benignKinds.map((list) => rate(list, null) + addedFalsePositives);
  const withinBudget = (calibration: WindowCalibration) => benignKinds.every((list, i) => rate(list, calibration) <= allowed[i]!);
  const none: WindowCalibration = { ...shape, offsets: {}, lengthSlope: 0, agreement: 0 };
  // Nothing to calibrate on: no window path rather than one no text has checked.
  if (positives.length === 0 || benignKinds.length === 0) return none;
  const categories = model.categories.filter((c) => (MODERATION_CATEGORIES as readonly string[]).includes(c));
  let best: { calibration: WindowCalibration; recall: number; fpr: number } | null = null;
  for (const lengthSlope of SLOPE_GRID) {
    for (const agreement of AGREEMENT_GRID) {
      const withSlope = { ...shape, lengthSlope, agreement };
      const own = bestOffsets(model, scored, withSlope, categories);
      for (const shared of OFFSET_GRID) {
        const offsets: Record<string, number> = {};
        for (const category of categories) {
          const fit = own.get(category);
          offsets[category] = fit ? Math.round(((fit.positives * fit.offset + OFFSET_PRIOR_POSITIVES * shared) / (fit.positives + OFFSET_PRIOR_POSITIVES)) * 1000) / 1000 : shared;
        }
        const calibration: WindowCalibration = { ...withSlope, offsets };
        if (!withinBudget(calibration)) continue;
        const fpr = rate(benignKinds.flat(), calibration);
        const recall = rate(positives, calibration);
        if (!best || recall > best.recall + 1e-9 || (Math.abs(recall - best.recall) <= 1e-9 && fpr < best.fpr)) best = { calibration, recall, fpr };
      }
    }
  }
  // No setting keeps the benign rate: no category gets a window path.
  return best?.calibration ?? none;
}

/** Each category's F1-best offset on its labelled calibration texts, with its positive count (categories with none are absent). */
function bestOffsets(model: LinearTextModel, scored: Scored[], shape: Omit<WindowCalibration, 'offsets'>, categories: readonly Category[]): Map<string, { offset: number; positives: number }> {
  const fits = new Map<string, { offset: number; positives: number }>();
  for (const category of categories) {
    const k = model.categories.indexOf(category);
    // A text flagged by no moderation category is a negative of each, whatever its source annotated.
    const labelled = scored.filter((s) => s.text.labels[category] !== undefined || !s.text.flagged);
    const y = labelled.map((s) => (s.text.labels[category] ? 1 : 0));
    const positives = y.filter((v) => v === 1).length;
    if (positives === 0) continue;
    let offset = 0;
    let bestF1 = -1;
    for (const candidate of OFFSET_GRID) {
      const calibration = { ...shape, offsets: { [category]: candidate } };
      const predicted = labelled.map((s) => (categoryFlagged(model, s.parts, k, category, calibration) ? 1 : 0));
      const f1 = metricsAt(predicted, y, 0.5).f1;
      if (f1 > bestF1 + 1e-9) {
        bestF1 = f1;
        offset = candidate;
      }
    }
    fits.set(category, { offset, positives });
  }
  return fits;
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
