/**
 * Hostile, huge and odd input: deep statements, NUL bytes, binary files. Nothing may throw (the catch-alls rethrow
 * here, SOFT_DELETE_STRICT=1), nothing may vanish silently, and one bad statement never costs its neighbours.
 */
import { Linter } from 'eslint';
import tsParser from '@typescript-eslint/parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import plugin from '../src/index.js';
import { parseSql } from '../src/sql/parser.js';
import { schemaFromSql } from '../src/schema/apply.js';
import { SEED_SETTINGS } from './helpers/rule-tester.js';

beforeAll(() => {
  process.env.SOFT_DELETE_STRICT = '1';
});
afterAll(() => {
  delete process.env.SOFT_DELETE_STRICT;
});

function lint(code: string, filename: string) {
  const linter = new Linter({ configType: 'flat' });
  const config = [
    { files: ['**/*.ts'], languageOptions: { parser: tsParser } },
    ...plugin.configs.recommended,
    { settings: SEED_SETTINGS },
  ];
  return linter.verify(code, config as Linter.Config[], filename);
}

const chain = (n: number, first: string, link: string) => first + link.repeat(n);
const nest = (n: number, wrap: (inner: string) => string, core: string) => {
  let s = core;
  for (let i = 0; i < n; i++) s = wrap(s);
  return s;
};

/** Still out of reach: a WITH over a set-operation chain too long to parse whole is neither split nor masked. */
const TOO_DEEP_WITH = `WITH c AS (SELECT 1) ${Array.from({ length: 5000 }, () => 'SELECT id FROM users').join(' UNION ALL ')}`;

/**
 * Deep shapes too deep to hand to the parser whole (it is never given text that could overflow its stack). `part`:
 * what nests deepest is masked and the rest analysed, with one message where the part left out starts; `whole`: no
 * mask brings it within reach, one "not checked" message for the statement (before, every shape here was `whole`; the
 * JOIN chain and the nested CASE until a leading run of joins and a CASE … END could be masked).
 */
const DEEP: Array<[string, string, 'part' | 'whole']> = [
  ['4,000 `+` terms', chain(4000, 'SELECT 1', ' + 1'), 'part'],
  ['30,000 `+` terms (would overflow the WASM stack)', chain(30000, 'SELECT 1', ' + 1'), 'part'],
  ['12,000 JOINs with AND in ON', 'SELECT 1 FROM users u' + ' JOIN orders o ON true AND true'.repeat(12000), 'part'],
  ['1,000 nested FROM (SELECT …)', nest(1000, (s) => `SELECT * FROM (${s}) x`, 'SELECT * FROM users'), 'part'],
  ['1,000 nested EXISTS', nest(1000, (s) => `SELECT 1 FROM users WHERE EXISTS (${s})`, 'SELECT 1'), 'part'],
  ['12,000 parentheses', `SELECT ${'('.repeat(12000)}1${')'.repeat(12000)} FROM users`, 'part'],
  ['12,000 NOTs', `SELECT 1 FROM users WHERE ${'NOT '.repeat(12000)}true`, 'part'],
  ['1,500 nested CASE', `SELECT ${'CASE WHEN true THEN '.repeat(1500)}1${' END'.repeat(1500)} FROM users`, 'part'],
  ['5,000 UNION ALL branches under a WITH', TOO_DEEP_WITH, 'whole'],
  ['3,000 nested function calls', `SELECT ${'f('.repeat(3000)}1${')'.repeat(3000)} FROM users`, 'part'],
  ['5,000 casts', `SELECT 1${'::int'.repeat(5000)} FROM users`, 'part'],
];

describe('deep statements', () => {
  it.each(DEEP)('%s: parses to one positioned "not analysed" entry, and the parser keeps working', (_, sql, kind) => {
    const text = `SELECT 1;\n${sql};\nSELECT * FROM users`;
    const outcome = parseSql(text);
    expect(outcome.ok).toBe(true);
    if (!outcome.ok) return;
    const start = text.indexOf('\n') + 1;
    expect(outcome.parsed.statements.map((s) => s.start)).toEqual(kind === 'part' ? [0, start, start + sql.length + 2] : [0, start + sql.length + 2]);
    expect(outcome.parsed.skipped).toHaveLength(1);
    const [skipped] = outcome.parsed.skipped!;
    if (kind === 'whole') expect(skipped!.index).toBe(start);
    else expect(skipped!.index).toBeGreaterThan(start);
    expect(skipped!.index).toBeLessThan(start + sql.length);
    expect(skipped!.message).toMatch(kind === 'part' ? /^part of this statement nests too deeply to analyse/ : /^this statement nests too deeply to analyse/);
    // libpg-query shares the JavaScript stack: an overflow inside it would break every later parse.
    expect(parseSql('SELECT * FROM users WHERE id = 1').ok).toBe(true);
  });

  it.each(DEEP)('%s in a .sql file: one message on its line, the next statement still checked', (_, sql, kind) => {
    const messages = lint(`SELECT 1;\n${sql};\nSELECT * FROM users;\n`, 'q.sql');
    expect(messages.filter((m) => m.fatal)).toEqual([]);
    const notChecked = messages.filter((m) => m.messageId === 'notChecked');
    expect(notChecked.map((m) => m.line)).toEqual([2]);
    if (kind === 'whole') expect(notChecked[0]!.column).toBe(1);
    const missing = messages.filter((m) => m.messageId === 'missing').map((m) => m.line);
    // analysed partly: the tables within reach on line 2 are checked too
    expect(kind === 'part' ? missing.filter((line) => line !== 2) : missing).toEqual([3]);
  });

  it('in a TS template: reported where the statement starts', () => {
    const sql = TOO_DEEP_WITH;
    const messages = lint(`const rows = await sql\`\n  ${sql}\`;\nawait sql\`SELECT * FROM users\`;\n`, 'q.ts');
    expect(messages.filter((m) => m.fatal)).toEqual([]);
    expect(messages.filter((m) => m.messageId === 'notChecked').map((m) => [m.line, m.column])).toEqual([[2, 3]]);
    expect(messages.filter((m) => m.messageId === 'missing').map((m) => m.line)).toEqual([3]);
  });

  // The branches of a chain of one set operation are read independently: a chain too deep to read whole is parsed
  // and checked a hundred branches at a time (before, the whole statement was one "not checked" message; for
  // INTERSECT and EXCEPT chains until this test's cases were added).
  const UNION_CHAINS: Array<[string, number, string]> = [
    ['8,000 UNION ALL branches', 8000, ' UNION ALL '],
    ['1,600 UNION branches', 1600, '\nUNION\n'],
    ['1,600 INTERSECT branches', 1600, ' INTERSECT '],
    ['1,650 EXCEPT ALL branches', 1650, '\nEXCEPT ALL\n'],
  ];
  it.each(UNION_CHAINS)('%s: every branch checked, piece by piece, at its own place', (_, n, link) => {
    const branches = Array.from({ length: n }, (_, i) => (i % 2 ? 'SELECT id FROM users WHERE deleted_at IS NULL' : `SELECT id FROM users WHERE id = ${i}`));
    const code = `SELECT 1;\n${branches.join(link)};\nSELECT * FROM users;\n`;
    const messages = lint(code, 'q.sql');
    expect(messages.filter((m) => m.fatal || m.messageId === 'notChecked')).toEqual([]);
    const missing = messages.filter((m) => m.messageId === 'missing');
    expect(missing).toHaveLength(n / 2 + 1);
    const lines = code.split('\n');
    for (const m of missing) expect(lines[m.line - 1]!.slice(m.column - 1, m.endColumn! - 1)).toBe('users');
  });

  it('in a UNION chain, only the part of a piece that is still too deep is left unchecked, and said so', () => {
    const branches = Array.from({ length: 400 }, () => 'SELECT id FROM users');
    branches[250] = `SELECT 1${' + 1'.repeat(30000)}`;
    const code = `${branches.join('\nUNION ALL\n')};\n`;
    const messages = lint(code, 'q.sql');
    expect(messages.filter((m) => m.fatal)).toEqual([]);
    // Branches 200–299 are one piece, too deep to parse whole: the `+` chain of branch 250 (line 501, each branch and
    // each UNION ALL on its own line) is masked and the piece's other branches checked (before, the whole piece was
    // one "not checked" message on line 401).
    expect(messages.filter((m) => m.messageId === 'notChecked').map((m) => [m.line, m.column])).toEqual([[501, 8]]);
    expect(messages.filter((m) => m.messageId === 'missing')).toHaveLength(399);
  });

  // Parsed, but deeper than the engine reads: what lies within reach is checked, and one message says where the part
  // left out starts (before, the whole statement was one "not checked" message).
  const notChecked = (messages: Linter.LintMessage[]) => messages.filter((m) => m.messageId === 'notChecked');
  const onNames = (code: string, messages: Linter.LintMessage[], names: string[]) => {
    const lines = code.split('\n');
    for (const m of messages) expect(names).toContain(lines[m.line - 1]!.slice(m.column - 1, m.endColumn! - 1));
  };

  it('4,000 `+` terms: masked, and the tables around them checked', () => {
    const code = `SELECT 1;\nSELECT ${chain(4000, '1', ' + 1')}, u.id\nFROM users u JOIN organizations o ON o.id = u.org_id;\n`;
    for (const [host, filename] of [[code, 'q.sql'], [`const q = sql\`${code}\`;\n`, 'q.ts']] as const) {
      const messages = lint(host, filename);
      expect(notChecked(messages).map((m) => [m.line, m.column])).toEqual([[2, 8]]);
      const missing = messages.filter((m) => m.messageId === 'missing');
      onNames(host, missing, ['organizations', 'users']);
      expect(missing.map((m) => m.line)).toEqual([3, 3]);
    }
  });

  it('a table read in a masked expression is not reported, and a filter around it still counts', () => {
    const code = `SELECT * FROM users WHERE deleted_at IS NULL AND id = ${chain(4000, '1', ' + 1')} + (SELECT count(*) FROM organizations);\n`;
    const messages = lint(code, 'q.sql');
    expect(notChecked(messages)).toHaveLength(1);
    expect(messages.filter((m) => m.messageId === 'missing')).toEqual([]);
  });

  it('3,000 JOINs: the joins within reach are checked, one message at the first table (left out)', () => {
    const code = 'SELECT 1;\nSELECT * FROM users u' + Array.from({ length: 3000 }, (_, i) => `\nJOIN organizations o${i} ON o${i}.id = u.org_id AND true`).join('') + ';\nSELECT * FROM users;\n';
    for (const [host, filename, line, column] of [[code, 'q.sql', 2, 15], [`const q = sql\`${code}\`;\n`, 'q.ts', 2, 15]] as const) {
      const messages = lint(host, filename);
      expect(messages.filter((m) => m.fatal)).toEqual([]);
      expect(notChecked(messages).map((m) => [m.line, m.column])).toEqual([[line, column]]);
      expect(notChecked(messages)[0]!.message).toMatch(/part of this statement nests too deeply to analyse.*from here on it was not checked, the rest was/);
      const missing = messages.filter((m) => m.messageId === 'missing');
      onNames(host, missing, ['organizations', 'users']);
      // the last joins (the outermost of the tree) are within reach, the first are not; the next statement is checked
      expect(missing.some((m) => m.line === 3001)).toBe(true);
      expect(missing.some((m) => m.line === 3)).toBe(false);
      expect(missing.filter((m) => m.line > 2000).length).toBeGreaterThan(100);
      expect(missing[missing.length - 1]!.line).toBe(3003);
    }
  });

  it('12,000 JOINs: the first joins are masked, the last ones checked, one message at the first table (left out)', () => {
    const code = 'SELECT 1;\nSELECT * FROM users u' + Array.from({ length: 12000 }, (_, i) => `\nJOIN organizations o${i} ON o${i}.id = u.org_id AND true`).join('') + ';\nSELECT * FROM users;\n';
    const messages = lint(code, 'q.sql');
    expect(messages.filter((m) => m.fatal)).toEqual([]);
    expect(notChecked(messages).map((m) => [m.line, m.column])).toEqual([[2, 15]]);
    const missing = messages.filter((m) => m.messageId === 'missing');
    onNames(code, missing, ['organizations', 'users']);
    expect(missing.some((m) => m.line === 12001)).toBe(true); // the last join
    expect(missing.filter((m) => m.line > 11000).length).toBeGreaterThan(100);
    expect(missing.some((m) => m.line <= 3)).toBe(false); // the first table and join are masked
    expect(missing[missing.length - 1]!.line).toBe(12003); // the next statement
  });

  it('1,500 nested CASE: the inner CASEs are masked, the table read around them checked', () => {
    const code = `SELECT ${'CASE WHEN deleted_at IS NULL THEN '.repeat(1500)}1${' END'.repeat(1500)}\nFROM users;\n`;
    for (const [host, filename] of [[code, 'q.sql'], [`const q = sql\`${code}\`;\n`, 'q.ts']] as const) {
      const messages = lint(host, filename);
      expect(messages.filter((m) => m.fatal)).toEqual([]);
      const [message] = notChecked(messages);
      expect(notChecked(messages)).toHaveLength(1);
      // inside the CASE chain, past its outer levels (which were analysed)
      expect(message!.line).toBe(1);
      expect(host.split('\n')[0]!.slice(0, message!.column - 1).split('CASE WHEN').length).toBeGreaterThan(100);
      const missing = messages.filter((m) => m.messageId === 'missing');
      onNames(host, missing, ['users']);
      expect(missing.map((m) => m.line)).toEqual([2]);
    }
  });

  it('1,600 UNION ALL branches under a WITH: the CTE and the last branches are checked, one message at the first branch', () => {
    const branches = Array.from({ length: 1600 }, (_, i) => (i === 1599 ? 'SELECT id, name FROM c' : 'SELECT id, plan FROM users'));
    const code = `WITH c AS (SELECT * FROM organizations)\n${branches.join('\nUNION ALL\n')};\n`;
    const messages = lint(code, 'q.sql');
    expect(notChecked(messages).map((m) => [m.line, m.column])).toEqual([[2, 8]]); // its first output column
    const missing = messages.filter((m) => m.messageId === 'missing' || m.messageId === 'missingVia');
    onNames(code, missing, ['organizations', 'users']);
    expect(missing.map((m) => m.line)).toContain(1); // the CTE, read by the last branch
    expect(missing.map((m) => m.line)).toContain(2 * 1600 - 2); // the branch before
    expect(missing.length).toBeGreaterThan(300);
  });

  // A chain of mixed set operations too deep to read whole is checked in pieces too (before, it was one "not checked"
  // message). PostgreSQL nests it to the left, so every operation after the first has a nested operation on its left,
  // which never decides a branch's fate: each piece starts with a stand-in for the branches before it, which does
  // not either. Each rule below is what the analysis says of a chain short enough to read whole (n = 40), and must
  // hold for one of 1,600 branches, each branch on its own line.
  const live = 'SELECT id FROM users WHERE deleted_at IS NULL';
  const all = 'SELECT id FROM users';
  const MIXED: Array<[string, (i: number) => [string, string], (i: number, n: number) => boolean]> = [
    // (((live EXCEPT all) UNION live) EXCEPT all) …: only the first EXCEPT has a plain SELECT of live keys on its left
    ['UNION and EXCEPT alternating', (i) => [i % 2 ? 'EXCEPT' : 'UNION', i % 2 ? all : live], (i) => i % 2 === 1 && i > 1],
    // all UNION (all INTERSECT all) UNION (all INTERSECT all) …: no side filters
    ['UNION and INTERSECT alternating', (i) => [i % 2 ? 'UNION' : 'INTERSECT', all], () => true],
    // live UNION (all INTERSECT live) UNION … UNION all: INTERSECT binds tighter, its live side decides; the last
    // branch has no INTERSECT
    ['UNION and INTERSECT, the INTERSECT side live', (i) => [i % 2 ? 'UNION' : 'INTERSECT', i % 2 ? all : live], (i, n) => i === n - 1],
    // ((all EXCEPT (live INTERSECT ALL all)) UNION ALL all) EXCEPT …
    ['EXCEPT, INTERSECT ALL, UNION ALL', (i) => [['UNION ALL', 'EXCEPT', 'INTERSECT ALL'][i % 3]!, i % 3 === 1 ? live : all], (i) => i % 3 === 0],
  ];
  it.each(MIXED)('%s: every branch checked as in the whole chain, at its own place', (_, branch, reported) => {
    const chainOf = (n: number) => Array.from({ length: n }, (_, i) => (i === 0 ? branch(i)[1] : `${branch(i)[0]}\n${branch(i)[1]}`)).join('\n');
    for (const n of [40, 1600]) {
      const code = `${chainOf(n)};\n`;
      const messages = lint(code, 'q.sql');
      expect(messages.filter((m) => m.fatal || m.messageId === 'notChecked')).toEqual([]);
      const missing = messages.filter((m) => m.messageId === 'missing');
      onNames(code, missing, ['users']);
      expect(missing.map((m) => (m.line - 1) / 2)).toEqual(Array.from({ length: n }, (_, i) => i).filter((i) => reported(i, n)));
    }
  });

  // Each level reads users without a filter: the levels within reach are reported, the message marks where the
  // levels left out begin.
  const NESTED: Array<[string, (s: string) => string, number]> = [
    ['900 nested FROM (SELECT …)', (s) => `SELECT * FROM users, (\n${s}) x`, 900],
    ['1,000 nested FROM (SELECT …), too deep to parse whole', (s) => `SELECT * FROM users, (\n${s}) x`, 1000],
    ['500 nested EXISTS', (s) => `SELECT 1 FROM users WHERE EXISTS (\n${s})`, 500],
    ['1,000 nested EXISTS, too deep to parse whole', (s) => `SELECT 1 FROM users WHERE EXISTS (\n${s})`, 1000],
    ['400 nested scalar subqueries', (s) => `SELECT 1 FROM users WHERE plan = (\n${s})`, 400],
  ];
  it.each(NESTED)('%s: the outer levels are checked, one message where the levels left out begin', (_, wrap, n) => {
    const code = `${nest(n, wrap, 'SELECT 1')};\nSELECT * FROM users;\n`;
    const messages = lint(code, 'q.sql');
    expect(messages.filter((m) => m.fatal)).toEqual([]);
    const missing = messages.filter((m) => m.messageId === 'missing' || m.messageId === 'missingVia');
    onNames(code, missing, ['users']);
    const levels = missing.map((m) => m.line).filter((l) => l <= n);
    expect(levels.length).toBeGreaterThan(20);
    expect(levels).toEqual(levels.map((_, i) => i + 1)); // the outermost levels, without a gap
    const [message] = notChecked(messages);
    expect(notChecked(messages)).toHaveLength(1);
    expect(message!.line - levels.length).toBeGreaterThanOrEqual(0);
    expect(message!.line - levels.length).toBeLessThanOrEqual(1);
    expect(missing[missing.length - 1]!.line).toBe(n + 2); // the next statement
  });

  it('a migration with a statement analysed partly keeps the rest of its history, and says what was left out', () => {
    const model = schemaFromSql(
      `CREATE TABLE a (id int, deleted_at timestamptz);\nSELECT * FROM a${' JOIN a x ON true AND true'.repeat(3000)};\n` +
        `CREATE TABLE b (id int, deleted_at timestamptz);\nSELECT ${chain(4000, '1', ' + 1')};\nCREATE TABLE c (id int);\n`,
      'm.sql',
    );
    expect([...model.relations.keys()].sort()).toEqual(['public.a', 'public.b', 'public.c']);
    expect(model.problems.map((p) => p.message)).toEqual([
      expect.stringMatching(/^m\.sql:2:15: part of this statement nests too deeply/),
      expect.stringMatching(/^m\.sql:4:8: part of this statement nests too deeply/),
    ]);
  });

  const SHAPES: Array<[string, (n: number) => string]> = [
    ['+ chain', (n) => chain(n, 'SELECT 1 FROM users WHERE id = 1', ' + 1')],
    ['INTERSECT', (n) => Array.from({ length: n }, () => 'SELECT id FROM users').join(' INTERSECT ')],
    ['JOIN', (n) => 'SELECT * FROM users u' + ' JOIN users o ON o.id = u.id'.repeat(n)],
    ['FROM (SELECT …)', (n) => nest(n, (s) => `SELECT * FROM (${s}) x`, 'SELECT * FROM users')],
    ['EXISTS', (n) => nest(n, (s) => `SELECT 1 FROM users WHERE deleted_at IS NULL AND EXISTS (${s})`, 'SELECT 1')],
    ['IN (SELECT …)', (n) => nest(n, (s) => `SELECT id FROM users WHERE id IN (${s})`, 'SELECT 1')],
    ['CASE', (n) => `SELECT ${'CASE WHEN deleted_at IS NULL THEN '.repeat(n)}1${' END'.repeat(n)} FROM users`],
    ['OR/AND', (n) => `SELECT * FROM users WHERE ${nest(n, (s) => `(deleted_at IS NULL OR (id = 1 AND ${s}))`, 'true')}`],
    ['CTE', (n) => nest(n, (s) => `WITH c AS (${s}) SELECT * FROM c`, 'SELECT * FROM users')],
    ['NOT', (n) => `SELECT * FROM users WHERE ${'NOT '.repeat(n)}(deleted_at IS NULL)`],
  ];

  it.each(SHAPES)('%s at the deepest size still analysed: every rule runs to the end', (_, shape) => {
    let lo = 1;
    let hi = 4096;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      const outcome = parseSql(shape(mid));
      if (outcome.ok && !outcome.parsed.skipped) lo = mid;
      else hi = mid;
    }
    expect(lo).toBeGreaterThan(20); // real SQL is never refused
    const sql = shape(lo);
    for (const [code, file] of [[`${sql};\n`, 'q.sql'], [`await sql\`${sql}\`;\n`, 'q.ts']] as const) {
      const messages = lint(code, file);
      expect(messages.filter((m) => m.fatal || m.messageId === 'notChecked')).toEqual([]);
    }
  });

  it('just below the limit, deep statements are analysed normally', () => {
    const sql = Array.from({ length: 200 }, () => 'SELECT id FROM users').join(' UNION ALL ');
    const messages = lint(`${sql};\n`, 'q.sql');
    expect(messages.filter((m) => m.messageId === 'missing')).toHaveLength(200);
    expect(messages.filter((m) => m.messageId === 'notChecked')).toEqual([]);
  });

  it('a migration with a statement too deep to parse keeps the rest of its history', () => {
    const model = schemaFromSql(
      `CREATE TABLE a (id int, deleted_at timestamptz);\n${TOO_DEEP_WITH};\n` +
        `CREATE TABLE b (id int, deleted_at timestamptz);\n`,
      'm.sql',
    );
    expect([...model.relations.keys()].sort()).toEqual(['public.a', 'public.b']);
    expect(model.problems.map((p) => p.message)).toEqual([expect.stringMatching(/^m\.sql:2:1: this statement nests too deeply/)]);
  });
});

describe('NUL bytes and binary files', () => {
  it('a .sql file with a NUL is reported, not linted clean', () => {
    const messages = lint('SELECT 1;\n\0\nSELECT * FROM users;\n', 'q.sql');
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatchObject({ fatal: true, line: 2, column: 1 });
    expect(messages[0]!.message).toMatch(/NUL character/);
  });

  it('a binary file named .sql is reported', () => {
    // Read as text, a binary file can start like SQL; the C parser would stop at its first NUL.
    const bytes = Buffer.concat([Buffer.from('SELECT 1;'), Buffer.from([0x00, 0x00, 0x01, 0x89, 0xff, 0x00, 0x1a])]);
    const messages = lint(bytes.toString('latin1'), 'logo.sql');
    expect(messages.filter((m) => m.fatal)).toHaveLength(1);
  });

  it('tables after a NUL in a migration are known, and the NUL is a schema problem', () => {
    const model = schemaFromSql('CREATE TABLE a (id int);\n\0\nCREATE TABLE b (id int, deleted_at timestamptz);\n', 'm.sql');
    expect([...model.relations.keys()].sort()).toEqual(['public.a', 'public.b']);
    expect(model.problems.map((p) => p.message)).toEqual([expect.stringMatching(/^m\.sql:2:1: .*NUL character/)]);
  });
});

describe('SQL string arguments are recognised by what PostgreSQL sees', () => {
  it.each([
    ['an apostrophe in a -- comment', "SELECT id -- don't select the password\nFROM users WHERE org_id = $1"],
    ['an apostrophe in a /* comment */', "SELECT id /* the user's row */ FROM users WHERE org_id = $1"],
    ["an escaped quote in E''", "SELECT E'\\'' AS q, id FROM users WHERE org_id = $1"],
    ['a quote inside a "quoted identifier"', 'SELECT "it\'s" FROM users WHERE org_id = $1'],
    ['a quote inside a $tag$ body', "SELECT $x$ it's $x$ AS a, id FROM users WHERE org_id = $1"],
    ['EXPLAIN', 'EXPLAIN SELECT * FROM users WHERE org_id = $1'],
    ['EXPLAIN (options)', 'EXPLAIN (ANALYZE, BUFFERS) SELECT * FROM users WHERE org_id = $1'],
  ])('pool.query with %s is checked', (_, sql) => {
    const messages = lint(`await pool.query(${JSON.stringify(sql)}, [orgId]);\n`, 'q.ts');
    expect(messages.filter((m) => m.fatal)).toEqual([]);
    expect(messages.map((m) => m.messageId)).toEqual(['missing']);
  });

  it('prose with an apostrophe is still prose', () => {
    expect(lint(`alert("Select the user's plan from the list.");\n`, 'q.ts')).toEqual([]);
    expect(lint(`log.info("Explain the results to the user");\n`, 'q.ts')).toEqual([]);
  });
});

describe('soft-delete-review --base', () => {
  it('a value starting with "-" is refused before it reaches git', async () => {
    const { mergeBase, ReviewError } = await import('../src/review/git.js');
    for (const base of ['--output=/tmp/soft-delete-pwned', '-p', '--exec=touch x']) {
      let error: unknown;
      try {
        mergeBase(process.cwd(), base);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ReviewError);
      expect((error as Error).message).toBe(`--base must name a git ref, not an option: '${base}' starts with '-'`);
    }
  });
});

describe('positions and messages around escapes and interpolations', () => {
  const slice = (code: string, m: { line: number; column: number; endLine?: number; endColumn?: number }) => {
    const starts = [0];
    for (let i = 0; i < code.length; i++) if (code[i] === '\n') starts.push(i + 1);
    return code.slice(starts[m.line - 1]! + m.column - 1, starts[m.endLine! - 1]! + m.endColumn! - 1);
  };

  it.each([
    ['a quoted name written with escaped quotes', 'await pool.query("SELECT * FROM \\"users\\" WHERE id = $1", [id]);\n', '\\"users\\"'],
    ['a name ending in a \\x escape', 'await pool.query("SELECT * FROM user\\x73 WHERE id = $1", [id]);\n', 'user\\x73'],
    ['a name ending in a \\u escape', 'await sql`SELECT * FROM user\\u0073 WHERE id = ${id}`;\n', 'user\\u0073'],
  ])('%s: the squiggle covers the whole name', (_, code, name) => {
    const messages = lint(code, 'q.ts').filter((m) => m.messageId === 'missing');
    expect(messages.map((m) => slice(code, m))).toEqual([name]);
  });

  it('a .sql parse error at a placeholder names what the file has, not the placeholder', () => {
    const [error] = lint('SELECT * FROM users WHERE id = ${id} ${oops} x;\n', 'q.sql');
    expect(error!.message).toMatch(/syntax error at or near "\$\{oops\}"/);
    expect(error!.message).not.toMatch(/\$0/);
  });

  it('a parse error at an interpolation in a template says so', () => {
    const linter = new Linter({ configType: 'flat' });
    const config = [
      { files: ['**/*.ts'], languageOptions: { parser: tsParser } },
      ...plugin.configs.recommended,
      { settings: SEED_SETTINGS },
      { rules: { 'soft-delete/require-soft-delete-filter': ['error', { reportParseErrors: true }] } },
    ];
    const [error] = linter.verify('await sql`SELECT * FROM users WHERE id = ${id} ${oops} x`;\n', config as Linter.Config[], 'q.ts');
    expect(error!.message).toMatch(/at or near an interpolated value/);
    expect(error!.message).not.toMatch(/"\$\d+"/);
  });
});

describe('tagged templates with an invalid escape (no cooked value)', () => {
  it.each(['\\1', '\\8', '\\x', '\\00'])('with %s and CRLF before the table: exact squiggle, suggestion in the right place', (invalid) => {
    const code = `await sql\`SELECT regexp_replace(email, '(a)', '${invalid}') AS e, '\\\\d' AS f\r\nFROM users\r\nWHERE id = \${id}\`;\n`;
    const [m] = lint(code, 'q.ts').filter((x) => x.messageId === 'missing');
    const starts = [0];
    for (let i = 0; i < code.length; i++) if (code[i] === '\n') starts.push(i + 1);
    expect(code.slice(starts[m!.line - 1]! + m!.column - 1, starts[m!.endLine! - 1]! + m!.endColumn! - 1)).toBe('users');
    const fix = m!.suggestions![0]!.fix;
    expect(code.slice(0, fix.range[0]) + fix.text + code.slice(fix.range[1])).toContain('WHERE id = ${id} AND deleted_at IS NULL`');
  });
});

describe('an inlined literal in a tagged template', () => {
  it("FROM ${'public.users'}: the squiggle covers the name inside the literal", () => {
    const code = "await sql`SELECT * FROM ${'public.users'} u WHERE u.id = ${id}`;\n";
    const [m] = lint(code, 'q.ts').filter((x) => x.messageId === 'missing');
    expect(code.slice(m!.column - 1, m!.endColumn! - 1)).toBe('public.users');
  });
});
