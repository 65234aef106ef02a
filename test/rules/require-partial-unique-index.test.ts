import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';
import rule from '../../rules/require-partial-unique-index.js';
import { checkUniques } from '../../src/analysis/uniques.js';
import { ReadAnalyzer } from '../../src/analysis/reads.js';
import { lowerFragments } from '../../src/engine.js';
import { applySql, schemaFromSql } from '../../src/schema/apply.js';
import { normalizeSettings } from '../../src/settings.js';
import { wholeFileFragment } from '../../src/sql/fragment.js';
import plugin from '../../src/index.js';
import { sqlRuleTester, tsRuleTester } from '../helpers/rule-tester.js';

/**
 * test/fixtures/unique-rules: users (deleted_at, partial unique on email), tags (not soft-deletable), posts
 * (is_deleted flag), features (archived_at), memberships (valid_to), audit_log (false), countries
 * (allowFullUnique), teams (still a full unique on slug), customers (no soft delete yet, full unique on email).
 */
const SETTINGS = {
  'soft-delete': {
    schema: ['test/fixtures/unique-rules/migrations/*.sql'],
    tables: {
      posts: { column: 'is_deleted' },
      features: { column: 'archived_at' },
      memberships: { active: 'valid_to IS NULL' },
      audit_log: false,
      countries: { allowFullUnique: true },
    },
  },
};

/** The migration history whose verdicts depend on its order (see the ESLint tests below). */
const HISTORY = 'test/fixtures/unique-history';
const HISTORY_SETTINGS = { 'soft-delete': { schema: [`${HISTORY}/migrations/*`] } };

const filename = 'queries.sql';

const HISTORY_001 = readFileSync(`${HISTORY}/migrations/001_create_users.sql`, 'utf8');
const HISTORY_005 = readFileSync(`${HISTORY}/migrations/005_tags.js`, 'utf8');
/**
 * 001 with organizations_name_key rewritten as a partial index (the suggestion). teams gets no in-place edit in 001:
 * its deleted_at column only arrives in 002, so `WHERE deleted_at IS NULL` there would not run.
 */
const HISTORY_001_ORGS_REWRITTEN = HISTORY_001.replace(
  '  deleted_at timestamptz,\n  CONSTRAINT organizations_name_key UNIQUE (name)\n);',
  '  deleted_at timestamptz\n);\nCREATE UNIQUE INDEX organizations_name_key ON organizations (name) WHERE deleted_at IS NULL;',
);

const USERS_USERNAME_FOLLOW_UP =
  'CREATE UNIQUE INDEX CONCURRENTLY users_username_active_key ON users (username) WHERE deleted_at IS NULL; DROP INDEX CONCURRENTLY users_username_key;';

sqlRuleTester(SETTINGS).run('require-partial-unique-index (.sql)', rule as never, {
  valid: [
    // Seed Q2 / decision rule 1: the partial unique index.
    { filename, code: 'CREATE UNIQUE INDEX users_username_active_key ON users (username) WHERE deleted_at IS NULL;' },
    { filename, code: 'CREATE UNIQUE INDEX ON users (username) WHERE (deleted_at IS NULL AND username IS NOT NULL);' },
    { filename, code: 'CREATE UNIQUE INDEX ON public.users (lower(username)) WHERE deleted_at IS NULL;' },
    // Primary keys are exempt: a new row gets a new key.
    { filename, code: 'CREATE TABLE sessions (token text PRIMARY KEY, deleted_at timestamptz);' },
    { filename, code: 'CREATE TABLE sessions (token text, deleted_at timestamptz, CONSTRAINT sessions_pkey PRIMARY KEY (token));' },
    // …and so is a unique that contains the whole primary key (e.g. the target of a composite foreign key).
    { filename, code: 'CREATE TABLE seats (id serial PRIMARY KEY, org_id int NOT NULL, deleted_at timestamptz, UNIQUE (id, org_id));' },
    { filename, code: 'CREATE TABLE seats (id int, org_id int, deleted_at timestamptz, PRIMARY KEY (id));\nCREATE UNIQUE INDEX ON seats (org_id, id);' },
    // Not soft-deletable; a materialized view (needs a full unique index for REFRESH … CONCURRENTLY).
    { filename, code: 'CREATE UNIQUE INDEX ON tags (slug);' },
    { filename, code: 'CREATE MATERIALIZED VIEW live_users AS SELECT id, email FROM users WHERE deleted_at IS NULL;\nCREATE UNIQUE INDEX ON live_users (email);' },
    { filename, code: 'CREATE TABLE colors (id serial PRIMARY KEY, name text UNIQUE);' },
    // Settings: `false` and `allowFullUnique`.
    { filename, code: 'CREATE UNIQUE INDEX ON audit_log (event_key);' },
    { filename, code: 'ALTER TABLE countries ADD CONSTRAINT countries_name_key UNIQUE (name);' },
    {
      filename,
      code: 'CREATE UNIQUE INDEX users_username_key ON users (username);',
      settings: { 'soft-delete': { ...SETTINGS['soft-delete'], tables: { users: false } } },
    },
    {
      filename,
      code: 'CREATE UNIQUE INDEX users_username_key ON users (username);',
      settings: { 'soft-delete': { ...SETTINGS['soft-delete'], tables: { users: { allowFullUnique: true } } } },
    },
    // The table's own active-row predicate: a flag, a custom column, a validity range.
    { filename, code: 'CREATE UNIQUE INDEX ON posts (slug) WHERE NOT is_deleted;' },
    { filename, code: 'CREATE UNIQUE INDEX ON posts (slug) WHERE is_deleted = false;' },
    { filename, code: 'CREATE UNIQUE INDEX ON posts (slug, is_deleted) WHERE NOT is_deleted;' },
    { filename, code: 'CREATE UNIQUE INDEX ON features (key) WHERE archived_at IS NULL;' },
    { filename, code: 'CREATE UNIQUE INDEX ON memberships (user_id, org_id) WHERE valid_to IS NULL;' },
    // NULLS NOT DISTINCT with a nullable soft-delete column: live rows are unique (accepted, see the docs).
    { filename, code: 'ALTER TABLE users ADD CONSTRAINT users_username_deleted_key UNIQUE NULLS NOT DISTINCT (username, deleted_at);' },
    // An exclusion constraint over live rows.
    { filename, code: 'ALTER TABLE users ADD CONSTRAINT users_username_excl EXCLUDE USING btree (username WITH =) WHERE (deleted_at IS NULL);' },
    // Dropped or replaced later in the same file: the end state decides.
    { filename, code: 'CREATE UNIQUE INDEX users_username_key ON users (username);\nDROP INDEX users_username_key;' },
    {
      filename,
      code: [
        'ALTER TABLE customers ADD COLUMN deleted_at timestamptz;',
        'CREATE UNIQUE INDEX customers_email_active_key ON customers (email) WHERE deleted_at IS NULL;',
        'ALTER TABLE customers DROP CONSTRAINT customers_email_key;',
      ].join('\n'),
    },
    // Adding other columns, or the soft-delete column to a table without uniques.
    { filename, code: 'ALTER TABLE users ADD COLUMN nickname text;' },
    { filename, code: 'CREATE TABLE notes (id serial PRIMARY KEY, body text);\nALTER TABLE notes ADD COLUMN deleted_at timestamptz;' },
    // ON CONFLICT with the partial index's predicate; on a table whose full unique still exists; no target; the PK.
    { filename, code: 'INSERT INTO users (email) VALUES ($1) ON CONFLICT (email) WHERE deleted_at IS NULL DO NOTHING;' },
    { filename, code: 'INSERT INTO teams (slug) VALUES ($1) ON CONFLICT (slug) DO NOTHING;' },
    { filename, code: 'INSERT INTO users (email) VALUES ($1) ON CONFLICT DO NOTHING;' },
    { filename, code: 'INSERT INTO users (id, email) VALUES ($1, $2) ON CONFLICT (id) DO UPDATE SET email = excluded.email;' },
    // A schema file: 003 of the history replaces users' uniques.
    {
      filename: `${HISTORY}/migrations/003_partial_uniques.sql`,
      code: [
        "-- 003: users' uniques become partial unique indexes over live rows. teams is forgotten.",
        'CREATE UNIQUE INDEX CONCURRENTLY users_email_active_key ON users (email) WHERE deleted_at IS NULL;',
        'ALTER TABLE users DROP CONSTRAINT users_email_key;',
        'CREATE UNIQUE INDEX CONCURRENTLY users_username_active_key ON users (username) WHERE deleted_at IS NULL;',
        'ALTER TABLE users DROP CONSTRAINT users_username_key;',
        '',
      ].join('\n'),
      settings: HISTORY_SETTINGS,
    },
  ],
  invalid: [
    // Seed Q2: a UNIQUE column constraint on a soft-delete table (the linted file creates the table).
    {
      filename,
      code: `CREATE TABLE invoices (
  id serial PRIMARY KEY,
  number text NOT NULL UNIQUE,
  deleted_at timestamptz
);`,
      errors: [
        {
          messageId: 'fullUnique',
          line: 3,
          column: 24,
          endLine: 3,
          endColumn: 30,
          data: {
            what: 'UNIQUE constraint `invoices_number_key`',
            table: 'invoices',
            columns: 'number',
            followUp:
              'CREATE UNIQUE INDEX CONCURRENTLY invoices_number_active_key ON invoices (number) WHERE deleted_at IS NULL; ALTER TABLE invoices DROP CONSTRAINT invoices_number_key;',
          },
          suggestions: [
            {
              messageId: 'rewriteAsIndex',
              output: `CREATE TABLE invoices (
  id serial PRIMARY KEY,
  number text NOT NULL,
  deleted_at timestamptz
);
CREATE UNIQUE INDEX invoices_number_active_key ON invoices (number) WHERE deleted_at IS NULL;`,
            },
          ],
        },
      ],
    },
    // A named column constraint (the squiggle covers CONSTRAINT … UNIQUE); NULLS NOT DISTINCT is kept.
    {
      filename,
      code: `CREATE TABLE invoices (
  id serial PRIMARY KEY,
  number text CONSTRAINT invoices_number_key UNIQUE NOT NULL,
  code text UNIQUE NULLS NOT DISTINCT DEFAULT 'x',
  deleted_at timestamptz
);`,
      errors: [
        {
          messageId: 'fullUnique',
          line: 3,
          column: 15,
          endColumn: 52,
          suggestions: [
            {
              messageId: 'rewriteAsIndex',
              output: `CREATE TABLE invoices (
  id serial PRIMARY KEY,
  number text NOT NULL,
  code text UNIQUE NULLS NOT DISTINCT DEFAULT 'x',
  deleted_at timestamptz
);
CREATE UNIQUE INDEX invoices_number_key ON invoices (number) WHERE deleted_at IS NULL;`,
            },
          ],
        },
        {
          messageId: 'fullUnique',
          line: 4,
          column: 13,
          endColumn: 38,
          suggestions: [
            {
              messageId: 'rewriteAsIndex',
              output: `CREATE TABLE invoices (
  id serial PRIMARY KEY,
  number text CONSTRAINT invoices_number_key UNIQUE NOT NULL,
  code text DEFAULT 'x',
  deleted_at timestamptz
);
CREATE UNIQUE INDEX invoices_code_active_key ON invoices (code) NULLS NOT DISTINCT WHERE deleted_at IS NULL;`,
            },
          ],
        },
      ],
    },
    // A table constraint, last and first in the list.
    {
      filename,
      code: `CREATE TABLE invoices (
  id serial PRIMARY KEY,
  number text NOT NULL,
  deleted_at timestamptz,
  CONSTRAINT invoices_number_key UNIQUE (number)
);`,
      errors: [
        {
          messageId: 'fullUnique',
          line: 5,
          column: 3,
          endColumn: 49,
          suggestions: [
            {
              messageId: 'rewriteAsIndex',
              output: `CREATE TABLE invoices (
  id serial PRIMARY KEY,
  number text NOT NULL,
  deleted_at timestamptz
);
CREATE UNIQUE INDEX invoices_number_key ON invoices (number) WHERE deleted_at IS NULL;`,
            },
          ],
        },
      ],
    },
    {
      filename,
      code: 'CREATE TABLE invoices (UNIQUE (number), id serial PRIMARY KEY, number text NOT NULL, deleted_at timestamptz)',
      errors: [
        {
          messageId: 'fullUnique',
          column: 24,
          endColumn: 39,
          suggestions: [
            {
              messageId: 'rewriteAsIndex',
              output:
                'CREATE TABLE invoices (id serial PRIMARY KEY, number text NOT NULL, deleted_at timestamptz);\nCREATE UNIQUE INDEX invoices_number_active_key ON invoices (number) WHERE deleted_at IS NULL',
            },
          ],
        },
      ],
    },
    // ALTER TABLE … ADD CONSTRAINT … UNIQUE: the whole statement becomes the index; or just its command.
    {
      filename,
      code: 'ALTER TABLE users ADD CONSTRAINT users_username_key UNIQUE (username);',
      errors: [
        {
          messageId: 'fullUnique',
          column: 23,
          endColumn: 70,
          suggestions: [
            { messageId: 'rewriteAsIndex', output: 'CREATE UNIQUE INDEX users_username_key ON users (username) WHERE deleted_at IS NULL;' },
          ],
        },
      ],
    },
    {
      filename,
      code: 'ALTER TABLE users ADD COLUMN nickname text, ADD CONSTRAINT users_nickname_key UNIQUE (nickname);',
      errors: [
        {
          messageId: 'fullUnique',
          column: 49,
          endColumn: 96,
          suggestions: [
            {
              messageId: 'rewriteAsIndex',
              output: 'ALTER TABLE users ADD COLUMN nickname text;\nCREATE UNIQUE INDEX users_nickname_key ON users (nickname) WHERE deleted_at IS NULL;',
            },
          ],
        },
      ],
    },
    // CREATE UNIQUE INDEX without WHERE: the squiggle is `UNIQUE INDEX … name`; the suggestion makes it partial.
    {
      filename,
      code: 'CREATE UNIQUE INDEX users_username_key ON users (username);',
      errors: [
        {
          messageId: 'fullUnique',
          line: 1,
          column: 8,
          endColumn: 39,
          data: { what: 'unique index `users_username_key`', table: 'users', columns: 'username', followUp: USERS_USERNAME_FOLLOW_UP },
          suggestions: [
            { messageId: 'addWhere', output: 'CREATE UNIQUE INDEX users_username_key ON users (username) WHERE deleted_at IS NULL;' },
          ],
        },
      ],
    },
    {
      filename,
      code: 'CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS users_username_key ON users USING btree (username) INCLUDE (email);',
      errors: [
        {
          messageId: 'fullUnique',
          column: 8,
          endColumn: 66,
          suggestions: [
            {
              messageId: 'addWhere',
              output:
                'CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS users_username_key ON users USING btree (username) INCLUDE (email) WHERE deleted_at IS NULL;',
            },
          ],
        },
      ],
    },
    // An expression key, a qualified table, PostgreSQL's default name.
    {
      filename,
      code: 'CREATE UNIQUE INDEX ON public.users (lower(username))',
      errors: [
        {
          messageId: 'fullUnique',
          column: 8,
          endColumn: 20,
          data: {
            what: 'unique index `users_lower_idx`',
            table: 'users',
            columns: 'lower(username)',
            followUp:
              'CREATE UNIQUE INDEX CONCURRENTLY users_lower_active_key ON users (lower(username)) WHERE deleted_at IS NULL; DROP INDEX CONCURRENTLY users_lower_idx;',
          },
          suggestions: [{ messageId: 'addWhere', output: 'CREATE UNIQUE INDEX ON public.users (lower(username)) WHERE deleted_at IS NULL' }],
        },
      ],
    },
    // The inverted predicate: the squiggle is the predicate; the suggestion flips it.
    {
      filename,
      code: 'CREATE UNIQUE INDEX users_username_key ON users (username) WHERE (deleted_at IS NOT NULL);',
      errors: [
        {
          messageId: 'invertedPredicate',
          column: 66,
          endColumn: 90,
          data: {
            what: 'unique index `users_username_key`',
            table: 'users',
            columns: 'username',
            where: '(deleted_at IS NOT NULL)',
            filter: 'deleted_at IS NULL',
            followUp: USERS_USERNAME_FOLLOW_UP,
          },
          suggestions: [{ messageId: 'fixPredicate', output: 'CREATE UNIQUE INDEX users_username_key ON users (username) WHERE deleted_at IS NULL;' }],
        },
      ],
    },
    {
      filename,
      code: 'CREATE UNIQUE INDEX ON posts (slug) WHERE is_deleted;',
      errors: [{ messageId: 'invertedPredicate', column: 43, endColumn: 53, suggestions: [{ messageId: 'fixPredicate', output: 'CREATE UNIQUE INDEX ON posts (slug) WHERE NOT is_deleted;' }] }],
    },
    // A partial index whose predicate lets deleted rows in.
    {
      filename,
      code: "CREATE UNIQUE INDEX users_username_key ON users (username) WHERE username <> '' OR org_id IS NULL;",
      errors: [
        {
          messageId: 'partialNotActive',
          column: 66,
          endColumn: 98,
          suggestions: [
            {
              messageId: 'extendPredicate',
              output: "CREATE UNIQUE INDEX users_username_key ON users (username) WHERE (username <> '' OR org_id IS NULL) AND deleted_at IS NULL;",
            },
          ],
        },
      ],
    },
    // UNIQUE (username, deleted_at): NULLs are distinct. The squiggle is the soft-delete key column.
    {
      filename,
      code: 'ALTER TABLE users ADD CONSTRAINT users_username_deleted_key UNIQUE (username, deleted_at);',
      errors: [
        {
          messageId: 'nullsDistinct',
          column: 79,
          endColumn: 89,
          suggestions: [
            { messageId: 'rewriteAsIndex', output: 'CREATE UNIQUE INDEX users_username_deleted_key ON users (username) WHERE deleted_at IS NULL;' },
          ],
        },
      ],
    },
    {
      filename,
      code: 'CREATE UNIQUE INDEX users_username_deleted_key ON users (username, deleted_at) WHERE deleted_at IS NULL;',
      errors: [{ messageId: 'nullsDistinct', column: 68, endColumn: 78, suggestions: [] }],
    },
    // A flag in the key: one deleted row per value.
    {
      filename,
      code: 'ALTER TABLE posts ADD CONSTRAINT posts_slug_deleted_key UNIQUE (slug, is_deleted);',
      errors: [
        {
          messageId: 'flagInKey',
          column: 71,
          endColumn: 81,
          suggestions: [{ messageId: 'rewriteAsIndex', output: 'CREATE UNIQUE INDEX posts_slug_deleted_key ON posts (slug) WHERE NOT is_deleted;' }],
        },
      ],
    },
    // The table's real requirement: a custom column, a validity range.
    {
      filename,
      code: 'CREATE UNIQUE INDEX ON features (key);',
      errors: [{ messageId: 'fullUnique', suggestions: [{ messageId: 'addWhere', output: 'CREATE UNIQUE INDEX ON features (key) WHERE archived_at IS NULL;' }] }],
    },
    {
      filename,
      code: 'CREATE UNIQUE INDEX memberships_user_org_key ON memberships (user_id, org_id);',
      errors: [
        {
          messageId: 'fullUnique',
          suggestions: [
            { messageId: 'addWhere', output: 'CREATE UNIQUE INDEX memberships_user_org_key ON memberships (user_id, org_id) WHERE valid_to IS NULL;' },
          ],
        },
      ],
    },
    // An `=`-only exclusion constraint is a unique too.
    {
      filename,
      code: 'ALTER TABLE users ADD CONSTRAINT users_username_excl EXCLUDE USING btree (username WITH =);',
      errors: [
        {
          messageId: 'fullUnique',
          column: 23,
          endColumn: 91,
          suggestions: [
            {
              messageId: 'addWhere',
              output: 'ALTER TABLE users ADD CONSTRAINT users_username_excl EXCLUDE USING btree (username WITH =) WHERE (deleted_at IS NULL);',
            },
          ],
        },
      ],
    },
    // Seed mistake 1: soft delete added while customers_email_key still covers every row.
    {
      filename,
      code: '-- mistake 1\nALTER TABLE customers ADD COLUMN deleted_at timestamptz;',
      errors: [
        {
          messageId: 'addedSoftDelete',
          line: 2,
          column: 34,
          endColumn: 44,
          data: {
            column: 'deleted_at',
            table: 'customers',
            uniques: '`customers_email_key` (email)',
            followUp:
              'CREATE UNIQUE INDEX customers_email_active_key ON customers (email) WHERE deleted_at IS NULL; ALTER TABLE customers DROP CONSTRAINT customers_email_key;',
          },
          suggestions: [
            {
              messageId: 'replaceInMigration',
              output: [
                '-- mistake 1',
                'ALTER TABLE customers ADD COLUMN deleted_at timestamptz;',
                'CREATE UNIQUE INDEX customers_email_active_key ON customers (email) WHERE deleted_at IS NULL;',
                'ALTER TABLE customers DROP CONSTRAINT customers_email_key;',
              ].join('\n'),
            },
          ],
        },
      ],
    },
    // Both in one new migration: the unique at its definition, and the column that makes it wrong.
    {
      filename,
      code: 'CREATE TABLE coupons (id serial PRIMARY KEY, code text UNIQUE);\nALTER TABLE coupons ADD COLUMN deleted_at timestamptz;',
      errors: [
        {
          // no in-place rewrite: the index would name deleted_at before the ALTER TABLE adds it
          messageId: 'fullUnique',
          line: 1,
          column: 56,
          suggestions: [],
        },
        {
          messageId: 'addedSoftDelete',
          line: 2,
          column: 32,
          suggestions: [
            {
              messageId: 'replaceInMigration',
              output:
                'CREATE TABLE coupons (id serial PRIMARY KEY, code text UNIQUE);\nALTER TABLE coupons ADD COLUMN deleted_at timestamptz;\nCREATE UNIQUE INDEX coupons_code_active_key ON coupons (code) WHERE deleted_at IS NULL;\nALTER TABLE coupons DROP CONSTRAINT coupons_code_key;',
            },
          ],
        },
      ],
    },
    // ON CONFLICT (email) where the only unique on users(email) is partial: a run-time error in PostgreSQL.
    {
      filename,
      code: 'INSERT INTO users (email, username) VALUES ($1, $2) ON CONFLICT (email) DO NOTHING;',
      errors: [
        {
          messageId: 'onConflictNeedsWhere',
          column: 53,
          endColumn: 72,
          data: { columns: 'email', table: 'users', name: 'users_email_active_key', where: 'deleted_at IS NULL' },
          suggestions: [
            {
              messageId: 'addConflictWhere',
              output: 'INSERT INTO users (email, username) VALUES ($1, $2) ON CONFLICT (email) WHERE deleted_at IS NULL DO NOTHING;',
            },
          ],
        },
      ],
    },
    {
      filename,
      code: `INSERT INTO users (email, username) VALUES ($1, $2)
ON CONFLICT (email) WHERE org_id = 1 OR org_id = 2
DO UPDATE SET username = excluded.username;`,
      errors: [
        {
          messageId: 'onConflictNeedsWhere',
          line: 2,
          column: 1,
          endColumn: 20,
          suggestions: [
            {
              messageId: 'addConflictWhere',
              output: `INSERT INTO users (email, username) VALUES ($1, $2)
ON CONFLICT (email) WHERE (org_id = 1 OR org_id = 2) AND deleted_at IS NULL
DO UPDATE SET username = excluded.username;`,
            },
          ],
        },
      ],
    },
    // allowFullUnique silences the uniques, not the ON CONFLICT run-time error.
    {
      filename,
      code: 'WITH u AS (INSERT INTO users (email) VALUES ($1) ON CONFLICT (email) DO NOTHING RETURNING id) SELECT id FROM u;',
      settings: { 'soft-delete': { ...SETTINGS['soft-delete'], tables: { users: { allowFullUnique: true } } } },
      errors: [
        {
          messageId: 'onConflictNeedsWhere',
          column: 50,
          endColumn: 69,
          suggestions: [
            {
              messageId: 'addConflictWhere',
              output: 'WITH u AS (INSERT INTO users (email) VALUES ($1) ON CONFLICT (email) WHERE deleted_at IS NULL DO NOTHING RETURNING id) SELECT id FROM u;',
            },
          ],
        },
      ],
    },
    {
      filename,
      code: 'INSERT INTO users (email) VALUES ($1) ON CONFLICT ON CONSTRAINT users_email_active_key DO NOTHING;',
      errors: [
        {
          messageId: 'onConflictOnIndex',
          column: 39,
          endColumn: 87,
          suggestions: [
            { messageId: 'useIndexColumns', output: 'INSERT INTO users (email) VALUES ($1) ON CONFLICT (email) WHERE deleted_at IS NULL DO NOTHING;' },
          ],
        },
      ],
    },
    // Schema files: 001 of the history is judged against the end of history (users fixed by 003, teams never,
    // organizations renamed to companies by 004).
    {
      filename: `${HISTORY}/migrations/001_create_users.sql`,
      settings: HISTORY_SETTINGS,
      code: HISTORY_001,
      errors: [
        { messageId: 'fullUnique', line: 13, column: 3, endColumn: 42, data: teamsData(), suggestions: [] },
        { messageId: 'fullUnique', line: 20, column: 3, endColumn: 50, suggestions: [{ messageId: 'rewriteAsIndex', output: HISTORY_001_ORGS_REWRITTEN }] },
      ],
    },
    // The same file edited in the editor but not saved (offsets moved): declarations are matched by content.
    {
      filename: `${HISTORY}/migrations/001_create_users.sql`,
      settings: HISTORY_SETTINGS,
      code: `\n\n${HISTORY_001}`,
      errors: [
        { messageId: 'fullUnique', line: 15, column: 3, endColumn: 42, suggestions: [] },
        { messageId: 'fullUnique', line: 22, column: 3, endColumn: 50, suggestions: [{ messageId: 'rewriteAsIndex', output: `\n\n${HISTORY_001_ORGS_REWRITTEN}` }] },
      ],
    },
  ],
});

function teamsData() {
  return {
    what: 'UNIQUE constraint `teams_slug_key`',
    table: 'teams',
    columns: 'slug',
    followUp: 'CREATE UNIQUE INDEX CONCURRENTLY teams_slug_active_key ON teams (slug) WHERE deleted_at IS NULL; ALTER TABLE teams DROP CONSTRAINT teams_slug_key;',
  };
}

tsRuleTester(SETTINGS).run('require-partial-unique-index (SQL in TypeScript migrations)', rule as never, {
  valid: [
    "export async function up(knex) { await knex.raw('CREATE UNIQUE INDEX ON users (username) WHERE deleted_at IS NULL'); }",
    'export class M { async up(queryRunner) { await queryRunner.query(`CREATE UNIQUE INDEX "IDX_posts_slug" ON "posts" ("slug") WHERE "is_deleted" = false`); } }',
    "await db.query('INSERT INTO users (email) VALUES ($1) ON CONFLICT (email) WHERE deleted_at IS NULL DO NOTHING', [email]);",
  ],
  invalid: [
    // knex.raw in a single-quoted string: the inserted statement's newline is escaped for the string.
    {
      code: [
        'export async function up(knex) {',
        "  await knex.raw('CREATE TABLE invoices (id serial PRIMARY KEY, number text NOT NULL UNIQUE, deleted_at timestamptz)');",
        '}',
      ].join('\n'),
      errors: [
        {
          messageId: 'fullUnique',
          line: 2,
          column: 86,
          endColumn: 92,
          suggestions: [
            {
              messageId: 'rewriteAsIndex',
              output: [
                'export async function up(knex) {',
                "  await knex.raw('CREATE TABLE invoices (id serial PRIMARY KEY, number text NOT NULL, deleted_at timestamptz);\\nCREATE UNIQUE INDEX invoices_number_active_key ON invoices (number) WHERE deleted_at IS NULL');",
                '}',
              ].join('\n'),
            },
          ],
        },
      ],
    },
    // TypeORM queryRunner.query in a template literal.
    {
      code: [
        'export class AddSlug {',
        '  async up(queryRunner) {',
        '    await queryRunner.query(`CREATE UNIQUE INDEX "IDX_posts_slug" ON "posts" ("slug")`);',
        '  }',
        '}',
      ].join('\n'),
      errors: [
        {
          messageId: 'fullUnique',
          line: 3,
          column: 37,
          endColumn: 66,
          suggestions: [
            {
              messageId: 'addWhere',
              output: [
                'export class AddSlug {',
                '  async up(queryRunner) {',
                '    await queryRunner.query(`CREATE UNIQUE INDEX "IDX_posts_slug" ON "posts" ("slug") WHERE NOT is_deleted`);',
                '  }',
                '}',
              ].join('\n'),
            },
          ],
        },
      ],
    },
    // MikroORM this.addSql.
    {
      code: [
        'export class Migration20240101 {',
        '  async up() {',
        '    this.addSql(\'alter table "users" add constraint "users_username_unique" unique ("username");\');',
        '  }',
        '}',
      ].join('\n'),
      errors: [
        {
          messageId: 'fullUnique',
          line: 3,
          column: 42,
          endColumn: 96,
          suggestions: [
            {
              messageId: 'rewriteAsIndex',
              output: [
                'export class Migration20240101 {',
                '  async up() {',
                "    this.addSql('CREATE UNIQUE INDEX users_username_unique ON \"users\" (username) WHERE deleted_at IS NULL;');",
                '  }',
                '}',
              ].join('\n'),
            },
          ],
        },
      ],
    },
    // knex.schema.raw: mistake 1.
    {
      code: "export async function up(knex) {\n  await knex.schema.raw('ALTER TABLE customers ADD COLUMN deleted_at timestamptz');\n}",
      errors: [
        {
          messageId: 'addedSoftDelete',
          line: 2,
          column: 59,
          endColumn: 69,
          suggestions: [
            {
              messageId: 'replaceInMigration',
              output:
                "export async function up(knex) {\n  await knex.schema.raw('ALTER TABLE customers ADD COLUMN deleted_at timestamptz;\\nCREATE UNIQUE INDEX customers_email_active_key ON customers (email) WHERE deleted_at IS NULL;\\nALTER TABLE customers DROP CONSTRAINT customers_email_key');\n}",
            },
          ],
        },
      ],
    },
    // An upsert in application code.
    {
      code: "await db.query('INSERT INTO users (email) VALUES ($1) ON CONFLICT (email) DO UPDATE SET username = excluded.username', [email]);",
      errors: [
        {
          messageId: 'onConflictNeedsWhere',
          column: 55,
          endColumn: 74,
          suggestions: [
            {
              messageId: 'addConflictWhere',
              output:
                "await db.query('INSERT INTO users (email) VALUES ($1) ON CONFLICT (email) WHERE deleted_at IS NULL DO UPDATE SET username = excluded.username', [email]);",
            },
          ],
        },
      ],
    },
    // A schema file (a knex migration of the history): the replaced index is silent, the rollback too.
    {
      filename: `${HISTORY}/migrations/005_tags.js`,
      settings: HISTORY_SETTINGS,
      code: HISTORY_005,
      errors: [{ messageId: 'fullUnique', line: 8, column: 26, endLine: 8, endColumn: 54, suggestions: [{ messageId: 'addWhere', output: HISTORY_005.replace('ON labels (code)', 'ON labels (code) WHERE deleted_at IS NULL') }] }],
    },
  ],
});

// ---------------------------------------------------------------------------------------------------------------
// Through the real ESLint class: a project directory, its migrations discovered, each file's verdict.

function eslintIn(fixture: string): ESLint {
  return new ESLint({
    cwd: path.resolve(fixture),
    overrideConfigFile: true,
    overrideConfig: [...plugin.configs.recommended, { settings: { 'soft-delete': {} } }] as never,
  });
}

async function verdicts(fixture: string, patterns: string[]) {
  const results = await eslintIn(fixture).lintFiles(patterns);
  return Object.fromEntries(
    results.map((r) => [
      path.relative(path.resolve(fixture), r.filePath).split(path.sep).join('/'),
      {
        messages: r.messages.map((m) => ({ ruleId: m.ruleId, messageId: m.messageId, line: m.line, column: m.column, endLine: m.endLine, endColumn: m.endColumn, fatal: m.fatal ?? false })),
        suppressed: r.suppressedMessages.map((m) => ({ ruleId: m.ruleId, line: m.line, justification: m.suppressions[0]?.justification })),
      },
    ]),
  );
}

const RULE = 'soft-delete/require-partial-unique-index';
const at = (messageId: string, line: number, column: number, endLine: number, endColumn: number) => ({
  ruleId: RULE,
  messageId,
  line,
  column,
  endLine,
  endColumn,
  fatal: false,
});

describe('a migration history: the end of history decides (ESLint class, recommended config)', () => {
  it('reports each file by what survives the whole history', async () => {
    const result = await verdicts(HISTORY, ['migrations/*', 'queries/*.sql']);
    expect(result).toEqual({
      // users' UNIQUE email / username: replaced by 003, not reported. teams: never fixed. organizations: renamed
      // to companies by 004, and its unique follows it.
      'migrations/001_create_users.sql': { messages: [at('fullUnique', 13, 3, 13, 42), at('fullUnique', 20, 3, 20, 50)], suppressed: [] },
      // Mistake 1 for teams (nobody replaced teams_slug_key); users' ADD COLUMN is fine since 003.
      'migrations/002_soft_delete.sql': { messages: [at('addedSoftDelete', 3, 30, 3, 40)], suppressed: [] },
      'migrations/003_partial_uniques.sql': { messages: [], suppressed: [] },
      'migrations/004_rename_organizations.sql': { messages: [], suppressed: [] },
      // The JS migration: tags_name_key is dropped further down; labels_code_key stays; down() is not the end state.
      'migrations/005_tags.js': { messages: [at('fullUnique', 8, 26, 8, 54)], suppressed: [] },
      // A file-level disable with a reason.
      'migrations/006_invites.sql': {
        messages: [],
        suppressed: [{ ruleId: RULE, line: 4, justification: "invite tokens are random: a deleted invite's token is never reused" }],
      },
      // A next-line disable with a reason; the inverted predicate below it is still reported.
      'migrations/007_api_keys.sql': {
        messages: [at('invertedPredicate', 4, 66, 4, 88)],
        suppressed: [{ ruleId: RULE, line: 3, justification: 'key prefixes are random and never reused' }],
      },
      'queries/upsert_user.sql': { messages: [at('onConflictNeedsWhere', 2, 53, 2, 72)], suppressed: [] },
    });
  });

  it('without the fix, 001 is reported at its exact line and 002 for mistake 1; a syntax error is a fatal parse error', async () => {
    const fixture = `${HISTORY}-unfixed`;
    const result = await verdicts(fixture, ['migrations/*.sql', 'queries/*.sql']);
    expect(result['migrations/001_create_users.sql']).toEqual({ messages: [at('fullUnique', 4, 23, 4, 29)], suppressed: [] });
    expect(result['migrations/002_soft_delete.sql']).toEqual({ messages: [at('addedSoftDelete', 3, 14, 3, 24)], suppressed: [] });
    const broken = result['queries/broken.sql']!;
    expect(broken.messages).toHaveLength(1);
    expect(broken.messages[0]).toMatchObject({ ruleId: null, fatal: true, line: 2 });
  });

  it('puts the follow-up migration in the message', async () => {
    const [result] = await eslintIn(`${HISTORY}-unfixed`).lintFiles(['migrations/001_create_users.sql']);
    const message = result!.messages[0]!.message;
    expect(message).toContain(
      'CREATE UNIQUE INDEX CONCURRENTLY users_email_active_key ON users (email) WHERE deleted_at IS NULL; ALTER TABLE users DROP CONSTRAINT users_email_key;',
    );
    // Short enough for an editor hover: the reasons (foreign keys need the primary key, CONCURRENTLY outside a
    // transaction) are on the rule's page, not in every message.
    expect(message).toBe(
      'UNIQUE constraint `users_email_key` on `users` (email) also covers soft-deleted rows: a deleted value can never be reused; follow-up migration: CREATE UNIQUE INDEX CONCURRENTLY users_email_active_key ON users (email) WHERE deleted_at IS NULL; ALTER TABLE users DROP CONSTRAINT users_email_key;',
    );
    expect(message.length).toBeLessThan(300);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// The pure check: statements + schema model → findings.

/** Findings for `sql` when it is the schema file `file` of a history made of `history` (+ `sql` itself). */
function findingsOf(sql: string, history: Array<[string, string]>) {
  const file = '/project/migrations/001.sql';
  const schema = schemaFromSql(sql, file);
  for (const [name, text] of history) {
    schema.files.push(name);
    // applySql is what the loader runs per file; schemaFromSql made the model and applied `sql` as `file`.
    applySql(schema, text, name);
  }
  const context = { schema, settings: normalizeSettings({}) };
  const { statements } = lowerFragments([wholeFileFragment(sql)]);
  return checkUniques(statements, context, file, new ReadAnalyzer(context)).map((f) => ({
    kind: f.kind,
    at: sql.slice(f.start, f.end),
    name: f.data.name ?? '',
    table: f.data.table ?? '',
  }));
}

describe('checkUniques (pure)', () => {
  const sql = 'CREATE TABLE users (id serial PRIMARY KEY, email text UNIQUE, handle text, deleted_at timestamptz);\nCREATE UNIQUE INDEX ON users (handle);';

  it('judges a schema file by the end of history: default names, renames and drops follow the declaration', () => {
    expect(findingsOf(sql, [])).toEqual([
      { kind: 'full-unique', at: 'UNIQUE', name: 'users_email_key', table: 'users' },
      { kind: 'full-unique', at: 'UNIQUE INDEX', name: 'users_handle_idx', table: 'users' },
    ]);
    expect(
      findingsOf(sql, [['/project/migrations/002.sql', 'ALTER TABLE users RENAME CONSTRAINT users_email_key TO users_email_uq;\nALTER TABLE users RENAME TO members;\nDROP INDEX users_handle_idx;']]),
    ).toEqual([{ kind: 'full-unique', at: 'UNIQUE', name: 'users_email_uq', table: 'members' }]);
    expect(findingsOf(sql, [['/project/migrations/002.sql', 'ALTER TABLE users DROP COLUMN deleted_at;']])).toEqual([]);
  });
});
