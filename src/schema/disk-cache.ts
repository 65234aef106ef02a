/**
 * An on-disk copy of a loaded schema model, for the first load in a new process (every `eslint` CLI run starts
 * with one): reading a few hundred kilobytes back costs milliseconds where parsing a long migration history or a
 * `structure.sql` costs hundreds.
 *
 * Kept under `<project>/node_modules/.cache/eslint-plugin-soft-delete/` (only when the project has a
 * `node_modules`), one file per (project, settings). A copy is used only when everything it was made from is the
 * same: the cache format, the plugin's own code (the stamps of its files), the settings, the directories the
 * listing depends on and every schema file's mtime and size. Anything unreadable, from another version or not of
 * the expected shape is ignored and replaced; any failure to write is ignored. `SOFT_DELETE_SCHEMA_CACHE=0` turns
 * it off.
 *
 * With the model goes what each migration contributed to it, by the hash of the migration's text (the loader's
 * `FileRecord`s): when a file changed, was added, removed or renamed, the next process reads only the files it has
 * no record of and applies the others' records in their place. Only the records of the current files are kept, in
 * the same file as the model; at most MAX_CACHE_FILES such files (projects × settings) are kept, the least recently
 * written removed first.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { deserialize, serialize } from 'node:v8';
import type { SchemaModel } from './model.js';
import type { ListingWatch } from './freshness.js';
import type { SchemaFileNote } from './files.js';

/** Bump when the stored shape changes in a way the code stamps would not show. */
const FORMAT = 2;
/** Cache files kept in one project's cache folder (one per settings the project is linted with). */
const MAX_CACHE_FILES = 8;
/** Per-file records larger than this (serialized) are not kept: the model alone is. */
const MAX_RECORDS_BYTES = 64 * 1024 * 1024;
const DIR = path.join('node_modules', '.cache', 'eslint-plugin-soft-delete');

export interface CachedSchema {
  /** What the listing depended on, and the files it found (in application order) with their stamps. */
  watch: ListingWatch;
  stamps: Array<[string, string]>;
  /** What the listing noted (links out of the project, unlistable directories). */
  notes?: SchemaFileNote[];
  model: SchemaModel;
  /** What each schema file contributed (the loader's records, `encodeRecords`), when kept. */
  records?: Uint8Array;
}

/** A stored copy before its model is read (a copy whose files changed is used for its records only). */
export interface StoredSchema extends Omit<CachedSchema, 'model'> {
  /** The stored model, read on demand; undefined when it is not of the expected shape. */
  model(): SchemaModel | undefined;
}

interface Stored extends Omit<CachedSchema, 'model'> {
  format: number;
  code: string;
  key: string;
  model: Uint8Array;
}

export function diskCacheEnabled(): boolean {
  return process.env.SOFT_DELETE_SCHEMA_CACHE !== '0';
}

let codeStamp: string | undefined;

/** Stamps of the plugin's own compiled files: a rebuilt or upgraded plugin never reads an older model. */
function pluginCodeStamp(): string {
  if (codeStamp !== undefined) return codeStamp;
  const hash = createHash('sha256');
  const walk = (dir: string): void => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      const file = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(file);
      else if (/\.[cm]?[jt]s$/.test(entry.name)) {
        try {
          const stat = statSync(file);
          hash.update(`${file}:${stat.mtimeMs}:${stat.size}\n`);
        } catch {
          hash.update(`${file}:missing\n`);
        }
      }
    }
  };
  // This file sits in <src>/schema/: the plugin's code is everything under <src> (and its rules beside it).
  const src = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
  walk(src);
  walk(path.join(path.dirname(src), 'rules'));
  codeStamp = hash.digest('hex');
  return codeStamp;
}

function cacheFile(root: string, settingsKey: string): string {
  const name = createHash('sha256').update(settingsKey).digest('hex').slice(0, 24);
  return path.join(root, DIR, `schema-${name}.bin`);
}

function isPlainData(root: unknown): boolean {
  const seen = new Set<object>();
  const stack: object[] = [];
  // primitives are checked where they are met, objects once each (shared ones and cycles included)
  const visit = (value: unknown): boolean => {
    if (typeof value === 'object') {
      if (value !== null && !seen.has(value)) {
        seen.add(value);
        stack.push(value);
      }
      return true;
    }
    return typeof value !== 'function' && typeof value !== 'symbol';
  };
  if (!visit(root)) return false;
  for (let value = stack.pop(); value !== undefined; value = stack.pop()) {
    if (value instanceof Map) {
      for (const [k, v] of value) if (!visit(k) || !visit(v)) return false;
      continue;
    }
    if (value instanceof Set) {
      for (const v of value) if (!visit(v)) return false;
      continue;
    }
    const proto = Object.getPrototypeOf(value) as unknown;
    if (proto === Array.prototype) {
      for (const v of value as unknown[]) if (!visit(v)) return false;
      continue;
    }
    if (proto !== Object.prototype && proto !== null) return false;
    for (const k in value) if (!visit((value as Record<string, unknown>)[k])) return false;
  }
  return true;
}

/** The cached schema for (root, settings), or undefined when there is none that this code may use. */
export function readCachedSchema(root: string, settingsKey: string): CachedSchema | undefined {
  const stored = openCachedSchema(root, settingsKey);
  const model = stored?.model();
  return stored && model ? { ...stored, model } : undefined;
}

/** The stored copy for (root, settings) with its model still unread, or undefined when there is none this code may use. */
export function openCachedSchema(root: string, settingsKey: string): StoredSchema | undefined {
  if (!diskCacheEnabled()) return undefined;
  try {
    const stored = deserialize(readFileSync(cacheFile(root, settingsKey))) as Partial<Stored> | null;
    if (
      !stored ||
      stored.format !== FORMAT ||
      stored.key !== settingsKey ||
      stored.code !== pluginCodeStamp() ||
      !stored.watch ||
      !(stored.watch.dirs instanceof Map) ||
      !Array.isArray(stored.stamps) ||
      !(stored.notes === undefined || Array.isArray(stored.notes)) ||
      !(stored.model instanceof Uint8Array)
    ) {
      return undefined;
    }
    const bytes = stored.model;
    let model: SchemaModel | undefined | null = null;
    return {
      watch: stored.watch,
      stamps: stored.stamps,
      ...(stored.notes ? { notes: stored.notes } : {}),
      ...(stored.records instanceof Uint8Array ? { records: stored.records } : {}),
      model: () => (model === null ? (model = readModel(bytes)) : model),
    };
  } catch {
    return undefined; // no cache, or one we cannot read: load from the files
  }
}

function readModel(bytes: Uint8Array): SchemaModel | undefined {
  try {
    const model = deserialize(bytes) as Partial<SchemaModel> | null;
    if (!model || !(model.relations instanceof Map) || !Array.isArray(model.files) || !Array.isArray(model.problems)) return undefined;
    return model as SchemaModel;
  } catch {
    return undefined;
  }
}

/** Stores a freshly loaded schema. Never throws; writes only inside an existing `node_modules`. */
export function writeCachedSchema(root: string, settingsKey: string, cached: CachedSchema): void {
  if (!diskCacheEnabled()) return;
  try {
    if (!statSync(path.join(root, 'node_modules')).isDirectory()) return;
    // Only plain data survives the round trip unchanged (no functions, no class instances).
    if (!isPlainData(cached.model)) return;
    const stored: Stored = { format: FORMAT, code: pluginCodeStamp(), key: settingsKey, ...cached, model: serialize(cached.model) };
    const file = cacheFile(root, settingsKey);
    mkdirSync(path.dirname(file), { recursive: true });
    // Write aside, then rename: a concurrent reader sees the old file or the new one, never half of one.
    const temp = `${file}.${process.pid}.tmp`;
    writeFileSync(temp, serialize(stored));
    renameSync(temp, file);
    prune(path.dirname(file), file);
  } catch {
    // a read-only or full disk: the next process loads from the files, as without a cache
  }
}

/** Keeps at most MAX_CACHE_FILES cache files in `dir` (`kept` among them), removing the least recently written. */
function prune(dir: string, kept: string): void {
  const files = readdirSync(dir).filter((f) => /^schema-[0-9a-f]+\.bin$/.test(f));
  if (files.length <= MAX_CACHE_FILES) return;
  const aged = files
    .map((f) => path.join(dir, f))
    .filter((f) => f !== kept)
    .map((f) => {
      try {
        return { f, at: statSync(f).mtimeMs };
      } catch {
        return { f, at: -Infinity };
      }
    })
    .sort((a, b) => a.at - b.at);
  for (const { f } of aged.slice(0, files.length - MAX_CACHE_FILES)) rmSync(f, { force: true });
}

/**
 * Per-file records as stored (undefined when they do not serialize, or are too large to keep). They are made by
 * the loader from the parser's output: plain data, checked again when read back (`decodeRecords`).
 */
export function encodeRecords(records: unknown): Uint8Array | undefined {
  if (!diskCacheEnabled()) return undefined;
  try {
    const bytes = serialize(records);
    return bytes.length <= MAX_RECORDS_BYTES ? bytes : undefined;
  } catch {
    return undefined;
  }
}

/** Stored per-file records as they were encoded (the caller checks their shape); undefined when unreadable. */
export function decodeRecords(bytes: Uint8Array | undefined): unknown {
  if (!bytes) return undefined;
  try {
    return deserialize(bytes) as unknown;
  } catch {
    return undefined;
  }
}
