/**
 * Objection.js beyond `Model.query()`: relations loaded with `withGraphFetched` / `withGraphJoined` are reads of
 * the related tables (from `relationMappings`), narrowed by the relation's `modify`/`filter` and by the modifiers
 * the expression names (`.modifiers({…})` or the related model's `static modifiers`); `$relatedQuery('rel')` and
 * `relatedQuery('rel')` read the related table; `.modify('name')` applies a model modifier. Models live in their
 * own modules, as in real projects; linted through the real ESLint class, and in RuleTester cases.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import rule from '../rules/require-soft-delete-filter.js';
import { graphRelations } from '../src/extract/objection.js';
import { tsRuleTester } from './helpers/rule-tester.js';
import { lintFixtureSrc } from './helpers/fixture-lint.js';

const project = fileURLToPath(new URL('./fixtures/objection-project', import.meta.url));

const lint = (): Promise<string[]> => lintFixtureSrc(project);

describe('Objection relations, through the real ESLint class', () => {
  it('reports each related read that loads deleted rows, squiggle on the relation name', async () => {
    expect(await lint()).toEqual([
      'src/people.ts:16 missing pets',
      'src/people.ts:24 missing pets',
      'src/people.ts:6 missing movies',
      'src/people.ts:6 missing pets',
    ]);
  }, 120_000);
});

describe('relation expressions', () => {
  it('reads the first-level relations, their modifiers and where their names sit', () => {
    expect(graphRelations('[pets(alive), owner.[pets], movies]')).toEqual([
      { name: 'pets', start: 1, end: 5, modifiers: ['alive'] },
      { name: 'owner', start: 14, end: 19, modifiers: [] },
      { name: 'movies', start: 28, end: 34, modifiers: [] },
    ]);
    expect(graphRelations('pets')).toEqual([{ name: 'pets', start: 0, end: 4, modifiers: [] }]);
    expect(graphRelations('[kids:children]')).toEqual([{ name: 'children', start: 6, end: 14, modifiers: [] }]);
    expect(graphRelations('[pets')).toBeNull();
  });
});

const settings = { 'soft-delete': { schema: [join(project, 'migrations/*.sql')] } };
const models = `class Animal extends Model {
  static tableName = 'animals';
  static modifiers = { alive: (q) => q.whereNull('deleted_at') };
}
class Person extends Model {
  static tableName = 'persons';
  static relationMappings = {
    pets: { relation: Model.HasManyRelation, modelClass: Animal, join: { from: 'persons.id', to: 'animals.owner_id' } },
    mystery: { relation: Model.HasManyRelation, modelClass: Animal, modify: (q) => q.modify(helper), join: { from: 'persons.id', to: 'animals.owner_id' } },
  };
}
`;

tsRuleTester(settings).run('require-soft-delete-filter (Objection relations)', rule as never, {
  valid: [
    `${models}await Person.query().whereNull('deleted_at').withGraphFetched('pets(alive)');`,
    `${models}await Person.query().whereNull('deleted_at').withGraphJoined('[pets(live)]').modifiers({ live(q) { q.whereNull('animals.deleted_at'); } });`,
    // a modifier we cannot read may hold the filter: unknown, not reported
    `${models}await Person.query().whereNull('deleted_at').withGraphFetched('[mystery, pets(nowhere)]');`,
    `${models}await Animal.query().modify('alive');`,
    `${models}await person.$relatedQuery('pets').whereNull('deleted_at');`,
    // a relation no model of the file declares: not guessed
    `${models}await person.$relatedQuery('friends');`,
  ],
  invalid: [
    {
      code: `${models}await Person.query().whereNull('deleted_at').withGraphFetched('[pets]');`,
      errors: [{ messageId: 'missing', line: 12, column: 65, endColumn: 69 }],
    },
    {
      code: `${models}await person.$relatedQuery('pets').where('name', n);`,
      errors: [{ messageId: 'missing', line: 12, column: 29, endColumn: 33 }],
    },
    {
      code: `${models}await Person.relatedQuery('pets').for(1);`,
      errors: [{ messageId: 'missing', line: 12, column: 28, endColumn: 32 }],
    },
  ],
});
