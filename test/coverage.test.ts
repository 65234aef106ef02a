/**
 * The coverage line soft-delete-review prints at the end of a run: a clean run means something only next to what
 * was checked — files linted, SQL statements analysed, reads of soft-delete tables checked, database calls not
 * understood — and what the schema held.
 */
import { mkdtempSync, realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { review, write } from './helpers/git-repo.js';

function project(files: Record<string, string>): string {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), 'soft-delete-coverage-')));
  write(dir, files);
  return dir;
}

const coverageOf = (stderr: string): string | undefined => /^soft-delete-review: coverage: (.*)$/m.exec(stderr)?.[1];

describe('the coverage line', () => {
  it('counts files, statements, reads of soft-delete tables (joins and subqueries each), and calls not understood (SQL that did not parse, SQL from a value, a table from a value)', async () => {
    const dir = project({
      'migrations/001.sql': 'CREATE TABLE users (id int PRIMARY KEY, deleted_at timestamptz);\nCREATE TABLE plans (id int PRIMARY KEY);\n',
      'src/a.js': [
        "export const a = (db) => db.query('SELECT id FROM users WHERE deleted_at IS NULL');",
        "export const b = (db) => db.query('SELECT p.id FROM plans p JOIN users u ON u.id = p.id WHERE u.deleted_at IS NULL');",
        "export const c = (db) => db.query('SELECT id FROM plans WHERE id IN (SELECT id FROM users)');",
        "export const d = (db) => db.query('SELECT id FROM plans WHERE');",
        'export const e = (db, text) => db.query(text);',
        'export const f = (db, table) => db.query(`SELECT id FROM ${table}`);',
        '',
      ].join('\n'),
      'src/b.js': 'export const b = 1;\n',
    });
    const { code, stderr } = await review(dir, '--all', '--format', 'json');
    expect(code).toBe(1); // the unfiltered subquery
    expect(coverageOf(stderr)).toBe(
      '3 file(s) linted, 6 SQL statement(s) analysed, 3 read(s) of soft-delete tables checked, 3 database call(s) not understood; ' +
        'schema: 1 file(s), 1 soft-delete table(s)',
    );
    expect(stderr.trimEnd().split('\n').at(-1)).toMatch(/^soft-delete-review: coverage: /); // printed last
  });

  it('says when no schema was found', async () => {
    const dir = project({ 'src/a.js': "export const a = (db) => db.query('SELECT id FROM users');\n" });
    const { stderr } = await review(dir, '--all', '--format', 'text');
    expect(coverageOf(stderr)).toBe(
      '1 file(s) linted, 1 SQL statement(s) analysed, 0 read(s) of soft-delete tables checked, 0 database call(s) not understood; no schema found',
    );
  });
});
