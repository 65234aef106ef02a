/**
 * The recommended config next to the configs users already have — typescript-eslint, `@eslint/js`,
 * eslint-config-prettier, `@eslint/json`, `@eslint/markdown` — written the usual way (no `files`), in either order,
 * linted through the real `ESLint` class on a project with `.sql` migrations and every JS/TS extension.
 * Nothing may crash, the plugin's findings must be the same in every combination, and no other language's file
 * may get a soft-delete rule.
 */
import { fileURLToPath } from 'node:url';
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import js from '@eslint/js';
import json from '@eslint/json';
import markdown from '@eslint/markdown';
import { ESLint, type Linter } from 'eslint';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';
import { describe, expect, it } from 'vitest';
import softDelete from '../src/index.js';

const cwd = fileURLToPath(new URL('./fixtures/combined-configs/', import.meta.url));
const eslintMajor = Number(ESLint.version.split('.')[0]);
const [eslintMinor] = ESLint.version.split('.').slice(1).map(Number);

const recommended = softDelete.configs.recommended;
const jsonConfig: AnyConfig = { files: ['**/*.json'], language: 'json/json', ...json.configs.recommended };
const typeInfo = { languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: cwd } } };

/** Every soft-delete finding of the fixture: one leak per JS/TS extension (on `users`), one full UNIQUE. */
const EXPECTED = [
  'migrations/001_users.sql:3:23 soft-delete/require-partial-unique-index',
  ...['cjs', 'cts', 'js', 'jsx', 'mjs', 'mts', 'ts', 'tsx'].map((ext) => {
    const file = `src/leak-${ext}.${ext}`;
    const line = readFileSync(join(cwd, file), 'utf8').split('\n')[2]!;
    return `${file}:3:${line.indexOf('FROM users') + 6} soft-delete/require-soft-delete-filter`;
  }),
].sort();

/** Configs from several packages, each typed by its own package; ESLint validates them at run time. */
type AnyConfig = object;

async function lint(config: AnyConfig[]): Promise<ESLint.LintResult[]> {
  return new ESLint({ cwd, overrideConfigFile: true, overrideConfig: config as Linter.Config[] }).lintFiles(['.']);
}

function summary(results: ESLint.LintResult[]) {
  const fatal = results.flatMap((r) => r.messages.filter((m) => m.fatal).map((m) => `${relative(cwd, r.filePath)}: ${m.message}`));
  const findings = results
    .flatMap((r) =>
      r.messages
        .filter((m) => m.ruleId?.startsWith('soft-delete/'))
        .map((m) => `${relative(cwd, r.filePath)}:${m.line}:${m.column} ${m.ruleId}`),
    )
    .sort();
  const files = results.map((r) => relative(cwd, r.filePath)).sort();
  return { fatal, findings, files };
}

const COMBINATIONS: Record<string, () => AnyConfig[]> = {
  'tseslint.config(recommended, soft-delete)': () => tseslint.config(...tseslint.configs.recommended, ...recommended),
  'tseslint.config(soft-delete, recommended)': () => tseslint.config(...recommended, ...tseslint.configs.recommended),
  '@eslint/js recommended (no files), typescript-eslint, soft-delete': () => [
    js.configs.recommended,
    ...tseslint.configs.recommended,
    ...recommended,
  ],
  'soft-delete, typescript-eslint, @eslint/js recommended (no files)': () => [
    ...recommended,
    ...tseslint.configs.recommended,
    js.configs.recommended,
  ],
  '@eslint/js recommended with files': () => [
    { files: ['**/*.{js,mjs,cjs,jsx,ts,tsx,mts,cts}'], ...js.configs.recommended },
    ...tseslint.configs.recommended,
    ...recommended,
  ],
  'eslint-config-prettier last and first': () => [prettier, ...tseslint.configs.recommended, ...recommended, prettier],
  '@eslint/json and @eslint/markdown, soft-delete last': () => [
    ...tseslint.configs.recommended,
    jsonConfig,
    ...markdown.configs.recommended,
    ...recommended,
  ],
  '@eslint/json and @eslint/markdown, soft-delete first': () => [
    ...recommended,
    jsonConfig,
    ...markdown.configs.recommended,
    ...tseslint.configs.strict,
    ...tseslint.configs.stylistic,
  ],
  'recommendedTypeChecked + projectService, with disableTypeChecked for .sql': () => [
    ...tseslint.configs.recommendedTypeChecked,
    typeInfo,
    ...recommended,
    { files: ['**/*.sql'], ...tseslint.configs.disableTypeChecked },
  ],
  'soft-delete first, then recommendedTypeChecked scoped with files': () =>
    tseslint.config(...recommended, {
      files: ['**/*.{ts,tsx,mts,cts,js,jsx,mjs,cjs}'],
      extends: [...tseslint.configs.recommendedTypeChecked],
      languageOptions: typeInfo.languageOptions,
    }),
};

describe('the recommended config combined with other configs', () => {
  for (const [name, config] of Object.entries(COMBINATIONS)) {
    it(name, { timeout: 120_000 }, async () => {
      const { fatal, findings, files } = summary(await lint(config()));
      expect(fatal).toEqual([]);
      expect(files).toContain('migrations/001_users.sql');
      expect(files).toContain('src/leak-tsx.tsx');
      expect(findings).toEqual(EXPECTED);
      if (name.includes('@eslint/json')) expect(files).toEqual(expect.arrayContaining(['data.json', 'README.md']));
    });
  }
});

describe('meta.languages', () => {
  const misapplied: AnyConfig[] = [
    { files: ['**/*.json'], language: 'json/json', plugins: { json, 'soft-delete': softDelete as never }, rules: { 'soft-delete/require-soft-delete-filter': 'error' } },
  ];

  it('every rule declares the JS language and the SQL language', () => {
    for (const rule of Object.values(softDelete.rules)) {
      expect((rule.meta as { languages?: string[] }).languages).toEqual(['js/js', 'soft-delete/sql']);
    }
  });

  it.runIf(eslintMajor > 10 || (eslintMajor === 10 && eslintMinor! >= 2))(
    'ESLint 10.2+ rejects a soft-delete rule enabled for another language, naming the rule',
    async () => {
      await expect(lint(misapplied)).rejects.toThrow(
        /do not support the language "json\/json"[\s\S]*"soft-delete\/require-soft-delete-filter"/,
      );
    },
  );
});
