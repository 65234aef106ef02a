/**
 * Reading schema files safely. Schema discovery runs on every lint, over files a pull request can add: a symbolic
 * link to `/dev/zero`, to `/etc/passwd` or to `/` must not be read, walked or echoed. So a schema file is read only
 * when its real path lies under the project's real root, it is a regular file and it is at most
 * MAX_SCHEMA_FILE_BYTES long; directory links leading out of the project are not followed, and a directory that
 * cannot be listed is said, not skipped silently.
 */
import { closeSync, fstatSync, openSync, readdirSync, readSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';

/** Schema files above this size are not read (a whole-file parse costs ~50 times the file's size in memory). */
export const MAX_SCHEMA_FILE_BYTES = 8 * 1024 * 1024;

export interface SchemaFileNote {
  file: string;
  message: string;
}

/** The real path of `dir` (itself when it cannot be resolved). */
export function realRoot(dir: string): string {
  try {
    return realpathSync(dir);
  } catch {
    return path.resolve(dir);
  }
}

function inside(root: string, real: string): boolean {
  const relative = path.relative(root, real);
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
}

/**
 * `node:fs` functions for the globber: symbolic links are resolved only when they stay inside `root`, and a
 * directory that cannot be listed leaves a note. Failures are rethrown, and the globber skips that entry.
 */
export function guardedGlobFs(root: string, notes: SchemaFileNote[]) {
  const note = (file: string, message: string): void => {
    if (!notes.some((n) => n.file === file && n.message === message)) notes.push({ file, message });
  };
  return {
    readdirSync: ((dir: string, options: never) => {
      try {
        return readdirSync(dir, options);
      } catch (error) {
        // A directory that does not exist (yet) lists nothing; one that exists but cannot be read is a blind spot.
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'ENOENT' || code === 'ENOTDIR') throw error;
        note(dir, `${dir}: cannot list this directory (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); schema files in it are unknown`);
        throw error;
      }
    }) as typeof readdirSync,
    realpathSync: ((file: string) => {
      const real = realpathSync(file);
      if (!inside(root, real)) {
        note(file, `${file}: a symbolic link leading out of the project; not followed`);
        throw new Error('outside the project');
      }
      return real;
    }) as typeof realpathSync,
  };
}

/**
 * The text of a schema file, or why it was not read. Nothing is opened before its real path and type are known,
 * so a link to a device, a FIFO or a file outside the project is never opened.
 */
export function readSchemaFile(file: string, root: string): { text: string } | { problem: string } {
  let real: string;
  try {
    real = realpathSync(file);
  } catch (error) {
    return { problem: `${file}: cannot read: ${(error as Error).message}` };
  }
  if (!inside(root, real)) return { problem: `${file}: lies outside the project (symbolic links followed); not read` };
  let fd: number | undefined;
  try {
    if (!statSync(real).isFile()) return { problem: `${file}: not a regular file; not read` };
    fd = openSync(real, 'r');
    const stat = fstatSync(fd);
    if (!stat.isFile()) return { problem: `${file}: not a regular file; not read` };
    if (stat.size > MAX_SCHEMA_FILE_BYTES) {
      return {
        problem: `${file}: ${stat.size} bytes, over the ${MAX_SCHEMA_FILE_BYTES}-byte limit for schema files; not read`,
      };
    }
    // Read at most the limit (and one byte more, to notice a file that grew since fstat).
    const buffer = Buffer.alloc(stat.size + 1);
    let length = 0;
    while (length < buffer.length) {
      const n = readSync(fd, buffer, length, buffer.length - length, null);
      if (n === 0) break;
      length += n;
    }
    if (length > MAX_SCHEMA_FILE_BYTES) {
      return { problem: `${file}: over the ${MAX_SCHEMA_FILE_BYTES}-byte limit for schema files; not read` };
    }
    return { text: buffer.subarray(0, length).toString('utf8') };
  } catch (error) {
    return { problem: `${file}: cannot read: ${(error as Error).message}` };
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
