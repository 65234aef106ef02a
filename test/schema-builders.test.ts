import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import tsParser from '@typescript-eslint/parser';
import { parse } from '@typescript-eslint/typescript-estree';
import type { TSESTree } from '@typescript-eslint/utils';
import { visitorKeys } from '@typescript-eslint/visitor-keys';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';
import plugin from '../src/index.js';
import { clearSchemaCache, loadSchema, rollbackRanges } from '../src/schema/load.js';
import { emptySchema, findRelation, type SchemaModel } from '../src/schema/model.js';
import { applySql } from '../src/schema/apply.js';
import { schemaBuilderDdl } from '../src/schema/schema-builders.js';
import { lineColumn } from '../src/sql/sqltext.js';
import { normalizeSettings } from '../src/settings.js';

const fixture = (name: string): string => fileURLToPath(new URL(`./fixtures/${name}/`, import.meta.url));

/** The DDL a migration's schema builders would run, as SQL text, and the problems. */
function ddlOf(code: string): { sql: string[]; problems: string[]; model: SchemaModel } {
  const program = parse(code, { range: true, loc: true }) as unknown as TSESTree.Program;
  const built = schemaBuilderDdl(program, visitorKeys as Record<string, readonly string[]>);
  const model = emptySchema();
  const rollback = rollbackRanges(program);
  for (const f of built.fragments) if (!rollback.some(([a, b]) => f.toSource(0) >= a && f.toSource(0) < b)) applySql(model, f.text, 'm.ts', f.toSource, { fileText: code });
  return {
    sql: built.fragments.map((f) => f.text),
    problems: built.problems.map((p) => `${lineColumn(code, p.at).line}: ${p.message}`),
    model,
  };
}

function relation(model: SchemaModel, name: string, schema: string | null = null) {
  const found = findRelation(model, schema, name);
  expect(found, name).toBeDefined();
  return found!;
}

async function lintProject(dir: string, messages: ESLint.LintResult['messages'] = []): Promise<string[]> {
  clearSchemaCache();
  const eslint = new ESLint({
    cwd: dir,
    overrideConfigFile: true,
    overrideConfig: [{ files: ['**/*.ts'], languageOptions: { parser: tsParser } }, ...plugin.configs.recommended],
  });
  const results = await eslint.lintFiles(['.']);
  messages.push(...results.flatMap((r) => r.messages));
  return results
    .flatMap((r) => r.messages.map((m) => `${relative(dir, r.filePath)}:${m.line}:${m.column} ${m.ruleId ?? m.message}`))
    .sort();
}

describe('knex schema builder', () => {
  it('createTable: columns, types, NOT NULL, primary keys, and uniques as knex names them', () => {
    const { sql, model } = ddlOf(`
      exports.up = (knex) => knex.schema.createTable('users', (table) => {
        table.increments();
        table.string('email', 320).notNullable().unique();
        table.timestamp('deleted_at', { useTz: false });
        table.boolean('is_deleted').notNullable().defaultTo(false);
        table.timestamps(true, true);
        table.unique(['name', 'org_id'], 'users_name_org');
      });`);
    expect(sql[0]).toContain('CREATE TABLE users (\n  id serial PRIMARY KEY,\n  email varchar(255) NOT NULL,\n  deleted_at timestamp,');
    const users = relation(model, 'users');
    expect(users.columns).toEqual(['id', 'email', 'deleted_at', 'is_deleted', 'created_at', 'updated_at']);
    expect(users.primaryKey).toEqual(['id']);
    expect(users.uniques.map((u) => [u.name, u.kind, u.columns, u.where])).toEqual([
      ['users_email_unique', 'constraint', ['email'], null],
      ['users_name_org', 'constraint', ['name', 'org_id'], null],
    ]);
  });

  it('a unique with a predicate is a partial unique index; the fact points at the .unique() call', () => {
    const code = `export async function up(knex) {
  await knex.schema.table('users', (t) => {
    t.timestamp('deleted_at');
    t.unique(['email'], { indexName: 'users_email_live', predicate: knex.whereNull('deleted_at') });
    t.unique('handle', { predicate: knex.whereRaw('deleted_at IS NULL AND handle IS NOT NULL') });
  });
}`;
    const full = `knex.schema.createTable('users', (t) => { t.integer('id'); t.text('email'); t.text('handle'); });\n${code}`;
    const { model } = ddlOf(full);
    const users = relation(model, 'users');
    expect(users.columns).toEqual(['id', 'email', 'handle', 'deleted_at']);
    expect(users.uniques.map((u) => [u.name, u.kind, u.where])).toEqual([
      ['users_email_live', 'index', 'deleted_at IS NULL'],
      ['users_handle_unique', 'index', '(deleted_at IS NULL AND handle IS NOT NULL)'],
    ]);
    expect(users.uniques.map((u) => lineColumn(full, u.origin.index!))).toEqual([
      { line: 5, column: 7 },
      { line: 6, column: 7 },
    ]);
    expect(lineColumn(full, users.origin.index!)).toEqual({ line: 1, column: 13 }); // createTable
  });

  it('dropColumn, renameColumn, dropUnique, renameTable, dropTable and withSchema change the end state', () => {
    const { model } = ddlOf(`
      export async function up(knex) {
        await knex.schema.createTable('accounts', (t) => { t.increments(); t.string('email').unique(); t.timestamp('removed_at'); });
        await knex.schema.alterTable('accounts', (t) => {
          t.renameColumn('removed_at', 'deleted_at');
          t.dropUnique('email');
          t.dropColumn('email');
        });
        await knex.schema.renameTable('accounts', 'members');
        await knex.schema.createTable('tmp', (t) => t.integer('x'));
        await knex.schema.dropTableIfExists('tmp');
        await knex.schema.withSchema('billing').createTable('invoices', (t) => t.boolean('deleted'));
      }`);
    const members = relation(model, 'members');
    expect(members.columns).toEqual(['id', 'deleted_at']);
    expect(members.uniques).toEqual([]);
    expect(findRelation(model, null, 'accounts')).toBeUndefined();
    expect(findRelation(model, null, 'tmp')).toBeUndefined();
    expect(relation(model, 'invoices', 'billing').columns).toEqual(['deleted']);
  });

  it('Adonis Lucid: this.schema with the class tableName', () => {
    const { model } = ddlOf(`
      export default class extends BaseSchema {
        protected tableName = 'posts'
        async up() {
          this.schema.createTable(this.tableName, (table) => {
            table.increments('id')
            table.timestamp('deleted_at', { useTz: true }).nullable()
          })
        }
        async down() { this.schema.dropTable(this.tableName) }
      }`);
    expect(relation(model, 'posts').columns).toEqual(['id', 'deleted_at']);
  });

  it('what it cannot read becomes a problem, not a guess', () => {
    const { problems, model } = ddlOf(`
      export async function up(knex) {
        await knex.schema.createTable('users', (t) => {
          for (const c of columns) t.string(c);
          t.unique(['email'], { predicate: buildPredicate() });
        });
      }`);
    expect(problems).toEqual([
      '4: cannot read the name of the column added by .string(…) on "users": it is not spelled out',
      expect.stringMatching(/^5: cannot read the predicate of index "users_email_unique"/),
    ]);
    expect(relation(model, 'users').uniques).toEqual([]);
  });
});

describe('knex fixture project through the real ESLint class', () => {
  it('reads the migrations (up only, in order) and reports the unfiltered reads', async () => {
    const dir = fixture('knex-project');
    const model = loadSchema(dir, normalizeSettings({}));
    expect(model.problems).toEqual([]);
    expect(relation(model, 'users').columns).toContain('deleted_at');
    expect(await lintProject(dir)).toEqual([
      // `.unique()` on a soft-delete table, reported where the builder call is
      'migrations/20240301000000_teams.ts:6:36 soft-delete/require-partial-unique-index',
      'src/users.ts:4:39 soft-delete/require-soft-delete-filter',
      'src/users.ts:8:33 soft-delete/require-soft-delete-filter',
    ]);
  });

  it('the unique finding in a knex migration carries the follow-up migration, and no text edit of the builder code', async () => {
    const messages: ESLint.LintResult['messages'] = [];
    await lintProject(fixture('knex-project'), messages);
    const unique = messages.find((m) => m.ruleId === 'soft-delete/require-partial-unique-index')!;
    expect(unique.message).toContain('on `teams` (slug)');
    expect(unique.message).toContain('CREATE UNIQUE INDEX');
    expect(unique.suggestions ?? []).toEqual([]);
  });

  it('its fixed twin is clean', async () => {
    expect(await lintProject(fixture('knex-project-fixed'))).toEqual([]);
  });
});

describe('kysely schema builder', () => {
  it('createTable / alterTable / createIndex(…).unique().where(…) / addUniqueConstraint / drops and renames', () => {
    const { model, problems } = ddlOf(`
      export async function up(db) {
        await db.schema.createTable('users')
          .addColumn('id', 'serial', (col) => col.primaryKey())
          .addColumn('email', 'text', (col) => col.notNull().unique())
          .addColumn('handle', 'text')
          .addUniqueConstraint('users_handle_key', ['handle'], (b) => b.nullsNotDistinct())
          .execute();
        await db.schema.alterTable('users').addColumn('deleted_at', 'timestamptz').execute();
        await db.schema.createIndex('users_handle_live').on('users').columns(['handle']).unique().where(sql\`deleted_at IS NULL\`).execute();
        await db.schema.alterTable('users').dropConstraint('users_handle_key').execute();
        await db.schema.withSchema('audit').createTable('events').ifNotExists().addColumn('id', 'bigserial').execute();
        await db.schema.createTable('old').addColumn('x', 'int').execute();
        await db.schema.alterTable('old').renameTo('older').execute();
        await db.schema.dropTable('older').ifExists().execute();
      }`);
    expect(problems).toEqual([]);
    const users = relation(model, 'users');
    expect(users.columns).toEqual(['id', 'email', 'handle', 'deleted_at']);
    expect(users.primaryKey).toEqual(['id']);
    expect(users.uniques.map((u) => [u.name, u.kind, u.columns, u.where])).toEqual([
      ['users_email_key', 'constraint', ['email'], null],
      ['users_handle_live', 'index', ['handle'], '(deleted_at IS NULL)'],
    ]);
    expect(relation(model, 'events', 'audit').columns).toEqual(['id']);
    expect(findRelation(model, null, 'older')).toBeUndefined();
    expect(findRelation(model, null, 'old')).toBeUndefined();
  });

  it('an index predicate built at run time is a problem, not a full unique', () => {
    const { problems, model } = ddlOf(`
      await db.schema.createTable('t').addColumn('a', 'text').execute();
      await db.schema.createIndex('t_a').on('t').column('a').unique().where((eb) => eb('a', 'is not', null)).execute();`);
    expect(problems).toEqual([expect.stringMatching(/^3: cannot read the predicate of index "t_a"/)]);
    expect(relation(model, 't').uniques).toEqual([]);
  });
});

describe('kysely fixture project through the real ESLint class', () => {
  it('finds src/migrations, reads the builders (up only) and reports the unfiltered reads', async () => {
    const dir = fixture('kysely-project');
    clearSchemaCache();
    const model = loadSchema(dir, normalizeSettings({}));
    expect(model.problems).toEqual([]);
    expect(relation(model, 'users').columns).toContain('deleted_at');
    expect(await lintProject(dir)).toEqual([
      'src/repo/users.ts:5:35 soft-delete/require-soft-delete-filter',
      'src/repo/users.ts:9:47 soft-delete/require-soft-delete-filter',
    ]);
  });

  it('its fixed twin is clean', async () => {
    expect(await lintProject(fixture('kysely-project-fixed'))).toEqual([]);
  });
});

describe('TypeORM queryRunner migrations', () => {
  it('createTable(new Table({ columns, uniques, indices })), addColumn, createIndex with where, drops and renames', () => {
    const { model, problems } = ddlOf(`
      export class Users1700000000000 implements MigrationInterface {
        public async up(queryRunner: QueryRunner): Promise<void> {
          await queryRunner.createTable(new Table({
            name: 'users',
            columns: [
              { name: 'id', type: 'int', isPrimary: true, isGenerated: true },
              { name: 'email', type: 'varchar', isUnique: true },
              new TableColumn({ name: 'nick', type: 'varchar', isNullable: true }),
            ],
            indices: [{ name: 'IDX_nick_live', columnNames: ['nick'], isUnique: true, where: '"deleted_at" IS NULL' }],
          }), true);
          await queryRunner.addColumn('users', new TableColumn({ name: 'deleted_at', type: 'timestamptz', isNullable: true }));
          await queryRunner.dropUniqueConstraint('users', 'users_email_key');
          await queryRunner.createIndex('users', new TableIndex({ name: 'IDX_email_live', columnNames: ['email'], isUnique: true, where: 'deleted_at IS NULL' }));
          await queryRunner.renameColumn('users', 'nick', 'nickname');
        }
        public async down(queryRunner: QueryRunner): Promise<void> {
          await queryRunner.dropTable('users');
        }
      }`);
    expect(problems).toEqual([]);
    const users = relation(model, 'users');
    expect(users.columns).toEqual(['id', 'email', 'nickname', 'deleted_at']);
    expect(users.uniques.map((u) => [u.name, u.kind, u.columns, u.where])).toEqual([
      ['IDX_nick_live', 'index', ['nickname'], '"deleted_at" IS NULL'],
      ['IDX_email_live', 'index', ['email'], 'deleted_at IS NULL'],
    ]);
  });
});

describe('Sequelize queryInterface migrations', () => {
  it('createTable, addColumn, addIndex with where, addConstraint, removeColumn (up only)', () => {
    const { model, problems } = ddlOf(`
      module.exports = {
        async up(queryInterface, Sequelize) {
          await queryInterface.createTable('accounts', {
            id: { type: Sequelize.INTEGER, primaryKey: true, autoIncrement: true },
            email: { type: Sequelize.STRING, allowNull: false, unique: true },
            legacy: Sequelize.STRING,
          });
          await queryInterface.addColumn('accounts', 'deleted_at', { type: Sequelize.DATE, allowNull: true });
          await queryInterface.removeConstraint('accounts', 'accounts_email_key');
          await queryInterface.addIndex('accounts', ['email'], { unique: true, where: { deleted_at: null } });
          await queryInterface.addConstraint('accounts', { fields: ['legacy'], type: 'unique', name: 'accounts_legacy_uk' });
          await queryInterface.removeColumn('accounts', 'legacy');
        },
        async down(queryInterface) {
          await queryInterface.dropTable('accounts');
        },
      };`);
    expect(problems).toEqual([]);
    const accounts = relation(model, 'accounts');
    expect(accounts.columns).toEqual(['id', 'email', 'deleted_at']);
    expect(accounts.uniques.map((u) => [u.name, u.kind, u.columns, u.where])).toEqual([['accounts_email', 'index', ['email'], 'deleted_at IS NULL']]);
  });
});
