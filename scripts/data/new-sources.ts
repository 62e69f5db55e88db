/**
 * Readers for the sources added for issue 12: benign look-alikes (OR-Bench, CoCoNot), technical requests
 * (CoNaLa, NL2Bash, Stack Overflow titles, MBPP), real questions (Natural Questions, MMLU, Arena-Hard,
 * Self-Instruct, OpenAssistant), harmful questions with categories (OR-Bench-Toxic, CatQA, HarmfulQA,
 * DangerousQA, I2P) and the self-harm sets (C-SSRS posts and sentence windows, SDCNL). Doubtful mappings are
 * recorded in models/DATA.md.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { sha256Hex, type Category } from '../../src/common/index.ts';
import { scopeOf } from './labels.ts';
import { readCsv, readCsvRows, readJson, readJsonl, readLines } from './read.ts';
import { benign, harmfulUnknown, mapped, present, selfHarmPositives, type Mapping, type RawItem, type Source } from './raw.ts';

interface OrBenchRow { prompt: string; source: string; topic: string }

function orbench(root: string): OrBenchRow[] {
  const dir = join(root, 'orbench_hard1k_toxic');
  return ['orbench_discovery.jsonl', 'orbench_holdout.jsonl', 'orbench_selection.jsonl'].flatMap((file) => readJsonl<OrBenchRow>(dir, file));
}

/** OR-Bench categories; "harmful" and "unethical" say harmful without saying how (no Warden category). */
const ORBENCH_TOXIC: Mapping = {
  deception: ['deception/disinformation'],
  harassment: ['harassment'],
  hate: ['hate'],
  illegal: ['illicit'],
  privacy: ['privacy/surveillance'],
  sexual: ['sexual'],
  violence: ['violence'],
};
const ORBENCH_SCOPE: Category[] = [...scopeOf(ORBENCH_TOXIC), 'self-harm'];

function orbenchToxic(row: OrBenchRow): RawItem {
  if (row.topic === 'self-harm') return { text: row.prompt, positives: selfHarmPositives(row.prompt), scope: ['self-harm', ...scopeOf(ORBENCH_TOXIC)], family: 'requests' };
  return mapped(row.prompt, row.topic, ORBENCH_TOXIC, 'requests', ORBENCH_SCOPE) ?? harmfulUnknown(row.prompt, 'requests');
}

interface CocoNotRow { prompt: string; category: string; subcategory: string }

const coconot = (root: string, file: string) => readJsonl<CocoNotRow>(join(root, 'coconot_noncompliance'), file);

/**
 * CoCoNot's noncompliance set: only "Requests with safety concerns" are harmful (copyright has no Warden category);
 * the rest (incomplete, unsupported, indeterminate, humanising requests) are benign requests a model would decline.
 */
function coconotEval(row: CocoNotRow): RawItem | null {
  if (row.category !== 'Requests with safety concerns') return benign(row.prompt, 'requests');
  if (row.subcategory === 'copyright violations') return null;
  if (row.subcategory === 'privacy violations') return { text: row.prompt, positives: ['privacy/surveillance'], scope: ['privacy/surveillance'], family: 'requests' };
  if (row.subcategory === 'misinformation') return { text: row.prompt, positives: ['deception/disinformation'], scope: ['deception/disinformation'], family: 'requests' };
  return harmfulUnknown(row.prompt, 'requests');
}

/** CatQA: category → sub-category → questions; the mapping is per sub-category where the category is mixed. */
const CATQA: Record<string, Mapping> = {
  'Illegal Activity': { '*': ['illicit'], 'Weapon:': ['weapons', 'illicit'] },
  'Child Abuse': { 'Content Sexual exploitation': ['sexual/minors', 'sexual'], 'Online predation': ['sexual/minors', 'sexual'], 'Physical abuse': ['violence'], 'Emotional and psychological abuse': ['harassment'] },
  'Hate/Harass/Violence': { 'Racial or ethnic hate': ['hate'], 'Religious intolerance': ['hate'], 'Gender-based violence': ['violence'], Cyberbullying: ['harassment'], 'Terrorism and extremism': ['violence', 'illicit/violent'] },
  'Malware Viruses': { '*': ['illicit'] },
  'Physical Harm': { 'Assault and battery': ['violence'], 'Weapon making': ['weapons', 'illicit/violent'] },
  'Economic Harm': { '*': ['illicit'] },
  'Fraud/Deception': { '*': ['illicit'] },
  'Adult Content': { '*': ['sexual'] },
  'Political Campaigning': { '*': ['political-campaigning'] },
  'Privacy Violation Activity': { '*': ['privacy/surveillance'] },
  'Tailored Financial Advice': { '*': ['regulated-advice/financial'] },
};
const CATQA_SCOPE: Category[] = [...new Set<Category>([...Object.values(CATQA).flatMap((m) => scopeOf(m)), 'self-harm'])];

function catqa(root: string): RawItem[] {
  const data = readJson<Record<string, Record<string, string[]>>>(join(root, 'catqa_harmfulqa_declare'), 'catqa_english.json');
  return Object.entries(data).flatMap(([category, subcategories]) =>
    Object.entries(subcategories).flatMap(([subcategory, questions]) =>
      questions.map((text): RawItem => {
        if (subcategory === 'Self-harm') return { text, positives: selfHarmPositives(text), scope: CATQA_SCOPE, family: 'requests' };
        const positives = CATQA[category]?.[subcategory] ?? CATQA[category]?.['*'];
        return positives ? { text, positives, scope: CATQA_SCOPE, family: 'requests' } : harmfulUnknown(text, 'requests');
      }),
    ),
  );
}

/** I2P image-prompt categories; "shocking" images are taken as graphic violence (doubtful, see DATA.md). */
const I2P: Mapping = {
  sexual: ['sexual'],
  violence: ['violence'],
  'self-harm': ['self-harm'],
  hate: ['hate'],
  harassment: ['harassment'],
  'illegal activity': ['illicit'],
  shocking: ['violence/graphic'],
};

/**
 * I2P prompts were chosen as possibly inappropriate and labelled by the images they generated: only prompts whose
 * images were inappropriate at least half the time (`hard`) are kept, each positive for its listed categories; the
 * others are often mild ("joe biden sumo wrestling") and are dropped rather than taken as benign.
 */
function i2p(root: string): RawItem[] {
  return present(
    readCsv(join(root, 'i2p_inappropriate_image_prompts'), 'i2p_benchmark.csv').map((row) => {
      if (row.hard !== '1') return null;
      const positives = [...new Set((row.categories ?? '').split(',').flatMap((c) => I2P[c.trim()] ?? []))];
      return positives.length > 0 ? { text: row.prompt ?? '', positives, scope: positives, family: 'requests' as const } : null;
    }),
  );
}

function harmfulQa(root: string): RawItem[] {
  const data = readJson<Record<string, Record<string, string[]>>>(join(root, 'catqa_harmfulqa_declare'), 'harmfulqa.json');
  return Object.values(data).flatMap((topics) => Object.values(topics).flat()).map((text) => harmfulUnknown(text, 'requests'));
}

function mmlu(root: string): RawItem[] {
  const dir = join(root, 'mmlu_test_questions');
  return readdirSync(dir)
    .filter((file) => file.endsWith('_test.csv'))
    .sort()
    .flatMap((file) => readCsvRows(dir, file).map((row) => benign(row[0] ?? '', 'requests')));
}

function oasst(root: string): RawItem[] {
  const dir = join(root, 'oasst_prompt_lottery_samples');
  const reports = readdirSync(dir).filter((file) => file.startsWith('result_')).sort();
  const prompts = [
    ...readLines(dir, 'prompt_lottery_en_250_text.jsonl').map((line) => JSON.parse(line) as string),
    ...reports.flatMap((file) => readJson<{ prompts: { prompt: string }[] }>(dir, file).prompts.map((p) => p.prompt)),
  ];
  return prompts.map((text) => benign(text, 'requests'));
}

// --- Self-harm: C-SSRS users split into trained and held-out ones, posts and sentence windows ---

interface CssrsUser { posts: string[]; label: string; heldOut: boolean }

const CSSRS_POSITIVE = new Set(['Ideation', 'Behavior', 'Attempt']);

/** About a quarter of the C-SSRS users, chosen by a hash of their id, are never trained on (the self-harm slice). */
function cssrsUsers(root: string): CssrsUser[] {
  return readCsv(join(root, 'cssrs_reddit_suicide'), '500_Reddit_users_posts_labels.csv').map((row) => ({
    // Posts are a Python list literal.
    posts: (row.Post ?? '').replace(/^\[['"]|['"]\]$/g, '').split(/['"], ['"]/),
    label: row.Label ?? '',
    heldOut: sha256Hex(`cssrs-slice:${row.User ?? ''}`) < '4',
  }));
}

/** The user-level label applies to the whole history, cut to a long post's length. */
function cssrsPosts(heldOut: boolean) {
  return (root: string): RawItem[] =>
    present(
      cssrsUsers(root).filter((u) => u.heldOut === heldOut).map((user) => {
        const text = user.posts.join('\n\n').slice(0, 3000);
        const scope: Category[] = ['self-harm', 'self-harm/intent'];
        if (user.label === 'Supportive') return { text, positives: [], scope, family: 'reddit' as const };
        return CSSRS_POSITIVE.has(user.label) ? { text, positives: scope, scope, family: 'reddit' as const } : null;
      }),
    );
}

/**
 * A first-person statement of suicidal thoughts, plans or attempts: "I" within the same sentence before the
 * wording, or wording that is first-person by itself ("kill myself", "end my life"). C-SSRS posts come without
 * apostrophes ("Im", "dont"). Windows that only mention suicide or pills ("flush the pills", "cross-post to /r/suicidewatch") no longer
 * carry an at-risk user's label (as noise, they did before).
 */
export const FIRST_PERSON_SUICIDAL = new RegExp(
  String.raw`\b(kill(ing)? my ?self|end(ing)? my (own )?life|take my (own )?life|hang(ing)? my ?self|cut(ting)? my ?self|wish (i|that i) (was|were) dead|` +
    String.raw`(i|i'?m|im|i'?ve|ive|i'?ll|ill|i'?d|id)\b[^.!?\n]{0,60}?\b((commit(ted|ting)?|attempt(ed|ing)?|tried) suicide|suicidal|(want(ed)?|wanna|going|ready|deserve) to die|` +
    String.raw`end(ing)? (it all|everything|things)|overdos(e|ing)\b|(take|taking|took|swallow\w*|have|got|stockpil\w*) (all |the |my |these |those |a bottle of )+pills|` +
    String.raw`(don'?t|dont|do not) want to (live|be alive|wake up|be here)|better off dead|not be here anymore|can'?t (do|take) (this|it) anymore))`,
  'i',
);

const SELF_HARM: readonly Category[] = ['self-harm', 'self-harm/intent', 'self-harm/instructions'];

/**
 * A source that never marks self-harm lists it in its scope only because its texts are taken to be free of it
 * (chat abuse, toxic comments, emotions): a text of it that states suicidal intent in the first person ("i am
 * going to kill myself tonight" in ConvAbuse) gets self-harm unknown rather than the false "not self-harm" that
 * taught the model first-person statements are benign.
 */
export function selfHarmScope(raws: RawItem[]): (raw: RawItem) => readonly Category[] {
  const marks = raws.some((raw) => raw.positives.some((c) => SELF_HARM.includes(c)));
  return (raw) => (marks || !FIRST_PERSON_SUICIDAL.test(raw.text) ? raw.scope : raw.scope.filter((c) => !SELF_HARM.includes(c)));
}

const sentences = new Intl.Segmenter('en', { granularity: 'sentence' });

/**
 * Windows of two sentences (at most 320 characters) from each post, and each sentence of a window that has the
 * suicidal wording on its own: short first-person statements are what the data lacks most.
 */
function windows(post: string): string[] {
  const parts = [...sentences.segment(post.replace(/\\n/g, ' '))].map((s) => s.segment.trim()).filter((s) => s.length > 0);
  const result: string[] = [];
  for (let i = 0; i < parts.length; i += 2) {
    const pair = parts.slice(i, i + 2);
    result.push(pair.join(' ').slice(0, 320));
    if (pair.length === 2) result.push(...pair.filter((sentence) => FIRST_PERSON_SUICIDAL.test(sentence)));
  }
  return result.filter((w) => w.length >= 15);
}

/**
 * Sentence windows of C-SSRS posts, labelled by the user's level only where the window itself states suicidal
 * thoughts, plans or attempts in the first person (FIRST_PERSON_SUICIDAL): an at-risk user's other windows are
 * mostly about something else, or mention suicide without stating it, and are dropped. Supportive users' windows
 * are negatives, those that mention suicide or pills included ("flush the pills down the toilet"), unless they
 * state it in the first person (then dropped: often a past attempt told to help).
 */
function cssrsWindows(heldOut: boolean) {
  return (root: string): RawItem[] => {
    const scope: Category[] = ['self-harm', 'self-harm/intent'];
    return cssrsUsers(root)
      .filter((u) => u.heldOut === heldOut && (u.label === 'Supportive' || CSSRS_POSITIVE.has(u.label)))
      .flatMap((user) =>
        user.posts.flatMap(windows).flatMap((text): RawItem[] => {
          const stated = FIRST_PERSON_SUICIDAL.test(text);
          if (user.label === 'Supportive') return stated ? [] : [{ text, positives: [], scope, family: 'reddit' }];
          return stated ? [{ text, positives: scope, scope, family: 'reddit' }] : [];
        }),
      );
  };
}

function sdcnl(root: string): RawItem[] {
  return readCsv(join(root, 'sdcnl_suicide_vs_depression'), 'testing-set.csv').map((row) => {
    const text = [row.title, row.selftext].filter(Boolean).join('\n').slice(0, 3000);
    return { text, positives: row.is_suicide === '1' ? ['self-harm'] : [], scope: ['self-harm'], family: 'reddit' };
  });
}

const lines = (dir: string, file: string) => (root: string) => readLines(join(root, dir), file).map((text) => benign(text, 'requests'));

export const NEW_SOURCES: Source[] = [
  { name: 'cssrs', licence: 'CC BY (Zenodo record)', defaultModel: true, trainByDefault: true, read: cssrsPosts(false) },
  { name: 'cssrs_windows', licence: 'CC BY (Zenodo record)', defaultModel: true, trainByDefault: true, read: cssrsWindows(false) },
  { name: 'cssrs_slice', licence: 'CC BY (Zenodo record)', defaultModel: true, trainByDefault: false, evalOnly: 'self-harm slice: the held-out C-SSRS users\' windows', read: cssrsWindows(true) },
  { name: 'cssrs_slice_posts', licence: 'CC BY (Zenodo record)', defaultModel: true, trainByDefault: false, evalOnly: 'the held-out C-SSRS users\' posts', read: cssrsPosts(true) },
  {
    name: 'orbench_toxic', licence: 'CC BY 4.0', defaultModel: true, trainByDefault: true,
    read: (root) => orbench(root).filter((r) => r.source === 'or-bench-toxic').map(orbenchToxic),
  },
  {
    name: 'orbench_hard1k', licence: 'CC BY 4.0', defaultModel: true, trainByDefault: false, evalOnly: 'benign look-alikes, unseen',
    read: (root) => orbench(root).filter((r) => r.source === 'or-bench-hard-1k').map((r) => benign(r.prompt, 'requests')),
  },
  {
    name: 'orbench80k', licence: 'CC BY 4.0', defaultModel: true, trainByDefault: true,
    read: (root) => {
      const dir = join(root, 'orbench80k_first200_5cats');
      return readdirSync(dir).filter((f) => f.endsWith('.csv')).sort().flatMap((file) => readCsv(dir, file).map((r) => benign(r.text_en ?? '', 'requests')));
    },
  },
  { name: 'coconot_pref', licence: 'MIT', defaultModel: true, trainByDefault: true, read: (root) => coconot(root, 'coconot_pref.jsonl').map((r) => benign(r.prompt, 'requests')) },
  { name: 'coconot_contrast', licence: 'MIT', defaultModel: true, trainByDefault: false, evalOnly: 'benign look-alikes, unseen', read: (root) => coconot(root, 'coconot_contrast_eval.jsonl').map((r) => benign(r.prompt, 'requests')) },
  { name: 'coconot_eval', licence: 'MIT', defaultModel: true, trainByDefault: false, evalOnly: 'harmful and declinable requests, unseen', read: (root) => present(coconot(root, 'coconot_eval.jsonl').map(coconotEval)) },
  {
    name: 'conala', licence: 'MIT (intents CC BY-SA)', defaultModel: true, trainByDefault: true,
    read: (root) => ['conala-train.json', 'conala-test.json'].flatMap((file) => readJson<{ intent: string }[]>(join(root, 'conala_curated'), file).map((r) => benign(r.intent, 'requests'))),
  },
  { name: 'nl2bash', licence: 'MIT', defaultModel: true, trainByDefault: true, read: lines('nl2bash', 'all.nl') },
  { name: 'stackoverflow_titles', licence: 'CC BY-SA', defaultModel: true, trainByDefault: true, read: lines('stackoverflow_titles_20k', 'title_StackOverflow.txt') },
  { name: 'mbpp', licence: 'CC BY 4.0', defaultModel: true, trainByDefault: true, read: (root) => readJsonl<{ text: string }>(join(root, 'mbpp'), 'mbpp.jsonl').map((r) => benign(r.text, 'requests')) },
  {
    name: 'natural_questions', licence: 'CC BY-SA 3.0', defaultModel: true, trainByDefault: true,
    read: (root) =>
      ['NQ-open.dev.jsonl', 'NQ-open.efficientqa.dev.1.1.jsonl', 'NQ-open.efficientqa.test.1.1.jsonl'].flatMap((file) =>
        readJsonl<{ question: string }>(join(root, 'nq_open_questions'), file).map((r) => benign(r.question, 'requests')),
      ),
  },
  { name: 'mmlu', licence: 'MIT', defaultModel: true, trainByDefault: true, read: mmlu },
  {
    name: 'self_instruct', licence: 'Apache-2.0', defaultModel: true, trainByDefault: true,
    read: (root) => readJsonl<{ instruction: string }>(join(root, 'self_instruct_user_oriented'), 'user_oriented_instructions.jsonl').map((r) => benign(r.instruction, 'requests')),
  },
  {
    name: 'arena_hard', licence: 'Apache-2.0', defaultModel: true, trainByDefault: false, evalOnly: 'real technical prompts, unseen',
    read: (root) =>
      ['arena-hard-v0.1_question.jsonl', 'arena-hard-v2.0_question.jsonl'].flatMap((file) => readJsonl<{ prompt: string }>(join(root, 'arena_hard_questions'), file).map((r) => benign(r.prompt, 'requests'))),
  },
  { name: 'oasst_prompts', licence: 'Apache-2.0', defaultModel: true, trainByDefault: false, evalOnly: 'real chatbot first messages, unseen', read: oasst },
  { name: 'catqa', licence: 'Apache-2.0', defaultModel: true, trainByDefault: true, read: catqa },
  { name: 'harmfulqa', licence: 'Apache-2.0', defaultModel: true, trainByDefault: true, read: harmfulQa },
  {
    name: 'dangerousqa', licence: 'Apache-2.0', defaultModel: true, trainByDefault: false, evalOnly: 'harmful questions, unseen',
    read: (root) => readJson<string[]>(join(root, 'catqa_harmfulqa_declare'), 'dangerousqa.json').map((text) => harmfulUnknown(text, 'requests')),
  },
  { name: 'i2p', licence: 'MIT', defaultModel: true, trainByDefault: true, read: i2p },
  { name: 'sdcnl', licence: 'none stated', defaultModel: false, trainByDefault: false, read: sdcnl },
];
