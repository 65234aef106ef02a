import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ESLint } from 'eslint';
import tsParser from '@typescript-eslint/parser';
import { afterEach, describe, expect, it } from 'vitest';
import plugin from '../src/index.js';
import { resetWarnings } from '../src/engine.js';

function project(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'soft-delete-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

function eslintIn(cwd: string, settings: Record<string, unknown> = {}): ESLint {
  return new ESLint({
    cwd,
    overrideConfigFile: true,
    overrideConfig: [
      { files: ['**/*.ts'], languageOptions: { parser: tsParser } },
      ...plugin.configs.recommended,
      { settings },
    ],
  });
}

describe('a project without a schema', () => {
  const warnings: Error[] = [];
  const listener = (w: Error) => warnings.push(w);
  afterEach(() => {
    process.off('warning', listener);
    warnings.length = 0;
  });

  it('checks nothing, says so in one schema-status report, and warns once, naming the places it looked and the setting to use', async () => {
    resetWarnings();
    process.on('warning', listener);
    const cwd = project({
      'src/a.ts': 'await sql`SELECT * FROM users`;',
      'src/b.ts': "await pool.query('SELECT * FROM users WHERE email = $1', [e]);",
    });
    const results = await eslintIn(cwd).lintFiles(['src']);
    await new Promise((resolve) => setImmediate(resolve)); // warnings are emitted on the next tick
    expect(results.flatMap((r) => r.messages).map((m) => m.ruleId)).toEqual(['soft-delete/schema-status']);
    const ours = warnings.filter((w) => (w as { code?: string }).code === 'SOFT_DELETE_NO_SCHEMA');
    expect(ours).toHaveLength(1);
    expect(ours[0]!.message).toContain('no schema found under');
    expect(ours[0]!.message).toContain('settings["soft-delete"].schema');
  });

  it('tables declared in settings are enough, without any migration', async () => {
    resetWarnings();
    process.on('warning', listener);
    const cwd = project({ 'src/a.ts': 'await sql`SELECT * FROM users`;' });
    const results = await eslintIn(cwd, { 'soft-delete': { tables: { users: { column: 'deleted_at' } } } }).lintFiles(['src']);
    await new Promise((resolve) => setImmediate(resolve));
    expect(results[0]!.messages.map((m) => [m.ruleId, m.line, m.column])).toEqual([['soft-delete/require-soft-delete-filter', 1, 25]]);
    expect(warnings.filter((w) => (w as { code?: string }).code === 'SOFT_DELETE_NO_SCHEMA')).toEqual([]);
  });

  it('discovers migrations/ with no settings at all', async () => {
    const cwd = project({
      'migrations/001_users.sql': 'CREATE TABLE users (id int PRIMARY KEY, deleted_at timestamptz);',
      'src/a.ts': 'await sql`SELECT * FROM users`;',
    });
    const results = await eslintIn(cwd).lintFiles(['src']);
    expect(results[0]!.messages).toHaveLength(1);
  });
});

describe('migrations and schema problems', () => {
  const warnings: Error[] = [];
  const listener = (w: Error) => warnings.push(w);
  afterEach(() => {
    process.off('warning', listener);
    warnings.length = 0;
  });

  it('leaves backfills in migrations alone by default, checks them with checkMigrations', async () => {
    const cwd = project({
      'migrations/001_users.sql': 'CREATE TABLE users (id int PRIMARY KEY, email text, deleted_at timestamptz);\nCREATE TABLE archive (id int, email text);\n',
      'migrations/002_backfill.sql': 'CREATE INDEX users_email_idx ON users (email);\nINSERT INTO archive SELECT id, email FROM users;\n',
      'queries/report.sql': 'SELECT id, email FROM users;\n',
    });
    const ids = (results: ESLint.LintResult[]) =>
      results.flatMap((r) => r.messages.map((m) => `${r.filePath.slice(cwd.length + 1)}:${m.line} ${m.ruleId}`));
    expect(ids(await eslintIn(cwd).lintFiles(['.']))).toEqual(['queries/report.sql:1 soft-delete/require-soft-delete-filter']);
    const strict = new ESLint({
      cwd,
      overrideConfigFile: true,
      overrideConfig: [...plugin.configs.recommended, { rules: { 'soft-delete/require-soft-delete-filter': ['error', { checkMigrations: true }] } }],
    });
    expect(ids(await strict.lintFiles(['.']))).toEqual([
      'migrations/002_backfill.sql:2 soft-delete/require-soft-delete-filter',
      'queries/report.sql:1 soft-delete/require-soft-delete-filter',
    ]);
  });

  it('says once which schema statements could not be read, and keeps the rest', async () => {
    process.on('warning', listener);
    const cwd = project({
      'migrations/001_users.sql': 'CREATE TABLE users (id int PRIMARY KEY, deleted_at timestamptz);\n',
      'migrations/002_broken.sql': 'CREATE TABLE orders (id int,);\nCREATE TABLE posts (id int, deleted_at timestamptz);\n',
      'src/a.ts': 'await sql`SELECT * FROM posts`;\nawait sql`SELECT * FROM users`;',
    });
    const results = await eslintIn(cwd).lintFiles(['src']);
    await eslintIn(cwd).lintFiles(['src']);
    await new Promise((resolve) => setImmediate(resolve));
    expect(results[0]!.messages.filter((m) => m.ruleId === 'soft-delete/require-soft-delete-filter').map((m) => m.line)).toEqual([1, 2]);
    expect(results[0]!.messages.filter((m) => m.ruleId === 'soft-delete/schema-status')).toHaveLength(1);
    const ours = warnings.filter((w) => (w as { code?: string }).code === 'SOFT_DELETE_SCHEMA_PROBLEMS');
    expect(ours).toHaveLength(1);
    expect(ours[0]!.message).toMatch(/1 part\(s\) of the schema files could not be read/);
    expect(ours[0]!.message).toMatch(/002_broken\.sql:1:\d+: syntax error/);
  });
});
