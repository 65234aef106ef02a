// ESLint config for this repository itself (not shipped): the import graph of src/ points down, `sql/` at the
// bottom. `npm test` runs it (`npm run lint`).
import tsParser from '@typescript-eslint/parser';

const upper = (message, ...groups) => ['error', { patterns: [{ group: groups, message }] }];

export default [
  { ignores: ['dist/**', 'node_modules/**', 'test/**', 'examples/**', 'bench/**', 'coverage/**'] },
  {
    files: ['src/**/*.ts', 'rules/**/*.ts'],
    languageOptions: { parser: tsParser, ecmaVersion: 2022, sourceType: 'module' },
    linterOptions: { reportUnusedDisableDirectives: 'off' },
  },
  {
    files: ['src/sql/**/*.ts'],
    rules: {
      'no-restricted-imports': upper(
        'sql/ is the bottom layer: it imports nothing from the schema, the front ends, the checks or ESLint.',
        '../*', '!../sql', 'eslint', 'eslint/*', '@typescript-eslint/*', '@eslint/*',
      ),
    },
  },
  {
    files: ['src/schema/**/*.ts'],
    // no exceptions: schema builders and ORM models read their AST through js/ (the syntax layer below both), and the
    // loader reads TS/JS migrations through the SQL-in-code reader the engine hands it
    rules: {
      'no-restricted-imports': upper(
        'schema/ reads schema sources; it does not import the front ends, the checks, the engine or the rules.',
        '../extract/*', '../analysis/*', '../engine.js', '../rule-support.js', '../../rules/*', '../language/*', '../review/*',
      ),
    },
  },
  {
    files: ['src/js/**/*.ts'],
    rules: {
      'no-restricted-imports': upper(
        'js/ is the JS/TS syntax layer (the one walk, ESTree helpers, the type oracle): it imports only sql/ and itself.',
        '../*', '!../sql', 'eslint', 'eslint/*',
      ),
    },
  },
  {
    files: ['src/extract/**/*.ts'],
    rules: {
      'no-restricted-imports': upper(
        'Front ends depend on the ORM maps of the schema model, not on the schema loader, the checks, the engine or the rules.',
        '../schema/load.js', '../schema/apply.js', '../analysis/*', '../engine.js', '../rule-support.js', '../../rules/*', '../language/*', '../review/*',
      ),
    },
  },
  {
    files: ['src/analysis/**/*.ts'],
    rules: {
      'no-restricted-imports': upper(
        'Checks run on the statement model: they do not import the front ends, the engine, ESLint or the rules.',
        '../extract/*', '../engine.js', '../rule-support.js', '../../rules/*', '../language/*', '../review/*', 'eslint', '@typescript-eslint/*',
      ),
    },
  },
];
