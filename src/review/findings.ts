/**
 * From ESLint lint results to findings: exact positions, suggestions as edits and as line replacements, and a
 * fingerprint that survives line moves. Light on purpose (no ESLint, no parser): the `eslint -f` formatters use it.
 */
import { createHash } from 'node:crypto';
import { isAbsolute, relative, sep } from 'node:path';
import { suggestionReplacement, type Finding, type TextEdit } from './report.js';
import { LinedText } from './text.js';
import { relatedOf } from './related.js';

/** The parts of an `ESLint.LintResult` read here (so formatters need no ESLint types at run time). */
export interface LintResultLike {
  filePath: string;
  source?: string;
  /** The fixed text (with --fix), which the messages' positions refer to. */
  output?: string;
  messages: ReadonlyArray<{
    ruleId: string | null;
    fatal?: boolean;
    severity: number;
    line?: number;
    column?: number;
    endLine?: number | undefined;
    endColumn?: number | undefined;
    message: string;
    suggestions?: ReadonlyArray<{ desc: string; fix: { range: readonly [number, number]; text: string } }> | undefined;
  }>;
}

/** Whitespace runs collapsed to one space, ends trimmed: indentation and reflowing do not change a fingerprint. */
function normalise(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** The version tag of the fingerprint scheme: the `partialFingerprints` key in SARIF and the baseline's `scheme`. */
export const FINGERPRINT_KEY = 'softDeleteFinding/v1';

/**
 * A finding's fingerprint: a hash of its rule, its file, the flagged text and the text of its lines (whitespace
 * normalised), and how many findings with the same key come before it in the file. Line numbers are left out, so a
 * finding keeps its fingerprint when lines are added or removed above it; editing the flagged lines, renaming the
 * file or renaming the rule makes it a new finding. A fatal parse error is keyed by its message instead.
 */
function fingerprintKey(finding: Finding, text: LinedText | null): string {
  if (finding.ruleId === null || !text) return ['fatal', finding.path, normalise(finding.message)].join('\u0000');
  const start = text.offset(finding.line, finding.column);
  const end = text.offset(finding.endLine, finding.endColumn);
  const flagged = text.text.slice(Math.min(start, end), Math.max(start, end));
  const lines: string[] = [];
  for (let line = finding.line; line <= finding.endLine && lines.length < 50; line++) lines.push(text.line(line));
  return [finding.ruleId, finding.path, normalise(flagged), normalise(lines.join('\n'))].join('\u0000');
}

/** Sets `fingerprint` on each finding of one file (in document order, so repeats are numbered stably). */
export function fingerprintFile(findings: Finding[], text: LinedText | null): void {
  const seen = new Map<string, number>();
  const ordered = [...findings].sort((a, b) => a.line - b.line || a.column - b.column);
  for (const finding of ordered) {
    const key = fingerprintKey(finding, text);
    const occurrence = seen.get(key) ?? 0;
    seen.set(key, occurrence + 1);
    finding.fingerprint = createHash('sha256').update(`${key}\u0000${occurrence}`).digest('hex').slice(0, 32);
  }
}

/** A path relative to `root` with `/` separators. */
export function repoPath(root: string, file: string): string {
  return relative(root, file).split(sep).join('/');
}

export interface FindingsOptions {
  /** Which rules' messages to keep (fatal parse errors are always kept). Default: every rule. */
  keep?: (ruleId: string) => boolean;
}

/**
 * The findings (and fatal parse errors) of lint results, with each suggestion turned into an exact edit and into
 * the new text of the lines it touches, and each finding fingerprinted. `readText` gives a file's text when ESLint
 * did not return it. Sorted by path, line and column.
 */
export function findingsOf(
  results: readonly LintResultLike[],
  root: string,
  readText: (file: string) => string,
  options: FindingsOptions = {},
): Finding[] {
  const findings: Finding[] = [];
  for (const result of results) {
    const messages = result.messages.filter((m) => m.fatal || (m.ruleId !== null && (options.keep?.(m.ruleId) ?? true)));
    if (messages.length === 0) continue;
    let text: LinedText | null | undefined;
    const source = (): LinedText | null => {
      if (text === undefined) {
        try {
          text = new LinedText(result.source ?? result.output ?? readText(result.filePath));
        } catch {
          text = null; // unreadable: no edits, and fingerprints from the message
        }
      }
      return text;
    };
    const ofFile: Finding[] = [];
    for (const m of messages) {
      const line = m.line || 1;
      const column = m.column || 1;
      const lined = (m.suggestions ?? []).length > 0 ? source() : null;
      const related = m.ruleId === null ? undefined : relatedPlaces(relatedOf(result.filePath, line, column, m.ruleId), root, readText);
      ofFile.push({
        ...(related?.length ? { related } : {}),
        path: repoPath(root, result.filePath),
        line,
        column,
        endLine: m.endLine ?? line,
        endColumn: m.endColumn ?? column,
        ruleId: m.fatal ? null : m.ruleId,
        severity: m.severity === 1 ? 'warning' : 'error',
        message: m.message,
        suggestions: lined
          ? (m.suggestions ?? []).map((s) => ({ desc: s.desc, replacement: suggestionReplacement(lined.text, s.fix), edit: editOf(lined, s.fix) }))
          : [],
      });
    }
    fingerprintFile(ofFile, ofFile.some((f) => f.ruleId !== null) ? source() : null);
    findings.push(...ofFile);
  }
  return findings.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : a.line - b.line || a.column - b.column));
}

/** Recorded related places as positions in files under `root` (places outside it, or unreadable, are left out). */
function relatedPlaces(
  places: ReturnType<typeof relatedOf>,
  root: string,
  readText: (file: string) => string,
): NonNullable<Finding['related']> | undefined {
  if (!places) return undefined;
  const out: NonNullable<Finding['related']> = [];
  for (const place of places) {
    const path = repoPath(root, place.file);
    if (path.startsWith('../') || path === '..' || isAbsolute(path)) continue;
    try {
      const at = new LinedText(readText(place.file)).position(place.index);
      out.push({ path, line: at.line, column: at.column, message: place.message });
    } catch {
      // unreadable: left out
    }
  }
  return out;
}

function editOf(text: LinedText, fix: { range: readonly [number, number]; text: string }): TextEdit {
  const [from, to] = [Math.min(fix.range[0], fix.range[1]), Math.max(fix.range[0], fix.range[1])];
  const start = text.position(from);
  const end = text.position(to);
  return { line: start.line, column: start.column, endLine: end.line, endColumn: end.column, text: fix.text };
}
