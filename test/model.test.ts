import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_MODEL_DIR, LinearTextModel, detectLanguage, loadTextModel, localDetection, readArtifact, writeArtifact, type LexiconTerm } from '../src/detect/index.ts';
import { shrunkThreshold, trainModel, weightedRows, type Item } from '../scripts/training/pipeline.ts';
import { FEATURES, OPTIONS } from '../scripts/training/settings.ts';
import { buildLongTexts } from '../scripts/training/long-texts.ts';
import { MODERATION_CATEGORIES } from '../src/common/index.ts';

const fixture = readFileSync(new URL('./fixtures/tiny-train.jsonl', import.meta.url), 'utf8')
  .split('\n')
  .filter((line) => line !== '')
  .map((line) => JSON.parse(line) as Item);

const lexicon: LexiconTerm[] = [
  { text: 'fuck', severity: 1, group: 0 },
  { text: 'shit', severity: 0.67, group: 3 },
  { text: 'idiot', severity: 0.33, group: 4 },
];

const dirs: string[] = [];
afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

function trainFixture(): Map<string, Buffer> {
  const dir = mkdtempSync(join(tmpdir(), 'warden-model-'));
  dirs.push(dir);
  const trained = trainModel({
    id: 'fixture', train: fixture, dev: fixture, lexicon, vectors: null,
    config: { ...FEATURES, buckets: 1 << 12 }, options: { ...OPTIONS, epochs: 3 }, minPositives: 2, languages: ['en'], quiet: true,
  });
  writeArtifact(dir, trained.weights);
  return new Map(readdirSync(dir).sort().map((file) => [file, readFileSync(join(dir, file))]));
}

describe('text model training', () => {
  it('pulls a thin category\'s threshold toward 0.5 by the prior\'s weight in positives', () => {
    expect(shrunkThreshold(0.9, 20, 60)).toBeCloseTo(0.6, 10);
    expect(shrunkThreshold(0.9, 600, 60)).toBeCloseTo((600 * 0.9 + 30) / 660, 10);
    expect(shrunkThreshold(0.3, 10, 0)).toBe(0.3);
  });

  it('lists each training item as many times as its source repeats, leaving out what `keep` rejects', () => {
    const items = [{ source: 'a' }, { source: 'b' }, { source: 'c' }].map((item, i) => ({ ...fixture[0]!, ...item, id: String(i) }));
    expect([...weightedRows(items, { b: 3 })]).toEqual([0, 1, 1, 1, 2]);
    expect([...weightedRows(items, { b: 2 }, (item) => item.source !== 'a')]).toEqual([1, 1, 2]);
  });

  it('trains the fixture twice to byte-identical artifacts', () => {
    const first = trainFixture();
    const second = trainFixture();
    expect([...first.keys()]).toEqual(['hashed.bin', 'model.json']);
    for (const [file, bytes] of first) expect(bytes.equals(second.get(file)!), file).toBe(true);
  });

  it('learns the fixture: harassment scores above benign text', () => {
    const dir = mkdtempSync(join(tmpdir(), 'warden-model-'));
    dirs.push(dir);
    const trained = trainModel({
      id: 'fixture', train: fixture, dev: fixture, lexicon, vectors: null,
      config: { ...FEATURES, buckets: 1 << 12 }, options: { ...OPTIONS, epochs: 10 }, minPositives: 2, languages: ['en'], quiet: true,
    });
    writeArtifact(dir, trained.weights);
    const model = loadTextModel(dir);
    expect(model.score('you pathetic idiot, get lost')['harassment']!).toBeGreaterThan(model.score('set an alarm for seven')['harassment']!);
  });
});

describe('committed text classifier', () => {
  // Load time is a benchmark figure (npm run bench), not a timed test: this machine's load makes timings flake.
  it('reads leet digits as the letters of words it knows, and leaves ordinals, times and codes alone', () => {
    const model = loadTextModel();
    expect(model.score('y0u 4r3 th3 w0rst, 1d10t')).toEqual(model.score('you are the worst, idiot'));
    expect(model.score('4ss')).toEqual(model.score('ass'));
    const spelled: Record<string, string> = { '1st': 'ist', '5pm': 'spm', '90s': 'gos', mp3: 'mpe' };
    for (const [kept, letters] of Object.entries(spelled)) expect(model.score(`see you ${kept}`)).not.toEqual(model.score(`see you ${letters}`));
  });

  it('raises the moderation scores of a language it was not trained on by that language\'s calibrated offset, and of no other', () => {
    const model = new LinearTextModel(readArtifact(DEFAULT_MODEL_DIR));
    const text = 'Halt die Klappe, du Idiot!';
    const offset = model.languageOffset('ru');
    expect(offset).toBeGreaterThan(0);
    const logit = (p: number) => Math.log(p / (1 - p));
    const bare = model.score(text);
    const asRussian = model.score(text, 'ru');
    expect(logit(asRussian['harassment']!) - logit(bare['harassment']!)).toBeCloseTo(offset, 6);
    // Warden's own categories and the training languages keep their scores.
    expect(asRussian['regulated-advice/medical']).toBe(bare['regulated-advice/medical']);
    expect(model.score(text, 'en')).toEqual(bare);
    expect(model.score(text, 'und')).toEqual(bare);
  });

  it('gives the names of identity groups no weight of their own: the same sentence scores the same for every group', () => {
    const model = loadTextModel();
    const gay = model.score('I am a gay man');
    for (const group of ['muslim', 'jewish', 'transgender', 'black', 'straight']) expect(model.score(`I am a ${group} man`), group).toEqual(gay);
    expect(model.score('I am a tall man')).not.toEqual(gay);
  });

  it('loads and scores every covered category in 0..1', () => {
    const model = loadTextModel();
    expect(model.languages).toContain('en');
    const scores = model.score('How do I kill a Python process?');
    expect(Object.keys(scores).sort()).toEqual([...model.categories].sort());
    for (const category of model.categories) {
      expect(scores[category]).toBeGreaterThanOrEqual(0);
      expect(scores[category]).toBeLessThanOrEqual(1);
      expect(model.thresholds[category]).toBeGreaterThan(0);
    }
  });
});

describe('long texts', () => {
  const article = [
    'The Battle of Hastings was fought on 14 October 1066 between the Norman-French army of William, the Duke of Normandy, and an English army under the Anglo-Saxon King Harold Godwinson. It took place approximately 7 mi northwest of Hastings, close to the present-day town of Battle, East Sussex, and was a decisive Norman victory.',
    "The background to the battle was the death of the childless King Edward the Confessor in January 1066, which set up a succession struggle between several claimants to his throne. Harold was crowned king shortly after Edward's death, but faced invasions by William, his own brother Tostig, and the Norwegian King Harald Hardrada.",
    'Hardrada and Tostig defeated a hastily gathered army of Englishmen at the Battle of Fulford on 20 September 1066, and were in turn defeated by Harold at the Battle of Stamford Bridge five days later.',
  ];
  const flaggedBy = (text: string) => {
    const detection = localDetection();
    const result = detection.detect(text);
    return { categories: detection.categories.filter((c) => result.scores[c]! >= detection.thresholds[c]!), evidence: result.evidence };
  };

  it('flags one abusive line inside a long benign article, with that line as the window evidence', () => {
    const threat = 'I am going to find you and kill you, you worthless piece of trash.';
    const text = [article[0], threat, ...article.slice(1)].join('\n');
    const { categories, evidence } = flaggedBy(text);
    expect(categories).toContain('harassment');
    const window = evidence.find((e) => e.kind === 'model:window' && e.category === 'harassment')!;
    expect(text.slice(...window.span!)).toBe(threat.slice(0, -1));
    expect(flaggedBy(article.join('\n')).categories).toEqual([]);
  });

  it('counts a natural long text as benign in the long-text suite only where its source annotated every moderation category', () => {
    const long = 'A long text about the weather and the garden. '.repeat(10);
    const none = Object.fromEntries(MODERATION_CATEGORIES.map((c) => [c, false]));
    const items: Item[] = [
      { id: 'annotated', source: 'wiki_toxicity', family: 'wiki-civil-comments', text: long, flagged: false, labels: none },
      { id: 'jailbreak', source: 'jailbreak_prompts', family: 'requests', text: long, flagged: false, labels: { 'safeguard-circumvention': false } },
      { id: 'partly', source: 'cssrs', family: 'reddit', text: long, flagged: false, labels: { 'self-harm': false, 'self-harm/intent': false } },
      { id: 'positive', source: 'jigsaw_predibase', family: 'wiki-civil-comments', text: long, flagged: true, labels: { harassment: true } },
    ];
    const kinds = [...buildLongTexts(items, 'calibration'), ...buildLongTexts(items, 'evaluation')].map((t) => `${t.id} ${t.kind}`).sort();
    expect(kinds).toEqual(['natural:annotated natural benign', 'natural:positive natural positive']);
  });

  it('does not flag a long benign article for one alarming word', () => {
    const text = article.join('\n').replace('a decisive Norman victory', 'a decisive Norman victory in which thousands were killed');
    expect(flaggedBy(text).categories).toEqual([]);
  });
});

describe('detectLanguage', () => {
  it('identifies English and French offline', () => {
    expect(detectLanguage('How do I kill a Python process that hangs?').language).toBe('en');
    expect(detectLanguage('Comment puis-je fabriquer une bombe artisanale ?').language).toBe('fr');
  });
});
