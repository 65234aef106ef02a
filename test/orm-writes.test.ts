/**
 * TypeORM and Sequelize writes lowered to the SQL the ORM runs for them (the text the write checks see). What each
 * ORM adds on its own is part of that SQL: Sequelize puts `deletedAt IS NULL` into a paranoid model's `update`
 * (`Model.update` passes its options through `_paranoidClause`, as finds do) unless `paranoid: false`; TypeORM adds
 * its `@DeleteDateColumn` filter to selects only (`QueryBuilder.createWhereConditions` checks `queryType ===
 * "select"`), so `repo.update` runs unfiltered.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from '@typescript-eslint/typescript-estree';
import type { TSESTree } from '@typescript-eslint/utils';
import { visitorKeys } from '@typescript-eslint/visitor-keys';
import { describe, expect, it } from 'vitest';
import { loadSchema } from '../src/schema/load.js';
import { normalizeSettings } from '../src/settings.js';
import { ormWritesFromScan } from '../src/extract/orm-writes.js';
import { scanFile } from '../src/js/synth.js';

const root = join(fileURLToPath(new URL('..', import.meta.url)));
const lowering = (schema: string) => {
  const entities = loadSchema(root, normalizeSettings({ schema: [schema] })).ormEntities;
  return (head: string, code: string) =>
    ormWritesFromScan(scanFile(parse(head + code, { range: true, loc: true }) as unknown as TSESTree.Program, visitorKeys), entities).map((f) => f.text);
};

describe('TypeORM writes', () => {
  const sql = lowering('test/fixtures/typeorm-project/src/entities/*.ts');
  const E = "import { User } from '../entities/user.entity';\nconst repo = dataSource.getRepository(User);\n";
  it.each([
    ['await repo.delete(id)', ['DELETE FROM users WHERE id = $1']],
    // TypeORM adds no deletedAt filter to an update: lowered as written
    ['await repo.update({ id }, { email, name: null })', ['UPDATE users SET email = $2, name = NULL WHERE id = $1']],
    ['await repo.update(id, { name })', ['UPDATE users SET name = $2 WHERE id = $1']],
    ['await repo.update({ email, deletedAt: IsNull() }, { name })', ['UPDATE users SET name = $2 WHERE email = $1 AND "deletedAt" IS NULL']],
    ['await repo.update({ id }, { deletedAt: null })', ['UPDATE users SET "deletedAt" = NULL WHERE id = $1']],
    ['await repo.increment({ id }, \'name\', 1)', ['UPDATE users SET name = name + $2 WHERE id = $1']],
    ['await dataSource.manager.update(User, { id }, { email })', ['UPDATE users SET email = $2 WHERE id = $1']],
    ['await User.update({ id }, { email })', ['UPDATE users SET email = $2 WHERE id = $1']],
    // values we cannot see: an assignment to an unseen column (it might be the soft-delete column)
    ['await repo.update({ id }, changes)', ['UPDATE users SET "__sd_ident_1" = $2 WHERE id = $1']],
    ['await repo.update({ id }, { ...changes, email })', ['UPDATE users SET "__sd_ident_1" = $2, email = $3 WHERE id = $1']],
    // a key that is not a column: not lowered
    ['await repo.update({ id }, { organization: org })', []],
    ['await repo.update({ id })', []],
    // the update query builder: where strings are SQL with :named parameters, joined flat as TypeORM does
    [
      "await dataSource.createQueryBuilder().update(User).set({ name }).where('id = :id', { id }).andWhere('email <> :e', { e }).execute()",
      ['UPDATE users SET name = $1 WHERE id = $2 AND email <> $3'],
    ],
    [`await repo.createQueryBuilder().update().set({ email }).where('"deletedAt" IS NULL').orWhere('id IN (:...ids)', { ids }).execute()`, ['UPDATE users SET email = $1 WHERE "deletedAt" IS NULL OR id IN ($2)']],
    ['await dataSource.createQueryBuilder().update(User).set({ name: null }).whereInIds(ids).execute()', ['UPDATE users SET name = NULL WHERE id = ANY($1)']],
    ["await dataSource.createQueryBuilder().update(User).set({ name }).where('id = :id::int', { id }).execute()", ['UPDATE users SET name = $1 WHERE id = $2::int']],
    ["await dataSource.createQueryBuilder().update(User).set(values).where('id = :id', { id }).execute()", ['UPDATE users SET "__sd_ident_1" = $1 WHERE id = $2']],
    // not run, conditions we cannot read: not lowered
    ["dataSource.createQueryBuilder().update(User).set({ name }).where('id = :id', { id })", []],
    ['await dataSource.createQueryBuilder().update(User).set({ name }).where(new Brackets((qb) => qb.where(x))).execute()', []],
    ['await dataSource.createQueryBuilder().update(User).set({ name }).where(condition).execute()', []],
    ["await dataSource.createQueryBuilder().delete().from(User).where('id = :id', { id }).execute()", []],
  ])('%s', (code, expected) => {
    expect(sql(E, code)).toEqual(expected);
  });
});

describe('Sequelize writes', () => {
  const sql = lowering('test/fixtures/sequelize-project/models/*.js');
  const M = "const { User, Tag } = require('../models');\n";
  it.each([
    ['await User.destroy({ where: { id }, force: true })', ['DELETE FROM users WHERE id = $1']],
    ['await User.destroy({ where: { id } })', []],
    // a paranoid model: Sequelize adds `deletedAt IS NULL` itself
    ['await User.update({ email }, { where: { id } })', ['UPDATE users SET email = $1 WHERE deleted_at IS NULL AND id = $2']],
    // …unless told not to
    ['await User.update({ email }, { where: { id }, paranoid: false })', ['UPDATE users SET email = $1 WHERE id = $2']],
    ['await User.update({ deletedAt: null }, { where: { id }, paranoid: false })', ['UPDATE users SET deleted_at = NULL WHERE id = $1']],
    // the model's own deletedAt column (not underscored here)
    ['await Tag.update({ label }, { where: { id } })', ['UPDATE tags SET label = $1 WHERE "deletedAt" IS NULL AND id = $2']],
    // values we cannot see on a paranoid model: still filtered by Sequelize
    ['await User.update(values, { where: { id } })', ['UPDATE users SET "__sd_ident_1" = $1 WHERE deleted_at IS NULL AND id = $2']],
    // paranoid decided at run time, options we cannot see, no where (Sequelize refuses it): not lowered
    ['await User.update({ email }, { where: { id }, paranoid: raw })', []],
    ['await User.update({ email }, options)', []],
    ['await User.update({ email }, { ...options, where: { id } })', []],
    ['await User.update({ email }, {})', []],
  ])('%s', (code, expected) => {
    expect(sql(M, code)).toEqual(expected);
  });
});
