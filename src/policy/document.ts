import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { ALL_CATEGORIES, InvalidInput, compilePattern, zodToInvalidInput } from '../common/index.ts';

export const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
export const SURFACES = ['all', 'api', 'gpts', 'store'] as const;
export const EXEMPTION_KINDS = ['red_teaming', 'research'] as const;

const category = z.enum(ALL_CATEGORIES);
const severity = z.enum(SEVERITIES);
const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date as YYYY-MM-DD');

export const versionName = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'a version is 1–64 characters of letters, digits, ".", "_" or "-"');

/** Lower-case letters, digits, "_" and "-", in dot-separated parts. */
export const clauseId = z.string().max(100).regex(/^[a-z][a-z0-9_-]*(\.[a-z0-9_-]+)*$/, 'a clause id looks like "api.2.3"');

export const STORE_FIELDS = ['name', 'description', 'instructions', 'conversation_starters', 'category'] as const;
export const STORE_CHECK_KINDS = ['detector', 'rule', 'human_review'] as const;
export const STORE_SPECIALS = ['declared_audience', 'purpose_mismatch', 'advice_safeguards'] as const;

/**
 * How the store judges a listing against the clause: `detector` (the clause's categories, from
 * detection and the store's category signals), `rule` (named store signals, RE2 patterns, or a
 * check on the listing's structure) or `human_review` (a trigger that routes the app to a person).
 * A clause without one is judged by its categories (a detector check over every field).
 */
const storeCheckSchema = z
  .object({
    check: z.enum(STORE_CHECK_KINDS),
    fields: z.array(z.enum(STORE_FIELDS)).min(1).default([...STORE_FIELDS]),
    /** Store signal ids (see docs/coverage.md); checked against the store's list at publication. */
    signals: z.array(z.string().regex(/^[a-z][a-z0-9-]*$/, 'a signal id such as "surveillance"')).max(20).optional(),
    /** RE2 patterns over the fields' text, case-insensitive. */
    patterns: z
      .array(
        z.string().min(1).max(500).superRefine((pattern, ctx) => {
          try {
            compilePattern(pattern);
          } catch (error) {
            ctx.addIssue({ code: z.ZodIssueCode.custom, message: (error as Error).message });
          }
        }),
      )
      .max(20)
      .optional(),
    special: z.enum(STORE_SPECIALS).optional(),
    outcome: z.enum(['rejected', 'needs_review']).default('rejected'),
    reason: z.string().min(1).max(500),
  })
  .strict()
  .superRefine((check, ctx) => {
    const triggers = (check.signals?.length ?? 0) + (check.patterns?.length ?? 0) + (check.special ? 1 : 0);
    if (check.check !== 'detector' && triggers === 0) ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['check'], message: `a ${check.check} check names its signals, patterns or special check` });
    if (check.check === 'detector' && triggers > 0) ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['check'], message: 'a detector check uses the clause\'s categories; signals, patterns and special checks belong to rule or human_review checks' });
  });

export const clauseSchema = z
  .object({
    id: clauseId,
    section: z.string().min(1),
    title: z.string().min(1),
    group: z.string().min(1).nullable().default(null),
    text: z.string().min(1),
    applies_to: z.array(z.enum(SURFACES)).min(1),
    categories: z.array(category),
    severity,
    severity_overrides: z.record(category, severity).optional(),
    exemptions: z
      .array(z.object({ kind: z.enum(EXEMPTION_KINDS), text: z.string().min(1) }).strict())
      .default([]),
    store_check: storeCheckSchema.optional(),
  })
  .strict()
  .superRefine((clause, ctx) => {
    for (const overridden of Object.keys(clause.severity_overrides ?? {})) {
      if (!clause.categories.includes(overridden as (typeof clause.categories)[number])) {
        ctx.addIssue({
          code: z.ZodIssueCode.custom,
          path: ['severity_overrides', overridden],
          message: `"${overridden}" is not one of this clause's categories`,
        });
      }
    }
  });

const changelogEntry = z.object({ date: isoDate, summary: z.string().min(1) }).strict();

export const policyDocumentSchema = z
  .object({
    name: z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'a policy name is lower-case letters, digits and "-"'),
    version: versionName,
    title: z.string().min(1),
    effective_date: isoDate,
    source: z.string().optional(),
    summary: z.string().optional(),
    changelog: z.array(changelogEntry).min(1, 'a policy version needs at least one changelog entry'),
    clauses: z.array(clauseSchema).min(1),
  })
  .strict()
  .superRefine((doc, ctx) => {
    const seen = new Map<string, number>();
    doc.clauses.forEach((clause, index) => {
      const first = seen.get(clause.id);
      if (first !== undefined) {
        ctx.addIssue({
          code: z.ZodIssueCode.custom,
          path: ['clauses', index, 'id'],
          message: `duplicate clause id "${clause.id}" (first at clauses[${first}])`,
        });
      } else seen.set(clause.id, index);
    });
  });

export type PolicyDocument = z.infer<typeof policyDocumentSchema>;
export type Clause = PolicyDocument['clauses'][number];
export type Severity = (typeof SEVERITIES)[number];
export type ChangelogEntry = PolicyDocument['changelog'][number];
export type StoreCheckSpec = NonNullable<Clause['store_check']>;

/** A clause's severity for one of its categories: the override for that category, else the clause's own. */
export function effectiveSeverity(clause: Pick<Clause, 'severity' | 'severity_overrides'>, category: string | null | undefined): Severity {
  const overrides = clause.severity_overrides as Partial<Record<string, Severity>> | undefined;
  return (category ? overrides?.[category] : undefined) ?? clause.severity;
}

/** Validates a policy document; a broken one is refused naming the offending field's path. */
export function validatePolicyDocument(input: unknown, paramPrefix = ''): PolicyDocument {
  const result = policyDocumentSchema.safeParse(input);
  if (result.success) return result.data;
  throw zodToInvalidInput(result.error, paramPrefix);
}

export function parsePolicyYaml(text: string): PolicyDocument {
  let data: unknown;
  try {
    data = parseYaml(text);
  } catch (error) {
    throw new InvalidInput(`The policy document is not valid YAML: ${(error as Error).message}`, null, 'invalid_yaml');
  }
  return validatePolicyDocument(data);
}

