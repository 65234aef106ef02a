/**
 * Mixed soft-delete conventions: a table that keeps a boolean flag and a timestamp together accepts a filter on
 * either; a timestamp declared NOT NULL (a trash table's `deleted_at`, which records *when*) is no marker at all,
 * because no live row can have it NULL — shown on PostgreSQL.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';
import plugin from '../src/index.js';
import { schemaFromSql } from '../src/schema/apply.js';
import { findRelation } from '../src/schema/model.js';
import { explainSchema } from '../src/analysis/explain.js';
import { normalizeSettings } from '../src/settings.js';
import { readFindings } from './helpers/analyze.js';
import { PGLITE_TIMEOUT, usePGlite } from './helpers/pglite.js';

const BOTH = 'CREATE TABLE posts (id int PRIMARY KEY, title text, is_deleted boolean NOT NULL DEFAULT false, deleted_at timestamptz);';
const settings = { columns: ['deleted_at', 'is_deleted'] };

describe('a table with a flag and a timestamp', () => {
  it('accepts a filter on either one, and still reports a read with neither (suggesting the first configured)', () => {
    expect(readFindings('SELECT id FROM posts WHERE deleted_at IS NULL', { schema: BOTH, settings })).toEqual([]);
    expect(readFindings('SELECT id FROM posts WHERE NOT is_deleted', { schema: BOTH, settings })).toEqual([]);
    expect(readFindings('SELECT p.id FROM posts p WHERE p.is_deleted = false AND p.title <> $1', { schema: BOTH, settings })).toEqual([]);
    expect(readFindings('SELECT id FROM posts WHERE title = $1', { schema: BOTH, settings })).toEqual([
      expect.objectContaining({ verdict: 'missing', at: 'posts', fixed: 'SELECT id FROM posts WHERE title = $1 AND deleted_at IS NULL' }),
    ]);
    // either filter defeated by OR is still a report
    expect(readFindings('SELECT id FROM posts WHERE NOT is_deleted OR title = $1', { schema: BOTH, settings })).toHaveLength(1);
  });

  it('`schema` names every marker and where each was declared; the suggestion adds no parentheses of its own', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sd-mixed-'));
    writeFileSync(join(dir, 'schema.sql'), `${BOTH.replace(', deleted_at timestamptz', '')}\nALTER TABLE posts ADD COLUMN deleted_at timestamptz;\n`);
    const text = explainSchema(schemaFromSql(`${BOTH.replace(', deleted_at timestamptz', '')}\nALTER TABLE posts ADD COLUMN deleted_at timestamptz;\n`, join(dir, 'schema.sql')), normalizeSettings(settings), dir);
    expect(text).toMatch(/^ {2}public\.posts {2}active rows: deleted_at IS NULL or NOT is_deleted {2}\[schema\.sql:1\]$/m);
    expect(text).toMatch(/^ {4}soft-delete columns \(any one filters\): deleted_at \[schema\.sql:2\], is_deleted \[schema\.sql:1\]$/m);
  });

  it('with one of them configured, only that one counts', () => {
    expect(readFindings('SELECT id FROM posts WHERE NOT is_deleted', { schema: BOTH })).toHaveLength(1);
  });
});

describe('a NOT NULL timestamp is no soft-delete marker', () => {
  const TRASH = 'CREATE TABLE trash (id int PRIMARY KEY, payload jsonb, deleted_at timestamptz NOT NULL DEFAULT now());';

  it('reads of a trash table are not reported; the column is recorded as NOT NULL', () => {
    expect(readFindings('SELECT id, payload FROM trash', { schema: TRASH })).toEqual([]);
    expect(findRelation(schemaFromSql(TRASH), null, 'trash')?.notNull).toEqual(['id', 'deleted_at']);
  });

  it('follows ALTER COLUMN SET / DROP NOT NULL, ADD COLUMN … NOT NULL and renames', () => {
    const dropped = `${TRASH}\nALTER TABLE trash ALTER COLUMN deleted_at DROP NOT NULL;`;
    expect(readFindings('SELECT id FROM trash', { schema: dropped })).toHaveLength(1);
    const set = 'CREATE TABLE users (id int, deleted_at timestamptz);\nALTER TABLE users ALTER COLUMN deleted_at SET NOT NULL;';
    expect(readFindings('SELECT id FROM users', { schema: set })).toEqual([]);
    const added = 'CREATE TABLE logs (id int);\nALTER TABLE logs ADD COLUMN deleted_at timestamptz NOT NULL DEFAULT now();';
    expect(readFindings('SELECT id FROM logs', { schema: added })).toEqual([]);
    const renamed = 'CREATE TABLE t (id int, removed timestamptz NOT NULL, deleted_at timestamptz);\nALTER TABLE t DROP COLUMN deleted_at;\nALTER TABLE t RENAME COLUMN removed TO deleted_at;';
    expect(readFindings('SELECT id FROM t', { schema: renamed })).toEqual([]);
  });

  it('a NOT NULL boolean flag is still a marker', () => {
    expect(readFindings('SELECT id FROM posts', { schema: BOTH, settings: { columns: ['is_deleted'] } })).toHaveLength(1);
  });

  it('through ESLint: a knex migration with .notNullable() on the timestamp makes its table no soft-delete table', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'soft-delete-mixed-'));
    mkdirSync(join(dir, 'migrations'));
    mkdirSync(join(dir, 'src'));
    writeFileSync(
      join(dir, 'migrations/001_tables.js'),
      "exports.up = async (knex) => {\n  await knex.schema.createTable('archive', (t) => { t.increments('id'); t.timestamp('deleted_at').notNullable(); });\n" +
        "  await knex.schema.createTable('users', (t) => { t.increments('id'); t.timestamp('deleted_at'); });\n};\n",
    );
    writeFileSync(join(dir, 'src/q.js'), "export const a = (db) => db.query('SELECT id FROM archive');\nexport const u = (db) => db.query('SELECT id FROM users');\n");
    const eslint = new ESLint({ cwd: dir, overrideConfigFile: true, overrideConfig: plugin.configs.recommended });
    const [result] = await eslint.lintFiles(['src/q.js']);
    expect(result!.messages.map((m) => [m.line, m.ruleId])).toEqual([[2, 'soft-delete/require-soft-delete-filter']]);
  });
});

describe('PostgreSQL: a NOT NULL timestamp cannot mark rows as live by being NULL', { timeout: PGLITE_TIMEOUT }, () => {
  const db = usePGlite();

  it('every row has it set, so `deleted_at IS NULL` would select no row at all', async () => {
    await db().exec('CREATE TABLE trash (id int PRIMARY KEY, deleted_at timestamptz NOT NULL DEFAULT now());');
    await db().exec('INSERT INTO trash (id) VALUES (1), (2);');
    await expect(db().exec('INSERT INTO trash (id, deleted_at) VALUES (3, NULL);')).rejects.toThrow(/null value in column "deleted_at"/);
    expect((await db().query('SELECT count(*)::int AS n FROM trash WHERE deleted_at IS NULL')).rows).toEqual([{ n: 0 }]);
    expect((await db().query('SELECT count(*)::int AS n FROM trash')).rows).toEqual([{ n: 2 }]);
  });
});
