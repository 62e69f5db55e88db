/**
 * The model card's "before and after" section: the suites (scripts/suites/index.ts), each held-out source and each
 * category's recall on held-out positives, for the artifact a training run replaced and the one it wrote.
 */
import type { TextModel } from '../../src/detect/index.ts';
import { metricsAt } from '../training/metrics.ts';
import { flagScore, type Item } from '../training/pipeline.ts';
import { runSuites, SELF_HARM_STATEMENTS, type SuiteFigures } from './index.ts';

interface SourceFigures { n: number; positives: number; recall: number; flaggedRate: number; f1: number; auprc: number }

export interface BeforeAfter {
  suites: { before: SuiteFigures | null; after: SuiteFigures };
  sources: Record<string, { before: SourceFigures | null; after: SourceFigures }>;
  categories: Record<string, { positives: number; before: number | null; after: number }>;
}

function sourceFigures(model: TextModel, heldout: Item[]): { sources: Record<string, SourceFigures>; categories: Record<string, { positives: number; recall: number }> } {
  const scores = heldout.map((item) => model.score(item.text));
  const flags = scores.map((s) => flagScore(s, model.thresholds));
  const sources: Record<string, SourceFigures> = {};
  for (const source of [...new Set(heldout.map((i) => i.source))]) {
    const idx = heldout.flatMap((item, i) => (item.source === source ? [i] : []));
    const labels = idx.map((i) => (heldout[i]!.flagged ? 1 : 0));
    const m = metricsAt(idx.map((i) => flags[i]!), labels, 0.5);
    sources[source] = { n: idx.length, positives: m.nPos, recall: m.recall, flaggedRate: idx.filter((i) => flags[i]! >= 0.5).length / idx.length, f1: m.f1, auprc: m.auprc };
  }
  const categories: Record<string, { positives: number; recall: number }> = {};
  for (const category of [...new Set(heldout.flatMap((i) => Object.entries(i.labels).filter(([, v]) => v).map(([c]) => c)))].sort()) {
    const idx = heldout.flatMap((item, i) => (item.labels[category as keyof Item['labels']] === true ? [i] : []));
    const threshold = model.thresholds[category];
    const hits = threshold === undefined ? 0 : idx.filter((i) => (scores[i]![category] ?? 0) >= threshold).length;
    categories[category] = { positives: idx.length, recall: hits / idx.length };
  }
  return { sources, categories };
}

export function beforeAfter(previous: TextModel | null, current: TextModel, heldout: Item[]): BeforeAfter {
  const after = sourceFigures(current, heldout);
  const before = previous ? sourceFigures(previous, heldout) : null;
  return {
    suites: { before: previous ? runSuites(previous, heldout) : null, after: runSuites(current, heldout) },
    sources: Object.fromEntries(Object.entries(after.sources).map(([source, figures]) => [source, { before: before?.sources[source] ?? null, after: figures }])),
    categories: Object.fromEntries(Object.entries(after.categories).map(([category, c]) => [category, { positives: c.positives, before: before?.categories[category]?.recall ?? null, after: c.recall }])),
  };
}

const f = (x: number | undefined | null) => (x === undefined || x === null ? '—' : x.toFixed(3));
const pct = (x: number | undefined | null) => (x === undefined || x === null ? '—' : `${(x * 100).toFixed(1)}%`);
const pair = (before: string, after: string) => `${before} → ${after}`;

function suiteLines(s: BeforeAfter['suites']): string[] {
  const b = s.before;
  const a = s.after;
  const worst = (x: SuiteFigures | null) => (x ? x.identity.worstTerms.slice(0, 6).map((t) => `${t.term} ${pct(t.rate)}`).join(', ') : '—');
  return [
    '| suite | figure | before → after |',
    '|---|---|---|',
    `| identities (${a.identity.terms} terms × neutral and hateful templates) | neutral sentences flagged | ${pair(pct(b?.identity.neutralFlaggedRate), pct(a.identity.neutralFlaggedRate))} |`,
    `| | terms whose neutral sentences are flagged > 5% | ${pair(b ? String(b.identity.termsOver5) : '—', String(a.identity.termsOver5))} |`,
    `| | hateful sentences flagged (recall) | ${pair(f(b?.identity.hatefulRecall), f(a.identity.hatefulRecall))} |`,
    `| | worst terms (neutral flagged) | ${worst(b)} → ${worst(a)} |`,
    ...Object.keys(a.identity.perAxis).map((axis) => `| | ${axis}: neutral flagged / hateful recall | ${pair(b ? `${pct(b.identity.perAxis[axis]?.neutralFlaggedRate)} / ${f(b.identity.perAxis[axis]?.hatefulRecall)}` : '—', `${pct(a.identity.perAxis[axis]?.neutralFlaggedRate)} / ${f(a.identity.perAxis[axis]?.hatefulRecall)}`)} |`),
    `| self-harm: ${SELF_HARM_STATEMENTS.length} first-person statements written for the card | self-harm/intent recall | ${pair(f(b?.selfHarm.statementsIntentRecall), f(a.selfHarm.statementsIntentRecall))} |`,
    `| | flagged (any category) | ${pair(f(b?.selfHarm.statementsFlagged), f(a.selfHarm.statementsFlagged))} |`,
    `| self-harm slice: held-out C-SSRS users' sentence windows (${a.selfHarm.sliceIntentN} with suicidal wording, ${a.selfHarm.sliceBenignN} supportive) | self-harm/intent recall | ${pair(f(b?.selfHarm.sliceIntentRecall), f(a.selfHarm.sliceIntentRecall))} |`,
    `| | supportive windows flagged self-harm/intent | ${pair(pct(b?.selfHarm.sliceBenignIntentRate), pct(a.selfHarm.sliceBenignIntentRate))} |`,
    `| benign look-alikes: OR-Bench-Hard-1K + CoCoNot contrast (benign) vs CoCoNot safety + DangerousQA (harmful), n ${a.lookalikes.n}, ${a.lookalikes.positives} harmful | F1 | ${pair(f(b?.lookalikes.f1), f(a.lookalikes.f1))} |`,
    `| | benign flagged | ${pair(pct(b?.lookalikes.benignFlaggedRate), pct(a.lookalikes.benignFlaggedRate))} |`,
    `| | recall / AUPRC | ${pair(b ? `${f(b.lookalikes.recall)} / ${f(b.lookalikes.auprc)}` : '—', `${f(a.lookalikes.recall)} / ${f(a.lookalikes.auprc)}`)} |`,
  ];
}

export function beforeAfterSection(comparison: BeforeAfter): string[] {
  return [
    '## Suites and held-out sources, before and after',
    '',
    'Before: the artifact this run replaced (the second issue-12 build: neutral identity words and the self-harm lexicon group, trained on an earlier normalisation, without the look-alike repeats); after: this model. Both are scored by the same inference code (long-text windows, leetspeak reading). Nothing here is trained on: the suites are written in scripts/suites, the held-out sources are excluded by licence or kept out on purpose (models/DATA.md, "evaluation only"). Reproduce a row for any artifact with `npx tsx scripts/suites/run.ts [MODEL_DIR]`.',
    '',
    ...suiteLines(comparison.suites),
    '',
    '### Each held-out source (flagged by any moderation category)',
    '',
    '| source | n | harmful | recall before → after | flagged before → after | F1 before → after | AUPRC before → after |',
    '|---|---|---|---|---|---|---|',
    ...Object.entries(comparison.sources).map(([source, { before: b, after: a }]) =>
      `| ${source} | ${a.n} | ${a.positives} | ${a.positives ? pair(f(b?.recall), f(a.recall)) : '—'} | ${pair(pct(b?.flaggedRate), pct(a.flaggedRate))} | ${a.positives && a.positives < a.n ? pair(f(b?.f1), f(a.f1)) : '—'} | ${a.positives && a.positives < a.n ? pair(f(b?.auprc), f(a.auprc)) : '—'} |`),
    '',
    '### Per category on held-out positives (recall at each category\'s threshold)',
    '',
    '| category | held-out positives | recall before → after |',
    '|---|---|---|',
    ...Object.entries(comparison.categories).map(([category, c]) => `| ${category} | ${c.positives} | ${pair(f(c.before), f(c.after))} |`),
    '',
  ];
}

/**
 * The issue-12 source groups as measured with train:compare (one seed, 20240110, on this machine under load: the
 * recipe's spread over seeds is about ±1 point on the slices, more on the thin ones), hard-coded like the card's
 * other experiment tables since rerunning them takes an hour.
 */
export function newSourcesSection(): string[] {
  return [
    '## Issue-12 sources',
    '',
    '`npm run train:compare -- scripts/training/variants/new-sources.json` and `new-sources-2.json`, seed 20240110, before the long-text windows and the leetspeak reading were merged (so whole-text scores). "Look-alikes" is the suite above (benign flagged / F1); "identity" the template suite (neutral flagged / hateful recall / terms over 5%); "statements" the 12 first-person statements (self-harm/intent recall); "slice" the held-out C-SSRS windows (self-harm/intent recall). In the first run the counterfactual copies were made of benign and harmful texts alike; from the second run on, of benign texts only (shipped).',
    '',
    '| variant | dev F1 | dev AUPRC | benign-but-scary | look-alikes | identity | statements | slice | sgbench recall | hatexplain F1 | ethos F1 | olid F1 | SDCNL F1 |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|',
    '| without the issue-12 sources | 0.653 | 0.739 | 11.5% | 41.3% / 0.287 | 9.2% / 0.900 / 27 | 0/12 | 0.581 | 0.407 | 0.694 | 0.669 | 0.454 | 0.568 |',
    '| all, counterfactual copies of benign and harmful texts | 0.681 | 0.784 | 12.1% | 35.4% / 0.325 | 12.0% / 0.945 / 31 | 2/12 | 0.923 | 0.425 | 0.690 | 0.686 | 0.423 | 0.567 |',
    '| **all, counterfactual copies of benign texts only (shipped)** | 0.682 | 0.781 | 9.6% | 26.7% / 0.350 | 6.0% / 0.743 / 21 | 2/12 | 0.894 | 0.387 | 0.687 | 0.651 | 0.440 | 0.557 |',
    '| same, C-SSRS windows ×3 | 0.695 | 0.786 | 12.1% | 33.8% / 0.339 | 4.4% / 0.759 / 11 | 2/12 | 0.904 | 0.410 | 0.703 | 0.663 | 0.440 | 0.567 |',
    '',
    'The new sources lift the dev split (it now holds their dev texts too: F1 0.653 → 0.68) and the request family most (dev requests F1 0.54 → 0.69–0.70), cut the look-alike false positives (41% → 27–35%) and teach the self-harm heads what first-person suicidal wording looks like (slice recall 0.58 → 0.89–0.92); they do not teach the short statements (2 of 12). Counterfactual copies of harmful texts spread the hateful contexts of the most-named groups onto every term (bisexual 77%): only benign texts are copied. That halves the identity false positives but costs hateful-template recall (0.90 → 0.74–0.76): with the group word no longer a signal, a short hateful template has only its other words. C-SSRS windows ×3 looked better on the identity suite and dev but worse on the look-alikes and the benign-but-scary slice, on one seed: not shipped. Two variants of the second run (no counterfactual copies at all; without I2P) did not finish in the time this session had, so I2P is kept on the data card\'s judgement alone (it is the only violence/graphic data), and the counterfactual copies\' effect is read from the first two rows. The final build also takes single suicidal sentences of the C-SSRS windows (after these runs).',
    '',
  ];
}

/**
 * The second issue-12 pass as measured with train:compare (seed 20240110, data of this recipe, whole-text scores,
 * on this machine under load), hard-coded like the tables above.
 */
export function identityWordsSection(): string[] {
  return [
    '## Identity words and self-harm labels (second pass)',
    '',
    '`npm run train:compare` with the variants below, seed 20240110, on the data of this recipe (the C-SSRS windows labelled by first-person statements, so the slice is the new one: 190 windows with a statement, 1689 supportive), whole-text scores. Columns as in the table above.',
    '',
    '| variant | dev F1 | dev AUPRC | benign-but-scary | look-alikes | identity | statements | slice | sgbench recall | hatexplain F1 | ethos F1 | olid F1 | SDCNL F1 |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|',
    '| identity words weighted (the first pass\'s features) | 0.672 | 0.782 | 8.9% | 31.1% / 0.335 | 4.9% / 0.741 / 17 | 2/12 | 0.847 | 0.396 | 0.685 | 0.654 | 0.424 | 0.545 |',
    '| identity words neutral | 0.671 | 0.779 | 9.6% | 30.1% / 0.351 | 1.9% / 0.988 / 0 | 2/12 | 0.847 | 0.389 | 0.670 | 0.636 | 0.461 | 0.555 |',
    '| identity words neutral, positive weight cap 16 | 0.671 | 0.777 | 10.2% | 31.7% / 0.344 | 1.9% / 0.988 / 0 | 2/12 | 0.858 | 0.404 | 0.670 | 0.638 | 0.461 | 0.559 |',
    '',
    'Neutral identity words are the cause-level fix the counterfactual copies were not: with the group name carrying no weight of its own, the neutral templates are flagged 1.9% (from 4.9%, no term above 5%: the worst are flagged by one template of 22) and the hateful templates 0.988 (from 0.741), because "hate <group>", "<group> are" and "all <group>" now pool the evidence of every group instead of spreading it thin over 70 names; dev and held-out figures move by about a point either way (hatexplain and ethos F1 −0.015/−0.018, olid +0.037). A larger positive weight for thin categories changed nothing that matters. Neither variant teaches the short first-person statements (2 of 12). The shipped build adds the self-harm lexicon group to the neutral identity words (its compare run did not finish on the shared machine; `npm run train` measured it, with windows, in the suites table above): 6 of the 12 statements flagged self-harm/intent ("I want to end my life tonight" 0.93 and "I can\'t do this anymore, I have the pills ready" 0.82 against a threshold of 0.70), slice recall 0.968 with 2.1% of the supportive windows flagged, identity templates as in the second row (1.9% / 0.988 / 0), look-alikes 31.9% / 0.344, dev F1 0.676. A run with the C-SSRS windows ×2 did not finish either.',
    '',
  ];
}

/**
 * The third issue-12 pass, on the benign look-alikes, as measured with train:compare (seed 20240110, whole-text
 * scores, this machine at load 10–14), hard-coded like the tables above.
 */
export function lookalikesSection(): string[] {
  return [
    '## Benign look-alikes (third pass)',
    '',
    '`npm run train:compare -- scripts/training/variants/lookalikes.json`, seed 20240110 (one seed: each run took 5–7 minutes at load 10–14 on the shared 2-core machine), data of this recipe, whole-text scores. "Look-alikes" is the suite above (benign flagged / F1 / recall / AUPRC; never trained on); OR-Bench-Hard-1K and CoCoNot contrast flagged are its two benign parts; "identity" neutral flagged / hateful recall / terms over 5%; "statements" the 12 first-person statements (self-harm/intent).',
    '',
    '| variant | dev F1 | dev AUPRC | dev requests F1 | benign-but-scary | look-alikes | OR-Bench-Hard-1K | CoCoNot contrast | DangerousQA recall | sgbench recall | alpaca_harmless | identity | statements | hatexplain F1 | olid F1 |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|',
    '| shipped recipe of the second pass | 0.674 | 0.777 | 0.699 | 9.6% | 32.0% / 0.344 / 0.517 / 0.322 | 39.3% | 6.9% | 0.522 | 0.410 | 1.5% | 1.9% / 0.988 / 0 | 6/12 | 0.669 | 0.459 |',
    '| benign dev requests ×3 in threshold calibration | 0.656 | 0.776 | 0.635 | 9.6% | 16.9% / 0.410 / 0.461 / 0.352 | 20.9% | 3.2% | 0.457 | 0.354 | 0.8% | 1.9% / 0.988 / 0 | 6/12 | 0.669 | 0.455 |',
    '| **OR-Bench-80K sample ×4 + CoCoNot pref ×4 (shipped)** | 0.672 | 0.775 | 0.687 | 9.6% | 18.2% / 0.417 / 0.486 / 0.399 | 22.1% | 5.0% | 0.495 | 0.383 | 0.9% | 0.3% / 0.991 / 0 | 6/12 | 0.681 | 0.446 |',
    '',
    'The look-alike false positives were mostly the illicit head (404 of the 511 OR-Bench-Hard-1K prompts the second-pass artifact flagged): it reads the topic ("pressure someone into giving me what I want without breaking any laws") and not the benign framing. Two levers were measured. Weighting the benign dev requests ×3 when each category\'s threshold is calibrated (pipeline.ts benignRequestWeight) halves the look-alike rate, but only by raising thresholds: the ranking barely moves (AUPRC +0.03), harmful-request recall falls (sgbench 0.41 → 0.35, DangerousQA 0.52 → 0.46, dev requests F1 −0.06), and on the second-pass artifact the same recalibration (k 3) dropped the hateful identity templates from 0.988 to 0.866 (hate threshold 0.46 → 0.56): not shipped. Seeing the trained benign look-alikes (the OR-Bench-80K sample, 850 training prompts; CoCoNot pref, 779) four times per epoch lowers the rate almost as much and is a real separation: look-alike AUPRC 0.322 → 0.399 and F1 0.344 → 0.417, dev F1 flat (−0.002), identity templates unchanged or better; it costs about 3 points of harmful-request recall (sgbench 0.410 → 0.383, DangerousQA 0.522 → 0.495). Shipped. Neither reaches the target (≤ 10% at F1 ≥ 0.55): at 18% the look-alike precision is about 0.4, and the linear heads have no feature that tells "without breaking any laws" framing from the harmful request it qualifies. Variants with OR-Bench-Toxic ×2 alongside, and the repeats combined with the threshold weighting, were queued in the same file but did not finish before the final build; a second seed was not run either.',
    '',
  ];
}
