/**
 * The engine's front door: a file (TS/JS program or SQL text) becomes lowered statements, once per file, shared
 * by every rule that lints it. Rules then run checks on the statements and report findings.
 */
import type { TSESTree } from '@typescript-eslint/utils';
import { rethrowWhenStrict } from './strict.js';
import { claimWarning } from './warn-once.js';
import type { SqlFragment } from './sql/fragment.js';
import type { ExtractContext, NotUnderstoodCall, SourceFile } from './extract/frontend.js';
import { FRONT_ENDS } from './extract/registry.js';
import { emptyScan, mayHoldDatabaseAccess, scanProgram, type TraversalStep } from './js/program.js';
import { typeOracle } from './js/types.js';
import type { StatementModel } from './sql/lower.js';
import { lowerSource } from './sql/statement-cache.js';
import { PARTLY_TOO_DEEP, type SqlSyntaxError } from './sql/parser.js';
import { parseFragment } from './sql/source.js';
import { normalizeSettings, type SoftDeleteSettings } from './settings.js';
import { loadSchema, readScriptSqlWith, rollbackRanges, SCRIPT_FILE } from './schema/load.js';
import { migrationSql } from './extract/typescript.js';
import { mentionsSchemaBuilder, schemaBuilderDdl } from './schema/schema-builders.js';
import path from 'node:path';
import { isSchemaFileOf, type SchemaModel } from './schema/model.js';
import { ReadAnalyzer, type AnalysisContext } from './analysis/reads.js';
import { countFile } from './analysis/coverage.js';
import { withInfrastructureTables } from './schema/dynamodb-tables.js';

export interface FileAnalysis {
  statements: StatementModel[];
  /** SQL that was found but did not parse (reported only when a rule opts in). */
  parseErrors: Array<{ fragment: SqlFragment; error: SqlSyntaxError }>;
  /** Statements found but not analysed (nested too deeply): always reported, a blind spot is never silent. */
  unchecked: Array<{ fragment: SqlFragment; index: number; message: string }>;
  context: AnalysisContext;
  reads: ReadAnalyzer;
  /** Recognised database calls a front end could not read (their SQL is built at run time). */
  notUnderstood: NotUnderstoodCall[];
  /** The file is one of the schema sources (a migration or a dump). */
  isSchemaFile: boolean;
  /**
   * A migration: a schema source that is a script, sits under a `migrat…` folder or holds DDL. Reads in it are
   * backfills and data fixes that run against the schema *of that moment*, usually on purpose over every row.
   */
  isMigration: boolean;
}

/** What a rule needs from ESLint's context, whatever the language. */
export interface LintInput {
  cwd: string;
  settings: Record<string, unknown> | undefined;
  text: string;
  /** The file being linted (absolute, or relative to cwd). */
  filename: string;
  /** The program for JS/TS files; undefined for SQL files. */
  program?: TSESTree.Program;
  visitorKeys?: Record<string, readonly string[]>;
  /** ESLint's pre-order traversal of the program (`SourceCode#traverse()`), when the host made one. */
  traversal?: Iterable<TraversalStep>;
  /** The type checker's program under typed linting (`parserServices.program`), when present. */
  typeProgram?: unknown;
  /** ESTree node → TS node map of typed linting, when present. */
  esTreeNodeToTSNodeMap?: { get(node: object): unknown };
}

const cache = new WeakMap<object, FileAnalysis>();

// The schema loader reads TS/JS migrations through the SQL-in-code front end, which sits above it.
readScriptSqlWith(migrationSql);

function fragmentsOf(input: LintInput, context: ExtractContext): SqlFragment[] {
  const file: SourceFile = { text: input.text };
  if (input.program) {
    // one walk, shared by every front end; a file that cannot reach a database is not walked at all
    const worth = context.isSchemaFile || mayHoldDatabaseAccess(input.text);
    file.scan = worth ? scanProgram(input.program, input.text, input.visitorKeys, input.traversal) : emptyScan(input.program, input.text, input.visitorKeys);
    file.scan.filename = context.filename;
    // typed linting: the checker answers what bindings cannot (asked lazily, only about candidate call sites)
    if (worth && input.typeProgram) {
      const types = typeOracle(input.typeProgram, input.esTreeNodeToTSNodeMap);
      if (types) file.scan.types = types;
    }
  }
  const fragments: SqlFragment[] = [];
  for (const frontEnd of FRONT_ENDS) {
    if (!frontEnd.appliesTo(context)) continue;
    try {
      fragments.push(...frontEnd.extract(file, context));
    } catch (error) {
      // never crash ESLint on a shape we did not foresee
      rethrowWhenStrict(error);
    }
  }
  if (!context.isSchemaFile || !input.program) return fragments;
  // knex / kysely schema builders: the DDL the schema loader read from them, so the unique checks see it here too
  let all = fragments;
  if (mentionsSchemaBuilder(input.text)) {
    const built = schemaBuilderDdl(input.program, input.visitorKeys);
    // SQL pieces inside the builder's arguments (`defaultTo(sql\`now()\`)`) belong to the DDL written from them
    all = fragments.filter((f) => !built.covered.some(([start, end]) => f.toSource(0) >= start && f.toSource(0) < end));
    all.push(...built.fragments);
  }
  // the DDL written from this file's ORM models, so the unique checks see it here too
  all.push(...(context.schema.modelDdl?.get(context.filename) ?? []));
  // rollback code is not part of the history: the same view of the file the schema loader has
  const rollback = rollbackRanges(input.program);
  return all.filter((f) => !rollback.some(([start, end]) => f.toSource(0) >= start && f.toSource(0) < end));
}

export function lowerFragments(fragments: SqlFragment[]): Pick<FileAnalysis, 'statements' | 'parseErrors' | 'unchecked'> {
  const statements: StatementModel[] = [];
  const parseErrors: FileAnalysis['parseErrors'] = [];
  const unchecked: FileAnalysis['unchecked'] = [];
  for (const fragment of fragments) {
    const outcome = parseFragment(fragment);
    if (!outcome.ok) {
      // At an interpolation the parser names our placeholder (`$3`, `"__sd_ident_1"`): say what it stands for.
      const { error } = outcome;
      const message = fragment.opaque.has(error.index)
        ? error.message.replace(/at or near "(?:[^"]|"")*"/, 'at or near an interpolated value (`${…}`)')
        : error.message;
      parseErrors.push({ fragment, error: { ...error, message } });
      continue;
    }
    for (const { index, message } of outcome.source.parsed.skipped ?? []) unchecked.push({ fragment, index, message });
    // lowered once per text: a re-lint of unchanged SQL gets the same statements re-bound to this fragment
    for (const model of lowerSource(outcome.source)) {
      if (model) statements.push(model);
      if (model?.tooDeepAt !== undefined) unchecked.push({ fragment, index: model.tooDeepAt, message: PARTLY_TOO_DEEP });
    }
  }
  return { statements, parseErrors, unchecked };
}

let warnedMissing = new Set<string>();

function schemaFor(cwd: string, filename: string, settings: SoftDeleteSettings): SchemaModel {
  const schema = loadSchema(cwd, settings, filename);
  const missing = schema.files.length === 0 && settings.tables.size === 0;
  if (missing && !warnedMissing.has(cwd)) {
    warnedMissing.add(cwd);
    if (claimWarning(`no schema\0${cwd}`)) process.emitWarning(
      `eslint-plugin-soft-delete: no schema found under ${cwd} (looked in migrations/, db/, supabase/migrations/, ` +
        `prisma/migrations/, prisma/schema.prisma, drizzle/, src/db/schema.ts, schema.sql, structure.sql). No table is known to be soft-deletable, so SQL ` +
        `reads are not checked. Point settings["soft-delete"].schema at your migrations, or declare tables in ` +
        `settings["soft-delete"].tables.`,
      { code: 'SOFT_DELETE_NO_SCHEMA' },
    );
  }
  if (schema.problems.length > 0 && !warnedProblems.has(schema)) {
    warnedProblems.add(schema);
    const shown = schema.problems.slice(0, 5).map((p) => `\n  ${p.message}`).join('');
    const more = schema.problems.length > 5 ? `\n  … and ${schema.problems.length - 5} more` : '';
    if (claimWarning(`problems\0${cwd}\0${shown}${more}`)) process.emitWarning(
      `eslint-plugin-soft-delete: ${schema.problems.length} part(s) of the schema files could not be read; tables ` +
        `or columns defined there are unknown to the checks:${shown}${more}`,
      { code: 'SOFT_DELETE_SCHEMA_PROBLEMS' },
    );
  }
  return schema;
}

/** Schema models whose problems were already reported (a model is replaced when its files change). */
const warnedProblems = new WeakSet<SchemaModel>();

/** Test hook: forget which directories were already warned about. */
export function resetWarnings(): void {
  warnedMissing = new Set();
}

/**
 * Analyses one file, once: `key` is ESLint's SourceCode object, so every rule linting the same file shares it.
 * Never throws in production: an unexpected failure yields an empty analysis (see `rethrowWhenStrict`).
 */
export function analyzeFile(key: object, input: LintInput): FileAnalysis {
  const hit = cache.get(key);
  if (hit) return hit;
  // DynamoDB tables whose TTL attribute is a soft-delete column in CDK / CloudFormation / Terraform definitions
  const settings = withInfrastructureTables(normalizeSettings(input.settings?.['soft-delete']), input.cwd, path.resolve(input.cwd, input.filename));
  const schema = schemaFor(input.cwd, path.resolve(input.cwd, input.filename), settings);
  const context: AnalysisContext = { schema, settings };
  const filename = path.resolve(input.cwd, input.filename);
  const isSchemaFile = isSchemaFileOf(schema, filename);
  let lowered: Pick<FileAnalysis, 'statements' | 'parseErrors' | 'unchecked'> = { statements: [], parseErrors: [], unchecked: [] };
  const extractContext: ExtractContext = {
    settings,
    schema,
    isSchemaFile,
    filename,
    language: input.program ? 'program' : 'sql',
    notUnderstood: [],
    ...(input.typeProgram ? { typeProgram: input.typeProgram } : {}),
    ...(input.esTreeNodeToTSNodeMap ? { esTreeNodeToTSNodeMap: input.esTreeNodeToTSNodeMap } : {}),
  };
  try {
    lowered = lowerFragments(fragmentsOf(input, extractContext));
  } catch (error) {
    // never crash ESLint on a shape we did not foresee
    rethrowWhenStrict(error);
  }
  const isMigration =
    isSchemaFile &&
    !schema.modelFiles?.has(filename) &&
    (SCRIPT_FILE.test(filename) || /migrat/i.test(path.relative(input.cwd, filename)) || lowered.statements.some((s) => DDL_STATEMENTS.has(s.type)));
  const notUnderstood = extractContext.notUnderstood ?? [];
  const analysis: FileAnalysis = { ...lowered, notUnderstood, context, reads: new ReadAnalyzer(context), isSchemaFile, isMigration };
  cache.set(key, analysis);
  try {
    // only while a run counts (soft-delete-review); plain eslint runs skip this
    countFile({ ...analysis, filename, notUnderstood: (isSchemaFile ? 0 : lowered.parseErrors.length) + lowered.unchecked.length + notUnderstood.length }, context);
  } catch (error) {
    rethrowWhenStrict(error); // counting never fails a lint
  }
  return analysis;
}

const DDL_STATEMENTS = new Set([
  'CreateStmt', 'AlterTableStmt', 'IndexStmt', 'DropStmt', 'RenameStmt', 'ViewStmt', 'CreateTableAsStmt',
  'CreatePolicyStmt', 'CreateTrigStmt', 'CreateFunctionStmt', 'CreateSchemaStmt', 'CreateSeqStmt', 'AlterSeqStmt',
]);
