/**
 * Temporary git repositories for the review command's end-to-end tests, and a way to run the command in one.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, realpathSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli.js';

export function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

export function write(dir: string, files: Record<string, string>): void {
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
}

export function commit(dir: string, message: string): void {
  git(dir, 'add', '-A');
  git(dir, '-c', 'commit.gpgsign=false', 'commit', '-q', '-m', message);
}

/** A new git repository holding `files`, committed once. */
export function gitRepository(files: Record<string, string>, prefix = 'soft-delete-outputs-'): string {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), prefix)));
  git(dir, 'init', '-q');
  git(dir, 'config', 'user.email', 'review@example.test');
  git(dir, 'config', 'user.name', 'Review Test');
  write(dir, files);
  commit(dir, 'initial');
  return dir;
}

/** Runs `soft-delete-review` (its exported `main`) in `cwd`, capturing its output. */
export async function review(cwd: string, ...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, { cwd, isTTY: false, stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
  return { code, stdout, stderr };
}
