/**
 * The uniqueness check: on a table that is soft-deletable at the
 * end of history, a unique must cover live rows only — `CREATE UNIQUE INDEX … WHERE deleted_at IS NULL` — or a
 * soft-deleted row keeps its value forever and a deleted user can never re-register.
 *
 * Final state decides: a declaration in a schema file counts only while the schema model (the end of history)
 * still holds it, found by its origin (file + offset) so renames and default names follow. A file that is not a
 * schema file (queries, a new migration outside the globs) is applied on top of the final schema, and judged
 * against what that gives (the final table, plus what the file itself adds, drops or replaces).
 */
import { applySql } from '../schema/apply.js';
import { emptySchema, findRelation, isSchemaFileOf, type RelationInfo, type SchemaModel, type UniqueInfo } from '../schema/model.js';
import { chooseName } from '../sql/naming.js';
import { mentionsColumn } from '../sql/sqltext.js';
import { quoteIdent } from '../sql/ident.js';
import { tableSetting } from '../settings.js';
import type { SqlFragment } from '../sql/fragment.js';
import type { StatementModel } from '../sql/lower.js';
import type { AddedColumn, KeyElement, OnConflictTarget, Span, UniqueDeclaration } from '../sql/constraints.js';
import { atoms, columnRef, type Predicate } from '../sql/predicate.js';
import { historyModel, writtenAt } from './history.js';
import { fieldsOf, list } from '../sql/ast.js';
import { parseCached } from '../sql/source.js';
import { implies, type Requirement } from './requirement.js';
import type { AnalysisContext, FragmentEdit, ReadAnalyzer } from './reads.js';

export type UniqueFindingKind =
  /** A unique with no predicate: it covers soft-deleted rows. */
  | 'full-unique'
  /** A partial unique whose predicate does not imply the active-row predicate. */
  | 'partial-not-active'
  /** `WHERE deleted_at IS NOT NULL`: unique among deleted rows only. */
  | 'inverted-predicate'
  /** `UNIQUE (email, deleted_at)`: NULLs are distinct, so live rows never conflict. */
  | 'nulls-distinct'
  /** `UNIQUE (email, is_deleted)`: one deleted row per value at most. */
  | 'flag-in-key'
  /** `ALTER TABLE … ADD COLUMN deleted_at` while full uniques remain (mistake 1). */
  | 'added-soft-delete'
  /** `ON CONFLICT (email)` where the only unique on (email) is partial. */
  | 'on-conflict-needs-where'
  /** `ON CONFLICT ON CONSTRAINT x` where x is a unique index, not a constraint. */
  | 'on-conflict-on-index';

export interface UniqueFinding {
  kind: UniqueFindingKind;
  fragment: SqlFragment;
  /** Span to report, in the fragment. */
  start: number;
  end: number;
  /** Message data: table, what, name, columns, filter, where, column, followUp, uniques, index, target. */
  data: Record<string, string>;
  /** An in-place edit (an ESLint suggestion), null when none is safe. */
  fix: FragmentEdit[] | null;
  /** What the edit does. */
  suggestion: UniqueSuggestion | null;
  /** The soft-delete table the finding is about. */
  table: { schema: string; name: string };
  /** Uniques that explain the finding (the ones an added soft-delete column leaves full, the partial index of a conflict target). */
  uniques: UniqueInfo[];
}

export type UniqueSuggestion =
  | 'add-where'
  | 'extend-predicate'
  | 'fix-predicate'
  | 'rewrite-as-index'
  | 'replace-in-migration'
  | 'add-conflict-where'
  | 'use-index-columns';

type Verdict = Exclude<UniqueFindingKind, 'added-soft-delete' | 'on-conflict-needs-where' | 'on-conflict-on-index'> | 'ok';

interface Shape {
  keys: Array<Pick<KeyElement, 'name' | 'expression'>>;
  where: Predicate | null;
  nullsNotDistinct: boolean;
}

const always = (): boolean => true;

/** The active-row predicate negated, for a single-atom requirement (`deleted_at IS NOT NULL`, `is_deleted`). */
function negate(requirement: Requirement): Predicate | undefined {
  const p = requirement.predicate;
  if (p.kind === 'null-test') return { ...p, isNull: !p.isNull };
  if (p.kind === 'bool-test') return { ...p, value: !p.value };
  return undefined;
}

function softKey(shape: Shape, requirement: Requirement): string | undefined {
  return shape.keys.find((k) =>
    k.expression ? requirement.columns.some((c) => mentionsColumn(k.name, c)) : requirement.columns.includes(k.name),
  )?.name;
}

/**
 * A unique whose key contains the whole primary key (`UNIQUE (id, tenant_id)`) can never block a new row: the new
 * row has a new primary key. Like the primary key itself, it is exempt.
 */
export function containsPrimaryKey(relation: RelationInfo, shape: Shape): boolean {
  const pk = relation.primaryKey;
  return !!pk && pk.length > 0 && pk.every((c) => shape.keys.some((k) => !k.expression && k.name === c));
}

/** The verdict for one unique of a soft-delete table. */
export function judgeUnique(shape: Shape, requirement: Requirement): { verdict: Verdict; column?: string } {
  const where = shape.where;
  if (where && atoms(where).some((a) => a.kind === 'opaque')) return { verdict: 'ok' }; // interpolated: unknown
  const covers = where !== null && implies(where, requirement.predicate, always);
  const negated = negate(requirement);
  const inverted = where !== null && !covers && negated !== undefined && implies(where, negated, always);
  const column = softKey(shape, requirement);
  if (column !== undefined) {
    if (requirement.predicate.kind === 'null-test') {
      // Every live row has NULL there: with NULLS DISTINCT they never conflict. NULLS NOT DISTINCT works (live
      // rows unique by the other columns; deleted rows by the other columns plus their deletion timestamp).
      if (!shape.nullsNotDistinct) return { verdict: 'nulls-distinct', column };
      return { verdict: inverted ? 'inverted-predicate' : 'ok' };
    }
    if (covers) return { verdict: 'ok' };
    return inverted ? { verdict: 'inverted-predicate' } : { verdict: 'flag-in-key', column };
  }
  if (where === null) return { verdict: 'full-unique' };
  if (covers) return { verdict: 'ok' };
  return { verdict: inverted ? 'inverted-predicate' : 'partial-not-active' };
}

export function shapeOfInfo(unique: UniqueInfo, relation: RelationInfo): Shape {
  let where: Predicate | null = null;
  if (unique.where !== null) where = unique.wherePredicate ?? { kind: 'opaque', location: -1 };
  return {
    keys: unique.columns.map((c) => ({ name: c, expression: !relation.columns.includes(c) && /[()\s]/.test(c) })),
    where,
    nullsNotDistinct: unique.nullsNotDistinct,
  };
}

const normalize = (text: string): string => text.replace(/\s+/g, '').toLowerCase();

/** An index key as SQL: a column name quoted where needed; an expression as is when it is a call, else in parens. */
function renderKey(key: Pick<KeyElement, 'name' | 'expression'>): string {
  if (!key.expression) return quoteIdent(key.name);
  return /^[A-Za-z_][\w$.]*\s*\([^()]*(\([^()]*\)[^()]*)*\)$/.test(key.name) ? key.name : `(${key.name})`;
}

function namePart(key: Pick<KeyElement, 'name' | 'expression'>): string {
  if (!key.expression) return key.name;
  return /^\s*"?([A-Za-z_][\w$]*)"?\s*\(/.exec(key.name)?.[1]?.toLowerCase() ?? 'expr';
}

function describeUnique(kind: 'constraint' | 'index' | 'exclusion', name: string): string {
  if (kind === 'index') return `unique index \`${name}\``;
  if (kind === 'exclusion') return `exclusion constraint \`${name}\``;
  return `UNIQUE constraint \`${name}\``;
}

/** Everything the check needs about the table a declaration lands on. */
interface Target {
  relation: RelationInfo;
  requirement: Requirement;
  /** Names already used by uniques of this table (a new index name must differ). */
  taken: Set<string>;
}

class UniqueChecker {
  private readonly schema: SchemaModel;
  private readonly isSchemaFile: boolean;
  private localModel: SchemaModel | undefined;
  readonly findings: UniqueFinding[] = [];

  constructor(
    private readonly statements: StatementModel[],
    private readonly context: AnalysisContext,
    private readonly file: string,
    private readonly reads: ReadAnalyzer,
  ) {
    this.schema = context.schema;
    this.isSchemaFile = isSchemaFileOf(context.schema, file);
  }

  /**
   * The final schema with the linted file applied on top (for a file that is not one of the schema files: a
   * new migration outside the globs, a file of queries). Relations are copied shallowly so applying cannot
   * touch the shared final model.
   */
  private local(): SchemaModel {
    this.localModel ??= historyModel(this.statements, {
      schema: this.schema,
      searchPath: this.context.settings.searchPath,
      file: this.file,
      isSchemaFile: false,
    });
    return this.localModel;
  }


  private displayName(relation: RelationInfo): string {
    const first = this.context.settings.searchPath[0] ?? 'public';
    return relation.schema === first ? quoteIdent(relation.name) : `${quoteIdent(relation.schema)}.${quoteIdent(relation.name)}`;
  }

  /** The table by name at the end of history (outside the schema files: with the linted file applied on top). */
  private byName(schema: string | null, name: string): RelationInfo | undefined {
    return findRelation(this.isSchemaFile ? this.schema : this.local(), schema, name, this.context.settings.searchPath);
  }

  /** Soft-delete status of a table; undefined when it is not soft-deletable or is exempt. */
  private target(relation: RelationInfo, forUniques: boolean): Target | undefined {
    if (relation.kind !== 'table') return undefined;
    const setting = tableSetting(this.context.settings, relation.schema, relation.name);
    if (setting === false || (forUniques && setting?.allowFullUnique)) return undefined;
    const requirement = this.reads.requirementsOfRelation(relation.schema, relation.name, relation)[0];
    if (!requirement) return undefined;
    return { relation, requirement, taken: new Set(relation.uniques.map((u) => u.name)) };
  }

  /**
   * Each declaration with the unique it became at the end of history (and that unique's table), or null when
   * a later statement dropped or replaced it.
   */
  private resolveDeclarations(declarations: UniqueDeclaration[]): Map<UniqueDeclaration, { unique: UniqueInfo; relation: RelationInfo } | null> {
    const model = this.isSchemaFile ? this.schema : this.local();
    const fromFile: Array<{ unique: UniqueInfo; relation: RelationInfo }> = [];
    for (const relation of model.relations.values()) {
      for (const unique of relation.uniques) if (unique.origin.file === this.file) fromFile.push({ unique, relation });
    }
    const resolved = new Map<UniqueDeclaration, { unique: UniqueInfo; relation: RelationInfo } | null>();
    const claimed = new Set<UniqueInfo>();
    for (const d of declarations) {
      const hit = fromFile.find((x) => writtenAt(x.unique.origin, this.file, d.source.fragment, d.anchor));
      resolved.set(d, hit ?? null);
      if (hit) claimed.add(hit.unique);
    }
    if (!this.isSchemaFile) return resolved;
    // An editor buffer that differs from the file on disk: offsets moved, so match what is left by content.
    for (const d of declarations) {
      if (resolved.get(d)) continue;
      const keys = d.keys.map((k) => normalize(k.name)).join(',');
      const where = d.where ? normalize(d.where.text) : null;
      const hit = fromFile.find(
        (x) =>
          !claimed.has(x.unique) &&
          (x.unique.kind === 'index') === (d.kind === 'index') &&
          x.unique.columns.map(normalize).join(',') === keys &&
          (x.unique.where === null ? null : normalize(x.unique.where)) === where,
      );
      if (hit) {
        claimed.add(hit.unique);
        resolved.set(d, hit);
      }
    }
    return resolved;
  }

  /**
   * The SQL that replaces a unique with a partial unique index over live rows: created first, so uniqueness is
   * never unprotected, then the old one dropped. CONCURRENTLY, for a follow-up migration on a live table (such a
   * migration must run outside a transaction).
   */
  private followUp(target: Target, unique: { name: string; kind: 'constraint' | 'index' }, shape: Shape): string {
    const table = this.displayName(target.relation);
    const keys = this.liveKeys(shape, target.requirement);
    const name = chooseName(target.relation.name, keys.map(namePart), 'active_key', (n) => target.taken.has(n));
    const nulls = shape.nullsNotDistinct ? ' NULLS NOT DISTINCT' : '';
    const conc = ' CONCURRENTLY';
    const create = `CREATE UNIQUE INDEX${conc} ${quoteIdent(name)} ON ${table} (${keys.map(renderKey).join(', ')})${nulls} WHERE ${target.requirement.text};`;
    const schemaPrefix = table.includes('.') ? `${quoteIdent(target.relation.schema)}.` : '';
    const drop =
      unique.kind === 'index'
        ? `DROP INDEX${conc} ${schemaPrefix}${quoteIdent(unique.name)};`
        : `ALTER TABLE ${table} DROP CONSTRAINT ${quoteIdent(unique.name)};`;
    return `${create} ${drop}`;
  }

  /** Key columns without the soft-delete columns (all of them when nothing would be left). */
  private liveKeys(shape: Shape, requirement: Requirement): Shape['keys'] {
    const live = shape.keys.filter((k) => !(k.expression ? requirement.columns.some((c) => mentionsColumn(k.name, c)) : requirement.columns.includes(k.name)));
    return live.length ? live : shape.keys;
  }

  checkDeclarations(): void {
    const declarations = this.statements.flatMap((s) => s.uniques);
    if (!declarations.length) return;
    const resolved = this.resolveDeclarations(declarations);
    for (const d of declarations) {
      const hit = resolved.get(d);
      if (!hit) continue; // dropped or replaced later: the end state decides
      const relation = hit.relation;
      const target = this.target(relation, true);
      if (!target) continue;
      const shape: Shape = { keys: d.keys, where: d.where?.predicate ?? null, nullsNotDistinct: d.nullsNotDistinct };
      if (containsPrimaryKey(relation, shape)) continue;
      const { verdict, column } = judgeUnique(shape, target.requirement);
      if (verdict === 'ok') continue;
      const kind = d.kind === 'index' ? 'index' : d.kind === 'exclusion' ? 'exclusion' : 'constraint';
      const name = hit.unique.name;
      const data: Record<string, string> = {
        table: this.displayName(target.relation),
        what: describeUnique(kind, name),
        name,
        columns: d.keys.map((k) => k.name).join(', '),
        filter: target.requirement.text,
        where: d.where?.text ?? '',
        column: column ?? '',
        followUp: this.followUp(target, { name, kind: hit.unique.kind }, shape),
      };
      let span: Span = d.span;
      if (verdict === 'inverted-predicate' || verdict === 'partial-not-active') span = d.where?.span ?? d.span;
      if (verdict === 'nulls-distinct' || verdict === 'flag-in-key') span = d.keys.find((k) => k.name === column)?.span ?? d.span;
      const fix = this.declarationFix(d, verdict, target, shape, data);
      this.findings.push({
        kind: verdict,
        fragment: d.source.fragment,
        start: span.start,
        end: span.end,
        data,
        fix: fix?.edits ?? null,
        suggestion: fix?.suggestion ?? null,
        table: { schema: relation.schema, name: relation.name },
        uniques: [],
      });
    }
  }

  /** In-place edits for a migration that has not run yet. */
  private declarationFix(
    d: UniqueDeclaration,
    verdict: Verdict,
    target: Target,
    shape: Shape,
    data: Record<string, string>,
  ): { edits: FragmentEdit[]; suggestion: UniqueSuggestion } | null {
    const fragment = d.source.fragment;
    const filter = target.requirement.text;
    // An in-place edit runs where the declaration stands: the columns of the filter must exist there already (a
    // migration that runs before `deleted_at` is added would fail with "column does not exist"); else only the
    // follow-up migration of the message applies.
    if (!this.existsAt(target, d)) return null;
    const edit = (start: number, end: number, text: string): FragmentEdit => ({ fragment, start, end, text });
    if (d.kind === 'index' || d.kind === 'exclusion') {
      if (verdict === 'full-unique' && d.whereAt !== null) {
        const text = d.kind === 'index' ? ` WHERE ${filter}` : ` WHERE (${filter})`;
        return { edits: [edit(d.whereAt, d.whereAt, text)], suggestion: 'add-where' };
      }
      if (verdict === 'partial-not-active' && d.where) {
        const { span, predicate } = d.where;
        const edits =
          predicate.kind === 'or'
            ? [edit(span.start, span.start, '('), edit(span.end, span.end, `) AND ${filter}`)]
            : [edit(span.end, span.end, ` AND ${filter}`)];
        return { edits, suggestion: 'extend-predicate' };
      }
      if (verdict === 'inverted-predicate' && d.where && (d.where.predicate.kind === 'null-test' || d.where.predicate.kind === 'bool-test')) {
        return { edits: [edit(d.where.span.start, d.where.span.end, filter)], suggestion: 'fix-predicate' };
      }
      return null;
    }
    // A constraint cannot be partial: take it out and create a partial unique index after the statement.
    if (verdict === 'inverted-predicate' || verdict === 'partial-not-active') return null;
    const keys = this.liveKeys(shape, target.requirement);
    const indexName = d.name ?? chooseName(d.table.name, keys.map(namePart), 'active_key', (n) => target.taken.has(n));
    const tableText = fragment.text.slice(d.table.span.start, d.table.span.end);
    const nulls = d.nullsNotDistinct ? ' NULLS NOT DISTINCT' : '';
    const index = `CREATE UNIQUE INDEX ${quoteIdent(indexName)} ON ${tableText} (${keys.map(renderKey).join(', ')})${nulls} WHERE ${filter}`;
    data.index = indexName;
    if (d.soleCommand) return { edits: [edit(d.statementSpan.start, d.statementSpan.end, index)], suggestion: 'rewrite-as-index' };
    if (!d.removal) return null;
    const append = d.after.semicolon ? edit(d.after.at, d.after.at, `\n${index};`) : edit(d.after.at, d.after.at, `;\n${index}`);
    return { edits: mergeTouching([edit(d.removal.start, d.removal.end, ''), append]), suggestion: 'rewrite-as-index' };
  }

  /**
   * Do the columns of the table's active-row filter exist at the end of the statement declaring `d`? Known from
   * where the DDL last added each column (a later file, or later in this file, is too late). A table not built
   * from DDL (no column origins) is not judged here.
   */
  private existsAt(target: Target, d: UniqueDeclaration): boolean {
    const origins = target.relation.columnOrigins;
    if (!origins) return true;
    const fragment = d.source.fragment;
    const end = fragment.toSource(Math.max(d.statementSpan.start, d.statementSpan.end - 1));
    const files = this.schema.files;
    return target.requirement.columns.every((column) => {
      const origin = origins.get(column);
      if (!origin) return false;
      if (origin.file === this.file) return origin.index !== undefined && origin.index <= end;
      if (!this.isSchemaFile) return true;
      const at = files.indexOf(origin.file);
      return at >= 0 && at < files.indexOf(this.file);
    });
  }

  checkAddedColumns(): void {
    for (const statement of this.statements) {
      for (const added of statement.addedColumns) this.checkAddedColumn(added, statement);
    }
  }

  private checkAddedColumn(added: AddedColumn, statement: StatementModel): void {
    const relation = this.byName(added.table.schema, added.table.name);
    const target = relation && this.target(relation, true);
    if (!relation || !target || !target.requirement.columns.includes(added.column)) return;
    const at = statement.source.fragment.toSource(added.anchor);
    const files = this.schema.files;
    const before = (u: UniqueInfo): boolean => {
      if (u.origin.file === this.file) return (u.origin.index ?? 0) < at;
      if (!this.isSchemaFile) return true;
      return files.indexOf(u.origin.file) < files.indexOf(this.file);
    };
    const offending = relation.uniques.filter((u) => {
      const shape = shapeOfInfo(u, relation);
      return before(u) && !containsPrimaryKey(relation, shape) && judgeUnique(shape, target.requirement).verdict !== 'ok';
    });
    if (!offending.length) return;
    const fragment = statement.source.fragment;
    const tableText = fragment.text.slice(added.table.span.start, added.table.span.end);
    // Mistake 1's remedy, in the same migration (so no CONCURRENTLY: migrations usually run in a transaction).
    const statements: string[] = [];
    for (const u of offending) {
      const shape = shapeOfInfo(u, relation);
      const keys = this.liveKeys(shape, target.requirement);
      const name = chooseName(relation.name, keys.map(namePart), 'active_key', (n) => target.taken.has(n));
      target.taken.add(name);
      const nulls = shape.nullsNotDistinct ? ' NULLS NOT DISTINCT' : '';
      statements.push(`CREATE UNIQUE INDEX ${quoteIdent(name)} ON ${tableText} (${keys.map(renderKey).join(', ')})${nulls} WHERE ${target.requirement.text}`);
      statements.push(u.kind === 'index' ? `DROP INDEX ${quoteIdent(u.name)}` : `ALTER TABLE ${tableText} DROP CONSTRAINT ${quoteIdent(u.name)}`);
    }
    const text = statements.join(';\n');
    const { at: after, semicolon } = added.after;
    this.findings.push({
      kind: 'added-soft-delete',
      fragment,
      start: added.span.start,
      end: added.span.end,
      data: {
        table: this.displayName(relation),
        column: added.column,
        filter: target.requirement.text,
        uniques: offending.map((u) => `\`${u.name}\` (${u.columns.join(', ')})`).join(', '),
        followUp: statements.map((t) => `${t};`).join(' '),
      },
      fix: [{ fragment, start: after, end: after, text: semicolon ? `\n${text};` : `;\n${text}` }],
      suggestion: 'replace-in-migration',
      table: { schema: relation.schema, name: relation.name },
      uniques: offending,
    });
  }

  checkOnConflicts(): void {
    for (const statement of this.statements) {
      for (const target of statement.onConflicts) this.checkOnConflict(target);
    }
  }

  private checkOnConflict(t: OnConflictTarget): void {
    const relation = this.byName(t.table.schema, t.table.name);
    const target = relation && this.target(relation, false);
    if (!relation || !target) return;
    const fragment = t.source.fragment;
    const table = this.displayName(relation);
    if (t.constraint) {
      const unique = relation.uniques.find((u) => u.name === t.constraint!.name);
      if (!unique || unique.kind !== 'index') return;
      const columns = unique.columns.map((c) => (relation.columns.includes(c) || !/[()\s]/.test(c) ? quoteIdent(c) : `(${c})`)).join(', ');
      const where = unique.where === null ? '' : ` WHERE ${unique.where}`;
      this.findings.push({
        kind: 'on-conflict-on-index',
        fragment,
        start: t.span.start,
        end: t.span.end,
        data: { table, name: unique.name, columns, where: unique.where ?? '', target: `(${columns})${where}` },
        fix: [{ fragment, start: t.constraint.span.start, end: t.constraint.span.end, text: `(${columns})${where}` }],
        suggestion: 'use-index-columns',
        table: { schema: relation.schema, name: relation.name },
        uniques: [unique],
      });
      return;
    }
    if (!t.columns) return;
    const wanted = [...new Set(t.columns)].sort().join(',');
    const candidates = relation.uniques.filter((u) => [...new Set(u.columns)].sort().join(',') === wanted);
    if (!candidates.length || candidates.some((u) => u.where === null)) return;
    const usable = candidates.some((u) => t.where && u.wherePredicate && implies(t.where.predicate, u.wherePredicate, always));
    if (usable) return;
    const partial = candidates.find((u) => u.wherePredicate && implies(u.wherePredicate, target.requirement.predicate, always)) ?? candidates[0]!;
    const where = partial.where ?? target.requirement.text;
    let fix: FragmentEdit[] | null = null;
    if (t.where) {
      const { span, predicate } = t.where;
      fix =
        predicate.kind === 'or'
          ? [
              { fragment, start: span.start, end: span.start, text: '(' },
              { fragment, start: span.end, end: span.end, text: `) AND ${where}` },
            ]
          : [{ fragment, start: span.end, end: span.end, text: ` AND ${where}` }];
    } else if (t.whereAt !== null) {
      fix = [{ fragment, start: t.whereAt, end: t.whereAt, text: ` WHERE ${where}` }];
    }
    this.findings.push({
      kind: 'on-conflict-needs-where',
      fragment,
      start: t.span.start,
      end: t.span.end,
      data: { table, name: partial.name, columns: t.columns.join(', '), where, filter: target.requirement.text },
      fix,
      suggestion: fix ? 'add-conflict-where' : null,
      table: { schema: relation.schema, name: relation.name },
      uniques: [partial],
    });
  }
}

/** Edits where one ends exactly where the next starts become one replacement (ESLint rejects touching fixes). */
function mergeTouching(edits: FragmentEdit[]): FragmentEdit[] {
  const sorted = [...edits].sort((a, b) => a.start - b.start || a.end - b.end);
  const out: FragmentEdit[] = [];
  for (const e of sorted) {
    const last = out[out.length - 1];
    if (last && last.end === e.start) out[out.length - 1] = { ...last, end: e.end, text: last.text + e.text };
    else out.push(e);
  }
  return out;
}

/**
 * Findings for the uniques, added soft-delete columns and ON CONFLICT targets of one file. `file` is the
 * absolute path of the linted file: it decides whether the file is one of the schema files (final state).
 */
export function checkUniques(statements: StatementModel[], context: AnalysisContext, file: string, reads: ReadAnalyzer): UniqueFinding[] {
  const checker = new UniqueChecker(statements, context, file, reads);
  checker.checkDeclarations();
  checker.checkAddedColumns();
  checker.checkOnConflicts();
  return checker.findings.sort((a, b) => a.fragment.toSource(a.start) - b.fragment.toSource(b.start));
}
