import { z } from 'zod';
import { ALL_CATEGORIES, type Category } from '../common/index.ts';
import { clauseId } from '../policy/index.ts';

/**
 * How the cascade uses the judge for a category: `local` (never asked), `band` (asked when the
 * local score lies in the uncertainty band), `always` (asked about every item), `shadow` (asked
 * about every item in the background; its verdict is stored and compared, the local one served).
 */
export const CASCADE_MODES = ['local', 'band', 'always', 'shadow'] as const;
export type CascadeMode = (typeof CASCADE_MODES)[number];

/** Environment variables an admin may name for the API key: a prefix, so no other secret of the process can be sent out. */
export const API_KEY_ENV_PREFIX = 'WARDEN_JUDGE_KEY_';

const category = z.enum(ALL_CATEGORIES);
const examples = z.array(z.string().min(1).max(2000)).max(10);
const int = (min: number, max: number) => z.number().int().min(min).max(max);

export const judgeName = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'a judge name is 1–64 lower-case letters, digits, "_" or "-"');

/** The judge's settings as the API takes them (the API key apart). */
export const judgeSettingsSchema = z
  .object({
    /** The OpenAI-compatible API root, e.g. `http://127.0.0.1:8000/v1` (vLLM) or `http://127.0.0.1:8080/v1` (llama.cpp). */
    base_url: z.string().min(1).max(2048),
    model: z.string().min(1).max(200),
    /** Loopback and private addresses are refused unless the admin opts in here (and the operator allows it: WARDEN_JUDGE_ALLOW_PRIVATE=1). */
    allow_private_network: z.boolean().default(false),
    /** The judge the tenant's moderations use; at most one per tenant. */
    enabled: z.boolean().default(true),
    timeout_ms: int(100, 120_000).default(10_000),
    /** Calls in flight at once, per process; more wait for a slot (up to timeout_ms). */
    concurrency: int(1, 256).default(4),
    /** Calls started per rolling minute, per process; beyond it the local verdict is served. */
    calls_per_minute: int(1, 100_000).default(60),
    max_tokens: int(16, 8192).default(400),
    /** Send `response_format: {type: "json_object"}` (vLLM, llama.cpp, Ollama and OpenAI accept it). */
    json_mode: z.boolean().default(true),
    /** The clauses it judges; all of the policy's clauses in its categories when absent. */
    clauses: z.array(clauseId).min(1).max(100).optional(),
    /** The categories it judges; every category when absent. */
    categories: z.array(category).min(1).optional(),
    cascade: z
      .object({
        mode: z.enum(CASCADE_MODES).default('band'),
        /** Per-category modes over `mode`. */
        categories: z.record(category, z.enum(CASCADE_MODES)).default({}),
        /** The uncertainty band on the local score: low ≤ score < high sends the item to the judge in `band` mode. */
        band: z
          .object({ low: z.number().min(0).max(1), high: z.number().min(0).max(1) })
          .strict()
          .refine((b) => b.low < b.high, { message: 'band.low must be below band.high', path: ['low'] })
          .default({ low: 0.2, high: 0.8 }),
        /** Verdicts the judge gives with less confidence than this go to the review queue with its rationale. */
        review_below: z.number().min(0).max(1).default(0.6),
        /** Serve the local verdict at once and deliver the judge's later (webhook `moderation.judged`, GET /v1/moderations/{id}). */
        non_blocking: z.boolean().default(false),
      })
      .strict()
      .default({}),
    breaker: z
      .object({
        /** Consecutive failed calls that open the breaker. */
        failures: int(1, 1000).default(5),
        /** How long the judge is skipped once open. */
        cooldown_ms: int(1000, 3_600_000).default(30_000),
      })
      .strict()
      .default({}),
    /** Examples of violating and non-violating content per clause, shown to the judge in the prompt. */
    examples: z.record(clauseId, z.object({ violating: examples.default([]), non_violating: examples.default([]) }).strict()).default({}),
  })
  .strict();

export type JudgeSettings = z.infer<typeof judgeSettingsSchema>;

/** What POST /v1/judges takes: a name, the settings, and the API key given once (encrypted at rest) or named by an environment variable. */
export const judgeInputSchema = judgeSettingsSchema
  .extend({
    name: judgeName,
    api_key: z.string().min(1).max(4096).nullable().optional(),
    api_key_env: z
      .string()
      .regex(new RegExp(`^${API_KEY_ENV_PREFIX}[A-Z0-9_]{1,64}$`), `the variable's name starts with ${API_KEY_ENV_PREFIX} (upper-case letters, digits, "_")`)
      .nullable()
      .optional(),
  })
  .strict()
  .refine((j) => !(j.api_key && j.api_key_env), { message: 'give api_key or api_key_env, not both', path: ['api_key'] });

export type JudgeInput = z.infer<typeof judgeInputSchema>;

/** PUT /v1/judges/{name}: the same, the name in the path; a key left out is kept. */
export const judgeReplaceSchema = judgeSettingsSchema
  .extend({ api_key: judgeInputSchema.innerType().shape.api_key, api_key_env: judgeInputSchema.innerType().shape.api_key_env })
  .strict()
  .refine((j) => !(j.api_key && j.api_key_env), { message: 'give api_key or api_key_env, not both', path: ['api_key'] });

export type JudgeReplace = z.infer<typeof judgeReplaceSchema>;

/** The mode of one category under these settings. */
export function modeOf(settings: JudgeSettings, category: Category): CascadeMode {
  if (settings.categories && !settings.categories.includes(category)) return 'local';
  return settings.cascade.categories[category] ?? settings.cascade.mode;
}
