// Type-aware lint. Workflows must stay deterministic: no Node built-ins and no
// I/O libraries in workflows/ (they run in Temporal's sandbox and replay).
import { fileURLToPath } from 'node:url';
import { includeIgnoreFile } from '@eslint/compat';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const NODE_BUILTINS = [
  'assert',
  'buffer',
  'child_process',
  'cluster',
  'crypto',
  'dgram',
  'dns',
  'events',
  'fs',
  'fs/promises',
  'http',
  'http2',
  'https',
  'net',
  'os',
  'path',
  'perf_hooks',
  'process',
  'readline',
  'stream',
  'timers',
  'tls',
  'url',
  'util',
  'v8',
  'vm',
  'worker_threads',
  'zlib',
];

export default tseslint.config(
  // Whatever git ignores (data dirs, the demo's workspace, build output) is not ours to lint.
  includeIgnoreFile(fileURLToPath(new URL('.gitignore', import.meta.url))),
  {
    ignores: [
      'node_modules/**',
      '.ratchet/**',
      'coverage/**',
      'test/fixtures/**',
      'examples/**',
      'activities/**/*.js',
      'bin/**',
      'eslint.config.mjs',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/no-require-imports': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/restrict-template-expressions': 'off',
      '@typescript-eslint/only-throw-error': 'off',
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/no-base-to-string': 'off',
      '@typescript-eslint/no-redundant-type-constituents': 'off',
      eqeqeq: ['error', 'always'],
      'no-console': 'error',
    },
  },
  {
    files: ['workflows/**/*.ts', 'domain/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            ...NODE_BUILTINS.flatMap((m) => [
              {
                name: m,
                message: 'workflows and domain logic are deterministic: no Node built-ins',
              },
              {
                name: `node:${m}`,
                message: 'workflows and domain logic are deterministic: no Node built-ins',
              },
            ]),
            ...[
              'pino',
              'axios',
              'node-fetch',
              'undici',
              'execa',
              'fs-extra',
              'prom-client',
              'yaml',
            ].map((m) => ({
              name: m,
              message: 'I/O belongs in activities/',
            })),
            { name: '@temporalio/client', message: 'workflows must not call the client' },
            { name: '@temporalio/worker', message: 'workflows must not import the worker' },
            {
              name: '@temporalio/activity',
              message: 'activity context is not available in workflows',
            },
          ],
          patterns: [
            {
              group: ['**/activities/*', '!**/activities/index'],
              message: 'import activities as types only',
              allowTypeImports: true,
            },
          ],
        },
      ],
    },
  },
  {
    files: ['test/**/*.ts', 'scripts/**/*.ts', 'bench/**/*.ts'],
    rules: { 'no-console': 'off', '@typescript-eslint/unbound-method': 'off' },
  },
);
