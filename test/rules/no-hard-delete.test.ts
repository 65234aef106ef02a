import rule from '../../rules/no-hard-delete.js';
import { sqlRuleTester, tsRuleTester } from '../helpers/rule-tester.js';

const filename = 'jobs.sql';
const soft = (output: string) => [{ messageId: 'softDelete', output }];

sqlRuleTester().run('no-hard-delete (.sql)', rule as never, {
  valid: [
    // Not a soft-delete table.
    { filename, code: 'DELETE FROM orders WHERE id = $1;' },
    // Purges and archival of rows already soft-deleted.
    { filename, code: "DELETE FROM users WHERE deleted_at < now() - interval '90 days';" },
    { filename, code: 'DELETE FROM users WHERE deleted_at IS NOT NULL;' },
    { filename, code: 'DELETE FROM users u WHERE u.id = $1 AND u.deleted_at IS NOT NULL;' },
    { filename, code: "DELETE FROM users WHERE deleted_at IS NOT NULL AND (plan = 'free' OR email LIKE '%@test')" },
    { filename, code: "DELETE FROM memberships WHERE valid_to < now() - interval '1 year';" },
    // The soft delete itself.
    { filename, code: 'UPDATE users SET deleted_at = now() WHERE id = $1 AND deleted_at IS NULL;' },
  ],
  invalid: [
    {
      filename,
      code: 'DELETE FROM users WHERE id = $1;',
      errors: [
        {
          messageId: 'hardDelete',
          line: 1,
          column: 13,
          endColumn: 18,
          suggestions: soft('UPDATE users SET deleted_at = now() WHERE id = $1 AND deleted_at IS NULL;'),
        },
      ],
    },
    {
      filename,
      code: 'DELETE FROM users;',
      errors: [{ messageId: 'hardDelete', suggestions: soft('UPDATE users SET deleted_at = now() WHERE deleted_at IS NULL;') }],
    },
    {
      filename,
      code: 'DELETE FROM ONLY users RETURNING id',
      errors: [{ messageId: 'hardDelete', suggestions: soft('UPDATE ONLY users SET deleted_at = now() WHERE deleted_at IS NULL RETURNING id') }],
    },
    {
      filename,
      code: 'DELETE FROM users u USING organizations o WHERE u.org_id = o.id AND o.deleted_at IS NOT NULL RETURNING u.id;',
      errors: [
        {
          messageId: 'hardDelete',
          suggestions: soft(
            'UPDATE users u SET deleted_at = now() FROM organizations o WHERE u.org_id = o.id AND o.deleted_at IS NOT NULL AND u.deleted_at IS NULL RETURNING u.id;',
          ),
        },
      ],
    },
    {
      filename,
      code: 'DELETE FROM users WHERE id = $1 OR email = $2;',
      errors: [{ messageId: 'hardDelete', suggestions: soft('UPDATE users SET deleted_at = now() WHERE (id = $1 OR email = $2) AND deleted_at IS NULL;') }],
    },
    // Deleting live rows only is still a hard delete.
    {
      filename,
      code: 'DELETE FROM users WHERE deleted_at IS NULL AND id = $1;',
      errors: [{ messageId: 'hardDelete', suggestions: soft('UPDATE users SET deleted_at = now() WHERE deleted_at IS NULL AND id = $1;') }],
    },
    // Inside a CTE.
    {
      filename,
      code: 'WITH gone AS (DELETE FROM users WHERE id = $1 RETURNING id) SELECT count(*) FROM gone;',
      errors: [
        {
          messageId: 'hardDelete',
          suggestions: soft('WITH gone AS (UPDATE users SET deleted_at = now() WHERE id = $1 AND deleted_at IS NULL RETURNING id) SELECT count(*) FROM gone;'),
        },
      ],
    },
    // An active-row predicate from settings: reported, no mechanical rewrite.
    { filename, code: 'DELETE FROM memberships WHERE user_id = $1;', errors: [{ messageId: 'hardDelete', suggestions: [] }] },
  ],
});

tsRuleTester().run('no-hard-delete (SQL in TypeScript)', rule as never, {
  valid: [{ code: 'await sql`DELETE FROM orders WHERE id = ${id}`;' }],
  invalid: [
    {
      code: 'await sql`DELETE FROM users WHERE id = ${id}`;',
      errors: [
        {
          messageId: 'hardDelete',
          line: 1,
          column: 23,
          suggestions: soft('await sql`UPDATE users SET deleted_at = now() WHERE id = ${id} AND deleted_at IS NULL`;'),
        },
      ],
    },
    {
      code: "await pool.query('DELETE FROM users WHERE email = $1', [email]);",
      errors: [{ messageId: 'hardDelete', suggestions: soft("await pool.query('UPDATE users SET deleted_at = now() WHERE email = $1 AND deleted_at IS NULL', [email]);") }],
    },
  ],
});

// Builder and ORM writes are lowered into the same statement model: the same check, the squiggle on the table name.
const objection = "class User extends Model {\n  static tableName = 'users';\n}\n";
const hard = [{ messageId: 'hardDelete', suggestions: [] }];
/** The soft delete in the code's own idiom (the edited code is type-checked in test/builder-writes.test.ts). */
const inCode = (output: string) => [{ messageId: 'hardDelete', suggestions: [{ messageId: 'softDeleteInCode', output }] }];

tsRuleTester().run('no-hard-delete (knex, Objection, kysely)', rule as never, {
  valid: [
    // Not a soft-delete table.
    { code: "await knex('orders').where({ id }).del();" },
    { code: "await db.deleteFrom('orders').where('id', '=', id).execute();" },
    // Purges of rows already soft-deleted.
    { code: "await knex('users').whereNotNull('deleted_at').del();" },
    { code: "await knex('users').where('deleted_at', '<', cutoff).delete();" },
    { code: "await db.deleteFrom('users').where('deleted_at', 'is not', null).execute();" },
    { code: "await db.deleteFrom('users').where('deleted_at', '<', cutoff).execute();" },
    { code: `${objection}await User.query().whereNotNull('deleted_at').delete();` },
    // The soft delete itself.
    { code: "await knex('users').where({ id }).update({ deleted_at: knex.fn.now() });" },
    { code: "await db.updateTable('users').set({ deleted_at: new Date() }).where('id', '=', id).execute();" },
    { code: `${objection}await User.query().findById(id).patch({ deleted_at: new Date().toISOString() });` },
    // Not run: a builder that is never awaited or executed is not a statement.
    { code: "const q = db.deleteFrom('users').where('id', '=', id);" },
  ],
  invalid: [
    {
      code: "await knex('users').where({ id }).del();",
      errors: [{ ...inCode("await knex('users').whereNull('deleted_at').where({ id }).update({ deleted_at: knex.fn.now() });")[0], line: 1, column: 13, endColumn: 18 }],
    },
    {
      code: "await knex('users').where('id', id).delete().returning('id');",
      errors: inCode("await knex('users').whereNull('deleted_at').where('id', id).update({ deleted_at: knex.fn.now() }).returning('id');"),
    },
    // already kept to live rows: only the write changes
    {
      code: "await this.knex('users').whereNull('deleted_at').where({ id }).del();",
      errors: inCode("await this.knex('users').whereNull('deleted_at').where({ id }).update({ deleted_at: this.knex.fn.now() });"),
    },
    { code: "await trx('users').del();", errors: inCode("await trx('users').whereNull('deleted_at').update({ deleted_at: trx.fn.now() });") },
    {
      // the OR branch added at run time is not kept to live rows: it soft-deletes again what the DELETE would remove
      code: "const q = knex('users').where('org_id', org);\nif (all) q.orWhere('plan', 'free');\nawait q.del();",
      errors: [{ ...inCode("const q = knex('users').whereNull('deleted_at').where('org_id', org);\nif (all) q.orWhere('plan', 'free');\nawait q.update({ deleted_at: knex.fn.now() });")[0], line: 1, column: 17 }],
    },
    // knex: del(returning) — not rewritten
    { code: "await knex('users').where({ id }).del(['id']);", errors: hard },
    {
      code: "import type { Kysely } from 'kysely';\nawait db.deleteFrom('users').where('id', '=', id).execute();",
      errors: [
        {
          ...inCode("import type { Kysely } from 'kysely';\nimport { sql } from 'kysely';\nawait db.updateTable('users').set({ deleted_at: sql`now()` }).where('deleted_at', 'is', null).where('id', '=', id).execute();")[0],
          line: 2,
          column: 22,
          endColumn: 27,
        },
      ],
    },
    {
      code: "import { Kysely, sql as raw } from 'kysely';\nawait db.deleteFrom('users').where('id', '=', id).where('deleted_at', 'is', null).execute();",
      errors: inCode("import { Kysely, sql as raw } from 'kysely';\nawait db.updateTable('users').set({ deleted_at: raw`now()` }).where('id', '=', id).where('deleted_at', 'is', null).execute();"),
    },
    // an alias needs the qualified column: no edit offered; no import to follow: none either
    { code: "import { Kysely } from 'kysely';\nawait db.deleteFrom('users as u').where('u.id', '=', id).returningAll().executeTakeFirst();", errors: hard },
    { code: "await db.deleteFrom('users').where('id', '=', id).execute();", errors: hard },
    {
      // an instance's delete of its own row
      code: `${objection}const user = new User();\nawait user.$query().delete();`,
      errors: [{ ...inCode(`${objection}const user = new User();\nawait user.$query().whereNull('deleted_at').patch({ deleted_at: User.fn.now() });`)[0], line: 5, column: 12, endColumn: 18 }],
    },
    {
      code: `${objection}await User.query().deleteById(id);`,
      errors: [{ ...inCode(`${objection}await User.query().whereNull('deleted_at').findById(id).patch({ deleted_at: User.fn.now() });`)[0], line: 4, column: 7, endColumn: 11 }],
    },
    {
      code: `${objection}await User.query().where('email', email).delete();`,
      errors: inCode(`${objection}await User.query().whereNull('deleted_at').where('email', email).patch({ deleted_at: User.fn.now() });`),
    },
  ],
});

const PRISMA = { 'soft-delete': { schema: ['test/fixtures/prisma-project/prisma/schema.prisma'] } };

tsRuleTester(PRISMA).run('no-hard-delete (Prisma client)', rule as never, {
  valid: [
    // Not a soft-delete model.
    { code: 'await prisma.tag.delete({ where: { id } });' },
    // The soft delete, and purges of rows already soft-deleted.
    { code: 'await prisma.user.update({ where: { id }, data: { deletedAt: new Date() } });' },
    { code: 'await prisma.user.deleteMany({ where: { deletedAt: { not: null } } });' },
    { code: 'await prisma.user.deleteMany({ where: { deletedAt: { lt: cutoff } } });' },
    // Reads are another rule's business.
    { code: 'await prisma.user.findMany({ where: { deletedAt: null } });' },
    // A client whose extension handles soft delete may turn deletes into updates too: not judged.
    {
      code: "import { PrismaClient } from '@prisma/client';\nconst prisma = new PrismaClient().$extends({ query: { $allModels: { findMany({ args, query }) { args.where = { ...args.where, deletedAt: null }; return query(args); } } } });\nawait prisma.user.delete({ where: { id } });",
    },
  ],
  invalid: [
    {
      code: 'await prisma.user.delete({ where: { id } });',
      errors: [{ ...inCode('await prisma.user.update({ where: { id, deletedAt: null }, data: { deletedAt: new Date() } });')[0], line: 1, column: 14, endColumn: 18 }],
    },
    {
      code: 'await prisma.user.deleteMany({ where: { email: { endsWith: domain } } });',
      errors: inCode('await prisma.user.updateMany({ where: { email: { endsWith: domain }, deletedAt: null }, data: { deletedAt: new Date() } });'),
    },
    { code: 'await prisma.post.deleteMany();', errors: inCode('await prisma.post.updateMany({ where: { deletedAt: null }, data: { deletedAt: new Date() } });') },
    { code: 'await prisma.post.deleteMany({});', errors: inCode('await prisma.post.updateMany({ where: { deletedAt: null }, data: { deletedAt: new Date() } });') },
    // already kept to live rows: only the write changes
    {
      code: 'await this.prisma.user.delete({ where: { id, deletedAt: null } });',
      errors: inCode('await this.prisma.user.update({ where: { id, deletedAt: null }, data: { deletedAt: new Date() } });'),
    },
  ],
});

const DRIZZLE = { 'soft-delete': { schema: ['test/fixtures/drizzle-project/src/db/schema.ts'] } };
const D = "import { and, eq, isNotNull, isNull, lt } from 'drizzle-orm';\nimport { tags, users } from './db/schema';\n";

tsRuleTester(DRIZZLE).run('no-hard-delete (drizzle)', rule as never, {
  valid: [
    { code: `${D}await db.delete(tags).where(eq(tags.id, id));` },
    { code: `${D}await db.update(users).set({ deletedAt: new Date() }).where(eq(users.id, id));` },
    { code: `${D}await db.delete(users).where(isNotNull(users.deletedAt));` },
    { code: `${D}await db.delete(users).where(lt(users.deletedAt, cutoff));` },
    // not run
    { code: `${D}const q = db.delete(users).where(eq(users.id, id));` },
  ],
  invalid: [
    {
      code: `${D}await db.delete(users).where(eq(users.id, id));`,
      errors: [
        {
          ...inCode(`${D.replace('lt }', 'lt, sql }')}await db.update(users).set({ deletedAt: sql\`now()\` }).where(and(eq(users.id, id), isNull(users.deletedAt)));`)[0],
          line: 3,
          column: 17,
          endColumn: 22,
        },
      ],
    },
    {
      code: `${D}await db.delete(users).where(and(eq(users.id, id), isNull(users.deletedAt))).returning();`,
      errors: inCode(`${D.replace('lt }', 'lt, sql }')}await db.update(users).set({ deletedAt: sql\`now()\` }).where(and(eq(users.id, id), isNull(users.deletedAt))).returning();`),
    },
    { code: `${D}await tx.delete(users);`, errors: inCode(`${D.replace('lt }', 'lt, sql }')}await tx.update(users).set({ deletedAt: sql\`now()\` }).where(isNull(users.deletedAt));`) },
    {
      // the operators the edit needs are added to the import
      code: "import { eq, sql } from 'drizzle-orm';\nimport { users } from './db/schema';\nawait db.delete(users).where(eq(users.id, id));",
      errors: inCode("import { eq, sql, and, isNull } from 'drizzle-orm';\nimport { users } from './db/schema';\nawait db.update(users).set({ deletedAt: sql`now()` }).where(and(eq(users.id, id), isNull(users.deletedAt)));"),
    },
  ],
});

const TYPEORM = { 'soft-delete': { schema: ['test/fixtures/typeorm-project/src/entities/*.ts'] } };
const E = "import { User } from '../entities/user.entity';\n";

tsRuleTester(TYPEORM).run('no-hard-delete (TypeORM, on an entity with @DeleteDateColumn)', rule as never, {
  valid: [
    // softDelete / softRemove set the @DeleteDateColumn: the soft delete itself
    { code: `${E}const repo = dataSource.getRepository(User);\nawait repo.softDelete(id);\nawait repo.softRemove(user);` },
    // purges of rows already soft-deleted
    { code: `${E}const repo = dataSource.getRepository(User);\nawait repo.delete({ deletedAt: Not(IsNull()) });` },
    { code: `${E}await dataSource.manager.delete(User, { deletedAt: LessThan(cutoff) });` },
    // not a repository we know of
    { code: `${E}await cache.delete(id);\nawait list.remove(user);` },
  ],
  invalid: [
    { code: `${E}const repo = dataSource.getRepository(User);\nawait repo.delete(id);`, errors: [{ ...inCode(`${E}const repo = dataSource.getRepository(User);\nawait repo.softDelete(id);`)[0], line: 3, column: 12, endColumn: 18 }] },
    { code: `${E}const repo = dataSource.getRepository(User);\nawait repo.delete({ email });`, errors: inCode(`${E}const repo = dataSource.getRepository(User);\nawait repo.softDelete({ email });`) },
    { code: `${E}const repo = dataSource.getRepository(User);\nawait repo.remove(user);`, errors: inCode(`${E}const repo = dataSource.getRepository(User);\nawait repo.softRemove(user);`) },
    {
      code: `${E}class Users {\n  constructor(@InjectRepository(User) private readonly users: Repository<User>) {}\n  async rm(id: number) {\n    await this.users.delete(id);\n  }\n}`,
      errors: [{ ...inCode(`${E}class Users {\n  constructor(@InjectRepository(User) private readonly users: Repository<User>) {}\n  async rm(id: number) {\n    await this.users.softDelete(id);\n  }\n}`)[0], line: 5, column: 22, endColumn: 28 }],
    },
    { code: `${E}class Users {\n  private repo: Repository<User>;\n  rm(id: number) {\n    return this.repo.delete({ id });\n  }\n}`, errors: inCode(`${E}class Users {\n  private repo: Repository<User>;\n  rm(id: number) {\n    return this.repo.softDelete({ id });\n  }\n}`) },
    { code: `${E}await dataSource.manager.delete(User, { id });`, errors: [{ ...inCode(`${E}await dataSource.manager.softDelete(User, { id });`)[0], line: 2, column: 33, endColumn: 37 }] },
    { code: `${E}await dataSource.transaction((manager) => manager.remove(User, user));`, errors: inCode(`${E}await dataSource.transaction((manager) => manager.softRemove(User, user));`) },
    // BaseEntity statics
    { code: `${E}await User.delete({ id });`, errors: [{ ...inCode(`${E}await User.softDelete({ id });`)[0], line: 2, column: 7, endColumn: 11 }] },
  ],
});

const SEQUELIZE = { 'soft-delete': { schema: ['test/fixtures/sequelize-project/models/*.js'] } };
const M = "const { User } = require('../models');\n";

tsRuleTester(SEQUELIZE).run('no-hard-delete (Sequelize, on a paranoid model)', rule as never, {
  valid: [
    // on a paranoid model, destroy() sets deletedAt: the soft delete itself
    { code: `${M}await User.destroy({ where: { id } });` },
    { code: `${M}await User.destroy({ where: { id }, force: false });` },
    // purges of rows already soft-deleted
    { code: `${M}await User.destroy({ where: { deletedAt: { [Op.ne]: null } }, force: true });` },
    { code: `${M}await User.destroy({ where: { deletedAt: { [Op.lt]: cutoff } }, force: true });` },
    // force decided at run time, options we cannot see: not judged
    { code: `${M}await User.destroy({ where: { id }, force: hard });` },
    { code: `${M}await User.destroy(options);` },
  ],
  invalid: [
    // without `force`, a paranoid model's destroy is its soft delete
    { code: `${M}await User.destroy({ where: { id }, force: true });`, errors: [{ ...inCode(`${M}await User.destroy({ where: { id } });`)[0], line: 2, column: 7, endColumn: 11 }] },
    { code: `${M}await db.User.destroy({ force: true, where: { email } });`, errors: [{ ...inCode(`${M}await db.User.destroy({ where: { email } });`)[0], line: 2, column: 10, endColumn: 14 }] },
    { code: `${M}await User.destroy({ truncate: true, force: true });`, errors: inCode(`${M}await User.destroy({ truncate: true });`) },
    { code: `${M}await User.destroy({ force: true });`, errors: inCode(`${M}await User.destroy({ });`) },
  ],
});

// `paranoid: true` with `timestamps: false`: Sequelize ignores paranoid, so destroy() is a DELETE (DB-proven in
// test/orm-behaviour.test.ts); without a deletedAt attribute there is no destroy that soft-deletes to suggest.
tsRuleTester({ 'soft-delete': { schema: ['test/fixtures/orm-behaviour/src/models/*.ts'] } }).run('no-hard-delete (Sequelize, paranoid without timestamps)', rule as never, {
  valid: [{ code: "import { Member } from './models/member.model';\nawait Member.destroy({ where: { id } });" }],
  invalid: [{ code: "import { Legacy } from './models/member.model';\nawait Legacy.destroy({ where: { id } });", errors: [{ messageId: 'hardDelete', suggestions: [] }] }],
});

// a table only settings declare (the schema does not hold it): its writes are judged by the setting, as its reads are
sqlRuleTester({ 'soft-delete': { schema: [], tables: { archive: { column: 'deleted_at' }, ledger: { active: 'valid_to IS NULL' } } } }).run('no-hard-delete (tables from settings)', rule as never, {
  valid: [
    { filename: 'purge.sql', code: 'DELETE FROM archive WHERE deleted_at IS NOT NULL;' },
    { filename: 'other.sql', code: 'DELETE FROM orders WHERE id = $1;' },
  ],
  invalid: [
    {
      filename: 'delete.sql',
      code: 'DELETE FROM archive WHERE id = $1;',
      errors: [{ messageId: 'hardDelete', line: 1, column: 13, endColumn: 20, suggestions: [{ messageId: 'softDelete', output: 'UPDATE archive SET deleted_at = now() WHERE id = $1 AND deleted_at IS NULL;' }] }],
    },
    { filename: 'ledger.sql', code: 'DELETE FROM ledger WHERE id = $1;', errors: [{ messageId: 'hardDelete', suggestions: [] }] },
  ],
});
