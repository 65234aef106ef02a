/**
 * A LEFT JOIN that WHERE turns into an anti-join (`WHERE u.id IS NULL`: the rows without a match) needs the
 * soft-delete filter in ON: a soft-deleted match still counts as a match there, and in WHERE the filter changes
 * nothing. Shown on PostgreSQL, then the rule's message and suggestion.
 */
import type { PGlite } from '@electric-sql/pglite';
import { describe, expect, it } from 'vitest';
import rule from '../rules/require-soft-delete-filter.js';
import { PGLITE_TIMEOUT, usePGlite } from './helpers/pglite.js';
import { sqlRuleTester } from './helpers/rule-tester.js';

describe('anti-joins on PostgreSQL', () => {
  let db: PGlite;
  usePGlite(async (instance) => {
    db = instance;
    await db.exec(`
      CREATE TABLE users (id integer PRIMARY KEY, deleted_at timestamptz);
      CREATE TABLE orders (id integer PRIMARY KEY, user_id integer);
      INSERT INTO users VALUES (1, NULL), (2, now());
      INSERT INTO orders VALUES (10, 1), (20, 2), (30, 3); -- order 20's user was deleted, order 30's never existed
    `);
  });
  const orphans = async (sql: string) => (await db.query<{ id: number }>(sql)).rows.map((r) => r.id).sort();

  it('"orders without a live user": only the filter in ON finds the order of a deleted user', async () => {
    const base = 'SELECT o.id FROM orders o LEFT JOIN users u ON u.id = o.user_id';
    expect(await orphans(`${base} WHERE u.id IS NULL`)).toEqual([30]); // the deleted user still matches
    expect(await orphans(`${base} WHERE u.id IS NULL AND u.deleted_at IS NULL`)).toEqual([30]); // changes nothing
    expect(await orphans(`${base} AND u.deleted_at IS NULL WHERE u.id IS NULL`)).toEqual([20, 30]);
  }, PGLITE_TIMEOUT);
});

const settings = { 'soft-delete': { schema: ['test/fixtures/seed/migrations/*.sql'] } };

sqlRuleTester(settings).run('require-soft-delete-filter: anti-joins', rule as never, {
  valid: [
    'SELECT o.id FROM orders o LEFT JOIN users u ON u.id = o.user_id AND u.deleted_at IS NULL WHERE u.id IS NULL;',
  ],
  invalid: [
    {
      code: 'SELECT o.id FROM orders o LEFT JOIN users u ON u.id = o.user_id WHERE u.id IS NULL;',
      errors: [
        {
          messageId: 'antiJoin',
          data: { table: 'users', alias: ' (as `u`)', filter: 'u.deleted_at IS NULL' },
          column: 37,
          suggestions: [
            {
              messageId: 'addFilterToOn',
              output: 'SELECT o.id FROM orders o LEFT JOIN users u ON u.id = o.user_id AND u.deleted_at IS NULL WHERE u.id IS NULL;',
            },
          ],
        },
      ],
    },
    {
      // the anti-join tests the join column; the filter sits in WHERE, where it changes nothing
      code: 'SELECT o.id FROM orders o LEFT JOIN users u ON u.id = o.user_id WHERE u.id IS NULL AND u.deleted_at IS NULL;',
      errors: [
        {
          messageId: 'antiJoinWhere',
          data: { table: 'users', alias: ' (as `u`)', filter: 'u.deleted_at IS NULL' },
          suggestions: [
            {
              messageId: 'addFilterToOn',
              output: 'SELECT o.id FROM orders o LEFT JOIN users u ON u.id = o.user_id AND u.deleted_at IS NULL WHERE u.id IS NULL;',
            },
          ],
        },
      ],
    },
    {
      // not an anti-join (a NULL test on a column a match may leave NULL): the usual message
      code: 'SELECT o.id FROM orders o LEFT JOIN users u ON u.id = o.user_id WHERE u.org_id IS NULL;',
      errors: [
        {
          messageId: 'missing',
          suggestions: [{ messageId: 'addFilter', output: 'SELECT o.id FROM orders o LEFT JOIN users u ON u.id = o.user_id AND u.deleted_at IS NULL WHERE u.org_id IS NULL;' }],
        },
      ],
    },
  ],
});
