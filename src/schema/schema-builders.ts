/**
 * Schema-builder migrations → SQL DDL. knex (`knex.schema.createTable('users', (t) => { … })`, also Adonis Lucid's
 * `this.schema`) and kysely (`db.schema.createTable('users').addColumn(…)`) build DDL in code; this module writes
 * the DDL they would run as SQL text, each piece mapped to the code it came from (the table name, the column
 * builder, the `.unique()` call), and the schema loader applies it like any migration. Only what the checks need
 * is written: tables, columns (types roughly, NOT NULL exactly), primary keys, uniques (constraints, and unique
 * indexes with their predicate), indexes, foreign keys, drops and renames.
 *
 * What cannot be read statically (a column name held in a variable, a predicate built at run time) is returned as
 * a problem instead of being guessed.
 */
import { AST_NODE_TYPES, type TSESTree } from '@typescript-eslint/utils';
import { unwrap, propertyName, type Node, type VisitorKeys } from '../js/estree.js';
import { decompose, scanFile, SynthText, type FileScan, type Step } from '../js/synth.js';
import type { ParentLookup } from '../js/program.js';
import type { SqlFragment } from '../sql/fragment.js';
import { quoteIdent } from '../sql/sqltext.js';

export interface BuilderProblem {
  /** Source index the problem is about. */
  at: number;
  message: string;
}

export interface BuilderDdl {
  /** DDL statements (`;`-separated), mapped to the builder code. */
  fragments: SqlFragment[];
  problems: BuilderProblem[];
  /**
   * Source ranges of the builder calls' arguments. SQL written inside them (`defaultTo(sql\`now()\`)`, a
   * `.where(sql\`…\`)` predicate) is a piece of the statement the builder writes, not a statement of its own.
   */
  covered: Array<[number, number]>;
}

/**
 * Cheap test before parsing: does the text use a schema builder at all? A knex `.schema` anywhere before a builder
 * method (`.schema … .createTable`) is found in two linear searches: the first `.schema`, then a method after it (one
 * expression spanning both backtracks quadratically on a file of repeated `.schema`).
 */
export function mentionsSchemaBuilder(text: string): boolean {
  if (/\b(?:queryRunner|queryInterface)\s*\.\s*(?:createTable|addColumn|addIndex|createIndex|addConstraint|createUniqueConstraint|renameColumn|renameTable|dropTable|removeColumn|dropColumn)\b/.test(text)) return true;
  const schema = /\.schema\b/.exec(text);
  if (!schema) return false;
  const method = /\.\s*(?:createTable|alterTable|table|dropTable|dropTableIfExists|renameTable|createIndex|dropIndex|withSchema|createTableIfNotExists)\b/g;
  method.lastIndex = schema.index + schema[0].length;
  return method.test(text);
}

type Arg = TSESTree.CallExpressionArgument;

export interface Context {
  scan: FileScan;
  problems: BuilderProblem[];
}

/** Schema-builder DDL of a file, in source order. */
export function schemaBuilderDdl(program: TSESTree.Program, visitorKeys: VisitorKeys): BuilderDdl {
  const scan = scanFile(program, visitorKeys);
  const cx: Context = { scan, problems: [] };
  const fragments: SqlFragment[] = [];
  const covered: Array<[number, number]> = [];
  for (const call of scan.calls) {
    if (continuedByCall(call, scan.parents)) continue;
    const { base, steps } = decompose(call);
    const migrationApi = ormMigrationApi(base, steps);
    if (migrationApi) {
      try {
        const ddl = new Ddl();
        if (migrationApi === 'typeorm') typeormMigration(cx, ddl, steps[0]!);
        else sequelizeMigration(cx, ddl, steps[0]!);
        if (!ddl.empty) fragments.push(ddl.fragment());
        for (const arg of steps[0]!.args) covered.push(arg.range);
      } catch (error) {
        cx.problems.push({ at: call.range[0], message: `cannot read this migration call: ${(error as Error).message}` });
      }
      continue;
    }
    if (!isSchemaRoot(base)) continue;
    for (const step of steps) {
      if (step.name === 'raw') continue;
      for (const arg of step.args) covered.push(arg.range);
    }
    try {
      fragments.push(...chainDdl(cx, steps));
    } catch (error) {
      cx.problems.push({ at: call.range[0], message: `cannot read this schema builder: ${(error as Error).message}` });
    }
  }
  return { fragments, problems: cx.problems, covered };
}

/** `x(…).y(…)`: the call is the object of a further method call. */
export function continuedByCall(call: Node, parents: ParentLookup): boolean {
  let child: Node = call;
  let parent = parents.get(child);
  while (parent && (parent.type === AST_NODE_TYPES.TSNonNullExpression || parent.type === AST_NODE_TYPES.TSAsExpression || parent.type === AST_NODE_TYPES.ChainExpression)) {
    child = parent;
    parent = parents.get(child);
  }
  if (parent?.type !== AST_NODE_TYPES.MemberExpression || parent.object !== child) return false;
  return parents.get(parent)?.type === AST_NODE_TYPES.CallExpression;
}

/** `knex.schema`, `trx.schema`, `this.schema`, `db.schema`. */
function isSchemaRoot(base: Node): boolean {
  const n = unwrap(base);
  return n.type === AST_NODE_TYPES.MemberExpression && propertyName(n) === 'schema';
}

// ---------------------------------------------------------------------------------------------------------------
// Values

/** A string the code spells out: a literal, a plain template, a `const` holding one, `this.tableName` of the class. */
export function stringOf(cx: Context, node: Node | undefined): string | undefined {
  if (!node) return undefined;
  const n = unwrap(node);
  if (n.type === AST_NODE_TYPES.Literal && typeof n.value === 'string') return n.value;
  if (n.type === AST_NODE_TYPES.TemplateLiteral && n.expressions.length === 0) return n.quasis[0]?.value.cooked ?? undefined;
  if (n.type === AST_NODE_TYPES.Identifier) {
    const init = cx.scan.consts.get(n.name);
    return init && init !== n ? stringOf(cx, init) : undefined;
  }
  if (n.type === AST_NODE_TYPES.MemberExpression && unwrap(n.object).type === AST_NODE_TYPES.ThisExpression) {
    const name = propertyName(n);
    for (let p = cx.scan.parents.get(n); p; p = cx.scan.parents.get(p)) {
      if (p.type !== AST_NODE_TYPES.ClassBody) continue;
      for (const member of p.body) {
        if (member.type === AST_NODE_TYPES.PropertyDefinition && !member.computed && member.key.type === AST_NODE_TYPES.Identifier && member.key.name === name && member.value) {
          return stringOf(cx, member.value);
        }
      }
      break;
    }
  }
  return undefined;
}

/** Where a value's text starts (inside the quotes of a literal). */
export function posOf(node: Node | undefined, fallback: number): number {
  if (!node) return fallback;
  const n = unwrap(node);
  if (n.type === AST_NODE_TYPES.Literal && typeof n.value === 'string') return n.range[0] + 1;
  return n.range[0];
}

/** Column names: `'a'`, `['a', 'b']`; undefined when one is not spelled out. */
export function namesOf(cx: Context, node: Node | undefined): string[] | undefined {
  if (!node) return undefined;
  const n = unwrap(node);
  if (n.type === AST_NODE_TYPES.ArrayExpression) {
    const names: string[] = [];
    for (const element of n.elements) {
      const name = element && element.type !== AST_NODE_TYPES.SpreadElement ? stringOf(cx, element) : undefined;
      if (name === undefined) return undefined;
      names.push(name);
    }
    return names;
  }
  const one = stringOf(cx, n);
  return one === undefined ? undefined : [one];
}

export function objectArg(node: Node | undefined): TSESTree.ObjectExpression | null {
  if (!node) return null;
  const n = unwrap(node);
  return n.type === AST_NODE_TYPES.ObjectExpression ? n : null;
}

export function prop(object: TSESTree.ObjectExpression | null, key: string): Node | undefined {
  if (!object) return undefined;
  for (const p of object.properties) {
    if (p.type !== AST_NODE_TYPES.Property || p.computed) continue;
    const name = p.key.type === AST_NODE_TYPES.Identifier ? p.key.name : p.key.type === AST_NODE_TYPES.Literal ? String(p.key.value) : null;
    if (name === key) return p.value as Node;
  }
  return undefined;
}

export function boolOf(node: Node | undefined): boolean | undefined {
  if (!node) return undefined;
  const n = unwrap(node);
  return n.type === AST_NODE_TYPES.Literal && typeof n.value === 'boolean' ? n.value : undefined;
}

/** A JS literal as an SQL literal (strings quoted, numbers and booleans as is, null); undefined otherwise. */
export function sqlLiteral(node: Node | undefined): string | undefined {
  if (!node) return undefined;
  const n = unwrap(node);
  if (n.type !== AST_NODE_TYPES.Literal) return undefined;
  if (n.value === null) return 'NULL';
  if (typeof n.value === 'string') return `'${n.value.replace(/'/g, "''")}'`;
  if (typeof n.value === 'number' || typeof n.value === 'boolean') return String(n.value);
  return undefined;
}

export function functionArg(node: Node | undefined): TSESTree.ArrowFunctionExpression | TSESTree.FunctionExpression | null {
  if (!node) return null;
  const n = unwrap(node);
  return n.type === AST_NODE_TYPES.ArrowFunctionExpression || n.type === AST_NODE_TYPES.FunctionExpression ? n : null;
}

// ---------------------------------------------------------------------------------------------------------------
// DDL text

export class Ddl {
  readonly text = new SynthText();
  private statements = 0;

  /** Starts a statement whose first characters map to `pos`. */
  statement(sql: string, pos: number): this {
    if (this.statements++ > 0) this.text.syn(';\n', pos);
    this.text.syn(sql, pos);
    return this;
  }

  add(sql: string, pos: number): this {
    this.text.syn(sql, pos);
    return this;
  }

  get empty(): boolean {
    return this.statements === 0;
  }

  fragment(): SqlFragment {
    return this.text.toSynthesized();
  }
}

export function qualified(schema: string | undefined, table: string): string {
  return schema ? `${quoteIdent(schema)}.${quoteIdent(table)}` : quoteIdent(table);
}

export function columnList(columns: readonly string[]): string {
  return columns.map(quoteIdent).join(', ');
}

/** knex's default index and constraint names: `users_email_unique`, `users_org_id_foreign`. */
function knexName(table: string, columns: readonly string[], kind: string): string {
  return `${table}_${columns.join('_')}_${kind}`.toLowerCase().replace(/[.-]/g, '_');
}

// ---------------------------------------------------------------------------------------------------------------
// Chains on `.schema`

const CREATE = new Set(['createTable', 'createTableIfNotExists']);
const ALTER = new Set(['alterTable', 'table']);

function chainDdl(cx: Context, steps: Step[]): SqlFragment[] {
  const out: SqlFragment[] = [];
  let schema: string | undefined;
  for (let i = 0; i < steps.length; i++) {
    const step = steps[i]!;
    if (step.name === 'withSchema') {
      schema = stringOf(cx, step.args[0]);
      continue;
    }
    const kyselyRest = steps.slice(i + 1);
    const ddl = new Ddl();
    const table = stringOf(cx, step.args[0]);
    const callback = functionArg(step.args[1]);
    if ((CREATE.has(step.name) || ALTER.has(step.name)) && step.args[0] && table === undefined) {
      cx.problems.push({ at: step.at, message: `cannot read the table name of .${step.name}(…): it is not spelled out` });
      continue;
    }
    if (CREATE.has(step.name) && callback) knexTable(cx, ddl, 'create', schema, table!, step, callback);
    else if (ALTER.has(step.name) && callback) knexTable(cx, ddl, 'alter', schema, table!, step, callback);
    else if (isKysely(step, kyselyRest)) {
      // kysely: the statement is the rest of the chain
      kyselyStatement(cx, ddl, schema, step, kyselyRest);
      if (!ddl.empty) out.push(ddl.fragment());
      break;
    } else if (step.name === 'dropTable' || step.name === 'dropTableIfExists') {
      if (table === undefined) continue;
      ddl.statement(`DROP TABLE ${step.name === 'dropTableIfExists' ? 'IF EXISTS ' : ''}`, step.at).add(qualified(schema, table), posOf(step.args[0], step.at));
    } else if (step.name === 'renameTable') {
      const to = stringOf(cx, step.args[1]);
      if (table === undefined || to === undefined) continue;
      ddl.statement('ALTER TABLE ', step.at).add(qualified(schema, table), posOf(step.args[0], step.at)).add(` RENAME TO ${quoteIdent(to)}`, posOf(step.args[1], step.at));
    }
    if (!ddl.empty) out.push(ddl.fragment());
  }
  return out;
}

/** Steps only kysely's schema builders have: a knex chain never continues with them. */
const KYSELY_ONLY = new Set(['execute', 'compile', 'ifExists', 'ifNotExists', 'cascade', 'addColumn', 'on', 'column', 'columns', 'addUniqueConstraint', 'renameTo']);

/** kysely's statement builders take no callback; `createIndex` is kysely's only. */
function isKysely(step: Step, rest: Step[]): boolean {
  if (step.name === 'createIndex') return true;
  if (step.name === 'createTable' || step.name === 'alterTable') return !functionArg(step.args[1]);
  if (step.name === 'dropTable' || step.name === 'dropIndex') return rest.some((s) => KYSELY_ONLY.has(s.name));
  return false;
}

// ---------------------------------------------------------------------------------------------------------------
// knex: `createTable(name, (t) => { … })`, `alterTable(name, (t) => { … })`

const KNEX_TYPES: Record<string, string> = {
  increments: 'serial',
  bigIncrements: 'bigserial',
  integer: 'integer',
  int: 'integer',
  bigInteger: 'bigint',
  bigint: 'bigint',
  tinyint: 'smallint',
  smallint: 'smallint',
  mediumint: 'integer',
  text: 'text',
  string: 'varchar(255)',
  varchar: 'varchar(255)',
  float: 'real',
  double: 'double precision',
  decimal: 'numeric',
  boolean: 'boolean',
  bool: 'boolean',
  date: 'date',
  datetime: 'timestamptz',
  dateTime: 'timestamptz',
  timestamp: 'timestamptz',
  time: 'time',
  binary: 'bytea',
  enum: 'text',
  enu: 'text',
  json: 'json',
  jsonb: 'jsonb',
  uuid: 'uuid',
  specificType: 'text',
  geometry: 'geometry',
  geography: 'geography',
  point: 'point',
};

interface PendingDdl {
  /** Statements that run after the CREATE TABLE (uniques, indexes), in order. */
  write: (ddl: Ddl) => void;
}

function knexTable(
  cx: Context,
  ddl: Ddl,
  mode: 'create' | 'alter',
  schema: string | undefined,
  table: string,
  step: Step,
  callback: TSESTree.ArrowFunctionExpression | TSESTree.FunctionExpression,
): void {
  const param = callback.params[0];
  if (!param || param.type !== AST_NODE_TYPES.Identifier) return;
  const target = qualified(schema, table);
  const tablePos = posOf(step.args[0], step.at);
  const chains = cx.scan.calls
    .filter((c) => c.range[0] >= callback.body.range[0] && c.range[1] <= callback.body.range[1] && !continuedByCall(c, cx.scan.parents))
    .map((c) => decompose(c))
    .filter(({ base }) => unwrap(base).type === AST_NODE_TYPES.Identifier && (unwrap(base) as TSESTree.Identifier).name === param.name);

  const columns: Array<{ sql: string; pos: number }> = [];
  const tableLevel: Array<{ sql: string; pos: number }> = [];
  const after: PendingDdl[] = [];
  const alterations: Array<{ sql: string; pos: number }> = [];

  const addColumn = (sql: string, pos: number): void => {
    if (mode === 'create') columns.push({ sql, pos });
    else alterations.push({ sql: `ADD COLUMN ${sql}`, pos });
  };

  for (const { steps } of chains) {
    const first = steps[0];
    if (!first) continue;
    const rest = steps.slice(1);
    const type = KNEX_TYPES[first.name];
    if (type !== undefined) {
      knexColumn(cx, table, target, first, rest, type, addColumn, after, alterations);
      continue;
    }
    switch (first.name) {
      case 'timestamps': {
        const options = objectArg(first.args[0]);
        const camel = options ? boolOf(prop(options, 'useCamelCase')) : boolOf(first.args[2]);
        const useTimestamps = options ? boolOf(prop(options, 'useTimestamps')) : boolOf(first.args[0]);
        const defaultToNow = options ? boolOf(prop(options, 'defaultToNow')) : boolOf(first.args[1]);
        const columnType = useTimestamps === false ? 'timestamp' : 'timestamptz';
        const suffix = defaultToNow ? ' NOT NULL DEFAULT now()' : '';
        for (const name of camel ? ['createdAt', 'updatedAt'] : ['created_at', 'updated_at']) {
          addColumn(`${quoteIdent(name)} ${columnType}${suffix}`, first.at);
        }
        break;
      }
      case 'dropTimestamps': {
        const camel = boolOf(first.args[0]);
        for (const name of camel ? ['createdAt', 'updatedAt'] : ['created_at', 'updated_at']) alterations.push({ sql: `DROP COLUMN ${quoteIdent(name)}`, pos: first.at });
        break;
      }
      case 'dropColumn':
      case 'dropColumns':
        for (const arg of first.args) {
          const names = namesOf(cx, arg);
          if (!names) cx.problems.push({ at: arg.range[0], message: `cannot read the column dropped by .${first.name}(…) on "${table}": it is not spelled out` });
          for (const name of names ?? []) alterations.push({ sql: `DROP COLUMN ${quoteIdent(name)}`, pos: posOf(arg, first.at) });
        }
        break;
      case 'renameColumn': {
        const from = stringOf(cx, first.args[0]);
        const to = stringOf(cx, first.args[1]);
        if (from === undefined || to === undefined) {
          cx.problems.push({ at: first.at, message: `cannot read .renameColumn(…) on "${table}": a name is not spelled out` });
          break;
        }
        alterations.push({ sql: `RENAME COLUMN ${quoteIdent(from)} TO ${quoteIdent(to)}`, pos: posOf(first.args[0], first.at) });
        break;
      }
      case 'unique':
      case 'index':
      case 'primary': {
        const cols = namesOf(cx, first.args[0]);
        if (!cols) {
          cx.problems.push({ at: first.at, message: `cannot read the columns of .${first.name}(…) on "${table}": they are not spelled out` });
          break;
        }
        if (first.name === 'primary') {
          const options = objectArg(first.args[1]);
          const name = stringOf(cx, first.args[1]) ?? stringOf(cx, prop(options, 'constraintName'));
          const sql = `${name ? `CONSTRAINT ${quoteIdent(name)} ` : ''}PRIMARY KEY (${columnList(cols)})`;
          if (mode === 'create') tableLevel.push({ sql, pos: first.at });
          else alterations.push({ sql: `ADD ${sql}`, pos: first.at });
          break;
        }
        const options = objectArg(first.name === 'index' ? first.args[2] ?? first.args[1] : first.args[1]);
        const name = stringOf(cx, first.args[1]) ?? stringOf(cx, prop(options, 'indexName')) ?? knexName(table, cols, first.name);
        knexIndex(cx, after, first.name === 'unique', target, name, cols, options, first.at);
        break;
      }
      case 'dropUnique':
      case 'dropIndex':
      case 'dropPrimary':
      case 'dropForeign': {
        const cols = first.name === 'dropPrimary' ? [] : namesOf(cx, first.args[0]);
        const kind = { dropUnique: 'unique', dropIndex: 'index', dropPrimary: 'pkey', dropForeign: 'foreign' }[first.name]!;
        const name =
          stringOf(cx, first.name === 'dropPrimary' ? first.args[0] : first.args[1]) ??
          (first.name === 'dropPrimary' ? `${table}_pkey` : cols ? knexName(table, cols, kind) : undefined);
        if (name === undefined) {
          cx.problems.push({ at: first.at, message: `cannot read .${first.name}(…) on "${table}": its columns are not spelled out` });
          break;
        }
        const ref = schema ? `${quoteIdent(schema)}.${quoteIdent(name)}` : quoteIdent(name);
        if (first.name === 'dropIndex') after.push({ write: (d) => d.statement(`DROP INDEX IF EXISTS ${ref}`, first.at) });
        else alterations.push({ sql: `DROP CONSTRAINT IF EXISTS ${quoteIdent(name)}`, pos: first.at });
        break;
      }
      case 'foreign': {
        const cols = namesOf(cx, first.args[0]);
        const fk = cols ? foreignKey(cx, rest) : undefined;
        if (!cols || !fk) break;
        const name = stringOf(cx, first.args[1]) ?? knexName(table, cols, 'foreign');
        const sql = `CONSTRAINT ${quoteIdent(name)} FOREIGN KEY (${columnList(cols)}) ${fk}`;
        if (mode === 'create') tableLevel.push({ sql, pos: first.at });
        else alterations.push({ sql: `ADD ${sql}`, pos: first.at });
        break;
      }
      default:
        break; // comment, engine, charset, check, …: nothing the checks need
    }
  }

  if (mode === 'create') {
    ddl.statement(`CREATE TABLE ${step.name === 'createTableIfNotExists' ? 'IF NOT EXISTS ' : ''}`, step.at).add(target, tablePos).add(' (', tablePos);
    [...columns, ...tableLevel].forEach((c, i) => {
      ddl.add(i === 0 ? '\n  ' : ',\n  ', c.pos).add(c.sql, c.pos);
    });
    ddl.add('\n)', tablePos);
  }
  for (const a of alterations) ddl.statement('ALTER TABLE ', a.pos).add(target, a.pos).add(` ${a.sql}`, a.pos);
  for (const p of after) p.write(ddl);
}

/** `.references('id').inTable('orgs').onDelete('CASCADE')`, `.references('orgs.id')`. */
function foreignKey(cx: Context, steps: Step[]): string | undefined {
  let column: string | undefined;
  let table: string | undefined;
  let onDelete: string | undefined;
  for (const s of steps) {
    if (s.name === 'references') {
      const ref = stringOf(cx, s.args[0]);
      if (ref?.includes('.')) {
        const dot = ref.lastIndexOf('.');
        table = ref.slice(0, dot);
        column = ref.slice(dot + 1);
      } else column = ref;
    } else if (s.name === 'inTable') table = stringOf(cx, s.args[0]);
    else if (s.name === 'onDelete') onDelete = stringOf(cx, s.args[0]);
  }
  if (!table) return undefined;
  const target = table.split('.').map(quoteIdent).join('.');
  const action = onDelete && /^(?:cascade|set null|set default|restrict|no action)$/i.test(onDelete) ? ` ON DELETE ${onDelete.toUpperCase()}` : '';
  return `REFERENCES ${target}${column ? ` (${quoteIdent(column)})` : ''}${action}`;
}

function knexColumn(
  cx: Context,
  table: string,
  target: string,
  first: Step,
  rest: Step[],
  baseType: string,
  addColumn: (sql: string, pos: number) => void,
  after: PendingDdl[],
  alterations: Array<{ sql: string; pos: number }>,
): void {
  const nameArg = first.args[0];
  const isIncrements = first.name === 'increments' || first.name === 'bigIncrements';
  const name = nameArg === undefined && isIncrements ? 'id' : stringOf(cx, nameArg);
  if (name === undefined) {
    cx.problems.push({ at: first.at, message: `cannot read the name of the column added by .${first.name}(…) on "${table}": it is not spelled out` });
    return;
  }
  const pos = posOf(nameArg, first.at);
  let type = baseType;
  if (first.name === 'specificType') type = stringOf(cx, first.args[1]) ?? 'text';
  if (first.name === 'timestamp' || first.name === 'datetime' || first.name === 'dateTime') {
    const options = objectArg(first.args[1]);
    const withoutTz = options ? boolOf(prop(options, 'useTz')) === false : boolOf(first.args[1]) === true;
    if (withoutTz) type = 'timestamp';
  }
  let notNull = false;
  let primary = isIncrements && boolOf(prop(objectArg(first.args[1]), 'primaryKey')) !== false;
  let alter = false;
  let fk: string | undefined;
  const indexes: Array<{ unique: boolean; step: Step }> = [];
  for (const s of rest) {
    switch (s.name) {
      case 'notNullable':
      case 'notNull':
        notNull = true;
        break;
      case 'nullable':
        notNull = false;
        break;
      case 'primary':
        primary = true;
        break;
      case 'unique':
      case 'index':
        indexes.push({ unique: s.name === 'unique', step: s });
        break;
      case 'alter':
        alter = true;
        break;
      case 'references':
        fk = foreignKey(cx, rest);
        break;
      default:
        break;
    }
  }
  const column = quoteIdent(name);
  if (alter) {
    alterations.push({ sql: `ALTER COLUMN ${column} TYPE ${type}`, pos });
    alterations.push({ sql: `ALTER COLUMN ${column} ${notNull ? 'SET' : 'DROP'} NOT NULL`, pos });
  } else {
    addColumn(`${column} ${type}${notNull ? ' NOT NULL' : ''}${primary ? ' PRIMARY KEY' : ''}${fk ? ` ${fk}` : ''}`, pos);
  }
  for (const { unique, step } of indexes) {
    const options = objectArg(step.args[0]);
    const indexName = stringOf(cx, step.args[0]) ?? stringOf(cx, prop(options, 'indexName')) ?? knexName(table, [name], unique ? 'unique' : 'index');
    knexIndex(cx, after, unique, target, indexName, [name], options, step.at);
  }
}

/** A knex unique or index: a constraint, or (with a predicate, or `useConstraint: false`) a (partial) index. */
function knexIndex(
  cx: Context,
  after: PendingDdl[],
  unique: boolean,
  target: string,
  name: string,
  columns: string[],
  options: TSESTree.ObjectExpression | null,
  at: number,
): void {
  const predicateNode = prop(options, 'predicate');
  let where = '';
  if (predicateNode) {
    const predicate = knexPredicate(cx, predicateNode);
    if (predicate === undefined) {
      cx.problems.push({ at: predicateNode.range[0], message: `cannot read the predicate of index "${name}": write it with whereNull / whereNotNull / where(column, value) / whereRaw('…')` });
      return;
    }
    where = ` WHERE ${predicate}`;
  }
  const asConstraint = unique && !predicateNode && boolOf(prop(options, 'useConstraint')) !== false;
  const deferrable = stringOf(cx, prop(options, 'deferrable'));
  after.push({
    write: (ddl) => {
      if (asConstraint) {
        ddl.statement('ALTER TABLE ', at).add(target, at).add(` ADD CONSTRAINT ${quoteIdent(name)} UNIQUE (${columnList(columns)})${deferrable && /^(?:deferred|immediate)$/i.test(deferrable) ? ` DEFERRABLE INITIALLY ${deferrable.toUpperCase()}` : ''}`, at);
      } else {
        ddl.statement(`CREATE ${unique ? 'UNIQUE ' : ''}INDEX ${quoteIdent(name)} ON `, at).add(target, at).add(` (${columnList(columns)})${where}`, at);
      }
    },
  });
}

/** `knex.whereNull('deleted_at')`, `.whereNotNull(…)`, `.where('deleted', false)`, `.whereRaw('…')`, chained (AND). */
function knexPredicate(cx: Context, node: Node): string | undefined {
  const { steps } = decompose(node);
  if (steps.length === 0) return undefined;
  const parts: string[] = [];
  for (const s of steps) {
    const column = stringOf(cx, s.args[0]);
    switch (s.name) {
      case 'whereNull':
      case 'andWhereNull':
        if (column === undefined) return undefined;
        parts.push(`${columnRef(column)} IS NULL`);
        break;
      case 'whereNotNull':
      case 'andWhereNotNull':
        if (column === undefined) return undefined;
        parts.push(`${columnRef(column)} IS NOT NULL`);
        break;
      case 'whereRaw':
      case 'andWhereRaw':
        if (column === undefined) return undefined;
        parts.push(`(${column})`);
        break;
      case 'where':
      case 'andWhere': {
        const operator = s.args.length === 3 ? stringOf(cx, s.args[1]) : '=';
        const value = sqlLiteral(s.args[s.args.length === 3 ? 2 : 1]);
        if (column === undefined || operator === undefined || value === undefined || !/^(?:=|<>|!=|<|>|<=|>=|is|is not)$/i.test(operator)) return undefined;
        parts.push(value === 'NULL' && operator === '=' ? `${columnRef(column)} IS NULL` : `${columnRef(column)} ${operator} ${value}`);
        break;
      }
      default:
        return undefined;
    }
  }
  return parts.join(' AND ');
}

export function columnRef(name: string): string {
  return name.split('.').map(quoteIdent).join('.');
}

// ---------------------------------------------------------------------------------------------------------------
// kysely: `db.schema.createTable('users').addColumn('id', 'serial', (c) => c.primaryKey()).execute()`

function kyselyStatement(cx: Context, ddl: Ddl, schema: string | undefined, head: Step, rest: Step[]): void {
  const name = stringOf(cx, head.args[0]);
  if (name === undefined) {
    cx.problems.push({ at: head.at, message: `cannot read the name given to .${head.name}(…): it is not spelled out` });
    return;
  }
  const namePos = posOf(head.args[0], head.at);
  if (head.name === 'dropTable') {
    const ifExists = rest.some((s) => s.name === 'ifExists');
    ddl.statement(`DROP TABLE ${ifExists ? 'IF EXISTS ' : ''}`, head.at).add(qualified(schema, name), namePos);
    return;
  }
  if (head.name === 'dropIndex') {
    ddl.statement('DROP INDEX IF EXISTS ', head.at).add(qualified(schema, name), namePos);
    return;
  }
  if (head.name === 'createIndex') {
    let table: string | undefined;
    let columns: string[] = [];
    let unique = false;
    let nullsNotDistinct = false;
    const where: string[] = [];
    for (const s of rest) {
      if (s.name === 'on') table = stringOf(cx, s.args[0]);
      else if (s.name === 'column' || s.name === 'columns') {
        const names = namesOf(cx, s.args[0]);
        if (!names) {
          cx.problems.push({ at: s.at, message: `cannot read the columns of index "${name}": they are not spelled out` });
          return;
        }
        columns = columns.concat(names);
      } else if (s.name === 'expression') {
        cx.problems.push({ at: s.at, message: `index "${name}" has an expression key the plugin does not read` });
        return;
      } else if (s.name === 'unique') unique = true;
      else if (s.name === 'nullsNotDistinct') nullsNotDistinct = true;
      else if (s.name === 'where') {
        const predicate = kyselyPredicate(cx, s);
        if (predicate === undefined) {
          cx.problems.push({ at: s.at, message: `cannot read the predicate of index "${name}": write .where('column', 'is', null) or .where(sql\`…\`)` });
          return;
        }
        where.push(predicate);
      }
    }
    if (table === undefined || columns.length === 0) {
      if (unique) cx.problems.push({ at: head.at, message: `cannot read the table or columns of unique index "${name}"` });
      return;
    }
    ddl
      .statement(`CREATE ${unique ? 'UNIQUE ' : ''}INDEX ${quoteIdent(name)} ON `, head.at)
      .add(qualified(schema, table), head.at)
      .add(` (${columnList(columns)})${nullsNotDistinct ? ' NULLS NOT DISTINCT' : ''}${where.length ? ` WHERE ${where.join(' AND ')}` : ''}`, head.at);
    return;
  }
  const target = qualified(schema, name);
  const create = head.name === 'createTable';
  const items: Array<{ sql: string; pos: number }> = [];
  const alterations: Array<{ sql: string; pos: number }> = [];
  const post: Array<{ sql: string; pos: number }> = [];
  let ifNotExists = false;
  for (const s of rest) {
    switch (s.name) {
      case 'ifNotExists':
        ifNotExists = true;
        break;
      case 'addColumn': {
        const column = stringOf(cx, s.args[0]);
        if (column === undefined) {
          cx.problems.push({ at: s.at, message: `cannot read the name of a column added to "${name}": it is not spelled out` });
          break;
        }
        const type = stringOf(cx, s.args[1]) ?? 'text';
        const modifiers = kyselyColumnModifiers(cx, s.args[2]);
        const sql = `${quoteIdent(column)} ${type}${modifiers}`;
        const pos = posOf(s.args[0], s.at);
        if (create) items.push({ sql, pos });
        else alterations.push({ sql: `ADD COLUMN ${sql}`, pos });
        break;
      }
      case 'dropColumn': {
        const column = stringOf(cx, s.args[0]);
        if (column !== undefined) alterations.push({ sql: `DROP COLUMN ${quoteIdent(column)}`, pos: posOf(s.args[0], s.at) });
        break;
      }
      case 'renameColumn': {
        const from = stringOf(cx, s.args[0]);
        const to = stringOf(cx, s.args[1]);
        if (from !== undefined && to !== undefined) alterations.push({ sql: `RENAME COLUMN ${quoteIdent(from)} TO ${quoteIdent(to)}`, pos: posOf(s.args[0], s.at) });
        break;
      }
      case 'renameTo': {
        const to = stringOf(cx, s.args[0]);
        if (to !== undefined) post.push({ sql: `RENAME TO ${quoteIdent(to)}`, pos: posOf(s.args[0], s.at) });
        break;
      }
      case 'alterColumn': {
        const column = stringOf(cx, s.args[0]);
        const fn = functionArg(s.args[1]);
        if (column === undefined || !fn) break;
        const { steps } = decompose(fn.body);
        for (const c of steps) {
          if (c.name === 'setNotNull') alterations.push({ sql: `ALTER COLUMN ${quoteIdent(column)} SET NOT NULL`, pos: c.at });
          else if (c.name === 'dropNotNull') alterations.push({ sql: `ALTER COLUMN ${quoteIdent(column)} DROP NOT NULL`, pos: c.at });
          else if (c.name === 'setDataType') alterations.push({ sql: `ALTER COLUMN ${quoteIdent(column)} TYPE ${stringOf(cx, c.args[0]) ?? 'text'}`, pos: c.at });
        }
        break;
      }
      case 'addUniqueConstraint':
      case 'addPrimaryKeyConstraint': {
        const constraint = stringOf(cx, s.args[0]);
        const cols = namesOf(cx, s.args[1]);
        if (constraint === undefined || !cols) {
          cx.problems.push({ at: s.at, message: `cannot read .${s.name}(…) on "${name}": its name or columns are not spelled out` });
          break;
        }
        const nnd = s.name === 'addUniqueConstraint' && callbackCalls(s.args[2]).includes('nullsNotDistinct');
        const sql = `CONSTRAINT ${quoteIdent(constraint)} ${s.name === 'addUniqueConstraint' ? `UNIQUE${nnd ? ' NULLS NOT DISTINCT' : ''}` : 'PRIMARY KEY'} (${columnList(cols)})`;
        if (create) items.push({ sql, pos: s.at });
        else alterations.push({ sql: `ADD ${sql}`, pos: s.at });
        break;
      }
      case 'dropConstraint': {
        const constraint = stringOf(cx, s.args[0]);
        if (constraint !== undefined) alterations.push({ sql: `DROP CONSTRAINT ${quoteIdent(constraint)}`, pos: s.at });
        break;
      }
      default:
        break;
    }
  }
  if (create) {
    ddl.statement(`CREATE TABLE ${ifNotExists ? 'IF NOT EXISTS ' : ''}`, head.at).add(target, namePos).add(' (', namePos);
    items.forEach((c, i) => ddl.add(i === 0 ? '\n  ' : ',\n  ', c.pos).add(c.sql, c.pos));
    ddl.add('\n)', namePos);
  }
  if (alterations.length) {
    ddl.statement('ALTER TABLE ', head.at).add(target, namePos);
    alterations.forEach((a, i) => ddl.add(i === 0 ? ' ' : ', ', a.pos).add(a.sql, a.pos));
  }
  for (const p of post) ddl.statement('ALTER TABLE ', p.pos).add(target, namePos).add(` ${p.sql}`, p.pos);
}

/** Method names called in a `(col) => col.notNull().unique()` callback. */
function callbackCalls(node: Node | undefined): string[] {
  const fn = functionArg(node);
  if (!fn || fn.body.type === AST_NODE_TYPES.BlockStatement) return [];
  return decompose(fn.body).steps.map((s) => s.name);
}

function kyselyColumnModifiers(cx: Context, node: Node | undefined): string {
  const fn = functionArg(node);
  if (!fn || fn.body.type === AST_NODE_TYPES.BlockStatement) return '';
  let out = '';
  for (const s of decompose(fn.body).steps) {
    if (s.name === 'notNull') out += ' NOT NULL';
    else if (s.name === 'primaryKey') out += ' PRIMARY KEY';
    else if (s.name === 'unique') out += ' UNIQUE';
    else if (s.name === 'nullsNotDistinct') out += ' NULLS NOT DISTINCT';
    else if (s.name === 'references') {
      const ref = stringOf(cx, s.args[0]);
      if (ref?.includes('.')) {
        const dot = ref.lastIndexOf('.');
        out += ` REFERENCES ${columnRef(ref.slice(0, dot))} (${quoteIdent(ref.slice(dot + 1))})`;
      }
    } else if (s.name === 'onDelete') {
      const action = stringOf(cx, s.args[0]);
      if (action && /^(?:cascade|set null|set default|restrict|no action)$/i.test(action) && out.includes('REFERENCES')) out += ` ON DELETE ${action.toUpperCase()}`;
    }
  }
  return out;
}

/** kysely `.where('deleted_at', 'is', null)`, `.where(sql\`deleted_at is null\`)`, `.where((eb) => …)` (unread). */
function kyselyPredicate(cx: Context, s: Step): string | undefined {
  if (s.args.length === 3) {
    const column = stringOf(cx, s.args[0]);
    const operator = stringOf(cx, s.args[1]);
    const value = sqlLiteral(s.args[2]);
    if (column === undefined || operator === undefined || value === undefined) return undefined;
    if (!/^(?:=|<>|!=|<|>|<=|>=|is|is not)$/i.test(operator)) return undefined;
    return `${columnRef(column)} ${operator} ${value}`;
  }
  const arg = s.args[0] ? unwrap(s.args[0]) : undefined;
  if (arg?.type === AST_NODE_TYPES.TaggedTemplateExpression && arg.quasi.expressions.length === 0) {
    return `(${arg.quasi.quasis[0]?.value.cooked ?? ''})`;
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------------------------
// TypeORM `queryRunner.createTable(new Table({ … }))` and Sequelize `queryInterface.createTable('users', { … })`

const TYPEORM_RUNNER = new Set(['createTable', 'dropTable', 'renameTable', 'addColumn', 'addColumns', 'dropColumn', 'renameColumn', 'createIndex', 'dropIndex', 'createUniqueConstraint', 'dropUniqueConstraint']);
const SEQUELIZE_INTERFACE = new Set(['createTable', 'dropTable', 'renameTable', 'addColumn', 'removeColumn', 'renameColumn', 'addIndex', 'removeIndex', 'addConstraint', 'removeConstraint']);

function ormMigrationApi(base: Node, steps: Step[]): 'typeorm' | 'sequelize' | null {
  if (steps.length !== 1) return null;
  const n = unwrap(base);
  const name = n.type === AST_NODE_TYPES.Identifier ? n.name : n.type === AST_NODE_TYPES.MemberExpression ? propertyName(n) : null;
  if (name === null) return null;
  if (/^queryRunner$/i.test(name) && TYPEORM_RUNNER.has(steps[0]!.name)) return 'typeorm';
  if (/^queryInterface$/i.test(name) && SEQUELIZE_INTERFACE.has(steps[0]!.name)) return 'sequelize';
  return null;
}

/** `new Table({ … })` / `new TableColumn({ … })` → its options object; a plain object as is. */
function newOptions(node: Node | undefined): TSESTree.ObjectExpression | null {
  if (!node) return null;
  const n = unwrap(node);
  if (n.type === AST_NODE_TYPES.NewExpression) return objectArg(n.arguments[0] as Node | undefined);
  return objectArg(n);
}

function tableRef(name: string): string {
  return name.split('.').map(quoteIdent).join('.');
}

function arrayElements(node: Node | undefined): Node[] {
  if (!node) return [];
  const n = unwrap(node);
  return n.type === AST_NODE_TYPES.ArrayExpression ? n.elements.filter((e): e is TSESTree.Expression => !!e && e.type !== AST_NODE_TYPES.SpreadElement) : [];
}

function typeormColumn(cx: Context, options: TSESTree.ObjectExpression): { name: string; sql: string; unique: boolean } | null {
  const name = stringOf(cx, prop(options, 'name'));
  if (name === undefined) return null;
  const type = stringOf(cx, prop(options, 'type')) ?? 'text';
  const nullable = boolOf(prop(options, 'isNullable')) === true;
  const primary = boolOf(prop(options, 'isPrimary')) === true;
  const sqlType = /^[a-z][a-z0-9 _]*(?:\(\d+(?:,\s*\d+)?\))?$/i.test(type) ? type : 'text';
  return { name, sql: `${quoteIdent(name)} ${sqlType}${nullable ? '' : ' NOT NULL'}${primary ? ' PRIMARY KEY' : ''}`, unique: boolOf(prop(options, 'isUnique')) === true };
}

function typeormMigration(cx: Context, ddl: Ddl, step: Step): void {
  const at = step.at;
  const tableOf = (node: Node | undefined): string | undefined => stringOf(cx, node) ?? stringOf(cx, prop(newOptions(node), 'name'));
  switch (step.name) {
    case 'createTable': {
      const options = newOptions(step.args[0]);
      const table = stringOf(cx, prop(options, 'name'));
      if (!options || table === undefined) {
        cx.problems.push({ at, message: 'cannot read the table given to queryRunner.createTable(…)' });
        return;
      }
      const target = tableRef(table);
      const items: Array<{ sql: string; pos: number }> = [];
      const uniques: Array<{ name: string | undefined; columns: string[]; where?: string; pos: number; constraint: boolean }> = [];
      for (const element of arrayElements(prop(options, 'columns'))) {
        const column = typeormColumn(cx, newOptions(element) ?? (element as TSESTree.ObjectExpression));
        if (!column) {
          cx.problems.push({ at: element.range[0], message: `cannot read a column of table "${table}"` });
          continue;
        }
        items.push({ sql: column.sql, pos: element.range[0] });
        if (column.unique) uniques.push({ name: undefined, columns: [column.name], pos: element.range[0], constraint: true });
      }
      for (const element of arrayElements(prop(options, 'uniques'))) {
        const u = newOptions(element);
        const columns = namesOf(cx, prop(u, 'columnNames'));
        if (columns) uniques.push({ name: stringOf(cx, prop(u, 'name')), columns, pos: element.range[0], constraint: true });
      }
      for (const element of arrayElements(prop(options, 'indices'))) {
        const index = newOptions(element);
        const columns = namesOf(cx, prop(index, 'columnNames'));
        if (!columns || boolOf(prop(index, 'isUnique')) !== true) continue;
        const where = stringOf(cx, prop(index, 'where'));
        uniques.push({ name: stringOf(cx, prop(index, 'name')), columns, ...(where !== undefined ? { where } : {}), pos: element.range[0], constraint: false });
      }
      ddl.statement(`CREATE TABLE ${boolOf(step.args[1]) === true ? 'IF NOT EXISTS ' : ''}`, at).add(target, posOf(prop(options, 'name'), at)).add(' (', at);
      items.forEach((c, i) => ddl.add(i === 0 ? '\n  ' : ',\n  ', c.pos).add(c.sql, c.pos));
      ddl.add('\n)', at);
      const bare = table.split('.').pop()!;
      for (const u of uniques) writeUnique(ddl, target, u.name ?? `${bare}_${u.columns.join('_')}_key`, u.columns, u.where, u.pos, u.constraint);
      return;
    }
    case 'dropTable': {
      const table = tableOf(step.args[0]);
      if (table !== undefined) ddl.statement(`DROP TABLE ${boolOf(step.args[1]) === true ? 'IF EXISTS ' : ''}${tableRef(table)}`, at);
      return;
    }
    case 'renameTable': {
      const from = tableOf(step.args[0]);
      const to = stringOf(cx, step.args[1]);
      if (from !== undefined && to !== undefined) ddl.statement(`ALTER TABLE ${tableRef(from)} RENAME TO ${quoteIdent(to.split('.').pop()!)}`, at);
      return;
    }
    case 'addColumn':
    case 'addColumns': {
      const table = tableOf(step.args[0]);
      const columns = step.name === 'addColumn' ? [step.args[1] as Node] : arrayElements(step.args[1]);
      if (table === undefined) return;
      for (const element of columns) {
        const options = newOptions(element);
        const column = options ? typeormColumn(cx, options) : null;
        if (!column) {
          cx.problems.push({ at: element?.range[0] ?? at, message: `cannot read a column added to "${table}"` });
          continue;
        }
        ddl.statement(`ALTER TABLE ${tableRef(table)} ADD COLUMN `, element.range[0]).add(column.sql, element.range[0]);
        if (column.unique) writeUnique(ddl, tableRef(table), `${table.split('.').pop()}_${column.name}_key`, [column.name], undefined, element.range[0], true);
      }
      return;
    }
    case 'dropColumn': {
      const table = tableOf(step.args[0]);
      const column = stringOf(cx, step.args[1]) ?? stringOf(cx, prop(newOptions(step.args[1]), 'name'));
      if (table !== undefined && column !== undefined) ddl.statement(`ALTER TABLE ${tableRef(table)} DROP COLUMN ${quoteIdent(column)}`, at);
      return;
    }
    case 'renameColumn': {
      const table = tableOf(step.args[0]);
      const from = stringOf(cx, step.args[1]) ?? stringOf(cx, prop(newOptions(step.args[1]), 'name'));
      const to = stringOf(cx, step.args[2]) ?? stringOf(cx, prop(newOptions(step.args[2]), 'name'));
      if (table !== undefined && from !== undefined && to !== undefined) ddl.statement(`ALTER TABLE ${tableRef(table)} RENAME COLUMN ${quoteIdent(from)} TO ${quoteIdent(to)}`, at);
      return;
    }
    case 'createIndex':
    case 'createUniqueConstraint': {
      const table = tableOf(step.args[0]);
      const options = newOptions(step.args[1]);
      const columns = namesOf(cx, prop(options, 'columnNames'));
      if (table === undefined || !columns) {
        cx.problems.push({ at, message: `cannot read queryRunner.${step.name}(…)` });
        return;
      }
      const unique = step.name === 'createUniqueConstraint' || boolOf(prop(options, 'isUnique')) === true;
      if (!unique) return;
      const where = stringOf(cx, prop(options, 'where'));
      const name = stringOf(cx, prop(options, 'name')) ?? `${table.split('.').pop()}_${columns.join('_')}_key`;
      writeUnique(ddl, tableRef(table), name, columns, where, at, step.name === 'createUniqueConstraint');
      return;
    }
    case 'dropIndex':
    case 'dropUniqueConstraint': {
      const table = tableOf(step.args[0]);
      const name = stringOf(cx, step.args[1]) ?? stringOf(cx, prop(newOptions(step.args[1]), 'name'));
      if (table === undefined || name === undefined) return;
      if (step.name === 'dropIndex') ddl.statement(`DROP INDEX IF EXISTS ${quoteIdent(name)}`, at);
      else ddl.statement(`ALTER TABLE ${tableRef(table)} DROP CONSTRAINT IF EXISTS ${quoteIdent(name)}`, at);
      return;
    }
    default:
      return;
  }
}

function writeUnique(ddl: Ddl, target: string, name: string, columns: string[], where: string | undefined, pos: number, constraint: boolean): void {
  if (constraint && where === undefined) {
    ddl.statement('ALTER TABLE ', pos).add(target, pos).add(` ADD CONSTRAINT ${quoteIdent(name)} UNIQUE (${columnList(columns)})`, pos);
  } else {
    ddl.statement(`CREATE UNIQUE INDEX ${quoteIdent(name)} ON `, pos).add(target, pos).add(` (${columnList(columns)})${where !== undefined ? ` WHERE ${where}` : ''}`, pos);
  }
}

/** `Sequelize.DATE`, `DataTypes.BOOLEAN`, `Sequelize.STRING(320)` → an SQL type. */
function sequelizeType(node: Node | undefined): string {
  if (!node) return 'text';
  let n = unwrap(node);
  if (n.type === AST_NODE_TYPES.CallExpression) n = unwrap(n.callee);
  const name = n.type === AST_NODE_TYPES.MemberExpression ? propertyName(n) : n.type === AST_NODE_TYPES.Identifier ? n.name : null;
  switch (name) {
    case 'DATE':
      return 'timestamptz';
    case 'DATEONLY':
      return 'date';
    case 'BOOLEAN':
      return 'boolean';
    case 'INTEGER':
      return 'integer';
    case 'BIGINT':
      return 'bigint';
    case 'UUID':
      return 'uuid';
    case 'JSONB':
      return 'jsonb';
    default:
      return 'text';
  }
}

function sequelizeColumn(cx: Context, name: string, node: Node): string {
  const spec = objectArg(node);
  if (!spec) return `${quoteIdent(name)} ${sequelizeType(node)}`;
  const notNull = boolOf(prop(spec, 'allowNull')) === false;
  const primary = boolOf(prop(spec, 'primaryKey')) === true;
  return `${quoteIdent(name)} ${sequelizeType(prop(spec, 'type'))}${notNull ? ' NOT NULL' : ''}${primary ? ' PRIMARY KEY' : ''}`;
}

function sequelizeMigration(cx: Context, ddl: Ddl, step: Step): void {
  const at = step.at;
  const tableNode = step.args[0];
  const tableObject = objectArg(tableNode);
  const table = stringOf(cx, tableNode) ?? stringOf(cx, prop(tableObject, 'tableName'));
  if (table === undefined) {
    cx.problems.push({ at, message: `cannot read the table of queryInterface.${step.name}(…): it is not spelled out` });
    return;
  }
  const schema = stringOf(cx, prop(tableObject, 'schema'));
  const target = qualified(schema, table);
  const tablePos = posOf(tableNode, at);
  switch (step.name) {
    case 'createTable': {
      const attributes = objectArg(step.args[1]);
      if (!attributes) {
        cx.problems.push({ at, message: `cannot read the columns of table "${table}"` });
        return;
      }
      const items: Array<{ sql: string; pos: number }> = [];
      const uniques: Array<{ column: string; pos: number }> = [];
      for (const p of attributes.properties) {
        if (p.type !== AST_NODE_TYPES.Property || p.computed) continue;
        const key = p.key.type === AST_NODE_TYPES.Identifier ? p.key.name : p.key.type === AST_NODE_TYPES.Literal ? String(p.key.value) : null;
        if (key === null) continue;
        const name = stringOf(cx, prop(objectArg(p.value as Node), 'field')) ?? key;
        items.push({ sql: sequelizeColumn(cx, name, p.value as Node), pos: posOf(p.key, p.range[0]) });
        const unique = prop(objectArg(p.value as Node), 'unique');
        if (unique && boolOf(unique) !== false) uniques.push({ column: name, pos: posOf(p.key, p.range[0]) });
      }
      ddl.statement('CREATE TABLE ', at).add(target, tablePos).add(' (', tablePos);
      items.forEach((c, i) => ddl.add(i === 0 ? '\n  ' : ',\n  ', c.pos).add(c.sql, c.pos));
      ddl.add('\n)', tablePos);
      for (const u of uniques) writeUnique(ddl, target, `${table}_${u.column}_key`, [u.column], undefined, u.pos, true);
      return;
    }
    case 'dropTable':
      ddl.statement('DROP TABLE IF EXISTS ', at).add(target, tablePos);
      return;
    case 'renameTable': {
      const to = stringOf(cx, step.args[1]);
      if (to !== undefined) ddl.statement('ALTER TABLE ', at).add(target, tablePos).add(` RENAME TO ${quoteIdent(to)}`, at);
      return;
    }
    case 'addColumn': {
      const column = stringOf(cx, step.args[1]);
      if (column === undefined || !step.args[2]) {
        cx.problems.push({ at, message: `cannot read the column added to "${table}": it is not spelled out` });
        return;
      }
      const pos = posOf(step.args[1], at);
      ddl.statement('ALTER TABLE ', at).add(target, tablePos).add(' ADD COLUMN ', pos).add(sequelizeColumn(cx, column, step.args[2] as Node), pos);
      const unique = prop(objectArg(step.args[2] as Node), 'unique');
      if (unique && boolOf(unique) !== false) writeUnique(ddl, target, `${table}_${column}_key`, [column], undefined, pos, true);
      return;
    }
    case 'removeColumn': {
      const column = stringOf(cx, step.args[1]);
      if (column !== undefined) ddl.statement('ALTER TABLE ', at).add(target, tablePos).add(` DROP COLUMN ${quoteIdent(column)}`, at);
      return;
    }
    case 'renameColumn': {
      const from = stringOf(cx, step.args[1]);
      const to = stringOf(cx, step.args[2]);
      if (from !== undefined && to !== undefined) ddl.statement('ALTER TABLE ', at).add(target, tablePos).add(` RENAME COLUMN ${quoteIdent(from)} TO ${quoteIdent(to)}`, at);
      return;
    }
    case 'addIndex':
    case 'addConstraint': {
      const second = objectArg(step.args[1]);
      const options = second ?? objectArg(step.args[2]);
      const columns = namesOf(cx, second ? prop(second, 'fields') : step.args[1]);
      if (!columns) {
        cx.problems.push({ at, message: `cannot read the fields of queryInterface.${step.name}(…) on "${table}"` });
        return;
      }
      const unique = step.name === 'addIndex' ? boolOf(prop(options, 'unique')) === true : /^unique$/i.test(stringOf(cx, prop(options, 'type')) ?? '');
      if (!unique) return;
      const whereNode = prop(options, 'where');
      let where: string | undefined;
      if (whereNode) {
        where = sequelizeWhereText(whereNode);
        if (where === undefined) {
          cx.problems.push({ at: whereNode.range[0], message: `cannot read the where of a unique index on "${table}": use { column: null } or a literal` });
          return;
        }
      }
      const name = stringOf(cx, prop(options, 'name')) ?? `${table}_${columns.join('_')}${step.name === 'addConstraint' ? '_uk' : ''}`;
      writeUnique(ddl, target, name, columns, where, at, step.name === 'addConstraint');
      return;
    }
    case 'removeIndex': {
      const name = stringOf(cx, step.args[1]) ?? (namesOf(cx, step.args[1]) ? `${table}_${namesOf(cx, step.args[1])!.join('_')}` : undefined);
      if (name !== undefined) ddl.statement(`DROP INDEX IF EXISTS ${quoteIdent(name)}`, at);
      return;
    }
    case 'removeConstraint': {
      const name = stringOf(cx, step.args[1]);
      if (name !== undefined) ddl.statement('ALTER TABLE ', at).add(target, tablePos).add(` DROP CONSTRAINT IF EXISTS ${quoteIdent(name)}`, at);
      return;
    }
    default:
      return;
  }
}

/** A Sequelize `where` of literals: `{ deleted_at: null }` → `deleted_at IS NULL`; keys through `column`. */
export function sequelizeWhereText(node: Node, column: (key: string) => string = (key) => key): string | undefined {
  const object = objectArg(node);
  if (!object) return undefined;
  const parts: string[] = [];
  for (const p of object.properties) {
    if (p.type !== AST_NODE_TYPES.Property || p.computed) return undefined;
    const key = p.key.type === AST_NODE_TYPES.Identifier ? p.key.name : p.key.type === AST_NODE_TYPES.Literal ? String(p.key.value) : null;
    if (key === null) return undefined;
    const value = sqlLiteral(p.value as Node);
    if (value === undefined) return undefined;
    parts.push(value === 'NULL' ? `${quoteIdent(column(key))} IS NULL` : `${quoteIdent(column(key))} = ${value}`);
  }
  return parts.length ? parts.join(' AND ') : undefined;
}
