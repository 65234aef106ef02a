import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { main } from '../src/cli.js';
import { clearSchemaCache } from '../src/schema/load.js';

async function run(cwd: string, ...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  clearSchemaCache();
  const code = await main(argv, { cwd, isTTY: false, stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
  return { code, stdout, stderr };
}

describe('soft-delete-review schema', () => {
  it('prints each soft-delete table, its uniques with verdicts and where each fact came from', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'soft-delete-explain-'));
    cpSync(fileURLToPath(new URL('./fixtures/knex-project/', import.meta.url)), dir, { recursive: true });
    writeFileSync(
      join(dir, 'migrations', '20240401000000_views.ts'),
      "export async function up(knex) {\n  await knex.raw('CREATE VIEW live_users AS SELECT id, email FROM users WHERE deleted_at IS NULL');\n  await knex.raw('CREATE VIEW all_users AS SELECT id, email, deleted_at FROM users');\n}\n",
    );
    const { code, stdout, stderr } = await run(dir, 'schema');
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toContain('Schema read from 4 file(s)');
    expect(stdout).toMatch(/^ {2}public\.users {2}active rows: deleted_at IS NULL {2}\[migrations\/20240101000000_users\.ts:4\]$/m);
    expect(stdout).toMatch(/^ {4}unique index users_email_live \(email\) WHERE deleted_at IS NULL: ok: unique among live rows only {2}\[migrations\/20240201000000_soft_delete\.ts:7\]$/m);
    expect(stdout).toMatch(/^ {4}unique constraint teams_slug_unique \(slug\): covers soft-deleted rows.*\[migrations\/20240301000000_teams\.ts:6\]$/m);
    expect(stdout).toMatch(/^ {2}billing\.invoices {2}active rows: deleted_at IS NULL/m);
    expect(stdout).toMatch(/^ {2}public\.live_users \(view\): its readers need no filter {2}\[migrations\/20240401000000_views\.ts:2\]$/m);
    expect(stdout).toMatch(/^ {2}public\.all_users \(view\): passes soft-deleted rows through: readers must filter deleted_at IS NULL/m);
    expect(stdout).toMatch(/^Other tables \(1\): audit_log$/m);
  });

  it('says when no schema was found, and where it looked', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'soft-delete-explain-'));
    const { code, stdout } = await run(dir, 'schema');
    expect(code).toBe(0);
    expect(stdout).toContain('No schema file found under');
    expect(stdout).toContain('Soft-delete tables (0):\n  none');
  });

  it('reads the settings of the project ESLint config', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'soft-delete-explain-'));
    writeFileSync(join(dir, 'eslint.config.js'), "export default [{ settings: { 'soft-delete': { tables: { features: { column: 'archived_at' } } } } }];\n");
    writeFileSync(join(dir, 'package.json'), '{ "type": "module" }\n');
    const { stdout } = await run(dir, 'schema');
    expect(stdout).toMatch(/^ {2}features {2}active rows: archived_at IS NULL {2}\[settings\]$/m);
  });
});
