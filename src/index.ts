/**
 * eslint-plugin-soft-delete: the plugin object (rules, the SQL language, the recommended flat config).
 */
import type { ESLint, Linter } from 'eslint';
import { sqlLanguage } from './language/sql-language.js';
import { cacheAwareSettings } from './cache-key.js';
import { ownPackage } from './package-info.js';
import { coverageFormatterRequested, ensureCoverage } from './analysis/coverage.js';
import requireSoftDeleteFilter from '../rules/require-soft-delete-filter.js';
import requireStreamTableFilter from '../rules/require-stream-table-filter.js';
import requirePartialUniqueIndex from '../rules/require-partial-unique-index.js';
import schemaStatus from '../rules/schema-status.js';
import noUncheckedQuery from '../rules/no-unchecked-query.js';
import noHardDelete from '../rules/no-hard-delete.js';
import noTombstoneUpdate from '../rules/no-tombstone-update.js';
import requireSoftDeleteCascade from '../rules/require-soft-delete-cascade.js';
import requireForcedRls from '../rules/require-forced-rls.js';
import preferPartialIndex from '../rules/prefer-partial-index.js';
import noSoftDeleteAppendOnly from '../rules/no-soft-delete-append-only.js';

// `eslint -f …/formatters/coverage.js`: keep the run's tally for the formatter (no other run pays for it)
if (coverageFormatterRequested(process.argv)) ensureCoverage();

const { name, version } = ownPackage();

export const rules = {
  'require-soft-delete-filter': requireSoftDeleteFilter,
  'require-stream-table-filter': requireStreamTableFilter,
  'require-partial-unique-index': requirePartialUniqueIndex,
  'schema-status': schemaStatus,
  'no-hard-delete': noHardDelete,
  'no-tombstone-update': noTombstoneUpdate,
  'require-soft-delete-cascade': requireSoftDeleteCascade,
  'require-forced-rls': requireForcedRls,
  'prefer-partial-index': preferPartialIndex,
  'no-soft-delete-append-only': noSoftDeleteAppendOnly,
  'no-unchecked-query': noUncheckedQuery,
};

/** Severity in the recommended config; every other rule is an error. */
const RECOMMENDED_LEVEL: Partial<Record<keyof typeof rules, Linter.RuleSeverity>> = {
  'schema-status': 'warn',
  'no-soft-delete-append-only': 'warn',
  'no-unchecked-query': 'warn',
};

/**
 * Rules only in `configs.strict` (with a reason each): they report code that is often deliberate, so a project
 * opts in once its reads are clean.
 * - no-tombstone-update: an UPDATE by primary key of a row the code just read live is common and usually safe.
 * - require-soft-delete-cascade: many projects cascade soft deletes in application code, which a schema cannot show.
 * - prefer-partial-index: an index that admin, export or purge queries use over deleted rows must stay full.
 * - no-soft-delete-append-only: a naming heuristic, informational (a warning).
 * - no-unchecked-query: lists what could not be checked (coverage), which a project reviews once, not on every run.
 */
const STRICT_ONLY: ReadonlySet<string> = new Set([
  'no-tombstone-update',
  'require-soft-delete-cascade',
  'prefer-partial-index',
  'no-soft-delete-append-only',
  'no-unchecked-query',
]);

type RecommendedConfig = Linter.Config[];

interface SoftDeletePlugin {
  meta: { name: string; version: string; namespace: string };
  rules: typeof rules;
  languages: { sql: typeof sqlLanguage };
  configs: { recommended: RecommendedConfig; strict: RecommendedConfig; tests: RecommendedConfig };
}

const plugin = {
  // `namespace` lets ESLint match the rules' `meta.languages` (`soft-delete/sql`) under any plugin alias.
  meta: { name, version, namespace: 'soft-delete' },
  rules,
  languages: { sql: sqlLanguage },
  configs: { recommended: [] as RecommendedConfig, strict: [] as RecommendedConfig, tests: [] as RecommendedConfig },
} satisfies SoftDeletePlugin;

const strictLevels = Object.fromEntries(Object.keys(rules).map((rule) => [`soft-delete/${rule}`, RECOMMENDED_LEVEL[rule as keyof typeof rules] ?? 'error'])) as Linter.RulesRecord;
const ruleLevels = Object.fromEntries(Object.entries(strictLevels).filter(([rule]) => !STRICT_ONLY.has(rule.slice('soft-delete/'.length))));

/**
 * Every JS/TS extension ESLint's JS language (with a TS parser) handles. The recommended config is scoped to these
 * and `**\/*.sql`, so its rules never reach JSON, Markdown or CSS files linted by other languages.
 */
const JS_TS_FILES = ['**/*.js', '**/*.mjs', '**/*.cjs', '**/*.jsx', '**/*.ts', '**/*.tsx', '**/*.mts', '**/*.cts'];

plugin.configs.recommended.push(
  {
    name: 'soft-delete/recommended',
    files: JS_TS_FILES,
    plugins: { 'soft-delete': plugin as unknown as ESLint.Plugin },
    // Makes `eslint --cache` see migration changes (see cache-key.ts).
    settings: cacheAwareSettings(),
    rules: ruleLevels,
  },
  {
    name: 'soft-delete/recommended/sql',
    files: ['**/*.sql'],
    plugins: { 'soft-delete': plugin as unknown as ESLint.Plugin },
    language: 'soft-delete/sql',
    settings: cacheAwareSettings(),
    rules: ruleLevels,
  },
);

// strict: the recommended configs with the strict-only rules turned on as well.
plugin.configs.strict.push(
  ...plugin.configs.recommended.map((config) => ({
    ...config,
    name: String(config.name).replace('soft-delete/recommended', 'soft-delete/strict'),
    rules: strictLevels,
  })),
);

/**
 * Where reads are test set-up rather than product code — tests, fixtures, seeds, mocks — and most of the noise on
 * real projects: `configs.tests`, placed after `recommended` / `strict`, turns the plugin's rules off there.
 */
const TEST_FILES = [
  '**/*.test.*', '**/*.spec.*', '**/__tests__/**', '**/__mocks__/**', '**/test/**', '**/tests/**', '**/e2e/**',
  '**/fixtures/**', '**/__fixtures__/**', '**/seeds/**', '**/seeders/**', '**/seed.*', '**/*.seed.*',
];
plugin.configs.tests.push({
  name: 'soft-delete/tests',
  files: TEST_FILES,
  plugins: { 'soft-delete': plugin as unknown as ESLint.Plugin },
  rules: Object.fromEntries(Object.keys(strictLevels).map((rule) => [rule, 'off'])),
});

export default plugin;
export { sqlLanguage };
export const { meta, languages, configs } = plugin;
// `require('eslint-plugin-soft-delete')` from an `eslint.config.cjs` returns the plugin itself (Node's require of
// an ES module honours this export name); on Node versions without it, the named exports above make the module
// namespace usable as the plugin too.
export { plugin as 'module.exports' };
/** Resolves once the PostgreSQL parser is loaded; only needed to lint synchronously right after importing. */
export { parserLoaded } from './sql/parser.js';
export type { SoftDeleteSettingsInput as SoftDeleteSettings } from './settings.js';
