/**
 * Coverage of a run: how much the checks saw. A clean run means something only next to these numbers — files
 * linted, SQL statements analysed, reads of soft-delete tables checked, database calls recognised but not
 * understood, and what the schema held. The engine adds each file (a file analysed again, as `--fix` passes do,
 * replaces its earlier counts); `soft-delete-review` and the `coverage` formatter print the sums.
 *
 * The tally lives on `globalThis` under a registered symbol, so that a project config loading its own copy of the
 * plugin (another module instance in the same process) still counts into the run the CLI reads.
 */
import type { Query, Scope, StatementModel, TableRef } from '../sql/lower.js';
import { OPAQUE_IDENT } from '../sql/placeholder.js';
import { findRelation, type SchemaModel } from '../schema/model.js';
import type { AnalysisContext, ReadAnalyzer } from './reads.js';
import { softDeleteRelations } from './schema-status.js';

export interface SchemaCoverage {
  files: number;
  softDeleteTables: number;
  problems: number;
}

export interface Coverage {
  files: number;
  statements: number;
  softDeleteReads: number;
  notUnderstood: number;
  /** Per schema model seen in the run (a monorepo's packages may each have one). */
  schemas: Map<SchemaModel, SchemaCoverage>;
  /** What each file (absolute path) added, so a file analysed again replaces its counts. */
  byFile: Map<string, { statements: number; softDeleteReads: number; notUnderstood: number }>;
}

const KEY = Symbol.for('eslint-plugin-soft-delete/coverage');

/** The tally of the current run, if one was started (plain `eslint` runs count nothing, and pay nothing). */
function tally(): Coverage | undefined {
  return (globalThis as unknown as Record<symbol, Coverage | undefined>)[KEY];
}

function emptyCoverage(): Coverage {
  return { files: 0, statements: 0, softDeleteReads: 0, notUnderstood: 0, schemas: new Map(), byFile: new Map() };
}

/** The tally of the current run, or undefined when none was started. */
export function coverageTally(): Coverage | undefined {
  return tally();
}

/**
 * Is the coverage formatter named on this command line (`-f …/formatters/coverage.js`, `--format=…`)? The plugin
 * asks as it loads, and keeps a tally only then: other runs pay nothing.
 */
export function coverageFormatterRequested(argv: readonly string[]): boolean {
  const named = (value: string | undefined): boolean => value !== undefined && /(?:^|[\\/])formatters[\\/]coverage(?:\.[cm]?js)?$/.test(value);
  return argv.some((arg, i) => ((arg === '-f' || arg === '--format') && named(argv[i + 1])) || (arg.startsWith('--format=') && named(arg.slice(9))));
}

/** Starts a tally unless one is running (the CLI's own, or an earlier copy of the plugin's). */
export function ensureCoverage(): void {
  if (!tally()) startCoverage();
}

/** Starts a new tally (the CLI, before linting) and returns it; it fills as files are analysed until `stopCoverage`. */
export function startCoverage(): Coverage {
  const fresh = emptyCoverage();
  (globalThis as unknown as Record<symbol, Coverage>)[KEY] = fresh;
  return fresh;
}

export function stopCoverage(): void {
  (globalThis as unknown as Record<symbol, Coverage | undefined>)[KEY] = undefined;
}

/** Calls `visit` for each table reference of a query, subqueries, CTEs and set branches included. */
export function forEachTableRef(query: Query, visit: (ref: TableRef, scope: Scope) => void): void {
  const walk = (q: Query): void => {
    for (const cte of q.ctes) walk(cte.query);
    if (q.kind === 'set') return q.branches.forEach(walk);
    if (q.kind === 'other') return q.subqueries.forEach(walk);
    for (const ref of q.scope.refs) {
      if (ref.kind === 'derived') walk(ref.query);
      else visit(ref, q.scope);
    }
    q.scope.subqueries.forEach(walk);
  };
  walk(query);
}

/** The references to soft-delete tables in a query, subqueries, CTEs and set branches included. */
export function softDeleteReads(query: Query, context: AnalysisContext, reads: ReadAnalyzer): number {
  let count = 0;
  forEachTableRef(query, (ref) => {
    const relation = findRelation(context.schema, ref.schema, ref.name, context.settings.searchPath);
    if (reads.requirementsOfRelation(ref.schema, ref.name, relation).length > 0) count++;
  });
  return count;
}

/** Table references whose name is an interpolated value (an opaque placeholder): what they read is unknown. */
export function hiddenTables(query: Query): Array<{ ref: TableRef; scope: Scope }> {
  const out: Array<{ ref: TableRef; scope: Scope }> = [];
  forEachTableRef(query, (ref, scope) => {
    if (OPAQUE_IDENT.test(ref.name) || (ref.schema !== null && OPAQUE_IDENT.test(ref.schema))) out.push({ ref, scope });
  });
  return out;
}

/** Adds one analysed file to the run's tally. */
export function countFile(
  file: { filename?: string; statements: StatementModel[]; notUnderstood: number; isMigration: boolean; reads: ReadAnalyzer },
  context: AnalysisContext,
): void {
  const coverage = tally();
  if (!coverage) return;
  const counts = { statements: file.statements.length, softDeleteReads: 0, notUnderstood: file.notUnderstood };
  if (!file.isMigration) {
    for (const statement of file.statements) {
      for (const query of statement.reads) {
        counts.softDeleteReads += softDeleteReads(query, context, file.reads);
        counts.notUnderstood += hiddenTables(query).length;
      }
    }
  }
  const previous = file.filename === undefined ? undefined : coverage.byFile.get(file.filename);
  if (previous) {
    coverage.files--;
    coverage.statements -= previous.statements;
    coverage.softDeleteReads -= previous.softDeleteReads;
    coverage.notUnderstood -= previous.notUnderstood;
  }
  if (file.filename !== undefined) coverage.byFile.set(file.filename, counts);
  coverage.files++;
  coverage.statements += counts.statements;
  coverage.softDeleteReads += counts.softDeleteReads;
  coverage.notUnderstood += counts.notUnderstood;
  if (!coverage.schemas.has(context.schema)) {
    const { schema, settings } = context;
    coverage.schemas.set(schema, { files: schema.files.length, softDeleteTables: softDeleteRelations(schema, settings).length, problems: schema.problems.length });
  }
}

/** The coverage line: `12 files linted, 30 SQL statements analysed, …`. */
export function coverageLine(coverage: Coverage): string {
  const schemas = [...coverage.schemas.values()];
  const sum = (pick: (s: SchemaCoverage) => number): number => schemas.reduce((n, s) => n + pick(s), 0);
  const files = sum((s) => s.files);
  const schema =
    files === 0 && sum((s) => s.softDeleteTables) === 0
      ? 'no schema found'
      : `schema: ${files} file(s)${schemas.length > 1 ? ` in ${schemas.length} places` : ''}, ${sum((s) => s.softDeleteTables)} soft-delete table(s)` +
        (sum((s) => s.problems) > 0 ? `, ${sum((s) => s.problems)} part(s) unreadable` : '');
  return (
    `${coverage.files} file(s) linted, ${coverage.statements} SQL statement(s) analysed, ${coverage.softDeleteReads} read(s) of ` +
    `soft-delete tables checked, ${coverage.notUnderstood} database call(s) not understood; ${schema}`
  );
}
