import { describe, expect, it } from 'vitest';
import plugin from '../../src/index.js';
import rule from '../../rules/no-tombstone-update.js';
import { sqlRuleTester, tsRuleTester } from '../helpers/rule-tester.js';

const filename = 'writes.sql';
const add = (output: string) => [{ messageId: 'addFilter', output }];

sqlRuleTester().run('no-tombstone-update (.sql)', rule as never, {
  valid: [
    { filename, code: 'UPDATE users SET email = $1 WHERE id = $2 AND deleted_at IS NULL;' },
    // Soft delete and restore set the column themselves.
    { filename, code: 'UPDATE users SET deleted_at = now() WHERE id = $1;' },
    { filename, code: 'UPDATE users SET deleted_at = NULL WHERE id = $1;' },
    // Deliberately on tombstones: anonymising deleted accounts.
    { filename, code: "UPDATE users SET email = 'erased-' || id WHERE deleted_at < now() - interval '30 days';" },
    // Not a soft-delete table.
    { filename, code: 'UPDATE orders SET total = 0 WHERE id = 1;' },
    { filename, code: 'UPDATE users SET email = $1 WHERE id = $2;', options: [{ allowLookupsBy: ['id'] }] },
    { filename, code: 'UPDATE users SET plan = $1 WHERE CURRENT OF c;' },
  ],
  invalid: [
    {
      filename,
      code: 'UPDATE users SET email = $1 WHERE id = $2;',
      errors: [{ messageId: 'tombstoneUpdate', line: 1, column: 8, endColumn: 13, suggestions: add('UPDATE users SET email = $1 WHERE id = $2 AND deleted_at IS NULL;') }],
    },
    {
      filename,
      code: "UPDATE users SET plan = 'free'",
      errors: [{ messageId: 'tombstoneUpdate', suggestions: add("UPDATE users SET plan = 'free' WHERE deleted_at IS NULL") }],
    },
    {
      filename,
      code: "UPDATE users u SET plan = 'x' FROM organizations o WHERE u.org_id = o.id AND o.deleted_at IS NULL;",
      errors: [
        {
          messageId: 'tombstoneUpdate',
          suggestions: add("UPDATE users u SET plan = 'x' FROM organizations o WHERE u.org_id = o.id AND o.deleted_at IS NULL AND u.deleted_at IS NULL;"),
        },
      ],
    },
    {
      filename,
      code: 'UPDATE users SET plan = $1 WHERE id = $2 OR email = $3 RETURNING id;',
      errors: [{ messageId: 'tombstoneUpdate', suggestions: add('UPDATE users SET plan = $1 WHERE (id = $2 OR email = $3) AND deleted_at IS NULL RETURNING id;') }],
    },
  ],
});

tsRuleTester().run('no-tombstone-update (SQL in TypeScript)', rule as never, {
  valid: [],
  invalid: [
    {
      code: 'await sql`UPDATE users SET email = ${email} WHERE id = ${id}`;',
      errors: [{ messageId: 'tombstoneUpdate', suggestions: add('await sql`UPDATE users SET email = ${email} WHERE id = ${id} AND deleted_at IS NULL`;') }],
    },
  ],
});

describe('configs', () => {
  it('no-tombstone-update is in configs.strict only; no-hard-delete in both', () => {
    const rulesOf = (configs: Array<{ rules?: Record<string, unknown> }>) => Object.keys(configs[0]!.rules ?? {});
    expect(rulesOf(plugin.configs.recommended)).toContain('soft-delete/no-hard-delete');
    expect(rulesOf(plugin.configs.recommended)).not.toContain('soft-delete/no-tombstone-update');
    expect(rulesOf(plugin.configs.strict)).toEqual(expect.arrayContaining(['soft-delete/no-hard-delete', 'soft-delete/no-tombstone-update']));
    expect(plugin.configs.strict.map((c) => c.files)).toEqual(plugin.configs.recommended.map((c) => c.files));
  });
});
