/**
 * Schema discovery over files a pull request can add: links to devices, to files and directories outside the
 * project, FIFOs, huge files, unlistable directories. Nothing outside the project is read or walked, nothing
 * blocks, and every file left out is said in the schema problems.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clearSchemaCache, findSchemaFiles, loadSchema } from '../src/schema/load.js';
import { guardedGlobFs, MAX_SCHEMA_FILE_BYTES, readSchemaFile } from '../src/schema/files.js';
import { normalizeSettings } from '../src/settings.js';

let base: string;
let project: string;

beforeAll(() => {
  base = realpathSync(mkdtempSync(join(tmpdir(), 'soft-delete-files-')));
  project = join(base, 'project');
  const migrations = join(project, 'migrations');
  mkdirSync(join(migrations, 'nested'), { recursive: true });
  writeFileSync(join(migrations, '0001_users.sql'), 'CREATE TABLE users (id int, deleted_at timestamptz);\n');
  writeFileSync(join(base, 'secret.sql'), 'CREATE TABLE secret_table (id int, deleted_at timestamptz);\n');
  mkdirSync(join(base, 'elsewhere'));
  writeFileSync(join(base, 'elsewhere', 'x.sql'), 'CREATE TABLE elsewhere_table (id int);\n');
  symlinkSync('/dev/zero', join(migrations, '0002_zero.sql'));
  symlinkSync(join(base, 'secret.sql'), join(migrations, '0003_secret.sql'));
  symlinkSync(join(base, 'elsewhere'), join(migrations, 'all'));
  symlinkSync('/', join(migrations, 'root'));
  // links inside the project are fine
  writeFileSync(join(migrations, 'nested', '0005_orgs.sql'), 'CREATE TABLE orgs (id int, deleted_at timestamptz);\n');
  symlinkSync(join(migrations, 'nested', '0005_orgs.sql'), join(migrations, '0006_orgs_again.sql'));
  execFileSync('mkfifo', [join(migrations, '0007_fifo.sql')]);
  writeFileSync(join(migrations, '0008_huge.sql'), `CREATE TABLE huge (id int);\n${'-- padding\n'.repeat(MAX_SCHEMA_FILE_BYTES / 10 + 1)}`);
  writeFileSync(join(migrations, '0009_posts.sql'), 'CREATE TABLE posts (id int, deleted_at timestamptz);\n');
});

afterAll(() => {
  rmSync(base, { recursive: true, force: true });
  clearSchemaCache();
});

describe('schema discovery stays inside the project', () => {
  it('reads regular files under the project only, and says which it left out', () => {
    clearSchemaCache();
    const started = Date.now();
    const model = loadSchema(project, normalizeSettings({ schema: ['migrations/**/*.sql'] }));
    expect(Date.now() - started).toBeLessThan(20_000); // not the whole filesystem, not /dev/zero
    expect([...model.relations.keys()].sort()).toEqual(['public.orgs', 'public.posts', 'public.users']);
    const messages = model.problems.map((p) => p.message).join('\n');
    expect(messages).toMatch(/0002_zero\.sql: (lies outside the project|a symbolic link leading out of the project)/);
    expect(messages).toMatch(/0003_secret\.sql: (lies outside the project|a symbolic link leading out of the project)/);
    expect(messages).toMatch(/migrations\/all: a symbolic link leading out of the project; not followed/);
    expect(messages).toMatch(new RegExp(`0008_huge\\.sql: \\d+ bytes, over the ${MAX_SCHEMA_FILE_BYTES}-byte limit`));
    expect(messages).not.toMatch(/secret_table|elsewhere_table/);
  });

  it('a FIFO is never opened (opening one blocks until a writer comes)', () => {
    const fifo = join(project, 'migrations', '0007_fifo.sql');
    expect(findSchemaFiles(project, ['migrations/**/*.sql'])).not.toContain(fifo);
    expect(readSchemaFile(fifo, project)).toEqual({ problem: `${fifo}: not a regular file; not read` });
    expect(readSchemaFile('/etc/hostname', project)).toEqual({ problem: '/etc/hostname: lies outside the project (symbolic links followed); not read' });
  });

  it('conventional discovery does the same', () => {
    clearSchemaCache();
    const files = findSchemaFiles(project, null).map((f) => f.slice(project.length + 1));
    expect(files).not.toContain('migrations/all/x.sql');
    expect(files.some((f) => f.startsWith('migrations/root/'))).toBe(false);
  });

  it('a directory that cannot be listed leaves a note', () => {
    const notes: Array<{ file: string; message: string }> = [];
    const fs = guardedGlobFs(project, notes);
    // as root every directory is readable: a link to itself cannot be listed either (ELOOP)
    symlinkSync('loop', join(project, 'loop'));
    expect(() => fs.readdirSync(join(project, 'loop'), { withFileTypes: true } as never)).toThrow();
    expect(notes).toEqual([{ file: join(project, 'loop'), message: expect.stringMatching(/cannot list this directory \(ELOOP\)/) }]);
    // a directory that does not exist is not a blind spot: nothing to note
    expect(() => fs.readdirSync(join(project, 'missing'), { withFileTypes: true } as never)).toThrow();
    expect(notes).toHaveLength(1);
  });

  it.skipIf(process.getuid?.() === 0)('an unreadable directory under a glob is reported (not as root: root reads anything)', () => {
    const locked = join(project, 'migrations', 'locked');
    mkdirSync(locked);
    writeFileSync(join(locked, 'x.sql'), 'CREATE TABLE x (id int);\n');
    execFileSync('chmod', ['000', locked]);
    try {
      clearSchemaCache();
      const model = loadSchema(project, normalizeSettings({ schema: ['migrations/**/*.sql'] }));
      expect(model.problems.map((p) => p.message).join('\n')).toMatch(/locked: cannot list this directory/);
    } finally {
      execFileSync('chmod', ['755', locked]);
      rmSync(locked, { recursive: true });
    }
  });
});
