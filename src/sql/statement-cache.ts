/**
 * Lowered statements reused across lint runs. Lowering reads nothing of a fragment but its text and which of its
 * placeholders are opaque, so the statements of an SQL text are lowered once, against a canonical fragment of that
 * text (identity map), and every later fragment with the same text and opaque placeholders gets a copy re-bound to
 * its own source: the objects that hold a source (statements, queries, scopes, references, writes, conflict
 * targets) are copied, everything else (predicates, parse nodes, spans) is shared. A re-bound statement is then
 * indistinguishable from one lowered for that fragment: same spans, and its source maps them through the new
 * fragment to the new file.
 *
 * Only statements that read and write rows are kept (their model holds no nested source): DDL, definitions and
 * uniques are lowered again each time (a schema file is not what an editor re-lints on every keystroke).
 *
 * Bounded like the parse cache: by the characters of the texts kept (each charged its text plus a fixed part).
 */
import type { SqlFragment } from './fragment.js';
import type { Cte, FromRef, Query, Scope, StatementModel, Write } from './lower.js';
import { lowerStatement } from './lower.js';
import type { OnConflictTarget } from './constraints.js';
import { parseFragment, statementSource, type SqlSource } from './source.js';

export const STATEMENT_CACHE_CHARS = 2_000_000;
export const STATEMENT_CACHE_ENTRY_CHARS = 200;

interface Entry {
  parsed: SqlSource['parsed'];
  /** Per statement: the model lowered against the canonical fragment, or null when it is lowered each time. */
  models: Array<StatementModel | null>;
  charge: number;
}

const cache = new Map<string, Entry>();
let cachedChars = 0;
let hits = 0;
let enabled = true;

/** What the statement cache holds (tests): entries, the characters charged for them, statements reused so far. */
export function statementCacheSize(): { entries: number; chars: number; hits: number } {
  return { entries: cache.size, chars: cachedChars, hits };
}

/** Test hook: empty the cache. */
export function resetStatementCache(): void {
  cache.clear();
  cachedChars = 0;
}

/** Test hook: reuse nothing (false: every statement lowered and checked for its own fragment), or reuse again. */
export function reuseStatements(on: boolean): void {
  enabled = on;
}

/** Is work reused across lint runs (off only in tests, to lint as if for the first time)? */
export function reusing(): boolean {
  return enabled;
}

/** Everything lowering depends on: the text and where its opaque placeholders sit. */
function keyOf(fragment: SqlFragment): string {
  if (fragment.opaque.size === 0) return `\0${fragment.text}`;
  const opaque = [...fragment.opaque].sort((a, b) => a - b).join(',');
  return `${opaque}\0${fragment.text}`;
}

/** A model that holds no source but its statement's own (in scopes, references and conflict targets). */
function reusable(model: StatementModel): boolean {
  return model.ddl.length === 0 && model.definitions.length === 0 && model.uniques.length === 0 && model.addedColumns.length === 0;
}

/**
 * The statements of a parsed source, lowered (`lowerStatement` for each), reusing what an earlier fragment with
 * the same text and opaque placeholders lowered.
 */
export function lowerSource(source: SqlSource): Array<StatementModel | null> {
  const { fragment, parsed } = source;
  const count = parsed.statements.length;
  if (!enabled) return Array.from({ length: count }, (_, i) => lowerStatement(source, i));
  const key = keyOf(fragment);
  let entry = cache.get(key);
  if (entry && entry.parsed !== parsed) {
    // the parse was evicted and made again: lower against the new parse
    forget(key, entry);
    entry = undefined;
  }
  if (entry) {
    cache.delete(key);
    cache.set(key, entry);
    hits += entry.models.filter(Boolean).length;
  } else {
    entry = lowerCanonical(fragment, parsed);
    if (entry.charge <= STATEMENT_CACHE_CHARS) {
      cache.set(key, entry);
      cachedChars += entry.charge;
      while (cachedChars > STATEMENT_CACHE_CHARS) {
        const [oldestKey, oldest] = cache.entries().next().value!;
        forget(oldestKey, oldest);
      }
    }
  }
  const models = entry.models;
  return Array.from({ length: count }, (_, i) => {
    const model = models[i];
    return model ? rebindStatement(model, statementSource(source, parsed.statements[i]!)) : lowerStatement(source, i);
  });
}

function forget(key: string, entry: Entry): void {
  cache.delete(key);
  cachedChars -= entry.charge;
}

function lowerCanonical(fragment: SqlFragment, parsed: SqlSource['parsed']): Entry {
  const canonical: SqlFragment = { text: fragment.text, toSource: (i) => i, opaque: new Set(fragment.opaque), origin: fragment.origin };
  const outcome = parseFragment(canonical);
  const models: Entry['models'] = [];
  if (outcome.ok && outcome.source.parsed === parsed) {
    for (let i = 0; i < parsed.statements.length; i++) {
      const model = lowerStatement(outcome.source, i);
      models.push(model && reusable(model) ? model : null);
    }
  }
  return { parsed, models, charge: fragment.text.length + STATEMENT_CACHE_ENTRY_CHARS };
}

/** A read of a re-bound statement: the canonical read it was copied from, and the two fragments. */
export interface BoundQuery {
  canonical: Query;
  /** The canonical fragment (what the canonical read's sources hold). */
  from: SqlFragment;
  /** The fragment the copy was re-bound to. */
  to: SqlFragment;
}

const bound = new WeakMap<Query, BoundQuery>();

/**
 * For a read of a statement that came from the cache: its canonical read, so a check can reuse what it found there
 * (re-bound to `to`); undefined for a read lowered for its own fragment.
 */
export function boundQuery(query: Query): BoundQuery | undefined {
  return bound.get(query);
}

/**
 * Copies a canonical model onto `source`; objects reachable twice (a sublink's query) stay one object. Scopes and
 * writes find their clause layout and span on first read (from the token layout, the same for every fragment of the
 * text): a copy reads them from the canonical object, so they are computed once, and only when a fix needs them.
 */
function rebindStatement(model: StatementModel, source: SqlSource): StatementModel {
  const copies = new Map<object, object>();
  const once = <T extends object>(value: T, make: () => T, fill: (copy: T) => void): T => {
    const done = copies.get(value);
    if (done) return done as T;
    const copy = make();
    copies.set(value, copy);
    fill(copy);
    return copy;
  };
  const plain = <T extends object>(value: T, fill: (copy: T) => void): T => once(value, () => ({ ...value }), fill);
  const ctes = (list: Cte[]): Cte[] => list.map((c) => ({ ...c, query: query(c.query) }));
  const ref = (r: FromRef): FromRef =>
    plain(r, (c) => {
      if (c.kind === 'derived' && r.kind === 'derived') c.query = query(r.query);
    });
  const scope = (s: Scope): Scope =>
    once(
      s,
      (): Scope => ({
        source,
        kind: s.kind,
        refs: [],
        where: s.where,
        outputs: s.outputs,
        subqueries: [],
        valueAliases: s.valueAliases,
        get layout() {
          return s.layout;
        },
        nonMonotone: s.nonMonotone,
        aggregateFilters: s.aggregateFilters,
        sublinks: [],
        raw: s.raw,
      }),
      (c) => {
        c.refs = s.refs.map(ref);
        c.subqueries = s.subqueries.map(query);
        c.sublinks = s.sublinks.map((l) => ({ ...l, query: query(l.query) }));
      },
    );
  const query = (q: Query): Query =>
    plain(q, (c) => {
      c.ctes = ctes(q.ctes);
      if (c.kind === 'select' && q.kind === 'select') c.scope = scope(q.scope);
      else if (c.kind === 'set' && q.kind === 'set') c.branches = q.branches.map(query);
      else if (c.kind === 'other' && q.kind === 'other') c.subqueries = q.subqueries.map(query);
    });
  const write = (w: Write): Write =>
    once(
      w,
      (): Write => ({
        kind: w.kind,
        target: ref(w.target) as Write['target'],
        only: w.only,
        where: w.where,
        currentOf: w.currentOf,
        scope: w.scope && scope(w.scope),
        sets: w.sets,
        returning: w.returning,
        get span() {
          return w.span;
        },
      }),
      () => {},
    );
  const conflict = (t: OnConflictTarget): OnConflictTarget => plain(t, (c) => void (c.source = source));
  return plain(model, (c) => {
    c.source = source;
    c.reads = model.reads.map((q) => {
      const copy = query(q);
      bound.set(copy, { canonical: q, from: model.source.fragment, to: source.fragment });
      return copy;
    });
    c.writes = model.writes.map(write);
    c.onConflicts = model.onConflicts.map(conflict);
  });
}
