/**
 * The git side of a review: the repository root, the base commit, and the changed lines since it.
 */
import { execFileSync } from 'node:child_process';
import { realpathSync } from 'node:fs';
import { parseUnifiedDiff, type LineRange } from './diff.js';

/** An expected failure (usage, git, config): the CLI prints its one-line message and exits with 2. */
export class ReviewError extends Error {
  override name = 'ReviewError';
}

function firstLine(text: string): string {
  return text.split('\n').map((l) => l.trim()).find((l) => l.length > 0) ?? '';
}

/** Runs git in `cwd` and returns its stdout; a failure becomes a ReviewError built by `describe`. */
function git(cwd: string, args: string[], describe: (stderr: string) => string): string {
  try {
    return execFileSync('git', ['-c', 'core.quotepath=false', ...args], {
      cwd,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      maxBuffer: 512 * 1024 * 1024,
    });
  } catch (error) {
    const e = error as NodeJS.ErrnoException & { stderr?: string | Buffer };
    if (e.code === 'ENOENT') throw new ReviewError('git was not found on PATH');
    throw new ReviewError(describe(firstLine(String(e.stderr ?? e.message))));
  }
}

/** The top-level directory of the work tree holding `cwd` (real path). */
export function repositoryRoot(cwd: string): string {
  const out = git(cwd, ['rev-parse', '--show-toplevel'], () => `not a git repository: ${cwd}`);
  return realpathSync(out.trim());
}

function refExists(root: string, ref: string): boolean {
  try {
    git(root, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`], () => '');
    return true;
  } catch {
    return false;
  }
}

/** The base ref to compare with: `--base`, else `origin/HEAD` when it exists, else `HEAD~1`. */
export function defaultBase(root: string): string {
  return refExists(root, 'origin/HEAD') ? 'origin/HEAD' : 'HEAD~1';
}

/**
 * The commit the changes are measured from: the merge base of `base` and HEAD (what `git diff base...HEAD` uses,
 * so commits that landed on the base branch after the pull request forked are not counted as its changes).
 */
export function mergeBase(root: string, base: string): string {
  // Never hand git an option where it expects a ref (`--base=--output=…`): refused before any git command runs.
  if (base.startsWith('-')) throw new ReviewError(`--base must name a git ref, not an option: '${base}' starts with '-'`);
  if (!refExists(root, base)) {
    throw new ReviewError(`unknown base ref '${base}' (in a CI checkout, fetch it: actions/checkout with fetch-depth: 0)`);
  }
  const out = git(root, ['merge-base', base, 'HEAD'], (msg) => `no common ancestor of '${base}' and HEAD${msg ? `: ${msg}` : ''} (shallow clone?)`);
  return out.trim();
}

/**
 * Changed line ranges per file (paths relative to the repository root, `/`-separated) between `commit` and the
 * work tree: the pull request's commits plus any uncommitted change to tracked files. Added, copied, modified and
 * renamed files only; untracked files are not included.
 */
export function changedLines(root: string, commit: string): Map<string, LineRange[]> {
  const diff = git(
    root,
    ['diff', '-U0', '--no-color', '--no-ext-diff', '--no-textconv', '-M', '--diff-filter=ACMR', '--src-prefix=a/', '--dst-prefix=b/', commit, '--'],
    (msg) => `git diff failed: ${msg}`,
  );
  return parseUnifiedDiff(diff);
}
