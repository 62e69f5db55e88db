import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { localDetection } from '../src/detect/index.ts';
import { type ModerationResult, Moderator } from '../src/moderation/index.ts';
import { bundledPolicies } from '../src/policy/index.ts';
import { SOURCES } from '../scripts/data/sources.ts';
import { DATASETS_DIR as DATASETS, describeWithDatasets } from './support/datasets.ts';

/**
 * Guards speed work on the moderation path: the committed model, detectors, language identification and
 * policy mapping must give the same results as the reference code did. The fixture holds 300 texts evenly
 * spaced over the dev split (and 20 two-part items made of them) with what the moderator returned for them
 * (first before the inference path was optimised; rewritten on each deliberate change since — 15-bit pooled
 * vectors, model evidence, retraining — as `git log` on the fixture tells). Scores may differ by float rounding only.
 * It names each text by its data-preparation id (`source:index`) and the test reads the text from
 * ../shared/datasets, so no dataset text is copied into the repository.
 *
 * After a deliberate change of the model or the detectors, rewrite it from data/dev.jsonl with
 * `WARDEN_WRITE_SCORE_FIXTURE=1 npx vitest run test/moderation-scores.test.ts`.
 */
const FIXTURE = new URL('./fixtures/moderation-expected.jsonl', import.meta.url);
const DEV_SPLIT = new URL('../data/dev.jsonl', import.meta.url);
const TOLERANCE = 1e-9;

/** The texts behind `source:index` ids, read as `npm run data` reads them. */
function textsById(ids: string[]): Map<string, string> {
  const wanted = new Map<string, Set<number>>();
  for (const id of ids) {
    const cut = id.lastIndexOf(':');
    const indexes = wanted.get(id.slice(0, cut)) ?? new Set<number>();
    indexes.add(Number(id.slice(cut + 1)));
    wanted.set(id.slice(0, cut), indexes);
  }
  const texts = new Map<string, string>();
  for (const [name, indexes] of wanted) {
    const source = SOURCES.find((s) => s.name === name);
    if (!source) throw new Error(`unknown data source "${name}"`);
    const items = source.read(DATASETS);
    for (const index of indexes) texts.set(`${name}:${index}`, items[index]!.text.trim());
  }
  return texts;
}

interface Digest {
  scores: Record<string, number>;
  flagged: boolean;
  categories: string[];
  warden_flagged: boolean;
  violations: [string, string, string, number, number, number][];
  evidence: unknown[];
  language: unknown;
  warnings: string[];
}

/** What a result says, without the parts derived from it (every category's boolean, applied input types). */
function digest(result: ModerationResult): Digest {
  const { warden } = result;
  const flaggedOf = (categories: Record<string, boolean | undefined>) => Object.keys(categories).filter((c) => categories[c]);
  return {
    scores: { ...result.category_scores, ...warden.category_scores },
    flagged: result.flagged,
    categories: [...flaggedOf(result.categories), ...flaggedOf(warden.categories)],
    warden_flagged: warden.flagged,
    violations: warden.violations.map((v) => [v.clause_id, v.category, v.severity, v.score, v.threshold, v.evidence.length]),
    evidence: warden.evidence,
    language: warden.language,
    warnings: warden.warnings.map((w) => w.code),
  };
}

function moderator(): { moderate(item: string[]): ModerationResult } {
  const engine = new Moderator(localDetection());
  const context = { document: bundledPolicies().at(-1)!, thresholds: engine.defaultThresholds, surface: 'api' as const };
  return { moderate: (item) => engine.moderate([item], context)[0]! };
}

function writeFixture(): void {
  const all = readFileSync(DEV_SPLIT, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line) as { id: string; text: string });
  const step = all.length / 300;
  const picked = Array.from({ length: 300 }, (_, i) => all[Math.floor(i * step)]!);
  const items = [...picked.map((p) => [p]), ...Array.from({ length: 20 }, (_, i) => [picked[i * 7]!, picked[i * 11 + 3]!])];
  const engine = moderator();
  const lines = items.map((item) => JSON.stringify({ ids: item.map((p) => p.id), expected: digest(engine.moderate(item.map((p) => p.text))) }));
  writeFileSync(FIXTURE, lines.join('\n') + '\n');
}

if (process.env.WARDEN_WRITE_SCORE_FIXTURE === '1' && existsSync(DEV_SPLIT)) writeFixture();

describeWithDatasets('moderation results on dev texts', () => {
  it('match the reference results, scores to within 1e-9', () => {
    const rows = readFileSync(FIXTURE, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line) as { ids: string[]; expected: Digest });
    expect(rows.length).toBe(320);
    const texts = textsById(rows.flatMap((row) => row.ids));
    const engine = moderator();
    for (const { ids, expected } of rows) {
      const item = ids.map((id) => texts.get(id)!);
      // Twice: the second pass reads the model's per-word cache filled by the first.
      for (let pass = 0; pass < 2; pass++) {
        const actual = digest(engine.moderate(item));
        expect(Object.keys(actual.scores)).toEqual(Object.keys(expected.scores));
        for (const [category, score] of Object.entries(expected.scores)) expect(Math.abs(actual.scores[category]! - score)).toBeLessThanOrEqual(TOLERANCE);
        actual.violations.forEach((v, i) => expect(Math.abs(v[3] - expected.violations[i]![3])).toBeLessThanOrEqual(TOLERANCE));
        const exact = (d: Digest) => ({ ...d, scores: undefined, violations: d.violations.map((v) => [...v.slice(0, 3), ...v.slice(4)]) });
        expect(exact(actual)).toEqual(exact(expected));
      }
    }
  });
});
