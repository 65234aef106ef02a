/**
 * DDL is read once (sql/ddl.ts): the schema model and the checks consume the same events, so what the schema
 * calls a stream table is what require-stream-table-filter checks — whatever the function's spelling, whether
 * arguments are positional or named, and after `alter_stream_table`.
 */
import { describe, expect, it } from 'vitest';
import rule from '../rules/require-stream-table-filter.js';
import { sqlRuleTester } from './helpers/rule-tester.js';
import { applyEvents, schemaFromSql } from '../src/schema/apply.js';
import { lowerFragments } from '../src/engine.js';
import { wholeFileFragment } from '../src/sql/fragment.js';
import { parseFragment } from '../src/sql/source.js';
import { lowerDdl, type DdlEvent } from '../src/sql/ddl.js';
import { emptySchema } from '../src/schema/model.js';
import { ReadAnalyzer } from '../src/analysis/reads.js';
import { normalizeSettings } from '../src/settings.js';

const TABLE = 'CREATE TABLE users (id int, plan text, deleted_at timestamptz);\n';
const UNFILTERED = '$$SELECT plan, count(*) AS n FROM users GROUP BY plan$$';

/** Every spelling of a definition pg_trickle and pg_ivm accept. */
const CALLS = [
  `SELECT pgtrickle.create_stream_table('s', ${UNFILTERED})`,
  `SELECT pgtrickle.create_or_replace_stream_table('s', ${UNFILTERED})`,
  `SELECT pgtrickle.create_stream_table_if_not_exists('s', ${UNFILTERED})`,
  `SELECT pgtrickle.create_stream_table(name => 's', query => ${UNFILTERED})`,
  `SELECT pgtrickle.create_stream_table(query => ${UNFILTERED}, name => 's', schedule => '1m')`,
  `SELECT pgtrickle.create_or_replace_stream_table('s', query => ${UNFILTERED}, refresh_mode => 'DIFFERENTIAL')`,
  `SELECT pgivm.create_immv(immv_name => 's', view_definition => ${UNFILTERED})`,
  `SELECT create_immv('s', ${UNFILTERED})`,
];

function definitionsOf(sql: string) {
  return lowerFragments([wholeFileFragment(sql)]).statements.flatMap((s) => s.definitions);
}

describe('one reading of pg_trickle / pg_ivm DDL', () => {
  it.each(CALLS)('the schema and the checks agree on %s', (call) => {
    const model = schemaFromSql(`${TABLE}${call};`);
    const relation = model.relations.get('public.s');
    expect(relation?.kind).toBe('stream-table');
    expect(relation?.columns).toEqual(['plan', 'n']);
    const definitions = definitionsOf(`${call};`);
    expect(definitions.map((d) => [d.name, d.query !== null])).toEqual([['s', true]]);
  });

  it('create_stream_table_if_not_exists leaves an existing stream table alone', () => {
    const model = schemaFromSql(
      `${TABLE}SELECT pgtrickle.create_stream_table('s', $$SELECT id FROM users WHERE deleted_at IS NULL$$);
       SELECT pgtrickle.create_stream_table_if_not_exists('s', ${UNFILTERED});`,
    );
    expect(model.relations.get('public.s')?.query?.text).toBe('SELECT id FROM users WHERE deleted_at IS NULL');
  });

  it('alter_stream_table(…, query => …) replaces the query in the schema; other parameters change nothing', () => {
    const create = `${TABLE}SELECT pgtrickle.create_stream_table('s', $$SELECT id, deleted_at FROM users WHERE deleted_at IS NULL$$);\n`;
    const altered = schemaFromSql(`${create}SELECT pgtrickle.alter_stream_table('s', query => $$SELECT plan FROM users$$);`);
    expect(altered.relations.get('public.s')).toMatchObject({ query: { text: 'SELECT plan FROM users' }, columns: ['plan'] });
    const scheduled = schemaFromSql(`${create}SELECT pgtrickle.alter_stream_table('s', schedule => '5m');`);
    expect(scheduled.relations.get('public.s')?.query?.text).toBe('SELECT id, deleted_at FROM users WHERE deleted_at IS NULL');
    // The positional second parameter is not the query: no definition, no "could not be parsed".
    expect(definitionsOf("SELECT pgtrickle.alter_stream_table('s', '5m');")).toEqual([]);
    expect(definitionsOf(`SELECT pgtrickle.alter_stream_table('s', query => ${UNFILTERED});`)).toHaveLength(1);
  });

  it('readers of an altered stream table inherit what the new query passes through', () => {
    const schema = schemaFromSql(
      `${TABLE}SELECT pgtrickle.create_stream_table('s', $$SELECT id FROM users WHERE deleted_at IS NULL$$);
       SELECT pgtrickle.alter_stream_table('s', query => $$SELECT id, deleted_at FROM users$$);`,
    );
    const analyzer = new ReadAnalyzer({ schema, settings: normalizeSettings({}) });
    const [statement] = lowerFragments([wholeFileFragment('SELECT id FROM s')]).statements;
    expect(analyzer.checkQuery(statement!.reads[0]!).map((f) => f.verdict)).toEqual(['missing']);
  });

  it('events are plain data a loader can build and apply without SQL', () => {
    const outcome = parseFragment(wholeFileFragment(`${TABLE}CREATE UNIQUE INDEX ON users (plan) WHERE deleted_at IS NULL;`));
    if (!outcome.ok) throw new Error('parse');
    const events = outcome.source.parsed.statements.flatMap((s) => lowerDdl(outcome.source, s));
    // No parser node inside: the events survive a JSON round trip unchanged.
    expect(JSON.parse(JSON.stringify(events))).toEqual(events);
    const synthesized: DdlEvent[] = [
      {
        type: 'create-table',
        table: { schema: null, name: 'accounts' },
        ifNotExists: false,
        elements: [{ column: 'id' }, { column: 'email' }, { column: 'deleted_at' }],
        inherits: [],
        primaryKey: ['id'],
        uniques: [{ kind: 'constraint', name: null, columns: ['email'], nameParts: ['email'], label: 'key', where: null, nullsNotDistinct: false }],
        foreignKeys: [],
      },
      { type: 'define', kind: 'view', name: { schema: null, name: 'live_accounts' }, mode: 'create', columnAliases: [], query: { text: 'SELECT * FROM accounts WHERE deleted_at IS NULL' } },
    ];
    const model = emptySchema();
    applyEvents(model, synthesized, 'models.ts');
    expect(model.relations.get('public.accounts')).toMatchObject({ columns: ['id', 'email', 'deleted_at'], primaryKey: ['id'] });
    expect(model.relations.get('public.accounts')?.uniques.map((u) => u.name)).toEqual(['accounts_email_key']);
    expect(model.relations.get('public.live_accounts')?.columns).toEqual(['id', 'email', 'deleted_at']);
  });
});

sqlRuleTester().run('require-stream-table-filter: every spelling of a definition is checked', rule as never, {
  valid: [
    { filename: 'a.sql', code: "SELECT pgtrickle.alter_stream_table('plan_counts', schedule => '5m');" },
    { filename: 'a.sql', code: "SELECT pgtrickle.alter_stream_table('plan_counts', '5m');" },
    {
      filename: 'a.sql',
      code: "SELECT pgtrickle.create_or_replace_stream_table(name => 'c', query => $$SELECT count(*) FROM users WHERE deleted_at IS NULL$$);",
    },
  ],
  invalid: [
    ...CALLS.map((call) => ({
      filename: 'a.sql',
      code: `${call};`,
      errors: [
        {
          messageId: 'ghostRows',
          suggestions: [{ messageId: 'addFilter', output: `${call.replace('FROM users GROUP', 'FROM users WHERE deleted_at IS NULL GROUP')};` }],
        },
      ],
    })),
    {
      filename: 'a.sql',
      code: `SELECT pgtrickle.alter_stream_table('plan_counts', query => $$SELECT plan FROM users$$);`,
      errors: [
        {
          messageId: 'ghostRows',
          suggestions: [
            { messageId: 'addFilter', output: `SELECT pgtrickle.alter_stream_table('plan_counts', query => $$SELECT plan FROM users WHERE deleted_at IS NULL$$);` },
          ],
        },
      ],
    },
  ],
});

// End of history: the create in 001 is superseded by the alter in 002, which filters.
sqlRuleTester({ 'soft-delete': { schema: ['test/fixtures/stream-history/migrations/*.sql'] } }).run(
  'require-stream-table-filter: alter_stream_table ends the history of a stream table',
  rule as never,
  {
    valid: [
      {
        filename: 'test/fixtures/stream-history/migrations/001_users.sql',
        code: "CREATE TABLE users (id serial PRIMARY KEY, plan text NOT NULL, deleted_at timestamptz);\n\nSELECT pgtrickle.create_stream_table('plan_counts', $$ SELECT plan, count(*) AS n FROM users GROUP BY plan $$);\n",
      },
    ],
    invalid: [
      {
        // Outside the schema files (a new migration not yet applied) the same create is judged.
        filename: 'elsewhere/003_new.sql',
        code: "SELECT pgtrickle.create_stream_table('plan_counts_2', $$ SELECT plan, count(*) AS n FROM users GROUP BY plan $$);",
        errors: [
          {
            messageId: 'ghostRows',
            suggestions: [
              {
                messageId: 'addFilter',
                output: "SELECT pgtrickle.create_stream_table('plan_counts_2', $$ SELECT plan, count(*) AS n FROM users WHERE deleted_at IS NULL GROUP BY plan $$);",
              },
            ],
          },
        ],
      },
      {
        // The alter that ends the history is judged like a create.
        filename: 'test/fixtures/stream-history/migrations/002_fix_plan_counts.sql',
        code: "SELECT pgtrickle.alter_stream_table('plan_counts', query => $$ SELECT plan, count(*) AS n FROM users GROUP BY plan $$);",
        errors: [{ messageId: 'ghostRows', suggestions: 1 }],
      },
    ],
  },
);
