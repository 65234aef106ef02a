/**
 * `soft-delete-review schema pull` against a real PostgreSQL server (PGlite on a TCP port): the snapshot it writes is
 * read back as a schema source — soft-delete tables, uniques with their verdicts, views, RLS — and used to lint.
 * Bad URLs and refused connections are one-line errors.
 */
import { existsSync, mkdtempSync, readFileSync, realpathSync, writeFileSync, mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ESLint } from 'eslint';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import plugin from '../src/index.js';
import { clearSchemaCache, loadSchema } from '../src/schema/load.js';
import { findRelation } from '../src/schema/model.js';
import { normalizeSettings } from '../src/settings.js';
import { review } from './helpers/git-repo.js';
import { PGLITE_TIMEOUT, servedDatabase } from './helpers/pglite.js';
import { servePGlite } from './helpers/pg-server.js';

const DATABASE = `
CREATE SCHEMA billing;
CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL, handle text UNIQUE, deleted_at timestamptz);
CREATE UNIQUE INDEX users_email_live ON users (email) WHERE deleted_at IS NULL;
CREATE TABLE trash (id bigint PRIMARY KEY, payload jsonb, deleted_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE billing.invoices (id bigint PRIMARY KEY, user_id bigint REFERENCES users (id), "deletedAt" timestamptz);
CREATE VIEW live_users AS SELECT id, email FROM users WHERE deleted_at IS NULL;
CREATE VIEW all_users AS SELECT id, email, deleted_at FROM users;
CREATE MATERIALIZED VIEW user_count AS SELECT count(*) AS n FROM users;
ALTER TABLE users ENABLE ROW LEVEL SECURITY;
CREATE POLICY live_only ON users FOR SELECT USING (deleted_at IS NULL);
`;

function project(): string {
  return realpathSync(mkdtempSync(join(tmpdir(), 'soft-delete-pull-')));
}

describe('schema pull from a live PostgreSQL server', { timeout: PGLITE_TIMEOUT }, () => {
  const { db, server } = servedDatabase(DATABASE);

  it('writes a snapshot the plugin reads as the schema, and lints against it', async () => {
    const dir = project();
    const { code, stdout, stderr } = await review(dir, 'schema', 'pull', '--database-url', server().url);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toMatch(/^wrote schema\.sql: 3 table\(s\), 3 view\(s\) from postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:\d+\/postgres\n$/);
    const snapshot = readFileSync(join(dir, 'schema.sql'), 'utf8');
    expect(snapshot).toContain('CREATE UNIQUE INDEX users_email_live ON public.users USING btree (email) WHERE (deleted_at IS NULL);');
    expect(snapshot).not.toContain('secret');

    clearSchemaCache();
    const settings = normalizeSettings({});
    const model = loadSchema(dir, settings);
    expect(model.problems).toEqual([]);
    expect(model.files).toEqual([join(dir, 'schema.sql')]);
    const users = findRelation(model, null, 'users')!;
    expect(users.columns).toEqual(['id', 'email', 'handle', 'deleted_at']);
    expect(users.primaryKey).toEqual(['id']);
    expect(users.notNull).toEqual(['id', 'email']);
    expect(users.uniques.map((u) => [u.name, u.where])).toEqual([
      ['users_handle_key', null],
      ['users_email_live', '(deleted_at IS NULL)'], // as pg_get_indexdef writes it
    ]);
    expect(users.rlsEnabled).toBe(true);
    expect(users.policies.map((p) => [p.name, p.using])).toEqual([['live_only', '(deleted_at IS NULL)']]);
    expect(findRelation(model, 'billing', 'invoices')?.foreignKeys?.map((f) => f.references)).toEqual([{ schema: 'public', name: 'users' }]);
    expect(findRelation(model, null, 'live_users')?.kind).toBe('view');
    expect(findRelation(model, null, 'user_count')?.kind).toBe('materialized-view');

    // the snapshot as the schema source of a lint: the leak, the trash table (NOT NULL: no marker), the safe view
    mkdirSync(join(dir, 'src'));
    writeFileSync(
      join(dir, 'src/q.js'),
      [
        "export const a = (db) => db.query('SELECT id FROM users WHERE email = $1', [e]);",
        "export const b = (db) => db.query('SELECT id FROM trash');",
        "export const c = (db) => db.query('SELECT id FROM live_users');",
        "export const d = (db) => db.query('SELECT id FROM all_users');",
        '',
      ].join('\n'),
    );
    const eslint = new ESLint({ cwd: dir, overrideConfigFile: true, overrideConfig: plugin.configs.recommended });
    const results = await eslint.lintFiles(['src/q.js', 'schema.sql']);
    const byFile = Object.fromEntries(results.map((r) => [r.filePath.slice(dir.length + 1), r.messages.map((m) => `${m.line} ${m.ruleId}`)]));
    expect(byFile['src/q.js']).toEqual(['1 soft-delete/require-soft-delete-filter', '4 soft-delete/require-soft-delete-filter']);
    // the full unique on users.handle is reported in the snapshot, like in any dump
    expect(byFile['schema.sql']).toContain(`${readFileSync(join(dir, 'schema.sql'), 'utf8').split('\n').findIndex((l) => l.includes('users_handle_key')) + 1} soft-delete/require-partial-unique-index`);
  });

  it('--output names the file; the URL may come from DATABASE_URL', async () => {
    const dir = project();
    const previous = process.env.DATABASE_URL;
    process.env.DATABASE_URL = server().url;
    try {
      const { code, stdout } = await review(dir, 'schema', 'pull', '--output', 'db/snapshot.sql');
      expect(code).toBe(0);
      expect(stdout).toMatch(/^wrote db\/snapshot\.sql: /);
    } finally {
      if (previous === undefined) delete process.env.DATABASE_URL;
      else process.env.DATABASE_URL = previous;
    }
    expect(readFileSync(join(dir, 'db/snapshot.sql'), 'utf8')).toContain('CREATE TABLE public.users (');
  });

  it('a refused connection, a bad URL and a missing URL are one-line errors (exit 2), with the password hidden', async () => {
    const dir = project();
    const closed = await servePGlite(db());
    await closed.close();
    const refused = await review(dir, 'schema', 'pull', '--database-url', closed.url);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/^soft-delete-review: cannot connect to postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:\d+\/postgres: connection refused[^\n]*\n$/);
    const bad = await review(dir, 'schema', 'pull', '--database-url', 'mysql://x@y/z');
    expect(bad).toMatchObject({ code: 2, stderr: "soft-delete-review: --database-url must be a postgres:// or postgresql:// URL, got 'mysql://x@y/z'\n" });
    const previous = process.env.DATABASE_URL;
    delete process.env.DATABASE_URL;
    try {
      const missing = await review(dir, 'schema', 'pull');
      expect(missing).toMatchObject({ code: 2, stderr: 'soft-delete-review: schema pull needs --database-url (or DATABASE_URL)\n' });
    } finally {
      if (previous !== undefined) process.env.DATABASE_URL = previous;
    }
  });
});

describe('schema pull: functions, triggers, views in dependency order, permissions', { timeout: PGLITE_TIMEOUT }, () => {
  const HISTORY = `
CREATE TABLE authors (id bigint PRIMARY KEY, deleted_at timestamptz);
CREATE TABLE books (id bigint PRIMARY KEY, author_id bigint REFERENCES authors (id), title text, deleted_at timestamptz);
CREATE FUNCTION cascade_author_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE books SET deleted_at = NEW.deleted_at WHERE author_id = NEW.id AND deleted_at IS NULL;
  RETURN NEW;
END $$;
CREATE TRIGGER authors_cascade AFTER UPDATE OF deleted_at ON authors FOR EACH ROW
  WHEN (OLD.deleted_at IS NULL AND NEW.deleted_at IS NOT NULL) EXECUTE FUNCTION cascade_author_delete();
CREATE VIEW shelf AS SELECT id, title FROM books;
CREATE VIEW shelf_titles AS SELECT title FROM shelf;
CREATE VIEW live_books AS SELECT id, title FROM books WHERE deleted_at IS NULL;
-- an old view made to read a newer one: creation order (oids) is no longer dependency order
CREATE OR REPLACE VIEW shelf AS SELECT id, title FROM live_books;
CREATE ROLE reader NOLOGIN;
`;
  const { db, server } = servedDatabase(HISTORY);

  it('writes trigger functions and triggers (the cascade rule sees them) and views after what they read', async () => {
    const dir = project();
    const { code, stderr } = await review(dir, 'schema', 'pull', '--database-url', server().url);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const snapshot = readFileSync(join(dir, 'schema.sql'), 'utf8');
    expect(snapshot).toContain('CREATE OR REPLACE FUNCTION public.cascade_author_delete()');
    expect(snapshot).toMatch(/CREATE TRIGGER authors_cascade AFTER UPDATE OF deleted_at ON public\.authors FOR EACH ROW WHEN \(+old\.deleted_at IS NULL\)? AND \(?new\.deleted_at IS NOT NULL\)+ EXECUTE FUNCTION (?:public\.)?cascade_author_delete\(\);/);
    const at = (name: string) => snapshot.indexOf(`CREATE VIEW public.${name} AS`);
    expect(at('live_books')).toBeGreaterThan(0);
    expect(at('live_books')).toBeLessThan(at('shelf'));
    expect(at('shelf')).toBeLessThan(at('shelf_titles'));

    // PostgreSQL itself accepts the snapshot, in its order
    const fresh = await PGlite.create();
    try {
      await fresh.exec(snapshot);
      expect((await fresh.query('SELECT count(*)::int AS n FROM pg_trigger WHERE NOT tgisinternal')).rows).toEqual([{ n: 1 }]);
    } finally {
      await fresh.close();
    }

    clearSchemaCache();
    const model = loadSchema(dir, normalizeSettings({}));
    expect(model.problems).toEqual([]);
    expect(findRelation(model, null, 'authors')?.triggers?.map((t) => [t.name, t.function.name])).toEqual([['authors_cascade', 'cascade_author_delete']]);
    expect([...(model.functions?.keys() ?? [])]).toEqual(['public.cascade_author_delete']);
    // the view reading a filtering view needs no filter of its readers
    const { ReadAnalyzer } = await import('../src/analysis/reads.js');
    const reads = new ReadAnalyzer({ schema: model, settings: normalizeSettings({}) });
    const shelf = findRelation(model, null, 'shelf')!;
    expect(reads.requirementsOfRelation(shelf.schema, shelf.name, shelf)).toEqual([]);

    // the cascade rule is satisfied by the pulled trigger: books' foreign key to authors is not reported
    const eslint = new ESLint({ cwd: dir, overrideConfigFile: true, overrideConfig: plugin.configs.strict });
    const [result] = await eslint.lintFiles(['schema.sql']);
    expect(result!.messages.filter((m) => m.ruleId === 'soft-delete/require-soft-delete-cascade')).toEqual([]);
  });

  it('a role that may not read the catalog gets a one-line permission error (exit 2), and nothing is written', async () => {
    const dir = project();
    await db().exec('REVOKE SELECT ON pg_catalog.pg_class FROM PUBLIC; SET ROLE reader;');
    let result;
    try {
      result = await review(dir, 'schema', 'pull', '--database-url', server().url);
    } finally {
      await db().exec('RESET ROLE; GRANT SELECT ON pg_catalog.pg_class TO PUBLIC;');
    }
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^soft-delete-review: missing permission to read the catalog of postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:\d+\/postgres: permission denied for table pg_class \(the role needs to read pg_catalog; no write permission is needed\)\n$/);
    expect(existsSync(join(dir, 'schema.sql'))).toBe(false);
  });
});
