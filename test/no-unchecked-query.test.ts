import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import tsParser from '@typescript-eslint/parser';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';
import plugin from '../src/index.js';
import { clearSchemaCache } from '../src/schema/load.js';
import { tsRuleTester } from './helpers/rule-tester.js';
import rule from '../rules/no-unchecked-query.js';

const dir = fileURLToPath(new URL('./fixtures/unchecked-project/', import.meta.url));

async function lint(config: typeof plugin.configs.recommended): Promise<string[]> {
  clearSchemaCache();
  const eslint = new ESLint({ cwd: dir, overrideConfigFile: true, overrideConfig: [{ files: ['**/*.ts'], languageOptions: { parser: tsParser } }, ...config] });
  const results = await eslint.lintFiles(['.']);
  return results.flatMap((r) => r.messages.map((m) => `${relative(dir, r.filePath)}:${m.line}:${m.column} ${m.ruleId} ${m.messageId ?? ''}`)).sort();
}

describe('soft-delete/no-unchecked-query', () => {
  it('is off in recommended and a warning in strict', () => {
    expect(plugin.configs.recommended.some((c) => c.rules?.['soft-delete/no-unchecked-query'] !== undefined)).toBe(false);
    expect(plugin.configs.strict.map((c) => c.rules?.['soft-delete/no-unchecked-query'])).toContain('warn');
  });

  it('lists the queries that could not be checked in a fixture project (strict), and nothing in recommended', async () => {
    expect(await lint(plugin.configs.strict)).toEqual([
      'src/calls.ts:4:61 soft-delete/no-unchecked-query unreadableCall',
      'src/calls.ts:7:86 soft-delete/no-unchecked-query hiddenTable',
      'src/reports.ts:5:55 soft-delete/no-unchecked-query unseenBuilder',
      'src/reports.ts:8:128 soft-delete/no-unchecked-query unseenBuilder',
      'src/users.ts:3:67 soft-delete/no-unchecked-query parseError',
      'src/users.ts:5:61 soft-delete/no-unchecked-query unknownFilter',
    ]);
    expect((await lint(plugin.configs.recommended)).filter((m) => m.includes('no-unchecked-query'))).toEqual([]);
  });
});

tsRuleTester({ 'soft-delete': { tables: { users: { column: 'deleted_at' } } } }).run('no-unchecked-query', rule as never, {
  valid: [
    'sql`SELECT id FROM users WHERE deleted_at IS NULL AND ${cond}`;',
    'sql`SELECT id FROM orders WHERE ${cond}`;',
    "pool.query('SELECT 1');",
    "const Q = 'SELECT id FROM users WHERE deleted_at IS NULL'; pool.query(Q);",
    "pool.query({ text: 'SELECT id FROM users WHERE deleted_at IS NULL', values: [] });",
    'cache.get(key); map.query(text);',
    'db.transaction(async (trx) => trx.commit());',
    'db.select(fields);',
    // a union branch built in the file, or raw SQL (read as SQL), is followed
    "const old = knex('users').select('id').whereNull('deleted_at');\nawait knex('posts').select('id').whereNull('deleted_at').union(old);",
    "await knex('posts').select('id').whereNull('deleted_at').union(knex.raw('select id from users where deleted_at is null'));",
    // a chain that is not run says nothing about its branches
    "const q = (branch) => knex('posts').select('id').union(branch);",
    // an instance's $query() of a class the file can tell is checked, not listed; one that is not run says nothing
    "class User extends Model {\n  static tableName = 'users';\n}\nexport async function reload(user: User) { return user.$query().whereNull('deleted_at'); }",
    'function later(p) { const q = p.$query(); return q; }',
  ],
  invalid: [
    {
      code: 'sql`SELECT id FROM users u WHERE ${cond}`;',
      errors: [{ messageId: 'unknownFilter', data: { table: 'users', filter: 'deleted_at IS NULL' }, line: 1, column: 20 }],
    },
    {
      code: "pool.query('SELECT * FROM users WHERE (');",
      errors: [{ messageId: 'parseError' }],
    },
    {
      code: 'async function run(pool, text) { await pool.query(text); }',
      errors: [{ messageId: 'unreadableCall', data: { callee: 'pool.query', reason: 'its SQL is built at run time or comes from a value this file does not spell out' }, line: 1, column: 51, endColumn: 55 }],
    },
    {
      code: 'db.query(buildSql(filters), params);',
      errors: [{ messageId: 'unreadableCall', column: 10, endColumn: 27 }],
    },
    {
      code: "async function both(branch) {\n  return await knex('posts').select('id').whereNull('deleted_at').union(branch);\n}",
      errors: [{ messageId: 'unseenBuilder', data: { callee: '.union()', reason: 'it is a builder this file does not build (a parameter, a field, or a value it cannot follow)' }, line: 2, column: 73, endColumn: 79 }],
    },
    {
      code: "async function both(q, r) {\n  return await knex('posts').select('id').whereNull('deleted_at').unionAll([knex('users').select('id').whereNull('deleted_at'), r]);\n}",
      errors: [{ messageId: 'unseenBuilder', line: 2, column: 129, endColumn: 130 }],
    },
    {
      // an instance whose model class the file cannot tell: its read and its patch of its row are listed (as its delete is)
      code: 'export async function reload(p) { return p.$query().first(); }',
      errors: [{ messageId: 'unseenBuilder', data: { callee: 'p.$query', reason: 'the model class of this instance is not known here (declare it with a type annotation, or make it with `new`, `fromJson` or a query of its class in this file)' }, line: 1, column: 42, endColumn: 52 }],
    },
    {
      code: 'export async function save(p) {\n  await p.$query().patch({ email });\n}',
      errors: [{ messageId: 'unseenBuilder', line: 2, column: 9, endColumn: 19 }],
    },
    {
      code: 'pool.query(`SELECT id FROM ${table} WHERE deleted_at IS NULL`);',
      errors: [{ messageId: 'hiddenTable', line: 1, column: 28 }],
    },
  ],
});
