/**
 * Moderation speed on one core: texts per second and per-text latency of the full local
 * moderation (every provider — text model, identifiers, profanity — plus language
 * identification and policy mapping into an OpenAI-shaped result), on the whole sample, on
 * its texts of 150–250 characters and on 2,000-character texts made of sample texts joined by
 * line breaks (long texts are also scored in windows); then each part alone (normalisation, each provider with its
 * own normalisation, language identification, and without the marker pass both eld itself and
 * Warden's compiled form of eld's n-gram scoring, which the fallback uses), and the
 * `obscenity` matcher alone on the same texts as a reference point.
 *
 *   npm run bench -- [--json] [--texts N] [--seconds S]
 *
 * rss_mb is this process after the moderation runs, holding the text sample too; `npm run bench:memory`
 * measures a `warden serve` process.
 *
 * Texts: a fixed, evenly spaced sample of the dev split (data/dev.jsonl, written by `npm run
 * data`), or, without it, Dolly instructions and responses read from ../shared/datasets.
 */
import { existsSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { RegExpMatcher, englishDataset, englishRecommendedTransformers } from 'obscenity';
import { TextInput, detectLanguage, detectLanguageWithNgrams, loadEldReference, localDetection, normalize } from '../src/detect/index.ts';
import { Moderator } from '../src/moderation/index.ts';
import { bundledPolicies } from '../src/policy/index.ts';

const DEV_SPLIT = new URL('../data/dev.jsonl', import.meta.url);
const DOLLY = new URL('../../shared/datasets/dolly15k_first6400/dolly_first6400.jsonl', import.meta.url);

const { values } = parseArgs({
  options: {
    json: { type: 'boolean', default: false },
    texts: { type: 'string', default: '5000' },
    seconds: { type: 'string', default: '2' },
  },
});
const textCount = Number(values.texts);
const seconds = Number(values.seconds);

function loadTexts(): { texts: string[]; source: string } {
  if (existsSync(DEV_SPLIT)) {
    const all = readFileSync(DEV_SPLIT, 'utf8').split('\n').filter(Boolean).map((line) => (JSON.parse(line) as { text: string }).text);
    return { texts: evenlySpaced(all, textCount), source: 'data/dev.jsonl' };
  }
  if (existsSync(DOLLY)) {
    const all = readFileSync(DOLLY, 'utf8')
      .split('\n')
      .filter(Boolean)
      .flatMap((line) => {
        const row = JSON.parse(line) as { instruction: string; response: string };
        return [row.instruction, row.response];
      });
    return { texts: evenlySpaced(all, textCount), source: 'shared/datasets/dolly15k_first6400' };
  }
  throw new Error('No texts: run `npm run data` (data/dev.jsonl) or provide ../shared/datasets.');
}

/** Long texts are scored whole and in windows: their figures come from sample texts joined by line breaks and cut to this length. */
const LONG_TEXT_CHARS = 2000;
const LONG_TEXTS = 300;

/** `count` texts of exactly `chars` characters, each consecutive sample texts joined by line breaks. */
function joinedTexts(all: string[], chars: number, count: number): string[] {
  const out: string[] = [];
  let next = 0;
  while (out.length < count && next < all.length) {
    let text = '';
    while (text.length < chars && next < all.length) text += (text ? '\n' : '') + all[next++]!;
    if (text.length >= chars) out.push(text.slice(0, chars));
  }
  return out;
}

function evenlySpaced<T>(items: T[], count: number): T[] {
  if (items.length <= count) return items;
  const step = items.length / count;
  return Array.from({ length: count }, (_, i) => items[Math.floor(i * step)]!);
}

interface Figures {
  texts_per_second: number;
  p50_us: number;
  p99_us: number;
  measured_texts: number;
}

/** Runs `work` over the texts, round after round, for at least `seconds`; times every call. */
function measure(texts: string[], work: (text: string) => unknown): Figures {
  for (const text of texts.slice(0, 500)) work(text);
  const durations: number[] = [];
  const started = process.hrtime.bigint();
  const budget = BigInt(Math.round(seconds * 1e9));
  let elapsed: bigint;
  do {
    for (const text of texts) {
      const t0 = process.hrtime.bigint();
      work(text);
      durations.push(Number(process.hrtime.bigint() - t0) / 1000);
    }
    elapsed = process.hrtime.bigint() - started;
  } while (elapsed < budget);
  durations.sort((a, b) => a - b);
  const at = (q: number) => round(durations[Math.min(durations.length - 1, Math.floor(q * durations.length))]!);
  const busySeconds = durations.reduce((sum, d) => sum + d, 0) / 1e6;
  return { texts_per_second: Math.round(durations.length / busySeconds), p50_us: at(0.5), p99_us: at(0.99), measured_texts: durations.length };
}

const round = (x: number) => Math.round(x * 10) / 10;

const { texts, source } = loadTexts();
const loadStarted = performance.now();
const detection = localDetection();
const moderator = new Moderator(detection);
const loadMs = performance.now() - loadStarted;
const context = { document: bundledPolicies().at(-1)!, thresholds: moderator.defaultThresholds, surface: 'api' as const };

const moderation = measure(texts, (text) => moderator.moderate([[text]], context));
const around200 = texts.filter((text) => text.length >= 150 && text.length <= 250);
const moderation200 = measure(around200, (text) => moderator.moderate([[text]], context));
const long2000 = joinedTexts(texts, LONG_TEXT_CHARS, LONG_TEXTS);
const moderation2000 = measure(long2000, (text) => moderator.moderate([[text]], context));
// Before eld's own module loads for the reference figures below (it costs a process about 140 MB).
const rssMb = Math.round(process.memoryUsage().rss / 2 ** 20);
const parts: Record<string, Figures> = {
  normalize: measure(texts, normalize),
  language: measure(texts, detectLanguage),
  language_eld_alone: measure(texts, await loadEldReference()),
  language_eld_ngrams_alone: measure(texts, detectLanguageWithNgrams),
};
for (const provider of detection.providers) parts[provider.id] = measure(texts, (text) => provider.detect(new TextInput(text)));
const matcher = new RegExpMatcher({ ...englishDataset.build(), ...englishRecommendedTransformers });
const obscenity = measure(texts, (text) => matcher.getAllMatches(text));
const obscenity200 = measure(around200, (text) => matcher.getAllMatches(text));

const lengths = texts.map((t) => t.length).sort((a, b) => a - b);
const report = {
  ...moderation,
  providers: detection.providers.map((p) => p.id),
  load_ms: round(loadMs),
  rss_mb: rssMb,
  texts: texts.length,
  source,
  chars_mean: Math.round(lengths.reduce((s, n) => s + n, 0) / lengths.length),
  chars_p50: lengths[Math.floor(lengths.length / 2)],
  chars_150_250: {
    ...moderation200,
    texts: around200.length,
    obscenity_alone: obscenity200,
    // Machine-independent: how many times faster the whole moderation is than obscenity's matcher alone.
    relative_to_obscenity: round(moderation200.texts_per_second / obscenity200.texts_per_second),
  },
  chars_2000: { ...moderation2000, texts: long2000.length },
  parts,
  obscenity,
};

if (values.json) process.stdout.write(`${JSON.stringify(report)}\n`);
else {
  console.log(`${report.texts} texts from ${source} (mean ${report.chars_mean} chars, median ${report.chars_p50}); providers: ${report.providers.join(', ')}`);
  console.log(`moderation: ${moderation.texts_per_second} texts/s, p50 ${moderation.p50_us} µs, p99 ${moderation.p99_us} µs (load ${report.load_ms} ms, rss ${report.rss_mb} MB)`);
  console.log(`moderation, the ${around200.length} texts of 150–250 chars: ${moderation200.texts_per_second} texts/s, p50 ${moderation200.p50_us} µs, p99 ${moderation200.p99_us} µs (obscenity alone on them: ${obscenity200.texts_per_second} texts/s)`);
  console.log(`moderation, ${long2000.length} texts of ${LONG_TEXT_CHARS} chars (sample texts joined by line breaks; scored whole and in windows): ${moderation2000.texts_per_second} texts/s, p50 ${moderation2000.p50_us} µs, p99 ${moderation2000.p99_us} µs`);
  for (const [part, f] of Object.entries(parts)) console.log(`  ${part} alone: ${f.texts_per_second} texts/s, p50 ${f.p50_us} µs, p99 ${f.p99_us} µs`);
  console.log(`obscenity alone: ${obscenity.texts_per_second} texts/s, p50 ${obscenity.p50_us} µs, p99 ${obscenity.p99_us} µs`);
}
