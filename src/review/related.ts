/**
 * Places related to a finding (the migration that made its table soft-deletable), handed from the rules to the
 * report formats of the same process (SARIF `relatedLocations`). ESLint's messages carry no extra data, so the rules
 * record them here, keyed by file, position and rule; a finding whose rule did not run in this process (a cache hit,
 * a worker thread) simply has none. Light on purpose: no ESLint, no parser.
 */
import { resolve } from 'node:path';

/** A place in a file: `index` is a character offset in its text. */
export interface RelatedPlace {
  file: string;
  index: number;
  message: string;
}

const KEY = Symbol.for('eslint-plugin-soft-delete/related-places');
/** Findings remembered at most (a long-running editor process must not grow without bound). */
const MAX_ENTRIES = 50_000;

function store(): Map<string, RelatedPlace[]> {
  const holder = globalThis as { [KEY]?: Map<string, RelatedPlace[]> };
  return (holder[KEY] ??= new Map());
}

const keyOf = (file: string, line: number, column: number, ruleId: string): string => `${resolve(file)}\u0000${line}\u0000${column}\u0000${ruleId}`;

/** Records the related places of the finding of `ruleId` reported at line:column (1-based, as ESLint reports). */
export function recordRelated(file: string, line: number, column: number, ruleId: string, places: readonly RelatedPlace[]): void {
  if (places.length === 0) return;
  const entries = store();
  const key = keyOf(file, line, column, ruleId);
  entries.delete(key);
  entries.set(key, [...places]);
  if (entries.size > MAX_ENTRIES) entries.delete(entries.keys().next().value!);
}

/** The related places recorded for a finding, if any. */
export function relatedOf(file: string, line: number, column: number, ruleId: string): readonly RelatedPlace[] | undefined {
  return store().get(keyOf(file, line, column, ruleId));
}
