/**
 * Line arithmetic on a file's text: offset ↔ 1-based line/column (UTF-16 code units, as ESLint counts).
 */
import { lineIndexOf, lineStarts } from '../sql/line-starts.js';

/** A file's text as ESLint sees it (no byte-order mark), with line starts and line/column ↔ offset conversions. */
export class LinedText {
  readonly text: string;
  readonly starts: number[];
  constructor(raw: string) {
    this.text = raw.startsWith('\uFEFF') ? raw.slice(1) : raw;
    this.starts = lineStarts(this.text);
  }
  /** 1-based line and column (UTF-16 code units, as ESLint counts) of a string index. */
  position(offset: number): { line: number; column: number } {
    const index = lineIndexOf(this.starts, Math.max(0, Math.min(offset, this.text.length)));
    return { line: index + 1, column: offset - this.starts[index]! + 1 };
  }
  /** The string index of a 1-based line and column (clamped to the text). */
  offset(line: number, column: number): number {
    const start = this.starts[Math.max(0, Math.min(line - 1, this.starts.length - 1))]!;
    return Math.max(0, Math.min(start + column - 1, this.text.length));
  }
  /** The text of a 1-based line, without its line break. */
  line(line: number): string {
    const start = this.starts[line - 1];
    if (start === undefined) return '';
    const next = this.starts[line];
    return this.text.slice(start, next === undefined ? this.text.length : next - 1).replace(/\r$/, '');
  }
}

/** The UTF-8 byte length of `text` (reviewdog counts columns in bytes). */
export function utf8Length(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}
