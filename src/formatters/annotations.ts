/**
 * ESLint formatter: GitHub Actions workflow commands (annotations on the run and the pull request's diff).
 * `eslint -f ./node_modules/eslint-plugin-soft-delete/formatters/annotations.js .`
 */
import { toAnnotations } from '../review/annotations.js';
import type { LintResultLike } from '../review/findings.js';
import { formatterInput, type FormatterContext } from './context.js';

export default function annotationsFormatter(results: readonly LintResultLike[], context?: FormatterContext): string {
  const { findings, rule } = formatterInput(results, context);
  return toAnnotations(findings, { rule });
}
