/**
 * No regular expression of the front ends (src/extract/ and the syntax layer src/js/, which read every host file's text, strings and templates)
 * can backtrack super-linearly: each one is analysed by recheck (a ReDoS checker; its automaton verdicts are
 * proofs, with no time limit), so the test decides on the expression, not on a clock. Expressions the automaton
 * cannot analyse (look-arounds, back-references) are not judged here. The ones the front ends used to have — `^\s*\\` with the `m` flag on blank lines, `ON[\s\S]*TO`, two
 * `\s*` in a row around an optional group, `(.*?\S)\s+as\s+`, nested comment alternatives — are checked first, so
 * a checker that stopped finding anything would fail here too.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { checkSync } from 'recheck';
import { describe, expect, it } from 'vitest';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const DIRECTORIES = ['src/extract', 'src/js'];

/** Deterministic: no time limit (the checker's own step limits decide), a fixed seed for the fuzzer. */
const OPTIONS = { timeout: null, randomSeed: 20261129 } as const;

function analyse(source: string, flags: string): string {
  const result = checkSync(source, flags, OPTIONS);
  // Only the automaton's verdicts are proofs; the fuzzer's (look-arounds, back-references) vary between runs.
  if (result.checker !== 'automaton') return 'linear';
  if (result.status === 'vulnerable') return `${result.complexity.type}${result.complexity.type === 'polynomial' ? ` (degree ${result.complexity.degree})` : ''}`;
  return result.status === 'safe' ? 'linear' : `unknown (${result.error.kind})`;
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
      'exponential',
    ]);
  }, 300_000);

  /**
   * Super-linear expressions that never see user text of any length, each with the reason (exact: an entry the
   * checker no longer flags must go).
   */
  const BOUNDED: Record<string, string> = {
    '^(.+)__(.+)$': 'src/js/types.ts: one directory name of a declaration file path (`@types/scope__name`), at most 255 characters',
  };

  it('every regex literal in the front ends', () => {
    const literals = DIRECTORIES.flatMap(regexLiterals);
    expect(literals.length).toBeGreaterThan(40);
    const superLinear = literals.map((r) => ({ ...r, complexity: analyse(r.source, r.flags) })).filter((r) => r.complexity !== 'linear');
    expect(superLinear.filter((r) => !(r.source in BOUNDED)).map((r) => `${r.where} /${r.source}/${r.flags}: ${r.complexity}`)).toEqual([]);
    expect(Object.keys(BOUNDED).filter((source) => !superLinear.some((r) => r.source === source))).toEqual([]);
  }, 900_000);
});
