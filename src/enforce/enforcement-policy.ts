import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { InvalidInput, zodToInvalidInput } from '../common/index.ts';
import { SEVERITIES, versionName } from '../policy/index.ts';

/** The ladder's rungs, mildest first. `none` is an account without any action. */
export const RUNGS = ['warning', 'sharing_restricted', 'store_ineligible', 'monetization_ineligible', 'suspended', 'terminated'] as const;
export type Rung = (typeof RUNGS)[number];
export type Level = Rung | 'none';

/** Position on the ladder: -1 for none, 0 for warning, … */
export function rungIndex(level: Level): number {
  return level === 'none' ? -1 : RUNGS.indexOf(level);
}

const rung = z.enum(RUNGS);
const days = z.number().positive().max(36_500);

const ladderStep = z
  .object({
    rung,
    threshold: z.number().positive(),
    duration_days: days.optional(),
  })
  .strict()
  .superRefine((step, ctx) => {
    if (step.rung === 'suspended' && step.duration_days === undefined) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['duration_days'], message: 'a suspension needs duration_days (its end time)' });
    }
    if (step.rung === 'terminated' && step.duration_days !== undefined) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['duration_days'], message: 'a termination does not end' });
    }
  });

export const enforcementPolicySchema = z
  .object({
    version: versionName,
    title: z.string().min(1).max(200),
    summary: z.string().max(2000).optional(),
    strike_weights: z.object({ low: z.number().min(0), medium: z.number().min(0), high: z.number().min(0), critical: z.number().min(0) }).strict(),
    half_life_days: days,
    ladder: z.array(ladderStep).min(1),
    severity_floor: z.record(z.enum(SEVERITIES), rung).default({}),
    child_safety: z
      .object({ rung: z.enum(['suspended', 'terminated']), duration_days: days.nullable().default(null) })
      .strict(),
  })
  .strict()
  .superRefine((policy, ctx) => {
    policy.ladder.forEach((step, index) => {
      const previous = policy.ladder[index - 1];
      if (!previous) return;
      if (rungIndex(step.rung) <= rungIndex(previous.rung)) {
        ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['ladder', index, 'rung'], message: `rungs go in the order ${RUNGS.join(' → ')}, each once` });
      }
      if (step.threshold <= previous.threshold) {
        ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['ladder', index, 'threshold'], message: 'thresholds rise with each rung' });
      }
    });
    const onLadder = new Set(policy.ladder.map((step) => step.rung));
    for (const [severity, floor] of Object.entries(policy.severity_floor)) {
      if (!onLadder.has(floor)) {
        ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['severity_floor', severity], message: `"${floor}" is not on this policy's ladder` });
      }
    }
  });

export type EnforcementPolicy = z.infer<typeof enforcementPolicySchema>;
export type LadderStep = EnforcementPolicy['ladder'][number];

export function validateEnforcementPolicy(input: unknown): EnforcementPolicy {
  const result = enforcementPolicySchema.safeParse(input);
  if (result.success) return result.data;
  throw zodToInvalidInput(result.error);
}

export function parseEnforcementPolicyYaml(text: string): EnforcementPolicy {
  let data: unknown;
  try {
    data = parseYaml(text);
  } catch (error) {
    throw new InvalidInput(`The enforcement policy is not valid YAML: ${(error as Error).message}`, null, 'invalid_yaml');
  }
  return validateEnforcementPolicy(data);
}

export const ENFORCEMENT_POLICIES_DIR = fileURLToPath(new URL('../../policies/enforcement/', import.meta.url));

let bundled: EnforcementPolicy | undefined;

/** The newest bundled enforcement policy: what a tenant enforces until it publishes its own. */
export function bundledEnforcementPolicy(): EnforcementPolicy {
  bundled ??= readdirSync(ENFORCEMENT_POLICIES_DIR)
    .filter((file) => file.endsWith('.yaml'))
    .sort()
    .map((file) => parseEnforcementPolicyYaml(readFileSync(join(ENFORCEMENT_POLICIES_DIR, file), 'utf8')))
    .at(-1);
  if (!bundled) throw new Error(`No enforcement policy in ${ENFORCEMENT_POLICIES_DIR}`);
  return bundled;
}
