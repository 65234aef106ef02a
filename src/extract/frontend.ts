/**
 * The front-end contract. A front end turns one source of SQL in a file (SQL text, strings and templates in code,
 * a query builder, an ORM client) into SQL fragments; the engine lowers every fragment into the one statement
 * model and the checks never ask where SQL came from.
 *
 * Front ends read the file through the one walk (`ProgramScan`), never walk the tree themselves, and depend on
 * the ORM maps of the schema model (Prisma models, drizzle tables), not on the schema loader.
 */
import type { SqlFragment } from '../sql/fragment.js';
import type { SchemaModel } from '../schema/model.js';
import type { SoftDeleteSettings } from '../settings.js';
import type { ProgramScan } from '../js/program.js';

/** What a front end may know about the file it extracts from. */
export interface ExtractContext {
  settings: SoftDeleteSettings;
  schema: SchemaModel;
  /** The file is one of the schema sources (a migration, a dump). */
  isSchemaFile: boolean;
  /** Absolute path of the file. */
  filename: string;
  /** 'sql' for SQL text (a `.sql` file), 'program' for a JS/TS file. */
  language: 'sql' | 'program';
  /** The type checker's program under typed linting (`parserServices.program`), when present. */
  typeProgram?: unknown;
  /** ESTree node → TS node map of typed linting, when present. */
  esTreeNodeToTSNodeMap?: { get(node: object): unknown };
  /** Where front ends note recognised database calls they could not read (no-unchecked-query reports them). */
  notUnderstood?: NotUnderstoodCall[];
}

/** A recognised database call a front end could not read: its source range and why. */
export interface NotUnderstoodCall {
  start: number;
  end: number;
  /** The call as written (`pool.query`). */
  callee: string;
  reason: string;
  /** A query builder used or run here that the plugin cannot follow (not a call whose SQL it cannot read). */
  builder?: true;
  /** The database API the call belongs to when it is not SQL (`DynamoDB`): messages then say so. */
  api?: string;
  /** The call writes (a delete the plugin cannot see), rather than reads. */
  write?: true;
}

/** The file as a front end sees it. */
export interface SourceFile {
  text: string;
  /** The one walk of a JS/TS file (undefined for SQL text). */
  scan?: ProgramScan;
}

export interface FrontEnd {
  /** A short stable name (for debugging and tests). */
  readonly id: string;
  /** Does this front end have anything to do for files under this context (language, settings, schema)? */
  appliesTo(context: ExtractContext): boolean;
  /** The SQL fragments of the file. Never throws: a piece that fails is skipped. */
  extract(file: SourceFile, context: ExtractContext): SqlFragment[];
}
