import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { COVERAGE_PATH, currentCoverage } from '../../scripts/coverage.ts';
import { bundledPolicies } from '../policy/index.ts';
import { checkFor } from './checks.ts';
import { assertStoreChecks } from './coverage.ts';
import { SIGNALS } from './signals.ts';

const seed = bundledPolicies().find((doc) => doc.version === '2024-01-10')!;

describe('docs/coverage.md', () => {
  it('each of the seed’s 38 clauses carries its store check as data', () => {
    expect(seed.clauses).toHaveLength(38);
    expect(seed.clauses.filter((c) => !c.store_check).map((c) => c.id)).toEqual([]);
    expect(() => assertStoreChecks(seed)).not.toThrow();
  });

  it('every rule and human-review check names what triggers it', () => {
    const signals = new Set<string>(SIGNALS.map((s) => s.id));
    for (const check of seed.clauses.map(checkFor).filter((c) => c.check !== 'detector')) {
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
