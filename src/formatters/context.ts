/**
 * What the `eslint -f` formatters share: ESLint's results and context turned into findings (every rule's messages,
 * paths relative to the repository root) and rule descriptions from the rules' meta.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { findingsOf, type LintResultLike } from '../review/findings.js';
import type { Finding } from '../review/report.js';
import type { RuleInfo } from '../review/sarif.js';

/** The parts of ESLint's formatter context read here. */
export interface FormatterContext {
  cwd?: string;
  rulesMeta?: Record<string, { docs?: { description?: string; url?: string } } | undefined>;
}

/** The nearest directory holding `.git` (a directory, or a file in a worktree), else `cwd`. */
export function repositoryRootOf(cwd: string): string {
  for (let dir = resolve(cwd); ; dir = dirname(dir)) {
    if (existsSync(join(dir, '.git'))) return dir;
    if (dirname(dir) === dir) return resolve(cwd);
  }
}

export interface FormatterInput {
  findings: Finding[];
  /** The directory paths are relative to. */
  root: string;
  rule: (ruleId: string) => RuleInfo;
  /** A file's text by its relative path, for byte columns (undefined when unreadable). */
  textOf: (path: string) => string | undefined;
}

export function formatterInput(results: readonly LintResultLike[], context: FormatterContext | undefined): FormatterInput {
  const root = repositoryRootOf(context?.cwd ?? process.cwd());
  const texts = new Map<string, string>();
  for (const r of results) if (r.source !== undefined) texts.set(resolve(r.filePath), r.source);
  const read = (file: string): string => texts.get(resolve(file)) ?? readFileSync(file, 'utf8');
  const findings = findingsOf(results, root, read);
  const rule = (ruleId: string): RuleInfo => {
    const docs = context?.rulesMeta?.[ruleId]?.docs;
    return { description: docs?.description, url: docs?.url };
  };
  const textOf = (path: string): string | undefined => {
    try {
      return read(join(root, ...path.split('/')));
    } catch {
      return undefined;
    }
  };
  return { findings, root, rule, textOf };
}
