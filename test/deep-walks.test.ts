/**
 * The walks over parsed trees do not recurse per level: each one here is given a tree far deeper than the JavaScript
 * stack allows a recursive walk (100,000 levels; a recursive walk overflows at ~10,000), built by hand — the parser
 * module never hands the engine a tree deeper than MAX_TREE_DEPTH (its cut is tested in hostile-input.test.ts), so
 * these are the walks' own guarantees, not the parser's.
 */
import { describe, expect, it } from 'vitest';
import { firstLocation, walkTree } from '../src/sql/ast.js';
import { columnsIn, lowerPredicate } from '../src/sql/predicate.js';
import { lowerStatement } from '../src/sql/lower.js';
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
