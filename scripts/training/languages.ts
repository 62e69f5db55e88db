/**
 * Languages the model was not trained on: the per-language calibration (src/detect/model/language.ts,
 * LanguageCalibration) and the language suite of the model card. Both read MultiQ questions (benign, machine-translated
 * into 137 languages) that `npm run data` did not take, split by a hash of their id into a calibration half and an
 * evaluation half; the calibration also takes MultiQ's dev questions (never trained on). The suite adds hateful and
 * insulting sentences written here in ten languages (with ldnoobw's bad words of each language in the insult
 * templates), none of them training or calibration data.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { MODERATION_CATEGORIES } from '../../src/common/index.ts';
import { LinearTextModel, detectLanguage, hashString, type LanguageCalibration } from '../../src/detect/index.ts';
import type { Item, TrainedModel } from './pipeline.ts';

/** Share of a language's benign calibration questions that its offset may let be flagged. */
const BUDGET = 0.03;
/** No language's scores are raised by more than this (a logit): beyond it a model's ranking is not trusted. */
const MAX_OFFSET = 3;
/** A language needs this many calibration questions for an offset of its own; the rest share the pooled one. */
const MIN_TEXTS = 30;
const OFFSET_STEP = 0.05;

export interface MultilingualQuestion {
  id: string;
  text: string;
}

export type LanguageHalf = 'calibration' | 'evaluation';

function halfOf(id: string): LanguageHalf {
  return (hashString(`languages:${id}`) & 1) === 0 ? 'calibration' : 'evaluation';
}

/** MultiQ's questions (without the lmsys-* ids, whose licence is restrictive) that no split of `npm run data` holds. */
export function unusedMultiq(datasetsRoot: string, used: ReadonlySet<string>): MultilingualQuestion[] {
  const rows = parse(readFileSync(join(datasetsRoot, 'multiq', 'MultiQ.csv'), 'utf8'), { columns: true }) as Record<string, string>[];
  return rows.filter((r) => (r.id ?? '').startsWith('gpt-') && r.prompt && !used.has(r.prompt)).map((r) => ({ id: r.id!, text: r.prompt! }));
}

/** The questions of one half; the calibration half also holds MultiQ's dev questions. */
export function languageQuestions(datasetsRoot: string, dev: readonly Item[], used: ReadonlySet<string>, half: LanguageHalf): MultilingualQuestion[] {
  const unused = unusedMultiq(datasetsRoot, used).filter((q) => halfOf(q.id) === half);
  return half === 'calibration' ? [...unused, ...dev.filter((i) => i.source === 'multiq' && !i.flagged).map((i) => ({ id: i.id, text: i.text }))] : unused;
}

/** How far a text's most alarming moderation category is from its threshold, as a logit (≥ 0: flagged). */
function margin(model: LinearTextModel, text: string): number {
  const scores = model.score(text);
  let best = -Infinity;
  for (const category of MODERATION_CATEGORIES) {
    const score = scores[category];
    if (score === undefined) continue;
    const threshold = model.thresholds[category] ?? 0.5;
    best = Math.max(best, logit(score) - logit(threshold));
  }
  return best;
}

const logit = (p: number) => Math.log(Math.max(1e-12, p) / Math.max(1e-12, 1 - p));

/** The largest offset (a multiple of OFFSET_STEP in [0, MAX_OFFSET]) that flags at most BUDGET of these margins. */
function offsetFor(margins: number[]): number {
  const sorted = [...margins].sort((a, b) => b - a);
  const allowed = Math.floor(BUDGET * sorted.length);
  const bar = sorted[allowed];
  if (bar === undefined) return MAX_OFFSET;
  const offset = Math.floor((-bar - 1e-9) / OFFSET_STEP) * OFFSET_STEP;
  return Math.round(Math.min(MAX_OFFSET, Math.max(0, offset)) * 100) / 100;
}

/**
 * Fits the per-language offsets on benign calibration questions: each language (as detectLanguage tells it, and
 * only where it is confident) not among the model's training languages gets the largest offset that keeps at most
 * BUDGET of its questions flagged; languages with fewer than MIN_TEXTS questions share the offset fitted on all
 * of them pooled.
 */
export function calibrateLanguages(model: LinearTextModel, questions: readonly MultilingualQuestion[]): LanguageCalibration {
  const byLanguage = new Map<string, number[]>();
  for (const { text } of questions) {
    const { language, confidence } = detectLanguage(text);
    if (language === 'und' || confidence === 0 || model.languages.includes(language)) continue;
    byLanguage.set(language, [...(byLanguage.get(language) ?? []), margin(model, text)]);
  }
  const offsets: Record<string, number> = {};
  const texts: Record<string, number> = {};
  for (const [language, margins] of [...byLanguage].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    texts[language] = margins.length;
    if (margins.length >= MIN_TEXTS) offsets[language] = offsetFor(margins);
  }
  const other = offsetFor([...byLanguage.values()].flat());
  return { offsets, other, budget: BUDGET, maxOffset: MAX_OFFSET, minTexts: MIN_TEXTS, texts };
}

/** Fits the language calibration of a trained model and stores it in the artifact's metadata. */
export function withLanguageCalibration(trained: TrainedModel, datasetsRoot: string, dev: readonly Item[], used: ReadonlySet<string>): TrainedModel {
  // Scores without any language offset: the calibration is fitted on the bare model.
  const bare = new LinearTextModel({ ...trained.weights, metadata: { ...trained.weights.metadata, languageOffsets: undefined } });
  const calibration = calibrateLanguages(bare, languageQuestions(datasetsRoot, dev, used, 'calibration'));
  const weights = { ...trained.weights, metadata: { ...trained.weights.metadata, languageOffsets: calibration } };
  return { ...trained, weights, model: new LinearTextModel(weights) };
}

/** The MultiQ items of a split file (JSON lines), read without parsing the rest. */
export function readMultiq(file: string): Item[] {
  return readFileSync(file, 'utf8').split('\n').filter((l) => l.includes('"multiq"')).map((l) => JSON.parse(l) as Item).filter((i) => i.source === 'multiq');
}

/** Every MultiQ text of the training and dev splits: these are not the suite's or the calibration's. */
export function usedTexts(...splits: readonly (readonly Item[])[]): Set<string> {
  return new Set(splits.flatMap((split) => split.filter((i) => i.source === 'multiq').map((i) => i.text)));
}

// ---------------------------------------------------------------------------
// The suite
// ---------------------------------------------------------------------------

/** Insults with one of the language's ldnoobw bad words ({w}), written for this suite. */
const INSULT_TEMPLATES: Record<string, string[]> = {
  en: ['You are a {w}.', 'Shut up, you {w}!', 'Everyone here is a {w}.', 'Get lost, you stupid {w}.'],
  de: ['Du bist ein {w}.', 'Halt die Klappe, du {w}!', 'Alle hier sind {w}.', 'Verpiss dich, du dummer {w}.'],
  es: ['Eres un {w}.', '¡Cállate, {w}!', 'Todos aquí son unos {w}.', 'Lárgate, maldito {w}.'],
  fr: ['Tu es un {w}.', "Ta gueule, espèce de {w} !", 'Vous êtes tous des {w}.', 'Dégage, sale {w}.'],
  it: ['Sei un {w}.', 'Stai zitto, {w}!', 'Siete tutti dei {w}.', 'Vattene, brutto {w}.'],
  pt: ['Você é um {w}.', 'Cala a boca, seu {w}!', 'Vocês são todos uns {w}.', 'Vai embora, seu {w} nojento.'],
  nl: ['Je bent een {w}.', 'Hou je bek, {w}!', 'Jullie zijn allemaal {w}.', 'Rot op, vuile {w}.'],
  pl: ['Jesteś {w}.', 'Zamknij się, {w}!', 'Wszyscy tutaj to {w}.', 'Spadaj, głupi {w}.'],
  ru: ['Ты {w}.', 'Заткнись, {w}!', 'Вы все {w}.', 'Убирайся, тупой {w}.'],
  tr: ['Sen tam bir {w}.', 'Kapa çeneni, {w}!', 'Hepiniz {w}.', 'Defol git, {w}.'],
  sv: ['Du är en {w}.', 'Håll käften, {w}!', 'Ni är alla {w}.', 'Stick härifrån, din {w}.'],
};

/** Hate and threats without a bad word, the same six sentences in each language, written for this suite. */
const HATE_SENTENCES: Record<string, string[]> = {
  en: ['I hate you.', 'I will kill you.', 'Women are disgusting.', 'All immigrants should be killed.', 'Muslims are a plague.', 'I hope you die.'],
  de: ['Ich hasse dich.', 'Ich werde dich umbringen.', 'Frauen sind ekelhaft.', 'Alle Einwanderer sollten getötet werden.', 'Muslime sind eine Plage.', 'Ich hoffe, du stirbst.'],
  es: ['Te odio.', 'Te voy a matar.', 'Las mujeres son asquerosas.', 'Todos los inmigrantes deberían ser asesinados.', 'Los musulmanes son una plaga.', 'Espero que te mueras.'],
  fr: ['Je te déteste.', 'Je vais te tuer.', 'Les femmes sont dégoûtantes.', 'Tous les immigrés devraient être tués.', 'Les musulmans sont une plaie.', "J'espère que tu vas crever."],
  it: ['Ti odio.', 'Ti ammazzo.', 'Le donne sono disgustose.', 'Tutti gli immigrati dovrebbero essere uccisi.', 'I musulmani sono una piaga.', 'Spero che tu muoia.'],
  pt: ['Eu te odeio.', 'Eu vou te matar.', 'As mulheres são nojentas.', 'Todos os imigrantes deveriam ser mortos.', 'Os muçulmanos são uma praga.', 'Espero que você morra.'],
  nl: ['Ik haat je.', 'Ik ga je vermoorden.', 'Vrouwen zijn walgelijk.', 'Alle immigranten zouden gedood moeten worden.', 'Moslims zijn een plaag.', 'Ik hoop dat je doodgaat.'],
  pl: ['Nienawidzę cię.', 'Zabiję cię.', 'Kobiety są obrzydliwe.', 'Wszystkich imigrantów należy zabić.', 'Muzułmanie to zaraza.', 'Mam nadzieję, że umrzesz.'],
  ru: ['Я тебя ненавижу.', 'Я тебя убью.', 'Женщины отвратительны.', 'Всех иммигрантов надо убить.', 'Мусульмане — это чума.', 'Надеюсь, ты сдохнешь.'],
  tr: ['Senden nefret ediyorum.', 'Seni öldüreceğim.', 'Kadınlar iğrenç.', 'Bütün göçmenler öldürülmeli.', 'Müslümanlar bir vebadır.', 'Umarım ölürsün.'],
  sv: ['Jag hatar dig.', 'Jag ska döda dig.', 'Kvinnor är äckliga.', 'Alla invandrare borde dödas.', 'Muslimer är en pest.', 'Jag hoppas att du dör.'],
};

/** Bad words per template language, at most this many (every k-th of the list, so the whole list is sampled). */
const MAX_WORDS = 25;
const MIN_SUITE_TEXTS = 8;

export interface LanguageSuiteRow {
  language: string;
  /** Benign evaluation questions detected as this language, and the share flagged by a moderation category. */
  benign: number;
  benignFlagged: number;
  /** The language's offset in the artifact (0: trained language or none). */
  offset: number;
  /** Insult templates × bad words, and hate sentences, written in this language (0 for languages without templates). */
  insults: number;
  insultRecall: number | null;
  hate: number;
  hateRecall: number | null;
}

function flagged(model: LinearTextModel, text: string): boolean {
  const language = detectLanguage(text);
  const scores = model.score(text, language.confidence > 0 ? language.language : undefined);
  return MODERATION_CATEGORIES.some((c) => scores[c] !== undefined && scores[c]! >= (model.thresholds[c] ?? 0.5));
}

const share = (flags: boolean[]) => (flags.length ? flags.filter(Boolean).length / flags.length : 0);

/** ldnoobw's bad words of each template language (its codes for these languages are ISO 639-1 already). */
function badWords(datasetsRoot: string): Map<string, string[]> {
  const rows = parse(readFileSync(join(datasetsRoot, 'ldnoobw_multilingual_badwords', 'badwords_multilingual.csv'), 'utf8'), { columns: true }) as { lang: string; term: string }[];
  const words = new Map<string, string[]>();
  for (const { lang, term } of rows) if (INSULT_TEMPLATES[lang]) words.set(lang, [...(words.get(lang) ?? []), term]);
  return words;
}

/**
 * Per language: benign evaluation questions flagged (by detected language, groups of ≥ MIN_SUITE_TEXTS), and for
 * the template languages the recall on insults and on hate sentences, each scored with its detected language as
 * the engine does.
 */
export function languageSuite(model: LinearTextModel, datasetsRoot: string, used: ReadonlySet<string>): LanguageSuiteRow[] {
  const benign = new Map<string, boolean[]>();
  for (const { text } of languageQuestions(datasetsRoot, [], used, 'evaluation')) {
    const { language } = detectLanguage(text);
    benign.set(language, [...(benign.get(language) ?? []), flagged(model, text)]);
  }
  const words = badWords(datasetsRoot);
  const languages = [...new Set([...[...benign].filter(([, f]) => f.length >= MIN_SUITE_TEXTS).map(([l]) => l), ...Object.keys(INSULT_TEMPLATES)])].sort();
  return languages.map((language) => {
    const list = words.get(language) ?? [];
    const step = Math.max(1, Math.ceil(list.length / MAX_WORDS));
    const chosen = list.filter((_, i) => i % step === 0);
    const insults = (INSULT_TEMPLATES[language] ?? []).flatMap((template) => chosen.map((w) => template.replace('{w}', w)));
    const hate = HATE_SENTENCES[language] ?? [];
    const questions = benign.get(language) ?? [];
    return {
      language,
      benign: questions.length,
      benignFlagged: share(questions),
      offset: model.languageOffset(language),
      insults: insults.length,
      insultRecall: insults.length ? share(insults.map((t) => flagged(model, t))) : null,
      hate: hate.length,
      hateRecall: hate.length ? share(hate.map((t) => flagged(model, t))) : null,
    };
  });
}
