/**
 * The walks over parsed trees do not recurse per level: each one here is given a tree far deeper than the JavaScript
 * stack allows a recursive walk (100,000 levels; a recursive walk overflows at ~10,000), built by hand — the parser
 * module never hands the engine a tree deeper than MAX_TREE_DEPTH (its cut is tested in hostile-input.test.ts), so
 * these are the walks' own guarantees, not the parser's.
 */
import { describe, expect, it } from 'vitest';
import { firstLocation, walkTree } from '../src/sql/ast.js';
import { columnsIn, lowerPredicate } from '../src/sql/predicate.js';
import { MAX_LOWERING_DEPTH, lowerStatement, type Query } from '../src/sql/lower.js';
import { ReadAnalyzer } from '../src/analysis/reads.js';
import { normalizeSettings } from '../src/settings.js';
import { schemaFromSql } from '../src/schema/apply.js';
import { SCHEMA } from './helpers/analyze.js';
import { parseFragment } from '../src/sql/source.js';
import { wholeFileFragment } from '../src/sql/fragment.js';

const DEPTH = 100_000;

/** `depth` levels of `wrap` around `core`, built without recursion. */
function nest(depth: number, wrap: (inner: unknown) => unknown, core: unknown): unknown {
  let node = core;
  for (let i = 0; i < depth; i++) node = wrap(node);
  return node;
}

const column = (name: string, location: number) => ({ ColumnRef: { fields: [{ String: { sval: name } }], location } });
const plus = (left: unknown, right: unknown) => ({ A_Expr: { kind: 'AEXPR_OP', name: [{ String: { sval: '+' } }], lexpr: left, rexpr: right, location: 5 } });
const not = (arg: unknown) => ({ BoolExpr: { boolop: 'NOT_EXPR', args: [arg], location: 7 } });
const and = (...args: unknown[]) => ({ BoolExpr: { boolop: 'AND_EXPR', args, location: 9 } });

describe('walks over trees deeper than the stack', () => {
  it('walkTree visits in document order (as a recursive pre-order walk would)', () => {
    const tree = { a: [{ X: { location: 1 } }, { Y: { b: { Z: { location: 2 } } } }], c: { W: { location: 3 } } };
    const seen: string[] = [];
    walkTree(tree, (value) => {
      if (!Array.isArray(value)) seen.push(Object.keys(value).join());
    });
    expect(seen).toEqual(['a,c', 'X', 'location', 'Y', 'b', 'Z', 'location', 'W', 'location']);
  });

  it('firstLocation', () => {
    expect(firstLocation(nest(DEPTH, (inner) => plus(inner, { A_Const: { ival: { ival: 1 }, location: 40 } }), column('x', 3)))).toBe(3);
  });

  it('columnsIn', () => {
    const columns = columnsIn(nest(DEPTH, (inner) => plus(inner, column('b', 11)), column('a', 2)));
    expect(columns).toHaveLength(DEPTH + 1);
    expect(columns[0]).toEqual({ qualifier: null, name: 'a', location: 2 });
  });

  it('lowerPredicate: a NOT chain, and AND/OR nested deeper than the engine reads (opaque there)', () => {
    const isNull = { NullTest: { arg: column('deleted_at', 20), nulltesttype: 'IS_NULL', location: 30 } };
    expect(lowerPredicate(nest(DEPTH, not, isNull) as never)).toMatchObject({ kind: 'null-test', isNull: true });
    expect(lowerPredicate(nest(DEPTH + 1, not, isNull) as never)).toMatchObject({ kind: 'null-test', isNull: false });
    const deep = lowerPredicate(nest(DEPTH, (inner) => and(column('flag', 1), not(inner)), isNull) as never);
    expect(deep.kind).toBe('and');
    const kinds = new Set<string>();
    walkTree(deep, (value) => {
      const kind = (value as { kind?: string }).kind;
      if (kind) kinds.add(kind);
    });
    expect(kinds).toContain('opaque'); // what lies past the depth the engine reads
    expect(kinds).not.toContain('null-test');
  });

  it('lowering a statement: subqueries and window functions under expressions deeper than the stack', () => {
    const outcome = parseFragment(wholeFileFragment('SELECT * FROM users u WHERE EXISTS (SELECT 1 FROM orders)'));
    expect(outcome.ok).toBe(true);
    if (!outcome.ok) return;
    const statement = outcome.source.parsed.statements[0]!;
    const select = (statement.node as { SelectStmt: Record<string, unknown> }).SelectStmt;
    const exists = select.whereClause;
    // the EXISTS at the bottom of a 100,000-level `+` chain compared to a column; a window function in a deep select list
    select.whereClause = { A_Expr: { kind: 'AEXPR_OP', name: [{ String: { sval: '=' } }], lexpr: column('id', 22), rexpr: nest(DEPTH, (inner) => plus(inner, column('id', 22)), exists), location: 25 } };
    select.targetList = [{ ResTarget: { val: nest(DEPTH, (inner) => plus(inner, column('id', 7)), { FuncCall: { funcname: [{ String: { sval: 'row_number' } }], over: {}, location: 7 } }), location: 7 } }];
    const model = lowerStatement(outcome.source, 0)!;
    const query = model.reads[0]!;
    expect(query.kind).toBe('select');
    if (query.kind !== 'select') return;
    expect(query.scope.refs.map((r) => r.kind === 'table' && r.name)).toEqual(['users']);
    expect(query.scope.nonMonotone).toBe(true); // the window function was found
    const [sub] = query.scope.subqueries;
    expect(sub?.kind === 'select' && sub.scope.refs.map((r) => r.kind === 'table' && r.name)).toEqual(['orders']);
  });
});

/**
 * Statement models deeper than the lowering reads: nested subqueries, joins and set operations 5,000 levels deep
 * (a recursive lowering overflows the stack long before), built by hand (the parser would have cut them). Lowering stops at MAX_LOWERING_DEPTH with the place noted (the
 * engine turns it into the "part of this statement nests too deeply" message), so the model every later walk meets —
 * the read analysis included — is never deeper than that.
 */
describe('lowering and the read analysis past MAX_LOWERING_DEPTH', () => {
  const MODEL_DEPTH = 5000;
  /** Queries and table references of a query, counted without recursion. */
  const levelsOf = (root: Query): number => {
    let levels = 0;
    const pending: Query[] = [root];
    while (pending.length > 0) {
      const query = pending.pop()!;
      levels++;
      if (query.kind === 'set') pending.push(...query.branches);
      else if (query.kind === 'select') {
        pending.push(...query.scope.subqueries);
        for (const ref of query.scope.refs) {
          if (ref.kind === 'derived') pending.push(ref.query);
          else levels++;
        }
      } else pending.push(...query.subqueries);
    }
    return levels;
  };
  const users = (location: number) => ({ RangeVar: { relname: 'users', inh: true, relpersistence: 'p', location } });
  const select = (...from: unknown[]) => ({ SelectStmt: { targetList: [{ ResTarget: { val: { ColumnRef: { fields: [{ A_Star: {} }], location: 7 } }, location: 7 } }], fromClause: from, limitOption: 'LIMIT_OPTION_DEFAULT', op: 'SETOP_NONE' } });
  // [shape, tree, earliest location of the part left out (every level's `*` sits at 7)]
  const SHAPES: Array<[string, () => unknown, number]> = [
    ['nested FROM users, (SELECT …)', () => nest(MODEL_DEPTH, (inner) => select(users(30), { RangeSubselect: { subquery: inner, alias: { aliasname: 'x' } } }), select(users(14))), 7],
    ['a JOIN chain', () => select(nest(MODEL_DEPTH, (inner) => ({ JoinExpr: { jointype: 'JOIN_INNER', larg: inner, rarg: users(30), quals: { A_Const: { boolval: { boolval: true }, location: 40 } } } }), users(14))), 14],
    ['nested UNION', () => nest(MODEL_DEPTH, (inner) => ({ SelectStmt: { op: 'SETOP_UNION', all: true, larg: (inner as { SelectStmt: unknown }).SelectStmt, rarg: (select(users(30)) as { SelectStmt: unknown }).SelectStmt, limitOption: 'LIMIT_OPTION_DEFAULT' } }), select(users(14))), 7],
  ];
  it.each(SHAPES)('%s: lowered to the depth the engine reads, the place left out noted, the analysis runs', (_, build, at) => {
    const sql = 'SELECT * FROM users';
    const outcome = parseFragment(wholeFileFragment(sql));
    expect(outcome.ok).toBe(true);
    if (!outcome.ok) return;
    outcome.source.parsed.statements[0]!.node = build() as never;
    const model = lowerStatement(outcome.source, 0)!;
    expect(model.tooDeepAt).toBe(at); // where the part left out starts
    expect(model.reads).toHaveLength(1);
    // the levels within reach were lowered, and no more: the model every later walk meets is bounded
    const levels = levelsOf(model.reads[0]!);
    expect(levels).toBeGreaterThan(MAX_LOWERING_DEPTH / 2);
    expect(levels).toBeLessThanOrEqual(2 * MAX_LOWERING_DEPTH + 2);
    const analyzer = new ReadAnalyzer({ schema: schemaFromSql(SCHEMA), settings: normalizeSettings({}) });
    const findings = model.reads.flatMap((q) => analyzer.checkQuery(q));
    expect(findings.length).toBeGreaterThan(0);
  });
});
