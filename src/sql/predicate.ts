/**
 * Boolean expressions lowered into a small predicate language in negation normal form. This is what the checks
 * reason about: "does the guard of this table reference imply its active-row predicate?"
 */
import type { RawNode } from './parser.js';
import { TOO_DEEP_NODE, fieldsOf, list, nameList, num, str, structuralKey, unwrap, walkTree } from './ast.js';

export interface ColumnRef {
  /** The relation qualifier as written (`u` in `u.deleted_at`, `users` in `public.users.deleted_at`), or null. */
  qualifier: string | null;
  name: string;
  location: number;
}

export type Predicate =
  | { kind: 'and'; args: Predicate[] }
  | { kind: 'or'; args: Predicate[]; location: number }
  /** `col IS NULL` (isNull) / `col IS NOT NULL`; also `IS [NOT] DISTINCT FROM NULL`. */
  | { kind: 'null-test'; column: ColumnRef; isNull: boolean; location: number }
  /** A boolean column tested: `col`, `NOT col`, `col = false`, `col IS NOT TRUE`, … → value it must have. */
  | { kind: 'bool-test'; column: ColumnRef; value: boolean; location: number }
  /** `col <op> expr` where expr mentions no column of the same row; `value` is a structural key of expr. */
  | { kind: 'compare'; column: ColumnRef; op: string; value: string; location: number }
  /** `a.x = b.y`: two columns equal (a join condition, or a lookup by another relation's column). */
  | { kind: 'column-eq'; left: ColumnRef; right: ColumnRef; location: number }
  /** `col = NULL` / `col <> NULL`: never true. */
  | { kind: 'never'; column: ColumnRef; location: number }
  /** A placeholder standing for SQL we cannot see (an interpolated fragment). */
  | { kind: 'opaque'; location: number }
  | { kind: 'const'; value: boolean }
  /**
   * Anything else; the columns it mentions are kept so a deliberate use of the soft-delete column is seen.
   * `strict`: columns that make it not true when NULL (operands of LIKE, `<`, IN, BETWEEN, `a.x = b.y` negated …).
   */
  | { kind: 'other'; columns: ColumnRef[]; location: number; strict?: ColumnRef[] };

export type Atom = Exclude<Predicate, { kind: 'and' } | { kind: 'or' }>;

const NEGATED_OPERATOR: Record<string, string> = { '=': '<>', '<>': '=', '!=': '=', '<': '>=', '>=': '<', '>': '<=', '<=': '>' };

export function columnRef(node: unknown): ColumnRef | undefined {
  const fields = fieldsOf(node, 'ColumnRef');
  if (!fields) return undefined;
  const names = nameList(fields.fields);
  const parts = list(fields.fields);
  if (names.length !== parts.length || names.length === 0) return undefined; // `t.*`
  return {
    qualifier: names.length >= 2 ? names[names.length - 2]! : null,
    name: names[names.length - 1]!,
    location: num(fields.location) ?? -1,
  };
}

/** Every column reference inside an expression (not descending into subqueries). */
export function columnsIn(node: unknown): ColumnRef[] {
  const found: ColumnRef[] = [];
  walkTree(node, (value) => {
    const n = unwrap(value);
    if (n?.type === 'SubLink') return { only: n.fields.testexpr };
    if (n?.type !== 'ColumnRef') return;
    const ref = columnRef(value);
    if (ref) found.push(ref);
    return false;
  });
  return found;
}

function boolConst(node: unknown): boolean | undefined {
  const fields = fieldsOf(node, 'A_Const');
  if (!fields || !('boolval' in fields)) return undefined;
  return (fields.boolval as { boolval?: boolean }).boolval === true;
}

function isNullConst(node: unknown): boolean {
  return fieldsOf(node, 'A_Const')?.isnull === true;
}

function loc(fields: Record<string, unknown>): number {
  return num(fields.location) ?? -1;
}

/**
 * AND / OR nested deeper than this are read as SQL the engine cannot see (opaque): a parsed tree never nests them so
 * deep (the parser module cuts trees deeper than it reads), and every walk over a predicate then stays shallow.
 */
const MAX_PREDICATE_DEPTH = 1000;

/**
 * Lowers an expression into a predicate in negation normal form. `opaque(location)` tells whether a `$N`
 * parameter stands for SQL we cannot see (an interpolated fragment) rather than a value.
 */
export function lowerPredicate(
  node: RawNode | undefined,
  opaque: (location: number) => boolean = () => false,
  negated = false,
  depth = 0,
): Predicate {
  let n = unwrap(node);
  // NOT NOT …: one loop, not a call per NOT
  while (n?.type === 'BoolExpr' && str(n.fields.boolop) === 'NOT_EXPR') {
    negated = !negated;
    node = list(n.fields.args)[0];
    n = unwrap(node);
  }
  if (!node) return { kind: 'const', value: !negated };
  if (!n) return { kind: 'other', columns: [], location: -1 };
  const { type, fields } = n;
  if (depth > MAX_PREDICATE_DEPTH) return { kind: 'opaque', location: loc(fields) };
  const other = (): Predicate => ({ kind: 'other', columns: columnsIn(node), location: loc(fields) });

  switch (type) {
    case 'BoolExpr': {
      const op = str(fields.boolop);
      const args = list(fields.args);
      const isAnd = (op === 'AND_EXPR') !== negated; // De Morgan
      const lowered = args.map((a) => lowerPredicate(a, opaque, negated, depth + 1));
      if (isAnd) return { kind: 'and', args: lowered.flatMap((p) => (p.kind === 'and' ? p.args : [p])) };
      return { kind: 'or', args: lowered.flatMap((p) => (p.kind === 'or' ? p.args : [p])), location: loc(fields) };
    }
    case 'NullTest': {
      const column = columnRef(fields.arg);
      if (!column) return other();
      const isNull = (str(fields.nulltesttype) === 'IS_NULL') !== negated;
      return { kind: 'null-test', column, isNull, location: loc(fields) };
    }
    case 'BooleanTest': {
      const column = columnRef(fields.arg);
      if (!column) return other();
      const test = str(fields.booltesttype) ?? '';
      // IS TRUE / IS NOT FALSE select rows where the flag is (or may be) true; the others where it is false.
      let value = test === 'IS_TRUE' || test === 'IS_NOT_FALSE';
      if (test === 'IS_UNKNOWN' || test === 'IS_NOT_UNKNOWN') return other();
      if (negated) value = !value;
      return { kind: 'bool-test', column, value, location: loc(fields) };
    }
    case 'ColumnRef': {
      const column = columnRef(node);
      if (!column) return other();
      return { kind: 'bool-test', column, value: !negated, location: loc(fields) };
    }
    case TOO_DEEP_NODE: // a part too deep to analyse: unseen, like an interpolated fragment
      return { kind: 'opaque', location: loc(fields) };
    case 'ParamRef':
      if (opaque(loc(fields))) return { kind: 'opaque', location: loc(fields) };
      return other();
    case 'A_Const': {
      const value = boolConst(node);
      return value === undefined ? other() : { kind: 'const', value: value !== negated };
    }
    case 'A_Expr': {
      const kind = str(fields.kind);
      const left = columnRef(fields.lexpr);
      const right = columnRef(fields.rexpr);
      const column = left ?? right;
      const otherSide = left ? fields.rexpr : fields.lexpr;
      if (kind === 'AEXPR_NOT_DISTINCT' || kind === 'AEXPR_DISTINCT') {
        if (column && isNullConst(otherSide)) {
          const isNull = (kind === 'AEXPR_NOT_DISTINCT') !== negated;
          return { kind: 'null-test', column, isNull, location: loc(fields) };
        }
        return other();
      }
      // Operators that yield NULL (never true, negated or not) when a column operand is NULL.
      const strictOperator = kind !== undefined && STRICT_EXPRESSIONS.has(kind);
      const otherStrict = (): Predicate => ({ ...other(), ...(strictOperator ? { strict: [left, right].filter((c): c is ColumnRef => !!c) } : {}) });
      // `id IN ($1, $2)` / `id = ANY($1)`: a lookup by a list of values (kept for lookup detection).
      if ((kind === 'AEXPR_IN' || kind === 'AEXPR_OP_ANY') && left && !negated && nameList(fields.name)[0] === '=' && columnsIn(fields.rexpr).length === 0) {
        return { kind: 'compare', column: left, op: 'in', value: structuralKey(fields.rexpr), location: loc(fields) };
      }
      if (kind !== 'AEXPR_OP' || !column) return otherStrict();
      let op = nameList(fields.name)[0] ?? '';
      if (left && right && op === '=' && !negated) return { kind: 'column-eq', left, right, location: loc(fields) };
      if (isNullConst(otherSide) && (op === '=' || op === '<>' || op === '!=')) {
        return { kind: 'never', column, location: loc(fields) };
      }
      const flag = boolConst(otherSide);
      if (flag !== undefined && (op === '=' || op === '<>' || op === '!=')) {
        const value = (op === '=') === flag;
        return { kind: 'bool-test', column, value: negated ? !value : value, location: loc(fields) };
      }
      if (columnsIn(otherSide).length > 0) return otherStrict();
      if (!left) op = mirror(op);
      if (negated) {
        const flipped = NEGATED_OPERATOR[op];
        if (!flipped) return otherStrict();
        op = flipped;
      }
      return { kind: 'compare', column, op: op === '!=' ? '<>' : op, value: structuralKey(otherSide), location: loc(fields) };
    }
    default:
      return other();
  }
}

const STRICT_EXPRESSIONS = new Set([
  'AEXPR_OP',
  'AEXPR_OP_ANY',
  'AEXPR_OP_ALL',
  'AEXPR_IN',
  'AEXPR_LIKE',
  'AEXPR_ILIKE',
  'AEXPR_SIMILAR',
  'AEXPR_BETWEEN',
  'AEXPR_NOT_BETWEEN',
  'AEXPR_BETWEEN_SYM',
  'AEXPR_NOT_BETWEEN_SYM',
]);

function mirror(op: string): string {
  return ({ '<': '>', '>': '<', '<=': '>=', '>=': '<=' } as Record<string, string>)[op] ?? op;
}

/** Conjuncts of a predicate (a non-AND predicate is its own single conjunct). */
export function conjuncts(predicate: Predicate): Predicate[] {
  if (predicate.kind === 'and') return predicate.args;
  if (predicate.kind === 'const' && predicate.value) return [];
  return [predicate];
}

/** Every atom of a predicate, through ANDs and ORs. */
export function atoms(predicate: Predicate): Atom[] {
  if (predicate.kind === 'and' || predicate.kind === 'or') return predicate.args.flatMap(atoms);
  return [predicate];
}

/** The columns an atom mentions. */
export function atomColumns(atom: Atom): ColumnRef[] {
  switch (atom.kind) {
    case 'null-test':
    case 'bool-test':
    case 'compare':
    case 'never':
      return [atom.column];
    case 'column-eq':
      return [atom.left, atom.right];
    case 'other':
      return atom.columns;
    default:
      return [];
  }
}

/**
 * Is the predicate never true when every column `binds` selects is NULL? Such a conjunct of WHERE drops the
 * NULL-extended rows of an outer join (`b.kind = 'x'`, `b.name LIKE 'x%'`, `a.id = b.id`, `b.id IS NOT NULL`).
 * Sound, not complete: COALESCE, CASE, functions and IS [NOT] TRUE tests are not taken to reject NULLs.
 */
export function rejectsNulls(predicate: Predicate, binds: (column: ColumnRef) => boolean): boolean {
  switch (predicate.kind) {
    case 'and':
      return predicate.args.some((p) => rejectsNulls(p, binds));
    case 'or':
      return predicate.args.length > 0 && predicate.args.every((p) => rejectsNulls(p, binds));
    case 'null-test':
      return !predicate.isNull && binds(predicate.column);
    case 'compare':
      return binds(predicate.column);
    case 'column-eq':
      return binds(predicate.left) || binds(predicate.right);
    case 'never':
      return true;
    case 'const':
      return !predicate.value;
    case 'other':
      return (predicate.strict ?? []).some(binds);
    default:
      return false;
  }
}

const sameColumn = (a: ColumnRef, b: ColumnRef) => a.qualifier === b.qualifier && a.name === b.name;
/** A literal (not a parameter, not NULL): two different literals are different values. */
const isLiteralKey = (key: string) => key.startsWith('{"A_Const"') && !key.includes('"isnull"');

/** Can atoms `a` and `b` never hold together (on the same row)? */
function contradicts(a: Atom, b: Atom): boolean {
  if (a.kind === 'null-test' && b.kind === 'null-test') return sameColumn(a.column, b.column) && a.isNull !== b.isNull;
  if (a.kind === 'bool-test' && b.kind === 'bool-test') return sameColumn(a.column, b.column) && a.value !== b.value;
  if (a.kind === 'null-test' && b.kind === 'compare') return a.isNull && sameColumn(a.column, b.column);
  if (a.kind === 'compare' && b.kind === 'null-test') return contradicts(b, a);
  if (a.kind === 'compare' && b.kind === 'compare') {
    return sameColumn(a.column, b.column) && a.op === '=' && b.op === '=' && a.value !== b.value && isLiteralKey(a.value) && isLiteralKey(b.value);
  }
  return false;
}

/**
 * Drops the OR branches that contradict a sibling conjunct: in `(deleted_at IS NULL OR plan = 'a') AND plan = 'b'`
 * the second branch can never hold, so the OR is `deleted_at IS NULL`. Conjuncts that contradict each other make
 * the whole predicate false.
 */
export function pruneContradictions(predicate: Predicate): Predicate {
  if (predicate.kind !== 'and') return predicate;
  const facts = predicate.args.filter((p): p is Atom => p.kind !== 'and' && p.kind !== 'or');
  // Two conjuncts that cannot hold together (`plan = 'pro' AND plan = 'free'`): no row passes at all. (Pairs are
  // compared only among a few dozen conjuncts: generated WHEREs of thousands of terms are left as they are.)
  if (facts.length <= 64 && facts.some((a, i) => facts.some((b, j) => j > i && contradicts(a, b)))) return { kind: 'const', value: false };
  let changed = false;
  const args = predicate.args.flatMap((c): Predicate[] => {
    if (c.kind !== 'or') return [c];
    const holds = (branch: Predicate) => !conjuncts(branch).some((a) => a.kind !== 'and' && a.kind !== 'or' && facts.some((f) => contradicts(a, f)));
    const kept = c.args.filter(holds);
    if (kept.length === c.args.length) return [c];
    changed = true;
    if (kept.length === 0) return [{ kind: 'const', value: false }];
    if (kept.length === 1) return conjuncts(kept[0]!);
    return [{ ...c, args: kept }];
  });
  return changed ? { kind: 'and', args } : predicate;
}
