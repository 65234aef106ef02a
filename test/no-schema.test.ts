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

  it('reports nothing and warns once, naming the places it looked and the setting to use', async () => {
    resetWarnings();
    process.on('warning', listener);
    const cwd = project({
      'src/a.ts': 'await sql`SELECT * FROM users`;',
      'src/b.ts': "await pool.query('SELECT * FROM users WHERE email = $1', [e]);",
    });
    const results = await eslintIn(cwd).lintFiles(['src']);
    await new Promise((resolve) => setImmediate(resolve)); // warnings are emitted on the next tick
    expect(results.flatMap((r) => r.messages)).toEqual([]);
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
