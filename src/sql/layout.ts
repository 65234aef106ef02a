/**
 * Token-level layout of SQL text: where a scope's clauses start and end. libpg-query gives only start offsets of
 * some nodes; fixes need to know where a WHERE or ON expression ends and where a new WHERE can go.
 */
import type { SqlToken } from './parser.js';

export class TokenLayout {
  readonly tokens: SqlToken[];
  /** Paren depth *before* each token. */
  private readonly depths: number[];

  constructor(tokens: SqlToken[]) {
    this.tokens = tokens.filter((t) => t.kind !== 'comment');
    this.depths = [];
    let depth = 0;
    for (const token of this.tokens) {
      if (token.text === ')') depth--;
      this.depths.push(depth);
      if (token.text === '(') depth++;
    }
  }

  depth(i: number): number {
    return this.depths[i] ?? 0;
  }

  /** Index of the first token whose start is >= `position` (tokens.length if none). */
  indexAt(position: number): number {
    let lo = 0;
    let hi = this.tokens.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.tokens[mid]!.start < position) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** The token starting exactly at `position`, if any. */
  tokenIndexStartingAt(position: number): number | undefined {
    const i = this.indexAt(position);
    return this.tokens[i]?.start === position ? i : undefined;
  }

  isKeyword(i: number, ...words: string[]): boolean {
    const t = this.tokens[i];
    return !!t && t.kind === 'keyword' && words.includes(t.keyword);
  }

  /** Nearest keyword token `word` strictly before `position` whose depth is <= the depth at `position`. */
  keywordBefore(position: number, word: string): number | undefined {
    const from = this.indexAt(position);
    const limit = from < this.tokens.length ? this.depth(from) : 0;
    for (let i = from - 1; i >= 0; i--) {
      if (this.depth(i) <= limit && this.isKeyword(i, word)) return i;
    }
    return undefined;
  }

  /** Span of a (possibly qualified) name starting at `position`: `users`, `public.users`, `"Users"`. */
  nameSpanAt(position: number): { start: number; end: number } {
    let i = this.tokenIndexStartingAt(position);
    if (i === undefined) return { start: position, end: position + 1 };
    let end = this.tokens[i]!.end;
    while (this.tokens[i + 1]?.text === '.' && this.tokens[i + 2] && this.tokens[i + 2]!.kind !== 'punct') {
      end = this.tokens[i + 2]!.end;
      i += 2;
    }
    return { start: position, end };
  }

  /**
   * From token `from` (exclusive) scan forward at the same depth until a token satisfying `stop` or a closing
   * paren / `;` / end of text. Returns the index of the stopping token (tokens.length at the end).
   */
  scanAtDepth(from: number, stop: (i: number) => boolean): number {
    const base = this.depth(from);
    for (let i = from + 1; i < this.tokens.length; i++) {
      const d = this.depth(i);
      const t = this.tokens[i]!;
      if (d < base) return i; // the `)` closing the paren the scan started in
      if (d === base && (t.text === ';' || stop(i))) return i;
    }
    return this.tokens.length;
  }

  /** End offset of the last token before token index `i` (the place to append text to a clause). */
  endBefore(i: number): number {
    const prev = this.tokens[i - 1];
    return prev ? prev.end : 0;
  }
}

const AFTER_FROM = ['WHERE', 'GROUP', 'HAVING', 'WINDOW', 'ORDER', 'LIMIT', 'OFFSET', 'FETCH', 'FOR', 'RETURNING', 'UNION', 'INTERSECT', 'EXCEPT'];
const AFTER_WHERE = AFTER_FROM.filter((k) => k !== 'WHERE');
const JOIN_WORDS = ['JOIN', 'INNER', 'LEFT', 'RIGHT', 'FULL', 'CROSS', 'NATURAL'];

export interface ClauseSpan {
  /** Token index of the clause keyword (WHERE / ON). */
  keyword: number;
  /** String index where the clause's expression starts. */
  exprStart: number;
  /** String index just after the clause's last token. */
  exprEnd: number;
}

export interface ScopeLayout {
  where: ClauseSpan | null;
  /** Where ` WHERE …` goes when the scope has no WHERE; null when no safe place is known. */
  newWhereAt: number | null;
}

function isStop(layout: TokenLayout, i: number, words: string[]): boolean {
  const t = layout.tokens[i]!;
  if (t.kind !== 'keyword') return false;
  if (t.keyword === 'GROUP' && layout.isKeyword(i - 1, 'WITHIN')) return false;
  if (t.keyword === 'ON') return layout.isKeyword(i + 1, 'CONFLICT');
  return words.includes(t.keyword);
}

/**
 * Layout of the scope whose leading keyword (SELECT / UPDATE / DELETE) is token `startToken`.
 * `fromToken` is the token index of the FROM / USING keyword when known (for DELETE/UPDATE).
 */
export function scopeLayout(layout: TokenLayout, startToken: number): ScopeLayout {
  const stopAll = (i: number) => isStop(layout, i, [...AFTER_FROM, 'ON']);
  const first = layout.scanAtDepth(startToken, stopAll);
  const t = layout.tokens[first];
  if (t && t.kind === 'keyword' && t.keyword === 'WHERE') {
    const end = layout.scanAtDepth(first, (i) => isStop(layout, i, AFTER_WHERE));
    const next = layout.tokens[first + 1];
    return {
      where: { keyword: first, exprStart: next ? next.start : t.end, exprEnd: layout.endBefore(end) },
      newWhereAt: null,
    };
  }
  return { where: null, newWhereAt: layout.endBefore(first) };
}

/** The ON clause whose expression contains `exprLocation` (the location of a join's quals). */
export function onClauseSpan(layout: TokenLayout, exprLocation: number): ClauseSpan | null {
  const on = layout.keywordBefore(exprLocation + 1, 'ON');
  if (on === undefined) return null;
  const end = layout.scanAtDepth(on, (i) => {
    const t = layout.tokens[i]!;
    if (t.text === ',') return true;
    return t.kind === 'keyword' && (JOIN_WORDS.includes(t.keyword) || AFTER_FROM.includes(t.keyword) || t.keyword === 'ON');
  });
  const next = layout.tokens[on + 1];
  return { keyword: on, exprStart: next ? next.start : layout.tokens[on]!.end, exprEnd: layout.endBefore(end) };
}

/**
 * Span of a (possibly qualified, possibly quoted) name starting at `start`, read from the text itself: `users`,
 * `public.users`, `"Users"`, `public . "Users"`. Needs no tokens.
 */
export function nameSpanInText(text: string, start: number): { start: number; end: number } {
  let i = start;
  const identifier = (): boolean => {
    if (text[i] === '"') {
      i++;
      while (i < text.length) {
        if (text[i] === '"' && text[i + 1] === '"') i += 2;
        else if (text[i++] === '"') return true;
      }
      return true;
    }
    const m = /^[A-Za-z_\u0080-\uffff][\w$\u0080-\uffff]*/.exec(text.slice(i, i + 256));
    if (!m) return false;
    i += m[0].length;
    return true;
  };
  if (!identifier()) return { start, end: start + 1 };
  let end = i;
  for (;;) {
    let j = i;
    while (/\s/.test(text[j] ?? '')) j++;
    if (text[j] !== '.') break;
    j++;
    while (/\s/.test(text[j] ?? '')) j++;
    i = j;
    if (!identifier()) break;
    end = i;
  }
  return { start, end };
}
