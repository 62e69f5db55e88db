/** Writes docs/coverage.md: how Warden enforces each clause of the bundled policy (npm run docs:coverage). */
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { bundledPolicies } from '../src/policy/index.ts';
import { coverageMarkdown } from '../src/store/index.ts';

export const COVERAGE_PATH = fileURLToPath(new URL('../docs/coverage.md', import.meta.url));

export function currentCoverage(): string {
  return coverageMarkdown(bundledPolicies().at(-1)!);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  mkdirSync(fileURLToPath(new URL('../docs/', import.meta.url)), { recursive: true });
  writeFileSync(COVERAGE_PATH, currentCoverage());
  process.stdout.write(`wrote ${COVERAGE_PATH}\n`);
}
