/**
 * The AST of the `.sql` ESLint language. Deliberately shallow: a document is a list of statements (each carrying
 * its raw libpg-query node) plus the comments. Rules reach into `SqlStatement.node` through the parse adapter, never
 * through ESLint's traversal, so `visitorKeys` stop at the statement.
 */
import type { SourceLocation } from '@eslint/core';
import type { RawNode } from '../sql/parser.js';

/** `[start, end)` as string (UTF-16) indices into the file text. */
export type SqlRange = [number, number];

interface SqlLocated {
  range: SqlRange;
  /** Lines are 1-based, columns 0-based (the language's `lineStart: 1`, `columnStart: 0`). */
  loc: SourceLocation;
}

export interface SqlDocument extends SqlLocated {
  type: 'SqlDocument';
  statements: SqlStatement[];
  comments: SqlComment[];
}

export interface SqlStatement extends SqlLocated {
  type: 'SqlStatement';
  /** The libpg-query statement, e.g. `{ SelectStmt: {...} }`, with every `location` already a string index. */
  node: RawNode;
}

/** `-- …` is a `Line` comment, `/* … *\/` a `Block` comment; `value` is the text without the delimiters. */
export interface SqlComment extends SqlLocated {
  type: 'Line' | 'Block';
  value: string;
}

/** Nodes ESLint traverses (and rules can select). */
export type SqlNode = SqlDocument | SqlStatement;

/** Everything with a `loc` and a `range`: nodes and comments. */
export type SqlSyntaxElement = SqlNode | SqlComment;

export const SQL_VISITOR_KEYS: Readonly<Record<SqlNode['type'], string[]>> = Object.freeze({
  SqlDocument: ['statements'],
  SqlStatement: [],
});
