/**
 * Work reused across lint runs in one process (an editor re-linting, `lintFiles` again) must give exactly what a
 * fresh analysis gives: the same findings at the same places, with the same fixes and suggestions. Each case lints
 * with reuse off (the reference), then with reuse on, twice or more, and compares every message in full.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint, type Linter } from 'eslint';
import tsParser from '@typescript-eslint/parser';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import plugin from '../src/index.js';
import { clearSchemaCache, setSchemaClock, SCHEMA_RECHECK_MS } from '../src/schema/load.js';
import { resetStatementCache, reuseStatements, statementCacheSize, STATEMENT_CACHE_CHARS } from '../src/sql/statement-cache.js';
import { lowerFragments } from '../src/engine.js';
import type { SqlFragment } from '../src/sql/fragment.js';
import { removeTempProjects, tempProject, writeProjectFile } from './helpers/temp-project.js';

const MIGRATION = `CREATE TABLE users (id bigint PRIMARY KEY, email text, org_id bigint, deleted_at timestamptz);
CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint, total int, deleted_at timestamptz);
CREATE TABLE orgs (id bigint PRIMARY KEY, name text, archived boolean NOT NULL DEFAULT false);
CREATE UNIQUE INDEX users_email ON users (email);
`;

/** Reads in several shapes; the same SQL twice (two places, one text), and one text with and without an opaque $1. */
const QUERIES = `import { sql } from 'slonik';
import knex from 'knex';
import { Pool } from 'pg';

const db = knex({ client: 'pg' });
const pool = new Pool();

export const a = (id: number) => pool.query('SELECT * FROM users WHERE id = $1', [id]);
export const b = () => sql\`SELECT u.email, o.total FROM users u LEFT JOIN orders o ON o.user_id = u.id WHERE o.deleted_at IS NULL\`;
export const c = (cond: unknown) => sql\`SELECT * FROM users WHERE \${cond}\`;
export const d = (flag: boolean) => pool.query('SELECT * FROM users WHERE $1', [flag]);
export const e = () => db('orders').where({ user_id: 1 }).select('total');
export const f = () => pool.query(\`
  WITH live AS (SELECT id FROM users)
  SELECT * FROM orders WHERE user_id IN (SELECT id FROM live) OR total > 10
  UNION ALL SELECT * FROM orders WHERE EXISTS (SELECT 1 FROM users WHERE users.id = orders.user_id)\`);
export const g = () => pool.query('UPDATE orders SET total = 0 WHERE user_id = 7 RETURNING *');
export const h = () => pool.query('INSERT INTO users (id, email) VALUES (1, $1) ON CONFLICT (email) DO UPDATE SET email = excluded.email RETURNING id', ['x']);
export const i = () => pool.query('DELETE FROM orders WHERE id = 3');
export const j = (id: number) => pool.query('SELECT * FROM users WHERE id = $1', [id]);
export const k = () => pool.query("SELECT count(*) FROM orders o FULL JOIN users u ON u.id = o.user_id WHERE u.deleted_at = NULL");
`;

function project(files: Record<string, string>): string {
  return tempProject('sd-reuse-', files);
}
const write = writeProjectFile;

afterEach(() => {
  reuseStatements(true);
  resetStatementCache();
  setSchemaClock();
  clearSchemaCache();
});
afterAll(() => {
  removeTempProjects();
});

type Config = Linter.Config[];
const TS: Config = [{ files: ['**/*.ts', '**/*.js'], languageOptions: { parser: tsParser } }];
const strict = (extra: Config = []): Config => [...TS, ...plugin.configs.strict, ...extra];

/** Every message in full: rule, place, text, fix and suggestions (descriptions, ranges, texts). */
function everything(results: ESLint.LintResult[], dir: string): unknown[] {
  return results.flatMap((r) =>
    r.messages.map((m) => ({
      file: r.filePath.slice(dir.length),
      rule: m.ruleId,
      at: [m.line, m.column, m.endLine, m.endColumn],
      message: m.message,
      fix: m.fix ?? null,
      suggestions: (m.suggestions ?? []).map((s) => ({ desc: s.desc, fix: s.fix })),
    })),
  );
}

async function lint(eslint: ESLint, dir: string, files: string[] | { text: string; path: string }): Promise<unknown[]> {
  const results = Array.isArray(files) ? await eslint.lintFiles(files) : await eslint.lintText(files.text, { filePath: join(dir, files.path) });
  return everything(results, dir);
}

/** The same lint with nothing reused (a fresh instance, caches off). */
async function reference(dir: string, config: Config, files: string[] | { text: string; path: string }): Promise<unknown[]> {
  reuseStatements(false);
  try {
    return await lint(new ESLint({ cwd: dir, overrideConfigFile: true, overrideConfig: config }), dir, files);
  } finally {
    reuseStatements(true);
  }
}

describe('reuse across lint runs', () => {
  it('the same files linted again: identical messages, and the statements are reused', async () => {
    const dir = project({ 'migrations/001.sql': MIGRATION, 'src/queries.ts': QUERIES, 'src/again.ts': QUERIES.replace(/\n\n/, '\n\n// moved down\n') });
    const expected = await reference(dir, strict(), ['src']);
    expect(expected.length).toBeGreaterThan(10);
    const eslint = new ESLint({ cwd: dir, overrideConfigFile: true, overrideConfig: strict() });
    expect(await lint(eslint, dir, ['src'])).toEqual(expected);
    const before = statementCacheSize();
    expect(before.entries).toBeGreaterThan(5);
    expect(await lint(eslint, dir, ['src'])).toEqual(expected);
    expect(await lint(new ESLint({ cwd: dir, overrideConfigFile: true, overrideConfig: strict() }), dir, ['src'])).toEqual(expected);
    // the second and third runs lowered nothing new: every statement came from the cache
    expect(statementCacheSize().hits - before.hits).toBeGreaterThanOrEqual(2 * before.entries);
  });

  it('one fragment edited, text inserted above the others (every place moves): identical to a fresh lint', async () => {
    const dir = project({ 'migrations/001.sql': MIGRATION, 'src/queries.ts': QUERIES });
    const eslint = new ESLint({ cwd: dir, overrideConfigFile: true, overrideConfig: strict() });
    await lint(eslint, dir, ['src']);
    const edits = [
      QUERIES.replace("WHERE o.deleted_at IS NULL`", 'WHERE o.total > 3`'),
      QUERIES.replace('export const a', '// a comment\nconst NOTE = "typed";\nexport const a'),
      QUERIES.replace('pool.query(\'SELECT * FROM users WHERE id = $1\', [id]);\nexport const b', "pool.query('SELECT * FROM users WHERE  id = $1', [id]);\nexport const b"),
      QUERIES.replace("'UPDATE orders", "'UPDATE  orders"),
    ];
    for (const text of edits) {
      const file = { text, path: 'src/queries.ts' };
      const expected = await reference(dir, strict(), file);
      expect(await lint(eslint, dir, file)).toEqual(expected);
      expect(await lint(eslint, dir, file)).toEqual(expected);
    }
  });

  it('a migration edited: the messages follow the new schema', async () => {
    let now = Date.now();
    setSchemaClock(() => now);
    const dir = project({ 'migrations/001.sql': MIGRATION, 'src/queries.ts': QUERIES });
    const eslint = new ESLint({ cwd: dir, overrideConfigFile: true, overrideConfig: strict() });
    const first = await lint(eslint, dir, ['src']);
    expect(first).toEqual(await reference(dir, strict(), ['src']));
    // orders is no longer soft-deletable; users gets a partial unique index
    write(dir, 'migrations/002.sql', 'ALTER TABLE orders DROP COLUMN deleted_at;\nDROP INDEX users_email;\nCREATE UNIQUE INDEX users_email ON users (email) WHERE deleted_at IS NULL;\n');
    now += SCHEMA_RECHECK_MS * 20; // the schema's stamps are re-checked on the next lint (the reference's)
    const expected = await reference(dir, strict(), ['src']);
    expect(expected).not.toEqual(first);
    expect(await lint(eslint, dir, ['src'])).toEqual(expected);
    expect(await lint(eslint, dir, ['src'])).toEqual(expected);
    // no soft-delete table left: the schema-status rule says so
    write(dir, 'migrations/003.sql', 'ALTER TABLE users DROP COLUMN deleted_at;\n');
    now += SCHEMA_RECHECK_MS * 20;
    const none = await reference(dir, strict(), ['src']);
    expect(none.map((m) => (m as { rule: string }).rule)).toContain('soft-delete/schema-status');
    expect(await lint(eslint, dir, ['src'])).toEqual(none);
  });

  it('two configurations in one process (settings and rule options differ): each gets its own messages', async () => {
    const dir = project({ 'migrations/001.sql': MIGRATION, 'src/queries.ts': QUERIES });
    const configs: Config[] = [
      strict(),
      strict([{ settings: { 'soft-delete': { tables: { orders: false, orgs: { column: 'archived' } } } } }]),
      strict([{ rules: { 'soft-delete/require-soft-delete-filter': ['error', { allowLookupsBy: ['id'] }] } }]),
      strict([{ settings: { 'soft-delete': { columns: ['archived'] } } }]),
      strict([{ settings: { 'soft-delete': { columns: ['removed_on'] } } }]),
      // the same schema model as the first: no table is soft-deletable under these settings alone
      strict([{ settings: { 'soft-delete': { tables: { users: false, orders: false } } } }]),
    ];
    const expected = [];
    for (const config of configs) expected.push(await reference(dir, config, ['src']));
    expect(new Set(expected.map((e) => JSON.stringify(e))).size).toBe(configs.length);
    const instances = configs.map((config) => new ESLint({ cwd: dir, overrideConfigFile: true, overrideConfig: config }));
    for (let round = 0; round < 2; round++) {
      for (const [i, eslint] of instances.entries()) expect(await lint(eslint, dir, ['src'])).toEqual(expected[i]);
    }
  });

  it('fixture projects of every front end: identical messages on a second and third run', async () => {
    const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url));
    const names = ['knex-project', 'kysely-project', 'prisma-project', 'drizzle-project', 'objection-project', 'clients-project', 'builder-writes', 'dynamodb-project', 'migration-history'];
    for (const name of names) {
      const dir = join(fixtures, name);
      const files = readdirSync(dir).includes('src') ? ['src'] : ['.'];
      const config = strict();
      clearSchemaCache();
      const expected = await reference(dir, config, files);
      const eslint = new ESLint({ cwd: dir, overrideConfigFile: true, overrideConfig: config });
      for (let run = 0; run < 3; run++) expect(await lint(eslint, dir, files), `${name}, run ${run + 1}`).toEqual(expected);
    }
  });

  it('a re-bound statement reaches no other fragment than its own (nothing of the first lint is left in it)', () => {
    const text = `WITH x AS (SELECT * FROM users WHERE $1) SELECT * FROM orders o LEFT JOIN x ON x.id = o.user_id
      WHERE o.id IN (SELECT user_id FROM orders WHERE EXISTS (SELECT 1 FROM users)) UNION SELECT * FROM orders;
      UPDATE orders SET total = 1 FROM users u WHERE u.id = orders.user_id RETURNING *;
      INSERT INTO users (id) VALUES (1) ON CONFLICT (id) DO NOTHING`;
    const at = (offset: number): SqlFragment => ({ text, toSource: (i) => i + offset, opaque: new Set([text.indexOf('$1')]), origin: 'call-argument' });
    const first = at(0);
    const second = at(1000);
    const before = lowerFragments([first]).statements;
    const hits = statementCacheSize().hits;
    const after = lowerFragments([second]).statements;
    expect(statementCacheSize().hits - hits).toBe(3);
    expect(after.length).toBe(3);
    const reached = new Set<SqlFragment>();
    const seen = new Set<object>();
    const walk = (value: unknown): void => {
      if (!value || typeof value !== 'object' || seen.has(value)) return;
      seen.add(value);
      if (typeof (value as SqlFragment).toSource === 'function') reached.add(value as SqlFragment);
      for (const child of Object.values(value)) walk(child);
    };
    walk(after);
    expect([...reached]).toEqual([second]);
    // and the first lint's statements were left as they were
    reached.clear();
    seen.clear();
    walk(before);
    expect([...reached]).toEqual([first]);
  });

  it('stays within its size bound', () => {
    const statement = (i: number) => `SELECT id, email, org_id FROM users WHERE id = ${i} AND email <> 'x${'y'.repeat(4000)}'`;
    const n = Math.ceil(STATEMENT_CACHE_CHARS / statement(0).length) + 200;
    for (let i = 0; i < n; i++) lowerFragments([{ text: statement(i), toSource: (k) => k, opaque: new Set(), origin: 'sql-file' }]);
    const { chars, entries } = statementCacheSize();
    expect(chars).toBeLessThanOrEqual(STATEMENT_CACHE_CHARS);
    expect(entries).toBeGreaterThan(100);
    expect(entries).toBeLessThan(n);
  });
});
