import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { ALL_CATEGORIES, InvalidInput, compilePattern, zodToInvalidInput } from '../common/index.ts';
import { RUNGS } from '../enforce/index.ts';
import { clauseId } from '../policy/index.ts';

/** Where a judged item came from: a /v1/moderations call, a user report, a store submission. */
export const RULE_SOURCES = ['moderation', 'report', 'submission'] as const;
export const RULE_SURFACES = ['api', 'chatgpt', 'gpts', 'store'] as const;
export const INPUT_TYPES = ['text', 'image'] as const;
export const COUNT_SCOPES = ['account', 'app', 'tenant'] as const;
export const RULE_MODES = ['live', 'shadow'] as const;
/** An account's standing: the highest enforcement rung in force, or none. */
export const STANDINGS = ['none', ...RUNGS] as const;

export type RuleSource = (typeof RULE_SOURCES)[number];
export type RuleSurface = (typeof RULE_SURFACES)[number];
export type CountScope = (typeof COUNT_SCOPES)[number];
export type RuleMode = (typeof RULE_MODES)[number];

const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
/** The longest window a count may look back over: counters live in memory (see README). */
export const MAX_WINDOW_MS = 7 * UNIT_MS.d;
export const MAX_AT_LEAST = 1_000;
export const MAX_RULES = 500;
export const MAX_CONDITION_DEPTH = 8;

/** "90s", "10m", "24h", "7d" → milliseconds. */
export function parseDuration(text: string): number {
  const match = /^(\d{1,6})([smhd])$/.exec(text);
  if (!match) throw new Error(`expected a duration like "90s", "10m", "24h" or "7d"`);
  return Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
}

const duration = z.string().superRefine((text, ctx) => {
  try {
    parseDuration(text);
  } catch (error) {
    ctx.addIssue({ code: z.ZodIssueCode.custom, message: (error as Error).message });
  }
});
/**
 * A count's window: a duration of at most 7 days, checked in one refinement. A `.refine` chained on `duration`
 * would run on a string `duration` refused too (zod runs refinements on a dirty result), and parseDuration
 * would throw there: a window of "1 aaa" answered 500.
 */
const countWindow = z.string().superRefine((text, ctx) => {
  let ms: number;
  try {
    ms = parseDuration(text);
  } catch (error) {
    ctx.addIssue({ code: z.ZodIssueCode.custom, message: (error as Error).message });
    return;
  }
  if (ms > MAX_WINDOW_MS) ctx.addIssue({ code: z.ZodIssueCode.custom, message: 'a window is at most 7d' });
});
const category = z.enum(ALL_CATEGORIES);
const nonEmpty = <T extends z.ZodTypeAny>(item: T) => z.array(item).min(1).max(50);
const name = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'expected 1–64 letters, digits, ".", "_" or "-"');

const textMatch = z
  .object({
    pattern: z.string().min(1).max(1_000),
    /** Which text to search: `text` (a moderation input or report), a listing field, or any when absent. */
    field: z.enum(['text', 'name', 'description', 'instructions', 'conversation_starters', 'category']).optional(),
    case_sensitive: z.boolean().default(false),
  })
  .strict()
  .superRefine((match, ctx) => {
    try {
      compilePattern(match.pattern, match.case_sensitive);
    } catch (error) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['pattern'], message: (error as Error).message });
    }
  });

/** One condition is an object with exactly one of these keys. */
export interface Condition {
  all?: Condition[];
  any?: Condition[];
  not?: Condition;
  category?: z.infer<typeof category> | { name: z.infer<typeof category>; min_score?: number };
  detector?: string;
  clause?: string;
  /** An image matched a hash bank: any bank (`true`) or one of these bank ids. */
  hash_bank?: true | string[];
  text?: z.infer<typeof textMatch>;
  account_age?: { under?: string; over?: string };
  account_standing?: (typeof STANDINGS)[number][];
  count?: { of: Condition; per: CountScope; window: string; at_least: number };
  input_type?: (typeof INPUT_TYPES)[number][];
  language?: string[];
  surface?: RuleSurface[];
  source?: RuleSource[];
}

// zod calls a lazy schema's getter on every parse, so the getter only hands back the schema built once below.
const nested: z.ZodType<Condition, z.ZodTypeDef, unknown> = z.lazy(() => conditionSchema);

const conditionSchema: z.ZodType<Condition, z.ZodTypeDef, unknown> = z
  .object({
    all: nonEmpty(nested).optional(),
    any: nonEmpty(nested).optional(),
    not: nested.optional(),
    category: z.union([category, z.object({ name: category, min_score: z.number().min(0).max(1).optional() }).strict()]).optional(),
    detector: z.string().min(1).max(64).optional(),
    clause: clauseId.optional(),
    hash_bank: z.union([z.literal(true), nonEmpty(z.string().min(1).max(100))]).optional(),
    text: textMatch.optional(),
    account_age: z
      .object({ under: duration.optional(), over: duration.optional() })
      .strict()
      .refine((age) => age.under !== undefined || age.over !== undefined, 'give "under", "over" or both')
      .optional(),
    account_standing: nonEmpty(z.enum(STANDINGS)).optional(),
    count: z
      .object({
        of: nested,
        per: z.enum(COUNT_SCOPES),
        window: countWindow,
        at_least: z.number().int().min(1).max(MAX_AT_LEAST),
      })
      .strict()
      .optional(),
    input_type: nonEmpty(z.enum(INPUT_TYPES)).optional(),
    language: nonEmpty(z.string().regex(/^[a-z]{2,3}$/, 'a language is an ISO 639 code such as "en"')).optional(),
    surface: nonEmpty(z.enum(RULE_SURFACES)).optional(),
    source: nonEmpty(z.enum(RULE_SOURCES)).optional(),
  })
  .strict()
  .superRefine((condition, ctx) => {
    const keys = Object.keys(condition).filter((key) => condition[key as keyof Condition] !== undefined);
    if (keys.length !== 1) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: `a condition has exactly one key (all, any, not, category, text, count, …); found ${keys.length ? keys.join(', ') : 'none'}` });
    }
  });

/** Review priority: a number 0–100, as the review queue orders cases. */
const priority = z.union([z.number().int().min(0).max(100), z.enum(['low', 'normal', 'high', 'urgent'])]);

export interface RuleAction {
  flag_clause?: string;
  set_score?: { category: z.infer<typeof category>; value: number };
  raise_score?: { category: z.infer<typeof category>; by: number };
  review?: { priority: number | 'low' | 'normal' | 'high' | 'urgent' };
  label?: string;
  block?: true;
  notify?: { message?: string };
}

export const ACTION_KINDS = ['flag_clause', 'set_score', 'raise_score', 'review', 'label', 'block', 'notify'] as const;
export type ActionKind = (typeof ACTION_KINDS)[number];

const actionSchema: z.ZodType<RuleAction, z.ZodTypeDef, unknown> = z
  .object({
    flag_clause: clauseId.optional(),
    set_score: z.object({ category, value: z.number().min(0).max(1) }).strict().optional(),
    raise_score: z.object({ category, by: z.number().min(0).max(1) }).strict().optional(),
    review: z.object({ priority }).strict().optional(),
    label: name.optional(),
    block: z.literal(true).optional(),
    notify: z.object({ message: z.string().max(500).optional() }).strict().optional(),
  })
  .strict()
  .superRefine((action, ctx) => {
    const keys = Object.keys(action).filter((key) => action[key as keyof RuleAction] !== undefined);
    if (keys.length !== 1) ctx.addIssue({ code: z.ZodIssueCode.custom, message: `an action has exactly one of ${ACTION_KINDS.join(', ')}; found ${keys.length ? keys.join(', ') : 'none'}` });
  });

const ruleSchema = z
  .object({
    id: name,
    description: z.string().max(1_000).optional(),
    /** `shadow`: the rule's actions are recorded and counted, never taken. Inherits the document's mode. */
    mode: z.enum(RULE_MODES).optional(),
    when: conditionSchema,
    then: z.array(actionSchema).min(1).max(20),
  })
  .strict();

export const ruleDocumentSchema = z
  .object({
    version: name,
    /** What this version changes, for the audit log and the console. */
    summary: z.string().min(1).max(1_000),
    mode: z.enum(RULE_MODES).default('live'),
    rules: z.array(ruleSchema).max(MAX_RULES),
  })
  .strict()
  .superRefine((doc, ctx) => {
    const seen = new Map<string, number>();
    doc.rules.forEach((rule, index) => {
      const first = seen.get(rule.id);
      if (first !== undefined) ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['rules', index, 'id'], message: `duplicate rule id "${rule.id}" (first at rules[${first}])` });
      else seen.set(rule.id, index);
      checkDepth(rule.when, ['rules', index, 'when'], 0, ctx);
    });
  });

export type RuleDocument = z.infer<typeof ruleDocumentSchema>;
export type Rule = RuleDocument['rules'][number];

/** Conditions nest at most MAX_CONDITION_DEPTH deep, and a count never counts another count. */
function checkDepth(condition: Condition, path: (string | number)[], depth: number, ctx: z.RefinementCtx, inCount = false): void {
  if (depth > MAX_CONDITION_DEPTH) {
    ctx.addIssue({ code: z.ZodIssueCode.custom, path, message: `conditions nest at most ${MAX_CONDITION_DEPTH} deep` });
    return;
  }
  if (condition.count && inCount) ctx.addIssue({ code: z.ZodIssueCode.custom, path: [...path, 'count'], message: 'a count cannot count another count' });
  condition.all?.forEach((c, i) => checkDepth(c, [...path, 'all', i], depth + 1, ctx, inCount));
  condition.any?.forEach((c, i) => checkDepth(c, [...path, 'any', i], depth + 1, ctx, inCount));
  if (condition.not) checkDepth(condition.not, [...path, 'not'], depth + 1, ctx, inCount);
  if (condition.count) checkDepth(condition.count.of, [...path, 'count', 'of'], depth + 1, ctx, true);
}

/** Validates a rule document; a broken one is refused naming the offending field's path (`rules[2].when.all[0].text.pattern`). */
export function validateRuleDocument(input: unknown, paramPrefix = ''): RuleDocument {
  const result = ruleDocumentSchema.safeParse(input);
  if (result.success) return result.data;
  throw zodToInvalidInput(result.error, paramPrefix);
}

export function parseRuleYaml(text: string): RuleDocument {
  let data: unknown;
  try {
    data = parseYaml(text);
  } catch (error) {
    throw new InvalidInput(`The rule document is not valid YAML: ${(error as Error).message}`, null, 'invalid_yaml');
  }
  return validateRuleDocument(data);
}
