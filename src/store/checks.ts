import type { SignalId } from './signals.ts';

export const FIELD_NAMES = ['name', 'description', 'instructions', 'conversation_starters', 'category'] as const;
export type FieldName = (typeof FIELD_NAMES)[number];

export type Outcome = 'rejected' | 'needs_review';

/**
 * How one clause is judged at submission time:
 * - `detector`: the clause's own categories (read from the policy version in force), scored by
 *   the detect domain and by the store's category signals, over the listed fields;
 * - `rule`: named signals, or a named check on the listing's structure;
 * - `human_review`: a trigger that routes the app to a person, who judges what a rule cannot.
 */
export interface StoreCheck {
  clause: string;
  check: 'detector' | 'rule' | 'human_review';
  fields: readonly FieldName[];
  signals?: readonly SignalId[];
  /** A check that reads the listing's structure rather than its words. */
  special?: 'declared_audience' | 'purpose_mismatch' | 'advice_safeguards';
  outcome: Outcome;
  reason: string;
}

const ALL: readonly FieldName[] = FIELD_NAMES;
const PURPOSE: readonly FieldName[] = ['name', 'description', 'instructions', 'conversation_starters', 'category'];

/** One check per clause of the seed policy. A clause a tenant adds gets DEFAULT_CHECK. */
export const STORE_CHECKS: readonly StoreCheck[] = [
  { clause: 'universal.1', check: 'detector', fields: ALL, outcome: 'rejected', reason: 'The app facilitates illegal activity or compromises others’ privacy.' },
  { clause: 'universal.2', check: 'detector', fields: ALL, outcome: 'rejected', reason: 'The app promotes self-harm, weapons or harm to others.' },
  { clause: 'universal.3', check: 'detector', fields: ALL, outcome: 'rejected', reason: 'The app’s output would harass, deceive or harm others.' },
  { clause: 'universal.4', check: 'detector', fields: ALL, outcome: 'rejected', reason: 'The app is built to circumvent safeguards.' },
  { clause: 'api.1.1', check: 'human_review', fields: PURPOSE, signals: ['personal-data'], outcome: 'needs_review', reason: 'The app processes personal data; whether it complies with the law needs a person to judge.' },
  { clause: 'api.1.2', check: 'rule', fields: PURPOSE, signals: ['biometric-identification'], outcome: 'rejected', reason: 'The app uses biometric identification such as facial recognition.' },
  { clause: 'api.1.3', check: 'rule', fields: PURPOSE, signals: ['surveillance'], outcome: 'rejected', reason: 'The app facilitates spyware, surveillance or covert monitoring.' },
  { clause: 'api.2.1', check: 'rule', fields: PURPOSE, special: 'advice_safeguards', signals: ['legal-advice', 'medical-advice', 'financial-advice'], outcome: 'rejected', reason: 'The app gives tailored legal, medical or financial advice without stating professional review and disclosure of AI use.' },
  { clause: 'api.2.2', check: 'detector', fields: PURPOSE, outcome: 'rejected', reason: 'The app makes high-stakes automated decisions about people.' },
  { clause: 'api.2.3', check: 'detector', fields: PURPOSE, outcome: 'rejected', reason: 'The app facilitates real-money gambling or payday lending.' },
  { clause: 'api.2.4', check: 'detector', fields: PURPOSE, outcome: 'rejected', reason: 'The app produces political campaigning or lobbying material.' },
  { clause: 'api.2.5', check: 'detector', fields: PURPOSE, outcome: 'rejected', reason: 'The app deters participation in democratic processes.' },
  { clause: 'api.3.1', check: 'detector', fields: PURPOSE, outcome: 'rejected', reason: 'The app generates disinformation or false engagement.' },
  { clause: 'api.3.2', check: 'detector', fields: PURPOSE, outcome: 'rejected', reason: 'The app impersonates a person or organisation.' },
  { clause: 'api.3.3', check: 'detector', fields: PURPOSE, outcome: 'rejected', reason: 'The app engages in or promotes academic dishonesty.' },
  { clause: 'api.3.4', check: 'detector', fields: PURPOSE, outcome: 'rejected', reason: 'The app is told to hide that users are talking to an AI.' },
  { clause: 'api.4.1', check: 'detector', fields: ALL, outcome: 'rejected', reason: 'The app produces sexually explicit or suggestive content.' },
  { clause: 'chatgpt.1.1', check: 'human_review', fields: PURPOSE, signals: ['personal-data'], outcome: 'needs_review', reason: 'The GPT processes personal data; whether it complies with the law needs a person to judge.' },
  { clause: 'chatgpt.1.2', check: 'rule', fields: PURPOSE, signals: ['identifier-solicitation'], outcome: 'rejected', reason: 'The GPT solicits payment cards, bank details, government IDs, API keys or passwords.' },
  { clause: 'chatgpt.1.3', check: 'rule', fields: PURPOSE, signals: ['biometric-identification'], outcome: 'rejected', reason: 'The GPT uses biometric identification such as facial recognition.' },
  { clause: 'chatgpt.1.4', check: 'rule', fields: PURPOSE, signals: ['surveillance'], outcome: 'rejected', reason: 'The GPT facilitates spyware, surveillance or covert monitoring.' },
  { clause: 'chatgpt.2.1', check: 'rule', fields: PURPOSE, signals: ['unconfirmed-actions'], outcome: 'rejected', reason: 'The GPT takes actions on the user’s behalf without their confirmation.' },
  { clause: 'chatgpt.2.2', check: 'detector', fields: PURPOSE, outcome: 'rejected', reason: 'The GPT gives tailored legal, medical or financial advice.' },
  { clause: 'chatgpt.2.3', check: 'detector', fields: PURPOSE, outcome: 'rejected', reason: 'The GPT makes automated decisions that affect people’s rights or well-being.' },
  { clause: 'chatgpt.2.4', check: 'detector', fields: PURPOSE, outcome: 'rejected', reason: 'The GPT facilitates real-money gambling or payday lending.' },
  { clause: 'chatgpt.2.5', check: 'detector', fields: PURPOSE, outcome: 'rejected', reason: 'The GPT produces political campaigning or lobbying material.' },
  { clause: 'chatgpt.2.6', check: 'detector', fields: PURPOSE, outcome: 'rejected', reason: 'The GPT deters participation in democratic processes.' },
  { clause: 'chatgpt.3.1', check: 'detector', fields: PURPOSE, outcome: 'rejected', reason: 'The GPT generates disinformation or false engagement.' },
  { clause: 'chatgpt.3.2', check: 'detector', fields: PURPOSE, outcome: 'rejected', reason: 'The GPT impersonates a person or organisation.' },
  { clause: 'chatgpt.3.3', check: 'detector', fields: PURPOSE, outcome: 'rejected', reason: 'The GPT engages in or promotes academic dishonesty.' },
  { clause: 'chatgpt.3.4', check: 'human_review', fields: PURPOSE, signals: ['third-party-content'], outcome: 'needs_review', reason: 'The GPT uses third-party content; whether it has the permissions needs a person to judge.' },
  { clause: 'chatgpt.3.5', check: 'human_review', fields: ['instructions'], special: 'purpose_mismatch', signals: ['concealment'], outcome: 'needs_review', reason: 'The instructions do something the name and description do not say; a person judges whether the listing misleads.' },
  { clause: 'chatgpt.4.1', check: 'detector', fields: ALL, outcome: 'rejected', reason: 'The GPT produces sexually explicit or suggestive content.' },
  { clause: 'chatgpt.5', check: 'rule', fields: PURPOSE, special: 'declared_audience', signals: ['children-audience'], outcome: 'rejected', reason: 'The GPT targets users under 13.' },
  { clause: 'store.1', check: 'detector', fields: ['name'], outcome: 'rejected', reason: 'The name contains profanity (obfuscated spellings included).' },
  { clause: 'store.2', check: 'detector', fields: ALL, outcome: 'rejected', reason: 'The GPT depicts or promotes graphic violence.' },
  { clause: 'store.3', check: 'detector', fields: PURPOSE, outcome: 'rejected', reason: 'The GPT is dedicated to fostering romantic companionship.' },
  { clause: 'store.4', check: 'detector', fields: PURPOSE, outcome: 'rejected', reason: 'The GPT performs a regulated activity (legal, medical or financial advice, gambling or lending).' },
];

/** A clause a tenant adds is judged through its own categories over every field. */
export const DEFAULT_CHECK: Omit<StoreCheck, 'clause'> = {
  check: 'detector',
  fields: ALL,
  outcome: 'rejected',
  reason: 'The app matches this clause’s categories.',
};

const BY_CLAUSE = new Map(STORE_CHECKS.map((check) => [check.clause, check]));

export function checkFor(clauseId: string, clauseTitle: string): StoreCheck {
  return BY_CLAUSE.get(clauseId) ?? { clause: clauseId, ...DEFAULT_CHECK, reason: `The app matches “${clauseTitle}”.` };
}
