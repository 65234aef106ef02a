/**
 * soft-delete-review: the pure parts (diff parsing, suggestion text, the GitHub review shape) and the command end
 * to end on a temporary git repository, through its exported `main`.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseUnifiedDiff, suggestionReplacement, toGithubReview, toText, type Finding, type GithubReview } from '../src/cli.js';
import { visibleRanges } from '../src/review/diff.js';
import { commit, gitRepository, review as run, write } from './helpers/git-repo.js';

describe('parseUnifiedDiff', () => {
  it('reads several hunks, a new file, a deletions-only hunk and a rename with a space in its name', () => {
    const diff = [
      'diff --git a/src/a.ts b/src/a.ts',
      'index f00c965..b900143 100644',
      '--- a/src/a.ts',
      '+++ b/src/a.ts',
      '@@ -3 +3 @@',
      '-3',
      '+three',
      '@@ -5 +4,0 @@',
      '-5',
      '@@ -10,0 +10,2 @@ export function f() {',
      '+11',
      '+12',
      'diff --git a/n.ts b/n.ts',
      'new file mode 100644',
      'index 0000000..2fe4df4',
      '--- /dev/null',
      '+++ b/n.ts',
      '@@ -0,0 +1,2 @@',
      '+n1',
      '+n2',
      'diff --git a/old name.sql b/new name.sql',
      'similarity index 66%',
      'rename from old name.sql',
      'rename to new name.sql',
      'index 04ec35a..20a747d 100644',
      '--- a/old name.sql\t',
      '+++ b/new name.sql\t',
      '@@ -2 +2 @@ x',
      '-y',
      '+Y',
      '',
    ].join('\n');
    expect(Object.fromEntries(parseUnifiedDiff(diff))).toEqual({
      'src/a.ts': [
        [3, 3],
        [4, 5],
        [10, 11],
      ],
      'n.ts': [[1, 2]],
      'new name.sql': [[2, 2]],
    });
  });

  it('keeps a pure rename (no hunks) under its new name, with no changed lines', () => {
    const diff = ['diff --git a/x.ts b/y.ts', 'similarity index 100%', 'rename from x.ts', 'rename to y.ts', ''].join('\n');
    expect(Object.fromEntries(parseUnifiedDiff(diff))).toEqual({ 'y.ts': [] });
  });

  it('a deletion at the top of a file marks line 1; deleted files are left out', () => {
    const diff = [
      'diff --git a/a.sql b/a.sql',
      '--- a/a.sql',
      '+++ b/a.sql',
      '@@ -1,2 +0,0 @@',
      '-a',
      '-b',
      'diff --git a/gone.ts b/gone.ts',
      'deleted file mode 100644',
      '--- a/gone.ts',
      '+++ /dev/null',
      '@@ -1 +0,0 @@',
      '-x',
    ].join('\n');
    expect(Object.fromEntries(parseUnifiedDiff(diff))).toEqual({ 'a.sql': [[1, 1]] });
  });

  it('does not mistake hunk lines that look like headers (a removed `-- comment`, an added `++ x`) for file names', () => {
    const diff = [
      'diff --git a/q.sql b/q.sql',
      '--- a/q.sql',
      '+++ b/q.sql',
      '@@ -1,2 +1,2 @@',
      '--- old comment',
      '-SELECT 1;',
      '+++ b/not-a-file',
      '+SELECT 2;',
      '@@ -7 +7 @@',
      '-x',
      '+y',
    ].join('\n');
    expect(Object.fromEntries(parseUnifiedDiff(diff))).toEqual({
      'q.sql': [
        [1, 2],
        [7, 7],
      ],
    });
  });

  it('unquotes C-quoted paths', () => {
    const diff = ['diff --git "a/caf\\303\\251.ts" "b/caf\\303\\251.ts"', '--- "a/caf\\303\\251.ts"', '+++ "b/caf\\303\\251.ts"', '@@ -1 +1 @@', '-a', '+b'].join('\n');
    expect([...parseUnifiedDiff(diff).keys()]).toEqual(['café.ts']);
  });

  it('visible lines are the changed ones with three lines of context, merged as git merges hunks', () => {
    expect(
      visibleRanges([
        [10, 10],
        [15, 16],
        [40, 40],
      ]),
    ).toEqual([
      [7, 19],
      [37, 43],
    ]);
    expect(visibleRanges([[2, 2]])).toEqual([[1, 5]]);
  });
});

describe('suggestionReplacement', () => {
  const file = 'const a = 1;\nconst rows = sql`SELECT * FROM users WHERE email = ${e}`;\nexport {};\n';

  it('inserts at the end of a line (before the closing backtick)', () => {
    const at = file.indexOf('`;');
    expect(suggestionReplacement(file, { range: [at, at], text: ' AND deleted_at IS NULL' })).toEqual({
      startLine: 2,
      endLine: 2,
      text: 'const rows = sql`SELECT * FROM users WHERE email = ${e} AND deleted_at IS NULL`;',
    });
  });

  it('insertion at the very end of a line (at its line break) stays on that line', () => {
    const at = file.indexOf('\n');
    expect(suggestionReplacement(file, { range: [at, at], text: ' // x' })).toEqual({ startLine: 1, endLine: 1, text: 'const a = 1; // x' });
  });

  it('a replacement spanning two lines returns the joined text of both', () => {
    const text = 'q(`\n  SELECT * FROM orders o\n  LEFT JOIN users u ON u.id = o.user_id\n  WHERE u.deleted_at IS NULL`);\n';
    const start = text.indexOf('o.user_id') + 'o.user_id'.length;
    const end = text.indexOf('`);');
    expect(suggestionReplacement(text, { range: [start, end], text: ' AND u.deleted_at IS NULL' })).toEqual({
      startLine: 3,
      endLine: 4,
      text: '  LEFT JOIN users u ON u.id = o.user_id AND u.deleted_at IS NULL`);',
    });
  });

  it('a replacement that inserts line breaks returns more lines than it replaces', () => {
    const at = file.indexOf(' WHERE');
    const r = suggestionReplacement(file, { range: [at, at + ' WHERE'.length], text: '\n  WHERE deleted_at IS NULL AND' });
    expect(r).toEqual({ startLine: 2, endLine: 2, text: 'const rows = sql`SELECT * FROM users\n  WHERE deleted_at IS NULL AND email = ${e}`;' });
  });

  it('a fix that ends at the end of the file does not invent a line after the last one', () => {
    const text = 'a\nb\n';
    expect(suggestionReplacement(text, { range: [2, 4], text: 'c\n' })).toEqual({ startLine: 2, endLine: 2, text: 'c' });
    expect(suggestionReplacement('x\r\ny\r\n', { range: [0, 1], text: 'z' })).toEqual({ startLine: 1, endLine: 1, text: 'z' });
  });
});

describe('toGithubReview', () => {
  const docsUrl = (id: string) => `https://example.test/${id}.md`;
  const finding = (over: Partial<Finding>): Finding => ({
    path: 'src/b.ts',
    line: 6,
    column: 19,
    endLine: 6,
    endColumn: 24,
    ruleId: 'soft-delete/require-soft-delete-filter',
    message: '`users` is read without `deleted_at IS NULL`: soft-deleted rows leak into this result.',
    suggestions: [],
    ...over,
  });

  it('one comment per finding on the RIGHT side, with the message, the docs link and a suggestion block', () => {
    const review = toGithubReview(
      [
        finding({ suggestions: [{ desc: 'Add `deleted_at IS NULL`.', replacement: { startLine: 6, endLine: 6, text: '  sql`… AND deleted_at IS NULL`;' } }] }),
        finding({ path: 'src/c.ts', line: 3, endLine: 3, suggestions: [{ desc: 'Move it.', replacement: { startLine: 3, endLine: 4, text: 'joined' } }] }),
        finding({ path: 'src/c.ts', line: 9, endLine: 9, ruleId: null, message: 'Parsing error: Unexpected token' }),
      ],
      { docsUrl },
    );
    expect(review.event).toBe('COMMENT');
    expect(review.comments).toHaveLength(2);
    expect(review.comments[0]).toEqual({
      path: 'src/b.ts',
      line: 6,
      side: 'RIGHT',
      body: [
        '`users` is read without `deleted_at IS NULL`: soft-deleted rows leak into this result.',
        '',
        'Add `deleted_at IS NULL`.',
        '',
        '```suggestion',
        '  sql`… AND deleted_at IS NULL`;',
        '```',
        '',
        '[soft-delete/require-soft-delete-filter](https://example.test/soft-delete/require-soft-delete-filter.md)',
      ].join('\n'),
    });
    expect(review.comments[1]).toMatchObject({ path: 'src/c.ts', start_line: 3, start_side: 'RIGHT', line: 4, side: 'RIGHT' });
    expect(review.body).toContain('2 soft-delete problems in 2 files.');
    expect(review.body).toContain('Not checked, because ESLint could not parse them:');
    expect(review.body).toContain('`src/c.ts:9:19` Parsing error: Unexpected token');
    const fenced = toGithubReview([finding({ suggestions: [{ desc: 'd', replacement: { startLine: 6, endLine: 6, text: '// ```sql' } }] })]);
    expect(fenced.comments[0]!.body).toContain('\n````suggestion\n// ```sql\n````\n');
  });

  it('a comment only goes on lines visible in the diff; otherwise without the suggestion, or in the body', () => {
    const visible = new Map([['src/b.ts', [[4, 7]] as [number, number][]]]);
    const review = toGithubReview(
      [
        finding({ suggestions: [{ desc: 'Add it.', replacement: { startLine: 7, endLine: 8, text: 'x' } }] }),
        finding({ line: 20, endLine: 20 }),
      ],
      { docsUrl, visible },
    );
    expect(review.comments).toHaveLength(1);
    expect(review.comments[0]!.line).toBe(6);
    expect(review.comments[0]!.body).toContain('Suggestion: Add it.');
    expect(review.comments[0]!.body).not.toContain('```suggestion');
    expect(review.body).toContain('Outside the lines of this diff:');
    expect(review.body).toContain('`src/b.ts:20:19`');
  });

  it('says so when there is nothing to report', () => {
    expect(toGithubReview([])).toEqual({ body: '**soft-delete-review**\nNo soft-delete problems in the changed lines.', event: 'COMMENT', comments: [] });
    expect(toText([])).toBe('0 soft-delete problem(s) in 0 file(s)\n');
  });
});

// ---------------------------------------------------------------------------------------------------------------
// End to end on a temporary git repository.

const B_BEFORE = [
  "import { sql } from './db.js';",
  '',
  'export const one = (id: number) => sql`SELECT id FROM users WHERE id = ${id} AND deleted_at IS NULL`;',
  '',
].join('\n');
const B_AFTER = `${B_BEFORE}\nexport const byEmail = (email: string) =>\n  sql\`SELECT * FROM users WHERE email = \${email}\`;\n`;

/** Two commits: the first adds the schema, a.ts (unfiltered read on line 3) and b.ts; the second adds a read to b.ts. */
function repository(): string {
  const dir = gitRepository(
    {
      'migrations/001.sql': 'CREATE TABLE users (id int PRIMARY KEY, email text NOT NULL, deleted_at timestamptz);\n',
      'src/a.ts': "import { sql } from './db.js';\n\nexport const all = (email: string) => sql`SELECT * FROM users WHERE email = ${email}`;\n",
      'src/b.ts': B_BEFORE,
    },
    'soft-delete-review-',
  );
  write(dir, { 'src/b.ts': B_AFTER });
  commit(dir, 'b reads users');
  return dir;
}

describe('soft-delete-review on a git repository', () => {
  const dir = repository();
  const fixedLine = '  sql`SELECT * FROM users WHERE email = ${email} AND deleted_at IS NULL`;';

  it('--base HEAD~1 --format github: only the finding on the changed lines of b.ts, with a suggestion block', async () => {
    const { code, stdout, stderr } = await run(dir, '--base', 'HEAD~1', '--format', 'github');
    expect(stderr).toMatch(/^soft-delete-review: coverage: [^\n]*\n$/); // nothing but the coverage line
    expect(code).toBe(1);
    const review = JSON.parse(stdout) as GithubReview;
    expect(review.event).toBe('COMMENT');
    expect(review.comments).toHaveLength(1);
    const [comment] = review.comments;
    expect(comment).toMatchObject({ path: 'src/b.ts', line: 6, side: 'RIGHT' });
    expect(comment).not.toHaveProperty('start_line');
    expect(comment!.body).toContain('`users` is read without `deleted_at IS NULL`');
    expect(comment!.body).toContain('```suggestion\n' + fixedLine + '\n```');
    expect(comment!.body).toContain(
      '(https://github.com/eslint-plugin-soft-delete/eslint-plugin-soft-delete/blob/main/docs/rules/require-soft-delete-filter.md)',
    );
    expect(review.body).toContain('1 soft-delete problem in 1 file.');
  });

  it('without --base compares with HEAD~1 when there is no origin/HEAD', async () => {
    const { code, stdout } = await run(dir, '--format', 'json');
    expect(code).toBe(1);
    expect((JSON.parse(stdout) as Finding[]).map((f) => `${f.path}:${f.line}`)).toEqual(['src/b.ts:6']);
  });

  it('--all reports both files; text and json formats', async () => {
    const text = await run(dir, '--all', '--format', 'text');
    expect(text.code).toBe(1);
    expect(text.stdout).toMatch(/^src\/a\.ts:3:\d+ {2}`users` is read without `deleted_at IS NULL`.* {2}\(soft-delete\/require-soft-delete-filter\)$/m);
    expect(text.stdout).toMatch(/^src\/b\.ts:6:\d+ {2}/m);
    expect(text.stdout.trimEnd().split('\n').at(-1)).toBe('2 soft-delete problem(s) in 2 file(s)');

    const json = await run(dir, '--all', '--format', 'json');
    const findings = JSON.parse(json.stdout) as Finding[];
    expect(findings.map((f) => [f.path, f.line, f.ruleId])).toEqual([
      ['src/a.ts', 3, 'soft-delete/require-soft-delete-filter'],
      ['src/b.ts', 6, 'soft-delete/require-soft-delete-filter'],
    ]);
    expect(findings[1]).toMatchObject({ endLine: 6, suggestions: [{ desc: 'Add `deleted_at IS NULL`.', replacement: { startLine: 6, endLine: 6, text: fixedLine } }] });

    const github = JSON.parse((await run(dir, '--all', '--format', 'github')).stdout) as GithubReview;
    expect(github.comments.map((c) => `${c.path}:${c.line}`)).toEqual(['src/a.ts:3', 'src/b.ts:6']);

    const limited = await run(dir, '--all', '--format', 'json', 'src/a.ts');
    expect((JSON.parse(limited.stdout) as Finding[]).map((f) => f.path)).toEqual(['src/a.ts']);
  });

  it('paths limit the changed files; no problems exit 0', async () => {
    const onlyA = await run(dir, '--base', 'HEAD~1', '--format', 'json', 'src/a.ts');
    expect(onlyA).toMatchObject({ code: 0, stdout: '[]\n' });
    const none = await run(dir, '--base', 'HEAD', '--format', 'text');
    expect(none).toMatchObject({ code: 0, stdout: '0 soft-delete problem(s) in 0 file(s)\n', stderr: expect.stringMatching(/^soft-delete-review: coverage: [^\n]*\n$/) });
  });

  it('counts uncommitted changes, reports an unparsable file in text/json and only in the body of a github review', async () => {
    const work = repository();
    write(work, { 'src/a.ts': "import { sql } from './db.js';\n\nexport const all = (email: string) => sql`SELECT * FROM users WHERE email = ${email}`;\nconst = ;\n" });
    const json = await run(work, '--base', 'HEAD', '--format', 'json');
    expect(json.code).toBe(1);
    expect((JSON.parse(json.stdout) as Finding[]).map((f) => [f.path, f.line, f.ruleId])).toEqual([['src/a.ts', 4, null]]);
    const github = await run(work, '--base', 'HEAD', '--format', 'github');
    expect(github.code).toBe(1);
    const review = JSON.parse(github.stdout) as GithubReview;
    expect(review.comments).toEqual([]);
    expect(review.body).toContain('Not checked, because ESLint could not parse them:');
    expect(review.body).toContain('`src/a.ts:4:');
  });

  it('uses the project config when there is one (and says when it enables no soft-delete rule)', async () => {
    const work = repository();
    write(work, { 'eslint.config.js': "export default [{ files: ['**/*.js'], rules: {} }];\n", 'src/c.js': 'export const c = 1;\n' });
    const { code, stdout, stderr } = await run(work, '--all', '--format', 'json');
    expect(code).toBe(0);
    expect(stdout).toBe('[]\n');
    expect(stderr).toContain('enables no soft-delete/* rule');
  });

  it('exit code 2 with a one-line message: unknown base ref, not a git repository, unreadable config, bad usage', async () => {
    const badBase = await run(dir, '--base', 'no-such-branch', '--format', 'github');
    expect(badBase).toMatchObject({ code: 2, stdout: '' });
    expect(badBase.stderr).toMatch(/^soft-delete-review: unknown base ref 'no-such-branch'[^\n]*\n$/);

    const plain = realpathSync(mkdtempSync(join(tmpdir(), 'soft-delete-plain-')));
    const notGit = await run(plain, '--base', 'HEAD~1');
    expect(notGit.code).toBe(2);
    expect(notGit.stderr).toMatch(/^soft-delete-review: not a git repository: .*\n$/);

    const missing = await run(dir, '--all', '--config', 'nope.config.js');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe('soft-delete-review: cannot read ESLint config nope.config.js: no such file\n');

    write(plain, { 'broken.config.js': 'export default [ {;\n' });
    const broken = await run(plain, '--all', '--config', 'broken.config.js');
    expect(broken.code).toBe(2);
    expect(broken.stderr).toMatch(/^soft-delete-review: cannot read ESLint config broken\.config\.js: [^\n]+\n$/);

    expect((await run(dir, '--format', 'xml')).stderr).toBe("soft-delete-review: unknown format 'xml': use text, json, github, sarif, rdjson, annotations or codequality\n");
    expect((await run(dir, '--nope')).code).toBe(2);
  });
});

const bin = fileURLToPath(new URL('../dist/src/cli.js', import.meta.url));

describe('the built bin', () => {
  it.skipIf(!existsSync(bin))('node dist/src/cli.js --help prints the usage and exits 0', () => {
    const result = spawnSync(process.execPath, [bin, '--help'], { encoding: 'utf8' });
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('Usage: soft-delete-review');
    expect(result.stdout).toContain('--format');
  });
});
