/**
 * require-forced-rls: a row-level-security policy that hides soft-deleted rows only works when RLS is enabled and
 * forced on the table (the owner bypasses it otherwise), and when its predicate is the right way round.
 */
import path from 'node:path';
import { createRule, locOf, onFile } from '../src/rule-support.js';
import { checkPolicies, type RlsVerdict } from '../src/analysis/rls.js';

export type Options = [];
export type MessageIds = 'notForced' | 'notEnabled' | 'inverted' | 'neverTrue';

const MESSAGE: Record<RlsVerdict, MessageIds> = {
  'not-forced': 'notForced',
  'not-enabled': 'notEnabled',
  inverted: 'inverted',
  'never-true': 'neverTrue',
};

export default createRule<Options, MessageIds>({
  name: 'require-forced-rls',
  meta: {
    type: 'problem',
    docs: {
      description: 'Require soft-delete RLS policies to be enforced (ENABLE and FORCE ROW LEVEL SECURITY) and the right way round',
      recommended: true,
      requiresSchema: true,
    },
    schema: [],
    messages: {
      notForced:
        'Policy `{{policy}}` hides soft-deleted rows of `{{table}}`, but the table has no `FORCE ROW LEVEL SECURITY`: its owner — usually the role the application connects as — bypasses the policy and sees deleted rows. Add `ALTER TABLE {{table}} FORCE ROW LEVEL SECURITY`.',
      notEnabled:
        'Policy `{{policy}}` hides soft-deleted rows of `{{table}}`, but row-level security is not enabled on the table, so the policy does nothing. Add `ALTER TABLE {{table}} ENABLE ROW LEVEL SECURITY` (and `FORCE ROW LEVEL SECURITY`).',
      inverted:
        'Policy `{{policy}}` on `{{table}}` lets through only soft-deleted rows: its predicate is the opposite of `{{filter}}`. If this is a trash policy for a specific role, say so in a disable comment.',
      neverTrue:
        'Policy `{{policy}}` on `{{table}}` compares the soft-delete column with `= NULL`, which is never true: the policy hides every row. Write `{{filter}}`.',
    },
  },
  defaultOptions: [],
  create(context) {
    return onFile(context, (analysis, report) => {
      const file = path.resolve(context.cwd, context.physicalFilename);
      for (const f of checkPolicies(analysis.statements, analysis.context, file, analysis.isSchemaFile)) {
        report({
          loc: locOf(context, f.source.fragment, f.start, f.end),
          messageId: MESSAGE[f.verdict],
          data: { policy: f.policy, table: f.table, filter: f.filter },
        });
      }
    });
  },
});
