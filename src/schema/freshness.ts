/**
 * Knowing that a glob listing is still right without listing again. A file appears in (or leaves) a listing only
 * when an entry is added to, removed from or renamed in a directory the globs walk through, and that changes the
 * directory's mtime. So a listing is recorded with the mtimes of those directories, and re-checked by stat'ing
 * them: a few dozen `stat` calls instead of reading every directory of a source tree.
 *
 * The directories are found from the patterns: a pattern's leading literal segments name its base directory (and
 * each directory on the way there, so creating a missing one is noticed), the rest says how deep below the base it
 * reaches (`**`: all the way). Where that cannot be known cheaply and exactly — a symbolic link to a directory on
 * the way, a tree too large to walk — the watch says so and callers list again as before.
 */
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';

export interface ListingWatch {
  /** Directory → its mtime (ms), or null when it did not exist. */
  dirs: Map<string, number | null>;
  /** False when the directories do not decide the listing (symlinks, too many directories): list again. */
  exact: boolean;
}

/** Directories walked at most, over all patterns; a larger tree is listed again at each re-check. */
const MAX_WATCHED_DIRS = 4000;
const MAGIC = /[*?[\]{}()!+@]/;

function mtimeOf(dir: string): number | null {
  try {
    const stat = statSync(dir);
    return stat.isDirectory() ? stat.mtimeMs : -1;
  } catch {
    return null;
  }
}

/**
 * The directories whose entries decide what `patterns` (tinyglobby patterns relative to `root`, with
 * `node_modules` ignored and dot-directories not matched by wildcards) can list, with their current mtimes.
 * Call it before listing: a change made between the two is then seen at the next re-check.
 */
export function watchListing(root: string, patterns: readonly string[]): ListingWatch {
  const dirs = new Map<string, number | null>();
  let exact = true;
  const walked = new Map<string, number>();
  const walk = (dir: string, depth: number): void => {
    if (!exact || (walked.get(dir) ?? 0) >= depth) return;
    walked.set(dir, depth);
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
      if (entry.isSymbolicLink()) {
        // The glob follows links: a linked directory's entries would change without any watched mtime moving.
        const target = mtimeOf(path.join(dir, entry.name));
        if (target !== null && target !== -1) exact = false;
        continue;
      }
      if (!entry.isDirectory()) continue;
      const child = path.join(dir, entry.name);
      if (!dirs.has(child)) dirs.set(child, mtimeOf(child));
      if (dirs.size > MAX_WATCHED_DIRS) {
        exact = false;
        return;
      }
      if (depth > 1) walk(child, depth - 1);
    }
  };
  for (const pattern of patterns) {
    if (pattern.startsWith('!')) continue; // a negation only removes files
    const segments = pattern.split('/').filter((s) => s !== '' && s !== '.');
    const firstMagic = segments.findIndex((s) => MAGIC.test(s));
    // A literal pattern names one file: its directory (and the way there) decides whether it is listed.
    const baseSegments = firstMagic === -1 ? segments.slice(0, -1) : segments.slice(0, firstMagic);
    const chain = [path.isAbsolute(pattern) ? path.parse(pattern).root : path.resolve(root)];
    for (const s of baseSegments) chain.push(path.resolve(chain[chain.length - 1]!, s));
    let missing = false;
    for (const d of chain) {
      if (dirs.has(d)) {
        missing = dirs.get(d) === null;
        if (missing) break;
        continue;
      }
      const mtime = mtimeOf(d);
      dirs.set(d, mtime);
      if (mtime === null || mtime === -1) {
        missing = true;
        break;
      }
    }
    if (missing || firstMagic === -1) continue;
    const rest = segments.slice(firstMagic);
    // Levels of directories below the base the pattern reaches: `a/*/b.sql` one, `**` any.
    const depth = rest.includes('**') ? Infinity : rest.length - 1;
    if (depth > 0) walk(chain[chain.length - 1]!, depth);
    if (!exact) break;
  }
  return { dirs, exact };
}

/** True when every watched directory has the mtime it had (so the listing it guards is unchanged). */
export function listingUnchanged(watch: ListingWatch): boolean {
  if (!watch.exact) return false;
  for (const [dir, mtime] of watch.dirs) if (mtimeOf(dir) !== mtime) return false;
  return true;
}

// ---------------------------------------------------------------------------------------------------------------
// When to re-check: the pace of the lint calls (shared by every cache of files the plugin reads: schema files,
// infrastructure definitions)

/** Stamps of the files behind a cached model are re-checked at most this often (milliseconds). */
export const SCHEMA_RECHECK_MS = 1000;
/**
 * Within one `lintFiles` run the stamps are re-checked only every SCHEMA_BATCH_RECHECK_MS. A run is recognised by
 * the files asked about, not by the clock alone (on a loaded machine files of one run arrive more than 50 ms apart):
 * BATCH_MIN_FILES calls in a row about different files (a run lints each file once), each within
 * BATCH_FILE_GAP_MS of the call before. An editor re-lints the file being typed in, or a few open files in turn:
 * a file asked about again, or a pause, ends a run at once, so an editor re-checks at the one-second pace. Calls
 * closer together than BATCH_GAP_MS also count as a run, whatever their files.
 */
const BATCH_GAP_MS = 50;
export const BATCH_MIN_FILES = 10;
const BATCH_FILE_GAP_MS = 500;
export const SCHEMA_BATCH_RECHECK_MS = 10_000;

/** The pace of the calls: the files of the current run (different files in a row, without a pause), the last call. */
const pace = { files: new Set<string>(), at: -Infinity, run: 0, batch: false };
let now: () => number = () => Date.now();

/** The clock the re-checks are paced by (`Date.now`, or a test's). */
export function clock(): number {
  return now();
}

/** Test hook: replaces the clock (`undefined` restores `Date.now`) and forgets the pace. */
export function setPaceClock(next?: () => number): void {
  resetPace();
  now = next ?? (() => Date.now());
}

/** Notes a lint call about `file` at `at` (once per linted file: the schema look-up does). */
export function notePace(file: string, at: number): void {
  const gap = at - pace.at;
  // (a clock that went back — a test's clock — is a pause)
  const pause = gap < 0 || gap >= BATCH_FILE_GAP_MS;
  if (pause || pace.files.has(file)) {
    pace.files.clear();
    pace.run = 0;
  }
  // the run's files are remembered to see a repeat; a very long run keeps its count and forgets older names
  if (pace.files.size >= 10_000) pace.files.clear();
  pace.files.add(file);
  pace.run++;
  pace.batch = (gap >= 0 && gap < BATCH_GAP_MS) || pace.run >= BATCH_MIN_FILES;
  pace.at = at;
}

export function resetPace(): void {
  pace.files.clear();
  Object.assign(pace, { at: -Infinity, run: 0, batch: false });
}

/**
 * How long a checked cache is taken as it is, at the pace the calls come. Asked at `at` (a cache consulted before
 * the call is noted): a pause since the last noted call has already ended the run.
 */
export function recheckInterval(at = pace.at): number {
  const gap = at - pace.at;
  return pace.batch && gap >= 0 && gap < BATCH_FILE_GAP_MS ? SCHEMA_BATCH_RECHECK_MS : SCHEMA_RECHECK_MS;
}
