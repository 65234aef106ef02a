import { parse } from '@typescript-eslint/typescript-estree';
import type { TSESTree } from '@typescript-eslint/utils';
import { visitorKeys } from '@typescript-eslint/visitor-keys';
import { describe, expect, it } from 'vitest';
import rule from '../rules/require-soft-delete-filter.js';
import { extractQueryBuilders } from '../src/extract/query-builders.js';
import { extractSql } from '../src/extract/typescript.js';
import type { SqlFragment } from '../src/sql/fragment.js';
import { tsRuleTester } from './helpers/rule-tester.js';

function program(code: string): TSESTree.Program {
  return parse(code, { range: true, loc: true }) as unknown as TSESTree.Program;
}

function fragments(code: string): SqlFragment[] {
  return extractQueryBuilders(program(code), code, visitorKeys);
}

function only(code: string): SqlFragment {
  const found = fragments(code);
  expect(found.map((f) => f.text)).toHaveLength(1);
  return found[0]!;
}

function sql(code: string): string {
  return only(code).text;
}

/** The file text that `needle` (first occurrence in the fragment text) maps back to. */
function sourceOf(code: string, fragment: SqlFragment, needle: string): { text: string; start: number } {
  const index = fragment.text.indexOf(needle);
  expect(index, `${needle} in ${fragment.text}`).toBeGreaterThanOrEqual(0);
  const start = fragment.toSource(index);
  return { text: code.slice(start, fragment.toSource(index + needle.length - 1) + 1), start };
}

/** The placeholders of a fragment that are opaque. */
function opaque(fragment: SqlFragment): string[] {
  return [...fragment.opaque].sort((a, b) => a - b).map((i) => /^(?:\$\d+|"__sd_ident_\d+")/.exec(fragment.text.slice(i))?.[0] ?? `?${i}`);
}

describe('knex: synthesized SQL', () => {
  it.each([
    ["await knex('users').where({ email })", 'SELECT * FROM users WHERE email = $1'],
    ["await knex('users').where({ email }).whereNull('deleted_at').first()", 'SELECT * FROM users WHERE email = $1 AND deleted_at IS NULL'],
    ["await db('users').where({ email, deleted_at: null })", 'SELECT * FROM users WHERE email = $1 AND deleted_at IS NULL'],
    ["await trx('users').where('deleted_at', null)", 'SELECT * FROM users WHERE deleted_at IS NULL'],
    ["await knex('users').where('deleted_at', 'is', null)", 'SELECT * FROM users WHERE deleted_at IS NULL'],
    ["await knex('users').where('deleted_at', 'is not', null)", 'SELECT * FROM users WHERE deleted_at IS NOT NULL'],
    ["await knex('users').where('deleted_at', '=', null)", 'SELECT * FROM users WHERE deleted_at = NULL'],
    ["await knex('users').whereNotNull('deleted_at')", 'SELECT * FROM users WHERE deleted_at IS NOT NULL'],
    ["await knex('users').where('plan', '<>', plan).andWhere('id', 3)", 'SELECT * FROM users WHERE plan <> $1 AND id = 3'],
    ["await knex('users').where('deleted_at', null).orWhere('email', x)", 'SELECT * FROM users WHERE deleted_at IS NULL OR email = $1'],
    ["await knex('users').whereNull('deleted_at').orWhere({ plan: 'a', email })", 'SELECT * FROM users WHERE deleted_at IS NULL OR (plan = $1 AND email = $2)'],
    ["await knex('users').whereNot('plan', 'free').whereNull('deleted_at')", 'SELECT * FROM users WHERE NOT (plan = $1) AND deleted_at IS NULL'],
    ["await knex('users').whereIn('id', [1, 2]).whereNotIn('plan', plans)", 'SELECT * FROM users WHERE id IN (1, 2) AND NOT (plan IN ($1))'],
    ["await knex('users').whereBetween('deleted_at', [a, b])", 'SELECT * FROM users WHERE deleted_at BETWEEN $1 AND $2'],
    ["await knex('users').whereILike('email', pattern).whereNull('deleted_at')", 'SELECT * FROM users WHERE email ILIKE $1 AND deleted_at IS NULL'],
    ["await knex('users').whereRaw('deleted_at IS NULL AND id = ?', [id])", 'SELECT * FROM users WHERE deleted_at IS NULL AND id = $1'],
    ["await knex('users').where({ email }).orWhereRaw('plan = :plan', { plan })", 'SELECT * FROM users WHERE email = $1 OR plan = $2'],
    ["await knex('users').where(knex.raw('deleted_at IS NULL'))", 'SELECT * FROM users WHERE (deleted_at IS NULL)'],
    ["await knex('users').where((qb) => qb.where('a', 1).orWhere('b', 2)).whereNull('deleted_at')", 'SELECT * FROM users WHERE (a = 1 OR b = 2) AND deleted_at IS NULL'],
    ["await knex('users').where(function () { this.whereNull('deleted_at'); this.orWhere('plan', 'admin'); })", 'SELECT * FROM users WHERE (deleted_at IS NULL OR plan = $1)'],
    ["await knex.select('id', 'email as e').from('users').where('id', id)", 'SELECT id, email AS e FROM users WHERE id = $1'],
    ["await knex.from('users').count('id')", 'SELECT count(*) FROM users'],
    ["await knex.table('users').pluck('id')", 'SELECT id FROM users'],
    ["await knex.queryBuilder().from('users').first('id')", 'SELECT id FROM users'],
    ["await knex.withSchema('app').from('users').where({ email })", 'SELECT * FROM app.users WHERE email = $1'],
    ["await knex({ u: 'users' }).where('u.email', email)", 'SELECT * FROM users AS u WHERE u.email = $1'],
    ["await knex('Users as u').where('u.order', 1)", 'SELECT * FROM "Users" AS u WHERE u."order" = 1'],
    ["await knex('orders as o').leftJoin('users as u', 'u.id', 'o.user_id').where('u.deleted_at', null)", 'SELECT * FROM orders AS o LEFT JOIN users AS u ON u.id = o.user_id WHERE u.deleted_at IS NULL'],
    ["await knex('orders as o').join('users as u', 'u.id', '=', 'o.user_id')", 'SELECT * FROM orders AS o INNER JOIN users AS u ON u.id = o.user_id'],
    ["await knex('orders as o').innerJoin('users as u', { 'u.id': 'o.user_id' })", 'SELECT * FROM orders AS o INNER JOIN users AS u ON u.id = o.user_id'],
    [
      "await knex('orders as o').leftOuterJoin('users as u', function () { this.on('u.id', '=', 'o.user_id').andOnNull('u.deleted_at').orOn('u.id', 'o.buyer_id') })",
      'SELECT * FROM orders AS o LEFT JOIN users AS u ON u.id = o.user_id AND u.deleted_at IS NULL OR u.id = o.buyer_id',
    ],
    ["await knex('orders as o').leftJoin('users as u', (j) => { j.on('u.id', 'o.user_id').andOnVal('u.plan', 'pro'); })", 'SELECT * FROM orders AS o LEFT JOIN users AS u ON u.id = o.user_id AND u.plan = $1'],
    ["await knex('orders as o').joinRaw('JOIN users u ON u.id = o.user_id').where('o.id', id)", 'SELECT * FROM orders AS o JOIN users u ON u.id = o.user_id WHERE o.id = $1'],
    ["await knex('orders').whereIn('user_id', knex('users').select('id').where({ email }))", 'SELECT * FROM orders WHERE user_id IN (SELECT id FROM users WHERE email = $1)'],
    [
      "await knex('orders').whereExists(function () { this.select('*').from('users').whereRaw('users.id = orders.user_id') })",
      'SELECT * FROM orders WHERE EXISTS (SELECT * FROM users WHERE users.id = orders.user_id)',
    ],
    ["await knex('users').where({ email }).orderBy('id').limit(10).offset(5).transacting(trx)", 'SELECT * FROM users WHERE email = $1'],
    ["knex('users').where({ email }).then((rows) => rows)", 'SELECT * FROM users WHERE email = $1'],
    ["const [a, b] = await Promise.all([knex('users').where({ email }), f()])", 'SELECT * FROM users WHERE email = $1'],
    ["async function f() { return this.knex('users').where({ email }).first(); }", 'SELECT * FROM users WHERE email = $1'],
    ["const f = async () => db('users').where({ email });", 'SELECT * FROM users WHERE email = $1'],
    ["const USERS = 'users';\nawait knex(USERS).where({ email })", 'SELECT * FROM users WHERE email = $1'],
  ])('%s', (code, expected) => {
    expect(sql(code)).toBe(expected);
    expect(only(code).origin).toBe('query-builder');
  });
});

describe('kysely: synthesized SQL', () => {
  it.each([
    ["await db.selectFrom('users').selectAll().where('email', '=', email).execute()", 'SELECT * FROM users WHERE email = $1'],
    ["await db.selectFrom('users').select(['id', 'email']).where('deleted_at', 'is', null).executeTakeFirst()", 'SELECT id, email FROM users WHERE deleted_at IS NULL'],
    ["await db.selectFrom('users').where('id', 'in', ids).where('deleted_at', 'is not', null).execute()", 'SELECT * FROM users WHERE id IN ($1) AND deleted_at IS NOT NULL'],
    [
      "await db.selectFrom('users as u').innerJoin('organizations as o', 'o.id', 'u.org_id').where('u.deleted_at', 'is', null).selectAll().execute()",
      'SELECT * FROM users AS u INNER JOIN organizations AS o ON o.id = u.org_id WHERE u.deleted_at IS NULL',
    ],
    [
      "await db.selectFrom('orders as o').leftJoin('users as u', (join) => join.onRef('u.id', '=', 'o.user_id').on('u.deleted_at', 'is', null)).selectAll().execute()",
      'SELECT * FROM orders AS o LEFT JOIN users AS u ON u.id = o.user_id AND u.deleted_at IS NULL',
    ],
    ["await trx.selectFrom('users').whereRef('users.id', '=', 'users.org_id').executeTakeFirstOrThrow()", 'SELECT * FROM users WHERE users.id = users.org_id'],
    [
      "await db.selectFrom('users').where(({ eb, or }) => or([eb('deleted_at', 'is', null), eb('email', '=', e)])).execute()",
      'SELECT * FROM users WHERE (deleted_at IS NULL OR email = $1)',
    ],
    ["await db.selectFrom('users').where((eb) => eb.and({ email, deleted_at: null })).execute()", 'SELECT * FROM users WHERE (email = $1 AND deleted_at IS NULL)'],
    ["await db.selectFrom(['users', 'orders']).selectAll().execute()", 'SELECT * FROM users, orders'],
  ])('%s', (code, expected) => {
    expect(sql(code)).toBe(expected);
  });
});

describe('position mapping', () => {
  it('maps the table name to the characters inside its string literal', () => {
    const code = "const rows = await knex('users').where({ email });";
    const fragment = only(code);
    const users = sourceOf(code, fragment, 'users');
    expect(users.text).toBe('users');
    expect(users.start).toBe(code.indexOf("'users'") + 1);
  });

  it('maps an aliased table, its alias and columns to their literals', () => {
    const code = "await db('users as u').where('u.email', email)";
    const fragment = only(code);
    expect(sourceOf(code, fragment, 'users').start).toBe(code.indexOf('users'));
    expect(sourceOf(code, fragment, 'u.email').text).toBe('u.email');
    expect(sourceOf(code, fragment, ' AS u').start).toBe(code.indexOf('u\'') );
  });

  it('maps keywords and values to the call that produced them', () => {
    const code = "await knex('users').whereNull('deleted_at').where('id', id)";
    const fragment = only(code);
    expect(sourceOf(code, fragment, ' IS NULL').start).toBe(code.indexOf('whereNull'));
    expect(sourceOf(code, fragment, '$1').start).toBe(code.indexOf('id)'));
  });

  it('maps a constant table name to the identifier where it is used', () => {
    const code = "const USERS = 'users';\nawait knex(USERS).where({ email })";
    expect(sourceOf(code, only(code), 'users').text).toBe('USERS');
  });

  it('maps a kysely table inside an escaped string', () => {
    const code = "await db.selectFrom('it\\'s').selectAll().execute()";
    const fragment = only(code);
    expect(fragment.text).toBe(`SELECT * FROM "it's"`);
    expect(sourceOf(code, fragment, "it's").text).toBe("it\\'s");
  });
});

describe('opaque parts', () => {
  it.each([
    ["await knex('users').where(someCondition)", 'SELECT * FROM users WHERE $1', ['$1']],
    ["await knex('users').where({ email }).modify(withFilters)", 'SELECT * FROM users WHERE email = $1 AND $2', ['$2']],
    ["await knex('users').where((qb) => { if (x) qb.whereNull('deleted_at'); })", 'SELECT * FROM users WHERE $1', ['$1']],
    ["await knex('users').where({ [key]: value })", 'SELECT * FROM users WHERE $1', ['$1']],
    ["await knex('users').where({ email }).somethingUnknown()", 'SELECT * FROM users WHERE email = $1 AND $2', ['$2']],
    ["await knex('users').whereExists(subquery)", 'SELECT * FROM users WHERE $1', ['$1']],
    ["await knex('users').whereRaw(condition)", 'SELECT * FROM users WHERE $1', ['$1']],
    ["await knex('users').whereRaw('?? IS NULL', ['deleted_at'])", 'SELECT * FROM users WHERE $1', ['$1']],
    ["await knex('users').whereRaw('?', [cond]).where({ id })", 'SELECT * FROM users WHERE $1 AND id = $2', ['$1']],
    ["await knex('orders as o').join(subquery, 'x.id', 'o.id').where({ id })", 'SELECT * FROM orders AS o WHERE $1 AND id = $2', ['$1']],
    ["await knex('orders as o').leftJoin('users as u', function () { this.on('u.id', 'o.user_id').using('x') })", 'SELECT * FROM orders AS o WHERE $1', ['$1']],
    ["await db.selectFrom('users').where((eb) => eb.exists(sub)).execute()", 'SELECT * FROM users WHERE $1', ['$1']],
    ["await db.selectFrom('users').$if(admin, (qb) => qb.where('deleted_at', 'is', null)).execute()", 'SELECT * FROM users WHERE $1', ['$1']],
    ["await db.selectFrom('users').where(sql`deleted_at IS NULL`).execute()", 'SELECT * FROM users WHERE $1', ['$1']],
  ])('%s', (code, expected, placeholders) => {
    const fragment = only(code);
    expect(fragment.text).toBe(expected);
    expect(opaque(fragment)).toEqual(placeholders);
  });

  it('an unknown table becomes an opaque identifier', () => {
    const fragment = only('await knex(tableName).where({ email })');
    expect(fragment.text).toBe('SELECT * FROM "__sd_ident_1" WHERE email = $1');
    expect(opaque(fragment)).toEqual(['"__sd_ident_1"']);
  });

  it('a let-bound or reassigned name is not a constant', () => {
    expect(sql("let T = 'users';\nawait knex(T).where({ email })")).toBe('SELECT * FROM "__sd_ident_1" WHERE email = $1');
    expect(sql("const T = 'users';\nfunction f(T) {}\nawait knex(T).where({ email })")).toBe('SELECT * FROM "__sd_ident_1" WHERE email = $1');
  });

  it('an unlowered subquery in whereIn stays unseen without hiding the outer filter', () => {
    const fragment = only("await knex('orders').whereIn('user_id', function () { this.select('id').from(t).modify(f) })");
    expect(fragment.text).toBe('SELECT * FROM orders WHERE user_id IN (SELECT id FROM "__sd_ident_1" WHERE $1)');
  });
});

describe('a builder kept in a variable', () => {
  // Formerly skipped entirely; now lowered where it runs, a filter toggled on some paths only being unknown.
  it('is lowered where it runs, a conditional soft-delete filter opaque', () => {
    const found = only("const q = knex('users').where({ email });\nif (active) q.whereNull('deleted_at');\nawait q;");
    expect(found.text).toBe('SELECT * FROM users WHERE email = $1 AND $2');
    expect(opaque(found)).toEqual(['$2']);
  });
});

describe('writes', () => {
  it.each([
    ["await knex('users').where({ id }).update({ deleted_at: knex.fn.now() })", 'UPDATE users SET deleted_at = $2 WHERE id = $1'],
    ["await knex('users').where({ id }).del()", 'DELETE FROM users WHERE id = $1'],
    ["await knex('users').whereNotNull('deleted_at').delete().returning(['id', 'email'])", 'DELETE FROM users WHERE deleted_at IS NOT NULL RETURNING id, email'],
    ["await knex('users').where('id', id).update('plan', null, ['id'])", 'UPDATE users SET plan = NULL WHERE id = $1 RETURNING id'],
    ["await knex('users').where({ id }).increment({ logins: 1, score: n })", 'UPDATE users SET logins = logins + 1, score = score + $2 WHERE id = $1'],
    ["await knex('users').where({ id }).decrement('credits')", 'UPDATE users SET credits = credits - 1 WHERE id = $1'],
    ["await db.updateTable('users').set({ plan }).where('id', '=', id).execute()", 'UPDATE users SET plan = $1 WHERE id = $2'],
    ["await db.deleteFrom('users as u').where('u.id', '=', id).returningAll().execute()", 'DELETE FROM users AS u WHERE u.id = $1 RETURNING *'],
    ["class P extends Model { static tableName = 'users' }\nawait P.query().patchAndFetchById(id, { plan })", 'UPDATE users SET plan = $2 WHERE id = $1'],
    ["class P extends Model { static tableName = 'users' }\nawait P.query().deleteById(id)", 'DELETE FROM users WHERE id = $1'],
  ])('%s', (code, expected) => {
    expect(sql(code)).toBe(expected);
  });

  it('the target maps onto the table name, the write keyword onto the write method', () => {
    const code = "await knex('users').where({ id }).del()";
    const fragment = only(code);
    expect(sourceOf(code, fragment, 'users')).toEqual({ text: 'users', start: code.indexOf('users') });
    expect(sourceOf(code, fragment, 'DELETE').start).toBe(code.indexOf('del()'));
  });
});

describe('a bare table call', () => {
  it('runs `select * from` the table in knex itself', async () => {
    const { default: knex } = await import('knex');
    expect(knex({ client: 'pg' })('users').toQuery()).toBe('select * from "users"');
  });

  it('is a read when the callee is a knex instance (made in the file or imported), and nothing when it is only a knex-like name', () => {
    expect(sql("import knex from 'knex';\nconst db = knex({ client: 'pg' });\nexport async function all() { return await db('users'); }")).toBe('SELECT * FROM users');
    expect(sql("import knex from 'knex';\nconst db = knex({ client: 'pg' });\nexport async function all() { const rows = await db('users'); return rows; }")).toBe('SELECT * FROM users');
    expect(fragments("export async function all() { return await db('users'); }")).toEqual([]);
    // not run here: the builder may be continued by whoever receives it
    expect(fragments("import knex from 'knex';\nconst db = knex({ client: 'pg' });\nexport function base() { return db('users'); }")).toEqual([]);
  });
});

describe('skipped shapes', () => {
  it.each([
    ['a builder not awaited', "const q = knex('users').where({ email });"],
    ['a non-async return (the caller may continue it)', "function base() { return knex('users').where({ org_id: id }); }"],
    ['a call that is not a knex instance', "await foo('users').where({ email })"],
    ['a bare call without a builder method', "await db('users')"],
    ['an i18n-like call', "await t('users').then(show)"],
    ['an insert', "await knex('users').insert({ email })"],
    ['an update whose values cannot be read (they might set the soft-delete column)', "await knex('users').where({ id }).update(changes)"],
    ['an update with a spread', "await knex('users').where({ id }).update({ ...changes, plan })"],
    ['a write with a join', "await knex('users').join('orgs', 'orgs.id', 'users.org_id').where('orgs.name', n).del()"],
    ['two writes in one chain', "await knex('users').where({ id }).update({ plan }).del()"],
    ['first() after a delete', "await knex('users').where({ id }).del().first()"],
    ['kysely delete using', "await db.deleteFrom('users').using('orgs').whereRef('orgs.id', '=', 'users.org_id').execute()"],
    ['kysely set from a callback', "await db.updateTable('users').set((eb) => ({ plan: eb.ref('x') })).execute()"],
    ['kysely write without execute', "const q = db.deleteFrom('users').where('id', '=', id);"],
    ['returning on a read', "await knex('users').where({ id }).returning('id')"],
    ['a CTE', "await knex.with('live', knex.raw('select 1')).select('*').from('live')"],
    ['clearWhere', "await knex('users').where({ email }).clearWhere()"],
    ['withSchema after the table', "await knex('users').withSchema('app').where({ email })"],
    ['kysely without execute', "const q = db.selectFrom('users').selectAll();"],
    ['a knex instance without a table', "await knex.select(knex.raw('1'))"],
    ['a raw query (the SQL front end takes it)', "await knex.raw('SELECT * FROM users')"],
    ['drizzle (a table object, not a name)', 'await db.select().from(users).where(eq(users.email, email))'],
  ])('%s', (_name, code) => {
    const found = fragments(code);
    if (found.length === 1) expect(found[0]!.text).toContain('"__sd_ident_'); // drizzle: an unknown table at most
    else expect(found).toEqual([]);
  });

  it('raw SQL statements inside a chain are left to the SQL front end (never twice)', () => {
    const code = "await knex('orders').whereIn('user_id', knex.raw('SELECT id FROM users')).where({ id })";
    const builder = only(code);
    expect(builder.text).toBe('SELECT * FROM orders WHERE user_id IN ($1) AND id = $2');
    const raw = extractSql(program(code), code, visitorKeys).map((e) => e.fragment.text);
    expect(raw).toEqual(['SELECT id FROM users']);
  });

  it('whereRaw filters are not statements for the SQL front end', () => {
    const code = "await knex('users').whereRaw('deleted_at IS NULL').where({ email })";
    expect(extractSql(program(code), code, visitorKeys)).toEqual([]);
    expect(fragments(code)).toHaveLength(1);
  });
});

tsRuleTester().run('require-soft-delete-filter (query builders)', rule as never, {
  valid: [
    "await knex('users').where({ email }).whereNull('deleted_at');",
    "await knex('users').where({ email, deleted_at: null }).first();",
    "await knex('users').where('deleted_at', null).andWhere('email', email);",
    "await db('users').whereRaw('deleted_at IS NULL').where({ email });",
    "await knex('users').where('email', email).where(knex.raw('deleted_at IS NULL'));",
    "await knex('users').where((qb) => qb.where('plan', 'a').orWhere('plan', 'b')).whereNull('deleted_at');",
    // trash view: deliberate
    "await knex('users').whereNotNull('deleted_at').orderBy('deleted_at', 'desc');",
    "await knex('users').where('deleted_at', '<', cutoff).del();",
    // join filtered in its ON callback
    "await knex('orders as o').leftJoin('users as u', function () { this.on('u.id', '=', 'o.user_id').andOnNull('u.deleted_at'); }).select('o.*', 'u.email');",
    "await knex('orders as o').join('users as u', 'u.id', 'o.user_id').whereNull('u.deleted_at');",
    // subqueries filtered inside
    "await knex('orders').whereIn('user_id', knex('users').select('id').where({ email }).whereNull('deleted_at'));",
    // not soft-delete tables
    "await knex('orders').where({ user_id: id });",
    "await db.selectFrom('orders').selectAll().where('total', '>', 10).execute();",
    // opaque parts: unknown, never reported
    "await knex('users').where({ email }).modify(applyFilters);",
    "await knex('users').where(buildCondition(params));",
    "await knex('users').where((qb) => { if (onlyActive) qb.whereNull('deleted_at'); });",
    "await knex(tableName).where({ email });",
    // shapes that are skipped
    "const q = knex('users').where({ email });\nif (onlyActive) q.whereNull('deleted_at');\nconst rows = await q;",
    "await knex('users').where({ id }).update({ deleted_at: knex.fn.now() });",
    "await foo('users').where({ email });",
    // kysely
    "await db.selectFrom('users').where('email', '=', email).where('deleted_at', 'is', null).selectAll().execute();",
    "await db.selectFrom('users as u').innerJoin('organizations as o', (join) => join.onRef('o.id', '=', 'u.org_id').on('o.deleted_at', 'is', null)).where('u.deleted_at', 'is', null).selectAll().execute();",
    "await db.selectFrom('users').where('deleted_at', 'is not', null).selectAll().execute();",
    "await db.selectFrom('users').where((eb) => eb.exists(sub)).selectAll().execute();",
    "const q = db.selectFrom('users').selectAll();",
  ],
  invalid: [
    {
      code: "const user = await knex('users').where({ email }).first();",
      errors: [
        {
          messageId: 'missing',
          data: { table: 'users', alias: '', filter: 'deleted_at IS NULL', via: '' },
          line: 1,
          column: 26,
          endColumn: 31,
          suggestions: [{ messageId: 'addFilterInCode', data: { code: ".whereNull('deleted_at')" }, output: "const user = await knex('users').whereNull('deleted_at').where({ email }).first();" }],
        },
      ],
    },
    {
      code: "export async function byEmail(email: string) {\n  return this.knex('users').where('email', email).first();\n}",
      errors: [
        {
          messageId: 'missing',
          line: 2,
          column: 21,
          endColumn: 26,
          suggestions: [{ messageId: 'addFilterInCode', output: "export async function byEmail(email: string) {\n  return this.knex('users').whereNull('deleted_at').where('email', email).first();\n}" }],
        },
      ],
    },
    {
      code: "await knex('users').where('deleted_at', null).orWhere('email', x);",
      errors: [{ messageId: 'or-defeated', column: 13, endColumn: 18, suggestions: [] }],
    },
    {
      code: "await knex('users').whereRaw('deleted_at IS NULL OR plan = ?', ['admin']);",
      errors: [{ messageId: 'or-defeated', suggestions: [] }],
    },
    {
      code: "await knex('users').where('deleted_at', '=', null);",
      errors: [{ messageId: 'never-true', suggestions: [] }],
    },
    {
      code: "await knex('orders as o').leftJoin('users as u', 'u.id', 'o.user_id').whereNull('u.deleted_at').select('o.id');",
      errors: [{ messageId: 'outer-where', data: { table: 'users', alias: ' (as `u`)', filter: 'u.deleted_at IS NULL', via: '' }, column: 37, endColumn: 42, suggestions: [] }],
    },
    {
      code: "await knex('orders as o').join('users as u', 'u.id', 'o.user_id').where('o.total', '>', 100);",
      errors: [
        {
          messageId: 'missing',
          data: { table: 'users', alias: ' (as `u`)', filter: 'u.deleted_at IS NULL', via: '' },
          suggestions: [{ messageId: 'addFilterInCode', data: { code: ".whereNull('u.deleted_at')" }, output: "await knex('orders as o').join('users as u', 'u.id', 'o.user_id').whereNull('u.deleted_at').where('o.total', '>', 100);" }],
        },
      ],
    },
    {
      // the orders-by-email incident, as a knex subquery
      code: "await knex('orders').whereIn('user_id', knex('users').select('id').where({ email }));",
      errors: [{ messageId: 'missing', column: 47, endColumn: 52, suggestions: [] }],
    },
    {
      // a subquery is its own scope: the EXISTS callback reads users without the filter
      code: "await knex('orders').whereExists(function () { this.select('*').from('users').whereRaw('users.id = orders.user_id'); });",
      errors: [{ messageId: 'missing', data: { table: 'users', alias: '', filter: 'deleted_at IS NULL', via: '' }, column: 71, endColumn: 76, suggestions: [] }],
    },
    {
      code: "const USERS = 'users';\nawait knex(USERS).where({ email });",
      errors: [{ messageId: 'missing', line: 2, column: 12, endColumn: 17, suggestions: [{ messageId: 'addFilterInCode', output: "const USERS = 'users';\nawait knex(USERS).whereNull('deleted_at').where({ email });" }] }],
    },
    {
      code: "await db.selectFrom('users').where('email', '=', email).selectAll().executeTakeFirst();",
      errors: [
        {
          messageId: 'missing',
          column: 22,
          endColumn: 27,
          suggestions: [{ messageId: 'addFilterInCode', data: { code: ".where('deleted_at', 'is', null)" }, output: "await db.selectFrom('users').where('deleted_at', 'is', null).where('email', '=', email).selectAll().executeTakeFirst();" }],
        },
      ],
    },
    {
      code: "await db.selectFrom('users as u').innerJoin('organizations as o', 'o.id', 'u.org_id').where('u.deleted_at', 'is', null).selectAll().execute();",
      errors: [
        {
          messageId: 'missing',
          data: { table: 'organizations', alias: ' (as `o`)', filter: 'o.deleted_at IS NULL', via: '' },
          suggestions: [{ messageId: 'addFilterInCode', data: { code: ".where('o.deleted_at', 'is', null)" }, output: "await db.selectFrom('users as u').innerJoin('organizations as o', 'o.id', 'u.org_id').where('o.deleted_at', 'is', null).where('u.deleted_at', 'is', null).selectAll().execute();" }],
        },
      ],
    },
    {
      code: "await db.selectFrom('orders as o').leftJoin('users as u', 'u.id', 'o.user_id').where('u.deleted_at', 'is', null).selectAll().execute();",
      errors: [{ messageId: 'outer-where', suggestions: [] }],
    },
    {
      code: "await db.selectFrom('users').where(({ eb, or }) => or([eb('deleted_at', 'is', null), eb('email', '=', email)])).selectAll().execute();",
      errors: [{ messageId: 'or-defeated', suggestions: [] }],
    },
    {
      // a raw statement inside a chain is the SQL front end's (with its suggestion), reported once
      code: "await knex('orders').whereIn('user_id', knex.raw('SELECT id FROM users')).where({ id });",
      errors: [
        {
          messageId: 'missing',
          column: 66,
          endColumn: 71,
          suggestions: [{ messageId: 'addFilter', output: "await knex('orders').whereIn('user_id', knex.raw('SELECT id FROM users WHERE deleted_at IS NULL')).where({ id });" }],
        },
      ],
    },
    {
      // each front end reports its own read: the chain's `users`, and the raw subquery's `organizations`
      code: "await knex('users').whereIn('org_id', knex.raw('SELECT id FROM organizations')).where({ email });",
      errors: [
        { messageId: 'missing', data: { table: 'users', alias: '', filter: 'deleted_at IS NULL', via: '' }, column: 13, suggestions: [{ messageId: 'addFilterInCode', output: "await knex('users').whereNull('deleted_at').whereIn('org_id', knex.raw('SELECT id FROM organizations')).where({ email });" }] },
        { messageId: 'missing', data: { table: 'organizations', alias: '', filter: 'deleted_at IS NULL', via: '' }, suggestions: [{ messageId: 'addFilter', output: "await knex('users').whereIn('org_id', knex.raw('SELECT id FROM organizations WHERE deleted_at IS NULL')).where({ email });" }] },
      ],
    },
  ],
});
