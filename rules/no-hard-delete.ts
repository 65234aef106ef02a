/**
 * no-hard-delete: a DELETE on a soft-delete table removes rows for good — history, foreign-key children and the
 * chance to restore go with them. Soft-delete instead; purges of rows already soft-deleted are fine.
 */
import { createRule, fixOf, locOf, onFile, sourceFixOf } from '../src/rule-support.js';
import { checkHardDeletes, softDeleteValue } from '../src/analysis/writes.js';

export type Options = [];
export type MessageIds = 'hardDelete' | 'apiHardDelete' | 'apiHardDeletePurge' | 'softDelete' | 'softDeleteInCode';

export default createRule<Options, MessageIds>({
  name: 'no-hard-delete',
  meta: {
    type: 'problem',
    docs: {
      description: 'Disallow DELETE on soft-delete tables (soft-delete instead; purges of already soft-deleted rows are allowed)',
      recommended: true,
      requiresSchema: true,
    },
    hasSuggestions: true,
    schema: [],
    messages: {
      hardDelete:
        '`DELETE` on `{{table}}` removes rows of a soft-delete table for good. Soft-delete them instead, or, to purge rows that are already soft-deleted, constrain the column (`{{column}} IS NOT NULL`, `{{column}} < now() - interval \'90 days\'`).',
      apiHardDelete:
        '{{operation}} on DynamoDB table `{{table}}` deletes the item instead of setting the soft-delete attribute (an item is soft-deleted when {{deletedWhen}}). Soft-delete it with an update that sets the attribute.',
      apiHardDeletePurge:
        '{{operation}} on DynamoDB table `{{table}}` deletes the item instead of setting the soft-delete attribute (an item is soft-deleted when {{deletedWhen}}). Soft-delete it with an update that sets the attribute, or, to purge items already soft-deleted, add `{{purge}}` to its {{clause}}.',
      softDelete: 'Soft-delete instead: `UPDATE … SET {{column}} = {{value}} WHERE … AND {{filter}}`.',
      softDeleteInCode: 'Soft-delete instead: `{{code}}`.',
    },
  },
  defaultOptions: [],
  create(context) {
    return onFile(context, (analysis, report) => {
      for (const f of checkHardDeletes(analysis.statements, analysis.context)) {
        const column = f.column ?? 'the soft-delete column';
        const value = f.column ? softDeleteValue(f.column) : 'now()';
        const data = { table: f.table, column, value, filter: f.filter };
        const api = f.fragment.api;
        if (api) {
          // a delete of an API that is not SQL (DynamoDB), named in its terms; no edit is unambiguous there
          const apiData = { operation: api.operation, table: api.table, deletedWhen: api.deletedWhen, purge: api.purge ?? '', clause: api.clause ?? 'ConditionExpression' };
          report({ loc: locOf(context, f.fragment, f.start, f.end), messageId: api.purge ? 'apiHardDeletePurge' : 'apiHardDelete', data: apiData });
          continue;
        }
        report({
          loc: locOf(context, f.fragment, f.start, f.end),
          messageId: 'hardDelete',
          data,
          suggest: f.fix
            ? [{ messageId: 'softDelete', data, fix: fixOf(context, f.fix) }]
            : f.codeFix
              ? [{ messageId: 'softDeleteInCode', data: { code: f.codeFix.code }, fix: sourceFixOf(f.codeFix.edits) }]
              : [],
        });
      }
    });
  },
});
