import { describe, expect, it } from 'vitest';
import { InvalidInput } from '../common/index.ts';
import { bundledPolicies } from '../policy/index.ts';
import { type Exemption, checkExemptionScope, coveringExemption, exemptionInput } from './exemptions.ts';

const document = bundledPolicies().at(-1)!;
const now = new Date('2026-01-01T00:00:00.000Z');
const tomorrow = '2026-01-02T00:00:00.000Z';

function refusal(input: Record<string, unknown>): InvalidInput {
  try {
    checkExemptionScope(exemptionInput.parse({ account: 'a', reason: 'r', expires_at: tomorrow, ...input }), document, now);
  } catch (error) {
    if (error instanceof InvalidInput) return error;
    throw error;
  }
  throw new Error('expected the exemption to be refused');
}

describe('exemption scope', () => {
  it('accepts a sanctioned red-team exemption for universal.4', () => {
    expect(() => checkExemptionScope(exemptionInput.parse({ account: 'a', clause_ids: ['universal.4'], reason: 'red team', expires_at: tomorrow }), document, now)).not.toThrow();
  });

  it('refuses child-safety clauses and categories, unknown clauses and past expiry', () => {
    expect(refusal({ clause_ids: ['api.3.3', 'universal.3'] })).toMatchObject({ param: 'clause_ids[1]', code: 'child_safety_not_exemptable' });
    expect(refusal({ categories: ['sexual/minors'] })).toMatchObject({ param: 'categories[0]', code: 'child_safety_not_exemptable' });
    expect(refusal({ clause_ids: ['nope.1'] })).toMatchObject({ param: 'clause_ids[0]', code: 'unknown_clause' });
    expect(refusal({ clause_ids: ['api.3.3'], expires_at: now.toISOString() })).toMatchObject({ param: 'expires_at' });
  });

  it('needs a clause or a category', () => {
    expect(exemptionInput.safeParse({ account: 'a', reason: 'r', expires_at: tomorrow }).success).toBe(false);
  });
});

describe('coveringExemption', () => {
  const exemptions: Exemption[] = [{ id: 'exm_1', account_id: 'acct', clause_ids: ['universal.4'], categories: ['illicit'], expires_at: tomorrow, revoked_at: null }];
  it('covers by clause or by category, never a child-safety violation', () => {
    expect(coveringExemption(exemptions, 'universal.4', 'safeguard-circumvention', false)?.id).toBe('exm_1');
    expect(coveringExemption(exemptions, 'universal.2', 'illicit', false)?.id).toBe('exm_1');
    expect(coveringExemption(exemptions, 'universal.2', 'violence', false)).toBeNull();
    expect(coveringExemption(exemptions, 'universal.1', 'illicit', true)).toBeNull();
  });
});
