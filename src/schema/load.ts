/**
 * Loads the schema model for a project: finds its schema files (settings globs, or the conventional places),
 * applies them in path order, and caches the result by file stamps. Synchronous, because ESLint rules are.
 */
import { createHash } from 'node:crypto';
import { statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { globSync } from 'tinyglobby';
import type { TSESTree } from '@typescript-eslint/typescript-estree';
import type { SqlFragment } from '../sql/fragment.js';
import type { SoftDeleteSettings } from '../settings.js';
import { emptySchema, findRelation, type SchemaModel } from './model.js';
import { guardedGlobFs, readSchemaFile, realRoot, type SchemaFileNote } from './files.js';
import { applyRead, applySql, readSql, type SqlRead } from './apply.js';
import { blankDownSections, lineColumn } from '../sql/sqltext.js';
import { OPAQUE_IDENT } from '../sql/placeholder.js';
import { applyPrismaSchema, type PrismaSchemaFile } from './prisma.js';
import { mentionsSchemaBuilder, schemaBuilderDdl } from './schema-builders.js';
import { looksLikeOrmModels, ormModels, type OrmModels } from './orm-models.js';
import { looksLikeObjectionModels, objectionModels } from './objection-models.js';
import { applyDrizzleSchema, looksLikeDrizzleSchema, type DrizzleSchemaFile } from './drizzle.js';
import { clock, listingUnchanged, notePace, recheckInterval, resetPace, setPaceClock, watchListing, type ListingWatch } from './freshness.js';
import { decodeRecords, encodeRecords, openCachedSchema, writeCachedSchema, type StoredSchema } from './disk-cache.js';
import { configDirs, dependencyNames, isInside, isPackageDir, knexfileIn, nearestPackageDir, knexMigrationPatterns, upward, workspacePackages, workspaceRoot, clearDiscoveryCache } from './discover.js';

export { applySql, schemaFromSql } from './apply.js';

/** Where schema files live when the settings name none (relative to cwd). */
export const CONVENTIONAL_SCHEMA_GLOBS: readonly string[] = [
  'migrations/**/*.sql',
  'migrations/**/*.{ts,js,mjs,cjs,mts,cts}',
  'src/migrations/**/*.{sql,ts,js,mjs,cjs,mts,cts}',
  'src/database/migrations/**/*.{sql,ts,js,mjs,cjs,mts,cts}',
  'src/db/migrations/**/*.{ts,js,mjs,cjs,mts,cts}',
  'db/migrations/**/*.{ts,js,mjs,cjs,mts,cts}',
  'database/migrations/**/*.{sql,ts,js,mjs,cjs,mts,cts}',
  'db/migrate*/**/*.sql',
  'db/**/*.sql',
  'supabase/migrations/**/*.sql',
  'prisma/migrations/*/migration.sql',
  'prisma/schema.prisma',
  'prisma/schema/*.prisma',
  'schema.prisma',
  'drizzle/**/*.sql',
  'schema.sql',
  'structure.sql',
  'db/schema.sql',
  'db/structure.sql',
  // ORM models (TypeORM / MikroORM entities, Sequelize models): read only when they define one (see ORM_DISCOVERED)
  'src/**/*.entity.{ts,js,mts,mjs}',
  'src/**/*.model.{ts,js,mts,mjs}',
  'src/entities/**/*.{ts,js,mts,mjs}',
  'src/entity/**/*.{ts,js,mts,mjs}',
  'src/models/**/*.{ts,js,mts,mjs,cjs}',
  'models/**/*.{ts,js,mts,mjs,cjs}',
  // drizzle schemas (`pgTable`): read only when they hold one (see DRIZZLE_DISCOVERED)
  'src/db/schema.ts',
  'src/db/schema/**/*.ts',
  'src/db/relations.ts',
  'db/schema.ts',
  'drizzle/schema.ts',
  'drizzle/relations.ts',
  'src/schema.ts',
  'src/**/schema.ts',
];

/** The conventional places in a few words, for messages that say where discovery looked. */
export const CONVENTIONAL_SCHEMA_PLACES =
  'migrations/, src/migrations/, src/database/migrations/, db/, database/migrations/, supabase/migrations/, prisma/, drizzle/, ' +
  'src/db/schema.ts, src/**/schema.ts, src/**/*.entity.ts, src/**/*.model.ts, src/entities/, src/models/, models/, ' +
  'schema.sql, structure.sql';

/** Paths (relative to cwd) that only the drizzle globs discover: skipped unless they define drizzle tables. */
const DRIZZLE_DISCOVERED =
  /^(?:src\/(?:.*\/)?schema\.ts|src\/db\/schema\/.*\.ts|src\/db\/relations\.ts|db\/schema\.ts|drizzle\/(?:schema|relations)\.ts)$/;

/** Paths (relative to cwd) that only the ORM-model globs discover: skipped unless they define ORM models. */
const ORM_DISCOVERED = /^(?:src\/(?:.*\/)?[^/]+\.(?:entity|model)\.[cm]?[jt]s|(?:src\/)?(?:entities|entity|models)\/.*)$/;

const SQL_FILE = /\.sql$/i;
const PRISMA_FILE = /\.prisma$/i;
export const SCRIPT_FILE = /\.(?:[cm]?[jt]s)$/i;
const DECLARATION_FILE = /\.d\.[cm]?ts$/i;
/**
 * Rollback scripts: golang-migrate / sqlx `001_x.down.sql`, diesel `…/down.sql`, Flyway undo `U1__x.sql`. They
 * undo what the history built, so they are never part of the end state.
 */
const ROLLBACK_FILE = /(?:^|[._-])down\.sql$/i;
const FLYWAY_UNDO_FILE = /^U\d[\w.]*__.*\.sql$/;

export { BATCH_MIN_FILES, SCHEMA_BATCH_RECHECK_MS, SCHEMA_RECHECK_MS } from './freshness.js';

interface CacheEntry {
  model: SchemaModel;
  /** What each migration contributed (undefined when the model came from the on-disk copy: then its records are there). */
  known?: KnownFiles;
  /** file → `mtimeMs:size` (or `missing`), in application order. */
  stamps: Map<string, string>;
  /** The directories the listing depends on: while their mtimes hold, the files are not listed again. */
  watch: ListingWatch;
  checkedAt: number;
}

const cache = new Map<string, CacheEntry>();

/** Forgets every cached model (tests; a long-lived process that knows the files changed). */
export function clearSchemaCache(): void {
  resetPace();
  cache.clear();
  located.clear();
  clearDiscoveryCache();
}

/** Test hook: replaces the clock that paces the stamp re-check (`undefined` restores `Date.now`). */
export function setSchemaClock(now?: () => number): void {
  setPaceClock(now);
}

/**
 * Where the schema files are looked for: glob patterns relative to `root`. `discovered` when they are the
 * conventional places (not settings globs); `bases` are the package folders (relative to `root`, '' for `root`
 * itself) the conventional patterns were laid over; files must lie under `guard`.
 */
export interface SchemaLocation {
  root: string;
  patterns: string[];
  discovered: boolean;
  bases: string[];
  guard: string;
}

/**
 * The schema model for the file `file` (absolute or relative to `cwd`; without it, for `cwd` itself), found as
 * `locateSchema` says and loaded by `loadSchemaAt`.
 */
export function loadSchema(cwd: string, settings: SoftDeleteSettings, file?: string): SchemaModel {
  notePace(file === undefined ? path.resolve(cwd) : path.resolve(cwd, file), clock());
  return loadSchemaAt(locateSchema(cwd, settings, file), settings);
}

/** Resolved locations per (start directory, cwd, settings), re-resolved at the schema re-check pace. */
const located = new Map<string, { location: SchemaLocation; at: number }>();

/**
 * Where the schema for a file lives.
 * - Settings globs: relative to `cwd`; when they match nothing there, relative to the directory of the nearest
 *   ESLint config at or above the file (where ESLint 10 finds it) or above `cwd` (where ESLint 9 does). Absolute
 *   globs (`${import.meta.dirname}/…`) are taken as they are.
 * - Otherwise the conventional places, looked for upward from the file: in each package folder (a `package.json`)
 *   on the way, in `cwd` and in the workspace root (`pnpm-workspace.yaml`, `workspaces`); the first that holds a
 *   schema wins. A knexfile's `migrations.directory` counts as a conventional place of its folder. When none does,
 *   the workspace's packages that hold one: those the file's package depends on, else all of them.
 */
export function locateSchema(cwd: string, settings: SoftDeleteSettings, file?: string): SchemaLocation {
  const base = path.resolve(cwd);
  const start = file === undefined ? base : path.dirname(path.resolve(base, file));
  // `root` (settings) replaces the cwd as the place globs and discovery start from
  const root = settings.root === null ? base : path.resolve(base, settings.root);
  const key = `${start}\0${root}\0${settingsKey(settings)}`;
  const now = clock();
  const hit = located.get(key);
  if (hit && now - hit.at < recheckInterval()) return hit.location;
  const location = settings.schema !== null ? locateGlobs(root, start, settings) : locateConventional(root, start, settings);
  if (located.size > 10_000) located.clear();
  located.set(key, { location, at: now });
  return location;
}

function holdsSchema(location: SchemaLocation, settings: SoftDeleteSettings): boolean {
  const model = loadSchemaAt(location, settings);
  return model.files.length > 0 || model.problems.length > 0;
}

function globLocation(root: string, globs: readonly string[]): SchemaLocation {
  // A glob reaching out of `root` (`../db/*.sql`, an absolute path) was written on purpose: its folder is allowed.
  let guard = root;
  for (const glob of globs) {
    if (glob.startsWith('!')) continue;
    const segments = glob.split('/');
    const literal = segments.findIndex((s) => /[*?[\]{}()!+@]/.test(s));
    const base = path.resolve(root, segments.slice(0, literal === -1 ? -1 : literal).join('/') || '.');
    while (!isInside(guard, base)) guard = path.dirname(guard);
  }
  return { root, patterns: [...globs], discovered: false, bases: [''], guard };
}

function locateGlobs(root: string, start: string, settings: SoftDeleteSettings): SchemaLocation {
  const globs = settings.schema ?? [];
  const atCwd = globLocation(root, globs);
  // an explicit root is where the globs are: no guessing at config folders
  if (settings.root !== null || globs.length === 0 || holdsSchema(atCwd, settings)) return atCwd;
  for (const dir of new Set([...configDirs(start), ...configDirs(root)])) {
    if (dir === root) continue;
    const there = globLocation(dir, globs);
    if (holdsSchema(there, settings)) return there;
  }
  return atCwd;
}

/** The conventional places of the packages at `bases` (relative to `root`), with what their knexfiles name. */
function conventionalLocation(root: string, bases: string[]): SchemaLocation {
  const patterns: string[] = [];
  for (const base of bases) {
    const dir = path.join(root, base);
    const own = [...CONVENTIONAL_SCHEMA_GLOBS, ...knexfilePatterns(dir)];
    patterns.push(...(base === '' ? own : own.map((g) => `${base}/${g}`)));
  }
  return { root, patterns, discovered: true, bases, guard: root };
}

function locateConventional(root: string, start: string, settings: SoftDeleteSettings): SchemaLocation {
  const workspace = workspaceRoot(root) ?? (isInside(root, start) ? null : workspaceRoot(start));
  const top = workspace ?? root;
  const from = isInside(top, start) ? start : root;
  for (const dir of upward(from, top)) {
    if (dir !== root && dir !== top && !isPackageDir(dir) && !knexfileIn(dir)) continue;
    const here = conventionalLocation(dir, ['']);
    if (holdsSchema(here, settings)) return here;
  }
  if (workspace) {
    const holding = workspacePackages(workspace).filter((p) => holdsSchema(conventionalLocation(p.dir, ['']), settings));
    const own = nearestPackageDir(from, top);
    const deps = own ? dependencyNames(own) : new Set<string>();
    const wanted = holding.filter((p) => p.name !== undefined && deps.has(p.name));
    const chosen = wanted.length > 0 ? wanted : holding;
    if (chosen.length === 1) return conventionalLocation(chosen[0]!.dir, ['']);
    if (chosen.length > 1) {
      return conventionalLocation(workspace, chosen.map((p) => path.relative(workspace, p.dir).split(path.sep).join('/')));
    }
  }
  return conventionalLocation(root, ['']);
}

/** Migration patterns named by the knexfile in `dir` (none without one, or when it does not parse). */
function knexfilePatterns(dir: string): string[] {
  const file = knexfileIn(dir);
  if (!file) return [];
  const read = readSchemaFile(file, realRoot(dir));
  if ('problem' in read) return [];
  try {
    return knexMigrationPatterns(loadEstree().parse(read.text, { range: true, jsx: false }));
  } catch {
    return []; // a knexfile that does not parse names no folder; the conventional ones still apply
  }
}

function settingsKeyParts(settings: SoftDeleteSettings): unknown[] {
  return [settings.schema, settings.root, settings.columns, settings.searchPath, settings.tags, settings.functions, scriptSql !== undefined];
}

const settingsKeys = new WeakMap<SoftDeleteSettings, { key: string; scripts: boolean }>();

/** What in the settings decides where the schema is and what it holds, as a string (once per settings object). */
function settingsKey(settings: SoftDeleteSettings): string {
  const hit = settingsKeys.get(settings);
  if (hit && hit.scripts === (scriptSql !== undefined)) return hit.key;
  const key = JSON.stringify(settingsKeyParts(settings));
  settingsKeys.set(settings, { key, scripts: scriptSql !== undefined });
  return key;
}

/** A location as a string, once per location object (locations are kept while they hold: a look-up per linted file). */
const locationKeys = new WeakMap<SchemaLocation, string>();

/** The cache key of the schema at a location under some settings (in memory and on disk). */
export function schemaKey(location: SchemaLocation, settings: SoftDeleteSettings): string {
  let where = locationKeys.get(location);
  if (where === undefined) {
    where = JSON.stringify([location.root, location.patterns, location.discovered, location.bases, location.guard]);
    locationKeys.set(location, where);
  }
  return `${where}\0${settingsKey(settings)}`;
}

/**
 * The schema model for a location. Cached per (location, settings); while the set of files and each
 * file's mtime and size are unchanged the same object is returned, and the files are not even listed again
 * until SCHEMA_RECHECK_MS has passed since the last check (SCHEMA_BATCH_RECHECK_MS within one `lintFiles` run).
 */
export function loadSchemaAt(location: SchemaLocation, settings: SoftDeleteSettings): SchemaModel {
  const root = location.root;
  const key = schemaKey(location, settings);
  const now = clock();
  const entry = cache.get(key);
  if (entry && now - entry.checkedAt < recheckInterval()) return entry.model;

  // The first load in this process: a model an earlier process stored, if nothing it was made from changed.
  let stored: StoredSchema | undefined;
  let storedListing = false;
  if (!entry) {
    stored = openCachedSchema(root, key);
    if (stored && listingUnchanged(stored.watch)) {
      storedListing = true;
      const stamps = new Map(stored.stamps.map(([file]) => [file, stampOf(file)]));
      const model = sameStamps(new Map(stored.stamps), stamps) ? stored.model() : undefined;
      if (model) {
        cache.set(key, { model, stamps, watch: stored.watch, checkedAt: now });
        return model;
      }
    }
  }
  // Re-check: stat the directories the listing depends on, and list again only when one of them changed (a
  // stored listing whose directories did not change is taken as it is, with its notes).
  const reuse = entry !== undefined && listingUnchanged(entry.watch);
  // (A watch that cannot be exact — symlinks, a huge tree — is not taken again: the files are listed each time.)
  const watch = reuse || (entry && !entry.watch.exact) ? entry.watch : storedListing ? stored!.watch : watchListing(root, location.patterns);
  const notes: SchemaFileNote[] = storedListing ? [...(stored!.notes ?? [])] : [];
  const files = reuse ? [...entry.stamps.keys()] : storedListing ? stored!.stamps.map(([file]) => file) : listSchemaFiles(location, notes);
  const stamps = new Map(files.map((file) => [file, stampOf(file)]));
  if (entry && sameStamps(entry.stamps, stamps)) {
    entry.checkedAt = now;
    entry.watch = watch;
    return entry.model;
  }
  // What each unchanged migration contributed is applied again without reading it: kept in memory, or on disk
  // (the copy an earlier process left, also when some of its files changed since).
  const known = entry?.known ?? decodeKnown((entry ? openCachedSchema(root, key) : stored)?.records);
  const built = buildModel(files, settings, location, stamps, known);
  const model = built.model;
  // What the listing left out (links out of the project, unlistable directories) is said with the model.
  if (reuse) listSchemaFiles(location, notes);
  model.problems.unshift(...notes);
  cache.set(key, { model, stamps, watch, checkedAt: now, known: built.known });
  writeCachedSchema(root, key, { watch, stamps: [...stamps], notes, model, records: encodeRecords(built.known) });
  return model;
}

/** Absolute paths of the schema files for `cwd`, in the order they are applied. */
export function findSchemaFiles(cwd: string, globs: readonly string[] | null, notes: SchemaFileNote[] = []): string[] {
  const root = path.resolve(cwd);
  return listSchemaFiles(globs === null ? conventionalLocation(root, ['']) : globLocation(root, globs), notes);
}

/** Absolute paths of the schema files at `location`, in the order they are applied. */
export function listSchemaFiles(location: SchemaLocation, notes: SchemaFileNote[] = []): string[] {
  const root = location.root;
  const patterns = location.patterns;
  if (!patterns.length) return [];
  let found: string[];
  try {
    found = globSync(patterns, {
      cwd: root,
      absolute: true,
      onlyFiles: true,
      ignore: ['**/node_modules/**'],
      // links out of the project are not followed; unlistable directories leave a note
      fs: guardedGlobFs(realRoot(location.guard), notes),
    });
  } catch {
    return [];
  }
  // The re-check path lists the same files again and again: skip the path work and the natural sort then.
  const key = `${root}\0${patterns.join('\0')}`;
  const raw = found.join('\n');
  const previous = listingCache.get(key);
  if (previous && previous.raw === raw) return [...previous.sorted];
  const unique = [...new Set(found.map((f) => path.resolve(f)))].filter((f) =>
    SQL_FILE.test(f)
      ? !isRollbackFile(path.basename(f))
      : PRISMA_FILE.test(f) || (SCRIPT_FILE.test(f) && !DECLARATION_FILE.test(f)),
  );
  const relative = new Map(unique.map((f) => [f, path.relative(root, f).split(path.sep).join('/')]));
  const sorted = unique.sort((a, b) => naturalComparePaths(relative.get(a)!, relative.get(b)!));
  listingCache.set(key, { raw, sorted });
  return [...sorted];
}

/** Last listing per (cwd, patterns): the raw glob output and the filtered, naturally sorted result. */
const listingCache = new Map<string, { raw: string; sorted: string[] }>();

function isRollbackFile(basename: string): boolean {
  return ROLLBACK_FILE.test(basename) || FLYWAY_UNDO_FILE.test(basename);
}

/** A file's stamp (`mtimeMs:size`, or `missing`): what the caches compare. */
export function stampOf(file: string): string {
  try {
    const stat = statSync(file);
    return `${stat.mtimeMs}:${stat.size}`;
  } catch {
    return 'missing';
  }
}

function sameStamps(a: Map<string, string>, b: Map<string, string>): boolean {
  if (a.size !== b.size) return false;
  for (const [file, stamp] of a) if (b.get(file) !== stamp) return false;
  return true;
}

/**
 * Natural order of `/`-separated paths, segment by segment: digit runs compare by value (`2_x.sql` <
 * `10_x.sql`), everything else by code unit; a directory's own files and subdirectories sort by name like any
 * segment.
 */
export function naturalComparePaths(a: string, b: string): number {
  const as = a.split('/');
  const bs = b.split('/');
  for (let i = 0; i < Math.min(as.length, bs.length); i++) {
    const c = naturalCompare(as[i]!, bs[i]!);
    if (c !== 0) return c;
  }
  return as.length - bs.length;
}

export function naturalCompare(a: string, b: string): number {
  const chunk = /(\d+|\D+)/g;
  const ac = a.match(chunk) ?? [];
  const bc = b.match(chunk) ?? [];
  for (let i = 0; i < Math.min(ac.length, bc.length); i++) {
    const x = ac[i]!;
    const y = bc[i]!;
    if (x === y) continue;
    const xDigits = /^\d/.test(x);
    const yDigits = /^\d/.test(y);
    if (xDigits && yDigits) {
      const xs = x.replace(/^0+/, '') || '0'; // digits without leading zeros (`000` → `0`)
      const ys = y.replace(/^0+/, '') || '0';
      if (xs.length !== ys.length) return xs.length - ys.length;
      if (xs !== ys) return xs < ys ? -1 : 1;
      if (x.length !== y.length) return x.length - y.length; // `01` and `1`: fewer zeros first, just to be total
      continue;
    }
    return x < y ? -1 : 1;
  }
  if (ac.length !== bc.length) return ac.length - bc.length;
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * What one migration (an SQL file, or a TS/JS file running SQL) contributes to the model, read from its text
 * alone: applied in its place by `applyRecord`, the model is the one reading the file would build. Kept per file
 * text, so that a history where one file changed reads only that file.
 */
export interface FileRecord {
  steps: FileStep[];
}
/** A problem (its message after the file's path: `:line:col: …`), SQL read, or: forget interpolated names. */
export type FileStep = { problem: string } | { sql: SqlRead } | { forget: true };
/**
 * The records of a history's migrations: by `<how the file is read>\0<hash of its text>` (a file renamed, or
 * moved back and forth, keeps its record), and which record each file had, with the file's stamp then (a file
 * whose stamp did not change is not even read).
 */
export interface KnownFiles {
  records: Map<string, FileRecord>;
  files: Map<string, { stamp: string; id: string }>;
}

/** Stored records, as far as they are of the expected shape (a corrupt or foreign entry is left out). */
function decodeKnown(bytes: Uint8Array | undefined): KnownFiles | undefined {
  const stored = decodeRecords(bytes) as Partial<KnownFiles> | null | undefined;
  if (!stored || !(stored.records instanceof Map) || !(stored.files instanceof Map)) return undefined;
  const known: KnownFiles = { records: new Map(), files: new Map() };
  for (const [id, record] of stored.records) if (typeof id === 'string' && isFileRecord(record)) known.records.set(id, record);
  for (const [file, seen] of stored.files) {
    const { stamp, id } = (seen ?? {}) as { stamp?: unknown; id?: unknown };
    if (typeof file === 'string' && typeof stamp === 'string' && typeof id === 'string' && known.records.has(id)) known.files.set(file, { stamp, id });
  }
  return known;
}

function isFileRecord(value: unknown): value is FileRecord {
  const steps = (value as FileRecord | null)?.steps;
  return (
    Array.isArray(steps) &&
    steps.every((step: unknown) => {
      if (!step || typeof step !== 'object') return false;
      if ('problem' in step) return typeof step.problem === 'string';
      if ('forget' in step) return step.forget === true;
      if (!('sql' in step)) return false;
      const sql = step.sql as SqlRead | null;
      return (
        !!sql &&
        Array.isArray(sql.steps) &&
        (sql.map === undefined || sql.map instanceof Int32Array) &&
        sql.steps.every(
          (s) =>
            !!s &&
            typeof s.where === 'string' &&
            ('events' in s ? typeof s.offset === 'number' && Array.isArray(s.events) : typeof s.message === 'string'),
        )
      );
    })
  );
}

function applyRecord(model: SchemaModel, file: string, record: FileRecord, settings: SoftDeleteSettings): void {
  for (const step of record.steps) {
    if ('sql' in step) applyRead(model, step.sql, file, { searchPath: settings.searchPath });
    else if ('problem' in step) model.problems.push({ file, message: `${file}${step.problem}` });
    else forgetPlaceholders(model);
  }
}

function buildModel(
  files: string[],
  settings: SoftDeleteSettings,
  location: SchemaLocation,
  stamps: ReadonlyMap<string, string>,
  known?: KnownFiles,
): { model: SchemaModel; known: KnownFiles } {
  const root = location.root;
  const model = emptySchema();
  const now: KnownFiles = { records: new Map(), files: new Map() };
  // Prisma schema files are read after the migrations (which win for columns), together (one schema may span files).
  const prisma: PrismaSchemaFile[] = [];
  // drizzle `pgTable` files likewise.
  const drizzle: DrizzleSchemaFile[] = [];
  // ORM models (TypeORM / MikroORM entities, Sequelize models) likewise: a table only when no migration made it.
  const orm: Array<{ file: string; text: string; program: TSESTree.Program }> = [];
  const realRootOfProject = realRoot(location.guard);
  for (const file of files) {
    // A migration whose stamp did not change since its record was made: applied without reading the file.
    const seen = known?.files.get(file);
    const same = seen && seen.stamp === stamps.get(file) && seen.stamp !== 'missing' ? known!.records.get(seen.id) : undefined;
    if (seen && same) {
      model.files.push(file);
      now.records.set(seen.id, same);
      now.files.set(file, seen);
      applyRecord(model, file, same, settings);
      continue;
    }
    const read = readSchemaFile(file, realRootOfProject);
    if ('problem' in read) {
      model.problems.push({ file, message: read.problem });
      continue;
    }
    let text = read.text;
    // A byte-order mark is not SQL; a space keeps every offset where it was.
    if (text.charCodeAt(0) === 0xfeff) text = ` ${text.slice(1)}`;
    const isScript = !SQL_FILE.test(file) && !PRISMA_FILE.test(file);
    const drizzleSchema = isScript && looksLikeDrizzleSchema(text);
    const relative = relativeToBase(path.relative(root, file).split(path.sep).join('/'), location.bases);
    const ormModel = isScript && !drizzleSchema && !/migrat/i.test(relative) && (looksLikeOrmModels(text) || looksLikeObjectionModels(text));
    if (isScript && !drizzleSchema && !ormModel && location.discovered) {
      if (DRIZZLE_DISCOVERED.test(relative)) continue; // a `schema.ts` that is not drizzle's: not a schema file
      if (ORM_DISCOVERED.test(relative)) continue; // a file under models/ that defines no ORM model
    }
    model.files.push(file);
    if (ormModel) {
      const program = parseScript(model, file, text);
      if (program) orm.push({ file, text, program });
      (model.modelFiles ??= new Set()).add(file);
    } else if (drizzleSchema) {
      const program = parseScript(model, file, text);
      if (program) drizzle.push({ file, program });
    } else if (PRISMA_FILE.test(file)) prisma.push({ file, text });
    else {
      // A migration: what its text contributes, read now unless known.
      const sql = SQL_FILE.test(file);
      const id = `${sql ? 'sql' : 'script'}\0${createHash('sha256').update(text).digest('base64')}`;
      const record = now.records.get(id) ?? known?.records.get(id) ?? (sql ? { steps: [{ sql: readSql(blankDownSections(text)) }] } : readScriptMigration(text, settings));
      now.records.set(id, record);
      now.files.set(file, { stamp: stamps.get(file) ?? stampOf(file), id });
      applyRecord(model, file, record, settings);
    }
  }
  if (orm.length > 0) applyOrmModels(model, orm, settings);
  if (prisma.length > 0) applyPrismaSchema(model, prisma, settings.searchPath);
  if (drizzle.length > 0) applyDrizzleSchema(model, drizzle, settings.searchPath);
  return { model, known: now };
}

/** A path relative to the package folder (of `bases`) it lies in. */
function relativeToBase(relative: string, bases: string[]): string {
  const base = bases.filter((b) => b !== '' && relative.startsWith(`${b}/`)).sort((a, b) => b.length - a.length)[0];
  return base ? relative.slice(base.length + 1) : relative;
}

/**
 * ORM model tables, each applied unless a migration already created it; the soft-delete columns a model declares
 * are markers of its table either way.
 */
function applyOrmModels(model: SchemaModel, files: Array<{ file: string; text: string; program: TSESTree.Program }>, settings: SoftDeleteSettings): void {
  const visitorKeys = loadEstree().visitorKeys as Record<string, readonly string[]>;
  let read: OrmModels[];
  try {
    const decorated = ormModels(files.map((f) => ({ program: f.program, visitorKeys })));
    const objection = objectionModels(files.map((f) => ({ program: f.program, visitorKeys })));
    read = decorated.map((r, i) => ({ tables: [...r.tables, ...objection[i]!.tables], problems: [...r.problems, ...objection[i]!.problems] }));
  } catch (error) {
    model.problems.push({ file: files[0]!.file, message: `${files[0]!.file}: cannot read the ORM models: ${(error as Error).message}` });
    return;
  }
  read.forEach((result, i) => {
    const { file, text } = files[i]!;
    for (const p of result.problems) {
      const where = lineColumn(text, p.at);
      model.problems.push({ file, message: `${file}:${where.line}:${where.column}: ${p.message}` });
    }
    for (const table of result.tables) {
      if (table.model) {
        const { name, ...entity } = table.model;
        (model.ormEntities ??= new Map()).set(name, entity);
      }
      if (table.objection) {
        const { name, ...options } = table.objection;
        (model.objectionModels ??= new Map()).set(name, options);
      }
      if (!findRelation(model, table.schema ?? null, table.table, settings.searchPath)) {
        model.modelDdl ??= new Map();
        model.modelDdl.set(file, [...(model.modelDdl.get(file) ?? []), table.fragment]);
        applySql(model, table.fragment.text, file, table.fragment.toSource, { fileText: text, searchPath: settings.searchPath });
        const made = findRelation(model, table.schema ?? null, table.table, settings.searchPath);
        if (made && table.incomplete) made.incomplete = true;
      }
      const relation = findRelation(model, table.schema ?? null, table.table, settings.searchPath);
      for (const marker of table.markers ?? []) {
        if (!relation) continue;
        const where = lineColumn(text, marker.at);
        if (!relation.columns.includes(marker.column)) {
          // the model says it soft-deletes on a column the table does not have: its reads cannot be checked
          model.problems.push({ file, message: `${file}:${where.line}:${where.column}: ${marker.by} names the soft-delete column ${marker.column}, which table ${relation.name} does not have` });
          continue;
        }
        if (relation.markers?.some((m) => m.column === marker.column)) continue;
        (relation.markers ??= []).push({ column: marker.column, flag: marker.flag, by: marker.by, origin: { file, index: marker.at } });
      }
    }
  });
}

// ---------------------------------------------------------------------------------------------------------------
// TS/JS migrations: the SQL strings they run

type Estree = typeof import('@typescript-eslint/typescript-estree');
type VisitorKeysModule = typeof import('@typescript-eslint/visitor-keys');
const require = createRequire(import.meta.url);
let estree: { parse: Estree['parse']; visitorKeys: VisitorKeysModule['visitorKeys'] } | undefined;

/** typescript-estree (and TypeScript behind it) is loaded on the first TS/JS migration only. */
function loadEstree(): NonNullable<typeof estree> {
  estree ??= {
    parse: (require('@typescript-eslint/typescript-estree') as Estree).parse,
    visitorKeys: (require('@typescript-eslint/visitor-keys') as VisitorKeysModule).visitorKeys,
  };
  return estree;
}

/** Names of the functions that undo a migration; the SQL inside them is not part of the end state. */
const ROLLBACK_NAMES = new Set(['down', 'rollback']);

function readScriptMigration(text: string, settings: SoftDeleteSettings): FileRecord {
  const parsed = parseProgram(text);
  if ('problem' in parsed) return { steps: [{ problem: parsed.problem }] };
  return { steps: readScriptProgram(text, settings, parsed.program) };
}

/** A TS/JS schema file's program, or null (with a problem recorded) when it does not parse. */
function parseScript(model: SchemaModel, file: string, text: string): TSESTree.Program | null {
  const parsed = parseProgram(text);
  if ('program' in parsed) return parsed.program;
  model.problems.push({ file, message: `${file}${parsed.problem}` });
  return null;
}

/** A TS/JS text's program, or why it does not parse (`:line:col: message`). */
function parseProgram(text: string): { program: TSESTree.Program } | { problem: string } {
  try {
    return { program: loadEstree().parse(text, { range: true, loc: true, jsx: false }) };
  } catch (error) {
    const e = error as {
      message?: string;
      lineNumber?: number;
      column?: number;
      location?: { start?: { line?: number; column?: number } };
    };
    const line = e.location?.start?.line ?? e.lineNumber ?? 1;
    const column = (e.location?.start?.column ?? e.column ?? 0) + 1;
    return { problem: `:${line}:${column}: ${e.message ?? String(error)}` };
  }
}

/**
 * Reads the SQL a TS/JS migration runs: its SQL templates, the SQL arguments of query calls and its DDL strings.
 * That is the SQL-in-code front end's job, and the front ends sit above this layer: the engine hands it in
 * (`readScriptSqlWith`), so schema/ imports no front end.
 */
export type ScriptSqlReader = (
  program: TSESTree.Program,
  text: string,
  visitorKeys: Readonly<Record<string, readonly string[]>>,
  options: { tags: string[]; functions: string[] },
) => SqlFragment[];

let scriptSql: ScriptSqlReader | undefined;

/** Sets the reader of TS/JS migrations (the engine does when it loads; `undefined` in tests). Cached models go. */
export function readScriptSqlWith(reader: ScriptSqlReader | undefined): void {
  if (scriptSql === reader) return;
  scriptSql = reader;
  cache.clear();
  located.clear();
}

/** What a TS/JS migration contributes: the SQL it runs outside its rollback code, read. */
function readScriptProgram(text: string, settings: SoftDeleteSettings, program: TSESTree.Program): FileStep[] {
  const steps: FileStep[] = [];
  let found: SqlFragment[] = [];
  try {
    if (scriptSql) {
      found = scriptSql(program, text, loadEstree().visitorKeys as Record<string, readonly string[]>, {
        tags: settings.tags,
        functions: settings.functions,
      });
    } else {
      // (a caller that loads schemas without the engine: say so rather than miss the migration's DDL)
      steps.push({ problem: ': SQL in TS/JS migrations is not read here (no SQL-in-code reader was given)' });
    }
  } catch (error) {
    const where = lineColumn(text, 0);
    steps.push({ problem: `:${where.line}:${where.column}: cannot extract SQL: ${(error as Error).message}` });
    return steps;
  }
  const rollback = rollbackRanges(program);
  let fragments = found;
  if (mentionsSchemaBuilder(text)) {
    // knex / kysely schema builders: the DDL they would run, written as SQL mapped to the builder code
    const built = schemaBuilderDdl(program, loadEstree().visitorKeys as Record<string, readonly string[]>);
    fragments = fragments.filter((f) => !built.covered.some(([start, end]) => f.toSource(0) >= start && f.toSource(0) < end));
    fragments.push(...built.fragments);
    for (const p of built.problems) {
      if (rollback.some(([start, end]) => p.at >= start && p.at < end)) continue;
      const where = lineColumn(text, p.at);
      steps.push({ problem: `:${where.line}:${where.column}: ${p.message}` });
    }
  }
  // Apply in source order: DDL strings kept in constants are found after the calls, but run where they stand.
  fragments.sort((a, b) => a.toSource(0) - b.toSource(0));
  for (const fragment of fragments) {
    const at = fragment.toSource(0);
    if (rollback.some(([start, end]) => at >= start && at < end)) continue;
    steps.push({ sql: readSql(fragment.text, fragment.toSource, { fileText: text }) });
  }
  steps.push({ forget: true });
  return steps;
}

/** An interpolated identifier is an opaque placeholder: what it names is unknown, not a table. */
const PLACEHOLDER_IDENT = OPAQUE_IDENT;

function forgetPlaceholders(model: SchemaModel): void {
  for (const [key, relation] of model.relations) {
    if (PLACEHOLDER_IDENT.test(relation.name) || PLACEHOLDER_IDENT.test(relation.schema)) {
      model.relations.delete(key);
      continue;
    }
    relation.columns = relation.columns.filter((c) => !PLACEHOLDER_IDENT.test(c));
    relation.uniques = relation.uniques.filter(
      (u) => !PLACEHOLDER_IDENT.test(u.name) && !u.columns.some((c) => PLACEHOLDER_IDENT.test(c)),
    );
  }
}

function propertyName(node: TSESTree.Node | null | undefined): string | undefined {
  if (!node) return undefined;
  if (node.type === 'Identifier') return node.name;
  if (node.type === 'Literal' && typeof node.value === 'string') return node.value;
  return undefined;
}

/**
 * Source ranges of rollback code: `down()` methods and object properties, `export function down`,
 * `export const down = …`, `exports.down = …` / `module.exports.down = …`.
 */
export function rollbackRanges(program: TSESTree.Program): Array<[number, number]> {
  const ranges: Array<[number, number]> = [];
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) {
      for (const v of value) visit(v);
      return;
    }
    if (!value || typeof value !== 'object') return;
    const node = value as TSESTree.Node;
    if (typeof node.type === 'string') {
      let name: string | undefined;
      let range: [number, number] | undefined;
      switch (node.type) {
        case 'MethodDefinition':
        case 'Property':
        case 'PropertyDefinition':
          if (!node.computed) name = propertyName(node.key);
          range = node.value?.range;
          break;
        case 'FunctionDeclaration':
          name = node.id?.name;
          range = node.range;
          break;
        case 'VariableDeclarator':
          name = propertyName(node.id);
          range = node.init?.range;
          break;
        case 'AssignmentExpression':
          if (node.left.type === 'MemberExpression' && !node.left.computed) name = propertyName(node.left.property);
          range = node.right.range;
          break;
        default:
          break;
      }
      if (name && ROLLBACK_NAMES.has(name) && range) {
        ranges.push(range);
        return;
      }
    }
    for (const [key, child] of Object.entries(value as Record<string, unknown>)) {
      if (key === 'parent' || key === 'range' || key === 'loc') continue;
      if (child && typeof child === 'object') visit(child);
    }
  };
  visit(program.body);
  return ranges;
}
