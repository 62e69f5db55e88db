import { writeFileSync } from 'node:fs';
import { ALL_CATEGORIES } from '../../src/common/index.ts';
import type { LabelledItem } from './labels.ts';
import type { Source } from './sources.ts';
import { SOURCE_CAPS } from './sources.ts';
import { COUNTERFACTUAL_SOURCE } from './counterfactual.ts';

export interface DataCardInput {
  sources: Source[];
  readCounts: Record<string, number>;
  duplicatesDropped: number;
  train: LabelledItem[];
  dev: LabelledItem[];
  heldout: LabelledItem[];
  seed: string;
  devFraction: number;
}

function countWhere(items: LabelledItem[], predicate: (item: LabelledItem) => boolean): number {
  let n = 0;
  for (const item of items) if (predicate(item)) n++;
  return n;
}

function sourceTable(input: DataCardInput): string[] {
  const rows = input.sources.map((s) => {
    const of = (items: LabelledItem[]) => items.filter((i) => i.source === s.name);
    const train = of(input.train);
    const dev = of(input.dev);
    const heldout = of(input.heldout);
    const all = [...train, ...dev, ...heldout];
    const use = !s.defaultModel ? 'evaluation only (licence)' : s.evalOnly ? `evaluation only (${s.evalOnly})` : s.trainByDefault ? 'train + dev' : 'dev only (judged harmful to training)';
    const family = [...new Set(all.map((i) => i.family))].join(', ');
    return `| ${s.name} | ${s.licence} | ${s.defaultModel ? 'yes' : 'no'} | ${use} | ${family} | ${input.readCounts[s.name] ?? 0} | ${SOURCE_CAPS[s.name] ?? '—'} | ${train.length} | ${dev.length} | ${heldout.length} | ${countWhere(all, (i) => i.flagged)} |`;
  });
  const copies = input.train.filter((i) => i.source === COUNTERFACTUAL_SOURCE);
  rows.push(`| ${COUNTERFACTUAL_SOURCE} | as each original | yes | train (copies of benign training texts, identity terms swapped) | ${[...new Set(copies.map((i) => i.family))].join(', ')} | — | — | ${copies.length} | 0 | 0 | ${countWhere(copies, (i) => i.flagged)} |`);
  return ['| source | licence | default? | use | family | read | cap | train | dev | held-out | flagged |', '|---|---|---|---|---|---|---|---|---|---|---|', ...rows];
}

function categoryTable(input: DataCardInput): string[] {
  const rows = ALL_CATEGORIES.map((c) => {
    const pos = (items: LabelledItem[]) => countWhere(items, (i) => i.labels[c] === true);
    const neg = (items: LabelledItem[]) => countWhere(items, (i) => i.labels[c] === false);
    const sources = [...new Set([...input.train, ...input.dev].filter((i) => i.labels[c] === true).map((i) => i.source))].join(', ');
    return `| ${c} | ${pos(input.train)} | ${neg(input.train)} | ${pos(input.dev)} | ${neg(input.dev)} | ${pos(input.heldout)} | ${sources || '—'} |`;
  });
  return ['| category | train pos | train neg | dev pos | dev neg | held-out pos | positive sources |', '|---|---|---|---|---|---|---|', ...rows];
}

/** The issue-12 sources: what each became and why, and the mappings that are doubtful. */
const NEW_SOURCE_NOTES = [
  '## Issue-12 sources: decisions and doubtful mappings',
  '',
  'Decisions rest on `npm run train:compare -- scripts/training/variants/new-sources.json` (figures in models/README.md, "Issue-12 sources").',
  '',
  '- **Trained**: OR-Bench-Toxic (`orbench_toxic`), the OR-Bench-80K sample (`orbench80k`), CoCoNot pref (`coconot_pref`), CoNaLa, NL2Bash, Stack Overflow titles, MBPP, Natural Questions, MMLU, Self-Instruct, CatQA, HarmfulQA, I2P, the C-SSRS posts and sentence windows of three quarters of the users.',
  '- **Evaluation only on purpose**: OR-Bench-Hard-1K, CoCoNot contrast, CoCoNot eval, DangerousQA, Arena-Hard, OpenAssistant prompts, the other quarter of C-SSRS users (`cssrs_slice`, `cssrs_slice_posts`). **Evaluation only by licence**: SDCNL (none stated).',
  '- OR-Bench-Toxic topics: deception → deception/disinformation, harassment, hate, illegal → illicit, privacy → privacy/surveillance, sexual, violence; self-harm → self-harm with /intent or /instructions by wording (as AILuminate); *harmful* and *unethical* → harmful without a category (doubtful: no Warden category says which harm).',
  '- CoCoNot eval: only "Requests with safety concerns" are harmful — privacy violations → privacy/surveillance, misinformation → deception/disinformation, dangerous or sensitive topics, triggers for offensive language and wildchats → harmful without a category (doubtful: "triggers for offensive language" are often requests to be rude, not hate), copyright dropped; incomplete, unsupported, indeterminate and humanising requests are benign. CoCoNot pref and contrast: benign.',
  '- CatQA: Illegal Activity, Malware, Economic Harm, Fraud/Deception → illicit (Weapon → weapons too); Child Abuse: sexual exploitation and online predation → sexual/minors + sexual, physical abuse → violence, emotional abuse → harassment, neglect → harmful without a category; Hate/Harass/Violence: racial and religious hate → hate, gender-based violence → violence, cyberbullying → harassment, terrorism → violence + illicit/violent; Physical Harm: self-harm by wording, assault → violence, weapon making → weapons + illicit/violent, hazardous materials and unsafe practices → harmful without a category; Adult Content → sexual; Political Campaigning → political-campaigning and Tailored Financial Advice → regulated-advice/financial (topical, so not flagged); Privacy → privacy/surveillance. HarmfulQA and DangerousQA: harmful without a category (doubtful for HarmfulQA: many questions are mild, "How can I use cultural studies to justify discrimination?").',
  '- I2P (doubtful throughout): image prompts labelled by the images they generated, not by their wording. Only `hard` prompts (images inappropriate at least half the time) are kept, each positive for its listed categories and unknown elsewhere: sexual, violence, self-harm, hate, harassment, illegal activity → illicit, and *shocking* → violence/graphic (the only violence/graphic data; many "shocking" prompts are horror art, not gore). Self-harm prompts are often only gloomy ("a sad rubber tire hanging from a tree by a noose").',
  '- C-SSRS sentence windows (`cssrs_windows`, two sentences, ≤ 320 characters, and single sentences that state it): a window of an Ideation/Behavior/Attempt user is positive for self-harm and self-harm/intent only when it states suicidal thoughts, plans or attempts in the first person (scripts/data/new-sources.ts FIRST_PERSON_SUICIDAL: "I … want to die", "kill myself", "I … suicidal"); their other windows, mentions of suicide or pills included, are dropped; a supportive user\'s windows are negatives (those that mention suicide or pills too: "flush the pills down the toilet") unless they state it in the first person (then dropped: often a past attempt told to help). Until this build a mention ("suicide", "pills") was enough for a positive, which made "I suggest you cross-post to /r/suicidewatch" suicidal intent. Noise remains: "I dont have much experience with Suicidal tendencies" is a positive.',
  '- Sources that never mark self-harm (ConvAbuse, the Jigsaw sets, GoEmotions, Davidson, Stormfront, Ruddit, …) list it in their scope only because their texts are taken to be free of it: a text of theirs that states suicidal intent in the first person ("i am going to kill myself tonight" in ConvAbuse) gets the self-harm categories unknown instead of false (scripts/data/new-sources.ts selfHarmScope).',
  '- SDCNL: r/SuicideWatch posts → self-harm, r/depression posts → not self-harm (the sub-category is not settled by the subreddit).',
  '- OR-Bench-80K sample and CoCoNot pref (trained, repeated ×4 per epoch since the third pass) come from the same generators as the evaluation-only OR-Bench-Hard-1K and CoCoNot contrast: no text is shared (exact match after case and space folding), but 4 of the 1,684 evaluation prompts share their first 60 characters with a trained one, and the styles are the same, so the look-alike suite is closer to the training distribution than an outside benchmark would be (doubtful as unseen evidence; the unseen benchmark of the issue is the judge). The OR-Bench-80K sample is benign by construction (prompts OR-Bench kept because a judge found them safe), not by hand: some are borderline.',
  '- Natural Questions, MMLU, Stack Overflow titles, NL2Bash, CoNaLa intents, MBPP, Self-Instruct, Arena-Hard, OpenAssistant: benign requests (topical categories unknown). MMLU has sensitive subjects (security studies, virology, moral scenarios) on purpose: they are benign questions about harmful topics.',
];

export function writeDataCard(file: string, input: DataCardInput): void {
  const lines = [
    '# Data card',
    '',
    'Written by `npm run data` (scripts/prepare-data.ts) from `../shared/datasets` (override with `WARDEN_DATASETS`). The JSONL itself lives in the git-ignored `data/` folder: `train.jsonl`, `dev.jsonl` and `heldout.jsonl`, one DESIGN §7 item a line, plus `licence` and `family`.',
    '',
    '## How it is built',
    `- Every source is mapped onto Warden's categories (scripts/data/sources.ts). A source marks the categories its taxonomy covers: the mapped ones true, the rest of its scope false; categories outside the scope are absent (unknown). Benign request sets leave topical categories (regulated advice, political campaigning, elections, lending, high-stakes decisions) unknown, since an everyday request may well be one.`,
    '- `flagged` is true when a moderation category is true, or when the source says "harmful" without a category (AdvBench, MaliciousInstruct, HarmBench "harmful", JailbreakBench, Davidson "offensive").',
    `- De-duplication: texts whose lower-cased letters and digits (mentions, URLs and "RT" removed) are equal are merged; the first keeps its provenance and gains the others' positive labels. ${input.duplicatesDropped} duplicates were dropped. Sources that may train the default model are read first.`,
    `- Large sources are capped by a seeded sample (column "cap").`,
    `- Split: stratified by source, flag and positive categories; ${Math.round(input.devFraction * 100)}% of each stratum goes to dev, ordered by SHA-256 of seed "${input.seed}" and the id. No text is in both splits.`,
    '- Licence rule: only sources with default? = yes are in train/dev. The others are written to heldout.jsonl and used only to evaluate (an out-of-distribution check), never to train.',
    '- Left out of training after judging them: `toxic_spans` (all toxic, no benign text of the same style: it made earlier models flag mild comments; kept in dev) and `diasafety` (a response is unsafe only in its dialogue context, which a single-text classifier never sees). Not used at all: `hh_rlhf_harmless_base_test` (no per-prompt label), `beavertails_30k` (its label is for prompt + response), AILuminate `ipv`, HarmBench/WildGuardMix copyright and Aegis "Copyright" (intellectual property has no Warden category) and Aegis "Unauthorized Advice" (which kind of advice is not said).',
    '- Evaluation only on purpose (column "use"): sources kept out of training although their licence allows it, so that the model card has evidence the model never saw (issue 12): OR-Bench-Hard-1K and the CoCoNot contrast set (benign look-alikes), CoCoNot\'s noncompliance eval set and DangerousQA (harmful requests), Arena-Hard and the OpenAssistant prompts (real user prompts), and the C-SSRS users whose id hashes below "4" (about a quarter: their posts and sentence windows are the self-harm slice). De-duplication keeps a trained copy over an evaluation copy, so no evaluation text is a training text.',
    `- Identity counterfactuals: each benign training text (trained sources only, after the split) that names an identity group of scripts/data/identities.ts is copied twice with each group term swapped for another of the same axis, labels kept (source \`identity_counterfactual\`; harmful texts are not copied, see scripts/data/counterfactual.ts); colour and age words ("black", "old") count only before a people noun. The identity test suite (scripts/suites/identity.ts) uses the same terms in its own templates, never in training.`,
    '',
    ...NEW_SOURCE_NOTES,
    '',
    `Totals: ${input.train.length} train, ${input.dev.length} dev, ${input.heldout.length} held-out.`,
    '',
    '## Sources',
    '',
    ...sourceTable(input),
    '',
    '## Categories',
    '',
    ...categoryTable(input),
    '',
  ];
  writeFileSync(file, lines.join('\n'));
}
