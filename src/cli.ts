#!/usr/bin/env node
/**
 * soft-delete-review: lints the files a pull request changes and reports the soft-delete findings on its changed
 * lines, as text, JSON, or the body of a GitHub pull-request review. See docs/review-bot.md.
 */
import { existsSync, mkdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, isAbsolute, join, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import plugin from './index.js';
import { intersects, visibleRanges, type LineRange } from './review/diff.js';
import { changedLines, defaultBase, mergeBase, repositoryRoot, ReviewError } from './review/git.js';
import { findingsOf, lint, repoPath } from './review/lint.js';
import { isFatal, toGithubReview, toJson, toText, type Finding } from './review/report.js';
import { applyBaseline, readBaseline, toBaseline } from './review/baseline.js';
import { toSarif } from './review/sarif.js';
import { toRdjson } from './review/rdjson.js';
import { toAnnotations } from './review/annotations.js';
import { toCodeQuality } from './review/codequality.js';
import { HOMEPAGE, ruleDocs } from './package-info.js';
import { ESLint } from 'eslint';
import { findFlatConfig } from './review/lint.js';
import { explainSchema } from './analysis/explain.js';
import { coverageLine, startCoverage, stopCoverage } from './analysis/coverage.js';
import { loadSchema } from './schema/load.js';
import { describePullError, pullSchema, redactUrl } from './schema/pull.js';
import { normalizeSettings } from './settings.js';

export { parseUnifiedDiff, intersects, visibleRanges, type LineRange } from './review/diff.js';
export { suggestionReplacement, toGithubReview, toJson, toText, type Finding, type GithubReview } from './review/report.js';
export { ReviewError } from './review/git.js';

const FORMATS = ['text', 'json', 'github', 'sarif', 'rdjson', 'annotations', 'codequality'] as const;

const USAGE = `Usage: soft-delete-review [--base <git ref>] [--format <format>] [--config <file>] [--cwd <dir>] [--all]
                          [--baseline <file> | --write-baseline <file>] [paths...]

Lints the files changed since --base with ESLint and reports the soft-delete/* findings on the changed lines.
"soft-delete-review schema" prints what the plugin believes about the schema (see schema --help).

  --base <ref>     compare with the merge base of <ref> and HEAD (default: origin/HEAD if it exists, else HEAD~1);
                   uncommitted changes to tracked files count as changed
  --format <f>     text (default on a terminal), json (default otherwise), github (a pull-request review body),
                   sarif (code scanning), rdjson (reviewdog), annotations (GitHub Actions workflow commands),
                   codequality (GitLab code quality)
  --config <file>  ESLint flat config to use (default: the project's eslint.config.*, else the plugin's recommended)
  --cwd <dir>      the project directory (default: the current directory)
  --all            lint all the given paths (default: .) and report every finding, without git (not with --base)
  --baseline <f>   report only findings not recorded in this baseline file; list recorded ones no longer found
  --write-baseline <f>
                   record every finding of the given paths (default: .) in this file (implies --all)
  paths...         only these files or directories
  -h, --help       this text
  -v, --version    the version

Exit codes: 0 no problems, 1 problems found, 2 usage or runtime error.`;

export type Format = (typeof FORMATS)[number];

export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Whether stdout is a terminal (picks the default format). */
  isTTY: boolean;
  /** The directory --cwd is relative to. */
  cwd: string;
}

interface Args {
  base: string | undefined;
  format: Format;
  config: string | undefined;
  cwd: string;
  all: boolean;
  baseline: string | undefined;
  writeBaseline: string | undefined;
  paths: string[];
}

function parse(argv: string[], io: CliIo): Args | 'help' | 'version' {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        base: { type: 'string' },
        format: { type: 'string' },
        config: { type: 'string' },
        cwd: { type: 'string' },
        all: { type: 'boolean' },
        baseline: { type: 'string' },
        'write-baseline': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'v' },
      },
    });
  } catch (error) {
    throw new ReviewError(`${(error as Error).message.split(/\.( |$)/)[0]} (see --help)`);
  }
  const { values, positionals } = parsed;
  if (values.help) return 'help';
  if (values.version) return 'version';
  const format = values.format ?? (io.isTTY ? 'text' : 'json');
  if (!(FORMATS as readonly string[]).includes(format)) {
    throw new ReviewError(`unknown format '${format}': use ${FORMATS.slice(0, -1).join(', ')} or ${FORMATS.at(-1)}`);
  }
  const writeBaseline = values['write-baseline'];
  if (writeBaseline !== undefined && values.baseline !== undefined) throw new ReviewError('--baseline and --write-baseline exclude each other');
  const all = (values.all ?? false) || writeBaseline !== undefined;
  if (all && values.base !== undefined) throw new ReviewError(`${values.all ? '--all' : '--write-baseline'} and --base exclude each other`);
  const cwd = resolve(io.cwd, values.cwd ?? '.');
  if (!existsSync(cwd)) throw new ReviewError(`no such directory: ${values.cwd}`);
  return {
    base: values.base,
    format: format as Format,
    config: values.config,
    cwd: realpathSync(cwd),
    all,
    baseline: values.baseline,
    writeBaseline,
    paths: positionals,
  };
}

function under(file: string, dir: string): boolean {
  return file === dir || file.startsWith(dir.endsWith(sep) ? dir : dir + sep);
}

/** Runs a review; returns the exit code (0 no problems, 1 problems, 2 error). Never throws. */
export async function main(argv: string[], io: Partial<CliIo> = {}): Promise<number> {
  const out: CliIo = {
    stdout: io.stdout ?? ((text) => process.stdout.write(text)),
    stderr: io.stderr ?? ((text) => process.stderr.write(text)),
    isTTY: io.isTTY ?? Boolean(process.stdout.isTTY),
    cwd: io.cwd ?? process.cwd(),
  };
  try {
    if (argv[0] === 'schema') return await schemaCommand(argv.slice(1), out);
    const args = parse(argv, out);
    if (args === 'help') {
      out.stdout(`${USAGE}\n`);
      return 0;
    }
    if (args === 'version') {
      out.stdout(`${plugin.meta.version}\n`);
      return 0;
    }
    return await review(args, out);
  } catch (error) {
    const message = error instanceof ReviewError ? error.message : `unexpected error: ${(error as Error)?.message?.split('\n')[0] ?? String(error)}`;
    out.stderr(`soft-delete-review: ${message}\n`);
    if (!(error instanceof ReviewError) && process.env.SOFT_DELETE_DEBUG) out.stderr(`${(error as Error)?.stack ?? ''}\n`);
    return 2;
  }
}

async function review(args: Args, io: CliIo): Promise<number> {
  const { cwd } = args;
  const limits = args.paths.map((p) => resolve(cwd, p));
  for (const [i, limit] of limits.entries()) if (!existsSync(limit)) throw new ReviewError(`no such file or directory: ${args.paths[i]}`);
  const note = (line: string): void => io.stderr(`soft-delete-review: ${line}\n`);

  let root = cwd;
  let changed: Map<string, LineRange[]> | null = null;
  let targets: string[];
  if (args.all) {
    try {
      root = repositoryRoot(cwd);
    } catch {
      root = cwd; // --all works outside git; paths are then relative to --cwd
    }
    targets = args.paths.length > 0 ? limits : ['.'];
  } else {
    root = repositoryRoot(cwd);
    const base = args.base ?? defaultBase(root);
    changed = changedLines(root, mergeBase(root, base));
    targets = [...changed.entries()]
      .filter(([, ranges]) => ranges.length > 0)
      .map(([path]) => join(root, ...path.split('/')))
      .filter((file) => under(file, cwd) && existsSync(file) && (limits.length === 0 || limits.some((l) => under(file, realpathOr(l)))));
  }

  const baseline = args.baseline === undefined ? undefined : readBaseline(resolve(cwd, args.baseline), args.baseline);
  // what the checks saw, counted while linting: printed last, so a clean run says what "clean" covered
  const coverage = startCoverage();
  let outcome: Awaited<ReturnType<typeof lint>>;
  try {
    outcome = await lint({ cwd, config: args.config, targets, all: args.all, note });
  } finally {
    stopCoverage();
  }
  const { results, docsUrl, rule } = outcome;
  let findings: Finding[] = findingsOf(results, root, (file) => readFileSync(file, 'utf8'), { keep: (id) => id.startsWith('soft-delete/') });

  if (args.writeBaseline !== undefined) {
    const file = resolve(cwd, args.writeBaseline);
    const recorded = toBaseline(findings);
    try {
      writeFileSync(file, recorded);
    } catch (error) {
      throw new ReviewError(`cannot write baseline ${args.writeBaseline}: ${(error as Error).message.split('\n')[0]}`);
    }
    const count = findings.filter((f) => !isFatal(f)).length;
    note(`recorded ${count} finding(s) in ${args.writeBaseline}; run with --baseline ${args.writeBaseline} to report only new ones.`);
    findings = findings.filter(isFatal); // not recordable: their files were not checked
  } else if (baseline) {
    const linted = new Set(results.map((r) => repoPath(root, r.filePath)));
    const scopes = (limits.length > 0 ? limits : [cwd]).map((l) => repoPath(root, realpathOr(l)));
    const checked = (path: string): boolean =>
      linted.has(path) || (args.all && scopes.some((s) => s === '' || path === s || path.startsWith(`${s}/`)));
    const outcome = applyBaseline(findings, baseline, checked);
    findings = outcome.fresh;
    if (outcome.known > 0) note(`${outcome.known} finding(s) recorded in ${args.baseline} not reported.`);
    if (outcome.stale.length > 0) {
      note(`${outcome.stale.length} finding(s) recorded in ${args.baseline} no longer found (fixed, or their lines changed); refresh it with --write-baseline:`);
      for (const e of outcome.stale) note(`  ${e.path}:${e.line}  ${e.message}  (${e.ruleId})`);
    }
  }

  if (changed) {
    const lines = changed;
    findings = findings.filter((f) => {
      const ranges = lines.get(f.path) ?? [];
      return (
        isFatal(f) ||
        f.ruleId === SCHEMA_STATUS_RULE ||
        intersects(ranges, f.line, f.endLine) ||
        f.suggestions.some((s) => intersects(ranges, s.replacement.startLine, s.replacement.endLine))
      );
    });
  }

  const textOf = (path: string): string | undefined => {
    try {
      return readFileSync(join(root, ...path.split('/')), 'utf8');
    } catch {
      return undefined;
    }
  };
  const version = plugin.meta.version;
  switch (args.format) {
    case 'json':
      io.stdout(toJson(findings));
      break;
    case 'text':
      io.stdout(toText(findings));
      break;
    case 'github': {
      const visible = changed ? new Map([...changed].map(([path, ranges]) => [path, visibleRanges(ranges)])) : undefined;
      io.stdout(`${JSON.stringify(toGithubReview(findings, { docsUrl, ...(visible ? { visible } : {}) }), null, 2)}\n`);
      break;
    }
    case 'sarif':
      io.stdout(`${JSON.stringify(toSarif(findings, { toolName: 'soft-delete-review', toolVersion: version, informationUri: HOMEPAGE, rule, help: ruleDocs, root }), null, 2)}\n`);
      break;
    case 'rdjson':
      io.stdout(`${JSON.stringify(toRdjson(findings, { name: 'soft-delete-review', url: HOMEPAGE, rule, textOf }))}\n`);
      break;
    case 'annotations':
      io.stdout(toAnnotations(findings, { rule }));
      break;
    case 'codequality':
      io.stdout(`${JSON.stringify(toCodeQuality(findings), null, 2)}\n`);
      break;
  }
  note(`coverage: ${coverageLine(coverage)}`);
  return findings.length > 0 ? 1 : 0;
}

/** Its reports are about the whole project (no schema, nothing soft-deletable): shown whatever lines changed. */
const SCHEMA_STATUS_RULE = 'soft-delete/schema-status';

const SCHEMA_USAGE = `Usage: soft-delete-review schema [--cwd <dir>] [--config <file>]
       soft-delete-review schema pull [--database-url <url>] [--output <file>] [--cwd <dir>]

Prints what eslint-plugin-soft-delete believes about the schema: each soft-delete table with its active-row
predicate, each unique with its verdict, views and stream tables, the statements it could not read, and where each
fact came from (file:line). Settings come from the project's ESLint config (settings["soft-delete"]).

"schema pull" reads a live PostgreSQL database's schema from pg_catalog, in a read-only transaction, and writes it
as SQL (default: schema.sql, a conventional place) for the plugin to read like a pg_dump --schema-only. The URL is
--database-url, else DATABASE_URL. It needs the \`pg\` package (npm install --save-dev pg). Linting never connects.`;

/** \`soft-delete-review schema\`: the schema model explained. */
async function schemaCommand(argv: string[], io: CliIo): Promise<number> {
  if (argv[0] === 'pull') return pullCommand(argv.slice(1), io);
  let values;
  try {
    ({ values } = parseArgs({ args: argv, strict: true, options: { cwd: { type: 'string' }, config: { type: 'string' }, help: { type: 'boolean', short: 'h' } } }));
  } catch (error) {
    throw new ReviewError(`${(error as Error).message.split(/\.( |$)/)[0]} (see schema --help)`);
  }
  if (values.help) {
    io.stdout(`${SCHEMA_USAGE}\n`);
    return 0;
  }
  const cwd = resolve(io.cwd, values.cwd ?? '.');
  if (!existsSync(cwd)) throw new ReviewError(`no such directory: ${values.cwd}`);
  const configFile = values.config !== undefined ? resolve(cwd, values.config) : findFlatConfig(cwd);
  let settings: Record<string, unknown> = {};
  if (configFile) {
    try {
      const eslint = new ESLint({ cwd, overrideConfigFile: configFile });
      const config = (await eslint.calculateConfigForFile(join(cwd, '__soft_delete_schema__.js'))) as { settings?: Record<string, unknown> } | undefined;
      settings = config?.settings ?? {};
    } catch (error) {
      throw new ReviewError(`cannot read ESLint config ${configFile}: ${(error as Error).message.split('\n')[0]}`);
    }
  }
  const normalized = normalizeSettings(settings['soft-delete']);
  io.stdout(explainSchema(loadSchema(cwd, normalized), normalized, cwd));
  return 0;
}

/** \`soft-delete-review schema pull\`: a live database's schema into a snapshot file. */
async function pullCommand(argv: string[], io: CliIo): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      options: { 'database-url': { type: 'string' }, output: { type: 'string' }, cwd: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    }));
  } catch (error) {
    throw new ReviewError(`${(error as Error).message.split(/\.( |$)/)[0]} (see schema --help)`);
  }
  if (values.help) {
    io.stdout(`${SCHEMA_USAGE}\n`);
    return 0;
  }
  const url = values['database-url'] ?? process.env.DATABASE_URL;
  if (!url) throw new ReviewError('schema pull needs --database-url (or DATABASE_URL)');
  let protocol: string;
  try {
    protocol = new URL(url).protocol;
  } catch {
    protocol = '';
  }
  if (protocol !== 'postgres:' && protocol !== 'postgresql:') {
    throw new ReviewError(`--database-url must be a postgres:// or postgresql:// URL, got '${redactUrl(url)}'`);
  }
  const cwd = resolve(io.cwd, values.cwd ?? '.');
  if (!existsSync(cwd)) throw new ReviewError(`no such directory: ${values.cwd}`);
  const output = values.output ?? 'schema.sql';
  const { Client } = await loadPg(cwd);
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 30_000 });
  let pulled;
  try {
    await client.connect();
    pulled = await pullSchema(client);
  } catch (error) {
    throw new ReviewError(describePullError(error, url));
  } finally {
    await client.end().catch(() => undefined);
  }
  const header = `-- Schema of ${redactUrl(url)}, read from pg_catalog by soft-delete-review schema pull.\n-- eslint-plugin-soft-delete reads it like a pg_dump --schema-only. Pull again when the database changes.\n\n`;
  const file = resolve(cwd, output);
  try {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, header + pulled.sql);
  } catch (error) {
    throw new ReviewError(`cannot write ${output}: ${(error as Error).message.split('\n')[0]}`);
  }
  io.stdout(`wrote ${output}: ${pulled.tables} table(s), ${pulled.views} view(s) from ${redactUrl(url)}\n`);
  return 0;
}

interface PgClient {
  connect(): Promise<void>;
  end(): Promise<void>;
  query(text: string): Promise<{ rows: Array<Record<string, unknown>> }>;
}

/** node-postgres, from the project first, then from wherever this package can resolve it. */
async function loadPg(cwd: string): Promise<{ Client: new (config: { connectionString: string; connectionTimeoutMillis: number }) => PgClient }> {
  for (const base of [join(cwd, 'package.json'), import.meta.url]) {
    try {
      const path = createRequire(base).resolve('pg');
      const mod = (await import(pathToFileURL(path).href)) as { default?: { Client?: unknown }; Client?: unknown };
      const Client = mod.Client ?? mod.default?.Client;
      if (typeof Client === 'function') return { Client: Client as never };
    } catch {
      // try the next place
    }
  }
  throw new ReviewError('schema pull needs the `pg` package: npm install --save-dev pg');
}

function realpathOr(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

/** Whether this module is the process's entry point (`soft-delete-review`, `node dist/src/cli.js`). */
function isEntryPoint(): boolean {
  const entry = process.argv[1];
  if (!entry) return false;
  try {
    return realpathSync(isAbsolute(entry) ? entry : resolve(entry)) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isEntryPoint()) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    () => {
      process.exitCode = 2;
    },
  );
}
