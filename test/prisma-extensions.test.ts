/**
 * A Prisma client that hides soft-deleted rows itself — a query extension (`$extends({ query })`) or a middleware
 * (`$use`) — is read where the client is made: reads it intercepts are filtered, everything else (other
 * operations, other models, included relations, `_count`, relation filters, other clients) stays checked.
 */
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import tsParser from '@typescript-eslint/parser';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';
import rule from '../rules/require-soft-delete-filter.js';
import plugin from '../src/index.js';
import { clearSchemaCache } from '../src/schema/load.js';
import { tsRuleTester } from './helpers/rule-tester.js';

const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url));
const SCHEMA = { 'soft-delete': { schema: ['test/fixtures/prisma-project/prisma/schema.prisma'] } };

const EXTENDED = `
import { PrismaClient } from '@prisma/client';
const prisma = new PrismaClient().$extends({
  query: {
    user: {
      findMany({ args, query }) {
        args.where = { ...args.where, deletedAt: null };
        return query(args);
      },
    },
  },
});
`;

const ALL_OPERATIONS = `
const prisma = new PrismaClient().$extends({
  query: {
    $allModels: {
      async $allOperations({ model, operation, args, query }) {
        if (['findMany', 'findFirst', 'count'].includes(operation)) args.where = { deletedAt: null, ...args.where };
        return query(args);
      },
    },
  },
});
`;

const MIDDLEWARE = `
const prisma = new PrismaClient();
prisma.$use(async (params, next) => {
  if (params.action === 'findMany' && params.model === 'Post') {
    params.args.where['deletedAt'] = null;
  }
  return next(params);
});
`;

const TAKE_TEN = 'const prisma = new PrismaClient().$extends({ query: { user: { findMany({ args, query }) { args.take = 10; return query(args); } } } });\n';

const RESTORE = `const prisma = new PrismaClient();
prisma.$use(async (params, next) => {
  if (params.action === 'update' && params.args.data.restore) params.args.data = { deletedAt: null };
  return next(params);
});
`;

const missing = (table: string, filter: string, output?: string) => ({
  messageId: 'missing',
  data: { table, alias: '', filter, via: '' },
  suggestions: output === undefined ? [] : [{ messageId: 'addFilterInCode', output }],
});
/** `code` with `deletedAt: null` merged into the `where` of its last call (the suggestion's edit). */
const withFilter = (code: string, where: string) => code.replace(`where: { ${where} } });`, `where: { ${where}, deletedAt: null } });`);

tsRuleTester(SCHEMA).run('require-soft-delete-filter (Prisma client extensions)', rule as never, {
  valid: [
    `${EXTENDED}await prisma.user.findMany({ where: { email } });`,
    `${ALL_OPERATIONS}await prisma.user.findFirst({ where: { email } }); await prisma.post.count();`,
    `${MIDDLEWARE}await prisma.post.findMany({ where: { title } });`,
    // a trash view through the filtered client decides for itself
    `${EXTENDED}await prisma.user.findMany({ where: { deletedAt: { not: null } } });`,
    // the hot-reload singleton
    `const make = () => new PrismaClient().$extends({ query: { $allModels: { findMany({ args, query }) { args.where = { ...args.where, deletedAt: null }; return query(args); } } } });
     const prisma = globalThis.prisma ?? make();
     await prisma.post.findMany({ where: { title } });`,
  ],
  invalid: [
    // an operation the extension does not intercept
    {
      code: `${EXTENDED}await prisma.user.findFirst({ where: { email } });`,
      errors: [missing('users', 'deleted_at IS NULL', withFilter(`${EXTENDED}await prisma.user.findFirst({ where: { email } });`, 'email'))],
    },
    // a model it does not intercept
    {
      code: `${MIDDLEWARE}await prisma.user.findMany({ where: { email } });`,
      errors: [missing('users', 'deleted_at IS NULL', withFilter(`${MIDDLEWARE}await prisma.user.findMany({ where: { email } });`, 'email'))],
    },
    {
      code: `${ALL_OPERATIONS}await prisma.user.findUnique({ where: { id } });`,
      errors: [missing('users', 'deleted_at IS NULL', withFilter(`${ALL_OPERATIONS}await prisma.user.findUnique({ where: { id } });`, 'id'))],
    },
    // what extensions never reach: included relations, _count, relation filters
    {
      code: `${EXTENDED}await prisma.user.findMany({ include: { posts: true, _count: { select: { posts: true } } }, where: { posts: { some: { title } } } });`,
      errors: [
        missing(
          'Post',
          '"deletedAt" IS NULL',
          `${EXTENDED}await prisma.user.findMany({ include: { posts: { where: { deletedAt: null } }, _count: { select: { posts: true } } }, where: { posts: { some: { title } } } });`,
        ),
        missing('Post', '"deletedAt" IS NULL'),
        missing('Post', '"deletedAt" IS NULL'),
      ],
    },
    // an extension that adds something else
    {
      code: `${TAKE_TEN}await prisma.user.findMany({ where: { email } });`,
      errors: [missing('users', 'deleted_at IS NULL', withFilter(`${TAKE_TEN}await prisma.user.findMany({ where: { email } });`, 'email'))],
    },
    // a middleware that touches writes only (a restore sets deletedAt: null in the data)
    {
      code: `${RESTORE}await prisma.user.findMany({ where: { email } });`,
      errors: [missing('users', 'deleted_at IS NULL', withFilter(`${RESTORE}await prisma.user.findMany({ where: { email } });`, 'email'))],
    },
    // a plain client
    {
      code: `const prisma = new PrismaClient();\nawait prisma.user.findMany({ where: { email } });`,
      errors: [missing('users', 'deleted_at IS NULL', 'const prisma = new PrismaClient();\nawait prisma.user.findMany({ where: { email, deletedAt: null } });')],
    },
  ],
});

async function lint(project: string): Promise<string[]> {
  clearSchemaCache();
  const cwd = join(fixtures, project);
  const eslint = new ESLint({
    cwd,
    overrideConfigFile: true,
    overrideConfig: [{ files: ['**/*.ts'], languageOptions: { parser: tsParser } }, ...plugin.configs.recommended],
  });
  const results = await eslint.lintFiles(['src']);
  return results
    .flatMap((r) => r.messages.map((m) => `${relative(cwd, r.filePath)}:${m.line}:${m.column} ${m.ruleId ?? m.message} ${m.messageId ?? ''}`))
    .sort();
}

describe('Prisma client extensions in a project, through the real ESLint class', () => {
  it('a client module with a query extension: its reads are filtered, the rest stays checked', async () => {
    expect(await lint('prisma-extension-project')).toEqual([
      'src/barrel.ts:6:53 soft-delete/require-soft-delete-filter missing', // findUnique through the barrel (line 4 is filtered)
      'src/users.ts:11:44 soft-delete/require-soft-delete-filter missing', // the unfiltered client
      'src/users.ts:15:74 soft-delete/require-soft-delete-filter missing', // ctx.prisma: filtered or not is unsure
      'src/users.ts:7:44 soft-delete/require-soft-delete-filter missing', // findUnique: not intercepted
      'src/users.ts:9:66 soft-delete/require-soft-delete-filter missing', // the included posts
    ]);
  });

  it('a NestJS service with a $use middleware, reached through this.prisma', async () => {
    expect(await lint('prisma-middleware-project')).toEqual([
      'src/posts/posts.service.ts:13:24 soft-delete/require-soft-delete-filter missing', // users: not filtered by it
      'src/posts/posts.service.ts:18:24 soft-delete/require-soft-delete-filter missing', // count: not filtered by it
    ]);
  });
});
