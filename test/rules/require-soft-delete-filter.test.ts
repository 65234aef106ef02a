import rule from '../../rules/require-soft-delete-filter.js';
import { sqlRuleTester, tsRuleTester } from '../helpers/rule-tester.js';

tsRuleTester().run('require-soft-delete-filter (TypeScript)', rule as never, {
  valid: [
    // Seed 000, section 11: the fixed queries.
    'const rows = await sql`SELECT * FROM orders WHERE user_id = ${currentUserId}`;',
    'const rows = await sql`SELECT * FROM orders o JOIN users u ON u.id = o.user_id WHERE u.email = ${email} AND u.deleted_at IS NULL AND u.id = ${id}`;',
    "await pool.query('SELECT id FROM users WHERE email = $1 AND deleted_at IS NULL', [email]);",
    // Prisma raw queries.
    'await prisma.$queryRaw`SELECT id FROM users WHERE deleted_at IS NULL`;',
    'await prisma.$queryRaw(Prisma.sql`SELECT id FROM users WHERE deleted_at IS NULL AND email = ${email}`);',
    // Deliberate reads of deleted rows: trash view and purge job.
    'await sql`SELECT * FROM users WHERE deleted_at IS NOT NULL ORDER BY deleted_at DESC`;',
    "await knex.raw(\"DELETE FROM users WHERE deleted_at < now() - interval '90 days'\");",
    // The soft delete itself.
    'await sql`UPDATE users SET deleted_at = now() WHERE id = ${id}`;',
    // Not soft-delete tables.
    'await sql`SELECT sum(total) FROM orders`;',
    // Strings that are not SQL.
    "const label = 'Select a customer from the list';",
    "showToast('Update users from the admin panel');",
    "query('select an option from users menu');",
    // A fragment we cannot see into: unknown, never a false report.
    'await sql`SELECT * FROM users WHERE email = ${email} AND ${activeOnly}`;',
    'await sql`SELECT * FROM ${table}`;',
    // An inline nested sql fragment carries the filter.
    'await sql`SELECT * FROM users WHERE ${sql`deleted_at IS NULL`} AND email = ${email}`;',
    // A constant table name inlined, filtered.
    "const TABLE = 'users';\nawait db.query(`SELECT * FROM ${TABLE} WHERE deleted_at IS NULL`);",
    // knex placeholders normalised.
    "await knex.raw('SELECT * FROM ?? WHERE email = ? AND deleted_at IS NULL', ['users', email]);",
    "await knex.raw('SELECT * FROM users WHERE email = :email AND deleted_at IS NULL', { email });",
    // { text } objects.
    "await client.query({ text: 'SELECT * FROM users WHERE deleted_at IS NULL AND id = $1', values: [id] });",
    // Unparsable SQL is skipped silently by default.
    'await sql`SELEC * FROM users`;',
    // Reads through a view or CTE that filters.
    'await sql`WITH live AS (SELECT * FROM users) SELECT count(*) FROM live WHERE deleted_at IS NULL`;',
    // Settled by PostgreSQL (the differential oracle): these filter.
    'await sql`SELECT count(*) FILTER (WHERE deleted_at IS NULL) AS live_users FROM users`;',
    "await sql`SELECT id FROM users WHERE (deleted_at IS NULL OR plan = 'pro') AND plan = 'free'`;",
    "await sql`SELECT u.id FROM users u LEFT JOIN organizations g ON g.id = u.org_id AND u.deleted_at IS NULL WHERE g.name = 'x' AND g.deleted_at IS NULL`;",
    'await sql`SELECT s.id FROM (SELECT u.id, u.deleted_at IS NULL AS live FROM users u) s WHERE s.live`;',
  ],
  invalid: [
    // Seed 000, section 11: the orders-by-email incident.
    {
      code: [
        'export async function ordersFor(email: string) {',
        '  return sql`',
        '    SELECT * FROM orders WHERE user_id IN (',
        '      SELECT id FROM users WHERE email = ${email}',
        '    )`;',
        '}',
      ].join('\n'),
      errors: [
        {
          messageId: 'missing',
          data: { table: 'users', alias: '', filter: 'deleted_at IS NULL', via: '' },
          line: 4,
          column: 22,
          endLine: 4,
          endColumn: 27,
          suggestions: [
            {
              messageId: 'addFilter',
              output: [
                'export async function ordersFor(email: string) {',
                '  return sql`',
                '    SELECT * FROM orders WHERE user_id IN (',
                '      SELECT id FROM users WHERE email = ${email} AND deleted_at IS NULL',
                '    )`;',
                '}',
              ].join('\n'),
            },
          ],
        },
      ],
    },
    // Join with an alias: the squiggle is on the table name, the fix qualifies with the alias.
    {
      code: 'await sql`SELECT o.* FROM orders o JOIN users u ON u.id = o.user_id WHERE u.email = ${email}`;',
      errors: [
        {
          messageId: 'missing',
          data: { table: 'users', alias: ' (as `u`)', filter: 'u.deleted_at IS NULL', via: '' },
          column: 41,
          endColumn: 46,
          suggestions: [
            {
              messageId: 'addFilter',
              output: 'await sql`SELECT o.* FROM orders o JOIN users u ON u.id = o.user_id WHERE u.email = ${email} AND u.deleted_at IS NULL`;',
            },
          ],
        },
      ],
    },
    // Non-ASCII text before the table name keeps the column exact.
    {
      code: "await pool.query('SELECT id, \\'Müller – 日本\\' AS n FROM users');",
      errors: [
        {
          messageId: 'missing',
          column: 56,
          endColumn: 61,
          suggestions: [{ messageId: 'addFilter', output: "await pool.query('SELECT id, \\'Müller – 日本\\' AS n FROM users WHERE deleted_at IS NULL');" }],
        },
      ],
    },
    // An OR that defeats the filter.
    {
      code: "await sql`SELECT * FROM users WHERE deleted_at IS NULL OR email = 'root@example.com'`;",
      errors: [{ messageId: 'or-defeated', column: 25, endColumn: 30, suggestions: [] }],
    },
    // Outer join filtered in WHERE: moved into ON.
    {
      code: 'await sql`SELECT * FROM orders o LEFT JOIN users u ON u.id = o.user_id WHERE u.deleted_at IS NULL`;',
      errors: [
        {
          messageId: 'outer-where',
          suggestions: [
            { messageId: 'addFilterToOn', output: 'await sql`SELECT * FROM orders o LEFT JOIN users u ON u.id = o.user_id AND u.deleted_at IS NULL`;' },
          ],
        },
      ],
    },
    // FULL JOIN: filter each side before the join (the ON filters nothing, WHERE drops the other side's rows).
    {
      code: 'await sql`SELECT * FROM users u FULL JOIN organizations g ON g.id = u.org_id AND g.deleted_at IS NULL WHERE u.deleted_at IS NULL`;',
      errors: [
        {
          messageId: 'full-join',
          suggestions: [
            {
              messageId: 'filterBeforeJoin',
              output: 'await sql`SELECT * FROM (SELECT * FROM users WHERE deleted_at IS NULL) u FULL JOIN organizations g ON g.id = u.org_id AND g.deleted_at IS NULL WHERE u.deleted_at IS NULL`;',
            },
          ],
        },
        {
          messageId: 'full-join',
          suggestions: [
            {
              messageId: 'filterBeforeJoin',
              output: 'await sql`SELECT * FROM users u FULL JOIN (SELECT * FROM organizations WHERE deleted_at IS NULL) g ON g.id = u.org_id AND g.deleted_at IS NULL WHERE u.deleted_at IS NULL`;',
            },
          ],
        },
      ],
    },
    // Passed through after LIMIT: the filter outside cannot restore the displaced live rows; it goes inside.
    {
      code: 'await sql`WITH recent AS (SELECT * FROM users ORDER BY id DESC LIMIT 3) SELECT id FROM recent WHERE deleted_at IS NULL`;',
      errors: [
        {
          messageId: 'missingDisplacing',
          suggestions: [
            { messageId: 'addFilter', output: 'await sql`WITH recent AS (SELECT * FROM users WHERE deleted_at IS NULL ORDER BY id DESC LIMIT 3) SELECT id FROM recent WHERE deleted_at IS NULL`;' },
          ],
        },
      ],
    },
    // RETURNING hands the soft-deleted rows an UPDATE touched back to the application.
    {
      code: "await sql`UPDATE users SET plan = 'pro' WHERE org_id = ${org} RETURNING id, email`;",
      errors: [
        {
          messageId: 'returning',
          suggestions: [{ messageId: 'addFilter', output: "await sql`UPDATE users SET plan = 'pro' WHERE org_id = ${org} AND deleted_at IS NULL RETURNING id, email`;" }],
        },
      ],
    },
    // `= NULL` inside an OR, and in an outer join's ON: the message says what it does there.
    {
      code: "await sql`SELECT * FROM users WHERE deleted_at = NULL OR plan = 'pro'`;",
      errors: [
        {
          message:
            '`= NULL` on the soft-delete column of `users` is never true (NULL is not equal to anything): that branch of the OR matches no row, so the other branches decide alone and soft-deleted rows pass wherever they match. Write `deleted_at IS NULL`.',
        },
      ],
    },
    {
      code: 'await sql`SELECT o.id FROM orders o LEFT JOIN users u ON u.id = o.user_id AND u.deleted_at = NULL`;',
      errors: [
        {
          message:
            "`= NULL` on the soft-delete column of `users` (as `u`) is never true (NULL is not equal to anything): this outer join's ON never matches, so every row of the other side comes back with NULLs for it. Write `u.deleted_at IS NULL`.",
        },
      ],
    },
    // `= NULL` is never true.
    {
      code: 'await sql`SELECT * FROM users WHERE deleted_at = NULL`;',
      errors: [{ messageId: 'never-true', suggestions: [] }],
    },
    // A CTE that passes the column through but nobody filters.
    {
      code: 'await sql`WITH everyone AS (SELECT * FROM users) SELECT count(*) FROM everyone`;',
      errors: [
        {
          messageId: 'missingVia',
          data: { table: 'users', alias: '', filter: 'deleted_at IS NULL', via: 'everyone' },
          suggestions: [{ messageId: 'addFilter', output: 'await sql`WITH everyone AS (SELECT * FROM users WHERE deleted_at IS NULL) SELECT count(*) FROM everyone`;' }],
        },
      ],
    },
    // Double-quoted JS string: the inserted text is escaped for the host literal.
    {
      code: 'await db.query("SELECT * FROM organizations WHERE name = \'acme\'");',
      errors: [
        {
          messageId: 'missing',
          suggestions: [{ messageId: 'addFilter', output: 'await db.query("SELECT * FROM organizations WHERE name = \'acme\' AND deleted_at IS NULL");' }],
        },
      ],
    },
    // String concatenation.
    {
      code: "await pool.query('SELECT id ' +\n  'FROM users ' +\n  'ORDER BY id');",
      errors: [
        {
          messageId: 'missing',
          line: 2,
          column: 9,
          endColumn: 14,
          suggestions: [{ messageId: 'addFilter', output: "await pool.query('SELECT id ' +\n  'FROM users WHERE deleted_at IS NULL ' +\n  'ORDER BY id');" }],
        },
      ],
    },
    // A constant table name: reported at the interpolation.
    {
      code: "const USERS = 'users';\nawait db.query(`SELECT * FROM ${USERS}`);",
      errors: [{ messageId: 'missing', line: 2, column: 31, suggestions: [{ messageId: 'addFilter', output: "const USERS = 'users';\nawait db.query(`SELECT * FROM ${USERS} WHERE deleted_at IS NULL`);" }] }],
    },
    // knex raw with bindings; Prisma unsafe; slonik sql.type; pg-promise; TypeORM.
    {
      code: "await knex.raw('SELECT * FROM users WHERE email = ?', [email]);",
      errors: [{ messageId: 'missing', column: 31, endColumn: 36, suggestions: [{ messageId: 'addFilter', output: "await knex.raw('SELECT * FROM users WHERE email = ? AND deleted_at IS NULL', [email]);" }] }],
    },
    {
      code: "await prisma.$queryRawUnsafe('SELECT * FROM users WHERE email = $1', email);",
      errors: [{ messageId: 'missing', suggestions: [{ messageId: 'addFilter', output: "await prisma.$queryRawUnsafe('SELECT * FROM users WHERE email = $1 AND deleted_at IS NULL', email);" }] }],
    },
    {
      code: 'await pool.one(sql.type(User)`SELECT * FROM users WHERE id = ${id}`);',
      errors: [{ messageId: 'missing', suggestions: [{ messageId: 'addFilter', output: 'await pool.one(sql.type(User)`SELECT * FROM users WHERE id = ${id} AND deleted_at IS NULL`);' }] }],
    },
    {
      code: "await db.any('SELECT * FROM users u JOIN organizations o ON o.id = u.org_id WHERE u.deleted_at IS NULL');",
      errors: [
        {
          messageId: 'missing',
          data: { table: 'organizations', alias: ' (as `o`)', filter: 'o.deleted_at IS NULL', via: '' },
          suggestions: [
            { messageId: 'addFilter', output: "await db.any('SELECT * FROM users u JOIN organizations o ON o.id = u.org_id WHERE u.deleted_at IS NULL AND o.deleted_at IS NULL');" },
          ],
        },
      ],
    },
    {
      code: "await queryRunner.query(`SELECT count(*) FROM users`);",
      errors: [{ messageId: 'missing', suggestions: [{ messageId: 'addFilter', output: 'await queryRunner.query(`SELECT count(*) FROM users WHERE deleted_at IS NULL`);' }] }],
    },
    // Parse errors are reported when asked.
    {
      code: 'await sql`SELEC * FROM users`;',
      options: [{ reportParseErrors: true }],
      errors: [{ messageId: 'parseError', column: 11 }],
    },
  ],
});

sqlRuleTester().run('require-soft-delete-filter (.sql)', rule as never, {
  valid: [
    // pg-promise QueryFile placeholders and psql variables parse (same-length replacements)...
    { filename: 'find.sql', code: 'SELECT * FROM users WHERE email = ${email} AND deleted_at IS NULL;' },
    { filename: 'find.sql', code: "\\set email 'a@b.c'\nSELECT * FROM users WHERE email = :'email' AND deleted_at IS NULL AND id = :id;" },
    // ...and a placeholder standing for a whole condition is unknown, not reported.
    { filename: 'find.sql', code: 'SELECT * FROM users WHERE email = $<email> AND ${condition:raw};' },
    // Lookups by the configured columns are deliberate.
    { filename: 'by-id.sql', code: 'SELECT * FROM users WHERE id = $1;', options: [{ allowLookupsBy: ['id'] }] },
    { filename: 'by-id.sql', code: 'SELECT * FROM users u WHERE u.id = ANY($1);', options: [{ allowLookupsBy: ['id'] }] },
    {
      filename: 'by-ids.sql',
      code: 'SELECT u.* FROM users u JOIN unnest($1::int[]) WITH ORDINALITY t(uid, ord) ON u.id = t.uid ORDER BY t.ord;',
      options: [{ allowLookupsBy: ['id'] }],
    },
    {
      filename: 'by-ids.sql',
      code: 'SELECT u.* FROM (VALUES (1), (2)) v(uid) JOIN users u ON u.id = v.uid;',
      options: [{ allowLookupsBy: ['id'] }],
    },
    {
      filename: 'correlated.sql',
      code: 'SELECT o.id, (SELECT email FROM users WHERE id = o.user_id) FROM orders o;',
      options: [{ allowLookupsBy: ['id'] }],
    },
    { filename: 'queries.sql', code: 'SELECT id FROM users WHERE email = $1 AND deleted_at IS NULL;' },
    // Definitions belong to require-stream-table-filter: never reported twice.
    { filename: 'views.sql', code: 'CREATE VIEW emails AS SELECT email FROM users;' },
    { filename: 'st.sql', code: "SELECT pgtrickle.create_stream_table('c', $$ SELECT count(*) FROM users $$);" },
  ],
  invalid: [
    {
      filename: 'find.sql',
      code: 'SELECT id FROM users WHERE email = ${email} ORDER BY id;',
      errors: [
        {
          messageId: 'missing',
          column: 16,
          endColumn: 21,
          suggestions: [{ messageId: 'addFilter', output: 'SELECT id FROM users WHERE email = ${email} AND deleted_at IS NULL ORDER BY id;' }],
        },
      ],
    },
    {
      // a join between two relations is not a lookup
      filename: 'join.sql',
      code: 'SELECT o.id FROM orders o JOIN users u ON u.id = o.user_id;',
      options: [{ allowLookupsBy: ['id'] }],
      errors: [{ messageId: 'missing', suggestions: [{ messageId: 'addFilter', output: 'SELECT o.id FROM orders o JOIN users u ON u.id = o.user_id WHERE u.deleted_at IS NULL;' }] }],
    },
    {
      filename: 'by-email.sql',
      code: 'SELECT * FROM users WHERE email = $1;',
      options: [{ allowLookupsBy: ['id'] }],
      errors: [{ messageId: 'missing', suggestions: [{ messageId: 'addFilter', output: 'SELECT * FROM users WHERE email = $1 AND deleted_at IS NULL;' }] }],
    },
    {
      filename: 'queries.sql',
      code: 'SELECT * FROM orders WHERE user_id IN (\n    SELECT id FROM users WHERE email = $1  -- matches ALL users with this email!\n);',
      errors: [
        {
          messageId: 'missing',
          line: 2,
          column: 20,
          endColumn: 25,
          suggestions: [
            {
              messageId: 'addFilter',
              output: 'SELECT * FROM orders WHERE user_id IN (\n    SELECT id FROM users WHERE email = $1 AND deleted_at IS NULL  -- matches ALL users with this email!\n);',
            },
          ],
        },
      ],
    },
  ],
});
