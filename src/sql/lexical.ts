/**
 * PostgreSQL's lexical skips, for the few passes that read SQL text without the tokenizer (placeholder rewriting,
 * the nesting pre-check): each returns the index one past the region that starts at `i`.
 */

/** A `'…'` string or `"…"` identifier (doubled quotes inside; backslash escapes in `E'…'` strings). */
export function skipQuoted(text: string, i: number, quote: string, backslash: boolean): number {
  let j = i + 1;
  while (j < text.length) {
    const c = text[j]!;
    if (backslash && c === '\\') j += 2;
    else if (c === quote) {
      if (text[j + 1] === quote) j += 2;
      else return j + 1;
    } else j++;
  }
  return text.length;
}

/** A `-- …` comment, through its newline. */
export function skipLineComment(text: string, i: number): number {
  const nl = text.indexOf('\n', i);
  return nl < 0 ? text.length : nl + 1;
}

/** A `/* … *\/` comment; PostgreSQL nests them. */
export function skipBlockComment(text: string, i: number): number {
  let depth = 1;
  let j = i + 2;
  while (j < text.length && depth > 0) {
    if (text[j] === '/' && text[j + 1] === '*') (depth++, (j += 2));
    else if (text[j] === '*' && text[j + 1] === '/') (depth--, (j += 2));
    else j++;
  }
  return j;
}

/** Index of the first character at or after `i` that is neither white space nor inside a comment. */
export function skipSpaceAndComments(text: string, i: number): number {
  let j = i;
  while (j < text.length) {
    const c = text[j]!;
    if (c === ' ' || c === '\n' || c === '\t' || c === '\r' || c === '\f' || c === '\v') j++;
    else if (c === '-' && text[j + 1] === '-') j = skipLineComment(text, j);
    else if (c === '/' && text[j + 1] === '*') j = skipBlockComment(text, j);
    else break;
  }
  return j;
}

const IDENT_CHAR = /[A-Za-z0-9_$\u0080-\uffff]/;
const DOLLAR_TAG = /\$(?:[A-Za-z_\u0080-\uffff][A-Za-z0-9_\u0080-\uffff]*)?\$/y;

/** What kind of region starts at an index: a string (any quoting), a quoted identifier or a comment. */
export type RegionKind = 'string' | 'identifier' | 'comment';

/** The kind of the region `skipRegion` skipped from `i` (call it only where `skipRegion` returned > i). */
export function regionKind(text: string, i: number): RegionKind {
  const ch = text[i];
  return ch === '"' ? 'identifier' : ch === '-' || ch === '/' ? 'comment' : 'string';
}

/**
 * Index one past the region starting at `i` — a `'…'` string (`E'…'` with backslash escapes when the `E` starts
 * a word), a `"…"` identifier, a comment, a `$tag$…$tag$` body (not after a word character: `a$b$` is a name) — or
 * -1 when none starts there. Linear in the region. `inWord` says whether `i` continues a word; by default the character
 * before decides, which a caller that skips whole tokens can do better (`$a$x$a$$$…`: the `$` after a closed
 * dollar quote starts a new one).
 */
export function skipRegion(text: string, i: number, inWord?: boolean): number {
  const ch = text[i];
  const prev = text[i - 1] ?? '';
  if (ch === "'") return skipQuoted(text, i, "'", (prev === 'e' || prev === 'E') && !IDENT_CHAR.test(text[i - 2] ?? ''));
  if (ch === '"') return skipQuoted(text, i, '"', false);
  if (ch === '-' && text[i + 1] === '-') return skipLineComment(text, i);
  if (ch === '/' && text[i + 1] === '*') return skipBlockComment(text, i);
  if (ch === '$' && !(inWord ?? IDENT_CHAR.test(prev))) {
    DOLLAR_TAG.lastIndex = i;
    const tag = DOLLAR_TAG.exec(text);
    if (tag) {
      const close = text.indexOf(tag[0], i + tag[0].length);
      return close < 0 ? text.length : close + tag[0].length;
    }
  }
  return -1;
}
