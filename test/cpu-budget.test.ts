/**
 * Every pass over user text is linear: adversarial ~100 KB inputs (long blank runs, repeated keywords, unclosed
 * quotes) for each regex and scanner that reads migrations, .sql files and query strings. The budget is generous
 * (CI is slow and shared): it catches quadratic blow-up, not a few milliseconds.
 */
import { describe, expect, it } from 'vitest';
import { blankDownSections, blankPsqlMetaCommands } from '../src/sql/sqltext.js';
import { normalizeSqlFile } from '../src/sql/sql-file.js';
import { overDeepStatements, parseSql } from '../src/sql/parser.js';
import { looksLikeSql } from '../src/extract/looks-like-sql.js';
import { schemaFromSql } from '../src/schema/apply.js';
import { splitQualifiedName } from '../src/sql/naming.js';
import { decodeStringLiteral } from '../src/sql/literal.js';

const BUDGET_MS = 2000;
const K100 = 100_000;

function cpuMs(run: () => unknown): number {
  const before = process.cpuUsage();
  run();
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1000;
}

const fill = (unit: string, size = K100) => unit.repeat(Math.ceil(size / unit.length));

const INPUTS: Record<string, string> = {
  'blank lines': fill('\n'),
  'blank lines then a backslash': `${fill('\n')}x\\`,
  'spaces and line breaks': fill(' \n \t\r\n'),
  'one long line of spaces': `SELECT${fill(' ')}x`,
  'COPY … FROM stdin repeated on one line': `COPY t ${fill('FROM stdin ')}`,
  'ON ON ON (GRANT shape)': `GRANT ${fill('ON ')}x`,
  'ON ON ON (REVOKE shape)': `REVOKE ${fill('ON ')}x`,
  'TABLE x then spaces': `TABLE x${fill(' ')}y`,
  'comments at the start': `${fill('-- x\n')}SELECT 1`,
  'block comments at the start': `${fill('/* x */')}SELECT 1`,
  'parentheses at the start': `${fill('(')}SELECT 1`,
  'unclosed quote': `SELECT '${fill('x')}`,
  'quotes everywhere': `SELECT ${fill("'a'")}`,
  'dollar signs': `SELECT ${fill('$')}`,
  'dollar tags unclosed': `SELECT ${fill('$a$ ')}`,
  'colons': `SELECT ${fill(':a')}`,
  'pg-promise braces unclosed': `SELECT ${fill('${')}`,
  'migrate:down markers': fill('-- migrate:down\n-- migrate:up\n'),
  '-- then spaces': `--${fill(' ')}x`,
  'dots': `SELECT ${fill('a.')}`,
  'backslashes': fill('\\'),
  'a NUL at the end': `${fill('SELECT 1;\n')}\0`,
  'deep parentheses': fill('('),
  'unicode': fill('é日😀'),
  'explain options': `EXPLAIN ${fill('(')}`,
  'article a': `select ${fill('a ')}`,
};

describe('CPU budget over adversarial 100 KB inputs', () => {
  // Passes over raw text get every input. Passes that run libpg-query's scanner or parser (linear, but ~1 s per
  // 100 KB on a slow machine) get the inputs aimed at their own regexes.
  const ALL = Object.keys(INPUTS);
  const passes: Array<[string, (text: string) => unknown, string[]]> = [
    ['blankPsqlMetaCommands', blankPsqlMetaCommands, ALL],
    ['blankDownSections', blankDownSections, ALL],
    ['normalizeSqlFile', normalizeSqlFile, ALL],
    ['overDeepStatements', overDeepStatements, ALL],
    ['splitQualifiedName', splitQualifiedName, ALL],
    ['decodeStringLiteral', (t) => decodeStringLiteral(`E'${t}'`), ALL],
    [
      'looksLikeSql',
      looksLikeSql,
      ['ON ON ON (GRANT shape)', 'ON ON ON (REVOKE shape)', 'TABLE x then spaces', 'comments at the start', 'block comments at the start', 'parentheses at the start', 'explain options', 'article a', 'unclosed quote'],
    ],
    ['parseSql', parseSql, ['a NUL at the end', 'deep parentheses', 'unclosed quote', 'one long line of spaces']],
    ['schemaFromSql', (t) => schemaFromSql(t), ['blank lines then a backslash', 'COPY … FROM stdin repeated on one line', 'migrate:down markers', 'a NUL at the end']],
  ];
  for (const [name, pass, inputs] of passes) {
    it(name, () => {
      for (const label of inputs) {
        const ms = cpuMs(() => pass(INPUTS[label]!));
        expect({ input: label, ms: ms < BUDGET_MS ? 'within budget' : ms }).toEqual({ input: label, ms: 'within budget' });
      }
    });
  }

  it('choosing index names stays linear in the number of tables', () => {
    const sql = Array.from({ length: 20_000 }, (_, i) => `CREATE TABLE t${i} (id int, email text UNIQUE);`).join('\n');
    let model: ReturnType<typeof schemaFromSql> | undefined;
    const ms = cpuMs(() => (model = schemaFromSql(sql)));
    expect(ms < BUDGET_MS * 2 ? 'within budget' : ms).toBe('within budget');
    expect(model!.relations.get('public.t19999')!.uniques.map((u) => u.name)).toEqual(['t19999_email_key']);
  });
});

describe('memory', () => {
  it('the parse cache is bounded by the size of the SQL it keeps, not only by the number of texts', async () => {
    const { parseCached, parseCacheSize, PARSE_CACHE_CHARS } = await import('../src/sql/source.js');
    // Mostly comments: big texts that parse fast (the bound is on characters, whatever they hold).
    const padding = (chars: number) => `-- ${'x'.repeat(96)}\n`.repeat(Math.ceil(chars / 100));
    for (let i = 0; i < 12; i++) parseCached(`SELECT ${i} FROM users;\n${padding(400_000)}`);
    const { chars, entries } = parseCacheSize();
    expect(chars).toBeLessThanOrEqual(PARSE_CACHE_CHARS);
    expect(entries).toBeGreaterThan(0);
    const huge = `SELECT 1 FROM users;\n${padding(PARSE_CACHE_CHARS + 1)}`;
    expect(parseCached(huge).ok).toBe(true);
    expect(parseCacheSize().chars).toBeLessThanOrEqual(PARSE_CACHE_CHARS);
  });
});
