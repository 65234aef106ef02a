/**
 * The read check: every reference to a soft-delete relation, in every scope, must be guarded by a predicate that
 * implies its active-row requirement — or pass the soft-delete column through to a scope that filters it.
 */
import type { SchemaModel, RelationInfo } from '../schema/model.js';
import { findRelation } from '../schema/model.js';
import { tableSetting, type SoftDeleteSettings } from '../settings.js';
import type { CodeFilter, FilterRequest, SqlFragment } from '../sql/fragment.js';
import { wholeFileFragment } from '../sql/fragment.js';
import { lowerStatement, type FromRef, type OutputColumn, type Query, type Scope, type TableRef, type Write } from '../sql/lower.js';
import { atoms, atomColumns, conjuncts, pruneContradictions, rejectsNulls, type ColumnRef, type Predicate } from '../sql/predicate.js';
import { parseFragment } from '../sql/source.js';
import { boundQuery, type BoundQuery } from '../sql/statement-cache.js';
import { BRANCHES_JUDGED_ALONE } from '../sql/parser.js';
import { columnUses, fieldsOf, list } from '../sql/ast.js';
import { quoteIdent } from '../sql/ident.js';
import {
  columnRequirement,
  implies,
  markerRequirement,
  renameRequirement,
  renderRequirement,
  requirementFromSql,
  type Binder,
  type Requirement,
} from './requirement.js';

export type ReadVerdict = 'filtered' | 'deliberate' | 'unknown' | 'missing' | 'or-defeated' | 'never-true' | 'outer-where' | 'full-join';
export type ReportedVerdict = Exclude<ReadVerdict, 'filtered' | 'deliberate' | 'unknown'>;

/** A text edit in fragment coordinates: replace [start, end) with text (start === end: insert). */
export interface FragmentEdit {
  fragment: SqlFragment;
  start: number;
  end: number;
  text: string;
}

export interface ReadFinding {
  verdict: ReportedVerdict;
  fragment: SqlFragment;
  /** Span of the table name in the fragment. */
  start: number;
  end: number;
  table: string;
  /** The relation read, by schema (when the SQL names one) and name. */
  relation: { schema: string | null; name: string };
  alias: string | null;
  /** The filter that is missing, qualified: `u.deleted_at IS NULL`. */
  filter: string;
  /** The view / CTE / subquery through which the rows escape, when the reference is not the base table's. */
  via: string | null;
  /** Edits that add the filter in the right place (null when no safe edit is known). */
  fix: FragmentEdit[] | null;
  /** For SQL synthesized from builder / ORM code: the filter in the code's own idiom, when a safe edit is known. */
  codeFix: CodeFilter | null;
  /** Columns of the reference pinned to values in its scope (`WHERE u.id = $1`, `u.id = ANY($1)`): a lookup. */
  pinnedColumns: string[];
  /**
   * The soft-delete column is passed through, but after LIMIT / OFFSET, DISTINCT ON or a window function: a
   * filter outside cannot restore the live rows the deleted ones displaced, so the filter must go here.
   */
  displacing: boolean;
  /** The target of an UPDATE / DELETE whose RETURNING hands the rows it touched back to the application. */
  returning: boolean;
  /**
   * For `never-true`, where the `= NULL` sits, which decides what it does: a conjunct empties the result; a branch
   * of an OR matches nothing (the other branches decide alone); in an outer join's ON the join never matches.
   */
  neverIn: 'conjunct' | 'or' | 'outer-on' | null;
  /**
   * The reference is the nullable side of a LEFT/RIGHT JOIN that WHERE turns into an anti-join (`WHERE o.id IS
   * NULL`: rows without a match): a soft-deleted match still counts as a match, so the filter belongs in ON.
   */
  antiJoin: boolean;
}

export interface AnalysisContext {
  schema: SchemaModel;
  settings: SoftDeleteSettings;
}

interface Origin {
  ref: TableRef;
  scope: Scope;
  requirement: Requirement;
  /** The relation's primary key, when known (an anti-join tests it for NULL). */
  primaryKey?: readonly string[];
}

interface Pending {
  origin: Origin;
  /** Over the output columns of the query that passed the rows through. */
  requirement: Requirement;
  verdict: ReportedVerdict;
}

interface QueryResult {
  findings: ReadFinding[];
  pendings: Pending[];
}

/**
 * What the read check found on a canonical statement (see `sql/statement-cache.ts`), to be re-bound to every later
 * fragment with its text: the findings before deduplication and the unknown verdicts; null when they name another
 * fragment than the statement's own (then each fragment is checked on its own).
 */
type Reused = { findings: ReadFinding[]; unknown: ReadAnalyzer['unknown'] } | null;

/** Soft-delete status of a view-like relation, computed from its definition. */
type ViewStatus = { requirements: Requirement[] } | 'computing';

/**
 * The settings that shape requirements (soft-delete columns, table declarations, RLS trust, search path), as a key:
 * with the schema model, what every cache of requirements and findings is keyed by.
 */
export function requirementSettingsKey(settings: SoftDeleteSettings): string {
  let key = requirementKeys.get(settings);
  if (key === undefined) {
    const { columns, tables, trustRls, searchPath } = settings;
    requirementKeys.set(settings, (key = JSON.stringify([columns, [...tables], trustRls, searchPath])));
  }
  return key;
}

/** Settings objects are never changed once normalised, and every file of one configuration gets the same one. */
const requirementKeys = new WeakMap<SoftDeleteSettings, string>();

export class ReadAnalyzer {
  private readonly memo = new Map<Query, Map<boolean, QueryResult>>();
  /** References whose soft-deleted rows another branch of their set operation makes irrelevant (see analyzeSet). */
  private readonly covered = new WeakSet<FromRef>();
  private readonly viewQueries = new Map<RelationInfo, Query | null>();
  /** View statuses per schema model and per settings that shape requirements (shared by every file linted). */
  private static readonly viewStatus = new WeakMap<SchemaModel, Map<string, Map<RelationInfo, ViewStatus>>>();
  private readonly settingsKey: string;
  /**
   * Findings of canonical statements, per schema model (replaced when a schema file changes) and per settings that
   * shape requirements: a statement re-linted unchanged is not checked again.
   */
  private static readonly reused = new WeakMap<SchemaModel, Map<string, WeakMap<Query, Reused>>>();

  constructor(private readonly context: AnalysisContext) {
    this.settingsKey = requirementSettingsKey(context.settings);
  }

  /** Findings for a query whose rows reach the application (nothing outside can filter them any more). */
  /**
   * Reads of soft-delete relations whose verdict is unknown (an interpolated predicate hides whether they filter),
   * collected as queries are checked: the coverage rule reports them.
   */
  readonly unknown: Array<{ fragment: SqlFragment; start: number; end: number; table: string; filter: string }> = [];

  checkQuery(query: Query): ReadFinding[] {
    return dedupe(this.reusedFindings(query) ?? this.analyze(query, false).findings);
  }

  /**
   * For a read of a statement re-bound from the statement cache: the findings of its canonical read under this
   * schema and these settings (checked once, then reused), re-bound to the read's own fragment; null otherwise.
   */
  private reusedFindings(query: Query): ReadFinding[] | null {
    if (this.memo.has(query)) return null;
    const bound = boundQuery(query);
    if (!bound) return null;
    let bySettings = ReadAnalyzer.reused.get(this.context.schema);
    if (!bySettings) ReadAnalyzer.reused.set(this.context.schema, (bySettings = new Map()));
    let byQuery = bySettings.get(this.settingsKey);
    if (!byQuery) bySettings.set(this.settingsKey, (byQuery = new WeakMap()));
    let reused = byQuery.get(bound.canonical);
    if (reused === undefined) {
      const mark = this.unknown.length;
      const { findings } = this.analyze(bound.canonical, false);
      const unknown = this.unknown.splice(mark);
      const own = (f: { fragment: SqlFragment }) => f.fragment === bound.from;
      reused = findings.every((f) => own(f) && (f.fix ?? []).every(own)) && unknown.every(own) ? { findings, unknown } : null;
      byQuery.set(bound.canonical, reused);
    }
    if (!reused) return null;
    const findings = reused.findings.map((f) => rebindFinding(f, bound));
    for (const u of reused.unknown) this.unknown.push({ ...u, fragment: bound.to });
    this.memo.set(query, new Map([[false, { findings, pendings: [] }]]));
    return findings;
  }

  /**
   * The target of an UPDATE / DELETE … RETURNING: writing to soft-deleted rows may be the point (the soft delete
   * itself, a purge, an erasure), but RETURNING then hands those rows back to the application as if they were
   * live. Not reported when the UPDATE sets the soft-delete column (the soft delete or the restore itself) or
   * when the WHERE constrains the column on purpose.
   */
  checkReturning(write: Write): ReadFinding[] {
    const { scope, target } = write;
    if (write.kind === 'insert' || !scope || write.currentOf || write.returning.length === 0) return [];
    const relation = findRelation(this.context.schema, target.schema, target.name, this.context.settings.searchPath);
    if (relation && relation.kind !== 'table') return [];
    return this.requirementsOfRelation(target.schema, target.name, relation).flatMap((requirement) => {
      if (write.sets.some((s) => requirement.columns.includes(s.column))) return [];
      const verdict = this.verdict(target, scope, requirement);
      if (verdict !== 'missing' && verdict !== 'or-defeated' && verdict !== 'never-true') return [];
      return [{ ...finding({ ref: target, scope, requirement }, verdict, null), returning: true }];
    });
  }

  /**
   * For a definition (view, stream table): findings, and — when `passThrough` — the requirements its readers inherit.
   */
  checkDefinition(
    query: Query,
    passThrough: boolean,
  ): { findings: ReadFinding[]; inherited: Array<{ requirement: Requirement; finding: ReadFinding }> } {
    const result = this.analyze(query, passThrough);
    return {
      findings: dedupe(result.findings),
      inherited: result.pendings.map((p) => ({ requirement: p.requirement, finding: finding(p.origin, p.verdict, null) })),
    };
  }

  private analyze(query: Query, passThrough: boolean): QueryResult {
    let byMode = this.memo.get(query);
    const hit = byMode?.get(passThrough);
    if (hit) return hit;
    const result: QueryResult = { findings: [], pendings: [] };
    if (!byMode) this.memo.set(query, (byMode = new Map()));
    byMode.set(passThrough, result); // guards against cycles
    for (const cte of query.ctes) result.findings.push(...this.analyze(cte.query, true).findings);
    if (query.kind === 'select') this.analyzeScope(query.scope, passThrough, result);
    else if (query.kind === 'set') this.analyzeSet(query, passThrough, result);
    else for (const sub of query.subqueries) this.closed(sub, result);
    return result;
  }

  /**
   * A UNION [ALL] that passes the soft-delete column through in every branch can be filtered by its reader, as a
   * single SELECT can: filtering the union is filtering each branch. Columns are matched by position and take
   * the first branch's names. INTERSECT, EXCEPT and a LIMIT on the union do not commute with a filter outside.
   */
  private analyzeSet(query: Extract<Query, { kind: 'set' }>, passThrough: boolean, result: QueryResult): void {
    this.markCovered(query);
    const names = outputNames(query);
    const canPass = passThrough && (query.op === 'union' || query.op === 'union-all') && !query.nonMonotone && names !== null;
    for (const branch of query.branches) {
      if (!canPass) {
        this.closed(branch, result);
        continue;
      }
      const inner = this.analyze(branch, true);
      result.findings.push(...inner.findings);
      const branchNames = outputNames(branch);
      for (const pending of inner.pendings) {
        const renames = new Map<string, string>();
        for (const column of pending.requirement.columns) {
          const at = branchNames?.indexOf(column) ?? -1;
          if (at >= 0 && names[at]) renames.set(column, names[at]!);
        }
        if (renames.size === pending.requirement.columns.length) {
          result.pendings.push({ ...pending, requirement: renameRequirement(pending.requirement, renames) });
        } else result.findings.push(finding(pending.origin, pending.verdict, null));
      }
    }
  }

  /**
   * References of a set operation's branches whose soft-deleted rows cannot change its result, because another
   * branch decides their fate: in an INTERSECT, or on the right of an EXCEPT, when the other side returns keys of
   * live rows of the same table at the position where this branch returns the reference's key (a deleted row's key
   * never matches a live row's); in a UNION, or on the left of an EXCEPT, when another branch returns the same
   * columns of every soft-deleted row of the table (`… UNION SELECT id FROM users WHERE deleted_at IS NOT NULL`).
   */
  private markCovered(query: Extract<Query, { kind: 'set' }>): void {
    const { op, branches } = query;
    // Compares branches pairwise: a chain of more than a few dozen (generated SQL) is left as reported.
    if (branches.length > BRANCHES_JUDGED_ALONE) return;
    branches.forEach((branch, i) => {
      if (branch.kind !== 'select' || !monotone(branch.scope)) return;
      for (const ref of branch.scope.refs) {
        if (ref.kind !== 'table') continue;
        const relation = findRelation(this.context.schema, ref.schema, ref.name, this.context.settings.searchPath);
        if (relation?.kind !== 'table') continue;
        const requirements = this.requirementsOfRelation(ref.schema, ref.name, relation);
        if (requirements.length !== 1) continue;
        const requirement = requirements[0]!;
        const key = relation.primaryKey?.length === 1 ? relation.primaryKey[0]! : null;
        const bound = (c: OutputColumn['column']) => !!c && (c.qualifier === ref.exposed || (c.qualifier === null && branch.scope.refs.length === 1));
        const keyAt = key ? branch.scope.outputs.findIndex((o) => o.column?.name === key && bound(o.column)) : -1;
        const liveKeyThere = (other: Query) => keyAt >= 0 && this.liveKeyOutputs(other, relation, key!, requirement).positions.has(keyAt);
        const others = branches.filter((_, j) => j !== i);
        let covered = false;
        if (op === 'intersect' || op === 'intersect-all') covered = others.some(liveKeyThere);
        else if ((op === 'except' || op === 'except-all') && i > 0) covered = liveKeyThere(branches[0]!);
        else if (op === 'union' || (op === 'except' && i === 0)) {
          const columns = branch.scope.outputs.map((o) => (bound(o.column) ? o.column!.name : null));
          if (columns.every((c) => c !== null)) {
            covered = (op === 'union' ? others : branches.slice(1)).some((other) => this.returnsEveryDeletedRow(other, relation, requirement, columns as string[]));
          }
        }
        if (covered) this.covered.add(ref);
      }
    });
  }

  /**
   * Does `query` read soft-deleted rows of `relation` on purpose, returning the given columns of every one of them
   * (`SELECT id FROM users WHERE deleted_at IS NOT NULL`)?
   */
  private returnsEveryDeletedRow(query: Query, relation: RelationInfo, requirement: Requirement, columns: string[]): boolean {
    if (query.kind !== 'select') return false;
    const { scope } = query;
    const only = scope.refs[0];
    if (scope.refs.length !== 1 || only?.kind !== 'table' || !monotone(scope) || scope.raw?.groupClause) return false;
    if (findRelation(this.context.schema, only.schema, only.name, this.context.settings.searchPath) !== relation) return false;
    const outputs = scope.outputs.map((o) => (o.column && (o.column.qualifier === null || o.column.qualifier === only.exposed) ? o.column.name : null));
    if (outputs.length !== columns.length || outputs.some((c, i) => c !== columns[i])) return false;
    const deleted = negateAtom(requirement.predicate);
    if (!deleted) return false;
    // On purpose: a branch that reads every row unfiltered is itself reported, and once fixed covers nothing.
    const where = conjuncts(scope.where);
    return where.some((c) => mentions(c, requirement, binderFor(only))) && where.every((c) => implies(deleted, c, binderFor(only)));
  }

  /** A query nothing outside can filter: its pendings become findings. */
  private closed(query: Query, into: QueryResult): void {
    const inner = this.analyze(query, false);
    into.findings.push(...inner.findings);
  }

  private analyzeScope(scope: Scope, passThrough: boolean, result: QueryResult): void {
    for (const ref of scope.refs) {
      for (const { requirement, origin, via } of this.requirementsOf(ref, scope, result)) {
        const verdict = this.verdict(ref, scope, requirement);
        if (verdict === 'unknown') {
          const at = origin.ref;
          this.unknown.push({ fragment: origin.scope.source.fragment, start: at.span.start, end: at.span.end, table: at.schema ? `${at.schema}.${at.name}` : at.name, filter: requirement.text });
        }
        if (verdict === 'filtered' || verdict === 'deliberate' || verdict === 'unknown') continue;
        if (verdict === 'missing' && (this.covered.has(ref) || this.tiedToFiltered(ref, scope, requirement) || this.unusedOuterJoin(ref, scope))) continue;
        // After LIMIT, DISTINCT ON or a window function, a filter outside no longer restores what the input lost.
        const passed = passThrough ? passThroughRequirement(scope, ref, requirement) : null;
        if (passed && !scope.nonMonotone) result.pendings.push({ origin, requirement: passed, verdict });
        else {
          const found = finding(origin, verdict, via);
          found.displacing = !!passed;
          result.findings.push(found);
        }
      }
    }
    for (const sub of scope.subqueries) this.closed(sub, result);
  }

  private requirementsOf(
    ref: FromRef,
    scope: Scope,
    result: QueryResult,
  ): Array<{ requirement: Requirement; origin: Origin; via: string | null }> {
    if (ref.kind === 'table') {
      const relation = findRelation(this.context.schema, ref.schema, ref.name, this.context.settings.searchPath);
      const isView = !!relation && relation.kind !== 'table';
      return this.requirementsOfRelation(ref.schema, ref.name, relation).map((requirement) => ({
        requirement,
        origin: { ref, scope, requirement, primaryKey: relation?.kind === 'table' ? relation.primaryKey : undefined },
        via: isView ? ref.name : null,
      }));
    }
    const inner = this.analyze(ref.query, true);
    result.findings.push(...inner.findings);
    const via = ref.cte ?? (ref.alias ? `(subquery ${ref.alias})` : '(subquery)');
    return inner.pendings.map((p) => ({ requirement: p.requirement, origin: p.origin, via }));
  }

  /**
   * Is the reference tied by its primary key to another reference of the same table that is filtered
   * (`JOIN users u ON u.id = o.user_id AND u.deleted_at IS NULL JOIN users u2 ON u2.id = o.user_id`)? Then both
   * read the same row, and that row is live.
   */
  private tiedToFiltered(ref: FromRef, scope: Scope, requirement: Requirement): boolean {
    // Quadratic in the scope's references: a scope of hundreds of joins (generated SQL) is left as reported.
    if (ref.kind !== 'table' || scope.refs.length > 32 || effectivelyNullable(ref, scope)) return false;
    const relation = findRelation(this.context.schema, ref.schema, ref.name, this.context.settings.searchPath);
    const key = relation?.kind === 'table' && relation.primaryKey?.length === 1 ? relation.primaryKey[0]! : null;
    if (!key) return false;
    const parent = new Map<string, string>();
    const find = (x: string): string => {
      const p = parent.get(x);
      if (!p || p === x) return x;
      const root = find(p);
      parent.set(x, root);
      return root;
    };
    const name = (c: ColumnRef) => `${c.qualifier ?? ''}.${c.name}`;
    for (const c of [...scope.refs.filter((r) => !r.nullable).flatMap((r) => r.on), ...conjuncts(scope.where)]) {
      if (c.kind === 'column-eq' && c.left.qualifier && c.right.qualifier) parent.set(find(name(c.left)), find(name(c.right)));
    }
    const mine = find(`${ref.exposed}.${key}`);
    const table = relation!;
    return (
      scope.refs.some(
      (other) =>
        other !== ref &&
        other.kind === 'table' &&
        other.name === ref.name &&
        other.schema === ref.schema &&
        !effectivelyNullable(other, scope) &&
        find(`${other.exposed}.${key}`) === mine &&
        this.verdict(other, scope, requirement) === 'filtered',
    ) ||
      // Tied to the key of a live row another way: `JOIN active_users a USING (id)` (a view or subquery whose
      // rows are filtered rows of the same table), `u.id IN (SELECT id FROM users WHERE deleted_at IS NULL)`.
      scope.refs.some(
        (other) =>
          other !== ref &&
          !effectivelyNullable(other, scope) &&
          [...this.liveKeys(other, table, key, requirement).names].some((column) => find(`${other.exposed}.${column}`) === mine),
      ) ||
      scope.sublinks.some(
        (link) =>
          link.kind === 'in' &&
          link.column !== null &&
          (link.column.qualifier !== null || scope.refs.length === 1) &&
          find(name({ ...link.column, qualifier: link.column.qualifier ?? ref.exposed })) === mine &&
          outputCount(link.query) === 1 &&
          this.liveKeyOutputs(link.query, table, key, requirement).positions.has(0),
      )
    );
  }

  /**
   * Output columns of a FROM item that carry the primary key of a live row of `relation`: a plain view (not a
   * materialized one, whose rows may predate the soft delete) or a subquery over that table, filtered.
   */
  private liveKeys(ref: FromRef, relation: RelationInfo, key: string, requirement: Requirement): { names: Set<string> } {
    if (ref.kind === 'derived') return this.liveKeyOutputs(ref.query, relation, key, requirement);
    const view = findRelation(this.context.schema, ref.schema, ref.name, this.context.settings.searchPath);
    if (view?.kind !== 'view' || !view.query) return { names: new Set() };
    let byView = this.viewQueries.get(view);
    if (byView === undefined) {
      const outcome = parseFragment(wholeFileFragment(view.query.text));
      const model = outcome.ok ? lowerStatement(outcome.source, 0) : null;
      byView = model?.reads[0] ?? null;
      this.viewQueries.set(view, byView);
    }
    if (!byView) return { names: new Set() };
    const outputs = this.liveKeyOutputs(byView, relation, key, requirement);
    // `CREATE VIEW v (a, b) AS …` renames the outputs by position.
    const names = outputNames(byView);
    if (!names || view.columns.length !== names.length) return outputs;
    return { names: new Set([...outputs.positions].map((p) => view.columns[p]!)) };
  }

  /** Positions and names of a query's outputs that are the key of a filtered reference of `relation`. */
  private liveKeyOutputs(query: Query, relation: RelationInfo, key: string, requirement: Requirement): { names: Set<string>; positions: Set<number> } {
    const found = { names: new Set<string>(), positions: new Set<number>() };
    if (query.kind !== 'select') return found;
    const { scope } = query;
    scope.outputs.forEach((o, position) => {
      if (!o.column || o.column.name !== key || !o.name) return;
      const { qualifier } = o.column;
      const source = scope.refs.find((r) => (qualifier === null ? scope.refs.length === 1 : r.exposed === qualifier));
      if (source?.kind !== 'table' || findRelation(this.context.schema, source.schema, source.name, this.context.settings.searchPath) !== relation) return;
      if (this.verdict(source, scope, requirement) !== 'filtered') return;
      found.names.add(o.name);
      found.positions.add(position);
    });
    return found;
  }

  /**
   * A LEFT JOIN on the key of the joined table whose columns are used nowhere but in its own ON: it matches at
   * most one row and adds nothing to the result, so its soft-deleted rows cannot reach the application.
   */
  private unusedOuterJoin(ref: FromRef, scope: Scope): boolean {
    if (ref.kind !== 'table' || !ref.outerJoin || !ref.onClause || ref.fullJoin || !scope.raw) return false;
    const relation = findRelation(this.context.schema, ref.schema, ref.name, this.context.settings.searchPath);
    const key = relation?.kind === 'table' && relation.primaryKey?.length === 1 ? relation.primaryKey[0]! : null;
    if (!relation || !key) return false;
    const onKey = (c: ColumnRef) => c.qualifier === ref.exposed && c.name === key;
    const unique = conjuncts(ref.onClause.predicate).some(
      (c) =>
        (c.kind === 'column-eq' &&
          ((onKey(c.left) && c.right.qualifier !== null && c.right.qualifier !== ref.exposed) ||
            (onKey(c.right) && c.left.qualifier !== null && c.left.qualifier !== ref.exposed))) ||
        (c.kind === 'compare' && c.op === '=' && onKey(c.column)),
    );
    if (!unique) return false;
    return !columnUses(scope.raw, ref.outerJoin.quals).some((use) =>
      use.qualifier === null
        ? use.name === null || use.name === ref.exposed || relation.columns.length === 0 || relation.columns.includes(use.name)
        : use.qualifier === ref.exposed,
    );
  }

  /**
   * The verdict for a reference, with the conjuncts of a correlated `EXISTS` in WHERE that constrain the outer
   * row (`WHERE EXISTS (SELECT 1 FROM tags t WHERE t.user_id = o.user_id AND deleted_at IS NULL)`, where
   * `deleted_at` is not a column of `tags` and so is the outer `o`'s): they filter it as a WHERE conjunct would.
   */
  private verdict(ref: FromRef, scope: Scope, requirement: Requirement): ReadVerdict {
    // `… WHERE x IN (SELECT … WHERE plan = 'pro' AND plan = 'free')`: the subquery returns nothing, nor does the scope.
    if (scope.sublinks.some((link) => link.query.kind === 'select' && neverReturns(link.query.scope))) return 'filtered';
    return judge(ref, scope, requirement, this.outwardConjuncts(ref, scope));
  }

  private outwardConjuncts(ref: FromRef, scope: Scope): Predicate[] {
    const found: Predicate[] = [];
    for (const link of scope.sublinks) {
      if (link.kind !== 'exists' || link.query.kind !== 'select') continue;
      const inner = link.query.scope;
      const exposed = new Set(inner.refs.map((r) => r.exposed));
      const innerColumns = inner.refs.map((r) =>
        r.kind === 'table' ? (findRelation(this.context.schema, r.schema, r.name, this.context.settings.searchPath)?.columns ?? []) : [],
      );
      const outerOthers = scope.refs.filter((r) => r !== ref);
      const bindsOutward = (c: ColumnRef): boolean => {
        if (c.qualifier !== null) return c.qualifier === ref.exposed && !exposed.has(c.qualifier);
        // Unqualified: no inner relation may have the column (their columns must be known), and no other outer one.
        const absent = (r: FromRef, columns: string[]) => r.kind === 'table' && columns.length > 0 && !columns.includes(c.name);
        return (
          inner.refs.every((r, i) => absent(r, innerColumns[i]!)) &&
          outerOthers.every((r) => r.kind === 'table' && absent(r, findRelation(this.context.schema, r.schema, r.name, this.context.settings.searchPath)?.columns ?? []))
        );
      };
      for (const c of conjuncts(inner.where)) {
        const columns = atoms(c).flatMap(atomColumns);
        if (columns.length > 0 && columns.every(bindsOutward)) found.push(c);
      }
    }
    return found;
  }

  /** The active-row requirements a read of this relation must satisfy (empty: not soft-delete, or safe). */
  requirementsOfRelation(schema: string | null, name: string, relation: RelationInfo | undefined): Requirement[] {
    const { settings } = this.context;
    const setting = tableSetting(settings, relation?.schema ?? schema ?? settings.searchPath[0] ?? 'public', name);
    if (setting === false) return [];
    if (setting?.active) {
      const req = requirementFromSql(setting.active);
      return req ? [req] : [];
    }
    if (setting?.column) return [columnRequirement(setting.column)];
    if (!relation) return [];
    if (relation.kind !== 'table') return this.viewRequirements(relation);
    const requirement = markerRequirement(settings.columns, relation);
    if (!requirement) return [];
    if (settings.trustRls && relation.rlsEnabled && this.policyFilters(relation, requirement)) return [];
    return [requirement];
  }

  private policyFilters(relation: RelationInfo, requirement: Requirement): boolean {
    return relation.policies.some((p) => {
      if (!p.using) return false;
      const using = requirementFromSql(p.using);
      return !!using && implies(using.predicate, requirement.predicate, () => true);
    });
  }

  /**
   * The verdicts on a view's, materialized view's or stream table's definition as the schema recorded it (its
   * columns passed through to readers): null when there is no readable definition.
   */
  recordedDefinition(relation: RelationInfo): ReturnType<ReadAnalyzer['checkDefinition']> | null {
    if (!relation.query) return null;
    const outcome = parseFragment(wholeFileFragment(relation.query.text));
    const query = outcome.ok ? lowerStatement(outcome.source, 0)?.reads[0] : undefined;
    return query ? new ReadAnalyzer(this.context).checkDefinition(query, true) : null;
  }

  /** A view / materialized view / stream table: readers inherit what its definition passes through unfiltered. */
  private viewRequirements(relation: RelationInfo): Requirement[] {
    let bySettings = ReadAnalyzer.viewStatus.get(this.context.schema);
    if (!bySettings) ReadAnalyzer.viewStatus.set(this.context.schema, (bySettings = new Map()));
    let statuses = bySettings.get(this.settingsKey);
    if (!statuses) bySettings.set(this.settingsKey, (statuses = new Map()));
    const known = statuses.get(relation);
    if (known === 'computing') return [];
    if (known) return known.requirements;
    statuses.set(relation, 'computing');
    let requirements: Requirement[] = [];
    try {
      const definition = this.recordedDefinition(relation);
      if (definition) requirements = definition.inherited.filter((i) => exposesColumns(relation, i.requirement)).map((i) => i.requirement);
    } finally {
      statuses.set(relation, { requirements });
    }
    return requirements;
  }
}

/**
 * Does a view really expose the columns a requirement needs? Its recorded columns are those it had when created
 * (PostgreSQL expands `*` then): a `deleted_at` added to the table later is not in the view. Unknown columns
 * (empty list) are given the benefit of the doubt.
 */
export function exposesColumns(relation: RelationInfo, requirement: Requirement): boolean {
  return relation.columns.length === 0 || requirement.columns.every((c) => relation.columns.includes(c));
}

function dedupe(findings: ReadFinding[]): ReadFinding[] {
  const seen = new Set<string>();
  return findings.filter((f) => {
    const key = `${f.fragment.toSource(f.start)}:${f.filter}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function binderFor(ref: FromRef): Binder {
  return (column) => column.qualifier === null || column.qualifier === ref.exposed;
}

function mentions(predicate: Predicate, requirement: Requirement, binds: Binder): boolean {
  return atoms(predicate).some((a) => atomColumns(a).some((c) => binds(c) && requirement.columns.includes(c.name)));
}

function hasNever(predicate: Predicate, requirement: Requirement, binds: Binder): boolean {
  return atoms(predicate).some((a) => a.kind === 'never' && binds(a.column) && requirement.columns.includes(a.column.name));
}

/** Where the `= NULL` on the reference's soft-delete column sits (see ReadFinding.neverIn). */
function whereIsNever(ref: FromRef, scope: Scope, requirement: Requirement): ReadFinding['neverIn'] {
  const binds = binderFor(ref);
  const isNever = (p: Predicate) => hasNever(p, requirement, binds);
  const inOr = (p: Predicate) => conjuncts(p).some((c) => c.kind === 'or' && isNever(c));
  if (ref.nullable && ref.onClause && isNever(ref.onClause.predicate) && !inOr(ref.onClause.predicate)) return 'outer-on';
  const all: Predicate = { kind: 'and', args: [...ref.on, ...conjuncts(scope.where)] };
  return conjuncts(all).some((c) => c.kind !== 'or' && isNever(c)) ? 'conjunct' : inOr(all) ? 'or' : 'conjunct';
}

function hasOpaque(predicate: Predicate): boolean {
  return atoms(predicate).some((a) => a.kind === 'opaque');
}

/**
 * An OR among the conjuncts where one branch filters and another lets deleted rows through unconstrained. When every
 * branch constrains the soft-delete column (`deleted_at IS NULL OR deleted_at >= now() - interval '30 days'`), the
 * read of deleted rows is deliberate.
 */
function orDefeats(predicate: Predicate, requirement: Requirement, binds: Binder): boolean {
  return conjuncts(predicate).some((c) => {
    if (c.kind !== 'or') return false;
    const filters = c.args.some((branch) => implies(branch, requirement.predicate, binds) || orDefeats(branch, requirement, binds));
    return filters && c.args.some((branch) => !mentions(branch, requirement, binds));
  });
}

const qualifiedBy = (names: string[]) => (c: ColumnRef) => c.qualifier !== null && names.includes(c.qualifier);

/**
 * Are the NULL-extended rows of the references exposed as `names` rejected after the join — by a WHERE conjunct
 * (`r.room IS NOT NULL`, `r.kind = 'x'`, `r.name LIKE 'x%'`, `r.id = o.id`) or by the ON of a later inner join?
 */
function nullsRejected(names: string[], ref: FromRef, scope: Scope): boolean {
  const binds = qualifiedBy(names);
  return [...conjuncts(scope.where), ...ref.rejecting].some((c) => rejectsNulls(c, binds));
}

/**
 * Is the reference really null-extended? When its NULL-extended rows are rejected anyway, the outer join is
 * effectively inner for it, and a soft-delete filter in WHERE is then right.
 */
function effectivelyNullable(ref: FromRef, scope: Scope): boolean {
  return ref.nullable && !nullsRejected([ref.exposed], ref, scope);
}

/**
 * The ON conjuncts that filter the reference: those of inner joins and of its own outer join, and those of an
 * outer join where it is on a preserved side once the other side's NULL-extended rows are rejected (the join is
 * then inner).
 */
function filteringOn(ref: FromRef, scope: Scope): Predicate[] {
  return [...ref.on, ...ref.conditionalOn.filter((j) => nullsRejected(j.other, ref, scope)).flatMap((j) => j.on)];
}

/** The verdict for one reference of a soft-delete relation and one requirement. */
export function judge(ref: FromRef, scope: Scope, requirement: Requirement, extraWhere: Predicate[] = []): ReadVerdict {
  const binds = binderFor(ref);
  const req = requirement.predicate;
  // `SELECT count(*) FILTER (WHERE deleted_at IS NULL) FROM t`: every output counts live rows only.
  if (scope.aggregateFilters?.every((f) => implies(f, req, binds)) && scope.refs.length === 1) return 'filtered';
  const whereConjuncts = [...conjuncts(scope.where), ...extraWhere];
  const nullable = effectivelyNullable(ref, scope);
  const on = filteringOn(ref, scope);
  const guard = pruneContradictions({ kind: 'and', args: nullable ? on : [...on, ...whereConjuncts] });
  if (implies(guard, req, binds)) return 'filtered';
  const everything = pruneContradictions({ kind: 'and', args: [...on, ...whereConjuncts] });
  if (hasNever(everything, requirement, binds)) return 'never-true';
  if (orDefeats(everything, requirement, binds)) return 'or-defeated';
  if (hasOpaque(everything)) return 'unknown';
  const where = pruneContradictions({ kind: 'and', args: whereConjuncts });
  // Null-extended and tested in WHERE (`IS NULL`, `COALESCE(…)`, an OR with IS NULL: the NULL-accepting tests, as
  // a test that rejects NULLs makes the join inner): the rows whose match was soft-deleted are dropped.
  if (nullable && mentions(where, requirement, binds)) return ref.fullJoin ? 'full-join' : 'outer-where';
  if (mentions(everything, requirement, binds)) return 'deliberate';
  return nullable && ref.fullJoin ? 'full-join' : 'missing';
}

/** The requirement restated over the scope's output columns, when the scope passes every needed column through. */
function passThroughRequirement(scope: Scope, ref: FromRef, requirement: Requirement): Requirement | null {
  // The filter computed into a column (`deleted_at IS NULL AS live`): the reader filters with `WHERE live`.
  const binds = binderFor(ref);
  const computed = scope.outputs.find((o) => o.name && o.predicate && implies(o.predicate, requirement.predicate, binds));
  if (computed?.name) {
    const column: ColumnRef = { qualifier: null, name: computed.name, location: -1 };
    return { predicate: { kind: 'bool-test', column, value: true, location: -1 }, text: quoteIdent(computed.name), columns: [computed.name] };
  }
  const names = new Map<string, string>();
  for (const column of requirement.columns) {
    let out: string | null = null;
    for (const o of scope.outputs) {
      if (o.star && (o.starQualifier === null || o.starQualifier === ref.exposed)) out = column;
      else if (o.column && o.name && o.column.name === column && (o.column.qualifier === null || o.column.qualifier === ref.exposed)) out = o.name;
      if (out) break;
    }
    if (!out) return null;
    names.set(column, out);
  }
  return renameRequirement(requirement, names);
}

/** Where each finding came from, to re-bind a reused one (its code fix is the new fragment's). */
const madeFrom = new WeakMap<ReadFinding, { origin: Origin; qualifier: string | null }>();

/**
 * A finding of a canonical statement as the same check finds it on `bound.to`: there, in the file's coordinates
 * of that fragment; no SQL fix when that fragment cannot be edited; the code fix of that fragment's front end.
 */
function rebindFinding(f: ReadFinding, bound: BoundQuery): ReadFinding {
  const fragment = bound.to;
  const made = madeFrom.get(f);
  return {
    ...f,
    fragment,
    fix: fragment.fixable === false || !f.fix ? null : f.fix.map((edit) => ({ ...edit, fragment })),
    codeFix: f.verdict === 'missing' && f.via === null && made ? codeFixOf(made.origin, made.qualifier, fragment) : null,
  };
}

function finding(origin: Origin, verdict: ReportedVerdict, via: string | null): ReadFinding {
  const { ref, scope } = origin;
  // A lone unaliased table needs no qualifier; PostgreSQL lets `FROM public.users` be qualified as `users.`.
  const qualifier = ref.alias ?? (scope.refs.every((r) => r === ref) ? null : ref.name);
  const filter = renderRequirement(origin.requirement, qualifier);
  const made: ReadFinding = {
    verdict,
    fragment: scope.source.fragment,
    start: ref.span.start,
    end: ref.span.end,
    table: ref.schema ? `${ref.schema}.${ref.name}` : ref.name,
    relation: { schema: ref.schema, name: ref.name },
    alias: ref.alias,
    filter,
    via,
    fix: fixOfFinding(origin, verdict, filter),
    codeFix: verdict === 'missing' && via === null ? codeFixOf(origin, qualifier) : null,
    pinnedColumns: pinnedColumns(ref, scope),
    displacing: false,
    returning: false,
    neverIn: verdict === 'never-true' ? whereIsNever(ref, scope, origin.requirement) : null,
    antiJoin: isAntiJoin(origin),
  };
  madeFrom.set(made, { origin, qualifier });
  return made;
}

/**
 * The filter of a finding on builder / ORM code, written by the front end in the code's idiom: only for a plain
 * `col IS NULL` / `NOT col` requirement on a reference that is not on the nullable side of an outer join (there the
 * filter belongs in the join's ON, which builders spell in too many ways to edit safely).
 */
function codeFixOf(origin: Origin, qualifier: string | null, fragment = origin.scope.source.fragment): CodeFilter | null {
  const { ref, scope, requirement } = origin;
  if (!fragment.codeFilter || effectivelyNullable(ref, scope)) return null;
  const p = requirement.predicate;
  let request: FilterRequest | null = null;
  if (p.kind === 'null-test' && p.isNull) request = { column: p.column.name, qualifier, test: 'is-null' };
  else if (p.kind === 'bool-test' && !p.value) request = { column: p.column.name, qualifier, test: 'is-false' };
  return request ? fragment.codeFilter(fragment.toSource(ref.span.start), request) : null;
}

/**
 * `LEFT JOIN orders o ON o.user_id = u.id … WHERE o.id IS NULL`: WHERE keeps only the rows without a match, by
 * testing a column of the nullable side that a match never leaves NULL (its primary key, or a column its ON
 * compares with `=`).
 */
function isAntiJoin(origin: Origin): boolean {
  const { ref, scope, requirement } = origin;
  if (!ref.nullable || ref.fullJoin) return false;
  const bound = (c: { qualifier: string | null }) => c.qualifier === ref.exposed;
  const matched = new Set(origin.primaryKey ?? []);
  for (const a of ref.on.flatMap((p) => atoms(p))) {
    if (a.kind === 'column-eq') for (const c of [a.left, a.right]) if (bound(c)) matched.add(c.name);
    if (a.kind === 'compare' && a.op === '=' && bound(a.column)) matched.add(a.column.name);
  }
  return conjuncts(scope.where).some(
    (c) => c.kind === 'null-test' && c.isNull && bound(c.column) && matched.has(c.column.name) && !requirement.columns.includes(c.column.name),
  );
}

/** The edits that fix a finding, when a safe one exists. SQL synthesized from builder code cannot be edited. */
function fixOfFinding(origin: Origin, verdict: ReportedVerdict, filter: string): FragmentEdit[] | null {
  if (origin.scope.source.fragment.fixable === false) return null;
  // An active predicate with a top-level OR (`deleted_at IS NULL OR deleted_at > now()`) is added in parentheses.
  const conjunct = origin.requirement.predicate.kind === 'or' && !origin.requirement.alternatives ? `(${filter})` : filter;
  if (verdict === 'missing') return fixFor(origin.ref, origin.scope, conjunct);
  if (verdict === 'full-join') return filterBeforeJoin(origin);
  return verdict === 'outer-where' ? moveToOn(origin, conjunct) : null;
}

/**
 * A side of a FULL JOIN is filtered before the join: `orgs g` becomes `(SELECT * FROM orgs WHERE deleted_at IS
 * NULL) g`. Neither ON (which filters nothing there) nor WHERE (which also drops the other side's rows whose
 * only match was soft-deleted) is right.
 */
function filterBeforeJoin(origin: Origin): FragmentEdit[] | null {
  const { ref, scope } = origin;
  const fragment = scope.source.fragment;
  const name = fragment.text.slice(ref.span.start, ref.span.end);
  if (!name) return null;
  const alias = ref.alias ? '' : ` ${quoteIdent(ref.name)}`;
  const text = `(SELECT * FROM ${name} WHERE ${renderRequirement(origin.requirement, null)})${alias}`;
  return [{ fragment, start: ref.span.start, end: ref.span.end, text }];
}

/**
 * Columns of `ref` that a conjunct of its guard pins to values: `= $1`, `IN (…)`, `= ANY($1)`, equality with a
 * column of a value list (`JOIN unnest($1) t(id) ON u.id = t.id`), or with a column of an outer row (a
 * correlated lookup such as `(SELECT … FROM deals WHERE id = tasks.deal)`).
 */
function pinnedColumns(ref: FromRef, scope: Scope): string[] {
  const binds = (c: { qualifier: string | null }) => c.qualifier === ref.exposed || (c.qualifier === null && scope.refs.length === 1);
  const exposed = new Set(scope.refs.map((r) => r.exposed));
  const isValue = (c: { qualifier: string | null }) =>
    c.qualifier !== null && (scope.valueAliases.includes(c.qualifier) || !exposed.has(c.qualifier));
  return [...ref.on, ...conjuncts(scope.where)].flatMap((c) => {
    if (c.kind === 'compare' && (c.op === '=' || c.op === 'in') && binds(c.column)) return [c.column.name];
    if (c.kind === 'column-eq') {
      if (binds(c.left) && isValue(c.right)) return [c.left.name];
      if (binds(c.right) && isValue(c.left)) return [c.right.name];
    }
    return [];
  });
}

/** Edits that add `filter` to the ON clause of a nullable reference, or to the scope's WHERE. */
function fixFor(ref: TableRef, scope: Scope, filter: string): FragmentEdit[] | null {
  const fragment = scope.source.fragment;
  const add = (clause: { exprStart: number; exprEnd: number }, predicate: Predicate): FragmentEdit[] =>
    predicate.kind === 'or'
      ? [
          { fragment, start: clause.exprStart, end: clause.exprStart, text: '(' },
          { fragment, start: clause.exprEnd, end: clause.exprEnd, text: `) AND ${filter}` },
        ]
      : [{ fragment, start: clause.exprEnd, end: clause.exprEnd, text: ` AND ${filter}` }];
  if (effectivelyNullable(ref, scope)) {
    if (!ref.onClause?.span) return null;
    return add(ref.onClause.span, ref.onClause.predicate);
  }
  const layout = scope.layout;
  if (!layout) return null;
  if (layout.where) return add(layout.where, scope.where);
  if (layout.newWhereAt !== null) return [{ fragment, start: layout.newWhereAt, end: layout.newWhereAt, text: ` WHERE ${filter}` }];
  return null;
}

/**
 * For a nullable reference filtered in WHERE: add the filter to its ON and take the WHERE conjunct out (only when
 * that conjunct is a plain top-level one we can delete cleanly).
 */
function moveToOn(origin: Origin, filter: string): FragmentEdit[] | null {
  const { ref, scope } = origin;
  const add = fixFor(ref, scope, filter);
  const layout = scope.layout?.where;
  if (!add || !layout) return null;
  const binds = binderFor(ref);
  const conjunct = conjuncts(scope.where).find((c) => implies(c, origin.requirement.predicate, binds));
  if (!conjunct || (conjunct.kind !== 'null-test' && conjunct.kind !== 'bool-test' && conjunct.kind !== 'compare')) return null;
  const tokens = scope.source.layout;
  const first = tokens.tokenIndexStartingAt(conjunct.column.location);
  if (first === undefined) return null;
  const depth = tokens.depth(first);
  const isAnd = (i: number) => tokens.isKeyword(i, 'AND') && tokens.depth(i) === depth;
  const exprEndIndex = tokens.indexAt(layout.exprEnd);
  let next = first;
  // Up to the next AND of the same level, or the `)` closing a parenthesised WHERE (`WHERE (a AND deleted_at IS NULL)`).
  while (next < exprEndIndex && !isAnd(next) && tokens.depth(next) >= depth) next++;
  const conjunctEnd = tokens.endBefore(next);
  const fragment = scope.source.fragment;
  const cut = (start: number, end: number): FragmentEdit => ({ fragment, start, end, text: '' });
  let removal: FragmentEdit;
  if (isAnd(first - 1)) removal = cut(tokens.endBefore(first - 1), conjunctEnd);
  else if (first - 1 !== layout.keyword) return null; // parenthesised or otherwise nested: leave it to the user
  else if (next < exprEndIndex) removal = cut(conjunct.column.location, tokens.tokens[next + 1]?.start ?? conjunctEnd);
  else removal = cut(tokens.endBefore(layout.keyword), conjunctEnd);
  // An insertion at the very place the removal starts must become one replacement (ESLint rejects overlaps).
  const touching = add.find((e) => e.start === removal.start);
  if (touching) return add.map((e) => (e === touching ? { ...e, end: removal.end } : e));
  return [...add, removal];
}

/**
 * Does removing input rows only remove output rows (no LIMIT / DISTINCT ON / window function, no HAVING, no
 * aggregate over everything)? Then the rows a soft-deleted row produces are all it changes.
 */
function monotone(scope: Scope): boolean {
  return !scope.nonMonotone && !scope.raw?.havingClause && scope.outputs.every((o) => o.star || o.column !== null);
}

/** A scope whose WHERE can never hold (conjuncts that contradict each other) returns no row. */
function neverReturns(scope: Scope): boolean {
  const where = pruneContradictions(scope.where);
  if (where.kind !== 'const' || where.value || !scope.raw || scope.raw.havingClause) return false;
  // An aggregate over no rows still returns one (`SELECT count(*) … WHERE false`): only columns and constants.
  return list(scope.raw.targetList).every((t) => {
    const value = fieldsOf(t, 'ResTarget')?.val;
    return !!(fieldsOf(value, 'ColumnRef') ?? fieldsOf(value, 'A_Const'));
  });
}

/** The negation of a one-atom requirement (`deleted_at IS NOT NULL`, `is_deleted`); null for anything else. */
function negateAtom(predicate: Predicate): Predicate | null {
  if (predicate.kind === 'null-test') return { ...predicate, isNull: !predicate.isNull };
  if (predicate.kind === 'bool-test') return { ...predicate, value: !predicate.value };
  return null;
}

/** The number of output columns, when known (no `*`). */
function outputCount(query: Query): number | null {
  return outputNames(query)?.length ?? null;
}

/** Output column names by position (null for an unnamed expression); null when a `*` hides the positions. */
function outputNames(query: Query): Array<string | null> | null {
  if (query.kind === 'set') return query.branches[0] ? outputNames(query.branches[0]) : null;
  if (query.kind !== 'select' || query.scope.outputs.some((o) => o.star)) return null;
  return query.scope.outputs.map((o) => o.name);
}

