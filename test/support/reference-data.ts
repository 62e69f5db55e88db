import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe } from 'vitest';

/** ../shared next to the repository (read-only data that is not committed: datasets, reference material). */
export const SHARED_ROOT = fileURLToPath(new URL('../../../shared/', import.meta.url));

/**
 * A suite over data in ../shared: skipped with the reason when the data is absent (a fresh clone), mandatory under
 * CI=true, where missing data fails the run instead of silently skipping.
 * @param relative the folder the suite needs, relative to ../shared
 * @returns the folder's absolute path (with a trailing slash)
 */
export function describeWithSharedData(relative: string, title: string, suite: (root: string) => void): void {
  const root = fileURLToPath(new URL(`${relative.replace(/\/?$/, '/')}`, `file://${SHARED_ROOT}`));
  if (existsSync(root)) {
    describe(title, () => suite(root));
    return;
  }
  if (process.env.CI === 'true') throw new Error(`CI=true but ${root} is missing: "${title}" must run in CI.`);
  describe.skip(`${title} (skipped: ${root} is absent; it ships in ../shared, not in the repository)`, () => suite(root));
}
