/**
 * Evaluation suites built from the dev split (never trained on), run by `npm run train` for the model card and by
 * `npm run eval:suites` on any artifact, so that a change is read as before/after:
 *  - long texts: dev positives inside long benign paragraphs, and the paragraphs alone (scripts/training/long-texts.ts);
 *  - leetspeak: dev positives with half their words leeted (a→4, e→3, i→1, o→0), and dev benign texts leeted alike;
 *  - languages: per detected language, benign MultiQ questions that no split holds flagged, and recall on insults and
 *    hate sentences written in ten languages (scripts/training/languages.ts).
 */
import { seededRandom, type LinearTextModel } from '../../src/detect/index.ts';
import { languageSuite, type LanguageSuiteRow } from './languages.ts';
import { buildLongTexts, evaluateLongTexts, scoreParts, type LongTextReport } from './long-texts.ts';
import { flagScore, type Item } from './pipeline.ts';

export interface LeetReport {
  positives: number;
  recall: number;
  leetedRecall: number;
  benign: number;
  benignFlagged: number;
  leetedBenignFlagged: number;
}

export interface SuiteReport {
  model: string;
  longTexts: LongTextReport;
  leet: LeetReport;
  languages: LanguageSuiteRow[];
}

const LEET: Record<string, string> = { a: '4', e: '3', i: '1', o: '0' };
const SEED = 20261202;

/** Leets every other word on average (seeded): each of its vowels a, e, i, o becomes 4, 3, 1, 0. */
export function leetHalf(text: string, random: () => number): string {
  return text.replace(/\p{L}+/gu, (word) => (random() < 0.5 ? word.replace(/[aeioAEIO]/g, (c) => LEET[c.toLowerCase()]!) : word));
}

function flagged(model: LinearTextModel, text: string, categories?: readonly string[]): boolean {
  return flagScore(model.score(text), model.thresholds, categories) >= 0.5;
}

function share(values: boolean[]): number {
  return values.length ? values.filter(Boolean).length / values.length : 0;
}

function leetSuite(model: LinearTextModel, dev: Item[]): LeetReport {
  const random = seededRandom(SEED);
  const positives = dev.filter((item) => item.flagged);
  const benign = dev.filter((item) => !item.flagged).filter((_, i) => i % 4 === 0);
  return {
    positives: positives.length,
    recall: share(positives.map((item) => flagged(model, item.text))),
    leetedRecall: share(positives.map((item) => flagged(model, leetHalf(item.text, random)))),
    benign: benign.length,
    benignFlagged: share(benign.map((item) => flagged(model, item.text))),
    leetedBenignFlagged: share(benign.map((item) => flagged(model, leetHalf(item.text, random)))),
  };
}

/** Every suite on one model. */
export function runSuites(model: LinearTextModel, dev: Item[], datasetsRoot: string, used: ReadonlySet<string>): SuiteReport {
  const scored = scoreParts(model, buildLongTexts(dev, 'evaluation'), model.windows ?? undefined);
  return {
    model: model.id,
    longTexts: evaluateLongTexts(model, scored, model.windows),
    leet: leetSuite(model, dev),
    languages: languageSuite(model, datasetsRoot, used),
  };
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
const f3 = (x: number) => x.toFixed(3);

/** The suites as model-card sections; `before` (another model's report) adds its figures beside them. */
export function suitesMarkdown(after: SuiteReport, before?: SuiteReport | null): string[] {
  const lines: string[] = [
    '## Evaluation suites (dev material, never trained on)',
    '',
    `Built from the dev split by scripts/training/suites.ts; \`npm run eval:suites\` reruns them on any artifact. ${before ? `"before" is the artifact this build replaced (\`${before.model}\`).` : ''}`,
    '',
    '### Long texts',
    '',
    'Hosts are dev paragraphs of WikiText, Stack Exchange and Dolly responses joined to a length; a "positive" has one dev positive of at most 300 characters inserted between two paragraphs (it takes that item\'s labels), "benign" is the host alone, "alarming" has one dev benign-but-scary prompt inserted; "natural" are the dev texts of the other sources of at least 300 characters as they are (long prompts, comments, posts; a benign one only where its source annotated every moderation category as false, so jailbreak prompts and C-SSRS posts, "not flagged" only for the categories their sources annotate, are left out). This is the evaluation half; the window calibration was fitted on the other half (split by item id). Rates are "flagged by any moderation category"; F1 and AUPRC are over all of these texts together.',
    '',
    '| model | mode | positives | recall | benign flagged | alarming flagged | natural positives recall | natural benign flagged | F1 | AUPRC |',
    '|---|---|---|---|---|---|---|---|---|---|',
  ];
  const reports: [string, SuiteReport][] = before ? [['before', before], ['after', after]] : [['this', after]];
  for (const [label, report] of reports) {
    for (const m of report.longTexts.modes) lines.push(`| ${label} | ${m.mode} | ${m.binary.nPos} | ${f3(m.binary.recall)} | ${pct(m.benignFpr)} | ${pct(m.alarmingFpr)} | ${f3(m.naturalRecall)} | ${pct(m.naturalBenignFpr)} | ${f3(m.binary.f1)} | ${f3(m.binary.auprc)} |`);
  }
  const finalModes = after.longTexts.modes;
  lines.push('', 'By length (characters), this model:', '', '| mode | length | positives | recall | benign | benign flagged | alarming | alarming flagged | natural positives | recall | natural benign | flagged |', '|---|---|---|---|---|---|---|---|---|---|---|---|');
  for (const m of finalModes) for (const b of m.byBucket) lines.push(`| ${m.mode} | ${b.bucket} | ${b.positives} | ${f3(b.recall)} | ${b.benign} | ${pct(b.benignFpr)} | ${b.alarming} | ${pct(b.alarmingFpr)} | ${b.natural} | ${f3(b.naturalRecall)} | ${b.naturalBenign} | ${pct(b.naturalBenignFpr)} |`);
  const categories = Object.keys(finalModes[0]?.categories ?? {});
  lines.push('', 'Recall per category of the positives (inserted and natural), this model:', '', `| mode | ${categories.map((c) => `${c} (${finalModes[0]!.categories[c]!.positives})`).join(' | ')} |`, `|---|${categories.map(() => '---').join('|')}|`);
  for (const m of finalModes) lines.push(`| ${m.mode} | ${categories.map((c) => f3(m.categories[c]?.recall ?? 0)).join(' | ')} |`);
  lines.push(
    '',
    '### Leetspeak',
    '',
    'Dev positives, and a quarter of the dev benign texts, with every word leeted with probability ½ (a→4, e→3, i→1, o→0 in the whole word). Both rows are scored by the current normaliser; reading digits at word edges ("th3", "t0", "4nd", src/detect/normalize.ts stage 4) raised the leeted recall of the same artifact from 0.432 (previous normaliser) to 0.461; reading a lone "1" or "4" between words of a leet text as "i" or "a" (the words the suite misread most) raised it from 0.458 to 0.468 on the next artifact (un-leeted 0.472).',
    '',
    '| model | positives | recall | recall, leeted | benign | benign flagged | benign flagged, leeted |',
    '|---|---|---|---|---|---|---|',
    ...reports.map(([label, r]) => `| ${label} | ${r.leet.positives} | ${f3(r.leet.recall)} | ${f3(r.leet.leetedRecall)} | ${r.leet.benign} | ${pct(r.leet.benignFlagged)} | ${pct(r.leet.leetedBenignFlagged)} |`),
    '',
    '### Languages',
    '',
    `Per language as detectLanguage tells it: the share of benign MultiQ questions flagged by a moderation category (questions that no split of \`npm run data\` holds, the evaluation half by id; groups of ≥ 8), and, for the eleven languages with sentences written for this suite (scripts/training/languages.ts), recall on insults (four templates × up to 25 of that language's ldnoobw bad words) and on six hate and threat sentences without a bad word ("I hate you", "I will kill you", "Women are disgusting", "All immigrants should be killed", "Muslims are a plague", "I hope you die"). "offset" is the language's logit offset of the per-language calibration (\`npm run calibrate:languages\`: the largest, up to 3, that keeps at most 3% of the language's calibration questions flagged; trained languages none). The lexicon holds every ldnoobw word, so the insults test the lexicon block as much as the heads. For languages other than ${after.languages.length ? 'en and fr' : 'the training languages'} the \`warden\` extension keeps saying that the model was not trained on them (\`language.supported: false\`).`,
    '',
    '| model | language | offset | benign | benign flagged | insults | insult recall | hate | hate recall |',
    '|---|---|---|---|---|---|---|---|---|',
  );
  for (const [label, r] of reports) {
    for (const row of r.languages) lines.push(`| ${label} | ${row.language} | ${row.offset.toFixed(2)} | ${row.benign} | ${pct(row.benignFlagged)} | ${row.insults || '—'} | ${row.insultRecall === null ? '—' : f3(row.insultRecall)} | ${row.hate || '—'} | ${row.hateRecall === null ? '—' : f3(row.hateRecall)} |`);
  }
  const summary = (r: SuiteReport) => {
    const others = r.languages.filter((row) => row.language !== 'en' && row.language !== 'fr');
    const weighted = (pick: (row: LanguageSuiteRow) => [number, number | null]) => {
      const parts = others.map(pick).filter(([n, v]) => n > 0 && v !== null) as [number, number][];
      const n = parts.reduce((a, [k]) => a + k, 0);
      return n ? parts.reduce((a, [k, v]) => a + k * v, 0) / n : 0;
    };
    return `benign flagged ${pct(weighted((row) => [row.benign, row.benignFlagged]))}, insult recall ${f3(weighted((row) => [row.insults, row.insultRecall]))}, hate recall ${f3(weighted((row) => [row.hate, row.hateRecall]))}`;
  };
  lines.push('', ...reports.map(([label, r]) => `Languages other than en and fr, pooled (${label}): ${summary(r)}.`));
  lines.push('');
  return lines;
}
