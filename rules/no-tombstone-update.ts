/**
 * no-tombstone-update: an UPDATE of a soft-delete table whose WHERE does not keep to live rows also modifies
 * soft-deleted ones — a deleted account's email changed, a deleted order re-opened.
 */
import { createRule, fixOf, locOf, onFile, sourceFixOf } from '../src/rule-support.js';
import { checkTombstoneUpdates } from '../src/analysis/writes.js';

export type Options = [{ allowLookupsBy?: string[] }];
export type MessageIds = 'tombstoneUpdate' | 'tombstoneUpdateUnseenValues' | 'addFilter' | 'addFilterInCode';

export default createRule<Options, MessageIds>({
  name: 'no-tombstone-update',
  meta: {
    type: 'suggestion',
    docs: {
      description: 'Require UPDATEs of soft-delete tables to keep to live rows (`AND deleted_at IS NULL`)',
      recommended: false,
      requiresSchema: true,
    },
    hasSuggestions: true,
    schema: [
      {
        type: 'object',
        properties: {
          allowLookupsBy: {
            type: 'array',
            items: { type: 'string' },
            uniqueItems: true,
            description: 'Columns (e.g. "id") whose equality with a value makes an UPDATE a deliberate write to that one row.',
          },
        },
        additionalProperties: false,
      },
    ],
    messages: {
      tombstoneUpdate:
        'This UPDATE of `{{table}}` does not keep to live rows: without `{{filter}}` it also modifies soft-deleted rows.',
      tombstoneUpdateUnseenValues:
        'This UPDATE of `{{table}}` does not keep to live rows: without `{{filter}}` it also modifies soft-deleted rows. (Its values are not written out here; if they are meant to restore deleted rows, disable this report for the line.)',
      addFilter: 'Add `{{filter}}`.',
      addFilterInCode: 'Add `{{code}}` to the update.',
    },
  },
  defaultOptions: [{ allowLookupsBy: [] }],
  create(context, [options]) {
    const lookups = new Set(options.allowLookupsBy ?? []);
    return onFile(context, (analysis, report) => {
      for (const f of checkTombstoneUpdates(analysis.statements, analysis.context, (w) => analysis.reads.checkReturning(w))) {
        if (lookups.size && f.pinnedColumns.some((c) => lookups.has(c))) continue;
        const data = { table: f.table, filter: f.filter };
        report({
          loc: locOf(context, f.fragment, f.start, f.end),
          messageId: f.unseenValues ? 'tombstoneUpdateUnseenValues' : 'tombstoneUpdate',
          data,
          suggest: f.fix
            ? [{ messageId: 'addFilter', data, fix: fixOf(context, f.fix) }]
            : f.codeFix
              ? [{ messageId: 'addFilterInCode', data: { code: f.codeFix.code }, fix: sourceFixOf(f.codeFix.edits) }]
              : [],
        });
      }
    });
  },
});
