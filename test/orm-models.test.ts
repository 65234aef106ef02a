import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import tsParser from '@typescript-eslint/parser';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';
import plugin from '../src/index.js';
import { clearSchemaCache, loadSchema } from '../src/schema/load.js';
import { findRelation, type SchemaModel } from '../src/schema/model.js';
import { pluralize, snakeCase } from '../src/schema/orm-models.js';
import { normalizeSettings } from '../src/settings.js';

const fixture = (name: string): string => fileURLToPath(new URL(`./fixtures/${name}/`, import.meta.url));

function relation(model: SchemaModel, name: string) {
  const found = findRelation(model, null, name);
  expect(found, name).toBeDefined();
  return found!;
}

async function lintProject(dir: string): Promise<string[]> {
  clearSchemaCache();
  const eslint = new ESLint({
    cwd: dir,
    overrideConfigFile: true,
    overrideConfig: [{ files: ['**/*.ts'], languageOptions: { parser: tsParser } }, ...plugin.configs.recommended],
  });
  const results = await eslint.lintFiles(['.']);
  return results
    .flatMap((r) => r.messages.map((m) => `${relative(dir, r.filePath)}:${m.line}:${m.column} ${m.ruleId ?? m.message}`))
    .sort();
}

function load(name: string): SchemaModel {
  clearSchemaCache();
  return loadSchema(fixture(name), normalizeSettings({}));
}

describe('ORM naming', () => {
  it('snake_case as TypeORM and MikroORM derive it; Sequelize plurals', () => {
    expect(['User', 'TeamMember', 'HTTPLog', 'userId'].map(snakeCase)).toEqual(['user', 'team_member', 'http_log', 'user_id']);
    expect(['User', 'Category', 'Box', 'Key'].map(pluralize)).toEqual(['Users', 'Categories', 'Boxes', 'Keys']);
  });
});

describe('TypeORM entities', () => {
  it('@Entity names, inherited @DeleteDateColumn, @Column({ unique }), @Index({ unique, where })', () => {
    const model = load('typeorm-project');
    expect(model.problems).toEqual([]);
    const users = relation(model, 'users');
    expect(users.columns).toEqual(['id', 'createdAt', 'deletedAt', 'email', 'name']);
    expect(users.primaryKey).toEqual(['id']);
    expect(users.uniques.map((u) => [u.kind, u.columns, u.where])).toEqual([['index', ['email'], '"deletedAt" IS NULL']]);
    const members = relation(model, 'team_member');
    expect(members.columns).toEqual(['id', 'createdAt', 'deletedAt', 'handle']);
    expect(members.uniques.map((u) => [u.kind, u.columns, u.where])).toEqual([['constraint', ['handle'], null]]);
  });

  it('a project: the raw reads that leak and the full unique are reported; its fixed twin is clean', async () => {
    expect(await lintProject(fixture('typeorm-project'))).toEqual([
      'src/entities/team-member.entity.ts:7:3 soft-delete/require-partial-unique-index',
      'src/services/users.ts:4:49 soft-delete/require-soft-delete-filter',
      'src/services/users.ts:8:47 soft-delete/require-soft-delete-filter',
    ]);
    expect(await lintProject(fixture('typeorm-project-fixed'))).toEqual([]);
  });
});

describe('Sequelize models', () => {
  it('paranoid adds deletedAt (deleted_at when underscored); tables are pluralised unless named', () => {
    const model = load('sequelize-project');
    expect(model.problems).toEqual([]);
    const users = relation(model, 'users');
    expect(users.columns).toEqual(['email', 'display_name', 'created_at', 'updated_at', 'deleted_at']);
    expect(users.uniques.map((u) => [u.kind, u.columns, u.where])).toEqual([['index', ['email'], 'deleted_at IS NULL']]);
    const tags = relation(model, 'tags');
    expect(tags.columns).toEqual(['label', 'createdAt', 'updatedAt', 'deletedAt']);
    expect(tags.uniques.map((u) => [u.kind, u.columns])).toEqual([['constraint', ['label']]]);
  });

  it('a project: leaks and the full unique reported; the fixed twin is clean', async () => {
    expect(await lintProject(fixture('sequelize-project'))).toEqual([
      'models/tag.js:4:29 soft-delete/require-partial-unique-index',
      'src/report.js:4:45 soft-delete/require-soft-delete-filter',
      'src/report.js:8:45 soft-delete/require-soft-delete-filter',
    ]);
    expect(await lintProject(fixture('sequelize-project-fixed'))).toEqual([]);
  });
});

describe('MikroORM entities', () => {
  it('snake_case tables and columns, optional properties nullable, @Unique, expression indexes', () => {
    const model = load('mikro-orm-project');
    expect(model.problems).toEqual([]);
    expect(relation(model, 'author').columns).toEqual(['id', 'email', 'deleted_at']);
    expect(relation(model, 'author').uniques.map((u) => [u.kind, u.columns])).toEqual([['constraint', ['email']]]);
    expect(relation(model, 'tags').columns).toEqual(['id', 'name']);
    const fixed = load('mikro-orm-project-fixed');
    expect(relation(fixed, 'author').uniques.map((u) => [u.name, u.kind, u.where])).toEqual([['author_email_live', 'index', '"deleted_at" is null']]);
  });

  it('a project: leaks and the full unique reported; the fixed twin is clean', async () => {
    expect(await lintProject(fixture('mikro-orm-project'))).toEqual([
      'src/entities/Author.ts:11:3 soft-delete/require-partial-unique-index',
      'src/queries/authors.ts:4:56 soft-delete/require-soft-delete-filter',
    ]);
    expect(await lintProject(fixture('mikro-orm-project-fixed'))).toEqual([]);
  });
});

describe('soft-delete columns a model declares', () => {
  it('@DeleteDateColumn and paranoid with a custom deletedAt make the table soft-deletable on that column, named or not', async () => {
    const { mkdtempSync, mkdirSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dir = mkdtempSync(join(tmpdir(), 'sd-markers-'));
    mkdirSync(join(dir, 'src', 'entities'), { recursive: true });
    writeFileSync(
      join(dir, 'src', 'entities', 'note.entity.ts'),
      `import { Entity, PrimaryGeneratedColumn, Column, DeleteDateColumn } from 'typeorm';\n@Entity()\nexport class Note {\n  @PrimaryGeneratedColumn() id: number;\n  @Column() body: string;\n  @DeleteDateColumn({ name: 'removed_on' }) removedOn?: Date;\n}\n`,
    );
    writeFileSync(
      join(dir, 'src', 'entities', 'tag.model.js'),
      `const { Model } = require('sequelize');\nclass Tag extends Model {}\nTag.init({ label: 'x' }, { sequelize, paranoid: true, deletedAt: 'trashed_at', tableName: 'tags' });\nclass Log extends Model {}\nLog.init({ line: 'x' }, { sequelize, deletedAt: 'gone_at', tableName: 'logs' });\n`,
    );
    clearSchemaCache();
    const model = loadSchema(dir, normalizeSettings({}));
    expect(model.problems).toEqual([]);
    expect(relation(model, 'note').markers?.map((m) => [m.column, m.flag, m.by])).toEqual([['removed_on', false, '@DeleteDateColumn of Note']]);
    expect(relation(model, 'tags').markers?.map((m) => [m.column, m.by])).toEqual([['trashed_at', 'paranoid of Tag']]);
    // not paranoid: Sequelize never sets gone_at
    expect(relation(model, 'logs').markers).toBeUndefined();
    const { softDeleteRelations } = await import('../src/analysis/schema-status.js');
    expect(softDeleteRelations(model, normalizeSettings({})).sort()).toEqual(['public.note', 'public.tags']);
  });
});
