/**
 * The one identifier-quoting rule, PostgreSQL's own (`quote_identifier`): a name is written bare when it is lower
 * case letters, digits and underscores (not starting with a digit) and is not a keyword, or only an unreserved
 * one; otherwise it is double-quoted with `"` doubled. Keywords come from the real scanner, not a list of ours.
 */
import { keywordCategory } from './parser.js';

const SAFE = /^[a-z_][a-z0-9_]*$/;
const cache = new Map<string, boolean>();

/** Does PostgreSQL need this name quoted to read it back as the same identifier? */
export function needsQuotes(name: string): boolean {
  if (!SAFE.test(name)) return true;
  let hit = cache.get(name);
  if (hit === undefined) {
    const category = keywordCategory(name);
    hit = category !== 'none' && category !== 'unreserved';
    if (cache.size > 10_000) cache.clear();
    cache.set(name, hit);
  }
  return hit;
}

/** A name as SQL, quoted only when it must be. */
export function quoteIdent(name: string): string {
  return needsQuotes(name) ? `"${name.replace(/"/g, '""')}"` : name;
}

/** A possibly qualified name (`schema.table`, each part quoted where needed). */
export function quoteQualified(...parts: string[]): string {
  return parts.map(quoteIdent).join('.');
}
