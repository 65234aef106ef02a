/**
 * Lowering: a parsed statement becomes the statement model — which relations it reads, in which scopes, under
 * which predicates; which views / stream tables it defines; which uniques it declares. Checks only see this model.
 */
import type { RawNode } from './parser.js';
import type { SqlSource } from './source.js';
import type { SqlFragment } from './fragment.js';
import { sourceFromFragmentString, statementSource } from './source.js';
import { fieldsOf, firstLocation, list, nameList, num, pushChildren, str, unwrap, walkTree, type Fields } from './ast.js';
import { lowerDdl, queryNodeOf, type DdlEvent } from './ddl.js';
import { columnRef, conjuncts, lowerPredicate, type ColumnRef, type Predicate } from './predicate.js';
import { nameSpanInText, onClauseSpan, scopeLayout, type ClauseSpan, type ScopeLayout } from './layout.js';
import {
  lowerAddedColumns,
  lowerConstraints,
  lowerOnConflicts,
  type AddedColumn,
  type OnConflictTarget,
  type UniqueDeclaration,
} from './constraints.js';

export interface Span {
  start: number;
  end: number;
}

interface RefBase {
  /** Alias, if any. */
  alias: string | null;
  /** The name that qualifies this reference's columns (alias, or the relation name). */
  exposed: string;
  /** On the nullable side of an outer join. */
  nullable: boolean;
  /** Conjuncts of ON clauses that filter this reference's rows (inner joins, and its own outer join's ON). */
  on: Predicate[];
  /** The ON clause to extend when adding a filter for a nullable reference (its own outer join's ON). */
  onClause: { span: ClauseSpan | null; predicate: Predicate } | null;
  /** On either side of a FULL JOIN (preserved and null-extended at once: its ON filters neither side). */
  fullJoin: boolean;
  /**
   * ON conjuncts of enclosing inner joins applied after this reference is null-extended: like WHERE, they can
   * reject the NULL-extended rows (`a LEFT JOIN b ON … JOIN c ON c.id = b.id`).
   */
  rejecting: Predicate[];
  /**
   * ON clauses of outer joins where this reference is on a preserved side: they filter its rows only when the
   * other side's NULL-extended rows are rejected (WHERE `b.kind = 'x'` makes `a LEFT JOIN b` inner). `other`: the
   * names exposing the other side's references.
   */
  conditionalOn: Array<{ on: Predicate[]; other: string[] }>;
  /**
   * When this reference alone is the nullable side of a LEFT / RIGHT join (the innermost one): that join's ON
   * clause as parsed, so the uses of the reference outside its own ON can be told apart.
   */
  outerJoin: { quals: unknown } | null;
}

export interface TableRef extends RefBase {
  kind: 'table';
  schema: string | null;
  name: string;
  /** Span of the (qualified) name inside the source text. */
  span: Span;
}

export interface DerivedRef extends RefBase {
  kind: 'derived';
  /** The CTE name when this reads a CTE. */
  cte: string | null;
  query: Query;
}

export type FromRef = TableRef | DerivedRef;

export interface OutputColumn {
  /** Output name (null for an unnamed expression). */
  name: string | null;
  /** `*` or `q.*`. */
  star: boolean;
  starQualifier: string | null;
  /** A plain column reference passed through, if the target is one. */
  column: { qualifier: string | null; name: string } | null;
  /** A boolean expression computed into the column (`deleted_at IS NULL AS live`), if the target is one. */
  predicate: Predicate | null;
}

export interface Scope {
  source: SqlSource;
  kind: 'select' | 'update' | 'delete';
  refs: FromRef[];
  /** WHERE as a predicate (const true when absent). */
  where: Predicate;
  outputs: OutputColumn[];
  /** Subqueries in expressions (WHERE, select list, HAVING, ON …): each its own scope, never filtered from here. */
  subqueries: Query[];
  /** Aliases of FROM items that are lists of values, not relations: `unnest($1) t(id)`, `(VALUES …) v(id)`. */
  valueAliases: string[];
  /** Token of the leading keyword, for fixes (undefined when it cannot be found). */
  layout: ScopeLayout | null;
  /**
   * Rows of the result depend on other rows (LIMIT / OFFSET, DISTINCT ON, a window function): filtering the
   * result afterwards is not filtering the input, so a soft-delete column passed through cannot be filtered outside.
   */
  nonMonotone: boolean;
  /**
   * When every output is an aggregate with a FILTER clause (and nothing is grouped): those FILTER predicates.
   * `count(*) FILTER (WHERE deleted_at IS NULL)` counts live rows only. Null otherwise.
   */
  aggregateFilters: Predicate[] | null;
  /**
   * Subqueries that are top-level conjuncts of WHERE (not negated, not under an OR): `EXISTS (…)` and
   * `col IN (…)` / `col = ANY (…)` / `col = ANY (ARRAY(…))`. Each query is the same object as in `subqueries`.
   */
  sublinks: Array<{ kind: 'exists' | 'in'; column: ColumnRef | null; query: Query }>;
  /** The statement's parsed fields (a SELECT's), to find every use of a reference's columns; null for writes. */
  raw: Fields | null;
}

export type SetOperation = 'union' | 'union-all' | 'intersect' | 'intersect-all' | 'except' | 'except-all';

export type Query =
  | { kind: 'select'; scope: Scope; ctes: Cte[] }
  | { kind: 'set'; op: SetOperation; branches: Query[]; ctes: Cte[]; nonMonotone: boolean }
  | { kind: 'other'; subqueries: Query[]; ctes: Cte[] };

export interface Cte {
  name: string;
  query: Query;
}

export type DefinitionKind = 'view' | 'materialized-view' | 'stream-table' | 'immv' | 'continuous-aggregate';

export interface Definition {
  kind: DefinitionKind;
  /** As written: `name` or `schema.name`. */
  name: string;
  /** How it treats an existing relation of that name (`alter`: a new query for an existing stream table). */
  mode: 'create' | 'replace' | 'if-not-exists' | 'alter';
  /** Fragment index of the defining statement: the schema model records the same place as `definedAt`. */
  at: number;
  /** The defining query; null when it could not be parsed (error set). */
  query: Query | null;
  error: { message: string; fragment: SqlFragment; index: number } | null;
  /** Where the definition is named (the view name / the function call) in `source`. */
  span: Span;
  source: SqlSource;
}

/**
 * A write: the table an INSERT / UPDATE / DELETE writes (also inside a CTE), the predicate that selects the rows
 * an UPDATE / DELETE touches, the columns an UPDATE sets, and what RETURNING gives back.
 */
export interface Write {
  kind: 'insert' | 'update' | 'delete';
  target: TableRef;
  /** `UPDATE ONLY` / `DELETE FROM ONLY`: inheritance children are not written. */
  only: boolean;
  /** WHERE of an UPDATE / DELETE over the target and the FROM / USING items (const true when absent / INSERT). */
  where: Predicate;
  /** `WHERE CURRENT OF cursor`: the row is the cursor's, the predicate is unknown. */
  currentOf: boolean;
  /** UPDATE / DELETE: the scope of FROM / USING items (its `where` is the same predicate, its layout finds clauses). */
  scope: Scope | null;
  /** Columns an UPDATE assigns (`SET a = …`), with the kind of value. */
  sets: Array<{ column: string; span: Span; value: 'null' | 'default' | 'expression' }>;
  /** RETURNING items. */
  returning: OutputColumn[];
  /** From the leading INSERT / UPDATE / DELETE keyword to the end of the write (its statement or its CTE body). */
  span: Span | null;
}

export interface StatementModel {
  source: SqlSource;
  node: RawNode;
  type: string;
  start: number;
  end: number;
  /** Queries whose rows reach the application or another table: checked by require-soft-delete-filter. */
  reads: Query[];
  /** INSERT / UPDATE / DELETE targets, in the statement and in its CTEs (outermost first). */
  writes: Write[];
  /** Schema events of a DDL statement (what it creates, alters, drops), read once for the schema and the checks. */
  ddl: DdlEvent[];
  /** Views, materialized views, stream tables and IMMVs defined by this statement. */
  definitions: Definition[];
  /** UNIQUE constraints, unique indexes and `=`-only EXCLUDE constraints declared (require-partial-unique-index). */
  uniques: UniqueDeclaration[];
  /** Columns added by `ALTER TABLE … ADD COLUMN`. */
  addedColumns: AddedColumn[];
  /** Conflict targets of `INSERT … ON CONFLICT`. */
  onConflicts: OnConflictTarget[];
  /** Where the part of the statement nested deeper than MAX_LOWERING_DEPTH starts (absent: none was). */
  tooDeepAt?: number;
}

/**
 * The parts of the model found on first use (a scope's clause layout, an ON clause's span, a write's span) need the
 * token layout, which costs more than lowering: they are getters of these classes, computed once. A getter on the
 * prototype keeps one hidden class for every object of a kind (a property redefined as an accessor on each object
 * turns it into a slow dictionary object, and every check reading it pays for that).
 */
class LoweredScope implements Scope {
  nonMonotone = false;
  aggregateFilters: Predicate[] | null = null;
  sublinks: Scope['sublinks'] = [];
  raw: Fields | null = null;
  readonly #layout: OnFirstRead<ScopeLayout | null>;

  constructor(
    readonly source: SqlSource,
    readonly kind: Scope['kind'],
    readonly refs: FromRef[],
    readonly where: Predicate,
    readonly outputs: OutputColumn[],
    readonly subqueries: Query[],
    readonly valueAliases: string[],
    findLayout: () => ScopeLayout | null,
  ) {
    this.#layout = new OnFirstRead(findLayout);
  }

  get layout(): ScopeLayout | null {
    return this.#layout.value;
  }
}

class OnClause {
  readonly #span: OnFirstRead<ClauseSpan | null>;

  constructor(
    readonly predicate: Predicate,
    findSpan: () => ClauseSpan | null,
  ) {
    this.#span = new OnFirstRead(findSpan);
  }

  get span(): ClauseSpan | null {
    return this.#span.value;
  }
}

class LoweredWrite implements Write {
  readonly #span: OnFirstRead<Span | null>;

  constructor(
    readonly kind: Write['kind'],
    readonly target: TableRef,
    readonly only: boolean,
    readonly where: Predicate,
    readonly currentOf: boolean,
    readonly scope: Scope | null,
    readonly sets: Write['sets'],
    readonly returning: OutputColumn[],
    findSpan: () => Span | null,
  ) {
    this.#span = new OnFirstRead(findSpan);
  }

  get span(): Span | null {
    return this.#span.value;
  }
}

/** A value computed on its first read, then kept. */
class OnFirstRead<T> {
  #compute: (() => T) | null;
  #value: T | undefined;

  constructor(compute: () => T) {
    this.#compute = compute;
  }

  get value(): T {
    if (this.#compute) {
      this.#value = this.#compute();
      this.#compute = null;
    }
    return this.#value as T;
  }
}

/**
 * Deepest nesting of queries and FROM items lowered (subqueries, set-operation branches, CTEs, joins: each level one).
 * The parser cuts every tree at MAX_TREE_DEPTH JSON levels, and each of these levels takes at least two, so no parsed
 * statement reaches it; it bounds the statement model for every walk over it (lowering, the read analysis), whatever
 * tree it is given. What lies deeper is lowered as SQL the engine cannot see (no relation, no subquery) and said.
 */
export const MAX_LOWERING_DEPTH = 800;

class Lowerer {
  private readonly cteStack: Array<Map<string, Cte | 'self'>> = [];
  readonly writes: Write[] = [];
  /** The query lowered for each SubLink (by its parsed fields), to tie WHERE conjuncts to their subqueries. */
  private readonly sublinkQueries = new Map<unknown, Query>();

  /** Queries and FROM items being lowered, outermost first (see MAX_LOWERING_DEPTH). */
  private depth = 0;
  /** Where the first part left out for depth starts (-1: none). */
  tooDeepAt = -1;

  constructor(private readonly source: SqlSource) {}

  private opaque = (location: number): boolean => this.source.fragment.opaque.has(location);

  /** `lower()` one level deeper; past MAX_LOWERING_DEPTH, `unseen()` instead, and the place is noted. */
  private deeper<T>(node: unknown, lower: () => T, unseen: () => T): T {
    if (this.depth >= MAX_LOWERING_DEPTH) {
      const at = firstLocation(node);
      if (at >= 0 && (this.tooDeepAt < 0 || at < this.tooDeepAt)) this.tooDeepAt = at;
      return unseen();
    }
    this.depth++;
    try {
      return lower();
    } finally {
      this.depth--;
    }
  }

  lowerQuery(node: unknown): Query {
    return this.deeper(node, () => this.lowerQueryHere(node), () => ({ kind: 'other', subqueries: [], ctes: [] }));
  }

  private lowerQueryHere(node: unknown): Query {
    const fields = fieldsOf(node, 'SelectStmt') ?? (isBareSelect(node) ? (node as Fields) : undefined);
    if (fields) return this.lowerSelect(fields);
    const n = unwrap(node);
    if (n && (n.type === 'UpdateStmt' || n.type === 'DeleteStmt' || n.type === 'InsertStmt')) {
      const { query } = this.lowerModify(n.type, n.fields);
      return query;
    }
    return { kind: 'other', subqueries: this.collectSubqueries(node), ctes: [] };
  }

  private withCtes<T>(withClause: unknown, body: (ctes: Cte[]) => T): T {
    const w = fieldsOf(withClause, 'WithClause') ?? (withClause as Fields | undefined);
    const ctes: Cte[] = [];
    if (!w || !Array.isArray(w.ctes)) return body(ctes);
    const frame = new Map<string, Cte | 'self'>();
    this.cteStack.push(frame);
    try {
      for (const c of list(w.ctes)) {
        const cf = fieldsOf(c, 'CommonTableExpr');
        const name = str(cf?.ctename);
        if (!cf || !name) continue;
        if (w.recursive) frame.set(name, 'self');
        const cte: Cte = { name, query: this.lowerQuery(cf.ctequery) };
        frame.set(name, cte);
        ctes.push(cte);
      }
      return body(ctes);
    } finally {
      this.cteStack.pop();
    }
  }

  private findCte(name: string): Cte | 'self' | undefined {
    for (let i = this.cteStack.length - 1; i >= 0; i--) {
      const hit = this.cteStack[i]!.get(name);
      if (hit) return hit;
    }
    return undefined;
  }

  private lowerSelect(fields: Fields): Query {
    return this.withCtes(fields.withClause, (ctes) => {
      const op = str(fields.op);
      if (op && op !== 'SETOP_NONE') {
        const setOp = `${op.replace('SETOP_', '').toLowerCase()}${fields.all === true ? '-all' : ''}` as SetOperation;
        const branches = [this.lowerQuery(fields.larg), this.lowerQuery(fields.rarg)];
        // `a UNION b UNION c` is one operation over three branches; a different operation stays nested.
        const flat = branches.flatMap((b) => (b.kind === 'set' && b.ctes.length === 0 && b.op === setOp && !b.nonMonotone ? b.branches : [b]));
        return { kind: 'set', op: setOp, branches: flat, ctes, nonMonotone: fields.limitCount !== undefined || fields.limitOffset !== undefined };
      }
      if (Array.isArray(fields.valuesLists)) {
        return { kind: 'other', subqueries: this.collectSubqueries(fields.valuesLists), ctes };
      }
      const start = (): number | undefined => {
        const anchor = Math.min(...[firstLocation(fields.targetList), firstLocation(fields.fromClause)].filter((l) => l >= 0));
        return Number.isFinite(anchor) ? this.source.layout.keywordBefore(anchor, 'SELECT') : undefined;
      };
      const scope = this.buildScope('select', fields.fromClause, fields.whereClause, fields.targetList, start);
      const distinctOn = list(fields.distinctClause).some((d) => unwrap(d) !== undefined); // plain DISTINCT is [{}]
      scope.nonMonotone = distinctOn || fields.limitCount !== undefined || fields.limitOffset !== undefined || hasWindowFunction(fields.targetList);
      scope.aggregateFilters = fields.groupClause || fields.havingClause ? null : aggregateFilters(fields.targetList, this.opaque);
      scope.subqueries.push(
        ...this.collectSubqueries([fields.targetList, fields.whereClause, fields.havingClause, fields.groupClause, fields.sortClause, fields.limitCount, fields.limitOffset]),
      );
      scope.sublinks = this.sublinks(fields.whereClause);
      scope.raw = fields;
      return { kind: 'select', scope, ctes };
    });
  }

  lowerModify(type: string, fields: Fields): { query: Query; target: TableRef | null } {
    const index = this.writes.length;
    return this.withCtes(fields.withClause, (ctes) => {
      const target = this.tableRef(fields.relation);
      const returning = (fields.returningClause as Fields | undefined)?.exprs ?? fields.returningList;
      const rv = fieldsOf({ RangeVar: fields.relation }, 'RangeVar');
      const relLocation = num(rv?.location) ?? -1;
      const keyword = type === 'InsertStmt' ? 'INSERT' : type === 'UpdateStmt' ? 'UPDATE' : 'DELETE';
      const start = (): number | undefined => (relLocation >= 0 ? this.source.layout.keywordBefore(relLocation, keyword) : undefined);
      const record = (kind: Write['kind'], scope: Scope | null): void => {
        if (!target) return;
        const currentOf = !!fieldsOf(fields.whereClause, 'CurrentOfExpr');
        const w = new LoweredWrite(
          kind,
          target,
          rv?.inh !== true,
          scope ? scope.where : { kind: 'const', value: true },
          currentOf,
          scope,
          kind === 'update' ? this.setTargets(fields.targetList) : [],
          list(returning).map(outputColumn),
          () => {
            const first = start();
            if (first === undefined) return null;
            const end = this.source.layout.scanAtDepth(first, () => false);
            return { start: this.source.layout.tokens[first]!.start, end: this.source.layout.endBefore(end) };
          },
        );
        this.writes.splice(index, 0, w); // outer writes before the ones in their CTEs
      };
      if (type === 'InsertStmt') {
        const subqueries: Query[] = [];
        if (fields.selectStmt) subqueries.push(this.lowerQuery(fields.selectStmt));
        subqueries.push(...this.collectSubqueries([fields.onConflictClause, fields.returningClause]));
        record('insert', null);
        return { query: { kind: 'other', subqueries, ctes } as Query, target };
      }
      const kind = type === 'UpdateStmt' ? 'update' : 'delete';
      const from = type === 'UpdateStmt' ? fields.fromClause : fields.usingClause;
      const scope = this.buildScope(kind, from, fields.whereClause, returning, start);
      scope.subqueries.push(...this.collectSubqueries([fields.targetList, fields.whereClause, returning]));
      scope.sublinks = this.sublinks(fields.whereClause);
      record(kind, scope);
      return { query: { kind: 'select', scope, ctes } as Query, target };
    });
  }

  /** `SET a = …, (b, c) = …` of an UPDATE. */
  private setTargets(targetList: unknown): Write['sets'] {
    return list(targetList).flatMap((raw) => {
      const rt = fieldsOf(raw, 'ResTarget');
      const column = str(rt?.name);
      if (!rt || column === undefined) return [];
      const location = num(rt.location) ?? -1;
      const span = location >= 0 ? nameSpanInText(this.source.fragment.text, location) : { start: 0, end: 0 };
      const constant = fieldsOf(rt.val, 'A_Const');
      const value: Write['sets'][number]['value'] = constant?.isnull === true ? 'null' : fieldsOf(rt.val, 'SetToDefault') ? 'default' : 'expression';
      return [{ column, span, value }];
    });
  }

  private tableRef(rangeVar: unknown): TableRef | null {
    const rv = (rangeVar && typeof rangeVar === 'object' && 'relname' in rangeVar ? rangeVar : fieldsOf(rangeVar, 'RangeVar')) as Fields | undefined;
    const name = str(rv?.relname);
    if (!rv || !name) return null;
    const alias = str((rv.alias as Fields | undefined)?.aliasname) ?? null;
    const location = num(rv.location) ?? -1;
    const span = location >= 0 ? nameSpanInText(this.source.fragment.text, location) : { start: 0, end: 0 };
    return {
      kind: 'table',
      schema: str(rv.schemaname) ?? null,
      name,
      alias,
      exposed: alias ?? name,
      span,
      nullable: false,
      on: [],
      onClause: null,
      fullJoin: false,
      rejecting: [],
      conditionalOn: [],
      outerJoin: null,
    };
  }

  private buildScope(
    kind: Scope['kind'],
    fromClause: unknown,
    whereClause: unknown,
    targetList: unknown,
    startToken: () => number | undefined,
  ): Scope {
    const refs: FromRef[] = [];
    const subqueries: Query[] = [];
    const valueAliases: string[] = [];
    for (const item of list(fromClause)) this.lowerFromItem(item, refs, subqueries, [], false, valueAliases);
    // Token layout only when a fix needs it.
    const source = this.source;
    return new LoweredScope(source, kind, refs, lowerPredicate(whereClause as RawNode | undefined, this.opaque), list(targetList).map(outputColumn), subqueries, valueAliases, () => {
      const start = startToken();
      return start === undefined ? null : scopeLayout(source.layout, start);
    });
  }

  /**
   * Adds the references of one FROM item. `on` holds the ON conjuncts of enclosing joins that filter this item;
   * `nullable` whether an enclosing outer join may null-extend it.
   */
  private lowerFromItem(
    item: unknown,
    refs: FromRef[],
    subqueries: Query[],
    on: Predicate[],
    nullable: boolean,
    valueAliases: string[],
    rejecting: Predicate[] = [],
    fullJoin = false,
  ): void {
    this.deeper(
      item,
      () => this.lowerFromItemHere(item, refs, subqueries, on, nullable, valueAliases, rejecting, fullJoin),
      () => undefined,
    );
  }

  private lowerFromItemHere(
    item: unknown,
    refs: FromRef[],
    subqueries: Query[],
    on: Predicate[],
    nullable: boolean,
    valueAliases: string[],
    rejecting: Predicate[],
    fullJoin: boolean,
  ): void {
    const joinFields = { nullable, on: [...on], onClause: null, fullJoin, rejecting: [...rejecting], conditionalOn: [], outerJoin: null };
    const n = unwrap(item);
    if (!n) return;
    const { type, fields } = n;
    if (type === 'RangeVar') {
      const ref = this.tableRef(item);
      if (!ref) return;
      const cte = ref.schema ? undefined : this.findCte(ref.name);
      if (cte === 'self') return; // a recursive CTE reading itself
      if (cte) {
        refs.push({ kind: 'derived', cte: cte.name, query: cte.query, alias: ref.alias, exposed: ref.exposed, ...joinFields });
        return;
      }
      refs.push({ ...ref, ...joinFields });
      return;
    }
    if (type === 'RangeSubselect') {
      const alias = str((fields.alias as Fields | undefined)?.aliasname) ?? null;
      if (alias && Array.isArray(fieldsOf(fields.subquery, 'SelectStmt')?.valuesLists)) valueAliases.push(alias);
      const query = this.lowerQuery(fields.subquery);
      refs.push({ kind: 'derived', cte: null, query, alias, exposed: alias ?? '', ...joinFields });
      return;
    }
    if (type === 'JoinExpr') {
      const jointype = str(fields.jointype) ?? 'JOIN_INNER';
      const quals = fields.quals as RawNode | undefined;
      const predicate = lowerPredicate(quals, this.opaque);
      // `a JOIN b USING (id)` is `ON a.id = b.id` when each side is one relation (a side that is itself a join
      // takes each column from whichever of its relations has it, which only the schema knows).
      const using = usingEqualities(fields);
      const qualConjuncts = [...conjuncts(predicate), ...using];
      const source = this.source;
      const clause = quals ? new OnClause(predicate, () => onClauseSpan(source.layout, firstLocation(quals))) : null;
      subqueries.push(...this.collectSubqueries(quals));
      // A FULL join preserves both sides and null-extends both: its ON filters neither side (a row whose match
      // was filtered out still comes back, NULL-extended), and a filter in WHERE also drops the other side's rows
      // whose only match was soft-deleted. Filtering a side before the join is what works.
      const full = jointype === 'JOIN_FULL';
      const leftNullable = jointype === 'JOIN_RIGHT' || full;
      const rightNullable = jointype === 'JOIN_LEFT' || full;
      // The ON of an inner join filters both sides; the ON of an outer join filters only its nullable side.
      const leftOn = jointype === 'JOIN_INNER' || jointype === 'JOIN_RIGHT' ? [...on, ...qualConjuncts] : on;
      const rightOn = jointype === 'JOIN_INNER' || jointype === 'JOIN_LEFT' ? [...on, ...qualConjuncts] : on;
      // An inner join's ON, applied after the outer joins below it, rejects their NULL-extended rows as WHERE
      // does (not when this join is itself inside a nullable side: then it runs before that null extension).
      const below = jointype === 'JOIN_INNER' && !nullable ? [...rejecting, ...qualConjuncts] : rejecting;
      const before = refs.length;
      this.lowerFromItem(fields.larg, refs, subqueries, leftOn, nullable || leftNullable, valueAliases, below, fullJoin || full);
      const middle = refs.length;
      this.lowerFromItem(fields.rarg, refs, subqueries, rightOn, nullable || rightNullable, valueAliases, below, fullJoin || full);
      const sides: Array<[number, number, boolean, string[]]> = [
        [before, middle, leftNullable, refs.slice(middle).map((r) => r.exposed)],
        [middle, refs.length, rightNullable, refs.slice(before, middle).map((r) => r.exposed)],
      ];
      for (const [from, to, isNullable, other] of sides) {
        for (let i = from; i < to; i++) {
          const ref = refs[i]!;
          // The innermost outer join wins; a FULL join's ON is no place for a filter.
          if (isNullable && clause && !full) ref.onClause ??= clause;
          if (isNullable && !full && to - from === 1 && quals && !ref.outerJoin) ref.outerJoin = { quals };
          const preserved = jointype !== 'JOIN_INNER' && (!isNullable || full);
          if (preserved && qualConjuncts.length) ref.conditionalOn.push({ on: qualConjuncts, other });
        }
      }
      return;
    }
    // RangeFunction, JSON_TABLE, XMLTABLE…: no relation read, but their arguments may hold subqueries.
    const alias = str((fields.alias as Fields | undefined)?.aliasname);
    if (alias && type === 'RangeFunction') valueAliases.push(alias);
    subqueries.push(...this.collectSubqueries(fields));
  }

  /** The EXISTS and IN subqueries among the top-level conjuncts of a WHERE already lowered by collectSubqueries. */
  private sublinks(whereClause: unknown): Scope['sublinks'] {
    const found: Scope['sublinks'] = [];
    const pending: unknown[] = [whereClause];
    while (pending.length > 0) {
      const node = pending.pop();
      const bool = fieldsOf(node, 'BoolExpr');
      if (bool) {
        if (str(bool.boolop) === 'AND_EXPR') pending.push(...list(bool.args));
        continue;
      }
      // `col = ANY (ARRAY(SELECT …))` is `col IN (SELECT …)`.
      const any = fieldsOf(node, 'A_Expr');
      if (any && str(any.kind) === 'AEXPR_OP_ANY' && nameList(any.name).join() === '=') {
        const array = fieldsOf(any.rexpr, 'SubLink');
        const column = columnRef(any.lexpr);
        const query = array && str(array.subLinkType) === 'ARRAY_SUBLINK' ? this.sublinkQueries.get(array) : undefined;
        if (column && query) found.push({ kind: 'in', column, query });
        continue;
      }
      const link = fieldsOf(node, 'SubLink');
      const query = link && this.sublinkQueries.get(link);
      if (!link || !query) continue;
      const type = str(link.subLinkType);
      const operator = nameList(link.operName);
      if (type === 'EXISTS_SUBLINK') found.push({ kind: 'exists', column: null, query });
      else if (type === 'ANY_SUBLINK' && (operator.length === 0 || (operator.length === 1 && operator[0] === '='))) {
        const column = columnRef(link.testexpr);
        if (column) found.push({ kind: 'in', column, query });
      }
    }
    return found;
  }

  /** Every subquery (SubLink) inside expressions, each lowered as its own query. */
  collectSubqueries(node: unknown): Query[] {
    const found: Query[] = [];
    // Iterative, in document order: a SubLink's test expression is walked before its subquery is lowered (the
    // subquery is queued as a task under it).
    const pending: unknown[] = [node];
    while (pending.length > 0) {
      const value = pending.pop();
      if (value instanceof SubLinkTask) {
        const query = this.lowerQuery(value.fields.subselect);
        this.sublinkQueries.set(value.fields, query);
        found.push(query);
        continue;
      }
      if (!value || typeof value !== 'object') continue;
      const n = unwrap(value);
      if (n?.type === 'SubLink') {
        pending.push(new SubLinkTask(n.fields), n.fields.testexpr);
        continue;
      }
      if (n && (n.type === 'SelectStmt' || n.type === 'RangeSubselect')) continue; // owned by their own scope
      pushChildren(pending, n ? n.fields : value);
    }
    return found;
  }

  /**
   * The definitions among a statement's schema events (views, materialized views, continuous aggregates, stream
   * tables, IMMVs): the same reading the schema loader applies, so a definition the schema knows is one the checks
   * see. The query is lowered from the statement's own parse when there is one, else from its text.
   */
  definitions(events: DdlEvent[]): Definition[] {
    const found: Definition[] = [];
    for (const event of events) {
      if (event.type !== 'define' || event.kind === 'table') continue;
      const name = event.name.schema ? `${event.name.schema}.${event.name.name}` : event.name.name;
      const span = event.nameSpan ?? { start: this.source.fragment.text.length, end: this.source.fragment.text.length };
      const base = { kind: event.kind, name, mode: event.mode, at: event.at ?? span.start, span, source: this.source };
      const query = event.query;
      if (!query) continue; // alter_stream_table without a new query
      const node = queryNodeOf(event);
      if (node) {
        found.push({ ...base, query: this.lowerQuery(node), error: null });
        continue;
      }
      const inner = query.literalAt !== undefined ? sourceFromFragmentString(this.source, query.literalAt) : null;
      if (!inner) continue;
      if (!inner.ok) {
        found.push({ ...base, query: null, error: { message: inner.error.message, fragment: inner.source.fragment, index: inner.error.index } });
        continue;
      }
      const statement = inner.source.parsed.statements[0];
      found.push({ ...base, query: statement ? new Lowerer(inner.source).lowerQuery(statement.node) : null, error: null });
    }
    return found;
  }
}

/** collectSubqueries' task: lower this SubLink's subquery (after its test expression). */
class SubLinkTask {
  constructor(readonly fields: Fields) {}
}

/** The exposed name of a FROM item that is one relation (a table, a CTE, an aliased subquery), else null. */
function exposedName(item: unknown): string | null {
  const rv = fieldsOf(item, 'RangeVar');
  if (rv) return str((rv.alias as Fields | undefined)?.aliasname) ?? str(rv.relname) ?? null;
  const sub = fieldsOf(item, 'RangeSubselect');
  return sub ? (str((sub.alias as Fields | undefined)?.aliasname) ?? null) : null;
}

/** `USING (a, b)` between two single relations, as column equalities. */
function usingEqualities(join: Fields): Predicate[] {
  const names = nameList(join.usingClause);
  if (names.length === 0) return [];
  const left = exposedName(join.larg);
  const right = exposedName(join.rarg);
  if (!left || !right) return [];
  return names.map((name) => ({
    kind: 'column-eq' as const,
    left: { qualifier: left, name, location: -1 },
    right: { qualifier: right, name, location: -1 },
    location: -1,
  }));
}

/** `larg`/`rarg` of a set operation are bare SelectStmt field objects. */
function isBareSelect(node: unknown): boolean {
  return !!node && typeof node === 'object' && 'op' in node && 'limitOption' in node;
}

const BOOLEAN_EXPRESSIONS = new Set(['NullTest', 'BooleanTest', 'BoolExpr', 'A_Expr']);

function outputColumn(target: unknown): OutputColumn {
  const rt = fieldsOf(target, 'ResTarget');
  const name = str(rt?.name) ?? null;
  const cr = fieldsOf(rt?.val, 'ColumnRef');
  if (cr) {
    const parts = list(cr.fields);
    const last = parts[parts.length - 1];
    if (last && 'A_Star' in last) {
      const names = nameList(parts.slice(0, -1));
      return { name: null, star: true, starQualifier: names[names.length - 1] ?? null, column: null, predicate: null };
    }
    const ref = columnRef(rt?.val);
    if (ref) return { name: name ?? ref.name, star: false, starQualifier: null, column: { qualifier: ref.qualifier, name: ref.name }, predicate: null };
  }
  const type = unwrap(rt?.val)?.type;
  const predicate = type && BOOLEAN_EXPRESSIONS.has(type) ? lowerPredicate(rt?.val as RawNode) : null;
  return { name, star: false, starQualifier: null, column: null, predicate };
}

/** A window function (`row_number() OVER (…)`) in a select list (not inside subqueries). */
function hasWindowFunction(targetList: unknown): boolean {
  let found = false;
  walkTree(targetList, (value) => {
    const n = unwrap(value);
    if (found || n?.type === 'SubLink') return false;
    if (n?.type === 'FuncCall' && n.fields.over) found = true;
  });
  return found;
}

/** The FILTER predicates when every output is an aggregate with one (constants aside); null otherwise. */
function aggregateFilters(targetList: unknown, opaque: (location: number) => boolean): Predicate[] | null {
  const filters: Predicate[] = [];
  for (const target of list(targetList)) {
    const value = fieldsOf(target, 'ResTarget')?.val;
    if (fieldsOf(value, 'A_Const')) continue;
    const call = fieldsOf(value, 'FuncCall');
    if (!call || call.over || !call.agg_filter) return null;
    filters.push(lowerPredicate(call.agg_filter as RawNode, opaque));
  }
  return filters.length ? filters : null;
}

/** Lowers one parsed statement of `source`. Never throws on unexpected AST shapes. */
export function lowerStatement(whole: SqlSource, index: number): StatementModel | null {
  const statement = whole.parsed.statements[index];
  if (!statement) return null;
  const source = statementSource(whole, statement);
  const n = unwrap(statement.node);
  if (!n) return null;
  const lowerer = new Lowerer(source);
  const model: StatementModel = {
    source,
    node: statement.node,
    type: n.type,
    start: statement.start,
    end: statement.end,
    reads: [],
    writes: [],
    ddl: [],
    definitions: [],
    uniques: [],
    addedColumns: [],
    onConflicts: [],
  };
  try {
    model.uniques = lowerConstraints(source, statement);
    model.addedColumns = lowerAddedColumns(source, statement);
    model.onConflicts = lowerOnConflicts(source, statement);
  } catch {
    // as below: never crash the linter on an unforeseen shape
  }
  try {
    model.ddl = lowerDdl(source, statement, model.uniques);
    model.definitions = lowerer.definitions(model.ddl);
    model.writes = lowerer.writes;
    if (n.type === 'SelectStmt' && model.definitions.length === 0) model.reads.push(lowerer.lowerQuery(statement.node));
    else if (n.type === 'InsertStmt' || n.type === 'UpdateStmt' || n.type === 'DeleteStmt') {
      model.reads.push(lowerer.lowerModify(n.type, n.fields).query);
    } else if (n.type === 'CreateTableAsStmt' && model.definitions.length === 0) {
      model.reads.push(lowerer.lowerQuery(n.fields.query));
    } else if (n.type === 'DeclareCursorStmt' || n.type === 'ExplainStmt' || n.type === 'CopyStmt') {
      if (n.fields.query) model.reads.push(lowerer.lowerQuery(n.fields.query));
    }
  } catch {
    // An AST shape we did not foresee: keep whatever was lowered; never crash the linter.
  }
  if (lowerer.tooDeepAt >= 0) model.tooDeepAt = lowerer.tooDeepAt;
  return model;
}
