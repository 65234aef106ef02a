/**
 * Baselines: `soft-delete-review --write-baseline` records today's findings; `--baseline` then reports only new ones
 * (surviving line moves) and lists recorded findings that are gone — on a temporary git repository.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Finding } from '../src/review/report.js';
import { commit, gitRepository, review, write } from './helpers/git-repo.js';

const MIGRATION = 'CREATE TABLE users (id int PRIMARY KEY, email text NOT NULL, deleted_at timestamptz);\n';
const A_TS = [
  "import { sql } from './db.js';",
  '',
  'export const all = (email: string) => sql`SELECT * FROM users WHERE email = ${email}`;',
  'export const ids = () => sql`SELECT id FROM users`;',
  '',
].join('\n');
const B_TS = "import { sql } from './db.js';\n\nexport const one = () => sql`SELECT id FROM users WHERE deleted_at IS NULL`;\n";

function project(): string {
  return gitRepository({ 'migrations/001.sql': MIGRATION, 'src/a.ts': A_TS, 'src/b.ts': B_TS }, 'soft-delete-baseline-');
}

/** stderr without its last line, which must be the coverage line every run ends with. */
function beforeCoverage(stderr: string): string {
  const match = /^([\s\S]*?)soft-delete-review: coverage: [^\n]*\n$/.exec(stderr);
  if (!match) throw new Error(`no coverage line at the end of stderr: ${stderr}`);
  return match[1]!;
}

describe('soft-delete-review baselines', () => {
  it('--write-baseline records every finding (implying --all); --baseline then passes', async () => {
    const dir = project();
    const written = await review(dir, '--write-baseline', 'soft-delete-baseline.json', '--format', 'json');
    expect(written).toMatchObject({ code: 0, stdout: '[]\n' });
    expect(beforeCoverage(written.stderr)).toBe('soft-delete-review: recorded 2 finding(s) in soft-delete-baseline.json; run with --baseline soft-delete-baseline.json to report only new ones.\n');
    const file = JSON.parse(readFileSync(join(dir, 'soft-delete-baseline.json'), 'utf8')) as { fingerprints: string; findings: Array<Record<string, unknown>> };
    expect(file.fingerprints).toBe('softDeleteFinding/v1');
    expect(file.findings.map((e) => [e.path, e.line, e.ruleId])).toEqual([
      ['src/a.ts', 3, 'soft-delete/require-soft-delete-filter'],
      ['src/a.ts', 4, 'soft-delete/require-soft-delete-filter'],
    ]);

    const all = await review(dir, '--all', '--baseline', 'soft-delete-baseline.json', '--format', 'json');
    expect(all).toMatchObject({ code: 0, stdout: '[]\n' });
    expect(beforeCoverage(all.stderr)).toBe('soft-delete-review: 2 finding(s) recorded in soft-delete-baseline.json not reported.\n');
  });

  it('later runs fail only on new findings, even when the recorded ones moved; fixed ones are listed as stale', async () => {
    const dir = project();
    await review(dir, '--write-baseline', 'baseline.json');
    commit(dir, 'baseline');
    // Lines added above the recorded findings, one recorded finding fixed, one new finding in another file.
    write(dir, {
      'src/a.ts': ['// moved down', '', ...A_TS.replace('SELECT id FROM users', 'SELECT id FROM users WHERE deleted_at IS NULL').split('\n')].join('\n'),
      'src/b.ts': `${B_TS}export const leak = () => sql\`SELECT email FROM users\`;\n`,
    });
    const all = await review(dir, '--all', '--baseline', 'baseline.json', '--format', 'json');
    expect(all.code).toBe(1);
    expect((JSON.parse(all.stdout) as Finding[]).map((f) => `${f.path}:${f.line}`)).toEqual(['src/b.ts:4']);
    expect(all.stderr).toContain('1 finding(s) recorded in baseline.json not reported.');
    expect(all.stderr).toContain('1 finding(s) recorded in baseline.json no longer found (fixed, or their lines changed); refresh it with --write-baseline:');
    expect(all.stderr).toContain('  src/a.ts:4  `users` is read without `deleted_at IS NULL`');

    // On the pull request's diff: the same, and a recorded finding on a changed line is still known.
    const diff = await review(dir, '--base', 'HEAD', '--baseline', 'baseline.json', '--format', 'json');
    expect(diff.code).toBe(1);
    expect((JSON.parse(diff.stdout) as Finding[]).map((f) => `${f.path}:${f.line}`)).toEqual(['src/b.ts:4']);

    // Refreshing the baseline accepts the new finding and drops the stale entry.
    await review(dir, '--write-baseline', 'baseline.json');
    const refreshed = await review(dir, '--all', '--baseline', 'baseline.json', '--format', 'json');
    expect(refreshed).toMatchObject({ code: 0, stdout: '[]\n' });
    expect(beforeCoverage(refreshed.stderr)).toBe('soft-delete-review: 2 finding(s) recorded in baseline.json not reported.\n');
  });

  it('a run limited to some files only calls entries of the files it checked stale', async () => {
    const dir = project();
    await review(dir, '--write-baseline', 'baseline.json');
    write(dir, { 'src/b.ts': `${B_TS}// touched\n` });
    const limited = await review(dir, '--base', 'HEAD', '--baseline', 'baseline.json', '--format', 'json');
    expect(limited).toMatchObject({ code: 0, stdout: '[]\n', stderr: expect.stringMatching(/^soft-delete-review: coverage: [^\n]*\n$/) });
    const onlyB = await review(dir, '--all', '--baseline', 'baseline.json', '--format', 'json', 'src/b.ts');
    expect(onlyB).toMatchObject({ code: 0, stdout: '[]\n', stderr: expect.stringMatching(/^soft-delete-review: coverage: [^\n]*\n$/) });
  });

  it('parse errors are never recorded and always reported; bad baselines and option clashes are usage errors', async () => {
    const dir = project();
    write(dir, { 'src/broken.ts': 'const = ;\n' });
    const written = await review(dir, '--write-baseline', 'baseline.json', '--format', 'json');
    expect(written.code).toBe(1);
    expect((JSON.parse(written.stdout) as Finding[]).map((f) => [f.path, f.ruleId])).toEqual([['src/broken.ts', null]]);
    const file = JSON.parse(readFileSync(join(dir, 'baseline.json'), 'utf8')) as { findings: Array<{ path: string }> };
    expect(file.findings.map((e) => e.path)).toEqual(['src/a.ts', 'src/a.ts']);

    expect(await review(dir, '--all', '--baseline', 'nope.json')).toMatchObject({ code: 2, stderr: 'soft-delete-review: cannot read baseline nope.json: no such file\n' });
    write(dir, { 'other.json': '{"findings": [], "fingerprints": "v0"}' });
    expect((await review(dir, '--all', '--baseline', 'other.json')).stderr).toMatch(/^soft-delete-review: cannot read baseline other\.json: its fingerprints \(v0\) are not softDeleteFinding\/v1/);
    write(dir, { 'list.json': '[]' });
    expect((await review(dir, '--all', '--baseline', 'list.json')).stderr).toContain('not a soft-delete-review baseline');
    expect(await review(dir, '--baseline', 'a.json', '--write-baseline', 'b.json')).toMatchObject({ code: 2, stderr: 'soft-delete-review: --baseline and --write-baseline exclude each other\n' });
    expect(await review(dir, '--base', 'HEAD', '--write-baseline', 'b.json')).toMatchObject({ code: 2, stderr: 'soft-delete-review: --write-baseline and --base exclude each other\n' });
  });
});
