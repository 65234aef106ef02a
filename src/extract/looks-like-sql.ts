/**
 * Is this string (the first argument of `query(...)`, `raw(...)`, …) SQL, or prose / a command name / a selector?
 *
 * 1. After whitespace, comments and `(`, it must start with a statement keyword followed by something.
 * 2. Prose is rejected: text ending in `.` or `!`, or text without any SQL punctuation that is written in sentence
 *    case (`Select a customer…`) or uses English function words (`the`, `your`, `a`, …). This runs before parsing
 *    because PostgreSQL happily parses `Select a customer from the list` (a column `a` aliased `customer`).
 * 3. Then it must parse with the real parser (plus a few per-keyword sanity checks), or — when it does not parse,
 *    e.g. a driver placeholder we did not normalise — have the shape of that statement (`DELETE FROM`,
 *    `UPDATE x SET`, `CREATE TABLE`, …).
 */
import { parseCached } from '../sql/source.js';
import { regionKind, skipQuoted, skipRegion } from '../sql/lexical.js';

const STATEMENT_KEYWORDS = new Set([
  'SELECT', 'WITH', 'INSERT', 'UPDATE', 'DELETE', 'CREATE', 'ALTER', 'DROP', 'VALUES', 'TABLE', 'MERGE',
  'TRUNCATE', 'COMMENT', 'GRANT', 'REVOKE', 'EXPLAIN',
]);

const STOPWORDS =
  /\b(?:an|the|your|you|yours|this|these|those|my|our|their|please|will|was|were|has|have|it|its|been|here|there|can|could|should|would|we)\b/i;

/** Words that follow an alias `a` ("FROM users a WHERE"): clause keywords. */
const AFTER_ALIAS = new Set(
  'where join inner left right full cross natural on using group order limit offset union except intersect set as for returning having window'.split(' '),
);

/**
 * `a` followed by a word that is not a clause keyword: prose ("select a file"), not an alias ("FROM users a WHERE").
 * (Written without a look-ahead, so the static ReDoS check can judge the expression.)
 */
export function hasArticleA(text: string): boolean {
  for (const match of text.matchAll(/\ba\s+([a-z]\w*)/gi)) if (!AFTER_ALIAS.has(match[1]!.toLowerCase())) return true;
  return false;
}

/** Punctuation that prose rarely has and SQL nearly always has. */
const SQL_PUNCTUATION = /[*()=<>;?]|\$\d|::|\w\.\w|"__sd_ident_|\$\w*\$/;

const DDL_OBJECT =
  /^(?:CREATE|ALTER|DROP)\s+(?:OR\s+REPLACE\s+)?(?:(?:UNIQUE|TEMP|TEMPORARY|UNLOGGED|MATERIALIZED|RECURSIVE|GLOBAL|LOCAL|CONSTRAINT|EVENT)\s+)*(?:TABLE|INDEX|VIEW|FUNCTION|TRIGGER|POLICY|SCHEMA|EXTENSION|TYPE|SEQUENCE|DOMAIN|ROLE|DATABASE|RULE|PROCEDURE|AGGREGATE|PUBLICATION|SUBSCRIPTION|COLLATION|OPERATOR|SERVER|USER|STATISTICS)\b/i;

const SHAPES: Record<string, RegExp> = {
  SELECT: /\bFROM\b/i,
  WITH: /\bAS\s*(?:NOT\s+)?(?:MATERIALIZED\s*)?\(/i,
  INSERT: /^INSERT\s+INTO\b/i,
  UPDATE: /^UPDATE\s+(?:ONLY\s+)?[\w."$]+(?:\s+(?:AS\s+)?\w+)?\s+SET\b/i,
  DELETE: /^DELETE\s+FROM\b/i,
  CREATE: DDL_OBJECT,
  ALTER: DDL_OBJECT,
  DROP: DDL_OBJECT,
  VALUES: /^VALUES\s*\(/i,
  TABLE: /^TABLE\s+[\w."]+\s*(?:;\s*)?$/i,
  MERGE: /^MERGE\s+INTO\b/i,
  TRUNCATE: /^TRUNCATE\s+(?:TABLE\s+)?(?:ONLY\s+)?[\w."]+/i,
  COMMENT: /^COMMENT\s+ON\b/i,
  GRANT: /\bON\b/i, // and TO after it: see SECOND_WORD
  REVOKE: /\bON\b/i, // and FROM after it
  EXPLAIN: /^EXPLAIN\s+(?:\([^)]*\)\s*|(?:ANALY[SZ]E|VERBOSE)\s+)*(?:SELECT|WITH|INSERT|UPDATE|DELETE|MERGE|TABLE|VALUES)\b/i,
};

/** GRANT … ON … TO / REVOKE … ON … FROM: the second word after the first, found in linear time. */
const SECOND_WORD: Record<string, RegExp> = { GRANT: /\bTO\b/i, REVOKE: /\bFROM\b/i };

/** Drops leading whitespace, comments and opening parentheses (one pass, no copies: linear in the text). */
function stripLead(text: string): string {
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === '(' || /\s/.test(c)) i++;
    else if (text.startsWith('--', i)) {
      const nl = text.indexOf('\n', i);
      i = nl < 0 ? text.length : nl + 1;
    } else if (text.startsWith('/*', i)) {
      const end = text.indexOf('*/', i + 2);
      i = end < 0 ? text.length : end + 2;
    } else break;
  }
  return text.slice(i);
}

/**
 * The text with string literals, quoted identifiers and comments blanked, read with PostgreSQL's lexical rules
 * (doubled quotes, `E'\''`, nested comments, dollar quotes), so their words do not count as prose and an
 * apostrophe in a comment (`-- don't`) hides nothing. Our placeholders for interpolated names (`"__sd_ident_1"`)
 * are kept. One linear pass in JS: this runs on every candidate string, most of which are not SQL.
 */
const WORD_START = /[A-Za-z_\u0080-\uffff]/;
const WORD_PART = /[A-Za-z0-9_$\u0080-\uffff]/;

export function withoutQuoted(text: string): string {
  let out = '';
  let at = 0;
  for (let i = 0; i < text.length; ) {
    if (WORD_START.test(text[i]!)) {
      // a whole word (`a$b$` is a name, not a dollar quote); the word `E` before a quote starts an `E'…'` string
      const word = i++;
      while (i < text.length && WORD_PART.test(text[i]!)) i++;
      if (i === word + 1 && (text[word] === 'e' || text[word] === 'E') && text[i] === "'") {
        out += text.slice(at, word) + "''";
        i = at = skipQuoted(text, i, "'", true);
      }
      continue;
    }
    const end = skipRegion(text, i, false);
    if (end <= i) {
      i++;
      continue;
    }
    const kind = regionKind(text, i);
    const blanked = kind === 'comment' ? ' ' : kind === 'string' ? "''" : text.startsWith('"__sd_ident_', i) ? null : '""';
    if (blanked !== null) {
      out += text.slice(at, i) + blanked;
      at = kind === 'comment' && text[end - 1] === '\n' ? end - 1 : end; // a line comment ends before its newline
    }
    i = end;
  }
  return out + text.slice(at);
}

export function looksLikeSql(text: string): boolean {
  const body = stripLead(text);
  const first = /^[A-Za-z]+/.exec(body)?.[0];
  if (!first) return false;
  const keyword = first.toUpperCase();
  if (!STATEMENT_KEYWORDS.has(keyword)) return false;
  const rest = body.slice(first.length);
  if (!/^\s+\S|^\s*[(*]/.test(rest)) return false; // a lone keyword ("Delete", "update")

  const visible = withoutQuoted(body);
  if (/[.!]\s*$/.test(visible)) return false;
  const punctuated = SQL_PUNCTUATION.test(visible);
  const sentenceCase = /^[A-Z][a-z]+$/.test(first);
  if (!punctuated && (sentenceCase || STOPWORDS.test(visible) || hasArticleA(visible))) return false;

  const upper = first === keyword;
  const outcome = parseCached(text); // the engine parses the same text next: share the result
  if (outcome.ok) {
    if (outcome.parsed.statements.length === 0) return false;
    switch (keyword) {
      case 'SELECT':
        // `select color` parses but is not a query anyone writes; real ones read a table or compute something
        return /\bFROM\b/i.test(visible) || punctuated || /\d/.test(visible);
      case 'TABLE':
      case 'GRANT':
      case 'REVOKE':
        return upper || punctuated || /\bON\b/i.test(visible);
      default:
        return true;
    }
  }
  const shape = SHAPES[keyword];
  const match = shape?.exec(body);
  if (!match) return false;
  const second = SECOND_WORD[keyword];
  return !second || second.test(body.slice(match.index + match[0].length));
}
