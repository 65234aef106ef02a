/**
 * Findings of a review run and their three renderings (text, JSON, a GitHub pull-request review). Pure.
 */
import { within, type LineRange } from './diff.js';
import { lineIndexOf, lineStarts } from '../sql/line-starts.js';

/** The new text of lines startLine..endLine (1-based, inclusive) of a file once a suggestion is applied. */
export interface Replacement {
  startLine: number;
  endLine: number;
  text: string;
}

export interface Finding {
  /** Relative to the repository root (or the working directory outside git), with `/` separators. */
  path: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  /** `null` for a file ESLint could not parse (a fatal message). */
  ruleId: string | null;
  /** ESLint's severity (absent: error). */
  severity?: 'error' | 'warning';
  message: string;
  suggestions: { desc: string; replacement: Replacement; edit?: TextEdit }[];
  /** Stable across line moves (see `fingerprintFile`): SARIF `partialFingerprints`, baselines, GitLab. */
  fingerprint?: string;
  /** Places that explain the finding (the migration that made its table soft-deletable): SARIF `relatedLocations`. */
  related?: { path: string; line: number; column: number; message: string }[];
}

/** One exact edit: replace line:column..endLine:endColumn (1-based, end exclusive, UTF-16 columns) with `text`. */
export interface TextEdit {
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  text: string;
}

/**
 * Applies one fix (`range` in the file's text, as ESLint reports it, and its replacement `text`) and returns the new
 * text of every line the fix touches: what a GitHub ```suggestion block for lines startLine..endLine must contain.
 * A fix that removes a line break joins the next line in; one that inserts line breaks returns more lines than it
 * replaces. The result has no trailing line break and `\n` line ends.
 */
export function suggestionReplacement(fileText: string, fix: { range: readonly [number, number]; text: string }): Replacement {
  const text = fileText.startsWith('\uFEFF') ? fileText.slice(1) : fileText;
  const starts = lineStarts(text);
  const lineCount = text.endsWith('\n') ? starts.length - 1 : starts.length;
  const [from, to] = [Math.min(fix.range[0], fix.range[1]), Math.max(fix.range[0], fix.range[1])];
  let startIndex = Math.min(lineIndexOf(starts, from), Math.max(0, lineCount - 1));
  let endIndex = lineIndexOf(starts, to);
  let trimFinalBreak = false;
  if (endIndex >= lineCount) {
    // The fix reaches the end of a file that ends with a line break: that break belongs to the last line.
    endIndex = Math.max(0, lineCount - 1);
    trimFinalBreak = true;
  }
  startIndex = Math.min(startIndex, endIndex);
  const lineStart = starts[startIndex]!;
  const next = starts[endIndex + 1];
  const lineEnd = next === undefined ? text.length : next - 1;
  let replaced = text.slice(lineStart, from) + fix.text + text.slice(Math.max(to, lineStart), Math.max(lineEnd, to));
  if (trimFinalBreak && replaced.endsWith('\n')) replaced = replaced.slice(0, -1);
  replaced = replaced.replace(/\r\n/g, '\n').replace(/\r$/, '');
  return { startLine: startIndex + 1, endLine: endIndex + 1, text: replaced };
}

export function isFatal(finding: Finding): boolean {
  return finding.ruleId === null;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** `N soft-delete problem(s) in M file(s)`. */
export function summaryLine(findings: readonly Finding[]): string {
  const files = new Set(findings.map((f) => f.path)).size;
  return `${findings.length} soft-delete problem(s) in ${files} file(s)`;
}

/** `path:line:col  message  (rule)`, grouped by file, then the summary line. */
export function toText(findings: readonly Finding[]): string {
  const byFile = new Map<string, Finding[]>();
  for (const f of findings) byFile.set(f.path, [...(byFile.get(f.path) ?? []), f]);
  const blocks = [...byFile.values()].map((group) =>
    group.map((f) => `${f.path}:${f.line}:${f.column}  ${f.message}  (${f.ruleId ?? 'parse error: file not checked'})`).join('\n'),
  );
  return `${[...blocks, summaryLine(findings)].join('\n\n')}\n`;
}

/** The JSON array printed by `--format json`. */
export function toJson(findings: readonly Finding[]): string {
  const plain = findings.map(({ path, line, column, endLine, endColumn, ruleId, message, suggestions, fingerprint }) => ({
    path,
    line,
    column,
    endLine,
    endColumn,
    ruleId,
    message,
    suggestions,
    ...(fingerprint ? { fingerprint } : {}),
  }));
  return `${JSON.stringify(plain, null, 2)}\n`;
}

export interface GithubComment {
  path: string;
  line: number;
  start_line?: number;
  start_side?: 'RIGHT';
  side: 'RIGHT';
  body: string;
}

export interface GithubReview {
  body: string;
  event: 'COMMENT';
  comments: GithubComment[];
}

export interface GithubOptions {
  /** The documentation URL of a rule (`meta.docs.url`). */
  docsUrl?: (ruleId: string) => string | undefined;
  /**
   * Per path, the lines GitHub shows in the pull request's diff (see `visibleRanges`). A comment must sit on them or
   * GitHub rejects the whole review; a finding that cannot is listed in the review body instead. Omit (with `--all`)
   * to place every comment.
   */
  visible?: ReadonlyMap<string, readonly LineRange[]>;
  /** First line of the review body. */
  title?: string;
}

/** A code fence longer than any run of backticks in `text`. */
function fenceFor(text: string): string {
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  return '`'.repeat(Math.max(3, longest + 1));
}

function ruleLink(ruleId: string, options: GithubOptions): string {
  const url = options.docsUrl?.(ruleId);
  return url ? `[${ruleId}](${url})` : `\`${ruleId}\``;
}

/**
 * The body of a GitHub "create a review" request (`POST /repos/{owner}/{repo}/pulls/{n}/reviews`): one comment per
 * finding, on its lines of the new version (`side: RIGHT`), with the rule's docs link and, when the finding has a
 * suggestion, a ```suggestion block holding the fixed text of exactly the commented lines. Files ESLint could not
 * parse are named in the body, not commented on.
 */
export function toGithubReview(findings: readonly Finding[], options: GithubOptions = {}): GithubReview {
  const comments: GithubComment[] = [];
  const unplaced: Finding[] = [];
  const fatal = findings.filter(isFatal);
  const canComment = (path: string, start: number, end: number): boolean => {
    if (!options.visible) return true;
    return within(options.visible.get(path) ?? [], start, end);
  };
  for (const f of findings) {
    if (isFatal(f)) continue;
    const ruleId = f.ruleId!;
    const suggestion = f.suggestions[0];
    let start: number;
    let end: number;
    let block = '';
    if (suggestion && canComment(f.path, suggestion.replacement.startLine, suggestion.replacement.endLine)) {
      ({ startLine: start, endLine: end } = suggestion.replacement);
      const fence = fenceFor(suggestion.replacement.text);
      block = `\n\n${suggestion.desc}\n\n${fence}suggestion\n${suggestion.replacement.text}\n${fence}`;
    } else if (canComment(f.path, f.line, f.endLine)) {
      [start, end] = [f.line, f.endLine];
      if (suggestion) block = `\n\nSuggestion: ${suggestion.desc}`;
    } else if (canComment(f.path, f.line, f.line)) {
      [start, end] = [f.line, f.line];
      if (suggestion) block = `\n\nSuggestion: ${suggestion.desc}`;
    } else {
      unplaced.push(f);
      continue;
    }
    const comment: GithubComment = { path: f.path, line: end, side: 'RIGHT', body: '' };
    if (start < end) Object.assign(comment, { start_line: start, start_side: 'RIGHT' });
    comment.body = `${f.message}${block}\n\n${ruleLink(ruleId, options)}`;
    comments.push(comment);
  }
  comments.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : a.line - b.line));

  const checked = findings.length - fatal.length;
  const lines = [options.title ?? '**soft-delete-review**'];
  lines.push(
    checked === 0
      ? fatal.length === 0
        ? 'No soft-delete problems in the changed lines.'
        : 'No soft-delete problems in the files that could be checked.'
      : `${plural(checked, 'soft-delete problem')} in ${plural(new Set(findings.filter((f) => !isFatal(f)).map((f) => f.path)).size, 'file')}.`,
  );
  if (unplaced.length > 0) {
    lines.push('', 'Outside the lines of this diff:');
    for (const f of unplaced) lines.push(`- \`${f.path}:${f.line}:${f.column}\` ${f.message} (${ruleLink(f.ruleId!, options)})`);
  }
  if (fatal.length > 0) {
    lines.push('', 'Not checked, because ESLint could not parse them:');
    for (const f of fatal) lines.push(`- \`${f.path}:${f.line}:${f.column}\` ${f.message}`);
  }
  return { body: lines.join('\n'), event: 'COMMENT', comments };
}
