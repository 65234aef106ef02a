/**
 * The real Prisma client on a real PostgreSQL (PGlite behind a wire-protocol server, through `@prisma/adapter-pg`),
 * set against what the plugin says about the same call. The Prisma front end lowers a client call to the reads Prisma
 * runs and decides from them whether soft-deleted rows can come back; each of its beliefs about Prisma (a `where`
 * filters, an include is a read of its own, relation filters and `_count` look at deleted rows too, …) is a claim
 * about the library. So each case runs the call on live and soft-deleted rows, asserts the rows it returned and the
 * SQL Prisma sent, and lints the same call with the plugin: reported exactly where deleted rows came back. The
 * rule's suggestions are applied to a file typed with the generated client, type-checked and run the same way.
 *
 * The client is generated at test time from the fixture's schema (Prisma 7's `prisma-client` generator) into the
 * fixture's `generated/` folder, which git ignores. `prisma generate` reads the schema with Prisma's WebAssembly build
 * and runs no engine binary, but the CLI downloads its schema engine first unless `PRISMA_SCHEMA_ENGINE_BINARY` names
 * a file: a placeholder stands in for it, so generation needs no network. The plugin reads the same schema file.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { PrismaPg } from '@prisma/adapter-pg';
import tsParser from '@typescript-eslint/parser';
import { ESLint } from 'eslint';
import ts from 'typescript';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import plugin from '../src/index.js';
import { applySuggestions } from './helpers/fixture-lint.js';
import { PGLITE_TIMEOUT, servedDatabase } from './helpers/pglite.js';
import { typeChecker } from './helpers/type-check.js';

const fixture = fileURLToPath(new URL('./fixtures/prisma-client-db/', import.meta.url));
const generated = join(fixture, 'generated');
const AsyncFunction = Object.getPrototypeOf(async () => {}).constructor as new (...args: string[]) => (...values: unknown[]) => Promise<unknown>;

/** Generating the client (a Node process running Prisma's CLI) and starting the database: slow on a loaded CI runner. */
const GENERATE_TIMEOUT = 240_000;

/**
 * The fixture schema's tables, as a migration would create them. Users 1, 3 and 4 are live, user 2 was deleted;
 * posts 12 and 31 were deleted. User 1: a live post and a deleted draft; user 2: a live post; user 3: only a
 * deleted post; user 4: only a live post.
 */
const DDL = `
CREATE TABLE users (id integer PRIMARY KEY, email text NOT NULL, deleted_at timestamp(3));
CREATE TABLE "Post" (id integer PRIMARY KEY, title text NOT NULL, author_id integer NOT NULL REFERENCES users(id), "deletedAt" timestamp(3));
`;
const ROWS = `
TRUNCATE "Post", users;
INSERT INTO users VALUES (1, 'a@x', NULL), (2, 'b@x', '2020-01-01'), (3, 'c@x', NULL), (4, 'd@x', NULL);
INSERT INTO "Post" VALUES (10, 'pub', 1, NULL), (12, 'draft', 1, '2020-01-01'), (20, 'pub', 2, NULL), (31, 'draft', 3, '2020-01-01'), (40, 'pub', 4, NULL);
`;
const DELETED_USERS = [2];
const DELETED_POSTS = [12, 31];

/** The part of the generated client these tests use; its delegates are reached by the code under test. */
interface Client {
  $on(event: 'query', listener: (event: { query: string }) => void): void;
  $disconnect(): Promise<void>;
}
type ClientClass = new (options: { adapter: PrismaPg; log: { emit: 'event'; level: 'query' }[] }) => Client;

/** Runs `prisma generate` for the fixture schema, offline, and returns the generated client class. */
async function generateClient(): Promise<ClientClass> {
  rmSync(generated, { recursive: true, force: true });
  const scratch = mkdtempSync(join(tmpdir(), 'prisma-client-test-'));
  try {
    const placeholder = join(scratch, 'schema-engine-placeholder');
    writeFileSync(placeholder, '#!/bin/sh\necho "no schema engine in the tests: prisma generate does not run it" >&2\nexit 1\n');
    const cli = createRequire(import.meta.url).resolve('prisma/build/index.js');
    await promisify(execFile)(process.execPath, [cli, 'generate', '--schema', join(fixture, 'prisma', 'schema.prisma')], {
      cwd: fixture,
      env: { ...process.env, PRISMA_SCHEMA_ENGINE_BINARY: placeholder, CHECKPOINT_DISABLE: '1', PRISMA_HIDE_UPDATE_MESSAGE: '1' },
      timeout: GENERATE_TIMEOUT,
    });
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  const module = (await import(pathToFileURL(join(generated, 'client.ts')).href)) as { PrismaClient: ClientClass };
  return module.PrismaClient;
}

function linter(): ESLint {
  return new ESLint({
    cwd: fixture,
    overrideConfigFile: true,
    overrideConfig: [{ files: ['**/*.ts'], languageOptions: { parser: tsParser } }, ...plugin.configs.strict],
  });
}

/**
 * What the plugin (its strict config, in the fixture project) reports for `code`: each report as
 * `rule@offset:text`, the reported span of the code and where it starts.
 */
async function reports(code: string): Promise<string[]> {
  const eslint = linter();
  const head = 'declare const prisma: any;\nexport async function run() {\n  ';
  const [result] = await eslint.lintText(`${head}${code}\n}\n`, { filePath: join(fixture, 'src', 'case.ts') });
  expect(result!.messages.filter((m) => m.fatal)).toEqual([]);
  return result!.messages
    .map((m) => {
      expect(m.line, m.message).toBe(3);
      const start = m.column - 3;
      const end = m.endLine === 3 && m.endColumn ? m.endColumn - 3 : code.length;
      return `${m.ruleId!.replace('soft-delete/', '')}@${start}:${code.slice(start, end)}`;
    })
    .sort();
}

/** A report of the missing filter at the last word of `context`, which occurs once in `code`. */
function missingFilter(code: string, context: string): string {
  expect(code.split(context)).toHaveLength(2);
  const word = /\w+$/.exec(context)![0];
  return `require-soft-delete-filter@${code.indexOf(context) + context.length - word.length}:${word}`;
}

describe('the Prisma client on PostgreSQL', { timeout: PGLITE_TIMEOUT }, () => {
  const { db, server } = servedDatabase(DDL);
  const log: string[] = [];
  let prisma: Client | undefined;

  beforeAll(async () => {
    const PrismaClient = await generateClient();
    // one connection: PGlite is one session
    prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: server().url, max: 1 }), log: [{ emit: 'event', level: 'query' }] });
    prisma.$on('query', (event) => void log.push(event.query));
  }, GENERATE_TIMEOUT);
  afterAll(async () => {
    await prisma?.$disconnect();
  }, PGLITE_TIMEOUT);
  beforeEach(async () => {
    await db().exec(ROWS);
    log.length = 0;
  });

  const run = (code: string): Promise<unknown> => new AsyncFunction('prisma', code)(prisma);
  const ids = (rows: unknown): number[] => (rows as { id: number }[]).map((r) => r.id).sort((a, b) => a - b);
  /** The ids of the related rows every returned row carries under `key`. */
  const related = (rows: unknown, key: string): number[] =>
    ids((rows as Record<string, unknown>[]).flatMap((r) => (r[key] === null ? [] : ([] as unknown[]).concat(r[key]))));

  it('`where: { deletedAt: null }` keeps deleted rows out, in the SQL; without it they come back and the read is reported', async () => {
    const live = 'return prisma.user.findMany({ where: { deletedAt: null } })';
    expect(ids(await run(live))).toEqual([1, 3, 4]);
    expect(log).toHaveLength(1);
    expect(log[0]).toMatch(/WHERE "public"\."users"\."deleted_at" IS NULL/);
    expect(await reports(live)).toEqual([]);

    log.length = 0;
    const all = "return prisma.user.findMany({ where: { email: { contains: '@' } } })";
    expect(ids(await run(all))).toEqual([1, 2, 3, 4]);
    expect(log[0]).not.toMatch(/deleted_at" IS/);
    expect(await reports(all)).toEqual([missingFilter(all, 'prisma.user')]);

    log.length = 0;
    const trash = 'return prisma.user.findMany({ where: { deletedAt: { not: null } } })';
    expect(ids(await run(trash))).toEqual(DELETED_USERS);
    expect(log[0]).toMatch(/"deleted_at" IS NOT NULL/);
    expect(await reports(trash)).toEqual([]);
  });

  it('an `OR` branch without the filter lets deleted rows through, and is reported', async () => {
    const code = "return prisma.post.findMany({ where: { OR: [{ deletedAt: null }, { title: 'draft' }] } })";
    expect(ids(await run(code))).toEqual([10, 12, 20, 31, 40]);
    expect(log[0]).toMatch(/"deletedAt" IS NULL OR /);
    expect(await reports(code)).toEqual([missingFilter(code, 'prisma.post')]);
  });

  it('`findUnique` takes the filter beside the unique key', async () => {
    const code = 'return [await prisma.user.findUnique({ where: { id: 2, deletedAt: null } })].filter(Boolean)';
    expect(ids(await run(code))).toEqual([]);
    expect(log[0]).toMatch(/"deleted_at" IS NULL/);
    expect(await reports(code)).toEqual([]);
  });

  it('a to-many include without a where loads deleted children with a query of its own, and is reported at its key', async () => {
    const code = 'return prisma.user.findMany({ where: { deletedAt: null }, include: { posts: true } })';
    const users = await run(code);
    expect(ids(users)).toEqual([1, 3, 4]);
    expect(related(users, 'posts')).toEqual([10, 12, 31, 40]);
    expect(log).toHaveLength(2);
    expect(log[1]).toMatch(/^SELECT .* FROM "public"\."Post" WHERE "public"\."Post"\."author_id" IN \(/);
    expect(log[1]).not.toMatch(/deletedAt" IS/);
    expect(await reports(code)).toEqual([missingFilter(code, 'include: { posts')]);
  });

  it('`include: { posts: { where: { deletedAt: null } } }` loads live children only', async () => {
    const code = 'return prisma.user.findMany({ where: { deletedAt: null }, include: { posts: { where: { deletedAt: null } } } })';
    const users = await run(code);
    expect(ids(users)).toEqual([1, 3, 4]);
    expect(related(users, 'posts')).toEqual([10, 40]);
    expect(log[1]).toMatch(/FROM "public"\."Post" WHERE .*"public"\."Post"\."deletedAt" IS NULL/);
    expect(await reports(code)).toEqual([]);
  });

  it('a to-one include loads a deleted parent, and is reported at its key', async () => {
    const code = 'return prisma.post.findMany({ where: { deletedAt: null }, include: { author: true } })';
    const posts = await run(code);
    expect(ids(posts)).toEqual([10, 20, 40]);
    expect(related(posts, 'author')).toEqual([1, 2, 4]);
    expect(log.join('\n')).not.toMatch(/deleted_at" IS/);
    expect(await reports(code)).toEqual([missingFilter(code, 'include: { author')]);
  });

  it('a to-one include behind the parent where `author: { deletedAt: null }` loads live parents only', async () => {
    const code = 'return prisma.post.findMany({ where: { deletedAt: null, author: { deletedAt: null } }, include: { author: true } })';
    const posts = await run(code);
    expect(ids(posts)).toEqual([10, 40]);
    expect(related(posts, 'author')).toEqual([1, 4]);
    expect(await reports(code)).toEqual([]);
  });

  describe('relation filters look at deleted related rows too', () => {
    it('`some: {}` is "has a post", a deleted one included; `some: { deletedAt: null }` is "has a live post"', async () => {
      const any = 'return prisma.user.findMany({ where: { deletedAt: null, posts: { some: {} } } })';
      expect(ids(await run(any))).toEqual([1, 3, 4]); // user 3's only post was deleted
      expect(log[0]).toMatch(/EXISTS\s*\(SELECT .* FROM "public"\."Post"/);
      expect(await reports(any)).toEqual([missingFilter(any, 'posts')]);

      log.length = 0;
      const live = 'return prisma.user.findMany({ where: { deletedAt: null, posts: { some: { deletedAt: null } } } })';
      expect(ids(await run(live))).toEqual([1, 4]);
      expect(log[0]).toMatch(/"deletedAt" IS NULL/);
      expect(await reports(live)).toEqual([]);
    });

    it('`some` constrains one related row, not the rows an include of the same relation loads', async () => {
      const code = 'return prisma.user.findMany({ where: { deletedAt: null, posts: { some: { deletedAt: null } } }, include: { posts: true } })';
      const users = await run(code);
      expect(ids(users)).toEqual([1, 4]);
      expect(related(users, 'posts')).toEqual([10, 12, 40]);
      expect(await reports(code)).toEqual([missingFilter(code, 'include: { posts')]);
    });

    it('`none: {}` leaves out a user whose only post was deleted; `none: { deletedAt: null }` does not', async () => {
      const any = 'return prisma.user.findMany({ where: { deletedAt: null, posts: { none: {} } } })';
      expect(ids(await run(any))).toEqual([]);
      expect(log[0]).toMatch(/NOT EXISTS\s*\(SELECT .* FROM "public"\."Post"/);
      expect(await reports(any)).toEqual([missingFilter(any, 'posts')]);

      const live = 'return prisma.user.findMany({ where: { deletedAt: null, posts: { none: { deletedAt: null } } } })';
      expect(ids(await run(live))).toEqual([3]);
      expect(await reports(live)).toEqual([]);
    });

    it('`every: X` examines the rows that are not X: a deleted draft leaves its author out unless deleted rows are let through', async () => {
      const naive = "return prisma.user.findMany({ where: { deletedAt: null, posts: { every: { title: 'pub' } } } })";
      expect(ids(await run(naive))).toEqual([4]);
      expect(await reports(naive)).toEqual([missingFilter(naive, 'posts')]);

      const live = "return prisma.user.findMany({ where: { deletedAt: null, posts: { every: { OR: [{ deletedAt: { not: null } }, { title: 'pub' }] } } } })";
      expect(ids(await run(live))).toEqual([1, 3, 4]);
      expect(await reports(live)).toEqual([]);
    });

    it('`every: { deletedAt: null }` constrains every row an include of the relation loads', async () => {
      const code = 'return prisma.user.findMany({ where: { deletedAt: null, posts: { every: { deletedAt: null } } }, include: { posts: true } })';
      const users = await run(code);
      expect(ids(users)).toEqual([4]);
      expect(related(users, 'posts')).toEqual([40]);
      expect(await reports(code)).toEqual([]);
    });
  });

  it('`_count` counts deleted children; `_count` with a where counts live ones', async () => {
    const count = (users: unknown) => Object.fromEntries((users as { id: number; _count: { posts: number } }[]).map((u) => [u.id, u._count.posts]));
    const all = 'return prisma.user.findMany({ where: { deletedAt: null }, include: { _count: { select: { posts: true } } } })';
    expect(count(await run(all))).toEqual({ 1: 2, 3: 1, 4: 1 });
    expect(log[0]).toMatch(/COUNT\(\*\)/);
    expect(log[0]).not.toMatch(/deletedAt" IS/);
    expect(await reports(all)).toEqual([missingFilter(all, 'posts')]);

    log.length = 0;
    const live = 'return prisma.user.findMany({ where: { deletedAt: null }, include: { _count: { select: { posts: { where: { deletedAt: null } } } } } })';
    expect(count(await run(live))).toEqual({ 1: 1, 3: 0, 4: 1 });
    expect(log[0]).toMatch(/"deletedAt" IS NULL/);
    expect(await reports(live)).toEqual([]);
  });

  it('ordering by a relation count counts deleted children', async () => {
    const code = "return prisma.user.findMany({ where: { deletedAt: null }, orderBy: [{ posts: { _count: 'desc' } }, { id: 'desc' }] })";
    // live counts (1: 1, 3: 0, 4: 1) would give 4, 1, 3: user 1's deleted draft puts it ahead of user 4
    expect(((await run(code)) as { id: number }[]).map((u) => u.id)).toEqual([1, 4, 3]);
    expect(await reports(code)).toEqual([missingFilter(code, 'posts')]);
  });

  it('the fluent API loads deleted children', async () => {
    const code = 'return prisma.user.findUnique({ where: { id: 1, deletedAt: null } }).posts()';
    expect(ids(await run(code))).toEqual([10, 12]);
    expect(await reports(code)).toEqual([missingFilter(code, '.posts')]);
  });

  it('the rows the cases use are as described', async () => {
    const users = await db().query<{ id: number }>('SELECT id FROM users WHERE deleted_at IS NOT NULL');
    const posts = await db().query<{ id: number }>('SELECT id FROM "Post" WHERE "deletedAt" IS NOT NULL ORDER BY id');
    expect(users.rows.map((r) => r.id)).toEqual(DELETED_USERS);
    expect(posts.rows.map((r) => r.id)).toEqual(DELETED_POSTS);
  });

  it(
    'the suggestions, applied to a file typed with the generated client, type-check and return no deleted rows, and every live one',
    { timeout: GENERATE_TIMEOUT },
    async () => {
      const file = join(fixture, 'src', 'reads.ts');
      const original = readFileSync(file, 'utf8');
      const typeErrors = typeChecker(fixture);
      expect(typeErrors(new Map())).toEqual([]); // before any edit: an error after one is the edit's
      const eslint = linter();
      const { text, applied, left } = await applySuggestions(eslint, file, original, 'soft-delete/require-soft-delete-filter');
      expect(left).toEqual([]);
      expect(applied).toHaveLength(8);
      expect(text).toContain('prisma.user.findMany({ where: { deletedAt: null } })');
      expect(text).toContain('prisma.user.findUnique({ where: { id, deletedAt: null } })');
      expect(text).toContain("include: { posts: { where: { deletedAt: null } } }");
      expect(text).toContain('posts: { where: { deletedAt: null }, select: { id: true, title: true } }');
      expect(text).toContain('author: { include: { posts: { where: { deletedAt: null } } } }');
      expect(text).toContain('prisma.post.count({ where: { deletedAt: null } })');
      const [again] = await eslint.lintText(text, { filePath: file });
      expect(again!.messages).toEqual([]);
      expect(typeErrors(new Map([[file, text]]))).toEqual([]);
      // and the check can fail: a filter on a field the model does not have is a type error
      const wrong = text.replace('include: { posts: { where: { deletedAt: null } } }', 'include: { posts: { where: { removedAt: null } } }');
      expect(typeErrors(new Map([[file, wrong]])).join('\n')).toMatch(/reads\.ts:\d+ .*'removedAt' does not exist/);

      const before = await load(original, 'before');
      const after = await load(text, 'after');
      const calls: [name: string, model: Model, ...args: unknown[]][] = [
        ['allUsers', 'User'],
        ['usersByEmail', 'User', '@'],
        ['userById', 'User', 2],
        ['firstByEmail', 'User', 'b@x'],
        ['usersWithPosts', 'User'],
        ['usersWithPostTitles', 'User'],
        ['postsWithAuthorsPosts', 'Post'],
      ];
      expect(Object.keys(before).sort()).toEqual([...calls.map(([name]) => name), 'postCount'].sort());
      for (const [name, model, ...args] of calls) {
        const was = rowsOf(await before[name]!(prisma, ...args), model);
        const is = rowsOf(await after[name]!(prisma, ...args), model);
        // the unedited read returns deleted rows (else the case proves nothing); the edited one only the live ones
        expect([...was.User, ...was.Post].some((row) => DELETED.has(row)), name).toBe(true);
        expect(is, name).toEqual({ User: was.User.filter((row) => !DELETED.has(row)), Post: was.Post.filter((row) => !DELETED.has(row)) });
      }
      expect(await before.postCount!(prisma)).toBe(5);
      expect(await after.postCount!(prisma)).toBe(3);
    },
  );

  type Model = 'User' | 'Post';
  const DELETED = new Set([...DELETED_USERS.map((id) => `User ${id}`), ...DELETED_POSTS.map((id) => `Post ${id}`)]);
  let loads = 0;

  /** The functions of a version of the fixture file, compiled to JavaScript (its one import is a type) and imported. */
  async function load(text: string, name: string): Promise<Record<string, (...args: unknown[]) => Promise<unknown>>> {
    const js = ts.transpileModule(text, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } }).outputText;
    expect(js).not.toMatch(/^import /m);
    const path = join(generated, `reads-${name}-${++loads}.mjs`);
    writeFileSync(path, js);
    return (await import(pathToFileURL(path).href)) as Record<string, (...args: unknown[]) => Promise<unknown>>;
  }

  /** Every row a read returned, nested ones included, as `Model id`, sorted, by model. */
  function rowsOf(result: unknown, model: Model): Record<Model, string[]> {
    const found: Record<Model, string[]> = { User: [], Post: [] };
    const walk = (value: unknown, at: Model): void => {
      if (Array.isArray(value)) return value.forEach((item) => walk(item, at));
      if (value === null || typeof value !== 'object') return;
      const row = value as Record<string, unknown>;
      expect(typeof row.id).toBe('number');
      found[at].push(`${at} ${row.id as number}`);
      if ('posts' in row) walk(row.posts, 'Post');
      if ('author' in row) walk(row.author, 'User');
    };
    walk(result, model);
    return { User: found.User.sort(), Post: found.Post.sort() };
  }
});
