/**
 * The query-builder front end: knex (and objection's knex-style chains) and kysely chains — reads and writes —
 * become SQL fragments, so the one engine checks them like any other SQL. A chain that ends in a write
 * (`.del()`, `.update({…})`, Objection `.patch({…})` / `.deleteById(id)`, kysely `deleteFrom` / `updateTable`)
 * becomes `DELETE FROM …` / `UPDATE … SET …` with its WHERE and RETURNING; values it cannot read (`.update(changes)`,
 * a spread) might set the soft-delete column, so that chain is not lowered.
 *
 * A chain is lowered where it runs (`await knex('users').where(…).first()`, `return db('users')…` in an async
 * function, `.then(…)`, kysely's `.execute()`). A builder kept in a variable (`const q = knex('posts')…`) is
 * followed through the statements that extend it (`q.where(…)`, `q = q.where(…)`) to where it runs (`await q`);
 * see `lowerBuilderVariables` for what happens on paths we cannot decide. Clients are recognised by binding
 * (extract/clients.ts) and by the names real code gives them; Objection `Model.query()` chains read the model's
 * `static tableName`.
 *
 * The synthesized text is equivalent PostgreSQL: `knex('users').where({ email }).whereNull('deleted_at')` becomes
 * `SELECT * FROM users WHERE email = $1 AND deleted_at IS NULL`. Identifiers map back character by character to
 * the string literals that name them (a report squiggles the `users` inside `'users'`); keywords and values map
 * to the call that produced them. Whatever cannot be seen into — `.where(fn)`, `.modify(fn)`, an unknown method,
 * an unlowered join or `EXISTS` — becomes an opaque placeholder, so the verdict is *unknown*, never a false report.
 * A table name that is not a string this file spells out becomes an opaque identifier (an unknown relation).
 */
import { AST_NODE_TYPES, type TSESTree } from '@typescript-eslint/utils';
import type { SourceEdit, SqlFragment } from '../sql/fragment.js';
import { parseCached } from '../sql/source.js';
import { needsQuotes } from '../sql/ident.js';
import { childNodes, propertyName, unwrap } from '../js/estree.js';
import { rethrowWhenStrict } from '../strict.js';
import { DEFAULT_COLUMNS } from '../settings.js';
import { decodeJsString } from './js-string.js';
import { looksLikeSql } from './looks-like-sql.js';
import { MappedText } from '../js/mapped-text.js';
import { awaited, continued, decompose, importEdits, SynthText, type Step } from '../js/synth.js';
import { scanProgram, type ParentLookup, type ProgramScan } from '../js/program.js';
import type { NotUnderstoodCall } from './frontend.js';
import { exportedBinding, resolveModule, staticTableName } from './modules.js';
import { namesOf, type FileNames } from './names.js';
import { graphRelations, modelIdColumns, modelModifier, modifiersArgument, relatedQueryName, relationOf, type GraphRelation, type RelationInfo } from './objection.js';
import { normalizePlaceholders, type PlaceholderStyle } from './placeholders.js';
import { mixinIn, softDeletePluginNames, type SoftDeleteMixin } from '../schema/objection-models.js';
import type { ObjectionSoftDeleteModel } from '../schema/model.js';
import { isOpaqueIdentText, nextIdent, nextParam, type PlaceholderCounter } from '../sql/placeholder.js';

type Node = TSESTree.Node;
type Keys = Readonly<Record<string, readonly string[] | undefined>> | undefined;

/** Names of objects that are a knex instance (or a transaction) in real code. */
const KNEX_NAME = /^(?:knex|db|trx|tx|k|conn|connection|database|transaction)$|(?:Knex|Db|DB|Trx)$/;
/** Methods of a knex instance that start a builder. */
const KNEX_ROOT_METHODS = new Set([
  'from', 'table', 'select', 'queryBuilder', 'withSchema', 'first', 'column', 'columns', 'distinct', 'distinctOn',
  'count', 'countDistinct', 'min', 'max', 'sum', 'sumDistinct', 'avg', 'avgDistinct', 'pluck', 'with',
  'withMaterialized', 'withNotMaterialized', 'withRecursive',
]);
const KNEX_TERMINALS = new Set(['then', 'catch', 'finally', 'asCallback', 'stream', 'pipe']);
const KYSELY_TERMINALS = new Set(['execute', 'executeTakeFirst', 'executeTakeFirstOrThrow', 'stream']);
const PROJECTIONS = new Set(['select', 'column', 'columns', 'distinct', 'distinctOn', 'first', 'pluck', 'selectAll']);
const AGGREGATES = new Set(['count', 'countDistinct', 'min', 'max', 'sum', 'sumDistinct', 'avg', 'avgDistinct']);
/** Clauses that do not change which rows of which tables are read. */
const HARMLESS = new Set([
  'orderBy', 'orderByRaw', 'groupBy', 'groupByRaw', 'having', 'havingRaw', 'orHaving', 'andHaving', 'havingIn',
  'havingNull', 'havingNotNull', 'havingBetween', 'limit', 'offset', 'forUpdate', 'forShare', 'forNoKeyUpdate',
  'forKeyShare', 'noWait', 'skipLocked', 'timeout', 'transacting', 'connection', 'debug', 'options', 'as',
  'comment', 'hintComment', 'clearOrder',
  // Objection: loading relations runs other reads; the model's own read keeps its filter
  'withGraphFetched', 'withGraphJoined', 'modifiers', 'for', 'throwIfNotFound', 'castTo', 'skipUndefined', 'clearSelect', 'clearGroup', 'clearHaving', 'clearCounters', 'clone',
  // a set operation adds branches we do not see; the branch we lowered keeps its own verdict
  'union', 'unionAll', 'intersect', 'except',
  // kysely
  '$narrowType', '$castTo', '$assertType', 'forUpdate', 'top', 'fetch', 'clearLimit', 'clearOffset',
  'clearOrderBy', 'orderBy', 'groupBy', 'having', 'limit', 'offset',
]);
/** Writes and shapes this front end does not model: the whole chain is skipped. */
const SKIP = new Set([
  'insert', 'upsert', 'truncate', 'onConflict', 'merge', 'insertGraph', 'upsertGraph', 'relate', 'unrelate',
  'ignore', 'into', 'clearWhere',
  'clear', 'fromRaw', 'from_', 'jsonExtract', 'jsonSet', 'jsonInsert', 'jsonRemove',
]);
const KNEX_JOINS: Record<string, string> = {
  join: 'INNER JOIN', innerJoin: 'INNER JOIN', leftJoin: 'LEFT JOIN', leftOuterJoin: 'LEFT JOIN',
  rightJoin: 'RIGHT JOIN', rightOuterJoin: 'RIGHT JOIN', fullOuterJoin: 'FULL JOIN', crossJoin: 'CROSS JOIN',
};
const KYSELY_JOINS: Record<string, string> = {
  innerJoin: 'INNER JOIN', leftJoin: 'LEFT JOIN', rightJoin: 'RIGHT JOIN', fullJoin: 'FULL JOIN', crossJoin: 'CROSS JOIN',
};
/** Comparison operators passed through as written (lower-cased keys). */
const OPERATORS = new Set([
  '=', '<', '>', '<=', '>=', '<>', '!=', 'like', 'not like', 'ilike', 'not ilike', 'similar to', 'not similar to',
  '~', '~*', '!~', '!~*', '@>', '<@', '&&', 'is distinct from', 'is not distinct from',
]);
const WHERE_METHOD = /^(?:(or|and)W|w)here(Not)?(Null|In|Between|Exists|Raw|Like|ILike|Ref)?$/;

/** `n` characters mapped over a source range: the first onto its start, the last onto its end. */
function spread(n: number, [from, to]: readonly [number, number]): number[] {
  return Array.from({ length: n }, (_, k) => (k === n - 1 ? to - 1 : Math.min(from + k, to - 2)));
}

type NameResolver = Pick<FileNames, 'stringOf' | 'isKnex' | 'isOtherClient' | 'isKnexField' | 'modelTable' | 'modelClass' | 'relationAnywhere'>;

const NO_NAMES: NameResolver = {
  stringOf: () => null, isKnex: () => false, isOtherClient: () => false, isKnexField: () => false, modelTable: () => null, modelClass: () => null, relationAnywhere: () => null,
};

/** Do these steps call a knex builder method (so `x('users')` before them is worth asking the types about)? */
function builderAhead(steps: readonly Step[]): boolean {
  return steps.some(
    (s) => WHERE_METHOD.test(s.name) || PROJECTIONS.has(s.name) || AGGREGATES.has(s.name) || s.name in KNEX_JOINS || HARMLESS.has(s.name) ||
      s.name === 'joinRaw' || s.name === 'from' || KNEX_TERMINALS.has(s.name),
  );
}

/** A string the file spells out, with the source index of every character. */
interface Str {
  value: string;
  src: number[];
}


type Flavor = 'knex' | 'kysely';
type Bool = 'AND' | 'OR';

interface Cond {
  bool: Bool;
  not: boolean;
  text: Piece;
}

/** Thrown to abandon a whole chain (a write, a CTE, a shape that would need guessing). */
class Skip extends Error {}

class Piece extends SynthText {
  get empty(): boolean {
    return this.text.length === 0;
  }
}

/**
 * Where a table of the chain's own query entered it: the source range of its name, the source index just after the
 * call that brought it in (a filter chained there applies to it), and whether it is the FROM item or an inner join.
 */
interface Anchor {
  range: readonly [number, number];
  after: number;
  kind: 'from' | 'join';
}

/** The SELECT being assembled from a chain. */
class Select {
  from: Piece | null = null;
  anchors: Anchor[] = [];
  /** Objection: the model class the chain reads (for its relations), relations to load, named modifiers. */
  model: Node | null = null;
  /** Objection: the chain starts at an instance's `$query()` (its own row; `patch()` without values writes the instance). */
  instance = false;
  /** Objection: the model's table and its objection-soft-delete options, when it mixes the plugin in. */
  softDelete: { table: string; mixin: SoftDeleteMixin } | null = null;
  graphs: Step[] = [];
  modifiers = new Map<string, Node>();
  schema: Str | null = null;
  projection: Piece[] = [];
  joins: Piece[] = [];
  where: Cond[] = [];
  /** `WITH name AS (…)` items (`.with('name', q)`). */
  ctes: Piece[] = [];
  /** `WITH RECURSIVE` (one `.withRecursive` makes the whole list recursive, as in SQL). */
  recursive = false;
  /** ` UNION ALL (SELECT …)` branches (`.union(q)`, `.unionAll([q1, q2])`). */
  unions: Piece[] = [];
  /** A chain that ends in a write (`.del()`, `.update({…})`, kysely `deleteFrom` / `updateTable`): lowered as one. */
  write: { kind: 'delete' | 'update'; at: number; sets: Piece[]; step?: Step } | null = null;
  /** The code that names the client (`knex`, `this.knex`, `trx`) or the Objection model (`User`): `<it>.fn.now()`. */
  client: string | null = null;
  returning: Piece[] = [];
}


/** Set operations a chain can add branches with, and their SQL. */
const SET_OPERATIONS: Record<string, string> = {
  union: 'UNION', unionAll: 'UNION ALL', intersect: 'INTERSECT', intersectAll: 'INTERSECT ALL', except: 'EXCEPT', exceptAll: 'EXCEPT ALL',
};

/** A chain to lower: where it starts and the steps after it. */
interface Chain {
  base: Node;
  steps: Step[];
}

/**
 * The chain a call to a builder-returning function of the file stands for (`activeUsers().where(…)` with
 * `function activeUsers() { return knex('users')… }`, `this.base().where(…)` with a method `base()`), or null.
 */
type ReturnedBuilder = (base: Node, steps: Step[]) => Chain | null;
/** `f()` where `f` is a function another module exports that returns a builder: `f` and its module; else null. */
type ForeignBuilder = (base: Node) => { name: string; source: string } | null;

/** knex / Objection methods that make a chain a write: `.del()`, `.update({…})`, `.patch({…})`, `.increment(…)`. */
const WRITE_METHODS = new Set([
  'del', 'delete', 'update', 'patch', 'increment', 'decrement', 'deleteById', 'patchAndFetchById', 'updateAndFetchById',
  'patchAndFetch', 'updateAndFetch', 'returning',
]);

/** `x.raw(…)`: SQL text, read (or said unreadable) by the SQL-in-code front end. */
function isRawCall(node: Node): boolean {
  const e = unwrap(node);
  return e.type === AST_NODE_TYPES.CallExpression && unwrap(e.callee).type === AST_NODE_TYPES.MemberExpression && propertyName(unwrap(e.callee) as TSESTree.MemberExpression) === 'raw';
}

function lastName(node: Node): string | null {
  const n = unwrap(node);
  if (n.type === AST_NODE_TYPES.Identifier) return n.name;
  if (n.type === AST_NODE_TYPES.ThisExpression) return 'this';
  if (n.type === AST_NODE_TYPES.MemberExpression) return propertyName(n);
  return null;
}


function isNull(node: Node): boolean {
  const n = unwrap(node);
  return n.type === AST_NODE_TYPES.Literal && n.value === null && !('regex' in n) && !('bigint' in n);
}

function isFunction(node: Node): node is TSESTree.FunctionExpression | TSESTree.ArrowFunctionExpression {
  return node.type === AST_NODE_TYPES.FunctionExpression || node.type === AST_NODE_TYPES.ArrowFunctionExpression;
}


function slice(str: Str, from: number, to: number): Str {
  return { value: str.value.slice(from, to), src: str.src.slice(from, to) };
}

function trim(str: Str): Str {
  const start = str.value.length - str.value.trimStart().length;
  const end = str.value.trimEnd().length;
  return slice(str, start, Math.max(start, end));
}

/** `a, b ,c` split on `separator` into its trimmed items. */
function splitOn(str: Str, separator: string): Str[] {
  const items: Str[] = [];
  let from = 0;
  for (let k = 0; k <= str.value.length; k++) {
    if (k === str.value.length || str.value[k] === separator) {
      items.push(trim(slice(str, from, k)));
      from = k + 1;
    }
  }
  return items;
}

/** Splits `a.b.c` into its parts (knex and kysely split identifiers on dots). */
function dotted(str: Str): Str[] {
  return splitOn(str, '.');
}

/**
 * `users as u` → name and alias (case-insensitive `as`, as both libraries accept): the first white-space run
 * followed by `as`, white space and more, with no line break in the name or the alias. One linear pass (a regex
 * such as `^(.*?\S)\s+as\s+(\S.*)$` is quadratic on text like `a as a as a …`).
 */
function splitAlias(str: Str): { name: Str; alias: Str | null } {
  const value = str.value;
  const breaks = /[\n\r\u2028\u2029]/g;
  let firstBreak = value.length;
  let lastBreak = -1;
  for (let m = breaks.exec(value); m; m = breaks.exec(value)) {
    firstBreak = Math.min(firstBreak, m.index);
    lastBreak = m.index;
  }
  const space = /\s+/g;
  for (let run = space.exec(value); run; run = space.exec(value)) {
    const start = run.index;
    const after = start + run[0].length;
    if (start === 0 || start > firstBreak || value.slice(after, after + 2).toLowerCase() !== 'as') continue;
    const next = /\s+/y;
    next.lastIndex = after + 2;
    if (!next.exec(value)) continue;
    const aliasStart = next.lastIndex;
    if (aliasStart >= value.length || aliasStart <= lastBreak) continue;
    return { name: trim(slice(str, 0, start)), alias: trim(slice(str, aliasStart, value.length)) };
  }
  return { name: trim(str), alias: null };
}

class Lowerer {
  private counter: PlaceholderCounter = { param: 0, ident: 0 };

  /** Builder variables used as a subquery, a union branch or a CTE (`whereIn('id', q)`), with their steps there. */
  readonly embedded = new Map<Node, Chain>();
  /** Reads a chain makes besides its own (Objection relations loaded by `withGraphFetched`), in lowering order. */
  readonly extra: SqlFragment[] = [];
  /** This file's declarations, the names it binds to objection-soft-delete, and the schema's soft-delete models. */
  objection: { declared: ReadonlySet<Node>; plugins: ReadonlySet<string>; models: ReadonlyMap<string, ObjectionSoftDeleteModel> } = {
    declared: new Set(),
    plugins: new Set(),
    models: new Map(),
  };
  /** Builders the lowered chains use but that cannot be followed (a union branch, one made in another module). */
  readonly unseen: NotUnderstoodCall[] = [];
  /** Those of the chain being lowered: kept only when it is (a chain that is skipped says nothing). */
  pending: NotUnderstoodCall[] = [];

  constructor(
    readonly source: string,
    private readonly consts: ReadonlyMap<string, Node>,
    private readonly names: NameResolver = NO_NAMES,
    private readonly returned: ReturnedBuilder = () => null,
    readonly foreign: ForeignBuilder = () => null,
    /** The file (for edits that add an import). */
    readonly scan: ProgramScan | null = null,
  ) {}

  /** Keeps the pending notes of a chain that was lowered (once each: a builder variable is lowered per run). */
  commitUnseen(): void {
    for (const note of this.pending) {
      if (!this.unseen.some((u) => u.start === note.start && u.end === note.end)) this.unseen.push(note);
    }
    this.pending = [];
  }

  /**
   * `x.$query()…` run where the model class of `x` cannot be known (a parameter without a type, a value from
   * elsewhere): a read or write of some table the checks cannot judge, said rather than passed over.
   */
  unknownInstance(base: Node, steps: readonly Step[]): NotUnderstoodCall | null {
    const first = steps[0];
    if (first?.name !== '$query' || first.args.length > 0 || this.instanceModel(base)) return null;
    return {
      start: base.range[0],
      end: first.call.range[1],
      callee: this.source.slice(first.call.callee.range[0], first.call.callee.range[1]),
      reason: 'the model class of this instance is not known here (declare it with a type annotation, or make it with `new`, `fromJson` or a query of its class in this file)',
      builder: true,
    };
  }

  /** A note for a builder that is used here but built where the plugin cannot follow it. */
  unseenBuilder(node: Node, callee: string): NotUnderstoodCall {
    const e = unwrap(node);
    const foreign = this.foreign(e);
    const reason = foreign
      ? `it is made by \`${foreign.name}()\` in '${foreign.source}', and builders are not followed into another module`
      : 'it is a builder this file does not build (a parameter, a field, or a value it cannot follow)';
    return { start: e.range[0], end: e.range[1], callee, reason, builder: true };
  }

  resetCounter(): void {
    this.counter = { param: 0, ident: 0 };
  }

  // ── values ────────────────────────────────────────────────────────────────────────────────────────────────────

  /** A string literal, a template without interpolations, or a `const` holding one (mapped to the identifier). */
  str(node: Node | undefined): Str | null {
    if (!node) return null;
    const e = unwrap(node);
    if (e.type === AST_NODE_TYPES.Literal && typeof e.value === 'string') {
      const start = e.range[0] + 1;
      const decoded = decodeJsString(this.source.slice(start, e.range[1] - 1), false);
      if (decoded && decoded.text === e.value) return { value: e.value, src: decoded.offsets.map((o) => start + o) };
      return { value: e.value, src: e.value.split('').map(() => e.range[0]) };
    }
    if (e.type === AST_NODE_TYPES.TemplateLiteral && e.expressions.length === 0) {
      const quasi = e.quasis[0];
      const cooked = quasi?.value.cooked;
      if (typeof cooked !== 'string') return null;
      const start = e.range[0] + 1;
      const decoded = decodeJsString(this.source.slice(start, e.range[1] - 1), true);
      if (decoded && decoded.text === cooked) return { value: cooked, src: decoded.offsets.map((o) => start + o) };
      return { value: cooked, src: cooked.split('').map(() => e.range[0]) };
    }
    if (e.type === AST_NODE_TYPES.Identifier || e.type === AST_NODE_TYPES.MemberExpression) {
      // a constant (this file's, or imported): its characters map over the expression where it is used
      const local = e.type === AST_NODE_TYPES.Identifier ? this.consts.get(e.name) : undefined;
      const value = local ? this.str(local)?.value : this.names.stringOf(e);
      if (value === undefined || value === null) return null;
      return { value, src: spread(value.length, e.range) };
    }
    if (e.type === AST_NODE_TYPES.TemplateLiteral) {
      // `${T}.col`: every interpolation must be a string we can read
      const out: Str = { value: '', src: [] };
      for (let k = 0; k < e.quasis.length; k++) {
        const quasi = e.quasis[k]!;
        const cooked = quasi.value.cooked;
        if (typeof cooked !== 'string') return null;
        const start = quasi.range[0] + 1;
        const decoded = decodeJsString(quasi.value.raw, true);
        out.value += cooked;
        out.src.push(...(decoded && decoded.text === cooked ? decoded.offsets.map((o) => start + o) : spread(cooked.length, quasi.range)));
        const expression = e.expressions[k];
        if (!expression) continue;
        const part = this.str(expression);
        if (!part) return null;
        out.value += part.value;
        out.src.push(...part.src);
      }
      return out;
    }
    return null;
  }

  private param(piece: Piece, pos: number, opaque = false): void {
    piece.push(nextParam(this.counter), pos, opaque);
  }

  /** An opaque predicate: something we cannot see into. */
  opaque(pos: number): Piece {
    const piece = new Piece();
    this.param(piece, pos, true);
    return piece;
  }

  private opaqueIdent(pos: number): Piece {
    const piece = new Piece();
    piece.push(nextIdent(this.counter), pos, true);
    return piece;
  }

  /** One identifier part, quoted only when PostgreSQL needs it (knex and kysely quote every identifier). */
  private identPart(piece: Piece, part: Str): void {
    if (!needsQuotes(part.value)) {
      piece.push(part.value, part.src);
      return;
    }
    const first = part.src[0] ?? 0;
    const last = part.src[part.src.length - 1] ?? first;
    piece.push('"', first);
    for (let k = 0; k < part.value.length; k++) {
      const ch = part.value[k]!;
      piece.push(ch === '"' ? '""' : ch, part.src[k] ?? last);
    }
    piece.push('"', last);
  }

  /** A column reference (`u.email`, `email`, `u.*`, `*`); null when it is not a plain name. */
  column(str: Str): Piece | null {
    const parts = dotted(str);
    if (parts.some((p) => p.value === '')) return null;
    const piece = new Piece();
    parts.forEach((part, k) => {
      if (k > 0) piece.syn('.', part.src[0] ?? 0);
      if (part.value === '*' && k === parts.length - 1) piece.push('*', part.src);
      else this.identPart(piece, part);
    });
    return piece;
  }

  /** A column given as an argument; null when it is not a string we can read. */
  columnArg(node: Node | undefined): Piece | null {
    const str = this.str(node);
    if (!str) return null;
    const { name, alias } = splitAlias(str);
    return alias ? null : this.column(name);
  }

  /** A value: literal `null`/booleans/numbers inline, anything else a (non-opaque) `$N` parameter. */
  value(node: Node): Piece {
    const e = unwrap(node);
    const piece = new Piece();
    if (e.type === AST_NODE_TYPES.Literal) {
      if (isNull(e)) return piece.syn('NULL', e.range[0]);
      if (typeof e.value === 'boolean') return piece.syn(String(e.value), e.range[0]);
      if (typeof e.value === 'number' && Number.isFinite(e.value) && e.value >= 0) return piece.syn(String(e.value), e.range[0]);
    }
    const ref = this.knexRef(e);
    if (ref) return ref;
    this.param(piece, e.range[0]);
    return piece;
  }

  /** `knex.ref('u.id')`: a column, not a value. */
  private knexRef(e: Node): Piece | null {
    if (e.type !== AST_NODE_TYPES.CallExpression) return null;
    const callee = unwrap(e.callee);
    if (callee.type !== AST_NODE_TYPES.MemberExpression || propertyName(callee) !== 'ref') return null;
    const object = lastName(callee.object);
    if (!object || !KNEX_NAME.test(object)) return null;
    return this.columnArg(e.arguments[0]);
  }

  /** A table (`'users'`, `'users as u'`, `'public.users'`, `{ u: 'users' }`) as a FROM item, or an opaque identifier. */
  table(node: Node | undefined | null, schema: Str | null, pos: number, given?: Str): Piece {
    const e = node ? unwrap(node) : undefined;
    let str: Str | null = given ?? null;
    let alias: Str | null = null;
    if (given) {
      // a name resolved elsewhere (a model's table)
    } else if (e?.type === AST_NODE_TYPES.ObjectExpression && e.properties.length === 1) {
      const property = e.properties[0]!;
      if (property.type === AST_NODE_TYPES.Property && !property.computed) {
        const key = this.keyStr(property.key);
        str = this.str(property.value);
        if (key && str) alias = key;
        else str = null;
      }
    } else if (e) {
      const whole = this.str(e);
      if (whole) ({ name: str, alias } = splitAlias(whole));
    }
    if (!str) return this.opaqueIdent(e?.range[0] ?? pos);
    const parts = dotted(str);
    if (parts.length > 2 || parts.some((p) => p.value === '')) return this.opaqueIdent(e?.range[0] ?? pos);
    const piece = new Piece();
    if (schema && parts.length === 1) {
      this.identPart(piece, schema);
      piece.syn('.', schema.src[schema.src.length - 1] ?? pos);
    }
    parts.forEach((part, k) => {
      if (k > 0) piece.syn('.', part.src[0] ?? pos);
      this.identPart(piece, part);
    });
    if (alias) {
      piece.syn(' AS ', alias.src[0] ?? pos);
      this.identPart(piece, alias);
    }
    return piece;
  }

  private keyStr(key: Node): Str | null {
    if (key.type === AST_NODE_TYPES.Identifier) {
      return { value: key.name, src: key.name.split('').map((_, k) => key.range[0] + k) };
    }
    return this.str(key);
  }

  /** SQL text of a raw fragment (`whereRaw('…', bindings)`, `knex.raw('…')`), or null when it must stay opaque. */
  raw(node: Node | undefined, bindings: Node | undefined): Piece | null {
    const str = this.str(node);
    if (!str || str.value.trim() === '') return null;
    // SQL statements in raw calls are extracted (and reported) by the SQL front end: never twice
    if (looksLikeSql(str.value)) return null;
    // `??` binds identifiers we would have to guess
    if (/\?\?/.test(str.value)) return null;
    const text = new MappedText();
    text.push(str.value, str.src);
    const b = bindings && unwrap(bindings);
    const style: PlaceholderStyle =
      b?.type === AST_NODE_TYPES.ArrayExpression ? 'knex-positional' : b?.type === AST_NODE_TYPES.ObjectExpression ? 'knex-named' : 'knex';
    const normalized = normalizePlaceholders(text, style, this.counter);
    return new Piece().add(normalized);
  }

  /** `knex.raw('…')` / `db.raw('…')` as an expression. */
  rawCall(node: Node | undefined): Piece | null {
    const e = node && unwrap(node);
    if (e?.type !== AST_NODE_TYPES.CallExpression) return null;
    const callee = unwrap(e.callee);
    if (callee.type !== AST_NODE_TYPES.MemberExpression || propertyName(callee) !== 'raw') return null;
    const object = lastName(callee.object);
    if (!object || !KNEX_NAME.test(object)) return null;
    const raw = this.raw(e.arguments[0], e.arguments[1]);
    return raw ? new Piece().syn('(', e.range[0]).add(raw).syn(')', e.range[0]) : null;
  }

  // ── chains ────────────────────────────────────────────────────────────────────────────────────────────────────

  /**
   * The builder a chain starts from: `knex('users')`, `this.knex('users')`, `knex.from(…)`, `knex.select(…)`,
   * `db.selectFrom('users')`. Returns the steps left to apply, or null when the chain is not a builder.
   */
  root(base: Node, steps: Step[], depth = 0): { flavor: Flavor; select: Select; rest: Step[]; bare: boolean; client?: true } | null {
    // a builder returned by a function or method of this file, extended and run here
    const expanded = depth < 3 ? this.returned(base, steps) : null;
    if (expanded) return this.root(expanded.base, expanded.steps, depth + 1);
    const select = new Select();
    if (base.type === AST_NODE_TYPES.CallExpression) {
      const callee = unwrap(base.callee);
      if (callee.type !== AST_NODE_TYPES.Identifier || base.arguments.length < 1) return null;
      if (!((KNEX_NAME.test(callee.name) && !this.names.isOtherClient(callee)) || (builderAhead(steps) && this.names.isKnex(callee)))) return null;
      select.from = this.table(base.arguments[0], null, base.range[0]);
      select.anchors.push({ range: base.arguments[0]!.range, after: base.range[1], kind: 'from' });
      select.client = callee.name;
      // a name bound to a knex instance (made here or imported): `await db('users')` alone is `SELECT * FROM users`
      return { flavor: 'knex', select, rest: steps, bare: true, ...(this.names.isKnex(callee) ? { client: true as const } : {}) };
    }
    const first = steps[0];
    if (!first) return null;
    if ((first.name === 'with' || first.name === 'withRecursive') && steps.some((s) => s.name === 'selectFrom')) {
      // kysely `db.with('name', (db) => db.selectFrom(…)).selectFrom('name')`, `db.withRecursive('name(a, b)', …)`
      const at = steps.findIndex((s) => s.name === 'selectFrom');
      const ctes: Piece[] = [];
      for (const step of steps.slice(0, at)) {
        const cte = step.name === 'with' || step.name === 'withRecursive' ? this.cte(step) : null;
        if (!cte) return null;
        ctes.push(cte);
      }
      const rooted = this.root(base, steps.slice(at), depth);
      if (!rooted || rooted.flavor !== 'kysely') return null;
      rooted.select.ctes.unshift(...ctes);
      if (steps.slice(0, at).some((s) => s.name === 'withRecursive')) rooted.select.recursive = true;
      return rooted;
    }
    if (first.name === 'deleteFrom' || first.name === 'updateTable') {
      // kysely writes: `db.deleteFrom('users')`, `db.updateTable('users')` (one table; a list is not guessed)
      const arg = first.args[0] && unwrap(first.args[0]);
      if (first.args.length !== 1 || !arg || arg.type === AST_NODE_TYPES.ArrayExpression) return null;
      select.from = this.table(arg, null, first.at);
      select.anchors.push({ range: arg.range, after: first.call.range[1], kind: 'from' });
      select.write = { kind: first.name === 'deleteFrom' ? 'delete' : 'update', at: first.at, sets: [], step: first };
      return { flavor: 'kysely', select, rest: steps.slice(1), bare: false };
    }
    if (first.name === 'selectFrom') {
      const arg = first.args[0] && unwrap(first.args[0]);
      if (arg?.type === AST_NODE_TYPES.ArrayExpression) {
        const items = arg.elements.map((el) => (el && el.type !== AST_NODE_TYPES.SpreadElement ? this.table(el, null, arg.range[0]) : null));
        if (items.length === 0 || items.some((i) => i === null)) return null;
        const from = new Piece();
        items.forEach((item, k) => {
          if (k > 0) from.syn(', ', first.at);
          from.add(item!);
        });
        select.from = from;
      } else {
        select.from = this.table(arg, null, first.at);
        if (arg) select.anchors.push({ range: arg.range, after: first.call.range[1], kind: 'from' });
      }
      return { flavor: 'kysely', select, rest: steps.slice(1), bare: false };
    }
    const object = lastName(base);
    // Objection: `Person.query()` reads the model's `static tableName` (knex dialect from there on)
    if (first.name === 'query' && first.args.length === 0 && base.type === AST_NODE_TYPES.Identifier) {
      const table = this.names.modelTable(base);
      if (table === null) return null;
      select.from = this.table(null, null, first.at, { value: table, src: spread(table.length, base.range) });
      select.anchors.push({ range: base.range, after: first.call.range[1], kind: 'from' });
      select.model = this.names.modelClass(base);
      const mixin = select.model ? this.softDeleteMixin(select.model) : null;
      if (mixin) select.softDelete = { table, mixin };
      select.client = base.name;
      return { flavor: 'knex', select, rest: steps.slice(1), bare: false };
    }
    // Objection: an instance's `$query()` reads (`await person.$query()`) or writes (`.patch({…})`, `.delete()`) its
    // own row; under objection-soft-delete its `delete()` is a patch
    if (first.name === '$query' && first.args.length <= 1) {
      const instance = this.instanceModel(base);
      if (!instance) return null; // said where the chain runs (`unknownInstance`)
      const { cls, table, client } = instance;
      const name: [number, number] = [first.at, first.at + first.name.length];
      select.from = this.table(null, null, first.at, { value: table, src: spread(table.length, name) });
      select.anchors.push({ range: name, after: first.call.range[1], kind: 'from' });
      select.model = cls;
      select.instance = true;
      const mixin = this.softDeleteMixin(cls);
      if (mixin) select.softDelete = { table, mixin };
      select.client = client;
      // Objection narrows `$query()` to the instance's row by its id columns, as `findById` does
      select.where.push({ bool: 'AND', not: false, text: this.instanceRow(cls, first) });
      return { flavor: 'knex', select, rest: steps.slice(1), bare: false };
    }
    // Objection: `person.$relatedQuery('pets')`, `Person.relatedQuery('pets')` read the related model's table
    const relatedName = relatedQueryName(first);
    if (relatedName !== null) {
      const model = first.name === 'relatedQuery' && base.type === AST_NODE_TYPES.Identifier ? this.names.modelClass(base) : null;
      const found = model ? this.relation(model, relatedName) : this.names.relationAnywhere(relatedName);
      const name = this.str(first.args[0]);
      if (!found || !name || name.src.length === 0) return null;
      this.relatedSelect(select, found, name, 0, name.value.length, first.at);
      return { flavor: 'knex', select, rest: steps.slice(1), bare: false };
    }
    const memberCall = first.args.length >= 1 && (base.type === AST_NODE_TYPES.ThisExpression || object !== null);
    const knexField =
      memberCall && (KNEX_NAME.test(first.name) || this.names.isKnexField(first.name) || (builderAhead(steps.slice(1)) && this.names.isKnex(first.call.callee)));
    if (knexField) {
      // `this.knex('users')`, `ctx.db('users')`
      select.from = this.table(first.args[0], null, first.at);
      select.anchors.push({ range: first.args[0]!.range, after: first.call.range[1], kind: 'from' });
      select.client = this.source.slice(first.call.callee.range[0], first.call.callee.range[1]);
      return { flavor: 'knex', select, rest: steps.slice(1), bare: true };
    }
    // (a name knex's users often give, unless its binding says it is another library's client: drizzle's `db.select()`)
    if (object && KNEX_ROOT_METHODS.has(first.name) && ((KNEX_NAME.test(object) && !this.names.isOtherClient(base)) || this.names.isKnex(base))) {
      return { flavor: 'knex', select, rest: steps, bare: false };
    }
    return null;
  }

  /**
   * The model class of an Objection instance and its table: `this` in a method of a model class, or a name declared
   * once as `new User(…)`, `User.fromJson(…)`, `await User.query()…` or with the type `User`. `client`: a name that
   * reaches the class from here (for `<it>.fn.now()` in a suggestion), or null.
   */
  private instanceModel(base: Node): { cls: Node; table: string; client: string | null } | null {
    const b = unwrap(base);
    if (b.type === AST_NODE_TYPES.ThisExpression) {
      // the nearest enclosing non-arrow function must be a method of a class
      let node: Node | undefined = b;
      const parents = this.scan?.parents;
      for (let depth = 0; node && parents && depth < 200; depth++) {
        const parent: Node | undefined = parents.get(node);
        if (!parent) return null;
        if (parent.type === AST_NODE_TYPES.FunctionExpression || parent.type === AST_NODE_TYPES.FunctionDeclaration) {
          const method = parents.get(parent);
          if (method?.type !== AST_NODE_TYPES.MethodDefinition || method.static) return null;
        }
        if (parent.type === AST_NODE_TYPES.ClassDeclaration || parent.type === AST_NODE_TYPES.ClassExpression) {
          const table = staticTableName(parent);
          return table === null ? null : { cls: parent, table, client: parent.id?.name ?? null };
        }
        node = parent;
      }
      return null;
    }
    if (b.type !== AST_NODE_TYPES.Identifier || !this.scan || !this.scan.once(b.name)) return null;
    const declarator = this.scan.declarators.get(b.name);
    // a variable, or a parameter of an enclosing function (`remove(person: Person)`)
    const id = declarator ? declarator.id : this.parameterNamed(b);
    if (id?.type !== AST_NODE_TYPES.Identifier) return null;
    let named: Node | null = null;
    const annotation = id.typeAnnotation?.typeAnnotation;
    if (annotation?.type === AST_NODE_TYPES.TSTypeReference && annotation.typeName.type === AST_NODE_TYPES.Identifier) named = annotation.typeName;
    const init = declarator?.init ? unwrap(declarator.init) : null;
    if (!named && init) {
      const made = init.type === AST_NODE_TYPES.AwaitExpression ? unwrap(init.argument) : init;
      if (made.type === AST_NODE_TYPES.NewExpression) named = unwrap(made.callee);
      else {
        const chain = decompose(made);
        const head = chain.steps[0]?.name;
        if (head === 'query' || head === 'fromJson' || head === 'fromDatabaseJson') named = unwrap(chain.base);
      }
    }
    if (named?.type !== AST_NODE_TYPES.Identifier) return null;
    const cls = this.names.modelClass(named);
    const table = cls ? this.names.modelTable(named) : null;
    return cls && table !== null ? { cls, table, client: named.name } : null;
  }

  /** The parameter of an enclosing function that `name` refers to, or null. */
  private parameterNamed(name: TSESTree.Identifier): Node | null {
    const parents = this.scan?.parents;
    let node: Node | undefined = name;
    for (let depth = 0; node && parents && depth < 200; depth++) {
      node = parents.get(node);
      if (node?.type !== AST_NODE_TYPES.FunctionDeclaration && node?.type !== AST_NODE_TYPES.FunctionExpression && node?.type !== AST_NODE_TYPES.ArrowFunctionExpression) continue;
      for (const param of node.params) {
        const p = param.type === AST_NODE_TYPES.AssignmentPattern ? param.left : param;
        if (p.type === AST_NODE_TYPES.Identifier && p.name === name.name) return p;
      }
    }
    return null;
  }

  /**
   * objection-soft-delete's options on a model class or its bases: as the schema's models say (the model files
   * discovery read), else read with the plugin's binding in a class of this file, or by the plugin's usual name
   * (`softDelete`) in a class of another module.
   */
  private softDeleteMixin(cls: Node): SoftDeleteMixin | null {
    let current: Node | null = cls;
    for (let depth = 0; current && depth < 6; depth++) {
      const c = unwrap(current);
      if (c.type !== AST_NODE_TYPES.ClassDeclaration && c.type !== AST_NODE_TYPES.ClassExpression) return null;
      const known = c.id ? this.objection.models.get(c.id.name) : undefined;
      if (known) return { column: known.column, deletedValue: known.deletedValue, notDeletedValue: known.notDeletedValue, at: c.range[0] };
      const local = this.objection.declared.has(c);
      const found = mixinIn(c.superClass, local ? this.objection.plugins : null);
      if (found) return found;
      const superClass = c.superClass && unwrap(c.superClass);
      if (superClass?.type !== AST_NODE_TYPES.Identifier) return null;
      // `const SoftModel = softDelete(…)(Model)` of this file
      const init = local ? this.consts.get(superClass.name) : undefined;
      if (init) return mixinIn(init, this.objection.plugins);
      current = local ? this.names.modelClass(superClass) : null;
    }
    return null;
  }

  /**
   * The methods objection-soft-delete adds or changes: `whereNotDeleted()` / `whereDeleted()` filter on the column
   * (qualified by the model's table, as the plugin does), `delete()` / `del()` / `deleteById()` are a patch writing
   * `deletedValue`, `undelete()` one writing `notDeletedValue`, `hardDelete()` the real DELETE. false: not one.
   */
  private softDeleteStep(select: Select, step: Step): boolean {
    const sd = select.softDelete;
    if (!sd) return false;
    const { mixin } = sd;
    const value = (sql: string | null): Piece => (sql === null ? this.paramPiece(step.at) : new Piece().syn(sql, step.at));
    switch (step.name) {
      case 'whereNotDeleted':
      case 'whereDeleted':
        select.where.push(this.softDeleteWhere(sd, step.name === 'whereDeleted', [step.at, step.at + step.name.length]));
        return true;
      case 'delete':
      case 'del':
      case 'deleteById':
      case 'undelete': {
        const write = this.startWrite(select, 'update', step.at);
        if (step.name === 'deleteById') {
          if (!step.args[0]) throw new Skip(step.name);
          select.where.push({ bool: 'AND', not: false, text: this.value(step.args[0]) });
        }
        const set = this.column({ value: mixin.column, src: spread(mixin.column.length, [step.at, step.at + step.name.length]) })!;
        write.sets.push(set.syn(' = ', step.at).add(value(step.name === 'undelete' ? mixin.notDeletedValue : mixin.deletedValue)));
        return true;
      }
      case 'hardDelete':
        this.startWrite(select, 'delete', step.at);
        return true;
      default:
        return false;
    }
  }

  /**
   * objection-soft-delete's `whereNotDeleted()` (`deleted`: `whereDeleted()`) as a condition, on the column qualified
   * by the model's table as the plugin writes it, mapped onto `range` of the code.
   */
  private softDeleteWhere({ table, mixin }: NonNullable<Select['softDelete']>, deleted: boolean, range: readonly [number, number]): Cond {
    const at = range[0];
    const column = (): Piece => this.column({ value: `${table}.${mixin.column}`, src: spread(table.length + 1 + mixin.column.length, range) })!;
    const value = (sql: string | null): Piece => (sql === null ? this.paramPiece(at) : new Piece().syn(sql, at));
    const equals = (sql: string | null): Piece => (sql?.toUpperCase() === 'NULL' ? column().syn(' IS NULL', at) : column().syn(' = ', at).add(value(sql)));
    if (!deleted) return { bool: 'AND', not: false, text: equals(mixin.notDeletedValue) };
    // `where(col, true)` when deletedValue is true, else `whereNot(col, notDeletedValue)`
    if (mixin.deletedValue === 'true') return { bool: 'AND', not: false, text: equals('true') };
    return { bool: 'AND', not: true, text: equals(mixin.notDeletedValue) };
  }

  /**
   * The named filters objection-soft-delete registers on a model that mixes it in (`static get namedFilters`):
   * `notDeleted` runs `whereNotDeleted()`, `deleted` runs `whereDeleted()`. Objection 1 and 2 look modifiers up in
   * `modifiers || namedFilters`; Objection 3 no longer reads `namedFilters` and throws ModifierNotFoundError for
   * the name — either way the rows read are not soft-deleted ones. null: not one of them (or no plugin).
   */
  private namedFilter(model: Node | null, table: string | null, name: string, range: readonly [number, number]): Cond | null {
    if (!model || table === null || (name !== 'notDeleted' && name !== 'deleted')) return null;
    const mixin = this.softDeleteMixin(model);
    return mixin ? this.softDeleteWhere({ table, mixin }, name === 'deleted', range) : null;
  }

  private paramPiece(pos: number): Piece {
    const piece = new Piece();
    this.param(piece, pos);
    return piece;
  }

  /** A relation of an Objection model class, with the class it loads (when this file can name it). */
  private relation(model: Node, name: string): RelationInfo | null {
    return relationOf(model, name, (node) => this.names.modelClass(node));
  }

  /**
   * The read of a related table: `FROM <table>` mapped onto the relation's name in the code, with the relation's
   * own `modify`/`filter` and the modifiers named in the expression. The key condition Objection adds (the
   * parent's ids) is left out: it does not decide whether deleted rows are read.
   */
  private relatedSelect(select: Select, info: RelationInfo, name: Str, start: number, end: number, at: number, modifiers: string[] = [], named = new Map<string, Node>()): void {
    const src = name.src.slice(start, end);
    select.from = this.table(null, null, at, { value: info.table, src: spread(info.table.length, [src[0]!, src[src.length - 1]! + 1]) });
    select.model = info.target;
    // the related model's query builder is the plugin's too (`whereNotDeleted()`, `delete()` as a patch)
    const mixin = info.target ? this.softDeleteMixin(info.target) : null;
    if (mixin) select.softDelete = { table: info.table, mixin };
    const functions: Array<Node | null> = [];
    for (const m of [...info.modify, ...modifiers]) {
      if (typeof m !== 'string') functions.push(m);
      else {
        const fn = named.get(m) ?? (info.target ? modelModifier(info.target, m) : null);
        const plugin = fn ? null : this.namedFilter(info.target, info.table, m, [src[0]!, src[src.length - 1]! + 1]);
        if (plugin) select.where.push(plugin);
        else functions.push(fn);
      }
    }
    for (const fn of functions) {
      const conds = fn && isFunction(fn) ? this.whereCallback(fn) : null;
      if (conds && conds.length === 0) continue;
      // a modifier we cannot read may hold the filter: the read is unknown, not reported
      select.where.push({ bool: 'AND', not: false, text: conds ? this.group(conds, at) : this.opaque(at) });
    }
  }

  /**
   * The reads `withGraphFetched('[pets(alive), owner.pets]')` adds: one per relation we can resolve, nested ones
   * through the related model's own mappings.
   */
  graphReads(select: Select): Piece[] {
    const out: Piece[] = [];
    if (!select.model || select.write) return out;
    for (const step of select.graphs) {
      const expression = this.str(step.args[0]);
      const relations = expression ? graphRelations(expression.value) : null;
      if (!expression || !relations) continue;
      const visit = (model: Node, level: readonly GraphRelation[]): void => {
        for (const rel of level) {
          const info = this.relation(model, rel.name);
          if (!info || expression.src.length < rel.end) continue;
          this.resetCounter();
          const related = new Select();
          this.relatedSelect(related, info, expression, rel.start, rel.end, step.at, rel.modifiers, select.modifiers);
          out.push(this.render(related, step.at));
          if (rel.children && info.target) visit(info.target, rel.children);
        }
      };
      visit(select.model, relations);
    }
    return out;
  }

  /** Applies steps to a SELECT; throws Skip when the chain must be abandoned. */
  apply(select: Select, steps: Step[], flavor: Flavor): void {
    for (const step of steps) {
      if (flavor === 'knex') this.knexStep(select, step);
      else this.kyselyStep(select, step);
    }
  }

  render(select: Select, pos: number): Piece {
    if (select.write) return this.renderWrite(select, select.write);
    if (select.returning.length > 0) throw new Skip('returning');
    const out = new Piece();
    select.ctes.forEach((cte, k) => {
      out.syn(k === 0 ? (select.recursive ? 'WITH RECURSIVE ' : 'WITH ') : ', ', pos).add(cte);
      if (k === select.ctes.length - 1) out.syn(' ', pos);
    });
    out.syn('SELECT ', pos);
    if (select.projection.length === 0) out.syn('*', pos);
    select.projection.forEach((p, k) => {
      if (k > 0) out.syn(', ', pos);
      out.add(p);
    });
    out.syn(' FROM ', pos).add(select.from!);
    for (const join of select.joins) out.syn(' ', pos).add(join);
    if (select.where.length > 0) out.syn(' WHERE ', pos).add(this.conditions(select.where, pos));
    for (const branch of select.unions) out.add(branch);
    return out;
  }

  /** `.with('name', q)`: `name AS (SELECT …)`, or null when the body cannot be lowered. */
  private cte(step: Step): Piece | null {
    // `(name, q)`, `('name(a, b)', q)` (kysely, knex), `(name, ['a', 'b'], q)` (knex)
    const [nameArg, second, third] = step.args;
    const body = step.args.length === 2 ? second : step.args.length === 3 ? third : undefined;
    const full = this.str(nameArg);
    if (!full || !body) return null;
    const open = full.value.indexOf('(');
    const name = trim(open < 0 ? full : slice(full, 0, open));
    if (name.value === '' || dotted(name).length !== 1 || /[\s()]/.test(name.value)) return null;
    let columns: Str[] = [];
    if (open >= 0) {
      const list = trim(slice(full, open + 1, full.value.length));
      if (step.args.length !== 2 || !list.value.endsWith(')')) return null;
      columns = splitOn(slice(list, 0, list.value.length - 1), ',');
    } else if (step.args.length === 3) {
      const array = unwrap(second!);
      if (array.type !== AST_NODE_TYPES.ArrayExpression) return null;
      for (const element of array.elements) {
        const column = element && element.type !== AST_NODE_TYPES.SpreadElement ? this.str(element) : null;
        if (!column) return null;
        columns.push(column);
      }
    }
    if (columns.some((c) => c.value === '' || /[\s().]/.test(c.value))) return null;
    const sub = this.subquery(body) ?? this.rawCall(body);
    if (!sub) return null;
    const out = new Piece();
    this.identPart(out, name);
    columns.forEach((column, k) => {
      out.syn(k === 0 ? '(' : ', ', column.src[0] ?? step.at);
      this.identPart(out, column);
    });
    if (columns.length > 0) out.syn(')', step.at);
    return out.syn(' AS ', step.at).add(sub);
  }

  /** `.union(q)`, `.unionAll([q1, q2])`, `.union(function () { … })`: the branches we can lower. */
  private setOperation(select: Select, step: Step): void {
    const op = SET_OPERATIONS[step.name]!;
    const items: Node[] = [];
    for (const arg of step.args) {
      const e = unwrap(arg);
      if (e.type === AST_NODE_TYPES.ArrayExpression) {
        for (const el of e.elements) if (el && el.type !== AST_NODE_TYPES.SpreadElement) items.push(el);
      } else if (!(e.type === AST_NODE_TYPES.Literal && typeof e.value === 'boolean')) {
        items.push(e);
      }
    }
    for (const item of items) {
      // a branch we cannot see into is said (no-unchecked-query); the branches we lowered keep their verdicts
      const sub = this.subquery(item);
      if (sub) select.unions.push(new Piece().syn(` ${op} `, step.at).add(sub));
      else if (!isRawCall(item)) this.pending.push(this.unseenBuilder(item, `.${step.name}()`)); // raw SQL: the SQL front end's
    }
  }

  /** `DELETE FROM t WHERE …` / `UPDATE t SET a = $1 WHERE …`, with `RETURNING …`; keywords map to the write method. */
  private renderWrite(select: Select, write: NonNullable<Select['write']>): Piece {
    // a join in a write chain (knex ignores it, or it means UPDATE … FROM), a CTE or a set operation: not guessed
    if (select.joins.length > 0 || select.ctes.length > 0 || select.unions.length > 0) throw new Skip('join');
    const { at } = write;
    const out = new Piece();
    if (write.kind === 'delete') out.syn('DELETE FROM ', at).add(select.from!);
    else {
      if (write.sets.length === 0) throw new Skip('update');
      out.syn('UPDATE ', at).add(select.from!).syn(' SET ', at);
      write.sets.forEach((set, k) => {
        if (k > 0) out.syn(', ', at);
        out.add(set);
      });
    }
    if (select.where.length > 0) out.syn(' WHERE ', at).add(this.conditions(select.where, at));
    select.returning.forEach((item, k) => {
      out.syn(k === 0 ? ' RETURNING ' : ', ', at);
      out.add(item);
    });
    return out;
  }

  /**
   * Objection `findById(id)` / `deleteById(id)` / `patchAndFetchById(id, …)`: `<idColumn> = $1`, the column mapped
   * onto the method's name (so `allowLookupsBy: ['id']` sees a lookup by key), or the bare value when the model's key
   * is not one column we can read.
   */
  private byId(select: Select, step: Step, id: Node): Piece {
    const e = unwrap(id);
    const key = select.model ? modelIdColumns(select.model) : null;
    // one value for a one-column key; a list of as many values for a composite key (`findById([1, 2])`)
    const items = e.type === AST_NODE_TYPES.ArrayExpression ? e.elements : [e];
    const fits = key !== null && items.length === key.length && (key.length > 1) === (e.type === AST_NODE_TYPES.ArrayExpression) &&
      items.every((v) => v && v.type !== AST_NODE_TYPES.SpreadElement);
    return (fits && this.keyCondition(key, items.map((v) => this.value(v as Node)), step)) || this.value(e);
  }

  /**
   * `<idColumn> = <value>` for each of a model's key columns (ANDed), the columns mapped onto the name of the method
   * that looks the row up (`findById`, `$query`), so `allowLookupsBy: ['id']` sees a lookup by key.
   */
  private keyCondition(key: readonly string[], values: readonly Piece[], step: Step): Piece | null {
    const out = new Piece();
    for (let k = 0; k < key.length; k++) {
      const column = this.column({ value: key[k]!, src: spread(key[k]!.length, [step.at, step.at + step.name.length]) });
      if (!column) return null;
      if (k > 0) out.syn(' AND ', step.at);
      out.add(column.syn(' = ', step.at).add(values[k]!));
    }
    return out;
  }

  /**
   * The row an instance's `$query()` reads or writes: its model's key columns, each equal to the instance's value
   * (a parameter), as `findById` lowers them; a bare parameter when the key is not readable (then it is no lookup
   * by a key `allowLookupsBy` could name).
   */
  instanceRow(cls: Node, step: Step): Piece {
    const key = modelIdColumns(cls);
    const values = (key ?? []).map(() => this.paramPiece(step.at));
    return (key && this.keyCondition(key, values, step)) ?? this.paramPiece(step.at);
  }

  /** Starts the write of a chain (once: a second write method abandons it). */
  private startWrite(select: Select, kind: 'delete' | 'update', at: number): NonNullable<Select['write']> {
    if (select.write) throw new Skip('write');
    select.write = { kind, at, sets: [] };
    return select.write;
  }

  /** `{ a: x, b: null }` → `a = $1`, `b = NULL`; throws Skip when a key cannot be read (it might be the soft-delete column). */
  /**
   * `SET a = $1, …` from `{ a: x, … }`; values the call does not spell out (`update(changes)`, `{ ...changes }`, a
   * computed key) become an unseen assignment.
   */
  private sets(node: Node | undefined, at: number): Piece[] {
    if (!node) throw new Skip('set');
    const object = unwrap(node);
    if (object.type !== AST_NODE_TYPES.ObjectExpression) return [this.unseenSet(object.range[0])];
    return object.properties.map((property) => {
      if (property.type !== AST_NODE_TYPES.Property || property.computed || property.kind !== 'init') return this.unseenSet(property.range[0]);
      const key = this.keyStr(property.key);
      if (!key || dotted(key).length !== 1) throw new Skip('set');
      return this.column(key)!.syn(' = ', at).add(this.value(property.value));
    });
  }

  private unseenSet(pos: number): Piece {
    return new Piece().unseenAssignment(this.counter, pos);
  }

  /** `SET a = $1` from `('a', value)`. */
  private set(column: Node | undefined, value: Node | undefined, at: number): Piece {
    const str = this.str(column);
    if (!str || !value || dotted(str).length !== 1) throw new Skip('set');
    return this.column(str)!.syn(' = ', at).add(this.value(value));
  }

  /** `.returning('id')`, `.returning(['id', 'email'])`, `.returningAll()`: what the write hands back. */
  private returningList(select: Select, node: Node | undefined, at: number): void {
    const e = node && unwrap(node);
    const items = e?.type === AST_NODE_TYPES.ArrayExpression ? e.elements : e ? [e] : [];
    for (const item of items) {
      const str = item && item.type !== AST_NODE_TYPES.SpreadElement ? this.str(item) : null;
      const column = str ? this.column(splitAlias(str).name) : null;
      // a column we cannot read is still a column handed back
      select.returning.push(column ?? new Piece().syn('*', at));
    }
    if (items.length === 0) select.returning.push(new Piece().syn('*', at));
  }

  /**
   * knex and Objection write methods: `.del()` / `.delete()`, `.update({…})` / `.update('a', x)`, Objection
   * `.patch({…})`, `.deleteById(id)`, `.patchAndFetchById(id, {…})`, `.increment('n', 1)`, and `.returning(…)`.
   */
  private knexWrite(select: Select, step: Step): void {
    const { name, args, at } = step;
    const byId = (): void => {
      if (!args[0]) throw new Skip(name);
      select.where.push({ bool: 'AND', not: false, text: this.byId(select, step, args[0]) });
    };
    switch (name) {
      case 'returning':
        this.returningList(select, args[0], at);
        return;
      case 'del':
      case 'delete':
        this.startWrite(select, 'delete', at).step = step;
        if (args[0]) this.returningList(select, args[0], at); // knex: del(returning)
        return;
      case 'deleteById':
        this.startWrite(select, 'delete', at).step = step;
        byId();
        return;
      case 'update':
      case 'patch':
      case 'updateAndFetch':
      case 'patchAndFetch': {
        const write = this.startWrite(select, 'update', at);
        const first = args[0] && unwrap(args[0]);
        if (!first && select.instance) {
          // `person.$query().patch()`: the instance's own properties are the values
          write.sets.push(this.unseenSet(at));
          return;
        }
        if (name === 'update' && first && first.type !== AST_NODE_TYPES.ObjectExpression && args[1]) {
          // knex: update('a', value[, returning]); a first argument that is not a name may be the values
          // (`update(changes, ['id'])`): an assignment we cannot see, whatever the second argument is
          if (this.str(args[0]) === null) {
            write.sets.push(this.unseenSet(first.range[0]));
            return;
          }
          write.sets.push(this.set(args[0], args[1], at));
          if (args[2]) this.returningList(select, args[2], at);
          return;
        }
        write.sets.push(...this.sets(args[0], at));
        if (name === 'update' && args[1]) this.returningList(select, args[1], at); // knex: update({…}, returning)
        return;
      }
      case 'patchAndFetchById':
      case 'updateAndFetchById': {
        const write = this.startWrite(select, 'update', at);
        byId();
        write.sets.push(...this.sets(args[1], at));
        return;
      }
      default: {
        // increment / decrement: `('n', 1)` or `({ n: 1, m: 2 })`
        const write = this.startWrite(select, 'update', at);
        const op = name === 'increment' ? ' + ' : ' - ';
        const first = args[0] && unwrap(args[0]);
        const pairs: Array<[Str, Node | undefined]> = [];
        if (first?.type === AST_NODE_TYPES.ObjectExpression) {
          for (const property of first.properties) {
            if (property.type !== AST_NODE_TYPES.Property || property.computed || property.kind !== 'init') throw new Skip(name);
            const key = this.keyStr(property.key);
            if (!key) throw new Skip(name);
            pairs.push([key, property.value]);
          }
        } else {
          const column = this.str(args[0]);
          if (!column) throw new Skip(name);
          pairs.push([column, args[1]]);
        }
        for (const [column, amount] of pairs) {
          if (dotted(column).length !== 1) throw new Skip(name);
          const set = this.column(column)!.syn(' = ', at).add(this.column(column)!).syn(op, at);
          if (amount) set.add(this.value(amount));
          else set.syn('1', at);
          write.sets.push(set);
        }
      }
    }
  }

  /** `c0 AND c1 OR c2`: the flat sequence both libraries emit (SQL precedence applies, as at run time). */
  private conditions(conds: Cond[], pos: number): Piece {
    const out = new Piece();
    conds.forEach((c, k) => {
      if (k > 0) out.syn(` ${c.bool} `, pos);
      if (c.not) out.syn('NOT (', pos).add(c.text).syn(')', pos);
      else out.add(c.text);
    });
    return out;
  }

  private group(conds: Cond[], pos: number): Piece {
    const inner = this.conditions(conds, pos);
    return conds.length === 1 && !conds[0]!.not ? inner : new Piece().syn('(', pos).add(inner).syn(')', pos);
  }

  private projection(select: Select, step: Step): void {
    for (const arg of step.args) {
      const e = unwrap(arg);
      const items = e.type === AST_NODE_TYPES.ArrayExpression ? e.elements : [e];
      for (const item of items) {
        if (!item || item.type === AST_NODE_TYPES.SpreadElement) continue;
        const str = this.str(item);
        if (!str) continue; // raw expressions, objects, callbacks: not needed to judge reads
        const { name, alias } = splitAlias(str);
        const column = this.column(name);
        if (!column) continue;
        if (alias) {
          column.syn(' AS ', alias.src[0] ?? step.at);
          this.identPart(column, alias);
        }
        select.projection.push(column);
      }
    }
  }

  // ── knex ──────────────────────────────────────────────────────────────────────────────────────────────────────

  private knexStep(select: Select, step: Step): void {
    const { name } = step;
    if (SKIP.has(name)) throw new Skip(name);
    // Objection: relations loaded with the rows are reads of their own (lowered after the chain)
    if (name === 'withGraphFetched' || name === 'withGraphJoined') {
      select.graphs.push(step);
      return;
    }
    if (name === 'modifiers') {
      for (const [key, fn] of modifiersArgument(step.args[0])) select.modifiers.set(key, fn);
      return;
    }
    if (this.softDeleteStep(select, step)) return;
    // `.modify('alive')`: a modifier of the query or of the model, read when it is a where-only function
    if (name === 'modify' && step.args.length === 1) {
      const modifier = this.str(step.args[0])?.value;
      const fn = modifier === undefined ? null : select.modifiers.get(modifier) ?? (select.model ? modelModifier(select.model, modifier) : null);
      const plugin = fn || modifier === undefined ? null : this.namedFilter(select.model, select.softDelete?.table ?? null, modifier, [step.at, step.at + name.length]);
      if (plugin) {
        select.where.push(plugin);
        return;
      }
      const conds = fn && isFunction(fn) ? this.whereCallback(fn) : null;
      if (conds && conds.length > 0) select.where.push({ bool: 'AND', not: false, text: this.group(conds, step.at) });
      else if (!conds) select.where.push({ bool: 'AND', not: false, text: this.opaque(step.at) });
      return;
    }
    if (name === 'with' || name === 'withMaterialized' || name === 'withNotMaterialized' || name === 'withRecursive') {
      const cte = this.cte(step);
      if (!cte) throw new Skip(name);
      select.ctes.push(cte);
      if (name === 'withRecursive') select.recursive = true;
      return;
    }
    if (name in SET_OPERATIONS) {
      this.setOperation(select, step);
      return;
    }
    if (WRITE_METHODS.has(name)) {
      this.knexWrite(select, step);
      return;
    }
    // `.first()` after `.del()`: which one knex runs is not ours to guess
    if (select.write && (PROJECTIONS.has(name) || AGGREGATES.has(name))) throw new Skip(name);
    if (HARMLESS.has(name) || name === 'queryBuilder') return;
    if (PROJECTIONS.has(name)) {
      this.projection(select, step);
      return;
    }
    if (AGGREGATES.has(name)) {
      select.projection.push(new Piece().syn('count(*)', step.at));
      return;
    }
    if (name === 'from' || name === 'table') {
      select.from = this.table(step.args[0], select.schema, step.at);
      select.anchors = select.anchors.filter((a) => a.kind !== 'from');
      if (step.args[0]) select.anchors.push({ range: step.args[0].range, after: step.call.range[1], kind: 'from' });
      return;
    }
    if (name === 'withSchema') {
      const schema = this.str(step.args[0]);
      if (!schema || dotted(schema).length !== 1) throw new Skip(name);
      select.schema = schema;
      if (select.from) throw new Skip(name); // `knex('t').withSchema('s')`: the FROM was rendered without it
      return;
    }
    const join = KNEX_JOINS[name];
    if (join) {
      const lowered = this.knexJoin(step, join, select.schema);
      if (lowered && join === 'INNER JOIN') select.anchors.push({ range: step.args[0]!.range, after: step.call.range[1], kind: 'join' });
      if (lowered) select.joins.push(lowered);
      else select.where.push({ bool: 'AND', not: false, text: this.opaque(step.at) });
      return;
    }
    if (name === 'joinRaw') {
      const raw = this.raw(step.args[0], step.args[1]);
      if (raw) select.joins.push(raw);
      else select.where.push({ bool: 'AND', not: false, text: this.opaque(step.at) });
      return;
    }
    const m = WHERE_METHOD.exec(name);
    if (m && m[3] !== 'Ref') {
      this.knexWhere(select.where, step, m[1] === 'or' ? 'OR' : 'AND', m[2] === 'Not', m[3] ?? '');
      return;
    }
    // Objection: `findById(id)` constrains the key (no soft-delete filter); `findOne({ … })` is a where
    if (name === 'findById' && step.args.length === 1) {
      select.where.push({ bool: 'AND', not: false, text: this.byId(select, step, step.args[0]!) });
      return;
    }
    if (name === 'findOne') {
      this.knexWhere(select.where, step, 'AND', false, '');
      return;
    }
    // `.modify(fn)` and anything we do not know: it may add a filter we cannot see
    select.where.push({ bool: 'AND', not: false, text: this.opaque(step.at) });
  }

  /** One where-family call appended to `conds`. */
  private knexWhere(conds: Cond[], step: Step, bool: Bool, not: boolean, kind: string): void {
    const [a, b, c] = step.args;
    const push = (text: Piece | null, n = not): void => {
      conds.push({ bool, not: text ? n : false, text: text ?? this.opaque(step.at) });
    };
    const at = step.at;
    switch (kind) {
      case 'Null': {
        const column = this.columnArg(a);
        push(column && column.syn(not ? ' IS NOT NULL' : ' IS NULL', at), false);
        return;
      }
      case 'In': {
        const column = this.columnArg(a);
        const list = b ? this.inList(b, at) : null;
        push(column && list ? column.syn(' IN ', at).add(list) : null);
        return;
      }
      case 'Between': {
        const column = this.columnArg(a);
        const range = b && unwrap(b);
        if (!column || range?.type !== AST_NODE_TYPES.ArrayExpression || range.elements.length !== 2) return push(null);
        const [low, high] = range.elements;
        if (!low || !high || low.type === AST_NODE_TYPES.SpreadElement || high.type === AST_NODE_TYPES.SpreadElement) return push(null);
        push(column.syn(' BETWEEN ', at).add(this.value(low)).syn(' AND ', at).add(this.value(high)));
        return;
      }
      case 'Like':
      case 'ILike': {
        const column = this.columnArg(a);
        push(column && b ? column.syn(kind === 'Like' ? ' LIKE ' : ' ILIKE ', at).add(this.value(b)) : null);
        return;
      }
      case 'Exists': {
        const sub = a ? this.subquery(a) : null;
        push(sub ? new Piece().syn('EXISTS ', at).add(sub) : null);
        return;
      }
      case 'Raw': {
        push(this.raw(a, b));
        return;
      }
      default:
        break;
    }
    // where / andWhere / orWhere / whereNot …
    if (!a) return push(null);
    const first = unwrap(a);
    if (step.args.length === 1) {
      if (first.type === AST_NODE_TYPES.ObjectExpression) {
        const pairs = this.objectConds(first, at);
        if (!pairs) return push(null);
        if (pairs.length === 0) return;
        if (bool === 'OR' && !not) {
          // orWhere({ a, b }) wraps: OR (a AND b)
          conds.push({ bool, not: false, text: this.group(pairs.map((p) => ({ bool: 'AND', not: false, text: p })), at) });
        } else {
          for (const p of pairs) conds.push({ bool, not, text: p });
        }
        return;
      }
      if (isFunction(first)) {
        const inner = this.whereCallback(first);
        if (!inner) return push(null);
        if (inner.length === 0) return;
        push(this.group(inner, at));
        return;
      }
      push(this.rawCall(first));
      return;
    }
    const column = this.columnArg(a);
    if (!column) return push(null);
    if (step.args.length === 2) {
      // where('col', null) is whereNull
      if (isNull(b!)) return push(column.syn(' IS NULL', at));
      return push(column.syn(' = ', at).add(this.value(b!)));
    }
    const op = this.str(b)?.value.trim().toLowerCase();
    if (!op || !c) return push(null);
    if (op === 'in' || op === 'not in') {
      const list = this.inList(c, at);
      return push(list ? column.syn(op === 'in' ? ' IN ' : ' NOT IN ', at).add(list) : null);
    }
    if ((op === 'is' || op === 'is not') && isNull(c)) return push(column.syn(op === 'is' ? ' IS NULL' : ' IS NOT NULL', at));
    if (!OPERATORS.has(op)) return push(null);
    push(column.syn(` ${op.toUpperCase()} `, at).add(this.value(c)));
  }

  /** `{ email, deleted_at: null }` → `email = $1`, `deleted_at IS NULL`; null when a key cannot be read. */
  private objectConds(object: TSESTree.ObjectExpression, at: number): Piece[] | null {
    const out: Piece[] = [];
    for (const property of object.properties) {
      if (property.type !== AST_NODE_TYPES.Property || property.computed || property.kind !== 'init') return null;
      const key = this.keyStr(property.key);
      const column = key ? this.column(key) : null;
      if (!column) return null;
      const value = property.value;
      if (isNull(value)) column.syn(' IS NULL', at);
      else column.syn(' = ', at).add(this.value(value));
      out.push(column);
    }
    return out;
  }

  /** `(…)` for whereIn: a literal array of values, a lowered sub-chain, or one parameter standing for the list. */
  private inList(node: Node, at: number): Piece | null {
    const e = unwrap(node);
    if (e.type === AST_NODE_TYPES.ArrayExpression) {
      if (e.elements.length === 0) return new Piece().syn('(NULL)', at); // knex emits a false condition
      const out = new Piece().syn('(', at);
      for (const [k, el] of e.elements.entries()) {
        if (!el || el.type === AST_NODE_TYPES.SpreadElement) return null;
        if (k > 0) out.syn(', ', at);
        out.add(this.value(el));
      }
      return out.syn(')', at);
    }
    if (e.type === AST_NODE_TYPES.CallExpression || isFunction(e) || this.embedded.has(e)) {
      const sub = this.subquery(e);
      if (sub) return sub;
      if (isFunction(e) || this.isChain(e)) {
        // a subquery we do not see into: its reads stay unjudged, the outer ones are unaffected
        return new Piece().syn('(', at).add(this.opaque(e.range[0])).syn(')', at);
      }
    }
    const out = new Piece().syn('(', at);
    this.param(out, e.range[0]);
    return out.syn(')', at);
  }

  private isChain(e: Node): boolean {
    if (this.embedded.has(e)) return true;
    const { base, steps } = decompose(e);
    return this.root(base, steps) !== null;
  }

  /** The chain an expression is: a call chain, a builder variable used here, a kysely `(db) => db.selectFrom(…)`. */
  private chainOf(e: Node): Chain | null {
    const embedded = this.embedded.get(e);
    if (embedded) return embedded;
    if (e.type === AST_NODE_TYPES.CallExpression) return decompose(e);
    if (e.type === AST_NODE_TYPES.ArrowFunctionExpression && e.body.type !== AST_NODE_TYPES.BlockStatement) {
      const param = e.params[0];
      const chain = decompose(e.body);
      const base = unwrap(chain.base);
      if (param?.type === AST_NODE_TYPES.Identifier && base.type === AST_NODE_TYPES.Identifier && base.name === param.name && chain.steps[0]?.name === 'selectFrom') {
        return chain;
      }
    }
    return null;
  }

  /** `(SELECT …)` for a nested knex chain or a `function () { this.select(…).from(…) }` callback. */
  private subquery(node: Node): Piece | null {
    const e = unwrap(node);
    try {
      let select: Select | null = null;
      const chain = this.chainOf(e);
      if (chain) {
        const root = this.root(chain.base, chain.steps);
        if (!root) return null;
        select = root.select;
        const terminals = root.flavor === 'knex' ? KNEX_TERMINALS : KYSELY_TERMINALS;
        this.apply(select, root.rest.filter((s) => !terminals.has(s.name) && s.name !== 'as'), root.flavor);
      } else if (isFunction(e)) {
        select = new Select();
        const chains = this.callbackChains(e);
        if (!chains) return null;
        for (const steps of chains) this.apply(select, steps, 'knex');
      }
      if (!select?.from || select.write) return null;
      return new Piece().syn('(', e.range[0]).add(this.render(select, e.range[0])).syn(')', e.range[0]);
    } catch (error) {
      if (error instanceof Skip) return null;
      throw error;
    }
  }

  /**
   * The chains a callback runs on its builder: `function () { this.where(…).orWhere(…) }`,
   * `(qb) => qb.where(…)`, `(qb) => { qb.where(…); qb.orWhere(…); }`. null when the body does anything else.
   */
  private callbackChains(fn: TSESTree.FunctionExpression | TSESTree.ArrowFunctionExpression): Step[][] | null {
    const param = fn.params[0];
    const names = new Set<string>();
    if (param?.type === AST_NODE_TYPES.Identifier) names.add(param.name);
    const allowThis = fn.type === AST_NODE_TYPES.FunctionExpression;
    const expressions: Node[] = [];
    if (fn.body.type === AST_NODE_TYPES.BlockStatement) {
      for (const statement of fn.body.body) {
        if (statement.type === AST_NODE_TYPES.ExpressionStatement) expressions.push(statement.expression);
        else if (statement.type === AST_NODE_TYPES.ReturnStatement && statement.argument) expressions.push(statement.argument);
        else return null;
      }
    } else {
      expressions.push(fn.body);
    }
    const chains: Step[][] = [];
    for (const expression of expressions) {
      const { base, steps } = decompose(expression);
      const ok = (base.type === AST_NODE_TYPES.ThisExpression && allowThis) || (base.type === AST_NODE_TYPES.Identifier && names.has(base.name));
      if (!ok || steps.length === 0) return null;
      chains.push(steps);
    }
    return chains;
  }

  /** The conditions a where-callback adds (a group); null when it cannot be lowered. */
  private whereCallback(fn: TSESTree.FunctionExpression | TSESTree.ArrowFunctionExpression): Cond[] | null {
    const chains = this.callbackChains(fn);
    if (!chains) return null;
    const select = new Select();
    try {
      for (const steps of chains) {
        for (const step of steps) {
          const m = WHERE_METHOD.exec(step.name);
          if (!m || m[3] === 'Ref') return null;
          this.knexWhere(select.where, step, m[1] === 'or' ? 'OR' : 'AND', m[2] === 'Not', m[3] ?? '');
        }
      }
    } catch (error) {
      if (error instanceof Skip) return null;
      throw error;
    }
    return select.where;
  }

  /** `join('orgs as o', 'o.id', 'u.org_id')`, `(t, a, op, b)`, `(t, { a: b })`, `(t, function () { this.on(…) })`. */
  private knexJoin(step: Step, kind: string, schema: Str | null): Piece | null {
    const [target, a, b, c] = step.args;
    if (!target) return null;
    const table = this.table(target, schema, step.at);
    if (isOpaqueIdentText(table.text)) return null;
    const out = new Piece().syn(`${kind} `, step.at).add(table);
    if (kind === 'CROSS JOIN') return step.args.length === 1 ? out : null;
    if (!a) return null;
    const first = unwrap(a);
    let on: Piece | null = null;
    if (step.args.length === 2 && isFunction(first)) {
      const chains = this.callbackChains(first);
      if (!chains) return null;
      const conds: Cond[] = [];
      for (const steps of chains) for (const s of steps) if (!this.knexOn(conds, s)) return null;
      if (conds.length === 0) return null;
      on = this.conditions(conds, step.at);
    } else if (step.args.length === 2 && first.type === AST_NODE_TYPES.ObjectExpression) {
      on = this.columnPairs(first, step.at);
    } else if (step.args.length === 3 || step.args.length === 4) {
      const left = this.columnArg(a);
      const op = step.args.length === 4 ? this.str(b)?.value.trim().toLowerCase() : '=';
      const right = this.columnArg(step.args.length === 4 ? c : b);
      if (left && right && op && OPERATORS.has(op)) on = left.syn(` ${op.toUpperCase()} `, step.at).add(right);
    }
    return on ? out.syn(' ON ', step.at).add(on) : null;
  }

  /** `{ 'o.id': 'u.org_id' }` in a join: column = column pairs. */
  private columnPairs(object: TSESTree.ObjectExpression, at: number): Piece | null {
    const out = new Piece();
    for (const [k, property] of object.properties.entries()) {
      if (property.type !== AST_NODE_TYPES.Property || property.computed) return null;
      const key = this.keyStr(property.key);
      const left = key ? this.column(key) : null;
      const right = this.columnArg(property.value);
      if (!left || !right) return null;
      if (k > 0) out.syn(' AND ', at);
      out.add(left).syn(' = ', at).add(right);
    }
    return out.empty ? null : out;
  }

  /** One call inside a knex join callback; false when it is not one we lower. */
  private knexOn(conds: Cond[], step: Step): boolean {
    const m = /^(?:(or|and)O|o)n(Null|NotNull|Val|In|NotIn)?$/.exec(step.name);
    if (!m) return false;
    const bool: Bool = m[1] === 'or' ? 'OR' : 'AND';
    const [a, b, c] = step.args;
    const at = step.at;
    const column = this.columnArg(a);
    let text: Piece | null = null;
    switch (m[2]) {
      case 'Null':
      case 'NotNull':
        text = column && step.args.length === 1 ? column.syn(m[2] === 'Null' ? ' IS NULL' : ' IS NOT NULL', at) : null;
        break;
      case 'Val': {
        const op = step.args.length === 3 ? this.str(b)?.value.trim().toLowerCase() : '=';
        const value = step.args.length === 3 ? c : b;
        text = column && op && OPERATORS.has(op) && value ? column.syn(` ${op.toUpperCase()} `, at).add(this.value(value)) : null;
        break;
      }
      case 'In':
      case 'NotIn': {
        const list = b ? this.inList(b, at) : null;
        text = column && list ? column.syn(m[2] === 'In' ? ' IN ' : ' NOT IN ', at).add(list) : null;
        break;
      }
      default: {
        if (step.args.length === 1 && a && unwrap(a).type === AST_NODE_TYPES.ObjectExpression) {
          text = this.columnPairs(unwrap(a) as TSESTree.ObjectExpression, at);
          break;
        }
        const op = step.args.length === 3 ? this.str(b)?.value.trim().toLowerCase() : '=';
        const right = this.columnArg(step.args.length === 3 ? c : b);
        text = column && right && op && OPERATORS.has(op) ? column.syn(` ${op.toUpperCase()} `, at).add(right) : null;
      }
    }
    if (!text) return false;
    conds.push({ bool, not: false, text });
    return true;
  }

  // ── kysely ────────────────────────────────────────────────────────────────────────────────────────────────────

  private kyselyStep(select: Select, step: Step): void {
    const { name, args } = step;
    if (name in SET_OPERATIONS) {
      this.setOperation(select, step);
      return;
    }
    if (HARMLESS.has(name)) return;
    if (select.write) {
      // `updateTable('t').set({…})`, `.set('a', x)`, `.returning(…)`, `.returningAll()`; `using` / `from` are not guessed
      if (name === 'set' && select.write.kind === 'update') {
        select.write.sets.push(...(args.length === 2 ? [this.set(args[0], args[1], step.at)] : this.sets(args[0], step.at)));
        return;
      }
      if (name === 'returning' || name === 'returningAll') {
        this.returningList(select, args[0], step.at);
        return;
      }
      if (name === 'using' || name === 'from' || name === 'set' || name.startsWith('output')) throw new Skip(name);
    }
    if (PROJECTIONS.has(name)) {
      if (name === 'select') this.projection(select, step);
      return;
    }
    const join = KYSELY_JOINS[name];
    if (join) {
      const lowered = this.kyselyJoin(step, join);
      if (lowered && join === 'INNER JOIN') select.anchors.push({ range: step.args[0]!.range, after: step.call.range[1], kind: 'join' });
      if (lowered) select.joins.push(lowered);
      else select.where.push({ bool: 'AND', not: false, text: this.opaque(step.at) });
      return;
    }
    if (name === 'where' || name === 'orWhere' || name === 'whereRef' || name === 'orWhereRef') {
      const bool: Bool = name.startsWith('or') ? 'OR' : 'AND';
      const text = name.endsWith('Ref') ? this.kyselyRef(args, step.at) : this.kyselyWhere(args, step.at);
      select.where.push({ bool, not: false, text: text ?? this.opaque(step.at) });
      return;
    }
    // $if, $call, modifyEnd, whereExists (older versions) …: not seen into
    select.where.push({ bool: 'AND', not: false, text: this.opaque(step.at) });
  }

  /** `where('deleted_at', 'is', null)`, `where('email', '=', email)`, `where('id', 'in', ids)`, `where(eb => …)`. */
  private kyselyWhere(args: readonly Node[], at: number, eb?: ExpressionNames): Piece | null {
    if (args.length === 1) {
      const e = unwrap(args[0]!);
      if (isFunction(e)) return this.kyselyExpressionCallback(e);
      if (eb) return this.kyselyExpression(e, eb);
      return null;
    }
    if (args.length !== 3) return null;
    const [a, b, c] = args as [Node, Node, Node];
    const column = this.columnArg(a);
    const op = this.str(b)?.value.trim().toLowerCase();
    if (!column || !op) return null;
    if ((op === 'is' || op === 'is not') && isNull(c)) return column.syn(op === 'is' ? ' IS NULL' : ' IS NOT NULL', at);
    if (op === 'in' || op === 'not in') {
      const list = this.inList(c, at);
      return list ? column.syn(op === 'in' ? ' IN ' : ' NOT IN ', at).add(list) : null;
    }
    const normalized = op === '==' ? '=' : op;
    if (!OPERATORS.has(normalized)) return null;
    return column.syn(` ${normalized.toUpperCase()} `, at).add(this.value(c));
  }

  private kyselyRef(args: readonly Node[], at: number): Piece | null {
    if (args.length !== 3) return null;
    const left = this.columnArg(args[0]);
    const op = this.str(args[1])?.value.trim().toLowerCase();
    const right = this.columnArg(args[2]);
    if (!left || !right || !op || !OPERATORS.has(op === '==' ? '=' : op)) return null;
    return left.syn(` ${(op === '==' ? '=' : op).toUpperCase()} `, at).add(right);
  }

  /** `(eb) => eb('a', '=', x)`, `({ eb, or }) => or([eb(…), eb(…)])`, `eb.and([…])`, `eb.not(…)`. */
  private kyselyExpressionCallback(fn: TSESTree.FunctionExpression | TSESTree.ArrowFunctionExpression): Piece | null {
    const names = expressionNames(fn.params[0]);
    if (!names) return null;
    let body: Node = fn.body;
    if (body.type === AST_NODE_TYPES.BlockStatement) {
      const only = body.body[0];
      if (body.body.length !== 1 || only?.type !== AST_NODE_TYPES.ReturnStatement || !only.argument) return null;
      body = only.argument;
    }
    return this.kyselyExpression(unwrap(body), names);
  }

  private kyselyExpression(e: Node, names: ExpressionNames): Piece | null {
    if (e.type !== AST_NODE_TYPES.CallExpression) return null;
    const callee = unwrap(e.callee);
    let role: string | null = null;
    if (callee.type === AST_NODE_TYPES.Identifier) {
      role = names.direct.get(callee.name) ?? null;
    } else if (callee.type === AST_NODE_TYPES.MemberExpression) {
      const object = unwrap(callee.object);
      const method = propertyName(callee);
      if (object.type === AST_NODE_TYPES.Identifier && names.eb.has(object.name) && method) role = method;
    }
    const at = e.range[0];
    switch (role) {
      case 'eb':
        return this.kyselyWhere(e.arguments, at);
      case 'and':
      case 'or': {
        const arg = e.arguments[0] && unwrap(e.arguments[0]);
        if (e.arguments.length !== 1 || !arg) return null;
        let parts: Piece[] | null;
        if (arg.type === AST_NODE_TYPES.ArrayExpression) {
          parts = [];
          for (const el of arg.elements) {
            const part = el && el.type !== AST_NODE_TYPES.SpreadElement ? this.kyselyExpression(unwrap(el), names) : null;
            if (!part) return null;
            parts.push(part);
          }
        } else if (arg.type === AST_NODE_TYPES.ObjectExpression) {
          parts = this.objectConds(arg, at);
        } else {
          return null;
        }
        if (!parts || parts.length === 0) return null;
        const bool: Bool = role === 'and' ? 'AND' : 'OR';
        return this.group(parts.map((text) => ({ bool, not: false, text })), at);
      }
      case 'not': {
        const arg = e.arguments[0];
        const inner = e.arguments.length === 1 && arg ? this.kyselyExpression(unwrap(arg), names) : null;
        return inner ? new Piece().syn('NOT (', at).add(inner).syn(')', at) : null;
      }
      default:
        return null;
    }
  }

  private kyselyJoin(step: Step, kind: string): Piece | null {
    const [target, a, b] = step.args;
    if (!target) return null;
    const table = this.table(target, null, step.at);
    if (isOpaqueIdentText(table.text)) return null;
    const out = new Piece().syn(`${kind} `, step.at).add(table);
    if (kind === 'CROSS JOIN') return step.args.length === 1 ? out : null;
    let on: Piece | null = null;
    if (step.args.length === 3) {
      const left = this.columnArg(a);
      const right = this.columnArg(b);
      if (left && right) on = left.syn(' = ', step.at).add(right);
    } else if (step.args.length === 2 && a && isFunction(unwrap(a))) {
      const chains = this.callbackChains(unwrap(a) as TSESTree.ArrowFunctionExpression);
      if (!chains || chains.length !== 1) return null;
      const conds: Cond[] = [];
      for (const s of chains[0]!) {
        let text: Piece | null = null;
        if (s.name === 'on') text = this.kyselyWhere(s.args, s.at);
        else if (s.name === 'onRef') text = this.kyselyRef(s.args, s.at);
        else if (s.name === 'onTrue' && s.args.length === 0) text = new Piece().syn('TRUE', s.at);
        if (!text) return null;
        conds.push({ bool: 'AND', not: false, text });
      }
      if (conds.length === 0) return null;
      on = this.conditions(conds, step.at);
    }
    return on ? out.syn(' ON ', step.at).add(on) : null;
  }
}

/** Names a kysely expression callback binds: `eb` itself, and destructured `{ eb, and, or, not }`. */
interface ExpressionNames {
  /** Names whose methods are `and`/`or`/`not`/… (the expression builder). */
  eb: Set<string>;
  /** Local names called directly, by role (`eb`, `and`, `or`, `not`). */
  direct: Map<string, string>;
}

function expressionNames(param: TSESTree.Parameter | undefined): ExpressionNames | null {
  const names: ExpressionNames = { eb: new Set(), direct: new Map() };
  if (param?.type === AST_NODE_TYPES.Identifier) {
    names.eb.add(param.name);
    names.direct.set(param.name, 'eb');
    return names;
  }
  if (param?.type === AST_NODE_TYPES.ObjectPattern) {
    for (const property of param.properties) {
      if (property.type !== AST_NODE_TYPES.Property || property.computed) return null;
      const key = property.key.type === AST_NODE_TYPES.Identifier ? property.key.name : null;
      const value = property.value.type === AST_NODE_TYPES.Identifier ? property.value.name : null;
      if (!key || !value) return null;
      if (key === 'eb') names.eb.add(value);
      if (['eb', 'and', 'or', 'not'].includes(key)) names.direct.set(value, key);
    }
    return names;
  }
  return null;
}

// ── the walk ────────────────────────────────────────────────────────────────────────────────────────────────────

/**
 * SQL fragments for every knex / kysely read chain in a file (origin `query-builder`). Never throws: a chain that
 * fails to lower is skipped.
 */
export function extractQueryBuilders(program: TSESTree.Program, sourceText: string, visitorKeys: Keys, filename?: string): SqlFragment[] {
  return queryBuildersFromScan(scanProgram(program, sourceText, visitorKeys), filename);
}

/** `extractQueryBuilders` over the one walk of the file. */
export function queryBuildersFromScan(
  scan: ProgramScan,
  filename?: string,
  softColumns: readonly string[] = DEFAULT_COLUMNS,
  objectionModels?: ReadonlyMap<string, ObjectionSoftDeleteModel>,
  unseen?: NotUnderstoodCall[],
): SqlFragment[] {
  const { calls, parents, consts } = scan;
  const lowerer = new Lowerer(scan.text, consts, namesOf(scan, filename), returnedBuilders(scan), foreignBuilders(scan, filename), scan);
  lowerer.objection = { declared: new Set(scan.declarations), plugins: softDeletePluginNames(scan), models: objectionModels ?? new Map() };
  // builder variables first: those used inside another chain (`whereIn('id', q)`, `.union(q)`) are lowered there
  const fragments: SqlFragment[] = lowerBuilderVariables(lowerer, scan, softColumns);
  for (const call of calls) {
    try {
      if (continued(call, parents)) continue;
      const fragment = lowerChain(lowerer, call, parents);
      if (fragment) fragments.push(fragment);
    } catch (error) {
      rethrowWhenStrict(error); // else skip this chain
    }
  }
  fragments.push(...lowerer.extra);
  unseen?.push(...lowerer.unseen);
  return fragments;
}

/**
 * Calls of a function another module exports (relative imports, aliases, workspace packages) that returns a builder
 * without running it: its reads are made there, where this file cannot map them, so a run of one here is said as
 * unchecked rather than passed over in silence.
 */
function foreignBuilders(scan: ProgramScan, filename: string | undefined): ForeignBuilder {
  const known = new Map<string, boolean>();
  return (base) => {
    const b = unwrap(base);
    if (!filename || b.type !== AST_NODE_TYPES.CallExpression) return null;
    const callee = unwrap(b.callee);
    if (callee.type !== AST_NODE_TYPES.Identifier || !scan.once(callee.name)) return null;
    const binding = scan.imports.find((i) => i.local === callee.name);
    if (!binding?.imported) return null;
    const key = `${binding.source}\0${binding.imported}`;
    let builds = known.get(key);
    if (builds === undefined) {
      const file = resolveModule(filename, binding.source);
      const exported = file ? exportedBinding(file, binding.imported) : null;
      builds = exported?.local ? returnsBuilder(exported.program, exported.local) : false;
      known.set(key, builds);
    }
    return builds ? { name: callee.name, source: binding.source } : null;
  };
}

/** Does the module's top-level function `name` (not async) return a builder chain it does not run? */
function returnsBuilder(program: TSESTree.Program, name: string): boolean {
  let fn: Node | null = null;
  for (const statement of program.body) {
    const d = statement.type === AST_NODE_TYPES.ExportNamedDeclaration || statement.type === AST_NODE_TYPES.ExportDefaultDeclaration ? statement.declaration : statement;
    if (d?.type === AST_NODE_TYPES.FunctionDeclaration && d.id?.name === name) fn = d;
    else if (d?.type === AST_NODE_TYPES.VariableDeclaration) {
      for (const v of d.declarations) if (v.id.type === AST_NODE_TYPES.Identifier && v.id.name === name && v.init) fn = unwrap(v.init);
    }
  }
  const chain = fn ? returnedChainOf(fn) : null;
  return chain !== null && (builderAhead(chain.steps) || chain.steps.some((s) => s.name === 'selectFrom'));
}

/** The chain a function (not async, not a generator) returns as its one last `return`, or null. */
function returnedChainOf(fn: Node | undefined): Chain | null {
  if (!fn || !(isFunction(fn) || fn.type === AST_NODE_TYPES.FunctionDeclaration) || fn.async || fn.generator) return null;
  let body: Node | null = fn.body;
  if (body.type === AST_NODE_TYPES.BlockStatement) {
    const returns = body.body.filter((s): s is TSESTree.ReturnStatement => s.type === AST_NODE_TYPES.ReturnStatement);
    body = returns.length === 1 && returns[0] === body.body[body.body.length - 1] ? returns[0]!.argument : null;
  }
  if (!body) return null;
  const chain = decompose(body);
  return chain.steps.length > 0 || unwrap(chain.base).type === AST_NODE_TYPES.CallExpression ? chain : null;
}

/**
 * Functions and methods of the file that return a builder without running it (not `async`, one `return` of a
 * chain): a call to one, extended and run elsewhere in the file, is lowered as the returned chain plus the steps
 * added at the call.
 */
function returnedBuilders(scan: ProgramScan): ReturnedBuilder {
  const { parents } = scan;
  const returnedChain = returnedChainOf;
  const localFunction = (name: string): Node | undefined => {
    if (!scan.once(name)) return undefined;
    const init = scan.consts.get(name);
    if (init) return unwrap(init);
    return scan.declarations.find((d) => d.type === AST_NODE_TYPES.FunctionDeclaration && d.id?.name === name);
  };
  const method = (at: Node, name: string): Node | undefined => {
    let p = parents.get(at);
    while (p && p.type !== AST_NODE_TYPES.ClassBody) p = parents.get(p);
    if (!p || p.type !== AST_NODE_TYPES.ClassBody) return undefined;
    const found = p.body.filter(
      (m): m is TSESTree.MethodDefinition =>
        m.type === AST_NODE_TYPES.MethodDefinition && m.kind === 'method' && !m.static && !m.computed && m.key.type === AST_NODE_TYPES.Identifier && m.key.name === name,
    );
    return found.length === 1 ? found[0]!.value : undefined;
  };
  return (base, steps) => {
    const b = unwrap(base);
    if (b.type === AST_NODE_TYPES.CallExpression) {
      const callee = unwrap(b.callee);
      if (callee.type !== AST_NODE_TYPES.Identifier) return null;
      const inner = returnedChain(localFunction(callee.name));
      return inner ? { base: inner.base, steps: [...inner.steps, ...steps] } : null;
    }
    if (b.type === AST_NODE_TYPES.ThisExpression && steps[0]) {
      const inner = returnedChain(method(b, steps[0].name));
      return inner ? { base: inner.base, steps: [...inner.steps, ...steps.slice(1)] } : null;
    }
    return null;
  };
}

function lowerChain(lowerer: Lowerer, end: TSESTree.CallExpression, parents: ParentLookup): SqlFragment | null {
  const { base, steps } = decompose(end);
  return lowerChainSteps(lowerer, base, steps, end, parents, false);
}

/**
 * Lowers the steps of a builder from its root. `stored`: the steps come from a builder kept in a variable and run
 * at `end` (already known to run).
 */
function lowerChainSteps(lowerer: Lowerer, base: Node, steps: Step[], end: Node, parents: ParentLookup, stored: boolean): SqlFragment | null {
  lowerer.resetCounter();
  lowerer.pending = [];
  const root = lowerer.root(base, steps);
  if (!root) {
    // a builder another module made, run here: its reads are made there, out of this file's reach
    const last = steps[steps.length - 1]?.name;
    const runs = stored || (last !== undefined && (KNEX_TERMINALS.has(last) || KYSELY_TERMINALS.has(last))) || awaited(end, parents);
    const foreign = runs ? lowerer.foreign(base) : null;
    const instance = runs && !foreign ? lowerer.unknownInstance(base, steps) : null;
    if (foreign || instance) {
      lowerer.pending.push(instance ?? lowerer.unseenBuilder(base, `${foreign!.name}()`));
      lowerer.commitUnseen();
    }
    return null;
  }
  const terminals = root.flavor === 'knex' ? KNEX_TERMINALS : KYSELY_TERMINALS;
  const rest = [...root.rest];
  let terminated = false;
  while (rest.length && terminals.has(rest[rest.length - 1]!.name)) {
    rest.pop();
    terminated = true;
  }
  if (!stored) {
    // knex builders run when awaited (they are thenables); kysely ones only through execute*()
    if (root.flavor === 'kysely' ? !terminated : !terminated && !awaited(end, parents)) return null;
  }
  // `db('users')` alone could be anything (unless `db` is known to be a knex instance): require a builder method after it
  const known = (name: string): boolean =>
    WHERE_METHOD.test(name) || PROJECTIONS.has(name) || AGGREGATES.has(name) || name in KNEX_JOINS || HARMLESS.has(name) ||
    name === 'joinRaw' || name === 'from' || WRITE_METHODS.has(name);
  if (root.bare && !root.client && !rest.some((s) => known(s.name))) return null;
  let text: Piece;
  try {
    lowerer.apply(root.select, rest, root.flavor);
    if (!root.select.from) return null;
    text = lowerer.render(root.select, end.range[0]);
  } catch (error) {
    if (error instanceof Skip) return null;
    throw error;
  }
  const fragment = text.toSynthesized();
  // raw pieces we inlined could make it unparsable: then it is not ours to report
  if (!parseCached(fragment.text).ok) return null;
  // A filter chained after the table's call is ANDed with every other where call, unless one of them is an
  // `orWhere` (knex emits the flat `a AND b OR c`): then no edit is safe without regrouping the user's conditions.
  if (!root.select.where.some((c) => c.bool === 'OR')) {
    fragment.codeFilter = builderFilter(root.flavor, root.select.anchors, root.select.softDelete?.mixin.column);
    if (root.select.write?.kind === 'delete') fragment.codeSoftDelete = builderSoftDelete(lowerer, root.flavor, root.select, fragment.codeFilter);
  }
  for (const read of lowerer.graphReads(root.select)) {
    const extra = read.toSynthesized();
    if (parseCached(extra.text).ok) lowerer.extra.push(extra);
  }
  lowerer.commitUnseen();
  return fragment;
}

const PLAIN_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * knex / Objection `.whereNull('users.deleted_at')`, kysely `.where('users.deleted_at', 'is', null)`; a model with
 * objection-soft-delete (`mixinColumn`) gets the plugin's own `.whereNotDeleted()` for its column.
 */
function builderFilter(flavor: Flavor, anchors: readonly Anchor[], mixinColumn?: string): NonNullable<SqlFragment['codeFilter']> {
  return (at, { column, qualifier, test }) => {
    const anchor = anchors.find((a) => at >= a.range[0] && at < a.range[1]);
    if (anchor && mixinColumn === column && anchor.kind === 'from') return { code: '.whereNotDeleted()', edits: [{ start: anchor.after, end: anchor.after, text: '.whereNotDeleted()' }] };
    if (!anchor || !PLAIN_NAME.test(column) || (qualifier !== null && !PLAIN_NAME.test(qualifier))) return null;
    const name = `'${qualifier ? `${qualifier}.` : ''}${column}'`;
    const code =
      flavor === 'knex'
        ? test === 'is-null' ? `.whereNull(${name})` : `.where(${name}, false)`
        : test === 'is-null' ? `.where(${name}, 'is', null)` : `.where(${name}, '=', false)`;
    return { code, edits: [{ start: anchor.after, end: anchor.after, text: code }] };
  };
}

/**
 * The DELETE as a soft delete in the builder's idiom: knex `.del()` → `.update({ deleted_at: knex.fn.now() })`,
 * Objection `.delete()` → `.patch({ deleted_at: User.fn.now() })` (`.deleteById(id)` → `.findById(id).patch(…)`),
 * kysely `deleteFrom('users')` → `updateTable('users').set({ deleted_at: sql`now()` })` — with the active-row filter
 * chained after the table's call when the WHERE does not keep to live rows already (a row deleted before keeps its
 * date). Not offered when the delete returns rows (knex `del(['id'])`), or kysely's file does not import `sql`.
 */
function builderSoftDelete(lowerer: Lowerer, flavor: Flavor, select: Select, filter: NonNullable<SqlFragment['codeFilter']>): NonNullable<SqlFragment['codeSoftDelete']> {
  return (at, request) => {
    const step = select.write?.step;
    const { column, test } = request;
    if (!step || !PLAIN_NAME.test(column) || request.qualifier !== null) return null;
    const added = request.filter ? filter(at, request) : { code: '', edits: [] };
    if (!added) return null;
    const edits = [...added.edits];
    let code: string;
    const methodEnd = step.at + step.name.length;
    if (flavor === 'kysely') {
      const tag = test === 'is-null' ? kyselySql(lowerer.scan) : { name: '', edits: [] };
      if (step.name !== 'deleteFrom' || !tag) return null;
      const value = test === 'is-null' ? `${tag.name}\`now()\`` : 'true';
      edits.push(...tag.edits);
      code = `.set({ ${column}: ${value} })`;
      edits.push({ start: step.at, end: methodEnd, text: 'updateTable' });
      const after = edits.find((e) => e.start === step.call.range[1] && e.end === e.start);
      if (after) after.text = code + after.text;
      else edits.push({ start: step.call.range[1], end: step.call.range[1], text: code });
      code = `updateTable(…)${code}${added.code}`;
    } else {
      if (select.client === null || step.args.length !== (step.name === 'deleteById' ? 1 : 0)) return null;
      const value = test === 'is-null' ? `${select.client}.fn.now()` : 'true';
      const write = `${select.model ? 'patch' : 'update'}({ ${column}: ${value} })`;
      code = `${added.code}.${write}`;
      if (step.name === 'deleteById') {
        const id = step.args[0]!;
        edits.push({ start: step.at, end: step.call.range[1], text: `findById(${lowerer.source.slice(id.range[0], id.range[1])}).${write}` });
      } else edits.push({ start: step.at, end: step.call.range[1], text: write });
    }
    return { code, edits: edits.sort((a, b) => a.start - b.start) };
  };
}

/** How the file names kysely's `sql` tag: its import, or an edit adding one (null when `sql` is something else). */
function kyselySql(scan: ProgramScan | null): { name: string; edits: SourceEdit[] } | null {
  if (!scan) return null;
  const imported = scan.imports.find((i) => i.source === 'kysely' && i.imported === 'sql');
  if (imported) return { name: imported.local, edits: [] };
  if (scan.declarationCounts.has('sql')) return null;
  const edits = importEdits(scan, 'kysely', ['sql']);
  return edits ? { name: 'sql', edits } : null;
}

// ── builders kept in variables ──────────────────────────────────────────────────────────────────────────────────

const BRANCHING = new Set<string>([
  AST_NODE_TYPES.IfStatement, AST_NODE_TYPES.ConditionalExpression, AST_NODE_TYPES.LogicalExpression,
  AST_NODE_TYPES.SwitchStatement, AST_NODE_TYPES.ForStatement, AST_NODE_TYPES.ForInStatement, AST_NODE_TYPES.ForOfStatement,
  AST_NODE_TYPES.WhileStatement, AST_NODE_TYPES.DoWhileStatement, AST_NODE_TYPES.TryStatement, AST_NODE_TYPES.CatchClause,
]);
const FUNCTIONS = new Set<string>([
  AST_NODE_TYPES.FunctionDeclaration, AST_NODE_TYPES.FunctionExpression, AST_NODE_TYPES.ArrowFunctionExpression,
]);

/** The identifiers named `name` under `root` that are references (not property names or keys). */
function references(root: Node, name: string, visitorKeys: Keys, parents: ParentLookup): TSESTree.Identifier[] {
  const out: TSESTree.Identifier[] = [];
  const stack: Node[] = [root];
  while (stack.length) {
    const node = stack.pop()!;
    if (node.type === AST_NODE_TYPES.Identifier && node.name === name) {
      const parent = parents.get(node);
      const isProperty =
        (parent?.type === AST_NODE_TYPES.MemberExpression && parent.property === node && !parent.computed) ||
        (parent?.type === AST_NODE_TYPES.Property && parent.key === node && !parent.computed && !parent.shorthand);
      if (!isProperty) out.push(node);
    }
    const children = childNodes(node, visitorKeys);
    for (let k = children.length - 1; k >= 0; k--) stack.push(children[k]!);
  }
  return out.sort((a, b) => a.range[0] - b.range[0]);
}

/** The outermost member/call chain that starts at `node` (`q.where(…).first()` for `q`). */
function chainTop(node: Node, parents: ParentLookup): Node {
  let top = node;
  for (;;) {
    const parent = parents.get(top);
    if (!parent) return top;
    if (unwrap(parent) !== parent) top = parent;
    else if (parent.type === AST_NODE_TYPES.MemberExpression && parent.object === top) top = parent;
    else if (parent.type === AST_NODE_TYPES.CallExpression && parent.callee === top) top = parent;
    else return top;
  }
}

/** Does any node between `node` and `scope` (exclusive) branch or start a function? */
function conditional(node: Node, scope: Node, parents: ParentLookup): boolean {
  for (let p = parents.get(node); p && p !== scope; p = parents.get(p)) {
    if (BRANCHING.has(p.type) || FUNCTIONS.has(p.type)) return true;
  }
  return false;
}

/** A step that stands for code we cannot see into (an unknown method: an opaque conjunct). */
function unknownStep(at: Node): Step {
  return { name: '\u0000unknown', args: [], call: at as TSESTree.CallExpression, at: at.range[0] };
}

/**
 * `const q = knex('posts').leftJoin(…)…; if (mine) q.where('author_id', me); const rows = await q;`: one read per
 * place the builder runs, with the steps applied on every path before it. A step applied on some paths only makes
 * the verdict unknown (see `conditionalSteps`); so does any use we cannot follow (passed to a function, stored
 * elsewhere).
 */
function lowerBuilderVariables(lowerer: Lowerer, scan: ProgramScan, softColumns: readonly string[]): SqlFragment[] {
  const out: SqlFragment[] = [];
  const { parents } = scan;
  for (const [name, declarator] of scan.declarators) {
    try {
      const init = declarator.init && unwrap(declarator.init);
      if (!init || init.type !== AST_NODE_TYPES.CallExpression || awaited(init, parents)) continue;
      const head = decompose(init);
      lowerer.resetCounter();
      const probe = lowerer.root(head.base, head.steps);
      if (!probe) continue;
      const declaration = parents.get(declarator);
      const block = declaration && parents.get(declaration);
      if (!declaration || !block) continue;
      let scope: Node | undefined = block;
      while (scope && scope.type !== AST_NODE_TYPES.Program && !FUNCTIONS.has(scope.type)) scope = parents.get(scope);
      if (!scope) continue;
      const kind = declaration.type === AST_NODE_TYPES.VariableDeclaration ? declaration.kind : 'const';
      /** Steps in source order: applied ones, and markers for what we cannot follow. */
      const events: Array<{ at: number; steps: Step[] } | { at: number; run: Node; steps: Step[] } | { at: number; embed: Node; steps: Step[] }> = [];
      let abandon = false;
      for (const ref of references(scope, name, scan.visitorKeys, parents)) {
        if (ref === declarator.id) continue;
        const parent = parents.get(ref);
        // `q = q.where(…)` (kysely builders are immutable; a let reassigned from itself)
        if (parent?.type === AST_NODE_TYPES.AssignmentExpression && parent.left === ref) {
          if (kind === 'const') continue;
          const right = decompose(unwrap(parent.right));
          const from = unwrap(right.base);
          if (from.type !== AST_NODE_TYPES.Identifier || from.name !== name) {
            abandon = true; // replaced by something else
            break;
          }
          const steps = conditional(parent, block, parents) ? conditionalSteps(lowerer, right.steps, parent, softColumns) : right.steps;
          events.push({ at: parent.range[0], steps });
          continue;
        }
        if (parent?.type === AST_NODE_TYPES.AssignmentExpression && parent.right === ref) continue; // `q = q.…` seen above
        const top = chainTop(ref, parents);
        const { steps } = decompose(top);
        const topParent = parents.get(top);
        const terminals = probe.flavor === 'knex' ? KNEX_TERMINALS : KYSELY_TERMINALS;
        const runs = steps.some((s) => terminals.has(s.name)) || (probe.flavor === 'knex' && awaited(top, parents));
        if (runs) {
          events.push({ at: top.range[0], run: top, steps });
          continue;
        }
        if (steps.length > 0 && topParent?.type === AST_NODE_TYPES.ExpressionStatement) {
          // `q.where(…);` changes a knex builder in place (a kysely one is immutable: no effect)
          if (probe.flavor === 'kysely') continue;
          events.push({ at: top.range[0], steps: conditional(top, block, parents) ? conditionalSteps(lowerer, steps, top, softColumns) : steps });
          continue;
        }
        if (topParent?.type === AST_NODE_TYPES.AssignmentExpression && topParent.right === top) continue; // handled above
        // inside another chain (`whereIn('id', q)`, `.union(q)`, `.with('name', q)`): lowered there, as it is here
        const holder = topParent?.type === AST_NODE_TYPES.ArrayExpression ? parents.get(topParent) : topParent;
        if (holder?.type === AST_NODE_TYPES.CallExpression && holder.callee !== top && unwrap(holder.callee).type === AST_NODE_TYPES.MemberExpression) {
          events.push({ at: ref.range[0], embed: ref, steps: [] });
        }
        // anything else (passed to a function, returned unrun): what happens to it is unknown
        events.push({ at: ref.range[0], steps: [unknownStep(ref)] });
      }
      if (abandon) continue;
      const applied: Step[] = [];
      for (const event of events) {
        if ('embed' in event) {
          lowerer.embedded.set(event.embed, { base: head.base, steps: [...head.steps, ...applied] });
          continue;
        }
        if (!('run' in event)) {
          applied.push(...event.steps);
          continue;
        }
        const fragment = lowerChainSteps(lowerer, head.base, [...head.steps, ...applied, ...event.steps], event.run, parents, true);
        if (fragment) out.push(fragment);
      }
    } catch (error) {
      rethrowWhenStrict(error);
    }
  }
  return out;
}

/** Methods that only AND a condition onto the read. */
const AND_ONLY = /^(?:and)?[wW]here(?:Not)?(?:In|Between|Like|ILike)?$/;

/**
 * A step applied on some paths only. Steps that cannot touch the rows read (`orderBy`, `limit`, …) change nothing;
 * an AND-ed condition on columns we can read, none of them a soft-delete column, is left out (the path without it
 * is a real path, and with it the filter is neither added nor defeated). Anything else is unknown on the read: a
 * filter toggled by a flag (`if (!withDeleted) q.whereNull('deleted_at')`) is usually deliberate, and we do not
 * guess which path runs.
 */
function conditionalSteps(lowerer: Lowerer, steps: Step[], at: Node, softColumns: readonly string[]): Step[] {
  if (steps.every((s) => HARMLESS.has(s.name))) return steps;
  const plain = steps.every(
    (s) =>
      HARMLESS.has(s.name) ||
      (AND_ONLY.test(s.name) &&
        s.args.length > 0 &&
        (() => {
          const column = lowerer.str(s.args[0]);
          const name = column?.value.split('.').pop()?.trim();
          return name !== undefined && name !== '' && !softColumns.includes(name);
        })()),
  );
  return plain ? [] : [unknownStep(at)];
}
