import js from '@eslint/js';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';
import ts from 'typescript-eslint';

export default ts.config(
  { ignores: ['dist', 'node_modules', 'coverage', 'test-results'] },
  js.configs.recommended,
  ...ts.configs.strict,
  ...svelte.configs['flat/recommended'],
  {
    languageOptions: { globals: { ...globals.browser, ...globals.node } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: { parserOptions: { parser: ts.parser } },
  },
  {
    // Tests index into fixtures they just built; a failed lookup fails the test anyway.
    files: ['**/*.test.ts', 'test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      'no-control-regex': 'off',
      // vitest's toMatchObject (also after .resolves/.rejects, nested, in arrays) compares a
      // RegExp property as an empty object, so it matches any value. toEqual, toStrictEqual and
      // objectContaining compare the RegExp itself and fail loudly instead: not restricted.
      'no-restricted-syntax': [
        'error',
        {
          selector:
            "CallExpression[callee.property.name='toMatchObject'] Property > :matches(Literal[regex], NewExpression[callee.name='RegExp'])",
          message:
            'toMatchObject treats a RegExp property as an empty object, so it matches any value; use expect.stringMatching(/…/).',
        },
      ],
    },
  },
  // Which folder of src may import which (ui never imports gitlab or executors, platform no upper
  // layer, …) is test/architecture/layers.test.ts: it sees dynamic import() and Worker URLs too.
  {
    // src/job is pure: no I/O, no platform, no wall clock (inject a clock instead).
    files: ['src/job/**/*.ts'],
    ignores: ['src/job/**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['node:*'], message: 'src/job is pure: pass data in, return data out.' },
          ],
        },
      ],
      'no-restricted-globals': [
        'error',
        { name: 'window', message: 'src/job must run in Node and the browser alike.' },
        { name: 'document', message: 'src/job must run in Node and the browser alike.' },
        { name: 'fetch', message: 'Network calls belong in src/gitlab.' },
      ],
      'no-restricted-properties': [
        'error',
        { object: 'Date', property: 'now', message: 'Inject a clock; src/job has no wall clock.' },
      ],
    },
  },
  {
    // src/gitlab runs in Node (CLI, tests) and in the tab alike: fetch and the clock are
    // injected, and it never reaches for the page. Node's types are kept out by
    // tsconfig.web-layers.json; the page's globals by this rule.
    files: ['src/gitlab/**/*.ts'],
    ignores: ['src/gitlab/**/*.test.ts', 'src/gitlab/testing/**'],
    rules: {
      'no-restricted-globals': [
        'error',
        { name: 'window', message: 'src/gitlab must run in Node and the browser alike.' },
        { name: 'document', message: 'src/gitlab must run in Node and the browser alike.' },
      ],
    },
  },
);
