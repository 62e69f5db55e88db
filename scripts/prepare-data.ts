/**
 * `npm run data`: converts every source in ../shared/datasets (or $WARDEN_DATASETS) into DESIGN §7 JSONL
 * under data/ — train.jsonl and dev.jsonl (licence-rule sources), heldout.jsonl (sources the default model may
 * not train on, kept for evaluation) — and writes the data card models/DATA.md.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sha256Hex } from '../src/common/index.ts';
import { hasModerationPositive, labelsFor, type LabelledItem } from './data/labels.ts';
import { SOURCE_CAPS, SOURCES, isTrainable, type Source } from './data/sources.ts';
import { writeDataCard } from './data/card.ts';
import { counterfactuals } from './data/counterfactual.ts';
import { selfHarmScope } from './data/new-sources.ts';

const SEED = 'warden-data-v1';
const DEV_FRACTION = 0.15;
/** Counterfactual identity copies per training text that names a group, and at most this many in all. */
const COUNTERFACTUAL_COPIES = 2;
const COUNTERFACTUAL_LIMIT = 20000;

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const datasetsRoot = resolve(process.env.WARDEN_DATASETS ?? join(repoRoot, '..', 'shared', 'datasets'));
const outDir = join(repoRoot, 'data');

/** Near-identical texts (case, punctuation, spacing, retweet/mention noise) share one key. */
function dedupKey(text: string): string {
  return text
    .toLowerCase()
    .replace(/@\w+|https?:\/\/\S+|&amp;|\brt\b/g, ' ')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

function groupBy<T>(items: T[], keyOf: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    const group = groups.get(key);
    if (group) group.push(item);
    else groups.set(key, [item]);
  }
  return groups;
}

const seededOrder = (id: string) => sha256Hex(`${SEED}:${id}`);

function readSource(source: Source): LabelledItem[] {
  const raws = source.read(datasetsRoot);
  const scopeOf = selfHarmScope(raws);
  return raws.flatMap((raw, index) => {
    const text = raw.text.trim();
    if (text.length < 3) return [];
    return [{
      id: `${source.name}:${index}`,
      text,
      flagged: raw.flagged ?? hasModerationPositive(raw.positives),
      labels: labelsFor(raw.positives, scopeOf(raw)),
      source: source.name,
      licence: source.licence,
      family: raw.family,
    }];
  });
}

/** Keeps the first item per key; later duplicates add their positive labels and flags to it. */
function deduplicate(items: LabelledItem[]): { kept: LabelledItem[]; dropped: number } {
  const byKey = new Map<string, LabelledItem>();
  for (const item of items) {
    const key = dedupKey(item.text);
    if (key.length < 3) continue;
    const first = byKey.get(key);
    if (!first) {
      byKey.set(key, item);
      continue;
    }
    first.flagged ||= item.flagged;
    for (const [category, value] of Object.entries(item.labels) as [keyof LabelledItem['labels'], boolean][]) {
      if (value || first.labels[category] === undefined) first.labels[category] = value || (first.labels[category] ?? false);
    }
  }
  return { kept: [...byKey.values()], dropped: items.length - byKey.size };
}

function cap(items: LabelledItem[]): LabelledItem[] {
  const bySource = groupBy(items, (item) => item.source);
  return [...bySource.entries()].flatMap(([source, group]) => {
    const limit = SOURCE_CAPS[source];
    if (limit === undefined || group.length <= limit) return group;
    return group.map((item) => ({ item, order: seededOrder(item.id) })).sort((a, b) => (a.order < b.order ? -1 : 1)).slice(0, limit).map((x) => x.item);
  });
}

/** Stratum: source, flag and positive categories, so that rare categories land in both splits. */
function stratum(item: LabelledItem): string {
  const positives = Object.entries(item.labels).filter(([, v]) => v).map(([k]) => k).sort().join(',');
  return `${item.source}|${item.flagged}|${positives}`;
}

function split(items: LabelledItem[]): { train: LabelledItem[]; dev: LabelledItem[] } {
  const train: LabelledItem[] = [];
  const dev: LabelledItem[] = [];
  for (const group of groupBy(items, stratum).values()) {
    const ordered = group.map((item) => ({ item, order: seededOrder(item.id) })).sort((a, b) => (a.order < b.order ? -1 : 1));
    const devCount = Math.round(ordered.length * DEV_FRACTION);
    ordered.forEach(({ item }, i) => (i < devCount ? dev : train).push(item));
  }
  const byId = (a: LabelledItem, b: LabelledItem) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  return { train: train.sort(byId), dev: dev.sort(byId) };
}

function writeJsonl(file: string, items: LabelledItem[]): void {
  writeFileSync(file, items.map((item) => JSON.stringify(item)).join('\n') + '\n');
}

function main(): void {
  if (!existsSync(datasetsRoot)) throw new Error(`datasets folder not found: ${datasetsRoot} (set WARDEN_DATASETS)`);
  const started = performance.now();
  const read = SOURCES.map((source) => ({ source, items: readSource(source) }));
  const readCounts = Object.fromEntries(read.map(({ source, items }) => [source.name, items.length]));
  // Trained sources come first, so that a duplicate keeps their provenance and an evaluation-only copy is dropped
  // (no evaluation text is also a training text); then the licence-rule ones, then the rest.
  const rank = (s: Source) => (isTrainable(s) ? 0 : s.defaultModel && !s.evalOnly ? 1 : 2);
  const ordered = [0, 1, 2].flatMap((r) => read.filter(({ source }) => rank(source) === r)).flatMap((r) => r.items);
  const { kept, dropped } = deduplicate(ordered);
  const capped = cap(kept);
  const splitSources = new Set(SOURCES.filter((s) => s.defaultModel && !s.evalOnly).map((s) => s.name));
  const { train: sourceTrain, dev } = split(capped.filter((item) => splitSources.has(item.source)));
  const trainable = new Set(SOURCES.filter(isTrainable).map((s) => s.name));
  const train = [...sourceTrain, ...counterfactuals(sourceTrain.filter((item) => trainable.has(item.source)), COUNTERFACTUAL_COPIES, COUNTERFACTUAL_LIMIT, SEED)];
  const heldout = capped.filter((item) => !splitSources.has(item.source));

  mkdirSync(outDir, { recursive: true });
  writeJsonl(join(outDir, 'train.jsonl'), train);
  writeJsonl(join(outDir, 'dev.jsonl'), dev);
  writeJsonl(join(outDir, 'heldout.jsonl'), heldout);
  writeDataCard(join(repoRoot, 'models', 'DATA.md'), { sources: SOURCES, readCounts, duplicatesDropped: dropped, train, dev, heldout, seed: SEED, devFraction: DEV_FRACTION });
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  process.stderr.write(`data: ${train.length} train, ${dev.length} dev, ${heldout.length} held-out (${dropped} duplicates dropped) in ${seconds}s → ${outDir}\n`);
}

main();
