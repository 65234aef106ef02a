/**
 * Builder and ORM writes through the real ESLint class: no-hard-delete and no-tombstone-update see them because
 * every front end lowers its writes into the statement model SQL writes use (one check per rule, whatever the source).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import tsParser from '@typescript-eslint/parser';
import { describe, expect, it } from 'vitest';
import { applySuggestions, squiggleLines } from './helpers/fixture-lint.js';
import plugin from '../src/index.js';
import { parse } from '@typescript-eslint/typescript-estree';
import type { TSESTree } from '@typescript-eslint/utils';
import { visitorKeys } from '@typescript-eslint/visitor-keys';
import { clearSchemaCache, loadSchema } from '../src/schema/load.js';
import { normalizeSettings } from '../src/settings.js';
import { extractPrismaClient } from '../src/extract/prisma-client.js';
import { extractDrizzle } from '../src/extract/drizzle.js';
import { mayHoldDatabaseAccess } from '../src/js/program.js';
import { typeChecker } from './helpers/type-check.js';

const root = join(fileURLToPath(new URL('..', import.meta.url)));
const program = (code: string) => parse(code, { range: true, loc: true }) as unknown as TSESTree.Program;

describe('Prisma client writes', () => {
  const models = loadSchema(root, normalizeSettings({ schema: ['test/fixtures/prisma-project/prisma/schema.prisma'] })).prismaModels;
  const sql = (code: string) => extractPrismaClient(program(code), visitorKeys, models).map((f) => f.text);

  it.each([
    ['await prisma.user.delete({ where: { id } })', ['DELETE FROM users WHERE id = $1']],
    ['await prisma.post.deleteMany()', ['DELETE FROM "Post"']],
    ['await prisma.user.deleteMany({ where: { deletedAt: { not: null } } })', ['DELETE FROM users WHERE deleted_at IS NOT NULL']],
    ['await prisma.user.update({ where: { id, deletedAt: null }, data: { email, name: null } })', ['UPDATE users SET email = $2, name = NULL WHERE id = $1 AND deleted_at IS NULL']],
    ['await prisma.user.update({ where: { id }, data: { deletedAt: new Date() } })', ['UPDATE users SET deleted_at = $2 WHERE id = $1']],
    // a relation filter reads the related table: its own read, checked by require-soft-delete-filter
    [
      'await prisma.user.updateMany({ where: { posts: { some: { title } } }, data: { name } })',
      ['UPDATE users SET name = $2 WHERE $1', 'SELECT * FROM "Post" WHERE title = $1'],
    ],
    // nested writes of other tables are theirs; the scalar sets stay
    ['await prisma.user.update({ where: { id }, data: { posts: { create: { title } }, name } })', ['UPDATE users SET name = $2 WHERE id = $1']],
    // values we cannot see: an assignment to an unseen column (it might be the soft-delete column)
    ['await prisma.user.update({ where: { id }, data })', ['UPDATE users SET "__sd_ident_1" = $2 WHERE id = $1']],
    ['await prisma.user.update({ where: { id }, data: { ...changes, name } })', ['UPDATE users SET "__sd_ident_1" = $2, name = $3 WHERE id = $1']],
    // not lowered: keys that are not fields, a spread of the arguments
    ['await prisma.user.update({ where: { id }, data: { nope: 1 } })', []],
    ['await prisma.user.delete({ ...args })', []],
    ['await prisma.user.upsert({ where: { id }, create: {}, update: {} })', []],
  ])('%s', (code, expected) => {
    expect(sql(code)).toEqual(expected);
  });

  it('the table maps onto the delegate', () => {
    const code = 'await prisma.user.delete({ where: { id } })';
    const [fragment] = extractPrismaClient(program(code), visitorKeys, models);
    const at = fragment!.text.indexOf('users');
    expect(code.slice(fragment!.toSource(at), fragment!.toSource(at + 4) + 1)).toBe('user');
  });
});

describe('drizzle writes', () => {
  const tables = loadSchema(root, normalizeSettings({ schema: ['test/fixtures/drizzle-project/src/db/schema.ts'] })).drizzleTables;
  const H = "import { and, eq, isNull } from 'drizzle-orm';\nimport { users } from './db/schema';\n";
  const sql = (code: string) => extractDrizzle(program(H + code), visitorKeys, tables).map((f) => f.text);

  it.each([
    ['await db.delete(users).where(eq(users.id, id))', ['DELETE FROM users WHERE users.id = $1']],
    ['await db.delete(users).returning()', ['DELETE FROM users RETURNING *']],
    [
      'await db.update(users).set({ email, orgId: null }).where(and(eq(users.id, id), isNull(users.deletedAt))).execute()',
      ['UPDATE users SET email = $1, org_id = NULL WHERE (users.id = $2 AND users.deleted_at IS NULL)'],
    ],
    ['await db.update(users).set({ deletedAt: new Date() }).where(eq(users.id, id))', ['UPDATE users SET deleted_at = $1 WHERE users.id = $2']],
    ['await db.update(users).set(changes).where(eq(users.id, id))', ['UPDATE users SET "__sd_ident_1" = $1 WHERE users.id = $2']],
    ['await db.update(users).set({ nope: 1 })', []],
    ['db.delete(users).where(eq(users.id, id))', []],
  ])('%s', (code, expected) => {
    expect(sql(code)).toEqual(expected);
  });
});

const project = join(fileURLToPath(new URL('.', import.meta.url)), 'fixtures', 'builder-writes');

async function lintProject(): Promise<string[]> {
  clearSchemaCache();
  const eslint = new ESLint({
    cwd: project,
    overrideConfigFile: true,
    overrideConfig: [
      {
        files: ['**/*.ts'],
        languageOptions: { parser: tsParser },
        settings: {
          'soft-delete': { schema: ['migrations/*.sql', 'prisma/schema.prisma', 'src/db/schema.ts', 'src/entities/*.ts', 'models/*.js'] },
        },
      },
      ...plugin.configs.strict,
    ],
  });
  return squiggleLines(await eslint.lintFiles(['src']), project, (m) => m.ruleId ?? '');
}

describe('builder and ORM writes, linted end to end', () => {
  it('reports hard deletes and tombstone updates at the table name; soft deletes, purges and filtered updates pass', async () => {
    expect(await lintProject()).toEqual([
      'src/drizzle-writes.ts:12 soft-delete/no-tombstone-update users',
      'src/drizzle-writes.ts:8 soft-delete/no-hard-delete users',
      'src/knex-writes.ts:10 soft-delete/no-tombstone-update users',
      'src/knex-writes.ts:6 soft-delete/no-hard-delete users',
      'src/kysely-writes.ts:10 soft-delete/no-tombstone-update users',
      // RETURNING hands the touched rows back: reported once, by the read rule
      'src/kysely-writes.ts:14 soft-delete/require-soft-delete-filter users',
      'src/kysely-writes.ts:6 soft-delete/no-hard-delete users',
      'src/objection-writes.ts:12 soft-delete/no-tombstone-update User',
      'src/objection-writes.ts:8 soft-delete/no-hard-delete User',
      'src/prisma-writes.ts:10 soft-delete/no-tombstone-update user',
      'src/prisma-writes.ts:6 soft-delete/no-hard-delete user',
      // Sequelize filters a paranoid model's update itself, unless `paranoid: false`
      'src/sequelize-writes.ts:18 soft-delete/no-tombstone-update Session',
      'src/sequelize-writes.ts:9 soft-delete/no-hard-delete Session',
      'src/typeorm-writes.ts:10 soft-delete/no-hard-delete delete',
      'src/typeorm-writes.ts:23 soft-delete/no-hard-delete Account',
      // TypeORM does not filter an update: the one without `deletedAt: IsNull()` is reported
      'src/typeorm-writes.ts:28 soft-delete/no-tombstone-update Account',
    ]);
  });
});

describe('the file pre-check', () => {
  it('lets through files whose only database access is a write without other database words', () => {
    expect(mayHoldDatabaseAccess("await trx('users').del();")).toBe(true);
    expect(mayHoldDatabaseAccess('await this.accounts.remove(account);')).toBe(true);
    expect(mayHoldDatabaseAccess('await Session.destroy({ force: true });')).toBe(true);
    expect(mayHoldDatabaseAccess("await repo.increment({ id }, 'logins', 1);")).toBe(true);
    expect(mayHoldDatabaseAccess('button.remove();\nnode.parentNode.removeChild(node);')).toBe(false);
  });
});

/**
 * no-tombstone-update's suggestions in the builder's idiom: every one in a fixture project is applied, the edited
 * files must type-check against the libraries' real types (knex, kysely, Objection, drizzle-orm), and re-linting
 * finds no tombstone update left. The same for no-hard-delete's soft deletes.
 */
describe('write suggestions in the builder idiom, applied and type-checked', () => {
  const fixture = join(fileURLToPath(new URL('.', import.meta.url)), 'fixtures', 'write-suggestions');
  const RULE = 'soft-delete/no-tombstone-update';
  const linter = () =>
    new ESLint({ cwd: fixture, overrideConfigFile: true, overrideConfig: [{ files: ['**/*.ts'], languageOptions: { parser: tsParser } }, ...plugin.configs.strict] });

  const typeErrors = typeChecker(fixture);

  it('every tombstone update gets one; applied, the code type-checks and re-lints clean', { timeout: 300_000 }, async () => {
    expect(typeErrors(new Map())).toEqual([]); // before any edit: an error after one is the edit's
    clearSchemaCache();
    const eslint = linter();
    const edited = new Map<string, string>();
    const applied: Record<string, string[]> = {};
    for (const name of ['knex-updates.ts', 'kysely-updates.ts', 'objection-updates.ts', 'drizzle-writes.ts']) {
      const file = join(fixture, 'src', name);
      const [before] = await eslint.lintFiles([file]);
      const updates = before!.messages.filter((m) => m.ruleId === RULE);
      expect(updates.length, name).toBeGreaterThan(0);
      expect(updates.every((m) => m.suggestions?.length === 1), name).toBe(true);
      const outcome = await applySuggestions(eslint, file, readFileSync(file, 'utf8'), RULE);
      expect(outcome.left, name).toEqual([]);
      applied[name] = outcome.applied;
      edited.set(file, outcome.text);
    }
    expect(applied).toEqual({
      'knex-updates.ts': [
        "Add `.whereNull('deleted_at')` to the update.",
        "Add `.whereNull('deleted_at')` to the update.",
        "Add `.whereNull('o.deleted_at')` to the update.",
        "Add `.whereNull('deleted_at')` to the update.",
      ],
      'kysely-updates.ts': ["Add `.where('deleted_at', 'is', null)` to the update.", "Add `.where('deleted_at', 'is', null)` to the update."],
      'objection-updates.ts': ["Add `.whereNull('deleted_at')` to the update.", "Add `.whereNull('deleted_at')` to the update.", "Add `.whereNull('deleted_at')` to the update."],
      'drizzle-writes.ts': ['Add `isNull(users.deletedAt)` to the update.', 'Add `isNull(users.deletedAt)` to the update.'],
    });
    expect(edited.get(join(fixture, 'src', 'knex-updates.ts'))).toContain("knex('users').whereNull('deleted_at').where({ id }).update({ email })");
    expect(edited.get(join(fixture, 'src', 'knex-updates.ts'))).toContain("knex('users').whereNull('deleted_at').where({ id }).update(changes)");
    expect(edited.get(join(fixture, 'src', 'objection-updates.ts'))).toContain("User.query().whereNull('deleted_at').findById(id).patch({ email })");
    expect(edited.get(join(fixture, 'src', 'objection-updates.ts'))).toContain("user.$query().whereNull('deleted_at').patch({ email })");
    expect(typeErrors(edited)).toEqual([]);
    // and the check can fail: a filter on a column the table does not have is a type error
    const kysely = join(fixture, 'src', 'kysely-updates.ts');
    const wrong = new Map([[kysely, edited.get(kysely)!.replace(".where('deleted_at', 'is', null)", ".where('removed_at', 'is', null)")]]);
    expect(typeErrors(wrong).join('\n')).toMatch(/kysely-updates\.ts:\d+ .*removed_at/);
  });

  it('every hard delete gets a soft delete; applied, the code type-checks and re-lints clean', { timeout: 300_000 }, async () => {
    clearSchemaCache();
    const eslint = linter();
    const edited = new Map<string, string>();
    const applied: Record<string, string[]> = {};
    for (const name of ['knex-deletes.ts', 'kysely-deletes.ts', 'objection-deletes.ts', 'drizzle-writes.ts']) {
      const file = join(fixture, 'src', name);
      const outcome = await applySuggestions(eslint, file, readFileSync(file, 'utf8'), 'soft-delete/no-hard-delete');
      expect(outcome.left, name).toEqual([]);
      applied[name] = outcome.applied;
      edited.set(file, outcome.text);
    }
    expect(applied).toEqual({
      'knex-deletes.ts': [
        "Soft-delete instead: `.whereNull('deleted_at').update({ deleted_at: knex.fn.now() })`.",
        "Soft-delete instead: `.whereNull('deleted_at').update({ deleted_at: trx.fn.now() })`.",
      ],
      'kysely-deletes.ts': [
        "Soft-delete instead: `updateTable(…).set({ deleted_at: sql`now()` }).where('deleted_at', 'is', null)`.",
        "Soft-delete instead: `updateTable(…).set({ deleted_at: sql`now()` }).where('deleted_at', 'is', null)`.",
      ],
      'objection-deletes.ts': [
        "Soft-delete instead: `.whereNull('deleted_at').patch({ deleted_at: Organization.fn.now() })`.",
        "Soft-delete instead: `.whereNull('deleted_at').patch({ deleted_at: Organization.fn.now() })`.",
        "Soft-delete instead: `.whereNull('deleted_at').patch({ deleted_at: Organization.fn.now() })`.",
      ],
      'drizzle-writes.ts': [
        'Soft-delete instead: `update(…).set({ deletedAt: sql`now()` })`.',
        'Soft-delete instead: `update(…).set({ deletedAt: sql`now()` })`.',
      ],
    });
    expect(edited.get(join(fixture, 'src', 'knex-deletes.ts'))).toContain("knex('users').whereNull('deleted_at').where({ id }).update({ deleted_at: knex.fn.now() })");
    expect(edited.get(join(fixture, 'src', 'objection-deletes.ts'))).toContain(
      "Organization.query().whereNull('deleted_at').findById(id).patch({ deleted_at: Organization.fn.now() })",
    );
    expect(edited.get(join(fixture, 'src', 'objection-deletes.ts'))).toContain("org.$query().whereNull('deleted_at').patch({ deleted_at: Organization.fn.now() })");
    expect(edited.get(join(fixture, 'src', 'kysely-deletes.ts'))).toContain("import { sql } from 'kysely';");
    expect(typeErrors(edited)).toEqual([]);
    // and the check can fail: a soft delete of a column the table does not have is a type error
    const drizzle = join(fixture, 'src', 'drizzle-writes.ts');
    const wrong = new Map([[drizzle, edited.get(drizzle)!.replace('set({ deletedAt:', 'set({ removedAt:')]]);
    expect(typeErrors(wrong).join('\n')).toMatch(/drizzle-writes\.ts:\d+ .*removedAt/);
  });
});
