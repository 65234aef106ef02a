import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from '@typescript-eslint/typescript-estree';
import tsParser from '@typescript-eslint/parser';
import type { TSESTree } from '@typescript-eslint/utils';
import { visitorKeys } from '@typescript-eslint/visitor-keys';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';
import rule from '../rules/require-soft-delete-filter.js';
import uncheckedRule from '../rules/no-unchecked-query.js';
import plugin from '../src/index.js';
import { extractDrizzle } from '../src/extract/drizzle.js';
import { clearSchemaCache, findSchemaFiles, loadSchema } from '../src/schema/load.js';
import { looksLikeDrizzleSchema, parseDrizzleSchema, type DrizzleSchemaFile } from '../src/schema/drizzle.js';
import type { DrizzleTable } from '../src/schema/model.js';
import type { SqlFragment } from '../src/sql/fragment.js';
import { normalizeSettings } from '../src/settings.js';
import { tsRuleTester } from './helpers/rule-tester.js';

const project = fileURLToPath(new URL('./fixtures/drizzle-project/', import.meta.url));
const SCHEMA_FILE = 'test/fixtures/drizzle-project/src/db/schema.ts';

function program(code: string): TSESTree.Program {
  return parse(code, { range: true, loc: true }) as unknown as TSESTree.Program;
}

function schemaFile(file: string, text: string): DrizzleSchemaFile {
  return { file, program: program(text) };
}

const TABLES = parseDrizzleSchema([schemaFile('schema.ts', readFileSync(join(project, 'src/db/schema.ts'), 'utf8'))]);

function table(tables: Map<string, DrizzleTable>, name: string): DrizzleTable {
  const found = tables.get(name);
  expect(found, name).toBeDefined();
  return found!;
}

describe('drizzle schema parser', () => {
  it('reads exported pgTable / pgSchema tables, explicit and omitted column names, and relations', () => {
    expect([...TABLES.keys()]).toEqual(['users', 'orgs', 'posts', 'tags', 'invoices']);
    expect(Object.fromEntries(table(TABLES, 'users').columns)).toEqual({ id: 'id', email: 'email', orgId: 'org_id', deletedAt: 'deleted_at' });
    // no name given: the property name is the column
    expect(Object.fromEntries(table(TABLES, 'orgs').columns)).toEqual({ id: 'id', name: 'name', deletedAt: 'deletedAt' });
    expect(table(TABLES, 'invoices')).toMatchObject({ table: 'invoices', schema: 'billing' });
    expect(table(TABLES, 'users').schema).toBeUndefined();
    expect(table(TABLES, 'users').relations?.get('posts')).toEqual({ target: 'posts', kind: 'many', api: 'relations' });
    expect(table(TABLES, 'users').relations?.get('org')).toEqual({ target: 'orgs', kind: 'one', fields: ['orgId'], references: ['id'], api: 'relations' });
    expect(table(TABLES, 'posts').relations?.get('author')).toMatchObject({ target: 'users', fields: ['authorId'], references: ['id'] });
    // columns declared a key on their own (what a to-one relation must reference to load one row)
    expect(table(TABLES, 'orgs').keys).toEqual(new Set(['id']));
    expect(table(TABLES, 'users').keys).toEqual(new Set(['id']));
  });

  it('reads several files, re-exports, local exports, spreads of shared columns and callback columns', () => {
    const tables = parseDrizzleSchema([
      schemaFile(
        'people.ts',
        [
          "import { pgTable, text, timestamp, pgSchema } from 'drizzle-orm/pg-core';",
          "const timestamps = { createdAt: timestamp('created_at'), deletedAt: timestamp('deleted_at') };",
          "const people = pgTable('people', { id: text('id'), ...timestamps });",
          'export { people as persons };',
          "export const notes = pgTable('notes', (t) => ({ id: t.integer(), authorId: t.integer('author_id') }));",
          "export const events = pgSchema('audit').table('events', { id: text() });",
          "export const local = pgSchema('public').table('local_things', { id: text() });",
          "const hidden = pgTable('hidden', { id: text() });",
        ].join('\n'),
      ),
      schemaFile('index.ts', "export * from './people';\nexport { persons as humans } from './people';\n"),
      schemaFile('relations.ts', "import { relations } from 'drizzle-orm';\nexport const r = relations(notes, ({ one }) => ({ author: one(persons, { fields: [notes.authorId], references: [persons.id] }) }));\n"),
    ]);
    expect([...tables.keys()].sort()).toEqual(['events', 'humans', 'local', 'notes', 'persons']);
    expect(Object.fromEntries(table(tables, 'persons').columns)).toEqual({ id: 'id', createdAt: 'created_at', deletedAt: 'deleted_at' });
    expect(table(tables, 'humans').table).toBe('people');
    expect(Object.fromEntries(table(tables, 'notes').columns)).toEqual({ id: 'id', authorId: 'author_id' });
    expect(table(tables, 'events').schema).toBe('audit');
    expect(table(tables, 'local').schema).toBeUndefined();
    expect(table(tables, 'notes').relations?.get('author')).toMatchObject({ target: 'persons', kind: 'one' });
  });

  it('drops a name that two files give to different tables', () => {
    const tables = parseDrizzleSchema([
      schemaFile('a.ts', "export const items = pgTable('items_a', { id: text() });"),
      schemaFile('b.ts', "export const items = pgTable('items_b', { id: text() });\nexport const other = pgTable('other', { id: text() });"),
    ]);
    expect([...tables.keys()]).toEqual(['other']);
  });

  it('tells drizzle schema files from other scripts', () => {
    expect(looksLikeDrizzleSchema("import { pgTable } from 'drizzle-orm/pg-core';\nexport const t = pgTable('t', {});")).toBe(true);
    expect(looksLikeDrizzleSchema("exports.up = (knex) => knex.schema.table('t', () => {});")).toBe(false);
    expect(looksLikeDrizzleSchema('export const userInput = { email: "string" };')).toBe(false);
  });
});

describe('schema model with a drizzle schema', () => {
  it('adds the drizzle tables and records the mapping', () => {
    clearSchemaCache();
    const schema = loadSchema(process.cwd(), normalizeSettings({ schema: [SCHEMA_FILE] }));
    expect([...schema.relations.keys()].sort()).toEqual(['billing.invoices', 'public.orgs', 'public.posts', 'public.tags', 'public.users']);
    expect(schema.relations.get('public.orgs')?.columns).toEqual(['id', 'name', 'deletedAt']);
    expect(schema.relations.get('public.users')?.columns).toEqual(['id', 'email', 'org_id', 'deleted_at']);
    expect(schema.drizzleTables?.get('users')?.table).toBe('users');
    expect(schema.problems).toEqual([]);
  });

  it('discovers src/db/schema.ts next to drizzle-kit migrations (which win for columns), and skips a schema.ts that is not drizzle', () => {
    clearSchemaCache();
    expect(findSchemaFiles(project, null).map((f) => relative(project, f))).toEqual([
      'drizzle/0000_init.sql',
      'src/db/schema.ts',
      'src/lib/schema.ts',
    ]);
    const schema = loadSchema(project, normalizeSettings({}));
    expect(schema.files.map((f) => relative(project, f))).toEqual(['drizzle/0000_init.sql', 'src/db/schema.ts']);
    expect(schema.relations.get('public.users')?.columns).toEqual(['id', 'email', 'org_id', 'display_name', 'deleted_at']);
    expect(schema.relations.get('public.posts')?.columns).toEqual(['id', 'author_id', 'title', 'deleted_at']);
    expect(schema.problems).toEqual([]);
  });

  it('discovers a schema folder (src/db/schema/*.ts)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'drizzle-multi-'));
    try {
      mkdirSync(join(dir, 'src/db/schema'), { recursive: true });
      writeFileSync(join(dir, 'src/db/schema/users.ts'), "import { pgTable, text, timestamp } from 'drizzle-orm/pg-core';\nexport const users = pgTable('app_users', { id: text('id'), deletedAt: timestamp('deleted_at') });\n");
      writeFileSync(join(dir, 'src/db/schema/index.ts'), "export * from './users';\n");
      clearSchemaCache();
      const schema = loadSchema(dir, normalizeSettings({}));
      expect(schema.files.map((f) => relative(dir, f))).toEqual(['src/db/schema/users.ts']);
      expect(schema.relations.get('public.app_users')?.columns).toEqual(['id', 'deleted_at']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

function fragments(code: string, tables: Map<string, DrizzleTable> = TABLES): SqlFragment[] {
  return extractDrizzle(program(code), visitorKeys, tables);
}

const IMPORTS = "import { and, between, eq, count, exists, gt, ilike, inArray, isNotNull, isNull, like, ne, not, notExists, notInArray, or, sql } from 'drizzle-orm';\nimport { invoices, orgs, posts, tags, users } from './db/schema';\n";

function sql(code: string): string[] {
  return fragments(IMPORTS + code).map((f) => f.text);
}

describe('drizzle: synthesized SQL', () => {
  it.each([
    ['await db.select().from(users)', ['SELECT * FROM users']],
    ['await db.select().from(users).where(eq(users.email, email))', ['SELECT * FROM users WHERE users.email = $1']],
    [
      'await db.select({ id: users.id }).from(users).where(and(eq(users.email, email), isNull(users.deletedAt))).limit(1)',
      ['SELECT * FROM users WHERE (users.email = $1 AND users.deleted_at IS NULL)'],
    ],
    ['await db.selectDistinct().from(users).where(isNotNull(users.deletedAt))', ['SELECT * FROM users WHERE users.deleted_at IS NOT NULL']],
    [
      'await db.select().from(users).where(or(isNull(users.deletedAt), ne(users.id, 3), gt(users.id, n)))',
      ['SELECT * FROM users WHERE (users.deleted_at IS NULL OR users.id <> 3 OR users.id > $1)'],
    ],
    ['await db.select().from(users).where(and(eq(users.email, e), undefined, isNull(users.deletedAt)))', ['SELECT * FROM users WHERE (users.email = $1 AND users.deleted_at IS NULL)']],
    ['await db.select().from(users).where(and())', ['SELECT * FROM users']],
    ['await db.select().from(users).where(undefined)', ['SELECT * FROM users']],
    [
      'await db.select().from(users).where(and(inArray(users.id, ids), notInArray(users.email, es), not(isNotNull(users.deletedAt))))',
      ['SELECT * FROM users WHERE (users.id = ANY($1) AND NOT (users.email = ANY($2)) AND NOT (users.deleted_at IS NOT NULL))'],
    ],
    [
      'await db.select().from(users).where(and(between(users.id, 1, max), like(users.email, p), ilike(users.email, q), isNull(users.deletedAt)))',
      ['SELECT * FROM users WHERE (users.id BETWEEN 1 AND $1 AND users.email LIKE $2 AND users.email ILIKE $3 AND users.deleted_at IS NULL)'],
    ],
    ['await db.select().from(users).where(sql`${users.deletedAt} IS NULL`)', ['SELECT * FROM users WHERE (users.deleted_at IS NULL)']],
    ["await db.select().from(users).where(sql`${users.email} = ${'a'}`)", ['SELECT * FROM users WHERE (users.email = $1)']],
    [
      'await db.select().from(users).leftJoin(orgs, eq(orgs.id, users.orgId)).where(isNull(users.deletedAt))',
      ['SELECT * FROM users LEFT JOIN orgs ON orgs.id = users.org_id WHERE users.deleted_at IS NULL'],
    ],
    [
      'await db.select().from(posts).innerJoin(users, and(eq(users.id, posts.authorId), isNull(users.deletedAt))).where(isNull(posts.deletedAt))',
      ['SELECT * FROM posts INNER JOIN users ON (users.id = posts.author_id AND users.deleted_at IS NULL) WHERE posts.deleted_at IS NULL'],
    ],
    ['await db.select().from(invoices).where(isNull(invoices.deletedAt))', ['SELECT * FROM billing.invoices WHERE invoices.deleted_at IS NULL']],
    ['const active = isNull(users.deletedAt);\nawait db.select().from(users).where(active)', ['SELECT * FROM users WHERE users.deleted_at IS NULL']],
    ['return db.select().from(tags)', []], // not in an async function: not known to run
    ['async function f() { return db.select().from(tags); }', ['SELECT * FROM tags']],
    ['const q = db.select().from(tags).prepare("q")', ['SELECT * FROM tags']],
    ['await Promise.all([db.select().from(tags), this.db.select().from(orgs)])', ['SELECT * FROM tags', 'SELECT * FROM orgs']],
    // relational queries
    ['await db.query.users.findMany()', ['SELECT * FROM users']],
    [
      'await db.query.users.findMany({ where: (u, { and, eq, isNull }) => and(eq(u.email, e), isNull(u.deletedAt)) })',
      ['SELECT * FROM users WHERE (users.email = $1 AND users.deleted_at IS NULL)'],
    ],
    ['await db.query.users.findFirst({ where: (users, ops) => ops.isNull(users.deletedAt) })', ['SELECT * FROM users WHERE users.deleted_at IS NULL']],
    ['await db.query.users.findFirst({ where: eq(users.id, id) })', ['SELECT * FROM users WHERE users.id = $1']],
    [
      'await db.query.users.findMany({ where: { email, deletedAt: { isNull: true }, OR: [{ id: 1 }, { id: { gt: 5 } }] } })',
      ['SELECT * FROM users WHERE (users.email = $1 AND users.deleted_at IS NULL AND (users.id = 1 OR users.id > 5))'],
    ],
    ['await db.query.users.findMany({ where: { deletedAt: { isNotNull: true } } })', ['SELECT * FROM users WHERE users.deleted_at IS NOT NULL']],
    [
      'await db.query.users.findMany({ where: (u, { isNull }) => isNull(u.deletedAt), with: { posts: true, org: { columns: { id: true } } } })',
      ['SELECT * FROM users WHERE users.deleted_at IS NULL', 'SELECT * FROM posts WHERE posts.author_id = ANY($1)', 'SELECT * FROM orgs WHERE orgs.id = ANY($1)'],
    ],
    [
      'await db.query.posts.findMany({ with: { author: { where: (a, { isNull }) => isNull(a.deletedAt), with: { posts: true } } } })',
      ['SELECT * FROM posts', 'SELECT * FROM users WHERE users.id = ANY($1) AND users.deleted_at IS NULL', 'SELECT * FROM posts WHERE posts.author_id = ANY($1)'],
    ],
    ['await db.query.users.findMany({ with: { posts: false, unknownRelation: true } })', ['SELECT * FROM users']],
    ['import * as schema from "./db/schema";\nawait db.select().from(schema.tags)', ['SELECT * FROM tags']],
    // alias() tables, subqueries, CTEs: each table inside is a read of its own
    ["import { alias } from 'drizzle-orm/pg-core';\nconst u = alias(users, 'u');\nawait db.select().from(u).where(isNull(u.deletedAt))", ['SELECT * FROM users AS u WHERE u.deleted_at IS NULL']],
    [
      "import { alias } from 'drizzle-orm/pg-core';\nconst boss = alias(users, 'boss');\nawait db.select().from(users).innerJoin(boss, eq(boss.id, users.orgId)).where(and(isNull(users.deletedAt), isNull(boss.deletedAt)))",
      ['SELECT * FROM users INNER JOIN users AS boss ON boss.id = users.org_id WHERE (users.deleted_at IS NULL AND boss.deleted_at IS NULL)'],
    ],
    ["const sq = db.select().from(users).where(isNull(users.deletedAt)).as('sq');\nawait db.select().from(sq)", ['SELECT * FROM (SELECT * FROM users WHERE users.deleted_at IS NULL) AS sq']],
    ["const sq = db.select().from(users).as('sq');\nawait db.select().from(sq).where(isNull(sq.deletedAt))", ['SELECT * FROM (SELECT * FROM users) AS sq WHERE sq.deleted_at IS NULL']],
    ["const sq = db.select({ gone: users.deletedAt, n: count() }).from(users).as('sq');\nawait db.select().from(sq).where(isNull(sq.gone))", ['SELECT * FROM (SELECT * FROM users) AS sq WHERE sq.deleted_at IS NULL']],
    // an outer filter cannot undo a LIMIT inside: it is kept
    ["const sq = db.select().from(users).limit(3).as('sq');\nawait db.select().from(sq).where(isNull(sq.deletedAt))", ['SELECT * FROM (SELECT * FROM users LIMIT $1) AS sq WHERE sq.deleted_at IS NULL']],
    ["await db.select().from(db.select().from(tags).as('t'))", ['SELECT * FROM (SELECT * FROM tags) AS t']],
    [
      'await db.select().from(posts).where(and(isNull(posts.deletedAt), inArray(posts.authorId, db.select({ id: users.id }).from(users).where(isNull(users.deletedAt)))))',
      ['SELECT * FROM posts WHERE (posts.deleted_at IS NULL AND posts.author_id IN (SELECT * FROM users WHERE users.deleted_at IS NULL))'],
    ],
    [
      'await db.select().from(users).where(and(isNull(users.deletedAt), notExists(db.select().from(posts).where(eq(posts.authorId, users.id)))))',
      ['SELECT * FROM users WHERE (users.deleted_at IS NULL AND NOT EXISTS (SELECT * FROM posts WHERE posts.author_id = users.id))'],
    ],
    [
      "const x = db.$with('x').as(db.select().from(users));\nawait db.with(x).select().from(x).where(isNull(x.deletedAt))",
      ['WITH x AS (SELECT * FROM users) SELECT * FROM x WHERE x.deleted_at IS NULL'],
    ],
    [
      "const x = db.$with('x').as((qb) => qb.select().from(users).where(isNull(users.deletedAt)));\nconst y = db.$with('y').as(db.select().from(tags));\nawait db.with(x, y).select().from(x).innerJoin(y, eq(y.id, x.id))",
      ['WITH x AS (SELECT * FROM users WHERE users.deleted_at IS NULL), y AS (SELECT * FROM tags) SELECT * FROM x INNER JOIN y ON y.id = x.id'],
    ],
    [
      'await db.query.users.findMany({ where: (u, { and, exists, eq, isNull }) => and(isNull(u.deletedAt), exists(db.select().from(posts).where(eq(posts.authorId, u.id)))) })',
      ['SELECT * FROM users WHERE (users.deleted_at IS NULL AND EXISTS (SELECT * FROM posts WHERE posts.author_id = users.id))'],
    ],
  ])('%s', (code, expected) => {
    const found = fragments(IMPORTS + code);
    expect(found.map((f) => f.text)).toEqual(expected);
    for (const f of found) {
      expect(f.origin).toBe('query-builder');
      expect(f.opaque.size).toBe(0);
    }
  });

  it.each([
    ['a condition from a function', 'await db.select().from(users).where(buildWhere(q))', 'SELECT * FROM users WHERE $1'],
    ['a let-bound condition', 'let w = isNull(users.deletedAt);\nawait db.select().from(users).where(w)', 'SELECT * FROM users WHERE $1'],
    ['a conditional', 'await db.select().from(users).where(q ? eq(users.email, q) : undefined)', 'SELECT * FROM users WHERE $1'],
    ['an operator that is not drizzle\'s', 'await db.select().from(users).where(myEq(users.deletedAt, null))', 'SELECT * FROM users WHERE $1'],
    ['isNull of something we cannot see', 'await db.select().from(users).where(isNull(col))', 'SELECT * FROM users WHERE $1'],
    ['a spread of conditions', 'await db.select().from(users).where(and(...conds))', 'SELECT * FROM users WHERE $1'],
    ['an interpolated fragment in sql', 'await db.select().from(users).where(sql`${cond}`)', 'SELECT * FROM users WHERE ($1)'],
    ['a method we do not model', 'await db.select().from(users).$withAuth(x)', 'SELECT * FROM users WHERE $1'],
    ['two where calls', 'await db.select().from(users).where(eq(users.id, 1)).where(isNull(users.deletedAt))', 'SELECT * FROM users WHERE $1'],
    ['a relational where in a variable', 'await db.query.users.findMany({ where: filter })', 'SELECT * FROM users WHERE $1'],
    ['relational arguments from a function', 'await db.query.users.findMany(args(q))', 'SELECT * FROM users WHERE $1'],
    ['a RAW relational filter', 'await db.query.users.findMany({ where: { RAW: (t) => sql`${t.deletedAt} IS NULL` } })', 'SELECT * FROM users WHERE $1'],
    ['an unknown relational operator', 'await db.query.users.findMany({ where: { deletedAt: { arrayContains: [] } } })', 'SELECT * FROM users WHERE $1'],
    ['exists of something not a select chain', 'await db.select().from(users).where(exists(sub))', 'SELECT * FROM users WHERE $1'],
    ['a subquery column made by a sql expression', "const sq = db.select({ live: sql`${users.deletedAt} IS NULL` }).from(users).as('sq');\nawait db.select().from(sq).where(eq(sq.live, true))", 'SELECT * FROM (SELECT * FROM users) AS sq WHERE $1'],
  ])('opaque: %s', (_name, code, expected) => {
    const found = fragments(IMPORTS + code);
    expect(found.map((f) => f.text)).toEqual([expected]);
    expect(found[0]!.opaque.size).toBe(1);
  });

  it.each([
    ['a table that is not in the schema', 'await db.select().from(invoicesView).where(eq(x, 1))'],
    ['a builder kept and continued later', 'const q = db.select().from(users);\nawait q.where(isNull(users.deletedAt))'],
    ['a subquery, not run', 'const sq = db.select().from(users).as("sq")'],
    ['a CTE, not run', "const x = db.$with('x').as(db.select().from(users))"],
    ['a CTE that is not a const of this file', 'await db.with(imported).select().from(imported)'],
    ['an alias of a table not in the schema', "import { alias } from 'drizzle-orm/pg-core';\nconst a = alias(accounts, 'a');\nawait db.select().from(a)"],
    ['alias() that is not drizzle\'s', "const u = alias(users, 'u');\nawait db.select().from(u)"],

    ['toSQL', 'const { sql: text } = db.select().from(users).toSQL()'],
    // writes are lowered (test/builder-writes.test.ts), except these
    ['a delete that is not run', 'db.delete(users).where(eq(users.id, id))'],
    ['an object not named like a client', 'await repo.select().from(users)'],
    ['a relational query of an unknown table', 'await db.query.accounts.findMany()'],
    ['a Prisma-style call', 'await db.users.findMany({ where: { email } })'],
  ])('skipped: %s', (_name, code) => {
    expect(sql(code)).toEqual([]);
  });

  it('a parent object where on a to-one relation over a key limits the row its `with` loads', () => {
    const rq = (where: string, rel = 'org'): string[] => sql(`await db.query.users.findMany({ where: ${where}, with: { ${rel}: true } })`).slice(1);
    const live = 'SELECT * FROM orgs WHERE orgs.id = ANY($1) AND orgs."deletedAt" IS NULL';
    expect(rq('{ org: { deletedAt: { isNull: true } } }')).toEqual([live]);
    expect(rq('{ deletedAt: { isNull: true }, AND: [{ email }, { org: { deletedAt: { isNull: true } } }] }')).toEqual([live]);
    expect(rq('{ NOT: { org: { deletedAt: { isNull: true } } } }')).toEqual(['SELECT * FROM orgs WHERE orgs.id = ANY($1) AND NOT (orgs."deletedAt" IS NULL)']);
    const unconstrained = ['SELECT * FROM orgs WHERE orgs.id = ANY($1)'];
    // exists-only, under OR, NOT of more than the relation, a spread that may replace it, a callback where
    expect(rq('{ org: true }')).toEqual(unconstrained);
    expect(rq('{ OR: [{ org: { deletedAt: { isNull: true } } }, { email }] }')).toEqual(unconstrained);
    expect(rq('{ NOT: { org: { deletedAt: { isNull: true } }, email } }')).toEqual(unconstrained);
    expect(rq('{ org: { deletedAt: { isNull: true } }, ...extra }')).toEqual(unconstrained);
    expect(rq('(u, { isNull }) => isNull(u.deletedAt)')).toEqual(unconstrained);
    // a to-many relation: `posts: {…}` is "some live post", the deleted ones are loaded too
    expect(rq('{ posts: { deletedAt: { isNull: true } } }', 'posts')).toEqual(['SELECT * FROM posts WHERE posts.author_id = ANY($1)']);
  });

  it('a to-one relation that does not reference a key is not limited by the parent (it loads any one match)', () => {
    const schema = "import { integer, pgTable, serial, text, timestamp } from 'drizzle-orm/pg-core';\nimport { relations } from 'drizzle-orm';\n" +
      "export const a = pgTable('a', { id: serial('id').primaryKey(), code: text('code'), deletedAt: timestamp('deleted_at') });\n" +
      "export const b = pgTable('b', { id: serial('id').primaryKey(), aCode: text('a_code') });\n" +
      "export const r = relations(b, ({ one }) => ({ a: one(a, { fields: [b.aCode], references: [a.code] }) }));\n";
    const tables = parseDrizzleSchema([schemaFile('schema.ts', schema)]);
    const found = fragments("import { a, b } from './schema';\nawait db.query.b.findMany({ where: { a: { deletedAt: { isNull: true } } }, with: { a: true } })", tables);
    expect(found.map((f) => f.text)).toEqual(['SELECT * FROM b WHERE $1', 'SELECT * FROM a WHERE a.code = ANY($1)']);
  });

  it('does nothing without drizzle tables', () => {
    expect(extractDrizzle(program('await db.select().from(users)'), visitorKeys, undefined)).toEqual([]);
    expect(extractDrizzle(program('await db.select().from(users)'), visitorKeys, new Map())).toEqual([]);
  });

  it('does not resolve a name that is not imported, or that is shadowed', () => {
    expect(fragments("import { eq } from 'drizzle-orm';\nawait db.select().from(users)")).toEqual([]);
    expect(fragments("import { users } from './schema';\nfunction f(users) { return db.select().from(users); }")).toEqual([]);
    // a table defined in the same file resolves
    expect(fragments("const users = pgTable('users', {});\nawait db.select().from(users)").map((f) => f.text)).toEqual(['SELECT * FROM users']);
    // an aliased import
    expect(fragments("import { users as u } from './schema';\nawait db.select().from(u)").map((f) => f.text)).toEqual(['SELECT * FROM users']);
  });

  it('maps the table onto the identifier, columns onto their properties, and relations onto their keys', () => {
    const code = `${IMPORTS}await db.select().from(users).where(eq(users.email, e));`;
    const [main] = fragments(code);
    const t = main!.text.indexOf('FROM users') + 'FROM '.length;
    expect(main!.toSource(t)).toBe(code.indexOf('users)'));
    expect(main!.toSource(t + 4)).toBe(code.indexOf('users)') + 4);
    const col = main!.text.indexOf('.email') + 1;
    expect(code.slice(main!.toSource(col), main!.toSource(col + 4) + 1)).toBe('email');
    const rq = `${IMPORTS}await db.query.users.findMany({ with: { 'posts': true } });`;
    const [users, posts] = fragments(rq);
    expect(users!.toSource(users!.text.indexOf('FROM users') + 5)).toBe(rq.indexOf('users.findMany'));
    expect(posts!.toSource(posts!.text.indexOf('FROM posts') + 5)).toBe(rq.indexOf("posts'"));
  });
});

describe('settings.drizzle', () => {
  it('is on by default and can be turned off', () => {
    expect(normalizeSettings({}).drizzle).toBe(true);
    expect(normalizeSettings({ drizzle: false }).drizzle).toBe(false);
  });
});

const SETTINGS = { 'soft-delete': { schema: [SCHEMA_FILE] } };
const H = IMPORTS;

tsRuleTester(SETTINGS).run('require-soft-delete-filter (drizzle)', rule as never, {
  valid: [
    `${H}await db.select().from(users).where(and(eq(users.email, e), isNull(users.deletedAt)));`,
    // the trash view: deliberate
    `${H}await db.select().from(users).where(isNotNull(users.deletedAt));`,
    `${H}await db.select().from(users).leftJoin(orgs, and(eq(orgs.id, users.orgId), isNull(orgs.deletedAt))).where(isNull(users.deletedAt));`,
    `${H}await db.select().from(users).where(sql\`\${users.deletedAt} IS NULL\`);`,
    // not soft-deletable
    `${H}await db.select().from(tags).where(eq(tags.label, l));`,
    // opaque: unknown, never reported
    `${H}await db.select().from(users).where(buildWhere(q));`,
    `${H}await db.select().from(users).where(sql\`\${cond}\`);`,
    `${H}await db.query.users.findMany({ where: filter });`,
    // writes
    `${H}await db.update(users).set({ deletedAt: new Date() }).where(eq(users.id, id));`,
    // relational, filtered everywhere
    `${H}await db.query.users.findMany({ where: (u, { isNull }) => isNull(u.deletedAt), with: { posts: { where: (p, { isNull }) => isNull(p.deletedAt) } } });`,
    `${H}await db.query.users.findMany({ where: { deletedAt: { isNull: true } } });`,
    // the parent keeps to users whose org is live: the org `with` loads is live
    `${H}await db.query.users.findMany({ where: { deletedAt: { isNull: true }, org: { deletedAt: { isNull: true } } }, with: { org: true } });`,
    // alias() tables, subqueries and CTEs, filtered where they read
    `${H}import { alias } from 'drizzle-orm/pg-core';\nconst u = alias(users, 'u');\nawait db.select().from(u).where(and(eq(u.email, e), isNull(u.deletedAt)));`,
    `${H}const sq = db.select().from(users).where(isNull(users.deletedAt)).as('sq');\nawait db.select().from(sq);`,
    `${H}const sq = db.select().from(users).as('sq');\nawait db.select().from(sq).where(isNull(sq.deletedAt));`,
    `${H}await db.select().from(posts).where(and(isNull(posts.deletedAt), inArray(posts.authorId, db.select({ id: users.id }).from(users).where(isNull(users.deletedAt)))));`,
    `${H}await db.select().from(users).where(and(isNull(users.deletedAt), exists(db.select().from(posts).where(and(eq(posts.authorId, users.id), isNull(posts.deletedAt))))));`,
    `${H}const live = db.$with('live').as(db.select().from(users).where(isNull(users.deletedAt)));\nawait db.with(live).select().from(live);`,
    // turned off
    {
      code: `${H}await db.select().from(users).where(eq(users.email, e));`,
      settings: { 'soft-delete': { schema: [SCHEMA_FILE], drizzle: false } },
    },
    {
      code: `${H}await db.query.users.findMany();`,
      settings: { 'soft-delete': { schema: [SCHEMA_FILE], drizzle: false } },
    },
  ],
  invalid: [
    {
      code: `${H}await db.select().from(users).where(eq(users.email, e));`,
      errors: [{ messageId: 'missing', data: { table: 'users', alias: '', filter: 'deleted_at IS NULL', via: '' }, line: 3, column: 24, endColumn: 29, suggestions: [{ messageId: 'addFilterInCode', data: { code: 'isNull(users.deletedAt)' }, output: `${H}await db.select().from(users).where(and(eq(users.email, e), isNull(users.deletedAt)));` }] }],
    },
    {
      code: `${H}const rows = await db.select().from(users).where(or(isNull(users.deletedAt), eq(users.email, e)));`,
      errors: [{ messageId: 'or-defeated', line: 3, column: 37, endColumn: 42, suggestions: [] }],
    },
    {
      // the filter of the outer join's nullable side belongs in ON
      code: `${H}await db.select().from(users).leftJoin(orgs, eq(orgs.id, users.orgId)).where(and(isNull(users.deletedAt), isNull(orgs.deletedAt)));`,
      errors: [{ messageId: 'outer-where', data: { table: 'orgs', alias: '', filter: 'orgs."deletedAt" IS NULL', via: '' }, line: 3, column: 40, endColumn: 44, suggestions: [] }],
    },
    {
      code: `${H}await db.select().from(invoices);`,
      errors: [{ messageId: 'missing', line: 3, column: 24, endColumn: 32, suggestions: [{ messageId: 'addFilterInCode', output: `${H}await db.select().from(invoices).where(isNull(invoices.deletedAt));` }] }],
    },
    {
      // an alias() table: reported and fixed at the alias
      code: `${H}import { alias } from 'drizzle-orm/pg-core';\nconst u = alias(users, 'u');\nawait db.select().from(u).where(eq(u.email, e));`,
      errors: [{ messageId: 'missing', line: 5, column: 24, endColumn: 25, suggestions: [{ messageId: 'addFilterInCode', data: { code: 'isNull(u.deletedAt)' }, output: `${H}import { alias } from 'drizzle-orm/pg-core';\nconst u = alias(users, 'u');\nawait db.select().from(u).where(and(eq(u.email, e), isNull(u.deletedAt)));` }] }],
    },
    {
      // a subquery: the table inside, fixed inside
      code: `${H}const sq = db.select().from(users).as('sq');\nawait db.select().from(sq);`,
      // (rows that reach the result through a derived table get no code suggestion: the filter may go inside or outside)
      errors: [{ messageId: 'missingVia', data: { table: 'users', alias: '', filter: 'deleted_at IS NULL', via: '(subquery sq)' }, line: 3, column: 29, endColumn: 34, suggestions: [] }],
    },
    {
      // inArray(col, subquery): the subquery is a read of its own
      code: `${H}await db.select().from(posts).where(and(isNull(posts.deletedAt), inArray(posts.authorId, db.select({ id: users.id }).from(users))));`,
      errors: [{ messageId: 'missing', data: { table: 'users', alias: '', filter: 'deleted_at IS NULL', via: '' }, line: 3, column: 123, endColumn: 128, suggestions: [{ messageId: 'addFilterInCode', output: `${H}await db.select().from(posts).where(and(isNull(posts.deletedAt), inArray(posts.authorId, db.select({ id: users.id }).from(users).where(isNull(users.deletedAt)))));` }] }],
    },
    {
      // exists(…): correlated, and still its own read
      code: `${H}await db.select().from(users).where(and(isNull(users.deletedAt), exists(db.select().from(posts).where(eq(posts.authorId, users.id)))));`,
      errors: [{ messageId: 'missing', data: { table: 'posts', alias: '', filter: 'deleted_at IS NULL', via: '' }, line: 3, column: 90, endColumn: 95, suggestions: [{ messageId: 'addFilterInCode', output: `${H}await db.select().from(users).where(and(isNull(users.deletedAt), exists(db.select().from(posts).where(and(eq(posts.authorId, users.id), isNull(posts.deletedAt))))));` }] }],
    },
    {
      // a CTE nobody filters
      code: `${H}const everyone = db.$with('everyone').as(db.select().from(users));\nawait db.with(everyone).select().from(everyone);`,
      errors: [{ messageId: 'missingVia', line: 3, column: 59, endColumn: 64, suggestions: [] }],
    },
    {
      // relational: the table itself
      code: `${H}await db.query.users.findFirst({ where: (u, { eq }) => eq(u.id, id) });`,
      errors: [{ messageId: 'missing', line: 3, column: 16, endColumn: 21, suggestions: [{ messageId: 'addFilterInCode', data: { code: 'isNull(u.deletedAt)' }, output: `${H}await db.query.users.findFirst({ where: (u, { eq, and, isNull }) => and(eq(u.id, id), isNull(u.deletedAt)) });` }] }],
    },
    {
      // relational, no arguments: a where callback (the relations() API)
      code: `${H}await db.query.users.findMany();`,
      errors: [{ messageId: 'missing', suggestions: [{ messageId: 'addFilterInCode', output: `${H}await db.query.users.findMany({ where: (t, { isNull }) => isNull(t.deletedAt) });` }] }],
    },
    {
      // merged into the callback's and(…), its operators object used as given
      code: `${H}await db.query.users.findMany({ where: (u, ops) => ops.and(ops.eq(u.id, id)), columns: { id: true } });`,
      errors: [{ messageId: 'missing', suggestions: [{ messageId: 'addFilterInCode', output: `${H}await db.query.users.findMany({ where: (u, ops) => ops.and(ops.eq(u.id, id), ops.isNull(u.deletedAt)), columns: { id: true } });` }] }],
    },
    {
      // a to-one relation of relations() takes no where (a type error): reported without a suggestion
      code: `${H}await db.query.users.findMany({ where: (u, { isNull }) => isNull(u.deletedAt), with: { org: true } });`,
      errors: [{ messageId: 'missing', data: { table: 'orgs', alias: '', filter: '"deletedAt" IS NULL', via: '' }, suggestions: [] }],
    },
    {
      // relational: soft-deleted posts leak through `with`
      code: `${H}await db.query.users.findMany({\n  where: (u, { isNull }) => isNull(u.deletedAt),\n  with: { posts: true },\n});`,
      errors: [{ messageId: 'missing', data: { table: 'posts', alias: '', filter: 'deleted_at IS NULL', via: '' }, line: 5, column: 11, endColumn: 16, suggestions: [{ messageId: 'addFilterInCode', output: `${H}await db.query.users.findMany({\n  where: (u, { isNull }) => isNull(u.deletedAt),\n  with: { posts: { where: (t, { isNull }) => isNull(t.deletedAt) } },\n});` }] }],
    },
    {
      // the parent's filter under OR limits nothing
      code: `${H}await db.query.users.findMany({\n  where: { deletedAt: { isNull: true }, OR: [{ org: { deletedAt: { isNull: true } } }, { email }] },\n  with: { org: true },\n});`,
      errors: [{ messageId: 'missing', data: { table: 'orgs', alias: '', filter: '"deletedAt" IS NULL', via: '' }, line: 5, column: 11, endColumn: 14 }],
    },
  ],
});

describe('a drizzle project through the real ESLint class', () => {
  /** The fixture project linted with one of the plugin's configs, each message as `file:line:column rule messageId`. */
  async function lintProject(config: 'recommended' | 'strict'): Promise<string[]> {
    clearSchemaCache();
    const eslint = new ESLint({
      cwd: project,
      overrideConfigFile: true,
      overrideConfig: [{ files: ['**/*.ts'], languageOptions: { parser: tsParser } }, ...plugin.configs[config]],
    });
    const results = await eslint.lintFiles(['.']);
    return results
      .flatMap((r) => r.messages.map((m) => `${relative(project, r.filePath)}:${m.line}:${m.column} ${m.ruleId ?? m.message} ${m.messageId ?? ''}`))
      .sort();
  }

  it('discovers src/db/schema.ts and the drizzle-kit migration, and reports the drizzle reads that leak', async () => {
    const found = await lintProject('recommended');
    expect(found).toEqual([
      // raw SQL in a `schema.ts` that is not drizzle's: still linted as an ordinary file
      'src/lib/schema.ts:5:34 soft-delete/require-soft-delete-filter missing',
      'src/users.ts:21:15 soft-delete/require-soft-delete-filter outer-where',
      'src/users.ts:32:13 soft-delete/require-soft-delete-filter missing',
      'src/users.ts:37:27 soft-delete/require-soft-delete-filter or-defeated',
      'src/users.ts:6:27 soft-delete/require-soft-delete-filter missing',
    ]);
  });

  it('under the strict config, no-unchecked-query has nothing to list: every drizzle read was read (none mistaken for knex)', async () => {
    const found = await lintProject('strict');
    expect(found.filter((line) => line.includes(' soft-delete/no-unchecked-query '))).toEqual([]);
  });
});

tsRuleTester(SETTINGS).run('no-unchecked-query (drizzle)', uncheckedRule as never, {
  valid: [
    {
      code: `${H}await db.select().from(users).where(isNull(users.deletedAt));`,
    },
  ],
  invalid: [
    {
      // a chain the front end recognises (a drizzle client, run) over a table it cannot name: listed, not passed
      // (knex reads are spelt the same way; in a file that imports drizzle and not knex, the chain is drizzle's alone)
      code: `${H}await db.select().from(somewhere).where(eq(x, 1));`,
      errors: [{ messageId: 'unseenBuilder', data: { callee: 'from(somewhere)', reason: 'it is not a table of the drizzle schema the plugin read (an `alias()`, a subquery, a table declared where discovery does not look)' }, line: 3, column: 24, endColumn: 33 }],
    },
  ],
});
