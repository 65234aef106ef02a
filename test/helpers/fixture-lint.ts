/**
 * Lints a fixture project's `src/` through the real ESLint class with the TS parser and `configs.recommended`, and
 * returns one sorted line per message (see `squiggleLines`).
 */
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { ESLint, type Linter } from 'eslint';
import tsParser from '@typescript-eslint/parser';
import plugin from '../../src/index.js';
import { clearSchemaCache } from '../../src/schema/load.js';

export async function lintFixtureSrc(project: string): Promise<string[]> {
  clearSchemaCache();
  const eslint = new ESLint({
    cwd: project,
    overrideConfigFile: true,
    overrideConfig: [{ files: ['**/*.ts'], languageOptions: { parser: tsParser } }, ...plugin.configs.recommended],
  });
  return squiggleLines(await eslint.lintFiles(['src']), project);
}

/**
 * One sorted line per message: `file:line label squiggled-text` (`…` for a squiggle over several lines); the label
 * is the message id unless `label` says otherwise.
 */
export function squiggleLines(results: ESLint.LintResult[], project: string, label: (m: Linter.LintMessage) => string = (m) => m.messageId ?? m.message): string[] {
  return results
    .flatMap((r) => {
      const lines = readFileSync(r.filePath, 'utf8').split('\n');
      return r.messages.map((m) => {
        const line = lines[m.line - 1] ?? '';
        const squiggle = m.endLine === m.line ? line.slice(m.column - 1, (m.endColumn ?? m.column) - 1) : '…';
        return `${relative(project, r.filePath)}:${m.line} ${label(m)} ${squiggle}`;
      });
    })
    .sort();
}

/**
 * Applies `rule`'s first suggestion to `text` (linted as `file`) and lints again, until no report of the rule has
 * one: the edited text, the suggestions applied (their descriptions, in order) and the reports left.
 */
export async function applySuggestions(eslint: ESLint, file: string, text: string, rule: string): Promise<{ text: string; applied: string[]; left: Linter.LintMessage[] }> {
  const applied: string[] = [];
  for (let round = 0; round < 10; round++) {
    const [result] = await eslint.lintText(text, { filePath: file });
    const reports = result!.messages.filter((m) => m.ruleId === rule);
    const next = reports.find((m) => m.suggestions?.length);
    if (!next) return { text, applied, left: reports };
    const fix = next.suggestions![0]!.fix;
    applied.push(next.suggestions![0]!.desc);
    text = text.slice(0, fix.range[0]) + fix.text + text.slice(fix.range[1]);
  }
  throw new Error(`suggestions for ${file} did not converge`);
}
