/**
 * ESLint formatter: reviewdog's rdjson, suggestions included.
 * `eslint -f ./node_modules/eslint-plugin-soft-delete/formatters/rdjson.js . | reviewdog -f=rdjson -reporter=github-pr-review`
 */
import { toRdjson } from '../review/rdjson.js';
import type { LintResultLike } from '../review/findings.js';
import { formatterInput, type FormatterContext } from './context.js';

export default function rdjsonFormatter(results: readonly LintResultLike[], context?: FormatterContext): string {
  const { findings, rule, textOf } = formatterInput(results, context);
  return `${JSON.stringify(toRdjson(findings, { name: 'eslint', url: 'https://eslint.org', rule, textOf }))}\n`;
}
