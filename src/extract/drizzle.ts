/**
 * The drizzle front end: query-builder reads (`db.select().from(users).where(…)`) and relational queries
 * (`db.query.users.findMany({ where, with })`) become the SQL drizzle runs for them, as fragments of origin
 * `query-builder`, so the one engine checks them like any other SQL.
 *
 * Tables are the identifiers the schema exports (`users` from `pgTable('users', …)`), resolved by name: a named
 * import (`import { users } from './db/schema'`, aliases too), a namespace import (`schema.users`), or a table
 * defined in the same file. Operators (`eq`, `and`, `isNull`, `sql`, …) must come from `drizzle-orm` (or be the
 * operators a relational `where` callback receives).
 *
 * - A builder chain is lowered only when it is seen whole and run: awaited, returned from an async function, in
 *   `Promise.all([...])`, or ended by `.execute()` / `.then()` / `.prepare()`. `.from(users)` becomes
 *   `FROM "users"` mapped onto the identifier; joins keep their `ON`; `where` is lowered condition by condition.
 * - A write (`db.delete(users).where(…)`, `db.update(users).set({…}).where(…)`) becomes `DELETE FROM` / `UPDATE … SET`
 *   with the table mapped onto its identifier; a `set` we cannot read (a variable, a spread) is not lowered.
 * - A relational query reads its table (squiggled at `users` in `db.query.users`) and every relation loaded by
 *   `with` (`posts: true` / `posts: { where }`, squiggled at the `posts` key) as a read of its own, when
 *   `relations()` / `defineRelations()` say which table it is.
 *
 * - Subqueries (`from(sq)` with `sq = db.select()….as('sq')`, `inArray(col, <select>)`, `exists(<select>)`), CTEs
 *   (`db.with(x)` with `x = db.$with('x').as(<select>)`) and `alias(users, 'u')` tables are lowered into the same
 *   SQL (`FROM (SELECT …) AS sq`, `IN (SELECT …)`, `EXISTS (…)`, `WITH x AS (…)`, `users AS u`): each table inside
 *   is a read of its own, mapped onto its identifier.
 *
 * Whatever cannot be seen into — a condition held in a variable that is not a `const` of this file, a function we
 * do not model, an interpolation in `sql` that is not a column or a value — becomes an opaque
 * placeholder: the verdict is unknown, never a false report. A chain whose `from` is not a known table is skipped.
 */
import { AST_NODE_TYPES, type TSESTree } from '@typescript-eslint/utils';
import type { DrizzleRelation, DrizzleTable } from '../schema/model.js';
import { stringValue } from '../schema/drizzle.js';
import type { CodeFilter, SourceEdit, SqlFragment } from '../sql/fragment.js';
import { parseCached } from '../sql/source.js';
import { patternNames, propertyName, unwrap, type VisitorKeys } from '../js/estree.js';
import { awaited, continued, decompose, importEdits, type Step, isLiteral, isUndefined, keyName, keyRange, namedLike, pushIdent, SynthText as Text } from '../js/synth.js';
import { quoteIdent } from '../sql/ident.js';
import { scanProgram, type ParentLookup, type ProgramScan } from '../js/program.js';
import { clientsOf } from './clients.js';
import type { NotUnderstoodCall } from './frontend.js';
import { nextIdent, nextParam, type PlaceholderCounter } from '../sql/placeholder.js';

type Node = TSESTree.Node;

/** Names of objects that hold a drizzle database (or a transaction). */
const CLIENT_NAME = /^(?:db|tx|trx|database|conn|client|orm|drizzle|transaction)$|(?:Db|DB)$|^db[A-Z_]/;
const SELECTS = new Set(['select', 'selectDistinct', 'selectDistinctOn']);
/** Writes lowered for no-hard-delete / no-tombstone-update: `db.delete(t)…`, `db.update(t).set({…})…`. */
const WRITES = new Set(['delete', 'update']);
const JOINS: Record<string, string> = {
  innerJoin: 'INNER JOIN', leftJoin: 'LEFT JOIN', rightJoin: 'RIGHT JOIN', fullJoin: 'FULL JOIN', crossJoin: 'CROSS JOIN',
};
const TERMINALS = new Set(['execute', 'then', 'catch', 'finally', 'prepare']);
/** Clauses that do not change which rows of which tables are read. */
const HARMLESS = new Set(['orderBy', 'groupBy', 'having', 'limit', 'offset', 'for', '$dynamic', 'union', 'unionAll', '$withCache']);
/** The chain is not a read run here: skipped. */
const NOT_RUN = new Set(['as', 'toSQL', 'getSQL', 'getSelectedFields']);
const RQB_READS = new Set(['findMany', 'findFirst']);
const COMPARE: Record<string, string> = { eq: '=', ne: '<>', gt: '>', gte: '>=', lt: '<', lte: '<=' };
const LIKE: Record<string, string> = { like: 'LIKE', ilike: 'ILIKE', notLike: 'NOT LIKE', notIlike: 'NOT ILIKE' };
/** Operators of the v1 relational `where` object (`{ age: { gt: 5 } }`). */
const OBJECT_COMPARE: Record<string, string> = { eq: '=', ne: '<>', gt: '>', gte: '>=', lt: '<', lte: '<=' };

/** A table of the query: its TS name, the drizzle mapping, and the SQL name columns are qualified with. */
interface TableRef {
  name: string;
  table: DrizzleTable;
  /** The SQL alias of an `alias(users, 'u')` table (its columns are qualified with it). */
  alias?: string;
}

/** A derived table of the query (a subquery in `from`, a CTE): its SQL name and its columns by TS key. */
interface DerivedRef {
  qualifier: string;
  /** Key → SQL column for the keys that are plain columns of its select; null when its select is not understood. */
  columns: Map<string, string> | null;
}

/** A subquery or CTE: `db.select()….as('sq')`, `db.$with('x').as(<select chain>)`. */
interface Derived {
  kind: 'subquery' | 'cte';
  name: string;
  steps: Step[];
}

/** drizzle-orm aggregates: a subquery column made by one is a value, never the soft-delete filter. */
const AGGREGATES = new Set(['count', 'countDistinct', 'sum', 'sumDistinct', 'avg', 'avgDistinct', 'min', 'max']);

/** What a condition may refer to. */
interface Scope {
  /** Tables of the query by TS name (`users` → users). */
  tables: Map<string, TableRef>;
  /** Callback parameters standing for a table (`(u, …) =>` in a relational where). */
  params: Map<string, TableRef>;
  /** Local names of operators given by a relational where callback (`{ eq, isNull }`). */
  ops: Map<string, string>;
  /** A callback parameter holding all operators (`(u, ops) => ops.eq(…)`). */
  opsObject: string | null;
  /** `alias()` tables of the query by local name (`u` for `const u = alias(users, 'u')`). */
  aliases?: Map<string, TableRef>;
  /** Subqueries and CTEs of the query by local name. */
  derived?: Map<string, DerivedRef>;
}

/** Names bound at file level that the front end understands. */
interface FileNames {
  /** Local name → exported table name (named imports, same-file tables). */
  tables: Map<string, string>;
  /** Namespace imports that may hold tables (`import * as schema`). */
  namespaces: Set<string>;
  /** Local name → drizzle-orm export (`eq`, `and`, `sql`, …). */
  ops: Map<string, string>;
  /** Namespace imports of drizzle-orm. */
  opNamespaces: Set<string>;
  /** `const` initialisers of names declared once. */
  consts: Map<string, Node>;
}

function isClient(node: Node): boolean {
  return namedLike(node, CLIENT_NAME);
}

/** A table of a select chain's own query that a filter may be added for (the FROM table, an inner join). */
interface ChainTable {
  /** Source range of the table's name (what the SQL's table reference maps onto). */
  range: readonly [number, number];
  /** The table expression as passed (`users`, `schema.users`). */
  expression: Node;
  table: DrizzleTable;
}

/** What `lowerChain` saw of a chain (the read's, or a subquery's / CTE's in it) that a filter in the code's idiom needs. */
interface ChainShape {
  tables: ChainTable[];
  /** The argument of the one `.where(…)` call, or null when there is none. */
  where: Node | null;
  /** Source index after the last `.from(…)` / join call: where a new `.where(…)` goes. */
  insertAt: number;
}

class Lowerer {
  private counter: PlaceholderCounter = { param: 0, ident: 0 };
  /** The shape of the chain `lowerChain` / `lowerWrite` lowered last. */
  shape: ChainShape | null = null;
  /** The shapes of the select chains nested in it (subqueries, CTEs, `exists`, `inArray`). */
  nestedShapes: ChainShape[] = [];
  /** How deep `chain` is in select chains nested in one another. */
  private nesting = 0;
  /** The `delete(t)` / `update(t)` call of the write `lowerWrite` lowered last. */
  writeHead: Step | null = null;

  constructor(
    private readonly names: FileNames,
    private readonly tables: ReadonlyMap<string, DrizzleTable>,
    private readonly isClient: (node: Node) => boolean = () => false,
  ) {}

  reset(): void {
    this.counter = { param: 0, ident: 0 };
  }

  /** Follows `const` names of this file to what they hold. */
  private follow(node: Node): Node {
    let n = unwrap(node);
    for (let depth = 0; depth < 5 && n.type === AST_NODE_TYPES.Identifier; depth++) {
      const init = this.names.consts.get(n.name);
      if (!init) break;
      n = unwrap(init);
    }
    return n;
  }

  /** A table expression (`users`, `schema.users`): the table and the source range its name maps onto. */
  resolveTable(node: Node): (TableRef & { range: [number, number] }) | null {
    const n = unwrap(node);
    let name: string | undefined;
    let range: [number, number] | undefined;
    if (n.type === AST_NODE_TYPES.Identifier) {
      name = this.names.tables.get(n.name);
      range = n.range;
    } else if (n.type === AST_NODE_TYPES.MemberExpression && !n.computed) {
      const object = unwrap(n.object);
      if (object.type === AST_NODE_TYPES.Identifier && this.names.namespaces.has(object.name)) {
        name = propertyName(n) ?? undefined;
        range = n.property.range;
      }
    }
    const table = name === undefined ? undefined : this.tables.get(name);
    return table && name !== undefined && range ? { name, table, range } : null;
  }

  private param(pos: number, opaque = false): Text {
    const t = new Text();
    t.push(nextParam(this.counter), pos, opaque);
    return t;
  }

  private opaque(pos: number): Text {
    return this.param(pos, true);
  }

  /** `"schema"."table"`, every character mapped into `range`. */
  tableText(table: DrizzleTable, range: [number, number]): Text {
    const t = new Text();
    if (table.schema !== undefined) {
      pushIdent(t, table.schema, range);
      t.push('.', range[0]);
    }
    pushIdent(t, table.table, range);
    return t;
  }

  /** `"table"."column"`: the qualifier maps onto `qualifier`, the column onto `range`. */
  private columnText(table: DrizzleTable, column: string, qualifier: [number, number], range: [number, number], alias?: string): Text {
    const t = new Text();
    t.push(quoteIdent(alias ?? table.table), qualifier[0]);
    t.push('.', range[0]);
    pushIdent(t, column, range);
    return t;
  }

  /** `users.deletedAt` (or `u.deletedAt` for a callback parameter) as a qualified column; null when not one. */
  private column(node: Node, scope: Scope): Text | null {
    const n = this.follow(node);
    if (n.type !== AST_NODE_TYPES.MemberExpression || n.computed) return null;
    const property = propertyName(n);
    if (property === null) return null;
    const object = unwrap(n.object);
    let ref: TableRef | undefined;
    const local = object.type === AST_NODE_TYPES.Identifier ? object.name : null;
    if (local !== null && scope.params.has(local)) ref = scope.params.get(local);
    else if (local !== null && scope.aliases?.has(local)) ref = scope.aliases.get(local);
    else if (local !== null && scope.derived?.has(local)) {
      // `sq.deletedAt`: the derived table's column, when its select passes a plain column through
      const derived = scope.derived.get(local)!;
      const column = derived.columns?.get(property);
      if (!column) return null; // not a plain column (an aggregate: a value), or not understood
      const t = new Text();
      t.push(quoteIdent(derived.qualifier), object.range[0]);
      t.push('.', n.property.range[0]);
      pushIdent(t, column, n.property.range);
      return t;
    } else {
      const resolved = this.resolveTable(object);
      if (resolved) ref = scope.tables.get(resolved.name);
    }
    const column = ref?.table.columns.get(property);
    if (!ref || column === undefined) return null;
    return this.columnText(ref.table, column, object.range, n.property.range, ref.alias);
  }

  /** Might this operand be a column we cannot see (so a condition on it cannot be judged)? */
  private mayBeColumn(node: Node, scope: Scope): boolean {
    const n = this.follow(node);
    if (n.type !== AST_NODE_TYPES.MemberExpression) return n.type === AST_NODE_TYPES.TaggedTemplateExpression;
    const object = unwrap(n.object);
    if (object.type === AST_NODE_TYPES.Identifier && (scope.params.has(object.name) || scope.aliases?.has(object.name) || scope.derived?.has(object.name))) {
      // a derived table's column made by an aggregate is a value
      const derived = scope.derived?.get(object.name);
      const property = propertyName(n);
      return !(derived?.columns && property !== null && derived.columns.get(property) === '');
    }
    return this.resolveTable(object) !== null || (object.type === AST_NODE_TYPES.Identifier && this.names.tables.has(object.name));
  }

  /** A value operand: a column, an inline number / boolean, else a parameter. */
  private value(node: Node, scope: Scope): Text {
    const column = this.column(node, scope);
    if (column) return column;
    const e = unwrap(node);
    if (e.type === AST_NODE_TYPES.Literal) {
      if (typeof e.value === 'boolean') return new Text().syn(String(e.value), e.range[0]);
      if (typeof e.value === 'number' && Number.isFinite(e.value) && e.value >= 0) return new Text().syn(String(e.value), e.range[0]);
    }
    return this.param(e.range[0], this.mayBeColumn(e, scope));
  }

  /** The drizzle-orm operator a callee names (`eq`, `ops.eq`, `d.eq`), or null. */
  private operator(callee: Node, scope: Scope): string | null {
    const c = unwrap(callee);
    if (c.type === AST_NODE_TYPES.Identifier) return scope.ops.get(c.name) ?? this.names.ops.get(c.name) ?? null;
    if (c.type === AST_NODE_TYPES.MemberExpression && !c.computed) {
      const object = unwrap(c.object);
      if (object.type !== AST_NODE_TYPES.Identifier) return null;
      if (object.name === scope.opsObject || this.names.opNamespaces.has(object.name)) return propertyName(c);
    }
    return null;
  }

  private group(items: Text[], bool: 'AND' | 'OR', at: number): Text {
    if (items.length === 1) return items[0]!;
    return new Text().syn('(', at).clause('', items, ` ${bool} `, at).syn(')', at);
  }

  /** A condition (`eq(…)`, `and(…)`, `sql\`…\``); null for none (`undefined`, `and()`). */
  condition(node: Node, scope: Scope, depth = 0): Text | null {
    if (isUndefined(node)) return null;
    const n = this.follow(node);
    const at = n.range[0];
    if (depth > 20) return this.opaque(at);
    if (n.type === AST_NODE_TYPES.TaggedTemplateExpression) return this.sqlTemplate(n, scope) ?? this.opaque(at);
    if (n.type !== AST_NODE_TYPES.CallExpression) return this.opaque(at);
    const op = this.operator(n.callee, scope);
    const args = n.arguments;
    if (op === null || args.some((a) => a.type === AST_NODE_TYPES.SpreadElement)) return this.opaque(at);
    const arg = (k: number): Node => args[k] as Node;
    if (op === 'and' || op === 'or') {
      const items = args.map((a) => this.condition(a as Node, scope, depth + 1)).filter((c): c is Text => c !== null);
      if (items.length === 0) return null;
      return this.group(items, op === 'and' ? 'AND' : 'OR', at);
    }
    if (op === 'not' && args.length === 1) {
      const inner = this.condition(arg(0), scope, depth + 1);
      return inner === null ? this.opaque(at) : new Text().syn('NOT (', at).add(inner).syn(')', at);
    }
    if ((op === 'isNull' || op === 'isNotNull') && args.length === 1) {
      const column = this.column(arg(0), scope);
      if (!column) return this.opaque(at);
      return column.syn(op === 'isNull' ? ' IS NULL' : ' IS NOT NULL', at);
    }
    if (COMPARE[op] && args.length === 2) {
      const left = this.column(arg(0), scope);
      const right = this.column(arg(1), scope);
      if (!left && !right) return this.opaque(at);
      const l = left ?? this.value(arg(0), scope);
      const r = right ?? this.value(arg(1), scope);
      return new Text().add(l).syn(` ${COMPARE[op]} `, at).add(r);
    }
    if ((op === 'exists' || op === 'notExists') && args.length === 1) {
      // `exists(db.select().from(posts).where(…))`: the subquery is a read of its own (correlated to this scope)
      const inner = this.subquery(arg(0), scope);
      return inner ? new Text().syn(op === 'exists' ? 'EXISTS (' : 'NOT EXISTS (', at).add(inner).syn(')', at) : this.opaque(at);
    }
    if ((op === 'inArray' || op === 'notInArray') && args.length === 2) {
      const column = this.column(arg(0), scope);
      if (!column) return this.opaque(at);
      if (this.selectChain(arg(1))) {
        const inner = this.subquery(arg(1), scope);
        return inner ? column.syn(op === 'inArray' ? ' IN (' : ' NOT IN (', at).add(inner).syn(')', at) : this.opaque(at);
      }
      const any = column.syn(' = ANY(', at).add(this.param(unwrap(arg(1)).range[0], this.mayBeColumn(arg(1), scope))).syn(')', at);
      return op === 'inArray' ? any : new Text().syn('NOT (', at).add(any).syn(')', at);
    }
    if ((op === 'between' || op === 'notBetween') && args.length === 3) {
      const column = this.column(arg(0), scope);
      if (!column) return this.opaque(at);
      return column
        .syn(op === 'between' ? ' BETWEEN ' : ' NOT BETWEEN ', at)
        .add(this.value(arg(1), scope))
        .syn(' AND ', at)
        .add(this.value(arg(2), scope));
    }
    if (LIKE[op] && args.length === 2) {
      const column = this.column(arg(0), scope);
      if (!column) return this.opaque(at);
      return column.syn(` ${LIKE[op]} `, at).add(this.value(arg(1), scope));
    }
    return this.opaque(at); // arrayContains, a function we do not model
  }

  // ── subqueries, CTEs, aliases ─────────────────────────────────────────────────────────────────────────────

  /** A select chain given as a value (`db.select(…).from(…)…`, or a `const` of this file holding one): its steps. */
  private selectChain(node: Node): Step[] | null {
    const n = this.follow(node);
    if (n.type !== AST_NODE_TYPES.CallExpression) return null;
    const { base, steps } = decompose(n);
    return steps.length > 1 && SELECTS.has(steps[0]!.name) && this.isClient(base) ? steps : null;
  }

  /** A select chain nested in a condition, lowered with `outer` visible to it (a correlated subquery). */
  private subquery(node: Node, outer: Scope): Text | null {
    const steps = this.selectChain(node);
    return steps ? this.chain(steps, unwrap(node).range[0], outer, true) : null;
  }

  /** `db.select()….as('sq')` or `db.$with('x').as(chain | (qb) => chain)`, followed through `const`s; else null. */
  private derivedOf(node: Node): Derived | null {
    const n = this.follow(node);
    if (n.type !== AST_NODE_TYPES.CallExpression) return null;
    const { base, steps } = decompose(n);
    const last = steps[steps.length - 1];
    if (!last || last.name !== 'as' || last.args.length !== 1 || !this.isClient(base)) return null;
    if (steps.length === 2 && steps[0]!.name === '$with') {
      const name = steps[0]!.args.length === 1 ? stringValue(steps[0]!.args[0] as Node) ?? null : null;
      let body = unwrap(last.args[0] as Node);
      let builder: string | null = null;
      if (body.type === AST_NODE_TYPES.ArrowFunctionExpression && body.params.length === 1 && body.params[0]!.type === AST_NODE_TYPES.Identifier && body.body.type !== AST_NODE_TYPES.BlockStatement) {
        builder = body.params[0]!.name; // `(qb) => qb.select()…`
        body = unwrap(body.body);
      }
      if (name === null || body.type !== AST_NODE_TYPES.CallExpression) return null;
      const inner = decompose(body);
      const innerBase = unwrap(inner.base);
      const fromBuilder = builder !== null && innerBase.type === AST_NODE_TYPES.Identifier && innerBase.name === builder;
      if (inner.steps.length < 2 || !SELECTS.has(inner.steps[0]!.name) || !(fromBuilder || this.isClient(innerBase))) return null;
      return { kind: 'cte', name, steps: inner.steps };
    }
    const name = stringValue(last.args[0] as Node) ?? null;
    if (name === null || steps.length < 3 || !SELECTS.has(steps[0]!.name)) return null;
    return { kind: 'subquery', name, steps: steps.slice(0, -1) };
  }

  /** `const u = alias(users, 'u')` (with `alias` from drizzle-orm): the aliased table, or null. */
  private aliasOf(local: string, range: [number, number]): (TableRef & { range: [number, number] }) | null {
    const init = this.names.consts.get(local);
    const n = init ? unwrap(init) : null;
    if (n?.type !== AST_NODE_TYPES.CallExpression || n.arguments.length !== 2) return null;
    const callee = unwrap(n.callee);
    if (callee.type !== AST_NODE_TYPES.Identifier || this.names.ops.get(callee.name) !== 'alias') return null;
    const table = this.resolveTable(n.arguments[0] as Node);
    const alias = stringValue(n.arguments[1] as Node) ?? null;
    return table && alias !== null ? { name: local, table: table.table, alias, range } : null;
  }

  /**
   * The TS keys of a select chain's output and the SQL column each passes through: every column of its one table
   * for `select()`, the plain columns of `select({ … })` (an aggregate's key maps to '' — a value). Null when a key
   * is something else (a `sql` expression may be a window function) or the output is nested (joins).
   */
  private outputColumns(steps: Step[]): Map<string, string> | null {
    const head = steps[0];
    const from = steps.find((s) => s.name === 'from');
    if (!head || !from || from.args.length !== 1) return null;
    const sources = (node: Node): TableRef | null => {
      const n = unwrap(node);
      return this.resolveTable(n) ?? (n.type === AST_NODE_TYPES.Identifier ? this.aliasOf(n.name, n.range) : null);
    };
    if (head.args.length === 0) {
      if (steps.some((s) => JOINS[s.name])) return null;
      const table = sources(from.args[0] as Node);
      return table ? new Map(table.table.columns) : null;
    }
    const fields = this.follow(head.args[0] as Node);
    if (fields.type !== AST_NODE_TYPES.ObjectExpression) return null;
    const out = new Map<string, string>();
    for (const property of fields.properties) {
      const key = property.type === AST_NODE_TYPES.Property ? keyName(property) : null;
      if (property.type !== AST_NODE_TYPES.Property || key === null) return null;
      const value = this.follow(property.value as Node);
      if (value.type === AST_NODE_TYPES.CallExpression && AGGREGATES.has(this.names.ops.get(unwrap(value.callee).type === AST_NODE_TYPES.Identifier ? (unwrap(value.callee) as TSESTree.Identifier).name : '') ?? '')) {
        out.set(key, '');
        continue;
      }
      if (value.type !== AST_NODE_TYPES.MemberExpression || value.computed) return null;
      const table = sources(value.object);
      const column = table?.table.columns.get(propertyName(value) ?? '');
      if (column === undefined) return null;
      out.set(key, column);
    }
    return out;
  }

  /**
   * A table expression of `from` / a join: a schema table, an `alias()` table (`users AS u`, mapped onto `u`), a
   * subquery (`(SELECT …) AS sq`), or a CTE the chain's `with(…)` names. Registers it in `scope`; null when unknown.
   */
  private source(node: Node, scope: Scope, ctes: ReadonlyMap<string, Derived>): { text: Text; table: ChainTable | null; key: string } | null {
    const ref = this.resolveTable(node);
    if (ref) {
      scope.tables.set(ref.name, ref);
      return { text: this.tableText(ref.table, ref.range), table: { range: ref.range, expression: node, table: ref.table }, key: ref.name };
    }
    const n = unwrap(node);
    if (n.type === AST_NODE_TYPES.Identifier) {
      const cte = ctes.get(n.name);
      if (cte) {
        (scope.derived ??= new Map()).set(n.name, { qualifier: cte.name, columns: this.outputColumns(cte.steps) });
        const text = new Text();
        pushIdent(text, cte.name, n.range);
        return { text, table: null, key: n.name };
      }
      const aliased = this.aliasOf(n.name, n.range);
      if (aliased) {
        (scope.aliases ??= new Map()).set(n.name, aliased);
        const text = this.tableText(aliased.table, aliased.range).syn(` AS ${quoteIdent(aliased.alias!)}`, n.range[0]);
        return { text, table: { range: aliased.range, expression: node, table: aliased.table }, key: n.name };
      }
    }
    const derived = this.derivedOf(n);
    if (derived?.kind !== 'subquery') return null;
    const inner = this.chain(derived.steps, n.range[0], null, true);
    if (!inner) return null;
    const key = n.type === AST_NODE_TYPES.Identifier ? n.name : derived.name;
    (scope.derived ??= new Map()).set(key, { qualifier: derived.name, columns: this.outputColumns(derived.steps) });
    return { text: new Text().syn('(', n.range[0]).add(inner).syn(`) AS ${quoteIdent(derived.name)}`, n.range[0]), table: null, key };
  }

  /** `sql\`${users.deletedAt} IS NULL\``: columns inlined, values as parameters, anything else opaque. */
  private sqlTemplate(node: TSESTree.TaggedTemplateExpression, scope: Scope): Text | null {
    const tag = unwrap(node.tag);
    if (tag.type !== AST_NODE_TYPES.Identifier || this.operator(tag, scope) !== 'sql') return null;
    const { quasis, expressions } = node.quasi;
    const out = new Text().syn('(', node.range[0]);
    for (let k = 0; k < quasis.length; k++) {
      const q = quasis[k]!;
      if (q.value.cooked !== q.value.raw) return null; // escapes: the text is not what we would copy
      out.push(q.value.raw, Array.from({ length: q.value.raw.length }, (_, i) => q.range[0] + 1 + i));
      const e = expressions[k];
      if (!e) continue;
      const column = this.column(e, scope);
      if (column) out.add(column);
      else {
        // a literal is a value (a parameter); anything else may be SQL (a fragment, sql.raw, a table): opaque
        const v = this.follow(e);
        const literal = v.type === AST_NODE_TYPES.Literal && typeof v.value !== 'object';
        out.add(this.param(e.range[0], !literal));
      }
    }
    return out.syn(')', node.range[1] - 1);
  }

  /** `db.select(…).from(users)…` (or `db.with(x).select()…`): the SQL, or null when the chain is not a read we can name. */
  lowerChain(steps: Step[], endAt: number): SqlFragment | null {
    this.shape = null;
    this.nestedShapes = [];
    const text = this.chain(steps, endAt, null, false);
    if (!text) return null;
    const fragment = text.toSynthesized();
    return parseCached(fragment.text).ok ? fragment : null;
  }

  /**
   * A select chain as SQL text. `outer` is the scope of the query it is nested in (a correlated `exists` /
   * `inArray` subquery sees its tables); `nested` chains keep `LIMIT` / `OFFSET` / `DISTINCT ON` (an outer filter
   * cannot undo them) and record their shape in `nestedShapes`, the top chain in `shape`.
   */
  private chain(steps: Step[], endAt: number, outer: Scope | null, nested: boolean): Text | null {
    // a `const` may name itself (`const q = db.select()…where(exists(q))`): nesting is bounded
    if (this.nesting >= 8) return null;
    this.nesting++;
    try {
      return this.chainText(steps, endAt, outer, nested);
    } finally {
      this.nesting--;
    }
  }

  private chainText(steps: Step[], endAt: number, outer: Scope | null, nested: boolean): Text | null {
    const scope: Scope = outer
      ? { ...outer, tables: new Map(outer.tables), aliases: new Map(outer.aliases ?? []), derived: new Map(outer.derived ?? []) }
      : { tables: new Map(), params: new Map(), ops: new Map(), opsObject: null };
    let head = 0;
    const ctes = new Map<string, Derived>();
    const withText = new Text();
    if (steps[0]?.name === 'with') {
      // `db.with(x, y).select()…`: each CTE a `const x = db.$with('x').as(…)` of this file
      for (const arg of steps[0].args) {
        const id = unwrap(arg as Node);
        const cte = id.type === AST_NODE_TYPES.Identifier ? this.derivedOf(id) : null;
        if (id.type !== AST_NODE_TYPES.Identifier || cte?.kind !== 'cte') return null;
        const inner = this.chain(cte.steps, id.range[0], null, true);
        if (!inner) return null;
        withText.syn(ctes.size === 0 ? 'WITH ' : ', ', steps[0].at);
        pushIdent(withText, cte.name, id.range);
        withText.syn(' AS (', id.range[0]).add(inner).syn(')', id.range[0]);
        ctes.set(id.name, cte);
      }
      withText.syn(' ', steps[0].at);
      head = 1;
    }
    const select = steps[head];
    if (!select || !SELECTS.has(select.name)) return null;
    let from: Text | null = null;
    const own = new Set<string>();
    const joins: Array<{ kind: string; table: Text; on: Node | null; at: number }> = [];
    let where: Node | null = null;
    let whereAt = 0;
    const extra: Text[] = [];
    const tail: Text[] = [];
    let wheres = 0;
    const shape: ChainShape = { tables: [], where: null, insertAt: -1 };
    for (const step of steps.slice(head + 1)) {
      if (step.args.some((a) => a.type === AST_NODE_TYPES.SpreadElement)) return null;
      if (step.name === 'from') {
        if (from || step.args.length !== 1) return null;
        const src = this.source(step.args[0] as Node, scope, ctes);
        if (!src) return null;
        own.add(src.key);
        from = src.text;
        if (src.table) shape.tables.push(src.table);
        shape.insertAt = step.call.range[1];
      } else if (JOINS[step.name]) {
        if (!from) return null;
        const key = step.args[0] ? this.sourceKey(step.args[0] as Node) : null;
        const src = step.args[0] && key !== null && !own.has(key) ? this.source(step.args[0] as Node, scope, ctes) : null;
        let table: Text;
        if (src) {
          own.add(src.key);
          table = src.text;
          if (step.name === 'innerJoin' && src.table) shape.tables.push(src.table);
        } else {
          table = new Text();
          table.push(nextIdent(this.counter), step.at, true); // a table we cannot see
        }
        joins.push({ kind: JOINS[step.name]!, table, on: step.name === 'crossJoin' ? null : ((step.args[1] as Node | undefined) ?? null), at: step.at });
        shape.insertAt = step.call.range[1];
      } else if (step.name === 'where') {
        wheres++;
        where = (step.args[0] as Node | undefined) ?? null;
        whereAt = step.at;
      } else if (NOT_RUN.has(step.name)) {
        return null;
      } else if (nested && (step.name === 'limit' || step.name === 'offset')) {
        tail.push(new Text().syn(step.name === 'limit' ? ' LIMIT ' : ' OFFSET ', step.at).add(this.param(step.at)));
      } else if (!HARMLESS.has(step.name) && !TERMINALS.has(step.name)) {
        extra.push(this.opaque(step.at)); // a method we do not model
      }
    }
    if (!from) return null;
    const out = new Text().add(withText);
    if (nested && select.name === 'selectDistinctOn') out.syn('SELECT DISTINCT ON (', endAt).add(this.param(select.at)).syn(') * FROM ', endAt);
    else out.syn('SELECT * FROM ', endAt);
    out.add(from);
    for (const join of joins) {
      out.syn(` ${join.kind} `, join.at).add(join.table);
      if (join.kind === 'CROSS JOIN') continue;
      const on = join.on ? this.condition(join.on, scope) : null;
      out.syn(' ON ', join.at).add(on ?? new Text().syn('TRUE', join.at));
    }
    const conds: Text[] = [];
    if (wheres > 1) conds.push(this.opaque(whereAt));
    else if (where) {
      const c = this.condition(where, scope);
      if (c) conds.push(c);
    }
    conds.push(...extra);
    if (conds.length > 0) {
      out.syn(' WHERE ', whereAt || endAt);
      conds.forEach((c, k) => {
        if (k > 0) out.syn(' AND ', endAt);
        out.add(c);
      });
    }
    for (const t of tail) out.add(t);
    if (wheres <= 1) {
      if (nested) this.nestedShapes.push({ ...shape, where });
      else this.shape = { ...shape, where };
    }
    return out;
  }

  /** The key a table expression is registered under in a scope (to tell a second join of the same table). */
  private sourceKey(node: Node): string | null {
    const ref = this.resolveTable(node);
    if (ref) return ref.name;
    const n = unwrap(node);
    return n.type === AST_NODE_TYPES.Identifier ? n.name : null;
  }

  /**
   * `db.delete(users).where(…)` / `db.update(users).set({…}).where(…)`, with `.returning(…)`: the write as SQL, or
   * null. `set` must be an object whose keys are the table's columns (anything else might set the soft-delete column).
   */
  lowerWrite(steps: Step[], endAt: number): SqlFragment | null {
    const [head, ...rest] = steps;
    if (!head || head.args.length !== 1) return null;
    const ref = this.resolveTable(head.args[0] as Node);
    if (!ref) return null;
    const scope: Scope = { tables: new Map([[ref.name, ref]]), params: new Map(), ops: new Map(), opsObject: null };
    const update = head.name === 'update';
    const sets: Text[] = [];
    let where: Node | null = null;
    let whereAt = head.at;
    let returning = false;
    // a new `.where(…)` goes after `delete(t)` / `.set(…)`
    let insertAt = head.call.range[1];
    this.shape = null;
    this.nestedShapes = [];
    for (const step of rest) {
      if (step.args.some((a) => a.type === AST_NODE_TYPES.SpreadElement)) return null;
      if (step.name === 'set' && update && sets.length === 0) {
        const object = step.args.length === 1 ? this.follow(step.args[0] as Node) : null;
        if (!object) return null;
        if (object.type !== AST_NODE_TYPES.ObjectExpression) sets.push(new Text().unseenAssignment(this.counter, step.args[0]!.range[0]));
        for (const property of object.type === AST_NODE_TYPES.ObjectExpression ? object.properties : []) {
          if (property.type !== AST_NODE_TYPES.Property || property.computed) {
            sets.push(new Text().unseenAssignment(this.counter, property.range[0])); // values we cannot see
            continue;
          }
          if (property.kind !== 'init') return null;
          const key = keyName(property);
          const column = key === null ? undefined : ref.table.columns.get(key);
          if (column === undefined) return null;
          const value = property.value as Node;
          if (isUndefined(value)) continue;
          const set = new Text();
          pushIdent(set, column, keyRange(property));
          set.syn(' = ', property.range[0]);
          sets.push(isLiteral(value, null) ? set.syn('NULL', property.range[0]) : set.add(this.value(value, scope)));
        }
        if (sets.length === 0) return null;
        insertAt = step.call.range[1];
      } else if (step.name === 'where' && where === null) {
        where = (step.args[0] as Node | undefined) ?? null;
        whereAt = step.at;
      } else if (step.name === 'returning') {
        returning = true;
      } else if (!TERMINALS.has(step.name) && step.name !== '$dynamic') {
        return null; // `from` / joins in an update, `using`, a second `where`, a method we do not model
      }
    }
    if (update && sets.length === 0) return null;
    const out = new Text().syn(update ? 'UPDATE ' : 'DELETE FROM ', head.at).add(this.tableText(ref.table, ref.range));
    out.clause(' SET ', sets, ', ', head.at);
    const condition = where ? this.condition(where, scope) : null;
    if (condition) out.syn(' WHERE ', whereAt).add(condition);
    if (returning) out.syn(' RETURNING *', endAt);
    const fragment = out.toSynthesized();
    if (!parseCached(fragment.text).ok) return null;
    this.shape = { tables: [{ range: ref.range, expression: head.args[0] as Node, table: ref.table }], where, insertAt };
    this.writeHead = head;
    return fragment;
  }

  // ── relational queries ────────────────────────────────────────────────────────────────────────────────────

  /** `db.query.users.findMany(args)`: its own read, and one per relation loaded by `with`. */
  lowerRelational(name: string, range: [number, number], args: Node | null, scan?: ProgramScan, call?: TSESTree.CallExpression): SqlFragment[] {
    const out: SqlFragment[] = [];
    const tasks: Array<{ name: string; range: [number, number]; args: Node | null; key: string[]; constraints?: RelationConstraint[]; slot: Node | null; kind?: 'one' | 'many' }> = [
      { name, range, args, key: [], slot: args },
    ];
    const api = [...(this.tables.get(name)?.relations?.values() ?? [])][0]?.api;
    for (let i = 0; i < tasks.length && i < 64; i++) {
      const task = tasks[i]!;
      try {
        this.reset();
        const table = this.tables.get(task.name);
        if (!table) continue;
        const ref: TableRef = { name: task.name, table };
        const at = task.range[0];
        const conds: Text[] = [];
        for (const column of task.key) {
          conds.push(new Text().add(this.columnText(table, column, task.range, task.range)).syn(' = ANY(', at).add(this.param(at)).syn(')', at));
        }
        for (const constraint of task.constraints ?? []) {
          const c = this.objectWhere(constraint.where, ref);
          if (c) conds.push(constraint.negate ? new Text().syn('NOT (', at).add(c).syn(')', at) : c);
        }
        if (task.args) {
          const object = this.follow(task.args);
          if (object.type !== AST_NODE_TYPES.ObjectExpression) conds.push(this.opaque(task.args.range[0]));
          else {
            const where = object.properties.find((p): p is TSESTree.Property => p.type === AST_NODE_TYPES.Property && keyName(p) === 'where');
            const constraints = where ? this.relationConstraints(where.value as Node, table) : new Map<string, RelationConstraint[]>();
            for (const property of object.properties) {
              if (property.type !== AST_NODE_TYPES.Property) {
                conds.push(this.opaque(property.range[0]));
                continue;
              }
              const key = keyName(property);
              const value = property.value as Node;
              if (key === null) conds.push(this.opaque(property.range[0]));
              else if (key === 'where') {
                const c = this.relationalWhere(value, ref);
                if (c) conds.push(c);
              } else if (key === 'with') {
                const withObject = this.follow(value);
                if (withObject.type !== AST_NODE_TYPES.ObjectExpression) continue; // unknown relations: nothing to check
                for (const p of withObject.properties) {
                  if (p.type !== AST_NODE_TYPES.Property) continue;
                  const relName = keyName(p);
                  const relation = relName === null ? undefined : table.relations?.get(relName);
                  const target = relation ? this.tables.get(relation.target) : undefined;
                  if (!relation || !target) continue;
                  const v = p.value as Node;
                  if (isLiteral(v, false) || isUndefined(v)) continue;
                  const rowKey = this.joinKey(task.name, relation, target);
                  tasks.push({ name: relation.target, range: keyRange(p), args: isLiteral(v, true) ? null : v, key: rowKey, constraints: relName === null || !identifiesOne(relation, target) ? undefined : constraints.get(relName), slot: v, kind: relation.kind });
                }
              }
            }
          }
        }
        const sql = new Text().syn('SELECT * FROM ', at).add(this.tableText(table, task.range));
        sql.clause(' WHERE ', conds, ' AND ', at);
        const fragment = sql.toSynthesized();
        if (!parseCached(fragment.text).ok) continue;
        // `with: { org: { where } }` is a type error on a to-one relation of `relations()` (drizzle applies it anyway)
        if (scan && api && !(api === 'relations' && task.kind === 'one')) {
          fragment.codeFilter = relationalFilter(scan, this.names, table, api, task.slot, i === 0 ? (call ?? null) : null);
        }
        out.push(fragment);
      } catch {
        // skip this read
      }
    }
    return out;
  }

  /**
   * What an object `where` (`defineRelations`) requires of the row each to-one relation loads, read from its
   * top-level keys and `AND`: `org: { deletedAt: { isNull: true } }` is drizzle's `exists (select * from orgs where
   * <the relation's join> and deleted_at is null)`, so the one org the same relation loads is live;
   * `NOT: { org: {…} }` (alone in its `NOT`) requires the opposite. `OR`, `org: true` and a spread that may replace
   * the key do not constrain.
   */
  private relationConstraints(node: Node, table: DrizzleTable, depth = 0): Map<string, RelationConstraint[]> {
    const out = new Map<string, RelationConstraint[]>();
    const object = depth < 8 ? this.follow(node) : null;
    if (object?.type !== AST_NODE_TYPES.ObjectExpression) return out;
    const add = (name: string, value: Node, negate: boolean): void => {
      const filter = this.follow(value);
      if (filter.type !== AST_NODE_TYPES.ObjectExpression || filter.properties.length === 0) return;
      if (table.relations?.get(name)?.kind !== 'one') return;
      out.set(name, [...(out.get(name) ?? []), { where: filter, negate }]);
    };
    object.properties.forEach((property, index) => {
      if (property.type !== AST_NODE_TYPES.Property || property.kind !== 'init') return;
      if (object.properties.slice(index + 1).some((later) => later.type === AST_NODE_TYPES.SpreadElement)) return;
      const key = keyName(property);
      const value = property.value as Node;
      if (key === 'AND') {
        const items = this.follow(value);
        if (items.type !== AST_NODE_TYPES.ArrayExpression) return;
        for (const item of items.elements) {
          if (!item || item.type === AST_NODE_TYPES.SpreadElement) continue;
          for (const [name, list] of this.relationConstraints(item, table, depth + 1)) out.set(name, [...(out.get(name) ?? []), ...list]);
        }
      } else if (key === 'NOT') {
        const inner = this.follow(value);
        const only = inner.type === AST_NODE_TYPES.ObjectExpression && inner.properties.length === 1 ? inner.properties[0] : undefined;
        const name = only?.type === AST_NODE_TYPES.Property ? keyName(only) : null;
        if (only?.type === AST_NODE_TYPES.Property && name !== null && table.relations?.has(name)) add(name, only.value as Node, true);
      } else if (key !== null && table.relations?.has(key) && !table.columns.has(key)) {
        add(key, value, false);
      }
    });
    return out;
  }

  /** The columns of the related table matched against the parent rows. Empty when unknown. */
  private joinKey(owner: string, relation: DrizzleRelation, target: DrizzleTable): string[] {
    let props: string[] | undefined;
    if (relation.kind === 'one' && relation.references) props = relation.references;
    else if (relation.kind === 'many') {
      for (const other of target.relations?.values() ?? []) {
        if (other.kind === 'one' && other.target === owner && other.fields) {
          props = other.fields;
          break;
        }
      }
    }
    const columns = (props ?? []).map((p) => target.columns.get(p));
    return columns.every((c): c is string => c !== undefined) ? columns : [];
  }

  /** A relational `where`: a callback `(u, { eq }) => …`, a condition, or a v1 filter object. */
  private relationalWhere(node: Node, ref: TableRef): Text | null {
    if (isUndefined(node)) return null;
    const n = this.follow(node);
    const scope: Scope = { tables: new Map([[ref.name, ref]]), params: new Map(), ops: new Map(), opsObject: null };
    if (n.type === AST_NODE_TYPES.ArrowFunctionExpression || n.type === AST_NODE_TYPES.FunctionExpression) {
      const [fields, operators] = n.params;
      if (fields?.type === AST_NODE_TYPES.Identifier) scope.params.set(fields.name, ref);
      else if (fields) return this.opaque(n.range[0]);
      if (operators?.type === AST_NODE_TYPES.Identifier) scope.opsObject = operators.name;
      else if (operators?.type === AST_NODE_TYPES.ObjectPattern) {
        for (const p of operators.properties) {
          if (p.type !== AST_NODE_TYPES.Property || p.computed) return this.opaque(n.range[0]);
          const key = keyName(p);
          const value = unwrap(p.value as Node);
          if (key === null || value.type !== AST_NODE_TYPES.Identifier) return this.opaque(n.range[0]);
          scope.ops.set(value.name, key);
        }
      } else if (operators) return this.opaque(n.range[0]);
      let body: Node = n.body;
      if (body.type === AST_NODE_TYPES.BlockStatement) {
        const only = body.body.length === 1 ? body.body[0] : undefined;
        if (only?.type !== AST_NODE_TYPES.ReturnStatement || !only.argument) return this.opaque(n.range[0]);
        body = only.argument;
      }
      // names the callback shadows are not the file's
      for (const name of [...scope.params.keys(), ...scope.ops.keys()]) scope.tables.delete(name);
      return this.condition(body, scope);
    }
    if (n.type === AST_NODE_TYPES.ObjectExpression) return this.objectWhere(n, ref);
    return this.condition(n, scope);
  }

  /** v1 relational filters: `{ deletedAt: { isNull: true }, email, OR: [...] }`. */
  private objectWhere(object: TSESTree.ObjectExpression, ref: TableRef, depth = 0): Text | null {
    const conds: Text[] = [];
    for (const property of object.properties) {
      if (property.type !== AST_NODE_TYPES.Property || property.kind !== 'init') {
        conds.push(this.opaque(property.range[0]));
        continue;
      }
      const key = keyName(property);
      const value = property.value as Node;
      const at = property.range[0];
      if (isUndefined(value)) continue;
      if (key === 'AND' || key === 'OR' || key === 'NOT') {
        conds.push(this.objectLogical(key, value, (o) => this.objectWhere(o, ref, depth + 1), at));
        continue;
      }
      const column = key === null ? undefined : ref.table.columns.get(key);
      if (column === undefined || depth > 10) {
        conds.push(this.opaque(at)); // RAW, a relation filter, a key we do not know
        continue;
      }
      const c = this.columnFilter(ref, column, keyRange(property), value, depth);
      if (c) conds.push(c);
    }
    if (conds.length === 0) return null;
    return this.group(conds, 'AND', object.range[0]);
  }

  private objectLogical(key: 'AND' | 'OR' | 'NOT', value: Node, inner: (o: TSESTree.ObjectExpression) => Text | null, at: number): Text {
    const v = unwrap(value);
    if (key === 'NOT') {
      if (v.type !== AST_NODE_TYPES.ObjectExpression) return this.opaque(at);
      const c = inner(v);
      return c === null ? this.opaque(at) : new Text().syn('NOT (', at).add(c).syn(')', at);
    }
    if (v.type !== AST_NODE_TYPES.ArrayExpression) return this.opaque(at);
    const items: Text[] = [];
    for (const el of v.elements) {
      const e = el ? unwrap(el as Node) : null;
      if (!e || e.type !== AST_NODE_TYPES.ObjectExpression) return this.opaque(at);
      const c = inner(e);
      if (c === null) {
        if (key === 'OR') return this.opaque(at); // an empty branch: we do not guess what drizzle makes of it
        continue;
      }
      items.push(c);
    }
    if (items.length === 0) return this.opaque(at);
    return this.group(items, key, at);
  }

  /** `email: x`, `deletedAt: { isNull: true }`, `age: { gt: 5, lt: 9 }`. */
  private columnFilter(ref: TableRef, column: string, range: [number, number], value: Node, depth: number): Text | null {
    const at = range[0];
    const col = (): Text => this.columnText(ref.table, column, range, range);
    const v = unwrap(value);
    const scope: Scope = { tables: new Map(), params: new Map(), ops: new Map(), opsObject: null };
    if (v.type !== AST_NODE_TYPES.ObjectExpression) {
      if (isLiteral(v, null)) return this.opaque(at);
      // a variable may hold a filter object: as `= $N` it constrains the column without filtering it
      return col().syn(' = ', at).add(this.value(v, scope));
    }
    const conds: Text[] = [];
    for (const property of v.properties) {
      const key = property.type === AST_NODE_TYPES.Property ? keyName(property) : null;
      if (property.type !== AST_NODE_TYPES.Property || key === null) {
        conds.push(this.opaque(property.range[0]));
        continue;
      }
      const operand = property.value as Node;
      const op = property.range[0];
      if (isUndefined(operand)) continue;
      if (key === 'isNull' || key === 'isNotNull') {
        if (!isLiteral(operand, true)) conds.push(this.opaque(op));
        else conds.push(col().syn(key === 'isNull' ? ' IS NULL' : ' IS NOT NULL', op));
      } else if (OBJECT_COMPARE[key] && !isLiteral(operand, null)) {
        conds.push(col().syn(` ${OBJECT_COMPARE[key]} `, op).add(this.value(operand, scope)));
      } else if (key === 'in' || key === 'notIn') {
        const any = col().syn(' = ANY(', op).add(this.param(unwrap(operand).range[0])).syn(')', op);
        conds.push(key === 'in' ? any : new Text().syn('NOT (', op).add(any).syn(')', op));
      } else if (LIKE[key]) {
        conds.push(col().syn(` ${LIKE[key]} `, op).add(this.param(unwrap(operand).range[0])));
      } else if ((key === 'AND' || key === 'OR' || key === 'NOT') && depth < 10) {
        conds.push(
          this.objectLogical(key, operand, (o) => this.columnFilter(ref, column, range, o, depth + 1), op),
        );
      } else {
        conds.push(this.opaque(op)); // arrayContains, a key we do not know
      }
    }
    if (conds.length === 0) return null;
    return this.group(conds, 'AND', at);
  }
}

/** A filter the parent's `where` puts on the row a to-one relation loads (negated: the row must not match it). */
interface RelationConstraint {
  where: TSESTree.ObjectExpression;
  negate: boolean;
}

/**
 * Does the to-one relation load at most one row per parent, so a parent's `exists (…)` on the relation speaks of
 * that very row? Only when it references a single column the related table declares a key (`.primaryKey()`,
 * `.unique()`): drizzle loads a to-one relation with `limit 1`, which on a column that is not a key may pick a
 * deleted row while the parent's `exists` found a live one.
 */
function identifiesOne(relation: DrizzleRelation, target: DrizzleTable): boolean {
  const refs = relation.references;
  return relation.kind === 'one' && refs?.length === 1 && target.keys?.has(refs[0]!) === true;
}

function isWhereCallback(node: Node, parents: ParentLookup): boolean {
  let p = parents.get(node);
  while (p && unwrap(p) !== p) p = parents.get(p);
  return p?.type === AST_NODE_TYPES.Property && keyName(p) === 'where';
}

const DRIZZLE_MODULE = /^drizzle-orm(?:\/|$)/;

/** Is `init` a table definition call (`pgTable(…)`, `s.table(…)`)? */
function definesTable(init: Node): boolean {
  const n = unwrap(init);
  if (n.type !== AST_NODE_TYPES.CallExpression) return false;
  const callee = unwrap(n.callee);
  if (callee.type === AST_NODE_TYPES.Identifier) return callee.name === 'pgTable';
  return callee.type === AST_NODE_TYPES.MemberExpression && propertyName(callee) === 'table';
}

/**
 * SQL fragments for every drizzle read in a file (origin `query-builder`). `tables` are the drizzle schema's
 * tables; with none, nothing is lowered. Never throws: a read that fails to lower is skipped.
 */
export function extractDrizzle(
  program: TSESTree.Program,
  visitorKeys: VisitorKeys,
  tables: ReadonlyMap<string, DrizzleTable> | undefined,
): SqlFragment[] {
  if (!tables || tables.size === 0) return [];
  return drizzleFromScan(scanProgram(program, '', visitorKeys), tables);
}

/**
 * Names declared once when the parameters of relational `where: (users, { eq }) => …` callbacks do not count:
 * such a callback names the table and operators it is given, it does not shadow them.
 */
function onceOutsideWhereCallbacks(scan: ProgramScan): (name: string) => boolean {
  const callbackParams = new Map<string, number>();
  for (const node of scan.declarations) {
    if (node.type !== AST_NODE_TYPES.ArrowFunctionExpression && node.type !== AST_NODE_TYPES.FunctionExpression) continue;
    if (!isWhereCallback(node, scan.parents)) continue;
    for (const param of node.params) for (const id of patternNames(param)) callbackParams.set(id.name, (callbackParams.get(id.name) ?? 0) + 1);
  }
  if (callbackParams.size === 0) return scan.once;
  return (name) => (scan.declarationCounts.get(name) ?? 0) - (callbackParams.get(name) ?? 0) === 1;
}

/** `extractDrizzle` over the one walk of the file. */
export function drizzleFromScan(
  scan: ProgramScan,
  tables: ReadonlyMap<string, DrizzleTable> | undefined,
  notUnderstood?: NotUnderstoodCall[],
): SqlFragment[] {
  if (!tables || tables.size === 0) return [];
  const { calls, parents, imports } = scan;
  const clients = clientsOf(scan);
  const once = onceOutsideWhereCallbacks(scan);
  const consts = new Map<string, Node>();
  for (const [name, d] of scan.constInitsAll) if (once(name)) consts.set(name, d);
  const names: FileNames = { tables: new Map(), namespaces: new Set(), ops: new Map(), opNamespaces: new Set(), consts };
  for (const { local, imported, source } of imports) {
    if (!once(local)) continue;
    if (DRIZZLE_MODULE.test(source)) {
      if (imported === null) names.opNamespaces.add(local);
      else if (imported !== 'default') names.ops.set(local, imported);
    } else if (imported === null) names.namespaces.add(local);
    else if (imported !== 'default' && tables.has(imported)) names.tables.set(local, imported);
  }
  for (const [local, init] of consts) if (definesTable(init) && tables.has(local)) names.tables.set(local, local);

  const isDrizzleClient = (node: Node): boolean => isClient(node) || clients.kindOf(node) === 'drizzle';
  const lowerer = new Lowerer(names, tables, isDrizzleClient);
  const fragments: SqlFragment[] = [];
  for (const call of calls) {
    try {
      if (continued(call, parents)) continue;
      const { base, steps } = decompose(call);
      if (steps.length === 0) continue;
      // relational query: <client>.query.<table>.findMany(args)
      if (steps.length === 1 && RQB_READS.has(steps[0]!.name) && base.type === AST_NODE_TYPES.MemberExpression && !base.computed) {
        const holder = unwrap(base.object);
        if (holder.type !== AST_NODE_TYPES.MemberExpression || propertyName(holder) !== 'query' || !isDrizzleClient(holder.object)) continue;
        const name = propertyName(base);
        if (name === null || !tables.has(name)) continue;
        const arg = call.arguments[0];
        if (arg?.type === AST_NODE_TYPES.SpreadElement) continue;
        fragments.push(...lowerer.lowerRelational(name, base.property.range as [number, number], (arg as Node | undefined) ?? null, scan, call));
        continue;
      }
      const write = WRITES.has(steps[0]!.name);
      const select = SELECTS.has(steps[0]!.name) || (steps[0]!.name === 'with' && SELECTS.has(steps[1]?.name ?? ''));
      if (!(select || write) || !isDrizzleClient(base)) continue;
      const terminated = steps.some((s) => TERMINALS.has(s.name));
      if (!terminated && !awaited(call, parents)) continue;
      lowerer.reset();
      const fragment = write ? lowerer.lowerWrite(steps, call.range[0]) : lowerer.lowerChain(steps, call.range[0]);
      if (fragment && lowerer.shape) fragment.codeFilter = chainFilter(scan, names, [lowerer.shape, ...(write ? [] : lowerer.nestedShapes)]);
      if (fragment && write && lowerer.shape && lowerer.writeHead?.name === 'delete') {
        fragment.codeSoftDelete = softDelete(scan, names, lowerer.shape, lowerer.writeHead, fragment.codeFilter!);
      }
      if (fragment) fragments.push(fragment);
      else if (!write) {
        // a read the plugin recognises but cannot name the table of (a value, an alias, a subquery): said, not skipped
        const from = steps.find((s) => s.name === 'from');
        const arg = from?.args.length === 1 ? (from.args[0] as Node) : null;
        if (arg && arg.type !== AST_NODE_TYPES.SpreadElement && !lowerer.resolveTable(arg)) {
          const name = scan.text.slice(arg.range[0], arg.range[1]);
          notUnderstood?.push({
            start: arg.range[0],
            end: arg.range[1],
            callee: `from(${name.length > 40 ? '…' : name})`,
            reason: 'it is not a table of the drizzle schema the plugin read (an `alias()`, a subquery, a table declared where discovery does not look)',
            builder: true,
          });
        }
      }
    } catch {
      // skip this read
    }
  }
  return fragments;
}

// ── filters in the code's idiom ─────────────────────────────────────────────────────────────────────────────────

const PLAIN_PROPERTY = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/**
 * `isNull(users.deletedAt)` added to a select chain: inside the existing `and(…)`, or as `and(<where>,
 * isNull(…))`, or as a new `.where(…)` after the FROM / joins. The operators come from the file's drizzle-orm
 * import (extended, or a new import after the last one); no suggestion when a name is taken by something else.
 */
function chainFilter(scan: ProgramScan, names: FileNames, shapes: readonly ChainShape[]): NonNullable<SqlFragment['codeFilter']> {
  return (at, { column, test }) => {
    const shape = shapes.find((s) => s.tables.some((t) => at >= t.range[0] && at < t.range[1]));
    const target = shape?.tables.find((t) => at >= t.range[0] && at < t.range[1]);
    if (!shape || !target) return null;
    const property = [...target.table.columns].find(([, sqlName]) => sqlName === column)?.[0];
    if (property === undefined || !PLAIN_PROPERTY.test(property)) return null;
    const where = shape.where && unwrap(shape.where);
    const andCall = where && where.type === AST_NODE_TYPES.CallExpression && operatorOf(where.callee, names) === 'and' && where.arguments.length > 0 ? where : null;
    const needed = [test === 'is-null' ? 'isNull' : 'eq', ...(where && !andCall ? ['and'] : [])];
    const ops = operatorNames(scan, names, needed);
    if (!ops) return null;
    const columnText = `${scan.text.slice(target.expression.range[0], target.expression.range[1])}.${property}`;
    const filter = test === 'is-null' ? `${ops.names.isNull}(${columnText})` : `${ops.names.eq}(${columnText}, false)`;
    const edits: SourceEdit[] = [...ops.edits];
    if (andCall) {
      const last = andCall.arguments[andCall.arguments.length - 1]!;
      edits.push({ start: last.range[1], end: last.range[1], text: `, ${filter}` });
    } else if (where) {
      edits.push({ start: where.range[0], end: where.range[0], text: `${ops.names.and}(` }, { start: where.range[1], end: where.range[1], text: `, ${filter})` });
    } else {
      if (shape.insertAt < 0) return null;
      edits.push({ start: shape.insertAt, end: shape.insertAt, text: `.where(${filter})` });
    }
    return { code: filter, edits: edits.sort((a, b) => a.start - b.start) };
  };
}

/**
 * The filter added to a relational query (`db.query.users.findMany(…)`, or a relation its `with` loads), in the
 * form its relations API takes: `deletedAt: { isNull: true }` in an object `where` (`defineRelations`), or
 * `isNull(u.deletedAt)` in a `where` callback (`relations()`), merged into an existing callback with the `and` /
 * `isNull` it is given (added to its operators parameter). `findMany()` / `posts: true` get a new `where`. None
 * when the `where` is something else (a variable, a condition), or a name the edit needs is taken.
 */
function relationalFilter(
  scan: ProgramScan,
  names: FileNames,
  table: DrizzleTable,
  api: 'relations' | 'defineRelations',
  slot: Node | null,
  call: TSESTree.CallExpression | null,
): NonNullable<SqlFragment['codeFilter']> {
  return (_at, { column, test }) => {
    const property = [...table.columns].find(([, sqlName]) => sqlName === column)?.[0];
    if (property === undefined || !PLAIN_PROPERTY.test(property)) return null;
    const entry = `${property}: ${test === 'is-null' ? '{ isNull: true }' : 'false'}`;
    const op = test === 'is-null' ? 'isNull' : 'eq';
    const check = (t: string, fn: string): string => (test === 'is-null' ? `${fn}(${t}.${property})` : `${fn}(${t}.${property}, false)`);
    const fresh = api === 'defineRelations' ? `{ ${entry} }` : `(t, { ${op} }) => ${check('t', op)}`;
    const done = (code: string, edits: SourceEdit[]): CodeFilter => ({ code, edits: edits.sort((a, b) => a.start - b.start) });
    const n = slot ? unwrap(slot) : null;
    if (!n) {
      // `findMany()`
      if (!call || call.arguments.length !== 0 || scan.text[call.range[1] - 1] !== ')') return null;
      return done(`where: ${fresh}`, [{ start: call.range[1] - 1, end: call.range[1] - 1, text: `{ where: ${fresh} }` }]);
    }
    if (isLiteral(n, true)) return done(`where: ${fresh}`, [{ start: n.range[0], end: n.range[1], text: `{ where: ${fresh} }` }]);
    if (n.type !== AST_NODE_TYPES.ObjectExpression || n.properties.some((p) => p.type !== AST_NODE_TYPES.Property)) return null;
    const where = n.properties.find((p): p is TSESTree.Property => p.type === AST_NODE_TYPES.Property && keyName(p) === 'where');
    if (!where) {
      const first = n.properties[0];
      if (!first) return done(`where: ${fresh}`, [{ start: n.range[0], end: n.range[1], text: `{ where: ${fresh} }` }]);
      return done(`where: ${fresh}`, [{ start: first.range[0], end: first.range[0], text: `where: ${fresh}, ` }]);
    }
    const w = unwrap(where.value as Node);
    if (w.type === AST_NODE_TYPES.ObjectExpression) {
      if (api !== 'defineRelations' || w.properties.some((p) => p.type !== AST_NODE_TYPES.Property || keyName(p) === property)) return null;
      const first = w.properties[0];
      if (!first) return done(entry, [{ start: w.range[0], end: w.range[1], text: `{ ${entry} }` }]);
      return done(entry, [{ start: first.range[0], end: first.range[0], text: `${entry}, ` }]);
    }
    if (api !== 'relations' || (w.type !== AST_NODE_TYPES.ArrowFunctionExpression && w.type !== AST_NODE_TYPES.FunctionExpression)) return null;
    if (w.body.type === AST_NODE_TYPES.BlockStatement) return null;
    const [fields, operators] = w.params;
    if (fields?.type !== AST_NODE_TYPES.Identifier) return null;
    const edits: SourceEdit[] = [];
    const local: Record<string, string> = {};
    const body = unwrap(w.body);
    if (operators?.type === AST_NODE_TYPES.Identifier) {
      local.and = `${operators.name}.and`;
      local[op] = `${operators.name}.${op}`;
    } else {
      // the operators the callback destructures, and the ones it must be given
      const given = new Map<string, string>();
      if (operators?.type === AST_NODE_TYPES.ObjectPattern) {
        for (const p of operators.properties) {
          const key = p.type === AST_NODE_TYPES.Property ? keyName(p) : null;
          const value = p.type === AST_NODE_TYPES.Property ? unwrap(p.value as Node) : null;
          if (key === null || value?.type !== AST_NODE_TYPES.Identifier) return null;
          given.set(key, value.name);
        }
      } else if (operators) return null;
      const missing: string[] = [];
      for (const name of ['and', op]) {
        if (given.has(name)) local[name] = given.get(name)!;
        else {
          // a name declared elsewhere in the file (other than drizzle's operator itself) would be shadowed
          if (scan.declarationCounts.has(name) && names.ops.get(name) !== name) return null;
          local[name] = name;
          missing.push(name);
        }
      }
      if (missing.length > 0) {
        if (operators?.type === AST_NODE_TYPES.ObjectPattern) {
          const last = operators.properties[operators.properties.length - 1];
          if (last) edits.push({ start: last.range[1], end: last.range[1], text: `, ${missing.join(', ')}` });
          else edits.push({ start: operators.range[0], end: operators.range[1], text: `{ ${missing.join(', ')} }` });
        } else {
          if (scan.text[fields.range[1]] !== ')') return null; // `u => …`: no parentheses to add a parameter in
          edits.push({ start: fields.range[1], end: fields.range[1], text: `, { ${missing.join(', ')} }` });
        }
      }
    }
    const filter = check(fields.name, local[op]!);
    const calleeText = body.type === AST_NODE_TYPES.CallExpression ? scan.text.slice(body.callee.range[0], body.callee.range[1]) : null;
    if (body.type === AST_NODE_TYPES.CallExpression && calleeText === local.and && body.arguments.length > 0) {
      const lastArg = body.arguments[body.arguments.length - 1]!;
      edits.push({ start: lastArg.range[1], end: lastArg.range[1], text: `, ${filter}` });
    } else {
      edits.push({ start: body.range[0], end: body.range[0], text: `${local.and}(` }, { start: body.range[1], end: body.range[1], text: `, ${filter})` });
    }
    return done(filter, edits);
  };
}

/**
 * `db.delete(users)…` → `db.update(users).set({ deletedAt: sql`now()` })…`, with `isNull(users.deletedAt)` added to
 * the where when it does not keep to live rows already (`sql` and the operators imported as for filters).
 */
function softDelete(
  scan: ProgramScan,
  names: FileNames,
  shape: ChainShape,
  head: Step,
  filter: NonNullable<SqlFragment['codeFilter']>,
): NonNullable<SqlFragment['codeSoftDelete']> {
  return (at, request) => {
    const target = shape.tables[0]!;
    const property = [...target.table.columns].find(([, sqlName]) => sqlName === request.column)?.[0];
    if (property === undefined || !PLAIN_PROPERTY.test(property)) return null;
    const added = request.filter ? filter(at, request) : { code: '', edits: [] };
    if (!added) return null;
    const ops = request.test === 'is-null' ? operatorNames(scan, names, ['sql']) : { names: {}, edits: [] };
    if (!ops) return null;
    const set = `.set({ ${property}: ${request.test === 'is-null' ? `${ops.names.sql}\`now()\`` : 'true'} })`;
    const edits: SourceEdit[] = [{ start: head.at, end: head.at + head.name.length, text: 'update' }];
    // the operators' import edits of both, once
    for (const e of [...ops.edits, ...added.edits]) {
      const same = edits.find((x) => x.start === e.start && x.end === e.end && x.start === x.end);
      if (same && e.text.startsWith(', ')) same.text += e.text;
      else edits.push({ ...e });
    }
    const end = head.call.range[1];
    const after = edits.find((e) => e.start === end && e.end === end);
    if (after) after.text = set + after.text;
    else edits.push({ start: end, end, text: set });
    return { code: `update(…)${set}`, edits: edits.sort((a, b) => a.start - b.start) };
  };
}

/** The drizzle-orm operator a callee names (`and`, `d.and`), or null. */
function operatorOf(callee: Node, names: FileNames): string | null {
  const c = unwrap(callee);
  if (c.type === AST_NODE_TYPES.Identifier) return names.ops.get(c.name) ?? null;
  if (c.type === AST_NODE_TYPES.MemberExpression && !c.computed) {
    const object = unwrap(c.object);
    if (object.type === AST_NODE_TYPES.Identifier && names.opNamespaces.has(object.name)) return propertyName(c);
  }
  return null;
}

/**
 * How the file can name drizzle-orm operators: an existing import (`import { isNull as isN }`, a namespace), or an
 * edit adding them to the file's drizzle-orm import (or a new import after the last one). Null when a needed name
 * is already declared for something else, or the file has no import to extend or follow.
 */
function operatorNames(scan: ProgramScan, names: FileNames, needed: string[]): { names: Record<string, string>; edits: SourceEdit[] } | null {
  const out: Record<string, string> = {};
  const missing: string[] = [];
  const namespace = [...names.opNamespaces][0];
  for (const op of needed) {
    const local = [...names.ops].find(([, imported]) => imported === op)?.[0];
    if (local !== undefined) out[op] = local;
    else if (namespace !== undefined) out[op] = `${namespace}.${op}`;
    else if (scan.declarationCounts.has(op)) return null;
    else {
      out[op] = op;
      missing.push(op);
    }
  }
  if (missing.length === 0) return { names: out, edits: [] };
  missing.sort();
  const edits = importEdits(scan, 'drizzle-orm', missing);
  return edits ? { names: out, edits } : null;
}
