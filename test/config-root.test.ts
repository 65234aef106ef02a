/**
 * Where relative `schema` globs are resolved when the ESLint config is not where ESLint would look for it
 * (`eslint -c tools/lint/eslint.config.js`, the ESLint class's `overrideConfigFile`). ESLint tells a rule its cwd and
 * the linted file, never which config file it came from; so globs relative to the config's folder need
 * `root: import.meta.dirname` (or absolute globs). Without it, the miss is reported by schema-status, never silent.
 */
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { beforeAll, describe, expect, it } from 'vitest';
import { clearSchemaCache, loadSchema } from '../src/schema/load.js';
import { normalizeSettings, settingsProblems } from '../src/settings.js';

const repo = fileURLToPath(new URL('..', import.meta.url));
const pluginEntry = join(repo, 'dist/src/index.js');

/** A project whose config lives in tools/lint/ and names the migrations relative to that folder. */
function project(settings: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'sd-config-root-'));
  for (const d of ['tools/lint', 'db/migrations', 'src']) mkdirSync(join(dir, d), { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'config-root', private: true, type: 'module' }));
  writeFileSync(join(dir, 'db/migrations/001_users.sql'), 'CREATE TABLE users (id bigint PRIMARY KEY, email text, deleted_at timestamptz);\n');
  writeFileSync(join(dir, 'src/users.js'), "export const q = (sql) => sql`SELECT email FROM users`;\n");
  writeFileSync(
    join(dir, 'tools/lint/eslint.config.js'),
    `import softDelete from ${JSON.stringify(pluginEntry)};\nexport default [...softDelete.configs.recommended, { settings: { 'soft-delete': ${settings} } }];\n`,
  );
  return dir;
}

async function lint(dir: string, cwd: string): Promise<string[]> {
  clearSchemaCache();
  const eslint = new ESLint({ cwd, overrideConfigFile: join(dir, 'tools/lint/eslint.config.js') });
  const [result] = await eslint.lintFiles([join(dir, 'src/users.js')]);
  return result!.messages.map((m) => `${m.ruleId}: ${m.message.split(':')[0]}`);
}

describe('schema globs with the config outside the lookup path (overrideConfigFile)', () => {
  beforeAll(() => {
    if (!existsSync(pluginEntry)) throw new Error('dist/ is missing: run `npm run build` (npm test does it) before this test.');
  });

  it('with `root: import.meta.dirname` the globs are the config folder\'s, from any cwd', async () => {
    const dir = project("{ root: import.meta.dirname, schema: ['../../db/migrations/*.sql'] }");
    for (const cwd of [dir, join(dir, 'src')]) {
      expect(await lint(dir, cwd), cwd).toEqual(['soft-delete/require-soft-delete-filter: `users` is read without `deleted_at IS NULL`']);
    }
  }, 120_000);

  it('without it the same globs match nothing, and schema-status says so (no silent clean run)', async () => {
    const dir = project("{ schema: ['../../db/migrations/*.sql'] }");
    const messages = await lint(dir, dir);
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatch(/^soft-delete\/schema-status: /);
  }, 120_000);

  it('a relative root is taken from the cwd; root also anchors discovery without globs', () => {
    const dir = project('{}');
    clearSchemaCache();
    expect(loadSchema(join(dir, 'src'), normalizeSettings({ root: '..', schema: ['db/migrations/*.sql'] })).files).toEqual([join(dir, 'db/migrations/001_users.sql')]);
    clearSchemaCache();
    expect(loadSchema(join(dir, 'tools'), normalizeSettings({ root: dir })).files).toEqual([join(dir, 'db/migrations/001_users.sql')]);
    expect(settingsProblems({ root: 3 })).toEqual([expect.stringMatching(/root/)]);
  });
});
