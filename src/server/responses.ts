import { z } from 'zod';
import { ALL_CATEGORIES, MODERATION_CATEGORIES, WARDEN_CATEGORIES } from '../common/index.ts';
import { HASH_KINDS } from '../images/index.ts';
import { clauseSchema, policyDocumentSchema } from '../policy/index.ts';
import { ROLES } from '../tenancy/index.ts';

/**
 * The 2xx bodies of the routes, as zod schemas registered with each route (`schema.response`) so that the OpenAPI
 * document describes them. They describe and never filter: answers are serialised as the handlers build them.
 */

/** `{object: 'list', data, has_more, next_cursor}` of the one pagination convention. */
export function pageOf<T extends z.ZodTypeAny>(item: T) {
  return z.object({ object: z.literal('list'), data: z.array(item), has_more: z.boolean(), next_cursor: z.string().nullable() });
}

/** A 204's empty body. */
export const deleted = z.null().describe('Deleted: no body.');

const scores = <T extends readonly [string, ...string[]]>(categories: T, value: z.ZodTypeAny) => z.record(z.enum(categories), value);

/** One piece of a verdict's evidence: a detector's span, a hash-bank match or the image model's classes. */
export const evidence = z.object({
  detector: z.string(),
  category: z.string(),
  kind: z.string(),
  score: z.number().optional(),
  span: z.tuple([z.number(), z.number()]).optional(),
  part: z.number().int().optional(),
  input: z.string().optional(),
  match: z.object({ bank_id: z.string(), bank_name: z.string(), hash: z.string(), distance: z.number(), threshold: z.number(), child_safety: z.boolean() }).optional(),
  model: z.string().optional().describe('The image model, for `image-model` evidence.'),
  classes: z.record(z.string(), z.number()).optional().describe("The image model's class probabilities."),
});

/** The image model's verdict on one image: nsfwjs's class probabilities and the categories mapped from them. */
export const imageClassification = z.object({ model: z.string(), classes: z.record(z.string(), z.number()), scores: z.record(z.string(), z.number()) });

/** An image input as the moderation judged it: size, hashes, bank matches and the image model's scores (never its bytes). */
export const judgedImage = z.object({
  input: z.string(),
  format: z.string(),
  width: z.number().int(),
  height: z.number().int(),
  frames: z.number().int(),
  hashes: z.object({ pdq: z.string(), quality: z.number(), md5: z.string(), sha256: z.string() }),
  bank_matches: z.number().int(),
  classification: imageClassification
    .optional()
    .describe("The image model's class probabilities and category scores; absent without a model, or when it could not be run (see the image_model_unavailable warning)."),
});

const judgeSummary = z
  .object({
    name: z.string(),
    status: z.enum(['applied', 'shadow', 'pending', 'failed']),
    mode: z.enum(['band', 'always', 'shadow']),
    categories: z.array(z.string()),
    policy_version: z.string(),
    template_version: z.string(),
    violated_clause_ids: z.array(z.string()),
    confidence: z.record(z.string(), z.number()),
    rationale: z.string().nullable(),
    latency_ms: z.number().nullable(),
    cached: z.boolean(),
    unsure: z.boolean(),
    error: z.object({ kind: z.string(), message: z.string() }).nullable(),
  })
  .describe("What the tenant's LLM judge did with this result, when it was asked.");

const moderationResult = z.object({
  flagged: z.boolean().describe('Any of the OpenAI categories of the model named is flagged.'),
  categories: scores(MODERATION_CATEGORIES, z.boolean()).describe('13 categories for omni-moderation-*, 11 (no illicit, illicit/violent) for text-moderation-*.'),
  category_scores: scores(MODERATION_CATEGORIES, z.number()),
  category_applied_input_types: scores(MODERATION_CATEGORIES, z.array(z.enum(['text', 'image']))),
  warden: z.object({
    flagged: z.boolean(),
    policy_version: z.string(),
    surface: z.string(),
    violations: z.array(
      z.object({
        clause_id: z.string(),
        category: z.enum(ALL_CATEGORIES),
        severity: z.string(),
        score: z.number(),
        threshold: z.number(),
        evidence: z.array(evidence),
        decided_by: z.literal('rule').optional().describe('Present when a tenant rule caused this violation.'),
        rules: z.array(z.string()).optional(),
      }),
    ),
    categories: scores(WARDEN_CATEGORIES, z.boolean()),
    category_scores: scores(WARDEN_CATEGORIES, z.number()),
    evidence: z.array(evidence),
    language: z.object({ code: z.string(), confidence: z.number(), supported: z.boolean() }).optional(),
    warnings: z.array(
      z.object({ code: z.string(), message: z.string(), categories: z.array(z.string()).optional().describe('For `image_categories_unscored`: the categories no image model judged.') }),
    ),
    images: z.array(judgedImage).optional(),
    tenant_model: z.string().optional().describe("The tenant's own model that corrected the scores, when one is served."),
    rules: z
      .object({
        version: z.string(),
        matched: z.array(z.string()),
        labels: z.array(z.string()),
        block: z.boolean(),
        review_priority: z.number().nullable(),
        notify: z.array(z.object({ rule: z.string(), message: z.string().nullable() })),
      })
      .optional()
      .describe("What the tenant's live rules did to this result, when any matched."),
    decided_by: z.enum(['model', 'judge', 'rule']),
    judge: judgeSummary.optional(),
  }),
});

export const moderationResponse = z.object({ id: z.string(), model: z.string(), results: z.array(moderationResult) });

/** GET /v1/moderations/{id}: a moderation the judge saw, each judged item's result as served (or as delivered later). */
export const judgedModerationResponse = z.object({
  object: z.literal('moderation.judgement'),
  id: z.string(),
  status: z.enum(['pending', 'complete']).describe('`pending` while any item waits for a background judgement.'),
  results: z.array(
    z.object({
      index: z.number().int(),
      status: z.enum(['applied', 'shadow', 'pending', 'failed']),
      mode: z.enum(['band', 'always', 'shadow']),
      decided_by: z.enum(['model', 'judge', 'rule']),
      judged_at: z.string().nullable(),
      result: moderationResult,
    }),
  ),
});

const thresholdScores = scores(ALL_CATEGORIES, z.number());
export const thresholdsResponse = z.object({ object: z.literal('moderation.thresholds'), defaults: thresholdScores, overrides: thresholdScores, effective: thresholdScores });

export const policySummary = z.object({
  version: z.string(),
  name: z.string(),
  title: z.string(),
  effective_date: z.string(),
  clauses: z.number().int(),
  published_at: z.string(),
  published_by: z.string(),
  digest: z.string(),
  current: z.boolean(),
});

export const policyVersion = policySummary.extend({ object: z.literal('policy_version'), document: policyDocumentSchema });

const fieldChange = z.object({ field: z.string(), from: z.unknown(), to: z.unknown() });
export const policyDiff = z.object({
  object: z.literal('policy_diff'),
  from: z.string(),
  to: z.string(),
  added: z.array(clauseSchema),
  removed: z.array(clauseSchema),
  changed: z.array(z.object({ id: z.string(), changes: z.array(fieldChange) })),
  unchanged: z.number().int(),
  document_changes: z.array(fieldChange),
  new_changelog_entries: z.array(z.object({ date: z.string(), summary: z.string() })),
});

export const keySummary = z.object({ id: z.string(), role: z.enum(ROLES), label: z.string().nullable(), created_at: z.string(), revoked_at: z.string().nullable() });
export const createdKey = z.object({ object: z.literal('api_key'), id: z.string(), key: z.string().describe('The secret: shown only in this answer.'), tenant: z.string(), role: z.enum(ROLES) });
export const revokedKey = keySummary.extend({ object: z.literal('api_key') });

export const rateLimit = z.object({
  object: z.literal('rate_limit'),
  requests_per_second: z.number().int(),
  source: z.enum(['tenant', 'default']),
  default: z.number().int(),
});

export const health = z.object({ status: z.enum(['ok', 'unavailable']), database: z.string() });

export const imageSettings = z.object({
  object: z.literal('image_settings'),
  fetch_urls: z.boolean().describe('Whether /v1/moderations fetches http(s) image URLs; data URLs are always accepted.'),
  updated_at: z.string().nullable(),
});

export const hashBank = z.object({
  object: z.literal('hash_bank'),
  id: z.string(),
  name: z.string(),
  description: z.string().nullable(),
  clause_id: z.string().describe('The policy clause a match violates.'),
  category: z.string(),
  child_safety: z.boolean().describe('A sexual/minors bank: a match takes the child-safety path (suspension, mandatory report).'),
  threshold: z.number().int().describe('Largest PDQ Hamming distance that matches.'),
  enabled: z.boolean(),
  hash_count: z.number().int(),
  created_by: z.string(),
  created_at: z.string(),
  updated_at: z.string(),
});

export const deletedHashBank = z.object({ object: z.literal('hash_bank'), id: z.string(), deleted: z.literal(true) });

export const hashBankEntries = z.object({
  object: z.literal('list'),
  data: z.array(
    z.object({
      object: z.literal('hash_bank.hash'),
      kind: z.enum(HASH_KINDS),
      hash: z.string(),
      quality: z.number().int().nullable(),
      note: z.string().nullable(),
      added_by: z.string(),
      added_at: z.string(),
    }),
  ),
  next_after: z.number().int().nullable().describe('Pass as `after` for the next page; null on the last.'),
});

export const hashesAdded = z.object({ added: z.number().int(), already_present: z.number().int().describe('Hashes the bank had already (adding is idempotent).') });
export const hashesRemoved = z.object({ removed: z.number().int(), not_present: z.number().int() });
export const hashBankExport = z.string().describe("ThreatExchange's PDQ text format: `hash,quality` (or a hash) per line.");
