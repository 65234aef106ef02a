/**
 * What Prisma's nested reads do with soft-deleted rows, shown on PostgreSQL (PGlite) with SQL written by hand in the
 * shape of each read: a relation filter is a subquery on the related table (`some` → `IN`, `none` → `NOT IN`,
 * `every` → `NOT IN` of the rows that fail it), an include is a second query by the parent rows' keys, `_count` a
 * grouped count. Each claim is tied to the read the Prisma front end lowers for the same call. The real client runs
 * in test/prisma-client.test.ts: Prisma 7 sends correlated `EXISTS` / `NOT EXISTS` for relation filters and joins a
 * grouped count for `_count`; on these rows (no post without an author) the two forms return the same rows.
 */
import { readFileSync } from 'node:fs';
import type { PGlite } from '@electric-sql/pglite';
import { parse } from '@typescript-eslint/typescript-estree';
import type { TSESTree } from '@typescript-eslint/utils';
import { visitorKeys } from '@typescript-eslint/visitor-keys';
import { describe, expect, it } from 'vitest';
import { extractPrismaClient } from '../src/extract/prisma-client.js';
import { parsePrismaSchema } from '../src/schema/prisma.js';
import { PGLITE_TIMEOUT, usePGlite } from './helpers/pglite.js';

const MODELS = parsePrismaSchema([
  { file: 'schema.prisma', text: readFileSync(new URL('./fixtures/prisma-project/prisma/schema.prisma', import.meta.url), 'utf8') },
]);

/** The fixture schema's tables; user 2 is deleted, and so are posts 12 and 31. */
const DDL = `
CREATE TABLE users (id integer PRIMARY KEY, email text, name text, deleted_at timestamptz);
CREATE TABLE "Post" (id integer PRIMARY KEY, title text, author_id integer REFERENCES users(id), "deletedAt" timestamptz);
INSERT INTO users VALUES (1, 'a@x', 'a', NULL), (2, 'b@x', 'b', now()), (3, 'c@x', 'c', NULL);
INSERT INTO "Post" VALUES
  (10, 'pub', 1, NULL), (12, 'draft', 1, now()),   -- user 1: a live post and a deleted draft
  (20, 'pub', 2, NULL),                            -- user 2 (deleted): a live post
  (31, 'draft', 3, now());                         -- user 3: only a deleted post
`;

let db: PGlite;
usePGlite(async (instance) => {
  db = instance;
  await db.exec(DDL);
});

async function ids(sql: string, params: unknown[] = []): Promise<number[]> {
  const { rows } = await db.query<{ id: number }>(sql, params);
  return rows.map((r) => r.id).sort((a, b) => a - b);
}

/** The reads the Prisma front end lowers for `code`. */
function reads(code: string): string[] {
  const program = parse(code, { range: true, loc: true }) as unknown as TSESTree.Program;
  return extractPrismaClient(program, visitorKeys, MODELS).map((f) => f.text);
}

describe('Prisma nested reads on PostgreSQL', () => {
  it('a to-one include constrained by the parent where loads live rows only; without the constraint it loads deleted ones', async () => {
    // prisma.post.findMany({ where: { author: { deletedAt: null } }, include: { author: true } })
    const posts = await ids('SELECT id FROM "Post" WHERE author_id IN (SELECT id FROM users WHERE deleted_at IS NULL AND id IS NOT NULL)');
    const authorIds = (await db.query<{ a: number }>('SELECT DISTINCT author_id AS a FROM "Post" WHERE id = ANY($1)', [posts])).rows.map((r) => r.a);
    const included = await ids('SELECT id FROM users WHERE id = ANY($1)', [authorIds]); // Prisma's include query
    expect(included).toEqual([1, 3]);
    const [, , include] = reads('prisma.post.findMany({ where: { author: { deletedAt: null } }, include: { author: true } })');
    expect(include).toBe('SELECT * FROM users WHERE id = ANY($1) AND deleted_at IS NULL');
    // the filter the front end adds from the parent's where changes nothing: the include is already filtered
    expect(await ids(include!.replace('*', 'id'), [authorIds])).toEqual(included);

    // without it, the deleted author of post 20 is loaded
    const allAuthors = (await db.query<{ a: number }>('SELECT DISTINCT author_id AS a FROM "Post"')).rows.map((r) => r.a);
    expect(await ids('SELECT id FROM users WHERE id = ANY($1)', [allAuthors])).toContain(2);
  }, PGLITE_TIMEOUT);

  it('`some` constrains one related row, not the rows an include of the same relation loads', async () => {
    // prisma.user.findMany({ where: { posts: { some: { deletedAt: null } } }, include: { posts: true } })
    const users = await ids('SELECT id FROM users WHERE id IN (SELECT author_id FROM "Post" WHERE "deletedAt" IS NULL AND author_id IS NOT NULL)');
    expect(await ids('SELECT id FROM "Post" WHERE author_id = ANY($1)', [users])).toContain(12); // a deleted draft
  }, PGLITE_TIMEOUT);

  it('`every` constrains every row an include of the relation loads', async () => {
    // prisma.user.findMany({ where: { posts: { every: { deletedAt: null } } }, include: { posts: true } })
    const users = await ids('SELECT id FROM users WHERE id NOT IN (SELECT author_id FROM "Post" WHERE NOT ("deletedAt" IS NULL) AND author_id IS NOT NULL)');
    expect(users).toEqual([2]);
    const posts = await ids('SELECT id FROM "Post" WHERE author_id = ANY($1)', [users]);
    expect(await ids('SELECT id FROM "Post" WHERE author_id = ANY($1) AND "deletedAt" IS NULL', [users])).toEqual(posts);
  }, PGLITE_TIMEOUT);

  it('`none: {}` counts deleted children: "users without posts" leaves out one whose only post was deleted', async () => {
    const noPosts = await ids('SELECT id FROM users WHERE id NOT IN (SELECT author_id FROM "Post" WHERE author_id IS NOT NULL)');
    const noLivePosts = await ids('SELECT id FROM users WHERE id NOT IN (SELECT author_id FROM "Post" WHERE "deletedAt" IS NULL AND author_id IS NOT NULL)');
    expect(noPosts).toEqual([]);
    expect(noLivePosts).toEqual([3]);
    expect(reads('prisma.user.findMany({ where: { posts: { none: {} } } })')).toContain('SELECT * FROM "Post"');
  }, PGLITE_TIMEOUT);

  it('`every: X` examines the rows that are not X: a deleted draft excludes its author unless the filter is inside', async () => {
    // "users all of whose posts are published"
    const naive = await ids(`SELECT id FROM users WHERE id NOT IN (SELECT author_id FROM "Post" WHERE NOT (title = 'pub') AND author_id IS NOT NULL)`);
    const live = await ids(`SELECT id FROM users WHERE id NOT IN (SELECT author_id FROM "Post" WHERE NOT ("deletedAt" IS NOT NULL OR title = 'pub') AND author_id IS NOT NULL)`);
    expect(naive).not.toContain(1);
    expect(live).toContain(1);
    expect(reads("prisma.user.findMany({ where: { posts: { every: { OR: [{ deletedAt: { not: null } }, { title: 'pub' }] } } } })")[1]).toBe(
      'SELECT * FROM "Post" WHERE NOT (("deletedAt" IS NOT NULL OR title = $1))',
    );
  }, PGLITE_TIMEOUT);

  it('`_count` counts deleted children', async () => {
    const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM "Post" WHERE author_id = 1');
    expect(rows[0]!.n).toBe(2); // one of them deleted
    expect(reads('prisma.user.findMany({ include: { _count: { select: { posts: true } } } })')[1]).toBe('SELECT * FROM "Post" WHERE author_id = ANY($1)');
  }, PGLITE_TIMEOUT);
});
