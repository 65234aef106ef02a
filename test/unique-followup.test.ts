/**
 * require-partial-unique-index's follow-up migration, run on a real PostgreSQL (PGlite): it must execute as given
 * and leave what seed 000 asks for — a deleted user's email can be registered again, two live users cannot share one.
 */
import type { PGlite } from '@electric-sql/pglite';
import { Linter } from 'eslint';
import { describe, expect, it } from 'vitest';
import plugin from '../src/index.js';
import { PGLITE_TIMEOUT, usePGlite } from './helpers/pglite.js';

const MIGRATION = 'CREATE TABLE users (id serial PRIMARY KEY, email text NOT NULL UNIQUE, deleted_at timestamptz);';

/** The follow-up SQL from the rule's message for `sql` (a single finding expected). */
function followUp(sql: string): string {
  const linter = new Linter({ configType: 'flat' });
  const messages = linter.verify(
    sql,
    [
      {
        files: ['**/*.sql'],
        plugins: { 'soft-delete': plugin as never },
        language: 'soft-delete/sql',
        settings: { 'soft-delete': { tables: { users: { column: 'deleted_at' } } } },
        rules: { 'soft-delete/require-partial-unique-index': 'error' },
      },
    ],
    '001_users.sql',
  );
  expect(messages).toHaveLength(1);
  const match = /follow-up migration: (.*?;)(?= A partial index| Replace|$)/.exec(messages[0]!.message);
  expect(match, messages[0]!.message).not.toBeNull();
  return match![1]!;
}

describe('the follow-up migration of a full UNIQUE (seed 000, Q2)', { timeout: PGLITE_TIMEOUT }, () => {
  let db: PGlite;
  usePGlite(async (instance) => {
    db = instance;
  });

  it('runs as given and lets a deleted email be registered again', async () => {
    const sql = followUp(MIGRATION);
    expect(sql).toMatch(/CREATE UNIQUE INDEX CONCURRENTLY \S+ ON users \(email\) WHERE deleted_at IS NULL;/);
    await db.exec(MIGRATION);
    await db.query("INSERT INTO users (email) VALUES ('alice@example.com')");
    await db.query("UPDATE users SET deleted_at = now() WHERE email = 'alice@example.com'");
    // Before: the full UNIQUE blocks re-registration.
    await expect(db.query("INSERT INTO users (email) VALUES ('alice@example.com')")).rejects.toMatchObject({ code: '23505' });
    // The follow-up, one statement at a time (CREATE INDEX CONCURRENTLY cannot run inside a transaction block).
    for (const statement of sql.split(/;\s*/).filter(Boolean)) await db.exec(`${statement};`);
    await db.query("INSERT INTO users (email) VALUES ('alice@example.com')");
    await expect(db.query("INSERT INTO users (email) VALUES ('alice@example.com')")).rejects.toMatchObject({ code: '23505' });
    const { rows } = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM users WHERE email = 'alice@example.com'");
    expect(rows[0]!.n).toBe(2);
  });
});
