import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RuleDefinition } from '@eslint/core';
import { ESLint, Linter, RuleTester } from 'eslint';
import { afterAll, beforeAll, describe, expect, it, test } from 'vitest';
import type { SqlDocument, SqlNode, SqlStatement } from '../src/language/sql-ast.js';
import { NOT_POSTGRESQL_HINT, sqlLanguage } from '../src/language/sql-language.js';
import softDelete from '../src/index.js';
import type { SqlLanguageOptions, SqlSourceCode } from '../src/language/sql-source-code.js';

type SqlRule = RuleDefinition<{
  LangOptions: SqlLanguageOptions;
  Code: SqlSourceCode;
  RuleOptions: unknown[];
  Visitor: Record<string, (node: SqlNode, parent?: SqlNode) => void>;
  Node: SqlNode;
  MessageIds: string;
  ExtRuleDocs: Record<string, unknown>;
}>;

/** Reports every statement. */
const stmt: SqlRule = {
  meta: { type: 'problem', schema: [] },
  create(context) {
    return {
      SqlStatement(node) {
        context.report({ node, message: 'stmt' });
      },
    };
  },
};

/** Never reports: the target of directives that must not suppress `test/stmt`. */
const other: SqlRule = {
  meta: { type: 'problem', schema: [] },
  create() {
    return {};
  },
};

/** Records what the source code exposes, for the API tests. */
let seen: { sourceCode?: SqlSourceCode; events: string[] } = { events: [] };
const spy: SqlRule = {
  meta: { type: 'problem', schema: [] },
  create(context) {
    seen.sourceCode = context.sourceCode;
    const log = (event: string) => (node: SqlNode) => {
      seen.events.push(`${event}@${node.range[0]}`);
    };
    return {
      SqlDocument: log('enter doc'),
      SqlStatement: log('enter stmt'),
      'SqlStatement:exit': log('exit stmt'),
      'SqlDocument:exit': log('exit doc'),
      'SqlDocument > SqlStatement': log('child'),
    };
  },
};

const plugin: ESLint.Plugin = {
  meta: { name: 'test' },
  languages: { sql: sqlLanguage },
  rules: { stmt, other, spy },
};

function config(extra: Partial<Linter.Config> = {}): Linter.Config[] {
  return [
    {
      files: ['**/*.sql'],
      plugins: { test: plugin },
      language: 'test/sql',
      rules: { 'test/stmt': 'error' },
      ...extra,
    },
  ];
}

function lint(text: string, extra: Partial<Linter.Config> = {}): Linter.LintMessage[] {
  return new Linter({ configType: 'flat' }).verify(text, config(extra), 'file.sql');
}

function positions(messages: Linter.LintMessage[]) {
  return messages.map(({ line, column, endLine, endColumn }) => ({ line, column, endLine, endColumn }));
}

describe('positions of reports', () => {
  test('statements are reported at their span in ESLint 1-based lines and columns', () => {
    const messages = lint('SELECT 1;\n\n  SELECT id\n    FROM t;');
    expect(messages.map((m) => [m.ruleId, m.message, m.severity])).toEqual([
      ['test/stmt', 'stmt', 2],
      ['test/stmt', 'stmt', 2],
    ]);
    expect(positions(messages)).toEqual([
      { line: 1, column: 1, endLine: 1, endColumn: 9 },
      { line: 3, column: 3, endLine: 4, endColumn: 11 },
    ]);
  });

  test('leading and trailing comments are not part of a statement', () => {
    const text = '/* head */ SELECT 1 /* tail */ ;\n-- between\nSELECT 2 -- tail\n;';
    expect(positions(lint(text))).toEqual([
      { line: 1, column: 12, endLine: 1, endColumn: 20 },
      { line: 3, column: 1, endLine: 3, endColumn: 9 },
    ]);
  });

  test('non-ASCII text before a statement keeps positions in UTF-16 columns, as editors count them', () => {
    const text = "-- café 😀 ünïcödé\nSELECT 'é😀' AS x; SELECT 2;\nSELECT 3";
    expect(positions(lint(text))).toEqual([
      { line: 2, column: 1, endLine: 2, endColumn: 18 },
      { line: 2, column: 20, endLine: 2, endColumn: 28 },
      { line: 3, column: 1, endLine: 3, endColumn: 9 },
    ]);
    // The columns point at the statements in the JS string.
    const line2 = text.split('\n')[1]!;
    expect(line2.slice(0, 17)).toBe("SELECT 'é😀' AS x");
    expect(line2.slice(19, 27)).toBe('SELECT 2');
  });

  test('CRLF and lone CR line endings count as one line break each', () => {
    expect(positions(lint('SELECT 1;\r\nSELECT 2;\rSELECT 3'))).toEqual([
      { line: 1, column: 1, endLine: 1, endColumn: 9 },
      { line: 2, column: 1, endLine: 2, endColumn: 9 },
      { line: 3, column: 1, endLine: 3, endColumn: 9 },
    ]);
  });

  test('an empty file, a blank file and a comment-only file lint cleanly', () => {
    expect(lint('')).toEqual([]);
    expect(lint('  \n\n')).toEqual([]);
    expect(lint('-- nothing here\n/* nor here */\n')).toEqual([]);
    expect(lint(';;')).toEqual([]);
  });
});

describe('syntax errors', () => {
  function fatal(text: string) {
    const messages = lint(text);
    expect(messages).toHaveLength(1);
    const [message] = messages;
    expect(message).toMatchObject({ ruleId: null, fatal: true, severity: 2 });
    return message!;
  }

  test('a MySQL file says it was parsed as PostgreSQL and how to leave it out', () => {
    const message = fatal('CREATE TABLE t (\n  id INT AUTO_INCREMENT PRIMARY KEY\n) ENGINE=InnoDB;');
    expect(message.message).toMatch(/^Parsing error: syntax error at or near "AUTO_INCREMENT" \(parsed as PostgreSQL; if this file is another SQL dialect, add it to `ignores`\)$/);
    expect([message.line, message.column]).toEqual([2, 10]);
  });

  test('are one fatal message at the offending token', () => {
    const text = 'SELECT 1;\n\nSELEC x';
    const message = fatal(text);
    expect(message.message).toBe(`Parsing error: syntax error at or near "SELEC"${NOT_POSTGRESQL_HINT}`);
    expect([message.line, message.column]).toEqual([3, 1]);
  });

  test('columns are 1-based and point at the token', () => {
    const text = 'SELECT 1;\n  SELECT * FROM t WHER x = 1';
    const message = fatal(text);
    expect(message.message).toBe(`Parsing error: syntax error at or near "x"${NOT_POSTGRESQL_HINT}`);
    const line = text.split('\n')[message.line - 1]!;
    expect(line.slice(message.column - 1)).toBe('x = 1');
  });

  test('an error at end of input points just past the last character', () => {
    const message = fatal('SELECT (1');
    expect(message.message).toBe(`Parsing error: syntax error at end of input${NOT_POSTGRESQL_HINT}`);
    expect([message.line, message.column]).toEqual([1, 10]);
  });

  test('an unterminated string points at its quote', () => {
    const message = fatal("SELECT 1;\nSELECT 'abc");
    expect(message.message).toMatch(/^Parsing error: unterminated quoted string/);
    expect([message.line, message.column]).toEqual([2, 8]);
  });

  // libpg-query's cursorPosition counts code points; src/sql/parser.ts maps it as a UTF-8 byte offset, so an error
  // after non-ASCII text lands too early. Turn this into `test` once parser.ts maps code points.
  test('after non-ASCII text still points at the token', () => {
    const message = fatal("-- café 😀\nSELECT 'é'; SELEC x");
    expect([message.line, message.column]).toEqual([2, 13]);
  });
});

describe('inline configuration in SQL comments', () => {
  test("an editor's quick fix `// eslint-disable-next-line` line is read as the SQL comment it stands for", () => {
    const text = 'SELECT 1;\n  // eslint-disable-next-line test/stmt -- the quick fix of a JS-minded editor\nSELECT 2;\nSELECT 3';
    const messages = lint(text);
    expect(messages.map((m) => [m.ruleId, m.line, m.column])).toEqual([
      ['test/stmt', 1, 1],
      ['test/stmt', 4, 1],
    ]);
  });

  test("with the plugin's rules: the finding under the editor's directive is suppressed, the next one is not", () => {
    const linter = new Linter({ configType: 'flat' });
    const text = '// eslint-disable-next-line soft-delete/require-soft-delete-filter\nSELECT id FROM users;\nSELECT email FROM users;\n';
    const messages = linter.verify(
      text,
      [...softDelete.configs.recommended, { settings: { 'soft-delete': { tables: { users: { column: 'deleted_at' } } } } }],
      'queries/q.sql',
    );
    expect(messages.map((m) => [m.ruleId, m.line, m.column])).toEqual([['soft-delete/require-soft-delete-filter', 3, 19]]);
  });

  test('`//` that is not an ESLint directive stays what it is in SQL: a syntax error', () => {
    const messages = lint('SELECT 1;\n// a note\nSELECT 2');
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatchObject({ fatal: true, line: 2, column: 1 });
  });

  test('-- eslint-disable-next-line names a rule and may carry a justification', () => {
    const linter = new Linter({ configType: 'flat' });
    const text = '-- eslint-disable-next-line test/stmt -- trash view reads deleted rows on purpose\nSELECT 1;\nSELECT 2';
    const messages = linter.verify(text, config(), 'file.sql');
    expect(positions(messages)).toEqual([{ line: 3, column: 1, endLine: 3, endColumn: 9 }]);
    // Present on Linter at runtime, missing from its type declarations.
    const suppressed = (linter as Linter & { getSuppressedMessages(): Linter.SuppressedLintMessage[] }).getSuppressedMessages();
    expect(suppressed).toHaveLength(1);
    expect(suppressed[0]!.line).toBe(2);
    expect(suppressed[0]!.suppressions).toEqual([
      { kind: 'directive', justification: 'trash view reads deleted rows on purpose' },
    ]);
  });

  test('/* eslint-disable-next-line */ in a block comment, without rule names', () => {
    expect(positions(lint('/* eslint-disable-next-line */\nSELECT 1;\nSELECT 2'))).toEqual([
      { line: 3, column: 1, endLine: 3, endColumn: 9 },
    ]);
  });

  test('-- eslint-disable-line and /* eslint-disable-line */', () => {
    expect(positions(lint('SELECT 1; -- eslint-disable-line test/stmt\nSELECT 2 /* eslint-disable-line */;\nSELECT 3'))).toEqual([
      { line: 3, column: 1, endLine: 3, endColumn: 9 },
    ]);
  });

  test('/* eslint-disable */ … /* eslint-enable */ blocks, with and without rule names', () => {
    const text = [
      'SELECT 1;',
      '/* eslint-disable test/stmt */',
      'SELECT 2;',
      '/* eslint-enable test/stmt */',
      'SELECT 3;',
      '-- eslint-disable',
      'SELECT 4;',
      '-- eslint-enable',
      'SELECT 5;',
      '/* eslint-disable */',
      'SELECT 6;',
    ].join('\n');
    expect(lint(text).map((m) => m.line)).toEqual([1, 5, 9]);
  });

  test('a directive naming another rule does not suppress', () => {
    const text = '-- eslint-disable-next-line test/other\nSELECT 1;\nSELECT 2; -- eslint-disable-line test/other';
    const messages = lint(text, { rules: { 'test/stmt': 'error', 'test/other': 'error' }, linterOptions: { reportUnusedDisableDirectives: 'off' } });
    expect(messages.map((m) => [m.ruleId, m.line])).toEqual([
      ['test/stmt', 2],
      ['test/stmt', 3],
    ]);
  });

  test('a directive naming an unknown rule is reported', () => {
    const messages = lint('-- eslint-disable-next-line test/nope\nSELECT 1');
    expect(messages.map((m) => [m.ruleId, m.message, m.line])).toEqual([
      ['test/nope', "Definition for rule 'test/nope' was not found.", 1],
      ['test/stmt', 'stmt', 2],
    ]);
  });

  test('rule configuration comments: /* eslint test/stmt: "off" */ and severities', () => {
    expect(lint('/* eslint test/stmt: "off" */\nSELECT 1')).toEqual([]);
    expect(lint('SELECT 1;\n/* eslint test/stmt: ["warn"] */').map((m) => m.severity)).toEqual([1]);
    expect(lint('-- eslint test/stmt: 0\nSELECT 1')).toEqual([]);
  });

  test('a broken rule configuration comment is reported at the comment', () => {
    const messages = lint('SELECT 1;\n/* eslint test/stmt: [ */');
    expect(messages.map((m) => [m.ruleId, m.fatal ?? false, m.line, m.column])).toEqual([
      ['test/stmt', false, 1, 1],
      [null, true, 2, 1],
    ]);
    expect(messages[1]!.message).toMatch(/^Failed to parse JSON from/);
  });

  test('an eslint-disable-line spanning lines is a problem, not a directive', () => {
    const messages = lint('SELECT 1 /* eslint-disable-line\n test/stmt */;');
    expect(messages.map((m) => [m.ruleId, m.message, m.line, m.column])).toEqual([
      ['test/stmt', 'stmt', 1, 1],
      [null, 'eslint-disable-line comment should not span multiple lines.', 1, 10],
    ]);
  });

  test('comments that merely mention eslint are not directives', () => {
    expect(lint('-- eslintrc is gone; eslint-disabled stuff\nSELECT 1')).toHaveLength(1);
  });

  test('unused disable directives are reported (with a fix) when reportUnusedDisableDirectives is on', () => {
    const text = '-- eslint-disable-next-line test/other\nSELECT 1;\n/* eslint-disable test/stmt */\n';
    const messages = lint(text, { rules: { 'test/other': 'error' }, linterOptions: { reportUnusedDisableDirectives: 'error' } });
    expect(messages.map((m) => [m.ruleId, m.message, m.severity, m.line, m.column])).toEqual([
      [null, "Unused eslint-disable directive (no problems were reported from 'test/other').", 2, 1, 1],
      [null, "Unused eslint-disable directive (no problems were reported from 'test/stmt').", 2, 3, 1],
    ]);
    const fixed = new Linter({ configType: 'flat' }).verifyAndFix(
      text,
      config({ rules: { 'test/other': 'error' }, linterOptions: { reportUnusedDisableDirectives: 'error' } }),
      'file.sql',
    );
    expect(fixed.output).toBe(' \nSELECT 1;\n \n');
  });

  test('unused directives are silent when reportUnusedDisableDirectives is off', () => {
    const messages = lint('/* eslint-disable test/other */\nSELECT 1', {
      rules: { 'test/stmt': 'off', 'test/other': 'error' },
      linterOptions: { reportUnusedDisableDirectives: 'off' },
    });
    expect(messages).toEqual([]);
  });

  test('noInlineConfig turns directives into warnings and leaves reports alone', () => {
    const messages = lint('-- eslint-disable-next-line test/stmt\nSELECT 1', { linterOptions: { noInlineConfig: true } });
    expect(messages.map((m) => [m.ruleId, m.severity, m.line])).toEqual([
      [null, 1, 1],
      ['test/stmt', 2, 2],
    ]);
    expect(messages[0]!.message).toMatch(/^'-- eslint-disable-next-line test\/stmt' has no effect because you have 'noInlineConfig'/);
  });
});

describe('the source code and the language', () => {
  test('traversal enters and exits the document and each statement; child selectors match', () => {
    seen = { events: [] };
    lint('SELECT 1; SELECT 2', { rules: { 'test/spy': 'error' } });
    expect(seen.events).toEqual([
      'enter doc@0',
      'enter stmt@0',
      'child@0',
      'exit stmt@0',
      'enter stmt@10',
      'child@10',
      'exit stmt@10',
      'exit doc@0',
    ]);
  });

  test('the AST, comments, parents, text and lines', () => {
    seen = { events: [] };
    const text = '-- first\nSELECT 1 /* x */;\nDELETE FROM users';
    lint(text, { rules: { 'test/spy': 'error' } });
    const sourceCode = seen.sourceCode!;
    const ast: SqlDocument = sourceCode.ast;
    expect(ast).toMatchObject({ type: 'SqlDocument', range: [0, text.length], loc: { start: { line: 1, column: 0 }, end: { line: 3, column: 17 } } });
    expect(ast.statements.map((s: SqlStatement) => [Object.keys(s.node)[0], sourceCode.getText(s)])).toEqual([
      ['SelectStmt', 'SELECT 1'],
      ['DeleteStmt', 'DELETE FROM users'],
    ]);
    expect(sourceCode.comments.map((c) => [c.type, c.value, c.range, c.loc.start])).toEqual([
      ['Line', ' first', [0, 8], { line: 1, column: 0 }],
      ['Block', ' x ', [18, 25], { line: 2, column: 9 }],
    ]);
    expect(sourceCode.getParent(ast.statements[0]!)).toBe(ast);
    expect(sourceCode.getParent(ast)).toBeUndefined();
    expect(sourceCode.getAncestors(ast.statements[1]!)).toEqual([ast]);
    expect(sourceCode.lines).toEqual(['-- first', 'SELECT 1 /* x */;', 'DELETE FROM users']);
    expect(sourceCode.getLocFromIndex(text.indexOf('DELETE'))).toEqual({ line: 3, column: 0 });
    expect(sourceCode.getIndexFromLoc({ line: 2, column: 0 })).toBe(9);
    expect(sourceCode.getLoc(ast.statements[1]!)).toEqual({ start: { line: 3, column: 0 }, end: { line: 3, column: 17 } });
    expect(sourceCode.getRange(ast.statements[0]!)).toEqual([9, 17]);
    expect(sourceCode.parsed.statements).toHaveLength(2);
    expect(sourceCode.getInlineConfigNodes()).toEqual([]);
  });

  test('language options: JS options from configs without `files` are accepted and ignored; a non-object is not', () => {
    expect(() => sqlLanguage.validateLanguageOptions({})).not.toThrow();
    expect(lint('SELECT 1', { languageOptions: {} })).toHaveLength(1);
    const jsOptions = {
      parser: { meta: { name: 'some-parser' }, parseForESLint: () => ({}) },
      parserOptions: { projectService: true, ecmaFeatures: { jsx: true } },
      ecmaVersion: 2022,
      sourceType: 'module',
      globals: { window: 'readonly' },
    };
    expect(lint('SELECT 1', { languageOptions: jsOptions as never })).toHaveLength(1);
    expect(() => sqlLanguage.validateLanguageOptions([] as never)).toThrow(/Expected an object/);
  });

  test('JS core rules configured for every file do not crash on SQL: comments are offered like JS comments', () => {
    const messages = lint('-- a comment\nSELECT 1 /* x */', { rules: { 'test/stmt': 'error', 'no-irregular-whitespace': 'error', 'no-warning-comments': 'error' } });
    expect(messages.map((m) => m.ruleId)).toEqual(['test/stmt']);
  });

  test('the language declares its conventions', () => {
    expect(sqlLanguage).toMatchObject({
      fileType: 'text',
      lineStart: 1,
      columnStart: 0,
      nodeTypeKey: 'type',
      visitorKeys: { SqlDocument: ['statements'], SqlStatement: [] },
    });
  });
});

describe('through the ESLint class', () => {
  let cwd: string;
  beforeAll(() => {
    cwd = mkdtempSync(join(tmpdir(), 'soft-delete-sql-'));
    mkdirSync(join(cwd, 'db'));
    writeFileSync(join(cwd, 'db', 'one.sql'), 'SELECT 1;\nSELECT 2;\n');
    writeFileSync(join(cwd, 'db', 'notes.txt'), 'SELECT 1;\n');
  });
  afterAll(() => rmSync(cwd, { recursive: true, force: true }));

  function eslint() {
    return new ESLint({ cwd, overrideConfigFile: true, overrideConfig: config() });
  }

  test("files: ['**/*.sql'] matches lintText with a .sql filePath", async () => {
    const [result] = await eslint().lintText('SELECT 1;\n  SELEC x', { filePath: 'x.sql' });
    expect(result!.filePath).toBe(join(cwd, 'x.sql'));
    expect(result!.messages.map((m) => [m.fatal, m.message, m.line, m.column])).toEqual([
      [true, `Parsing error: syntax error at or near "SELEC"${NOT_POSTGRESQL_HINT}`, 2, 3],
    ]);
    const [ok] = await eslint().lintText('SELECT 1;\nSELECT 2', { filePath: 'x.sql' });
    expect(ok!.messages.map((m) => [m.ruleId, m.line])).toEqual([
      ['test/stmt', 1],
      ['test/stmt', 2],
    ]);
  });

  test('lintFiles picks up .sql files and only them', async () => {
    const results = await eslint().lintFiles(['.']);
    expect(results.map((r) => [r.filePath, r.errorCount])).toEqual([[join(cwd, 'db', 'one.sql'), 2]]);
  });
});

describe('RuleTester', () => {
  RuleTester.describe = describe;
  RuleTester.it = it;
  RuleTester.itOnly = it.only;
  const ruleTester = new RuleTester({ plugins: { test: plugin }, language: 'test/sql' });
  // Rule authors test SQL rules with ESLint's own RuleTester and the `test/sql` language.
  ruleTester.run('stmt', stmt, {
    valid: [{ code: '-- nothing to report', filename: 'x.sql' }],
    invalid: [
      {
        code: 'SELECT 1;\n  SELECT 2',
        filename: 'x.sql',
        errors: [
          { message: 'stmt', line: 1, column: 1, endLine: 1, endColumn: 9 },
          { message: 'stmt', line: 2, column: 3, endLine: 2, endColumn: 11 },
        ],
      },
    ],
  });
});
