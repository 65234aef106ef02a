/**
 * The write checks: a DELETE on a soft-delete table removes rows for good (no-hard-delete), and an UPDATE whose
 * predicate does not imply the active-row filter can modify soft-deleted rows (no-tombstone-update). Both use the
 * statement model's writes and the same predicate implication as the read check.
 */
import type { RelationInfo } from '../schema/model.js';
import { findRelation } from '../schema/model.js';
import { tableSetting } from '../settings.js';
import type { StatementModel, Write } from '../sql/lower.js';
import type { CodeFilter, FilterRequest, SoftDeleteRequest, SqlFragment } from '../sql/fragment.js';
import { atomColumns, conjuncts, type Predicate } from '../sql/predicate.js';
import { OPAQUE_IDENT } from '../sql/placeholder.js';
import type { AnalysisContext, FragmentEdit } from './reads.js';
import {
  columnRequirement,
  implies,
  isFlagColumn,
  isMarkerFlag,
  markerColumns,
  quoteIdent,
  renderRequirement,
  requirementFromSql,
  type Binder,
  type Requirement,
} from './requirement.js';

export interface WriteFinding {
  kind: 'hard-delete' | 'tombstone-update';
  write: Write;
  fragment: SqlFragment;
  /** Span of the target table name in the fragment. */
  start: number;
  end: number;
  table: string;
  /** The active-row filter, qualified for this statement: `u.deleted_at IS NULL`. */
  filter: string;
  /** The soft-delete column, when the table has one (null for an `active` predicate from settings). */
  column: string | null;
  /** Suggested edits (null when no safe edit is known). */
  fix: FragmentEdit[] | null;
  /** For builder / ORM code: the filter written in the code's idiom by its front end, when it knows a safe edit. */
  codeFix: CodeFilter | null;
  /** Target columns the WHERE pins to values (`id = $1`, `id IN (…)`): a write to known rows. */
  pinnedColumns: string[];
  /**
   * An UPDATE given values the code does not spell out where it is written (`update(changes)`, `{ ...changes }`): it
   * may set the soft-delete column itself (a restore), which only its author can tell.
   */
  unseenValues: boolean;
}

function pinned(write: Write): string[] {
  const binds = binderFor(write);
  return conjuncts(write.where).flatMap((c) => (c.kind === 'compare' && (c.op === '=' || c.op === 'in') && binds(c.column) ? [c.column.name] : []));
}

/**
 * What makes a table soft-deletable, for writes: its soft-delete column or configured active-row predicate. Unlike
 * reads, an RLS policy does not change it — a DELETE that the policy lets through still removes the row.
 */
export function softDeleteRequirement(context: AnalysisContext, relation: RelationInfo): { requirement: Requirement; column: string | null } | null {
  return relation.kind === 'table' ? declaredRequirement(context, relation.schema, relation.name, relation) : null;
}

/**
 * The requirement settings declare for a table (its column or active-row predicate), else its marker column in the
 * schema — for a table the schema does not hold (a DynamoDB table), the settings alone, as for reads.
 */
function declaredRequirement(context: AnalysisContext, schema: string, name: string, relation?: RelationInfo): { requirement: Requirement; column: string | null } | null {
  const { settings } = context;
  const setting = tableSetting(settings, schema, name);
  if (setting === false) return null;
  if (setting?.active) {
    const requirement = requirementFromSql(setting.active);
    return requirement ? { requirement, column: null } : null;
  }
  const column = setting?.column ?? (relation ? markerColumns(settings.columns, relation)[0] : undefined);
  if (!column) return null;
  return { requirement: columnRequirement(column, setting?.column || !relation ? undefined : isMarkerFlag(column, relation)), column };
}

function binderFor(write: Write): Binder {
  const single = !write.scope || write.scope.refs.length === 0;
  return (c) => c.qualifier === write.target.exposed || (c.qualifier === null && single) || (c.qualifier === null && write.target.alias === null);
}

/**
 * Does a conjunct select only rows that are *not* live — a purge or archival of rows already soft-deleted
 * (`deleted_at IS NOT NULL`, `deleted_at < now() - interval '90 days'`, `is_deleted`)? A comparison on a
 * timestamp column is never true for NULL, so it selects deleted rows only.
 */
function selectsTombstones(conjunct: Predicate, requirement: Requirement, binds: Binder): boolean {
  const on = (c: { qualifier: string | null; name: string }) => binds(c as never) && requirement.columns.includes(c.name);
  for (const r of conjuncts(requirement.predicate)) {
    if (r.kind === 'null-test' && r.isNull) {
      if (conjunct.kind === 'null-test' && !conjunct.isNull && on(conjunct.column) && conjunct.column.name === r.column.name) return true;
      if (conjunct.kind === 'compare' && on(conjunct.column) && conjunct.column.name === r.column.name) return true;
    }
    if (r.kind === 'bool-test' && conjunct.kind === 'bool-test' && on(conjunct.column) && conjunct.column.name === r.column.name && conjunct.value !== r.value) return true;
  }
  return false;
}

function purgesTombstones(write: Write, requirement: Requirement): boolean {
  const binds = binderFor(write);
  const where = write.where;
  if (conjuncts(where).some((c) => selectsTombstones(c, requirement, binds))) return true;
  // Every branch of an OR selects tombstones only.
  return conjuncts(where).some((c) => c.kind === 'or' && c.args.every((a) => conjuncts(a).some((x) => selectsTombstones(x, requirement, binds))));
}

function targetRelation(context: AnalysisContext, write: Write): RelationInfo | undefined {
  return findRelation(context.schema, write.target.schema, write.target.name, context.settings.searchPath);
}

/** What makes a write's target soft-deletable: its relation's requirement, or what settings declare for a table the schema does not hold. */
function targetRequirement(context: AnalysisContext, write: Write): { requirement: Requirement; column: string | null } | null {
  const relation = targetRelation(context, write);
  if (relation) return softDeleteRequirement(context, relation);
  return declaredRequirement(context, write.target.schema ?? context.settings.searchPath[0] ?? 'public', write.target.name);
}

/** The text a fix puts in: `now()` for a timestamp, `true` for a flag. */
export function softDeleteValue(column: string): string {
  return isFlagColumn(column) ? 'true' : 'now()';
}

/**
 * `DELETE FROM [ONLY] t [AS a] [USING …] [WHERE …] [RETURNING …]` →
 * `UPDATE [ONLY] t [AS a] SET deleted_at = now() [FROM …] WHERE (…) AND a.deleted_at IS NULL [RETURNING …]`,
 * as edits that leave everything else (interpolations included) untouched.
 */
function softDeleteEdits(write: Write, column: string, filter: string, requirement: Requirement): FragmentEdit[] | null {
  const scope = write.scope;
  if (!scope || write.currentOf || scope.source.fragment.fixable === false) return null;
  const layout = scope.source.layout;
  const fragment = scope.source.fragment;
  const span = write.span;
  if (!span) return null;
  const del = layout.tokenIndexStartingAt(span.start);
  if (del === undefined || !layout.isKeyword(del, 'DELETE') || !layout.isKeyword(del + 1, 'FROM')) return null;
  const edits: FragmentEdit[] = [
    { fragment, start: layout.tokens[del]!.start, end: layout.tokens[del + 1]!.end, text: 'UPDATE' },
  ];
  const stop = layout.scanAtDepth(del, (i) => layout.isKeyword(i, 'USING', 'WHERE', 'RETURNING'));
  const setAt = layout.endBefore(stop);
  edits.push({ fragment, start: setAt, end: setAt, text: ` SET ${quoteIdent(column)} = ${softDeleteValue(column)}` });
  if (layout.isKeyword(stop, 'USING')) {
    const using = layout.tokens[stop]!;
    edits.push({ fragment, start: using.start, end: using.end, text: 'FROM' });
  }
  const where = scope.layout;
  if (!where) return null;
  if (implies(write.where, requirement.predicate, binderFor(write))) return edits; // already keeps to live rows
  if (where.where) {
    if (write.where.kind === 'or') {
      edits.push({ fragment, start: where.where.exprStart, end: where.where.exprStart, text: '(' });
      edits.push({ fragment, start: where.where.exprEnd, end: where.where.exprEnd, text: `) AND ${filter}` });
    } else edits.push({ fragment, start: where.where.exprEnd, end: where.where.exprEnd, text: ` AND ${filter}` });
  } else if (where.newWhereAt !== null) {
    const at = where.newWhereAt;
    const same = edits.find((e) => e.start === at && e.end === at);
    if (same) same.text += ` WHERE ${filter}`;
    else edits.push({ fragment, start: at, end: at, text: ` WHERE ${filter}` });
  } else return null;
  return edits;
}

/** `UPDATE … WHERE …` → `… AND deleted_at IS NULL` (or a new WHERE). */
function filterEdits(write: Write, filter: string): FragmentEdit[] | null {
  const scope = write.scope;
  if (!scope || write.currentOf || scope.source.fragment.fixable === false) return null;
  const fragment = scope.source.fragment;
  const where = scope.layout;
  if (!where) return null;
  if (where.where) {
    return write.where.kind === 'or'
      ? [
          { fragment, start: where.where.exprStart, end: where.where.exprStart, text: '(' },
          { fragment, start: where.where.exprEnd, end: where.where.exprEnd, text: `) AND ${filter}` },
        ]
      : [{ fragment, start: where.where.exprEnd, end: where.where.exprEnd, text: ` AND ${filter}` }];
  }
  return where.newWhereAt === null ? null : [{ fragment, start: where.newWhereAt, end: where.newWhereAt, text: ` WHERE ${filter}` }];
}

/** The active-row filter in the code's idiom (`.whereNull('deleted_at')`), for a write synthesized from a builder. */
function codeFixOf(write: Write, requirement: Requirement): CodeFilter | null {
  const fragment = write.scope?.source.fragment;
  if (!fragment?.codeFilter || write.currentOf) return null;
  const p = requirement.predicate;
  const qualifier = qualifierOf(write);
  let request: FilterRequest | null = null;
  if (p.kind === 'null-test' && p.isNull) request = { column: p.column.name, qualifier, test: 'is-null' };
  else if (p.kind === 'bool-test' && !p.value) request = { column: p.column.name, qualifier, test: 'is-false' };
  return request ? fragment.codeFilter(fragment.toSource(write.target.span.start), request) : null;
}

/** The DELETE as a soft delete in the code's idiom (`.del()` → `.update({ deleted_at: knex.fn.now() })`), for a write synthesized from code. */
function codeSoftDeleteOf(write: Write, requirement: Requirement): CodeFilter | null {
  const fragment = write.scope?.source.fragment;
  if (!fragment?.codeSoftDelete || write.currentOf) return null;
  const p = requirement.predicate;
  const filter = !implies(write.where, p, binderFor(write));
  const qualifier = qualifierOf(write);
  let request: SoftDeleteRequest | null = null;
  if (p.kind === 'null-test' && p.isNull) request = { column: p.column.name, qualifier, test: 'is-null', filter };
  else if (p.kind === 'bool-test' && !p.value) request = { column: p.column.name, qualifier, test: 'is-false', filter };
  return request ? fragment.codeSoftDelete(fragment.toSource(write.target.span.start), request) : null;
}

function qualifierOf(write: Write): string | null {
  const others = write.scope?.refs.length ?? 0;
  return write.target.alias ?? (others > 0 ? write.target.name : null);
}

/** Hard deletes of soft-delete tables, purges of rows already soft-deleted excepted. */
export function checkHardDeletes(statements: readonly StatementModel[], context: AnalysisContext): WriteFinding[] {
  const findings: WriteFinding[] = [];
  for (const statement of statements) {
    for (const write of statement.writes) {
      if (write.kind !== 'delete' || !write.scope) continue;
      const soft = targetRequirement(context, write);
      if (!soft || purgesTombstones(write, soft.requirement)) continue;
      const filter = renderRequirement(soft.requirement, qualifierOf(write));
      findings.push({
        kind: 'hard-delete',
        write,
        fragment: write.scope.source.fragment,
        start: write.target.span.start,
        end: write.target.span.end,
        table: write.target.name,
        filter,
        column: soft.column,
        fix: soft.column ? softDeleteEdits(write, soft.column, filter, soft.requirement) : null,
        codeFix: soft.column ? codeSoftDeleteOf(write, soft.requirement) : null,
        pinnedColumns: pinned(write),
        unseenValues: false,
      });
    }
  }
  return findings;
}

/** The read check's view of a write's RETURNING (ReadAnalyzer.checkReturning): findings when it reports one. */
export type ReturningCheck = (write: Write) => readonly unknown[];

/**
 * UPDATEs of soft-delete tables whose predicate does not imply the active-row filter. Not judged: updates that set
 * the soft-delete column (a soft delete, a restore), updates that select tombstones on purpose (anonymising deleted
 * accounts), and `WHERE CURRENT OF`. An `UPDATE … RETURNING` that the read check reports (it hands the tombstones it
 * touched back to the application) is left to it: one mistake, one report, the same fix.
 */
export function checkTombstoneUpdates(statements: readonly StatementModel[], context: AnalysisContext, returning?: ReturningCheck): WriteFinding[] {
  const findings: WriteFinding[] = [];
  for (const statement of statements) {
    for (const write of statement.writes) {
      if (write.kind !== 'update' || write.currentOf || !write.scope) continue;
      const soft = targetRequirement(context, write);
      if (!soft) continue;
      const { requirement } = soft;
      if (write.sets.some((s) => requirement.columns.includes(s.column))) continue;
      const binds = binderFor(write);
      if (implies(write.where, requirement.predicate, binds) || purgesTombstones(write, requirement)) continue;
      // The column constrained some other way (deliberately): leave it to the author.
      if (conjuncts(write.where).some((c) => c.kind !== 'and' && c.kind !== 'or' && atomColumns(c).some((x) => binds(x) && requirement.columns.includes(x.name)))) continue;
      if (returning && write.returning.length > 0 && returning(write).length > 0) continue;
      const filter = renderRequirement(requirement, qualifierOf(write));
      findings.push({
        kind: 'tombstone-update',
        write,
        fragment: write.scope.source.fragment,
        start: write.target.span.start,
        end: write.target.span.end,
        table: write.target.name,
        filter,
        column: soft.column,
        fix: filterEdits(write, filter),
        codeFix: codeFixOf(write, requirement),
        pinnedColumns: pinned(write),
        unseenValues: write.sets.some((s) => OPAQUE_IDENT.test(s.column)),
      });
    }
  }
  return findings;
}
