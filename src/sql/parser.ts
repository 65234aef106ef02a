/**
 * The only module that talks to libpg-query. Everything past this file works on string indices (not the UTF-8
 * byte offsets libpg-query reports) and on our own token type.
 */
import { loadModule, parseSync, scanSync } from 'libpg-query';

// libpg-query is WASM: one asynchronous load, then parseSync/scanSync are synchronous, which ESLint rules need.
await loadModule();

/** A raw libpg-query AST node: `{ NodeType: { ...fields } }`. Narrowed with the helpers in `ast.ts`. */
export type RawNode = Record<string, unknown>;

export type TokenKind = 'keyword' | 'ident' | 'string' | 'number' | 'param' | 'operator' | 'punct' | 'comment';

export interface SqlToken {
  /** String index of the first character. */
  start: number;
  /** String index one past the last character. */
  end: number;
  text: string;
  kind: TokenKind;
  /** Upper-cased keyword for `kind: 'keyword'` (reserved or not), otherwise ''. */
  keyword: string;
}

export interface ParsedStatement {
  /** The statement node, e.g. `{ SelectStmt: {...} }`, with every `location` already a string index. */
  node: RawNode;
  /** Span of the statement text in the parsed SQL (string indices, excluding the trailing `;`). */
  start: number;
  end: number;
}

export interface ParsedSql {
  text: string;
  statements: ParsedStatement[];
  tokens: SqlToken[];
}

export interface SqlSyntaxError {
  message: string;
  /** String index of the error (0 when the parser gives none). */
  index: number;
}

export type ParseOutcome = { ok: true; parsed: ParsedSql } | { ok: false; error: SqlSyntaxError };

/** Maps UTF-8 byte offsets of `text` to string (UTF-16) indices. Identity for ASCII text. */
export function byteOffsetMapper(text: string): (byteOffset: number) => number {
  // eslint-disable-next-line no-control-regex
  if (/^[\x00-\x7f]*$/.test(text)) return (b) => b;
  const byteToIndex: number[] = [];
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.codePointAt(i)!;
    const width = code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4;
    for (let k = 0; k < width; k++) byteToIndex[bytes + k] = i;
    bytes += width;
    if (code >= 0x10000) i++; // surrogate pair: two UTF-16 units, one code point
  }
  byteToIndex[bytes] = text.length;
  return (b) => (b < 0 ? b : (byteToIndex[b] ?? text.length));
}

const LOCATION_KEYS = new Set(['location', 'stmt_location']);

function remapLocations(node: unknown, toIndex: (b: number) => number): void {
  if (Array.isArray(node)) {
    for (const child of node) remapLocations(child, toIndex);
    return;
  }
  if (node === null || typeof node !== 'object') return;
  const record = node as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    const value = record[key];
    if (typeof value === 'number' && LOCATION_KEYS.has(key)) record[key] = toIndex(value);
    else if (typeof value === 'object') remapLocations(value, toIndex);
  }
}

function tokenKind(name: string, keywordKind: number, text: string): TokenKind {
  if (name === 'SQL_COMMENT' || name === 'C_COMMENT') return 'comment';
  if (keywordKind !== 0) return 'keyword';
  switch (name) {
    case 'IDENT':
      return 'ident';
    case 'SCONST':
    case 'USCONST':
    case 'BCONST':
    case 'XCONST':
      return 'string';
    case 'ICONST':
    case 'FCONST':
      return 'number';
    case 'PARAM':
      return 'param';
    case 'Op':
    case 'TYPECAST':
    case 'DOT_DOT':
    case 'COLON_EQUALS':
    case 'EQUALS_GREATER':
    case 'LESS_EQUALS':
    case 'GREATER_EQUALS':
    case 'NOT_EQUALS':
      return 'operator';
    default:
      return /^[(),;.[\]]$/.test(text) ? 'punct' : 'operator';
  }
}

/** Tokens of `text` with string indices. Never throws: an unscannable text yields no tokens. */
export function tokenize(text: string): SqlToken[] {
  let raw;
  try {
    raw = scanSync(text).tokens;
  } catch {
    return [];
  }
  const toIndex = byteOffsetMapper(text);
  return raw.map((t) => {
    const start = toIndex(t.start);
    const end = toIndex(t.end);
    const slice = text.slice(start, end);
    const kind = tokenKind(t.tokenName, t.keywordKind, slice);
    return { start, end, text: slice, kind, keyword: kind === 'keyword' ? slice.toUpperCase() : '' };
  });
}

/** libpg-query's error `cursorPosition` counts code points (not bytes, not UTF-16 units). */
function errorIndex(error: unknown, text: string): number {
  const details = (error as { sqlDetails?: { cursorPosition?: number } }).sqlDetails;
  const position = details?.cursorPosition;
  if (typeof position !== 'number' || position <= 0) return 0;
  let index = 0;
  for (let k = 0; k < position && index < text.length; k++) index += text.codePointAt(index)! > 0xffff ? 2 : 1;
  return index;
}

/**
 * Parses SQL text with the real PostgreSQL parser. Never throws: a syntax error (or anything the WASM module
 * rejects) comes back as `{ ok: false }` with the parser's message and a string index.
 */
export function parseSql(text: string): ParseOutcome {
  const toIndex = byteOffsetMapper(text);
  let result;
  try {
    result = parseSync(text) as unknown as { stmts?: Array<{ stmt: RawNode; stmt_location?: number; stmt_len?: number }> };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { ok: false, error: { message, index: errorIndex(error, text) } };
  }
  const statements: ParsedStatement[] = [];
  for (const raw of result.stmts ?? []) {
    const byteStart = raw.stmt_location ?? 0;
    const start = toIndex(byteStart);
    const end = raw.stmt_len ? toIndex(byteStart + raw.stmt_len) : text.length;
    remapLocations(raw.stmt, toIndex);
    statements.push({ node: raw.stmt, start, end: trimEnd(text, start, end) });
  }
  // Tokens are only needed for fixes and DDL details; most statements never ask, and scanning costs more than
  // parsing. So they are produced on first use.
  let tokens: SqlToken[] | undefined;
  const parsed = {
    text,
    statements,
    get tokens(): SqlToken[] {
      return (tokens ??= tokenize(text));
    },
  };
  return { ok: true, parsed };
}

function trimEnd(text: string, start: number, end: number): number {
  let e = end;
  while (e > start && /[\s;]/.test(text[e - 1]!)) e--;
  return e;
}
