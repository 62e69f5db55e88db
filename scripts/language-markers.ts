/**
 * `npm run language-markers`: derives the marker words of the cheap language pass (src/detect/model/language.ts)
 * from eld's own identifications of the training texts (data/train.jsonl, from `npm run data`), picks the rule's
 * thresholds on that split, and measures its agreement with eld on the dev split. Writes
 * src/detect/model/language-markers.json.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { loadEldReference, MarkerLanguageIdentifier, type LanguageMarkers } from '../src/detect/index.ts';

const detectLanguageWithEld = await loadEldReference();

const TRAINED_LANGUAGES = ['en', 'fr'];
/** A marker occurs in at least this many reliably identified training texts … */
const MIN_TEXTS = 15;
/** … of which at least this share eld identifies as its language. */
const MIN_PURITY = 0.995;
const MAX_MARKERS = 400;
/** The rule must agree with eld at least this often on the training split; among such rules, the widest wins. */
const MIN_AGREEMENT = 0.998;

const markersFile = new URL('../src/detect/model/language-markers.json', import.meta.url);
const read = (file: string) => readFileSync(new URL(`../data/${file}`, import.meta.url), 'utf8').split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { text: string }).text);

function words(text: string): Set<string> {
  return new Set(text.toLowerCase().match(/[a-z'\u00c0-\u024f]+/g) ?? []);
}

function deriveMarkers(texts: string[], languages: string[]): Record<string, string[]> {
  const total = new Map<string, number>();
  const byLanguage = new Map<string, Map<string, number>>(languages.map((l) => [l, new Map()]));
  for (const text of texts) {
    const { language, confidence } = detectLanguageWithEld(text);
    if (confidence === 0) continue;
    for (const word of words(text)) {
      if (word.length > 12) continue;
      total.set(word, (total.get(word) ?? 0) + 1);
      const counts = byLanguage.get(language);
      if (counts) counts.set(word, (counts.get(word) ?? 0) + 1);
    }
  }
  return Object.fromEntries(
    languages.map((language) => {
      const counts = byLanguage.get(language)!;
      const markers = [...counts.entries()]
        .filter(([word, n]) => n >= MIN_TEXTS && n / total.get(word)! >= MIN_PURITY)
        .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
        .slice(0, MAX_MARKERS)
        .map(([word]) => word)
        .sort();
      return [language, markers];
    }),
  );
}

function agreement(rule: LanguageMarkers, texts: string[], eldCodes: string[]): { coverage: number; agreement: Record<string, number>; overall: number } {
  const identifier = new MarkerLanguageIdentifier(rule);
  const decided = new Map<string, { n: number; agree: number }>();
  let n = 0;
  let agree = 0;
  texts.forEach((text, i) => {
    const verdict = identifier.decide(text);
    if (!verdict) return;
    const entry = decided.get(verdict.language) ?? { n: 0, agree: 0 };
    entry.n += 1;
    n += 1;
    if (eldCodes[i] === verdict.language) {
      entry.agree += 1;
      agree += 1;
    }
    decided.set(verdict.language, entry);
  });
  const perLanguage = Object.fromEntries([...decided.entries()].sort().map(([l, e]) => [l, Math.floor((e.agree / e.n) * 1e4) / 1e4]));
  return { coverage: n / Math.max(1, texts.length), agreement: perLanguage, overall: n > 0 ? agree / n : 0 };
}

function main(): void {
  const train = read('train.jsonl');
  const dev = read('dev.jsonl');
  const markers = deriveMarkers(train, TRAINED_LANGUAGES);
  const trainCodes = train.map((t) => detectLanguageWithEld(t).language);
  let best: { minMarkers: number; minShare: number; coverage: number } | undefined;
  for (const minMarkers of [2, 3, 4, 5]) {
    for (const minShare of [0.15, 0.2, 0.25, 0.3, 0.4]) {
      const rule: LanguageMarkers = { markers, minMarkers, minShare, agreement: {}, coverage: 0, devTexts: 0 };
      const result = agreement(rule, train, trainCodes);
      if (result.overall >= MIN_AGREEMENT && (!best || result.coverage > best.coverage)) best = { minMarkers, minShare, coverage: result.coverage };
    }
  }
  if (!best) throw new Error(`no rule agrees with eld on ${MIN_AGREEMENT} of the training texts`);
  const devCodes = dev.map((t) => detectLanguageWithEld(t).language);
  const rule: LanguageMarkers = { markers, minMarkers: best.minMarkers, minShare: best.minShare, agreement: {}, coverage: 0, devTexts: dev.length };
  const measured = agreement(rule, dev, devCodes);
  rule.agreement = measured.agreement;
  rule.coverage = Math.round(measured.coverage * 1e4) / 1e4;
  writeFileSync(markersFile, JSON.stringify(rule) + '\n');
  const sizes = Object.entries(markers).map(([l, m]) => `${l} ${m.length}`).join(', ');
  process.stderr.write(`language markers: ${sizes}; rule ≥ ${rule.minMarkers} markers and ≥ ${rule.minShare} of the tokens; dev: decides ${(measured.coverage * 100).toFixed(1)}% of ${dev.length} texts, agreeing with eld on ${(measured.overall * 100).toFixed(2)}% (${JSON.stringify(rule.agreement)})\n`);
}

main();
