/**
 * Adversarial inputs for the passes over user text (long blank runs, repeated keywords, unclosed quotes, deep
 * nesting), at any size: test/cpu-budget.test.ts runs every pass over them at 100 KB, bench/adversarial.js measures
 * the CPU each pass spends and how it grows with the size.
 */

/** @param {number} size characters (about) @returns {Record<string, string>} */
export function adversarialInputs(size) {
  const fill = (unit) => unit.repeat(Math.ceil(size / unit.length));
  return {
    'blank lines': fill('\n'),
    'blank lines then a backslash': `${fill('\n')}x\\`,
    'carriage returns then a backslash': `${fill('\r')}x\\`,
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
    '+ chain (masked)': `SELECT ${fill('1 + ')}1 FROM users`,
    'nested EXISTS (masked)': `${fill('SELECT 1 FROM users WHERE EXISTS (')}SELECT 1`,
  };
}

/**
 * The passes, by module (under src/ or dist/src/) and export; `input` adapts an input where the pass reads
 * something else; `only` names the inputs aimed at a pass that runs libpg-query (linear, but ~1 s per 100 KB on a
 * slow machine), the others get every input.
 * @type {Array<{ name: string; module: string; input?: (text: string) => string; only?: string[] }>}
 */
export const ADVERSARIAL_PASSES = [
  { name: 'blankPsqlMetaCommands', module: 'sql/sqltext.js' },
  { name: 'blankDownSections', module: 'sql/sqltext.js' },
  { name: 'normalizeSqlFile', module: 'sql/sql-file.js' },
  { name: 'overDeepStatements', module: 'sql/parser.js' },
  { name: 'splitQualifiedName', module: 'sql/naming.js' },
  { name: 'decodeStringLiteral', module: 'sql/literal.js', input: (t) => `E'${t}'` },
  {
    name: 'looksLikeSql',
    module: 'extract/looks-like-sql.js',
    only: ['ON ON ON (GRANT shape)', 'ON ON ON (REVOKE shape)', 'TABLE x then spaces', 'comments at the start', 'block comments at the start', 'parentheses at the start', 'explain options', 'article a', 'unclosed quote'],
  },
  { name: 'parseSql', module: 'sql/parser.js', only: ['a NUL at the end', 'deep parentheses', 'unclosed quote', 'one long line of spaces', '+ chain (masked)', 'nested EXISTS (masked)'] },
  { name: 'schemaFromSql', module: 'schema/apply.js', only: ['blank lines then a backslash', 'COPY … FROM stdin repeated on one line', 'migrate:down markers', 'a NUL at the end'] },
];
