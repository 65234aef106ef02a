/**
 * ESLint formatter: SARIF 2.1.0 (GitHub code scanning). `eslint -f ./node_modules/eslint-plugin-soft-delete/formatters/sarif.js`
 */
import { toSarif } from '../review/sarif.js';
import { ruleDocs } from '../package-info.js';
import type { LintResultLike } from '../review/findings.js';
import { formatterInput, type FormatterContext } from './context.js';

export default function sarifFormatter(results: readonly LintResultLike[], context?: FormatterContext): string {
  const { findings, root, rule } = formatterInput(results, context);
  return `${JSON.stringify(toSarif(findings, { toolName: 'ESLint', informationUri: 'https://eslint.org', rule, help: ruleDocs, root }), null, 2)}\n`;
}
