/**
 * The schema model: what the project's migrations, dumps and settings say the database looks like at the end of
 * history. Every loader produces this; the checks read it.
 */
import type { RawNode } from '../sql/parser.js';

export type RelationKind = 'table' | 'view' | 'materialized-view' | 'stream-table';

export interface SourceOrigin {
  /** Absolute path of the file the definition came from ('' for settings). */
  file: string;
  /** String index of the definition inside that file, when known. */
  index?: number;
}

export interface UniqueInfo {
  /** Constraint or index name: explicit, or PostgreSQL's default (`users_email_key`, `users_email_idx`). */
  name: string;
  kind: 'constraint' | 'index';
  /** Key columns (lower-cased unless quoted); an expression key is kept as its SQL text. */
  columns: string[];
  /** The partial-index predicate as SQL text, or null for a full unique. */
  where: string | null;
  /**
   * The partial-index predicate node (libpg-query expression node), or null. Its `location`s are string indices
   * into `where` (it is the parse of that text), not into the file.
   */
  whereNode: RawNode | null;
  nullsNotDistinct: boolean;
  origin: SourceOrigin;
}

export interface RelationInfo {
  schema: string;
  name: string;
  kind: RelationKind;
  /** Column names in order, lower-cased unless quoted. Empty when unknown (a view defined by `SELECT *`). */
  columns: string[];
  uniques: UniqueInfo[];
  /**
   * For views, materialized views and stream tables: the defining query (a SelectStmt node) and its text. The
   * node's `location`s are string indices into `text`; `origin` (when known) is where `text` starts in its file.
   */
  query?: { node: RawNode; text: string; origin?: SourceOrigin };
  /** Primary-key columns, when declared. */
  primaryKey?: string[];
  /** Row-level security is enabled and some policy's USING predicate (SQL text) is recorded here. */
  rlsEnabled: boolean;
  /** `usingNode` locations are string indices into `using`. */
  policies: Array<{ name: string; using: string | null; usingNode: RawNode | null; origin?: SourceOrigin }>;
  origin: SourceOrigin;
  /**
   * Known only from ALTER TABLE / CREATE INDEX / CREATE POLICY statements (its CREATE TABLE was not seen, e.g.
   * it came from a query builder's createTable): `columns` lists only the columns those statements mention.
   */
  incomplete?: boolean;
}

export interface SchemaProblem {
  file: string;
  message: string;
}

export interface SchemaModel {
  /** Keyed by `schema.name` (both normalised). */
  relations: Map<string, RelationInfo>;
  /** Files read, in the order they were applied. */
  files: string[];
  /** Files or statements that could not be read or parsed; loading goes on past them. */
  problems: SchemaProblem[];
  /** Models of the project's Prisma schema (`schema.prisma`), by model name; absent when there is none. */
  prismaModels?: Map<string, PrismaModel>;
  /** Tables of the project's drizzle schema (`pgTable(…)`), by exported TS name; absent when there is none. */
  drizzleTables?: Map<string, DrizzleTable>;
}

/** A drizzle `pgTable` and how it maps to the database. */
export interface DrizzleTable {
  table: string;
  /** `pgSchema('s').table(…)`, when not public. */
  schema?: string;
  /** TS property → SQL column. */
  columns: Map<string, string>;
  /** `relations()` / `defineRelations()`: relation name → the related table. */
  relations?: Map<string, DrizzleRelation>;
  /** Where the table is defined. */
  file: string;
  index: number;
}

export interface DrizzleRelation {
  /** Exported TS name of the related table. */
  target: string;
  kind: 'one' | 'many';
  /** `fields` (v0) / `from` (v1): this table's properties. */
  fields?: string[];
  /** `references` (v0) / `to` (v1): the related table's properties. */
  references?: string[];
}

/** A `model` (or `view`) of a Prisma schema and how it maps to the database. */
export interface PrismaModel {
  name: string;
  /** `@@map("…")`, else the model name (case kept, as Prisma's migrations quote it). */
  table: string;
  /** `@@schema("…")`, when given. */
  schema?: string;
  kind: 'model' | 'view';
  /** By field name: scalar fields carry their column (`@map`); relation fields the related model. */
  fields: Map<string, PrismaField>;
  origin: SourceOrigin;
}

export interface PrismaField {
  /** The column (`@map("…")` or the field name); for a relation field, its field name. */
  column: string;
  /** The related model's name, for a relation field. */
  relation?: string;
  /** A list relation (`posts Post[]`). */
  list?: boolean;
  /** `@relation("name", …)`. */
  relationName?: string;
  /** `@relation(fields: [...])`: this model's scalar fields holding the foreign key. */
  fields?: string[];
  /** `@relation(references: [...])`: the related model's fields they reference. */
  references?: string[];
}

export function relationKey(schema: string, name: string): string {
  return `${schema}.${name}`;
}

export function emptySchema(): SchemaModel {
  return { relations: new Map(), files: [], problems: [] };
}

/** Looks a relation up by (optional) schema and name; an unqualified name searches `public` (the search path). */
export function findRelation(
  model: SchemaModel,
  schema: string | null,
  name: string,
  searchPath: readonly string[] = ['public'],
): RelationInfo | undefined {
  if (schema) return model.relations.get(relationKey(schema, name));
  for (const s of searchPath) {
    const hit = model.relations.get(relationKey(s, name));
    if (hit) return hit;
  }
  return undefined;
}
