import { mkdtempSync, mkdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { applySql, schemaFromSql } from '../src/schema/apply.js';
import {
  clearSchemaCache,
  findSchemaFiles,
  loadSchema,
  naturalCompare,
  naturalComparePaths,
  readScriptSqlWith,
  setSchemaClock,
} from '../src/schema/load.js';
import { migrationSql } from '../src/extract/typescript.js';
import { emptySchema, findRelation, type RelationInfo, type SchemaModel } from '../src/schema/model.js';
import { normalizeSettings } from '../src/settings.js';

const fixtures = resolve(import.meta.dirname, 'fixtures');

// The engine hands the loader its reader of TS/JS migrations (the SQL-in-code front end); so does this file.
readScriptSqlWith(migrationSql);

function rel(model: SchemaModel, name: string, schema = 'public'): RelationInfo {
  const found = model.relations.get(`${schema}.${name}`);
  if (!found) throw new Error(`no relation ${schema}.${name}; have ${[...model.relations.keys()].join(', ')}`);
  return found;
}

/** Uniques as `name(kind): cols [where]`, the shape most assertions read best in. */
function uniques(relation: RelationInfo): string[] {
  return relation.uniques.map(
    (u) => `${u.name}(${u.kind}): ${u.columns.join(', ')}${u.where === null ? '' : ` WHERE ${u.where}`}`,
  );
}

describe('applySql: tables', () => {
  it('records columns, inline and table-level UNIQUE, but not PRIMARY KEY', () => {
    const model = schemaFromSql(`
      CREATE TABLE users (
        id bigint PRIMARY KEY,
        email text UNIQUE,
        org_id int,
        handle text,
        deleted_at timestamptz,
        UNIQUE NULLS NOT DISTINCT (org_id, handle),
        CONSTRAINT users_handle_unique UNIQUE (handle)
      );`);
    const users = rel(model, 'users');
    expect(users.kind).toBe('table');
    expect(users.columns).toEqual(['id', 'email', 'org_id', 'handle', 'deleted_at']);
    expect(uniques(users)).toEqual([
      'users_email_key(constraint): email',
      'users_org_id_handle_key(constraint): org_id, handle',
      'users_handle_unique(constraint): handle',
    ]);
    expect(users.uniques.map((u) => u.nullsNotDistinct)).toEqual([false, true, false]);
    expect(model.problems).toEqual([]);
  });

  it('keeps quoted names as written and resolves schema-qualified names', () => {
    const model = schemaFromSql(`
      CREATE TABLE app."Users" ("Email" text UNIQUE, "deletedAt" timestamptz);
      ALTER TABLE app."Users" ADD COLUMN Nick text;`);
    const users = rel(model, 'Users', 'app');
    expect(users.schema).toBe('app');
    expect(users.columns).toEqual(['Email', 'deletedAt', 'nick']);
    expect(uniques(users)).toEqual(['Users_Email_key(constraint): Email']);
    expect(findRelation(model, null, 'Users')).toBeUndefined();
    expect(findRelation(model, 'app', 'Users')).toBe(users);
  });

  it('CREATE TABLE IF NOT EXISTS keeps an existing table; a plain CREATE TABLE replaces it', () => {
    const model = schemaFromSql(`
      CREATE TABLE t (a int);
      CREATE TABLE IF NOT EXISTS t (b int);`);
    expect(rel(model, 't').columns).toEqual(['a']);
    applySql(model, 'CREATE TABLE t (c int);', 'later.sql');
    expect(rel(model, 't').columns).toEqual(['c']);
    expect(rel(model, 't').origin.file).toBe('later.sql');
  });

  it('copies columns from LIKE, INHERITS and PARTITION OF parents', () => {
    const model = schemaFromSql(`
      CREATE TABLE base (id int, deleted_at timestamptz, code text UNIQUE);
      CREATE TABLE copy (LIKE base INCLUDING INDEXES, extra int);
      CREATE TABLE child (own int) INHERITS (base);
      CREATE TABLE part PARTITION OF base FOR VALUES IN (1);`);
    expect(rel(model, 'copy').columns).toEqual(['id', 'deleted_at', 'code', 'extra']);
    expect(uniques(rel(model, 'copy'))).toEqual(['copy_code_key(constraint): code']);
    expect(rel(model, 'child').columns).toEqual(['id', 'deleted_at', 'code', 'own']);
    expect(rel(model, 'part').columns).toEqual(['id', 'deleted_at', 'code']);
  });

  it('ignores temporary tables', () => {
    const model = schemaFromSql('CREATE TEMP TABLE scratch (a int);');
    expect(model.relations.size).toBe(0);
  });

  it('records origins as string indices, mapped through toFileIndex when given', () => {
    const sql = 'SELECT 1;\nCREATE TABLE t (a int, CONSTRAINT t_a UNIQUE (a));';
    const model = emptySchema();
    applySql(model, sql, '/abs/m.sql');
    const t = rel(model, 't');
    expect(t.origin).toEqual({ file: '/abs/m.sql', index: sql.indexOf('CREATE') });
    expect(t.uniques[0]!.origin.index).toBe(sql.indexOf('CONSTRAINT'));
    const mapped = emptySchema();
    applySql(mapped, sql, '/abs/m.ts', (i) => i + 1000);
    expect(rel(mapped, 't').origin.index).toBe(sql.indexOf('CREATE') + 1000);
    expect(rel(mapped, 't').uniques[0]!.origin.index).toBe(sql.indexOf('CONSTRAINT') + 1000);
  });
});

describe('applySql: ALTER TABLE', () => {
  it('adds and drops columns; a dropped column takes its uniques and partial indexes along', () => {
    const model = schemaFromSql(`
      CREATE TABLE t (a int, b int, deleted_at timestamptz);
      CREATE UNIQUE INDEX t_b ON t (b);
      CREATE UNIQUE INDEX t_a_live ON t (a) WHERE deleted_at IS NULL;
      CREATE UNIQUE INDEX t_lower_b ON t (lower(b::text));
      ALTER TABLE t ADD COLUMN c text UNIQUE, ADD COLUMN IF NOT EXISTS a int UNIQUE;
      ALTER TABLE t DROP COLUMN b;`);
    const t = rel(model, 't');
    expect(t.columns).toEqual(['a', 'deleted_at', 'c']);
    expect(uniques(t)).toEqual(['t_a_live(index): a WHERE deleted_at IS NULL', 't_c_key(constraint): c']);
    applySql(model, 'ALTER TABLE t DROP COLUMN deleted_at;', 'x.sql');
    expect(uniques(t)).toEqual(['t_c_key(constraint): c']);
  });

  it('adds and drops UNIQUE constraints, named or defaulted', () => {
    const model = schemaFromSql(`
      CREATE TABLE t (a int, b int);
      ALTER TABLE t ADD CONSTRAINT t_pair UNIQUE (a, b), ADD UNIQUE (b), ADD PRIMARY KEY (a);
      ALTER TABLE t ADD UNIQUE (b);`);
    expect(uniques(rel(model, 't'))).toEqual([
      't_pair(constraint): a, b',
      't_b_key(constraint): b',
      't_b_key1(constraint): b',
    ]);
    applySql(model, 'ALTER TABLE t DROP CONSTRAINT t_pair, DROP CONSTRAINT IF EXISTS nope;', 'x.sql');
    expect(uniques(rel(model, 't'))).toEqual(['t_b_key(constraint): b', 't_b_key1(constraint): b']);
  });

  it('turns a unique index into a constraint with ADD CONSTRAINT … USING INDEX', () => {
    const model = schemaFromSql(`
      CREATE TABLE t (a int);
      CREATE UNIQUE INDEX t_a_idx ON t (a);
      ALTER TABLE t ADD CONSTRAINT t_a_unique UNIQUE USING INDEX t_a_idx;`);
    expect(uniques(rel(model, 't'))).toEqual(['t_a_unique(constraint): a']);
  });

  it('records an EXCLUDE constraint made only of = as a (partial) unique', () => {
    const model = schemaFromSql(`
      CREATE TABLE t (email text, org int, deleted_at timestamptz, during tstzrange);
      ALTER TABLE t ADD CONSTRAINT t_email_live EXCLUDE USING btree (email WITH =, lower(org::text) WITH =) WHERE (deleted_at IS NULL);
      ALTER TABLE t ADD CONSTRAINT t_no_overlap EXCLUDE USING gist (org WITH =, during WITH &&);`);
    expect(uniques(rel(model, 't'))).toEqual(['t_email_live(constraint): email, lower(org::text) WHERE deleted_at IS NULL']);
  });

  it('enables and disables row-level security', () => {
    const model = schemaFromSql('CREATE TABLE t (a int); ALTER TABLE t ENABLE ROW LEVEL SECURITY;');
    expect(rel(model, 't').rlsEnabled).toBe(true);
    applySql(model, 'ALTER TABLE t DISABLE ROW LEVEL SECURITY;', 'x.sql');
    expect(rel(model, 't').rlsEnabled).toBe(false);
  });

  it('keeps what an ALTER says about a table whose CREATE it never saw, marked incomplete', () => {
    const model = schemaFromSql(`
      ALTER TABLE built_elsewhere ADD COLUMN deleted_at timestamptz;
      ALTER TABLE IF EXISTS also_elsewhere ADD COLUMN deleted_at timestamptz;
      ALTER TABLE not_interesting OWNER TO someone;`);
    const stub = rel(model, 'built_elsewhere');
    expect(stub.incomplete).toBe(true);
    expect(stub.columns).toEqual(['deleted_at']);
    expect(model.relations.has('public.also_elsewhere')).toBe(false);
    expect(model.relations.has('public.not_interesting')).toBe(false);
    applySql(model, 'CREATE TABLE IF NOT EXISTS built_elsewhere (id int);', 'x.sql');
    expect(rel(model, 'built_elsewhere').columns).toEqual(['id', 'deleted_at']);
    expect(rel(model, 'built_elsewhere').incomplete).toBeUndefined();
  });
});

describe('applySql: RENAME and SET SCHEMA', () => {
  it('renames tables, columns, constraints and indexes', () => {
    const model = schemaFromSql(`
      CREATE TABLE accounts (id int, removed_at timestamptz, email text CONSTRAINT accounts_email_key UNIQUE);
      CREATE UNIQUE INDEX accounts_live ON accounts (lower(email)) WHERE removed_at IS NULL;
      CREATE POLICY live ON accounts USING (removed_at IS NULL);
      ALTER TABLE accounts RENAME TO users;
      ALTER TABLE users RENAME COLUMN removed_at TO deleted_at;
      ALTER TABLE users RENAME email TO mail;
      ALTER TABLE users RENAME CONSTRAINT accounts_email_key TO users_mail_key;
      ALTER INDEX accounts_live RENAME TO users_live;`);
    expect(model.relations.has('public.accounts')).toBe(false);
    const users = rel(model, 'users');
    expect(users.name).toBe('users');
    expect(users.columns).toEqual(['id', 'deleted_at', 'mail']);
    expect(uniques(users)).toEqual([
      'users_mail_key(constraint): mail',
      'users_live(index): lower(mail) WHERE deleted_at IS NULL',
    ]);
    // The lowered predicate follows the rename too.
    expect(JSON.stringify(users.uniques[1]!.wherePredicate)).toContain('"deleted_at"');
    expect(users.policies[0]!.using).toBe('deleted_at IS NULL');
  });

  it('renames views and moves relations between schemas', () => {
    const model = schemaFromSql(`
      CREATE TABLE t (a int);
      CREATE VIEW v AS SELECT a FROM t;
      ALTER VIEW v RENAME TO w;
      ALTER TABLE t SET SCHEMA archive;`);
    expect([...model.relations.keys()].sort()).toEqual(['archive.t', 'public.w']);
    expect(rel(model, 't', 'archive').schema).toBe('archive');
  });
});

describe('applySql: CREATE INDEX', () => {
  it('records unique indexes only, with the partial predicate as text and node', () => {
    const sql = `
      CREATE TABLE users (email text, org int, deleted_at timestamptz);
      CREATE INDEX users_org ON users (org);
      CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS users_email_live
        ON ONLY public.users USING btree (lower(email) DESC, org) INCLUDE (deleted_at)
        NULLS NOT DISTINCT
        WHERE deleted_at IS NULL  -- active rows only
      ;`;
    const model = schemaFromSql(sql);
    const users = rel(model, 'users');
    expect(users.uniques).toHaveLength(1);
    const u = users.uniques[0]!;
    expect(u).toMatchObject({
      name: 'users_email_live',
      kind: 'index',
      columns: ['lower(email)', 'org'],
      where: 'deleted_at IS NULL',
      nullsNotDistinct: true,
    });
    expect(u.wherePredicate).toMatchObject({ kind: 'null-test', column: { qualifier: null, name: 'deleted_at' }, isNull: true });
    expect(u.origin.index).toBe(sql.indexOf('CREATE UNIQUE'));
  });

  it('names unnamed unique indexes like PostgreSQL and honours IF NOT EXISTS', () => {
    const model = schemaFromSql(`
      CREATE TABLE t (a int, b int);
      CREATE UNIQUE INDEX ON t (a);
      CREATE UNIQUE INDEX ON t (a, b);
      CREATE UNIQUE INDEX ON t (lower(a::text));
      CREATE UNIQUE INDEX ON t ((a + b));
      CREATE UNIQUE INDEX ON t (a);
      CREATE UNIQUE INDEX IF NOT EXISTS t_a_idx ON t (b);`);
    expect(uniques(rel(model, 't'))).toEqual([
      't_a_idx(index): a',
      't_a_b_idx(index): a, b',
      't_lower_idx(index): lower(a::text)',
      't_expr_idx(index): a + b',
      't_a_idx1(index): a',
    ]);
  });

  it('shortens long default names to 63 characters the way PostgreSQL does', () => {
    const table = 'a_very_long_table_name_that_goes_on_and_on_forever';
    const model = schemaFromSql(`CREATE TABLE ${table} (another_quite_long_column_name int UNIQUE);`);
    const name = rel(model, table).uniques[0]!.name;
    // makeObjectName trims the longer part first until both fit: 29 + '_' + 29 + '_key'.
    expect(name).toBe('a_very_long_table_name_that_g_another_quite_long_column_nam_key');
    expect(name.length).toBe(63);
  });
});

describe('applySql: DROP', () => {
  it('drops tables (with their uniques), indexes, views and materialized views', () => {
    const model = schemaFromSql(`
      CREATE TABLE a (x int UNIQUE);
      CREATE TABLE b (y int);
      CREATE UNIQUE INDEX b_y ON b (y);
      CREATE UNIQUE INDEX b_y2 ON b (y);
      CREATE VIEW v AS SELECT y FROM b;
      CREATE MATERIALIZED VIEW m AS SELECT y FROM b;
      DROP TABLE IF EXISTS a, nothing;
      DROP INDEX b_y;
      DROP VIEW v;
      DROP MATERIALIZED VIEW public.m;`);
    expect([...model.relations.keys()]).toEqual(['public.b']);
    expect(uniques(rel(model, 'b'))).toEqual(['b_y2(index): y']);
  });

  it('DROP … CASCADE takes dependent views along; DROP SCHEMA drops its relations', () => {
    const model = schemaFromSql(`
      CREATE TABLE t (a int);
      CREATE VIEW v AS SELECT a FROM t;
      CREATE VIEW vv AS SELECT a FROM v;
      CREATE VIEW unrelated AS SELECT 1 AS one;
      CREATE TABLE s.x (a int);
      DROP TABLE t CASCADE;
      DROP SCHEMA s;`);
    expect([...model.relations.keys()]).toEqual(['public.unrelated']);
  });
});

describe('applySql: views and stream tables', () => {
  it('records a view: kind, columns from the column list or the target list, query text and node', () => {
    const sql = `CREATE OR REPLACE VIEW app.active_users (user_id) AS
  SELECT u.id, u.email AS mail, lower(u.name), now()::date FROM users u WHERE u.deleted_at IS NULL
  WITH LOCAL CHECK OPTION;`;
    const model = schemaFromSql(sql);
    const view = rel(model, 'active_users', 'app');
    expect(view.kind).toBe('view');
    expect(view.columns).toEqual(['user_id', 'mail', 'lower', 'now']);
    const text = 'SELECT u.id, u.email AS mail, lower(u.name), now()::date FROM users u WHERE u.deleted_at IS NULL';
    expect(view.query?.text).toBe(text);
    expect(view.query?.origin?.index).toBe(sql.indexOf('SELECT'));
    // The model keeps no parser nodes: the relations the query reads (for DROP … CASCADE).
    expect(view.query?.reads).toEqual([{ schema: null, name: 'users' }]);
  });

  it('a SELECT * view has unknown columns; VALUES and set operations are named like PostgreSQL', () => {
    const model = schemaFromSql(`
      CREATE VIEW star AS SELECT * FROM users;
      CREATE VIEW qstar AS SELECT u.* FROM users u;
      CREATE VIEW vals AS VALUES (1, 2);
      CREATE VIEW uni AS SELECT a FROM x UNION SELECT b FROM y;`);
    expect(rel(model, 'star').columns).toEqual([]);
    expect(rel(model, 'qstar').columns).toEqual([]);
    expect(rel(model, 'vals').columns).toEqual(['column1', 'column2']);
    expect(rel(model, 'uni').columns).toEqual(['a']);
  });

  it('CREATE OR REPLACE VIEW replaces the earlier definition', () => {
    const model = schemaFromSql(`
      CREATE VIEW v AS SELECT a FROM t;
      CREATE OR REPLACE VIEW v AS SELECT a, b FROM t WHERE deleted_at IS NULL;`);
    expect(rel(model, 'v').columns).toEqual(['a', 'b']);
    expect(rel(model, 'v').query?.text).toBe('SELECT a, b FROM t WHERE deleted_at IS NULL');
  });

  it('records materialized views (without WITH DATA) and CREATE TABLE AS tables', () => {
    const model = schemaFromSql(`
      CREATE MATERIALIZED VIEW IF NOT EXISTS stats (n) AS SELECT count(*) FROM users WITH NO DATA;
      CREATE TABLE snapshot AS SELECT id, email FROM users;`);
    const stats = rel(model, 'stats');
    expect(stats.kind).toBe('materialized-view');
    expect(stats.columns).toEqual(['n']);
    expect(stats.query?.text).toBe('SELECT count(*) FROM users');
    const snapshot = rel(model, 'snapshot');
    expect(snapshot.kind).toBe('table');
    expect(snapshot.columns).toEqual(['id', 'email']);
    expect(snapshot.query).toBeUndefined();
  });

  it('records pgtrickle stream tables and pg_ivm IMMVs from their string arguments', () => {
    const sql = `SELECT pgtrickle.create_stream_table('analytics.order_totals', $$
  SELECT customer_id, sum(amount) AS total FROM orders GROUP BY customer_id
$$, schedule => '1m');
SELECT create_immv('live_orders', 'SELECT id, status FROM orders WHERE deleted_at IS NULL');
SELECT pgivm.create_immv(query => 'SELECT id FROM orders', table_name => 'order_ids');`;
    const model = schemaFromSql(sql);
    const totals = rel(model, 'order_totals', 'analytics');
    expect(totals.kind).toBe('stream-table');
    expect(totals.columns).toEqual(['customer_id', 'total']);
    expect(totals.query?.text.trim()).toBe('SELECT customer_id, sum(amount) AS total FROM orders GROUP BY customer_id');
    expect(totals.query?.origin?.index).toBe(sql.indexOf('$$') + 2);
    expect(totals.query?.reads).toEqual([{ schema: null, name: 'orders' }]);
    const live = rel(model, 'live_orders');
    expect(live.kind).toBe('stream-table');
    expect(live.query?.text).toBe('SELECT id, status FROM orders WHERE deleted_at IS NULL');
    expect(live.columns).toEqual(['id', 'status']);
    expect(rel(model, 'order_ids').columns).toEqual(['id']);
    applySql(model, "SELECT pgtrickle.drop_stream_table('analytics.order_totals');", 'x.sql');
    expect(model.relations.has('analytics.order_totals')).toBe(false);
  });

  it('reports a stream table whose query does not parse, at its place in the file', () => {
    const sql = "SELECT 1;\nSELECT pgtrickle.create_stream_table('s', 'SELEC nope');";
    const model = schemaFromSql(sql, 'st.sql');
    expect(model.problems).toHaveLength(1);
    expect(model.problems[0]!.message).toMatch(/^st\.sql:2:\d+: stream table public\.s: syntax error/);
  });
});

describe('applySql: row-level security', () => {
  it('records policies with USING text and node; ALTER and DROP POLICY update them', () => {
    const model = schemaFromSql(`
      CREATE TABLE docs (id int, owner text, deleted_at timestamptz);
      ALTER TABLE docs ENABLE ROW LEVEL SECURITY;
      CREATE POLICY docs_read ON docs AS PERMISSIVE FOR SELECT TO authenticated
        USING (deleted_at IS NULL AND owner = current_user) WITH CHECK (true);
      CREATE POLICY docs_insert ON docs FOR INSERT WITH CHECK (true);`);
    const docs = rel(model, 'docs');
    expect(docs.rlsEnabled).toBe(true);
    expect(docs.policies.map((p) => [p.name, p.using])).toEqual([
      ['docs_read', 'deleted_at IS NULL AND owner = current_user'],
      ['docs_insert', null],
    ]);
    applySql(model, 'ALTER POLICY docs_read ON docs USING (true); DROP POLICY docs_insert ON docs;', 'x.sql');
    expect(docs.policies.map((p) => [p.name, p.using])).toEqual([['docs_read', 'true']]);
  });
});

describe('applySql: search_path, DO blocks, psql meta-commands', () => {
  it('follows SET search_path and set_config for unqualified names', () => {
    const model = schemaFromSql(`
      SET search_path TO app, public;
      CREATE TABLE a (x int);
      RESET search_path;
      CREATE TABLE b (x int);
      SELECT pg_catalog.set_config('search_path', 'billing', false);
      CREATE TABLE c (x int);`);
    expect([...model.relations.keys()]).toEqual(['app.a', 'public.b', 'billing.c']);
  });

  it('applies DDL inside DO blocks (conditions are not evaluated)', () => {
    const model = schemaFromSql(`
      CREATE TABLE t (a int, b int);
      DO $$
      BEGIN
        IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conname = 't_a_key') THEN
          ALTER TABLE t ADD CONSTRAINT t_a_key UNIQUE (a);
        END IF;
        EXECUTE 'CREATE UNIQUE INDEX t_b_live ON t (b) WHERE b > 0';
      EXCEPTION WHEN duplicate_object THEN NULL;
      END $$;`);
    expect(uniques(rel(model, 't'))).toEqual(['t_a_key(constraint): a', 't_b_live(index): b WHERE b > 0']);
  });

  it('skips psql meta-commands and COPY data in dumps', () => {
    const model = schemaFromSql(`\\restrict abc123
SET statement_timeout = 0;
CREATE TABLE public.t (a int);
COPY public.t (a) FROM stdin;
1
2
\\.
\\unrestrict abc123
`);
    expect(model.problems).toEqual([]);
    expect(rel(model, 't').columns).toEqual(['a']);
  });
});

describe('applySql: syntax errors', () => {
  it('reports file:line:col and the parser message, and never throws', () => {
    const model = emptySchema();
    expect(() => applySql(model, "SELECT 1;\n  CREATE TABL x (a int);", 'bad.sql')).not.toThrow();
    expect(model.problems).toEqual([{ file: 'bad.sql', message: 'bad.sql:2:10: syntax error at or near "TABL"' }]);
  });

  it('still applies the statements around a broken one', () => {
    const model = schemaFromSql('CREATE TABLE a (x int);\nCREATE TABL b (x int);\nCREATE TABLE c (x int);', 'f.sql');
    expect([...model.relations.keys()]).toEqual(['public.a', 'public.c']);
    expect(model.problems.map((p) => p.message)).toEqual(['f.sql:2:8: syntax error at or near "TABL"']);
  });

  it('reports an unterminated string once', () => {
    const model = schemaFromSql("CREATE TABLE a (x int);\nSELECT 'oops", 'f.sql');
    expect(model.problems).toHaveLength(1);
    expect(model.problems[0]!.message).toMatch(/^f\.sql:2:\d+: unterminated quoted string/);
  });

  it('counts lines in fileText when the SQL is a fragment of a bigger file', () => {
    const fileText = 'const a = 1;\nconst b = 2;\nknex.raw("CREATE TABL x ()");\n';
    const sql = 'CREATE TABL x ()';
    const offset = fileText.indexOf(sql);
    const model = emptySchema();
    applySql(model, sql, 'm.ts', (i) => offset + i, { fileText });
    expect(model.problems[0]!.message).toBe('m.ts:3:18: syntax error at or near "TABL"');
  });
});

describe('loadSchema: migration histories', () => {
  afterEach(() => {
    clearSchemaCache();
    setSchemaClock();
  });

  it('applies a history in order: the end state wins', () => {
    const dir = join(fixtures, 'schema-history');
    const model = loadSchema(dir, normalizeSettings({}));
    expect(model.problems).toEqual([]);
    expect(model.files.map((f) => f.slice(dir.length + 1))).toEqual([
      'migrations/001_create_users.sql',
      'migrations/002_rename_accounts.sql',
      'migrations/003_partial_unique.sql',
    ]);
    const users = rel(model, 'users');
    expect(users.columns).toEqual(['id', 'email', 'name', 'deleted_at']);
    expect(uniques(users)).toEqual(['users_email_active_key(index): email WHERE deleted_at IS NULL']);
    expect(users.uniques[0]!.origin.file).toBe(join(dir, 'migrations/003_partial_unique.sql'));
    expect(model.relations.has('public.accounts')).toBe(false);
    expect(uniques(rel(model, 'organizations'))).toEqual(['accounts_handle_key(constraint): handle']);
  });

  it('sorts paths naturally', () => {
    expect(naturalCompare('2_x.sql', '10_x.sql')).toBeLessThan(0);
    expect(naturalCompare('10_x.sql', '2_x.sql')).toBeGreaterThan(0);
    expect(naturalCompare('002_x.sql', '2_x.sql')).toBeGreaterThan(0);
    expect(naturalCompare('a.sql', 'a.sql')).toBe(0);
    expect(naturalCompare('20240102000000_b', '20240101000000_a')).toBeGreaterThan(0);
    expect(naturalComparePaths('db/2/x.sql', 'db/10/a.sql')).toBeLessThan(0);
    expect(naturalComparePaths('migrations/1_a/z.sql', 'migrations/1_a.sql')).toBeLessThan(0);

    const dir = join(fixtures, 'schema-natural');
    const model = loadSchema(dir, normalizeSettings({}));
    expect(model.files.map((f) => f.slice(dir.length + 1))).toEqual([
      'migrations/1_people.sql',
      'migrations/2_add_nickname.sql',
      'migrations/10_drop_nickname.sql',
    ]);
    expect(rel(model, 'people').columns).toEqual(['id', 'deleted_at']);
  });

  it('discovers conventional places when the settings name no schema', () => {
    const dir = join(fixtures, 'schema-discover');
    const model = loadSchema(dir, normalizeSettings({}));
    expect(model.files.map((f) => f.slice(dir.length + 1))).toEqual([
      'migrations/001_init.sql',
      'prisma/migrations/20240102000000_posts/migration.sql',
      'structure.sql',
      'supabase/migrations/20240101000000_members.sql',
    ]);
    expect([...model.relations.keys()].sort()).toEqual([
      'public.active_teams',
      'public.members',
      'public.posts',
      'public.teams',
    ]);
    expect(uniques(rel(model, 'posts'))).toEqual(['posts_title_key(index): title']);
    expect(rel(model, 'members').policies[0]?.using).toBe('deleted_at IS NULL');
    expect(model.problems).toEqual([]);
  });

  it('reads exactly the files the settings globs name', () => {
    const dir = join(fixtures, 'schema-globs');
    const model = loadSchema(dir, normalizeSettings({ schema: ['sql/**/*.sql'] }));
    expect(model.files.map((f) => f.slice(dir.length + 1))).toEqual(['sql/a_tables.sql', 'sql/nested/b_indexes.sql']);
    expect([...model.relations.keys()]).toEqual(['public.invoices']);
    expect(uniques(rel(model, 'invoices'))).toEqual(['invoices_number_idx(index): number']);
    // A single string works too, and an empty list reads nothing.
    expect(loadSchema(dir, normalizeSettings({ schema: 'migrations/*.sql' })).relations.has('public.not_in_the_globs')).toBe(true);
    expect(loadSchema(dir, normalizeSettings({ schema: [] })).files).toEqual([]);
  });

  it('ignores node_modules', () => {
    const dir = mkdtempSync(join(tmpdir(), 'schema-nm-'));
    try {
      mkdirSync(join(dir, 'node_modules/pkg/migrations'), { recursive: true });
      mkdirSync(join(dir, 'migrations'), { recursive: true });
      writeFileSync(join(dir, 'node_modules/pkg/migrations/1.sql'), 'CREATE TABLE vendored (a int);');
      writeFileSync(join(dir, 'migrations/1.sql'), 'CREATE TABLE mine (a int);');
      expect(findSchemaFiles(dir, ['**/*.sql'])).toEqual([join(dir, 'migrations/1.sql')]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('leaves rollbacks out: *.down.sql, diesel down.sql, Flyway undo, dbmate and goose down sections', () => {
    const dir = mkdtempSync(join(tmpdir(), 'schema-down-'));
    try {
      const write = (file: string, text: string): void => {
        mkdirSync(join(dir, file, '..'), { recursive: true });
        writeFileSync(join(dir, file), text);
      };
      write('migrations/001_a.up.sql', 'CREATE TABLE a (x int);');
      write('migrations/001_a.down.sql', 'DROP TABLE a;');
      write('migrations/2020-01-01-000000_b/up.sql', 'CREATE TABLE b (x int);');
      write('migrations/2020-01-01-000000_b/down.sql', 'DROP TABLE b;');
      write('migrations/U2__drop_a.sql', 'DROP TABLE a;');
      write('db/migrations/20240101_c.sql', '-- migrate:up\nCREATE TABLE c (x int);\n\n-- migrate:down\nDROP TABLE c;\n');
      write(
        'db/migrations/20240102_d.sql',
        '-- +goose Up\nCREATE TABLE d (x int);\n-- +goose Down\nDROP TABLE d;\n-- +goose Up\nALTER TABLE d ADD COLUMN y int;\n',
      );
      const model = loadSchema(dir, normalizeSettings({}));
      expect(model.files.map((f) => f.slice(dir.length + 1))).toEqual([
        'db/migrations/20240101_c.sql',
        'db/migrations/20240102_d.sql',
        'migrations/001_a.up.sql',
        'migrations/2020-01-01-000000_b/up.sql',
      ]);
      expect([...model.relations.keys()].sort()).toEqual(['public.a', 'public.b', 'public.c', 'public.d']);
      expect(rel(model, 'd').columns).toEqual(['x', 'y']);
      expect(model.problems).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('records a file with a syntax error as a problem and loads the rest', () => {
    const dir = join(fixtures, 'schema-broken');
    const model = loadSchema(dir, normalizeSettings({}));
    const broken = join(dir, 'migrations/002_broken.sql');
    expect(model.problems).toEqual([{ file: broken, message: `${broken}:3:1: syntax error at or near "CREAT"` }]);
    expect(uniques(rel(model, 'orders'))).toEqual(['orders_code_key(index): code WHERE deleted_at IS NULL']);
    expect(model.relations.has('public.refunds')).toBe(true);
    expect(model.files).toHaveLength(3);
  });

  it('applies the SQL inside TS migrations (knex.raw, queryRunner.query), skipping down()', () => {
    const dir = join(fixtures, 'schema-ts');
    const model = loadSchema(dir, normalizeSettings({}));
    expect(model.problems).toEqual([]);
    expect(model.files.map((f) => f.slice(dir.length + 1))).toEqual([
      'migrations/20240101000000_posts.ts',
      'migrations/20240201000000_comments.ts',
    ]);
    const posts = rel(model, 'posts');
    expect(posts.columns).toEqual(['id', 'slug', 'deleted_at']);
    // Created in the first migration, dropped by the second one's up().
    expect(posts.uniques).toEqual([]);
    const comments = rel(model, 'comments');
    expect(comments.columns).toEqual(['id', 'body', 'deleted_at']);
    expect(uniques(comments)).toEqual(['IDX_comments_body(index): body WHERE "deleted_at" IS NULL']);
    // Origins point into the .ts file.
    const file = join(dir, 'migrations/20240201000000_comments.ts');
    expect(comments.origin.file).toBe(file);
    const source = readFileSync(file, 'utf8');
    expect(source.slice(comments.origin.index, comments.origin.index! + 19)).toBe('CREATE TABLE "comme');
  });

  it('says so when it is given no reader of TS/JS migrations (schema/ imports no front end), and reads them once given one', () => {
    const dir = join(fixtures, 'schema-ts');
    try {
      readScriptSqlWith(undefined);
      const without = loadSchema(dir, normalizeSettings({}));
      expect(without.problems.map((p) => p.message)).toEqual([
        expect.stringContaining('20240101000000_posts.ts: SQL in TS/JS migrations is not read here'),
        expect.stringContaining('20240201000000_comments.ts: SQL in TS/JS migrations is not read here'),
      ]);
      expect(without.relations.has('public.posts')).toBe(false);
    } finally {
      readScriptSqlWith(migrationSql);
    }
    const model = loadSchema(dir, normalizeSettings({}));
    expect(model.problems).toEqual([]);
    expect(model.relations.has('public.posts')).toBe(true);
  });

  it('applies DDL kept in arrays and constants of a JS migration (run in a loop), not its down()', () => {
    const dir = mkdtempSync(join(tmpdir(), 'schema-ts-array-'));
    try {
      mkdirSync(join(dir, 'migrations'));
      writeFileSync(join(dir, 'migrations/1_users.sql'), 'CREATE TABLE users (id int PRIMARY KEY, email text);');
      writeFileSync(
        join(dir, 'migrations/2_soft_delete.js'),
        [
          "const up = ['ALTER TABLE users ADD COLUMN deleted_at timestamptz', 'CREATE UNIQUE INDEX users_email_key ON users (email) WHERE deleted_at IS NULL'];",
          "const down = ['ALTER TABLE users DROP COLUMN deleted_at'];",
          'exports.up = async (client) => { for (const s of up) await client.query(s); };',
          "exports.down = async (client) => { await client.query('DROP INDEX users_email_key'); };",
        ].join('\n'),
      );
      const model = loadSchema(dir, normalizeSettings({}));
      expect(model.problems).toEqual([]);
      expect(rel(model, 'users').columns).toEqual(['id', 'email', 'deleted_at']);
      expect(uniques(rel(model, 'users'))).toHaveLength(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reports a TS migration that does not parse and goes on', () => {
    const dir = mkdtempSync(join(tmpdir(), 'schema-ts-bad-'));
    try {
      mkdirSync(join(dir, 'migrations'));
      writeFileSync(join(dir, 'migrations/1_bad.ts'), 'export async function up( {\n');
      writeFileSync(join(dir, 'migrations/2_ok.sql'), 'CREATE TABLE fine (a int);');
      const model = loadSchema(dir, normalizeSettings({}));
      expect(model.problems).toHaveLength(1);
      expect(model.problems[0]!.message).toMatch(new RegExp(`^${join(dir, 'migrations/1_bad.ts').replace(/[.\\/]/g, '\\$&')}:\\d+:\\d+: `));
      expect(model.relations.has('public.fine')).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('loadSchema: cache', () => {
  afterEach(() => {
    clearSchemaCache();
    setSchemaClock();
  });

  function tempProject(): string {
    const dir = mkdtempSync(join(tmpdir(), 'schema-cache-'));
    mkdirSync(join(dir, 'migrations'));
    writeFileSync(join(dir, 'migrations/001.sql'), 'CREATE TABLE t (a int);');
    return dir;
  }

  it('returns the same model while nothing changed, a fresh one after a file changes', () => {
    const dir = tempProject();
    let now = 1_000_000;
    setSchemaClock(() => now);
    try {
      const settings = normalizeSettings({});
      const first = loadSchema(dir, settings);
      expect(rel(first, 't').columns).toEqual(['a']);
      now += 5000;
      expect(loadSchema(dir, normalizeSettings({}))).toBe(first);

      writeFileSync(join(dir, 'migrations/001.sql'), 'CREATE TABLE t (b int);');
      utimesSync(join(dir, 'migrations/001.sql'), new Date(2030, 0, 1), new Date(2030, 0, 1));
      // Within the re-check window the files are not even looked at.
      now += 10;
      expect(loadSchema(dir, settings)).toBe(first);
      now += 1000;
      const second = loadSchema(dir, settings);
      expect(second).not.toBe(first);
      expect(rel(second, 't').columns).toEqual(['b']);

      // A new file changes the set of files.
      writeFileSync(join(dir, 'migrations/002.sql'), 'ALTER TABLE t ADD COLUMN deleted_at timestamptz;');
      now += 1000;
      const third = loadSchema(dir, settings);
      expect(third).not.toBe(second);
      expect(rel(third, 't').columns).toEqual(['b', 'deleted_at']);
      now += 1000;
      expect(loadSchema(dir, settings)).toBe(third);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('keys the cache by cwd and schema settings', () => {
    const dir = tempProject();
    try {
      const a = loadSchema(dir, normalizeSettings({}));
      const b = loadSchema(dir, normalizeSettings({ schema: ['migrations/*.sql'] }));
      expect(b).not.toBe(a);
      expect(loadSchema(dir, normalizeSettings({ schema: ['migrations/*.sql'] }))).toBe(b);
      clearSchemaCache();
      expect(loadSchema(dir, normalizeSettings({}))).not.toBe(a);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('re-checks with the real clock after a second', async () => {
    const dir = tempProject();
    try {
      const first = loadSchema(dir, normalizeSettings({}));
      writeFileSync(join(dir, 'migrations/001.sql'), 'CREATE TABLE t (a int, b int);');
      utimesSync(join(dir, 'migrations/001.sql'), new Date(2031, 0, 1), new Date(2031, 0, 1));
      expect(loadSchema(dir, normalizeSettings({}))).toBe(first);
      await new Promise((r) => setTimeout(r, 1100));
      expect(rel(loadSchema(dir, normalizeSettings({})), 't').columns).toEqual(['a', 'b']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
