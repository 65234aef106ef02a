/**
 * Builders across expressions: a builder variable or a builder-returning function of the file used inside another
 * chain (`whereIn('id', q)`, `.union(q)`, `.with('name', q)`, `.withRecursive('name', q)`), and builders returned from functions and methods
 * then extended and run. Each branch keeps its own verdict, squiggle on its table name.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import rule from '../rules/require-soft-delete-filter.js';
import { tsRuleTester } from './helpers/rule-tester.js';

const project = fileURLToPath(new URL('./fixtures/clients-project', import.meta.url));
const settings = { 'soft-delete': { schema: [join(project, 'migrations/*.sql')] } };

tsRuleTester(settings).run('require-soft-delete-filter (builders across expressions)', rule as never, {
  valid: [
    "const live = knex('users').select('id').whereNull('deleted_at');\nawait knex('posts').whereIn('author_id', live).whereNull('deleted_at');",
    "const live = knex('users').select('id').whereNull('deleted_at');\nawait knex('posts').select('id').whereNull('deleted_at').union(live);",
    "await knex('posts').select('id').whereNull('deleted_at').unionAll([knex('users').select('id').whereNull('deleted_at')]);",
    "await knex.with('live', knex('users').whereNull('deleted_at')).select('*').from('live');",
    "await db.with('live', (qc) => qc.selectFrom('users').where('deleted_at', 'is', null).select('id')).selectFrom('live').selectAll().execute();",
    "function liveUsers() {\n  return knex('users').whereNull('deleted_at');\n}\nawait liveUsers().where({ email });",
    "class Repo {\n  base() {\n    return this.knex('posts');\n  }\n  async list() {\n    return this.base().where({ author_id: 1 }).whereNull('deleted_at');\n  }\n}",
    // filtered on some paths only: the subquery's verdict is unknown, not a report
    "const authors = knex('users').select('id');\nif (live) authors.whereNull('deleted_at');\nawait knex('posts').whereIn('author_id', authors).whereNull('deleted_at');",
    // a recursive CTE whose anchor and recursive terms both filter
    "await knex.withRecursive('chain', (qb) => {\n  qb.select('id', 'author_id').from('users').where('id', 1).whereNull('deleted_at').union((qb) => {\n    qb.select('u.id', 'u.author_id').from('users as u').join('chain', 'chain.author_id', 'u.id').whereNull('u.deleted_at');\n  });\n}).select('*').from('chain');",
    // kysely `withRecursive('name(columns)', …)` and knex column lists, each term filtered
    "await db.withRecursive('chain(id, author_id)', (qc) => qc.selectFrom('users').select(['id', 'author_id']).where('id', '=', 1).where('deleted_at', 'is', null).unionAll((qc) => qc.selectFrom('users').innerJoin('chain', 'chain.author_id', 'users.id').select(['users.id', 'users.author_id']).where('users.deleted_at', 'is', null))).selectFrom('chain').selectAll().execute();",
    "await knex.with('live(id)', (qb) => qb.select('id').from('users').whereNull('deleted_at')).select('*').from('live');",
    "await knex.withRecursive('live', ['id'], (qb) => qb.select('id').from('users').whereNull('deleted_at')).select('*').from('live');",
    // an async function runs its builder itself: what its caller does with the rows is not a read
    "async function posts() {\n  return knex('posts').whereNull('deleted_at');\n}\nconst rows = await posts();",
  ],
  invalid: [
    {
      code: "const authors = knex('users').select('id');\nawait knex('posts').whereIn('author_id', authors).whereNull('deleted_at');",
      errors: [{ messageId: 'missing', line: 1, column: 23, endColumn: 28 }],
    },
    {
      code: "const old = knex('users').select('id');\nawait knex('posts').select('id').whereNull('deleted_at').union(old);",
      errors: [{ messageId: 'missing', line: 1, column: 19, endColumn: 24 }],
    },
    {
      code: "await knex('posts').select('id').union(function () {\n  this.select('id').from('users');\n});",
      errors: [
        {
          messageId: 'missing', line: 1, column: 13, endColumn: 18,
          suggestions: [{ messageId: 'addFilterInCode', output: "await knex('posts').whereNull('deleted_at').select('id').union(function () {\n  this.select('id').from('users');\n});" }],
        },
        { messageId: 'missing', line: 2, column: 27, endColumn: 32 },
      ],
    },
    {
      code: "await knex.with('u', knex('users').select('id')).select('*').from('u');",
      errors: [{ messageId: 'missing', line: 1, column: 28, endColumn: 33 }],
    },
    {
      code: "await knex.with('u', (qb) => qb.select('id').from('users')).select('*').from('u');",
      errors: [{ messageId: 'missing', line: 1, column: 52, endColumn: 57 }],
    },
    {
      code: "await db.with('u', (qc) => qc.selectFrom('users').select('id')).selectFrom('u').selectAll().execute();",
      errors: [{ messageId: 'missing', line: 1, column: 43, endColumn: 48 }],
    },
    {
      // `withRecursive` is lowered to WITH RECURSIVE (it used to be skipped: the unfiltered body went unseen)
      code: "await knex.withRecursive('t', knex('users').select('id')).select('*').from('t');",
      errors: [{ messageId: 'missing', line: 1, column: 37, endColumn: 42 }],
    },
    {
      // the recursive term forgets the filter: reported there only
      code: "await knex.withRecursive('chain', (qb) => {\n  qb.select('id', 'author_id').from('users').where('id', 1).whereNull('deleted_at').union((qb) => {\n    qb.select('u.id', 'u.author_id').from('users as u').join('chain', 'chain.author_id', 'u.id');\n  });\n}).select('*').from('chain');",
      errors: [{ messageId: 'missing', line: 3, column: 44, endColumn: 49 }],
    },
    {
      // kysely `withRecursive` is lowered to WITH RECURSIVE (it used to be skipped): the recursive term forgets the filter
      code: "await db.withRecursive('chain(id, author_id)', (qc) => qc.selectFrom('users').select(['id', 'author_id']).where('id', '=', 1).where('deleted_at', 'is', null)\n  .unionAll((qc) => qc.selectFrom('users').innerJoin('chain', 'chain.author_id', 'users.id').select(['users.id', 'users.author_id']))).selectFrom('chain').selectAll().execute();",
      errors: [{ messageId: 'missing', line: 2, column: 36, endColumn: 41 }],
    },
    {
      code: "await knex.withRecursive('chain', ['id'], (qb) => qb.select('id').from('users')).select('*').from('chain');",
      errors: [{ messageId: 'missing', line: 1, column: 73, endColumn: 78 }],
    },
    {
      code: "function base() {\n  return knex('users').where({ email: 'a' });\n}\nawait base().where({ id: 1 });",
      // the filter goes where the builder is made: every caller of base() gets it
      errors: [{ messageId: 'missing', line: 2, column: 16, endColumn: 21, suggestions: [{ messageId: 'addFilterInCode', output: "function base() {\n  return knex('users').whereNull('deleted_at').where({ email: 'a' });\n}\nawait base().where({ id: 1 });" }] }],
    },
    {
      code: "function base() {\n  return knex('users');\n}\nconst q = base();\nq.where({ id: 1 });\nawait q;",
      errors: [{ messageId: 'missing', line: 2, column: 16, endColumn: 21, suggestions: [{ messageId: 'addFilterInCode', output: "function base() {\n  return knex('users').whereNull('deleted_at');\n}\nconst q = base();\nq.where({ id: 1 });\nawait q;" }] }],
    },
    {
      code: "class Repo {\n  base() {\n    return this.knex('posts');\n  }\n  async list() {\n    return this.base().where({ author_id: 1 });\n  }\n}",
      errors: [{ messageId: 'missing', line: 3, column: 23, endColumn: 28, suggestions: [{ messageId: 'addFilterInCode', output: "class Repo {\n  base() {\n    return this.knex('posts').whereNull('deleted_at');\n  }\n  async list() {\n    return this.base().where({ author_id: 1 });\n  }\n}" }] }],
    },
  ],
});
