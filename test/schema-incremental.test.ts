/**
 * The on-disk copy of what each migration contributed: a history where one file changed, was added, removed or
 * renamed is loaded by reading that file only, and gives the same model (and the same findings) as reading every
 * file; corrupt or foreign entries are ignored.
 */
import { existsSync, readdirSync, renameSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ESLint } from 'eslint';
import tsParser from '@typescript-eslint/parser';
import plugin from '../src/index.js';
import { applyRead, readSql } from '../src/schema/apply.js';
import { decodeRecords, encodeRecords, readCachedSchema, writeCachedSchema } from '../src/schema/disk-cache.js';
import { clearSchemaCache, loadSchema, locateSchema, readScriptSqlWith, schemaKey, setSchemaClock, type FileRecord, type KnownFiles } from '../src/schema/load.js';
import { emptySchema, findRelation, type SchemaModel } from '../src/schema/model.js';
import { migrationSql } from '../src/extract/typescript.js';
import { normalizeSettings } from '../src/settings.js';
import { squiggleLines } from './helpers/fixture-lint.js';
import { removeTempProjects, tempProject, writeProjectFile } from './helpers/temp-project.js';

readScriptSqlWith(migrationSql);

/** A history that exercises what a record must carry: default names chosen by state, renames, views over `*`,
 * search_path, a DO block's nested SQL, a syntax error, a stream table that does not parse, a TS migration. */
const HISTORY: Record<string, string> = {
  'migrations/001_users.sql':
    'CREATE TABLE users (id int PRIMARY KEY, email text NOT NULL, deleted_at timestamptz);\nCREATE UNIQUE INDEX ON users (email);\n',
  'migrations/002_orders.sql':
    'CREATE TABLE orders (id int, user_id int REFERENCES users ON DELETE CASCADE, code text, deleted_at timestamptz, UNIQUE (code));\n' +
    'CREATE UNIQUE INDEX orders_code_live ON orders (code) WHERE deleted_at IS NULL;\nCREATE INDEX ON orders (user_id);\n',
  'migrations/003_views.sql':
    'CREATE VIEW live_users AS SELECT * FROM users WHERE deleted_at IS NULL;\nCREATE SCHEMA app;\nSET search_path = app, public;\n' +
    'CREATE TABLE things (id int, deleted_at timestamptz, UNIQUE (id));\nRESET search_path;\n',
  'migrations/004_broken.sql': 'CREATE TABLE ok1 (id int);\nCREATE TABLE broken (;\nCREATE TABLE ok2 (id int, UNIQUE (id));\n',
  'migrations/005_do.sql':
    "DO $$ BEGIN\n  EXECUTE 'CREATE TABLE dyn (id int, deleted_at timestamptz, UNIQUE (id))';\n  CREATE UNIQUE INDEX ON users (id) WHERE deleted_at IS NULL;\nEND $$;\n" +
    'ALTER TABLE users RENAME COLUMN email TO mail;\n' +
    "SELECT pgtrickle.create_stream_table('s1', 'SELECT FROM WHERE');\n",
  'migrations/006_posts.ts': [
    "import type { Knex } from 'knex';",
    'export async function up(knex: Knex): Promise<void> {',
    "  await knex.raw(`CREATE TABLE posts (id int, slug text, user_id int, deleted_at timestamptz);",
    '    CREATE UNIQUE INDEX ON posts (slug);`);',
    '}',
    'export async function down(knex: Knex): Promise<void> {',
    "  await knex.raw('DROP TABLE posts');",
    '}',
    '',
  ].join('\n'),
  'migrations/007_more.sql': 'ALTER TABLE orders ADD COLUMN ref text UNIQUE;\nCREATE UNIQUE INDEX ON users (mail);\nALTER TABLE posts DROP COLUMN slug;\n',
};

const SOURCE = [
  "import { sql } from './db';",
  'export const a = sql`SELECT id FROM users`;',
  'export const b = sql`SELECT o.id FROM orders o JOIN users u ON u.id = o.user_id WHERE u.deleted_at IS NULL`;',
  'export const c = sql`SELECT * FROM posts`;',
  'export const d = sql`SELECT * FROM dyn`;',
  'export const e = sql`SELECT * FROM things`;',
  '',
].join('\n');

function project(files: Record<string, string>): string {
  return tempProject('sd-incr-', { ...files, 'node_modules/.keep': '', 'src/db.ts': 'export const sql = (..._: unknown[]) => 0;\n', 'src/q.ts': SOURCE });
}
const write = writeProjectFile;

beforeEach(() => {
  process.env.SOFT_DELETE_SCHEMA_CACHE = '1';
});
afterEach(() => {
  setSchemaClock();
  clearSchemaCache();
  delete process.env.SOFT_DELETE_SCHEMA_CACHE;
  removeTempProjects();
});

const settings = normalizeSettings({});
const key = (dir: string) => schemaKey(locateSchema(dir, settings), settings);

/** The model reading every file (no on-disk copy), as a fresh process would. */
function fullLoad(dir: string): SchemaModel {
  clearSchemaCache();
  process.env.SOFT_DELETE_SCHEMA_CACHE = '0';
  try {
    return loadSchema(dir, settings);
  } finally {
    process.env.SOFT_DELETE_SCHEMA_CACHE = '1';
    clearSchemaCache();
  }
}

/** A new process's load, with the on-disk copy an earlier process left. */
function nextProcessLoad(dir: string): SchemaModel {
  clearSchemaCache();
  return loadSchema(dir, settings);
}

function storedRecords(dir: string): KnownFiles {
  const records = decodeRecords(readCachedSchema(dir, key(dir))?.records) as KnownFiles | undefined;
  expect(records?.records).toBeInstanceOf(Map);
  return records!;
}

/**
 * Marks the stored record of `file`: its first CREATE TABLE creates `marker` instead. A load that shows `marker`
 * applied the stored record rather than reading the file.
 */
function markRecord(dir: string, file: string, marker: string): void {
  const stored = readCachedSchema(dir, key(dir))!;
  const known = storedRecords(dir);
  const id = known.files.get(join(dir, file))!.id;
  const record = known.records.get(id)!;
  const sql = record.steps.find((s) => 'sql' in s) as Extract<FileRecord['steps'][number], { sql: unknown }>;
  const create = sql.sql.steps.flatMap((s) => ('events' in s ? s.events : [])).find((e) => e.type === 'create-table')!;
  if (create.type === 'create-table') create.table = { schema: null, name: marker };
  writeCachedSchema(dir, key(dir), { ...stored, records: encodeRecords(known) });
}

async function findings(dir: string, cache: boolean): Promise<string[]> {
  clearSchemaCache();
  process.env.SOFT_DELETE_SCHEMA_CACHE = cache ? '1' : '0';
  try {
    const eslint = new ESLint({
      cwd: dir,
      overrideConfigFile: true,
      overrideConfig: [{ files: ['**/*.ts'], languageOptions: { parser: tsParser } }, ...plugin.configs.recommended],
    });
    return squiggleLines(await eslint.lintFiles(['src']), dir);
  } finally {
    process.env.SOFT_DELETE_SCHEMA_CACHE = '1';
    clearSchemaCache();
  }
}

const CHANGES: Array<{ what: string; change: (dir: string) => void; unchanged: string }> = [
  {
    what: 'one file changed',
    change: (dir) => write(dir, 'migrations/002_orders.sql', HISTORY['migrations/002_orders.sql']! + 'ALTER TABLE orders DROP COLUMN code;\nCREATE UNIQUE INDEX ON users (id);\n'),
    unchanged: 'migrations/001_users.sql',
  },
  {
    what: 'a file added in the middle',
    change: (dir) => write(dir, 'migrations/002b_extra.sql', 'CREATE UNIQUE INDEX ON orders (code);\nALTER TABLE users ADD COLUMN nick text UNIQUE;\n'),
    unchanged: 'migrations/004_broken.sql',
  },
  {
    what: 'a file removed',
    change: (dir) => rmSync(join(dir, 'migrations/003_views.sql')),
    unchanged: 'migrations/002_orders.sql',
  },
  {
    what: 'a file renamed (moved later in the order)',
    change: (dir) => renameSync(join(dir, 'migrations/002_orders.sql'), join(dir, 'migrations/008_orders.sql')),
    unchanged: 'migrations/004_broken.sql',
  },
  {
    what: 'the TS migration changed',
    change: (dir) => write(dir, 'migrations/006_posts.ts', HISTORY['migrations/006_posts.ts']!.replace('slug text', 'slug text, title text')),
    unchanged: 'migrations/005_do.sql',
  },
];

describe('the on-disk copy of what each migration contributed', () => {
  it('the history loads with its problems, nested SQL, TS migration and state-dependent names (the fixture means something)', () => {
    const dir = project(HISTORY);
    const model = fullLoad(dir);
    expect(model.files).toHaveLength(7);
    expect(model.problems.map((p) => p.message.slice(dir.length + 1))).toEqual([
      'migrations/004_broken.sql:2:22: syntax error at or near ";"',
      'migrations/005_do.sql:6:57: stream table public.s1: syntax error at or near "WHERE"',
    ]);
    expect(findRelation(model, null, 'dyn')?.uniques.map((u) => u.name)).toEqual(['dyn_id_key']);
    expect(findRelation(model, 'app', 'things')).toBeDefined();
    expect(findRelation(model, null, 'users')?.uniques.map((u) => u.name)).toEqual(['users_email_idx', 'users_id_idx', 'users_mail_idx']);
    expect(findRelation(model, null, 'posts')?.columns).toEqual(['id', 'user_id', 'deleted_at']);
    expect(findRelation(model, null, 'live_users')?.columns).toEqual(['id', 'email', 'deleted_at']);
  });

  for (const { what, change, unchanged } of CHANGES) {
    it(`${what}: only that file is read; the model and the findings are those of reading every file`, async () => {
      const dir = project(HISTORY);
      nextProcessLoad(dir); // the first run leaves the copy
      expect(storedRecords(dir).records.size).toBe(7);
      change(dir);
      const expected = fullLoad(dir);
      const expectedFindings = await findings(dir, false);
      expect(expectedFindings.length).toBeGreaterThan(0);

      // The next process: the model is built from the records of the unchanged files.
      const incremental = nextProcessLoad(dir);
      expect(incremental).toEqual(expected);
      expect(incremental.problems).toEqual(expected.problems);
      // (the copy it left holds the records of the current files only)
      expect(storedRecords(dir).records.size).toBe(expected.files.length);
      expect([...storedRecords(dir).files.keys()]).toEqual(expected.files);
      expect(nextProcessLoad(dir)).toEqual(expected); // the full copy, read back
      expect(await findings(dir, true)).toEqual(expectedFindings);

      // Proof that an unchanged file is not read again: its marked record shows in the next model.
      markRecord(dir, unchanged, 'from_the_record');
      write(dir, 'migrations/009_touch.sql', 'CREATE TABLE touched (id int);\n');
      const marked = nextProcessLoad(dir);
      expect(findRelation(marked, null, 'from_the_record')).toBeDefined();
      expect(findRelation(marked, null, 'touched')).toBeDefined();
    });
  }

  it('a renamed file keeps its record (by its text), and a stored listing keeps its notes', () => {
    const outside = tempProject('sd-incr-out-', { 'x.sql': 'CREATE TABLE outside (id int);\n' });
    const dir = project(HISTORY);
    symlinkSync(join(outside, 'x.sql'), join(dir, 'migrations/000_link.sql'));
    const before = fullLoad(dir);
    expect(before.problems[0]?.message).toContain('000_link.sql');
    nextProcessLoad(dir);
    markRecord(dir, 'migrations/002_orders.sql', 'from_the_record');
    renameSync(join(dir, 'migrations/002_orders.sql'), join(dir, 'migrations/008_orders.sql'));
    expect(findRelation(nextProcessLoad(dir), null, 'from_the_record')).toBeDefined();
    // one file changed, the folders did not: the stored listing is taken, with what it noted
    write(dir, 'migrations/001_users.sql', HISTORY['migrations/001_users.sql']! + 'CREATE TABLE more (id int);\n');
    const expected = fullLoad(dir);
    expect(expected.problems[0]?.message).toContain('000_link.sql');
    const incremental = nextProcessLoad(dir);
    expect(incremental.problems).toEqual(expected.problems);
    expect(findRelation(incremental, null, 'more')).toBeDefined();
  });

  it('a long-lived process re-reads only the file that changed (records from the copy, then kept in memory)', () => {
    const dir = project(HISTORY);
    nextProcessLoad(dir);
    markRecord(dir, 'migrations/001_users.sql', 'from_the_record');
    clearSchemaCache();
    let now = 1_000_000;
    setSchemaClock(() => now);
    const first = loadSchema(dir, settings); // the model copy, as it was stored
    expect(findRelation(first, null, 'users')).toBeDefined();
    write(dir, 'migrations/010_x.sql', 'CREATE TABLE x (id int);\n');
    now += 5000;
    const second = loadSchema(dir, settings); // records read from the copy
    expect(findRelation(second, null, 'from_the_record')).toBeDefined();
    expect(findRelation(second, null, 'x')).toBeDefined();
    // The copy is gone: the records kept in memory are used.
    rmSync(join(dir, 'node_modules/.cache'), { recursive: true, force: true });
    write(dir, 'migrations/011_y.sql', 'CREATE TABLE y (id int);\n');
    now += 5000;
    const third = loadSchema(dir, settings);
    expect(findRelation(third, null, 'from_the_record')).toBeDefined();
    expect(findRelation(third, null, 'y')).toBeDefined();
    setSchemaClock();
  });

  it('ignores corrupt and foreign records: the files are read, the model is right', () => {
    const dir = project(HISTORY);
    nextProcessLoad(dir);
    const stored = readCachedSchema(dir, key(dir))!;
    const good = storedRecords(dir);
    write(dir, 'migrations/007_more.sql', HISTORY['migrations/007_more.sql']! + 'CREATE TABLE later (id int);\n');
    const expected = fullLoad(dir);

    const wrong = (record: unknown) => encodeRecords({ records: new Map([...good.records.keys()].map((id) => [id, record])), files: good.files });
    const variants: Array<Uint8Array | undefined> = [
      new Uint8Array([0xff, 0x0f, 0, 1, 2, 3]), // not a serialized value
      encodeRecords(new Map([['x', 1]])), // not records
      encodeRecords({ records: [...good.records], files: good.files }), // an array, not a map
      // wrong shapes under the right keys
      wrong({ steps: [{ sql: { steps: [{ where: 1, events: 'no' }] } }] }),
      wrong({ steps: [{ problem: 42 }] }),
      wrong({ steps: [{ sql: { steps: [], map: [1, 2] } }] }),
      wrong({ steps: [{ forget: 'yes' }] }),
      wrong(null),
      // files pointing at records that are not there, or of the wrong shape
      encodeRecords({ records: new Map(), files: good.files }),
      encodeRecords({ records: good.records, files: new Map([...good.files.keys()].map((f) => [f, { stamp: 1, id: null }])) }),
    ];
    for (const records of variants) {
      writeCachedSchema(dir, key(dir), { ...stored, records });
      expect(nextProcessLoad(dir)).toEqual(expected);
      // the copy is replaced by a good one
      expect(storedRecords(dir).records.size).toBe(7);
    }
    // Records stored for other settings are another file: never read for these.
    const other = normalizeSettings({ columns: ['removed_at'] });
    loadSchema(dir, other);
    expect(nextProcessLoad(dir)).toEqual(expected);
  });

  it('applying a read leaves it as it was (it can be applied again, and stored after use)', () => {
    const read = readSql(Object.values(HISTORY).filter((_, i) => i !== 5).join('\n'));
    const before = structuredClone(read);
    const a = emptySchema();
    const b = emptySchema();
    applyRead(a, read, 'a.sql');
    expect(read).toEqual(before);
    applyRead(b, structuredClone(read), 'a.sql');
    expect(b).toEqual(a);
    // renames and drops in a later read change the model, never the read
    const later = readSql('ALTER TABLE orders RENAME COLUMN user_id TO owner_id;\nALTER TABLE users DROP COLUMN mail;\nDROP TABLE posts;\n');
    applyRead(a, later, 'b.sql');
    expect(read).toEqual(before);
  });

  it('keeps disk use bounded: one file per (project, settings), at most 8 in a project', () => {
    const dir = project({ 'migrations/1.sql': 'CREATE TABLE t (id int);\n' });
    for (let i = 0; i < 12; i++) loadSchema(dir, normalizeSettings({ columns: [`gone_${i}`] }));
    const folder = join(dir, 'node_modules/.cache/eslint-plugin-soft-delete');
    expect(existsSync(folder)).toBe(true);
    expect(readdirSync(folder).filter((f) => f.endsWith('.bin'))).toHaveLength(8);
    expect(readdirSync(folder).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });
});
