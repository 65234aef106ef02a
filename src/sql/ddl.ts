/**
 * DDL read once. A parsed statement becomes a list of schema events — "table created with these columns",
 * "unique index added", "stream table defined by this query", "policy created" — which are plain data: no parser
 * node, names and SQL text only, positions as string indices into the statement's source text (optional).
 *
 * Two consumers read the same events, so they cannot drift: the schema loader applies them to the schema model
 * (`schema/apply.ts`), and the statement model turns the definitions among them into the definitions the checks
 * judge (`lower.ts`). A loader that reads a schema from somewhere else (a query builder's `createTable`, an ORM's
 * models) can emit the same events — or synthesize SQL and let this module read it.
 *
 * Function-call DDL (pg_trickle's `pgtrickle.create_stream_table(…)` family, pg_ivm's `create_immv`) is
 * recognised in one place, `streamCall`, with positional and named arguments.
 */
import type { ParsedStatement, RawNode } from './parser.js';
import type { SqlSource } from './source.js';
import { parseCached, statementSource } from './source.js';
import { tokenize } from './parser.js';
import { constString, fieldsOf, list, nameList, num, str, stringValue, unwrap, walkTree, type Fields } from './ast.js';
import { lowerPredicate, type Predicate } from './predicate.js';
import { lowerConstraints, type UniqueDeclaration } from './constraints.js';
import { figureColname, splitQualifiedName } from './naming.js';
import { findTopLevel, matchingParen, stringBodyOffset } from './sqltext.js';
import { nameSpanInText } from './layout.js';

/** A relation name as written: `schema` null when unqualified (resolved against the search path when applied). */
export interface QualifiedName {
  schema: string | null;
  name: string;
}

/** A UNIQUE constraint, a unique index or an `=`-only EXCLUDE constraint. */
export interface DdlUnique {
  kind: 'constraint' | 'index';
  /** Explicit name, or null: PostgreSQL's default is chosen when applied (`users_email_key`). */
  name: string | null;
  /** Key columns; an expression key as its SQL text (`lower(email)`). */
  columns: string[];
  /** What a default name is made of (PostgreSQL's ChooseIndexColumnNames: `lower` for `lower(email)`). */
  nameParts: string[];
  /** Default-name suffix. */
  label: 'key' | 'idx' | 'excl';
  /** Partial predicate as SQL text, or null. */
  where: string | null;
  nullsNotDistinct: boolean;
  /** Source index the unique is anchored at (the constraint, or the CREATE INDEX statement). */
  at?: number;
}

export interface DdlForeignKey {
  name: string | null;
  columns: string[];
  references: QualifiedName;
  /** Referenced columns ([] = the referenced table's primary key). */
  refColumns: string[];
  onDelete: 'no-action' | 'restrict' | 'cascade' | 'set-null' | 'set-default';
  /** Source index of the constraint (for a column constraint: the `REFERENCES` keyword). */
  at?: number;
  /** Source span of the referenced table's name. */
  span?: { start: number; end: number };
}

/** A query a definition stores: its text, and where it sits in the source. */
export interface DdlQuery {
  text: string;
  /** Source index of `text`'s first character (for a string literal: the first character of its body). */
  start?: number;
  /** The query is the body of the string literal token starting at this source index. */
  literalAt?: number;
}

/** What `CREATE TABLE` lists, in order: columns, and `LIKE other` (whose columns are copied when applied). */
export type DdlTableElement = { column: string; notNull?: boolean } | { like: QualifiedName; includingIndexes: boolean };

export type DdlAlterAction =
  | { op: 'add-column'; column: string; ifNotExists: boolean; primaryKey: boolean; notNull?: boolean; uniques: DdlUnique[]; foreignKeys: DdlForeignKey[] }
  /** `ALTER COLUMN … SET / DROP NOT NULL`. */
  | { op: 'not-null'; column: string; notNull: boolean }
  | { op: 'drop-column'; column: string }
  | { op: 'add-unique'; unique: DdlUnique }
  /** `ADD [CONSTRAINT name] UNIQUE USING INDEX index`: the index becomes the constraint. */
  | { op: 'unique-using-index'; index: string; name: string | null }
  | { op: 'add-foreign-key'; foreignKey: DdlForeignKey }
  | { op: 'drop-constraint'; name: string }
  | { op: 'row-security'; enable: boolean }
  | { op: 'force-row-security'; force: boolean };

export type DefinedKind = 'view' | 'materialized-view' | 'continuous-aggregate' | 'stream-table' | 'immv' | 'table';

export type DdlEvent =
  | {
      type: 'create-table';
      table: QualifiedName;
      ifNotExists: boolean;
      elements: DdlTableElement[];
      inherits: QualifiedName[];
      primaryKey: string[] | null;
      uniques: DdlUnique[];
      foreignKeys: DdlForeignKey[];
      /** Source span of the table name. */
      nameSpan?: { start: number; end: number };
      at?: number;
    }
  | {
      type: 'alter-table';
      table: QualifiedName;
      /** `ALTER TABLE IF EXISTS`: a table never seen is not invented. */
      missingOk: boolean;
      actions: DdlAlterAction[];
      at?: number;
    }
  /** A unique index (non-unique indexes carry `unique: false` and are informational). */
  | {
      type: 'create-index';
      table: QualifiedName;
      ifNotExists: boolean;
      unique: boolean;
      index: DdlUnique;
      at?: number;
      /** Source span of `CREATE [UNIQUE] INDEX … ON table`, and the end of the statement (where ` WHERE …` goes). */
      span?: { start: number; end: number };
      end?: number;
    }
  /**
   * A relation defined by a query: views, materialized views (and TimescaleDB continuous aggregates), pg_trickle
   * stream tables, pg_ivm IMMVs, `CREATE TABLE … AS`. `mode` says how an existing relation of that name is treated;
   * `alter` changes the query of an existing stream table (and nothing else when `query` is null).
   */
  | {
      type: 'define';
      kind: DefinedKind;
      name: QualifiedName;
      mode: 'create' | 'replace' | 'if-not-exists' | 'alter';
      /** `CREATE VIEW v (a, b)` / `CREATE TABLE t (a, b) AS`. */
      columnAliases: string[];
      query: DdlQuery | null;
      /** Source span of the name (or of the function call) — where a report about the definition goes. */
      nameSpan?: { start: number; end: number };
      at?: number;
    }
  | { type: 'drop-relations'; names: QualifiedName[]; cascade: boolean }
  /** `drop_stream_table('name')`: drops only a stream table / IMMV of that name. */
  | { type: 'drop-stream-table'; name: QualifiedName }
  | { type: 'drop-indexes'; names: QualifiedName[] }
  | { type: 'drop-policies'; table: QualifiedName; names: string[] }
  | { type: 'drop-schemas'; schemas: string[]; cascade: boolean }
  | { type: 'rename-relation'; table: QualifiedName; to: string }
  | { type: 'rename-column'; table: QualifiedName; from: string; to: string }
  | { type: 'rename-constraint'; table: QualifiedName; from: string; to: string }
  | { type: 'rename-index'; index: QualifiedName; to: string }
  | { type: 'rename-policy'; table: QualifiedName; from: string; to: string }
  | { type: 'set-schema'; table: QualifiedName; schema: string }
  | {
      type: 'policy';
      op: 'create' | 'alter';
      table: QualifiedName;
      name: string;
      /** USING predicate text; null when absent (for `alter`: unchanged). */
      using: string | null;
      /** `FOR SELECT | INSERT | UPDATE | DELETE | ALL`. */
      command: 'all' | 'select' | 'insert' | 'update' | 'delete';
      permissive: boolean;
      /** Source span of the policy name. */
      nameSpan?: { start: number; end: number };
      at?: number;
    }
  | {
      type: 'trigger';
      table: QualifiedName;
      name: string;
      timing: 'before' | 'after' | 'instead';
      events: Array<'insert' | 'update' | 'delete' | 'truncate'>;
      /** `UPDATE OF a, b`: the columns; [] for any column. */
      updateColumns: string[];
      forEachRow: boolean;
      /** The WHEN condition as SQL text, or null. */
      when: string | null;
      /** The function it executes (qualified name as written). */
      function: QualifiedName;
      at?: number;
    }
  | { type: 'drop-trigger'; table: QualifiedName; name: string }
  | { type: 'create-function'; name: QualifiedName; language: string; body: string | null; replace: boolean }
  /** `SET search_path` (`path` null: back to the initial path). */
  | { type: 'search-path'; path: string[] | null }
  /** SQL nested in the statement that runs as if written there (DDL inside `DO $$ … $$`): read it the same way. */
  | { type: 'nested'; text: string; start: number };

const internals = new WeakMap<object, RawNode>();

/** The parse of a definition's query when it came from a parsed statement (null for events built by a loader). */
export function queryNodeOf(event: DdlEvent): RawNode | null {
  return internals.get(event) ?? null;
}

// ---------------------------------------------------------------------------------------------------------------
// Function-call DDL

const STREAM_FUNCTIONS: Record<string, { kind: 'stream-table' | 'immv'; mode: 'create' | 'replace' | 'if-not-exists' | 'alter' | 'drop' }> = {
  create_stream_table: { kind: 'stream-table', mode: 'create' },
  create_or_replace_stream_table: { kind: 'stream-table', mode: 'replace' },
  create_stream_table_if_not_exists: { kind: 'stream-table', mode: 'if-not-exists' },
  alter_stream_table: { kind: 'stream-table', mode: 'alter' },
  drop_stream_table: { kind: 'stream-table', mode: 'drop' },
  create_immv: { kind: 'immv', mode: 'create' },
};
/** Schemas the extensions install into (or none written: on the search path). */
const STREAM_SCHEMAS = new Set(['pgtrickle', 'pgivm', 'public']);
/** Parameter names: pg_trickle's (`name`, `query`), pg_ivm's (`immv_name`, `view_definition`). */
const NAME_PARAMETERS = ['name', 'immv_name', 'table_name'];
const QUERY_PARAMETERS = ['query', 'view_definition'];

export interface StreamCall {
  kind: 'stream-table' | 'immv';
  mode: 'create' | 'replace' | 'if-not-exists' | 'alter' | 'drop';
  name: { value: string; location: number } | null;
  query: { value: string; location: number } | null;
  /** The call's location (its function name). */
  location: number;
}

/**
 * A pg_trickle / pg_ivm DDL call. Arguments by position or by name; `alter_stream_table` takes its query only by
 * name (`query => …`): its other parameters (schedule, refresh mode, …) are not queries.
 */
export function streamCall(node: unknown): StreamCall | null {
  const call = fieldsOf(node, 'FuncCall');
  if (!call) return null;
  const names = nameList(call.funcname).map((n) => n.toLowerCase());
  const fn = STREAM_FUNCTIONS[names[names.length - 1] ?? ''];
  const schema = names.length > 1 ? names[names.length - 2]! : 'public';
  if (!fn || !STREAM_SCHEMAS.has(schema)) return null;
  const positional: unknown[] = [];
  const named = new Map<string, unknown>();
  for (const arg of list(call.args)) {
    const na = fieldsOf(arg, 'NamedArgExpr');
    if (na) named.set((str(na.name) ?? '').toLowerCase(), na.arg);
    else positional.push(arg);
  }
  const argument = (index: number | null, parameters: string[]): unknown => {
    for (const p of parameters) if (named.has(p)) return named.get(p);
    return index === null ? undefined : positional[index];
  };
  const name = constString(argument(0, NAME_PARAMETERS)) ?? null;
  const query = fn.mode === 'drop' ? null : (constString(argument(fn.mode === 'alter' ? null : 1, QUERY_PARAMETERS)) ?? null);
  return { kind: fn.kind, mode: fn.mode, name, query, location: num(call.location) ?? -1 };
}

// ---------------------------------------------------------------------------------------------------------------
// The reader

class DdlReader {
  readonly events: DdlEvent[] = [];

  constructor(
    private readonly source: SqlSource,
    private readonly statement: ParsedStatement,
    private readonly declarations: UniqueDeclaration[] | undefined,
  ) {}

  private get tokens() {
    return this.source.layout.tokens;
  }

  private emit(event: DdlEvent, queryNode?: unknown): void {
    if (queryNode && typeof queryNode === 'object') internals.set(event, queryNode as RawNode);
    this.events.push(event);
  }

  /** Token range of the statement: [from, to). */
  private range(): { from: number; to: number } {
    return { from: this.source.layout.indexAt(this.statement.start), to: this.source.layout.indexAt(this.statement.end) };
  }

  private spanText(from: number, to: number): { text: string; start: number } | undefined {
    const first = this.tokens[from];
    const last = this.tokens[to - 1];
    if (!first || !last || to <= from) return undefined;
    return { text: this.source.fragment.text.slice(first.start, last.end), start: first.start };
  }

  private groupInside(open: number): { text: string; start: number } | undefined {
    if (this.tokens[open]?.text !== '(') return undefined;
    const close = matchingParen(this.tokens, open);
    return close < 0 ? undefined : this.spanText(open + 1, close);
  }

  private read(): void {
    const n = unwrap(this.statement.node);
    if (!n) return;
    const f = n.fields;
    switch (n.type) {
      case 'CreateStmt':
        return this.createTable(f);
      case 'CreateForeignTableStmt': {
        const base = f.base;
        if (base && typeof base === 'object') this.createTable(base as Fields);
        return;
      }
      case 'AlterTableStmt':
        return this.alterTable(f);
      case 'RenameStmt':
        return this.rename(f);
      case 'AlterObjectSchemaStmt': {
        const kinds = ['OBJECT_TABLE', 'OBJECT_VIEW', 'OBJECT_MATVIEW', 'OBJECT_FOREIGN_TABLE'];
        const table = qualifiedName(f.relation);
        const schema = str(f.newschema);
        if (kinds.includes(String(f.objectType)) && table && schema !== undefined) this.emit({ type: 'set-schema', table, schema });
        return;
      }
      case 'IndexStmt':
        return this.createIndex(f);
      case 'DropStmt':
        return this.drop(f);
      case 'ViewStmt':
        return this.createView(f);
      case 'CreateTableAsStmt':
        return this.createTableAs(f);
      case 'CreatePolicyStmt':
      case 'AlterPolicyStmt':
        return this.policy(f, n.type === 'CreatePolicyStmt');
      case 'CreateTrigStmt':
        return this.trigger(f);
      case 'CreateFunctionStmt':
        return this.createFunction(f);
      case 'VariableSetStmt':
        return this.setVariable(f);
      case 'DoStmt':
        return this.doBlock(f);
      case 'SelectStmt':
        return this.calls(f);
      default:
        return;
    }
  }

  // -------------------------------------------------------------------------------------------------------------
  // Tables and constraints

  /** Uniqueness declarations of this statement, read once by the constraint lowering, as plain events. */
  private uniquesByLocation(): Map<number, DdlUnique> {
    const byAnchor = new Map<number, DdlUnique>();
    for (const d of this.declarations ?? lowerConstraints(this.source, this.statement)) byAnchor.set(d.anchor, uniqueOf(d));
    return byAnchor;
  }

  private createTable(f: Fields): void {
    const rv = rangeVar(f.relation);
    const table = qualifiedName(rv);
    if (!rv || !table || rv.relpersistence === 't') return;
    const uniques = this.uniquesByLocation();
    const event: Extract<DdlEvent, { type: 'create-table' }> = {
      type: 'create-table',
      table,
      ifNotExists: f.if_not_exists === true,
      elements: [],
      inherits: list(f.inhRelations).map(qualifiedName).filter((q): q is QualifiedName => q !== null),
      primaryKey: null,
      uniques: [],
      foreignKeys: [],
      nameSpan: nameSpanInText(this.source.parsed.text, num(rv.location) ?? this.statement.start),
      at: this.statement.start,
    };
    const constraint = (c: Fields, column: string | undefined): void => {
      const contype = str(c.contype);
      if (contype === 'CONSTR_PRIMARY') {
        const keys = column !== undefined ? [column] : nameList(c.keys);
        if (keys.length) event.primaryKey = keys;
      } else if (contype === 'CONSTR_UNIQUE' || contype === 'CONSTR_EXCLUSION') {
        const unique = uniques.get(num(c.location) ?? -1);
        if (unique) event.uniques.push(unique);
      } else if (contype === 'CONSTR_FOREIGN') {
        const fk = this.foreignKey(c, column);
        if (fk) event.foreignKeys.push(fk);
      }
    };
    for (const element of list(f.tableElts)) {
      const column = fieldsOf(element, 'ColumnDef');
      if (column) {
        const name = str(column.colname);
        if (name === undefined) continue;
        const element: DdlTableElement = { column: name };
        event.elements.push(element);
        for (const c of list(column.constraints)) {
          const cf = fieldsOf(c, 'Constraint');
          if (cf?.contype === 'CONSTR_NOTNULL' || cf?.contype === 'CONSTR_PRIMARY') element.notNull = true;
          if (cf) constraint(cf, name);
        }
        continue;
      }
      const like = fieldsOf(element, 'TableLikeClause');
      if (like) {
        const from = qualifiedName(like.relation);
        if (from) event.elements.push({ like: from, includingIndexes: ((num(like.options) ?? 0) & LIKE_INCLUDING_INDEXES) !== 0 });
        continue;
      }
      const cf = fieldsOf(element, 'Constraint');
      if (cf) constraint(cf, undefined);
    }
    this.emit(event);
  }

  private alterTable(f: Fields): void {
    const objtype = str(f.objtype) ?? 'OBJECT_TABLE';
    if (objtype !== 'OBJECT_TABLE' && objtype !== 'OBJECT_FOREIGN_TABLE' && objtype !== 'OBJECT_MATVIEW') return;
    const table = qualifiedName(f.relation);
    if (!table) return;
    const uniques = this.uniquesByLocation();
    const actions: DdlAlterAction[] = [];
    for (const raw of list(f.cmds)) {
      const cmd = fieldsOf(raw, 'AlterTableCmd');
      if (!cmd) continue;
      switch (cmd.subtype) {
        case 'AT_AddColumn': {
          const column = fieldsOf(cmd.def, 'ColumnDef');
          const name = str(column?.colname);
          if (name === undefined) break;
          const action: Extract<DdlAlterAction, { op: 'add-column' }> = {
            op: 'add-column',
            column: name,
            ifNotExists: cmd.missing_ok === true,
            primaryKey: false,
            uniques: [],
            foreignKeys: [],
          };
          for (const c of list(column?.constraints)) {
            const cf = fieldsOf(c, 'Constraint');
            if (cf?.contype === 'CONSTR_NOTNULL' || cf?.contype === 'CONSTR_PRIMARY') action.notNull = true;
            if (cf?.contype === 'CONSTR_PRIMARY') action.primaryKey = true;
            else if (cf?.contype === 'CONSTR_FOREIGN') {
              const fk = this.foreignKey(cf, name);
              if (fk) action.foreignKeys.push(fk);
            } else if (cf) {
              const unique = uniques.get(num(cf.location) ?? -1);
              if (unique) action.uniques.push(unique);
            }
          }
          actions.push(action);
          break;
        }
        case 'AT_SetNotNull':
        case 'AT_DropNotNull': {
          const name = str(cmd.name);
          if (name !== undefined) actions.push({ op: 'not-null', column: name, notNull: cmd.subtype === 'AT_SetNotNull' });
          break;
        }
        case 'AT_DropColumn': {
          const name = str(cmd.name);
          if (name !== undefined) actions.push({ op: 'drop-column', column: name });
          break;
        }
        case 'AT_AddConstraint': {
          const c = fieldsOf(cmd.def, 'Constraint');
          if (!c) break;
          if (c.contype === 'CONSTR_UNIQUE' && str(c.indexname) !== undefined) {
            actions.push({ op: 'unique-using-index', index: str(c.indexname)!, name: str(c.conname) ?? null });
          } else if (c.contype === 'CONSTR_UNIQUE' || c.contype === 'CONSTR_EXCLUSION') {
            const unique = uniques.get(num(c.location) ?? -1);
            if (unique) actions.push({ op: 'add-unique', unique });
          } else if (c.contype === 'CONSTR_FOREIGN') {
            const fk = this.foreignKey(c, undefined);
            if (fk) actions.push({ op: 'add-foreign-key', foreignKey: fk });
          }
          break;
        }
        case 'AT_DropConstraint': {
          const name = str(cmd.name);
          if (name !== undefined) actions.push({ op: 'drop-constraint', name });
          break;
        }
        case 'AT_EnableRowSecurity':
        case 'AT_DisableRowSecurity':
          actions.push({ op: 'row-security', enable: cmd.subtype === 'AT_EnableRowSecurity' });
          break;
        case 'AT_ForceRowSecurity':
        case 'AT_NoForceRowSecurity':
          actions.push({ op: 'force-row-security', force: cmd.subtype === 'AT_ForceRowSecurity' });
          break;
        default:
          break;
      }
    }
    this.emit({ type: 'alter-table', table, missingOk: f.missing_ok === true, actions, at: this.statement.start });
  }

  private createIndex(f: Fields): void {
    const table = qualifiedName(f.relation);
    if (!table) return;
    const unique = f.unique === true;
    let index: DdlUnique | undefined;
    if (unique) index = [...this.uniquesByLocation().values()][0];
    else {
      // A plain index: its keys and predicate, read like a unique one's.
      const columns = list(f.indexParams).map((raw) => {
        const elem = fieldsOf(raw, 'IndexElem');
        return str(elem?.name) ?? figureColname(elem?.expr) ?? 'expr';
      });
      const { to } = this.range();
      const relToken = this.source.layout.indexAt(num(rangeVar(f.relation)?.location) ?? this.statement.start);
      let where: string | null = null;
      if (f.whereClause) {
        const open = findTopLevel(this.tokens, relToken, to, (t) => t.text === '(');
        const close = open < 0 ? -1 : matchingParen(this.tokens, open);
        const w = close < 0 ? -1 : findTopLevel(this.tokens, close + 1, to, (t) => t.keyword === 'WHERE');
        where = w < 0 ? null : (this.spanText(w + 1, to)?.text.trim() ?? null);
      }
      index = { kind: 'index', name: str(f.idxname) ?? null, columns, nameParts: columns, label: 'idx', where, nullsNotDistinct: false, at: this.statement.start };
    }
    if (!index) return;
    const { from, to } = this.range();
    const onTable = nameSpanInText(this.source.parsed.text, num(rangeVar(f.relation)?.location) ?? this.statement.start);
    const last = this.tokens[to - 1];
    this.emit({
      type: 'create-index',
      table,
      ifNotExists: f.if_not_exists === true,
      unique,
      index,
      at: this.statement.start,
      span: { start: this.tokens[from]?.start ?? this.statement.start, end: onTable.end },
      ...(last ? { end: last.end } : {}),
    });
  }

  // -------------------------------------------------------------------------------------------------------------
  // Views, materialized views, CREATE TABLE AS

  /** The query text after the top-level `AS`, without trailing options (`WITH CHECK OPTION`, `WITH NO DATA`). */
  private queryAfterAs(trailing: string[][]): { text: string; start: number } | undefined {
    const { from, to: end } = this.range();
    const as = findTopLevel(this.tokens, from, end, (t) => t.keyword === 'AS');
    if (as < 0) return undefined;
    let to = end;
    for (const words of trailing) {
      const at = to - words.length;
      if (at > as && words.every((w, i) => this.tokens[at + i]?.keyword === w)) {
        to = at;
        break;
      }
    }
    return this.spanText(as + 1, to);
  }

  private createView(f: Fields): void {
    const rv = rangeVar(f.view);
    const name = qualifiedName(rv);
    if (!rv || !name || rv.relpersistence === 't') return;
    const checkOption = f.withCheckOption && f.withCheckOption !== 'NO_CHECK_OPTION';
    const trailing = checkOption ? [['WITH', 'CASCADED', 'CHECK', 'OPTION'], ['WITH', 'LOCAL', 'CHECK', 'OPTION'], ['WITH', 'CHECK', 'OPTION']] : [];
    const span = this.queryAfterAs(trailing);
    this.emit(
      {
        type: 'define',
        kind: 'view',
        name,
        mode: f.replace === true ? 'replace' : 'create',
        columnAliases: nameList(f.aliases),
        query: span ? { text: span.text, start: span.start } : null,
        nameSpan: nameSpanInText(this.source.parsed.text, num(rv.location) ?? this.statement.start),
        at: this.statement.start,
      },
      f.query,
    );
  }

  private createTableAs(f: Fields): void {
    const into = f.into as Fields | undefined;
    const rv = rangeVar(into?.rel);
    const name = qualifiedName(rv);
    if (!rv || !name || rv.relpersistence === 't') return;
    const objtype = str(f.objtype);
    if (objtype !== 'OBJECT_MATVIEW' && objtype !== 'OBJECT_TABLE') return;
    const continuous = list(into?.options).some((o) => {
      const d = fieldsOf(o, 'DefElem');
      return str(d?.defnamespace) === 'timescaledb' && str(d?.defname) === 'continuous';
    });
    const kind: DefinedKind = objtype === 'OBJECT_TABLE' ? 'table' : continuous ? 'continuous-aggregate' : 'materialized-view';
    const span = this.queryAfterAs([['WITH', 'NO', 'DATA'], ['WITH', 'DATA']]);
    this.emit(
      {
        type: 'define',
        kind,
        name,
        mode: f.if_not_exists === true ? 'if-not-exists' : 'create',
        columnAliases: nameList(into?.colNames),
        query: span ? { text: span.text, start: span.start } : null,
        nameSpan: nameSpanInText(this.source.parsed.text, num(rv.location) ?? this.statement.start),
        at: this.statement.start,
      },
      f.query,
    );
  }

  // -------------------------------------------------------------------------------------------------------------
  // SELECT pgtrickle.…(…), set_config('search_path', …)

  private calls(f: Fields): void {
    // Anywhere in the statement (`SELECT * FROM pgtrickle.create_stream_table(…)` too).
    walkTree([f.targetList, f.fromClause], (value) => {
      const call = streamCall(value);
      if (call) this.streamEvent(call);
      const fc = fieldsOf(value, 'FuncCall');
      if (fc && nameList(fc.funcname).pop()?.toLowerCase() === 'set_config') {
        const args = list(fc.args);
        const variable = constString(args[0]);
        const setting = constString(args[1]);
        if (variable?.value.toLowerCase() === 'search_path' && setting) this.emit({ type: 'search-path', path: parseSearchPath([setting.value]) });
      }
    });
  }

  private streamEvent(call: StreamCall): void {
    const parts = call.name ? splitQualifiedName(call.name.value) : [];
    const name = namesToQualified(parts);
    if (!name) return;
    if (call.mode === 'drop') {
      this.emit({ type: 'drop-stream-table', name });
      return;
    }
    let query: DdlQuery | null = null;
    if (call.query) {
      const i = this.source.layout.tokenIndexStartingAt(call.query.location);
      const token = i === undefined ? undefined : this.tokens[i];
      const start = token ? token.start + stringBodyOffset(token) : call.query.location;
      query = { text: call.query.value, start, literalAt: call.query.location };
    }
    if (!query && call.mode !== 'alter') return;
    this.emit({
      type: 'define',
      kind: call.kind,
      name,
      mode: call.mode,
      columnAliases: [],
      query,
      nameSpan: nameSpanInText(this.source.parsed.text, call.location),
      at: this.statement.start,
    });
  }

  // -------------------------------------------------------------------------------------------------------------
  // RENAME, DROP

  private rename(f: Fields): void {
    const table = qualifiedName(f.relation);
    const to = str(f.newname);
    const from = str(f.subname);
    if (to === undefined || !table) return;
    switch (f.renameType) {
      case 'OBJECT_TABLE':
      case 'OBJECT_VIEW':
      case 'OBJECT_MATVIEW':
      case 'OBJECT_FOREIGN_TABLE':
        return this.emit({ type: 'rename-relation', table, to });
      case 'OBJECT_COLUMN':
        if (from !== undefined) this.emit({ type: 'rename-column', table, from, to });
        return;
      case 'OBJECT_TABCONSTRAINT':
        if (from !== undefined) this.emit({ type: 'rename-constraint', table, from, to });
        return;
      case 'OBJECT_INDEX':
        return this.emit({ type: 'rename-index', index: table, to });
      case 'OBJECT_POLICY':
        if (from !== undefined) this.emit({ type: 'rename-policy', table, from, to });
        return;
      default:
        return;
    }
  }

  private drop(f: Fields): void {
    const cascade = f.behavior === 'DROP_CASCADE';
    const objects = list(f.objects).map((o) => nameList(fieldsOf(o, 'List')?.items));
    switch (f.removeType) {
      case 'OBJECT_TABLE':
      case 'OBJECT_VIEW':
      case 'OBJECT_MATVIEW':
      case 'OBJECT_FOREIGN_TABLE':
        return this.emit({ type: 'drop-relations', names: objects.map(namesToQualified).filter(isName), cascade });
      case 'OBJECT_INDEX':
        return this.emit({ type: 'drop-indexes', names: objects.map(namesToQualified).filter(isName) });
      case 'OBJECT_POLICY':
      case 'OBJECT_TRIGGER':
        for (const names of objects) {
          const name = names[names.length - 1];
          const table = namesToQualified(names.slice(0, -1));
          if (name === undefined || !table) continue;
          if (f.removeType === 'OBJECT_POLICY') this.emit({ type: 'drop-policies', table, names: [name] });
          else this.emit({ type: 'drop-trigger', table, name });
        }
        return;
      case 'OBJECT_SCHEMA':
        return this.emit({ type: 'drop-schemas', schemas: list(f.objects).map(stringValue).filter((s): s is string => s !== undefined), cascade });
      default:
        return;
    }
  }

  // -------------------------------------------------------------------------------------------------------------
  // Policies, triggers, functions

  private policy(f: Fields, create: boolean): void {
    const rv = rangeVar(f.table);
    const table = qualifiedName(rv);
    const name = str(f.policy_name);
    if (!table || name === undefined) return;
    let using: string | null = null;
    if (f.qual) {
      const { to } = this.range();
      const afterTable = this.source.layout.indexAt(num(rv?.location) ?? this.statement.start);
      const u = findTopLevel(this.tokens, afterTable, to, (t) => t.keyword === 'USING');
      using = u < 0 ? null : (this.groupInside(u + 1)?.text.trim() ?? null);
    }
    const cmd = (str(f.cmd_name) ?? 'all').toLowerCase();
    const command = (['all', 'select', 'insert', 'update', 'delete'].includes(cmd) ? cmd : 'all') as 'all';
    const first = this.source.layout.indexAt(this.statement.start);
    const nameToken = this.tokens[first + 2];
    const nameSpan = nameToken ? { start: nameToken.start, end: nameToken.end } : undefined;
    this.emit({
      type: 'policy',
      op: create ? 'create' : 'alter',
      table,
      name,
      using,
      command,
      permissive: f.permissive !== false,
      ...(nameSpan ? { nameSpan } : {}),
      at: this.statement.start,
    });
  }

  private trigger(f: Fields): void {
    const table = qualifiedName(f.relation);
    const name = str(f.trigname);
    if (!table || name === undefined) return;
    const timing = num(f.timing) ?? 0;
    const events = num(f.events) ?? 0;
    // pg_trigger tgtype bits: ROW 1, BEFORE 2, INSERT 4, DELETE 8, UPDATE 16, TRUNCATE 32, INSTEAD 64.
    const kinds: Array<'insert' | 'update' | 'delete' | 'truncate'> = [];
    if (events & 4) kinds.push('insert');
    if (events & 16) kinds.push('update');
    if (events & 8) kinds.push('delete');
    if (events & 32) kinds.push('truncate');
    let when: string | null = null;
    if (f.whenClause) {
      const { from, to } = this.range();
      const w = findTopLevel(this.tokens, from, to, (t) => t.keyword === 'WHEN');
      when = w < 0 ? null : (this.groupInside(w + 1)?.text.trim() ?? null);
    }
    const fn = namesToQualified(nameList(f.funcname));
    if (!fn) return;
    this.emit({
      type: 'trigger',
      table,
      name,
      timing: timing & 64 ? 'instead' : timing & 2 ? 'before' : 'after',
      events: kinds,
      updateColumns: nameList(f.columns),
      forEachRow: f.row === true,
      when,
      function: fn,
      at: this.statement.start,
    });
  }

  private createFunction(f: Fields): void {
    const name = namesToQualified(nameList(f.funcname));
    if (!name) return;
    let language = 'sql';
    let body: string | null = null;
    for (const raw of list(f.options)) {
      const def = fieldsOf(raw, 'DefElem');
      if (def?.defname === 'language') language = (stringValue(def.arg) ?? language).toLowerCase();
      else if (def?.defname === 'as') {
        const parts = list(fieldsOf(def.arg, 'List')?.items).map(stringValue);
        body = parts[0] ?? null;
      }
    }
    this.emit({ type: 'create-function', name, language, body, replace: f.replace === true });
  }

  // -------------------------------------------------------------------------------------------------------------
  // SET search_path, DO blocks

  private setVariable(f: Fields): void {
    if (str(f.name)?.toLowerCase() !== 'search_path') return;
    if (f.kind === 'VAR_RESET' || f.kind === 'VAR_SET_DEFAULT') return this.emit({ type: 'search-path', path: null });
    if (f.kind !== 'VAR_SET_VALUE') return;
    const values = list(f.args)
      .map((a) => constString(a)?.value ?? stringValue(a))
      .filter((v): v is string => v !== undefined);
    this.emit({ type: 'search-path', path: parseSearchPath(values) });
  }

  /**
   * `DO $$ BEGIN … END $$`: migrations wrap DDL in PL/pgSQL to make it conditional (`IF NOT EXISTS … THEN ALTER …`,
   * `EXCEPTION WHEN duplicate_object`). The DDL statements inside (and `EXECUTE '<literal>'`) become nested SQL
   * read as if it ran; conditions are not evaluated.
   */
  private doBlock(f: Fields): void {
    let body: { value: string; location: number } | undefined;
    let language = 'plpgsql';
    for (const raw of list(f.args)) {
      const def = fieldsOf(raw, 'DefElem');
      if (def?.defname === 'as') {
        const value = stringValue(def.arg);
        if (value !== undefined) body = { value, location: num(def.location) ?? -1 };
      } else if (def?.defname === 'language') language = (stringValue(def.arg) ?? language).toLowerCase();
    }
    if (!body || language !== 'plpgsql') return;
    const i = this.source.layout.tokenIndexStartingAt(body.location);
    const token = i === undefined ? undefined : this.tokens[i];
    const bodyStart = token ? token.start + stringBodyOffset(token) : Math.max(0, body.location);
    const tokens = tokenize(body.value).filter((t) => t.kind !== 'comment');
    for (let k = 0; k < tokens.length; k++) {
      const t = tokens[k]!;
      const previous = tokens[k - 1];
      const atStart = !previous || previous.text === ';' || DO_AFTER.has(previous.keyword);
      if (!atStart) continue;
      if (DO_STATEMENT_START.has(t.keyword)) {
        let end = findTopLevel(tokens, k, tokens.length, (x) => x.text === ';');
        if (end < 0) end = tokens.length;
        const last = tokens[end - 1]!;
        this.emit({ type: 'nested', text: body.value.slice(t.start, last.end), start: bodyStart + t.start });
        k = end - 1;
      } else if (t.keyword === 'EXECUTE' && tokens[k + 1]?.kind === 'string' && /^(;|USING|INTO)$/i.test(tokens[k + 2]?.text ?? ';')) {
        const literal = tokens[k + 1]!;
        if (/^[eE]'/.test(literal.text)) continue; // escape strings: not worth unescaping here
        const offset = stringBodyOffset(literal);
        const raw = literal.text.slice(offset, literal.text.length - (literal.text.startsWith('$') ? offset : 1));
        const text = literal.text.startsWith("'") ? raw.replace(/''/g, "'") : raw;
        this.emit({ type: 'nested', text, start: bodyStart + literal.start + offset });
        k += 1;
      }
    }
  }

  private foreignKey(c: Fields, column: string | undefined): DdlForeignKey | null {
    const fk = foreignKey(c, column);
    const location = num(rangeVar(c.pktable)?.location);
    if (fk && location !== undefined && location >= 0) fk.span = nameSpanInText(this.source.parsed.text, location);
    return fk;
  }

  run(): DdlEvent[] {
    this.read();
    return this.events;
  }
}

const LIKE_INCLUDING_INDEXES = 1 << 6;
const DO_STATEMENT_START = new Set(['CREATE', 'ALTER', 'DROP']);
const DO_AFTER = new Set(['BEGIN', 'THEN', 'ELSE', 'LOOP']);
const FUNCTION_DDL = /stream_table|create_immv|set_config/i;
const DDL_TYPES = new Set([
  'CreateStmt', 'CreateForeignTableStmt', 'AlterTableStmt', 'RenameStmt', 'AlterObjectSchemaStmt', 'IndexStmt',
  'DropStmt', 'ViewStmt', 'CreateTableAsStmt', 'CreatePolicyStmt', 'AlterPolicyStmt', 'CreateTrigStmt',
  'CreateFunctionStmt', 'VariableSetStmt', 'DoStmt', 'SelectStmt',
]);

/**
 * The schema events of `statement` (of `source`), in order (`uniques`: its uniqueness declarations, when already
 * lowered). Never throws: an unforeseen shape yields the events
 * read so far. Statements that change no schema (most SELECTs, DML) yield none.
 */
export function lowerDdl(source: SqlSource, statement: ParsedStatement, uniques?: UniqueDeclaration[]): DdlEvent[] {
  const type = unwrap(statement.node)?.type;
  if (!type || !DDL_TYPES.has(type)) return [];
  // A SELECT changes the schema only through a function call: skip the walk when none can be there.
  if (type === 'SelectStmt' && !FUNCTION_DDL.test(source.fragment.text.slice(statement.start, statement.end))) return [];
  const reader = new DdlReader(statementSource(source, statement), statement, uniques);
  try {
    return reader.run();
  } catch {
    return reader.events;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Helpers (exported where the applier needs the same reading)

function rangeVar(value: unknown): Fields | undefined {
  const wrapped = fieldsOf(value, 'RangeVar');
  if (wrapped) return wrapped;
  if (value && typeof value === 'object' && typeof (value as Fields).relname === 'string') return value as Fields;
  return undefined;
}

function qualifiedName(value: unknown): QualifiedName | null {
  const rv = rangeVar(value);
  const name = str(rv?.relname);
  return rv && name !== undefined ? { schema: str(rv.schemaname) ?? null, name } : null;
}

function namesToQualified(names: string[]): QualifiedName | null {
  const name = names[names.length - 1];
  if (name === undefined) return null;
  return { schema: names.length >= 2 ? names[names.length - 2]! : null, name };
}

function isName(q: QualifiedName | null): q is QualifiedName {
  return q !== null;
}

function uniqueOf(d: UniqueDeclaration): DdlUnique {
  return {
    kind: d.kind === 'index' ? 'index' : 'constraint',
    name: d.name,
    columns: d.keys.map((k) => k.name),
    nameParts: d.nameParts,
    label: d.kind === 'index' ? 'idx' : d.kind === 'exclusion' ? 'excl' : 'key',
    where: d.where ? d.where.text.trim() : null,
    nullsNotDistinct: d.nullsNotDistinct,
    at: d.anchor,
  };
}

const FK_ACTIONS: Record<string, DdlForeignKey['onDelete']> = { a: 'no-action', r: 'restrict', c: 'cascade', n: 'set-null', d: 'set-default' };

function foreignKey(c: Fields, column: string | undefined): DdlForeignKey | null {
  const references = qualifiedName(c.pktable);
  if (!references) return null;
  const columns = column !== undefined ? [column] : nameList(c.fk_attrs);
  return {
    name: str(c.conname) ?? null,
    columns,
    references,
    refColumns: nameList(c.pk_attrs),
    onDelete: FK_ACTIONS[str(c.fk_del_action) ?? 'a'] ?? 'no-action',
    at: num(c.location) ?? undefined,
  };
}

export function parseSearchPath(values: string[]): string[] {
  return values
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter((v) => v !== '')
    .map((v) => (v.startsWith('"') && v.endsWith('"') && v.length >= 2 ? v.slice(1, -1).replace(/""/g, '"') : v.toLowerCase()));
}

/** A boolean SQL expression's predicate (`deleted_at IS NULL`), or null when the text is not an expression. */
export function predicateOfText(text: string): Predicate | null {
  const prefix = 'SELECT 1 WHERE ';
  const outcome = parseCached(`${prefix}${text}`);
  if (!outcome.ok || outcome.parsed.statements.length !== 1) return null;
  const where = fieldsOf(outcome.parsed.statements[0]!.node, 'SelectStmt')?.whereClause;
  if (!where || typeof where !== 'object') return null;
  return lowerPredicate(where as RawNode);
}

export interface OutputItem {
  name?: string;
  star?: { qualifier: string | null };
}

/** A FROM item of a defining query, enough to expand `*` against the schema of the moment. */
export type FromShape =
  | { kind: 'relation'; name: QualifiedName; exposed: string }
  | { kind: 'subquery'; exposed: string | null; shape: QueryShape }
  | { kind: 'join'; left: FromShape; right: FromShape }
  | { kind: 'other'; exposed: string | null };

/** What the schema needs of a defining query: its output columns (stars unexpanded), FROM items, relations read. */
export interface QueryShape {
  outputs: OutputItem[];
  from: FromShape[];
  /** Every relation named anywhere in the query (for DROP … CASCADE). */
  reads: QualifiedName[];
}

/** The shape of a SELECT given as text (null when it does not parse); `node` skips the parse when at hand. */
export function queryShape(text: string, node?: RawNode | null): { shape: QueryShape } | { error: { message: string; index: number } } {
  let root: unknown = node;
  if (!root) {
    const outcome = parseCached(text);
    if (!outcome.ok) return { error: outcome.error };
    root = outcome.parsed.statements[0]?.node;
  }
  const select = fieldsOf(root, 'SelectStmt');
  const shape = shapeOf(select);
  shape.reads = relationsIn(root);
  return { shape };
}

function shapeOf(select: Fields | undefined): QueryShape {
  const shape: QueryShape = { outputs: [], from: [], reads: [] };
  if (!select) return shape;
  if (select.op && select.op !== 'SETOP_NONE') return shapeOf(select.larg as Fields | undefined);
  const values = list(select.valuesLists);
  if (values.length) {
    shape.outputs = list(fieldsOf(values[0], 'List')?.items).map((_, i) => ({ name: `column${i + 1}` }));
    return shape;
  }
  for (const raw of list(select.targetList)) {
    const target = fieldsOf(raw, 'ResTarget');
    if (!target) continue;
    const alias = str(target.name);
    if (alias !== undefined) {
      shape.outputs.push({ name: alias });
      continue;
    }
    const ref = fieldsOf(target.val, 'ColumnRef');
    if (ref && list(ref.fields).some((field) => fieldsOf(field, 'A_Star'))) {
      const qualifiers = nameList(list(ref.fields).slice(0, -1));
      shape.outputs.push({ star: { qualifier: qualifiers[qualifiers.length - 1] ?? null } });
      continue;
    }
    shape.outputs.push({ name: figureColname(target.val) ?? '?column?' });
  }
  shape.from = list(select.fromClause).map(fromShape);
  return shape;
}

function fromShape(item: unknown): FromShape {
  const join = fieldsOf(item, 'JoinExpr');
  if (join) return { kind: 'join', left: fromShape(join.larg), right: fromShape(join.rarg) };
  const sub = fieldsOf(item, 'RangeSubselect');
  if (sub) {
    return { kind: 'subquery', exposed: str((sub.alias as Fields | undefined)?.aliasname) ?? null, shape: shapeOf(fieldsOf(sub.subquery, 'SelectStmt')) };
  }
  const rv = rangeVar(item);
  const name = qualifiedName(rv);
  if (rv && name) return { kind: 'relation', name, exposed: str((rv.alias as Fields | undefined)?.aliasname) ?? name.name };
  return { kind: 'other', exposed: null };
}

function relationsIn(node: unknown): QualifiedName[] {
  const found: QualifiedName[] = [];
  walkTree(node, (value) => {
    const name = qualifiedName(fieldsOf(value, 'RangeVar'));
    if (name) found.push(name);
  });
  return found;
}
