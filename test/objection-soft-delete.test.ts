/**
 * Objection models as a schema source: a model mixing in objection-soft-delete declares its table soft-deletable on
 * the plugin's column (`deleted` by default, a flag), even with no migration in sight. What the plugin really does
 * (its index.js, 1.0.7): reads are not filtered unless they call `whereNotDeleted()` (`where('<table>.<col>',
 * notDeletedValue)`); `whereDeleted()` is the deliberate trash read; `delete()` / `del()` / `deleteById()` are a
 * patch writing `deletedValue`; `hardDelete()` is the real DELETE; `undelete()` patches `notDeletedValue` back. The
 * lowered SQL of each is run on PostgreSQL to show what it does to a row.
 */
import { fileURLToPath } from 'node:url';
import { parse } from '@typescript-eslint/typescript-estree';
import { visitorKeys } from '@typescript-eslint/visitor-keys';
import { describe, expect, it } from 'vitest';
import noHardDelete from '../rules/no-hard-delete.js';
import noUnchecked from '../rules/no-unchecked-query.js';
import requireFilter from '../rules/require-soft-delete-filter.js';
import { queryBuildersFromScan } from '../src/extract/query-builders.js';
import { scanProgram } from '../src/js/program.js';
import { explainSchema } from '../src/analysis/explain.js';
import { clearSchemaCache, loadSchema, schemaFromSql } from '../src/schema/load.js';
import { findRelation } from '../src/schema/model.js';
import { normalizeSettings } from '../src/settings.js';
import { lintFixtureSrc } from './helpers/fixture-lint.js';
import { PGLITE_TIMEOUT, usePGlite } from './helpers/pglite.js';
import { tsRuleTester } from './helpers/rule-tester.js';

const fixture = (name: string): string => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

describe('objection-soft-delete models as a schema source', () => {
  it('a model with the mixin makes its table soft-deletable on the plugin column, through a base class too', () => {
    clearSchemaCache();
    const model = loadSchema(fixture('objection-soft-delete'), normalizeSettings({}));
    expect(model.problems).toEqual([]);
    const users = findRelation(model, null, 'users')!;
    expect([users.columns, users.incomplete, users.markers?.map((m) => [m.column, m.flag, m.by])]).toEqual([
      ['deleted'],
      true,
      [['deleted', true, 'objection-soft-delete mixin of User']],
    ]);
    // `class Post extends SoftModel` with `SoftModel = softDelete({ columnName: 'archived_at', notDeletedValue: null, … })(Model)`
    expect(findRelation(model, null, 'posts')?.markers?.map((m) => [m.column, m.flag])).toEqual([['archived_at', false]]);
    expect(model.objectionModels?.get('Post')).toEqual({ table: 'posts', column: 'archived_at', deletedValue: null, notDeletedValue: 'NULL' });
    const explained = explainSchema(model, normalizeSettings({}), fixture('objection-soft-delete'));
    expect(explained).toMatch(/^ {2}public\.users {2}active rows: NOT deleted {2}\[models\/user\.ts:7\] \(CREATE TABLE not seen\)$/m);
    expect(explained).toMatch(/^ {4}soft-delete column: deleted \(objection-soft-delete mixin of User\) \[models\/user\.ts:5\]$/m);
  });

  it('a migration that made the table wins for its columns; the mixin still names the marker', () => {
    clearSchemaCache();
    const migration = 'CREATE TABLE users (id int PRIMARY KEY, email text, deleted boolean NOT NULL DEFAULT false);';
    const model = schemaFromSql(migration);
    // without the model, `deleted` is no configured column: not soft-deletable
    expect(findRelation(model, null, 'users')?.markers).toBeUndefined();
    const loaded = loadSchema(fixture('objection-with-migrations'), normalizeSettings({}));
    expect(loaded.problems.map((p) => p.message.replace(/^.*?: /, ''))).toEqual([
      'objection-soft-delete mixin of Account names the soft-delete column deleted, which table accounts does not have',
    ]);
    const users = findRelation(loaded, null, 'users')!;
    expect([users.columns, users.incomplete, users.markers?.map((m) => m.column)]).toEqual([['id', 'email', 'deleted'], undefined, ['deleted']]);
  });

  it('options that are no filter the checks can require are said, not guessed', () => {
    clearSchemaCache();
    const model = loadSchema(fixture('objection-odd-options'), normalizeSettings({}));
    expect(model.problems.map((p) => p.message.replace(/^.*?\.ts:\d+:\d+: /, ''))).toEqual([
      "model Item: objection-soft-delete's notDeletedValue is 0: only false (a flag) or null (a timestamp) can be checked",
    ]);
    expect(findRelation(model, null, 'items')).toBeUndefined();
  });
});

describe('objection-soft-delete, end to end through the real ESLint class', () => {
  it('unfiltered reads and hardDelete() are reported; delete() (a patch), whereNotDeleted() and whereDeleted() are not', async () => {
    expect(await lintFixtureSrc(fixture('objection-soft-delete'))).toEqual([
      'src/users.ts:17 hardDelete User',
      'src/users.ts:20 missing Post',
      'src/users.ts:5 missing User',
    ]);
  }, 120_000);

  it('the fixed twin is clean', async () => {
    expect(await lintFixtureSrc(fixture('objection-soft-delete-fixed'))).toEqual([]);
  }, 120_000);
});

/** The SQL the front end lowers a chain to, with the schema's models. */
function lowered(code: string, models?: Map<string, { table: string; column: string; deletedValue: string | null; notDeletedValue: string | null }>): string[] {
  const program = parse(code, { range: true, loc: true });
  const scan = scanProgram(program, code, visitorKeys as never);
  return queryBuildersFromScan(scan, undefined, undefined, models).map((f) => f.text);
}

describe('what the plugin does, lowered and run on PostgreSQL', () => {
  const db = usePGlite(async (pg) => {
    await pg.exec(`CREATE TABLE users (id int PRIMARY KEY, name text, deleted boolean NOT NULL DEFAULT false);
      INSERT INTO users (id, name) VALUES (1, 'ann'), (2, 'bob');`);
  });
  const header = `import { Model } from 'objection';\nimport softDelete from 'objection-soft-delete';\nclass User extends softDelete()(Model) { static tableName = 'users'; }\n`;

  it('delete() keeps the row and flags it; whereNotDeleted() hides it, whereDeleted() finds it; undelete() and hardDelete()', async () => {
    const [patch] = lowered(`${header}await User.query().where('id', 1).delete();`);
    expect(patch).toBe('UPDATE users SET deleted = true WHERE id = 1');
    const [byId] = lowered(`${header}await User.query().deleteById(1);`);
    expect(byId).toBe('UPDATE users SET deleted = true WHERE 1');
    await db().query(patch!);
    const [live] = lowered(`${header}await User.query().whereNotDeleted();`);
    expect(live).toBe('SELECT * FROM users WHERE users.deleted = false');
    const [trash] = lowered(`${header}await User.query().whereDeleted();`);
    expect(trash).toBe('SELECT * FROM users WHERE users.deleted = true');
    const [all] = lowered(`${header}await User.query();`);
    expect((await db().query<{ id: number }>(all!)).rows.map((r) => r.id).sort()).toEqual([1, 2]); // no filter unless asked
    expect((await db().query<{ id: number }>(live!)).rows.map((r) => r.id)).toEqual([2]);
    expect((await db().query<{ id: number }>(trash!)).rows.map((r) => r.id)).toEqual([1]);
    const [undelete] = lowered(`${header}await User.query().where('id', 1).undelete();`);
    expect(undelete).toBe('UPDATE users SET deleted = false WHERE id = 1');
    await db().query(undelete!);
    expect((await db().query<{ id: number }>(live!)).rows.map((r) => r.id).sort()).toEqual([1, 2]);
    const [hard] = lowered(`${header}await User.query().where('id', 1).hardDelete();`);
    expect(hard).toBe('DELETE FROM users WHERE id = 1');
    await db().query(hard!);
    expect((await db().query('SELECT count(*)::int AS n FROM users')).rows).toEqual([{ n: 1 }]);
  }, PGLITE_TIMEOUT);

  it('a timestamp column (notDeletedValue: null) filters with IS NULL; a run-time deletedValue is a parameter', () => {
    const code = `import softDelete from 'objection-soft-delete';\nclass Doc extends softDelete({ columnName: 'removed_at', deletedValue: new Date(), notDeletedValue: null })(Model) { static tableName = 'docs'; }\n`;
    expect(lowered(`${code}await Doc.query().whereNotDeleted();`)).toEqual(['SELECT * FROM docs WHERE docs.removed_at IS NULL']);
    expect(lowered(`${code}await Doc.query().whereDeleted();`)).toEqual(['SELECT * FROM docs WHERE NOT (docs.removed_at IS NULL)']);
    expect(lowered(`${code}await Doc.query().where('id', 3).del();`)).toEqual(['UPDATE docs SET removed_at = $1 WHERE id = 3']);
  });

  it("an instance's $query() narrows to its id; under the plugin its delete() is the patch, the named filters are whereNotDeleted()/whereDeleted()", () => {
    expect(lowered(`${header}const user = await User.query().findById(1);\nawait user.$query().delete();`)).toContain('UPDATE users SET deleted = true WHERE id = $1');
    expect(lowered(`${header}const user = new User();\nawait user.$query().hardDelete();`)).toEqual(['DELETE FROM users WHERE id = $1']);
    expect(lowered(`${header}await User.query().modify('notDeleted');`)).toEqual(['SELECT * FROM users WHERE users.deleted = false']);
    expect(lowered(`${header}await User.query().modify('deleted');`)).toEqual(['SELECT * FROM users WHERE users.deleted = true']);
    // without the plugin, an instance's delete() is a DELETE of its row
    expect(lowered(`import { Model } from 'objection';\nclass Doc extends Model { static tableName = 'docs'; static idColumn = 'doc_id'; }\nconst d = new Doc();\nawait d.$query().delete();`)).toEqual(['DELETE FROM docs WHERE doc_id = $1']);
  });

  it('a `softDelete` bound to another package is not the plugin; a model of another module is known from the schema', () => {
    const other = `import softDelete from 'my-helpers';\nclass User extends softDelete()(Model) { static tableName = 'users'; }\nawait User.query().where('id', 1).delete();`;
    expect(lowered(other)).toEqual(['DELETE FROM users WHERE id = 1']);
    const imported = `import { Account } from './models';\nawait Account.query().where('id', 1).delete();`;
    // the imported class cannot be read here (no module on disk): the schema's models say what it is
    const models = new Map([['Account', { table: 'accounts', column: 'deleted', deletedValue: 'true', notDeletedValue: 'false' }]]);
    expect(lowered(imported, models)).toEqual([]); // Account.query(): its table is not known to this file either
  });
});

const settings = { 'soft-delete': { schema: [`${fixture('objection-soft-delete')}/models/*.ts`] } };
const local = `import { Model } from 'objection';
import sd from 'objection-soft-delete';
class Person extends sd({ columnName: 'deleted' })(Model) { static tableName = 'users'; }
`;

/** A model with a relation to a soft-delete model, for the plugin's named filters in relation expressions. */
const related = `${local}class Group extends Model {
  static tableName = 'groups';
  static relationMappings = {
    members: { relation: Model.HasManyRelation, modelClass: Person, join: { from: 'groups.id', to: 'users.groupId' } },
    liveMembers: { relation: Model.HasManyRelation, modelClass: Person, modify: 'notDeleted', join: { from: 'groups.id', to: 'users.groupId' } },
  };
}
`;

tsRuleTester(settings).run('require-soft-delete-filter (objection-soft-delete)', requireFilter as never, {
  valid: [
    `${local}await Person.query().whereNotDeleted().where('name', 'x');`,
    `${local}await Person.query().whereDeleted();`,
    // the plugin's named filters (its `namedFilters`): `notDeleted` is whereNotDeleted(), `deleted` whereDeleted()
    `${local}await Person.query().modify('notDeleted').where('name', 'x');`,
    `${local}await Person.query().modify('deleted');`,
    `${related}await Group.query().whereIn('id', ids).withGraphFetched('members(notDeleted)');`,
    `${related}await Group.query().withGraphFetched('[liveMembers]');`,
    `${related}await Group.query().withGraphJoined('members(deleted)');`,
    `${related}await group.$relatedQuery('members').modify('notDeleted');`,
    // an instance's own row, read through the plugin's filter
    `${local}export async function reload(person: Person) { return person.$query().whereNotDeleted(); }`,
  ],
  invalid: [
    {
      // an instance's `$query()` reads its row whether or not the plugin flagged it
      code: `${local}export async function reload(person: Person) { return person.$query(); }`,
      errors: [{ messageId: 'missing', line: 4, column: 62, endColumn: 68, suggestions: [{ messageId: 'addFilterInCode', output: `${local}export async function reload(person: Person) { return person.$query().whereNotDeleted(); }` }] }],
    },
    {
      code: `${local}await Person.query().where('name', 'x');`,
      // the plugin's own filter is the suggestion
      errors: [{ messageId: 'missing', suggestions: [{ messageId: 'addFilterInCode', output: `${local}await Person.query().whereNotDeleted().where('name', 'x');` }] }],
    },
    // the relation loaded without the named filter reads deleted members
    { code: `${related}await Group.query().withGraphFetched('[members, liveMembers]');`, errors: [{ messageId: 'missing', line: 11, column: 40, endColumn: 47 }] },
  ],
});

tsRuleTester(settings).run('no-hard-delete (objection-soft-delete)', noHardDelete as never, {
  valid: [
    `${local}await Person.query().where('id', 1).delete();`,
    `${local}await Person.query().deleteById(1);`,
    `${local}await Person.query().where('id', 1).del();`,
    `${local}await Person.query().whereDeleted().hardDelete();`,
  ],
  invalid: [{ code: `${local}await Person.query().where('id', 1).hardDelete();`, errors: [{ messageId: 'hardDelete' }] }],
});

tsRuleTester(settings).run('no-unchecked-query (objection-soft-delete named filters)', noUnchecked as never, {
  valid: [
    // read as the plugin's filter: nothing hidden
    `${local}await Person.query().modify('notDeleted');`,
    `${related}await Group.query().withGraphFetched('members(notDeleted)');`,
    // this.$query() in a method of the model; an instance typed by its parameter
    `${local}class Account extends sd()(Model) { static tableName = 'accounts'; remove() { return this.$query().delete(); } }`,
    `${local}export async function remove(person: Person) { await person.$query().delete(); }`,
  ],
  invalid: [
    // a modifier the model does not define (and the plugin does not register) may filter: unknown, and said
    { code: `${local}await Person.query().modify('notDeletedd');`, errors: [{ messageId: 'unknownFilter' }] },
    // an instance whose class this file cannot tell
    { code: `${local}export async function remove(p) { await p.$query().delete(); }`, errors: [{ messageId: 'unseenBuilder', line: 4, column: 41, endColumn: 51 }] },
  ],
});

tsRuleTester(settings).run('no-hard-delete (objection-soft-delete, an instance)', noHardDelete as never, {
  valid: [
    // the plugin's delete() of the instance's row is a patch of the marker
    `${local}const person = await Person.query().findById(1);\nawait person.$query().delete();`,
    `${local}export async function remove(person: Person) { await person.$query().delete(); }`,
    `${local}const person = Person.fromJson({ id: 1 });\nawait person.$query().undelete();`,
    `${local}class Account extends sd()(Model) { static tableName = 'users'; async remove() { await this.$query().delete(); } }`,
  ],
  invalid: [
    { code: `${local}const person = new Person();\nawait person.$query().hardDelete();`, errors: [{ messageId: 'hardDelete', line: 5, column: 14, endColumn: 20 }] },
    { code: `${local}export const purge = async (person: Person) => person.$query().hardDelete();`, errors: [{ messageId: 'hardDelete' }] },
    { code: `${local}class Account extends sd()(Model) { static tableName = 'users'; async purge() { await this.$query().hardDelete(); } }`, errors: [{ messageId: 'hardDelete' }] },
  ],
});
