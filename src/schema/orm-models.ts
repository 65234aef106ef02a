/**
 * ORM model definitions → SQL DDL: TypeORM and MikroORM entities (`@Entity`, `@Column`, `@DeleteDateColumn`,
 * `@Property`, `@Unique`, `@Index`), sequelize-typescript (`@Table({ paranoid })`) and Sequelize models
 * (`Model.init(attributes, { paranoid, underscored, tableName, indexes })`, `sequelize.define(…)`). Each model
 * becomes a `CREATE TABLE` (and its unique indexes) written as SQL mapped to the code, with the table and column
 * names each ORM derives by default (TypeORM: snake_case tables, property-named columns; MikroORM: snake_case both;
 * Sequelize: pluralised model names, `underscored` columns, `deletedAt` added by `paranoid`).
 *
 * Migrations win: the loader applies a model's table only when no migration created it.
 */
import { AST_NODE_TYPES, type TSESTree } from '@typescript-eslint/utils';
import { unwrap, propertyName, type Node, type VisitorKeys } from '../js/estree.js';
import { decompose, scanFile } from '../js/synth.js';
import type { SqlFragment } from '../sql/fragment.js';
import { quoteIdent } from '../sql/sqltext.js';
import {
  boolOf,
  columnList,
  Ddl,
  namesOf,
  objectArg,
  posOf,
  prop,
  qualified,
  sequelizeWhereText,
  stringOf,
  type BuilderProblem,
  type Context,
} from './schema-builders.js';

import type { ObjectionSoftDeleteModel, OrmEntity } from './model.js';

/** Does this file define ORM models (cheap test before parsing)? */
export function looksLikeOrmModels(text: string): boolean {
  return (
    /from\s+['"](?:typeorm|@mikro-orm\/[\w-]+|sequelize-typescript)['"]/.test(text) ||
    (/\bparanoid\s*:|\.init\s*\(|\.define\s*\(/.test(text) && /['"]sequelize['"]/.test(text))
  );
}

export interface OrmTable {
  schema?: string;
  table: string;
  /** The CREATE TABLE and its indexes. */
  fragment: SqlFragment;
  /** The class or model name code refers to it by, and its mapping (for the ORM write front end). */
  model?: { name: string } & OrmEntity;
  /** The model declares only some of the table's columns (its CREATE TABLE is not the whole table). */
  incomplete?: boolean;
  /** An Objection model's class name and objection-soft-delete options (for the query-builder front end). */
  objection?: { name: string } & ObjectionSoftDeleteModel;
  /** Soft-delete columns the model declares (`@DeleteDateColumn`, `paranoid`, a soft-delete mixin). */
  markers?: Array<{ column: string; flag: boolean; by: string; at: number }>;
}

export interface OrmModels {
  tables: OrmTable[];
  problems: BuilderProblem[];
}

type Dialect = 'typeorm' | 'mikro-orm' | 'sequelize';

interface Column {
  name: string;
  type: string;
  notNull: boolean;
  primary: boolean;
  pos: number;
  /** Declared as the soft-delete column (`@DeleteDateColumn`, Sequelize's `paranoid` `deletedAt`), by what. */
  softDelete?: string;
}

interface IndexSpec {
  name: string | undefined;
  /** Property (or column) names. */
  properties: string[];
  unique: boolean;
  where?: string;
  /** MikroORM `expression`: the index's own DDL. */
  expression?: string;
  pos: number;
}

interface ClassModel {
  name: string;
  base: string | null;
  dialect: Dialect;
  /** By property name. */
  columns: Map<string, Column>;
  indexes: IndexSpec[];
  entity: { table?: string; schema?: string; pos: number; options: TSESTree.ObjectExpression | null } | null;
}

/** `UserProfile` → `user_profile`, as TypeORM and MikroORM derive names. */
export function snakeCase(name: string): string {
  // `HTMLParser` → `HTML_Parser`: a run of capitals followed by a lower-case letter or digit keeps its last capital
  // for the next word (as `([A-Z]+)([A-Z][a-z\d]+)` → `$1_$2`, which backtracks quadratically on a run of capitals).
  return name
    .replace(/([a-z\d])([A-Z])/g, '$1_$2')
    .replace(/[A-Z]{2,}/g, (run: string, at: number, text: string) => (/[a-z\d]/.test(text[at + run.length] ?? '') ? `${run.slice(0, -1)}_${run.slice(-1)}` : run))
    .toLowerCase();
}

/** Sequelize's default plural of a model name (the common English rules of its inflection library). */
export function pluralize(name: string): string {
  if (/(?:[^aeiou])y$/i.test(name)) return `${name.slice(0, -1)}ies`;
  if (/(?:s|x|z|ch|sh)$/i.test(name)) return `${name}es`;
  if (/person$/i.test(name)) return `${name.slice(0, -6)}${name.slice(-6, -5) === 'P' ? 'People' : 'people'}`;
  return `${name}s`;
}

function decoratorCall(d: TSESTree.Decorator): { name: string; args: TSESTree.CallExpressionArgument[]; at: number } | null {
  const e = unwrap(d.expression);
  if (e.type === AST_NODE_TYPES.Identifier) return { name: e.name, args: [], at: e.range[0] };
  if (e.type === AST_NODE_TYPES.CallExpression) {
    const callee = unwrap(e.callee);
    const name = callee.type === AST_NODE_TYPES.Identifier ? callee.name : callee.type === AST_NODE_TYPES.MemberExpression ? propertyName(callee) : null;
    return name ? { name, args: e.arguments, at: callee.range[0] } : null;
  }
  return null;
}

const TYPEORM_COLUMNS = new Set(['Column', 'PrimaryColumn', 'PrimaryGeneratedColumn', 'CreateDateColumn', 'UpdateDateColumn', 'DeleteDateColumn', 'VersionColumn']);
const MIKRO_COLUMNS = new Set(['Property', 'PrimaryKey', 'Enum', 'SerializedPrimaryKey']);

function dialectOf(program: TSESTree.Program): Dialect | null {
  for (const statement of program.body) {
    if (statement.type !== AST_NODE_TYPES.ImportDeclaration) continue;
    const source = String(statement.source.value);
    if (source === 'typeorm') return 'typeorm';
    if (source.startsWith('@mikro-orm/')) return 'mikro-orm';
    if (source === 'sequelize-typescript') return 'sequelize';
  }
  return null;
}

/** Entity classes, and Sequelize `init`/`define` models, of a set of files; tables in file order. */
export function ormModels(files: Array<{ program: TSESTree.Program; visitorKeys?: VisitorKeys }>): OrmModels[] {
  const classes = new Map<string, ClassModel>();
  const perFile: Array<{ cx: Context; classes: ClassModel[]; tables: OrmTable[] }> = [];
  for (const { program, visitorKeys } of files) {
    const scan = scanFile(program, visitorKeys);
    const cx: Context = { scan, problems: [] };
    const dialect = dialectOf(program);
    const found: ClassModel[] = [];
    if (dialect) {
      for (const node of scan.declarations) {
        if (node.type !== AST_NODE_TYPES.ClassDeclaration || !node.id) continue;
        const model = readClass(cx, node, dialect);
        classes.set(model.name, model);
        found.push(model);
      }
      found.sort((a, b) => (a.entity?.pos ?? 0) - (b.entity?.pos ?? 0));
    }
    perFile.push({ cx, classes: found, tables: sequelizeModels(cx) });
  }
  return perFile.map(({ cx, classes: found, tables }) => {
    for (const model of found) {
      if (!model.entity) continue;
      const table = entityTable(cx, model, classes);
      if (table) tables.push(table);
    }
    return { tables, problems: cx.problems };
  });
}

function readClass(cx: Context, node: TSESTree.ClassDeclaration, dialect: Dialect): ClassModel {
  const base = node.superClass && unwrap(node.superClass).type === AST_NODE_TYPES.Identifier ? (unwrap(node.superClass) as TSESTree.Identifier).name : null;
  const model: ClassModel = { name: node.id!.name, base, dialect, columns: new Map(), indexes: [], entity: null };
  for (const d of node.decorators ?? []) {
    const call = decoratorCall(d);
    if (!call) continue;
    if (call.name === 'Entity' || (dialect === 'sequelize' && call.name === 'Table')) {
      const options = objectArg(call.args[0]) ?? objectArg(call.args[1]);
      const table =
        stringOf(cx, call.args[0]) ??
        stringOf(cx, prop(options, dialect === 'typeorm' ? 'name' : 'tableName')) ??
        (dialect === 'mikro-orm' ? stringOf(cx, prop(options, 'collection')) : undefined);
      const schema = stringOf(cx, prop(options, 'schema'));
      model.entity = { pos: call.at, options, ...(table !== undefined ? { table } : {}), ...(schema !== undefined ? { schema } : {}) };
    } else if (call.name === 'Unique' || call.name === 'Index') {
      const spec = classIndex(cx, call, dialect);
      if (spec) model.indexes.push(spec);
    }
  }
  for (const member of node.body.body) {
    if (member.type !== AST_NODE_TYPES.PropertyDefinition || member.computed || member.static) continue;
    const property = member.key.type === AST_NODE_TYPES.Identifier ? member.key.name : member.key.type === AST_NODE_TYPES.Literal ? String(member.key.value) : null;
    if (property === null) continue;
    readProperty(cx, model, member, property);
  }
  return model;
}

/** `@Unique(['a', 'b'])`, `@Unique('name', ['a'])`, `@Index(['a'], { unique: true, where })`, MikroORM `@Unique({ properties })`. */
function classIndex(cx: Context, call: { name: string; args: TSESTree.CallExpressionArgument[]; at: number }, dialect: Dialect): IndexSpec | null {
  const named = stringOf(cx, call.args[0]);
  const rest = named !== undefined && call.args.length > 1 ? call.args.slice(1) : call.args;
  const options = objectArg(rest[rest.length - 1]);
  const expression = stringOf(cx, prop(options, 'expression'));
  if (expression !== undefined) return { name: undefined, properties: [], unique: true, expression, pos: posOf(prop(options, 'expression'), call.at) };
  const properties = namesOf(cx, rest[0]) ?? namesOf(cx, prop(options, 'properties')) ?? namesOf(cx, prop(options, 'columns'));
  if (!properties) {
    if (dialect !== 'sequelize') cx.problems.push({ at: call.at, message: `cannot read the columns of @${call.name}(…)` });
    return null;
  }
  const unique = call.name === 'Unique' || boolOf(prop(options, 'unique')) === true;
  const where = stringOf(cx, prop(options, 'where'));
  if (prop(options, 'where') && where === undefined) {
    cx.problems.push({ at: call.at, message: `cannot read the where of @${call.name}(…): it is not spelled out` });
    return null;
  }
  const name = (named !== undefined && call.args.length > 1 ? named : undefined) ?? stringOf(cx, prop(options, 'name'));
  return { name, properties, unique, ...(where !== undefined ? { where } : {}), pos: call.at };
}

function readProperty(cx: Context, model: ClassModel, member: TSESTree.PropertyDefinition, property: string): void {
  let column: Column | null = null;
  let unique = false;
  let notNull: boolean | undefined;
  let field: string | undefined;
  for (const d of member.decorators ?? []) {
    const call = decoratorCall(d);
    if (!call) continue;
    const options = objectArg(call.args[call.args.length - 1]);
    if (model.dialect === 'typeorm' && TYPEORM_COLUMNS.has(call.name)) {
      field = stringOf(cx, prop(options, 'name'));
      const typeName = stringOf(cx, call.args[0]) ?? stringOf(cx, prop(options, 'type'));
      const type = call.name === 'DeleteDateColumn' || call.name === 'CreateDateColumn' || call.name === 'UpdateDateColumn' ? 'timestamp' : typeName ?? 'text';
      const nullable = boolOf(prop(options, 'nullable'));
      column = {
        name: property,
        type: call.name === 'PrimaryGeneratedColumn' ? (typeName === 'uuid' ? 'uuid' : 'serial') : sqlType(type),
        notNull: call.name === 'DeleteDateColumn' ? false : nullable !== true,
        primary: call.name.startsWith('Primary') || boolOf(prop(options, 'primary')) === true,
        pos: posOf(member.key, member.range[0]),
        ...(call.name === 'DeleteDateColumn' ? { softDelete: '@DeleteDateColumn' } : {}),
      };
      if (boolOf(prop(options, 'unique')) === true) unique = true;
    } else if (model.dialect === 'mikro-orm' && MIKRO_COLUMNS.has(call.name)) {
      field = stringOf(cx, prop(options, 'fieldName')) ?? stringOf(cx, prop(options, 'name'));
      const nullable = boolOf(prop(options, 'nullable')) === true || member.optional === true;
      column = {
        name: property,
        type: sqlType(stringOf(cx, prop(options, 'columnType')) ?? stringOf(cx, prop(options, 'type')) ?? tsType(member)),
        notNull: !nullable,
        primary: call.name === 'PrimaryKey',
        pos: posOf(member.key, member.range[0]),
      };
      if (boolOf(prop(options, 'unique')) === true) unique = true;
    } else if (model.dialect === 'mikro-orm' && (call.name === 'ManyToOne' || call.name === 'OneToOne')) {
      field = stringOf(cx, prop(options, 'fieldName')) ?? `${snakeCase(property)}_id`;
      column = { name: property, type: 'integer', notNull: boolOf(prop(options, 'nullable')) !== true, primary: false, pos: member.key.range[0] };
    } else if (model.dialect === 'sequelize' && (call.name === 'Column' || call.name === 'DeletedAt' || call.name === 'CreatedAt' || call.name === 'UpdatedAt')) {
      field = stringOf(cx, prop(options, 'field'));
      const allowNull = boolOf(prop(options, 'allowNull'));
      column = {
        name: property,
        type: call.name === 'Column' ? 'text' : 'timestamptz',
        notNull: allowNull === false,
        primary: boolOf(prop(options, 'primaryKey')) === true,
        pos: posOf(member.key, member.range[0]),
        ...(call.name === 'DeletedAt' ? { softDelete: '@DeletedAt' } : {}),
      };
      if (boolOf(prop(options, 'unique')) === true || stringOf(cx, prop(options, 'unique')) !== undefined) unique = true;
    } else if (call.name === 'Unique') unique = true;
    else if (call.name === 'Index') {
      if (boolOf(prop(options, 'unique')) === true) {
        const where = stringOf(cx, prop(options, 'where'));
        model.indexes.push({ name: stringOf(cx, call.args[0]) ?? stringOf(cx, prop(options, 'name')), properties: [property], unique: true, ...(where !== undefined ? { where } : {}), pos: call.at });
      }
    } else if (call.name === 'AllowNull') notNull = boolOf(call.args[0]) === false;
    else if (call.name === 'PrimaryKey' && column) column.primary = true;
  }
  if (!column) return;
  if (notNull !== undefined) column.notNull = notNull;
  if (field !== undefined) column.name = field;
  else column.name = defaultColumnName(model, property);
  model.columns.set(property, column);
  if (unique) model.indexes.push({ name: undefined, properties: [property], unique: true, pos: column.pos });
}

function defaultColumnName(model: ClassModel, property: string): string {
  if (model.dialect === 'mikro-orm') return snakeCase(property);
  if (model.dialect === 'sequelize' && boolOf(prop(model.entity?.options ?? null, 'underscored')) === true) return snakeCase(property);
  return property;
}

/** The TS type of a property, for MikroORM's type inference: Date → timestamptz, boolean, number, string. */
function tsType(member: TSESTree.PropertyDefinition): string {
  const annotation = member.typeAnnotation?.typeAnnotation;
  if (!annotation) return 'text';
  if (annotation.type === AST_NODE_TYPES.TSBooleanKeyword) return 'boolean';
  if (annotation.type === AST_NODE_TYPES.TSNumberKeyword) return 'integer';
  if (annotation.type === AST_NODE_TYPES.TSTypeReference && annotation.typeName.type === AST_NODE_TYPES.Identifier && annotation.typeName.name === 'Date') return 'timestamptz';
  return 'text';
}

/** An ORM type name as an SQL type the parser accepts (unknown names become text). */
function sqlType(type: string): string {
  const t = type.toLowerCase();
  if (/^(?:timestamp|timestamptz|timestamp with(?:out)? time zone|datetime|date|time|boolean|bool|integer|int|bigint|smallint|uuid|text|json|jsonb|numeric|decimal|real|float|double precision|bytea|varchar(?:\(\d+\))?|character varying|serial|bigserial)$/.test(t)) {
    return t === 'datetime' ? 'timestamptz' : t === 'float' ? 'real' : t;
  }
  return 'text';
}

/** The model's own columns after its bases' (a base entity with `@DeleteDateColumn() deletedAt` is common). */
function allColumns(model: ClassModel, classes: Map<string, ClassModel>, seen = new Set<string>()): Map<string, Column> {
  if (seen.has(model.name)) return new Map();
  seen.add(model.name);
  const base = model.base ? classes.get(model.base) : undefined;
  const out = base ? allColumns(base, classes, seen) : new Map<string, Column>();
  for (const [k, v] of model.columns) out.set(k, v);
  return out;
}

function entityTable(cx: Context, model: ClassModel, classes: Map<string, ClassModel>): OrmTable | null {
  const entity = model.entity!;
  const options = entity.options;
  let table = entity.table;
  if (table === undefined) {
    if (model.dialect === 'sequelize') {
      const name = boolOf(prop(options, 'freezeTableName')) === true ? model.name : pluralize(model.name);
      table = boolOf(prop(options, 'underscored')) === true ? snakeCase(name) : name;
    } else table = snakeCase(model.name);
  }
  const columns = allColumns(model, classes);
  const list = [...columns.values()];
  const indexes = [...model.indexes];
  for (let b = model.base ? classes.get(model.base) : undefined, n = 0; b && n < 10; b = b.base ? classes.get(b.base) : undefined, n++) indexes.push(...b.indexes);
  const byKey = new Map([...columns].map(([property, column]) => [property, column.name]));
  if (model.dialect === 'sequelize') addSequelizeTimestamps(cx, list, options, entity.pos, byKey);
  const ddl = new Ddl();
  writeTable(ddl, entity.schema, table, list, entity.pos);
  for (const index of indexes) {
    const cols = index.properties.map((p) => columns.get(p)?.name ?? p);
    writeIndex(ddl, entity.schema, table, cols, index);
  }
  const mapping: OrmTable['model'] = {
    name: model.name,
    dialect: model.dialect,
    table,
    ...(entity.schema ? { schema: entity.schema } : {}),
    columns: Object.fromEntries(byKey),
    primaryKey: list.filter((c) => c.primary).map((c) => c.name),
    paranoid: model.dialect === 'sequelize' && sequelizeParanoid(options),
    ...(list.some((c) => c.softDelete === '@DeleteDateColumn') ? { deleteDateColumn: list.find((c) => c.softDelete === '@DeleteDateColumn')!.name } : {}),
  };
  // Sequelize soft-deletes only when paranoid
  const markers = model.dialect === 'sequelize' && !mapping.paranoid ? [] : markersOf(list, model.name);
  return { ...(entity.schema ? { schema: entity.schema } : {}), table, fragment: ddl.fragment(), model: mapping, ...(markers.length ? { markers } : {}) };
}

/** The soft-delete columns a model declares, as markers of its table. */
function markersOf(columns: Column[], model: string): NonNullable<OrmTable['markers']> {
  return columns.filter((c) => c.softDelete).map((c) => ({ column: c.name, flag: false, by: `${c.softDelete} of ${model}`, at: c.pos }));
}

function writeTable(ddl: Ddl, schema: string | undefined, table: string, columns: Column[], pos: number): void {
  ddl.statement('CREATE TABLE ', pos).add(qualified(schema, table), pos).add(' (', pos);
  const primary = columns.filter((c) => c.primary);
  columns.forEach((c, i) => {
    ddl.add(i === 0 ? '\n  ' : ',\n  ', c.pos).add(`${quoteIdent(c.name)} ${c.type}${c.notNull ? ' NOT NULL' : ''}`, c.pos);
  });
  if (primary.length) ddl.add(`${columns.length ? ',\n  ' : '\n  '}PRIMARY KEY (${columnList(primary.map((c) => c.name))})`, pos);
  ddl.add('\n)', pos);
}

function writeIndex(ddl: Ddl, schema: string | undefined, table: string, columns: string[], index: IndexSpec): void {
  if (index.expression !== undefined) {
    ddl.statement(index.expression.replace(/;\s*$/, ''), index.pos);
    return;
  }
  if (!index.unique) return;
  const name = index.name ?? `${table}_${columns.join('_')}_key`;
  if (index.where === undefined) {
    ddl.statement('ALTER TABLE ', index.pos).add(qualified(schema, table), index.pos).add(` ADD CONSTRAINT ${quoteIdent(name)} UNIQUE (${columnList(columns)})`, index.pos);
  } else {
    ddl.statement(`CREATE UNIQUE INDEX ${quoteIdent(name)} ON `, index.pos).add(qualified(schema, table), index.pos).add(` (${columnList(columns)}) WHERE ${index.where}`, index.pos);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Sequelize: `User.init({ … }, { sequelize, paranoid: true })`, `sequelize.define('User', { … }, { … })`

/**
 * Is the model paranoid as Sequelize sees it? `paranoid: true` counts only with timestamps on and a `deletedAt`:
 * without them Sequelize sets up no deletedAt attribute, so `destroy()` deletes and nothing is filtered.
 */
function sequelizeParanoid(options: TSESTree.ObjectExpression | null): boolean {
  return boolOf(prop(options, 'paranoid')) === true && boolOf(prop(options, 'timestamps')) !== false && boolOf(prop(options, 'deletedAt')) !== false;
}

/** `createdAt`/`updatedAt` (unless `timestamps: false`) and, with `paranoid`, `deletedAt`, named per `underscored`. */
function addSequelizeTimestamps(cx: Context, columns: Column[], options: TSESTree.ObjectExpression | null, pos: number, byKey?: Map<string, string>): void {
  if (boolOf(prop(options, 'timestamps')) === false) return;
  const underscored = boolOf(prop(options, 'underscored')) === true;
  const names: Array<[string, string, boolean]> = [
    ['createdAt', 'created_at', true],
    ['updatedAt', 'updated_at', true],
  ];
  if (sequelizeParanoid(options)) names.push(['deletedAt', 'deleted_at', false]);
  for (const [key, snake, notNull] of names) {
    const custom = prop(options, key);
    if (custom && boolOf(custom) === false) continue;
    const name = stringOf(cx, custom) ?? (underscored ? snake : key);
    byKey?.set(key, name);
    const existing = columns.find((c) => c.name === name || c.name === key);
    if (existing) {
      if (key === 'deletedAt') existing.softDelete ??= 'paranoid';
      continue;
    }
    columns.push({ name, type: 'timestamptz', notNull, primary: false, pos: custom?.range[0] ?? pos, ...(key === 'deletedAt' ? { softDelete: 'paranoid' } : {}) });
  }
}

function sequelizeModels(cx: Context): OrmTable[] {
  const tables: OrmTable[] = [];
  for (const call of cx.scan.calls) {
    const { base, steps } = decompose(call);
    const last = steps[steps.length - 1];
    if (!last || steps.length !== 1) continue;
    let modelName: string | undefined;
    let attributes: TSESTree.ObjectExpression | null;
    let options: TSESTree.ObjectExpression | null;
    if (last.name === 'init' && unwrap(base).type === AST_NODE_TYPES.Identifier) {
      attributes = objectArg(last.args[0]);
      options = objectArg(last.args[1]);
      if (!attributes || !options || !prop(options, 'sequelize')) continue;
      modelName = stringOf(cx, prop(options, 'modelName')) ?? (unwrap(base) as TSESTree.Identifier).name;
    } else if (last.name === 'define') {
      modelName = stringOf(cx, last.args[0]);
      attributes = objectArg(last.args[1]);
      options = objectArg(last.args[2]);
      if (modelName === undefined || !attributes) continue;
    } else continue;
    const underscored = boolOf(prop(options, 'underscored')) === true;
    const explicit = stringOf(cx, prop(options, 'tableName'));
    const plain = boolOf(prop(options, 'freezeTableName')) === true ? modelName : pluralize(modelName);
    const table = explicit ?? (underscored ? snakeCase(plain) : plain);
    const schema = stringOf(cx, prop(options, 'schema'));
    const columns: Column[] = [];
    const byKey = new Map<string, string>();
    const indexes: IndexSpec[] = [];
    for (const p of attributes.properties) {
      if (p.type !== AST_NODE_TYPES.Property || p.computed) continue;
      const key = p.key.type === AST_NODE_TYPES.Identifier ? p.key.name : p.key.type === AST_NODE_TYPES.Literal ? String(p.key.value) : null;
      if (key === null) continue;
      const spec = objectArg(p.value as Node);
      const name = stringOf(cx, prop(spec, 'field')) ?? (underscored ? snakeCase(key) : key);
      byKey.set(key, name);
      const pos = posOf(p.key, p.range[0]);
      columns.push({ name, type: 'text', notNull: boolOf(prop(spec, 'allowNull')) === false, primary: boolOf(prop(spec, 'primaryKey')) === true, pos });
      const unique = prop(spec, 'unique');
      if (unique && boolOf(unique) !== false) {
        const uniqueName = stringOf(cx, unique) ?? stringOf(cx, prop(objectArg(unique), 'name'));
        indexes.push({ name: uniqueName, properties: [key], unique: true, pos });
      }
    }
    addSequelizeTimestamps(cx, columns, options, last.at, byKey);
    const indexList = prop(options, 'indexes');
    const array = indexList ? unwrap(indexList) : null;
    if (array?.type === AST_NODE_TYPES.ArrayExpression) {
      for (const element of array.elements) {
        const index = element && element.type !== AST_NODE_TYPES.SpreadElement ? objectArg(element) : null;
        if (!index || boolOf(prop(index, 'unique')) !== true) continue;
        const fields = namesOf(cx, prop(index, 'fields'));
        if (!fields) {
          cx.problems.push({ at: index.range[0], message: `cannot read the fields of a unique index of model ${modelName}` });
          continue;
        }
        const whereNode = prop(index, 'where');
        const where = whereNode ? sequelizeWhereText(whereNode, (k) => byKey.get(k) ?? k) : undefined;
        if (whereNode && where === undefined) {
          cx.problems.push({ at: whereNode.range[0], message: `cannot read the where of a unique index of model ${modelName}: use { column: null } or a literal` });
          continue;
        }
        indexes.push({ name: stringOf(cx, prop(index, 'name')), properties: fields, unique: true, ...(where !== undefined ? { where } : {}), pos: index.range[0] });
      }
    }
    const ddl = new Ddl();
    writeTable(ddl, schema, table, columns, last.at);
    for (const index of indexes) {
      const cols = index.properties.map((k) => byKey.get(k) ?? k);
      writeIndex(ddl, schema, table, cols, { ...index, name: index.name ?? `${table}_${cols.join('_')}` });
    }
    // the name code calls it by: `User.init(…)`'s class, `const User = sequelize.define('User', …)`'s binding
    const declarator = cx.scan.parents.get(call);
    const binding =
      last.name === 'init'
        ? (unwrap(base) as TSESTree.Identifier).name
        : declarator?.type === AST_NODE_TYPES.VariableDeclarator && declarator.id.type === AST_NODE_TYPES.Identifier
          ? declarator.id.name
          : modelName;
    const primaryKey = columns.filter((c) => c.primary).map((c) => c.name);
    const model: OrmTable['model'] = {
      name: binding,
      dialect: 'sequelize',
      table,
      ...(schema ? { schema } : {}),
      // Sequelize adds an `id` primary key when none is declared
      columns: { ...(primaryKey.length > 0 ? {} : { id: 'id' }), ...Object.fromEntries(byKey) },
      primaryKey: primaryKey.length > 0 ? primaryKey : ['id'],
      paranoid: sequelizeParanoid(options),
    };
    const markers = model.paranoid ? markersOf(columns, binding) : [];
    tables.push({ ...(schema ? { schema } : {}), table, fragment: ddl.fragment(), model, ...(markers.length ? { markers } : {}) });
  }
  return tables;
}
