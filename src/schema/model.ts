/**
 * The schema model: what the project's migrations, dumps and settings say the database looks like at the end of
 * history. Every loader produces this; the checks read it.
 */
import type { Predicate } from '../sql/predicate.js';
import type { SqlFragment } from '../sql/fragment.js';

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
  /** The partial-index predicate, lowered (locations are string indices into `where`), or null. */
  wherePredicate: Predicate | null;
  nullsNotDistinct: boolean;
  origin: SourceOrigin;
}

export interface RelationInfo {
  schema: string;
  name: string;
  kind: RelationKind;
  /** Column names in order, lower-cased unless quoted. Empty when unknown (a view defined by `SELECT *`). */
  columns: string[];
  /**
   * For tables built from DDL: where each column was last added (its CREATE TABLE or ALTER TABLE … ADD COLUMN), so
   * an edit can tell whether a column exists at an earlier point of the migration history.
   */
  columnOrigins?: Map<string, SourceOrigin>;
  uniques: UniqueInfo[];
  /**
   * For views, materialized views and stream tables: the defining query's text, where it starts in its file
   * (when known), and the relations it reads (for DROP … CASCADE).
   */
  query?: { text: string; origin?: SourceOrigin; reads: Array<{ schema: string | null; name: string }> };
  /**
   * Where the relation's current definition was written (the CREATE / CREATE OR REPLACE / alter_stream_table
   * statement that last set its query). A definition elsewhere is history.
   */
  definedAt?: SourceOrigin;
  /** Primary-key columns, when declared. */
  primaryKey?: string[];
  /** Columns declared `NOT NULL` (or primary key): such a column cannot mark deleted rows by being set. */
  notNull?: string[];
  /** Row-level security is enabled and some policy's USING predicate (SQL text) is recorded here. */
  rlsEnabled: boolean;
  /** `FORCE ROW LEVEL SECURITY`: the table's owner is subject to its policies too. */
  rlsForced?: boolean;
  policies: PolicyInfo[];
  /** Foreign keys declared on this table (it is the child). */
  foreignKeys?: ForeignKeyInfo[];
  /** Triggers on this table. */
  triggers?: TriggerInfo[];
  /** Indexes that are not unique (unique ones are in `uniques`). */
  indexes?: IndexInfo[];
  /**
   * Soft-delete columns an ORM model declares for this table (TypeORM `@DeleteDateColumn`, Sequelize `paranoid`,
   * objection-soft-delete's mixin): markers even when their names are not among the configured `columns`.
   */
  markers?: DeclaredMarker[];
  origin: SourceOrigin;
  /**
   * Known only from ALTER TABLE / CREATE INDEX / CREATE POLICY statements (its CREATE TABLE was not seen, e.g.
   * it came from a query builder's createTable): `columns` lists only the columns those statements mention.
   */
  incomplete?: boolean;
}

export interface DeclaredMarker {
  column: string;
  /** A boolean flag (active rows: `NOT col`), else a timestamp (active rows: `col IS NULL`). */
  flag: boolean;
  /** Who declares it, in words (`@DeleteDateColumn of User`). */
  by: string;
  origin: SourceOrigin;
}

export interface PolicyInfo {
  name: string;
  using: string | null;
  /** `FOR ALL | SELECT | INSERT | UPDATE | DELETE`. */
  command?: 'all' | 'select' | 'insert' | 'update' | 'delete';
  /** PERMISSIVE (default) or RESTRICTIVE. */
  permissive?: boolean;
  origin?: SourceOrigin;
}

export interface ForeignKeyInfo {
  name: string | null;
  columns: string[];
  references: { schema: string; name: string };
  refColumns: string[];
  onDelete: 'no-action' | 'restrict' | 'cascade' | 'set-null' | 'set-default';
  origin: SourceOrigin;
}

export interface TriggerInfo {
  name: string;
  timing: 'before' | 'after' | 'instead';
  events: Array<'insert' | 'update' | 'delete' | 'truncate'>;
  updateColumns: string[];
  forEachRow: boolean;
  when: string | null;
  function: { schema: string | null; name: string };
  origin: SourceOrigin;
}

export interface IndexInfo {
  name: string | null;
  columns: string[];
  where: string | null;
  origin: SourceOrigin;
}

export interface FunctionInfo {
  schema: string;
  name: string;
  language: string;
  body: string | null;
  origin: SourceOrigin;
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
  /** Functions created by the DDL (trigger functions), keyed by `schema.name`. */
  functions?: Map<string, FunctionInfo>;
  /** ORM model files (entities, Sequelize models) among `files`: schema sources, but not migrations. */
  modelFiles?: Set<string>;
  /** The DDL written from each ORM model file (mapped to its code), so the lint path checks its uniques too. */
  modelDdl?: Map<string, SqlFragment[]>;
  /** Models of the project's Prisma schema (`schema.prisma`), by model name; absent when there is none. */
  prismaModels?: Map<string, PrismaModel>;
  /** Tables of the project's drizzle schema (`pgTable(…)`), by exported TS name; absent when there is none. */
  drizzleTables?: Map<string, DrizzleTable>;
  /** TypeORM entities and Sequelize models, by class (or model) name; absent when there is none. */
  ormEntities?: Map<string, OrmEntity>;
  /** Objection models that mix in objection-soft-delete, by class name; absent when there is none. */
  objectionModels?: Map<string, ObjectionSoftDeleteModel>;
}

/** A TypeORM entity or a Sequelize model and how it maps to the database (for the ORM write front end). */
export interface OrmEntity {
  dialect: 'typeorm' | 'mikro-orm' | 'sequelize';
  table: string;
  schema?: string;
  /** Property → column. */
  columns: Record<string, string>;
  /** Primary-key columns. */
  primaryKey: string[];
  /** Sequelize `paranoid`: `destroy()` without `force` sets `deletedAt` instead of deleting. */
  paranoid: boolean;
  /** TypeORM: the `@DeleteDateColumn`'s column (`softDelete` / `softRemove` need one). */
  deleteDateColumn?: string;
}

/** An Objection model with objection-soft-delete's options (values as SQL literals; null: a run-time value). */
export interface ObjectionSoftDeleteModel {
  table: string;
  column: string;
  deletedValue: string | null;
  notDeletedValue: string | null;
}

/** A drizzle `pgTable` and how it maps to the database. */
export interface DrizzleTable {
  table: string;
  /** `pgSchema('s').table(…)`, when not public. */
  schema?: string;
  /** TS property → SQL column. */
  columns: Map<string, string>;
  /** TS properties declared a key on their own (`.primaryKey()` / `.unique()` on the column): one row per value. */
  keys?: Set<string>;
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
  /** Declared by `relations()` (a relational `where` is a callback) or `defineRelations()` (an object). */
  api?: 'relations' | 'defineRelations';
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

/** Is `file` (absolute) one of the files the model was read from? (A set per model: asked once per linted file.) */
export function isSchemaFileOf(model: SchemaModel, file: string): boolean {
  let files = schemaFileSets.get(model);
  if (!files || files.size !== model.files.length) schemaFileSets.set(model, (files = new Set(model.files)));
  return files.has(file);
}

const schemaFileSets = new WeakMap<SchemaModel, Set<string>>();

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
