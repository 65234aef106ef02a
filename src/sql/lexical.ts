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
