/**
 * Identity terms by axis, shared by the counterfactual augmentation (counterfactual.ts), the lexicon check
 * (scripts/training/resources.ts) and the identity test suite (scripts/suites/identity.ts). Each term has the
 * adjective (or singular noun) form and a plural noun phrase, so that a swap keeps the sentence grammatical.
 */
export interface IdentityTerm {
  /** "gay", "muslim", "middle-aged". */
  adjective: string;
  /** "gay people", "muslims". */
  plural: string;
  /** Written forms that also mean something else ("black coffee", "old code"): swapped only before a people noun. */
  ambiguous?: boolean;
}

export const IDENTITY_AXES = ['orientation', 'gender identity', 'ethnicity', 'nationality', 'religion', 'age', 'disability'] as const;
export type IdentityAxis = (typeof IDENTITY_AXES)[number];

const t = (adjective: string, plural = `${adjective} people`, ambiguous = false): IdentityTerm => ({ adjective, plural, ambiguous });

export const IDENTITY_TERMS: Record<IdentityAxis, IdentityTerm[]> = {
  orientation: [t('gay'), t('lesbian', 'lesbians'), t('bisexual'), t('homosexual', 'homosexuals'), t('heterosexual', 'heterosexuals'), t('queer'), t('asexual'), t('pansexual'), t('straight', 'straight people', true)],
  'gender identity': [t('transgender'), t('trans', 'trans people', true), t('nonbinary'), t('cisgender'), t('intersex'), t('genderqueer')],
  ethnicity: [
    t('black', 'black people', true), t('white', 'white people', true), t('asian', 'asians'), t('latino', 'latinos'), t('latina', 'latinas'), t('hispanic', 'hispanics'),
    t('african american', 'african americans'), t('native american', 'native americans'), t('arab', 'arabs'), t('indigenous'),
  ],
  nationality: [
    t('mexican', 'mexicans'), t('chinese'), t('indian', 'indians', true), t('american', 'americans'), t('european', 'europeans'), t('african', 'africans'), t('canadian', 'canadians'),
    t('russian', 'russians'), t('iranian', 'iranians'), t('pakistani', 'pakistanis'), t('nigerian', 'nigerians'), t('syrian', 'syrians'), t('somali', 'somalis'), t('irish'),
    t('japanese'), t('korean', 'koreans'), t('filipino', 'filipinos'), t('vietnamese'), t('german', 'germans'), t('polish', 'polish people', true), t('brazilian', 'brazilians'),
  ],
  religion: [
    t('muslim', 'muslims'), t('jewish', 'jews'), t('christian', 'christians'), t('hindu', 'hindus'), t('buddhist', 'buddhists'), t('sikh', 'sikhs'), t('catholic', 'catholics'),
    t('atheist', 'atheists'), t('mormon', 'mormons'), t('protestant', 'protestants'),
  ],
  age: [t('old', 'old people', true), t('elderly'), t('young', 'young people', true), t('middle-aged'), t('teenage', 'teenagers'), t('senior', 'seniors', true)],
  disability: [t('disabled'), t('blind', 'blind people', true), t('deaf'), t('autistic'), t('paraplegic'), t('mentally ill'), t('dyslexic'), t('wheelchair-using', 'wheelchair users')],
};

/** Nouns after which an ambiguous term ("black", "old") names people. */
export const PEOPLE_NOUNS = ['people', 'person', 'man', 'men', 'woman', 'women', 'folks', 'community', 'communities', 'guy', 'guys', 'girl', 'girls', 'boy', 'boys', 'kid', 'kids', 'children', 'family', 'families', 'americans', 'lives', 'students', 'teens', 'adults', 'friends', 'neighbours', 'neighbors', 'coworkers', 'voters', 'patients', 'citizens'];

/** Every identity word, lower-case, one per entry (adjectives and the head word of each plural). */
export function identityWords(): Set<string> {
  const words = new Set<string>();
  for (const terms of Object.values(IDENTITY_TERMS)) {
    for (const term of terms) {
      words.add(term.adjective);
      if (!term.plural.endsWith(' people')) words.add(term.plural);
    }
  }
  for (const extra of ['jew', 'gays', 'blacks', 'whites', 'homosexuality', 'islam', 'judaism', 'christianity']) words.add(extra);
  return words;
}

/**
 * Words of the identity terms that the model gives no weight of their own (FeatureConfig.neutral): every token of
 * every term's forms and a few other names of groups, except words that name no group on their own ("people",
 * "using") and the age words that also carry other evidence ("old", "young", "teenage": "13 year old" is evidence
 * for sexual/minors).
 */
export function neutralIdentityTokens(): string[] {
  const keep = new Set(['people', 'using', 'users', 'old', 'young', 'teenage', 'teenagers']);
  const words = new Set<string>();
  const add = (phrase: string) => {
    for (const word of phrase.toLowerCase().split(/[^a-z]+/)) if (word.length > 1 && !keep.has(word)) words.add(word);
  };
  for (const terms of Object.values(IDENTITY_TERMS)) for (const term of terms) [term.adjective, term.plural].forEach(add);
  ['jew', 'gays', 'lesbians', 'blacks', 'whites', 'homosexuality', 'islam', 'islamic', 'judaism', 'christianity', 'lgbt', 'lgbtq', 'transsexual', 'bisexuals', 'muslim'].forEach(add);
  return [...words].sort();
}
