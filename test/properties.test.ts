/**
 * Property-based: generated SQL in generated hosts (.sql files, tagged templates with interpolations and escapes,
 * string arguments) and generated schema histories. For every input: no rule throws (the catch-alls rethrow here),
 * no input costs more than a generous CPU budget, every soft-delete report lies on a table name, and every
 * suggestion leaves SQL that still parses. Fixed seed, modest number of runs; `npm run fuzz` runs many more.
 */
import fc from 'fast-check';
import { Linter } from 'eslint';
import tsParser from '@typescript-eslint/parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import plugin from '../src/index.js';
import { schemaFromSql } from '../src/schema/apply.js';
import { SEED_SETTINGS } from './helpers/rule-tester.js';

const RUNS = Number(process.env.SOFT_DELETE_FUZZ_RUNS ?? 60);
const SEED = Number(process.env.SOFT_DELETE_FUZZ_SEED ?? 20261129);
/** CPU milliseconds one input may cost (a lint takes milliseconds; the point is catching blow-ups, not timing). */
const CPU_BUDGET_MS = 3000;
/** Per-property timeout: ten minutes for the suite in npm test, none to speak of for a long `npm run fuzz`. */
const LONG_TIMEOUT = RUNS > 1000 ? 24 * 3_600_000 : 600_000;

beforeAll(() => {
  process.env.SOFT_DELETE_STRICT = '1';
});
afterAll(() => {
  delete process.env.SOFT_DELETE_STRICT;
});

// ---------------------------------------------------------------------------------------------------------------
// SQL

/** Soft-deletable in the seed schema: users, organizations (deleted_at), memberships (valid_to). orders is not. */
const TABLES = ['users', 'organizations', 'orders', 'memberships'] as const;
const FILTER: Record<(typeof TABLES)[number], string> = {
  users: 'deleted_at IS NULL',
  organizations: 'deleted_at IS NULL',
  orders: 'total > 0',
  memberships: 'valid_to IS NULL',
};

/** An interpolation: `${v}` in a template, `$9` elsewhere. */
const HOLE = '\u0001';

interface Sql {
  text: string;
  /** How each table name is written in `text` (the report must cover exactly one of these). */
  names: string[];
}

const join = (...parts: Sql[]): Sql => ({ text: parts.map((p) => p.text).join(''), names: parts.flatMap((p) => p.names) });
const lit = (text: string): Sql => ({ text, names: [] });

const space = fc.constantFrom(' ', ' ', ' ', '\n', '\r\n', '  ', '\n  ', ' /* note */ ', ' -- it\'s a comment\n', '\t');
const value = fc.constantFrom('1', '$1', HOLE, "'it''s'", "E'\\\\d+'", "'a\\b'", 'now()', "'{}'::jsonb", 'NULL');

const tableRef = (quoted: boolean) =>
  fc
    .record({
      table: fc.constantFrom(...TABLES),
      qualified: fc.boolean(),
      quote: fc.boolean(),
      alias: fc.option(fc.constantFrom('t', 'u', 'x1', 'o'), { nil: undefined }),
    })
    .map(({ table, qualified, quote, alias }) => {
      const name = (qualified ? 'public.' : '') + (quote && quoted ? `"${table}"` : table);
      return { table, alias, sql: { text: name + (alias ? ` ${alias}` : ''), names: [name] } };
    });

function sqlArbitrary(quoted: boolean): fc.Arbitrary<Sql> {
  const { query } = fc.letrec<{ query: Sql; predicate: Sql }>((tie) => ({
    predicate: fc.oneof(
      { depthSize: 'small', maxDepth: 2, withCrossShrink: true },
      fc.constantFrom('true', 'id = $1').map(lit),
      fc.tuple(fc.constantFrom('deleted_at IS NULL', 'deleted_at IS NOT NULL', 'valid_to IS NULL', 'id = 1', 'deleted_at = NULL'), value).map(([p, v]) =>
        lit(p.replace(/1$/, v)),
      ),
      fc.tuple(tie('predicate'), fc.constantFrom(' AND ', ' OR '), space, tie('predicate')).map(([a, op, s, b]) =>
        join(lit('('), a, lit(op.trimEnd()), lit(s), b, lit(')')),
      ),
      fc.tuple(tie('query')).map(([q]) => join(lit('EXISTS ('), q, lit(')'))),
      fc.tuple(tie('query')).map(([q]) => join(lit('id IN ('), q, lit(')'))),
    ),
    query: fc.oneof(
      { depthSize: 'small', maxDepth: 2, withCrossShrink: true },
      fc
        .tuple(
          fc.constantFrom('*', 'id', 'count(*)', "id, 'x' AS y"),
          space,
          tableRef(quoted),
          fc.array(fc.tuple(fc.constantFrom(' JOIN ', ' LEFT JOIN ', '\nINNER JOIN '), tableRef(quoted), tie('predicate')), { maxLength: 1 }),
          fc.option(tie('predicate'), { nil: undefined }),
          space,
        )
        .map(([targets, s, from, joins, where, s2]) =>
          join(
            lit(`SELECT ${targets}${s}FROM `),
            from.sql,
            ...joins.map(([kind, ref, on]) => join(lit(kind), ref.sql, lit(' ON '), on)),
            where ? join(lit(`${s2}WHERE `), where) : lit(''),
          ),
        ),
      fc.tuple(tie('query'), space, tie('query')).map(([a, s, b]) => join(lit('('), a, lit(`)${s}UNION ALL${s}(`), b, lit(')'))),
      fc.tuple(tie('query')).map(([q]) => join(lit('WITH c AS ('), q, lit(') SELECT * FROM c'))),
    ),
  }));
  return query;
}

// ---------------------------------------------------------------------------------------------------------------
// Hosts

type HostKind = 'sql-file' | 'template' | 'string';

interface Host {
  kind: HostKind;
  filename: string;
  code: string;
  names: string[];
}

/** Writes `text` into a template literal: escapes what must be, and sometimes what may be (`\n`, `\t`, `\x41`). */
function templateBody(text: string, escapeMore: boolean): string {
  let out = '';
  for (const [k, c] of [...text].entries()) {
    if (c === HOLE) out += '${value}';
    else if (c === '\\') out += '\\\\';
    else if (c === '`') out += '\\`';
    else if (c === '$' && text[k + 1] === '{') out += '\\$';
    else if (escapeMore && c === '\n') out += '\\n';
    else if (escapeMore && c === '\t') out += '\\t';
    else if (escapeMore && c === 'A') out += '\\x41';
    else out += c;
  }
  return out;
}

function hostArbitrary(): fc.Arbitrary<Host> {
  return fc.oneof(
    sqlArbitrary(true).map((sql): Host => ({ kind: 'sql-file', filename: 'q.sql', code: `${sql.text.split(HOLE).join('$9')};\n`, names: sql.names })),
    fc.tuple(sqlArbitrary(true), fc.boolean(), fc.constantFrom('sql', 'db.sql', 'SQL')).map(
      ([sql, escapeMore, tag]): Host => ({
        kind: 'template',
        filename: 'q.ts',
        code: `declare const ${tag.split('.')[0]}: any;\ndeclare const value: number;\nexport const rows = await ${tag}\`${templateBody(sql.text, escapeMore)}\`;\n`,
        names: sql.names,
      }),
    ),
    // An invalid escape (`\1`, as in a regexp_replace back-reference) leaves the template without a cooked value:
    // the SQL is the raw text, CRLF read as LF, and every position must still be exact.
    fc.tuple(sqlArbitrary(true), fc.constantFrom('\\1', '\\8', '\\x', '\\u{zz}')).map(
      ([sql, invalid]): Host => ({
        kind: 'template',
        filename: 'q.ts',
        code: `declare const sql: any;\ndeclare const value: number;\nexport const rows = await sql\`/* ${invalid} */ ${templateBody(sql.text, false)}\`;\n`,
        names: sql.names,
      }),
    ),
    sqlArbitrary(false).map(
      (sql): Host => ({
        kind: 'string',
        filename: 'q.ts',
        code: `declare const pool: any;\nexport const rows = await pool.query(${JSON.stringify(sql.text.split(HOLE).join('$9'))}, [1]);\n`,
        names: sql.names,
      }),
    ),
  );
}

// ---------------------------------------------------------------------------------------------------------------
// Checks

const CONFIG = [
  { files: ['**/*.ts'], languageOptions: { parser: tsParser } },
  ...plugin.configs.recommended,
  { settings: SEED_SETTINGS },
  { rules: { 'soft-delete/require-soft-delete-filter': ['error', { reportParseErrors: true }] } },
] as Linter.Config[];

function lint(code: string, filename: string): Linter.LintMessage[] {
  return new Linter({ configType: 'flat' }).verify(code, CONFIG, filename);
}

function cpu<T>(run: () => T): { result: T; ms: number } {
  const before = process.cpuUsage();
  const result = run();
  const used = process.cpuUsage(before);
  return { result, ms: (used.user + used.system) / 1000 };
}

function lineStarts(code: string): number[] {
  const starts = [0];
  for (let i = 0; i < code.length; i++) {
    if (code[i] === '\r' && code[i + 1] === '\n') continue;
    if (code[i] === '\n' || code[i] === '\r' || code[i] === '\u2028' || code[i] === '\u2029') starts.push(i + 1);
  }
  return starts;
}

const indexOf = (starts: number[], line: number, column: number): number => starts[line - 1]! + column - 1;

/** What the runs checked, so a generator that stops producing reports or suggestions is noticed. */
const seen = { reports: 0, suggestions: 0 };

function checkHost(host: Host): void {
  const { result: messages, ms } = cpu(() => lint(host.code, host.filename));
  expect(ms, 'CPU budget').toBeLessThan(CPU_BUDGET_MS);
  expect(messages.filter((m) => m.fatal || m.messageId === 'parseError' || m.messageId === 'notChecked')).toEqual([]);
  const starts = lineStarts(host.code);
  let suggestionsLeft = 2; // re-linting after every suggestion of a big query would cost more than it finds
  for (const m of messages.filter((x) => x.ruleId === 'soft-delete/require-soft-delete-filter')) {
    seen.reports++;
    const start = indexOf(starts, m.line, m.column);
    const end = indexOf(starts, m.endLine!, m.endColumn!);
    expect(host.names, `report ${m.messageId} on ${JSON.stringify(host.code.slice(start, end))}`).toContain(host.code.slice(start, end));
    for (const suggestion of m.suggestions ?? []) {
      if (suggestionsLeft-- <= 0) break;
      seen.suggestions++;
      const [from, to] = suggestion.fix.range;
      const fixed = host.code.slice(0, from) + suggestion.fix.text + host.code.slice(to);
      const after = lint(fixed, host.filename);
      expect(after.filter((x) => x.fatal || x.messageId === 'parseError'), `after "${suggestion.desc}":\n${fixed}`).toEqual([]);
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Schema histories

type Step =
  | { op: 'create'; table: string; soft: boolean }
  | { op: 'add'; table: string }
  | { op: 'drop-column'; table: string }
  | { op: 'rename'; table: string; to: string }
  | { op: 'unique'; table: string; partial: boolean }
  | { op: 'drop'; table: string };

const historyArbitrary = fc.array(
  fc.oneof(
    fc.record({ op: fc.constant('create' as const), table: fc.constantFrom('a', 'b', 'c'), soft: fc.boolean() }),
    fc.record({ op: fc.constant('add' as const), table: fc.constantFrom('a', 'b', 'c') }),
    fc.record({ op: fc.constant('drop-column' as const), table: fc.constantFrom('a', 'b', 'c') }),
    fc.record({ op: fc.constant('rename' as const), table: fc.constantFrom('a', 'b', 'c'), to: fc.constantFrom('a', 'b', 'c', 'd') }),
    fc.record({ op: fc.constant('unique' as const), table: fc.constantFrom('a', 'b', 'c'), partial: fc.boolean() }),
    fc.record({ op: fc.constant('drop' as const), table: fc.constantFrom('a', 'b', 'c', 'd') }),
  ),
  { maxLength: 12 },
);

/** The history as SQL (IF EXISTS / IF NOT EXISTS keep every statement valid) and the soft-delete tables at its end. */
function replay(steps: Step[]): { sql: string; soft: Map<string, boolean> } {
  const tables = new Map<string, boolean>();
  const lines: string[] = [];
  for (const s of steps) {
    switch (s.op) {
      case 'create':
        lines.push(`CREATE TABLE IF NOT EXISTS ${s.table} (id int, email text${s.soft ? ', deleted_at timestamptz' : ''});`);
        if (!tables.has(s.table)) tables.set(s.table, s.soft);
        break;
      case 'add':
        lines.push(`ALTER TABLE IF EXISTS ${s.table} ADD COLUMN IF NOT EXISTS deleted_at timestamptz;`);
        if (tables.has(s.table)) tables.set(s.table, true);
        break;
      case 'drop-column':
        lines.push(`ALTER TABLE IF EXISTS ${s.table} DROP COLUMN IF EXISTS deleted_at;`);
        if (tables.has(s.table)) tables.set(s.table, false);
        break;
      case 'rename':
        if (!tables.has(s.table) || tables.has(s.to)) continue;
        lines.push(`ALTER TABLE ${s.table} RENAME TO ${s.to};`);
        tables.set(s.to, tables.get(s.table)!);
        tables.delete(s.table);
        break;
      case 'unique':
        if (!tables.has(s.table)) continue;
        lines.push(`CREATE UNIQUE INDEX ON ${s.table} (email)${s.partial && tables.get(s.table) ? ' WHERE deleted_at IS NULL' : ''};`);
        break;
      case 'drop':
        lines.push(`DROP TABLE IF EXISTS ${s.table};`);
        tables.delete(s.table);
        break;
    }
  }
  return { sql: lines.join('\n'), soft: tables };
}

// ---------------------------------------------------------------------------------------------------------------

describe('properties', () => {
  const params = { numRuns: RUNS, seed: SEED, endOnFailure: true };

  it('SQL in any host: no throw, within budget, reports on table names, suggestions that parse', () => {
    fc.assert(fc.property(hostArbitrary(), (host) => checkHost(host)), params);
    expect(seen.reports).toBeGreaterThan(RUNS / 2);
    expect(seen.suggestions).toBeGreaterThan(RUNS / 4);
  }, LONG_TIMEOUT);

  it('schema histories: applied without problems, and the end state is what the history says', () => {
    fc.assert(
      fc.property(historyArbitrary, (steps) => {
        const { sql, soft } = replay(steps);
        const { result: model, ms } = cpu(() => schemaFromSql(sql, 'm.sql'));
        expect(ms, 'CPU budget').toBeLessThan(CPU_BUDGET_MS);
        expect(model.problems).toEqual([]);
        const actual = new Map([...model.relations.values()].map((r) => [r.name, r.columns.includes('deleted_at')]));
        expect(actual).toEqual(soft);
        // and the same history linted as a .sql file: the rules run to the end
        const messages = lint(`${sql}\n`, 'history.sql');
        expect(messages.filter((m) => m.fatal)).toEqual([]);
      }),
      params,
    );
  }, LONG_TIMEOUT);
});
