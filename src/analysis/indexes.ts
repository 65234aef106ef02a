/**
 * Index checks on soft-delete tables. prefer-partial-index: a plain index over every row of a soft-delete table,
 * when the application reads live rows only, carries the deleted rows as dead weight. Append-only tables: soft
 * delete on an event or log table is a column that is NULL in every row.
 */
import type { RelationInfo } from '../schema/model.js';
import type { SqlSource } from '../sql/source.js';
import type { StatementModel } from '../sql/lower.js';
import { predicateOfText } from '../sql/ddl.js';
import { historyModel, writtenAt } from './history.js';
import type { AnalysisContext, FragmentEdit } from './reads.js';
import { implies } from './requirement.js';
import { softDeleteRequirement } from './writes.js';

export interface IndexFinding {
  source: SqlSource;
  start: number;
  end: number;
  table: string;
  filter: string;
  fix: FragmentEdit[] | null;
}

const anyRow = () => true;

/** Non-unique indexes of soft-delete tables without the active-row predicate (FK and soft-delete-column keys excepted). */
export function checkPartialIndexes(statements: readonly StatementModel[], context: AnalysisContext, file: string, isSchemaFile: boolean): IndexFinding[] {
  const written = statements.flatMap((s) => s.ddl.flatMap((e) => (e.type === 'create-index' && !e.unique ? [{ event: e, source: s.source }] : [])));
  if (written.length === 0) return [];
  const model = historyModel(statements, { schema: context.schema, searchPath: context.settings.searchPath, file, isSchemaFile });
  const findings: IndexFinding[] = [];
  for (const relation of model.relations.values()) {
    const soft = softDeleteRequirement(context, relation);
    if (!soft) continue;
    for (const index of relation.indexes ?? []) {
      const hit = written.find((w) => w.event.at !== undefined && writtenAt(index.origin, file, w.source.fragment, w.event.at));
      if (!hit?.event.span) continue;
      const { requirement } = soft;
      // An index on the soft-delete column itself serves purges and trash views.
      if (index.columns.some((c) => requirement.columns.includes(c))) continue;
      // An index on a foreign key serves the key's checks, which see every row, deleted or not.
      if (isForeignKeyIndex(relation, index.columns)) continue;
      const where = index.where === null ? null : predicateOfText(index.where);
      if (where && implies(where, requirement.predicate, anyRow)) continue;
      const fragment = hit.source.fragment;
      const fix =
        index.where === null && hit.event.end !== undefined && fragment.fixable !== false
          ? [{ fragment, start: hit.event.end, end: hit.event.end, text: ` WHERE ${requirement.text}` }]
          : null;
      findings.push({ source: hit.source, start: hit.event.span.start, end: hit.event.span.end, table: relation.name, filter: requirement.text, fix });
    }
  }
  return findings;
}

function isForeignKeyIndex(relation: RelationInfo, columns: string[]): boolean {
  return (relation.foreignKeys ?? []).some((fk) => fk.columns.length > 0 && fk.columns.every((c, i) => columns[i] === c));
}

export interface AppendOnlyFinding {
  source: SqlSource;
  start: number;
  end: number;
  table: string;
  column: string;
}

/** Tables named like event or log tables: `events`, `page_views`, `audit_log`, `login_history`, `metrics`. */
export const APPEND_ONLY_NAMES =
  '(^|_)(events?|logs?|audit|audits|audit_trail|history|histories|activities|activity_log|metrics|measurements|clicks|page_?views|telemetry|outbox)$';

export function checkAppendOnly(
  statements: readonly StatementModel[],
  context: AnalysisContext,
  file: string,
  isSchemaFile: boolean,
  pattern: RegExp,
): AppendOnlyFinding[] {
  const written = statements.flatMap((s) => s.ddl.flatMap((e) => (e.type === 'create-table' ? [{ event: e, source: s.source }] : [])));
  if (written.length === 0) return [];
  const model = historyModel(statements, { schema: context.schema, searchPath: context.settings.searchPath, file, isSchemaFile });
  const findings: AppendOnlyFinding[] = [];
  for (const relation of model.relations.values()) {
    if (!pattern.test(relation.name)) continue;
    const soft = softDeleteRequirement(context, relation);
    if (!soft?.column) continue;
    const hit = written.find((w) => w.event.at !== undefined && writtenAt(relation.origin, file, w.source.fragment, w.event.at));
    if (!hit?.event.nameSpan) continue;
    findings.push({ source: hit.source, start: hit.event.nameSpan.start, end: hit.event.nameSpan.end, table: relation.name, column: soft.column });
  }
  return findings;
}
