import { type TextPattern, compilePattern } from '../common/index.ts';
import { type Clause, STORE_FIELDS, type StoreCheckSpec } from '../policy/index.ts';

export const FIELD_NAMES = STORE_FIELDS;
export type FieldName = (typeof FIELD_NAMES)[number];

export type Outcome = StoreCheckSpec['outcome'];

/**
 * How one clause is judged at submission time, read from the clause's `store_check` in the
 * policy version in force (so a tenant's own clauses carry their own checks):
 * - `detector`: the clause's own categories, scored by the detect domain and by the store's
 *   category signals, over the listed fields;
 * - `rule`: named signals, the clause's RE2 patterns, or a named check on the listing's structure;
 * - `human_review`: a trigger that routes the app to a person, who judges what a rule cannot.
 */
export interface StoreCheck {
  clause: string;
  check: StoreCheckSpec['check'];
  fields: readonly FieldName[];
  signals?: readonly string[];
  patterns?: readonly TextPattern[];
  /** A check that reads the listing's structure rather than its words. */
  special?: StoreCheckSpec['special'];
  outcome: Outcome;
  reason: string;
}

/** A clause without a store_check is judged through its own categories over every field. */
export const DEFAULT_CHECK: Omit<StoreCheck, 'clause' | 'reason'> = { check: 'detector', fields: FIELD_NAMES, outcome: 'rejected' };

const compiled = new WeakMap<Clause, StoreCheck>();

/** The clause's store check, its patterns compiled once per clause object. */
export function checkFor(clause: Clause): StoreCheck {
  let check = compiled.get(clause);
  if (!check) {
    const spec = clause.store_check;
    check = spec
      ? { clause: clause.id, check: spec.check, fields: spec.fields, signals: spec.signals, patterns: spec.patterns?.map((p) => compilePattern(p)), special: spec.special, outcome: spec.outcome, reason: spec.reason }
      : { clause: clause.id, ...DEFAULT_CHECK, reason: `The app matches “${clause.title}”.` };
    compiled.set(clause, check);
  }
  return check;
}
