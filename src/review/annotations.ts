/**
 * Findings as GitHub Actions workflow commands (`::error file=…,line=…::message`), which GitHub shows as annotations
 * on the run and on the pull request's diff. Pure.
 */
import type { Finding } from './report.js';
import type { RuleInfo } from './sarif.js';

/** Escapes a command's message: `%`, CR and LF. */
export function escapeData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** Escapes a command property's value: as a message, plus `:` and `,`. */
export function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

export interface AnnotationOptions {
  rule?: (ruleId: string) => RuleInfo | undefined;
}

/**
 * One `::error`/`::warning` line per finding. Columns are given only for a finding on one line (GitHub ignores them
 * across lines). The message carries the first suggestion's description and the rule's documentation URL.
 */
export function toAnnotations(findings: readonly Finding[], options: AnnotationOptions = {}): string {
  const lines = findings.map((f) => {
    const properties: Array<[string, string | number]> = [
      ['file', f.path],
      ['line', f.line],
      ['endLine', f.ruleId === null ? f.line : f.endLine],
    ];
    if (f.ruleId !== null && f.line === f.endLine) properties.push(['col', f.column], ['endColumn', f.endColumn]);
    properties.push(['title', f.ruleId ?? 'parse error: file not checked']);
    const parts = [f.message];
    if (f.suggestions[0]) parts.push(`Suggestion: ${f.suggestions[0].desc}`);
    const url = f.ruleId === null ? undefined : options.rule?.(f.ruleId)?.url;
    if (url) parts.push(url);
    const command = f.severity === 'warning' ? 'warning' : 'error';
    return `::${command} ${properties.map(([k, v]) => `${k}=${escapeProperty(String(v))}`).join(',')}::${escapeData(parts.join('\n\n'))}`;
  });
  return lines.length > 0 ? `${lines.join('\n')}\n` : '';
}
