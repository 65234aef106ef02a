/**
 * no-tombstone-update's and no-hard-delete's suggestions in TypeORM's and Sequelize's idiom, taken from the rules'
 * output, applied to a fixture project typed with the libraries' real declarations (TypeORM 1.1 with decorated
 * entities, Sequelize 6 with typed models): the edited files must type-check and lint clean again. That the
 * suggested forms keep to live rows on a real database is test/orm-behaviour.test.ts.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import tsParser from '@typescript-eslint/parser';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';
import plugin from '../src/index.js';
import { clearSchemaCache } from '../src/schema/load.js';
import { applySuggestions } from './helpers/fixture-lint.js';
import { typeChecker } from './helpers/type-check.js';

const fixture = fileURLToPath(new URL('./fixtures/orm-behaviour/', import.meta.url));
const RULES = ['soft-delete/no-tombstone-update', 'soft-delete/no-hard-delete'];

describe('ORM write suggestions, applied and type-checked against the libraries', () => {
  const typeErrors = typeChecker(fixture, { experimentalDecorators: true });

  async function applyAll(name: string): Promise<{ text: string; applied: string[] }> {
    clearSchemaCache();
    const eslint = new ESLint({
      cwd: fixture,
      overrideConfigFile: true,
      overrideConfig: [{ files: ['**/*.ts'], languageOptions: { parser: tsParser } }, ...plugin.configs.strict],
    });
    const file = join(fixture, 'src', name);
    let text = readFileSync(file, 'utf8');
    const applied: string[] = [];
    for (const rule of RULES) {
      const outcome = await applySuggestions(eslint, file, text, rule);
      expect(outcome.left, `${name}: ${rule} left without a suggestion`).toEqual([]);
      applied.push(...outcome.applied);
      text = outcome.text;
    }
    const [again] = await eslint.lintText(text, { filePath: file });
    expect(again!.messages).toEqual([]);
    return { text, applied };
  }

  it('TypeORM: deletedAt: IsNull() in the criteria, an andWhere in the builder, softDelete / softRemove', { timeout: 300_000 }, async () => {
    expect(typeErrors(new Map())).toEqual([]); // before any edit: an error after one is the edit's
    const file = join(fixture, 'src', 'typeorm-writes.ts');
    const { text, applied } = await applyAll('typeorm-writes.ts');
    expect(applied).toEqual([
      'Add `deletedAt: IsNull()` to the update.',
      'Add `deletedAt: IsNull()` to the update.',
      'Add `deletedAt: IsNull()` to the update.',
      'Add `deletedAt: IsNull()` to the update.',
      'Add `.andWhere(\'"deletedAt" IS NULL\')` to the update.',
      'Soft-delete instead: `.softDelete(…)`.',
      'Soft-delete instead: `.softRemove(…)`.',
      'Soft-delete instead: `.softDelete(…)`.',
    ]);
    expect(text).toContain("import { type DataSource, type Repository, IsNull } from 'typeorm';");
    expect(text).toContain('await repo.update({ id, deletedAt: IsNull() }, { name });\n  await repo.update({ id, deletedAt: IsNull() }, { name });');
    expect(text).toContain("where('id = :id', { id }).andWhere('\"deletedAt\" IS NULL').execute()");
    expect(text).toContain('await dataSource.manager.softDelete(Account, { id });');
    expect(typeErrors(new Map([[file, text]]))).toEqual([]);
    // and the check can fail: a filter on a property the entity does not have is a type error
    const wrong = text.replace('{ id, deletedAt: IsNull() }, { name }', '{ id, removedAt: IsNull() }, { name }');
    expect(typeErrors(new Map([[file, wrong]])).join('\n')).toMatch(/typeorm-writes\.ts:\d+ .*removedAt/);
  });

  it('Sequelize: deletedAt: null in the where of an unfiltered update, destroy without force', { timeout: 300_000 }, async () => {
    const file = join(fixture, 'src', 'sequelize-writes.ts');
    const { text, applied } = await applyAll('sequelize-writes.ts');
    expect(applied).toEqual([
      'Add `deletedAt: null` to the update.',
      'Add `deletedAt: null` to the update.',
      'Soft-delete instead: `destroy({ where })`.',
      'Soft-delete instead: `destroy({ where })`.',
    ]);
    expect(text).toContain('await Member.update({ email }, { where: { id, deletedAt: null }, paranoid: false });');
    expect(text).toContain('await Legacy.update({ email }, { where: { id, deletedAt: null } });');
    expect(text).toContain('await Member.destroy({ where: { id } });\n  await Member.destroy({ where: { id } });');
    expect(typeErrors(new Map([[file, text]]))).toEqual([]);
    const wrong = text.replace('where: { id, deletedAt: null }, paranoid', 'where: { id, removedAt: null }, paranoid');
    expect(typeErrors(new Map([[file, wrong]])).join('\n')).toMatch(/sequelize-writes\.ts:\d+ [^]*removedAt/);
  });
});
