/**
 * require-soft-delete-filter: every read of a soft-delete table needs its own active-row filter
 * (`deleted_at IS NULL`), in every scope: one forgotten filter in a join is enough to show a deleted user's orders.
 */
import { createRule, fixOf, locOf, onFile, softDeleteSource, sourceFixOf } from '../src/rule-support.js';
import type { ReadFinding, ReportedVerdict } from '../src/analysis/reads.js';

export type Options = [{ reportParseErrors?: boolean; checkMigrations?: boolean; allowLookupsBy?: string[] }];
export type MessageIds =
  | ReportedVerdict
  | 'missingVia'
  | 'antiJoin'
  | 'antiJoinWhere'
  | 'missingDisplacing'
  | 'returning'
  | 'parseError'
  | 'notChecked'
  | 'addFilter'
  | 'addFilterToOn'
  | 'addFilterInCode'
  | 'filterBeforeJoin'
  | 'apiMissing'
  | 'apiCannotFilter'
  | 'apiMissingWhere';

const VERDICT_MESSAGE: Record<ReportedVerdict, MessageIds> = {
  missing: 'missing',
  'or-defeated': 'or-defeated',
  'never-true': 'never-true',
  'outer-where': 'outer-where',
  'full-join': 'full-join',
};

/** What `= NULL` does where it sits (it is never true, but the consequence depends on the place). */
const NEVER_EFFECT: Record<NonNullable<ReadFinding['neverIn']>, string> = {
  conjunct: ': this condition matches no row at all',
  or: ': that branch of the OR matches no row, so the other branches decide alone and soft-deleted rows pass wherever they match',
  'outer-on': ": this outer join's ON never matches, so every row of the other side comes back with NULLs for it",
};

export default createRule<Options, MessageIds>({
  name: 'require-soft-delete-filter',
  meta: {
    type: 'problem',
    docs: {
      description: 'Require every read of a soft-delete table to filter out deleted rows (`deleted_at IS NULL`)',
      recommended: true,
      requiresSchema: true,
    },
    hasSuggestions: true,
    schema: [
      {
        type: 'object',
        properties: {
          reportParseErrors: {
            type: 'boolean',
            description: 'Report SQL that the PostgreSQL parser rejects (off: such SQL is skipped silently).',
          },
          checkMigrations: {
            type: 'boolean',
            description: 'Also check reads inside migrations (schema files holding DDL); off: backfills there are left alone.',
          },
          allowLookupsBy: {
            type: 'array',
            items: { type: 'string' },
            uniqueItems: true,
            description: 'Columns (e.g. "id") whose equality with a value makes a read a deliberate lookup, not a leak.',
          },
        },
        additionalProperties: false,
      },
    ],
    messages: {
      missing: '`{{table}}`{{alias}} is read without `{{filter}}`: soft-deleted rows leak into this result.',
      missingDisplacing:
        '`{{table}}`{{alias}} is read without `{{filter}}` before a LIMIT, DISTINCT ON or window function: filtering the result afterwards cannot bring back the live rows that soft-deleted ones displaced. Filter here.',
      returning:
        'RETURNING hands the rows this statement touches in `{{table}}`{{alias}} back to the application, soft-deleted ones included: its WHERE lacks `{{filter}}`.',
      missingVia:
        '`{{table}}`{{alias}} is read without `{{filter}}`, and its rows reach the result through `{{via}}` unfiltered: soft-deleted rows leak.',
      antiJoin:
        '`{{table}}`{{alias}} is the side of an anti-join that must have no match (WHERE keeps the rows without one), and its ON lacks `{{filter}}`: a soft-deleted row still counts as a match, so rows whose only match was deleted are left out. Put `{{filter}}` in the join\'s ON, not in WHERE.',
      antiJoinWhere:
        '`{{table}}`{{alias}} is the side of an anti-join that must have no match (WHERE keeps the rows without one): `{{filter}}` in WHERE changes nothing there, and a soft-deleted row still counts as a match. Move `{{filter}}` into the join\'s ON.',
      'or-defeated':
        'The filter `{{filter}}` on `{{table}}`{{alias}} sits inside an OR whose other branch lets soft-deleted rows through. Put it outside the OR: `(… OR …) AND {{filter}}`.',
      'outer-where':
        "`{{table}}`{{alias}} is on the nullable side of an outer join, but its soft-delete column is tested in WHERE: rows whose match was soft-deleted are dropped instead of kept with NULLs (for them the outer join acts as an inner join). Put `{{filter}}` in the join's ON.",
      'full-join':
        '`{{table}}`{{alias}} is on one side of a FULL JOIN: a filter in its ON filters nothing (unmatched rows still come back), and a filter in WHERE also drops the other side\'s rows whose only match was soft-deleted. Filter it before the join: `(SELECT * FROM {{table}} WHERE …)`.',
      'never-true':
        '`= NULL` on the soft-delete column of `{{table}}`{{alias}} is never true (NULL is not equal to anything){{effect}}. Write `{{filter}}`.',
      apiMissing:
        '{{operation}} on DynamoDB table `{{table}}` returns soft-deleted items ({{deletedWhen}}): add `{{filter}}` to its FilterExpression. TTL deletes expired items only eventually (up to 48 hours later), and reads return them until then.',
      apiMissingWhere:
        '{{operation}} on DynamoDB table `{{table}}` returns soft-deleted items ({{deletedWhen}}): add `{{filter}}` to the WHERE of its statement. TTL deletes expired items only eventually (up to 48 hours later), and reads return them until then.',
      apiCannotFilter:
        '{{operation}} on DynamoDB table `{{table}}` cannot filter, so it returns soft-deleted items too ({{deletedWhen}}; TTL deletes expired items only up to 48 hours later). Check the item before using it, or read it with a Query whose FilterExpression has `{{filter}}`.',
      parseError: 'This SQL could not be parsed, so it was not checked for soft-delete filters: {{message}}',
      notChecked: 'Not checked for soft-delete filters: {{message}}.',
      addFilter: 'Add `{{filter}}`.',
      addFilterToOn: "Add `{{filter}}` to the join's ON.",
      addFilterInCode: 'Add `{{code}}` to the query.',
      filterBeforeJoin: 'Replace it with a subquery filtered by `{{filter}}`.',
    },
  },
  defaultOptions: [{ reportParseErrors: false, checkMigrations: false, allowLookupsBy: [] }],
  create(context, [options]) {
    const lookupColumns = new Set(options.allowLookupsBy ?? []);
    return onFile(context, (analysis, report) => {
      const skipReads = !options.checkMigrations && analysis.isMigration;
      for (const statement of skipReads ? [] : analysis.statements) {
        const findings = [...statement.reads.flatMap((q) => analysis.reads.checkQuery(q)), ...statement.writes.flatMap((w) => analysis.reads.checkReturning(w))];
        for (const f of findings) {
          if (f.verdict === 'missing' && f.pinnedColumns.some((c) => lookupColumns.has(c))) continue;
          const useVia = f.verdict === 'missing' && f.via !== null;
          const antiJoin = f.antiJoin && (f.verdict === 'missing' || f.verdict === 'outer-where');
          // a read of an API that is not SQL (DynamoDB) is named in that API's terms
          const api = f.fragment.api;
          const messageId = api && f.verdict === 'missing' ? (api.canFilter ? (api.clause === 'WHERE' ? 'apiMissingWhere' : 'apiMissing') : 'apiCannotFilter') : antiJoin
            ? f.verdict === 'missing' ? 'antiJoin' : 'antiJoinWhere'
            : f.verdict === 'missing' && f.returning ? 'returning' : f.verdict === 'missing' && f.displacing ? 'missingDisplacing' : useVia ? 'missingVia' : VERDICT_MESSAGE[f.verdict];
          const suggestion = f.verdict === 'outer-where' || antiJoin ? 'addFilterToOn' : f.verdict === 'full-join' ? 'filterBeforeJoin' : 'addFilter';
          const data = {
            table: api?.table ?? f.table,
            alias: f.alias ? ` (as \`${f.alias}\`)` : '',
            filter: api?.filter ?? f.filter,
            via: f.via ?? '',
            effect: NEVER_EFFECT[f.neverIn ?? 'conjunct'],
            ...(api ? { operation: api.operation, deletedWhen: api.deletedWhen } : {}),
          };
          report({
            loc: locOf(context, f.fragment, f.start, f.end),
            messageId,
            data,
            related: softDeleteSource(analysis, f.relation),
            suggest: f.fix
              ? [{ messageId: suggestion, data, fix: fixOf(context, f.fix) }]
              : f.codeFix
                ? [{ messageId: 'addFilterInCode', data: { code: f.codeFix.code }, fix: sourceFixOf(f.codeFix.edits) }]
                : [],
          });
        }
      }
      for (const { fragment, index, message } of analysis.unchecked) {
        report({ loc: locOf(context, fragment, index, index + 1), messageId: 'notChecked', data: { message } });
      }
      if (options.reportParseErrors) {
        for (const { fragment, error } of analysis.parseErrors) {
          report({
            loc: locOf(context, fragment, error.index, error.index + 1),
            messageId: 'parseError',
            data: { message: error.message },
          });
        }
      }
    });
  },
});
