/**
 * No regular expression of the front ends (src/extract/ and the syntax layer src/js/, which read every host file's
 * text, strings and templates), of the SQL layer (src/sql/, which reads .sql files, migrations and query strings) or
 * of the schema readers (src/schema/, which read migrations, schema.prisma and ORM models at every lint start-up)
 * can backtrack super-linearly: each one is analysed by recheck (a ReDoS checker; its automaton verdicts are proofs,
 * with no time limit), so the test decides on the expression, not on a clock. An expression the automaton cannot
 * analyse (a look-around) fails the test as not judged: such expressions are written without one (each rewrite is
 * checked against the expression it replaced, below). The super-linear expressions these layers used to have —
 * `^\s*\\` with the `m` flag on blank lines (and `^[ \t\f\r]*\\` on carriage returns), `ON[\s\S]*TO`, two `\s*` in a
 * row around an optional group, `(.*?\S)\s+as\s+`, nested comment alternatives — are checked first, so a checker
 * that stopped finding anything would fail here too.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { checkSync } from 'recheck';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hasArticleA } from '../src/extract/looks-like-sql.js';
import { linesOf } from '../src/sql/sqltext.js';
import { prismaField } from '../src/schema/prisma.js';
import { mentionsSchemaBuilder } from '../src/schema/schema-builders.js';
import { looksLikeDrizzleSchema } from '../src/schema/drizzle.js';
import { snakeCase } from '../src/schema/orm-models.js';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const DIRECTORIES = ['src/extract', 'src/js', 'src/sql', 'src/schema'];

/**
 * Deterministic: no time limit (the checker's own step limits decide). Always the automaton, whose verdicts are
 * proofs (by default recheck hands a large alternation to its fuzzer, whose verdict proves nothing and varies), with
 * room for the largest expressions; an expression it cannot analyse (a look-around) comes back unknown.
 */
const OPTIONS = { timeout: null, randomSeed: 20261129, checker: 'automaton', maxNFASize: 1_000_000, maxPatternSize: 100_000 } as const;

function analyse(source: string, flags: string): string {
  const result = checkSync(source, flags, OPTIONS);
  if (result.status === 'unknown') return `not judged (${result.error.kind})`;
  if (result.status === 'vulnerable') return `${result.complexity.type}${result.complexity.type === 'polynomial' ? ` (degree ${result.complexity.degree})` : ''}`;
  return 'linear';
}

/** Every regex literal in the TypeScript files of a directory. */
function regexLiterals(directory: string): Array<{ where: string; source: string; flags: string }> {
  const found: Array<{ where: string; source: string; flags: string }> = [];
  for (const file of readdirSync(path.join(root, directory)).filter((f) => f.endsWith('.ts'))) {
    const text = readFileSync(path.join(root, directory, file), 'utf8');
    const sourceFile = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
    const visit = (node: ts.Node): void => {
      if (node.kind === ts.SyntaxKind.RegularExpressionLiteral) {
        const literal = node.getText(sourceFile);
        const slash = literal.lastIndexOf('/');
        const line = sourceFile.getLineAndCharacterOfPosition(node.getStart(sourceFile)).line + 1;
        found.push({ where: `${directory}/${file}:${line}`, source: literal.slice(1, slash), flags: literal.slice(slash + 1) });
      }
      ts.forEachChild(node, visit);
    };
    visit(sourceFile);
  }
  return found;
}

describe('regular expressions over user text backtrack linearly', () => {
  it('the checker finds the super-linear expressions the front ends once had', () => {
    const former: Array<[string, string]> = [
      ['^\\s*\\\\', 'm'],
      ['^[ \\t\\f\\r]*\\\\', 'm'],
      ['\\bON\\b[\\s\\S]*\\bTO\\b', 'i'],
      ['^\\s*[\\w$.]+\\s*(?::(\\w+)|([~^#]))?\\s*$', ''],
      ['^(.*?\\S)\\s+as\\s+(\\S.*)$', 'i'],
      ['^\\s*(?:--[^\\n]*\\n\\s*|\\/\\*[\\s\\S]*?\\*\\/\\s*)*(CREATE|ALTER|DROP|COMMENT\\s+ON)\\b', 'i'],
    ];
    expect(former.map(([source, flags]) => analyse(source, flags))).toEqual([
      'polynomial (degree 2)',
      'polynomial (degree 2)',
      'polynomial (degree 2)',
      'polynomial (degree 2)',
      'polynomial (degree 2)',
      'exponential',
    ]);
  }, 300_000);

  it('an expression with a look-around is not judged, and says so', () => {
    expect(analyse('\\ba\\s+(?!where\\b)[a-z]', 'i')).toBe('not judged (unsupported)');
  });

  it('the expressions rewritten without look-arounds answer as the ones they replaced', () => {
    const articleA =
      /\ba\s+(?!(?:where|join|inner|left|right|full|cross|natural|on|using|group|order|limit|offset|union|except|intersect|set|as|for|returning|having|window)\b)[a-z]/i;
    const words = fc.constantFrom('a', 'A', ' ', '\n', '\t', 'where', 'WHERE', 'wherever', 'as', 'ash', 'on', 'b', 'x1', '_', '.', '(', 'é');
    fc.assert(
      fc.property(fc.array(words, { maxLength: 10 }).map((w) => w.join('')), (text) => {
        expect(hasArticleA(text)).toBe(articleA.test(text));
      }),
      { numRuns: 5000, seed: 20261129 },
    );
    const lines = fc.constantFrom('a', '\n', '\r', ' ', '\t', '\f', '\r\n', '\\');
    fc.assert(
      fc.property(fc.array(lines, { maxLength: 12 }).map((w) => w.join('')), (text) => {
        expect(linesOf(text)).toEqual(text.split(/(?<=\n)/));
        expect(/^[ \t\f]*\\/m.test(text)).toBe(/^[ \t\f\r]*\\/m.test(text)); // the psql meta-command gate
      }),
      { numRuns: 5000, seed: 20261129 },
    );
  });

  it('the schema readers rewritten as scans answer as the expressions they replaced', () => {
    const text = (pieces: string[], maxLength = 14) => fc.array(fc.constantFrom(...pieces), { maxLength }).map((w) => w.join(''));
    // A Prisma field line: the scan yields what the groups of the old expression held.
    const field = /^([A-Za-z_]\w*)\s+([A-Za-z_][\w.]*(?:\([^)]*\))?)\s*(\[\])?\s*(\?)?\s*(.*)$/;
    fc.assert(
      fc.property(text(['a', 'Z', '_', '1', '.', ' ', '\t', '\r', '\u2028', '(', ')', '[', ']', '[]', '?', '@', 'x(a)', '"', 'é']), (line) => {
        const m = field.exec(line);
        expect(prismaField(line)).toEqual(m ? { name: m[1], type: m[2], list: m[3] === '[]', attributes: m[5] } : null);
      }),
      { numRuns: 20_000, seed: 20261130 },
    );
    // The knex `.schema … .method` gate.
    const schemaBuilder = (t: string) =>
      /\b(?:queryRunner|queryInterface)\s*\.\s*(?:createTable|addColumn|addIndex|createIndex|addConstraint|createUniqueConstraint|renameColumn|renameTable|dropTable|removeColumn|dropColumn)\b/.test(t) ||
      /\.schema\b[\s\S]*?\.\s*(?:createTable|alterTable|table|dropTable|dropTableIfExists|renameTable|createIndex|dropIndex|withSchema|createTableIfNotExists)\b/.test(t);
    fc.assert(
      fc.property(text(['.schema', '.schemas', 'schema', '.', ' ', '\n', 'table', 'tables', 'createTable', 'withSchema', 'x', 'queryInterface', '.addColumn']), (t) => {
        expect(mentionsSchemaBuilder(t)).toBe(schemaBuilder(t));
      }),
      { numRuns: 20_000, seed: 20261130 },
    );
    // The drizzle schema gate.
    const drizzle = (t: string) => /\bpgTable\s*(?:<[^>]*>\s*)?\(|\.table\s*\(|\b(?:defineRelations|relations)\s*\(/.test(t) && /drizzle-orm/.test(t);
    fc.assert(
      fc.property(text(['pgTable', 'xpgTable', '<', '>', '(', ' ', '\n', 'T', '.table', 'relations', 'drizzle-orm', ',']).map((t) => `${t} drizzle-orm`), (t) => {
        expect(looksLikeDrizzleSchema(t)).toBe(drizzle(t));
      }),
      { numRuns: 20_000, seed: 20261130 },
    );
    // TypeORM/MikroORM naming.
    const snake = (n: string) => n.replace(/([a-z\d])([A-Z])/g, '$1_$2').replace(/([A-Z]+)([A-Z][a-z\d]+)/g, '$1_$2').toLowerCase();
    fc.assert(
      fc.property(text(['A', 'B', 'a', 'b', '1', '_', 'HTTP', 'Id', 'É', 'é']), (n) => {
        expect(snakeCase(n)).toBe(snake(n));
      }),
      { numRuns: 20_000, seed: 20261130 },
    );
  });

  /**
   * Super-linear expressions that never see user text of any length, each with the reason (exact: an entry the
   * checker no longer flags must go).
   */
  const BOUNDED: Record<string, string> = {
    '^(.+)__(.+)$': 'src/js/types.ts: one directory name of a declaration file path (`@types/scope__name`), at most 255 characters',
    '^U\\d[\\w.]*__.*\\.sql$': 'src/schema/load.ts: the base name of one migration file (Flyway undo scripts), at most 255 characters',
  };

  it('every regex literal in the front ends', () => {
    const literals = DIRECTORIES.flatMap(regexLiterals);
    expect(literals.length).toBeGreaterThan(40);
    const superLinear = literals.map((r) => ({ ...r, complexity: analyse(r.source, r.flags) })).filter((r) => r.complexity !== 'linear');
    expect(superLinear.filter((r) => !(r.source in BOUNDED)).map((r) => `${r.where} /${r.source}/${r.flags}: ${r.complexity}`)).toEqual([]);
    expect(Object.keys(BOUNDED).filter((source) => !superLinear.some((r) => r.source === source))).toEqual([]);
  }, 900_000);
});
