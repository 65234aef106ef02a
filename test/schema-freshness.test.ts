import { existsSync, mkdirSync, readdirSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { listingUnchanged, watchListing } from '../src/schema/freshness.js';
import { readCachedSchema, writeCachedSchema } from '../src/schema/disk-cache.js';
import {
  clearSchemaCache,
  CONVENTIONAL_SCHEMA_GLOBS,
  loadSchema,
  BATCH_MIN_FILES,
  SCHEMA_BATCH_RECHECK_MS,
  SCHEMA_RECHECK_MS,
  setSchemaClock,
  locateSchema,
  schemaKey,
} from '../src/schema/load.js';
import { findRelation } from '../src/schema/model.js';
import { clearInfrastructureCache, withInfrastructureTables } from '../src/schema/dynamodb-tables.js';
import { normalizeSettings } from '../src/settings.js';
import { removeTempProjects, tempProject, writeProjectFile } from './helpers/temp-project.js';

function project(files: Record<string, string>): string {
  return tempProject('sd-fresh-', files);
}
const write = writeProjectFile;
/** Moves a directory's mtime into the past, so a later change is seen even on a coarse-grained clock. */
function age(...paths: string[]): void {
  const past = new Date(Date.now() - 60_000);
  for (const p of paths) utimesSync(p, past, past);
}
afterEach(() => {
  setSchemaClock();
  clearSchemaCache();
  clearInfrastructureCache();
  delete process.env.SOFT_DELETE_SCHEMA_CACHE;
  removeTempProjects();
});

const TABLE = (name: string) => `CREATE TABLE ${name} (id int PRIMARY KEY, deleted_at timestamptz);\n`;

describe('directory stamps decide whether a listing changed', () => {
  it('sees a file added deep under a `**` pattern, a new directory, a removed file; not a file edited in place', () => {
    const dir = project({ 'src/a/b/c.ts': 'export {}', 'src/a/other.ts': 'x', 'migrations/1.sql': TABLE('t') });
    age(join(dir, 'src/a/b'), join(dir, 'src/a'), join(dir, 'src'), join(dir, 'migrations'), dir);
    const patterns = ['src/**/schema.ts', 'migrations/**/*.sql'];

    let watch = watchListing(dir, patterns);
    expect(watch.exact).toBe(true);
    expect(listingUnchanged(watch)).toBe(true);
    writeFileSync(join(dir, 'src/a/other.ts'), 'changed'); // an edit: the file stamps see it, not the listing
    expect(listingUnchanged(watch)).toBe(true);

    writeFileSync(join(dir, 'src/a/b/schema.ts'), 'export {}');
    expect(listingUnchanged(watch)).toBe(false);

    watch = watchListing(dir, patterns);
    mkdirSync(join(dir, 'migrations/2024'));
    expect(listingUnchanged(watch)).toBe(false);

    age(join(dir, 'migrations'), join(dir, 'migrations/2024'));
    watch = watchListing(dir, patterns);
    rmSync(join(dir, 'migrations/1.sql'));
    expect(listingUnchanged(watch)).toBe(false);
  });

  it('watches the way to a missing base directory, and literal files through their directory', () => {
    const dir = project({ 'README.md': '' });
    age(dir);
    const watch = watchListing(dir, ['supabase/migrations/**/*.sql', 'structure.sql']);
    expect(listingUnchanged(watch)).toBe(true);
    write(dir, 'supabase/migrations/1.sql', TABLE('t'));
    expect(listingUnchanged(watch)).toBe(false);

    const other = project({ 'a.txt': '' });
    age(other);
    const literal = watchListing(other, ['structure.sql']);
    writeFileSync(join(other, 'structure.sql'), TABLE('t'));
    expect(listingUnchanged(literal)).toBe(false);
  });

  it('gives up (lists again) where a symbolic link to a directory is on the way', () => {
    const dir = project({ 'elsewhere/1.sql': TABLE('t'), 'migrations/0.sql': TABLE('u') });
    symlinkSync(join(dir, 'elsewhere'), join(dir, 'migrations/linked'));
    const watch = watchListing(dir, ['migrations/**/*.sql']);
    expect(watch.exact).toBe(false);
    expect(listingUnchanged(watch)).toBe(false);
  });
});

describe('loadSchema re-checks by directory stamps', () => {
  it('finds a migration added in a new nested folder and forgets a removed one, after the re-check interval', () => {
    const dir = project({ 'migrations/1.sql': TABLE('users'), 'src/app.ts': 'export {}' });
    age(join(dir, 'migrations'), join(dir, 'src'), dir);
    let now = 1_000_000;
    setSchemaClock(() => now);
    const settings = normalizeSettings({});
    const first = loadSchema(dir, settings);
    expect(findRelation(first, null, 'users')).toBeDefined();

    now += SCHEMA_RECHECK_MS + 1;
    expect(loadSchema(dir, settings)).toBe(first); // nothing changed: the same model

    write(dir, 'migrations/2025/2.sql', TABLE('orders'));
    expect(loadSchema(dir, settings)).toBe(first); // within the interval: not looked at
    now += SCHEMA_RECHECK_MS + 1;
    const second = loadSchema(dir, settings);
    expect(findRelation(second, null, 'orders')).toBeDefined();

    write(dir, 'src/db/schema.ts', 'export const x = 1;'); // discovery's `src/**/schema.ts`: listed, not a drizzle schema
    rmSync(join(dir, 'migrations/2025/2.sql'));
    now += SCHEMA_RECHECK_MS + 1;
    const third = loadSchema(dir, settings);
    expect(findRelation(third, null, 'orders')).toBeUndefined();
    expect(findRelation(third, null, 'users')).toBeDefined();
    expect(CONVENTIONAL_SCHEMA_GLOBS).toContain('src/**/schema.ts');
  });
  it('re-checks only every SCHEMA_BATCH_RECHECK_MS while calls come without a pause (one lintFiles run), as usual after one', () => {
    const dir = project({ 'migrations/1.sql': TABLE('users') });
    let now = 5_000_000;
    setSchemaClock(() => now);
    const settings = normalizeSettings({});
    const first = loadSchema(dir, settings);
    write(dir, 'migrations/2.sql', TABLE('orders'));
    // A batch: a call every 10 ms for 3 s, past the one-second interval: the model of the run's start throughout.
    for (let t = 0; t < 3000; t += 10) {
      now += 10;
      expect(loadSchema(dir, settings)).toBe(first);
    }
    // A pause (the run ended, or the next keystroke): re-checked.
    now += 200;
    expect(findRelation(loadSchema(dir, settings), null, 'orders')).toBeDefined();

    // A batch longer than SCHEMA_BATCH_RECHECK_MS re-checks on the way.
    write(dir, 'migrations/3.sql', TABLE('invoices'));
    let seen = false;
    for (let t = 0; t <= SCHEMA_BATCH_RECHECK_MS + 100 && !seen; t += 10) {
      now += 10;
      seen = findRelation(loadSchema(dir, settings), null, 'invoices') !== undefined;
    }
    expect(seen).toBe(true);
  });

  it('knows a lintFiles run by its files when they come slowly (a loaded machine); an editor re-checks within a second', () => {
    const dir = project({ 'migrations/1.sql': TABLE('users') });
    let now = 7_000_000;
    setSchemaClock(() => now);
    const settings = normalizeSettings({});
    const file = (i: number) => join(dir, `src/f${i}.ts`);
    const first = loadSchema(dir, settings, file(0));
    write(dir, 'migrations/2.sql', TABLE('orders'));
    // One run: another file every 120 ms for 5 s: after BATCH_MIN_FILES files, the model of the run's start throughout.
    const during: unknown[] = [];
    for (let i = 1; i * 120 < 5000; i++) {
      now += 120;
      const model = loadSchema(dir, settings, file(i));
      if (i >= BATCH_MIN_FILES && i * 120 > SCHEMA_RECHECK_MS) during.push(model);
    }
    expect(during.length).toBeGreaterThan(10);
    expect(during.every((m) => m === first)).toBe(true);
    // The run ends; the editor re-lints one file: re-checked at once.
    now += 2000;
    const second = loadSchema(dir, settings, file(1));
    expect(findRelation(second, null, 'orders')).toBeDefined();

    // An editor: keystrokes every 120 ms in one file, or a few open files re-linted in turn: a change is seen
    // within about a second.
    write(dir, 'migrations/3.sql', TABLE('invoices'));
    const changedAt = now;
    let seenAt: number | undefined;
    for (let i = 0; seenAt === undefined && i < 100; i++) {
      now += 120;
      if (findRelation(loadSchema(dir, settings, file(i % 3)), null, 'invoices')) seenAt = now;
    }
    expect(seenAt! - changedAt).toBeLessThanOrEqual(SCHEMA_RECHECK_MS + 120);
  });

  it('DynamoDB infrastructure definitions are re-checked at the same pace: not every second within a run', () => {
    const TF = (name: string) => `resource "aws_dynamodb_table" "t" {\n  name = "${name}"\n  ttl {\n    attribute_name = "deleted_at"\n    enabled = true\n  }\n}\n`;
    const dir = project({ 'migrations/1.sql': TABLE('users'), 'package.json': JSON.stringify({ dependencies: { '@aws-sdk/client-dynamodb': '3' } }), 'infra/main.tf': TF('Orders') });
    let now = 9_000_000;
    setSchemaClock(() => now);
    const settings = normalizeSettings({});
    const file = (i: number) => join(dir, `src/f${i}.ts`);
    // as the engine asks, per linted file: the infrastructure tables, then the schema (which notes the call)
    const lint = (i: number) => {
      const tables = [...withInfrastructureTables(settings, dir, file(i)).dynamodb.tables.keys()];
      loadSchema(dir, settings, file(i));
      return tables;
    };
    expect(lint(0)).toEqual(['Orders']);
    // One run: a file every 120 ms for 5 s; the definitions change once the run is recognised: not seen in the run.
    const during: string[][] = [];
    for (let i = 1; i * 120 < 5000; i++) {
      now += 120;
      if (i === BATCH_MIN_FILES + 2) write(dir, 'infra/main.tf', TF('Orders') + TF('Carts').replace('"t"', '"c"'));
      const tables = lint(i);
      if (i > BATCH_MIN_FILES + 2) during.push(tables);
    }
    expect(during.length).toBeGreaterThan(10);
    expect(during.every((t) => t.join() === 'Orders')).toBe(true);
    // After the run, the next lint (an editor's) sees the change at once.
    now += 2000;
    expect(lint(1).sort()).toEqual(['Carts', 'Orders']);
  });
});

describe('the on-disk schema cache', () => {
  beforeEach(() => {
    process.env.SOFT_DELETE_SCHEMA_CACHE = '1';
  });
  const cacheFiles = (dir: string) => {
    const at = join(dir, 'node_modules/.cache/eslint-plugin-soft-delete');
    return existsSync(at) ? readdirSync(at).map((f) => join(at, f)) : [];
  };
  /** The loader's key for (project, settings). */
  const key = (dir: string, s: ReturnType<typeof normalizeSettings>) => schemaKey(locateSchema(dir, s), s);

  it('is written inside node_modules, and a new process (a cleared in-memory cache) reads the model back', () => {
    const dir = project({ 'migrations/1.sql': TABLE('users') + TABLE('plain'), 'node_modules/.keep': '' });
    const settings = normalizeSettings({});
    const first = loadSchema(dir, settings);
    expect(cacheFiles(dir)).toHaveLength(1);

    // Prove the loader takes the stored copy: store a model with a table no file defines.
    const stored = readCachedSchema(dir, key(dir, settings));
    expect(stored?.model.relations.size).toBe(first.relations.size);
    const marked = structuredClone(stored!);
    marked.model.relations.set('public.from_cache', { ...marked.model.relations.get('public.users')!, name: 'from_cache' });
    writeCachedSchema(dir, key(dir, settings), marked);
    clearSchemaCache();
    const again = loadSchema(dir, settings);
    expect(findRelation(again, null, 'from_cache')).toBeDefined();
    expect([...again.relations.keys()].sort()).toEqual([...first.relations.keys(), 'public.from_cache'].sort());

    // A changed file (mtime and size) makes the stored copy stale: loaded from the files again.
    write(dir, 'migrations/1.sql', TABLE('users') + TABLE('plain') + TABLE('extra'));
    clearSchemaCache();
    const fresh = loadSchema(dir, settings);
    expect(findRelation(fresh, null, 'from_cache')).toBeUndefined();
    expect(findRelation(fresh, null, 'extra')).toBeDefined();
  });

  it('ignores a corrupt cache file and replaces it', () => {
    const dir = project({ 'migrations/1.sql': TABLE('users'), 'node_modules/.keep': '' });
    const settings = normalizeSettings({});
    loadSchema(dir, settings);
    const [file] = cacheFiles(dir);
    for (const garbage of ['not a cache', '\u00ff\u000f\u0000garbage']) {
      writeFileSync(file!, garbage);
      clearSchemaCache();
      const model = loadSchema(dir, settings);
      expect(findRelation(model, null, 'users')).toBeDefined();
      expect(model.problems).toEqual([]);
    }
    expect(readCachedSchema(dir, key(dir, settings))?.model.relations.has('public.users')).toBe(true);
  });

  it('writes nothing without node_modules, or when SOFT_DELETE_SCHEMA_CACHE=0', () => {
    const bare = project({ 'migrations/1.sql': TABLE('users') });
    loadSchema(bare, normalizeSettings({}));
    expect(existsSync(join(bare, 'node_modules'))).toBe(false);

    process.env.SOFT_DELETE_SCHEMA_CACHE = '0';
    const off = project({ 'migrations/1.sql': TABLE('users'), 'node_modules/.keep': '' });
    loadSchema(off, normalizeSettings({}));
    expect(cacheFiles(off)).toEqual([]);
  });
});
