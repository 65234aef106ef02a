import rule from '../../rules/require-stream-table-filter.js';
import { sqlRuleTester, tsRuleTester } from '../helpers/rule-tester.js';

const filename = 'stream_tables.sql';

sqlRuleTester().run('require-stream-table-filter (.sql)', rule as never, {
  valid: [
    // Seed 004: the correct stream table.
    {
      filename,
      code: `SELECT pgtrickle.create_stream_table(
  'plan_counts',
  $$ SELECT plan, COUNT(*) AS user_count FROM users WHERE deleted_at IS NULL GROUP BY plan $$
);`,
    },
    // Seed 004: active_user_directory with both filters.
    {
      filename,
      code: `SELECT pgtrickle.create_stream_table(
  'active_user_directory',
  $$
  SELECT u.id, u.email, o.name AS org_name
  FROM users u
  JOIN organizations o ON o.id = u.org_id
  WHERE u.deleted_at IS NULL AND o.deleted_at IS NULL
  $$
);`,
    },
    // The temporal pattern with a configured active-row predicate.
    {
      filename,
      code: `SELECT pgtrickle.create_stream_table('active_memberships', $$ SELECT user_id FROM memberships WHERE valid_to IS NULL $$);`,
    },
    // Named arguments and a tagged dollar quote.
    {
      filename,
      code: `SELECT pgtrickle.create_stream_table(name => 'x', query => $q$ SELECT count(*) FROM users WHERE deleted_at IS NULL $q$);`,
    },
    // pg_ivm, filtered.
    { filename, code: `SELECT pgivm.create_immv('live_users', 'SELECT id FROM users WHERE deleted_at IS NULL');` },
    // Not a soft-delete table.
    { filename, code: `SELECT pgtrickle.create_stream_table('totals', $$ SELECT sum(total) FROM orders $$);` },
    // Views that filter; a view that passes the column through (its readers carry the filter).
    { filename, code: 'CREATE VIEW active_users AS SELECT * FROM users WHERE deleted_at IS NULL;' },
    { filename, code: 'CREATE VIEW users_with_orgs AS SELECT u.*, o.name FROM users u JOIN organizations o ON o.id = u.org_id AND o.deleted_at IS NULL;' },
    // Deliberate: a trash materialized view.
    { filename, code: 'CREATE MATERIALIZED VIEW trash AS SELECT id FROM users WHERE deleted_at IS NOT NULL;' },
    // Plain views can be turned off.
    { filename, code: 'CREATE VIEW emails AS SELECT email FROM users;', options: [{ views: false }] },
    { filename, code: 'CREATE MATERIALIZED VIEW emails AS SELECT email FROM users;', options: [{ materializedViews: false }] },
  ],
  invalid: [
    // Seed 004: "Ghost Rows in Aggregates" — the buggy stream table, single-quoted.
    {
      filename,
      code: `SELECT pgtrickle.create_stream_table(
  'plan_counts_buggy',
  'SELECT plan, COUNT(*) AS user_count FROM users GROUP BY plan'
);`,
      errors: [
        {
          messageId: 'ghostRows',
          line: 3,
          column: 45,
          endLine: 3,
          endColumn: 50,
          suggestions: [
            {
              messageId: 'addFilter',
              output: `SELECT pgtrickle.create_stream_table(
  'plan_counts_buggy',
  'SELECT plan, COUNT(*) AS user_count FROM users WHERE deleted_at IS NULL GROUP BY plan'
);`,
            },
          ],
        },
      ],
    },
    // Doubled quotes before the table name: positions still exact; the inserted filter is quoted for the string.
    {
      filename,
      code: `SELECT pgtrickle.create_stream_table('pro_users', 'SELECT id FROM users WHERE plan = ''pro''', schedule => '1m');`,
      settings: { 'soft-delete': { schema: ['test/fixtures/seed/migrations/*.sql'], tables: { users: { active: "status <> 'gone'" } } } },
      errors: [
        {
          messageId: 'ghostRows',
          line: 1,
          column: 67,
          endColumn: 72,
          suggestions: [
            {
              messageId: 'addFilter',
              output: `SELECT pgtrickle.create_stream_table('pro_users', 'SELECT id FROM users WHERE plan = ''pro'' AND status <> ''gone''', schedule => '1m');`,
            },
          ],
        },
      ],
    },
    // Doubled quotes (and non-ASCII text) BEFORE the table name: the position is still exact.
    {
      filename,
      code: `SELECT pgtrickle.create_stream_table('labels', 'SELECT ''Müller''''s'' AS label, count(*) FROM users GROUP BY 1');`,
      errors: [
        {
          messageId: 'ghostRows',
          line: 1,
          column: 96,
          endColumn: 101,
          suggestions: [
            {
              messageId: 'addFilter',
              output: `SELECT pgtrickle.create_stream_table('labels', 'SELECT ''Müller''''s'' AS label, count(*) FROM users WHERE deleted_at IS NULL GROUP BY 1');`,
            },
          ],
        },
      ],
    },
    // Dollar-quoted body over several lines: the squiggle lands on the inner table reference.
    {
      filename,
      code: `-- Seed 004: active_user_directory with the organization filter forgotten
SELECT pgtrickle.create_stream_table(
  'active_user_directory',
  $$
  SELECT u.id, u.email, o.name AS org_name
  FROM users u
  JOIN organizations o ON o.id = u.org_id
  WHERE u.deleted_at IS NULL
  $$
);`,
      errors: [
        {
          messageId: 'ghostRows',
          data: { what: 'Stream table', name: 'active_user_directory', table: 'organizations', alias: ' (as `o`)', filter: 'o.deleted_at IS NULL' },
          line: 7,
          column: 8,
          endColumn: 21,
          suggestions: [
            {
              messageId: 'addFilter',
              output: `-- Seed 004: active_user_directory with the organization filter forgotten
SELECT pgtrickle.create_stream_table(
  'active_user_directory',
  $$
  SELECT u.id, u.email, o.name AS org_name
  FROM users u
  JOIN organizations o ON o.id = u.org_id
  WHERE u.deleted_at IS NULL AND o.deleted_at IS NULL
  $$
);`,
            },
          ],
        },
      ],
    },
    // E'' strings with escapes, named query argument.
    {
      filename,
      code: `SELECT pgtrickle.create_stream_table(name => 'n', query => E'SELECT count(*) FROM\\n users');`,
      errors: [
        {
          messageId: 'ghostRows',
          line: 1,
          column: 85,
          endColumn: 90,
          suggestions: [
            { messageId: 'addFilter', output: `SELECT pgtrickle.create_stream_table(name => 'n', query => E'SELECT count(*) FROM\\n users WHERE deleted_at IS NULL');` },
          ],
        },
      ],
    },
    // pg_ivm without schema.
    {
      filename,
      code: `SELECT create_immv('user_count', 'SELECT count(*) FROM users');`,
      errors: [
        {
          messageId: 'ghostRows',
          data: { what: 'Incrementally maintained view', name: 'user_count', table: 'users', alias: '', filter: 'deleted_at IS NULL' },
          suggestions: [{ messageId: 'addFilter', output: `SELECT create_immv('user_count', 'SELECT count(*) FROM users WHERE deleted_at IS NULL');` }],
        },
      ],
    },
    // Materialized view and TimescaleDB continuous aggregate.
    {
      filename,
      code: 'CREATE MATERIALIZED VIEW plan_counts AS SELECT plan, count(*) FROM users GROUP BY plan;',
      errors: [{ messageId: 'ghostRows', column: 68, endColumn: 73, suggestions: [{ messageId: 'addFilter', output: 'CREATE MATERIALIZED VIEW plan_counts AS SELECT plan, count(*) FROM users WHERE deleted_at IS NULL GROUP BY plan;' }] }],
    },
    {
      filename,
      code: "CREATE MATERIALIZED VIEW daily WITH (timescaledb.continuous) AS SELECT time_bucket('1 day', created_at), count(*) FROM users GROUP BY 1;",
      errors: [
        {
          messageId: 'ghostRows',
          data: { what: 'Continuous aggregate', name: 'daily', table: 'users', alias: '', filter: 'deleted_at IS NULL' },
          suggestions: [
            {
              messageId: 'addFilter',
              output:
                "CREATE MATERIALIZED VIEW daily WITH (timescaledb.continuous) AS SELECT time_bucket('1 day', created_at), count(*) FROM users WHERE deleted_at IS NULL GROUP BY 1;",
            },
          ],
        },
      ],
    },
    // A plain view that hides the column: no reader can filter.
    {
      filename,
      code: 'CREATE VIEW emails AS SELECT email FROM users;',
      errors: [
        {
          messageId: 'viewLeak',
          column: 41,
          endColumn: 46,
          suggestions: [{ messageId: 'addFilter', output: 'CREATE VIEW emails AS SELECT email FROM users WHERE deleted_at IS NULL;' }],
        },
      ],
    },
    // A view passing the column through after DISTINCT ON: its readers cannot filter what it displaced.
    {
      filename,
      code: 'CREATE VIEW latest AS SELECT DISTINCT ON (org_id) * FROM users ORDER BY org_id, id DESC;',
      errors: [
        {
          messageId: 'displacing',
          suggestions: [{ messageId: 'addFilter', output: 'CREATE VIEW latest AS SELECT DISTINCT ON (org_id) * FROM users WHERE deleted_at IS NULL ORDER BY org_id, id DESC;' }],
        },
      ],
    },
    // FULL JOIN in a materialized view: filter before the join.
    {
      filename,
      code: 'CREATE MATERIALIZED VIEW pairs AS SELECT u.id, g.id AS org FROM users u FULL JOIN organizations g ON g.id = u.org_id WHERE u.deleted_at IS NULL AND g.deleted_at IS NULL;',
      errors: [
        {
          messageId: 'fullJoin',
          suggestions: [
            {
              messageId: 'filterBeforeJoin',
              output: 'CREATE MATERIALIZED VIEW pairs AS SELECT u.id, g.id AS org FROM (SELECT * FROM users WHERE deleted_at IS NULL) u FULL JOIN organizations g ON g.id = u.org_id WHERE u.deleted_at IS NULL AND g.deleted_at IS NULL;',
            },
          ],
        },
        {
          messageId: 'fullJoin',
          suggestions: [
            {
              messageId: 'filterBeforeJoin',
              output: 'CREATE MATERIALIZED VIEW pairs AS SELECT u.id, g.id AS org FROM users u FULL JOIN (SELECT * FROM organizations WHERE deleted_at IS NULL) g ON g.id = u.org_id WHERE u.deleted_at IS NULL AND g.deleted_at IS NULL;',
            },
          ],
        },
      ],
    },
    // A stream table passing the column through still keeps ghost rows: reported.
    {
      filename,
      code: `SELECT pgtrickle.create_stream_table('all_users', $$ SELECT * FROM users $$);`,
      errors: [
        {
          messageId: 'ghostRows',
          suggestions: [{ messageId: 'addFilter', output: `SELECT pgtrickle.create_stream_table('all_users', $$ SELECT * FROM users WHERE deleted_at IS NULL $$);` }],
        },
      ],
    },
    // OR defeats the filter; outer join filtered in WHERE.
    {
      filename,
      code: `SELECT pgtrickle.create_stream_table('x', $$ SELECT id FROM users WHERE deleted_at IS NULL OR plan = 'free' $$);`,
      errors: [{ messageId: 'orDefeated' }],
    },
    {
      filename,
      code: `SELECT pgtrickle.create_stream_table('x', $$ SELECT o.id FROM orders o LEFT JOIN users u ON u.id = o.user_id WHERE u.deleted_at IS NULL $$);`,
      errors: [
        {
          messageId: 'outerWhere',
          suggestions: [
            {
              messageId: 'addFilter',
              output: `SELECT pgtrickle.create_stream_table('x', $$ SELECT o.id FROM orders o LEFT JOIN users u ON u.id = o.user_id AND u.deleted_at IS NULL $$);`,
            },
          ],
        },
      ],
    },
    // Unparsable defining query.
    {
      filename,
      code: `SELECT pgtrickle.create_stream_table('x', $$ SELEC plan FROM users $$);`,
      errors: [{ messageId: 'unparsable', line: 1, column: 46 }],
    },
    // The temporal pattern: configured active-row predicate.
    {
      filename,
      code: `SELECT pgtrickle.create_stream_table('active_memberships', $$ SELECT user_id FROM memberships $$);`,
      errors: [
        {
          messageId: 'ghostRows',
          data: { what: 'Stream table', name: 'active_memberships', table: 'memberships', alias: '', filter: 'valid_to IS NULL' },
          suggestions: [
            {
              messageId: 'addFilter',
              output: `SELECT pgtrickle.create_stream_table('active_memberships', $$ SELECT user_id FROM memberships WHERE valid_to IS NULL $$);`,
            },
          ],
        },
      ],
    },
  ],
});

tsRuleTester().run('require-stream-table-filter (SQL in TypeScript)', rule as never, {
  valid: [
    {
      code: "await sql`SELECT pgtrickle.create_stream_table('plan_counts', $$ SELECT plan, count(*) FROM users WHERE deleted_at IS NULL GROUP BY plan $$)`;",
    },
  ],
  invalid: [
    // Two levels of quoting: a TS template holding a single-quoted SQL string.
    {
      code: "await db.query(`SELECT pgtrickle.create_stream_table('plan_counts_buggy', 'SELECT plan, COUNT(*) FROM users GROUP BY plan')`);",
      errors: [
        {
          messageId: 'ghostRows',
          line: 1,
          column: 103,
          endColumn: 108,
          suggestions: [
            {
              messageId: 'addFilter',
              output:
                "await db.query(`SELECT pgtrickle.create_stream_table('plan_counts_buggy', 'SELECT plan, COUNT(*) FROM users WHERE deleted_at IS NULL GROUP BY plan')`);",
            },
          ],
        },
      ],
    },
    {
      code: [
        'export async function up(knex) {',
        "  await knex.raw('CREATE MATERIALIZED VIEW plan_counts AS SELECT plan, count(*) FROM users GROUP BY plan');",
        '}',
      ].join('\n'),
      errors: [
        {
          messageId: 'ghostRows',
          line: 2,
          column: 86,
          endColumn: 91,
          suggestions: [
            {
              messageId: 'addFilter',
              output: [
                'export async function up(knex) {',
                "  await knex.raw('CREATE MATERIALIZED VIEW plan_counts AS SELECT plan, count(*) FROM users WHERE deleted_at IS NULL GROUP BY plan');",
                '}',
              ].join('\n'),
            },
          ],
        },
      ],
    },
  ],
});

// A `SELECT *` view created before the table became soft-deletable never gets the column: it leaks, and no
// reader can filter it (PostgreSQL rejects `WHERE deleted_at IS NULL` on it).
sqlRuleTester({ 'soft-delete': { schema: ['test/fixtures/view-history/migrations/*.sql'] } }).run(
  'require-stream-table-filter (view created before deleted_at)',
  rule as never,
  {
    valid: [{ filename: '003_view.sql', code: 'CREATE OR REPLACE VIEW live_posts AS SELECT * FROM posts WHERE deleted_at IS NULL;' }],
    invalid: [
      {
        filename: '001_posts.sql',
        code: 'CREATE TABLE posts (id integer PRIMARY KEY, title text);\nCREATE VIEW all_posts AS SELECT * FROM posts;',
        errors: [
          {
            messageId: 'viewLeak',
            line: 2,
            column: 40,
            endColumn: 45,
            suggestions: [],
          },
        ],
      },
    ],
  },
);
