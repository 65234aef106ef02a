/**
 * `eslint --cache` must not report a leak from the cache after a migration made it go away (or the reverse): the
 * schema's fingerprint is part of the config ESLint hashes for its cache. Run through the CLI in a temporary
 * project, as users run it; the control run shows the cache would be stale without the fingerprint.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const eslintBin = join(root, 'node_modules/eslint/bin/eslint.js');
const pluginEntry = join(root, 'dist/src/index.js');

const QUERY = "export const byEmail = (db, email) => db.query('SELECT id FROM users WHERE email = $1', [email]);\n";

let dir: string;

function project(extraConfig = '', base = '...softDelete.configs.recommended'): void {
  dir = mkdtempSync(join(tmpdir(), 'soft-delete-cache-'));
  mkdirSync(join(dir, 'migrations'));
  mkdirSync(join(dir, 'src'));
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'cache-project', private: true, type: 'module' }));
  writeFileSync(join(dir, 'migrations/001_users.sql'), 'CREATE TABLE users (id bigint PRIMARY KEY, email text, deleted_at timestamptz);\nCREATE TABLE orders (id bigint PRIMARY KEY, deleted_at timestamptz);\n');
  writeFileSync(join(dir, 'src/users.js'), QUERY);
  writeFileSync(
    join(dir, 'eslint.config.js'),
    `import softDelete from ${JSON.stringify(pluginEntry)};\nexport default [${base}${extraConfig}];\n`,
  );
}

/** `eslint --cache src` in the project: the rule ids reported for src/users.js. */
function lintWithCache(): string[] {
  let out: string;
  try {
    out = execFileSync(process.execPath, [eslintBin, '--cache', '--format', 'json', 'src'], { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    const failure = error as { status?: number; stdout?: string; stderr?: string };
    if (failure.status !== 1 || !failure.stdout) throw new Error(`eslint failed (${failure.status}): ${failure.stderr}`);
    out = failure.stdout;
  }
  const [result] = JSON.parse(out) as Array<{ messages: Array<{ ruleId: string | null }> }>;
  return result!.messages.map((m) => m.ruleId ?? 'fatal');
}

/** A later migration drops the soft-delete column: reads of `users` need no filter any more. */
function dropSoftDelete(): void {
  writeFileSync(join(dir, 'migrations/002_hard_delete_users.sql'), 'ALTER TABLE users DROP COLUMN deleted_at;\n');
}

describe('eslint --cache and migrations', () => {
  beforeAll(() => {
    if (!existsSync(pluginEntry)) throw new Error('dist/ is missing: run `npm run build` (npm test does it) before this test.');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('re-lints a file whose migrations changed, with the recommended config', { timeout: 120_000 }, () => {
    project();
    expect(lintWithCache()).toEqual(['soft-delete/require-soft-delete-filter']);
    expect(existsSync(join(dir, '.eslintcache'))).toBe(true);
    dropSoftDelete();
    expect(lintWithCache()).toEqual([]);
    // And back: the column returns, the leak is reported again.
    rmSync(join(dir, 'migrations/002_hard_delete_users.sql'));
    expect(lintWithCache()).toEqual(['soft-delete/require-soft-delete-filter']);
  });

  it('with its own schema globs in settings, merged after the recommended config', { timeout: 120_000 }, () => {
    project(", { settings: { 'soft-delete': { schema: ['migrations/*.sql'] } } }");
    expect(lintWithCache()).toEqual(['soft-delete/require-soft-delete-filter']);
    dropSoftDelete();
    expect(lintWithCache()).toEqual([]);
  });

  it('control: a hand-written config without the recommended one has no fingerprint, and its cache goes stale', { timeout: 120_000 }, () => {
    project('', "{ plugins: { 'soft-delete': softDelete }, rules: { 'soft-delete/require-soft-delete-filter': 'error' } }");
    expect(lintWithCache()).toEqual(['soft-delete/require-soft-delete-filter']);
    dropSoftDelete();
    expect(lintWithCache()).toEqual(['soft-delete/require-soft-delete-filter']);
  });
});
