/**
 * The GitHub Action (action.yml): its shape, and its main step run with bash the way the runner runs it (inputs
 * substituted into the step's env, GITHUB_OUTPUT a file) in a temporary git repository where the package is
 * installed.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { commit, git, gitRepository, write } from './helpers/git-repo.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const cli = join(root, 'dist/src/cli.js');

interface Step {
  id?: string;
  if?: string;
  uses?: string;
  shell?: string;
  run?: string;
  env?: Record<string, string>;
  with?: Record<string, string>;
  'working-directory'?: string;
}
interface Action {
  name: string;
  description: string;
  inputs: Record<string, { description: string; default?: string; required?: boolean }>;
  outputs: Record<string, { description: string; value: string }>;
  runs: { using: string; steps: Step[] };
}

const action = parse(readFileSync(join(root, 'action.yml'), 'utf8')) as Action;

/** Substitutes `${{ inputs.x }}` and `${{ github.base_ref }}` as the runner would; any other expression throws. */
function evaluate(value: string, inputs: Record<string, string>, baseRef: string): string {
  return value.replace(/\$\{\{\s*([^}]+?)\s*\}\}/g, (_, expression: string) => {
    const input = /^inputs\.([\w-]+)$/.exec(expression);
    if (input) {
      if (!(input[1]! in action.inputs)) throw new Error(`undeclared input ${input[1]}`);
      return inputs[input[1]!] ?? action.inputs[input[1]!]!.default ?? '';
    }
    if (expression === 'github.base_ref') return baseRef;
    throw new Error(`unexpected expression ${expression}`);
  });
}

describe('action.yml', () => {
  it('is a composite action whose expressions name declared inputs and steps', () => {
    expect(action.runs.using).toBe('composite');
    const text = readFileSync(join(root, 'action.yml'), 'utf8');
    for (const [, name] of text.matchAll(/inputs\.([\w-]+)/g)) expect(Object.keys(action.inputs)).toContain(name);
    const ids = action.runs.steps.map((s) => s.id).filter(Boolean);
    for (const [, id] of text.matchAll(/steps\.([\w-]+)\.outputs/g)) expect(ids).toContain(id);
    for (const step of action.runs.steps) {
      if (step.run) {
        expect(step.shell).toBe('bash');
        // Inputs reach scripts through env only (no expression inside a script: no injection).
        expect(step.run).not.toContain('${{');
      }
    }
    const upload = action.runs.steps.find((s) => s.uses?.startsWith('github/codeql-action/upload-sarif@'));
    expect(upload).toMatchObject({ if: "inputs.mode == 'sarif'", with: { sarif_file: '${{ steps.review.outputs.report }}' } });
    expect(action.outputs.status!.value).toBe('${{ steps.review.outputs.status }}');
  });
});

const B_BEFORE = "import { sql } from './db.js';\n\nexport const one = (id: number) => sql`SELECT id FROM users WHERE id = ${id} AND deleted_at IS NULL`;\n";
const B_AFTER = `${B_BEFORE}export const all = () => sql\`SELECT * FROM users\`;\n`;

/** A repository with the package installed (a bin wrapper, as npm would link it) and a pull request's change. */
function installedProject(): string {
  const dir = gitRepository({
    '.gitignore': 'node_modules/\nsoft-delete-review.*\n',
    'migrations/001.sql': 'CREATE TABLE users (id int PRIMARY KEY, email text NOT NULL, deleted_at timestamptz);\n',
    'src/a.ts': "import { sql } from './db.js';\n\nexport const old = () => sql`SELECT email FROM users`;\n",
    'src/b.ts': B_BEFORE,
  });
  git(dir, 'update-ref', 'refs/remotes/origin/main', 'HEAD');
  write(dir, { 'src/b.ts': B_AFTER });
  commit(dir, 'pull request');
  mkdirSync(join(dir, 'node_modules', '.bin'), { recursive: true });
  symlinkSync(root, join(dir, 'node_modules', 'eslint-plugin-soft-delete'), 'dir');
  const bin = join(dir, 'node_modules', '.bin', 'soft-delete-review');
  writeFileSync(bin, `#!/bin/sh\nexec "${process.execPath}" "${cli}" "$@"\n`);
  chmodSync(bin, 0o755);
  return dir;
}

/** Runs the action's main step in `dir`: returns its exit code, stdout and GITHUB_OUTPUT entries. */
function runStep(dir: string, inputs: Record<string, string>, baseRef = 'main'): { code: number | null; stdout: string; outputs: Record<string, string> } {
  const step = action.runs.steps.find((s) => s.id === 'review')!;
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(step.env ?? {})) env[key] = evaluate(value, inputs, baseRef);
  const outputFile = join(dir, '.github-output');
  writeFileSync(outputFile, '');
  const cwd = join(dir, evaluate(step['working-directory'] ?? '.', inputs, baseRef));
  const result = spawnSync('bash', ['-e', '-c', step.run!], {
    cwd,
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', GITHUB_OUTPUT: outputFile, npm_config_update_notifier: 'false', ...env },
  });
  const outputs = Object.fromEntries(
    readFileSync(outputFile, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  );
  return { code: result.status, stdout: result.stdout + result.stderr, outputs };
}

describe.runIf(existsSync(cli))('the action run in a project', () => {
  const dir = installedProject();

  it('default mode on a pull request: annotations for the changed lines only, status 1', () => {
    const { code, stdout, outputs } = runStep(dir, {});
    expect(code).toBe(0);
    expect(outputs).toEqual({ status: '1', report: join(dir, 'soft-delete-review.txt') });
    expect(stdout).toMatch(/^::error file=src\/b\.ts,line=4,endLine=4,col=\d+,endColumn=\d+,title=soft-delete\/require-soft-delete-filter::/m);
    expect(stdout).not.toContain('src/a.ts');
  }, 60_000);

  it('sarif mode checks the whole project and writes the report', () => {
    const { code, outputs } = runStep(dir, { mode: 'sarif' });
    expect(code).toBe(0);
    expect(outputs.status).toBe('1');
    const log = JSON.parse(readFileSync(outputs.report!, 'utf8')) as { runs: Array<{ results: Array<{ locations: Array<{ physicalLocation: { artifactLocation: { uri: string } } }> }> }> };
    expect(log.runs[0]!.results.map((r) => r.locations[0]!.physicalLocation.artifactLocation.uri)).toEqual(['src/a.ts', 'src/b.ts']);
  }, 60_000);

  it('a baseline and an explicit output file; outside a pull request the whole project', () => {
    const written = spawnSync(process.execPath, [cli, '--write-baseline', 'baseline.json'], { cwd: dir, encoding: 'utf8' });
    expect(written.status).toBe(0);
    const { code, outputs } = runStep(dir, { mode: 'json', baseline: 'baseline.json', output: 'out/report.json' }, '');
    expect(code).toBe(0);
    expect(outputs).toEqual({ status: '0', report: join(dir, 'out/report.json') });
    expect(readFileSync(join(dir, 'out/report.json'), 'utf8')).toBe('[]\n');
  }, 60_000);

  it('an unknown mode or a review error fails the step with an error annotation', () => {
    const bad = runStep(dir, { mode: 'xml' });
    expect(bad.code).toBe(2);
    expect(bad.stdout).toContain("::error title=soft-delete review::unknown mode 'xml'");
    const broken = runStep(dir, { base: 'no-such-ref' });
    expect(broken.code).toBe(2);
    expect(broken.outputs.status).toBe('2');
    expect(broken.stdout).toContain("unknown base ref 'no-such-ref'");
    expect(broken.stdout).toContain('::error title=soft-delete review::soft-delete-review failed (exit code 2)');
  }, 60_000);
});
