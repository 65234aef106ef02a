/**
 * A parsed SQL source: a fragment (text + map back to the file), its parse and its token layout. Sources nest:
 * the query inside `pgtrickle.create_stream_table('…', $$…$$)` is a source whose map goes through the outer one.
 */
import { nestedFragment, type SqlFragment } from './fragment.js';
import { parseSql, tokenize, type ParsedSql, type ParsedStatement, type SqlSyntaxError } from './parser.js';
import { skipSpaceAndComments } from './lexical.js';
import { TokenLayout } from './layout.js';
import { decodeStringLiteral } from './literal.js';

export interface SqlSource {
  fragment: SqlFragment;
  parsed: ParsedSql;
  layout: TokenLayout;
}

export type SourceOutcome =
  | { ok: true; source: SqlSource }
  | { ok: false; error: SqlSyntaxError; source: { fragment: SqlFragment } };

/**
 * The cache is bounded by the size of what it keeps, not by the number of texts: a parse tree costs ~50 bytes per
 * character of SQL, so 2 M characters keep ~100 MB of trees at most. Each entry is charged its text plus
 * PARSE_CACHE_ENTRY_CHARS for the tree's fixed part, so many tiny texts are bounded too. A text bigger than the
 * bound is parsed without being kept (a dump or seed file is parsed once by the language and once by the rules).
 * No bound on the number of entries: a project of 2,400 queries re-linted in one process (`lintFiles` again, an
 * editor's workspace lint) cycles through more than a few hundred texts, and an LRU smaller than that cycle never
 * hits.
 */
export const PARSE_CACHE_CHARS = 2_000_000;
export const PARSE_CACHE_ENTRY_CHARS = 200;
const parseCache = new Map<string, ReturnType<typeof parseSql>>();
let cachedChars = 0;

/** What the parse cache holds (tests): entries, and the characters charged for them. */
export function parseCacheSize(): { entries: number; chars: number } {
  return { entries: parseCache.size, chars: cachedChars };
}

/** parseSql with an LRU cache: several rules, the schema loader and every later run in the process ask again. */
export function parseCached(text: string): ReturnType<typeof parseSql> {
  const hit = parseCache.get(text);
  if (hit) {
    parseCache.delete(text);
    parseCache.set(text, hit);
    return hit;
  }
  const outcome = parseSql(text);
  const charge = text.length + PARSE_CACHE_ENTRY_CHARS;
  if (charge > PARSE_CACHE_CHARS) return outcome;
  parseCache.set(text, outcome);
  cachedChars += charge;
  while (cachedChars > PARSE_CACHE_CHARS) {
    const oldest = parseCache.keys().next().value!;
    parseCache.delete(oldest);
    cachedChars -= oldest.length + PARSE_CACHE_ENTRY_CHARS;
  }
  return outcome;
}

const layoutCache = new WeakMap<ParsedSql, TokenLayout>();

export function parseFragment(fragment: SqlFragment): SourceOutcome {
  const outcome = parseCached(fragment.text);
  if (!outcome.ok) return { ok: false, error: outcome.error, source: { fragment } };
  return { ok: true, source: new WholeSource(fragment, outcome.parsed) };
}

/**
 * A source whose token layout is built on first use (fixes, DDL details): tokenizing costs more than parsing. A
 * getter on the prototype, so every source shares one hidden class (an object literal with a getter is a slow
 * dictionary object).
 */
class WholeSource implements SqlSource {
  constructor(
    readonly fragment: SqlFragment,
    readonly parsed: ParsedSql,
  ) {}

  get layout(): TokenLayout {
    let layout = layoutCache.get(this.parsed);
    if (!layout) layoutCache.set(this.parsed, (layout = new TokenLayout(this.parsed.tokens)));
    return layout;
  }
}

const statementLayouts = new WeakMap<ParsedStatement, TokenLayout>();

/** One past the statement's `;` when one follows it (past blanks and comments), else the statement's end. */
function throughSemicolon(text: string, end: number): number {
  const i = skipSpaceAndComments(text, end);
  return text[i] === ';' ? i + 1 : end;
}

/**
 * The source as one of its statements sees it: the same fragment and parse, with a token layout of that statement
 * alone (through its `;`), built on first use. A file of thousands of statements (a dump) is then tokenized only
 * where a statement needs tokens, never whole. A one-statement source is returned as it is.
 */
export function statementSource(source: SqlSource, statement: ParsedStatement): SqlSource {
  if (source.parsed.statements.length <= 1) return source;
  return new StatementSource(source.fragment, source.parsed, statement);
}

class StatementSource implements SqlSource {
  constructor(
    readonly fragment: SqlFragment,
    readonly parsed: ParsedSql,
    private readonly statement: ParsedStatement,
  ) {}

  get layout(): TokenLayout {
    const { statement } = this;
    let layout = statementLayouts.get(statement);
    if (!layout) {
      const text = this.parsed.text;
      const end = throughSemicolon(text, statement.end);
      const tokens = tokenize(text.slice(statement.start, end)).map((t) => ({ ...t, start: t.start + statement.start, end: t.end + statement.start }));
      statementLayouts.set(statement, (layout = new TokenLayout(tokens)));
    }
    return layout;
  }
}

/** The SQL inside the string literal token starting at `location` of `outer`, parsed as its own source. */
export function sourceFromFragmentString(outer: SqlSource, location: number): SourceOutcome | null {
  const index = outer.layout.tokenIndexStartingAt(location);
  const token = index === undefined ? undefined : outer.layout.tokens[index];
  if (!token || token.kind !== 'string') return null;
  const decoded = decodeStringLiteral(token.text);
  if (!decoded) return null;
  const escape = token.text.startsWith("'")
    ? (t: string) => t.replace(/'/g, "''")
    : /^[eE]'/.test(token.text)
      ? (t: string) => t.replace(/\\/g, '\\\\').replace(/'/g, "\\'")
      : undefined;
  const fragment = nestedFragment(
    outer.fragment,
    decoded.value,
    (i) => token.start + (decoded.offsets[i] ?? decoded.offsets[decoded.offsets.length - 1]!),
    'nested-string',
    escape,
  );
  return parseFragment(fragment);
}
