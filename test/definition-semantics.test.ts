/**
 * require-stream-table-filter shares the read verdicts: a materialized view (or stream table, IMMV) over a SELECT
 * gets the verdict the SELECT gets as a read, for every class the differential oracle settled.
 */
import { describe, expect, it } from 'vitest';
import { lowerFragments } from '../src/engine.js';
import { ReadAnalyzer } from '../src/analysis/reads.js';
import { schemaFromSql } from '../src/schema/apply.js';
import { normalizeSettings } from '../src/settings.js';
import { wholeFileFragment } from '../src/sql/fragment.js';
import { SCHEMA, readFindings } from './helpers/analyze.js';

function definitionFindings(sql: string) {
  const analyzer = new ReadAnalyzer({ schema: schemaFromSql(SCHEMA), settings: normalizeSettings({}) });
  const { statements } = lowerFragments([wholeFileFragment(sql)]);
  return statements.flatMap((s) =>
    s.definitions.flatMap((d) => (d.query ? analyzer.checkDefinition(d.query, false).findings : [])).map((f) => ({ verdict: f.verdict, at: f.fragment.text.slice(f.start, f.end) })),
  );
}

const SELECTS = [
  'WITH recent AS (SELECT * FROM orders ORDER BY id DESC LIMIT 3) SELECT id FROM recent WHERE deleted_at IS NULL',
  'SELECT id FROM (SELECT DISTINCT ON (user_id) * FROM orders ORDER BY user_id, id DESC) o WHERE o.deleted_at IS NULL',
  'SELECT * FROM users u FULL JOIN audit_log a ON a.id = u.id WHERE u.deleted_at IS NULL',
  "SELECT o.id FROM orders o LEFT JOIN users u ON u.id = o.user_id WHERE o.deleted_at IS NULL AND (u.deleted_at IS NULL OR u.plan = 'pro')",
  "SELECT * FROM users u LEFT JOIN organizations g ON g.id = u.org_id AND u.deleted_at IS NULL WHERE g.name = 'x' AND g.deleted_at IS NULL",
  "SELECT id FROM users WHERE (deleted_at IS NULL OR plan = 'pro') AND plan = 'free'",
  'SELECT count(*) FILTER (WHERE deleted_at IS NULL) AS n FROM users',
  'SELECT sum(CASE WHEN deleted_at IS NULL THEN 1 ELSE 0 END) AS n FROM users',
  'SELECT s.id FROM (SELECT u.id, u.deleted_at IS NULL AS live FROM users u) s WHERE s.live',
  'WITH x AS (SELECT id, deleted_at FROM users UNION ALL SELECT id, deleted_at FROM organizations) SELECT id FROM x WHERE deleted_at IS NULL',
];

describe('definitions get the read verdicts', () => {
  it.each(SELECTS)('%s', (select) => {
    const expected = readFindings(select).map((f) => ({ verdict: f.verdict, at: f.at }));
    expect(definitionFindings(`CREATE MATERIALIZED VIEW m AS ${select}`)).toEqual(expected);
    expect(definitionFindings(`SELECT pgtrickle.create_stream_table('m', $q$${select}$q$)`)).toEqual(expected);
    expect(definitionFindings(`SELECT pgivm.create_immv('m', $q$${select}$q$)`)).toEqual(expected);
  });

  it('a view that passes deleted_at through after DISTINCT ON is reported at its definition, not at its readers', () => {
    const view = 'CREATE VIEW latest AS SELECT DISTINCT ON (user_id) id, user_id, deleted_at FROM orders ORDER BY user_id, id DESC';
    const analyzer = new ReadAnalyzer({ schema: schemaFromSql(SCHEMA + view + ';'), settings: normalizeSettings({}) });
    const { statements } = lowerFragments([wholeFileFragment(view)]);
    const { findings, inherited } = analyzer.checkDefinition(statements[0]!.definitions[0]!.query!, true);
    expect(findings).toMatchObject([{ verdict: 'missing', displacing: true, table: 'orders' }]);
    expect(inherited).toEqual([]);
    expect(readFindings('SELECT id FROM latest WHERE deleted_at IS NULL', { schema: SCHEMA + view + ';' })).toEqual([]);
  });
});
