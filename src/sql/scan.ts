/**
 * PostgreSQL's scanner (`scan.l`) in JavaScript, for the common shapes of SQL: the token spans libpg-query's
 * `scanSync` reports, without its cost (it serialises every token to JSON: scanning a statement cost more than
 * parsing it). Anything outside those shapes — non-ASCII outside strings and comments, string continuation across
 * lines, `U&`/`B`/`X`/`N` literals, numbers with underscores or radix prefixes, trailing junk, unterminated
 * quotes or comments, characters the scanner rejects — returns null, and the caller asks the real scanner. The test
 * suite holds the two to the same tokens over generated and hand-written SQL.
 */
import { skipBlockComment, skipQuoted } from './lexical.js';

/** One token: its span, and whether it is a comment, a word, or which other class. */
export interface ScannedToken {
  start: number;
  end: number;
  /** `word` (identifier or keyword: the caller asks which), `other` (operators, punctuation). */
  kind: 'comment' | 'word' | 'quoted-ident' | 'string' | 'number' | 'param' | 'other';
}

const SPACE = /[ \t\n\r\f\v]/;
/** `self` in scan.l: characters that are tokens on their own. */
const SELF = ',()[].;:+-*/%^<>=';
/** `op_chars` in scan.l. */
const OP_CHARS = '~!@#^&|`?+-*/%<>=';
/** Operator characters that keep a trailing `+`/`-` in a multi-character operator. */
const KEEPS_SIGN = '~!@#^&|`?%';

const isDigit = (c: string | undefined) => c !== undefined && c >= '0' && c <= '9';
const isIdentStart = (c: string | undefined) => c !== undefined && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c === '_');
const isIdentChar = (c: string | undefined) => isIdentStart(c) || isDigit(c) || c === '$';
/** Characters that would continue a number into "trailing junk" (or a non-ASCII identifier): not ours to judge. */
const continuesWord = (c: string | undefined) => c !== undefined && (isIdentChar(c) || c > '\x7f');

/**
 * Where a quoted string closed at `end` would continue: PostgreSQL joins `'a'` and `'b'` separated by white space
 * holding a newline into one literal. True when such a continuation (or something close to one) follows.
 */
function mayContinue(text: string, end: number): boolean {
  let i = end;
  let newline = false;
  while (i < text.length) {
    const c = text[i]!;
    if (c === '\n' || c === '\r') (newline = true), i++;
    else if (SPACE.test(c)) i++;
    else if (c === '-' && text[i + 1] === '-') {
      const nl = text.indexOf('\n', i);
      if (nl < 0) return false;
      i = nl;
    } else if (c === '/' && text[i + 1] === '*') i = skipBlockComment(text, i);
    else break;
  }
  return newline && text[i] === "'";
}

/** Tokens of `text` as PostgreSQL's scanner splits it, or null when the text needs the real scanner. */
export function scanCommon(text: string): ScannedToken[] | null {
  const out: ScannedToken[] = [];
  const n = text.length;
  let i = 0;
  while (i < n) {
    const c = text[i]!;
    const start = i;
    if (c === ' ' || c === '\n' || c === '\t' || c === '\r' || c === '\f' || c === '\v') {
      i++;
      continue;
    }
    if (c === '-' && text[i + 1] === '-') {
      // a line comment, up to (not through) its newline
      while (i < n && text[i] !== '\n' && text[i] !== '\r') i++;
      out.push({ start, end: i, kind: 'comment' });
      continue;
    }
    if (c === '/' && text[i + 1] === '*') {
      i = blockCommentEnd(text, i);
      if (i < 0) return null; // unterminated
      out.push({ start, end: i, kind: 'comment' });
      continue;
    }
    if (isIdentStart(c)) {
      if ((c === 'e' || c === 'E') && text[i + 1] === "'") {
        i = quotedEnd(text, i + 1, "'", true);
        if (i < 0 || mayContinue(text, i)) return null;
        out.push({ start, end: i, kind: 'string' });
        continue;
      }
      if ('bBxXnNuU'.includes(c) && (text[i + 1] === "'" || text[i + 1] === '&')) return null;
      while (isIdentChar(text[i])) i++;
      if (text[i] !== undefined && text[i]! > '\x7f') return null;
      out.push({ start, end: i, kind: 'word' });
      continue;
    }
    if (c === "'") {
      i = quotedEnd(text, i, "'", false);
      if (i < 0 || mayContinue(text, i)) return null;
      out.push({ start, end: i, kind: 'string' });
      continue;
    }
    if (c === '"') {
      i = quotedEnd(text, i, '"', false);
      if (i < 0 || i - start < 3) return null; // unterminated, or the empty `""`
      out.push({ start, end: i, kind: 'quoted-ident' });
      continue;
    }
    if (c === '$') {
      if (isDigit(text[i + 1])) {
        i++;
        while (isDigit(text[i])) i++;
        if (continuesWord(text[i])) return null;
        out.push({ start, end: i, kind: 'param' });
        continue;
      }
      // a dollar quote: `$$` or `$tag$` (a tag does not start with a digit and holds no `$`)
      let j = i + 1;
      if (isIdentStart(text[j])) while (isIdentStart(text[j]) || isDigit(text[j])) j++;
      if (text[j] !== '$') return null;
      const tag = text.slice(i, j + 1);
      const close = text.indexOf(tag, j + 1);
      if (close < 0) return null;
      i = close + tag.length;
      out.push({ start, end: i, kind: 'string' });
      continue;
    }
    if (isDigit(c) || (c === '.' && isDigit(text[i + 1]))) {
      while (isDigit(text[i])) i++;
      if (text[i] === '.') {
        if (text[i + 1] === '.') return null; // `1..2`
        i++;
        while (isDigit(text[i])) i++;
      }
      if (text[i] === 'e' || text[i] === 'E') {
        let j = i + 1;
        if (text[j] === '+' || text[j] === '-') j++;
        if (!isDigit(text[j])) return null;
        while (isDigit(text[j])) j++;
        i = j;
      }
      if (continuesWord(text[i]) || text[i] === '.') return null;
      out.push({ start, end: i, kind: 'number' });
      continue;
    }
    if (c === ':' && (text[i + 1] === ':' || text[i + 1] === '=')) {
      out.push({ start, end: i + 2, kind: 'other' });
      i += 2;
      continue;
    }
    if (c === '.' && text[i + 1] === '.') {
      out.push({ start, end: i + 2, kind: 'other' });
      i += 2;
      continue;
    }
    if (OP_CHARS.includes(c)) {
      let end = i;
      while (end < n && OP_CHARS.includes(text[end]!)) end++;
      // a comment start inside the run ends the operator there
      for (let k = i + 1; k < end - 1; k++) {
        if ((text[k] === '-' && text[k + 1] === '-') || (text[k] === '/' && text[k + 1] === '*')) {
          end = k;
          break;
        }
      }
      let length = end - i;
      // a multi-character operator ending in + or - gives them back, unless it holds one of KEEPS_SIGN
      if (length > 1 && (text[i + length - 1] === '+' || text[i + length - 1] === '-')) {
        let keeps = false;
        for (let k = i; k < i + length - 1; k++) if (KEEPS_SIGN.includes(text[k]!)) keeps = true;
        if (!keeps) while (length > 1 && (text[i + length - 1] === '+' || text[i + length - 1] === '-')) length--;
      }
      i += length;
      out.push({ start, end: i, kind: 'other' });
      continue;
    }
    if (SELF.includes(c)) {
      i++;
      out.push({ start, end: i, kind: 'other' });
      continue;
    }
    return null; // a character the common shapes do not have (non-ASCII, `\`, `{`, …)
  }
  return out;
}

/**
 * One past the `'…'`/`"…"` starting at `i`, -1 if unterminated. (`skipQuoted` answers the text's end for both a
 * quote closed by the last character and none: a character appended tells them apart.)
 */
function quotedEnd(text: string, i: number, quote: string, backslash: boolean): number {
  const end = skipQuoted(text, i, quote, backslash);
  return end < text.length || skipQuoted(`${text} `, i, quote, backslash) === end ? end : -1;
}

/** One past the (nested) block comment starting at `i`, -1 if unterminated (told apart as in `quotedEnd`). */
function blockCommentEnd(text: string, i: number): number {
  const end = skipBlockComment(text, i);
  return end < text.length || skipBlockComment(`${text} `, i) === end ? end : -1;
}
