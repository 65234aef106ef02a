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
import { extractPrismaClient } from '../src/extract/prisma-client.js';
import { clearSchemaCache, findSchemaFiles, loadSchema } from '../src/schema/load.js';
import { delegateName, parsePrismaSchema, stripPrismaComments } from '../src/schema/prisma.js';
import type { PrismaModel } from '../src/schema/model.js';
import type { SqlFragment } from '../src/sql/fragment.js';
import { normalizeSettings } from '../src/settings.js';
import { tsRuleTester } from './helpers/rule-tester.js';

const project = fileURLToPath(new URL('./fixtures/prisma-project/', import.meta.url));
const SCHEMA_FILE = 'test/fixtures/prisma-project/prisma/schema.prisma';
const SCHEMA_TEXT = readFileSync(join(project, 'prisma/schema.prisma'), 'utf8');
const MODELS = parsePrismaSchema([{ file: 'schema.prisma', text: SCHEMA_TEXT }]);

function model(models: Map<string, PrismaModel>, name: string): PrismaModel {
  const found = models.get(name);
  expect(found, name).toBeDefined();
  return found!;
}

function fields(m: PrismaModel): Record<string, string> {
  return Object.fromEntries(
    [...m.fields].map(([name, f]) => [name, f.relation ? `${f.relation}${f.list ? '[]' : ''}` : f.column]),
  );
}

describe('schema.prisma parser', () => {
  it('maps models to tables (@@map) and fields to columns (@map)', () => {
    expect([...MODELS.keys()]).toEqual(['User', 'Post', 'Profile', 'Tag']);
    const user = model(MODELS, 'User');
    expect(user.table).toBe('users');
    expect(fields(user)).toEqual({ id: 'id', email: 'email', name: 'name', deletedAt: 'deleted_at', posts: 'Post[]', profile: 'Profile', tags: 'Tag[]' });
    const post = model(MODELS, 'Post');
    expect(post.table).toBe('Post');
    expect(fields(post)).toEqual({ id: 'id', title: 'title', authorId: 'author_id', author: 'User', deletedAt: 'deletedAt', tags: 'Tag[]' });
    expect(post.fields.get('author')).toMatchObject({ fields: ['authorId'], references: ['id'] });
    expect(post.fields.get('tags')).toMatchObject({ relationName: 'PostTags', list: true });
    expect(model(MODELS, 'Tag').table).toBe('tags');
  });

  it('ignores comments, strings that look like comments, enums, datasource and generator blocks', () => {
    const text = [
      '// model Fake {',
      'datasource db {',
      '  provider = "postgresql"',
      '  url = "postgres://x//y" // model Hidden {',
      '}',
      '/// doc comment',
      'model Note { // trailing',
      '  id   Int    @id // @map("nope")',
      '  body String @default("a // b") @map("note_body")',
      '  // deletedAt DateTime?',
      '  kind Kind',
      '  @@map("notes") // @@map("other")',
      '}',
      'enum Kind {',
      '  A',
      '}',
    ].join('\n');
    const models = parsePrismaSchema([{ file: 'x.prisma', text }]);
    expect([...models.keys()]).toEqual(['Note']);
    const note = model(models, 'Note');
    expect(note.table).toBe('notes');
    expect(fields(note)).toEqual({ id: 'id', body: 'note_body', kind: 'kind' });
    expect(stripPrismaComments('a "//b" // c').trimEnd()).toBe('a "//b"');
  });

  it('resolves relations across the files of a multi-file schema, and reads @@schema, views and @@ignore', () => {
    const models = parsePrismaSchema([
      { file: 'a.prisma', text: 'model Order {\n  id Int @id\n  customer   Customer @relation(fields: [customerId], references: [id])\n  customerId Int @map("customer_id")\n  @@schema("sales")\n}\n' },
      { file: 'b.prisma', text: 'model Customer {\n  id Int @id\n  orders Order[]\n  deleted_at DateTime?\n}\nview ActiveCustomer {\n  id Int @unique\n}\nmodel Legacy {\n  id Int @id\n  @@ignore\n}\n' },
    ]);
    expect([...models.keys()]).toEqual(['Order', 'Customer', 'ActiveCustomer']);
    expect(model(models, 'Order').schema).toBe('sales');
    expect(fields(model(models, 'Order'))).toEqual({ id: 'id', customer: 'Customer', customerId: 'customer_id' });
    expect(fields(model(models, 'Customer'))).toEqual({ id: 'id', orders: 'Order[]', deleted_at: 'deleted_at' });
    expect(model(models, 'ActiveCustomer').kind).toBe('view');
    expect(delegateName('ActiveCustomer')).toBe('activeCustomer');
  });
});

describe('schema model with schema.prisma', () => {
  it('discovers schema.prisma next to the Prisma migrations', () => {
    expect(findSchemaFiles(project, null).map((f) => relative(project, f))).toEqual([
      'prisma/migrations/20240101000000_init/migration.sql',
      'prisma/schema.prisma',
    ]);
  });

  it('adds the tables the migrations did not define; the migrations win for the others', () => {
    clearSchemaCache();
    const schema = loadSchema(project, normalizeSettings({}));
    expect([...schema.relations.keys()].sort()).toEqual(['public.Post', 'public.profiles', 'public.tags', 'public.users']);
    // from the migration (no `title` column would be missing; a column only the migration has stays)
    expect(schema.relations.get('public.users')?.columns).toEqual(['id', 'email', 'name', 'deleted_at']);
    expect(schema.relations.get('public.users')?.uniques.map((u) => u.name)).toEqual(['users_email_key']);
    // from schema.prisma: scalar fields only, by their mapped names
    expect(schema.relations.get('public.profiles')?.columns).toEqual(['id', 'bio', 'user_id', 'deleted_at']);
    expect(schema.relations.get('public.tags')?.columns).toEqual(['id', 'label', 'owner_id']);
    expect([...(schema.prismaModels?.keys() ?? [])]).toEqual(['User', 'Post', 'Profile', 'Tag']);
    expect(schema.problems).toEqual([]);
  });

  it('discovers a multi-file schema (prisma/schema/*.prisma) and a schema.prisma at the root', () => {
    const dir = mkdtempSync(join(tmpdir(), 'prisma-multi-'));
    try {
      mkdirSync(join(dir, 'prisma/schema'), { recursive: true });
      writeFileSync(join(dir, 'prisma/schema/post.prisma'), 'model Post {\n  id Int @id\n  author User @relation(fields: [authorId], references: [id])\n  authorId Int\n}\n');
      writeFileSync(join(dir, 'prisma/schema/user.prisma'), 'model User {\n  id Int @id\n  posts Post[]\n  deleted_at DateTime?\n  @@map("people")\n}\n');
      const schema = loadSchema(dir, normalizeSettings({}));
      expect(schema.files.map((f) => relative(dir, f))).toEqual(['prisma/schema/post.prisma', 'prisma/schema/user.prisma']);
      expect(schema.relations.get('public.Post')?.columns).toEqual(['id', 'authorId']);
      expect(schema.relations.get('public.people')?.columns).toEqual(['id', 'deleted_at']);
      expect(schema.prismaModels?.get('Post')?.fields.get('author')?.relation).toBe('User');
      writeFileSync(join(dir, 'schema.prisma'), 'model Root {\n  id Int @id\n}\n');
      expect(findSchemaFiles(dir, null).map((f) => relative(dir, f))).toContain('schema.prisma');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('keeps the migration columns when schema.prisma disagrees', () => {
    const dir = mkdtempSync(join(tmpdir(), 'prisma-merge-'));
    try {
      mkdirSync(join(dir, 'prisma/migrations/1_init'), { recursive: true });
      writeFileSync(join(dir, 'prisma/migrations/1_init/migration.sql'), 'CREATE TABLE "Item" ("id" INTEGER, "legacy" TEXT);');
      writeFileSync(join(dir, 'prisma/schema.prisma'), 'model Item {\n  id Int @id\n  deletedAt DateTime?\n}\n');
      const schema = loadSchema(dir, normalizeSettings({}));
      expect(schema.relations.get('public.Item')?.columns).toEqual(['id', 'legacy']);
      expect(schema.prismaModels?.get('Item')?.table).toBe('Item');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

function program(code: string): TSESTree.Program {
  return parse(code, { range: true, loc: true }) as unknown as TSESTree.Program;
}

function fragments(code: string): SqlFragment[] {
  return extractPrismaClient(program(code), visitorKeys, MODELS);
}

function sql(code: string): string[] {
  return fragments(code).map((f) => f.text);
}

/** The source text the table name of a fragment maps to. */
function tableSource(code: string, fragment: SqlFragment): string {
  const start = fragment.text.indexOf(' FROM ') + 6;
  const name = /^(?:"(?:[^"]|"")*"|[a-z_][a-z0-9_]*)/.exec(fragment.text.slice(start))![0];
  const end = start + name.length;
  return code.slice(fragment.toSource(start), fragment.toSource(end - 1) + 1);
}

function opaqueCount(fragment: SqlFragment): number {
  return fragment.opaque.size;
}

describe('Prisma client: synthesized SQL', () => {
  it.each([
    ['await prisma.user.findMany()', ['SELECT * FROM users']],
    ['await prisma.user.findMany({ where: { email } })', ['SELECT * FROM users WHERE email = $1']],
    ['await prisma.user.findFirst({ where: { email, deletedAt: null } })', ['SELECT * FROM users WHERE email = $1 AND deleted_at IS NULL']],
    ["await db.user.findUniqueOrThrow({ where: { id: 3, name: 'x' } })", ['SELECT * FROM users WHERE id = 3 AND name = $1']],
    ['await tx.post.count({ where: { deletedAt: { not: null } } })', ['SELECT * FROM "Post" WHERE "deletedAt" IS NOT NULL']],
    ['await this.prisma.post.findMany({ where: { deletedAt: { equals: null }, id: { in: ids } } })', ['SELECT * FROM "Post" WHERE "deletedAt" IS NULL AND id = ANY($1)']],
    ['await ctx.prisma.post.aggregate({ where: { id: { gte: 1, lt: max }, title: { notIn: t } } })', ['SELECT * FROM "Post" WHERE id >= 1 AND id < $1 AND NOT (title = ANY($2))']],
    ['await prismaClient.post.groupBy({ by: ["authorId"], where: { deletedAt: { not: { equals: null } } } })', ['SELECT * FROM "Post" WHERE NOT ("deletedAt" IS NULL)']],
    [
      'await prisma.user.findMany({ where: { OR: [{ deletedAt: null }, { email }], AND: [{ name }, { id: 1 }], NOT: { email: "a" } } })',
      ['SELECT * FROM users WHERE (deleted_at IS NULL OR email = $1) AND name = $2 AND id = 1 AND NOT (email = $3)'],
    ],
    ['await prisma.user.findMany({ where: { OR: [{ deletedAt: null }, {}] } })', ['SELECT * FROM users WHERE (deleted_at IS NULL OR TRUE)']],
    ['await prisma.user.findMany({ where: { OR: [] } })', ['SELECT * FROM users WHERE FALSE']],
    ['await prisma.user.findMany({ where: { email: undefined } })', ['SELECT * FROM users']],
    ['await prisma.user.findMany({ where: { email: { contains: q, mode: "insensitive" } } })', ['SELECT * FROM users WHERE email LIKE $1']],
    [
      // includes: each relation is a read of its own, matched by the foreign key
      'await prisma.user.findMany({ where: { deletedAt: null }, include: { posts: true, profile: true, tags: false } })',
      [
        'SELECT * FROM users WHERE deleted_at IS NULL',
        'SELECT * FROM "Post" WHERE author_id = ANY($1)',
        'SELECT * FROM profiles WHERE user_id = ANY($1)',
      ],
    ],
    [
      'await prisma.post.findMany({ select: { id: true, author: true, tags: { where: { label } } } })',
      ['SELECT * FROM "Post"', 'SELECT * FROM users WHERE id = ANY($1)', 'SELECT * FROM tags WHERE label = $1'],
    ],
    [
      'await prisma.user.findUnique({ where: { id }, include: { posts: { where: { deletedAt: null }, include: { tags: true } } } })',
      ['SELECT * FROM users WHERE id = $1', 'SELECT * FROM "Post" WHERE author_id = ANY($1) AND "deletedAt" IS NULL', 'SELECT * FROM tags'],
    ],
    [
      // relation filters: a condition on other rows here, and a read of the related table of their own
      'await prisma.user.findMany({ where: { deletedAt: null, posts: { some: { title } }, profile: { is: { bio } } } })',
      ['SELECT * FROM users WHERE deleted_at IS NULL AND $1 AND $2', 'SELECT * FROM "Post" WHERE title = $1', 'SELECT * FROM profiles WHERE bio = $1'],
    ],
    ['await prisma.post.findMany({ where: { author: { email } } })', ['SELECT * FROM "Post" WHERE $1', 'SELECT * FROM users WHERE email = $1']],
    [
      // `none` and a negated `some` examine the related rows too: a soft-deleted post still counts
      'await prisma.user.findMany({ where: { posts: { none: { title } }, NOT: { posts: { some: {} } } } })',
      ['SELECT * FROM users WHERE $1 AND NOT ($2)', 'SELECT * FROM "Post" WHERE title = $1', 'SELECT * FROM "Post"'],
    ],
    [
      // `every: X` examines the related rows that are not X
      'await prisma.user.findMany({ where: { posts: { every: { OR: [{ deletedAt: { not: null } }, { title }] } } } })',
      ['SELECT * FROM users WHERE $1', 'SELECT * FROM "Post" WHERE NOT (("deletedAt" IS NOT NULL OR title = $1))'],
    ],
    ['await prisma.user.findMany({ where: { posts: { every: {} } } })', ['SELECT * FROM users WHERE $1']],
    [
      // a to-one include whose rows the parent's where already constrains
      'await prisma.post.findMany({ where: { author: { deletedAt: null } }, include: { author: true } })',
      ['SELECT * FROM "Post" WHERE $1', 'SELECT * FROM users WHERE deleted_at IS NULL', 'SELECT * FROM users WHERE id = ANY($1) AND deleted_at IS NULL'],
    ],
    [
      'await prisma.user.findMany({ where: { AND: [{ profile: { is: { deletedAt: null } } }], posts: { every: { deletedAt: null } } }, include: { profile: true, posts: true } })',
      [
        'SELECT * FROM users WHERE $1 AND $2',
        'SELECT * FROM profiles WHERE deleted_at IS NULL',
        'SELECT * FROM "Post" WHERE NOT ("deletedAt" IS NULL)',
        'SELECT * FROM profiles WHERE user_id = ANY($1) AND deleted_at IS NULL',
        'SELECT * FROM "Post" WHERE author_id = ANY($1) AND "deletedAt" IS NULL',
      ],
    ],
    [
      // `some` constrains one related row, not the ones the include loads
      'await prisma.user.findMany({ where: { posts: { some: { deletedAt: null } } }, include: { posts: true } })',
      ['SELECT * FROM users WHERE $1', 'SELECT * FROM "Post" WHERE "deletedAt" IS NULL', 'SELECT * FROM "Post" WHERE author_id = ANY($1)'],
    ],
    [
      // `_count` reads the related table
      'await prisma.user.findMany({ where: { deletedAt: null }, include: { _count: { select: { posts: true, tags: { where: { label } } } } } })',
      ['SELECT * FROM users WHERE deleted_at IS NULL', 'SELECT * FROM "Post" WHERE author_id = ANY($1)', 'SELECT * FROM tags WHERE owner_id = ANY($1) AND label = $2'],
    ],
    [
      'await prisma.user.findFirst({ where: { deletedAt: null }, select: { _count: true } })',
      ['SELECT * FROM users WHERE deleted_at IS NULL', 'SELECT * FROM "Post" WHERE author_id = ANY($1)', 'SELECT * FROM tags WHERE owner_id = ANY($1)'],
    ],
    [
      // the fluent API reads the relation's rows of the row found, as an include of it would
      'await prisma.user.findUnique({ where: { id } }).posts({ where: { deletedAt: null } })',
      ['SELECT * FROM users WHERE id = $1', 'SELECT * FROM "Post" WHERE author_id = ANY($1) AND "deletedAt" IS NULL'],
    ],
    ['await prisma.user.findFirst({ where: { email, deletedAt: null } }).posts()', ['SELECT * FROM users WHERE email = $1 AND deleted_at IS NULL', 'SELECT * FROM "Post" WHERE author_id = ANY($1)']],
    ['await prisma.user.findUnique({ where: { id } }).then(done)', ['SELECT * FROM users WHERE id = $1']],
    [
      // ordering by a relation's count reads the related table (Prisma has no where for it)
      "await prisma.user.findMany({ where: { deletedAt: null }, orderBy: { posts: { _count: 'desc' } } })",
      ['SELECT * FROM users WHERE deleted_at IS NULL', 'SELECT * FROM "Post" WHERE author_id = ANY($1)'],
    ],
    [
      "await prisma.user.findMany({ where: { deletedAt: null }, orderBy: [{ email: 'asc' }, { tags: { _count: 'asc' } }, { posts: { title: 'asc' } }] })",
      ['SELECT * FROM users WHERE deleted_at IS NULL', 'SELECT * FROM tags WHERE owner_id = ANY($1)'],
    ],
    [
      // conditional spreads: every branch is a path
      'await prisma.user.findMany({ where: { deletedAt: null, ...(q ? { email: { contains: q } } : {}) } })',
      ['SELECT * FROM users WHERE deleted_at IS NULL AND ((email LIKE $1) OR TRUE)'],
    ],
    [
      'await prisma.user.findMany({ where: { ...(mine ? { id: me, deletedAt: null } : { deletedAt: null }), email } })',
      ['SELECT * FROM users WHERE ((id = $1 AND deleted_at IS NULL) OR (deleted_at IS NULL)) AND email = $2'],
    ],
    ['await prisma.user.findMany({ where: { ...(q && { email: q }) } })', ['SELECT * FROM users WHERE ((email = $1) OR TRUE)']],
    ['await prisma.user.findMany({ where: { email, ...(all ? {} : undefined) } })', ['SELECT * FROM users WHERE email = $1']],
    ['const where = { email, deletedAt: null };\nawait prisma.user.findMany({ where })', ['SELECT * FROM users WHERE email = $1 AND deleted_at IS NULL']],
    ['const args = { where: { email } };\nawait prisma.user.findMany(args)', ['SELECT * FROM users WHERE email = $1']],
  ])('%s', (code, expected) => {
    const found = fragments(code);
    expect(found.map((f) => f.text)).toEqual(expected);
    for (const f of found) {
      expect(f.origin).toBe('query-builder');
      expect(opaqueCount(f)).toBe(0);
    }
  });

  it.each([
    ['a variable where', 'await prisma.user.findMany({ where })', 'SELECT * FROM users WHERE $1'],
    ['a let-bound where', 'let where = { email };\nawait prisma.user.findMany({ where })', 'SELECT * FROM users WHERE $1'],
    ['a spread inside where', 'await prisma.user.findMany({ where: { ...filters, email } })', 'SELECT * FROM users WHERE $1 AND email = $2'],
    ['a spread of the arguments', 'await prisma.user.findMany({ ...args, take: 10 })', 'SELECT * FROM users WHERE $1'],
    ['arguments from a function', 'await prisma.user.findMany(buildArgs(q))', 'SELECT * FROM users WHERE $1'],
    ['a computed key', 'await prisma.user.findMany({ where: { [key]: value } })', 'SELECT * FROM users WHERE $1'],
    ['an unknown operator', 'await prisma.user.findMany({ where: { deletedAt: { isSet: false } } })', 'SELECT * FROM users WHERE $1'],
    ['an unknown field (a compound unique)', 'await prisma.user.findUnique({ where: { email_name: { email, name } } })', 'SELECT * FROM users WHERE $1'],
    ['a NOT with nothing inside', 'await prisma.user.findMany({ where: { NOT: {} } })', 'SELECT * FROM users WHERE $1'],
    ['an OR held in a variable', 'await prisma.user.findMany({ where: { OR: branches } })', 'SELECT * FROM users WHERE $1'],
    ['a filter toggled by a conditional spread', 'await prisma.user.findMany({ where: { ...(withDeleted ? {} : { deletedAt: null }) } })', 'SELECT * FROM users WHERE $1'],
    ['a spread of something else', 'await prisma.user.findMany({ where: { ...(cond ? filters : {}) } })', 'SELECT * FROM users WHERE $1'],
    ['a key a conditional spread may replace', 'await prisma.user.findMany({ where: { email, ...(cond ? { email: other } : {}) } })', 'SELECT * FROM users WHERE $1 AND ((email = $2) OR TRUE)'],
  ])('opaque: %s', (_name, code, expected) => {
    const found = fragments(code);
    expect(found.map((f) => f.text)).toEqual([expected]);
    expect(opaqueCount(found[0]!)).toBe(1);
  });

  it.each([
    // writes are lowered (test/builder-writes.test.ts), except these
    ['upsert', 'await prisma.user.upsert({ where: { id }, create: {}, update: {} })'],
    ['a delegate that is not a model', 'await prisma.invoice.findMany({ where: { id } })'],
    ['an object not named like a client', 'await repository.user.findMany({ where: { email } })'],
    ['a context object', 'await ctx.user.findMany({ where: { email } })'],
    ['a raw query (the SQL front end takes it)', 'await prisma.$queryRaw`SELECT 1`'],
    ['drizzle relational queries', 'await db.query.users.findMany({ where: eq(users.email, email) })'],
  ])('skipped: %s', (_name, code) => {
    expect(sql(code)).toEqual([]);
  });

  it('does nothing without a Prisma schema', () => {
    expect(extractPrismaClient(program('await prisma.user.findMany()'), visitorKeys, undefined)).toEqual([]);
    expect(extractPrismaClient(program('await prisma.user.findMany()'), visitorKeys, new Map())).toEqual([]);
  });

  it('maps the table onto the delegate, and an included relation onto its key', () => {
    const code = "const rows = await this.prisma.user.findMany({ include: { 'posts': { where: { title } }, profile: true } });";
    const [main, posts, profile] = fragments(code);
    expect(tableSource(code, main!)).toBe('user');
    expect(main!.toSource(main!.text.indexOf('FROM users') + 5)).toBe(code.indexOf('user.'));
    expect(tableSource(code, posts!)).toBe('posts');
    expect(posts!.toSource(posts!.text.indexOf('"Post"'))).toBe(code.indexOf('posts'));
    expect(tableSource(code, profile!)).toBe('profile');
    // a column maps to its key in the where
    const title = posts!.text.indexOf('title');
    expect(code.slice(posts!.toSource(title), posts!.toSource(title + 4) + 1)).toBe('title');
  });
});

describe('settings.prismaClient', () => {
  it('is on by default and can be turned off', () => {
    expect(normalizeSettings({}).prismaClient).toBe(true);
    expect(normalizeSettings({ prismaClient: false }).prismaClient).toBe(false);
  });
});

const PRISMA_ONLY = { 'soft-delete': { schema: [SCHEMA_FILE] } };
const WITH_MIGRATIONS = { 'soft-delete': { schema: ['test/fixtures/prisma-project/prisma/**/*.{sql,prisma}'] } };

tsRuleTester(PRISMA_ONLY).run('require-soft-delete-filter (Prisma client)', rule as never, {
  valid: [
    // a spread may replace the keys before it (here the relation filter): unknown, no read of posts started
    'await prisma.user.findMany({ where: { posts: { some: { title } }, ...extra, email } });',
    'await prisma.user.findMany({ where: { email, deletedAt: null } });',
    'await prisma.post.findFirst({ where: { AND: [{ title }, { deletedAt: null }] } });',
    // trash view: deliberate
    'await prisma.user.findMany({ where: { deletedAt: { not: null } } });',
    // included relations filtered in their own where
    'await prisma.user.findMany({ where: { deletedAt: null }, include: { posts: { where: { deletedAt: null } } } });',
    'await prisma.user.findMany({ where: { deletedAt: null }, select: { id: true, posts: { where: { deletedAt: null } }, tags: true } });',
    // not soft-deletable
    'await prisma.tag.findMany({ where: { label } });',
    // opaque: unknown, never reported
    'await prisma.user.findMany({ where });',
    'await prisma.user.findMany({ where: { ...activeOnly, email } });',
    'await prisma.user.findMany(args);',
    // writes
    'await prisma.user.update({ where: { id }, data: { deletedAt: new Date() } });',
    // a lookup by id, with allowLookupsBy
    { code: 'await prisma.user.findUnique({ where: { id } });', options: [{ allowLookupsBy: ['id'] }] },
    // a to-one relation the parent's where constrains to live rows is loaded live
    'await prisma.post.findMany({ where: { deletedAt: null, author: { deletedAt: null } }, include: { author: true } });',
    'await prisma.user.findMany({ where: { deletedAt: null, profile: { is: { deletedAt: null } } }, select: { profile: true } });',
    'await prisma.post.findMany({ where: { deletedAt: null, author: { isNot: { deletedAt: { not: null } } } }, include: { author: true } });',
    // every post of these users is live, so the included posts are
    'await prisma.user.findMany({ where: { deletedAt: null, posts: { every: { deletedAt: null } } }, include: { posts: true } });',
    // relation filters with the filter inside
    'await prisma.user.findMany({ where: { deletedAt: null, posts: { none: { deletedAt: null } } } });',
    'await prisma.user.findMany({ where: { deletedAt: null, posts: { some: { deletedAt: null } } } });',
    'await prisma.user.findMany({ where: { deletedAt: null, posts: { every: { OR: [{ deletedAt: { not: null } }, { title }] } } } });',
    'await prisma.user.findUnique({ where: { id, deletedAt: null } }).posts({ where: { deletedAt: null } });',
    // ordering by the count of a relation that is not soft-deletable
    "await prisma.user.findMany({ where: { deletedAt: null }, orderBy: { tags: { _count: 'desc' } } });",
    // _count of live children
    'await prisma.user.findMany({ where: { deletedAt: null }, include: { _count: { select: { posts: { where: { deletedAt: null } }, tags: true } } } });',
    // conditional spreads: the filter on every path, or toggled by a flag (unknown: `no-unchecked-query` lists it)
    'await prisma.user.findMany({ where: { ...(mine ? { id: me, deletedAt: null } : { deletedAt: null }), email } });',
    'await prisma.user.findMany({ where: { email, ...(withDeleted ? {} : { deletedAt: null }) } });',
    'await prisma.user.findMany({ where: { deletedAt: null, ...(q ? { email: { contains: q } } : {}) } });',
    // turned off (a client extension filters soft-deleted rows globally)
    {
      code: 'await prisma.user.findMany({ where: { email } });',
      settings: { 'soft-delete': { schema: [SCHEMA_FILE], prismaClient: false } },
    },
  ],
  invalid: [
    {
      // the fluent API: the deleted posts of a live user
      code: 'await prisma.user.findUnique({ where: { id, deletedAt: null } }).posts();',
      errors: [{ messageId: 'missing', data: { table: 'Post', alias: '', filter: '"deletedAt" IS NULL', via: '' }, column: 66, endColumn: 71 }],
    },
    {
      // deleted posts are counted: Prisma cannot filter an orderBy _count, so there is no edit to offer
      code: "await prisma.user.findMany({ where: { deletedAt: null }, orderBy: { posts: { _count: 'desc' } } });",
      errors: [{ messageId: 'missing', data: { table: 'Post', alias: '', filter: '"deletedAt" IS NULL', via: '' }, column: 69, endColumn: 74, suggestions: [] }],
    },
    {
      code: 'const user = await prisma.user.findMany({ where: { email } });',
      errors: [
        {
          messageId: 'missing',
          data: { table: 'users', alias: '', filter: 'deleted_at IS NULL', via: '' },
          line: 1,
          column: 27,
          endColumn: 31,
          suggestions: [{ messageId: 'addFilterInCode', data: { code: 'deletedAt: null' }, output: 'const user = await prisma.user.findMany({ where: { email, deletedAt: null } });' }],
        },
      ],
    },
    {
      code: 'await this.prisma.post.findMany({ where: { OR: [{ deletedAt: null }, { title }] } });',
      errors: [{ messageId: 'or-defeated', data: { table: 'Post', alias: '', filter: '"deletedAt" IS NULL', via: '' }, column: 19, endColumn: 23, suggestions: [] }],
    },
    {
      // soft-deleted posts leak through the include
      code: 'await prisma.user.findMany({\n  where: { deletedAt: null },\n  include: { posts: true },\n});',
      errors: [{ messageId: 'missing', data: { table: 'Post', alias: '', filter: '"deletedAt" IS NULL', via: '' }, line: 3, column: 14, endColumn: 19, suggestions: [{ messageId: 'addFilterInCode', output: 'await prisma.user.findMany({\n  where: { deletedAt: null },\n  include: { posts: { where: { deletedAt: null } } },\n});' }] }],
    },
    {
      // a deleted author is still returned with the post
      code: 'await prisma.post.findMany({ where: { deletedAt: null }, include: { author: true } });',
      errors: [{ messageId: 'missing', data: { table: 'users', alias: '', filter: 'deleted_at IS NULL', via: '' }, column: 69, endColumn: 75 }],
    },
    {
      code: 'await prisma.user.findUnique({ where: { id } });',
      errors: [{ messageId: 'missing', column: 14, endColumn: 18, suggestions: [{ messageId: 'addFilterInCode', output: 'await prisma.user.findUnique({ where: { id, deletedAt: null } });' }] }],
    },
    {
      code: 'await prisma.user.findMany({ where: { deletedAt: null, posts: { some: { title } } } });',
      errors: [{ messageId: 'missing', data: { table: 'Post', alias: '', filter: '"deletedAt" IS NULL', via: '' }, column: 56, endColumn: 61 }],
    },
    {
      code: 'const where = { email };\nawait prisma.user.count({ where });',
      errors: [{ messageId: 'missing', line: 2, column: 14, endColumn: 18 }],
    },
    {
      // `some` constrains one of the user's posts, not the ones the include loads
      code: 'await prisma.user.findMany({ where: { deletedAt: null, posts: { some: { deletedAt: null } } }, include: { posts: true } });',
      errors: [
        {
          messageId: 'missing',
          data: { table: 'Post', alias: '', filter: '"deletedAt" IS NULL', via: '' },
          column: 107,
          endColumn: 112,
          suggestions: [
            {
              messageId: 'addFilterInCode',
              output: 'await prisma.user.findMany({ where: { deletedAt: null, posts: { some: { deletedAt: null } } }, include: { posts: { where: { deletedAt: null } } } });',
            },
          ],
        },
      ],
    },
    {
      // the parent constrains the author under OR only: not every loaded author is live
      code: 'await prisma.post.findMany({ where: { deletedAt: null, OR: [{ author: { deletedAt: null } }, { title }] }, include: { author: true } });',
      errors: [{ messageId: 'missing', data: { table: 'users', alias: '', filter: 'deleted_at IS NULL', via: '' }, column: 119, endColumn: 125 }],
    },
    {
      // "users without posts" leaves out a user whose only post was deleted
      code: 'await prisma.user.findMany({ where: { deletedAt: null, posts: { none: {} } } });',
      errors: [{ messageId: 'missing', data: { table: 'Post', alias: '', filter: '"deletedAt" IS NULL', via: '' }, column: 56, endColumn: 61 }],
    },
    {
      code: 'await prisma.user.findMany({ where: { deletedAt: null, NOT: { posts: { some: { title } } } } });',
      errors: [{ messageId: 'missing', data: { table: 'Post', alias: '', filter: '"deletedAt" IS NULL', via: '' }, column: 63, endColumn: 68 }],
    },
    {
      // "users whose every post is published": a deleted draft still excludes them
      code: 'await prisma.user.findMany({ where: { deletedAt: null, posts: { every: { title } } } });',
      errors: [{ messageId: 'missing', data: { table: 'Post', alias: '', filter: '"deletedAt" IS NULL', via: '' }, column: 56, endColumn: 61 }],
    },
    {
      // deleted posts are counted
      code: 'await prisma.user.findMany({ where: { deletedAt: null }, include: { _count: { select: { posts: true } } } });',
      errors: [{ messageId: 'missing', data: { table: 'Post', alias: '', filter: '"deletedAt" IS NULL', via: '' }, column: 89, endColumn: 94 }],
    },
    {
      code: 'await prisma.user.findMany({ where: { deletedAt: null }, select: { id: true, _count: true } });',
      errors: [{ messageId: 'missing', data: { table: 'Post', alias: '', filter: '"deletedAt" IS NULL', via: '' }, column: 78, endColumn: 84 }],
    },
    {
      // no path of the conditional spread filters
      code: 'await prisma.user.findMany({ where: { ...(q ? { email: { contains: q } } : {}) } });',
      errors: [
        {
          messageId: 'missing',
          data: { table: 'users', alias: '', filter: 'deleted_at IS NULL', via: '' },
          column: 14,
          endColumn: 18,
          suggestions: [
            { messageId: 'addFilterInCode', output: 'await prisma.user.findMany({ where: { ...(q ? { email: { contains: q } } : {}), deletedAt: null } });' },
          ],
        },
      ],
    },
    {
      // one const include used by two queries: the same squiggle once, not twice
      code: 'const withPosts = { posts: true };\nawait prisma.user.findMany({ where: { deletedAt: null }, include: withPosts });\nawait prisma.user.findFirst({ where: { deletedAt: null, email }, include: withPosts });',
      errors: [{ messageId: 'missing', data: { table: 'Post', alias: '', filter: '"deletedAt" IS NULL', via: '' }, line: 1, column: 21, endColumn: 26 }],
    },
  ],
});

tsRuleTester(PRISMA_ONLY).run('no-unchecked-query (Prisma client)', uncheckedRule as never, {
  valid: [
    'await prisma.user.findMany({ where: { ...(mine ? { id: me, deletedAt: null } : { deletedAt: null }), email } });',
    'await prisma.user.findMany({ where: { deletedAt: null, ...(q ? { email: { contains: q } } : {}) } });',
  ],
  invalid: [
    {
      // a filter toggled by a flag is not guessed: it is listed as unchecked, not passed silently
      code: 'await prisma.user.findMany({ where: { email, ...(withDeleted ? {} : { deletedAt: null }) } });',
      errors: [{ messageId: 'unknownFilter', data: { table: 'users', filter: 'deleted_at IS NULL' } }],
    },
    {
      // arguments kept in a variable: the read is lowered with a condition the plugin cannot see
      code: 'await prisma.user.findMany(args);',
      errors: [{ messageId: 'unknownFilter', data: { table: 'users', filter: 'deleted_at IS NULL' } }],
    },
    {
      // spread arguments, and a write whose rows are not spelled out: recognised, not understood
      code: 'await prisma.user.findMany(...args);\nawait prisma.user.deleteMany(criteria);',
      errors: [
        { messageId: 'unreadableCall', data: { callee: 'prisma.user.findMany', reason: 'its arguments are spread from a value this file does not spell out' }, line: 1 },
        { messageId: 'unreadableCall', data: { callee: 'prisma.user.deleteMany', reason: 'its arguments (which rows, which values) are not an object this file spells out' }, line: 2 },
      ],
    },
  ],
});

tsRuleTester(WITH_MIGRATIONS).run('require-soft-delete-filter (Prisma client, schema.prisma + migration.sql)', rule as never, {
  valid: ['await prisma.post.findMany({ where: { deletedAt: null } });', 'await db.profile.findFirst({ where: { userId, deletedAt: null } });'],
  invalid: [
    {
      code: 'await db.profile.findFirst({ where: { userId } });',
      errors: [{ messageId: 'missing', data: { table: 'profiles', alias: '', filter: 'deleted_at IS NULL', via: '' }, column: 10, endColumn: 17, suggestions: [{ messageId: 'addFilterInCode', output: 'await db.profile.findFirst({ where: { userId, deletedAt: null } });' }] }],
    },
  ],
});

describe('a Prisma project through the real ESLint class', () => {
  it('discovers schema.prisma and the migrations, and reports the Prisma reads that leak', async () => {
    clearSchemaCache();
    const eslint = new ESLint({
      cwd: project,
      overrideConfigFile: true,
      overrideConfig: [{ files: ['**/*.ts'], languageOptions: { parser: tsParser } }, ...plugin.configs.recommended],
    });
    const results = await eslint.lintFiles(['.']);
    expect(results.map((r) => relative(project, r.filePath)).sort()).toEqual([
      'prisma/migrations/20240101000000_init/migration.sql',
      'src/posts.ts',
      'src/users.ts',
    ]);
    const found = results
      .flatMap((r) => r.messages.map((m) => `${relative(project, r.filePath)}:${m.line}:${m.column} ${m.ruleId ?? m.message} ${m.messageId ?? ''}`))
      .sort();
    expect(found).toEqual([
      'src/posts.ts:7:24 soft-delete/require-soft-delete-filter or-defeated',
      'src/users.ts:16:16 soft-delete/require-soft-delete-filter missing',
      'src/users.ts:6:17 soft-delete/require-soft-delete-filter missing',
    ]);
  });
});
