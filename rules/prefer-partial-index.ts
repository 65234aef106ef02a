/**
 * prefer-partial-index: an index over every row of a soft-delete table, when reads filter live rows, indexes the
 * deleted rows for nothing. `WHERE deleted_at IS NULL` makes it smaller and keeps it in cache.
 */
import path from 'node:path';
import { createRule, fixOf, locOf, onFile } from '../src/rule-support.js';
import { checkPartialIndexes } from '../src/analysis/indexes.js';

export type Options = [];
export type MessageIds = 'fullIndex' | 'makePartial';

export default createRule<Options, MessageIds>({
  name: 'prefer-partial-index',
  meta: {
    type: 'suggestion',
    docs: {
      description: 'Prefer partial indexes (`WHERE deleted_at IS NULL`) on soft-delete tables',
      recommended: false,
      requiresSchema: true,
    },
    hasSuggestions: true,
    schema: [],
    messages: {
      fullIndex:
        'This index on soft-delete table `{{table}}` covers deleted rows too. If reads filter `{{filter}}`, a partial index (`WHERE {{filter}}`) is smaller and serves them as well.',
      makePartial: 'Make it partial: `WHERE {{filter}}`.',
    },
  },
  defaultOptions: [],
  create(context) {
    return onFile(context, (analysis, report) => {
      const file = path.resolve(context.cwd, context.physicalFilename);
      for (const f of checkPartialIndexes(analysis.statements, analysis.context, file, analysis.isSchemaFile)) {
        const data = { table: f.table, filter: f.filter };
        report({
          loc: locOf(context, f.source.fragment, f.start, f.end),
          messageId: 'fullIndex',
          data,
          suggest: f.fix ? [{ messageId: 'makePartial', data, fix: fixOf(context, f.fix) }] : [],
        });
      }
    });
  },
});
