/**
 * PartiQL for DynamoDB, as far as a soft-delete check needs it: a `SELECT` or `DELETE` statement's table and its
 * `WHERE` condition, lowered into SQL over the table's attributes (the DynamoDB front end wraps it like any other
 * read or delete).
 *
 * The grammar DynamoDB documents for reads: `SELECT expression [, …] FROM table[.index] [WHERE condition]
 * [ORDER BY key [ASC|DESC], …]`, and for deletes `DELETE FROM table WHERE condition [RETURNING …]`; names bare or
 * in double quotes (`"Orders"."ByCustomer"`), document paths
 * (`a.b[0]`), strings in single quotes, `?` parameters; operators `= <> != < <= > >= + -`, `AND OR NOT BETWEEN IN`
 * (`IN [1, 2]`), `IS [NOT] MISSING` (the attribute is absent / present) and `IS [NOT] NULL`; functions
 * `begins_with`, `contains`, `attribute_type`, `size`. `x IS MISSING` is SQL's `x IS NULL` (absent), `x IS NOT
 * MISSING` its `IS NOT NULL`. `x IS NULL` is lowered as written: whether DynamoDB also takes an absent attribute for
 * NULL does not matter to the check, since an item whose marker holds a value is excluded either way. Anything else
 * (set and map literals, a function DynamoDB does not list) makes the condition unreadable: the caller then writes
 * an opaque condition, never a guess.
 */
import { pushIdent, type SynthText } from '../js/synth.js';
import { nextParam, type PlaceholderCounter } from '../sql/placeholder.js';

/** A token of a sticky tokenizer: its kind (named by the capture group that matched), text and span. */
export interface StickyToken<Kind extends string> {
  kind: Kind;
  text: string;
  start: number;
  end: number;
}

/**
 * Splits `text` with a sticky pattern whose capture groups name the token kinds (`kinds[i]` for group i + 1; a match
 * of no group, such as white space, is skipped): null where no alternative matches.
 */
export function stickyTokens<Kind extends string>(pattern: RegExp, kinds: readonly Kind[], text: string): Array<StickyToken<Kind>> | null {
  const tokens: Array<StickyToken<Kind>> = [];
  pattern.lastIndex = 0;
  while (pattern.lastIndex < text.length) {
    const start = pattern.lastIndex;
    const m = pattern.exec(text);
    if (!m) return null;
    const group = m.slice(1).findIndex((g) => g !== undefined);
    if (group >= 0) tokens.push({ kind: kinds[group]!, text: m[0], start, end: pattern.lastIndex });
  }
  return tokens;
}

const TOKEN = /\s+|("(?:[^"]|"")*")|('(?:[^']|'')*')|(\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)|([A-Za-z_][A-Za-z0-9_]*)|(\?)|(<<|>>|<>|!=|<=|>=|[=<>(),.[\]*+\-{}:])/y;
const KINDS = ['quoted', 'string', 'number', 'word', 'param', 'punct'] as const;

export type PartiqlToken = StickyToken<(typeof KINDS)[number]>;

function tokenize(text: string): PartiqlToken[] | null {
  return stickyTokens(TOKEN, KINDS, text);
}

const isWord = (t: PartiqlToken | undefined, word: string): boolean => t?.kind === 'word' && t.text.toUpperCase() === word;

/** A name token's value and where its characters sit (inside the quotes for a quoted one). */
function nameOf(t: PartiqlToken): { name: string; start: number; end: number } | null {
  if (t.kind === 'word') return { name: t.text, start: t.start, end: t.end };
  if (t.kind === 'quoted') return { name: t.text.slice(1, -1).replace(/""/g, '"'), start: t.start + 1, end: t.end - 1 };
  return null;
}

export interface PartiqlStatement {
  /** `select`: a read (`SELECT … FROM t[.index] [WHERE …] [ORDER BY …]`); `delete`: `DELETE FROM t [WHERE …] [RETURNING …]`. */
  kind: 'select' | 'delete';
  /** The table as written (without quotes) and its offsets in the statement. */
  table: { name: string; start: number; end: number };
  /** The tokens of the WHERE condition, or null when there is none. */
  where: PartiqlToken[] | null;
  /** Where the FROM item (the table, or its index) ends: a WHERE would go there. */
  fromEnd: number;
}

/**
 * The table and condition of a PartiQL `SELECT` or `DELETE`; `'other'` for another statement (INSERT, UPDATE, an
 * `EXISTS(…)` check of a transaction); null for a SELECT or DELETE in a shape not read here.
 */
export function partiqlStatement(text: string): PartiqlStatement | 'other' | null {
  const tokens = tokenize(text);
  if (!tokens || tokens.length === 0) return null;
  const kind = isWord(tokens[0], 'SELECT') ? 'select' : isWord(tokens[0], 'DELETE') ? 'delete' : null;
  if (!kind) return 'other';
  let depth = 0;
  let from = -1;
  if (kind === 'delete') from = isWord(tokens[1], 'FROM') ? 1 : -1;
  for (let i = 1; kind === 'select' && i < tokens.length && from < 0; i++) {
    const t = tokens[i]!;
    if (t.text === '(' || t.text === '[') depth++;
    else if (t.text === ')' || t.text === ']') depth--;
    else if (depth === 0 && isWord(t, 'FROM')) from = i;
  }
  const tableToken = from < 0 ? undefined : tokens[from + 1];
  const table = tableToken ? nameOf(tableToken) : null;
  if (!table) return null;
  let i = from + 2;
  if (kind === 'select' && tokens[i]?.text === '.') {
    if (!tokens[i + 1] || !nameOf(tokens[i + 1]!)) return null;
    i += 2; // the index read: its items are the table's
  }
  const fromEnd = tokens[i - 1]!.end;
  // what ends the condition: ORDER BY for a read, RETURNING for a delete
  const ends = (k: number): boolean => (kind === 'select' ? isWord(tokens[k], 'ORDER') && isWord(tokens[k + 1], 'BY') : isWord(tokens[k], 'RETURNING'));
  if (i === tokens.length || ends(i)) return { kind, table, where: null, fromEnd };
  if (!isWord(tokens[i], 'WHERE')) return null;
  const where: PartiqlToken[] = [];
  depth = 0;
  for (i++; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.text === '(' || t.text === '[') depth++;
    else if (t.text === ')' || t.text === ']') depth--;
    else if (depth === 0 && ends(i)) break;
    where.push(t);
  }
  return where.length > 0 ? { kind, table, where, fromEnd } : null;
}

/** Does a condition have an `OR` outside parentheses (so a conjunct added after it must wrap it)? */
export function hasTopLevelOr(tokens: readonly PartiqlToken[]): boolean {
  let depth = 0;
  for (const t of tokens) {
    if (t.text === '(' || t.text === '[') depth++;
    else if (t.text === ')' || t.text === ']') depth--;
    else if (depth === 0 && isWord(t, 'OR')) return true;
  }
  return false;
}

const KEYWORDS = new Set(['AND', 'OR', 'NOT', 'BETWEEN', 'IN', 'TRUE', 'FALSE', 'NULL']);
const FUNCTIONS = new Set(['begins_with', 'contains', 'attribute_type', 'size']);
const OPERATORS = new Set(['(', ')', ',', '=', '<', '>', '<=', '>=', '<>', '+', '-']);

/**
 * Appends a PartiQL condition as SQL, each token mapped through `at` (statement offset → source index). `param(k)`:
 * the SQL literal of the k-th `?` when the call spells its value out, else null (a parameter). False when the
 * condition holds something not read here (the caller discards what was appended).
 */
export function lowerPartiqlCondition(
  out: SynthText,
  tokens: readonly PartiqlToken[],
  at: (index: number) => number,
  param: (k: number) => string | null,
  counter: PlaceholderCounter,
): boolean {
  let params = 0;
  const mapped = (text: string, t: PartiqlToken): void => out.push(text, Array.from({ length: text.length }, (_, k) => at(Math.min(t.start + k, t.end - 1))));
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    out.syn(' ', at(t.start));
    const upper = t.text.toUpperCase();
    if (t.kind === 'word' && upper === 'IS') {
      const not = isWord(tokens[i + 1], 'NOT');
      const what = tokens[i + (not ? 2 : 1)];
      if (!isWord(what, 'MISSING') && !isWord(what, 'NULL')) return false;
      out.syn(not ? 'IS NOT NULL' : 'IS NULL', at(t.start));
      i += not ? 2 : 1;
      continue;
    }
    if (t.kind === 'word' && KEYWORDS.has(upper)) {
      mapped(upper, t);
      continue;
    }
    if (t.kind === 'word' && tokens[i + 1]?.text === '(') {
      if (!FUNCTIONS.has(t.text.toLowerCase())) return false;
      mapped(t.text.toLowerCase(), t);
      continue;
    }
    if (t.kind === 'word' || t.kind === 'quoted') {
      // a document path: name(.name | [n])*
      const first = nameOf(t)!;
      let name = first.name;
      let end = first.end;
      while (i + 1 < tokens.length) {
        const next = tokens[i + 1]!;
        const segment = next.text === '.' && tokens[i + 2] ? nameOf(tokens[i + 2]!) : null;
        if (segment) {
          name += `.${segment.name}`;
          end = segment.end;
          i += 2;
        } else if (next.text === '[' && tokens[i + 2]?.kind === 'number' && tokens[i + 3]?.text === ']') {
          name += `[${tokens[i + 2]!.text}]`;
          end = tokens[i + 3]!.end;
          i += 3;
        } else break;
      }
      pushIdent(out, name, [at(first.start), at(end - 1) + 1]);
      continue;
    }
    if (t.kind === 'string' || t.kind === 'number') {
      mapped(t.text, t);
      continue;
    }
    if (t.kind === 'param') {
      out.syn(param(params++) ?? nextParam(counter), at(t.start));
      continue;
    }
    if (t.text === '!=') out.syn('<>', at(t.start));
    else if (t.text === '[' || t.text === ']') out.syn(t.text === '[' ? '(' : ')', at(t.start)); // `IN [1, 2]`
    else if (OPERATORS.has(t.text)) mapped(t.text, t);
    else return false;
  }
  return true;
}

/** A PartiQL name as written in a statement (double quotes unless it is a plain word). */
export function partiqlName(name: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) ? name : `"${name.replace(/"/g, '""')}"`;
}
