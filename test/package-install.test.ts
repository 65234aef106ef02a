/**
 * The README's Quick start, done the way a new user does it: the package is packed from a clean copy of this
 * repository (its `prepack` builds `dist/`), installed into a fresh project next to the Quick start's other
 * packages from the npm registry, configured with the Quick start's config pasted verbatim, and run through the
 * `eslint` CLI. Then the same project with the plugin loaded from `eslint.config.cjs` (`require`) and from
 * `eslint.config.ts`, and the editor's path (`ESLint#lintText` on a `.sql` text in a fresh process).
 *
 * Needs the npm registry and a couple of minutes; the timeouts are generous because CI is slow and shared.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const readme = readFileSync(join(root, 'README.md'), 'utf8');

/** The fenced blocks of the README's Quick start section, by language. */
function quickStartBlock(lang: string): string {
  const section = readme.slice(readme.indexOf('## Quick start'), readme.indexOf('\n## ', readme.indexOf('## Quick start') + 1));
  const match = new RegExp('```' + lang + '\\n([\\s\\S]*?)```').exec(section);
  if (!match) throw new Error(`README's Quick start has no \`\`\`${lang} block`);
  return match[1]!;
}

const LEAK = `import postgres from 'postgres';

const sql = postgres();

export async function ordersOf(email: string) {
  return sql\`
    SELECT * FROM orders WHERE user_id IN (
      SELECT id FROM users WHERE email = \${email}
    )\`;
}
`;
const LEAK_LOCATION = { line: 8, column: 22 };

const MIGRATION = `CREATE TABLE users (
  id bigint PRIMARY KEY,
  email text NOT NULL,
  deleted_at timestamptz
);
CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint NOT NULL REFERENCES users (id));
`;

let work: string;
let project: string;

function run(command: string, args: string[], cwd: string): string {
  return execFileSync(command, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, CI: 'true' } });
}

interface CliMessage { ruleId: string | null; line: number; column: number; fatal?: boolean; message: string }

/** `eslint .` in the project, with exactly one config file present. */
function lintProject(configFile: string, config: string): Array<{ file: string; messages: CliMessage[] }> {
  for (const name of ['eslint.config.mjs', 'eslint.config.cjs', 'eslint.config.ts']) rmSync(join(project, name), { force: true });
  writeFileSync(join(project, configFile), config);
  let output: string;
  try {
    output = run(process.execPath, ['node_modules/eslint/bin/eslint.js', '.', '--format', 'json'], project);
  } catch (error) {
    // Exit code 1 means "problems found"; anything else (2: crash, bad config) has no JSON on stdout.
    const failure = error as { status?: number; stdout?: string; stderr?: string };
    if (failure.status !== 1 || !failure.stdout) throw new Error(`eslint failed (${failure.status}): ${failure.stderr}`);
    output = failure.stdout;
  }
  const results = JSON.parse(output) as Array<{ filePath: string; messages: CliMessage[] }>;
  return results.map((r) => ({ file: r.filePath.slice(project.length + 1), messages: r.messages }));
}

function softDeleteFindings(results: ReturnType<typeof lintProject>): string[] {
  return results
    .flatMap((r) => r.messages.map((m) => ({ ...m, file: r.file })))
    .filter((m) => m.fatal || m.ruleId?.startsWith('soft-delete/'))
    .map((m) => `${m.file}:${m.line}:${m.column} ${m.ruleId ?? `fatal: ${m.message}`}`)
    .sort();
}

const EXPECTED = [`src/orders.ts:${LEAK_LOCATION.line}:${LEAK_LOCATION.column} soft-delete/require-soft-delete-filter`];

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'soft-delete-install-'));
  // A clean copy of the working tree (tracked and new files, nothing ignored: no dist/), packed by npm.
  const copy = join(work, 'package');
  const files = run('git', ['ls-files', '-co', '--exclude-standard', '-z'], root).split('\0').filter(Boolean);
  for (const file of files) {
    try {
      cpSync(join(root, file), join(copy, file));
    } catch {
      // listed but deleted in the working tree
    }
  }
  symlinkSync(join(root, 'node_modules'), join(copy, 'node_modules'), 'dir');
  const [packed] = JSON.parse(run('npm', ['pack', '--json', '--pack-destination', work], copy)) as Array<{ filename: string; files: Array<{ path: string }> }>;
  expect(packed!.files.map((f) => f.path)).toEqual(expect.arrayContaining(['dist/src/index.js', 'dist/rules/require-soft-delete-filter.js']));
  const tarball = join(work, packed!.filename);

  project = join(work, 'project');
  mkdirSync(join(project, 'src'), { recursive: true });
  mkdirSync(join(project, 'migrations'));
  // What `npm init -y` writes today: an explicitly CommonJS package.
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'quick-start', version: '1.0.0', private: true, type: 'commonjs' }));
  writeFileSync(join(project, 'src/orders.ts'), LEAK);
  writeFileSync(join(project, 'migrations/001_users.sql'), MIGRATION);

  // The Quick start's install command, verbatim except that the plugin comes from the tarball; jiti is what
  // ESLint needs to load `eslint.config.ts` on Node versions without built-in TypeScript support.
  const install = quickStartBlock('sh').trim();
  expect(install).toMatch(/^npm install --save-dev .*eslint-plugin-soft-delete/);
  const args = install.split(/\s+/).slice(1).map((arg) => (arg === 'eslint-plugin-soft-delete' ? tarball : arg));
  run('npm', [...args, 'jiti', 'postgres', '--no-audit', '--no-fund'], project);
}, 600_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('the README Quick start, from the packed tarball', () => {
  it('eslint.config.mjs pasted verbatim reports the leak in the TS file, and the .sql migration lints cleanly', { timeout: 180_000 }, () => {
    const results = lintProject('eslint.config.mjs', quickStartBlock('js'));
    expect(results.map((r) => r.file).sort()).toEqual(['eslint.config.mjs', 'migrations/001_users.sql', 'src/orders.ts']);
    expect(softDeleteFindings(results)).toEqual(EXPECTED);
  });

  it('eslint.config.cjs loads the plugin with require()', { timeout: 180_000 }, () => {
    const config = `const tseslint = require('typescript-eslint');
const softDelete = require('eslint-plugin-soft-delete');

module.exports = [...tseslint.configs.recommended, ...softDelete.configs.recommended];
`;
    expect(softDeleteFindings(lintProject('eslint.config.cjs', config))).toEqual(EXPECTED);
  });

  it('eslint.config.ts (loaded through jiti)', { timeout: 180_000 }, () => {
    const config = `import tseslint from 'typescript-eslint';
import softDelete from 'eslint-plugin-soft-delete';
import type { Linter } from 'eslint';

const config: Linter.Config[] = [...(tseslint.configs.recommended as Linter.Config[]), ...softDelete.configs.recommended];
export default config;
`;
    expect(softDeleteFindings(lintProject('eslint.config.ts', config))).toEqual(EXPECTED);
  });

  it('an editor linting a .sql text first thing in a fresh process (lintText) gets the parser ready', { timeout: 180_000 }, () => {
    const script = `
const { ESLint } = require('eslint');
new ESLint().lintText(process.argv[1], { filePath: 'queries/report.sql' }).then((results) => {
  process.stdout.write(JSON.stringify(results[0].messages.map((m) => [m.ruleId, m.line, m.column, m.message])));
});`;
    const sql = 'CREATE UNIQUE INDEX users_email_key ON users (email);\n';
    for (const [configFile, config] of [
      ['eslint.config.cjs', "module.exports = require('eslint-plugin-soft-delete').configs.recommended;\n"],
      ['eslint.config.mjs', quickStartBlock('js')],
    ] as const) {
      lintProject(configFile, config);
      const messages = JSON.parse(run(process.execPath, ['-e', script, sql], project)) as Array<[string | null, number, number, string]>;
      expect(messages.map(([ruleId, line, column]) => [ruleId, line, column])).toEqual([['soft-delete/require-partial-unique-index', 1, 8]]);
    }
  });
});

