/**
 * A schema kept as a `pg_dump --schema-only --no-owner` file (`db/structure.sql`, found by discovery), linted end to
 * end: the dumps in the fixtures are real pg_dump 15 output (with its `\restrict` meta-commands, `SET`s,
 * `set_config('search_path', '', false)`, schema-qualified names, identity columns, sequences, an enum, an extension,
 * a trigger function, comments and grants). The leaky project has a full UNIQUE on a soft-delete table, an unfiltered
 * materialized view and the orders-by-email read; its fixed twin has the partial unique index, the filtered
 * materialized view and the filtered read.
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ESLint } from 'eslint';
import tsParser from '@typescript-eslint/parser';
import plugin from '../src/index.js';
import { main } from '../src/cli.js';
import { clearSchemaCache } from '../src/schema/load.js';
import { squiggleLines } from './helpers/fixture-lint.js';

const fixture = (name: string): string => fileURLToPath(new URL(`./fixtures/${name}/`, import.meta.url));

async function lintProject(project: string): Promise<string[]> {
  clearSchemaCache();
  const eslint = new ESLint({
    cwd: project,
    overrideConfigFile: true,
    overrideConfig: [{ files: ['**/*.ts'], languageOptions: { parser: tsParser } }, ...plugin.configs.recommended],
  });
  return squiggleLines(await eslint.lintFiles(['src', 'db']), project, (m) => m.ruleId ?? m.message);
}

async function explain(project: string): Promise<string> {
  clearSchemaCache();
  let out = '';
  const code = await main(['schema'], { cwd: project, isTTY: false, stdout: (t) => (out += t), stderr: (t) => (out += t) });
  expect(code).toBe(0);
  return out;
}

describe('a pg_dump --schema-only file as the schema', { timeout: 120_000 }, () => {
  it('reports the leaking read, the full unique and the ghost rows, each on its table or constraint', async () => {
    expect(await lintProject(fixture('pg-dump-project'))).toEqual([
      'db/structure.sql:163 soft-delete/require-stream-table-filter public.orders',
      'db/structure.sql:206 soft-delete/require-partial-unique-index CONSTRAINT accounts_email_key UNIQUE (email)',
      'src/orders.ts:10 soft-delete/require-soft-delete-filter accounts',
      'src/orders.ts:9 soft-delete/require-soft-delete-filter orders',
    ]);
  });

  it('its fixed twin (partial unique index, filtered materialized view, filtered read) is clean, schema status included', async () => {
    expect(await lintProject(fixture('pg-dump-project-fixed'))).toEqual([]);
  });

  it('reads every statement of the dump and says where each fact came from', async () => {
    const leaky = await explain(fixture('pg-dump-project'));
    expect(leaky).not.toContain('Could not be read');
    expect(leaky).toMatch(/^ {2}public\.accounts {2}active rows: deleted_at IS NULL {2}\[db\/structure\.sql:68\]$/m);
    expect(leaky).toMatch(/^ {4}unique constraint accounts_email_key \(email\): covers soft-deleted rows.*\[db\/structure\.sql:206\]$/m);
    expect(leaky).toMatch(/^ {2}public\.orders {2}active rows: deleted_at IS NULL {2}\[db\/structure\.sql:145\]$/m);
    expect(leaky).toMatch(/^ {2}public\.live_accounts \(view\): its readers need no filter {2}\[db\/structure\.sql:134\]$/m);
    // an aggregate over every order: its readers cannot filter what it does not expose, so say what is wrong
    expect(leaky).toMatch(
      /^ {2}public\.order_totals \(materialized view\): keeps soft-deleted rows of public\.orders that its readers cannot filter: its definition needs the filter {2}\[db\/structure\.sql:161\]$/m,
    );
    expect(leaky).toMatch(/^Other tables \(1\): audit_log$/m);

    const fixed = await explain(fixture('pg-dump-project-fixed'));
    expect(fixed).not.toContain('Could not be read');
    expect(fixed).toMatch(/^ {4}unique index accounts_email_live_key \(email\) WHERE \(deleted_at IS NULL\): ok: unique among live rows only {2}\[db\/structure\.sql:230\]$/m);
    expect(fixed).toMatch(/^ {2}public\.order_totals \(materialized view\): its readers need no filter {2}\[db\/structure\.sql:161\]$/m);
  });
});
