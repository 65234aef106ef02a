/**
 * require-partial-unique-index's suggestions, applied to a migrations directory and run on a real PostgreSQL
 * (PGlite): every edit it offers must leave migrations that run, and an in-place edit is offered only where the
 * soft-delete column exists at that point of the history (else PostgreSQL rejects it: column does not exist).
 */
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { afterAll, describe, expect, it } from 'vitest';
import plugin from '../src/index.js';
import { clearSchemaCache } from '../src/schema/load.js';
import { PGLITE_TIMEOUT, usePGlite } from './helpers/pglite.js';

const fixture = fileURLToPath(new URL('./fixtures/unique-suggestions/', import.meta.url));
const RULE = 'soft-delete/require-partial-unique-index';

function eslint(cwd: string): ESLint {
  return new ESLint({
    cwd,
    overrideConfigFile: true,
    overrideConfig: [
      ...plugin.configs.recommended,
      { settings: { 'soft-delete': { schema: ['migrations/*.sql'] } }, rules: { [RULE]: 'error' } },
    ],
    cache: false,
  });
}

describe('every suggestion of require-partial-unique-index, applied and run on PGlite', { timeout: PGLITE_TIMEOUT }, () => {
  const db = usePGlite();
  const dir = mkdtempSync(join(tmpdir(), 'soft-delete-unique-suggestions-'));
  cpSync(fixture, dir, { recursive: true });
  const migrations = join(dir, 'migrations');
  const files = readdirSync(migrations).filter((f) => f.endsWith('.sql')).sort();
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  async function run(texts: string[]): Promise<void> {
    for (const [k, text] of texts.entries()) {
      try {
        await db().exec(text);
      } catch (error) {
        throw new Error(`${files[k]}: ${(error as Error).message}`);
      }
    }
  }

  it('the migrations run as written (the fixture is valid PostgreSQL)', async () => {
    await db().exec('CREATE SCHEMA before_edits; SET search_path TO before_edits');
    await run(files.map((f) => readFileSync(join(migrations, f), 'utf8')));
    await db().exec('SET search_path TO public');
  });

  it('offers no in-place edit before the column exists, and every edit it offers leaves migrations that run', async () => {
    clearSchemaCache();
    const [first] = await eslint(dir).lintFiles([join(migrations, '001_users.sql')]);
    const early = first!.messages.filter((m) => m.ruleId === RULE);
    // reported (the table is soft-deletable at the end of history), but the edit belongs in a later migration
    expect(early.length).toBe(2);
    expect(early.every((m) => (m.suggestions ?? []).length === 0)).toBe(true);

    const applied: string[] = [];
    for (let round = 0; round < 40; round++) {
      clearSchemaCache();
      const results = await eslint(dir).lintFiles(files.map((f) => join(migrations, f)));
      const next = results.flatMap((r) => r.messages.filter((m) => m.ruleId === RULE && m.suggestions?.length).map((m) => ({ r, m })))[0];
      if (!next) break;
      const suggestion = next.m.suggestions![0]!;
      const text = readFileSync(next.r.filePath, 'utf8');
      writeFileSync(next.r.filePath, text.slice(0, suggestion.fix.range[0]) + suggestion.fix.text + text.slice(suggestion.fix.range[1]));
      applied.push(`${next.r.filePath.slice(migrations.length + 1)}: ${next.m.messageId}`);
    }
    expect(applied).toEqual([
      '002_soft_delete_users.sql: addedSoftDelete',
      '003_orgs.sql: fullUnique',
      '003_orgs.sql: fullUnique',
      '003_orgs.sql: partialNotActive',
      '003_orgs.sql: invertedPredicate',
      '003_orgs.sql: fullUnique',
      '004_projects.sql: addedSoftDelete',
    ]);
    const edited = files.map((f) => readFileSync(join(migrations, f), 'utf8'));
    await run(edited);

    // what the edits are for: a deleted user's email and handle can be registered again, two live users cannot share them
    await db().query("INSERT INTO users (email, handle) VALUES ('a@example.com', 'a')");
    await db().query("UPDATE users SET deleted_at = now() WHERE email = 'a@example.com'");
    await db().query("INSERT INTO users (email, handle) VALUES ('a@example.com', 'a')");
    await expect(db().query("INSERT INTO users (email, handle) VALUES ('a@example.com', 'b')")).rejects.toMatchObject({ code: '23505' });
    await db().query("INSERT INTO orgs (slug, name) VALUES ('acme', 'Acme')");
    await db().query("UPDATE orgs SET deleted_at = now() WHERE slug = 'acme'");
    await db().query("INSERT INTO orgs (slug, name) VALUES ('acme', 'Acme')");
    await expect(db().query("INSERT INTO orgs (slug, name) VALUES ('acme', 'Other')")).rejects.toMatchObject({ code: '23505' });

    // and nothing is left to report
    clearSchemaCache();
    const after = await eslint(dir).lintFiles(files.map((f) => join(migrations, f)));
    expect(after.flatMap((r) => r.messages.filter((m) => m.ruleId === RULE).map((m) => `${r.filePath}:${m.line} ${m.message}`))).toEqual([]);
  });
});
