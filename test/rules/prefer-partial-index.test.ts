import rule from '../../rules/prefer-partial-index.js';
import appendOnly from '../../rules/no-soft-delete-append-only.js';
import { sqlRuleTester } from '../helpers/rule-tester.js';

const filename = 'a.sql';

sqlRuleTester().run('prefer-partial-index', rule as never, {
  valid: [
    { filename, code: 'CREATE INDEX users_plan_live ON users (plan) WHERE deleted_at IS NULL;' },
    { filename, code: "CREATE INDEX users_plan_live ON users (plan) WHERE deleted_at IS NULL AND plan <> 'free';" },
    // On the soft-delete column itself: serves purges and trash views.
    { filename, code: 'CREATE INDEX users_deleted ON users (deleted_at);' },
    // On a foreign key: the key's checks see every row.
    { filename, code: 'CREATE INDEX users_org ON users (org_id);' },
    // Not a soft-delete table; unique indexes are require-partial-unique-index's.
    { filename, code: 'CREATE INDEX orders_total ON orders (total);' },
    { filename, code: 'CREATE UNIQUE INDEX users_email ON users (email);' },
  ],
  invalid: [
    {
      filename,
      code: 'CREATE INDEX users_plan ON users (plan);',
      errors: [
        {
          messageId: 'fullIndex',
          line: 1,
          column: 1,
          endColumn: 33,
          suggestions: [{ messageId: 'makePartial', output: 'CREATE INDEX users_plan ON users (plan) WHERE deleted_at IS NULL;' }],
        },
      ],
    },
    {
      filename,
      code: "CREATE INDEX CONCURRENTLY users_recent ON users USING btree (plan, email) WHERE plan <> 'free'",
      errors: [{ messageId: 'fullIndex', suggestions: [] }],
    },
  ],
});

sqlRuleTester().run('no-soft-delete-append-only', appendOnly as never, {
  valid: [
    { filename, code: 'CREATE TABLE page_views (id bigint, url text, at timestamptz);' },
    { filename, code: 'CREATE TABLE invoices (id bigint, deleted_at timestamptz);' },
    { filename, code: 'CREATE TABLE invoices_log (id bigint, deleted_at timestamptz);', options: [{ pattern: '^events$' }] },
  ],
  invalid: [
    { filename, code: 'CREATE TABLE page_views (id bigint, url text, deleted_at timestamptz);', errors: [{ messageId: 'appendOnly', line: 1, column: 14, endColumn: 24 }] },
    { filename, code: 'CREATE TABLE audit_log (id bigint, deleted_at timestamptz);', errors: [{ messageId: 'appendOnly' }] },
    { filename, code: 'CREATE TABLE app.events (id bigint, deleted_at timestamptz);', errors: [{ messageId: 'appendOnly', column: 14, endColumn: 24 }] },
  ],
});
