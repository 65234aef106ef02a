/**
 * ESLint's disable directives (`eslint-disable`, `eslint-enable`, `eslint-disable-line`,
 * `eslint-disable-next-line`) written as SQL comments: read by the `.sql` language, and by the rules for SQL inside
 * JS/TS templates and strings, where ESLint itself sees only a string and would never read them.
 */
import { ConfigCommentParser } from '@eslint/plugin-kit';

/** A comment whose text starts with one of ESLint's directive labels (`eslint`, `eslint-disable`, …). */
export const INLINE_CONFIG = /^\s*eslint(?:-enable|-disable(?:(?:-next)?-line)?)?(?:\s|$)/u;

export type DisableDirectiveType = 'disable' | 'enable' | 'disable-line' | 'disable-next-line';

export const DIRECTIVE_TYPES: ReadonlyMap<string, DisableDirectiveType> = new Map([
  ['eslint-disable', 'disable'],
  ['eslint-enable', 'enable'],
  ['eslint-disable-line', 'disable-line'],
  ['eslint-disable-next-line', 'disable-next-line'],
]);

export const commentParser = new ConfigCommentParser();

/** A position as ESLint reports it: 1-based line, 0-based column. */
export interface Position {
  line: number;
  column: number;
}

/** One directive read from an SQL comment inside a JS/TS file. */
export interface SqlCommentDirective {
  type: DisableDirectiveType;
  /** The rules it names (empty: every rule). */
  rules: string[];
  start: Position;
  end: Position;
}

/** The directive of an SQL comment's text (`-- …` or `/* … *\/`), or null when it is none. */
export function directiveOfComment(text: string, start: Position, end: Position): SqlCommentDirective | null {
  const value = text.startsWith('--') ? text.slice(2) : text.startsWith('/*') ? text.slice(2, text.endsWith('*/') ? -2 : undefined) : null;
  if (value === null || !INLINE_CONFIG.test(value)) return null;
  const parsed = commentParser.parseDirective(value);
  const type = parsed ? DIRECTIVE_TYPES.get(parsed.label) : undefined;
  if (!parsed || !type) return null;
  // as ESLint: a disable-line directive spanning lines is ambiguous, and ignored
  if (type === 'disable-line' && start.line !== end.line) return null;
  const rules = parsed.value
    .split(',')
    .map((r) => r.trim())
    .filter(Boolean);
  return { type, rules, start, end };
}

const before = (a: Position, b: Position): boolean => a.line < b.line || (a.line === b.line && a.column < b.column);

/**
 * Is a problem of `ruleId` at `at` disabled by these directives (in source order), with ESLint's semantics: a
 * `disable`/`enable` pair covers what lies between them (to the end of the file without `enable`), `disable-line`
 * its own line, `disable-next-line` the line after the comment's end.
 */
export function disabledBy(directives: readonly SqlCommentDirective[], ruleId: string, at: Position): boolean {
  const names = (d: SqlCommentDirective): boolean => d.rules.length === 0 || d.rules.includes(ruleId);
  let blocked = false;
  for (const d of directives) {
    if (!names(d)) continue;
    if (d.type === 'disable-line' && d.start.line === at.line) return true;
    if (d.type === 'disable-next-line' && d.end.line + 1 === at.line) return true;
    if ((d.type === 'disable' || d.type === 'enable') && before(d.start, at)) blocked = d.type === 'disable';
  }
  return blocked;
}
