import rule from '../../rules/require-forced-rls.js';
import { sqlRuleTester } from '../helpers/rule-tester.js';

const TABLE = 'CREATE TABLE docs (id int PRIMARY KEY, owner text, deleted_at timestamptz);\n';
const ENABLE = 'ALTER TABLE docs ENABLE ROW LEVEL SECURITY;\n';
const FORCE = 'ALTER TABLE docs FORCE ROW LEVEL SECURITY;\n';
const policy = (using: string, extra = '') => `CREATE POLICY docs_live ON docs ${extra}USING (${using});`;
const filename = 'a.sql';

sqlRuleTester().run('require-forced-rls', rule as never, {
  valid: [
    { filename, code: TABLE + ENABLE + FORCE + policy('deleted_at IS NULL') },
    // FORCE may come later in the same history (here: the same file, after the policy).
    { filename, code: TABLE + ENABLE + policy('deleted_at IS NULL AND owner = current_user') + '\n' + FORCE },
    // A policy that does not filter soft-deleted rows is not this rule's business.
    { filename, code: TABLE + ENABLE + policy('owner = current_user') },
    // Restrictive / write-only policies are not trash views.
    { filename, code: TABLE + ENABLE + FORCE + policy('deleted_at IS NOT NULL', 'FOR DELETE ') },
    // Not a soft-delete table.
    { filename, code: 'CREATE TABLE notes (id int, body text);\nALTER TABLE notes ENABLE ROW LEVEL SECURITY;\nCREATE POLICY p ON notes USING (true);' },
  ],
  invalid: [
    {
      filename,
      code: TABLE + ENABLE + policy('deleted_at IS NULL'),
      errors: [{ messageId: 'notForced', line: 3, column: 15, endColumn: 24, data: { policy: 'docs_live', table: 'docs', filter: 'deleted_at IS NULL' } }],
    },
    { filename, code: TABLE + policy('deleted_at IS NULL'), errors: [{ messageId: 'notEnabled', line: 2 }] },
    { filename, code: TABLE + ENABLE + FORCE + policy('deleted_at IS NOT NULL'), errors: [{ messageId: 'inverted' }] },
    { filename, code: TABLE + ENABLE + FORCE + policy('deleted_at = NULL'), errors: [{ messageId: 'neverTrue' }] },
    // FORCE then NO FORCE: the end of history decides.
    { filename, code: TABLE + ENABLE + FORCE + policy('deleted_at IS NULL') + '\nALTER TABLE docs NO FORCE ROW LEVEL SECURITY;', errors: [{ messageId: 'notForced' }] },
  ],
});
