import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { COVERAGE_PATH, currentCoverage } from '../../scripts/coverage.ts';
import { bundledPolicies } from '../policy/index.ts';
import { STORE_CHECKS } from './checks.ts';
import { SIGNALS } from './signals.ts';

const seed = bundledPolicies().find((doc) => doc.version === '2024-01-10')!;

describe('docs/coverage.md', () => {
  it('has one check for each of the seed’s 38 clauses, and no check for a clause that does not exist', () => {
    expect(seed.clauses).toHaveLength(38);
    expect(STORE_CHECKS.map((c) => c.clause).sort()).toEqual(seed.clauses.map((c) => c.id).sort());
  });

  it('every rule and human-review check names what triggers it', () => {
    const signals = new Set<string>(SIGNALS.map((s) => s.id));
    for (const check of STORE_CHECKS.filter((c) => c.check !== 'detector')) {
      expect(check.signals?.length || check.special, check.clause).toBeTruthy();
      for (const id of check.signals ?? []) expect(signals.has(id), `${check.clause}: ${id}`).toBe(true);
    }
  });

  it('shows every clause and is up to date (regenerate with `npm run docs:coverage`)', () => {
    const committed = readFileSync(COVERAGE_PATH, 'utf8');
    for (const clause of seed.clauses) expect(committed).toContain(`| \`${clause.id}\` |`);
    expect(committed).toBe(currentCoverage());
  });
});
