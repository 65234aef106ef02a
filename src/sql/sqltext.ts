/**
 * Text-level helpers over SQL: slicing SQL text by token spans, turning a predicate's text into an
 * expression node, renaming a column inside an expression's text, and blanking psql meta-commands.
 */
import { parseSql, tokenize, type RawNode, type SqlToken } from './parser.js';
import { fieldsOf, list } from './ast.js';
import { quoteIdent } from './ident.js';

/** Tokens without comments, which is what every span computation here wants. */
export function codeTokens(tokens: readonly SqlToken[]): SqlToken[] {
  return tokens.filter((t) => t.kind !== 'comment');
}

/** Index of the first token whose start is >= `index` (tokens.length when none). */
export function tokenAt(tokens: readonly SqlToken[], index: number): number {
  let lo = 0;
  let hi = tokens.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (tokens[mid]!.start < index) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** For the `(` token at `open`, the index of its matching `)` (or -1). */
export function matchingParen(tokens: readonly SqlToken[], open: number): number {
  let depth = 0;
  for (let i = open; i < tokens.length; i++) {
    const t = tokens[i]!.text;
    if (t === '(' || t === '[') depth++;
    else if (t === ')' || t === ']') {
      depth--;
      if (depth === 0) return i;
    }
  }
  return -1;
}

/**
 * The first token in [from, to) at parenthesis depth 0 (relative to `from`) for which `match` holds; -1 when none.
 */
export function findTopLevel(
  tokens: readonly SqlToken[],
  from: number,
  to: number,
  match: (t: SqlToken) => boolean,
): number {
  let depth = 0;
  for (let i = from; i < to && i < tokens.length; i++) {
    const t = tokens[i]!;
    if (depth === 0 && match(t)) return i;
    if (t.text === '(' || t.text === '[') depth++;
    else if (t.text === ')' || t.text === ']') depth = Math.max(0, depth - 1);
  }
  return -1;
}

/** Unquotes an identifier token (`"Foo"` → `Foo`, `Foo` → `foo`), as PostgreSQL folds it. */
export function identifierName(token: SqlToken): string {
  if (token.text.startsWith('"')) return token.text.slice(1, -1).replace(/""/g, '"');
  if (/^u&"/i.test(token.text)) return token.text.slice(3, -1);
  return token.text.toLowerCase();
}

export { quoteIdent } from './ident.js';

/** Deep copy of a node with every non-negative `location` moved by `delta`. */
export function shiftLocations<T>(node: T, delta: number): T {
  if (Array.isArray(node)) return node.map((n: unknown) => shiftLocations(n, delta)) as T;
  if (node === null || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node as Record<string, unknown>)) {
    if ((key === 'location' || key === 'stmt_location') && typeof value === 'number') {
      out[key] = value >= 0 ? value + delta : value;
    } else out[key] = shiftLocations(value, delta);
  }
  return out as T;
}

const EXPRESSION_PREFIX = 'SELECT (';

/**
 * Parses an SQL expression on its own. The node's locations are string indices into `text`. null when the text
 * is not an expression.
 */
export function parseExpression(text: string): RawNode | null {
  const outcome = parseSql(`${EXPRESSION_PREFIX}${text}\n)`);
  if (!outcome.ok || outcome.parsed.statements.length !== 1) return null;
  const select = fieldsOf(outcome.parsed.statements[0]!.node, 'SelectStmt');
  const target = fieldsOf(list(select?.targetList)[0], 'ResTarget');
  const value = target?.val;
  if (!value || typeof value !== 'object') return null;
  return shiftLocations(value as RawNode, -EXPRESSION_PREFIX.length);
}

/** True when the text mentions `column` as an identifier (not as a function name or a qualified field). */
export function mentionsColumn(text: string, column: string): boolean {
  return columnTokens(text, column).length > 0;
}

function columnTokens(text: string, column: string): SqlToken[] {
  const tokens = codeTokens(tokenize(text));
  const hits: SqlToken[] = [];
  tokens.forEach((t, i) => {
    if (t.kind !== 'ident' && t.kind !== 'keyword') return;
    if (tokens[i + 1]?.text === '(') return;
    if (identifierName(t) === column) hits.push(t);
  });
  return hits;
}

/** Rewrites the identifier `from` to `to` in an expression's text (a column rename follows into predicates). */
export function renameColumnInText(text: string, from: string, to: string): string {
  const hits = columnTokens(text, from);
  if (!hits.length) return text;
  let out = '';
  let last = 0;
  for (const t of hits) {
    out += text.slice(last, t.start) + quoteIdent(to);
    last = t.end;
  }
  return out + text.slice(last);
}

/** The lines of `text`, each with its `\n` (what `split(/(?<=\n)/)` gives, without a look-behind). */
export function linesOf(text: string): string[] {
  const lines: string[] = [];
  let at = 0;
  for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', at)) {
    lines.push(text.slice(at, nl + 1));
    at = nl + 1;
  }
  if (at < text.length || lines.length === 0) lines.push(text.slice(at));
  return lines;
}

/**
 * Blanks what psql understands but the server grammar does not, keeping every offset: backslash meta-command
 * lines (`\connect`, `\restrict` in recent pg_dump output) and `COPY … FROM stdin` data up to its `\.` line.
 */
export function blankPsqlMetaCommands(text: string): string {
  // `[ \t\f]*`, not `\s*` (nor a class with `\r`): a line break in the class would let the scan from every line start
  // of a long blank run (`\r` starts a line for `^` too) cross the whole run again (quadratic). A `\r` in the run
  // changes nothing: the line it starts is tried on its own.
  if (!/^[ \t\f]*\\/m.test(text)) return text;
  const lines = linesOf(text);
  let inCopy = false;
  let out = '';
  for (const line of lines) {
    const body = line.replace(/\r?\n$/, '');
    const blank = (): string => body.replace(/[^\s]/g, ' ') + line.slice(body.length);
    if (inCopy) {
      if (body === '\\.') inCopy = false;
      out += blank();
    } else if (/^\s*\\/.test(body)) {
      out += blank();
    } else {
      if (/^\s*COPY\b/i.test(body) && /\bFROM\s+stdin\b/i.test(body) && body.trimEnd().endsWith(';')) inCopy = true;
      out += line;
    }
  }
  return out;
}

/**
 * Blanks the rollback half of a migration file that holds both (keeping every offset): dbmate's
 * `-- migrate:down` and goose's `-- +goose Down`, up to the next up marker or the end.
 */
export function blankDownSections(text: string): string {
  const down = /^\s*--\s*(?:migrate:down|\+goose\s+down)\b/i;
  const up = /^\s*--\s*(?:migrate:up|\+goose\s+up)\b/i;
  if (!/--\s*(?:migrate:down|\+goose\s+down)/i.test(text)) return text;
  let inDown = false;
  let out = '';
  for (const line of linesOf(text)) {
    if (down.test(line)) inDown = true;
    else if (up.test(line)) inDown = false;
    out += inDown ? line.replace(/[^\s]/g, ' ') : line;
  }
  return out;
}


/** 1-based line and column of a string index. */
export function lineColumn(text: string, index: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  const end = Math.max(0, Math.min(index, text.length));
  for (let i = 0; i < end; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: end - lineStart + 1 };
}

/**
 * The value of a string-literal token and the offset of its body inside the token: `'a''b'`, `E'…'`, `$tag$…$tag$`.
 * The offset is exact for dollar quotes and plain strings without escapes, approximate otherwise.
 */
export function stringBodyOffset(token: SqlToken): number {
  const dollar = /^\$[^$]*\$/.exec(token.text);
  if (dollar) return dollar[0].length;
  if (/^[eEbBxXnN]'/.test(token.text)) return 2;
  if (/^[uU]&'/.test(token.text)) return 3;
  return token.text.startsWith("'") ? 1 : 0;
}
