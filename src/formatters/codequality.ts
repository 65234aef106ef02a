/**
 * ESLint formatter: a GitLab code-quality report.
 * `eslint -f ./node_modules/eslint-plugin-soft-delete/formatters/codequality.js -o gl-code-quality-report.json .`
 */
import { toCodeQuality } from '../review/codequality.js';
import type { LintResultLike } from '../review/findings.js';
import { formatterInput, type FormatterContext } from './context.js';

export default function codeQualityFormatter(results: readonly LintResultLike[], context?: FormatterContext): string {
  const { findings } = formatterInput(results, context);
  return `${JSON.stringify(toCodeQuality(findings), null, 2)}\n`;
}
