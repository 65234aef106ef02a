/**
 * The front-end contract and client recognition by binding: renamed tag imports, factory-made clients, class
 * fields, transaction callbacks, Objection models, and table names imported from other modules, in a fixture
 * project linted through the real ESLint class and in RuleTester cases.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import rule from '../rules/require-soft-delete-filter.js';
import { FRONT_ENDS } from '../src/extract/registry.js';
import { mayHoldDatabaseAccess } from '../src/js/program.js';
import { quoteIdent } from '../src/sql/ident.js';
import { tsRuleTester } from './helpers/rule-tester.js';
import { lintFixtureSrc } from './helpers/fixture-lint.js';

const project = fileURLToPath(new URL('./fixtures/clients-project', import.meta.url));

const lintProject = (): Promise<string[]> => lintFixtureSrc(project);

describe('clients and names by binding, through the real ESLint class', () => {
  it('reports each client style with the squiggle on the table name, and nothing in the fixed file', async () => {
    expect(await lintProject()).toEqual([
      'src/class-field.ts:8 missing DashboardsTableName',
      'src/factory-client.ts:7 missing Tables.Users',
      'src/imported-client.ts:4 missing customers',
      'src/objection.ts:4 missing Person',
      'src/transaction.ts:8 missing TableName.Customers',
    ]);
  });
});

const settings = { 'soft-delete': { schema: [join(project, 'migrations/*.sql')] } };

tsRuleTester(settings).run('require-soft-delete-filter (clients by binding)', rule as never, {
  valid: [
    "import { sql as q } from 'kysely';\nawait q`select * from users where deleted_at is null`.execute(db);",
    "import knexFactory from 'knex';\nconst store = knexFactory({});\nawait store('users').where({ email }).whereNull('deleted_at');",
    // a name that is not a client by binding or by name is not a query builder
    "const store = new Map();\nawait store('users').where({ email });",
  ],
  invalid: [
    {
      code: "import { sql as q } from 'kysely';\nawait q`select * from users where id = ${id}`.execute(db);",
      errors: [{ messageId: 'missing', line: 2, column: 23, endColumn: 28, suggestions: [{ messageId: 'addFilter', output: "import { sql as q } from 'kysely';\nawait q`select * from users where id = ${id} AND deleted_at IS NULL`.execute(db);" }] }],
    },
    {
      code: "import postgres from 'postgres';\nconst pg = postgres();\nawait pg`select * from users`;",
      errors: [{ messageId: 'missing', line: 3, column: 24, endColumn: 29, suggestions: [{ messageId: 'addFilter', output: "import postgres from 'postgres';\nconst pg = postgres();\nawait pg`select * from users WHERE deleted_at IS NULL`;" }] }],
    },
    {
      code: "import knexFactory from 'knex';\nconst store = knexFactory({});\nawait store('users').where({ email }).first();",
      errors: [{ messageId: 'missing', line: 3, column: 14, endColumn: 19, suggestions: [{ messageId: 'addFilterInCode', output: "import knexFactory from 'knex';\nconst store = knexFactory({});\nawait store('users').whereNull('deleted_at').where({ email }).first();" }] }],
    },
    {
      code: "const knex = require('knex')({});\nawait knex('users').where({ email });",
      errors: [{ messageId: 'missing', line: 2, column: 13, endColumn: 18, suggestions: [{ messageId: 'addFilterInCode', output: "const knex = require('knex')({});\nawait knex('users').whereNull('deleted_at').where({ email });" }] }],
    },
    {
      code: "import type { Knex } from 'knex';\nclass Repo {\n  constructor(private readonly store: Knex) {}\n  find(email: string) {\n    return this.store('users').where({ email }).then((r) => r);\n  }\n}",
      errors: [{ messageId: 'missing', line: 5, column: 24, endColumn: 29, suggestions: [{ messageId: 'addFilterInCode', output: "import type { Knex } from 'knex';\nclass Repo {\n  constructor(private readonly store: Knex) {}\n  find(email: string) {\n    return this.store('users').whereNull('deleted_at').where({ email }).then((r) => r);\n  }\n}" }] }],
    },
    {
      code: "import knexFactory from 'knex';\nconst pool = knexFactory({});\nawait pool.transaction(async (t) => {\n  await t('users').where({ email });\n});",
      errors: [{ messageId: 'missing', line: 4, column: 12, endColumn: 17, suggestions: [{ messageId: 'addFilterInCode', output: "import knexFactory from 'knex';\nconst pool = knexFactory({});\nawait pool.transaction(async (t) => {\n  await t('users').whereNull('deleted_at').where({ email });\n});" }] }],
    },
    {
      code: "class Person extends Model {\n  static tableName = 'persons';\n}\nawait Person.query().where('name', n);",
      errors: [{ messageId: 'missing', line: 4, column: 7, endColumn: 13, suggestions: [{ messageId: 'addFilterInCode', output: "class Person extends Model {\n  static tableName = 'persons';\n}\nawait Person.query().whereNull('deleted_at').where('name', n);" }] }],
    },
    {
      code: "const T = { Users: 'users' } as const;\nawait knex(T.Users).where({ email });",
      errors: [{ messageId: 'missing', line: 2, column: 12, endColumn: 19, suggestions: [{ messageId: 'addFilterInCode', output: "const T = { Users: 'users' } as const;\nawait knex(T.Users).whereNull('deleted_at').where({ email });" }] }],
    },
    {
      code: "enum T { Users = 'users' }\nawait knex(`${T.Users}`).where(`${T.Users}.email`, email);",
      errors: [{ messageId: 'missing', line: 2, column: 15, endColumn: 22, suggestions: [{ messageId: 'addFilterInCode', output: "enum T { Users = 'users' }\nawait knex(`${T.Users}`).whereNull('deleted_at').where(`${T.Users}.email`, email);" }] }],
    },
    {
      code: "import { PrismaClient } from '@prisma/client';\nconst client = new PrismaClient();\nfunction txClient() {\n  return client.$extends({});\n}\nconst tx = txClient();\nawait tx.$queryRaw`select * from users`;",
      errors: [{ messageId: 'missing', line: 7, column: 34, endColumn: 39, suggestions: [{ messageId: 'addFilter', output: "import { PrismaClient } from '@prisma/client';\nconst client = new PrismaClient();\nfunction txClient() {\n  return client.$extends({});\n}\nconst tx = txClient();\nawait tx.$queryRaw`select * from users WHERE deleted_at IS NULL`;" }] }],
    },
  ],
});

describe('the front-end contract', () => {
  it('has one registry of front ends with distinct ids', () => {
    const ids = FRONT_ENDS.map((f) => f.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual(expect.arrayContaining(['sql-text', 'sql-in-code', 'query-builders', 'prisma-client', 'drizzle']));
  });

  it('skips files that cannot reach a database before walking them', () => {
    expect(mayHoldDatabaseAccess("import React from 'react';\nexport const Button = () => <button>ok</button>;")).toBe(false);
    expect(mayHoldDatabaseAccess('await db.user.findMany()')).toBe(true);
    expect(mayHoldDatabaseAccess("await knex('users').where({ id })")).toBe(true);
    expect(mayHoldDatabaseAccess('sql`SELECT 1`')).toBe(true);
  });

  it('quotes identifiers the way PostgreSQL does (keywords from the real scanner)', () => {
    expect(quoteIdent('users')).toBe('users');
    expect(quoteIdent('name')).toBe('name'); // an unreserved keyword
    expect(quoteIdent('user')).toBe('"user"'); // reserved
    expect(quoteIdent('order')).toBe('"order"');
    expect(quoteIdent('Users')).toBe('"Users"');
    expect(quoteIdent('a"b')).toBe('"a""b"');
    expect(quoteIdent('a$b')).toBe('"a$b"');
  });
});

tsRuleTester(settings).run('require-soft-delete-filter (builders kept in variables)', rule as never, {
  valid: [
    // the filter is applied on every path before the builder runs
    "const q = knex('users').where({ email });\nq.whereNull('deleted_at');\nconst rows = await q;",
    "const q = knex('users').whereNull('deleted_at');\nif (mine) q.where('author_id', me);\nconst rows = await q;",
    "let q = db.selectFrom('users').selectAll();\nq = q.where('deleted_at', 'is', null);\nawait q.execute();",
    // a filter on some paths only (a deliberate toggle, or not): unknown, not reported
    "const q = knex('users').where({ email });\nif (x) q.orWhere('id', 1).whereNull('deleted_at');\nawait q;",
    "const q = knex('users').where({ email });\nif (!withDeleted) q.whereNull('deleted_at');\nawait q;",
    // handed to code we cannot see: unknown
    "const q = knex('users').where({ email });\napplyFilters(q);\nawait q;",
    // never run here
    "const q = knex('users').where({ email });\nexport default q;",
  ],
  invalid: [
    {
      code: "const q = knex('posts').leftJoin('users', 'users.id', 'posts.author_id').whereNull('posts.deleted_at');\nif (onlyMine) q.where('author_id', me);\nconst rows = await q;",
      errors: [{ messageId: 'missing', line: 1, column: 35, endColumn: 40, suggestions: [] }],
    },
    {
      // ordering on some paths changes nothing: the read is still unfiltered
      code: "const q = knex('users').where({ email });\nif (x) q.orderBy('id');\nconst rows = await q.first();",
      errors: [{ messageId: 'missing', line: 1, column: 17, endColumn: 22, suggestions: [{ messageId: 'addFilterInCode', output: "const q = knex('users').whereNull('deleted_at').where({ email });\nif (x) q.orderBy('id');\nconst rows = await q.first();" }] }],
    },
    {
      code: "let q = db.selectFrom('users').selectAll();\nq.where('deleted_at', 'is', null);\nawait q.execute();",
      errors: [{ messageId: 'missing', line: 1, column: 24, endColumn: 29, suggestions: [{ messageId: 'addFilterInCode', output: "let q = db.selectFrom('users').where('deleted_at', 'is', null).selectAll();\nq.where('deleted_at', 'is', null);\nawait q.execute();" }] }],
    },
  ],
});
