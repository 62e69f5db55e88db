/**
 * `npm run language-table`: writes src/detect/model/eld-small-ngrams.json, eld's "small" language database
 * (n-gram scores, languages, byte dictionary, separator pattern, average scores — eld 2.1, Apache-2.0) in a
 * compact form that Warden's n-gram identifier (src/detect/model/eld-ngrams.ts) loads with one JSON.parse.
 * Importing eld's own JavaScript module instead costs a process about 140 MB of memory (it is one 1.6 MB object
 * literal). The modules are eld's internals, which its package does not export: they are imported by path.
 * A test checks that identifications from the table equal eld's own.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const TABLE = fileURLToPath(new URL('../src/detect/model/eld-small-ngrams.json', import.meta.url));

/** node_modules/eld, looked up from this file upwards as Node looks packages up. */
function eldFolder(): string {
  let folder = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(folder, 'node_modules', 'eld');
    if (existsSync(join(candidate, 'src', 'ngrams', 'small.js'))) return candidate;
    const parent = dirname(folder);
    if (parent === folder) throw new Error('the eld package (node_modules/eld) was not found: run npm ci');
    folder = parent;
  }
}

async function main(): Promise<void> {
  const root = eldFolder();
  const load = (file: string) => import(pathToFileURL(join(root, 'src', file)).href) as Promise<Record<string, unknown>>;
  const { ngramsData } = (await load('ngrams/small.js')) as { ngramsData: { type: string; languages: Record<string, string>; ngrams: Record<string, Record<string, number>> } };
  const { dictionary } = (await load('dictionary.js')) as { dictionary: string[] };
  const { separators } = (await load('regexPatterns.js')) as { separators: RegExp };
  const { avgScore } = (await load('avgScore.js')) as { avgScore: Record<string, number> };
  const version = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version;

  const languages = Object.keys(ngramsData.languages).map((key) => ngramsData.languages[key]!);
  const keys = Object.keys(ngramsData.ngrams);
  if (keys.some((key) => key.includes('\n'))) throw new Error('an n-gram holds a line break: the table cannot join them by lines');
  const counts: number[] = [];
  const entryLanguages: number[] = [];
  const scores: number[] = [];
  for (const key of keys) {
    const perLanguage = ngramsData.ngrams[key]!;
    const entries = Object.keys(perLanguage);
    counts.push(entries.length);
    for (const language of entries) {
      const score = perLanguage[language]!;
      if (!Number.isInteger(score) || score < 0 || score > 255) throw new Error(`n-gram ${JSON.stringify(key)} has a score ${score} outside 0..255`);
      entryLanguages.push(Number(language));
      scores.push(score);
    }
  }
  const bytes = (values: number[]) => Buffer.from(Uint8Array.from(values)).toString('base64');
  const table = {
    source: `eld ${version}, database ${ngramsData.type} (Apache-2.0, https://github.com/nitotm/efficient-language-detector-js)`,
    command: 'npm run language-table',
    languages,
    averageScores: languages.map((code) => avgScore[code] ?? 0),
    dictionary,
    separators: { source: separators.source, flags: separators.flags },
    ngrams: keys.join('\n'),
    entriesPerNgram: bytes(counts),
    entryLanguages: bytes(entryLanguages),
    entryScores: bytes(scores),
  };
  writeFileSync(TABLE, JSON.stringify(table) + '\n');
  process.stderr.write(`language table: ${keys.length} n-grams, ${scores.length} scores, ${languages.length} languages → ${TABLE}\n`);
}

await main();
