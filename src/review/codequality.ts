/**
 * Findings as a GitLab code-quality report (the `codequality` artifact shown in merge requests). Pure.
 */
import { createHash } from 'node:crypto';
import type { Finding } from './report.js';
import { PARSE_ERROR_RULE } from './sarif.js';

export function toCodeQuality(findings: readonly Finding[]): Array<Record<string, unknown>> {
  return findings.map((f) => ({
    description: f.message,
    check_name: f.ruleId ?? PARSE_ERROR_RULE,
    fingerprint: f.fingerprint ?? createHash('sha256').update(`${f.path}\u0000${f.line}\u0000${f.ruleId}\u0000${f.message}`).digest('hex').slice(0, 32),
    severity: f.ruleId === null || f.severity !== 'warning' ? 'major' : 'minor',
    location: { path: f.path, lines: { begin: f.line, end: f.endLine } },
  }));
}
