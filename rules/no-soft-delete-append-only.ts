/**
 * no-soft-delete-append-only: soft delete on an event or log table (informational). Rows of such tables are
 * written once and expire by age; a `deleted_at` column there is NULL in essentially every row.
 */
import path from 'node:path';
import { createRule, locOf, onFile } from '../src/rule-support.js';
import { APPEND_ONLY_NAMES, checkAppendOnly } from '../src/analysis/indexes.js';

export type Options = [{ pattern?: string }];
export type MessageIds = 'appendOnly';

export default createRule<Options, MessageIds>({
  name: 'no-soft-delete-append-only',
  meta: {
    type: 'suggestion',
    docs: {
      description: 'Flag soft delete on append-only tables (events, logs, audit trails)',
      recommended: false,
      requiresSchema: true,
    },
    schema: [
      {
        type: 'object',
        properties: {
          pattern: { type: 'string', description: 'Regular expression for append-only table names (replaces the default).' },
        },
        additionalProperties: false,
      },
    ],
    messages: {
      appendOnly:
        '`{{table}}` looks like an append-only table (events, logs) but has soft-delete column `{{column}}`: it will be NULL in almost every row, adding size and vacuum work. Expire such rows by age (hard delete in batches, or drop old partitions) instead.',
    },
  },
  defaultOptions: [{}],
  create(context, [options]) {
    let pattern: RegExp;
    try {
      pattern = new RegExp(options.pattern ?? APPEND_ONLY_NAMES, 'i');
    } catch {
      pattern = new RegExp(APPEND_ONLY_NAMES, 'i');
    }
    return onFile(context, (analysis, report) => {
      const file = path.resolve(context.cwd, context.physicalFilename);
      for (const f of checkAppendOnly(analysis.statements, analysis.context, file, analysis.isSchemaFile, pattern)) {
        report({ loc: locOf(context, f.source.fragment, f.start, f.end), messageId: 'appendOnly', data: { table: f.table, column: f.column } });
      }
    });
  },
});
