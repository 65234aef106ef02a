/**
 * Warnings (and `schema-status`'s report) once per ESLint run, also when ESLint lints in worker threads
 * (`--concurrency`): each thread loads the plugin afresh, so an in-memory "already warned" cannot be shared. The
 * main thread names the run in the environment before any worker starts (workers inherit a copy of it); a worker
 * claims a warning by creating a marker file for (run, warning) exclusively, and only the thread that created it
 * prints. The main thread removes the run's markers when it exits.
 */
import { createHash, randomUUID } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readdirSync, unlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isMainThread } from 'node:worker_threads';

const RUN_VARIABLE = 'SOFT_DELETE_WARNING_RUN';
const directory = path.join(os.tmpdir(), 'eslint-plugin-soft-delete-warnings');

if (isMainThread && !process.env[RUN_VARIABLE]) {
  const run = `${process.pid}-${randomUUID()}`;
  process.env[RUN_VARIABLE] = run;
  process.once('exit', () => {
    try {
      for (const name of readdirSync(directory)) if (name.startsWith(run)) unlinkSync(path.join(directory, name));
    } catch {
      // nothing was claimed
    }
  });
}

/**
 * True when this thread should print `warning`: always in the main thread (which remembers what it printed), and
 * in a worker only for the first thread of the run that claims it.
 */
export function claimWarning(warning: string): boolean {
  const run = process.env[RUN_VARIABLE];
  if (isMainThread || !run) return true;
  const marker = path.join(directory, `${run}-${createHash('sha256').update(warning).digest('hex').slice(0, 24)}`);
  try {
    mkdirSync(directory, { recursive: true });
    closeSync(openSync(marker, 'wx'));
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== 'EEXIST';
  }
}
