/**
 * Soft-delete cascades: when a soft-delete parent is soft-deleted, its soft-deletable children (tables with a
 * foreign key to it) must be soft-deleted too — or they stay live, pointing at a parent every read hides. The
 * dependable way is a trigger on the parent, `AFTER UPDATE OF deleted_at … FOR EACH ROW WHEN (OLD.deleted_at IS
 * NULL AND NEW.deleted_at IS NOT NULL)`, whose function updates the children. `ON DELETE CASCADE` does nothing
 * for a soft delete (an UPDATE).
 *
 * Judged at the end of history; reported at each foreign key written in the linted file.
 */
import type { ForeignKeyInfo, RelationInfo, SchemaModel, TriggerInfo } from '../schema/model.js';
import { findRelation, relationKey } from '../schema/model.js';
import type { SqlSource } from '../sql/source.js';
import type { StatementModel } from '../sql/lower.js';
import type { DdlForeignKey } from '../sql/ddl.js';
import { predicateOfText } from '../sql/ddl.js';
import { conjuncts, type Predicate } from '../sql/predicate.js';
import { tokenize } from '../sql/parser.js';
import { historyModel, writtenAt } from './history.js';
import type { AnalysisContext } from './reads.js';
import { softDeleteRequirement } from './writes.js';

export type CascadeVerdict = 'no-trigger' | 'no-when' | 'inverted-when' | 'delete-cascade-only';

export interface CascadeFinding {
  verdict: CascadeVerdict;
  source: SqlSource;
  /** Span of the referenced table's name in the foreign key. */
  start: number;
  end: number;
  child: string;
  parent: string;
  column: string;
  /** The trigger whose WHEN is missing or inverted. */
  trigger: string | null;
}

/** A WHEN condition's verdict: fires on the soft delete only, fires on every update, or on the restore instead. */
function whenVerdict(when: string | null, column: string): 'ok' | 'no-when' | 'inverted-when' {
  if (when === null) return 'no-when';
  const predicate = predicateOfText(when);
  if (!predicate) return 'ok'; // cannot read it: do not guess
  const test = (p: Predicate, row: 'old' | 'new', isNull: boolean): boolean =>
    p.kind === 'null-test' && p.column.name === column && p.column.qualifier?.toLowerCase() === row && p.isNull === isNull;
  const parts = conjuncts(predicate);
  const has = (row: 'old' | 'new', isNull: boolean) => parts.some((p) => test(p, row, isNull));
  if (has('old', true) && has('new', false)) return 'ok';
  if (has('old', false) && has('new', true)) return 'inverted-when';
  const mentions = parts.some((p) => JSON.stringify(p).includes(`"name":"${column}"`));
  return mentions ? 'ok' : 'no-when';
}

/** Does the trigger function (when its body is known) touch the child table? Unknown bodies count as yes. */
function functionTouches(model: SchemaModel, trigger: TriggerInfo, child: RelationInfo): boolean {
  const fn = model.functions?.get(relationKey(trigger.function.schema ?? 'public', trigger.function.name));
  if (!fn?.body) return true;
  const names = tokenize(fn.body)
    .filter((t) => t.kind === 'ident' || t.kind === 'keyword')
    .map((t) => (t.text.startsWith('"') ? t.text.slice(1, -1) : t.text.toLowerCase()));
  return names.includes(child.name);
}

function cascadeTriggers(model: SchemaModel, parent: RelationInfo, column: string, child: RelationInfo): TriggerInfo[] {
  return (parent.triggers ?? []).filter(
    (t) =>
      t.events.includes('update') &&
      t.timing !== 'instead' &&
      t.forEachRow &&
      (t.updateColumns.length === 0 || t.updateColumns.includes(column)) &&
      functionTouches(model, t, child),
  );
}

/** Foreign keys written in these statements, with where they were written. */
function foreignKeysOf(statements: readonly StatementModel[]): Array<{ fk: DdlForeignKey; source: SqlSource }> {
  const found: Array<{ fk: DdlForeignKey; source: SqlSource }> = [];
  for (const statement of statements) {
    for (const event of statement.ddl) {
      if (event.type === 'create-table') for (const fk of event.foreignKeys) found.push({ fk, source: statement.source });
      if (event.type === 'alter-table') {
        for (const action of event.actions) {
          if (action.op === 'add-foreign-key') found.push({ fk: action.foreignKey, source: statement.source });
          if (action.op === 'add-column') for (const fk of action.foreignKeys) found.push({ fk, source: statement.source });
        }
      }
    }
  }
  return found;
}

export function checkCascades(
  statements: readonly StatementModel[],
  context: AnalysisContext,
  file: string,
  isSchemaFile: boolean,
): CascadeFinding[] {
  const written = foreignKeysOf(statements);
  if (written.length === 0) return [];
  const model = historyModel(statements, { schema: context.schema, searchPath: context.settings.searchPath, file, isSchemaFile });
  const findings: CascadeFinding[] = [];
  for (const relation of model.relations.values()) {
    for (const fk of relation.foreignKeys ?? []) {
      const hit = written.find((w) => w.fk.at !== undefined && writtenAt(fk.origin, file, w.source.fragment, w.fk.at));
      if (!hit?.fk.span) continue;
      const finding = judge(model, context, relation, fk);
      if (finding) findings.push({ ...finding, source: hit.source, start: hit.fk.span.start, end: hit.fk.span.end });
    }
  }
  return findings;
}

function judge(
  model: SchemaModel,
  context: AnalysisContext,
  child: RelationInfo,
  fk: ForeignKeyInfo,
): Omit<CascadeFinding, 'source' | 'start' | 'end'> | null {
  const parent = findRelation(model, fk.references.schema, fk.references.name);
  if (!parent || parent === child) return null;
  const parentSoft = softDeleteRequirement(context, parent);
  const childSoft = softDeleteRequirement(context, child);
  if (!parentSoft?.column || !childSoft) return null;
  const column = parentSoft.column;
  const base = { child: child.name, parent: parent.name, column };
  const triggers = cascadeTriggers(model, parent, column, child);
  if (triggers.length === 0) {
    return { ...base, verdict: fk.onDelete === 'cascade' ? 'delete-cascade-only' : 'no-trigger', trigger: null };
  }
  const verdicts = triggers.map((t) => ({ t, v: whenVerdict(t.when, column) }));
  if (verdicts.some((x) => x.v === 'ok')) return null;
  const worst = verdicts.find((x) => x.v === 'inverted-when') ?? verdicts[0]!;
  return { ...base, verdict: worst.v as CascadeVerdict, trigger: worst.t.name };
}
