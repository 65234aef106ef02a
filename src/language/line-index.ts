import type { Position, SourceLocation } from '@eslint/core';

/**
 * Line breaks as PostgreSQL and editors count them. `\u2028`/`\u2029` are not line breaks in SQL (ESLint's JS
 * language counts them because JavaScript does). Shared with `TextSourceCodeBase` so `lines` agree with `loc`.
 */
export const SQL_LINE_ENDING = /\r\n|[\r\n]/u;
const LINE_ENDINGS = /\r\n|[\r\n]/gu;

/** String index → `{ line (1-based), column (0-based, UTF-16 units) }`, the positions of ESLint's own AST nodes. */
export class LineIndex {
  readonly #starts: number[] = [0];

  constructor(text: string) {
    for (const match of text.matchAll(LINE_ENDINGS)) this.#starts.push(match.index + match[0].length);
  }

  position(index: number): Position {
    const starts = this.#starts;
    let low = 0;
    let high = starts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if (starts[mid]! <= index) low = mid;
      else high = mid - 1;
    }
    return { line: low + 1, column: index - starts[low]! };
  }

  location(start: number, end: number): SourceLocation {
    return { start: this.position(start), end: this.position(end) };
  }
}
