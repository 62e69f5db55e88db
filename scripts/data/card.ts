import { writeFileSync } from 'node:fs';
import { ALL_CATEGORIES } from '../../src/common/index.ts';
import type { LabelledItem } from './labels.ts';
import type { Source } from './sources.ts';
import { SOURCE_CAPS } from './sources.ts';

export interface DataCardInput {
  sources: Source[];
  readCounts: Record<string, number>;
  duplicatesDropped: number;
  train: LabelledItem[];
  dev: LabelledItem[];
  heldout: LabelledItem[];
  seed: string;
  devFraction: number;
}

function countWhere(items: LabelledItem[], predicate: (item: LabelledItem) => boolean): number {
  let n = 0;
  for (const item of items) if (predicate(item)) n++;
  return n;
}

function sourceTable(input: DataCardInput): string[] {
  const rows = input.sources.map((s) => {
    const of = (items: LabelledItem[]) => items.filter((i) => i.source === s.name);
    const train = of(input.train);
    const dev = of(input.dev);
    const heldout = of(input.heldout);
    const all = [...train, ...dev, ...heldout];
    const use = !s.defaultModel ? 'evaluation only (licence)' : s.trainByDefault ? 'train + dev' : 'dev only (judged harmful to training)';
    const family = [...new Set(all.map((i) => i.family))].join(', ');
    return `| ${s.name} | ${s.licence} | ${s.defaultModel ? 'yes' : 'no'} | ${use} | ${family} | ${input.readCounts[s.name] ?? 0} | ${SOURCE_CAPS[s.name] ?? '—'} | ${train.length} | ${dev.length} | ${heldout.length} | ${countWhere(all, (i) => i.flagged)} |`;
  });
  return ['| source | licence | default? | use | family | read | cap | train | dev | held-out | flagged |', '|---|---|---|---|---|---|---|---|---|---|---|', ...rows];
}

function categoryTable(input: DataCardInput): string[] {
  const rows = ALL_CATEGORIES.map((c) => {
    const pos = (items: LabelledItem[]) => countWhere(items, (i) => i.labels[c] === true);
    const neg = (items: LabelledItem[]) => countWhere(items, (i) => i.labels[c] === false);
    const sources = [...new Set([...input.train, ...input.dev].filter((i) => i.labels[c] === true).map((i) => i.source))].join(', ');
    return `| ${c} | ${pos(input.train)} | ${neg(input.train)} | ${pos(input.dev)} | ${neg(input.dev)} | ${pos(input.heldout)} | ${sources || '—'} |`;
  });
  return ['| category | train pos | train neg | dev pos | dev neg | held-out pos | positive sources |', '|---|---|---|---|---|---|---|', ...rows];
}

export function writeDataCard(file: string, input: DataCardInput): void {
  const lines = [
    '# Data card',
    '',
    'Written by `npm run data` (scripts/prepare-data.ts) from `../shared/datasets` (override with `WARDEN_DATASETS`). The JSONL itself lives in the git-ignored `data/` folder: `train.jsonl`, `dev.jsonl` and `heldout.jsonl`, one DESIGN §7 item a line, plus `licence` and `family`.',
    '',
    '## How it is built',
    `- Every source is mapped onto Warden's categories (scripts/data/sources.ts). A source marks the categories its taxonomy covers: the mapped ones true, the rest of its scope false; categories outside the scope are absent (unknown). Benign request sets leave topical categories (regulated advice, political campaigning, elections, lending, high-stakes decisions) unknown, since an everyday request may well be one.`,
    '- `flagged` is true when a moderation category is true, or when the source says "harmful" without a category (AdvBench, MaliciousInstruct, HarmBench "harmful", JailbreakBench, Davidson "offensive").',
    `- De-duplication: texts whose lower-cased letters and digits (mentions, URLs and "RT" removed) are equal are merged; the first keeps its provenance and gains the others' positive labels. ${input.duplicatesDropped} duplicates were dropped. Sources that may train the default model are read first.`,
    `- Large sources are capped by a seeded sample (column "cap").`,
    `- Split: stratified by source, flag and positive categories; ${Math.round(input.devFraction * 100)}% of each stratum goes to dev, ordered by SHA-256 of seed "${input.seed}" and the id. No text is in both splits.`,
    '- Licence rule: only sources with default? = yes are in train/dev. The others are written to heldout.jsonl and used only to evaluate (an out-of-distribution check), never to train.',
    '- Left out of training after judging them: `toxic_spans` (all toxic, no benign text of the same style: it made earlier models flag mild comments; kept in dev) and `diasafety` (a response is unsafe only in its dialogue context, which a single-text classifier never sees). Not used at all: `hh_rlhf_harmless_base_test` (no per-prompt label), `beavertails_30k` (its label is for prompt + response), AILuminate `ipv`, HarmBench/WildGuardMix copyright and Aegis "Copyright" (intellectual property has no Warden category) and Aegis "Unauthorized Advice" (which kind of advice is not said).',
    '',
    `Totals: ${input.train.length} train, ${input.dev.length} dev, ${input.heldout.length} held-out.`,
    '',
    '## Sources',
    '',
    ...sourceTable(input),
    '',
    '## Categories',
    '',
    ...categoryTable(input),
    '',
  ];
  writeFileSync(file, lines.join('\n'));
}
