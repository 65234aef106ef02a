/**
 * Every claim the rules' messages and docs make about PostgreSQL behaviour, shown against a real PostgreSQL
 * (PGlite: PostgreSQL compiled to WASM, in-process). Where the analyzer has a verdict on the same SQL, the test
 * ties the two together: what the database does is why the verdict is right.
 *
 * One PGlite instance for the file (starting one costs ~1.5–3 s); every test gets a fresh `claim` schema.
 */
import type { PGlite } from '@electric-sql/pglite';
import { beforeEach, describe, expect, it } from 'vitest';
import { lowerFragments } from '../src/engine.js';
import { ReadAnalyzer } from '../src/analysis/reads.js';
import { schemaFromSql } from '../src/schema/apply.js';
import { normalizeSettings } from '../src/settings.js';
import { wholeFileFragment } from '../src/sql/fragment.js';
import { readFindings } from './helpers/analyze.js';
import { PGLITE_TIMEOUT, usePGlite } from './helpers/pglite.js';

/** Seed 000, section 11 (users are soft-deleted, orders are not) and seed 004 (plans, organizations). */
const SEED_DDL = `
CREATE TABLE organizations (id integer PRIMARY KEY, name text, deleted_at timestamptz);
CREATE TABLE users (
  id integer PRIMARY KEY,
  org_id integer REFERENCES organizations(id),
  email text NOT NULL,
  plan text NOT NULL DEFAULT 'free',
  deleted_at timestamptz -- NULL means active
);
-- Seed 000, Q2: the partial unique index that lets a deleted user's email be registered again.
CREATE UNIQUE INDEX users_email_live ON users (email) WHERE deleted_at IS NULL;
CREATE TABLE orders (id integer PRIMARY KEY, user_id integer NOT NULL REFERENCES users(id), total numeric NOT NULL DEFAULT 0);
`;

let db: PGlite;
usePGlite(async (instance) => {
  db = instance;
  await db.exec('CREATE ROLE sd_app; CREATE ROLE sd_owner;');
});

async function ids(sql: string, params: unknown[] = [], column = 'id'): Promise<number[]> {
  const { rows } = await db.query<Record<string, number>>(sql, params);
  return rows.map((r) => r[column]!).sort((a, b) => a - b);
}

/** The error PostgreSQL raises for `sql`; fails the test when the statement succeeds. */
async function pgError(sql: string, params: unknown[] = []): Promise<{ code: string; message: string }> {
  try {
    await (params.length ? db.query(sql, params) : db.exec(sql));
  } catch (error) {
    const e = error as { code?: string; message: string };
    return { code: e.code ?? '', message: e.message };
  }
  throw new Error(`expected PostgreSQL to reject: ${sql}`);
}

/** require-stream-table-filter's findings for the definitions (views, matviews, stream tables) in `sql`. */
function definitionFindings(sql: string, schemaSql: string): Array<{ name: string; verdict: string; at: string }> {
  const analyzer = new ReadAnalyzer({ schema: schemaFromSql(schemaSql), settings: normalizeSettings({}) });
  const { statements, parseErrors } = lowerFragments([wholeFileFragment(sql)]);
  if (parseErrors.length) throw new Error(parseErrors[0]!.error.message);
  return statements.flatMap((s) =>
    s.definitions.flatMap((d) =>
      d.query
        ? analyzer.checkDefinition(d.query, d.kind === 'view').findings.map((f) => {
            // The finding's span is in its fragment (a stream table's query is a string literal inside `sql`).
            const start = f.fragment.toSource(f.start);
            return { name: d.name, verdict: f.verdict, at: sql.slice(start, start + (f.end - f.start)) };
          })
        : [],
    ),
  );
}

describe('PostgreSQL behaviour the rules rely on (PGlite)', { timeout: PGLITE_TIMEOUT }, () => {
  beforeEach(async () => {
    await db.exec('RESET ROLE; DROP SCHEMA IF EXISTS claim CASCADE; DROP SCHEMA IF EXISTS pgtrickle CASCADE; CREATE SCHEMA claim; SET search_path TO claim;');
  });

  it('runs a real PostgreSQL', async () => {
    const { rows } = await db.query<{ v: string }>('SELECT version() AS v');
    expect(rows[0]!.v).toMatch(/^PostgreSQL \d+/);
  });

  describe('seed 000, section 11: the orders-by-email incident', () => {
    const unfiltered = 'SELECT * FROM orders WHERE user_id IN (\n    SELECT id FROM users WHERE email = $1\n)';
    const filtered = 'SELECT * FROM orders WHERE user_id IN (\n    SELECT id FROM users WHERE email = $1 AND deleted_at IS NULL\n)';

    beforeEach(async () => {
      await db.exec(SEED_DDL);
      // Alice (100) deleted her account; a new Alice (847) registered with the same email.
      await db.exec(`
        INSERT INTO users (id, email, deleted_at) VALUES (100, 'alice@example.com', '2024-01-15');
        INSERT INTO users (id, email) VALUES (847, 'alice@example.com');
        INSERT INTO orders (id, user_id) VALUES (1001, 100), (1002, 847);`);
    });

    it('the unfiltered lookup shows the new account the old account\'s orders, and the analyzer flags it', async () => {
      expect(await ids(unfiltered, ['alice@example.com'])).toEqual([1001, 1002]);
      const findings = readFindings(unfiltered, { schema: SEED_DDL });
      expect(findings).toMatchObject([{ verdict: 'missing', at: 'users', filter: 'deleted_at IS NULL' }]);
      // The analyzer's own fix, run against the database, closes the leak.
      expect(await ids(findings[0]!.fixed!, ['alice@example.com'])).toEqual([1002]);
    });

    it('with `AND deleted_at IS NULL` only the live account\'s orders come back, and the analyzer accepts it', async () => {
      expect(await ids(filtered, ['alice@example.com'])).toEqual([1002]);
      expect(readFindings(filtered, { schema: SEED_DDL })).toEqual([]);
    });

    it('an outer filter does not cover the subquery: filtering orders leaves the users lookup open', async () => {
      const outer = 'SELECT o.id FROM orders o WHERE o.total >= 0 AND o.user_id IN (SELECT id FROM users WHERE email = $1)';
      expect(await ids(outer, ['alice@example.com'])).toEqual([1001, 1002]);
      expect(readFindings(outer, { schema: SEED_DDL }).map((f) => f.at)).toEqual(['users']);
    });

    it("the seed's joined fix returns only the live account's orders", async () => {
      const sql = 'SELECT o.id FROM orders o\nJOIN users u ON u.id = o.user_id\nWHERE u.email = $1 AND u.deleted_at IS NULL AND u.id = $2';
      expect(await ids(sql, ['alice@example.com', 847])).toEqual([1002]);
      expect(readFindings(sql, { schema: SEED_DDL })).toEqual([]);
    });

    it('a foreign key to users(id) does not know about soft delete: a deleted user can still be referenced', async () => {
      await db.exec('INSERT INTO orders (id, user_id) VALUES (1003, 100)');
      expect(await ids('SELECT id FROM orders WHERE user_id = 100')).toEqual([1001, 1003]);
    });
  });

  describe('predicates', () => {
    // 1, 2 live; 3, 4 deleted (4 long ago); 3 has the admin email.
    beforeEach(async () => {
      await db.exec(SEED_DDL);
      await db.exec(`
        INSERT INTO users (id, email, plan, deleted_at) VALUES
          (1, 'a@example.com', 'free', NULL),
          (2, 'b@example.com', 'pro', NULL),
          (3, 'admin@example.com', 'pro', now() - interval '1 day'),
          (4, 'd@example.com', 'free', now() - interval '200 days');`);
    });

    it('`deleted_at = NULL` is never true (no row at all), while `IS NULL` returns the live rows', async () => {
      expect(await ids('SELECT id FROM users WHERE deleted_at = NULL')).toEqual([]);
      expect(await ids('SELECT id FROM users WHERE deleted_at <> NULL')).toEqual([]);
      expect((await db.query<{ r: boolean | null }>('SELECT NULL::timestamptz = NULL AS r')).rows[0]!.r).toBeNull();
      expect(await ids('SELECT id FROM users WHERE deleted_at IS NULL')).toEqual([1, 2]);
      expect(readFindings('SELECT id FROM users WHERE deleted_at = NULL', { schema: SEED_DDL })).toMatchObject([{ verdict: 'never-true' }]);
      expect(readFindings('SELECT id FROM users WHERE deleted_at IS NULL', { schema: SEED_DDL })).toEqual([]);
    });

    it.each([
      'deleted_at IS NULL',
      'deleted_at IS NOT DISTINCT FROM NULL',
      'NOT (deleted_at IS NOT NULL)',
      "(deleted_at IS NULL AND plan = 'free') OR (deleted_at IS NULL AND plan = 'pro')",
      "(plan = 'free' OR plan = 'pro') AND deleted_at IS NULL",
    ])('accepted as a filter, and returns exactly the live rows: %s', async (predicate) => {
      const sql = `SELECT id FROM users WHERE ${predicate}`;
      expect(await ids(sql)).toEqual([1, 2]);
      expect(readFindings(sql, { schema: SEED_DDL })).toEqual([]);
    });

    it.each<[string, number[]]>([
      ['deleted_at IS NOT NULL', [3, 4]],
      ["deleted_at < now() - interval '90 days'", [4]],
      ["deleted_at BETWEEN now() - interval '2 days' AND now()", [3]],
      ['NOT (deleted_at IS NULL)', [3, 4]],
    ])('a deliberate read of deleted rows (trash view, purge job) returns only deleted rows and is not reported: %s', async (predicate, expected) => {
      const sql = `SELECT id FROM users WHERE ${predicate}`;
      expect(await ids(sql)).toEqual(expected);
      expect(readFindings(sql, { schema: SEED_DDL })).toEqual([]);
    });

    it('an OR whose other branch does not filter returns deleted rows', async () => {
      const sql = "SELECT id FROM users u WHERE u.deleted_at IS NULL OR u.email = 'admin@example.com'";
      expect(await ids(sql)).toEqual([1, 2, 3]);
      expect(readFindings(sql, { schema: SEED_DDL })).toMatchObject([{ verdict: 'or-defeated', filter: 'u.deleted_at IS NULL' }]);
      // The message's advice: `(… OR …) AND filter`.
      expect(await ids("SELECT id FROM users u WHERE (u.plan = 'pro' OR u.email = 'admin@example.com') AND u.deleted_at IS NULL")).toEqual([2]);
    });
  });

  describe('outer joins', () => {
    beforeEach(async () => {
      await db.exec(SEED_DDL);
      await db.exec(`
        INSERT INTO organizations (id, name, deleted_at) VALUES (10, 'live org', NULL), (20, 'deleted org', '2024-01-01');
        INSERT INTO users (id, org_id, email) VALUES (1, 10, 'a@x'), (2, 20, 'b@x'), (3, NULL, 'c@x');`);
    });

    it('the filter in WHERE drops the left rows whose match was deleted; in ON it keeps them with NULLs', async () => {
      const inWhere = 'SELECT u.id, o.id AS org FROM users u LEFT JOIN organizations o ON o.id = u.org_id WHERE u.deleted_at IS NULL AND o.deleted_at IS NULL';
      const inOn = 'SELECT u.id, o.id AS org FROM users u LEFT JOIN organizations o ON o.id = u.org_id AND o.deleted_at IS NULL WHERE u.deleted_at IS NULL';
      // User 2, whose organization was deleted, vanishes. User 3 (no organization at all) stays: o.deleted_at
      // is NULL on the NULL-extended row too, so the WHERE filter is inner-join-like only for rows that had a match.
      expect(await ids(inWhere)).toEqual([1, 3]);
      expect((await db.query('SELECT u.id FROM users u JOIN organizations o ON o.id = u.org_id WHERE o.deleted_at IS NULL')).rows).toEqual([{ id: 1 }]);
      expect(await ids(inOn)).toEqual([1, 2, 3]);
      expect((await db.query<{ id: number; org: number | null }>(`${inOn} ORDER BY u.id`)).rows).toEqual([
        { id: 1, org: 10 },
        { id: 2, org: null },
        { id: 3, org: null },
      ]);

      const [finding] = readFindings(inWhere, { schema: SEED_DDL });
      expect(finding).toMatchObject({ verdict: 'outer-where', at: 'organizations', filter: 'o.deleted_at IS NULL' });
      // The suggested fix (move the filter into ON) gives the ON result.
      expect(await ids(finding!.fixed!)).toEqual([1, 2, 3]);
      expect(readFindings(inOn, { schema: SEED_DDL })).toEqual([]);
    });

    it('FULL JOIN: a filter in WHERE also drops the other side\'s rows whose only match was deleted; filtering before the join keeps them', async () => {
      const inWhere = 'SELECT u.id, o.id AS org FROM users u FULL JOIN organizations o ON o.id = u.org_id WHERE o.deleted_at IS NULL';
      // User 2's organization is deleted: the WHERE filter drops user 2 altogether.
      expect(await ids(inWhere)).toEqual([1, 3]);
      const [finding] = readFindings(inWhere, { schema: SEED_DDL }).filter((f) => f.at === 'organizations');
      expect(finding).toMatchObject({ verdict: 'full-join' });
      // The suggestion filters the side before the join: user 2 stays, with no organization.
      expect((await db.query<{ id: number; org: number | null }>(`${finding!.fixed!} ORDER BY u.id`)).rows).toEqual([
        { id: 1, org: 10 },
        { id: 2, org: null },
        { id: 3, org: null },
      ]);
      // A filter in a FULL JOIN's ON filters nothing: the deleted organization still comes back, unmatched.
      const inOn = 'SELECT o.id FROM users u FULL JOIN organizations o ON o.id = u.org_id AND o.deleted_at IS NULL';
      expect((await db.query<{ id: number | null }>(inOn)).rows.map((r) => r.id)).toContain(20);
    });

    it('`= NULL` in an outer join\'s ON makes it match nothing; inside an OR the other branch decides alone', async () => {
      const rows = (await db.query<{ id: number; org: number | null }>('SELECT u.id, o.id AS org FROM users u LEFT JOIN organizations o ON o.id = u.org_id AND o.deleted_at = NULL ORDER BY u.id')).rows;
      expect(rows).toEqual([{ id: 1, org: null }, { id: 2, org: null }, { id: 3, org: null }]);
      expect(await ids("SELECT id FROM organizations WHERE deleted_at = NULL OR name = 'deleted org'")).toEqual([20]);
    });

    it('with a NOT NULL foreign key every row has a match, so the WHERE filter is exactly an inner join', async () => {
      await db.exec(`UPDATE users SET deleted_at = '2024-02-01' WHERE id = 2; INSERT INTO orders (id, user_id) VALUES (1, 1), (2, 2);`);
      const leftWhere = 'SELECT o.id FROM orders o LEFT JOIN users u ON u.id = o.user_id WHERE u.deleted_at IS NULL';
      const inner = 'SELECT o.id FROM orders o JOIN users u ON u.id = o.user_id WHERE u.deleted_at IS NULL';
      expect(await ids(leftWhere)).toEqual([1]);
      expect(await ids(inner)).toEqual([1]);
    });
  });

  describe('UNIQUE constraints on a soft-delete table (seed 000, Q2)', () => {
    const register = "INSERT INTO users (email) VALUES ('alice@example.com')";
    const softDelete = "UPDATE users SET deleted_at = now() WHERE email = 'alice@example.com' AND deleted_at IS NULL";
    // Explicit instants: PGlite's clock has millisecond resolution, so now() in two quick transactions can be equal.
    const softDeleteAt = (at: string) => softDelete.replace('now()', `'${at}'`);
    const table = (constraint: string) =>
      db.exec(`CREATE TABLE users (id serial PRIMARY KEY, email text NOT NULL, deleted_at timestamptz${constraint ? `, ${constraint}` : ''})`);
    const count = async () => (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM users')).rows[0]!.n;

    it('a full UNIQUE on email blocks re-registration after a soft delete', async () => {
      await table('UNIQUE (email)');
      await db.exec(register);
      await db.exec(softDelete);
      expect(await pgError(register)).toMatchObject({ code: '23505', message: expect.stringContaining('users_email_key') });
    });

    it('a partial unique index WHERE deleted_at IS NULL allows re-registration and still rejects two live rows', async () => {
      await table('');
      await db.exec('CREATE UNIQUE INDEX users_email_live ON users (email) WHERE deleted_at IS NULL');
      await db.exec(register);
      await db.exec(softDelete);
      await db.exec(register); // re-registration
      expect(await pgError(register)).toMatchObject({ code: '23505' }); // a second live Alice
      // Deleted rows never collide, even with identical timestamps (one transaction: now() is the same).
      await db.exec(`BEGIN; ${softDelete}; ${register}; ${softDelete}; COMMIT;`);
      expect(await count()).toBe(3);
    });

    it('UNIQUE (email, deleted_at) lets two LIVE rows share an email (NULLs are distinct)', async () => {
      await table('UNIQUE (email, deleted_at)');
      await db.exec(register);
      await db.exec(register);
      expect(await ids("SELECT id FROM users WHERE email = 'alice@example.com' AND deleted_at IS NULL")).toEqual([1, 2]);
    });

    it('UNIQUE NULLS NOT DISTINCT (email, deleted_at) forbids two live rows, but also two deleted rows with the same deleted_at', async () => {
      await table('UNIQUE NULLS NOT DISTINCT (email, deleted_at)');
      await db.exec(register);
      expect(await pgError(register)).toMatchObject({ code: '23505' }); // two live: rejected, as intended
      await db.exec(softDeleteAt('2024-01-01'));
      await db.exec(register); // re-registration works
      await db.exec(softDeleteAt('2024-02-01'));
      expect(await count()).toBe(2);
      // The trade-off: deleted_at is part of the key, so deleting a second Alice at the same instant collides.
      // now() is the transaction's start time: delete, re-register and delete again in one transaction fails.
      await db.exec(register);
      await db.exec('BEGIN');
      await db.exec(softDelete);
      await db.exec(register);
      expect(await pgError(softDelete)).toMatchObject({
        code: '23505',
        message: expect.stringContaining('users_email_deleted_at_key'),
      });
      await db.exec('ROLLBACK');
      // Explicit identical timestamps (e.g. a date column, or a batch job's single timestamp) collide too.
      expect(await pgError("INSERT INTO users (email, deleted_at) VALUES ('bob@x', '2024-01-01'), ('bob@x', '2024-01-01')")).toMatchObject({
        code: '23505',
      });
    });

    it('an inverted partial index WHERE deleted_at IS NOT NULL lets two live rows share an email', async () => {
      await table('');
      await db.exec('CREATE UNIQUE INDEX users_email_deleted ON users (email) WHERE deleted_at IS NOT NULL');
      await db.exec(register);
      await db.exec(register);
      expect(await count()).toBe(2);
      // …and it is the deleted rows it constrains: deleting both Alices at once now fails.
      expect(await pgError(softDelete)).toMatchObject({ code: '23505' });
    });
  });

  describe('INSERT … ON CONFLICT and the partial unique index', () => {
    beforeEach(async () => {
      await db.exec(`
        CREATE TABLE users (id serial PRIMARY KEY, email text NOT NULL, deleted_at timestamptz);
        CREATE UNIQUE INDEX users_email_live ON users (email) WHERE deleted_at IS NULL;
        INSERT INTO users (email, deleted_at) VALUES ('old@x', '2024-01-01'), ('live@x', NULL);`);
    });

    it('ON CONFLICT (email) fails when the only unique on email is partial', async () => {
      expect(await pgError("INSERT INTO users (email) VALUES ('live@x') ON CONFLICT (email) DO NOTHING")).toEqual({
        code: '42P10',
        message: 'there is no unique or exclusion constraint matching the ON CONFLICT specification',
      });
    });

    it('ON CONFLICT (email) WHERE deleted_at IS NULL infers the partial index: live duplicates do nothing, deleted ones re-register', async () => {
      const upsert = (email: string) => db.query('INSERT INTO users (email) VALUES ($1) ON CONFLICT (email) WHERE deleted_at IS NULL DO NOTHING', [email]);
      expect((await upsert('live@x')).affectedRows).toBe(0);
      expect((await upsert('old@x')).affectedRows).toBe(1);
      expect(await ids("SELECT id FROM users WHERE email = 'old@x'")).toHaveLength(2);
    });

    it('with a full UNIQUE instead, ON CONFLICT (email) DO NOTHING silently swallows a re-registration', async () => {
      await db.exec('DROP INDEX users_email_live; DELETE FROM users WHERE deleted_at IS NULL; ALTER TABLE users ADD UNIQUE (email);');
      const result = await db.query("INSERT INTO users (email) VALUES ('old@x') ON CONFLICT (email) DO NOTHING");
      expect(result.affectedRows).toBe(0);
      expect(await ids("SELECT id FROM users WHERE email = 'old@x' AND deleted_at IS NULL")).toEqual([]);
    });
  });

  describe('foreign keys must reference the primary key', () => {
    it('a partial unique index cannot be referenced by a foreign key; a full unique constraint can', async () => {
      await db.exec(`
        CREATE TABLE users (id serial PRIMARY KEY, email text NOT NULL, deleted_at timestamptz);
        CREATE UNIQUE INDEX users_email_live ON users (email) WHERE deleted_at IS NULL;`);
      expect(await pgError('CREATE TABLE invites (id serial PRIMARY KEY, email text REFERENCES users (email))')).toEqual({
        code: '42830',
        message: 'there is no unique constraint matching given keys for referenced table "users"',
      });
      await db.exec('CREATE TABLE invites (id serial PRIMARY KEY, user_id integer REFERENCES users (id))');
      await db.exec('CREATE TABLE accounts (id serial PRIMARY KEY, email text UNIQUE, deleted_at timestamptz)');
      await db.exec('CREATE TABLE notes (id serial PRIMARY KEY, email text REFERENCES accounts (email))');
    });
  });

  describe('views and CTEs', () => {
    const VIEWS = `
      CREATE VIEW active_users AS SELECT id, email FROM users WHERE deleted_at IS NULL;
      CREATE VIEW all_users AS SELECT * FROM users;
      CREATE VIEW emails AS SELECT id, email FROM users;`;
    beforeEach(async () => {
      await db.exec(SEED_DDL + VIEWS);
      await db.exec("INSERT INTO users (id, email, deleted_at) VALUES (1, 'a@x', NULL), (2, 'b@x', '2024-01-01')");
    });

    it('a view that filters hides deleted rows, so reading it is safe', async () => {
      expect(await ids('SELECT * FROM active_users')).toEqual([1]);
      expect(readFindings('SELECT * FROM active_users', { schema: SEED_DDL + VIEWS })).toEqual([]);
    });

    it('a view that passes deleted_at through can be filtered by its readers', async () => {
      expect(await ids('SELECT * FROM all_users')).toEqual([1, 2]);
      expect(await ids('SELECT * FROM all_users WHERE deleted_at IS NULL')).toEqual([1]);
      expect(readFindings('SELECT * FROM all_users', { schema: SEED_DDL + VIEWS })).toMatchObject([{ via: 'all_users' }]);
      expect(readFindings('SELECT * FROM all_users WHERE deleted_at IS NULL', { schema: SEED_DDL + VIEWS })).toEqual([]);
    });

    it('a view that does not expose deleted_at leaks deleted rows and no reader can filter them', async () => {
      expect(await ids('SELECT * FROM emails')).toEqual([1, 2]);
      expect(await pgError('SELECT * FROM emails WHERE deleted_at IS NULL')).toMatchObject({
        code: '42703',
        message: 'column "deleted_at" does not exist',
      });
      expect(definitionFindings(VIEWS, SEED_DDL)).toEqual([
        { name: 'emails', verdict: 'missing', at: 'users' }, // require-stream-table-filter: viewLeak
      ]);
    });

    it('`SELECT *` in a view is expanded when the view is created: a deleted_at added later is not in the view', async () => {
      await db.exec(`
        CREATE TABLE posts (id integer PRIMARY KEY, title text);
        CREATE VIEW all_posts AS SELECT * FROM posts;
        ALTER TABLE posts ADD COLUMN deleted_at timestamptz;
        INSERT INTO posts VALUES (1, 'live', NULL), (2, 'gone', '2024-01-01');`);
      expect(await ids('SELECT * FROM all_posts')).toEqual([1, 2]);
      expect(await pgError('SELECT * FROM all_posts WHERE deleted_at IS NULL')).toMatchObject({ code: '42703' });
    });

    // The schema model snapshots a view's columns at CREATE VIEW time, as PostgreSQL does, so readers of
    // `all_posts` are not asked for a filter PostgreSQL would reject (the view itself is reported instead).
    it('the analyzer treats a `SELECT *` view created before deleted_at as one that hides the column', () => {
      const history = `
        CREATE TABLE posts (id integer PRIMARY KEY, title text);
        CREATE VIEW all_posts AS SELECT * FROM posts;
        ALTER TABLE posts ADD COLUMN deleted_at timestamptz;`;
      expect(readFindings('SELECT * FROM all_posts', { schema: history })).toEqual([]);
    });

    it('a CTE that passes deleted_at through can be filtered outside it', async () => {
      const sql = 'WITH everyone AS (SELECT * FROM users) SELECT id FROM everyone WHERE deleted_at IS NULL';
      expect(await ids(sql)).toEqual([1]);
      expect(readFindings(sql, { schema: SEED_DDL })).toEqual([]);
      const leak = 'WITH everyone AS (SELECT * FROM users) SELECT id FROM everyone';
      expect(await ids(leak)).toEqual([1, 2]);
      expect(readFindings(leak, { schema: SEED_DDL })).toMatchObject([{ at: 'users', via: 'everyone' }]);
    });

    it('a CTE that drops deleted_at cannot be filtered outside, so it must filter inside', async () => {
      expect(await pgError('WITH e AS (SELECT id, email FROM users) SELECT id FROM e WHERE deleted_at IS NULL')).toMatchObject({ code: '42703' });
      expect(readFindings('WITH e AS (SELECT id, email FROM users) SELECT id FROM e', { schema: SEED_DDL }).map((f) => f.at)).toEqual(['users']);
      expect(await ids('WITH e AS (SELECT id, email FROM users WHERE deleted_at IS NULL) SELECT id FROM e')).toEqual([1]);
    });
  });

  describe('seed 004: ghost rows in maintained aggregates', () => {
    // pg_trickle is not available in PGlite: a stand-in with the same call shape creates a materialized view, and
    // REFRESH plays the part of the incremental refresh (which must produce what a full recompute produces).
    const STAND_IN = `
      CREATE SCHEMA pgtrickle;
      CREATE FUNCTION pgtrickle.create_stream_table(name text, query text) RETURNS void LANGUAGE plpgsql AS $fn$
      BEGIN EXECUTE format('CREATE MATERIALIZED VIEW %I AS %s', name, query); END $fn$;`;
    // Verbatim from seed 004.
    const BUGGY = `SELECT pgtrickle.create_stream_table(
      'plan_counts_buggy',
      'SELECT plan, COUNT(*) AS user_count FROM users GROUP BY plan'
  );`;
    const CORRECT = `SELECT pgtrickle.create_stream_table(
      'plan_counts',
      $$ SELECT plan, COUNT(*) AS user_count FROM users WHERE deleted_at IS NULL GROUP BY plan $$
  );`;
    const proCount = async (view: string) =>
      (await db.query<{ n: number }>(`SELECT user_count::int AS n FROM ${view} WHERE plan = 'pro'`)).rows[0]?.n ?? 0;
    const refresh = () => db.exec('REFRESH MATERIALIZED VIEW plan_counts_buggy; REFRESH MATERIALIZED VIEW plan_counts;');

    beforeEach(async () => {
      await db.exec(SEED_DDL + STAND_IN);
      await db.exec("INSERT INTO users (id, email, plan) VALUES (1, 'a@x', 'pro'), (2, 'b@x', 'pro'), (3, 'c@x', 'free')");
      await db.exec(BUGGY + CORRECT);
    });

    it('the analyzer reports the unfiltered stream table and accepts the filtered one', () => {
      expect(definitionFindings(BUGGY, SEED_DDL)).toEqual([{ name: 'plan_counts_buggy', verdict: 'missing', at: 'users' }]);
      expect(definitionFindings(CORRECT, SEED_DDL)).toEqual([]);
    });

    it('after a soft delete and a refresh the unfiltered count does not go down; the filtered one does', async () => {
      expect([await proCount('plan_counts_buggy'), await proCount('plan_counts')]).toEqual([2, 2]);
      await db.exec('UPDATE users SET deleted_at = now() WHERE id = 1');
      await refresh();
      expect([await proCount('plan_counts_buggy'), await proCount('plan_counts')]).toEqual([2, 1]);
      // Churn: a new user arrives, another leaves. The unfiltered count only grows.
      await db.exec("INSERT INTO users (id, email, plan) VALUES (4, 'd@x', 'pro'); UPDATE users SET deleted_at = now() WHERE id = 2;");
      await refresh();
      expect([await proCount('plan_counts_buggy'), await proCount('plan_counts')]).toEqual([3, 1]);
    });

    it('un-deleting re-includes the row; purging tombstones changes only the unfiltered count', async () => {
      await db.exec('UPDATE users SET deleted_at = now() WHERE id = 1');
      await refresh();
      await db.exec('UPDATE users SET deleted_at = NULL WHERE id = 1');
      await refresh();
      expect(await proCount('plan_counts')).toBe(2);
      await db.exec("UPDATE users SET deleted_at = now() - interval '100 days' WHERE id = 2");
      await db.exec("DELETE FROM users WHERE deleted_at < now() - interval '90 days'");
      await refresh();
      expect([await proCount('plan_counts_buggy'), await proCount('plan_counts')]).toEqual([1, 1]);
    });

    it('a join over two soft-delete tables: deleting the organization hides its users', async () => {
      const directory = `SELECT u.id FROM users u JOIN organizations o ON o.id = u.org_id WHERE u.deleted_at IS NULL AND o.deleted_at IS NULL`;
      await db.exec("INSERT INTO organizations (id, name) VALUES (10, 'acme'), (20, 'other'); UPDATE users SET org_id = 10 WHERE id IN (1, 2); UPDATE users SET org_id = 20 WHERE id = 3;");
      expect(await ids(directory)).toEqual([1, 2, 3]);
      await db.exec('UPDATE organizations SET deleted_at = now() WHERE id = 10');
      expect(await ids(directory)).toEqual([3]);
      expect(readFindings(directory, { schema: SEED_DDL })).toEqual([]);
    });
  });

  describe('row-level security (settings.trustRls)', () => {
    const POLICY = `
      ALTER TABLE users ENABLE ROW LEVEL SECURITY;
      CREATE POLICY no_soft_deleted ON users USING (deleted_at IS NULL);`;
    beforeEach(async () => {
      await db.exec(SEED_DDL + POLICY);
      await db.exec(`
        INSERT INTO users (id, email, deleted_at) VALUES (1, 'a@x', NULL), (2, 'b@x', '2024-01-01');
        GRANT USAGE ON SCHEMA claim TO sd_app, sd_owner;
        GRANT SELECT ON users TO sd_app;
        ALTER TABLE users OWNER TO sd_owner;`);
    });

    it('the policy hides deleted rows from an ordinary role, which is what trustRls relies on', async () => {
      await db.exec('SET ROLE sd_app');
      expect(await ids('SELECT id FROM users')).toEqual([1]);
      expect(readFindings('SELECT id FROM users', { schema: SEED_DDL + POLICY, settings: { trustRls: true } })).toEqual([]);
      expect(readFindings('SELECT id FROM users', { schema: SEED_DDL + POLICY })).toHaveLength(1);
    });

    it('superusers, and the table owner unless FORCE ROW LEVEL SECURITY, bypass the policy and see deleted rows', async () => {
      expect(await ids('SELECT id FROM users')).toEqual([1, 2]); // superuser
      await db.exec('SET ROLE sd_owner');
      expect(await ids('SELECT id FROM users')).toEqual([1, 2]);
      await db.exec('ALTER TABLE users FORCE ROW LEVEL SECURITY');
      expect(await ids('SELECT id FROM users')).toEqual([1]);
    });
  });
});
