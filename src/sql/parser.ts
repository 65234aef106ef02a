/**
 * The only module that talks to libpg-query. Everything past this file works on string indices (not the UTF-8
 * byte offsets libpg-query reports) and on our own token type.
 */
// Must stay before the libpg-query import: its WASM then loads within the importing job (see wasm-sync.ts).
import { restoreInstantiate } from './wasm-sync.js';
import { skipBlockComment, skipLineComment, skipQuoted, skipRegion } from './lexical.js';
import { TOO_DEEP_NODE } from './ast.js';
import { loadModule, parseSync, scanSync } from 'libpg-query';
import { scanCommon } from './scan.js';

// libpg-query is WASM: one load, then parseSync/scanSync are synchronous, which ESLint rules need. No top-level
// `await` here: that would make the plugin impossible to `require()` from a CommonJS config.
let parserReady = false;
let parserFailure: unknown;
const loaded = loadModule().then(
  () => {
    parserReady = true;
    restoreInstantiate();
  },
  (error: unknown) => {
    parserFailure = error;
    restoreInstantiate();
  },
);

/**
 * Resolves once the PostgreSQL parser is loaded. It is before any timer or I/O callback that follows the import, so
 * ESLint (which reads files before linting them) never waits; only a synchronous caller in the importing tick does.
 */
export function parserLoaded(): Promise<void> {
  return loaded.then(assertParserReady);
}

/** Thrown, not swallowed into a parse error: a parser that is not loaded would otherwise silence every check. */
function assertParserReady(): void {
  if (parserReady) return;
  throw new Error(
    parserFailure === undefined
      ? 'eslint-plugin-soft-delete: the PostgreSQL parser (libpg-query) is still loading. It is ready once the code ' +
          'that imported the plugin yields to the event loop; call `await parserLoaded()` before linting synchronously.'
      : `eslint-plugin-soft-delete: the PostgreSQL parser (libpg-query) failed to load: ${String(parserFailure)}`,
  );
}

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
  /** Statements left out of `statements` because they nest too deeply to analyse (absent: none). */
  skipped?: SkippedStatement[];
}

/** A statement that parses (or might) but that the engine does not analyse; `message` says why. */
export interface SkippedStatement {
  start: number;
  end: number;
  /** Where to report it (string index). */
  index: number;
  message: string;
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

/**
 * Deepest statement tree (in JSON levels: objects and arrays) handed to the rest of the engine. Every recursive walk
 * past this module relies on it; real SQL stays far below (a query nested 10 subqueries deep is ~60 levels).
 */
export const MAX_TREE_DEPTH = 1200;

/**
 * libpg-query runs on the JavaScript stack: a left-nested chain ~9,600 levels deep (`1 + 1 + …`, `NOT NOT …`,
 * `UNION ALL` branches, JOINs) overflows it inside WASM, and after that every later parse in the process fails.
 * So text that *could* nest that deep is never handed to it: see `nestingEstimate`.
 */
const MAX_NESTING_ESTIMATE = 4000;

const isWrapper = (value: object): boolean => {
  let keys = 0;
  for (const key in value) {
    if (++keys > 1) return false;
    const first = key.charCodeAt(0);
    if (first < 65 || first > 90) return false; // node types start with an upper-case letter
  }
  return keys === 1;
};

/**
 * Rewrites every `location` from a UTF-8 byte offset to a string index, without recursion, and cuts off every part of
 * the tree deeper than MAX_TREE_DEPTH (objects and arrays), leaving a TOO_DEEP_NODE in its place: every walk past
 * this module then meets a tree of bounded depth. Returns the string index of the earliest part cut off: -1 when
 * none was, the start of the statement (`fallback`) when the parts cut off carry no location.
 */
function remapLocations(root: unknown, toIndex: (b: number) => number, fallback = 0, masks: ByteRange[] = []): number {
  const cuts: RawNode[] = [];
  // Two parallel stacks (values and their depths): nothing is allocated per node of the tree.
  const values: unknown[] = [root];
  const depths: number[] = [1];
  while (values.length > 0) {
    const value = values.pop();
    const depth = depths.pop()!;
    if (value === null || typeof value !== 'object') continue;
    if (Array.isArray(value)) {
      for (let k = 0; k < value.length; k++) {
        const child: unknown = value[k];
        if (child === null || typeof child !== 'object') continue;
        if ((depth >= MAX_TREE_DEPTH && !Array.isArray(child)) || (masks.length > 0 && isMasked(child, masks))) value[k] = cut(child, cuts, masks);
        else {
          values.push(child);
          depths.push(depth + 1);
        }
      }
      continue;
    }
    const record = value as Record<string, unknown>;
    // The fields object of a node goes with its node (a node is cut whole, never emptied).
    const canCut = depth >= MAX_TREE_DEPTH && !isWrapper(record);
    for (const key in record) {
      const child = record[key];
      if (typeof child === 'number' && LOCATION_KEYS.has(key)) record[key] = toIndex(child);
      else if (child === null || typeof child !== 'object') continue;
      else if ((canCut && !Array.isArray(child)) || (masks.length > 0 && isMasked(child, masks))) record[key] = cut(child, cuts, masks);
      else {
        values.push(child);
        depths.push(depth + 1);
      }
    }
  }
  if (cuts.length === 0) return -1;
  // Each placeholder holds the earliest byte offset of its part: mapped like every other location.
  let earliest = -1;
  for (const placeholder of cuts as Array<Record<string, { location: number }>>) {
    const fields = placeholder[TOO_DEEP_NODE]!;
    if (fields.location >= 0) fields.location = toIndex(fields.location);
    if (fields.location >= 0 && (earliest < 0 || fields.location < earliest)) earliest = fields.location;
  }
  return earliest >= 0 ? earliest : fallback;
}

/** Byte offsets [start, end) of a part of the text the parser was given masked (see maskTooDeep). */
type ByteRange = [number, number];

/** A node whose own location lies in a masked part: the stand-in of what was masked. */
function isMasked(node: object, masks: ByteRange[]): boolean {
  if (Array.isArray(node) || !isWrapper(node)) return false;
  const fields = Object.values(node)[0] as Record<string, unknown> | null;
  const at = fields && typeof fields === 'object' ? fields.location : undefined;
  return typeof at === 'number' && masks.some(([from, to]) => at >= from && at < to);
}

/**
 * A TOO_DEEP_NODE for `part`, recorded in `cuts`; its location is the part's earliest (a byte offset until mapped),
 * or the start of the masked part that earliest location lies in (a stand-in's own text is not what was written).
 */
function cut(part: object, cuts: RawNode[], masks: ByteRange[]): RawNode {
  const earliest = earliestLocation(part);
  const mask = masks.find(([from, to]) => earliest >= from && earliest < to);
  const placeholder = { [TOO_DEEP_NODE]: { location: mask ? mask[0] : earliest } };
  cuts.push(placeholder);
  return placeholder;
}

/** Smallest non-negative location anywhere in `root` (-1: none), without recursion. */
function earliestLocation(root: unknown): number {
  let best = Infinity;
  const pending: unknown[] = [root];
  while (pending.length > 0) {
    const value = pending.pop();
    if (value === null || typeof value !== 'object') continue;
    if (Array.isArray(value)) {
      for (const child of value) if (child !== null && typeof child === 'object') pending.push(child);
      continue;
    }
    for (const key of Object.keys(value)) {
      const child = (value as Record<string, unknown>)[key];
      if (typeof child === 'number') {
        if (LOCATION_KEYS.has(key) && child >= 0 && child < best) best = child;
      } else if (child !== null && typeof child === 'object') pending.push(child);
    }
  }
  return best === Infinity ? -1 : best;
}

const OPERATOR_CHARS = new Set('+-*/<>=~!@#%^&|`?');
const WORD_START = /[A-Za-z_\u0080-\uffff]/;
const WORD_PART = /[\w$\u0080-\uffff]/;
/** Keywords that nest the tree once per use across commas and AND/OR: set operations and joins. */
const STICKY_WORDS = new Set(['UNION', 'INTERSECT', 'EXCEPT', 'JOIN']);

type Lexeme = 'word' | 'open' | 'close' | 'comma' | 'semicolon' | 'other';

/**
 * The tokens of text[start, end) as the nesting passes see them, each passed to `visit` with its kind and span:
 * PostgreSQL's rules for strings, quoted identifiers, dollar quotes and comments (comments are not tokens); a run
 * of operator characters is one token. Linear, without recursion.
 */
function lexSql(text: string, start: number, end: number, visit: (kind: Lexeme, i: number, j: number) => void): void {
  let i = start;
  while (i < end) {
    const c = text[i]!;
    const next = text[i + 1];
    if (c === ' ' || c === '\n' || c === '\t' || c === '\r' || c === '\f') {
      i++;
      continue;
    }
    if (c === '-' && next === '-') {
      i = skipLineComment(text, i);
      continue;
    }
    if (c === '/' && next === '*') {
      i = skipBlockComment(text, i);
      continue;
    }
    let j = i + 1;
    let kind: Lexeme = 'other';
    if (c === "'" || c === '"') j = skipQuoted(text, i, c, false);
    else if ((c === 'e' || c === 'E') && next === "'") j = skipQuoted(text, i + 1, "'", true);
    else if (c === '$' && next !== undefined && /[A-Za-z_$]/.test(next)) {
      // a dollar-quoted body (words are consumed whole below, so this `$` starts no name)
      const skipped = skipRegion(text, i, false);
      if (skipped > i) j = skipped;
    } else if (c >= '0' && c <= '9') {
      while (j < text.length && /[\w.]/.test(text[j]!)) j++;
    } else if (WORD_START.test(c)) {
      while (j < text.length && WORD_PART.test(text[j]!)) j++;
      kind = 'word';
    } else if (c === '(') kind = 'open';
    else if (c === ')') kind = 'close';
    else if (c === ',') kind = 'comma';
    else if (c === ';') kind = 'semicolon';
    else if (OPERATOR_CHARS.has(c)) {
      while (j < text.length && OPERATOR_CHARS.has(text[j]!) && !(text[j] === '-' && text[j + 1] === '-')) j++;
    }
    visit(kind, i, j);
    i = j;
  }
}

/**
 * The nesting estimate of `overDeepStatements`, token by token: at each parenthesis level, the tokens seen since the
 * last `,`/AND/OR (a list or a flattened AND/OR adds one level, not one per item), plus one per UNION / INTERSECT /
 * EXCEPT / JOIN of that level (those nest across commas), plus the same for every enclosing level.
 */
class NestingEstimate {
  /** Enclosing levels, as they were at their `(` (`open`: the index given with it). */
  readonly outer: Array<{ base: number; chain: number; sticky: number; open: number }> = [];
  base = 0;
  chain = 0;
  sticky = 0;

  get total(): number {
    return this.base + this.chain + this.sticky;
  }

  /** One token (`word`: upper-cased, for words); `at` identifies an opening parenthesis. */
  add(kind: Lexeme, word: string, at: number): void {
    if (kind === 'word') {
      if (word === 'AND' || word === 'OR') this.chain = 0;
      else if (STICKY_WORDS.has(word)) this.sticky++;
      else this.chain++;
    } else if (kind === 'open') {
      this.chain++; // the whole group is one token of this level
      this.outer.push({ base: this.base, chain: this.chain, sticky: this.sticky, open: at });
      this.base += this.chain + this.sticky;
      this.chain = this.sticky = 0;
    } else if (kind === 'close') {
      const level = this.outer.pop();
      if (level) ({ base: this.base, chain: this.chain, sticky: this.sticky } = level);
    } else if (kind === 'comma') this.chain = 0;
    else this.chain++;
  }

  reset(): void {
    this.outer.length = 0;
    this.base = this.chain = this.sticky = 0;
  }
}

/**
 * Statements of `text` (split at top-level `;`) whose tree could nest more than MAX_NESTING_ESTIMATE levels.
 * The estimate (NestingEstimate) is an upper bound on the nesting libpg-query will build: a token never nests the
 * tree more than one level, so the estimate never under-counts. It runs in linear time without recursion.
 */
export function overDeepStatements(text: string): Array<{ start: number; end: number; index: number }> {
  const found: Array<{ start: number; end: number; index: number }> = [];
  if (text.length <= MAX_NESTING_ESTIMATE) return found; // each token is at least one character
  const estimate = new NestingEstimate();
  let start = 0;
  let over = -1;
  lexSql(text, 0, text.length, (kind, i, j) => {
    if (kind === 'semicolon' && estimate.outer.length === 0) {
      if (over >= 0) found.push({ start, end: i, index: over });
      estimate.reset();
      over = -1;
      start = i + 1;
      return;
    }
    estimate.add(kind, kind === 'word' ? text.slice(i, j).toUpperCase() : '', i);
    if (over < 0 && estimate.total > MAX_NESTING_ESTIMATE) over = i;
  });
  if (over >= 0) found.push({ start, end: text.length, index: over });
  return found;
}

/** Half the limit: a group opened past it, or one level's chain longer than it, is what masking takes out. */
const HALF_ESTIMATE = MAX_NESTING_ESTIMATE / 2;

/** Words that end a run of operators and operands (a masked run is one value, never a clause). */
const CLAUSE_WORDS = new Set(
  ('SELECT FROM WHERE GROUP HAVING ORDER BY LIMIT OFFSET FETCH UNION INTERSECT EXCEPT AS ON JOIN USING WHEN THEN ELSE ' +
    'END CASE RETURNING SET VALUES INTO WINDOW FOR WITH AND OR DISTINCT ALL INNER LEFT RIGHT FULL CROSS NATURAL LATERAL ' +
    'ONLY UPDATE DELETE INSERT OVER FILTER PARTITION TABLE').split(' '),
);

/** Rounds of masking before giving up (each takes out one group or one run). */
const MASK_ROUNDS = 32;

/**
 * An over-deep statement the parser must not see whole, made parseable by masking what nests deepest: the contents
 * of the outermost parenthesised group that opens past half the limit (a subquery, a function's arguments,
 * parentheses) become `(SELECT NULL)`; when one level's own chain is what runs over (`1 + 1 + …`, `NOT NOT …`,
 * `x::int::int…`), the run of operators and operands there becomes `NULL`; a CASE … END opened past half the limit
 * becomes `NULL`; a chain of JOINs too long keeps its last KEPT_JOINS joins, what comes before them becoming
 * `(SELECT NULL)`. Each stand-in is padded with spaces
 * (as many as the UTF-8 bytes masked, so byte offsets stay where they were). Returns the statement's text so
 * masked and the masks (string indices); null when masking does not bring the estimate within the limit.
 */
function maskTooDeep(text: string, start: number, end: number): { text: string; masks: Array<{ start: number; end: number }> } | null {
  const tokens: Array<{ kind: Lexeme; start: number; end: number; word: string }> = [];
  lexSql(text, start, end, (kind, i, j) => tokens.push({ kind, start: i, end: Math.min(j, end), word: kind === 'word' ? text.slice(i, j).toUpperCase() : '' }));
  const match = new Int32Array(tokens.length).fill(-1);
  const opens: number[] = [];
  tokens.forEach((t, k) => {
    if (t.kind === 'open') opens.push(k);
    else if (t.kind === 'close' && opens.length > 0) {
      const o = opens.pop()!;
      match[o] = k;
      match[k] = o;
    }
  });
  // Each CASE's END at the same parenthesis level (-1: none).
  const caseEnd = new Int32Array(tokens.length).fill(-1);
  const cases: Array<{ k: number; depth: number }> = [];
  let depth = 0;
  tokens.forEach((t, k) => {
    if (t.kind === 'open') depth++;
    else if (t.kind === 'close') {
      depth--;
      while (cases.length > 0 && cases[cases.length - 1]!.depth > depth) cases.pop();
    } else if (t.word === 'CASE') cases.push({ k, depth });
    else if (t.word === 'END' && cases.length > 0 && cases[cases.length - 1]!.depth === depth) caseEnd[cases.pop()!.k] = k;
  });
  // Token ranges masked ([from, to], inclusive), found one a round; `skip` jumps a mask forwards, `back` backwards.
  const masks: Array<{ from: number; to: number; group: boolean }> = [];
  const skip = new Int32Array(tokens.length).fill(-1);
  const back = new Int32Array(tokens.length).fill(-1);
  const inRun = (k: number): boolean => {
    const t = tokens[k]!;
    return skip[k]! >= 0 || t.kind === 'other' || (t.kind === 'word' && !CLAUSE_WORDS.has(t.word));
  };
  for (let round = 0; round <= MASK_ROUNDS; round++) {
    const estimate = new NestingEstimate();
    let over = -1;
    const deepCases: number[] = []; // CASEs opened past half the limit
    for (let k = 0; k < tokens.length && over < 0; k++) {
      const t = tokens[k]!;
      if (skip[k]! >= 0) {
        estimate.add('other', '', k); // a mask is one token
        k = skip[k]!;
      } else {
        if (t.word === 'CASE' && estimate.total >= HALF_ESTIMATE) deepCases.push(k);
        estimate.add(t.kind, t.word, k);
      }
      if (estimate.total > MAX_NESTING_ESTIMATE) over = k;
    }
    if (over < 0) return round > 0 ? maskedText(text, start, end, tokens, masks) : null;
    if (round === MASK_ROUNDS) return null;
    const group = estimate.outer.find((l) => l.base + l.chain + l.sticky >= HALF_ESTIMATE);
    const deepCase = deepCases.find((k) => caseEnd[k]! >= over);
    const joins = estimate.sticky >= HALF_ESTIMATE ? leadingJoins(tokens, over, match, skip, back) : null;
    if (group && estimate.chain + estimate.sticky < HALF_ESTIMATE) {
      const close = match[group.open]!;
      if (close < 0 || close - group.open < 2) return null;
      masks.push({ from: group.open + 1, to: close - 1, group: true });
    } else if (deepCase !== undefined) {
      // The outermost CASE … END opened past half the limit around the token that runs over: one value.
      masks.push({ from: deepCase, to: caseEnd[deepCase]!, group: false });
    } else if (joins) {
      masks.push({ ...joins, group: true });
    } else {
      // The run of operators and operands around `over` at its level (a group inside it goes whole).
      if (!inRun(over) && tokens[over]!.kind !== 'open') return null;
      let from = over;
      for (let k = over - 1; k >= 0; k--) {
        if (back[k]! >= 0) k = back[k]!;
        else if (tokens[k]!.kind === 'close' && match[k]! >= 0) k = match[k]!;
        else if (!inRun(k)) break;
        from = k;
      }
      let to = over;
      for (let k = over; k < tokens.length; k++) {
        if (skip[k]! >= 0) k = skip[k]!;
        else if (tokens[k]!.kind === 'open' && match[k]! >= 0) k = match[k]!;
        else if (!inRun(k)) break;
        to = k;
      }
      if (to - from < 2) return null; // nothing a stand-in would shorten
      masks.push({ from, to, group: false });
    }
    const last = masks[masks.length - 1]!;
    skip[last.from] = last.to;
    back[last.to] = last.from;
  }
  return null;
}

/** Words that may stand before JOIN in a join clause. */
const JOIN_WORDS = new Set(['INNER', 'LEFT', 'RIGHT', 'FULL', 'OUTER', 'CROSS', 'NATURAL']);

/** Joins of an over-deep chain kept when its first ones are masked (far below the limit; the tree is cut deeper). */
const KEPT_JOINS = HALF_ESTIMATE / 2;

/**
 * A chain of JOINs running over the limit at token `over`: the tokens from the chain's first table (after FROM or a
 * comma) through the join clauses before its last KEPT_JOINS joins ([from, to], inclusive), which become one stand-in
 * FROM item; the joins kept are the outermost of the tree. Null when there is no such chain at `over`'s level.
 */
function leadingJoins(
  tokens: Array<{ kind: Lexeme; word: string }>,
  over: number,
  match: Int32Array,
  skip: Int32Array,
  back: Int32Array,
): { from: number; to: number } | null {
  // Back to the start of the FROM item `over` belongs to…
  let first = -1;
  for (let k = over; k >= 0 && first < 0; k--) {
    const t = tokens[k]!;
    if (back[k]! >= 0) k = back[k]!;
    else if (t.kind === 'close' && match[k]! >= 0) k = match[k]!;
    else if (t.kind === 'open' || t.kind === 'semicolon') return null;
    else if (t.word === 'FROM' || t.kind === 'comma') first = k + 1;
  }
  if (first < 0) return null;
  // … then its joins, through the end of the item.
  const joins: number[] = [];
  for (let k = first; k < tokens.length; k++) {
    const t = tokens[k]!;
    if (skip[k]! >= 0) k = skip[k]!;
    else if (t.kind === 'open' && match[k]! >= 0) k = match[k]!;
    else if (t.kind === 'close' || t.kind === 'semicolon' || t.kind === 'comma') break;
    else if (t.word === 'JOIN') joins.push(k);
  }
  if (joins.length <= KEPT_JOINS) return null;
  let to = joins[joins.length - KEPT_JOINS]! - 1;
  while (to > first && JOIN_WORDS.has(tokens[to]!.word)) to--;
  return to - first >= 2 ? { from: first, to } : null;
}

/** The statement text with each mask replaced by its stand-in and spaces (see maskTooDeep); null when one does not fit. */
function maskedText(
  text: string,
  start: number,
  end: number,
  tokens: Array<{ start: number; end: number }>,
  masks: Array<{ from: number; to: number; group: boolean }>,
): { text: string; masks: Array<{ start: number; end: number }> } | null {
  // A later mask may hold earlier ones: only the outermost count.
  const sorted = [...masks].sort((a, b) => a.from - b.from || b.to - a.to);
  const kept: typeof masks = [];
  for (const m of sorted) if (kept.length === 0 || m.from > kept[kept.length - 1]!.to) kept.push(m);
  let out = '';
  let at = start;
  const spans: Array<{ start: number; end: number }> = [];
  for (const m of kept) {
    const from = tokens[m.from]!.start;
    const to = tokens[m.to]!.end;
    const standIn = m.group ? '(SELECT NULL)' : 'NULL';
    const spaces = blankRun(text.slice(from, to));
    if (spaces.length < standIn.length) return null;
    out += text.slice(at, from) + standIn + spaces.slice(standIn.length);
    spans.push({ start: from, end: to });
    at = to;
  }
  return { text: out + text.slice(at, end), masks: spans };
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

/**
 * Tokens of `text` with string indices. Never throws on any text: an unscannable text yields no tokens. The common
 * shapes of SQL are split in JavaScript (`scanCommon`, the same spans as PostgreSQL's scanner; words are looked up
 * in its keyword list once each); the rest goes through libpg-query's scanner.
 */
export function tokenize(text: string): SqlToken[] {
  assertParserReady();
  const common = scanCommon(text);
  if (common) {
    return common.map(({ start, end, kind: scanned }) => {
      const slice = text.slice(start, end);
      const kind: TokenKind =
        scanned === 'word' ? (keywordKind(slice) !== 0 ? 'keyword' : 'ident')
        : scanned === 'quoted-ident' ? 'ident'
        : scanned === 'other' ? (/^[(),;.[\]]$/.test(slice) ? 'punct' : 'operator')
        : scanned;
      return { start, end, text: slice, kind, keyword: kind === 'keyword' ? slice.toUpperCase() : '' };
    });
  }
  return tokenizeWithScanner(text);
}

/** `tokenize` through libpg-query's scanner alone (the reference the JavaScript split is tested against). */
export function tokenizeWithScanner(text: string): SqlToken[] {
  assertParserReady();
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

/** The scanner's keyword kind of a bare word (0: not a keyword), asked once per word. */
const keywordKinds = new Map<string, number>();

function keywordKind(word: string): number {
  const known = keywordKinds.get(word);
  if (known !== undefined) return known;
  let kind = 0;
  try {
    const tokens = scanSync(word).tokens;
    if (tokens.length === 1) kind = tokens[0]!.keywordKind;
  } catch {
    // not scannable: no keyword
  }
  if (keywordKinds.size >= 20_000) keywordKinds.clear();
  keywordKinds.set(word, kind);
  return kind;
}

/** PostgreSQL's keyword categories (`kwlist.h`), as the real scanner reports them. */
export type KeywordCategory = 'none' | 'unreserved' | 'col-name' | 'type-func-name' | 'reserved';
const CATEGORIES: readonly KeywordCategory[] = ['none', 'unreserved', 'col-name', 'type-func-name', 'reserved'];

/** The keyword category of a bare word (`'none'` for a word that is not a keyword or not one token). */
export function keywordCategory(word: string): KeywordCategory {
  return CATEGORIES[keywordKind(word)] ?? 'none';
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

const TOO_DEEP_WHY = '(expressions, joins, set operations or subqueries chained hundreds of levels deep)';

function tooDeep(start: number, end: number, index: number): SkippedStatement {
  return { start, end, index, message: `this statement nests too deeply to analyse ${TOO_DEEP_WHY}, so it was not checked` };
}

/** The message of a statement analysed up to the depth the engine reads, placed where the part left out starts. */
export const PARTLY_TOO_DEEP = `part of this statement nests too deeply to analyse ${TOO_DEEP_WHY}: from here on it was not checked, the rest was`;

/** A statement analysed up to the depth the engine reads: `index` is where the earliest part left out starts. */
function partlyTooDeep(start: number, end: number, index: number): SkippedStatement {
  return { start, end, index, message: PARTLY_TOO_DEEP };
}

/**
 * `text` with [start, end) replaced by spaces (line breaks kept), so every offset stays where it was: each character
 * becomes as many spaces as its UTF-8 bytes, as the parser's byte offsets are mapped with the original text.
 */
function blank(text: string, ranges: Array<{ start: number; end: number }>): string {
  let out = '';
  let at = 0;
  for (const { start, end } of ranges) {
    out += text.slice(at, start) + blankRun(text.slice(start, end));
    at = end;
  }
  return out + text.slice(at);
}

function blankRun(run: string): string {
  // eslint-disable-next-line no-control-regex
  if (/^[\x00-\x7f]*$/.test(run)) return run.replace(/[^\n]/g, ' ');
  let out = '';
  for (const ch of run) {
    const code = ch.codePointAt(0)!;
    out += ch === '\n' ? '\n' : ' '.repeat(code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4);
  }
  return out;
}

/** Branches per piece when an over-deep set-operation chain is parsed piece by piece (each far from the limits). */
const SET_PIECE = 100;

const SET_WORDS = new Set(['UNION', 'INTERSECT', 'EXCEPT']);

/**
 * Branches above which the read analysis judges a set operation's branches each alone (it compares them pairwise
 * below: generated SQL with longer chains is left as reported).
 */
export const BRANCHES_JUDGED_ALONE = 32;

/** Stand-in for the branches before a piece of a set-operation chain: a branch that returns and reads nothing. */
const EARLIER_BRANCHES = '(SELECT NULL)';

/** One piece of an over-deep set-operation chain: text[start, end) with text[start, standInUntil) as EARLIER_BRANCHES. */
interface SetPiece {
  start: number;
  end: number;
  standInUntil?: number;
}

/**
 * An over-deep statement that is a chain of set operations at its top level (no `WITH`): pieces of about SET_PIECE
 * branches, each a statement of its own, whose checks are those of the whole chain. PostgreSQL nests such a chain to
 * the left, INTERSECT binding tighter, and the engine reads each run of one operation (`UNION` throughout, say) as one
 * operation over its branches, so a piece starts with an operation: the branches before it become one stand-in
 * branch that reads nothing (EARLIER_BRANCHES), as the nested operation it stands for is never judged against its
 * neighbours. A piece starts where a run starts, or inside a run where both parts keep more than
 * BRANCHES_JUDGED_ALONE branches (the analysis then judges each branch alone, split or not). Null for any other shape.
 */
function setOperationPieces(text: string, start: number, end: number): SetPiece[] | null {
  // A linear pass with PostgreSQL's lexical skips (strings, quoted identifiers, dollar quotes, comments).
  const ops: Array<{ at: number; kind: string }> = [];
  let depth = 0;
  let first = true;
  let i = start;
  while (i < end) {
    const c = text[i]!;
    if (c === "'" || c === '"' || c === '-' || c === '/' || c === '$' || ((c === 'e' || c === 'E') && text[i + 1] === "'")) {
      const from = c === 'e' || c === 'E' ? i + 1 : i;
      const skipped = skipRegion(text, from, false);
      if (skipped > from) {
        if (c !== '-' && c !== '/') first = false; // a comment before WITH is no code
        i = skipped;
        continue;
      }
    }
    if (WORD_START.test(c)) {
      let j = i + 1;
      while (j < end && WORD_PART.test(text[j]!)) j++;
      const word = text.slice(i, j).toUpperCase();
      if (first && word === 'WITH') return null;
      first = false;
      if (depth === 0 && SET_WORDS.has(word)) {
        const all = /\s+ALL\b/iy;
        all.lastIndex = j;
        ops.push({ at: i, kind: all.test(text) ? `${word} ALL` : word });
      }
      i = j;
      continue;
    }
    if (c === '(') depth++;
    else if (c === ')') depth--;
    if (c !== ' ' && c !== '\n' && c !== '\t' && c !== '\r') first = false;
    i++;
  }
  if (ops.length < SET_PIECE) return null;
  // The operations of the outermost level (INTERSECT binds tighter than UNION and EXCEPT), with their runs.
  const intersect = (o: { kind: string }) => o.kind.startsWith('INTERSECT');
  const outer = ops.some((o) => !intersect(o)) ? ops.filter((o) => !intersect(o)) : ops;
  const runStart = outer.map((o, k) => k);
  for (let k = 1; k < outer.length; k++) if (outer[k]!.kind === outer[k - 1]!.kind) runStart[k] = runStart[k - 1]!;
  const runEnd = outer.map((o, k) => k);
  for (let k = outer.length - 2; k >= 0; k--) if (outer[k]!.kind === outer[k + 1]!.kind) runEnd[k] = runEnd[k + 1]!;
  const pieces: SetPiece[] = [];
  let cut = 0; // the outer operation the current piece starts with (0: the statement's start)
  let branches = 0; // branches of the current piece (every operation adds one)
  let o = 0;
  for (let k = 1; k < outer.length; k++) {
    while (ops[o]!.at < outer[k]!.at) {
      branches++;
      o++;
    }
    if (branches < SET_PIECE) continue;
    // Inside a run, each part (with its left operand) keeps more than BRANCHES_JUDGED_ALONE branches.
    const before = k - Math.max(runStart[k]!, cut) + 1;
    const after = runEnd[k]! - k + 2;
    if (k !== runStart[k] && (before <= BRANCHES_JUDGED_ALONE || after <= BRANCHES_JUDGED_ALONE)) continue;
    pieces.push(cut === 0 ? { start, end: outer[k]!.at } : { start, end: outer[k]!.at, standInUntil: outer[cut]!.at });
    cut = k;
    branches = 0;
  }
  if (cut === 0) return null;
  pieces.push({ start, end, standInUntil: outer[cut]!.at });
  return pieces;
}

/**
 * Parses text[start, end) — one statement — alone, its offsets moved to where it sits in `text`: masked first when it
 * is too deep to hand to the parser (maskTooDeep), cut where it is too deep to analyse (remapLocations). Returns the
 * statement and, when part of it was masked or cut, the message saying where; a "not checked" message when it can
 * be neither parsed nor masked; null when it does not parse as one statement. A piece of a set-operation chain has
 * text[start, standInUntil) replaced by EARLIER_BRANCHES (branches checked in other pieces: no message), and starts
 * at standInUntil.
 */
function parseAlone(
  text: string,
  start: number,
  end: number,
  toIndex: (b: number) => number,
  standInUntil = start,
): { statement: ParsedStatement | null; skipped: SkippedStatement | null } | null {
  const first = firstCodeIndex(text, standInUntil, end);
  const last = trimEnd(text, start, end);
  const earlier = blankRun(text.slice(start, standInUntil));
  let own = standInUntil > start ? EARLIER_BRANCHES + earlier.slice(EARLIER_BRANCHES.length) + text.slice(standInUntil, end) : text.slice(start, end);
  let masks: ByteRange[] = [];
  if (overDeepStatements(own).length > 0) {
    const masked = maskTooDeep(own, 0, own.length);
    if (!masked || overDeepStatements(masked.text).length > 0) return { statement: null, skipped: tooDeep(first, last, first) };
    const bytes = (to: number) => Buffer.byteLength(own.slice(0, to), 'utf8');
    masks = masked.masks.map((m) => [bytes(m.start), bytes(m.end)]);
    own = masked.text;
  }
  let result;
  try {
    result = parseSync(own) as unknown as { stmts?: Array<{ stmt: RawNode }> };
  } catch {
    return null;
  }
  const stmt = result.stmts?.[0]?.stmt;
  if (!stmt || (result.stmts?.length ?? 0) !== 1) return null;
  // Parsed alone: its byte offsets are shifted to where it sits in the text.
  const base = Buffer.byteLength(text.slice(0, start), 'utf8');
  const cutAt = remapLocations(stmt, (b) => toIndex(b + base), first, masks);
  return { statement: { node: stmt, start: first, end: last }, skipped: cutAt >= 0 ? partlyTooDeep(first, last, cutAt) : null };
}

/**
 * Parses the pieces of an over-deep set-operation chain one by one, each alone (parseAlone). Returns the pieces'
 * statements and what could not be checked; null when a piece does not parse on its own (then the chain is not split).
 */
function parsePieces(
  text: string,
  pieces: SetPiece[],
  toIndex: (b: number) => number,
): { statements: ParsedStatement[]; skipped: SkippedStatement[] } | null {
  const statements: ParsedStatement[] = [];
  const skipped: SkippedStatement[] = [];
  for (const piece of pieces) {
    const parsed = parseAlone(text, piece.start, piece.end, toIndex, piece.standInUntil);
    if (!parsed) return null;
    if (parsed.statement) statements.push(parsed.statement);
    if (parsed.skipped) skipped.push(parsed.skipped);
  }
  return { statements, skipped };
}

/**
 * Parses SQL text with the real PostgreSQL parser. Never throws: a syntax error (or anything the WASM module
 * rejects) comes back as `{ ok: false }` with the parser's message and a string index. A NUL character is an error
 * (the C parser would silently stop reading there). A statement nesting too deeply to analyse is left out of
 * `statements` and listed in `skipped`; the statements around it are parsed as usual.
 */
export function parseSql(text: string): ParseOutcome {
  assertParserReady();
  const nul = text.indexOf('\0');
  if (nul >= 0) {
    return {
      ok: false,
      error: { message: 'the text contains a NUL character, where PostgreSQL stops reading; it was not checked', index: nul },
    };
  }
  const skipped: SkippedStatement[] = [];
  const statements: ParsedStatement[] = [];
  const toIndex = byteOffsetMapper(text);
  /**
   * An over-deep statement: checked piece by piece when it is a chain of one set operation; else analysed as far as
   * the engine reads — `partial` when it parsed (its tree already cut), else parsed again with what nests deepest
   * masked — with one message where the part left out starts; else one "not checked" message.
   */
  const overDeep = (start: number, end: number, partial?: { statement: ParsedStatement; cutAt: number }): void => {
    const split = setOperationPieces(text, start, end);
    const parsed = split ? parsePieces(text, split, toIndex) : null;
    if (parsed) {
      statements.push(...parsed.statements);
      skipped.push(...parsed.skipped);
      return;
    }
    if (partial) {
      statements.push(partial.statement);
      skipped.push(partlyTooDeep(start, end, partial.cutAt));
      return;
    }
    const alone = parseAlone(text, start, end, toIndex);
    if (alone?.statement) statements.push(alone.statement);
    const at = firstCodeIndex(text, start, end);
    skipped.push(alone?.skipped ?? tooDeep(at, trimEnd(text, start, end), at));
  };
  let parseText = text;
  const risky = overDeepStatements(text);
  if (risky.length > 0) {
    for (const r of risky) overDeep(r.start, r.end);
    parseText = blank(text, risky);
    if (parseText.trim() === '') return { ok: true, parsed: finish(text, statements, skipped) };
  }
  let result;
  try {
    result = parseSync(parseText) as unknown as { stmts?: Array<{ stmt: RawNode; stmt_location?: number; stmt_len?: number }> };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { ok: false, error: { message, index: errorIndex(error, text) } };
  }
  for (const raw of result.stmts ?? []) {
    const byteStart = raw.stmt_location ?? 0;
    const start = toIndex(byteStart);
    const end = trimEnd(text, start, raw.stmt_len ? toIndex(byteStart + raw.stmt_len) : text.length);
    const cutAt = remapLocations(raw.stmt, toIndex, start);
    const statement = { node: raw.stmt, start, end };
    if (cutAt >= 0) overDeep(start, end, { statement, cutAt });
    else statements.push(statement);
  }
  return { ok: true, parsed: finish(text, statements, skipped) };
}

function finish(text: string, statements: ParsedStatement[], skipped: SkippedStatement[]): ParsedSql {
  statements.sort((a, b) => a.start - b.start);
  skipped.sort((a, b) => a.start - b.start);
  return new Parsed(text, statements, skipped.length > 0 ? skipped : undefined);
}

/**
 * Tokens are only needed for fixes and DDL details; most statements never ask, and scanning costs more than parsing.
 * So they are produced on first use, by a getter on the prototype (one hidden class for every parse; an object
 * literal with a getter is a slow dictionary object).
 */
class Parsed implements ParsedSql {
  #tokens: SqlToken[] | undefined;
  declare readonly skipped?: SkippedStatement[];

  constructor(
    readonly text: string,
    readonly statements: ParsedStatement[],
    skipped: SkippedStatement[] | undefined,
  ) {
    if (skipped) this.skipped = skipped;
  }

  get tokens(): SqlToken[] {
    return (this.#tokens ??= tokenize(this.text));
  }
}

/** Index of the first character of [start, end) that is not white space (start when there is none). */
function firstCodeIndex(text: string, start: number, end: number): number {
  for (let i = start; i < end; i++) if (!/\s/.test(text[i]!)) return i;
  return start;
}

function trimEnd(text: string, start: number, end: number): number {
  let e = end;
  while (e > start && /[\s;]/.test(text[e - 1]!)) e--;
  return e;
}
