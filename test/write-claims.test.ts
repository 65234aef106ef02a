/**
 * The write rules' claims, shown on a real PostgreSQL (PGlite): the UPDATE that no-hard-delete suggests runs and
 * soft-deletes exactly the live rows the DELETE would have removed; a purge constrained on `deleted_at` can only
 * remove rows already soft-deleted; an UPDATE without the active-row filter modifies a soft-deleted row.
 */
import type { PGlite } from '@electric-sql/pglite';
import { beforeEach, describe, expect, it } from 'vitest';
import { lowerFragments } from '../src/engine.js';
import { wholeFileFragment } from '../src/sql/fragment.js';
import { schemaFromSql } from '../src/schema/apply.js';
import { normalizeSettings } from '../src/settings.js';
import { checkHardDeletes, checkTombstoneUpdates } from '../src/analysis/writes.js';
import { checkCascades } from '../src/analysis/cascades.js';
import { checkPolicies } from '../src/analysis/rls.js';
import { applyEdits } from './helpers/analyze.js';
import { PGLITE_TIMEOUT, usePGlite } from './helpers/pglite.js';

const DDL = `
CREATE TABLE organizations (id integer PRIMARY KEY, name text, deleted_at timestamptz);
CREATE TABLE users (id integer PRIMARY KEY, org_id integer REFERENCES organizations(id), email text NOT NULL, deleted_at timestamptz);
`;
const DATA = `
INSERT INTO organizations VALUES (1, 'live', NULL), (2, 'gone', now() - interval '1 day');
INSERT INTO users VALUES
  (1, 1, 'a@x', NULL),
  (2, 2, 'b@x', NULL),
  (3, 2, 'c@x', '2020-01-01'),
  (4, 1, 'd@x', now() - interval '200 days');
`;

const getDb = usePGlite();
let db: PGlite;
beforeEach(async () => {
  db = getDb();
  await db.exec(`RESET ROLE; DROP SCHEMA IF EXISTS w CASCADE; CREATE SCHEMA w; SET search_path = w; ${DDL} ${DATA}`);
}, PGLITE_TIMEOUT);

const context = { schema: schemaFromSql(DDL), settings: normalizeSettings({}) };
const statementsOf = (sql: string) => lowerFragments([wholeFileFragment(sql)]).statements;

/** The suggested rewrite of a reported DELETE. */
function suggestion(sql: string): string {
  const [finding] = checkHardDeletes(statementsOf(sql), context);
  expect(finding).toBeDefined();
  const fixed = applyEdits(sql, finding!.fix);
  expect(fixed).not.toBeNull();
  return fixed!;
}

async function state(): Promise<Array<[number, boolean]>> {
  const { rows } = await db.query<{ id: number; deleted: boolean }>('SELECT id, deleted_at IS NOT NULL AS deleted FROM users ORDER BY id');
  return rows.map((r) => [r.id, r.deleted]);
}

async function deletedAt(id: number): Promise<string | null> {
  const { rows } = await db.query<{ d: string | null }>('SELECT deleted_at::text AS d FROM users WHERE id = $1', [id]);
  return rows[0]?.d ?? null;
}

describe('no-hard-delete on PostgreSQL', () => {
  it('the suggested UPDATE runs and soft-deletes the rows the DELETE would remove, leaving tombstones untouched', async () => {
    const sql = 'DELETE FROM users u USING organizations o WHERE u.org_id = o.id AND o.deleted_at IS NOT NULL RETURNING u.id';
    const update = suggestion(sql);
    const before = await deletedAt(3);
    const { rows } = await db.query<{ id: number }>(update);
    expect(rows.map((r) => r.id)).toEqual([2]); // only the live user of the deleted organization
    expect(await state()).toEqual([[1, false], [2, true], [3, true], [4, true]]);
    expect(await deletedAt(3)).toBe(before); // the old tombstone keeps its date
    // The DELETE itself would have removed both users of the organization, the tombstone too.
    await db.exec(`DROP SCHEMA w CASCADE; CREATE SCHEMA w; SET search_path = w; ${DDL} ${DATA}`);
    const { rows: removed } = await db.query<{ id: number }>(sql);
    expect(removed.map((r) => r.id).sort()).toEqual([2, 3]);
  }, PGLITE_TIMEOUT);

  it('with parameters, OR and no WHERE, the suggestion is valid SQL', async () => {
    const byEmail = suggestion('DELETE FROM users WHERE id = $1 OR email = $2');
    await db.query(byEmail, [1, 'c@x']);
    expect(await state()).toEqual([[1, true], [2, false], [3, true], [4, true]]);
    expect(await deletedAt(3)).toBe('2020-01-01 00:00:00+00');
    await db.query(suggestion('DELETE FROM users'));
    expect(await state()).toEqual([[1, true], [2, true], [3, true], [4, true]]);
  }, PGLITE_TIMEOUT);

  it('a purge constrained on deleted_at only ever removes rows already soft-deleted (a comparison with NULL is never true)', async () => {
    for (const purge of ["DELETE FROM users WHERE deleted_at < now() - interval '90 days'", 'DELETE FROM users WHERE deleted_at IS NOT NULL']) {
      expect(checkHardDeletes(statementsOf(purge), context)).toEqual([]);
      await db.exec('BEGIN');
      await db.query(purge);
      const { rows } = await db.query<{ id: number }>('SELECT id FROM users WHERE deleted_at IS NULL ORDER BY id');
      expect(rows.map((r) => r.id)).toEqual([1, 2]); // every live row is still there
      await db.exec('ROLLBACK');
    }
  }, PGLITE_TIMEOUT);
});

describe('no-tombstone-update on PostgreSQL', () => {
  it('an UPDATE by id changes a soft-deleted row; with the suggested filter it does not', async () => {
    const sql = 'UPDATE users SET email = $1 WHERE id = $2';
    const [finding] = checkTombstoneUpdates(statementsOf(sql), context);
    expect(finding?.filter).toBe('deleted_at IS NULL');
    const unsafe = await db.query(sql, ['new@x', 3]);
    expect(unsafe.affectedRows).toBe(1); // the deleted account's email was changed
    const fixed = applyEdits(sql, finding!.fix)!;
    const safe = await db.query(fixed, ['newer@x', 3]);
    expect(safe.affectedRows).toBe(0);
    expect((await db.query(fixed, ['a2@x', 1])).affectedRows).toBe(1); // live rows are still updated
  }, PGLITE_TIMEOUT);
});

describe('soft-delete cascades on PostgreSQL (require-soft-delete-cascade)', () => {
  const TABLES = `
    CREATE TABLE teams (id int PRIMARY KEY, name text, deleted_at timestamptz);
    CREATE TABLE members (id int PRIMARY KEY, team_id int REFERENCES teams(id) ON DELETE CASCADE, deleted_at timestamptz);
    CREATE FUNCTION cascade_team() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN UPDATE members SET deleted_at = NEW.deleted_at WHERE team_id = NEW.id; RETURN NEW; END $$;`;
  const ROWS = "INSERT INTO teams VALUES (1, 'a', NULL); INSERT INTO members VALUES (1, 1, NULL), (2, 1, '2020-01-01');";
  const trigger = (when: string) =>
    `CREATE TRIGGER teams_cascade AFTER UPDATE OF deleted_at ON teams FOR EACH ROW ${when} EXECUTE FUNCTION cascade_team();`;
  const members = async () =>
    (await db.query<{ id: number; d: string | null }>('SELECT id, deleted_at::text AS d FROM members ORDER BY id')).rows.map((r) => [r.id, r.d]);
  const verdicts = (sql: string) =>
    checkCascades(statementsOf(sql), { schema: schemaFromSql(''), settings: normalizeSettings({}) }, '/x/a.sql', false).map((f) => f.verdict);

  it('ON DELETE CASCADE does nothing when the parent is soft-deleted', async () => {
    await db.exec(TABLES + ROWS);
    await db.exec("UPDATE teams SET deleted_at = '2024-01-01' WHERE id = 1");
    expect(await members()).toEqual([[1, null], [2, '2020-01-01 00:00:00+00']]);
    expect(verdicts(TABLES)).toEqual(['delete-cascade-only']);
  }, PGLITE_TIMEOUT);

  it('the trigger with WHEN (OLD … IS NULL AND NEW … IS NOT NULL) cascades the soft delete, and only that', async () => {
    const sql = TABLES + trigger('WHEN (OLD.deleted_at IS NULL AND NEW.deleted_at IS NOT NULL)');
    await db.exec(sql + ROWS);
    await db.exec("UPDATE teams SET deleted_at = '2024-01-01' WHERE id = 1");
    expect(await members()).toEqual([[1, '2024-01-01 00:00:00+00'], [2, '2024-01-01 00:00:00+00']]);
    await db.exec("UPDATE teams SET deleted_at = '2024-02-02' WHERE id = 1"); // a later edit of the tombstone
    expect((await members())[0]).toEqual([1, '2024-01-01 00:00:00+00']); // does not fire again
    expect(verdicts(sql)).toEqual([]);
  }, PGLITE_TIMEOUT);

  it('without WHEN the trigger also fires on a restore, bringing back children deleted on their own', async () => {
    const sql = TABLES + trigger('');
    await db.exec(sql + ROWS);
    await db.exec("UPDATE teams SET deleted_at = '2024-01-01' WHERE id = 1");
    await db.exec('UPDATE teams SET deleted_at = NULL WHERE id = 1');
    expect(await members()).toEqual([[1, null], [2, null]]); // member 2 was deleted in 2020 and is live again
    expect(verdicts(sql)).toEqual(['no-when']);
  }, PGLITE_TIMEOUT);

  it('with the WHEN inverted, a soft delete never cascades', async () => {
    const sql = TABLES + trigger('WHEN (OLD.deleted_at IS NOT NULL AND NEW.deleted_at IS NULL)');
    await db.exec(sql + ROWS);
    await db.exec("UPDATE teams SET deleted_at = '2024-01-01' WHERE id = 1");
    expect((await members())[0]).toEqual([1, null]);
    expect(verdicts(sql)).toEqual(['inverted-when']);
  }, PGLITE_TIMEOUT);
});

describe('soft-delete RLS policies on PostgreSQL (require-forced-rls)', () => {
  const TABLE = `CREATE TABLE docs (id int PRIMARY KEY, deleted_at timestamptz); ALTER TABLE docs ENABLE ROW LEVEL SECURITY;`;
  const ROWS = "INSERT INTO docs VALUES (1, NULL), (2, '2024-01-01');";
  const visible = async (using: string) => {
    await db.exec(`${TABLE} CREATE POLICY p ON docs USING (${using}); ${ROWS}
      DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'w_reader') THEN CREATE ROLE w_reader; END IF; END $$;
      GRANT USAGE ON SCHEMA w TO w_reader; GRANT SELECT ON docs TO w_reader; SET ROLE w_reader;`);
    try {
      return (await db.query<{ id: number }>('SELECT id FROM docs ORDER BY id')).rows.map((r) => r.id);
    } finally {
      await db.exec('RESET ROLE');
    }
  };
  const verdicts = (using: string) =>
    checkPolicies(statementsOf(`${TABLE} ALTER TABLE docs FORCE ROW LEVEL SECURITY; CREATE POLICY p ON docs USING (${using});`), { schema: schemaFromSql(''), settings: normalizeSettings({}) }, '/x/a.sql', false).map((f) => f.verdict);

  it('`deleted_at IS NULL` hides the deleted row; the inverted predicate shows only it; `= NULL` hides every row', async () => {
    expect(await visible('deleted_at IS NULL')).toEqual([1]);
    expect(verdicts('deleted_at IS NULL')).toEqual([]);
    await db.exec('DROP SCHEMA w CASCADE; CREATE SCHEMA w; SET search_path = w;');
    expect(await visible('deleted_at IS NOT NULL')).toEqual([2]);
    expect(verdicts('deleted_at IS NOT NULL')).toEqual(['inverted']);
    await db.exec('DROP SCHEMA w CASCADE; CREATE SCHEMA w; SET search_path = w;');
    expect(await visible('deleted_at = NULL')).toEqual([]);
    expect(verdicts('deleted_at = NULL')).toEqual(['never-true']);
  }, PGLITE_TIMEOUT);
});

describe('partial indexes on PostgreSQL (prefer-partial-index)', () => {
  it('the suggested partial index is smaller, serves reads of live rows, and not reads that include deleted ones', async () => {
    await db.exec(`
      CREATE TABLE accounts (id int PRIMARY KEY, plan text, deleted_at timestamptz);
      INSERT INTO accounts SELECT g, 'plan' || (g % 50), CASE WHEN g % 4 = 0 THEN now() END FROM generate_series(1, 20000) g;
      CREATE INDEX accounts_plan_full ON accounts (plan);
      ${'CREATE INDEX accounts_plan_live ON accounts (plan) WHERE deleted_at IS NULL'};
      ANALYZE accounts;
      SET enable_seqscan = off;`);
    try {
      const size = async (name: string) => (await db.query<{ n: number }>(`SELECT pg_relation_size('${name}')::int AS n`)).rows[0]!.n;
      expect(await size('accounts_plan_live')).toBeLessThan(await size('accounts_plan_full'));
      const plan = async (sql: string) => (await db.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${sql}`)).rows.map((r) => r['QUERY PLAN']).join('\n');
      await db.exec('DROP INDEX accounts_plan_full');
      expect(await plan("SELECT id FROM accounts WHERE plan = 'plan7' AND deleted_at IS NULL")).toContain('accounts_plan_live');
      expect(await plan("SELECT id FROM accounts WHERE plan = 'plan7'")).not.toContain('accounts_plan_live');
    } finally {
      await db.exec('RESET enable_seqscan');
    }
  }, PGLITE_TIMEOUT);
});
