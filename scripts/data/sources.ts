import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Category } from '../../src/common/index.ts';
import { EVERY_CATEGORY, MODERATION_SCOPE, scopeOf } from './labels.ts';
import { readCsv, readJson, readJsonl, readLines, readText, type Row } from './read.ts';
import { benign, harmfulUnknown, mapped, present, selfHarmPositives, type Mapping, type RawItem, type Source } from './raw.ts';
import { NEW_SOURCES } from './new-sources.ts';
import { COUNTERFACTUAL_SOURCE } from './counterfactual.ts';

export type { RawItem, Source } from './raw.ts';

const AILUMINATE: Mapping = {
  vcr: ['violence', 'illicit/violent'],
  ncr: ['illicit'],
  src: ['sexual', 'illicit'],
  cse: ['sexual/minors', 'sexual'],
  ssh: ['self-harm'],
  iwp: ['weapons', 'illicit/violent'],
  hte: ['hate'],
  dfm: ['deception/disinformation'],
  prv: ['privacy/surveillance'],
  sxc_prn: ['sexual'],
  spc_lgl: ['regulated-advice/legal'],
  spc_hlt: ['regulated-advice/medical'],
  spc_fin: ['regulated-advice/financial'],
  spc_ele: ['election-integrity'],
};
const AILUMINATE_SCOPE: Category[] = [...scopeOf(AILUMINATE), 'self-harm/intent', 'self-harm/instructions'];

function ailuminate(file: string) {
  return (root: string): RawItem[] =>
    present(
      readCsv(join(root, 'ailuminate_demo'), file).map((row) => {
        const hazard = row.hazard ?? '';
        const text = row.prompt_text ?? '';
        if (hazard !== 'ssh') return mapped(text, hazard, AILUMINATE, 'requests', AILUMINATE_SCOPE);
        // The sub-categories stay unknown when the wording does not settle them.
        return { text, positives: selfHarmPositives(text), scope: ['self-harm', ...AILUMINATE_SCOPE.filter((c) => !c.startsWith('self-harm'))], family: 'requests' };
      }),
    );
}

const FORBIDDEN: Mapping = {
  'Illegal Activity': ['illicit'],
  'Hate Speech': ['hate'],
  Malware: ['illicit'],
  'Physical Harm': ['violence'],
  'Economic Harm': ['gambling-lending'],
  Fraud: ['illicit'],
  Pornography: ['sexual'],
  'Political Lobbying': ['political-campaigning'],
  'Privacy Violence': ['privacy/surveillance'],
  'Legal Opinion': ['regulated-advice/legal'],
  'Financial Advice': ['regulated-advice/financial'],
  'Health Consultation': ['regulated-advice/medical'],
  'Gov Decision': ['high-stakes-decisions'],
};

const HARMBENCH: Mapping = {
  chemical_biological: ['weapons', 'illicit/violent'],
  cybercrime_intrusion: ['illicit'],
  illegal: ['illicit'],
  misinformation_disinformation: ['deception/disinformation'],
  harassment_bullying: ['harassment'],
};

const STRONGREJECT: Mapping = {
  'Non-violent crimes': ['illicit'],
  Violence: ['violence'],
  'Disinformation and deception': ['deception/disinformation'],
  'Hate, harassment and discrimination': ['hate'],
  'Illegal goods and services': ['illicit'],
  'Sexual content': ['sexual'],
};

/** Category names used by the harmful sets collected in refusal_direction (JailbreakBench's and the above). */
const REFUSAL: Mapping = {
  ...HARMBENCH,
  ...STRONGREJECT,
  'Harassment/Discrimination': ['harassment'],
  'Malware/Hacking': ['illicit'],
  'Physical harm': ['violence'],
  'Economic harm': ['gambling-lending'],
  'Fraud/Deception': ['illicit'],
  Disinformation: ['deception/disinformation'],
  'Sexual/Adult content': ['sexual'],
  Privacy: ['privacy/surveillance'],
  'Government decision-making': ['high-stakes-decisions'],
};

const WILDGUARD: Mapping = {
  wildguardmix_private_information_individual: ['privacy/surveillance'],
  wildguardmix_social_stereotypes_and_unfair_discrimination: ['hate'],
  wildguardmix_fraud_assisting_illegal_activities: ['illicit'],
  wildguardmix_cyberattack: ['illicit'],
  wildguardmix_defamation_encouraging_unethical_or_unsafe_actions: ['deception/disinformation'],
  wildguardmix_causing_material_harm_by_disseminating_misinformation: ['deception/disinformation'],
  wildguardmix_disseminating_false_or_misleading_information_encouraging_disinformation_campaigns: ['deception/disinformation'],
  wildguardmix_toxic_language_hate_speech: ['hate'],
  wildguardmix_violence_and_physical_harm: ['violence'],
};

const AEGIS: Mapping = {
  Harassment: ['harassment'],
  'Criminal Planning/Confessions': ['illicit'],
  'Guns and Illegal Weapons': ['weapons', 'illicit'],
  'Hate/Identity Hate': ['hate'],
  'Political/Misinformation/Conspiracy': ['deception/disinformation'],
  'Suicide and Self Harm': ['self-harm'],
  Threat: ['harassment/threatening', 'violence'],
  Malware: ['illicit'],
  Violence: ['violence'],
  'Sexual (minor)': ['sexual/minors', 'sexual'],
  Profanity: ['profanity'],
  Sexual: ['sexual'],
  'Fraud/Deception': ['illicit'],
  'Controlled/Regulated Substances': ['illicit'],
  'PII/Privacy': ['privacy/surveillance'],
  'High Risk Gov Decision Making': ['high-stakes-decisions'],
  'Illegal Activity': ['illicit'],
};

/** Jigsaw-style toxicity labels; a toxic comment with no finer label is taken as harassment. */
function jigsawPositives(row: Row): Category[] {
  const on = (key: string) => Number(row[key] ?? 0) >= 0.5;
  const positives = new Set<Category>();
  if (on('toxic') || on('severe_toxic') || on('insult')) positives.add('harassment');
  if (on('threat')) {
    positives.add('harassment/threatening');
    positives.add('violence');
  }
  if (on('identity_hate')) positives.add('hate');
  if (on('identity_hate') && on('threat')) positives.add('hate/threatening');
  if (on('obscene')) positives.add('profanity');
  return [...positives];
}

/** Toxic comments carry no sexual or violence annotation, so those stay unknown on the toxic ones. */
const TOXICITY_SCOPE: Category[] = EVERY_CATEGORY.filter((c) => !c.startsWith('sexual') && c !== 'violence' && c !== 'violence/graphic');

function jigsaw(dir: string, file: string) {
  return (root: string): RawItem[] =>
    readCsv(join(root, dir), file).map((row) => {
      const positives = jigsawPositives(row);
      const text = row.comment_text ?? '';
      return positives.length === 0 ? benign(text, 'wiki-civil-comments', EVERY_CATEGORY) : { text, positives, scope: TOXICITY_SCOPE, family: 'wiki-civil-comments' };
    });
}

const JAILBREAK_WORDS = /\b(DAN|jailbr[eo]ak|developer mode|no (restrictions|filters|limits)|ignore (all|any|your|previous)|unfiltered|uncensored|anti-?gpt|without (any )?(restrictions|censorship))\b/i;

function toxigen(root: string): RawItem[] {
  const dir = join(root, 'toxigen_prompts', 'prompts');
  return readdirSync(dir)
    .sort()
    .flatMap((file) =>
      readText(dir, file)
        .split(/\\n|\n/)
        .map((line) => line.replace(/^-\s*/, '').trim())
        .filter((line) => line.length > 0)
        .map((text) => (file.startsWith('hate_') ? { text, positives: ['hate'] as Category[], scope: TOXICITY_SCOPE, family: 'tweets' as const } : benign(text, 'tweets', EVERY_CATEGORY))),
    );
}

function convabuse(root: string): RawItem[] {
  const dir = join(root, 'convabuse');
  return ['train_aggregated.csv', 'valid_aggregated.csv', 'test_aggregated.csv'].flatMap((file) =>
    readCsv(dir, file).map((row) => {
      const text = row.user ?? '';
      if (row.is_abuse_majority !== '1') return benign(text, 'chat', EVERY_CATEGORY);
      const on = (key: string) => row[key] === '1';
      const positives = new Set<Category>(['harassment']);
      if (on('sex_harassment')) positives.add('sexual');
      if (on('racist') || on('homophobic') || on('sexist') || on('transphobic') || on('ableist')) positives.add('hate');
      return { text, positives: [...positives], scope: EVERY_CATEGORY.filter((c) => c !== 'harassment/threatening'), family: 'chat' as const };
    }),
  );
}

const SENSITIVE_PII = new Set(['CREDIT_CARD', 'US_SSN', 'IBAN_CODE', 'US_DRIVER_LICENSE', 'SSN', 'PASSWORD', 'IBAN', 'PASSPORT', 'PASSPORT_NUM', 'TAX_ID', 'TAXID', 'AADHAR', 'DRIVER_LICENSE', 'DRIVERS_LICENSE', 'DRIVER_LICENSE_NUM', 'BANK_ACCOUNT', 'BANK_ACCOUNT_NUM', 'ROUTING_NUMBER', 'ACCOUNT_NUMBER', 'PAN']);
const PII_SCOPE: Category[] = [...MODERATION_SCOPE, 'privacy/sensitive-identifiers'];

function pii(text: string, entityTypes: string[]): RawItem {
  const sensitive = entityTypes.some((t) => SENSITIVE_PII.has(t));
  return { text, positives: sensitive ? ['privacy/sensitive-identifiers'] : [], scope: PII_SCOPE, family: 'requests' };
}

export const SOURCES: Source[] = [
  { name: 'ailuminate_en', licence: 'CC BY 4.0', defaultModel: true, trainByDefault: true, read: ailuminate('airr_official_1.0_demo_en_us_prompt_set_release.csv') },
  { name: 'ailuminate_fr', licence: 'CC BY 4.0', defaultModel: true, trainByDefault: true, read: ailuminate('airr_official_1.0_demo_fr_fr_prompt_set_release.csv') },
  {
    name: 'forbidden_questions', licence: 'MIT', defaultModel: true, trainByDefault: true,
    read: (root) => present(readCsv(join(root, 'jailbreak_llms_verazuo'), 'forbidden_question_set.csv').map((r) => mapped(r.question ?? '', r.content_policy_name ?? '', FORBIDDEN, 'requests'))),
  },
  {
    name: 'jailbreak_prompts', licence: 'MIT', defaultModel: true, trainByDefault: true,
    read: (root) => readCsv(join(root, 'jailbreak_llms_verazuo'), 'jailbreak_prompts_2023_05_07.csv').map((r) => ({ text: r.prompt ?? '', positives: ['safeguard-circumvention'], scope: ['safeguard-circumvention'], family: 'requests' })),
  },
  {
    name: 'harmbench', licence: 'MIT', defaultModel: true, trainByDefault: true,
    read: (root) =>
      present(
        readCsv(join(root, 'harmbench_behaviors'), 'harmbench_behaviors_text_all.csv').map((r) => {
          if (r.SemanticCategory === 'copyright') return null; // intellectual property has no Warden category
          if (r.SemanticCategory === 'harmful') return harmfulUnknown(r.Behavior ?? '', 'requests');
          return mapped(r.Behavior ?? '', r.SemanticCategory ?? '', HARMBENCH, 'requests');
        }),
      ),
  },
  { name: 'advbench', licence: 'MIT', defaultModel: true, trainByDefault: true, read: (root) => readCsv(join(root, 'advbench'), 'advbench_behaviors.csv').map((r) => harmfulUnknown(r.Behavior ?? '', 'requests')) },
  {
    name: 'strongreject', licence: 'MIT', defaultModel: true, trainByDefault: true,
    read: (root) => present(readCsv(join(root, 'strongreject'), 'strongreject_dataset.csv').map((r) => mapped(r.forbidden_prompt ?? '', r.category ?? '', STRONGREJECT, 'requests'))),
  },
  { name: 'malicious_instruct', licence: 'MIT', defaultModel: true, trainByDefault: true, read: (root) => readLines(join(root, 'malicious_instruct'), 'malicious_instruct.txt').map((t) => harmfulUnknown(t, 'requests')) },
  {
    name: 'refusal_harmful', licence: 'MIT', defaultModel: true, trainByDefault: true,
    read: (root) =>
      ['harmful_train.json', 'harmful_val.json', 'harmful_test.json'].flatMap((file) =>
        readJson<{ instruction: string; category: string | null }[]>(join(root, 'refusal_direction_harmful_harmless'), file).map((r) =>
          (r.category !== null && mapped(r.instruction, r.category, REFUSAL, 'requests', scopeOf(REFUSAL))) || harmfulUnknown(r.instruction, 'requests'),
        ),
      ),
  },
  {
    name: 'wildguardmix', licence: 'ODC-BY', defaultModel: true, trainByDefault: true,
    read: (root) =>
      present(
        readJson<{ text: string; label: string; source: string }[]>(join(root, 'guard_mix'), 'wildguard_full_benchmark.json').map((r) => {
          if (r.label === 'safe') return benign(r.text, 'requests');
          if (r.source === 'wildguardmix_copyright_violations') return null;
          return mapped(r.text, r.source, WILDGUARD, 'requests') ?? harmfulUnknown(r.text, 'requests');
        }),
      ),
  },
  {
    name: 'jailbreakbench', licence: 'MIT', defaultModel: true, trainByDefault: true,
    read: (root) => readJson<{ text: string; label: string }[]>(join(root, 'guard_mix'), 'jailbreakbench.json').map((r) => (r.label === 'safe' ? benign(r.text, 'requests') : harmfulUnknown(r.text, 'requests'))),
  },
  {
    name: 'deepset_injection', licence: 'Apache-2.0', defaultModel: true, trainByDefault: true,
    read: (root) =>
      ['deepset_train.csv', 'deepset_test.csv'].flatMap((file) =>
        readCsv(join(root, 'guard_mix'), file).map((r) =>
          r.label === '1' ? { text: r.text ?? '', positives: ['safeguard-circumvention'] as Category[], scope: ['safeguard-circumvention'] as Category[], family: 'requests' as const } : benign(r.text ?? '', 'requests'),
        ),
      ),
  },
  {
    name: 'pii_presidio_synth', licence: 'MIT', defaultModel: true, trainByDefault: true,
    read: (root) => readJson<{ full_text: string; spans: { entity_type: string }[] }[]>(join(root, 'pii_presidio_synth'), 'synth_dataset_v2.json').map((r) => pii(r.full_text, r.spans.map((s) => s.entity_type))),
  },
  {
    name: 'pii_synthetic_nano', licence: 'MIT', defaultModel: true, trainByDefault: true,
    read: (root) => readJson<{ text: string; NER: { label: string }[] }[]>(join(root, 'pii_synthetic_nano'), 'pii_syn_nano_en.json').map((r) => pii(r.text, r.NER.map((n) => n.label))),
  },
  {
    name: 'aegis2', licence: 'CC BY 4.0', defaultModel: true, trainByDefault: true,
    read: (root) =>
      present(
        readCsv(join(root, 'aegis2_subset900'), 'aegis_900.csv').map((r) => {
          const category = r.category ?? '';
          if (category === 'Copyright/Trademark/Plagiarism' || category === 'Unauthorized Advice') return null;
          return mapped(r.prompt ?? '', category, AEGIS, 'chat') ?? harmfulUnknown(r.prompt ?? '', 'chat');
        }),
      ),
  },
  {
    name: 'davidson', licence: 'MIT', defaultModel: true, trainByDefault: true,
    read: (root) =>
      readCsv(join(root, 'davidson_hate_offensive'), 'data_labeled_data.csv').map((r) => {
        const text = r.tweet ?? '';
        if (r.class === '0') return { text, positives: ['hate'] as Category[], scope: TOXICITY_SCOPE.filter((c) => c !== 'harassment'), family: 'tweets' as const };
        // "Offensive" is mostly profanity; whether it is harassment is not annotated.
        if (r.class === '1') return { text, positives: ['profanity'] as Category[], scope: ['hate', 'profanity'] as Category[], flagged: true, family: 'tweets' as const };
        return benign(text, 'tweets', EVERY_CATEGORY);
      }),
  },
  { name: 'toxigen', licence: 'MIT (CDLA-Permissive-2.0 data)', defaultModel: true, trainByDefault: true, read: toxigen },
  { name: 'jigsaw_ibm', licence: 'CC0', defaultModel: true, trainByDefault: true, read: jigsaw('jigsaw_sample_ibm', 'test_examples.csv') },
  { name: 'jigsaw_predibase', licence: 'CC0 labels / CC BY-SA text', defaultModel: true, trainByDefault: true, read: jigsaw('jigsaw_toxic_predibase_subsets', 'jigsaw_toxic_subsets.csv') },
  { name: 'jigsaw_hieunt91', licence: 'CC0 labels / CC BY-SA text', defaultModel: true, trainByDefault: true, read: jigsaw('jigsaw_toxic_sample_hieunt91', 'toxic_comments.csv') },
  {
    name: 'wiki_toxicity', licence: 'CC0', defaultModel: true, trainByDefault: true,
    read: (root) =>
      readCsv(join(root, 'wiki_toxicity_testset'), 'toxicity_nonfuzzed_testset.csv').map((r) =>
        r.toxic === 'True' ? { text: r.comment ?? '', positives: ['harassment'] as Category[], scope: TOXICITY_SCOPE, family: 'wiki-civil-comments' as const } : benign(r.comment ?? '', 'wiki-civil-comments', EVERY_CATEGORY),
      ),
  },
  {
    // All toxic, no benign texts of the same style: it taught earlier models to flag mild comments.
    name: 'toxic_spans', licence: 'CC0', defaultModel: true, trainByDefault: false,
    read: (root) => ['tsd_train.csv', 'tsd_trial.csv', 'tsd_test.csv'].flatMap((file) => readCsv(join(root, 'toxic_spans'), file).map((r) => ({ text: r.text ?? '', positives: ['harassment'] as Category[], scope: ['harassment'] as Category[], family: 'wiki-civil-comments' as const }))),
  },
  {
    name: 'ruddit', licence: 'MIT', defaultModel: true, trainByDefault: true,
    read: (root) =>
      present(
        readCsv(join(root, 'ruddit_with_text'), 'ruddit_with_text.csv').map((r) => {
          const text = r.txt ?? '';
          const score = Number(r.offensiveness_score);
          if (text === '[deleted]' || text === '[removed]' || Number.isNaN(score)) return null;
          if (score > 0.5) return { text, positives: ['harassment'] as Category[], scope: TOXICITY_SCOPE.filter((c) => c !== 'hate' && c !== 'profanity'), family: 'reddit' as const };
          return score <= 0 ? benign(text, 'reddit', EVERY_CATEGORY) : null;
        }),
      ),
  },
  {
    name: 'goemotions', licence: 'Apache-2.0', defaultModel: true, trainByDefault: true,
    read: (root) => ['train.csv', 'dev.csv', 'test.csv'].flatMap((file) => readCsv(join(root, 'goemotions'), file).map((r) => benign(r.text ?? '', 'reddit', MODERATION_SCOPE))),
  },
  {
    name: 'stormfront', licence: 'CC BY-SA 3.0', defaultModel: true, trainByDefault: true,
    read: (root) =>
      present(
        readJsonl<{ label: string; text: string }>(join(root, 'stormfront_vicomtech'), 'stormfront.jsonl').map((r) => {
          if (r.label === 'hate') return { text: r.text, positives: ['hate'] as Category[], scope: TOXICITY_SCOPE.filter((c) => c !== 'harassment'), family: 'forum' as const };
          return r.label === 'noHate' ? benign(r.text, 'forum', EVERY_CATEGORY) : null;
        }),
      ),
  },
  {
    name: 'stackexchange', licence: 'CC BY-SA 3.0', defaultModel: true, trainByDefault: true,
    read: (root) => readJsonl<{ title?: string; text: string }>(join(root, 'stackexchange_beer_coffee'), 'posts.jsonl').map((r) => benign([r.title, r.text].filter(Boolean).join('\n'), 'forum', EVERY_CATEGORY)),
  },
  { name: 'convabuse', licence: 'CC BY 4.0', defaultModel: true, trainByDefault: true, read: convabuse },
  {
    // Responses are unsafe only in their context, which a single-text classifier never sees.
    name: 'diasafety', licence: 'Apache-2.0', defaultModel: true, trainByDefault: false,
    read: (root) => ['train.jsonl', 'val.jsonl', 'test.jsonl'].flatMap((file) => readJsonl<{ response: string; label: string }>(join(root, 'diasafety'), file).map((r) => (r.label === 'Unsafe' ? harmfulUnknown(r.response, 'chat') : benign(r.response, 'chat', [])))),
  },
  {
    name: 'awesome_chatgpt_prompts', licence: 'CC0', defaultModel: true, trainByDefault: true,
    read: (root) => readCsv(join(root, 'awesome_chatgpt_prompts'), 'prompts.csv').filter((r) => !JAILBREAK_WORDS.test(r.prompt ?? '')).map((r) => benign(r.prompt ?? '', 'requests')),
  },
  {
    name: 'dolly_instructions', licence: 'CC BY-SA 3.0', defaultModel: true, trainByDefault: true,
    read: (root) => readJsonl<{ instruction: string }>(join(root, 'dolly15k_first6400'), 'dolly_first6400.jsonl').map((r) => benign(r.instruction, 'requests')),
  },
  {
    name: 'dolly_responses', licence: 'CC BY-SA 3.0', defaultModel: true, trainByDefault: true,
    read: (root) => readJsonl<{ response: string }>(join(root, 'dolly15k_first6400'), 'dolly_first6400.jsonl').filter((r) => r.response.length >= 200).map((r) => benign(r.response, 'long-form')),
  },
  {
    name: 'clinc150', licence: 'CC BY 3.0', defaultModel: true, trainByDefault: true,
    read: (root) => Object.values(readJson<Record<string, [string, string][]>>(join(root, 'clinc150_oos'), 'data_full.json')).flat().map(([text]) => benign(text, 'requests')),
  },
  { name: 'nlu_home', licence: 'CC BY 4.0', defaultModel: true, trainByDefault: true, read: (root) => readCsv(join(root, 'nlu_evaluation_data_home'), 'nlu_home_utterances_intents.csv').map((r) => benign(r.text ?? '', 'requests')) },
  {
    // The lmsys-* rows are seeded from a restrictively licensed set (datasets README).
    name: 'multiq', licence: 'CC BY 4.0', defaultModel: true, trainByDefault: true,
    read: (root) => readCsv(join(root, 'multiq'), 'MultiQ.csv').filter((r) => (r.id ?? '').startsWith('gpt-')).map((r) => benign(r.prompt ?? '', 'requests')),
  },
  { name: 'wikitext2', licence: 'CC BY-SA 3.0', defaultModel: true, trainByDefault: true, read: (root) => readJsonl<{ text: string }>(join(root, 'wikitext2_valid_test_paragraphs'), 'paragraphs.jsonl').map((r) => benign(r.text, 'long-form', EVERY_CATEGORY)) },
  ...NEW_SOURCES,

  // Not licensed for the default model: evaluation only (an out-of-distribution check), never trained on.
  { name: 'sgbench', licence: 'unclear', defaultModel: false, trainByDefault: false, read: (root) => readJson<{ text: string }[]>(join(root, 'guard_mix'), 'sgbench.json').map((r) => harmfulUnknown(r.text, 'requests')) },
  {
    name: 'alpaca_harmless', licence: 'CC BY-NC 4.0', defaultModel: false, trainByDefault: false,
    read: (root) => readJson<{ instruction: string }[]>(join(root, 'refusal_direction_harmful_harmless'), 'harmless_test.json').slice(0, 3000).map((r) => benign(r.instruction, 'requests')),
  },
  {
    name: 'hatexplain', licence: 'GPL-3.0', defaultModel: false, trainByDefault: false,
    read: (root) =>
      present(
        readCsv(join(root, 'hatexplain_mbib'), '092-HateXplain.csv').map((r) => {
          const text = r.text ?? '';
          if (r.category === '1') return { text, positives: ['hate'] as Category[], scope: ['hate'] as Category[], family: 'tweets' as const };
          if (r.category === '2') return { text, positives: [] as Category[], scope: ['hate'] as Category[], flagged: true, family: 'tweets' as const };
          return r.category === '0' ? benign(text, 'tweets', EVERY_CATEGORY) : null;
        }),
      ),
  },
  {
    name: 'ethos', licence: 'GPL-3.0', defaultModel: false, trainByDefault: false,
    read: (root) =>
      present(
        readCsv(join(root, 'ethos'), 'Ethos_Dataset_Binary.csv', ';').map((r) => {
          const score = Number(r.isHate);
          if (score >= 0.5) return { text: r.comment ?? '', positives: ['hate'] as Category[], scope: ['hate'] as Category[], family: 'wiki-civil-comments' as const };
          return score <= 0.2 ? benign(r.comment ?? '', 'wiki-civil-comments', EVERY_CATEGORY) : null;
        }),
      ),
  },
  {
    name: 'olid', licence: 'none stated', defaultModel: false, trainByDefault: false,
    read: (root) => readCsv(join(root, 'olid'), 'olid-training-v1.0.tsv', '\t').map((r) => (r.subtask_a === 'OFF' ? harmfulUnknown(r.tweet ?? '', 'tweets') : benign(r.tweet ?? '', 'tweets', EVERY_CATEGORY))),
  },
];

/** May `npm run train` train on the source (licence rule, judgement, not kept for evaluation)? */
export function isTrainable(source: Source): boolean {
  return source.defaultModel && source.trainByDefault && !source.evalOnly;
}

/** Names of the sources the shipped model trains on, with the counterfactual copies derived from them. */
export function trainableSources(): Set<string> {
  return new Set([...SOURCES.filter(isTrainable).map((s) => s.name), COUNTERFACTUAL_SOURCE]);
}

/** Large benign or single-style sources are capped so that they do not drown the rest (after de-duplication). */
export const SOURCE_CAPS: Record<string, number> = {
  goemotions: 12000,
  clinc150: 8000,
  nlu_home: 5000,
  toxigen: 12000,
  davidson: 12000,
  multiq: 8000,
  olid: 4000,
  hatexplain: 5000,
  nl2bash: 4000,
  stackoverflow_titles: 4000,
  mmlu: 4000,
  natural_questions: 4000,
  harmfulqa: 1500,
};
