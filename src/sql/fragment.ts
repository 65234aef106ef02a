import { lineIndexOf } from './line-starts.js';

/**
 * A piece of SQL found somewhere (a TS template, a string argument, a `.sql` file, a string literal nested inside
 * other SQL) together with the way back to the file it came from.
 */
export interface SqlFragment {
  /** The SQL text handed to the parser (interpolations and driver placeholders already normalised). */
  text: string;
  /** Maps a string index in `text` (0..text.length) to a string index in the original file text. */
  toSource: (index: number) => number;
  /**
   * Indices in `text` of placeholders that stand for an interpolation we cannot see into (a `$N` param or a quoted
   * placeholder identifier). A predicate that is only such a placeholder makes the verdict "unknown".
   */
  opaque: ReadonlySet<number>;
  /** Where it came from, for messages and debugging. */
  origin: FragmentOrigin;
  /**
   * false when the text is synthesized from code (a query builder, an ORM call): an edit of the SQL has no place in
   * the file, so findings on it carry no SQL fix (a front end may offer one in the code's own idiom instead).
   */
  fixable?: boolean;
  /** Escapes SQL text inserted by a fix for the quoting this fragment sits in (e.g. `'` → `''`). */
  escape?: (text: string) => string;
  /**
   * For synthesized SQL: the missing active-row filter of the table reference whose name sits at source index
   * `at`, written in the code's own idiom (`.whereNull('deleted_at')`, `deletedAt: null`, …), or null when the
   * front end knows no edit that is safe there.
   */
  codeFilter?: (at: number, filter: FilterRequest) => CodeFilter | null;
  /** For SQL synthesized from a database API that is not SQL (DynamoDB): the read or delete in that API's own terms. */
  api?: ApiRead;
  /**
   * For a synthesized DELETE: the same write as a soft delete in the code's own idiom (`.del()` →
   * `.update({ deleted_at: knex.fn.now() })`, `repo.delete` → `repo.softDelete`, …) for the table whose name sits
   * at `at`, or null when no edit is known to be safe.
   */
  codeSoftDelete?: (at: number, request: SoftDeleteRequest) => CodeFilter | null;
}

/** A soft delete a finding asks for in place of a DELETE: set the column, and (`filter`) keep to live rows. */
export interface SoftDeleteRequest extends FilterRequest {
  /** Add the active-row filter too (false when the WHERE already keeps to live rows). */
  filter: boolean;
}

/** A read or delete of an API that is not SQL, as findings name it (the SQL lowered from it is only how the checks see it). */
export interface ApiRead {
  /** The API's name for the operation (`Query`, `GetItem`, `DeleteItem`, `PartiQL DELETE`). */
  operation: string;
  /** The table as the API spells it (`Orders`). */
  table: string;
  /** The filter that excludes soft-deleted items, as the API writes it (`attribute_not_exists(deleted_at)`). */
  filter: string;
  /** When an item counts as deleted (`` `deleted_at` is set ``). */
  deletedWhen: string;
  /** false when the read cannot filter at all (a GetItem). */
  canFilter: boolean;
  /** Where the filter goes when it is not the API's filter parameter: a PartiQL statement's `WHERE`. */
  clause?: 'WHERE';
  /**
   * For a delete that can take a condition: the condition that keeps it to items already soft-deleted, as the API
   * writes it (`attribute_exists(deleted_at)`), which makes it a purge the checks accept.
   */
  purge?: string;
}

/** The active-row filter a finding asks for, in a form any front end can spell. */
export interface FilterRequest {
  /** The soft-delete column (SQL name). */
  column: string;
  /** The qualifier the SQL needs (an alias, or the table's name when several tables are read), else null. */
  qualifier: string | null;
  /** `column IS NULL` (a timestamp) or `NOT column` (a boolean flag). */
  test: 'is-null' | 'is-false';
}

/** An edit of the linted file itself: replace source text [start, end) with `text`. */
export interface SourceEdit {
  start: number;
  end: number;
  text: string;
}

/** A filter written in the code's idiom: what to show (`.whereNull('deleted_at')`) and the edits that add it. */
export interface CodeFilter {
  code: string;
  edits: SourceEdit[];
}

export type FragmentOrigin =
  | 'tagged-template'
  | 'call-argument'
  | 'sql-file'
  | 'nested-string'
  | 'settings'
  | 'query-builder';

/** A fragment whose text is the file text itself (a `.sql` file). */
export function wholeFileFragment(text: string): SqlFragment {
  return { text, toSource: (i) => i, opaque: new Set(), origin: 'sql-file' };
}

/**
 * Builds an index map from segments: `text` is the concatenation of the segments, and each segment either maps
 * character by character to `sourceStart + k` or (for synthetic text such as `$1`) to one source position.
 */
export interface MappedSegment {
  text: string;
  /** Source index of the first character. */
  sourceStart: number;
  /** true: every character maps to `sourceStart + k`; false: every character maps to `sourceStart`. */
  verbatim: boolean;
  /** For escaped literals: per-character source offsets relative to sourceStart (overrides verbatim). */
  offsets?: number[];
  /** Marks the segment as an opaque placeholder. */
  opaque?: boolean;
}

export function fragmentFromSegments(segments: MappedSegment[], origin: FragmentOrigin): SqlFragment {
  let text = '';
  const starts: number[] = [];
  const opaque = new Set<number>();
  for (const segment of segments) {
    starts.push(text.length);
    if (segment.opaque) opaque.add(text.length);
    text += segment.text;
  }
  const toSource = (index: number): number => {
    const lo = lineIndexOf(starts, index);
    const segment = segments[lo];
    if (!segment) return 0;
    const k = index - starts[lo]!;
    if (segment.offsets) {
      if (k < segment.offsets.length) return segment.sourceStart + segment.offsets[k]!;
      const last = segment.offsets.length ? segment.offsets[segment.offsets.length - 1]! + 1 : 0;
      return segment.sourceStart + last + (k - segment.offsets.length);
    }
    return segment.verbatim ? segment.sourceStart + k : segment.sourceStart;
  };
  return { text, toSource, opaque, origin };
}

/** A fragment for `inner`, a substring-derived text inside `outer`, given a map from inner indices to outer ones. */
export function nestedFragment(
  outer: SqlFragment,
  text: string,
  toOuter: (index: number) => number,
  origin: FragmentOrigin = 'nested-string',
  escape?: (text: string) => string,
): SqlFragment {
  const opaque = new Set<number>();
  for (let i = 0; i < text.length; i++) if (outer.opaque.has(toOuter(i))) opaque.add(i);
  const outerEscape = outer.escape;
  const composed = escape && outerEscape ? (t: string) => outerEscape(escape(t)) : (escape ?? outerEscape);
  return { text, toSource: (i) => outer.toSource(toOuter(i)), opaque, origin, ...(composed ? { escape: composed } : {}) };
}
