/**
 * The schema loader's lexical gate: statements that cannot change the schema model are blanked before the parse, so
 * a `pg_dump` of thousands of statements is not parsed (and its trees not built) for the third of it that only
 * comments on, grants on or numbers things. A blanked statement is not checked for syntax either: whether or not it
 * would parse, it defines nothing the checks use.
 */
import { skipRegion, skipSpaceAndComments } from '../sql/lexical.js';

/** Only texts that mention one of these words can hold an inert statement (a cheap test before the scan). */
const CANDIDATE = /\b(?:COMMENT|GRANT|REVOKE|SEQUENCE|DEFAULT|OWNER)\b/i;

/**
 * Whether a statement, by its leading words and the number of its top-level commas, is one the schema model never
 * reads: `COMMENT ON`, `GRANT`, `REVOKE`, `CREATE SEQUENCE`, `ALTER SEQUENCE`, and an `ALTER TABLE` whose only
 * command sets or drops a column default or changes the owner. (The DDL reader turns none of their parse trees into
 * an event; an `ALTER TABLE` without actions creates no placeholder relation either.)
 */
function isInert(words: readonly string[], topLevelCommas: number): boolean {
  const [a, b] = words;
  if (a === 'GRANT' || a === 'REVOKE') return true;
  if (a === 'COMMENT') return b === 'ON';
  if (a === 'CREATE' || a === 'ALTER') {
    if (b === 'SEQUENCE') return true;
    if (a !== 'ALTER' || b !== 'TABLE' || topLevelCommas > 0) return false;
    // ALTER TABLE [IF EXISTS] [ONLY] name ALTER [COLUMN] column {SET | DROP} DEFAULT …  |  … OWNER TO role
    let k = 2;
    if (words[k] === 'IF' && words[k + 1] === 'EXISTS') k += 2;
    if (words[k] === 'ONLY') k++;
    k++; // the table name (a qualified or quoted name is one word here)
    if (words[k] === 'OWNER' && words[k + 1] === 'TO') return true;
    if (words[k] !== 'ALTER') return false;
    k++;
    if (words[k] === 'COLUMN') k++;
    k++; // the column
    return (words[k] === 'SET' || words[k] === 'DROP') && words[k + 1] === 'DEFAULT';
  }
  return false;
}

/** What the statement scan stops at: a statement's end, nesting, commas, and where a string or comment may start. */
const SCAN = /[;(),'"$\-\/]/g;
const [SEMICOLON, OPEN, CLOSE, COMMA, DASH, SLASH] = [...';(),-/'].map((c) => c.charCodeAt(0));

const WORD = /[A-Za-z_\u0080-\uffff][A-Za-z0-9_$\u0080-\uffff]*/y;

/** A name: plain words and quoted identifiers joined by dots (`public."Users"`). */
const NAME = '\0name';

/**
 * The leading words of the statement at `start` (upper-cased), up to `max`. A qualified or quoted name counts as
 * one word, `NAME`; the list stops at anything else (a parenthesis, an operator, a string).
 */
function leadingWords(text: string, start: number, end: number, max: number): string[] {
  const words: string[] = [];
  let i = start;
  while (words.length < max && i < end) {
    let parts = 0;
    let word = '';
    for (;;) {
      if (text[i] === '"') {
        const close = skipRegion(text, i);
        if (close <= i) return words;
        word = NAME;
        i = close;
      } else {
        WORD.lastIndex = i;
        const m = WORD.exec(text);
        if (!m) break;
        word = m[0].toUpperCase();
        i += m[0].length;
      }
      parts++;
      if (text[i] !== '.') break;
      i++;
    }
    if (parts === 0) break;
    words.push(parts > 1 ? NAME : word);
    i = skipSpaceAndComments(text, i);
  }
  return words;
}

/**
 * `text` with every inert statement (see `isInert`) replaced by spaces through its `;`, line breaks kept, so every
 * offset (and line) of the rest is unchanged. A statement is left alone when it has no `;` (the last one may be cut)
 * or when a string or quoted identifier in it spans a line break: a quote left open by mistake could otherwise hide
 * the statements after it, which the parse then reports as unreadable.
 */
export function blankInertStatements(text: string): string {
  if (!CANDIDATE.test(text)) return text;
  const parts: string[] = [];
  let copied = 0;
  let i = 0;
  const n = text.length;
  while (i < n) {
    const start = skipSpaceAndComments(text, i);
    if (start >= n) break;
    let j = n; // the statement's `;`, or n when it has none
    let depth = 0;
    let commas = 0;
    let safe = true;
    // from one character that matters to the next: the regex engine skips the rest (this runs once per load, cold)
    for (SCAN.lastIndex = start; SCAN.test(text); ) {
      const at = SCAN.lastIndex - 1;
      const c = text.charCodeAt(at);
      if (c === SEMICOLON) {
        if (depth === 0) {
          j = at;
          break;
        }
      } else if (c === OPEN) depth++;
      else if (c === CLOSE) depth = Math.max(0, depth - 1);
      else if (c === COMMA) {
        if (depth === 0) commas++;
      } else {
        const end = skipRegion(text, at);
        if (end > at) {
          const lineBreak = c === DASH || c === SLASH ? -1 : text.indexOf('\n', at);
          if (lineBreak >= 0 && lineBreak < end) safe = false;
          SCAN.lastIndex = end;
        }
      }
    }
    if (j >= n) break; // the last statement has no `;`: leave it to the parser
    if (safe && isInert(leadingWords(text, start, j, 11), commas)) {
      parts.push(text.slice(copied, start), text.slice(start, j + 1).replace(/[^\r\n]+/g, (line) => ' '.repeat(line.length)));
      copied = j + 1;
    }
    i = j + 1;
  }
  if (copied === 0) return text;
  parts.push(text.slice(copied));
  return parts.join('');
}
