/**
 * require-stream-table-filter: the defining query of a stream table (pg_trickle), an IMMV (pg_ivm), a
 * materialized view, a continuous aggregate or a view must filter soft-deleted rows: an incrementally maintained
 * result that counts deleted rows (ghost rows in aggregates) only ever grows.
 */
import path from 'node:path';
import { createRule, fixOf, locOf, onFile } from '../src/rule-support.js';
import type { DefinitionKind } from '../src/sql/lower.js';
import { exposesColumns, type ReportedVerdict } from '../src/analysis/reads.js';
import { currentDefinitions, finalRelation } from '../src/analysis/history.js';

export type Options = [{ views?: boolean; materializedViews?: boolean }];
export type MessageIds = 'ghostRows' | 'viewLeak' | 'displacing' | 'orDefeated' | 'outerWhere' | 'fullJoin' | 'neverTrue' | 'unparsable' | 'addFilter' | 'filterBeforeJoin';

const KIND_LABEL: Record<DefinitionKind, string> = {
  'stream-table': 'Stream table',
  immv: 'Incrementally maintained view',
  'materialized-view': 'Materialized view',
  'continuous-aggregate': 'Continuous aggregate',
  view: 'View',
};

const VERDICT_MESSAGE: Record<Exclude<ReportedVerdict, 'missing'>, MessageIds> = {
  'or-defeated': 'orDefeated',
  'outer-where': 'outerWhere',
  'never-true': 'neverTrue',
  'full-join': 'fullJoin',
};

export default createRule<Options, MessageIds>({
  name: 'require-stream-table-filter',
  meta: {
    type: 'problem',
    docs: {
      description:
        'Require stream tables, IMMVs, materialized views and views over soft-delete tables to filter out deleted rows',
      recommended: true,
      requiresSchema: true,
    },
    hasSuggestions: true,
    schema: [
      {
        type: 'object',
        properties: {
          views: { type: 'boolean', description: 'Check plain `CREATE VIEW` definitions too (default true).' },
          materializedViews: {
            type: 'boolean',
            description: 'Check `CREATE MATERIALIZED VIEW` and continuous aggregates (default true).',
          },
        },
        additionalProperties: false,
      },
    ],
    messages: {
      ghostRows:
        '{{what}} `{{name}}` reads `{{table}}`{{alias}} without `{{filter}}`: soft-deleted rows stay in its result as ghost rows (counts and sums never go down when rows are deleted).',
      viewLeak:
        'View `{{name}}` reads `{{table}}`{{alias}} without `{{filter}}` and does not expose the soft-delete column, so no reader can filter: every query on `{{name}}` sees soft-deleted rows.',
      displacing:
        '{{what}} `{{name}}` reads `{{table}}`{{alias}} without `{{filter}}` before a LIMIT, DISTINCT ON or window function: soft-deleted rows displace live ones, and no filter outside can bring those back. Filter here.',
      orDefeated:
        '{{what}} `{{name}}`: the filter `{{filter}}` on `{{table}}`{{alias}} sits inside an OR whose other branch lets soft-deleted rows through, so they become ghost rows. Put it outside the OR.',
      outerWhere:
        "{{what}} `{{name}}`: `{{table}}`{{alias}} is on the nullable side of an outer join but `{{filter}}` is in WHERE, which drops the rows whose match was soft-deleted instead of keeping them with NULLs. Put the filter in the join's ON.",
      fullJoin:
        "{{what}} `{{name}}`: `{{table}}`{{alias}} is on one side of a FULL JOIN, where a filter in ON filters nothing and a filter in WHERE also drops the other side's rows whose only match was soft-deleted. Filter it before the join: `(SELECT * FROM {{table}} WHERE …)`.",
      neverTrue: '{{what}} `{{name}}`: `= NULL` on the soft-delete column of `{{table}}`{{alias}} is never true. Write `{{filter}}`.',
      unparsable: '{{what}} `{{name}}`: its defining query could not be parsed, so it was not checked: {{message}}',
      addFilter: 'Add `{{filter}}` to the defining query.',
      filterBeforeJoin: 'Replace it with a subquery filtered by `{{filter}}`.',
    },
  },
  defaultOptions: [{ views: true, materializedViews: true }],
  create(context, [options]) {
    const enabled = (kind: DefinitionKind): boolean =>
      kind === 'view' ? options.views !== false : kind === 'materialized-view' || kind === 'continuous-aggregate' ? options.materializedViews !== false : true;
    return onFile(context, (analysis, report) => {
      const { schema, settings } = analysis.context;
      const definitions = analysis.statements.flatMap((s) => s.definitions);
      const current = currentDefinitions(definitions, {
        schema,
        searchPath: settings.searchPath,
        file: path.resolve(context.cwd, context.physicalFilename),
        isSchemaFile: analysis.isSchemaFile,
      });
      for (const definition of definitions) {
        // In a migration the end of history decides: a definition a later statement drops, replaces or alters is history.
        if (!enabled(definition.kind) || !current.has(definition)) continue;
        const what = KIND_LABEL[definition.kind];
        if (definition.error) {
          const { fragment, index: at, message } = definition.error;
          report({
            loc: locOf(context, fragment, at, at + 1),
            messageId: 'unparsable',
            data: { what, name: definition.name, message },
          });
          continue;
        }
        if (!definition.query) continue;
        // A plain view may pass the soft-delete column through: then its readers carry the obligation — unless
        // the column is not really in the view (added to the table after `SELECT *` was expanded). No suggestion
        // then: at that point in history the column may not exist yet; a follow-up migration must recreate the view.
        const isView = definition.kind === 'view';
        const { findings, inherited } = analysis.reads.checkDefinition(definition.query, isView);
        const relation = isView ? finalRelation(schema, definition.name, settings.searchPath) : undefined;
        const hidden = relation
          ? inherited.filter((i) => !exposesColumns(relation, i.requirement)).map((i) => ({ ...i.finding, fix: null }))
          : [];
        for (const f of [...findings, ...hidden]) {
          const data = { what, name: definition.name, table: f.table, alias: f.alias ? ` (as \`${f.alias}\`)` : '', filter: f.filter };
          const messageId =
            f.verdict !== 'missing' ? VERDICT_MESSAGE[f.verdict] : f.displacing ? 'displacing' : isView ? 'viewLeak' : 'ghostRows';
          report({
            loc: locOf(context, f.fragment, f.start, f.end),
            messageId,
            data,
            suggest: f.fix ? [{ messageId: f.verdict === 'full-join' ? 'filterBeforeJoin' : 'addFilter', data, fix: fixOf(context, f.fix) }] : [],
          });
        }
      }
    });
  },
});
