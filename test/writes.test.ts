/** Writes in the statement model: targets, the predicate selecting the rows, SET columns and RETURNING. */
import { describe, expect, it } from 'vitest';
import { lowerFragments } from '../src/engine.js';
import { wholeFileFragment } from '../src/sql/fragment.js';
import { conjuncts } from '../src/sql/predicate.js';

function writesOf(sql: string) {
  const { statements, parseErrors } = lowerFragments([wholeFileFragment(sql)]);
  if (parseErrors.length) throw new Error(parseErrors[0]!.error.message);
  return statements.flatMap((s) => s.writes);
}

describe('writes in the statement model', () => {
  it('DELETE: target, alias, WHERE predicate, USING items, RETURNING, span', () => {
    const sql = 'DELETE FROM ONLY public.users AS u USING orgs o WHERE u.org_id = o.id AND o.deleted_at IS NOT NULL RETURNING u.id, u.email AS mail';
    const [w] = writesOf(sql);
    expect(w).toMatchObject({ kind: 'delete', only: true, currentOf: false, target: { schema: 'public', name: 'users', alias: 'u', exposed: 'u' } });
    expect(sql.slice(w!.target.span.start, w!.target.span.end)).toBe('public.users');
    expect(conjuncts(w!.where).map((p) => p.kind)).toEqual(['column-eq', 'null-test']);
    expect(w!.scope?.refs.map((r) => (r.kind === 'table' ? r.name : r.kind))).toEqual(['orgs']);
    expect(w!.returning.map((r) => r.name)).toEqual(['id', 'mail']);
    expect(w!.span).toEqual({ start: 0, end: sql.length });
    expect(w!.scope?.layout?.where).not.toBeNull();
  });

  it('UPDATE: the columns set and the kind of value', () => {
    const [w] = writesOf("UPDATE users SET deleted_at = now(), email = NULL, plan = DEFAULT WHERE id = $1");
    expect(w!.kind).toBe('update');
    expect(w!.sets.map((s) => [s.column, s.value])).toEqual([
      ['deleted_at', 'expression'],
      ['email', 'null'],
      ['plan', 'default'],
    ]);
    expect(conjuncts(w!.where)).toHaveLength(1);
  });

  it('no WHERE, WHERE CURRENT OF, INSERT', () => {
    const [all] = writesOf('DELETE FROM users');
    expect(all!.where).toEqual({ kind: 'const', value: true });
    expect(all!.scope?.layout?.newWhereAt).toBe('DELETE FROM users'.length);
    expect(writesOf('DELETE FROM users WHERE CURRENT OF c')[0]!.currentOf).toBe(true);
    const [insert] = writesOf("INSERT INTO users (email) VALUES ('a') RETURNING id");
    expect(insert).toMatchObject({ kind: 'insert', target: { name: 'users' }, sets: [] });
    expect(insert!.returning.map((r) => r.name)).toEqual(['id']);
  });

  it('writes inside CTEs, outermost first, each with its own span', () => {
    const sql = 'WITH gone AS (DELETE FROM sessions WHERE user_id = $1 RETURNING id) UPDATE users SET deleted_at = now() WHERE id = $1';
    const writes = writesOf(sql);
    expect(writes.map((w) => [w.kind, w.target.name])).toEqual([
      ['update', 'users'],
      ['delete', 'sessions'],
    ]);
    const inner = writes[1]!;
    expect(sql.slice(inner.span!.start, inner.span!.end)).toBe('DELETE FROM sessions WHERE user_id = $1 RETURNING id');
    expect(writesOf('WITH d AS (DELETE FROM users RETURNING *) SELECT count(*) FROM d').map((w) => w.kind)).toEqual(['delete']);
  });

  it('reads are unchanged: the FROM / USING items of a write are still checked as reads', () => {
    const { statements } = lowerFragments([wholeFileFragment('DELETE FROM orders USING users u WHERE orders.user_id = u.id')]);
    const query = statements[0]!.reads[0]!;
    expect(query.kind === 'select' && query.scope.refs.map((r) => r.kind === 'table' && r.name)).toEqual(['users']);
  });
});
