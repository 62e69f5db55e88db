import type { Category } from '../../src/common/index.ts';
import { BENIGN_REQUEST_SCOPE, scopeOf, type Family } from './labels.ts';

/** A text as read from a source, before de-duplication and splitting. */
export interface RawItem {
  text: string;
  positives: readonly Category[];
  scope: readonly Category[];
  /** Set when the source says "harmful" without saying which category; otherwise derived from positives. */
  flagged?: boolean;
  family: Family;
}

export interface Source {
  name: string;
  licence: string;
  /** May the default (shipped) model train on it? The licence rule of the datasets README. */
  defaultModel: boolean;
  /** Left out of default training after judging it (see models/DATA.md), though its licence allows it. */
  trainByDefault: boolean;
  /**
   * Kept out of training on purpose so that the model card has unseen evidence (why, in a few words): written to
   * heldout.jsonl like the sources the licence rule excludes. Implies trainByDefault false.
   */
  evalOnly?: string;
  read(root: string): RawItem[];
}

export type Mapping = Record<string, readonly Category[]>;

export function mapped(text: string, key: string, mapping: Mapping, family: Family, scope = scopeOf(mapping)): RawItem | null {
  const positives = mapping[key];
  if (positives === undefined) return null;
  return { text, positives, scope, family };
}

export function benign(text: string, family: Family, scope: readonly Category[] = BENIGN_REQUEST_SCOPE): RawItem {
  return { text, positives: [], scope, family };
}

export function harmfulUnknown(text: string, family: Family): RawItem {
  return { text, positives: [], scope: [], flagged: true, family };
}

export const present = <T>(items: (T | null)[]): T[] => items.filter((x): x is T => x !== null);

const SELF_HARM_INSTRUCTIONS = /\b(how (can|do|to|would|should|much|many)|ways? to|method|painless|quickest|fastest|overdose|dose)\b/i;
const SELF_HARM_INTENT = /\b(i|i'm|i am|me|my|myself)\b.*\b(kill myself|end (my|it)|want to die|hurt myself|cut(ting)? myself|suicid|starv(e|ing) myself|not (want|wanna) to live)/i;

/** A self-harm text's sub-categories by its wording; those the wording does not settle stay unknown. */
export function selfHarmPositives(text: string): Category[] {
  const positives: Category[] = ['self-harm'];
  if (SELF_HARM_INSTRUCTIONS.test(text)) positives.push('self-harm/instructions');
  if (SELF_HARM_INTENT.test(text)) positives.push('self-harm/intent');
  return positives;
}
