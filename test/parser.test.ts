import { describe, expect, it } from 'vitest';
import { byteOffsetMapper, parseSql, tokenize } from '../src/sql/parser.js';
import { decodeStringLiteral } from '../src/sql/literal.js';
import { TokenLayout, onClauseSpan, scopeLayout } from '../src/sql/layout.js';
import { fieldsOf } from '../src/sql/ast.js';
import { fragmentFromSegments, nestedFragment, wholeFileFragment } from '../src/sql/fragment.js';
import { parseFragment, sourceFromFragmentString } from '../src/sql/source.js';
import { normalizeSqlFile } from '../src/sql/sql-file.js';

function rangeVarLocations(node: unknown): number[] {
  const found: number[] = [];
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) return value.forEach(visit);
    if (!value || typeof value !== 'object') return;
    const rv = fieldsOf(value, 'RangeVar');
    if (rv) found.push(rv.location as number);
    for (const child of Object.values(value)) visit(child);
  };
  visit(node);
  return found;
}

describe('libpg-query adapter: offsets are string indices', () => {
  it.each([
    ["SELECT 'plain' AS n FROM users"],
    ["SELECT 'Müller' AS n FROM users"],
    ["SELECT '日本語のテキスト' AS n FROM users"],
    ["SELECT '😀 emoji, outside the BMP' AS n FROM users"],
    ["/* ünïcödé comment */ SELECT 'é' FROM users"],
  ])('table location after %s', (sql) => {
    const outcome = parseSql(sql);
    expect(outcome.ok).toBe(true);
    if (!outcome.ok) return;
    expect(rangeVarLocations(outcome.parsed.statements[0]!.node)).toEqual([sql.indexOf('users')]);
    const token = outcome.parsed.tokens.find((t) => t.text === 'users');
    expect(token).toMatchObject({ start: sql.indexOf('users'), end: sql.indexOf('users') + 5, kind: 'ident' });
  });

  it('maps UTF-8 byte offsets for 1- to 4-byte characters', () => {
    const text = 'aé日😀b';
    const toIndex = byteOffsetMapper(text);
    // bytes: a(1) é(2) 日(3) 😀(4) b(1)
    expect([0, 1, 3, 6, 10, 11].map(toIndex)).toEqual([0, 1, 2, 3, 5, 6]);
  });

  it('statement spans in a multi-statement text, after non-ASCII text', () => {
    const sql = "SELECT 'ü';\n  SELECT * FROM users ;";
    const outcome = parseSql(sql);
    if (!outcome.ok) throw new Error(outcome.error.message);
    expect(outcome.parsed.statements.map((s) => sql.slice(s.start, s.end).trim())).toEqual(["SELECT 'ü'", 'SELECT * FROM users']);
  });

  it('a syntax error is a value, not an exception, with a string index after non-ASCII text', () => {
    const sql = "SELECT 'ä😀' FROMM users";
    const outcome = parseSql(sql);
    expect(outcome.ok).toBe(false);
    if (outcome.ok) return;
    expect(outcome.error.message).toMatch(/syntax error at or near "users"/);
    expect(sql.slice(outcome.error.index, outcome.error.index + 5)).toBe('users');
    expect(parseSql('').ok).toBe(false);
  });

  it('tokens classify comments, strings, params, keywords', () => {
    const kinds = tokenize("SELECT $1, 'x', \"Q\" -- c\n/* b */ FROM t").map((t) => `${t.kind}:${t.text}`);
    expect(kinds).toEqual(['keyword:SELECT', 'param:$1', 'punct:,', "string:'x'", 'punct:,', 'ident:"Q"', 'comment:-- c', 'comment:/* b */', 'keyword:FROM', 'ident:t']);
  });
});

describe('string literals nested in SQL', () => {
  it.each([
    ["'SELECT ''a'' FROM users'", "SELECT 'a' FROM users"],
    ["E'SELECT\\n\\'a\\' FROM users'", "SELECT\n'a' FROM users"],
    ['$$ SELECT 1 FROM users $$', ' SELECT 1 FROM users '],
    ['$q$ SELECT $$x$$ FROM users $q$', ' SELECT $$x$$ FROM users '],
  ])('%s', (token, value) => {
    const decoded = decodeStringLiteral(token)!;
    expect(decoded.value).toBe(value);
    const at = value.indexOf('users');
    expect(token.slice(decoded.offsets[at]!, decoded.offsets[at]! + 5)).toBe('users');
  });

  it('a nested source maps through two levels back to the file, and escapes inserted text', () => {
    const file = "await db.query(`SELECT pgtrickle.create_stream_table('x', 'SELECT * FROM users WHERE a = ''b''')`);";
    const start = file.indexOf('SELECT');
    const outer = fragmentFromSegments([{ text: file.slice(start, file.lastIndexOf('`')), sourceStart: start, verbatim: true }], 'tagged-template');
    const parsed = parseFragment(outer);
    if (!parsed.ok) throw new Error('parse');
    const literal = outer.text.indexOf("'SELECT");
    const inner = sourceFromFragmentString(parsed.source, literal);
    if (!inner?.ok) throw new Error('inner');
    const at = inner.source.fragment.text.indexOf('users');
    expect(file.slice(inner.source.fragment.toSource(at), inner.source.fragment.toSource(at) + 5)).toBe('users');
    expect(inner.source.fragment.escape?.("x = 'y'")).toBe("x = ''y''");
  });

  it('nestedFragment composes maps and opaque markers', () => {
    const outer = { ...wholeFileFragment('0123456789'), opaque: new Set([4]) };
    const inner = nestedFragment(outer, 'abc', (i) => i + 3);
    expect([0, 1, 2].map(inner.toSource)).toEqual([3, 4, 5]);
    expect([...inner.opaque]).toEqual([1]);
  });
});

describe('token layout', () => {
  const layoutOf = (sql: string) => new TokenLayout(tokenize(sql));

  it('finds where WHERE ends, across subqueries and parentheses', () => {
    const sql = 'SELECT count(*) FROM t WHERE a IN (SELECT b FROM u WHERE c) AND d ORDER BY 1';
    const layout = layoutOf(sql);
    const scope = scopeLayout(layout, 0);
    expect(sql.slice(scope.where!.exprStart, scope.where!.exprEnd)).toBe('a IN (SELECT b FROM u WHERE c) AND d');
  });

  it('places a new WHERE before GROUP BY but not inside WITHIN GROUP', () => {
    const sql = 'SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY x) FROM t GROUP BY y';
    const scope = scopeLayout(layoutOf(sql), 0);
    expect(scope.where).toBeNull();
    expect(sql.slice(0, scope.newWhereAt!)).toBe('SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY x) FROM t');
  });

  it('finds the ON clause of a join from its condition', () => {
    const sql = 'SELECT * FROM a LEFT JOIN b ON (b.id = a.id) JOIN c ON c.x = b.x WHERE true';
    const on = onClauseSpan(layoutOf(sql), sql.indexOf('c.x'));
    expect(sql.slice(on!.exprStart, on!.exprEnd)).toBe('c.x = b.x');
  });
});

describe('.sql files with driver placeholders and psql variables', () => {
  it.each([
    ['SELECT * FROM t WHERE a = ${a} AND b = $(b) AND c = $<c> AND d = $[d] AND e = $/e/'],
    ["SELECT * FROM t WHERE a = :a AND b = :'b' AND c = :\"c\""],
    ['SELECT * FROM ${table~} WHERE x = ${x:raw}'],
  ])('keeps every offset and parses: %s', (sql) => {
    const { text, opaque } = normalizeSqlFile(sql);
    expect(text).toHaveLength(sql.length);
    expect(parseSql(text).ok).toBe(true);
    expect(text.indexOf('WHERE')).toBe(sql.indexOf('WHERE'));
    expect(opaque.size).toBeGreaterThan(0);
  });

  it('leaves strings, comments, dollar quotes, casts and array slices alone', () => {
    const sql = "SELECT '${a}', $$ :b $$, x::text, arr[1:2] -- ${c}\nFROM t /* :d */ WHERE y = :e";
    const { text } = normalizeSqlFile(sql);
    expect(text.slice(0, text.indexOf('WHERE'))).toBe(sql.slice(0, sql.indexOf('WHERE')));
    expect(text.endsWith('y = $1')).toBe(true);
  });

  it('blanks psql meta-commands', () => {
    const sql = "\\set ON_ERROR_STOP on\nSELECT 1;";
    const { text } = normalizeSqlFile(sql);
    expect(text).toBe(`${' '.repeat(21)}\nSELECT 1;`);
  });
});
