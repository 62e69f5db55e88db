import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InvalidInput } from '../common/index.ts';
import { ENFORCEMENT_POLICIES_DIR, bundledEnforcementPolicy, parseEnforcementPolicyYaml, validateEnforcementPolicy } from './enforcement-policy.ts';

const bundled = bundledEnforcementPolicy();

function refusal(input: unknown): InvalidInput {
  try {
    validateEnforcementPolicy(input);
  } catch (error) {
    if (error instanceof InvalidInput) return error;
    throw error;
  }
  throw new Error('expected the policy to be refused');
}

describe('enforcement policy documents', () => {
  it('ships a valid default with the whole ladder', () => {
    expect(bundled.ladder.map((s) => s.rung)).toEqual(['warning', 'sharing_restricted', 'store_ineligible', 'monetization_ineligible', 'suspended', 'terminated']);
    expect(bundled.severity_floor).toEqual({ critical: 'suspended' });
    expect(bundled.child_safety).toEqual({ rung: 'suspended', duration_days: null });
    expect(parseEnforcementPolicyYaml(readFileSync(join(ENFORCEMENT_POLICIES_DIR, 'default-1.yaml'), 'utf8'))).toEqual(bundled);
  });

  it('refuses rungs out of order, falling thresholds, and suspensions without an end', () => {
    const [warning, sharing] = bundled.ladder;
    expect(refusal({ ...bundled, ladder: [sharing, warning] }).param).toBe('ladder[1].rung');
    expect(refusal({ ...bundled, ladder: [warning, { ...sharing, threshold: 1 }] }).param).toBe('ladder[1].threshold');
    expect(refusal({ ...bundled, ladder: [{ rung: 'suspended', threshold: 3 }] }).param).toBe('ladder[0].duration_days');
    expect(refusal({ ...bundled, ladder: [warning], severity_floor: { critical: 'suspended' } }).param).toBe('severity_floor.critical');
    expect(refusal({ ...bundled, child_safety: { rung: 'warning' } }).param).toBe('child_safety.rung');
    expect(refusal({ ...bundled, half_life_days: 0 }).param).toBe('half_life_days');
    expect(refusal({ ...bundled, extra: 1 }).param).toBe('extra');
  });

  it('refuses YAML that does not parse', () => {
    expect(() => parseEnforcementPolicyYaml('ladder: [')).toThrow(InvalidInput);
  });
});
