// ESLint (npm run lint, part of npm test): typescript-eslint's type-checked recommended rules over
// the TypeScript sources (one program from tsconfig.json through the project service), eslint's
// recommended rules over the plain JavaScript, the rules prettier settles off (it formats: npm run
// format:check), and no line over 120 characters.
import { defineConfig } from 'eslint/config';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';
import globals from 'globals';

export default defineConfig(
  {
    // Build output, local state of the stack, benches and simulator runs: nothing written by hand.
    ignores: ['dist/', '.builds/', '.dist-*/', 'coverage/', '.stack/', '.bench/', '.artifacts/', '.sim/', '.firmware/'],
  },
  {
    files: ['**/*.ts'],
    extends: [js.configs.recommended, tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // A leading underscore marks a binding kept on purpose: a parameter an interface or callback
      // signature requires, or a property taken out of an object by rest destructuring
      // (`const { secret: _secret, ...visible } = device`).
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
      // Off: an `async` method without `await` is how this codebase implements a Promise-returning
      // contract (Nest lifecycle hooks, store and writer interfaces, test stubs) and turns a throw into
      // a rejection; a forgotten await is what no-floating-promises and no-misused-promises catch.
      '@typescript-eslint/require-await': 'off',
      // A variable a callback reads before it is assigned (a server handler or an onLost hook that
      // refers to the object built with it) cannot be a const: let it be.
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
      // The default allows URLSearchParams from the DOM lib; here it is Node's (`${url}?${query}`).
      '@typescript-eslint/restrict-template-expressions': [
        'error',
        {
          allow: [
            { name: ['Error', 'URL', 'URLSearchParams'], from: 'lib' },
            { name: ['URL', 'URLSearchParams'], from: 'package', package: 'url' },
          ],
        },
      ],
    },
  },
  {
    // Tests read the API's JSON answers as `any` (fetch's res.json()) and check them with expect():
    // the assertion is the type check, and typing every answer would restate the DTOs in each suite.
    files: ['**/*.spec.ts', '**/*.int-test.ts', '**/test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
  {
    // The operator console's static browser modules (served as they are, no build step) and the
    // Node scripts: plain JavaScript, outside tsconfig.json, so eslint's own recommended rules only.
    files: ['apps/api/src/console/public/**/*.js'],
    extends: [js.configs.recommended],
    languageOptions: { globals: globals.browser, sourceType: 'module' },
  },
  {
    files: ['**/*.mjs', '*.js'],
    ignores: ['apps/api/src/console/public/**'],
    extends: [js.configs.recommended],
    languageOptions: { globals: globals.node, sourceType: 'module' },
  },
  prettier,
  {
    // After eslint-config-prettier, which turns max-len off. Prettier wraps code at 120 but leaves
    // comments and literals whole: scripts/reflow-comments.mjs wraps comments, long strings are split
    // into concatenations. Not counted: URLs, regular expressions (they cannot be split) and test titles, which
    // stay one string on the it()/describe() line as prettier keeps them (jest -t and reports show them whole).
    rules: {
      'max-len': [
        'error',
        {
          code: 120,
          ignoreUrls: true,
          ignoreRegExpLiterals: true,
          ignorePattern: String.raw`^\s*(it|test|describe)(\.\w+)?\(`,
        },
      ],
    },
  },
);
