import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, realpathSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ESLint } from 'eslint';
import tsParser from '@typescript-eslint/parser';
import { describe, expect, it } from 'vitest';
import plugin from '../src/index.js';
import { main } from '../src/cli.js';
import sarifFormatter from '../src/formatters/sarif.js';

function project(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'soft-delete-status-'));
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
    overrideConfig: [{ files: ['**/*.ts'], languageOptions: { parser: tsParser } }, ...plugin.configs.recommended, { settings }],
  });
}

const QUERIES = {
  'src/a.ts': 'await sql`SELECT * FROM users`;\n',
  'src/b.ts': "await pool.query('SELECT * FROM users WHERE email = $1', [e]);\n",
  'src/c.sql': 'SELECT * FROM users;\n',
};

function statusMessages(results: ESLint.LintResult[]): Array<{ file: string; line: number; severity: number; message: string }> {
  return results.flatMap((r) =>
    r.messages
      .filter((m) => m.ruleId === 'soft-delete/schema-status')
      .map((m) => ({ file: r.filePath, line: m.line, severity: m.severity, message: m.message })),
  );
}

describe('soft-delete/schema-status', () => {
  it('is in the recommended config, as a warning', () => {
    const levels = plugin.configs.recommended.map((c) => c.rules?.['soft-delete/schema-status']);
    expect(levels).toEqual(['warn', 'warn']);
  });

  it('a project with no schema gets one report, naming where it looked and the settings that fix it', async () => {
    const cwd = project(QUERIES);
    const results = await eslintIn(cwd).lintFiles(['src']);
    const status = statusMessages(results);
    expect(status).toHaveLength(1);
    expect(status[0]!.line).toBe(1);
    expect(status[0]!.severity).toBe(1);
    expect(status[0]!.message).toContain('found no schema');
    expect(status[0]!.message).toContain('migrations/');
    expect(status[0]!.message).toContain(cwd);
    expect(status[0]!.message).toContain('settings["soft-delete"].schema');
    expect(status[0]!.message).toContain('settings["soft-delete"].tables');
    // nothing else is reported: no table is known
    expect(results.flatMap((r) => r.messages).length).toBe(1);
  });

  it('names the configured globs when they match nothing', async () => {
    const cwd = project(QUERIES);
    const results = await eslintIn(cwd, { 'soft-delete': { schema: ['database/**/*.sql'] } }).lintFiles(['src']);
    const status = statusMessages(results);
    expect(status).toHaveLength(1);
    expect(status[0]!.message).toContain('the configured globs "database/**/*.sql"');
  });

  it('a schema without any soft-delete table gets one report naming the columns it looked for', async () => {
    const cwd = project({ ...QUERIES, 'migrations/001_users.sql': 'CREATE TABLE users (id int PRIMARY KEY, removed_on timestamptz);\n' });
    const results = await eslintIn(cwd).lintFiles(['src']);
    const status = statusMessages(results);
    expect(status).toHaveLength(1);
    expect(status[0]!.message).toContain('no table has a soft-delete column (deleted_at, deletedAt)');
    expect(status[0]!.message).toContain('1 table(s) (users)');
    expect(status[0]!.message).toContain('settings["soft-delete"].columns');
  });

  it('says how many schema statements could not be read, alongside the findings', async () => {
    const cwd = project({
      'migrations/001_users.sql': 'CREATE TABLE users (id int PRIMARY KEY, deleted_at timestamptz);\n',
      'migrations/002_broken.sql': 'CREATE TABLE orders (id int,);\n',
      'src/a.ts': QUERIES['src/a.ts'],
    });
    const results = await eslintIn(cwd).lintFiles(['src']);
    const status = statusMessages(results);
    expect(status).toHaveLength(1);
    expect(status[0]!.message).toMatch(/^1 schema statement\(s\) could not be read.*002_broken\.sql:1:\d+: syntax error/);
    expect(results[0]!.messages.filter((m) => m.ruleId === 'soft-delete/require-soft-delete-filter')).toHaveLength(1);
  });

  it('is silent when the schema has a soft-delete table', async () => {
    const cwd = project({ ...QUERIES, 'migrations/001_users.sql': 'CREATE TABLE users (id int PRIMARY KEY, deleted_at timestamptz);\n' });
    expect(statusMessages(await eslintIn(cwd).lintFiles(['src']))).toEqual([]);
  });

  it('is silent when soft-delete tables are declared in settings', async () => {
    const cwd = project(QUERIES);
    const results = await eslintIn(cwd, { 'soft-delete': { tables: { users: { column: 'deleted_at' } } } }).lintFiles(['src']);
    expect(statusMessages(results)).toEqual([]);
  });

  it('reaches the JSON formatter', async () => {
    const cwd = project(QUERIES);
    const eslint = eslintIn(cwd);
    const formatter = await eslint.loadFormatter('json');
    const json = JSON.parse(await formatter.format(await eslint.lintFiles(['src']))) as ESLint.LintResult[];
    expect(statusMessages(json)).toHaveLength(1);
    const stylish = await (await eslint.loadFormatter('stylish')).format(await eslint.lintFiles(['src']));
    expect(stylish).toContain('found no schema');
    expect(stylish).toContain('soft-delete/schema-status');
  });

  it('reaches SARIF: the review command and the eslint -f formatter', async () => {
    type Sarif = { runs: Array<{ results: Array<{ ruleId: string; level: string; message: { text: string } }> }> };
    const cwd = project(QUERIES);
    let stdout = '';
    await main(['--all', '--format', 'sarif', 'src'], { cwd, stdout: (t) => (stdout += t), stderr: () => {}, isTTY: false });
    const fromReview = (JSON.parse(stdout) as Sarif).runs[0]!.results.filter((r) => r.ruleId === 'soft-delete/schema-status');
    expect(fromReview).toHaveLength(1);
    expect(fromReview[0]!.message.text).toContain('found no schema');
    const eslint = eslintIn(cwd);
    const results = await eslint.lintFiles(['src']);
    const fromFormatter = (JSON.parse(sarifFormatter(results, { cwd, rulesMeta: eslint.getRulesMetaForResults(results) })) as Sarif).runs[0]!.results;
    expect(fromFormatter.filter((r) => r.ruleId === 'soft-delete/schema-status').map((r) => r.level)).toEqual(['warning']);
  });

  it('reaches the review bot even though it is not on a changed line', async () => {
    const cwd = project(QUERIES);
    let stdout = '';
    const code = await main(['--all', '--format', 'json', 'src'], { cwd, stdout: (t) => (stdout += t), stderr: () => {}, isTTY: false });
    const findings = JSON.parse(stdout) as Array<{ ruleId: string; message: string }>;
    expect(findings.filter((f) => f.ruleId === 'soft-delete/schema-status')).toHaveLength(1);
    expect(code).toBe(1);
  });
});

describe('soft-delete/schema-status in a pull-request review', () => {
  it('is kept although the line it sits on did not change', async () => {
    const dir = realpathSync(mkdtempSync(join(tmpdir(), 'soft-delete-status-review-')));
    const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    git('init', '-q');
    git('config', 'user.email', 'review@example.test');
    git('config', 'user.name', 'Review Test');
    writeFileSync(join(dir, 'a.ts'), 'const x = 1;\n');
    git('add', '-A');
    git('-c', 'commit.gpgsign=false', 'commit', '-q', '-m', 'one');
    writeFileSync(join(dir, 'a.ts'), 'const x = 1;\nawait sql`SELECT * FROM users`;\n');
    git('add', '-A');
    git('-c', 'commit.gpgsign=false', 'commit', '-q', '-m', 'two');
    let stdout = '';
    await main(['--base', 'HEAD~1', '--format', 'json'], { cwd: dir, stdout: (t) => (stdout += t), stderr: () => {}, isTTY: false });
    const findings = JSON.parse(stdout) as Array<{ ruleId: string; line: number; message: string }>;
    expect(findings.map((f) => [f.ruleId, f.line])).toEqual([['soft-delete/schema-status', 1]]);
    expect(findings[0]!.message).toContain('found no schema');
  });
});
