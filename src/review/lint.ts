/**
 * Linting for a review: the real `ESLint` class with the project's flat config (or `--config`), else this
 * plugin's recommended config; only `soft-delete/*` messages and fatal parse errors are kept.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ESLint, type Linter } from 'eslint';
import plugin from '../index.js';
import { ReviewError } from './git.js';
import type { RuleInfo } from './sarif.js';

const CONFIG_NAMES = ['eslint.config.js', 'eslint.config.mjs', 'eslint.config.cjs', 'eslint.config.ts', 'eslint.config.mts', 'eslint.config.cts'];

/** The nearest flat config file in `cwd` or one of its parents. */
export function findFlatConfig(cwd: string): string | null {
  for (let dir = resolve(cwd); ; dir = dirname(dir)) {
    for (const name of CONFIG_NAMES) if (existsSync(join(dir, name))) return join(dir, name);
    if (dirname(dir) === dir) return null;
  }
}

/** `@typescript-eslint/parser`, resolved from the project first, then from this package; null when absent. */
async function typescriptParser(cwd: string): Promise<Linter.Parser | null> {
  for (const base of [join(cwd, 'package.json'), import.meta.url]) {
    try {
      const path = createRequire(base).resolve('@typescript-eslint/parser');
      const mod = (await import(pathToFileURL(path).href)) as { default?: Linter.Parser } & Linter.Parser;
      return mod.default ?? mod;
    } catch {
      // try the next place
    }
  }
  return null;
}

export interface LintOptions {
  cwd: string;
  /** `--config`, relative to cwd. */
  config?: string | undefined;
  /** Files (absolute) or, with `all`, patterns to lint. */
  targets: string[];
  all: boolean;
  /** Notes for stderr (e.g. no soft-delete rule enabled). */
  note: (line: string) => void;
}

export interface LintOutcome {
  results: ESLint.LintResult[];
  docsUrl: (ruleId: string) => string | undefined;
  /** A rule's description and documentation URL (from its meta). */
  rule: (ruleId: string) => RuleInfo;
}

interface RuleMetaLike {
  docs?: { description?: string; url?: string };
}

function oneLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n').map((l) => l.trim()).find((l) => l.length > 0) ?? 'unknown error';
}

async function createEslint(options: LintOptions): Promise<{ eslint: ESLint; configName: string }> {
  const { cwd } = options;
  if (options.config !== undefined) {
    const file = resolve(cwd, options.config);
    if (!existsSync(file)) throw new ReviewError(`cannot read ESLint config ${options.config}: no such file`);
    return { eslint: new ESLint({ cwd, overrideConfigFile: file, errorOnUnmatchedPattern: false, warnIgnored: false }), configName: options.config };
  }
  const found = findFlatConfig(cwd);
  if (found) {
    return { eslint: new ESLint({ cwd, errorOnUnmatchedPattern: false, warnIgnored: false }), configName: relative(cwd, found) || found };
  }
  const parser = await typescriptParser(cwd);
  if (!parser) options.note('@typescript-eslint/parser was not found: TypeScript files are not checked.');
  const overrideConfig: Linter.Config[] = [
    ...(parser ? [{ files: ['**/*.ts', '**/*.tsx', '**/*.mts', '**/*.cts'], languageOptions: { parser } }] : []),
    ...plugin.configs.recommended,
  ];
  return {
    eslint: new ESLint({ cwd, overrideConfigFile: true, overrideConfig, errorOnUnmatchedPattern: false, warnIgnored: false }),
    configName: 'the recommended config of eslint-plugin-soft-delete',
  };
}

/** Lints the targets. Config problems become ReviewErrors; a file that makes ESLint throw becomes a fatal message. */
export async function lint(options: LintOptions): Promise<LintOutcome> {
  let created: { eslint: ESLint; configName: string };
  try {
    created = await createEslint(options);
  } catch (error) {
    if (error instanceof ReviewError) throw error;
    throw new ReviewError(`cannot use the ESLint config: ${oneLine(error)}`);
  }
  const { eslint, configName } = created;
  try {
    // Loads (and validates) the config before any file is linted, so its errors are reported as such.
    await eslint.calculateConfigForFile(join(options.cwd, '__soft_delete_review__.ts'));
  } catch (error) {
    throw new ReviewError(`cannot read ESLint config ${configName}: ${oneLine(error)}`);
  }

  let results: ESLint.LintResult[] = [];
  if (options.targets.length > 0) {
    try {
      results = await eslint.lintFiles(options.targets);
    } catch (error) {
      if (options.all) throw new ReviewError(`ESLint failed: ${oneLine(error)}`);
      // One file made a rule or parser throw: lint one by one and report that file instead of failing the run.
      results = [];
      for (const file of options.targets) {
        try {
          results.push(...(await eslint.lintFiles([file])));
        } catch (fileError) {
          results.push(crashResult(file, fileError));
        }
      }
    }
  }

  // A project config that does not enable the plugin yields no findings: say so rather than pass silently.
  const linted = results.slice(0, 50);
  if (linted.length > 0) {
    let enabled = false;
    for (const r of linted) {
      const config = (await eslint.calculateConfigForFile(r.filePath).catch(() => undefined)) as { rules?: Record<string, unknown> } | undefined;
      if (Object.entries(config?.rules ?? {}).some(([id, level]) => id.startsWith('soft-delete/') && !isOff(level))) {
        enabled = true;
        break;
      }
    }
    if (!enabled) options.note(`${configName} enables no soft-delete/* rule for the linted files: nothing was checked.`);
  }

  const meta = eslint.getRulesMetaForResults(results);
  const own = (ruleId: string) => (plugin.rules as Record<string, { meta?: RuleMetaLike }>)[ruleId.replace(/^soft-delete\//, '')]?.meta;
  const rule = (ruleId: string): RuleInfo => ({
    description: meta[ruleId]?.docs?.description ?? own(ruleId)?.docs?.description,
    url: meta[ruleId]?.docs?.url ?? own(ruleId)?.docs?.url,
  });
  return { results, docsUrl: (ruleId) => rule(ruleId).url, rule };
}

function isOff(level: unknown): boolean {
  const severity = Array.isArray(level) ? level[0] : level;
  return severity === 0 || severity === 'off';
}

function crashResult(filePath: string, error: unknown): ESLint.LintResult {
  return {
    filePath,
    messages: [{ ruleId: null, fatal: true, severity: 2, line: 1, column: 1, message: `ESLint failed on this file: ${oneLine(error)}` }],
    suppressedMessages: [],
    errorCount: 1,
    fatalErrorCount: 1,
    warningCount: 0,
    fixableErrorCount: 0,
    fixableWarningCount: 0,
    usedDeprecatedRules: [],
  };
}

export { findingsOf, repoPath } from './findings.js';
