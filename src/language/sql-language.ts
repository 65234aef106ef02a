/**
 * The `.sql` ESLint language: `{ files: ['**\/*.sql'], language: 'soft-delete/sql' }`.
 *
 * Parsing goes through the libpg-query adapter (`src/sql/parser.ts`); this file only turns its result into
 * ESLint's shapes: a shallow AST with 1-based lines / 0-based columns, and syntax errors as fatal parse errors.
 */
import type { File, FileError, Language, OkParseResult, ParseResult } from '@eslint/core';
import { tokenize, type ParsedSql, type ParsedStatement, type SqlToken } from '../sql/parser.js';
import { parseCached } from '../sql/source.js';
import { normalizeSqlFile } from '../sql/sql-file.js';
import { LineIndex } from './line-index.js';
import { SQL_VISITOR_KEYS, type SqlComment, type SqlDocument, type SqlNode, type SqlStatement } from './sql-ast.js';
import { SqlSourceCode, type SqlLanguageOptions } from './sql-source-code.js';

export interface SqlLanguageTypeOptions {
  LangOptions: SqlLanguageOptions;
  Code: SqlSourceCode;
  RootNode: SqlDocument;
  Node: SqlNode;
}

/** What `parse` hands to `createSourceCode`: the AST plus the adapter's full result. */
export interface SqlParseResult extends OkParseResult<SqlDocument> {
  parsed: ParsedSql;
}

function fileText(file: File): string {
  return typeof file.body === 'string' ? file.body : new TextDecoder().decode(file.body);
}

function toComment(token: SqlToken, lines: LineIndex): SqlComment {
  const isLine = token.text.startsWith('--');
  const value = isLine ? token.text.slice(2) : token.text.slice(2, token.text.endsWith('*/') ? -2 : undefined);
  return {
    type: isLine ? 'Line' : 'Block',
    value,
    range: [token.start, token.end],
    loc: lines.location(token.start, token.end),
  };
}

/**
 * Statement spans from the parser start at the first token but end after any trailing comment
 * (`SELECT 1 /* x *\/;`). Narrow each to its first and last non-comment token so reports underline SQL only.
 */
function statementRanges(statements: ParsedStatement[], tokens: SqlToken[]): Array<[number, number]> {
  const code = tokens.filter((token) => token.kind !== 'comment');
  const ranges: Array<[number, number]> = [];
  let i = 0;
  for (const statement of statements) {
    while (i < code.length && code[i]!.start < statement.start) i++;
    let first: SqlToken | undefined;
    let last: SqlToken | undefined;
    while (i < code.length && code[i]!.end <= statement.end) {
      first ??= code[i];
      last = code[i];
      i++;
    }
    ranges.push(first && last ? [first.start, last.end] : [statement.start, statement.end]);
  }
  return ranges;
}

function buildDocument(parsed: ParsedSql, lines: LineIndex): SqlDocument {
  const { text, statements, tokens } = parsed;
  const ranges = statementRanges(statements, tokens);
  const sqlStatements: SqlStatement[] = statements.map((statement, index) => {
    const [start, end] = ranges[index]!;
    return { type: 'SqlStatement', node: statement.node, range: [start, end], loc: lines.location(start, end) };
  });
  return {
    type: 'SqlDocument',
    statements: sqlStatements,
    comments: tokens.filter((token) => token.kind === 'comment').map((token) => toComment(token, lines)),
    range: [0, text.length],
    loc: lines.location(0, text.length),
  };
}

/**
 * Appended to a `.sql` file's syntax error: the recommended config lints every `**\/*.sql`, and a MySQL or
 * ClickHouse file fails PostgreSQL's grammar for reasons that have nothing to do with a typo.
 */
export const NOT_POSTGRESQL_HINT = ' (parsed as PostgreSQL; if this file is another SQL dialect, add it to `ignores`)';

export const sqlLanguage: Language<SqlLanguageTypeOptions> = {
  fileType: 'text',
  lineStart: 1,
  columnStart: 0,
  nodeTypeKey: 'type',
  visitorKeys: SQL_VISITOR_KEYS,
  defaultLanguageOptions: {},

  /**
   * The SQL language has no options of its own, but configs written for JS/TS without `files` (typescript-eslint's
   * `parser`/`parserOptions`, `ecmaVersion`, `sourceType`, `globals`) apply to every linted file, `.sql` included.
   * Those keys mean nothing here and are ignored, as ESLint's JSON and Markdown languages do; only a non-object is
   * a mistake.
   */
  validateLanguageOptions(languageOptions: SqlLanguageOptions | undefined): void {
    if (languageOptions === undefined || languageOptions === null) return;
    if (typeof languageOptions !== 'object' || Array.isArray(languageOptions)) {
      throw new TypeError('Expected an object.');
    }
  },

  parse(file: File): ParseResult<SqlDocument> {
    const text = fileText(file);
    const lines = new LineIndex(text);
    let parsed: ParsedSql;
    if (text === '') {
      // libpg-query rejects the empty string ("Query cannot be empty"); an empty file is simply empty.
      parsed = { text, statements: [], tokens: tokenize(text) };
    } else {
      // pg-promise `${name}` and psql `:name` / `\set` are replaced by same-length PostgreSQL before parsing.
      const normalized = normalizeSqlFile(text);
      const outcome = parseCached(normalized.text);
      if (!outcome.ok) {
        const { index } = outcome.error;
        const { line, column } = lines.position(Math.min(Math.max(index, 0), text.length));
        // A placeholder stands where the file has `${name}` / `:name`, of the same length: name what the file has.
        const placeholder = normalized.opaque.has(index) ? /^(?:\$\d+|"_*"|'x*')/.exec(normalized.text.slice(index)) : null;
        const message = placeholder
          ? outcome.error.message.replace(/at or near "(?:[^"]|"")*"/, `at or near "${text.slice(index, index + placeholder[0].length)}"`)
          : outcome.error.message;
        // ESLint passes parse errors through unchanged, so these are already its 1-based output columns.
        const error: FileError = { message: `${message}${NOT_POSTGRESQL_HINT}`, line, column: column + 1 };
        return { ok: false, errors: [error] };
      }
      parsed = outcome.parsed;
    }
    const result: SqlParseResult = { ok: true, ast: buildDocument(parsed, lines), parsed };
    return result;
  },

  createSourceCode(file: File, input: OkParseResult<SqlDocument>): SqlSourceCode {
    const parsed = (input as Partial<SqlParseResult>).parsed ?? { text: fileText(file), statements: [], tokens: [] };
    return new SqlSourceCode({ text: fileText(file), ast: input.ast, parsed });
  },
};
