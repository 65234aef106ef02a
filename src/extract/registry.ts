/**
 * The front ends, in one list: the engine asks each whether it applies to a file and collects what it extracts.
 * A new source of SQL is one more entry here; it never needs a new check.
 */
import { sqlFileFragment } from '../sql/sql-file.js';
import { drizzleFromScan } from './drizzle.js';
import { dynamoDbFromScan } from './dynamodb.js';
import type { ExtractContext, FrontEnd } from './frontend.js';
import { ormWritesFromScan } from './orm-writes.js';
import { prismaClientFromScan } from './prisma-client.js';
import { queryBuildersFromScan } from './query-builders.js';
import { extractSqlFromScan } from './typescript.js';

/** A `.sql` file (or SQL text linted with the plugin's SQL language): the text is the SQL. */
export const sqlText: FrontEnd = {
  id: 'sql-text',
  appliesTo: (context) => context.language === 'sql',
  extract: (file) => [sqlFileFragment(file.text)],
};

/** SQL in tagged templates and in the string arguments of query-running calls. */
export const sqlInCode: FrontEnd = {
  id: 'sql-in-code',
  appliesTo: (context) => context.language === 'program',
  extract: (file, context) =>
    file.scan
      ? extractSqlFromScan(file.scan, {
          tags: context.settings.tags,
          functions: context.settings.functions,
          // in a migration, DDL kept in arrays and constants is SQL too (the view the schema loader has)
          ddlStrings: context.isSchemaFile,
          ...(context.notUnderstood && !context.isSchemaFile ? { notUnderstood: context.notUnderstood } : {}),
        }).map((e) => e.fragment)
      : [],
};

/** knex, Objection and kysely read chains. */
export const queryBuilders: FrontEnd = {
  id: 'query-builders',
  appliesTo: (context) => context.language === 'program',
  extract: (file, context) =>
    file.scan
      ? queryBuildersFromScan(
          file.scan,
          context.filename,
          softDeleteColumns(context),
          context.schema.objectionModels,
          context.isSchemaFile ? undefined : context.notUnderstood,
        )
      : [],
};

/** Prisma client reads, against the project's Prisma models. */
export const prismaClient: FrontEnd = {
  id: 'prisma-client',
  appliesTo: (context) =>
    context.language === 'program' && context.settings.prismaClient && (context.schema.prismaModels?.size ?? 0) > 0,
  extract: (file, context) =>
    file.scan ? prismaClientFromScan(file.scan, context.schema.prismaModels, softDeleteColumns(context), context.filename, context.isSchemaFile ? undefined : context.notUnderstood) : [],
};

/** drizzle query-builder and relational reads, against the project's drizzle tables. */
export const drizzleOrm: FrontEnd = {
  id: 'drizzle',
  appliesTo: (context) =>
    context.language === 'program' && context.settings.drizzle && (context.schema.drizzleTables?.size ?? 0) > 0,
  extract: (file, context) =>
    file.scan ? drizzleFromScan(file.scan, context.schema.drizzleTables, context.isSchemaFile ? undefined : context.notUnderstood) : [],
};

/** TypeORM and Sequelize deletes (repositories, managers, `BaseEntity`, `Model.destroy`), against the project's entities. */
export const ormWrites: FrontEnd = {
  id: 'orm-writes',
  appliesTo: (context) => context.language === 'program' && (context.schema.ormEntities?.size ?? 0) > 0,
  extract: (file, context) => (file.scan ? ormWritesFromScan(file.scan, context.schema.ormEntities) : []),
};

/** DynamoDB reads and deletes (AWS SDK commands, paginators, DocumentClient), only when some DynamoDB table is soft-deletable. */
export const dynamoDb: FrontEnd = {
  id: 'dynamodb',
  appliesTo: (context) => context.language === 'program' && [...context.settings.dynamodb.tables.values()].some((t) => t !== false),
  extract: (file, context) =>
    file.scan
      ? dynamoDbFromScan(file.scan, context.settings.dynamodb.tables, context.filename, context.isSchemaFile ? undefined : context.notUnderstood, context.settings.dynamodb.environment)
      : [],
};

/** Column names that may carry the soft-delete state (settings and per-table declarations). */
function softDeleteColumns(context: ExtractContext): string[] {
  const columns = [...context.settings.columns];
  for (const table of context.settings.tables.values()) if (table && table.column) columns.push(table.column);
  return columns;
}

export const FRONT_ENDS: readonly FrontEnd[] = [sqlText, sqlInCode, queryBuilders, prismaClient, drizzleOrm, ormWrites, dynamoDb];
