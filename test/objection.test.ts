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
  it('reads the relations, nested levels under their parent, their modifiers and where their names sit', () => {
    expect(graphRelations('[pets(alive), owner.[pets], movies]')).toEqual([
      { name: 'pets', start: 1, end: 5, modifiers: ['alive'] },
      { name: 'owner', start: 14, end: 19, modifiers: [], children: [{ name: 'pets', start: 21, end: 25, modifiers: [] }] },
      { name: 'movies', start: 28, end: 34, modifiers: [] },
    ]);
    expect(graphRelations('pets(alive).owner.[pets, toys]')).toEqual([
      {
        name: 'pets', start: 0, end: 4, modifiers: ['alive'],
        children: [{ name: 'owner', start: 12, end: 17, modifiers: [], children: [{ name: 'pets', start: 19, end: 23, modifiers: [] }, { name: 'toys', start: 25, end: 29, modifiers: [] }] }],
      },
    ]);
    expect(graphRelations('children.^')).toEqual([{ name: 'children', start: 0, end: 8, modifiers: [] }]);
    expect(graphRelations('[pets] extra')).toBeNull();
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

/** Relations both ways, for nested expressions (`pets.owner`): each level is read through its model's mappings. */
const both = `class Person extends Model {
  static tableName = 'persons';
  static relationMappings = {
    pets: { relation: Model.HasManyRelation, modelClass: Animal, join: { from: 'persons.id', to: 'animals.owner_id' } },
  };
}
class Animal extends Model {
  static tableName = 'animals';
  static modifiers = { alive: (q) => q.whereNull('deleted_at') };
  static relationMappings = {
    owner: { relation: Model.BelongsToOneRelation, modelClass: Person, join: { from: 'animals.owner_id', to: 'persons.id' } },
  };
}
`;

tsRuleTester(settings).run('require-soft-delete-filter (nested Objection relations)', rule as never, {
  valid: [
    `${both}await Person.query().whereNull('deleted_at').withGraphFetched('pets(alive).owner(live)').modifiers({ live(q) { q.whereNull('persons.deleted_at'); } });`,
  ],
  invalid: [
    {
      // the second level (nested relations used to be left unread)
      code: `${both}await Person.query().whereNull('deleted_at').withGraphFetched('pets(alive).owner');`,
      errors: [{ messageId: 'missing', line: 14, column: 76, endColumn: 81 }],
    },
    {
      code: `${both}await Person.query().whereNull('deleted_at').withGraphJoined('[pets.[owner(live)]]').modifiers({ live(q) { q.where('persons.name', n); } });`,
      errors: [
        { messageId: 'missing', line: 14, column: 64, endColumn: 68 },
        { messageId: 'missing', line: 14, column: 70, endColumn: 75 },
      ],
    },
  ],
});

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

/** Person with a key of its own (`uuid`), for the lookup-by-key option. */
const keyed = `class Person extends Model {
  static tableName = 'persons';
  static idColumn = 'uuid';
}
`;

// `person.$query()` reads the instance's own row: `SELECT * FROM persons WHERE id = $1`, judged like `findById`
/** The one suggestion: `.whereNull('deleted_at')` right after the call that names the table. */
const filtered = (code: string, after: string) => [{ messageId: 'addFilterInCode', output: code.replace(after, `${after}.whereNull('deleted_at')`) }];
const reload = `${models}export async function reload(person: Person) { return person.$query(); }`;
const chained = `${models}const person = await Person.query().whereNull('deleted_at').findById(1);\nawait person.$query(trx).where('name', n).first();`;
const method = "class Person extends Model {\n  static tableName = 'persons';\n  async reload() { return this.$query().first(); }\n}";
const byUuid = `${keyed}const p = Person.fromJson({ uuid: u });\nawait p.$query();`;
const findByUuid = `${keyed}await Person.query().findById(u);`;
const ownBase = "class Person extends BaseModel {\n  static tableName = 'persons';\n}\nconst p = new Person();\nawait p.$query();";

tsRuleTester(settings).run("require-soft-delete-filter (an instance's $query())", rule as never, {
  valid: [
    `${models}export async function reload(person: Person) { return person.$query().whereNull('deleted_at'); }`,
    `${models}const person = new Person();\nawait person.$query(trx).whereNull('persons.deleted_at').first();`,
    // lookups by the model's key are exempt when the option says so, as for findById
    { code: reload, options: [{ allowLookupsBy: ['id'] }] },
    { code: `${models}await Person.query().findById(1);`, options: [{ allowLookupsBy: ['id'] }] },
    { code: byUuid, options: [{ allowLookupsBy: ['uuid'] }] },
    // a model of another table (not soft-deletable)
    "class Tag extends Model {\n  static tableName = 'tags';\n}\nconst tag = new Tag();\nawait tag.$query();",
    // an instance whose class this file cannot tell: not judged here (no-unchecked-query lists it)
    'export async function reload(p) { return p.$query(); }',
  ],
  invalid: [
    { code: reload, errors: [{ messageId: 'missing', line: 12, column: 62, endColumn: 68, suggestions: filtered(reload, 'person.$query()') }] },
    { code: chained, errors: [{ messageId: 'missing', line: 13, column: 14, endColumn: 20, suggestions: filtered(chained, '$query(trx)') }] },
    // a method of the model reading its own row
    { code: method, errors: [{ messageId: 'missing', line: 3, column: 32, endColumn: 38, suggestions: filtered(method, 'this.$query()') }] },
    // the key is `uuid`, so a lookup by `id` is not this one
    { code: byUuid, options: [{ allowLookupsBy: ['id'] }], errors: [{ messageId: 'missing', line: 6, column: 9, endColumn: 15, suggestions: filtered(byUuid, 'p.$query()') }] },
    { code: findByUuid, options: [{ allowLookupsBy: ['id'] }], errors: [{ messageId: 'missing', line: 5, column: 7, endColumn: 13, suggestions: filtered(findByUuid, 'Person.query()') }] },
    // a base class of our own may declare another key: not a lookup by `id`
    { code: ownBase, options: [{ allowLookupsBy: ['id'] }], errors: [{ messageId: 'missing', line: 5, column: 9, endColumn: 15, suggestions: filtered(ownBase, 'p.$query()') }] },
  ],
});
