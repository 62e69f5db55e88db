import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'web/dist/', 'dist/', 'test-results/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-imports': ['error', {
        patterns: [{ group: ['../*/*', '!../*/index.ts'], message: 'Import another domain through its index.ts only.' }],
      }],
    },
  },
  { files: ['bin/*', '**/*.js'], languageOptions: { globals: { process: 'readonly', console: 'readonly' } } },
);
