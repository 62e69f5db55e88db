import { dirname, relative, resolve, sep } from 'node:path';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const SRC = resolve('src');

/** `src/<domain>/…` → domain, else null. */
function domainOf(file) {
  const rel = relative(SRC, file);
  return rel.startsWith('..') ? null : rel.split(sep)[0];
}

/** Domains talk through each other's index.ts only (DESIGN §2). */
const domainBoundaries = {
  meta: { type: 'problem', schema: [] },
  create(context) {
    return {
      ImportDeclaration(node) {
        const source = node.source.value;
        if (!source.startsWith('.')) return;
        const target = resolve(dirname(context.filename), source);
        const to = domainOf(target);
        if (!to || to === domainOf(context.filename)) return;
        if (relative(SRC, target) === `${to}${sep}index.ts`) return;
        context.report({ node, message: `Import the ${to} domain through src/${to}/index.ts, not ${source}.` });
      },
    };
  },
};

export default tseslint.config(
  { ignores: ['node_modules/', 'web/dist/', 'dist/', 'test-results/', 'data/', '.tmp/', '.tmp-bench/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    plugins: { warden: { rules: { 'domain-boundaries': domainBoundaries } } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'warden/domain-boundaries': 'error',
    },
  },
  { files: ['bin/*', '**/*.js', '**/*.mjs'], languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } } },
);
