/**
 * Never crash ESLint: every rule over SQL the checks were not written for, and over odd JS, must finish without
 * throwing, and unusual-but-valid statements over soft-delete tables are still judged.
 */
import { Linter } from 'eslint';
import tsParser from '@typescript-eslint/parser';
import { describe, expect, it } from 'vitest';
import plugin from '../src/index.js';
import { SEED_SETTINGS } from './helpers/rule-tester.js';

const STATEMENTS = [
  'MERGE INTO users u USING orders o ON o.user_id = u.id WHEN MATCHED THEN UPDATE SET plan = $1',
  "COPY (SELECT * FROM users) TO STDOUT WITH (FORMAT csv)",
  "DO $$ BEGIN PERFORM 1 FROM users; END $$",
  "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $$ SELECT count(*)::int FROM users $$",
  'SELECT plan, count(*) OVER (PARTITION BY plan ORDER BY id) FROM users WHERE deleted_at IS NULL',
  'SELECT plan, email, count(*) FROM users WHERE deleted_at IS NULL GROUP BY GROUPING SETS ((plan), (email))',
  'TABLE users',
  'SELECT * INTO TEMP t FROM users WHERE deleted_at IS NULL',
  'WITH d AS (UPDATE users SET plan = $1 WHERE id = $2 RETURNING *) SELECT * FROM d',
  'WITH d AS (DELETE FROM users WHERE deleted_at < now() RETURNING *) INSERT INTO orders SELECT * FROM d',
  'SELECT * FROM users TABLESAMPLE SYSTEM (10) WHERE deleted_at IS NULL',
  'SELECT * FROM ONLY users WHERE deleted_at IS NULL FETCH FIRST 3 ROWS ONLY',
  'VALUES (1), (2)',
  "SELECT * FROM json_to_recordset('[]') AS x(a int)",
  "SELECT * FROM XMLTABLE('/a' PASSING '<a/>' COLUMNS b int)",
  'SELECT * FROM users u, LATERAL unnest(ARRAY[1]) n WHERE u.deleted_at IS NULL',
  'SELECT (SELECT max(id) FROM users WHERE deleted_at IS NULL) AS m',
  'SELECT * FROM (VALUES (1)) v(a) JOIN users ON true WHERE users.deleted_at IS NULL',
  'SELECT * FROM users NATURAL JOIN organizations WHERE users.deleted_at IS NULL AND organizations.deleted_at IS NULL',
  'SELECT * FROM users FULL JOIN organizations o ON o.id = users.org_id',
  'EXPLAIN ANALYZE SELECT * FROM users',
  'DECLARE c CURSOR FOR SELECT * FROM users',
  'PREPARE p AS SELECT * FROM users WHERE id = $1',
  'CREATE TABLE t AS SELECT * FROM users',
  'CREATE RULE r AS ON INSERT TO orders DO ALSO NOTIFY x',
  'CREATE TRIGGER tr AFTER UPDATE ON users FOR EACH ROW WHEN (OLD.deleted_at IS NULL AND NEW.deleted_at IS NOT NULL) EXECUTE FUNCTION cascade()',
  "CREATE POLICY p ON users USING (deleted_at IS NULL)",
  'SELECT * FROM users WHERE (deleted_at, id) IS NULL',
  'SELECT * FROM users WHERE deleted_at IS NULL IS TRUE',
  'SELECT * FROM users WHERE CASE WHEN deleted_at IS NULL THEN true END',
  'SELECT * FROM users WHERE coalesce(deleted_at, now()) > now()',
  "SELECT * FROM users WHERE deleted_at IS NULL AND email LIKE ANY (ARRAY['a%'])",
  'SELECT 1; SELECT 2;; SELECT * FROM users',
  '',
  '-- only a comment',
];

function lint(code: string, filename: string) {
  const linter = new Linter({ configType: 'flat' });
  const config = [
    { files: ['**/*.ts'], languageOptions: { parser: tsParser } },
    ...plugin.configs.recommended,
    { settings: SEED_SETTINGS },
  ];
  return linter.verify(code, config as Linter.Config[], filename);
}

describe('never crashes', () => {
  it.each(STATEMENTS)('%s', (sql) => {
    const inSql = lint(sql, 'x.sql');
    const inTs = lint(`await sql\`${sql.replace(/`/g, '\\`')}\`;`, 'x.ts');
    for (const messages of [inSql, inTs]) {
      expect(messages.filter((m) => m.fatal && !/Parsing error/.test(m.message))).toEqual([]);
      for (const m of messages) expect(m.ruleId === null || m.ruleId.startsWith('soft-delete/')).toBe(true);
    }
  });

  it('still judges unusual statements', () => {
    const rules = (sql: string) => lint(sql, 'x.sql').map((m) => m.ruleId);
    expect(rules('TABLE users')).toEqual(['soft-delete/require-soft-delete-filter']); // `TABLE x` is `SELECT * FROM x`
    expect(rules('EXPLAIN ANALYZE SELECT * FROM users')).toEqual(['soft-delete/require-soft-delete-filter']);
    expect(rules('DECLARE c CURSOR FOR SELECT * FROM users')).toEqual(['soft-delete/require-soft-delete-filter']);
    expect(rules('CREATE TABLE t AS SELECT * FROM users')).toEqual(['soft-delete/require-soft-delete-filter']);
    expect(rules('SELECT * FROM users FULL JOIN organizations o ON o.id = users.org_id')).toEqual([
      'soft-delete/require-soft-delete-filter',
      'soft-delete/require-soft-delete-filter',
    ]);
  });

  it('odd JavaScript is fine', () => {
    for (const code of ['sql``;', 'sql`${a}${b}`;', 'query();', 'query(1, 2);', 'x.query(...args);', 'sql`SELECT ${sql`${sql`1`}`}`;', 'tag`\\u{1F600} SELECT`;']) {
      expect(lint(code, 'x.ts').filter((m) => m.fatal)).toEqual([]);
    }
  });
});
