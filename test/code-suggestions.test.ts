/**
 * Suggestions in the code's own idiom for unfiltered builder / ORM reads: each suggestion of a fixture project is
 * applied, the edited files must still type-check against the libraries' real types (knex, kysely, Objection,
 * drizzle-orm), and re-linting them must find no unfiltered read left.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';
import tsParser from '@typescript-eslint/parser';
import plugin from '../src/index.js';
import rule from '../rules/require-soft-delete-filter.js';
import { clearSchemaCache } from '../src/schema/load.js';
import { tsRuleTester } from './helpers/rule-tester.js';
import { applySuggestions } from './helpers/fixture-lint.js';
import { typeChecker } from './helpers/type-check.js';

const project = fileURLToPath(new URL('./fixtures/suggestions-project/', import.meta.url));
const RULE = 'soft-delete/require-soft-delete-filter';

function eslint(): ESLint {
  return new ESLint({
    cwd: project,
    overrideConfigFile: true,
    overrideConfig: [{ files: ['**/*.ts'], languageOptions: { parser: tsParser } }, ...plugin.configs.recommended],
  });
}

/** Type errors of the fixture's sources, with `replaced` files read from memory (strict, real library types). */
const typeErrors = typeChecker(project);

describe('suggestions in the code idiom, applied to a fixture project', () => {
  const files = ['knex-reads.ts', 'kysely-reads.ts', 'objection-reads.ts', 'drizzle-reads.ts'];

  it('the fixture type-checks before any edit (so an error after one is the edit)', { timeout: 180_000 }, () => {
    expect(typeErrors(new Map())).toEqual([]);
  });

  it('every unfiltered read gets a suggestion; applied, the code type-checks and re-lints clean', { timeout: 180_000 }, async () => {
    clearSchemaCache();
    const linter = eslint();
    const edited = new Map<string, string>();
    const applied: Record<string, string[]> = {};
    for (const name of files) {
      const file = join(project, 'src', name);
      const [before] = await linter.lintFiles([file]);
      const reads = before!.messages.filter((m) => m.ruleId === RULE);
      expect(reads.length, name).toBeGreaterThan(0);
      expect(reads.every((m) => m.messageId === 'missing' && m.suggestions?.length === 1), name).toBe(true);
      const outcome = await applySuggestions(linter, file, readFileSync(file, 'utf8'), RULE);
      expect(outcome.left, name).toEqual([]);
      applied[name] = outcome.applied;
      edited.set(file, outcome.text);
    }
    expect(applied).toEqual({
      'knex-reads.ts': ["Add `.whereNull('deleted_at')` to the query.", "Add `.whereNull('u.deleted_at')` to the query.", "Add `.whereNull('o.deleted_at')` to the query."],
      'kysely-reads.ts': [
        "Add `.where('deleted_at', 'is', null)` to the query.",
        "Add `.where('u.deleted_at', 'is', null)` to the query.",
        "Add `.where('o.deleted_at', 'is', null)` to the query.",
      ],
      'objection-reads.ts': ["Add `.whereNull('deleted_at')` to the query.", "Add `.whereNull('deleted_at')` to the query."],
      'drizzle-reads.ts': [
        'Add `isNull(users.deletedAt)` to the query.',
        'Add `isNull(organizations.deletedAt)` to the query.',
        'Add `isNull(users.deletedAt)` to the query.',
        'Add `isNull(organizations.deletedAt)` to the query.',
      ],
    });
    expect(edited.get(join(project, 'src', 'drizzle-reads.ts'))).toContain("import { eq, and, isNull } from 'drizzle-orm';");
    expect(edited.get(join(project, 'src', 'knex-reads.ts'))).toContain("knex('users').whereNull('deleted_at').where({ email }).first()");
    expect(edited.get(join(project, 'src', 'objection-reads.ts'))).toContain("user.$query().whereNull('deleted_at')");
    expect(typeErrors(edited)).toEqual([]);
    // and the check can fail: a filter on a column the table does not have is a type error
    const kysely = join(project, 'src', 'kysely-reads.ts');
    const wrong = new Map([[kysely, edited.get(kysely)!.replace(".where('deleted_at', 'is', null)", ".where('removed_at', 'is', null)")]]);
    expect(typeErrors(wrong).join('\n')).toMatch(/kysely-reads\.ts:\d+ .*removed_at/);
  });
});

const DRIZZLE = { 'soft-delete': { schema: ['test/fixtures/drizzle-project/src/db/schema.ts'] } };
const PRISMA = { 'soft-delete': { schema: ['test/fixtures/prisma-project/prisma/schema.prisma'] } };
const DRIZZLE_TABLES = "import { users } from './db/schema';\n";

/** The suggestion outputs below, linted again: none of them is reported. */
const FIXED = {
  knex: [
    "await knex('orders as o').join('users as u', 'u.id', 'o.user_id').whereNull('u.deleted_at').select('o.id');",
    "await knex.select('id').from('users').whereNull('deleted_at').where({ email });",
  ],
  drizzle: [
    `import { isNull } from 'drizzle-orm';\nimport { users } from './db/schema';\nawait db.select().from(users).where(isNull(users.deletedAt));`,
    `import { eq as equals, isNull as isN, and as both } from 'drizzle-orm';\n${DRIZZLE_TABLES}await db.select().from(users).where(both(equals(users.email, e), isN(users.deletedAt)));`,
    `import * as d from 'drizzle-orm';\n${DRIZZLE_TABLES}await db.select().from(users).where(d.and(d.eq(users.email, e), d.isNull(users.deletedAt)));`,
  ],
  prisma: [
    'await prisma.user.findMany({ where: { deletedAt: null } });',
    'await prisma.user.findMany({ where: { deletedAt: null }, select: { id: true } });',
    'await prisma.user.count({ where: { deletedAt: null } });',
    'await prisma.user.findMany({ where: { deletedAt: null }, include: { posts: { where: { deletedAt: null }, orderBy: { id: "asc" } } } });',
  ],
};

const suggestion = (output: string) => [{ messageId: 'addFilterInCode', output }];

tsRuleTester().run('require-soft-delete-filter: knex / kysely suggestions', rule as never, {
  valid: FIXED.knex,
  invalid: [
    {
      code: "await knex('orders as o').join('users as u', 'u.id', 'o.user_id').select('o.id');",
      errors: [{ messageId: 'missing', suggestions: suggestion(FIXED.knex[0]!) }],
    },
    {
      // knex.from(…): the filter follows the call that names the table
      code: "await knex.select('id').from('users').where({ email });",
      errors: [{ messageId: 'missing', suggestions: suggestion(FIXED.knex[1]!) }],
    },
    {
      // knex writes `a AND b OR c` flat: a filter chained anywhere would not cover the OR branch
      code: "await knex('users').where({ email }).orWhere({ name });",
      errors: [{ messageId: 'missing', suggestions: [] }],
    },
    {
      // the nullable side of a LEFT JOIN needs its filter in ON: no edit offered (a column of it is used: an
      // unused LEFT JOIN on the key adds nothing and is not reported)
      code: "await knex('orders as o').leftJoin('users as u', 'u.id', 'o.user_id').select('o.id', 'u.email');",
      errors: [{ messageId: 'missing', suggestions: [] }],
    },
    {
      // a RIGHT JOIN makes the FROM table the nullable side
      code: "await knex('users').rightJoin('orders', 'orders.user_id', 'users.id').where('orders.total', '>', 1);",
      errors: [{ messageId: 'missing', suggestions: [] }],
    },
    {
      // a subquery built in a callback is not the chain's own read: no edit offered there
      code: "await knex('orders').whereIn('user_id', (qb) => qb.select('id').from('users').where({ email })).where({ id });",
      errors: [{ messageId: 'missing', suggestions: [] }],
    },
    {
      code: "await db.selectFrom('orders as o').leftJoin('users as u', 'u.id', 'o.user_id').selectAll().execute();",
      errors: [{ messageId: 'missing', suggestions: [] }],
    },
  ],
});

// a boolean flag as the soft-delete column (`NOT is_deleted`): the suggestion compares it with false
const FLAG = { 'soft-delete': { schema: ['test/fixtures/seed/migrations/*.sql'], tables: { orders: { active: 'NOT is_deleted' } } } };
tsRuleTester(FLAG).run('require-soft-delete-filter: a flag column', rule as never, {
  valid: ["await knex('orders').where('is_deleted', false).where({ id });", "await db.selectFrom('orders').where('is_deleted', '=', false).selectAll().execute();"],
  invalid: [
    {
      code: "await knex('orders').where({ id });",
      errors: [{ messageId: 'missing', suggestions: suggestion("await knex('orders').where('is_deleted', false).where({ id });") }],
    },
    {
      code: "await db.selectFrom('orders').selectAll().execute();",
      errors: [{ messageId: 'missing', suggestions: suggestion("await db.selectFrom('orders').where('is_deleted', '=', false).selectAll().execute();") }],
    },
  ],
});

tsRuleTester(DRIZZLE).run('require-soft-delete-filter: drizzle suggestions', rule as never, {
  valid: FIXED.drizzle,
  invalid: [
    {
      // the operator import is added to the file's drizzle-orm import
      code: `import { sql } from 'drizzle-orm';\n${DRIZZLE_TABLES}await db.select().from(users);`,
      errors: [{ messageId: 'missing', suggestions: suggestion(`import { sql, isNull } from 'drizzle-orm';\n${DRIZZLE_TABLES}await db.select().from(users).where(isNull(users.deletedAt));`) }],
    },
    {
      // or imported on a line of its own after the last import
      code: `${DRIZZLE_TABLES}await db.select().from(users);`,
      errors: [{ messageId: 'missing', suggestions: suggestion(FIXED.drizzle[0]!.replace("import { isNull } from 'drizzle-orm';\nimport { users } from './db/schema';", "import { users } from './db/schema';\nimport { isNull } from 'drizzle-orm';")) }],
    },
    {
      // renamed imports are used as they are
      code: `import { eq as equals, isNull as isN, and as both } from 'drizzle-orm';\n${DRIZZLE_TABLES}await db.select().from(users).where(equals(users.email, e));`,
      errors: [{ messageId: 'missing', suggestions: suggestion(FIXED.drizzle[1]!) }],
    },
    {
      code: `import * as d from 'drizzle-orm';\n${DRIZZLE_TABLES}await db.select().from(users).where(d.eq(users.email, e));`,
      errors: [{ messageId: 'missing', suggestions: suggestion(FIXED.drizzle[2]!) }],
    },
    {
      // `isNull` is taken by something else in this file: adding drizzle's would clash
      code: `import { eq } from 'drizzle-orm';\n${DRIZZLE_TABLES}const isNull = (v: unknown) => v == null;\nawait db.select().from(users).where(eq(users.email, e));`,
      errors: [{ messageId: 'missing', suggestions: [] }],
    },
  ],
});

tsRuleTester(PRISMA).run('require-soft-delete-filter: Prisma suggestions', rule as never, {
  valid: FIXED.prisma,
  invalid: [
    { code: 'await prisma.user.findMany();', errors: [{ messageId: 'missing', suggestions: suggestion(FIXED.prisma[0]!) }] },
    { code: 'await prisma.user.findMany({});', errors: [{ messageId: 'missing', suggestions: suggestion(FIXED.prisma[0]!) }] },
    { code: 'await prisma.user.findMany({ select: { id: true } });', errors: [{ messageId: 'missing', suggestions: suggestion(FIXED.prisma[1]!) }] },
    { code: 'await prisma.user.count({ where: {} });', errors: [{ messageId: 'missing', suggestions: suggestion(FIXED.prisma[2]!) }] },
    {
      code: 'await prisma.user.findMany({ where: { deletedAt: null }, include: { posts: { orderBy: { id: "asc" } } } });',
      errors: [{ messageId: 'missing', suggestions: suggestion(FIXED.prisma[3]!) }],
    },
    {
      // arguments held in a const may be shared by other calls: not edited
      code: 'const args = { where: { email } };\nawait prisma.user.findMany(args);',
      errors: [{ messageId: 'missing', suggestions: [] }],
    },
    {
      // a to-one include takes no `where`
      code: 'await prisma.post.findMany({ where: { deletedAt: null }, include: { author: true } });',
      errors: [{ messageId: 'missing', suggestions: [] }],
    },
  ],
});
