// Lint limits from STYLE.md: small functions, explicit types, no floating promises,
// and a pure src/core that imports no I/O and no adapters.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const ioModules = [
  'node:fs', 'node:fs/promises', 'node:http', 'node:https', 'node:net', 'node:child_process',
  'node:process', 'node:os', 'node:dgram', 'node:dns', 'node:tls', 'node:worker_threads',
  'fs', 'fs/promises', 'http', 'https', 'net', 'child_process', 'process', 'os',
  '@kubernetes/client-node', 'prometheus-query', 'pino', 'prom-client',
];

export default tseslint.config(
  { ignores: ['dist/**', 'bench/.build/**', 'node_modules/**', 'coverage/**', 'bin/**', 'eslint.config.js', 'scripts/**/*.mjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      complexity: ['error', 10],
      'max-depth': ['error', 3],
      'max-params': ['error', 4],
      'max-lines': ['error', { max: 250, skipBlankLines: true, skipComments: true }],
      '@typescript-eslint/explicit-function-return-type': ['error', { allowExpressions: true, allowTypedFunctionExpressions: true }],
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-syntax': ['error', { selector: 'TSEnumDeclaration', message: 'Use a string-literal union, not enum.' }],
    },
  },
  {
    files: ['src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: ioModules.map((name) => ({ name, message: 'src/core is pure: no I/O.' })),
        patterns: [{ group: ['**/adapters/**', '**/controller/**', '**/cli/**', '**/sandbox/**'], message: 'src/core imports nothing from the shell.' }],
      }],
      'no-restricted-globals': ['error',
        { name: 'process', message: 'src/core is pure: pass values in.' },
        { name: 'fetch', message: 'src/core is pure: no I/O.' },
        { name: 'setTimeout', message: 'src/core is pure: return requeueAfter instead.' },
      ],
      'no-restricted-properties': ['error', { object: 'Date', property: 'now', message: 'src/core takes now as an argument.' },
        { object: 'Math', property: 'random', message: 'src/core is deterministic.' }],
    },
  },
  {
    files: ['test/**/*.ts', 'bench/**/*.ts', 'scripts/**/*.ts'],
    rules: {
      'max-lines': 'off',
      // node:test's describe/it/test return promises the runner awaits itself.
      '@typescript-eslint/no-floating-promises': ['error', {
        allowForKnownSafeCalls: [{ from: 'package', package: 'node:test', name: ['describe', 'it', 'test', 'suite', 'before', 'after', 'beforeEach', 'afterEach'] }],
      }],
      '@typescript-eslint/explicit-function-return-type': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unnecessary-type-assertion': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      complexity: 'off',
      'max-params': 'off',
    },
  },
);
