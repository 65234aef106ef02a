import { Linter } from 'eslint';
import tsParser from '@typescript-eslint/parser';
import { describe, expect, it } from 'vitest';
import plugin from '../../src/index.js';
import rule from '../../rules/no-tombstone-update.js';
import { SEED_SETTINGS, sqlRuleTester, tsRuleTester } from '../helpers/rule-tester.js';

const filename = 'writes.sql';
const add = (output: string) => [{ messageId: 'addFilter', output }];

sqlRuleTester().run('no-tombstone-update (.sql)', rule as never, {
  valid: [
    { filename, code: 'UPDATE users SET email = $1 WHERE id = $2 AND deleted_at IS NULL;' },
    // Soft delete and restore set the column themselves.
    { filename, code: 'UPDATE users SET deleted_at = now() WHERE id = $1;' },
    { filename, code: 'UPDATE users SET deleted_at = NULL WHERE id = $1;' },
    // Deliberately on tombstones: anonymising deleted accounts.
    { filename, code: "UPDATE users SET email = 'erased-' || id WHERE deleted_at < now() - interval '30 days';" },
    // Not a soft-delete table.
    { filename, code: 'UPDATE orders SET total = 0 WHERE id = 1;' },
    { filename, code: 'UPDATE users SET email = $1 WHERE id = $2;', options: [{ allowLookupsBy: ['id'] }] },
    { filename, code: 'UPDATE users SET plan = $1 WHERE CURRENT OF c;' },
    // RETURNING hands the touched tombstones back: require-soft-delete-filter reports it (once, with the same fix).
    { filename, code: 'UPDATE users SET plan = $1 WHERE id = $2 OR email = $3 RETURNING id;' },
  ],
  invalid: [
    {
      filename,
      code: 'UPDATE users SET email = $1 WHERE id = $2;',
      errors: [{ messageId: 'tombstoneUpdate', line: 1, column: 8, endColumn: 13, suggestions: add('UPDATE users SET email = $1 WHERE id = $2 AND deleted_at IS NULL;') }],
    },
    {
      filename,
      code: "UPDATE users SET plan = 'free'",
      errors: [{ messageId: 'tombstoneUpdate', suggestions: add("UPDATE users SET plan = 'free' WHERE deleted_at IS NULL") }],
    },
    {
      filename,
      code: "UPDATE users u SET plan = 'x' FROM organizations o WHERE u.org_id = o.id AND o.deleted_at IS NULL;",
      errors: [
        {
          messageId: 'tombstoneUpdate',
          suggestions: add("UPDATE users u SET plan = 'x' FROM organizations o WHERE u.org_id = o.id AND o.deleted_at IS NULL AND u.deleted_at IS NULL;"),
        },
      ],
    },
    {
      filename,
      code: 'UPDATE users SET plan = $1 WHERE id = $2 OR email = $3;',
      errors: [{ messageId: 'tombstoneUpdate', suggestions: add('UPDATE users SET plan = $1 WHERE (id = $2 OR email = $3) AND deleted_at IS NULL;') }],
    },
  ],
});

tsRuleTester().run('no-tombstone-update (SQL in TypeScript)', rule as never, {
  valid: [],
  invalid: [
    {
      code: 'await sql`UPDATE users SET email = ${email} WHERE id = ${id}`;',
      errors: [{ messageId: 'tombstoneUpdate', suggestions: add('await sql`UPDATE users SET email = ${email} WHERE id = ${id} AND deleted_at IS NULL`;') }],
    },
  ],
});

describe('configs', () => {
  it('no-tombstone-update is in configs.strict only; no-hard-delete in both', () => {
    const rulesOf = (configs: Array<{ rules?: Record<string, unknown> }>) => Object.keys(configs[0]!.rules ?? {});
    expect(rulesOf(plugin.configs.recommended)).toContain('soft-delete/no-hard-delete');
    expect(rulesOf(plugin.configs.recommended)).not.toContain('soft-delete/no-tombstone-update');
    expect(rulesOf(plugin.configs.strict)).toEqual(expect.arrayContaining(['soft-delete/no-hard-delete', 'soft-delete/no-tombstone-update']));
    expect(plugin.configs.strict.map((c) => c.files)).toEqual(plugin.configs.recommended.map((c) => c.files));
  });
});

// Builder and ORM writes are lowered into the same statement model: the same check, the squiggle on the table name.
const objection = "class User extends Model {\n  static tableName = 'users';\n}\n";
const tombstone = [{ messageId: 'tombstoneUpdate', suggestions: [] }];
/** The filter added in the builder's idiom (the edited code is type-checked in test/builder-writes.test.ts). */
const inCode = (output: string) => [{ messageId: 'addFilterInCode', output }];

tsRuleTester().run('no-tombstone-update (knex, Objection, kysely)', rule as never, {
  valid: [
    { code: "await knex('users').where({ id }).whereNull('deleted_at').update({ email });" },
    { code: "await knex('users').where({ id, deleted_at: null }).update('email', email);" },
    { code: "await db.updateTable('users').set({ email }).where('id', '=', id).where('deleted_at', 'is', null).execute();" },
    { code: `${objection}await User.query().findById(id).whereNull('deleted_at').patch({ email });` },
    // The soft delete and the restore set the column: not a tombstone update.
    { code: "await knex('users').where({ id }).update({ deleted_at: knex.fn.now() });" },
    { code: "await knex('users').where({ id }).update({ deleted_at: null });" },
    { code: "await db.updateTable('users').set('deleted_at', sql`now()`).where('id', '=', id).execute();" },
    { code: `${objection}await User.query().patchAndFetchById(id, { deleted_at: new Date() });` },
    // Deliberately on tombstones: anonymising deleted accounts.
    { code: "await knex('users').whereNotNull('deleted_at').update({ email: null });" },
    // Not a soft-delete table; lookups allowed by option.
    { code: "await knex('orders').where({ id }).update({ total: 0 });" },
    { code: "await knex('users').where({ id }).update({ email });", options: [{ allowLookupsBy: ['id'] }] },
    // Objection's by-id methods are lookups by the model's idColumn (`id` unless the class says otherwise)
    { code: `${objection}await User.query().findById(id).patch({ email });`, options: [{ allowLookupsBy: ['id'] }] },
    { code: `${objection}await User.query().patchAndFetchById(id, { email });`, options: [{ allowLookupsBy: ['id'] }] },
    // an instance's `$query()` writes its own row by the same key
    { code: `${objection}export async function rename(user: User, email: string) { await user.$query().patch({ email }); }`, options: [{ allowLookupsBy: ['id'] }] },
    { code: `${objection}const user = new User();\nawait user.$query().whereNull('deleted_at').patch({ email });` },
    { code: `${objection}const user = new User();\nawait user.$query().patch({ deleted_at: new Date().toISOString() });` },
    {
      code: "class User extends Model {\n  static tableName = 'users';\n  static idColumn = 'email';\n}\nawait User.query().findById(e).patch({ name });",
      options: [{ allowLookupsBy: ['email'] }],
    },
    { code: "await knex('users').where({ id }).whereNull('deleted_at').update(changes);" },
  ],
  invalid: [
    // values the call does not spell out: reported, with a word about restores
    {
      code: "await knex('users').where({ id }).update(changes);",
      errors: [{ messageId: 'tombstoneUpdateUnseenValues', line: 1, column: 13, endColumn: 18, suggestions: inCode("await knex('users').whereNull('deleted_at').where({ id }).update(changes);") }],
    },
    {
      code: "await knex('users').where({ id }).update({ ...changes, updated_at: now });",
      errors: [{ messageId: 'tombstoneUpdateUnseenValues', suggestions: inCode("await knex('users').whereNull('deleted_at').where({ id }).update({ ...changes, updated_at: now });") }],
    },
    {
      // `update(values, returning)`: the second argument is not taken for a value when the first is not a name
      code: "await knex('users').where({ id }).update(changes, ['id']);",
      errors: [{ messageId: 'tombstoneUpdateUnseenValues', suggestions: inCode("await knex('users').whereNull('deleted_at').where({ id }).update(changes, ['id']);") }],
    },
    {
      code: "await db.updateTable('users').set(changes).where('id', '=', id).execute();",
      errors: [
        {
          messageId: 'tombstoneUpdateUnseenValues',
          column: 23,
          endColumn: 28,
          suggestions: inCode("await db.updateTable('users').where('deleted_at', 'is', null).set(changes).where('id', '=', id).execute();"),
        },
      ],
    },
    {
      code: "await knex('users').where({ id }).update({ email });",
      errors: [{ messageId: 'tombstoneUpdate', line: 1, column: 13, endColumn: 18, suggestions: inCode("await knex('users').whereNull('deleted_at').where({ id }).update({ email });") }],
    },
    {
      code: "await knex('users').where('id', id).update('plan', plan);",
      errors: [{ messageId: 'tombstoneUpdate', suggestions: inCode("await knex('users').whereNull('deleted_at').where('id', id).update('plan', plan);") }],
    },
    {
      code: "await knex('users').where({ id }).increment('logins', 1);",
      errors: [{ messageId: 'tombstoneUpdate', suggestions: inCode("await knex('users').whereNull('deleted_at').where({ id }).increment('logins', 1);") }],
    },
    // knex writes `a AND b OR c` flat: a filter chained anywhere would not cover the OR branch, so no edit
    { code: "await knex('users').where({ id }).orWhereNull('deleted_at').update({ plan });", errors: tombstone },
    {
      code: "await db.updateTable('users').set({ email }).where('id', '=', id).execute();",
      errors: [
        {
          messageId: 'tombstoneUpdate',
          line: 1,
          column: 23,
          endColumn: 28,
          suggestions: inCode("await db.updateTable('users').where('deleted_at', 'is', null).set({ email }).where('id', '=', id).execute();"),
        },
      ],
    },
    {
      code: "await db.updateTable('users').set('plan', plan).executeTakeFirst();",
      errors: [{ messageId: 'tombstoneUpdate', suggestions: inCode("await db.updateTable('users').where('deleted_at', 'is', null).set('plan', plan).executeTakeFirst();") }],
    },
    {
      code: `${objection}await User.query().findById(id).patch({ email });`,
      errors: [{ messageId: 'tombstoneUpdate', line: 4, column: 7, endColumn: 11, suggestions: inCode(`${objection}await User.query().whereNull('deleted_at').findById(id).patch({ email });`) }],
    },
    {
      code: `${objection}await User.query().findById(id).patch(changes);`,
      errors: [{ messageId: 'tombstoneUpdateUnseenValues', suggestions: inCode(`${objection}await User.query().whereNull('deleted_at').findById(id).patch(changes);`) }],
    },
    {
      code: `${objection}await User.query().patchAndFetchById(id, { email });`,
      errors: [{ messageId: 'tombstoneUpdate', suggestions: inCode(`${objection}await User.query().whereNull('deleted_at').patchAndFetchById(id, { email });`) }],
    },
    {
      code: `${objection}export async function rename(user: User, email: string) { await user.$query().patch({ email }); }`,
      errors: [{ messageId: 'tombstoneUpdate', line: 4, column: 70, endColumn: 76, suggestions: inCode(`${objection}export async function rename(user: User, email: string) { await user.$query().whereNull('deleted_at').patch({ email }); }`) }],
    },
    {
      // `$query().patch()` without values writes the instance's own properties: values not seen here
      code: `${objection}export async function save(user: User) { await user.$query().patch(); }`,
      errors: [{ messageId: 'tombstoneUpdateUnseenValues', line: 4, column: 53, endColumn: 59, suggestions: inCode(`${objection}export async function save(user: User) { await user.$query().whereNull('deleted_at').patch(); }`) }],
    },
    {
      code: `${objection}const user = new User();\nawait user.$query(trx).patchAndFetch({ email });`,
      errors: [{ messageId: 'tombstoneUpdate', line: 5, column: 12, endColumn: 18, suggestions: inCode(`${objection}const user = new User();\nawait user.$query(trx).whereNull('deleted_at').patchAndFetch({ email });`) }],
    },
    {
      code: `${objection}const user = new User();\nawait user.$query().update({ email, name });`,
      errors: [{ messageId: 'tombstoneUpdate', suggestions: inCode(`${objection}const user = new User();\nawait user.$query().whereNull('deleted_at').update({ email, name });`) }],
    },
    {
      // the key is `email`: an instance's write is no lookup by `id`
      code: "class User extends Model {\n  static tableName = 'users';\n  static idColumn = 'email';\n}\nconst user = new User();\nawait user.$query().patch({ name });",
      options: [{ allowLookupsBy: ['id'] }],
      errors: [{ messageId: 'tombstoneUpdate', suggestions: inCode("class User extends Model {\n  static tableName = 'users';\n  static idColumn = 'email';\n}\nconst user = new User();\nawait user.$query().whereNull('deleted_at').patch({ name });") }],
    },
    // the idColumn is not `id` (or not readable: a base class of the project's own): not a lookup by `id`
    {
      code: "class User extends Model {\n  static tableName = 'users';\n  static idColumn = 'email';\n}\nawait User.query().findById(e).patch({ name });",
      options: [{ allowLookupsBy: ['id'] }],
      errors: [{ messageId: 'tombstoneUpdate', suggestions: inCode("class User extends Model {\n  static tableName = 'users';\n  static idColumn = 'email';\n}\nawait User.query().whereNull('deleted_at').findById(e).patch({ name });") }],
    },
    {
      code: "class User extends BaseModel {\n  static tableName = 'users';\n}\nawait User.query().findById(id).patch({ name });",
      options: [{ allowLookupsBy: ['id'] }],
      errors: [{ messageId: 'tombstoneUpdate', suggestions: inCode("class User extends BaseModel {\n  static tableName = 'users';\n}\nawait User.query().whereNull('deleted_at').findById(id).patch({ name });") }],
    },
  ]
});

describe('UPDATE … RETURNING is reported once', () => {
  const lint = (code: string) =>
    new Linter()
      .verify(
        code,
        [
          {
            files: ['**/*.ts'],
            plugins: { 'soft-delete': plugin as never },
            languageOptions: { parser: tsParser },
            settings: SEED_SETTINGS,
            rules: { 'soft-delete/no-tombstone-update': 'error', 'soft-delete/require-soft-delete-filter': 'error' },
          },
        ],
        'writes.ts',
      )
      .map((m) => [m.ruleId, m.line, m.column, m.endColumn]);

  it.each([
    ['SQL', 'await sql`UPDATE users SET plan = ${plan} WHERE id = ${id} RETURNING id`;', 18],
    ['knex', "await knex('users').where({ id }).update({ plan }).returning('id');", 13],
    ['kysely', "await db.updateTable('users').set({ plan }).where('id', '=', id).returningAll().execute();", 23],
  ])('%s: by require-soft-delete-filter, not twice', (_name, code, column) => {
    expect(lint(code)).toEqual([['soft-delete/require-soft-delete-filter', 1, column, column + 5]]);
  });

  it('without RETURNING, no-tombstone-update reports it', () => {
    expect(lint('await sql`UPDATE users SET plan = ${plan} WHERE id = ${id}`;')).toEqual([['soft-delete/no-tombstone-update', 1, 18, 23]]);
  });

  it('without RETURNING, a builder UPDATE is reported by no-tombstone-update', () => {
    expect(lint("await knex('users').where({ id }).update({ plan });")).toEqual([['soft-delete/no-tombstone-update', 1, 13, 18]]);
  });
});

const PRISMA = { 'soft-delete': { schema: ['test/fixtures/prisma-project/prisma/schema.prisma'] } };

tsRuleTester(PRISMA).run('no-tombstone-update (Prisma client)', rule as never, {
  valid: [
    { code: 'await prisma.user.update({ where: { id, deletedAt: null }, data: { email } });' },
    { code: 'await prisma.user.updateMany({ where: { AND: [{ email }, { deletedAt: null }] }, data: { name } });' },
    // The soft delete and the restore.
    { code: 'await prisma.user.update({ where: { id }, data: { deletedAt: new Date() } });' },
    { code: 'await prisma.user.update({ where: { id }, data: { deletedAt: null } });' },
    // Deliberately on tombstones.
    { code: 'await prisma.user.updateMany({ where: { deletedAt: { not: null } }, data: { email: null } });' },
    { code: 'await prisma.tag.update({ where: { id }, data: { label } });' },
    { code: 'await prisma.user.update({ where: { id, deletedAt: null }, data });' },
    { code: 'await prisma.user.update({ where: { id }, data: { email } });', options: [{ allowLookupsBy: ['id'] }] },
  ],
  invalid: [
    {
      code: 'await prisma.user.update({ where: { id }, data: { email } });',
      errors: [{ messageId: 'tombstoneUpdate', line: 1, column: 14, endColumn: 18, suggestions: inCode('await prisma.user.update({ where: { id, deletedAt: null }, data: { email } });') }],
    },
    {
      code: 'await prisma.user.updateMany({ where: { email: { contains: x } }, data: { name: null } });',
      errors: [{ messageId: 'tombstoneUpdate', suggestions: inCode('await prisma.user.updateMany({ where: { email: { contains: x }, deletedAt: null }, data: { name: null } });') }],
    },
    { code: 'await prisma.post.updateMany({ data: { title } });', errors: [{ messageId: 'tombstoneUpdate', suggestions: inCode('await prisma.post.updateMany({ where: { deletedAt: null }, data: { title } });') }] },
    {
      code: 'await tx.user.update({ where: { id }, data: { posts: { create: { title } }, name } });',
      errors: [{ messageId: 'tombstoneUpdate', suggestions: inCode('await tx.user.update({ where: { id, deletedAt: null }, data: { posts: { create: { title } }, name } });') }],
    },
    // a where held in a variable is not edited
    { code: 'const where = { id };\nawait prisma.user.update({ where, data: { email } });', errors: tombstone },
    // values the call does not spell out (a variable, a spread): reported, with a word about restores
    {
      code: 'await prisma.user.update({ where: { id }, data });',
      errors: [{ messageId: 'tombstoneUpdateUnseenValues', suggestions: inCode('await prisma.user.update({ where: { id, deletedAt: null }, data });') }],
    },
    {
      code: 'await prisma.user.update({ where: { id }, data: { ...changes, name } });',
      errors: [{ messageId: 'tombstoneUpdateUnseenValues', suggestions: inCode('await prisma.user.update({ where: { id, deletedAt: null }, data: { ...changes, name } });') }],
    },
  ],
});

const DRIZZLE = { 'soft-delete': { schema: ['test/fixtures/drizzle-project/src/db/schema.ts'] } };
const D = "import { and, eq, isNotNull, isNull, or } from 'drizzle-orm';\nimport { tags, users } from './db/schema';\n";

tsRuleTester(DRIZZLE).run('no-tombstone-update (drizzle)', rule as never, {
  valid: [
    { code: `${D}await db.update(users).set({ email }).where(and(eq(users.id, id), isNull(users.deletedAt)));` },
    { code: `${D}await db.update(users).set({ deletedAt: new Date() }).where(eq(users.id, id));` },
    { code: `${D}await db.update(users).set({ deletedAt: null }).where(eq(users.id, id));` },
    { code: `${D}await db.update(users).set({ email: null }).where(isNotNull(users.deletedAt));` },
    { code: `${D}await db.update(tags).set({ label }).where(eq(tags.id, id));` },
    { code: `${D}await db.update(users).set(changes).where(and(eq(users.id, id), isNull(users.deletedAt)));` },
  ],
  invalid: [
    // values the call does not spell out: reported, with a word about restores
    { code: `${D}await db.update(users).set(changes).where(eq(users.id, id));`, errors: [{ messageId: 'tombstoneUpdateUnseenValues', line: 3, column: 17, endColumn: 22, suggestions: inCode(`${D}await db.update(users).set(changes).where(and(eq(users.id, id), isNull(users.deletedAt)));`) }] },
    {
      code: `${D}await db.update(users).set({ email }).where(eq(users.id, id));`,
      errors: [{ messageId: 'tombstoneUpdate', line: 3, column: 17, endColumn: 22, suggestions: inCode(`${D}await db.update(users).set({ email }).where(and(eq(users.id, id), isNull(users.deletedAt)));`) }],
    },
    {
      code: `${D}await db.update(users).set({ email }).where(or(eq(users.id, id), isNull(users.deletedAt))).execute();`,
      errors: [
        {
          messageId: 'tombstoneUpdate',
          suggestions: inCode(`${D}await db.update(users).set({ email }).where(and(or(eq(users.id, id), isNull(users.deletedAt)), isNull(users.deletedAt))).execute();`),
        },
      ],
    },
    { code: `${D}await db.update(users).set({ orgId: null });`, errors: [{ messageId: 'tombstoneUpdate', suggestions: inCode(`${D}await db.update(users).set({ orgId: null }).where(isNull(users.deletedAt));`) }] },
  ],
});

// TypeORM adds its @DeleteDateColumn filter to selects only: an update runs as written (test/orm-writes.test.ts).
const TYPEORM = { 'soft-delete': { schema: ['test/fixtures/typeorm-project/src/entities/*.ts'] } };
const E = "import { IsNull } from 'typeorm';\nimport { User } from '../entities/user.entity';\nconst repo = dataSource.getRepository(User);\n";

tsRuleTester(TYPEORM).run('no-tombstone-update (TypeORM)', rule as never, {
  valid: [
    { code: `${E}await repo.update({ id, deletedAt: IsNull() }, { email });` },
    { code: `${E}await dataSource.createQueryBuilder().update(User).set({ email }).where('id = :id', { id }).andWhere('"deletedAt" IS NULL').execute();` },
    // the soft delete and the restore set the column
    { code: `${E}await repo.update({ id }, { deletedAt: new Date() });` },
    { code: `${E}await repo.update({ id }, { deletedAt: null });` },
    { code: `${E}await repo.update({ id }, { email });`, options: [{ allowLookupsBy: ['id'] }] },
    // softDelete / restore are the ORM's own soft-delete writes
    { code: `${E}await repo.softDelete({ id });\nawait repo.restore({ id });` },
  ],
  invalid: [
    // the filter goes into the criteria: `deletedAt: IsNull()` (DB-proven in test/orm-behaviour.test.ts)
    { code: `${E}await repo.update({ id }, { email });`, errors: [{ messageId: 'tombstoneUpdate', line: 4, column: 12, endColumn: 18, suggestions: inCode(`${E}await repo.update({ id, deletedAt: IsNull() }, { email });`) }] },
    { code: `${E}await repo.update(id, { name: null });`, errors: [{ messageId: 'tombstoneUpdate', suggestions: inCode(`${E}await repo.update({ id, deletedAt: IsNull() }, { name: null });`) }] },
    { code: `${E}await repo.update(user.id, { name });`, errors: [{ messageId: 'tombstoneUpdate', suggestions: inCode(`${E}await repo.update({ id: user.id, deletedAt: IsNull() }, { name });`) }] },
    { code: `${E}await repo.increment({ id }, 'name', 1);`, errors: [{ messageId: 'tombstoneUpdate', suggestions: inCode(`${E}await repo.increment({ id, deletedAt: IsNull() }, 'name', 1);`) }] },
    {
      code: `${E}await dataSource.manager.update(User, { email }, { name });`,
      errors: [{ messageId: 'tombstoneUpdate', line: 4, column: 33, endColumn: 37, suggestions: inCode(`${E}await dataSource.manager.update(User, { email, deletedAt: IsNull() }, { name });`) }],
    },
    { code: `${E}await User.update({ id }, { email });`, errors: [{ messageId: 'tombstoneUpdate', line: 4, column: 7, endColumn: 11, suggestions: inCode(`${E}await User.update({ id, deletedAt: IsNull() }, { email });`) }] },
    // values the call does not spell out: reported, with a word about restores
    {
      code: `${E}await repo.update({ id }, changes);`,
      errors: [{ messageId: 'tombstoneUpdateUnseenValues', line: 4, column: 12, endColumn: 18, suggestions: inCode(`${E}await repo.update({ id, deletedAt: IsNull() }, changes);`) }],
    },
    // IsNull is imported when the file has not (added to its typeorm import, else a new one)
    {
      code: "import { User } from '../entities/user.entity';\nawait User.update({ id }, { email });",
      errors: [{ messageId: 'tombstoneUpdate', suggestions: inCode("import { User } from '../entities/user.entity';\nimport { IsNull } from 'typeorm';\nawait User.update({ id, deletedAt: IsNull() }, { email });") }],
    },
    {
      code: "import { In, type Repository } from 'typeorm';\nimport { User } from '../entities/user.entity';\nawait User.update({ id }, { email });",
      errors: [{ messageId: 'tombstoneUpdate', suggestions: inCode("import { In, type Repository, IsNull } from 'typeorm';\nimport { User } from '../entities/user.entity';\nawait User.update({ id, deletedAt: IsNull() }, { email });") }],
    },
    // the update query builder, as TypeORM runs it (no deletedAt filter added): an andWhere after the last where
    {
      code: `${E}await dataSource.createQueryBuilder().update(User).set({ email }).where('id = :id', { id }).execute();`,
      errors: [{ messageId: 'tombstoneUpdate', line: 4, column: 46, endColumn: 50, suggestions: inCode(`${E}await dataSource.createQueryBuilder().update(User).set({ email }).where('id = :id', { id }).andWhere('"deletedAt" IS NULL').execute();`) }],
    },
    { code: `${E}await dataSource.createQueryBuilder().update(User).set({ email }).execute();`, errors: [{ messageId: 'tombstoneUpdate', suggestions: inCode(`${E}await dataSource.createQueryBuilder().update(User).set({ email }).where('"deletedAt" IS NULL').execute();`) }] },
    // a where before the set: the filter goes after the where (a second .where() would replace it)
    {
      code: `${E}await dataSource.createQueryBuilder().update(User).whereInIds(ids).set({ email }).execute();`,
      errors: [{ messageId: 'tombstoneUpdate', suggestions: inCode(`${E}await dataSource.createQueryBuilder().update(User).whereInIds(ids).andWhere('"deletedAt" IS NULL').set({ email }).execute();`) }],
    },
    // no safe edit: a list of keys (it would need In), criteria in a variable, an orWhere (TypeORM joins wheres flat)
    { code: `${E}await repo.update([1, 2], { email });`, errors: tombstone },
    { code: `${E}await repo.update(criteria, { email });`, errors: tombstone },
    { code: `${E}await repo.update(paid, { email });`, errors: tombstone },
    { code: `${E}await dataSource.createQueryBuilder().update(User).set({ email }).where('id = :id', { id }).orWhere('email = :e', { e }).execute();`, errors: tombstone },
  ],
});

// Sequelize adds `deletedAt IS NULL` to a paranoid model's update itself, unless `paranoid: false`.
const SEQUELIZE = { 'soft-delete': { schema: ['test/fixtures/sequelize-project/models/*.js'] } };
const M = "const { User } = require('../models');\n";

tsRuleTester(SEQUELIZE).run('no-tombstone-update (Sequelize)', rule as never, {
  valid: [
    // filtered by Sequelize on a paranoid model: nothing to report
    { code: `${M}await User.update({ email }, { where: { id } });` },
    { code: `${M}await db.User.update({ displayName }, { where: { email } });` },
    // `paranoid: false` and deliberately on tombstones / a restore
    { code: `${M}await User.update({ email: null }, { where: { deletedAt: { [Op.ne]: null } }, paranoid: false });` },
    { code: `${M}await User.update({ deletedAt: null }, { where: { id }, paranoid: false });` },
    { code: `${M}await User.update({ email }, { where: { id }, paranoid: false });`, options: [{ allowLookupsBy: ['id'] }] },
    // options decided at run time: not judged
    { code: `${M}await User.update({ email }, { where: { id }, paranoid: includeDeleted });` },
  ],
  invalid: [
    // the filter goes into the where: `deletedAt: null` (DB-proven in test/orm-behaviour.test.ts)
    {
      code: `${M}await User.update({ email }, { where: { id }, paranoid: false });`,
      errors: [{ messageId: 'tombstoneUpdate', line: 2, column: 7, endColumn: 11, suggestions: inCode(`${M}await User.update({ email }, { where: { id, deletedAt: null }, paranoid: false });`) }],
    },
    {
      code: `${M}await db.User.update({ displayName: null }, { where: { email }, paranoid: false });`,
      errors: [{ messageId: 'tombstoneUpdate', suggestions: inCode(`${M}await db.User.update({ displayName: null }, { where: { email, deletedAt: null }, paranoid: false });`) }],
    },
    { code: `${M}await User.update({ email }, { where: {}, paranoid: false });`, errors: [{ messageId: 'tombstoneUpdate', suggestions: inCode(`${M}await User.update({ email }, { where: { deletedAt: null }, paranoid: false });`) }] },
    { code: `${M}await User.update({ email }, { where, paranoid: false });`, errors: tombstone },
  ],
});

// `paranoid: true` with `timestamps: false`: Sequelize ignores paranoid (no deletedAt attribute), so the update runs
// unfiltered on a table that still has deleted_at (DB-proven in test/orm-behaviour.test.ts).
tsRuleTester({ 'soft-delete': { schema: ['test/fixtures/orm-behaviour/src/models/*.ts'] } }).run('no-tombstone-update (Sequelize, paranoid without timestamps)', rule as never, {
  valid: [{ code: "import { Legacy } from './models/member.model';\nawait Legacy.update({ email }, { where: { id, deletedAt: null } });" }],
  invalid: [
    {
      code: "import { Legacy } from './models/member.model';\nawait Legacy.update({ email }, { where: { id } });",
      errors: [{ messageId: 'tombstoneUpdate', suggestions: inCode("import { Legacy } from './models/member.model';\nawait Legacy.update({ email }, { where: { id, deletedAt: null } });") }],
    },
  ],
});
