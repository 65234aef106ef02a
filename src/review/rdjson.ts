/**
 * Findings in reviewdog's diagnostic format (rdjson), suggestions included. Pure.
 * Columns are 1-based UTF-8 byte offsets within the line, ranges end-exclusive, as reviewdog expects.
 */
import type { Finding, TextEdit } from './report.js';
import { LinedText, utf8Length } from './text.js';
import type { RuleInfo } from './sarif.js';

export interface RdjsonOptions {
  /** `source.name` (reviewdog's `-name` default). */
  name: string;
  url?: string;
  rule?: (ruleId: string) => RuleInfo | undefined;
  /** A file's text by its path, to count columns in UTF-8 bytes; without it columns are taken as they are. */
  textOf?: (path: string) => string | undefined;
}

type Json = Record<string, unknown>;

export function toRdjson(findings: readonly Finding[], options: RdjsonOptions): Json {
  const texts = new Map<string, LinedText | null>();
  const lined = (path: string): LinedText | null => {
    if (!texts.has(path)) {
      const text = options.textOf?.(path);
      texts.set(path, text === undefined ? null : new LinedText(text));
    }
    return texts.get(path)!;
  };
  const byteColumn = (path: string, line: number, column: number): number => {
    const text = lined(path);
    return text ? utf8Length(text.line(line).slice(0, column - 1)) + 1 : column;
  };
  const position = (path: string, line: number, column: number): Json => ({ line, column: byteColumn(path, line, column) });
  const range = (path: string, e: Pick<TextEdit, 'line' | 'column' | 'endLine' | 'endColumn'>): Json => ({
    start: position(path, e.line, e.column),
    end: position(path, e.endLine, e.endColumn),
  });

  const diagnostics = findings.map((f) => {
    const d: Json = {
      message: f.message,
      location: {
        path: f.path,
        range: f.ruleId === null ? { start: position(f.path, f.line, f.column) } : range(f.path, f),
      },
      severity: f.severity === 'warning' ? 'WARNING' : 'ERROR',
    };
    if (f.ruleId !== null) {
      const url = options.rule?.(f.ruleId)?.url;
      d.code = url ? { value: f.ruleId, url } : { value: f.ruleId };
    }
    const suggestions = f.suggestions.filter((s) => s.edit).map((s) => ({ range: range(f.path, s.edit!), text: s.edit!.text }));
    if (suggestions.length > 0) d.suggestions = suggestions;
    return d;
  });
  return { source: { name: options.name, ...(options.url ? { url: options.url } : {}) }, diagnostics };
}
