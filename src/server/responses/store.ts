import { z } from 'zod';
import { ALL_CATEGORIES } from '../../common/index.ts';
import { STORE_CHECK_KINDS } from '../../policy/index.ts';
import { AUDIENCES, STORE_SURFACES } from '../../store/index.ts';
import { imageClassification, pageOf } from '../responses.ts';

/** The 2xx bodies of store submissions and the re-review jobs that policy publication starts. */

const decisionStatus = z.enum(['approved', 'rejected', 'needs_review']);

const reason = z.object({
  clause_id: z.string(),
  outcome: z.enum(['rejected', 'needs_review']),
  check: z.enum(STORE_CHECK_KINDS),
  reason: z.string(),
  field: z.string().describe('`name`, `description`, `instructions`, `conversation_starters[2]`, `category`, `audience`, `icon` or `screenshots[0]`.'),
  span: z.tuple([z.number().int(), z.number().int()]).nullable().describe("[start, end) in UTF-16 units of that field's text, as submitted."),
  excerpt: z.string().nullable(),
  source: z.string().describe('What found it: `detector:<id>`, `signal:<id>` or `rule:<id>`.'),
  category: z.enum(ALL_CATEGORIES).nullable(),
});

const decision = z.object({
  status: decisionStatus,
  policy_version: z.string(),
  trigger: z.enum(['submission', 're_review', 'review']),
  job_id: z.string().nullable(),
  decided_at: z.string(),
  reasons: z.array(reason),
});

export const storeSubmission = z.object({
  object: z.literal('store.submission'),
  id: z.string(),
  app_id: z.string(),
  revision: z.number().int(),
  owner: z.string().nullable(),
  status: decisionStatus,
  policy_version: z.string(),
  reasons: z.array(reason),
  fields: z.object({
    name: z.string(),
    description: z.string(),
    instructions: z.string(),
    conversation_starters: z.array(z.string()),
    audience: z.enum(AUDIENCES),
    category: z.string(),
    surface: z.enum(STORE_SURFACES),
    images: z
      .array(
        z.object({
          field: z.string(),
          format: z.string(),
          width: z.number().int(),
          height: z.number().int(),
          pdq: z.string(),
          quality: z.number(),
          md5: z.string(),
          sha256: z.string(),
          classification: imageClassification
            .optional()
            .describe("The image model's class probabilities and category scores, when it judged the image (re-review judges them again)."),
          model_unavailable: z.string().optional().describe('Why the image model did not score the image although the server has one.'),
        }),
      )
      .optional()
      .describe("The icon's and screenshots' hashes and the image model's scores, when the listing had images."),
  }),
  created_at: z.string(),
  decided_at: z.string(),
  decisions: z.array(decision).describe("Every decision on this revision, oldest first: the submission's, then any re-reviews."),
  history: z
    .array(z.object({ id: z.string(), revision: z.number().int(), status: decisionStatus, created_at: z.string(), latest: z.boolean() }))
    .describe('Every revision of the app, oldest first.'),
});

export const reviewJob = z.object({
  object: z.literal('store.review_job'),
  id: z.string(),
  policy_version: z.string(),
  status: z.enum(['pending', 'running', 'completed', 'superseded']),
  total: z.number().int(),
  processed: z.number().int(),
  changed: z.number().int(),
  progress: z.number().describe('processed / total, 1 when there was nothing to do.'),
  created_at: z.string(),
  updated_at: z.string(),
  finished_at: z.string().nullable(),
});
export const reviewJobPage = pageOf(reviewJob);
