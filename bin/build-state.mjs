// Whether dist/ (from `npm run build`) holds the current code. An installed package ships dist/ without src/,
// so it is current by definition; in a checkout, it is current when built after the last change under src/.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const BUILD_STAMP = `${ROOT}dist/.built`;

/** @returns {boolean} */
export function distIsCurrent() {
  if (!existsSync(BUILD_STAMP)) return false;
  if (!existsSync(`${ROOT}src`)) return true;
  return newestChange(`${ROOT}src`) <= statSync(BUILD_STAMP).mtimeMs;
}

/** @param {string} dir @returns {number} */
function newestChange(dir) {
  let newest = statSync(dir).mtimeMs;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = `${dir}/${entry.name}`;
    newest = Math.max(newest, entry.isDirectory() ? newestChange(path) : statSync(path).mtimeMs);
  }
  return newest;
}
