/**
 * The coverage line in a plain `eslint` run: `eslint -f …/formatters/coverage.js` prints ESLint's stylish output and
 * then how much the plugin saw — run as users run it (the real eslint bin, a project config importing the built
 * plugin). Without the formatter nothing is tallied.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { coverageFormatterRequested } from '../src/analysis/coverage.js';

const repo = fileURLToPath(new URL('..', import.meta.url));
const pluginEntry = join(repo, 'dist/src/index.js');
const formatter = join(repo, 'formatters/coverage.js');
const eslintBin = join(repo, 'node_modules/eslint/bin/eslint.js');

function project(): string {
  const dir = mkdtempSync(join(tmpdir(), 'sd-coverage-'));
  mkdirSync(join(dir, 'migrations'));
  mkdirSync(join(dir, 'src'));
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'coverage-project', private: true, type: 'module' }));
  writeFileSync(join(dir, 'migrations/001_users.sql'), 'CREATE TABLE users (id bigint PRIMARY KEY, email text, deleted_at timestamptz);\n');
  writeFileSync(join(dir, 'src/users.js'), "export const a = (db) => db.query('SELECT email FROM users WHERE deleted_at IS NULL');\nexport const b = (db, q) => db.query(q);\n");
  writeFileSync(join(dir, 'src/other.js'), 'export const c = 1;\n');
  writeFileSync(join(dir, 'eslint.config.js'), `import softDelete from ${JSON.stringify(pluginEntry)};\nexport default [...softDelete.configs.recommended];\n`);
  return dir;
}

function eslint(dir: string, ...args: string[]): string {
  return execFileSync(process.execPath, [eslintBin, ...args], { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

describe('the coverage formatter', () => {
  beforeAll(() => {
    if (!existsSync(pluginEntry)) throw new Error('dist/ is missing: run `npm run build` (npm test does it) before this test.');
  });

  it('a clean run ends with what was seen: files, statements, checked reads, calls not understood, the schema', () => {
    const out = eslint(project(), '-f', formatter, 'src');
    expect(out).toBe(
      'soft-delete coverage: 2 file(s) linted, 1 SQL statement(s) analysed, 1 read(s) of soft-delete tables checked, 1 database call(s) not understood; schema: 1 file(s), 1 soft-delete table(s)\n',
    );
  }, 120_000);

  it('--format= works too; files from the cache are said to be uncounted', () => {
    const dir = project();
    eslint(dir, '--cache', '--format=' + formatter, 'src');
    const again = eslint(dir, '--cache', '--format=' + formatter, 'src');
    expect(again).toBe("soft-delete coverage: nothing analysed (2 of 2 file(s) not analysed in this run: from ESLint's cache, or linted in worker threads by --concurrency)\n");
  }, 120_000);

  it('is asked for only by name', () => {
    expect(coverageFormatterRequested(['node', 'eslint', '-f', './node_modules/eslint-plugin-soft-delete/formatters/coverage.js', '.'])).toBe(true);
    expect(coverageFormatterRequested(['node', 'eslint', '--format=formatters/coverage', '.'])).toBe(true);
    expect(coverageFormatterRequested(['node', 'eslint', '-f', 'stylish', 'formatters/coverage.js'])).toBe(false);
  });
});
