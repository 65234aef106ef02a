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
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { deserialize, serialize } from 'node:v8';
import type { SchemaModel } from './model.js';
import type { ListingWatch } from './freshness.js';

/** Bump when the stored shape changes in a way the code stamps would not show. */
const FORMAT = 1;
const DIR = path.join('node_modules', '.cache', 'eslint-plugin-soft-delete');

export interface CachedSchema {
  /** What the listing depended on, and the files it found (in application order) with their stamps. */
  watch: ListingWatch;
  stamps: Array<[string, string]>;
  model: SchemaModel;
}

interface Stored extends CachedSchema {
  format: number;
  code: string;
  key: string;
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

function isPlainData(value: unknown, seen = new Set<object>()): boolean {
  if (value === null || typeof value !== 'object') return typeof value !== 'function' && typeof value !== 'symbol';
  if (seen.has(value)) return true;
  seen.add(value);
  if (value instanceof Map) {
    for (const [k, v] of value) if (!isPlainData(k, seen) || !isPlainData(v, seen)) return false;
    return true;
  }
  if (value instanceof Set) {
    for (const v of value) if (!isPlainData(v, seen)) return false;
    return true;
  }
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== Array.prototype && proto !== null) return false;
  for (const v of Object.values(value)) if (!isPlainData(v, seen)) return false;
  return true;
}

/** The cached schema for (root, settings), or undefined when there is none that this code may use. */
export function readCachedSchema(root: string, settingsKey: string): CachedSchema | undefined {
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
      !stored.model ||
      !(stored.model.relations instanceof Map) ||
      !Array.isArray(stored.model.files) ||
      !Array.isArray(stored.model.problems)
    ) {
      return undefined;
    }
    return { watch: stored.watch, stamps: stored.stamps, model: stored.model };
  } catch {
    return undefined; // no cache, or one we cannot read: load from the files
  }
}

/** Stores a freshly loaded schema. Never throws; writes only inside an existing `node_modules`. */
export function writeCachedSchema(root: string, settingsKey: string, cached: CachedSchema): void {
  if (!diskCacheEnabled()) return;
  try {
    if (!statSync(path.join(root, 'node_modules')).isDirectory()) return;
    // Only plain data survives the round trip unchanged (no functions, no class instances).
    if (!isPlainData(cached.model)) return;
    const stored: Stored = { format: FORMAT, code: pluginCodeStamp(), key: settingsKey, ...cached };
    const file = cacheFile(root, settingsKey);
    mkdirSync(path.dirname(file), { recursive: true });
    // Write aside, then rename: a concurrent reader sees the old file or the new one, never half of one.
    const temp = `${file}.${process.pid}.tmp`;
    writeFileSync(temp, serialize(stored));
    renameSync(temp, file);
  } catch {
    // a read-only or full disk: the next process loads from the files, as without a cache
  }
}
