import type { Position, SourceLocation } from '@eslint/core';
import { lineIndexOf } from '../sql/line-starts.js';

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
    const line = lineIndexOf(this.#starts, index);
    return { line: line + 1, column: index - this.#starts[line]! };
  }

  location(start: number, end: number): SourceLocation {
    return { start: this.position(start), end: this.position(end) };
  }
}
