/**
 * no-unchecked-query: database access the plugin recognised but could not check — SQL that did not parse, a
 * query-running call whose SQL is built at run time, a table named by an interpolated value, a read of a soft-delete
 * table whose filter hides behind an interpolated fragment. A clean run then means "checked and
 * clean" for every query it lists nothing for. Off in `recommended`, on in `strict`.
 */
import { createRule, locOf, onFile } from '../src/rule-support.js';
import { hiddenTables } from '../src/analysis/coverage.js';

export type MessageIds = 'parseError' | 'unknownFilter' | 'notAnalysed' | 'unreadableCall' | 'unseenBuilder' | 'unreadableApiCall' | 'unreadableApiWrite' | 'hiddenTable';

export default createRule<[], MessageIds>({
  name: 'no-unchecked-query',
  meta: {
    type: 'suggestion',
    docs: {
      description: 'Report database access the plugin recognised but could not check for soft-delete filters',
      recommended: false,
      requiresSchema: true,
    },
    schema: [],
    messages: {
      parseError:
        'This looks like SQL but does not parse, so it was not checked for soft-delete filters: {{message}}. Fix the SQL, or if it is built from pieces, keep each piece a complete statement or clause.',
      unknownFilter:
        'Cannot tell whether `{{table}}` is filtered for soft-deleted rows: part of its conditions is hidden from the plugin (an interpolated SQL fragment, query arguments kept in a variable, a callback or method it does not read). Spell out `{{filter}}` in this query (the rest can stay as it is).',
      notAnalysed: 'Not checked for soft-delete filters: {{message}}.',
      unreadableCall:
        '`{{callee}}` runs SQL, but not checked for soft-delete filters: {{reason}}. Pass the SQL as a string, template or constant this file (or a module it imports) spells out; a wrapper whose callers pass the SQL can disable this line, since those calls are checked.',
      unseenBuilder:
        'The query builder used by `{{callee}}` is not checked for soft-delete filters: {{reason}}. Build it in this file (a variable, a callback, or a function of this file that returns it), or disable this line if it is checked where it is built.',
      unreadableApiCall:
        '`{{callee}}` reads {{api}}, but not checked for soft-delete filters: {{reason}}. Write its parameters as an object literal (or a constant) in this file.',
      unreadableApiWrite:
        '`{{callee}}` writes {{api}}, but whether it deletes items of a soft-delete table is not checked: {{reason}}. Write its parameters as an object literal (or a constant) in this file.',
      hiddenTable:
        'The table read here is an interpolated value, so whether it is soft-deletable (and filtered) is not checked. Write the table name in the SQL, or a constant the plugin can read, or disable this line if every table it can be is checked elsewhere.',
    },
  },
  defaultOptions: [],
  create(context) {
    return onFile(context, (analysis, report) => {
      // Parse errors in schema files are the schema-status rule's to report (they make tables unknown).
      if (!analysis.isSchemaFile) {
        for (const { fragment, error } of analysis.parseErrors) {
          report({ loc: locOf(context, fragment, error.index, error.index + 1), messageId: 'parseError', data: { message: error.message } });
        }
      }
      for (const call of analysis.notUnderstood) {
        const loc = { start: context.sourceCode.getLocFromIndex(call.start), end: context.sourceCode.getLocFromIndex(call.end) };
        if (call.api) report({ loc, messageId: call.write ? 'unreadableApiWrite' : 'unreadableApiCall', data: { callee: call.callee, reason: call.reason, api: call.api } });
        else report({ loc, messageId: call.builder ? 'unseenBuilder' : 'unreadableCall', data: { callee: call.callee, reason: call.reason } });
      }
      if (analysis.isMigration) return;
      for (const statement of analysis.statements) {
        for (const query of statement.reads) {
          for (const { ref, scope } of hiddenTables(query)) {
            report({ loc: locOf(context, scope.source.fragment, ref.span.start, ref.span.end), messageId: 'hiddenTable', data: {} });
          }
        }
      }
      for (const statement of analysis.statements) for (const query of statement.reads) analysis.reads.checkQuery(query);
      for (const u of analysis.reads.unknown) {
        report({ loc: locOf(context, u.fragment, u.start, u.end), messageId: 'unknownFilter', data: { table: u.table, filter: u.filter } });
      }
    });
  },
});
