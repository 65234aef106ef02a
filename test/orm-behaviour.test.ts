/**
 * What TypeORM and Sequelize run, on a real PostgreSQL (PGlite behind a wire-protocol server), set against what the
 * plugin says about the same code. The rules trust an ORM's reads where it filters them itself, lower its writes to
 * the SQL it runs, and say nothing about its soft deletes; each of those beliefs is a claim about the library, so
 * each case here runs the call on a live row (id 1) and a soft-deleted one (id 2) and asserts both the rows it
 * returned or left behind and the SQL it sent — and, for writes, that the plugin reports exactly the calls that
 * hard-delete a row or modify a tombstone.
 *
 * The entity and the models are the fixture project's own files: the same declarations are read by the plugin,
 * imported here to run, and type-checked by the suggestion tests.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import tsParser from '@typescript-eslint/parser';
import { ESLint } from 'eslint';
import { Op, Sequelize } from 'sequelize';
import { DataSource, IsNull, Not, type Logger } from 'typeorm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import plugin from '../src/index.js';
import { clearSchemaCache } from '../src/schema/load.js';
import { PGLITE_TIMEOUT, servedDatabase } from './helpers/pglite.js';
import { Account } from './fixtures/orm-behaviour/src/entities/account.entity.js';
import { Legacy, Member, initModels } from './fixtures/orm-behaviour/src/models/member.model.js';

const fixture = fileURLToPath(new URL('./fixtures/orm-behaviour/', import.meta.url));
const AsyncFunction = Object.getPrototypeOf(async () => {}).constructor as new (...args: string[]) => (...values: unknown[]) => Promise<unknown>;

const TABLES = `
CREATE TABLE accounts (id serial PRIMARY KEY, name text NOT NULL, logins integer NOT NULL DEFAULT 0, "deletedAt" timestamptz);
CREATE TABLE members (id serial PRIMARY KEY, email text NOT NULL, created_at timestamptz NOT NULL, updated_at timestamptz NOT NULL, deleted_at timestamptz);
CREATE TABLE legacies (id serial PRIMARY KEY, email text NOT NULL, deleted_at timestamptz);
`;
/** Row 1 is live, row 2 was soft-deleted on this date. */
const DELETED_ON = '2020-01-01T00:00:00.000Z';
const LIVE = 1;
const TOMBSTONE = 2;

/** The rules that report `code` (the body of an async function with `head` above it) in the fixture project. */
async function reports(head: string, code: string): Promise<string[]> {
  const eslint = new ESLint({
    cwd: fixture,
    overrideConfigFile: true,
    overrideConfig: [{ files: ['**/*.ts'], languageOptions: { parser: tsParser } }, ...plugin.configs.strict],
  });
  const text = `${head}\nexport async function run(id: number, name: string) {\n  ${code}\n}\n`;
  const [result] = await eslint.lintText(text, { filePath: join(fixture, 'src', 'case.ts') });
  const fatal = result!.messages.filter((m) => m.fatal);
  expect(fatal).toEqual([]);
  return result!.messages.map((m) => m.ruleId!.replace('soft-delete/', '')).sort();
}

/** What happened to a row: still as inserted, modified, soft-deleted (its column set), or gone. */
type Effect = 'untouched' | 'modified' | 'soft-deleted' | 're-stamped' | 'gone';

function effectOn(before: Row | undefined, after: Row | undefined): Effect {
  if (!after) return 'gone';
  if (JSON.stringify(before) === JSON.stringify(after)) return 'untouched';
  const { deleted: was, ...restBefore } = before!;
  const { deleted: is, ...restAfter } = after;
  if (JSON.stringify(restBefore) === JSON.stringify(restAfter)) return was === null ? 'soft-deleted' : 're-stamped';
  return 'modified';
}

interface Row {
  id: number;
  value: string;
  deleted: string | null;
}

describe('TypeORM on PostgreSQL', { timeout: PGLITE_TIMEOUT }, () => {
  const { db, server } = servedDatabase(TABLES);
  const log: string[] = [];
  let dataSource: DataSource;

  beforeAll(async () => {
    const logger: Logger = {
      logQuery: (query) => void log.push(query),
      logQueryError: () => {},
      logQuerySlow: () => {},
      logSchemaBuild: () => {},
      logMigration: () => {},
      log: () => {},
    };
    // one connection: PGlite is one session
    dataSource = new DataSource({ type: 'postgres', url: server().url, entities: [Account], extra: { max: 1 }, logging: ['query'], logger });
    await dataSource.initialize();
  }, PGLITE_TIMEOUT);
  afterAll(async () => {
    await dataSource?.destroy();
  }, PGLITE_TIMEOUT);
  beforeEach(async () => {
    await db().exec(
      `TRUNCATE accounts RESTART IDENTITY; INSERT INTO accounts (name, "deletedAt") VALUES ('live', NULL), ('gone', '${DELETED_ON}');`,
    );
    log.length = 0;
  });

  const rows = async (): Promise<Row[]> =>
    (await db().query<{ id: number; name: string; logins: number; deletedAt: Date | null }>('SELECT * FROM accounts ORDER BY id')).rows.map((r) => ({
      id: r.id,
      value: `${r.name}/${r.logins}`,
      deleted: r.deletedAt?.toISOString() ?? null,
    }));
  const run = (code: string, id: number) => {
    const fn = new AsyncFunction('repo', 'dataSource', 'Account', 'IsNull', 'Not', 'id', 'name', code);
    return fn(dataSource.getRepository(Account), dataSource, Account, IsNull, Not, id, 'renamed');
  };
  const HEAD = [
    "import { IsNull, Not, type DataSource } from 'typeorm';",
    "import { Account } from './entities/account.entity';",
    'declare const dataSource: DataSource;',
    'const repo = dataSource.getRepository(Account);',
  ].join('\n');

  describe('reads: find*, count and the select query builder keep to live rows; withDeleted() does not', () => {
    it.each<[string, number[], boolean]>([
      ["return repo.find({ order: { id: 'ASC' } })", [LIVE], true],
      // asking find for deleted rows without withDeleted finds none: the filter is added to the criteria
      ['return repo.findBy({ deletedAt: Not(IsNull()) })', [], true],
      ['return [await repo.findOneBy({ id })].filter(Boolean)', [], true],
      ["return repo.createQueryBuilder('a').orderBy('a.id').getMany()", [LIVE], true],
      ["return dataSource.createQueryBuilder(Account, 'a').where('a.id = :id', { id }).getMany()", [], true],
      // deliberate reads of tombstones: the library's own switches turn its filter off
      ["return repo.find({ withDeleted: true, order: { id: 'ASC' } })", [LIVE, TOMBSTONE], false],
      ['return [await repo.findOne({ where: { id }, withDeleted: true })].filter(Boolean)', [TOMBSTONE], false],
      ["return repo.createQueryBuilder('a').withDeleted().orderBy('a.id').getMany()", [LIVE, TOMBSTONE], false],
    ])('%s', async (code, ids, filtered) => {
      const found = (await run(code, TOMBSTONE)) as Account[];
      expect(found.map((a) => a.id)).toEqual(ids);
      const selects = log.filter((q) => /^SELECT/i.test(q));
      expect(selects.length).toBeGreaterThan(0);
      for (const sql of selects) expect(/"deletedAt" IS NULL/.test(sql), sql).toBe(filtered);
      // the plugin trusts the library's reads: nothing to report either way
      expect(await reports(HEAD, code)).toEqual([]);
    });

    it('count() counts live rows', async () => {
      expect(await run('return repo.count()', 0)).toBe(1);
      expect(await run('return repo.count({ withDeleted: true })', 0)).toBe(2);
    });
  });

  describe('writes: the plugin reports exactly the calls that hard-delete or modify a tombstone', () => {
    // [code, the row it is run on, what happens to that row, the rules that report it]
    it.each<[string, number, Effect, string[]]>([
      // update, increment and the update query builder run as written: no deletedAt filter
      ['await repo.update({ id }, { name })', TOMBSTONE, 'modified', ['no-tombstone-update']],
      ['await repo.update(id, { name })', TOMBSTONE, 'modified', ['no-tombstone-update']],
      ['await dataSource.manager.update(Account, { id }, { name })', TOMBSTONE, 'modified', ['no-tombstone-update']],
      ["await repo.increment({ id }, 'logins', 1)", TOMBSTONE, 'modified', ['no-tombstone-update']],
      [
        "await dataSource.createQueryBuilder().update(Account).set({ name }).where('id = :id', { id }).execute()",
        TOMBSTONE,
        'modified',
        ['no-tombstone-update'],
      ],
      // with the filter in the criteria (the suggestion's form), the tombstone is left alone
      ['await repo.update({ id, deletedAt: IsNull() }, { name })', TOMBSTONE, 'untouched', []],
      ['await dataSource.manager.update(Account, { id, deletedAt: IsNull() }, { name })', TOMBSTONE, 'untouched', []],
      ['await repo.update({ id, deletedAt: IsNull() }, { name })', LIVE, 'modified', []],
      ["await repo.increment({ id, deletedAt: IsNull() }, 'logins', 1)", TOMBSTONE, 'untouched', []],
      [
        `await dataSource.createQueryBuilder().update(Account).set({ name }).where('id = :id', { id }).andWhere('"deletedAt" IS NULL').execute()`,
        TOMBSTONE,
        'untouched',
        [],
      ],
      // delete and remove delete the row; softDelete and softRemove set the @DeleteDateColumn
      ['await repo.delete(id)', LIVE, 'gone', ['no-hard-delete']],
      ['await repo.delete({ id })', LIVE, 'gone', ['no-hard-delete']],
      ['await dataSource.manager.delete(Account, { id })', LIVE, 'gone', ['no-hard-delete']],
      ['await repo.remove(await repo.findOneByOrFail({ id }))', LIVE, 'gone', ['no-hard-delete']],
      ['await repo.softDelete(id)', LIVE, 'soft-deleted', []],
      ['await repo.softRemove(await repo.findOneByOrFail({ id }))', LIVE, 'soft-deleted', []],
      // a purge of rows already soft-deleted leaves live rows alone
      ['await repo.delete({ id, deletedAt: Not(IsNull()) })', LIVE, 'untouched', []],
      ['await repo.delete({ id, deletedAt: Not(IsNull()) })', TOMBSTONE, 'gone', []],
    ])('%s (on row %i)', async (code, id, effect, rules) => {
      const before = (await rows()).find((r) => r.id === id);
      await run(code, id);
      const after = (await rows()).find((r) => r.id === id);
      expect(effectOn(before, after)).toBe(effect);
      expect(await reports(HEAD, code)).toEqual(rules);
    });

    it('the SQL: update has no deletedAt filter; softDelete sets the column with an UPDATE', async () => {
      await run('await repo.update({ id }, { name })', TOMBSTONE);
      await run('await repo.softDelete(id)', LIVE);
      await run('await repo.delete(id)', LIVE);
      const writes = log.filter((q) => /^(UPDATE|DELETE)/i.test(q));
      expect(writes).toHaveLength(3);
      expect(writes[0]).toMatch(/^UPDATE "accounts" SET "name" = \$1 WHERE/);
      expect(writes[0]).not.toMatch(/deletedAt/);
      expect(writes[1]).toMatch(/^UPDATE "accounts" SET "deletedAt" = CURRENT_TIMESTAMP/);
      expect(writes[2]).toMatch(/^DELETE FROM "accounts" WHERE/);
    });

    it('softDelete and softRemove keep to live rows: a row already soft-deleted keeps its deletion time', async () => {
      await run('await repo.softDelete(id)', TOMBSTONE);
      await run('await repo.softRemove(await repo.findOneOrFail({ where: { id }, withDeleted: true }))', TOMBSTONE);
      expect((await rows())[1]!.deleted).toBe(DELETED_ON);
      const softDeletes = log.filter((q) => /^UPDATE/i.test(q));
      expect(softDeletes).toHaveLength(2);
      for (const sql of softDeletes) expect(sql).toMatch(/SET "deletedAt" = CURRENT_TIMESTAMP WHERE .*"deletedAt" IS NULL/);
    });
  });
});

describe('Sequelize on PostgreSQL', { timeout: PGLITE_TIMEOUT }, () => {
  const { db, server } = servedDatabase(TABLES);
  const log: string[] = [];
  let sequelize: Sequelize;

  beforeAll(async () => {
    sequelize = new Sequelize(server().url, { dialect: 'postgres', logging: (sql) => void log.push(sql), pool: { max: 1 } });
    initModels(sequelize);
    await sequelize.authenticate();
  }, PGLITE_TIMEOUT);
  afterAll(async () => {
    await sequelize?.close();
  }, PGLITE_TIMEOUT);
  beforeEach(async () => {
    await db().exec(`
      TRUNCATE members, legacies RESTART IDENTITY;
      INSERT INTO members (email, created_at, updated_at, deleted_at) VALUES ('live@x', now(), now(), NULL), ('gone@x', now(), now(), '${DELETED_ON}');
      INSERT INTO legacies (email, deleted_at) VALUES ('live@x', NULL), ('gone@x', '${DELETED_ON}');`);
    log.length = 0;
  });

  const rows = async (table: 'members' | 'legacies'): Promise<Row[]> =>
    (await db().query<{ id: number; email: string; deleted_at: Date | null }>(`SELECT id, email, deleted_at FROM ${table} ORDER BY id`)).rows.map((r) => ({
      id: r.id,
      value: r.email,
      deleted: r.deleted_at?.toISOString() ?? null,
    }));
  const run = (code: string, id: number) => new AsyncFunction('Member', 'Legacy', 'Op', 'id', 'email', code)(Member, Legacy, Op, id, 'new@x');
  const HEAD = ["import { Op } from 'sequelize';", "import { Legacy, Member } from './models/member.model';", "declare const email: string;"].join('\n');

  describe('reads: a paranoid model keeps to live rows unless `paranoid: false`; without timestamps it is not paranoid', () => {
    it.each<[string, number[], boolean]>([
      ["return Member.findAll({ order: [['id', 'ASC']] })", [LIVE], true],
      ['return [await Member.findByPk(id)].filter(Boolean)', [], true],
      ['return Member.findAll({ where: { id } })', [], true],
      ["return Member.findAll({ order: [['id', 'ASC']], paranoid: false })", [LIVE, TOMBSTONE], false],
      ['return [await Member.findByPk(id, { paranoid: false })].filter(Boolean)', [TOMBSTONE], false],
      // paranoid: true with timestamps: false — Sequelize sets no deletedAt attribute and adds no filter
      ["return Legacy.findAll({ order: [['id', 'ASC']] })", [LIVE, TOMBSTONE], false],
    ])('%s', async (code, ids, filtered) => {
      const found = (await run(code, TOMBSTONE)) as Member[];
      expect(found.map((m) => m.id)).toEqual(ids);
      const selects = log.filter((q) => /SELECT/.test(q));
      expect(selects.length).toBeGreaterThan(0);
      for (const sql of selects) expect(/"deleted_at" IS NULL/.test(sql), sql).toBe(filtered);
      expect(await reports(HEAD, code)).toEqual([]);
    });

    it('count() counts live rows of a paranoid model', async () => {
      expect(await run('return Member.count()', 0)).toBe(1);
      expect(await run('return Member.count({ paranoid: false })', 0)).toBe(2);
    });
  });

  describe('writes: the plugin reports exactly the calls that hard-delete or modify a tombstone', () => {
    it.each<[string, 'members' | 'legacies', number, Effect, string[]]>([
      // a paranoid model's update is filtered by Sequelize itself…
      ['await Member.update({ email }, { where: { id } })', 'members', TOMBSTONE, 'untouched', []],
      ['await Member.update({ email }, { where: { id } })', 'members', LIVE, 'modified', []],
      // …unless `paranoid: false`; then the filter must be in the where (the suggestion's form)
      ['await Member.update({ email }, { where: { id }, paranoid: false })', 'members', TOMBSTONE, 'modified', ['no-tombstone-update']],
      ['await Member.update({ email }, { where: { id, deletedAt: null }, paranoid: false })', 'members', TOMBSTONE, 'untouched', []],
      // destroy() of a paranoid model sets deleted_at (on live rows only); force deletes
      ['await Member.destroy({ where: { id } })', 'members', LIVE, 'soft-deleted', []],
      ['await Member.destroy({ where: { id } })', 'members', TOMBSTONE, 'untouched', []],
      ['await Member.destroy({ where: { id }, force: true })', 'members', LIVE, 'gone', ['no-hard-delete']],
      // a purge of rows already soft-deleted leaves live rows alone
      ['await Member.destroy({ where: { id, deletedAt: { [Op.ne]: null } }, force: true })', 'members', LIVE, 'untouched', []],
      ['await Member.destroy({ where: { id, deletedAt: { [Op.ne]: null } }, force: true })', 'members', TOMBSTONE, 'gone', []],
      // paranoid without timestamps is not paranoid: destroy() deletes, update() modifies tombstones
      ['await Legacy.destroy({ where: { id } })', 'legacies', LIVE, 'gone', ['no-hard-delete']],
      ['await Legacy.update({ email }, { where: { id } })', 'legacies', TOMBSTONE, 'modified', ['no-tombstone-update']],
      ['await Legacy.update({ email }, { where: { id, deletedAt: null } })', 'legacies', TOMBSTONE, 'untouched', []],
    ])('%s (%s row %i)', async (code, table, id, effect, rules) => {
      const before = (await rows(table)).find((r) => r.id === id);
      await run(code, id);
      const after = (await rows(table)).find((r) => r.id === id);
      expect(effectOn(before, after)).toBe(effect);
      expect(await reports(HEAD, code)).toEqual(rules);
    });

    it('the SQL: update and destroy of a paranoid model carry `deleted_at IS NULL`; force and paranoid: false do not', async () => {
      await run('await Member.update({ email }, { where: { id } })', LIVE);
      await run('await Member.update({ email }, { where: { id }, paranoid: false })', LIVE);
      await run('await Member.destroy({ where: { id } })', LIVE);
      await run('await Member.destroy({ where: { id }, force: true })', LIVE);
      const writes = log.filter((q) => /(UPDATE|DELETE)/.test(q));
      expect(writes).toHaveLength(4);
      expect(writes[0]).toMatch(/UPDATE "members" SET .* WHERE \("deleted_at" IS NULL AND "id" = \$\d+\)/);
      expect(writes[1]).not.toMatch(/deleted_at" IS NULL/);
      expect(writes[2]).toMatch(/UPDATE "members" SET "deleted_at"=\$1 WHERE "deleted_at" IS NULL AND "id" = \$2/);
      expect(writes[3]).toMatch(/DELETE FROM "members" WHERE "id" = 1/);
    });
  });
});
