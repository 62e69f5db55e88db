import { ALL_CATEGORIES, MODERATION_CATEGORIES, type Category } from '../../src/common/index.ts';

/** Source families for leave-one-family-out validation (issue 5, step 3). */
export const FAMILIES = ['requests', 'tweets', 'wiki-civil-comments', 'reddit', 'forum', 'chat', 'long-form'] as const;
export type Family = (typeof FAMILIES)[number];

/** One labelled text in the DESIGN §7 format, plus provenance kept for the data card and validation. */
export interface LabelledItem {
  id: string;
  text: string;
  flagged: boolean;
  labels: Partial<Record<Category, boolean>>;
  source: string;
  licence: string;
  family: Family;
}

/**
 * Categories about the topic of a request rather than harm (asking for legal advice, lobbying, elections,
 * lending): an everyday benign request may well be one of them, so benign request sets leave them unknown.
 */
export const TOPICAL: readonly Category[] = [
  'regulated-advice/legal',
  'regulated-advice/medical',
  'regulated-advice/financial',
  'high-stakes-decisions',
  'gambling-lending',
  'political-campaigning',
  'election-integrity',
];

export const EVERY_CATEGORY: readonly Category[] = ALL_CATEGORIES;
export const MODERATION_SCOPE: readonly Category[] = MODERATION_CATEGORIES;
export const BENIGN_REQUEST_SCOPE: readonly Category[] = ALL_CATEGORIES.filter((c) => !TOPICAL.includes(c));

const MODERATION: ReadonlySet<string> = new Set(MODERATION_CATEGORIES);

/**
 * Labels for an item whose source annotated `scope`: the positives are true, the rest of the scope false,
 * and every category outside the scope stays unknown (absent), as DESIGN §7 requires.
 */
export function labelsFor(positives: readonly Category[], scope: readonly Category[]): Partial<Record<Category, boolean>> {
  const labels: Partial<Record<Category, boolean>> = {};
  for (const category of scope) labels[category] = false;
  for (const category of positives) labels[category] = true;
  return labels;
}

/** True when a moderation category is among the positives: "flagged" in DESIGN §7's sense. */
export function hasModerationPositive(positives: readonly Category[]): boolean {
  return positives.some((c) => MODERATION.has(c));
}

/** Union of the categories that a source's label mapping can produce: the source's annotated scope. */
export function scopeOf(mapping: Record<string, readonly Category[]>): Category[] {
  return [...new Set(Object.values(mapping).flat())];
}
