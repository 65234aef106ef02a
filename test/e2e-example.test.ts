/**
 * End to end: the bundled example project linted through the real `ESLint` class with its own
 * `eslint.config.js`, which imports the plugin by its package name (the built `dist/`, as a user gets it).
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { relative } from 'node:path';
import { ESLint } from 'eslint';
import { beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const examples = fileURLToPath(new URL('../examples/', import.meta.url));

describe('examples/ linted with its own eslint.config.js', () => {
  let results: ESLint.LintResult[];

  beforeAll(async () => {
    if (!existsSync(new URL('../dist/src/index.js', import.meta.url))) {
      throw new Error('dist/ is missing: run `npm run build` (npm test does it) before this test.');
    }
    results = await new ESLint({ cwd: examples }).lintFiles(['.']);
  });

  it('lints the TS sources, the queries and the migrations', () => {
    const files = results.map((r) => relative(examples, r.filePath)).sort();
    expect(files).toEqual([
      'eslint.config.js',
      'migrations/001_create_users.sql',
      'migrations/002_orders.sql',
      'migrations/003_soft_delete_api_keys.sql',
      'migrations/004_stream_tables.sql',
      'queries/dashboard.sql',
      'src/admin/trash.ts',
      'src/orders.ts',
      'src/reports.ts',
      'src/users.ts',
    ]);
  });

  it('reports exactly the intended mistakes, at their exact positions', () => {
    const found = results
      .flatMap((r) => r.messages.map((m) => `${relative(examples, r.filePath)}:${m.line}:${m.column} ${m.ruleId ?? 'fatal'}`))
      .sort();
    expect(found).toEqual(
      [
        'migrations/001_create_users.sql:7:17 soft-delete/require-partial-unique-index',
        'migrations/001_create_users.sql:14:28 soft-delete/require-partial-unique-index',
        'migrations/002_orders.sql:12:3 soft-delete/require-partial-unique-index',
        'migrations/003_soft_delete_api_keys.sql:2:33 soft-delete/require-partial-unique-index',
        'migrations/004_stream_tables.sql:12:45 soft-delete/require-stream-table-filter',
        'queries/dashboard.sql:4:37 soft-delete/require-soft-delete-filter',
        'src/orders.ts:7:22 soft-delete/require-soft-delete-filter',
        'src/reports.ts:13:37 soft-delete/require-stream-table-filter',
        'src/users.ts:12:21 soft-delete/require-soft-delete-filter',
        'src/users.ts:22:15 soft-delete/require-soft-delete-filter',
        'src/users.ts:28:34 soft-delete/require-soft-delete-filter',
        'src/users.ts:33:16 soft-delete/require-soft-delete-filter',
      ].sort(),
    );
  });

  it('honours the eslint-disable-next-line directive with a reason in a .sql file', () => {
    const dashboard = results.find((r) => r.filePath.endsWith('dashboard.sql'))!;
    expect(dashboard.suppressedMessages).toHaveLength(1);
    expect(dashboard.suppressedMessages[0]).toMatchObject({
      ruleId: 'soft-delete/require-soft-delete-filter',
      line: 10,
      suppressions: [{ kind: 'directive', justification: 'the audit export includes deleted accounts' }],
    });
  });

  it('never crashes: no fatal messages', () => {
    expect(results.flatMap((r) => r.messages).filter((m) => m.fatal)).toEqual([]);
  });

  it('the package resolves to the built plugin from inside the repository', async () => {
    const { default: plugin } = (await import('eslint-plugin-soft-delete' as string)) as { default: { meta: { name: string } } };
    expect(plugin.meta.name).toBe('eslint-plugin-soft-delete');
    expect(relative(root, examples)).toBe('examples');
  });
});
