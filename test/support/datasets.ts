import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe } from 'vitest';

/**
 * `../shared/datasets`, the public labelled data the model is rebuilt from. A user's clone does not have it, so
 * the tests that read it skip there with the reason; CI has it, and under `CI=true` they must run.
 */
export const DATASETS_DIR = fileURLToPath(new URL('../../../shared/datasets/', import.meta.url));
export const DATASETS_URL = new URL('../../../shared/datasets/', import.meta.url);
export const HAS_DATASETS = existsSync(DATASETS_DIR);

if (!HAS_DATASETS && process.env.CI === 'true') {
  throw new Error(`CI=true but ${DATASETS_DIR} is missing: the tests that read the training data must run in CI.`);
}

/**
 * `describe` for a suite that reads ../shared/datasets: skipped, with the reason in its name, where the folder is
 * absent. Read the data inside hooks or tests, not in the suite's body, so that a skipped suite reads nothing.
 *
 * @example
 * describeWithDatasets('the prefilter on real texts', () => {
 *   it('never drops a match', () => { const texts = readCorpus(DATASETS_URL); … });
 * });
 */
export function describeWithDatasets(name: string, suite: () => void): void {
  if (HAS_DATASETS) describe(name, suite);
  else describe.skip(`${name} — skipped: ../shared/datasets is absent (only needed to rebuild the model; see README)`, suite);
}
