/**
 * Applies SQL DDL to a schema model, statement by statement, the way the database would: the model is the schema
 * at the end of the history it was given. Never throws; what cannot be parsed becomes a SchemaProblem.
 */
import { parseSql, tokenize, type ParsedStatement, type RawNode, type SqlToken } from '../sql/parser.js';
import { constString, fieldsOf, list, nameList, num, str, stringValue, unwrap, type Fields } from '../sql/ast.js';
import {
  emptySchema,
  relationKey,
  type RelationInfo,
  type RelationKind,
  type SchemaModel,
  type SourceOrigin,
  type UniqueInfo,
} from './model.js';
import { chooseName, figureColname, splitQualifiedName } from '../sql/naming.js';
import {
  blankPsqlMetaCommands,
  codeTokens,
  findTopLevel,
  lineColumn,
  matchingParen,
  mentionsColumn,
  parseExpression,
  renameColumnInText,
  shiftLocations,
  stringBodyOffset,
  tokenAt,
} from '../sql/sqltext.js';

export interface ApplyOptions {
  /**
   * The whole text of `file`, when `sqlText` is only a part of it (SQL inside a TS migration): problems then get
   * the line and column of `toFileIndex(index)` in this text. Without it they are counted in `sqlText`.
   */
  fileText?: string;
  /** Search path for unqualified names until a `SET search_path` changes it. Default `['public']`. */
  searchPath?: readonly string[];
}

interface Session {
  model: SchemaModel;
  file: string;
  fileText: string | undefined;
  /** The text handed to applySql, and the map from its indices to the file's. */
  rootText: string;
  rootToFile: (index: number) => number;
  initialSearchPath: string[];
  searchPath: string[];
}

/** One piece of SQL text being applied and the way from its indices to the file's. */
interface Scope {
  session: Session;
  text: string;
  /** Code tokens (no comments) of `text`. */
  tokens: SqlToken[];
  /** Maps an index in `text` to one in `session.rootText`. */
  toRoot: (index: number) => number;
}

/** A statement with the range of its tokens in `scope.tokens`. */
interface Stmt {
  scope: Scope;
  start: number;
  end: number;
  from: number;
  to: number;
}

const identity = (i: number): number => i;

/**
 * Applies the statements of `sqlText` (from `file`) to `model` in order. A syntax error is recorded as a problem
 * `<file>:<line>:<col>: <message>`; the statements around it are still applied (the text is split at top-level
 * semicolons and the pieces parsed one by one).
 */
export function applySql(
  model: SchemaModel,
  sqlText: string,
  file: string,
  toFileIndex?: (index: number) => number,
  options: ApplyOptions = {},
): void {
  const searchPath = [...(options.searchPath ?? ['public'])];
  const rootText = blankPsqlMetaCommands(sqlText);
  const session: Session = {
    model,
    file,
    fileText: options.fileText,
    rootText,
    rootToFile: toFileIndex ?? identity,
    initialSearchPath: searchPath,
    searchPath: [...searchPath],
  };
  try {
    applyText(session, rootText, identity, true);
  } catch (error) {
    // Defensive: nothing above is expected to throw, but a schema loader must never take the linter down.
    problem(session, 0, `internal error: ${(error as Error)?.message ?? error}`);
  }
}

/** A model built from one SQL text: handy in tests. */
export function schemaFromSql(sql: string, file = 'inline.sql'): SchemaModel {
  const model = emptySchema();
  model.files.push(file);
  applySql(model, sql, file);
  return model;
}

function applyText(session: Session, text: string, toRoot: (i: number) => number, report: boolean): void {
  const outcome = parseSql(text);
  if (outcome.ok) {
    const scope: Scope = { session, text, tokens: codeTokens(outcome.parsed.tokens), toRoot };
    for (const statement of outcome.parsed.statements) applyStatement(scope, statement);
    return;
  }
  if (!report) return;
  const pieces = splitAtSemicolons(text);
  if (pieces.length <= 1) {
    problem(session, toRoot(outcome.error.index), outcome.error.message);
    return;
  }
  for (const piece of pieces) {
    const pieceText = text.slice(piece.start, piece.end);
    const pieceToRoot = (i: number): number => toRoot(piece.start + i);
    const parsed = parseSql(pieceText);
    if (!parsed.ok) {
      problem(session, pieceToRoot(parsed.error.index), parsed.error.message);
      continue;
    }
    const scope: Scope = { session, text: pieceText, tokens: codeTokens(parsed.parsed.tokens), toRoot: pieceToRoot };
    for (const statement of parsed.parsed.statements) applyStatement(scope, statement);
  }
}

/** Statement-sized pieces of text, split at top-level `;` tokens (dollar-quoted bodies are single tokens). */
function splitAtSemicolons(text: string): Array<{ start: number; end: number }> {
  const tokens = codeTokens(tokenize(text));
  const pieces: Array<{ start: number; end: number }> = [];
  let depth = 0;
  let start = -1;
  for (const t of tokens) {
    if (start < 0) start = t.start;
    if (t.text === '(') depth++;
    else if (t.text === ')') depth = Math.max(0, depth - 1);
    else if (t.text === ';' && depth === 0) {
      if (t.start > start) pieces.push({ start, end: t.start });
      start = -1;
    }
  }
  if (start >= 0 && tokens.length) pieces.push({ start, end: tokens[tokens.length - 1]!.end });
  return pieces;
}

/** Records a problem at `rootIndex` (an index in the text handed to applySql). */
function problem(session: Session, rootIndex: number, message: string): void {
  const where =
    session.fileText !== undefined
      ? lineColumn(session.fileText, session.rootToFile(rootIndex))
      : lineColumn(session.rootText, rootIndex);
  const text = `${session.file}:${where.line}:${where.column}: ${message}`;
  session.model.problems.push({ file: session.file, message: text });
}

function applyStatement(scope: Scope, statement: ParsedStatement): void {
  const stmt: Stmt = {
    scope,
    start: statement.start,
    end: statement.end,
    from: tokenAt(scope.tokens, statement.start),
    to: tokenAt(scope.tokens, statement.end),
  };
  const node = unwrap(statement.node);
  if (!node) return;
  try {
    switch (node.type) {
      case 'CreateStmt':
        return createTable(stmt, node.fields);
      case 'CreateForeignTableStmt': {
        const base = node.fields.base;
        if (base && typeof base === 'object') createTable(stmt, base as Fields);
        return;
      }
      case 'AlterTableStmt':
        return alterTable(stmt, node.fields);
      case 'RenameStmt':
        return rename(stmt, node.fields);
      case 'AlterObjectSchemaStmt':
        return setSchema(stmt, node.fields);
      case 'IndexStmt':
        return createIndex(stmt, node.fields);
      case 'DropStmt':
        return drop(stmt, node.fields);
      case 'ViewStmt':
        return createView(stmt, node.fields);
      case 'CreateTableAsStmt':
        return createTableAs(stmt, node.fields);
      case 'CreatePolicyStmt':
      case 'AlterPolicyStmt':
        return policy(stmt, node.fields, node.type === 'CreatePolicyStmt');
      case 'SelectStmt':
        return selectCalls(stmt, node.fields);
      case 'VariableSetStmt':
        return setVariable(stmt.scope.session, node.fields);
      case 'DoStmt':
        return doBlock(stmt, node.fields);
      default:
        return;
    }
  } catch (error) {
    problem(
      scope.session,
      scope.toRoot(statement.start),
      `could not apply ${node.type}: ${(error as Error)?.message ?? error}`,
    );
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Names and lookups

function originAt(scope: Scope, index: number): SourceOrigin {
  return { file: scope.session.file, index: scope.session.rootToFile(scope.toRoot(index)) };
}

function pathSchemas(session: Session): string[] {
  const path = session.searchPath.filter((s) => s !== '$user' && s !== 'pg_catalog' && s !== 'pg_temp');
  return path.length ? path : ['public'];
}

function creationSchema(session: Session): string {
  return pathSchemas(session)[0]!;
}

/** The fields of a RangeVar, wrapped (`{RangeVar: …}`) or not. */
function rangeVar(value: unknown): Fields | undefined {
  const wrapped = fieldsOf(value, 'RangeVar');
  if (wrapped) return wrapped;
  if (value && typeof value === 'object' && typeof (value as Fields).relname === 'string') return value as Fields;
  return undefined;
}

function qualified(session: Session, schema: string | undefined, name: string): { schema: string; name: string } {
  return { schema: schema ?? creationSchema(session), name };
}

function lookupName(session: Session, schema: string | undefined, name: string): RelationInfo | undefined {
  const { relations } = session.model;
  if (schema) return relations.get(relationKey(schema, name));
  for (const s of pathSchemas(session)) {
    const hit = relations.get(relationKey(s, name));
    if (hit) return hit;
  }
  return undefined;
}

function lookup(session: Session, rv: Fields | undefined): RelationInfo | undefined {
  const name = str(rv?.relname);
  return name === undefined ? undefined : lookupName(session, str(rv?.schemaname), name);
}

/** `[schema, name]` or `[name]` from a DROP object list. */
function splitNames(names: string[]): { schema: string | undefined; name: string } | undefined {
  const name = names[names.length - 1];
  if (name === undefined) return undefined;
  return { schema: names.length >= 2 ? names[names.length - 2] : undefined, name };
}

function newRelation(schema: string, name: string, kind: RelationKind, origin: SourceOrigin): RelationInfo {
  return { schema, name, kind, columns: [], uniques: [], rlsEnabled: false, policies: [], origin };
}

/** The relation an ALTER/CREATE INDEX/CREATE POLICY names; a placeholder when its CREATE TABLE was never seen. */
function lookupOrStub(stmt: Stmt, rv: Fields | undefined, missingOk: boolean): RelationInfo | undefined {
  const session = stmt.scope.session;
  const found = lookup(session, rv);
  if (found || missingOk) return found;
  const name = str(rv?.relname);
  if (name === undefined) return undefined;
  const target = qualified(session, str(rv?.schemaname), name);
  const stub = newRelation(target.schema, target.name, 'table', originAt(stmt.scope, stmt.start));
  stub.incomplete = true;
  session.model.relations.set(relationKey(stub.schema, stub.name), stub);
  return stub;
}

function putRelation(session: Session, relation: RelationInfo): void {
  session.model.relations.set(relationKey(relation.schema, relation.name), relation);
}

/** Relation and index names share one namespace per schema in PostgreSQL. */
function nameTaken(session: Session, schema: string, name: string): boolean {
  if (session.model.relations.has(relationKey(schema, name))) return true;
  for (const relation of session.model.relations.values()) {
    if (relation.schema === schema && relation.uniques.some((u) => u.name === name)) return true;
  }
  return false;
}

function findUnique(
  session: Session,
  schema: string | undefined,
  name: string,
): { relation: RelationInfo; unique: UniqueInfo } | undefined {
  const schemas = schema ? [schema] : pathSchemas(session);
  for (const s of schemas) {
    for (const relation of session.model.relations.values()) {
      if (relation.schema !== s) continue;
      const unique = relation.uniques.find((u) => u.name === name);
      if (unique) return { relation, unique };
    }
  }
  return undefined;
}

function addUnique(
  session: Session,
  relation: RelationInfo,
  unique: Omit<UniqueInfo, 'name'> & { name?: string | undefined },
  label: 'key' | 'idx' | 'excl',
  nameParts?: string[],
): void {
  const columnNames = nameParts ?? unique.columns.map((c) => (/^[^\s()]+$/.test(c) ? c : 'expr'));
  const name =
    unique.name ?? chooseName(relation.name, columnNames, label, (n) => nameTaken(session, relation.schema, n));
  relation.uniques = relation.uniques.filter((u) => u.name !== name);
  relation.uniques.push({ ...unique, name });
}

// ---------------------------------------------------------------------------------------------------------------
// Token spans

/** The text of tokens [from, to) (inclusive of everything between them, comments too). */
function spanText(scope: Scope, from: number, to: number): { text: string; start: number } | undefined {
  const first = scope.tokens[from];
  const last = scope.tokens[to - 1];
  if (!first || !last || to <= from) return undefined;
  return { text: scope.text.slice(first.start, last.end), start: first.start };
}

/** Inside of the parenthesised group opened by the token at `open`. */
function groupInside(scope: Scope, open: number): { text: string; start: number; close: number } | undefined {
  if (scope.tokens[open]?.text !== '(') return undefined;
  const close = matchingParen(scope.tokens, open);
  if (close < 0) return undefined;
  const span = spanText(scope, open + 1, close);
  return span ? { ...span, close } : undefined;
}

/** Comma-separated elements of the group opened at `open`, as token ranges. */
function groupElements(scope: Scope, open: number): Array<{ from: number; to: number }> {
  const close = matchingParen(scope.tokens, open);
  if (close < 0) return [];
  const elements: Array<{ from: number; to: number }> = [];
  let from = open + 1;
  for (;;) {
    const comma = findTopLevel(scope.tokens, from, close, (t) => t.text === ',');
    if (comma < 0) {
      elements.push({ from, to: close });
      return elements;
    }
    elements.push({ from, to: comma });
    from = comma + 1;
  }
}

/**
 * The SQL text of an index key expression written at tokens [from, to): `lower(email) DESC` → `lower(email)`,
 * `(a + b)` → `a + b`.
 */
function keyExpressionText(scope: Scope, from: number, to: number): string | undefined {
  const first = scope.tokens[from];
  if (!first) return undefined;
  if (first.text === '(') return groupInside(scope, from)?.text.trim();
  const open = findTopLevel(scope.tokens, from, to, (t) => t.text === '(');
  if (open < 0) return spanText(scope, from, to)?.text.trim();
  const close = matchingParen(scope.tokens, open);
  return spanText(scope, from, close < 0 ? to : close + 1)?.text.trim();
}

function keyword(t: SqlToken, word: string): boolean {
  return t.keyword === word;
}

/** PostgreSQL's ChooseIndexColumnNames: what a default index name is made of (`lower` for `lower(email)`). */
function indexNameParts(elems: RawNode[]): string[] {
  return elems.map((raw) => {
    const elem = fieldsOf(raw, 'IndexElem');
    return str(elem?.name) ?? figureColname(elem?.expr) ?? 'expr';
  });
}

/** Key columns of index elements (`IndexElem` nodes) written in the group opened at `open`. */
function indexKeyColumns(scope: Scope, elems: RawNode[], open: number, stopAtWith: boolean): string[] {
  const ranges = open >= 0 ? groupElements(scope, open) : [];
  return elems.map((raw, i) => {
    const elem = fieldsOf(raw, 'IndexElem');
    const name = str(elem?.name);
    if (name !== undefined) return name;
    const range = ranges[i];
    if (range) {
      let to = range.to;
      if (stopAtWith) {
        const w = findTopLevel(scope.tokens, range.from, range.to, (t) => keyword(t, 'WITH'));
        if (w >= 0) to = w;
      }
      const text = keyExpressionText(scope, range.from, to);
      if (text) return text;
    }
    return figureColname(elem?.expr) ?? 'expr';
  });
}

// ---------------------------------------------------------------------------------------------------------------
// CREATE TABLE / ALTER TABLE

const LIKE_INCLUDING_INDEXES = 1 << 6;

function createTable(stmt: Stmt, f: Fields): void {
  const session = stmt.scope.session;
  const rv = rangeVar(f.relation);
  const relname = str(rv?.relname);
  if (!rv || relname === undefined || rv.relpersistence === 't') return;
  const target = qualified(session, str(rv.schemaname), relname);
  const key = relationKey(target.schema, target.name);
  const existing = session.model.relations.get(key);
  if (existing && !existing.incomplete && f.if_not_exists) return;

  const relation = newRelation(target.schema, target.name, 'table', originAt(stmt.scope, stmt.start));
  const addColumn = (name: string): void => {
    if (!relation.columns.includes(name)) relation.columns.push(name);
  };
  for (const parent of list(f.inhRelations)) {
    for (const column of lookup(session, rangeVar(parent))?.columns ?? []) addColumn(column);
  }
  session.model.relations.delete(key);
  putRelation(session, relation);

  const pending: Array<() => void> = [];
  for (const element of list(f.tableElts)) {
    const column = fieldsOf(element, 'ColumnDef');
    if (column) {
      const name = str(column.colname);
      if (name === undefined) continue;
      addColumn(name);
      for (const c of list(column.constraints)) {
        const constraint = fieldsOf(c, 'Constraint');
        if (constraint) pending.push(() => addConstraint(stmt, relation, constraint, name));
      }
      continue;
    }
    const like = fieldsOf(element, 'TableLikeClause');
    if (like) {
      const source = lookup(session, rangeVar(like.relation));
      for (const name of source?.columns ?? []) addColumn(name);
      if (source && (num(like.options) ?? 0) & LIKE_INCLUDING_INDEXES) {
        for (const u of source.uniques) {
          const copy = { ...u, name: undefined, origin: originAt(stmt.scope, stmt.start) };
          pending.push(() => addUnique(session, relation, copy, u.kind === 'constraint' ? 'key' : 'idx'));
        }
      }
      continue;
    }
    const constraint = fieldsOf(element, 'Constraint');
    if (constraint) pending.push(() => addConstraint(stmt, relation, constraint, undefined));
  }
  for (const run of pending) run();

  if (existing?.incomplete) {
    for (const column of existing.columns) addColumn(column);
    for (const u of existing.uniques) if (!relation.uniques.some((r) => r.name === u.name)) relation.uniques.push(u);
    relation.policies.push(...existing.policies.filter((p) => !relation.policies.some((r) => r.name === p.name)));
    relation.rlsEnabled ||= existing.rlsEnabled;
  }
}

/** A UNIQUE (or `=`-only EXCLUDE) constraint, from CREATE TABLE or ALTER TABLE … ADD. */
function addConstraint(stmt: Stmt, relation: RelationInfo, c: Fields, column: string | undefined): void {
  const { scope } = stmt;
  const session = scope.session;
  const location = num(c.location) ?? stmt.start;
  const origin = originAt(scope, location >= 0 ? location : stmt.start);
  const name = str(c.conname);
  if (c.contype === 'CONSTR_PRIMARY') {
    const keys = column !== undefined ? [column] : nameList(c.keys);
    if (keys.length) relation.primaryKey = keys;
    return;
  }
  if (c.contype === 'CONSTR_UNIQUE') {
    const indexName = str(c.indexname);
    if (indexName !== undefined) {
      // ADD CONSTRAINT … UNIQUE USING INDEX: the index becomes the constraint (and takes its name).
      const hit = findUnique(session, relation.schema, indexName);
      if (hit) {
        hit.unique.kind = 'constraint';
        if (name !== undefined) hit.unique.name = name;
      }
      return;
    }
    const columns = column !== undefined ? [column] : nameList(c.keys);
    addUnique(
      session,
      relation,
      {
        name,
        kind: 'constraint',
        columns,
        where: null,
        whereNode: null,
        nullsNotDistinct: c.nulls_not_distinct === true,
        origin,
      },
      'key',
    );
    return;
  }
  if (c.contype === 'CONSTR_EXCLUSION') {
    // EXCLUDE USING … (a WITH =, b WITH =) WHERE (…) enforces uniqueness exactly like a (partial) unique index.
    const exclusions = list(c.exclusions).map((e) => list(fieldsOf(e, 'List')?.items));
    const allEquality = exclusions.every((pair) => {
      const ops = nameList(fieldsOf(pair[1], 'List')?.items);
      return ops[ops.length - 1] === '=';
    });
    if (!exclusions.length || !allEquality) return;
    const at = tokenAt(scope.tokens, location);
    const exclude = findTopLevel(scope.tokens, at, stmt.to, (t) => keyword(t, 'EXCLUDE'));
    const open = exclude < 0 ? -1 : findTopLevel(scope.tokens, exclude, stmt.to, (t) => t.text === '(');
    const columns = indexKeyColumns(scope, exclusions.map((pair) => pair[0]!), open, true);
    let where: string | null = null;
    if (c.where_clause) {
      const close = open < 0 ? -1 : matchingParen(scope.tokens, open);
      const stop = (t: SqlToken): boolean => keyword(t, 'WHERE') || t.text === ',' || t.text === ')';
      const w = close < 0 ? -1 : findTopLevel(scope.tokens, close + 1, stmt.to, stop);
      if (w >= 0 && keyword(scope.tokens[w]!, 'WHERE')) where = groupInside(scope, w + 1)?.text.trim() ?? null;
    }
    addUnique(
      session,
      relation,
      {
        name,
        kind: 'constraint',
        columns,
        where,
        whereNode: where === null ? null : parseExpression(where),
        nullsNotDistinct: false,
        origin,
      },
      'excl',
      indexNameParts(exclusions.map((pair) => pair[0]!)),
    );
  }
}

function alterTable(stmt: Stmt, f: Fields): void {
  const session = stmt.scope.session;
  const objtype = f.objtype ?? 'OBJECT_TABLE';
  if (objtype !== 'OBJECT_TABLE' && objtype !== 'OBJECT_FOREIGN_TABLE' && objtype !== 'OBJECT_MATVIEW') return;
  const rv = rangeVar(f.relation);
  const missingOk = f.missing_ok === true;
  let relation = lookup(session, rv);
  const target = (): RelationInfo | undefined => (relation ??= lookupOrStub(stmt, rv, missingOk));
  for (const raw of list(f.cmds)) {
    const cmd = fieldsOf(raw, 'AlterTableCmd');
    if (!cmd) continue;
    switch (cmd.subtype) {
      case 'AT_AddColumn': {
        const column = fieldsOf(cmd.def, 'ColumnDef');
        const name = str(column?.colname);
        const rel = target();
        if (!rel || name === undefined) break;
        if (!rel.columns.includes(name)) rel.columns.push(name);
        else if (cmd.missing_ok) break; // ADD COLUMN IF NOT EXISTS on an existing column: nothing happens
        for (const c of list(column?.constraints)) {
          const constraint = fieldsOf(c, 'Constraint');
          if (constraint) addConstraint(stmt, rel, constraint, name);
        }
        break;
      }
      case 'AT_DropColumn': {
        const name = str(cmd.name);
        if (relation && name !== undefined) dropColumn(relation, name);
        break;
      }
      case 'AT_AddConstraint': {
        const constraint = fieldsOf(cmd.def, 'Constraint');
        if (constraint?.contype !== 'CONSTR_UNIQUE' && constraint?.contype !== 'CONSTR_EXCLUSION') break;
        const rel = target();
        if (rel) addConstraint(stmt, rel, constraint, undefined);
        break;
      }
      case 'AT_DropConstraint': {
        const name = str(cmd.name);
        if (relation && name !== undefined) relation.uniques = relation.uniques.filter((u) => u.name !== name);
        break;
      }
      case 'AT_EnableRowSecurity': {
        const rel = target();
        if (rel) rel.rlsEnabled = true;
        break;
      }
      case 'AT_DisableRowSecurity':
        if (relation) relation.rlsEnabled = false;
        break;
      default:
        break;
    }
  }
}

/** Whether a unique's key entry is an expression (kept as SQL text) rather than a column name. */
function isExpressionKey(relation: RelationInfo, entry: string): boolean {
  return !relation.columns.includes(entry) && /[()\s]/.test(entry);
}

/** DROP COLUMN: the column goes, and so does every unique whose key or predicate uses it (as in PostgreSQL). */
function dropColumn(relation: RelationInfo, column: string): void {
  relation.uniques = relation.uniques.filter(
    (u) =>
      !u.columns.some((c) => c === column || (isExpressionKey(relation, c) && mentionsColumn(c, column))) &&
      !(u.where !== null && mentionsColumn(u.where, column)),
  );
  relation.columns = relation.columns.filter((c) => c !== column);
  if (relation.primaryKey?.includes(column)) delete relation.primaryKey;
}

/** RENAME COLUMN: follows into unique keys, partial-index predicates and policies (PostgreSQL stores them parsed). */
function renameColumn(relation: RelationInfo, from: string, to: string): void {
  for (const u of relation.uniques) {
    u.columns = u.columns.map((c) =>
      c === from ? to : isExpressionKey(relation, c) ? renameColumnInText(c, from, to) : c,
    );
    if (u.where !== null) {
      const where = renameColumnInText(u.where, from, to);
      if (where !== u.where) {
        u.where = where;
        u.whereNode = parseExpression(where);
      }
    }
  }
  for (const p of relation.policies) {
    if (p.using === null) continue;
    const using = renameColumnInText(p.using, from, to);
    if (using !== p.using) {
      p.using = using;
      p.usingNode = parseExpression(using);
    }
  }
  relation.columns = relation.columns.map((c) => (c === from ? to : c));
  if (relation.primaryKey) relation.primaryKey = relation.primaryKey.map((c) => (c === from ? to : c));
}

// ---------------------------------------------------------------------------------------------------------------
// RENAME, SET SCHEMA, DROP

function moveRelation(session: Session, relation: RelationInfo, schema: string, name: string): void {
  session.model.relations.delete(relationKey(relation.schema, relation.name));
  relation.schema = schema;
  relation.name = name;
  putRelation(session, relation);
}

function rename(stmt: Stmt, f: Fields): void {
  const session = stmt.scope.session;
  const rv = rangeVar(f.relation);
  const newname = str(f.newname);
  if (newname === undefined) return;
  switch (f.renameType) {
    case 'OBJECT_TABLE':
    case 'OBJECT_VIEW':
    case 'OBJECT_MATVIEW':
    case 'OBJECT_FOREIGN_TABLE': {
      const relation = lookup(session, rv);
      if (relation) moveRelation(session, relation, relation.schema, newname);
      return;
    }
    case 'OBJECT_COLUMN': {
      const relation = lookup(session, rv);
      const from = str(f.subname);
      if (relation && from !== undefined) renameColumn(relation, from, newname);
      return;
    }
    case 'OBJECT_TABCONSTRAINT': {
      const relation = lookup(session, rv);
      const from = str(f.subname);
      const unique = relation?.uniques.find((u) => u.name === from);
      if (unique) unique.name = newname;
      return;
    }
    case 'OBJECT_INDEX': {
      const name = str(rv?.relname);
      const hit = name === undefined ? undefined : findUnique(session, str(rv?.schemaname), name);
      if (hit) hit.unique.name = newname;
      return;
    }
    case 'OBJECT_POLICY': {
      const policy = lookup(session, rv)?.policies.find((p) => p.name === str(f.subname));
      if (policy) policy.name = newname;
      return;
    }
    default:
      return;
  }
}

function setSchema(stmt: Stmt, f: Fields): void {
  const session = stmt.scope.session;
  const kinds = ['OBJECT_TABLE', 'OBJECT_VIEW', 'OBJECT_MATVIEW', 'OBJECT_FOREIGN_TABLE'];
  const newschema = str(f.newschema);
  if (!kinds.includes(String(f.objectType)) || newschema === undefined) return;
  const relation = lookup(session, rangeVar(f.relation));
  if (relation) moveRelation(session, relation, newschema, relation.name);
}

function drop(stmt: Stmt, f: Fields): void {
  const session = stmt.scope.session;
  const cascade = f.behavior === 'DROP_CASCADE';
  const objects = list(f.objects).map((o) => nameList(fieldsOf(o, 'List')?.items));
  switch (f.removeType) {
    case 'OBJECT_TABLE':
    case 'OBJECT_VIEW':
    case 'OBJECT_MATVIEW':
    case 'OBJECT_FOREIGN_TABLE': {
      const dropped: RelationInfo[] = [];
      for (const names of objects) {
        const target = splitNames(names);
        const relation = target && lookupName(session, target.schema, target.name);
        if (!relation) continue;
        session.model.relations.delete(relationKey(relation.schema, relation.name));
        dropped.push(relation);
      }
      if (cascade) dropDependents(session, dropped);
      return;
    }
    case 'OBJECT_INDEX': {
      for (const names of objects) {
        const target = splitNames(names);
        const hit = target && findUnique(session, target.schema, target.name);
        if (hit) hit.relation.uniques = hit.relation.uniques.filter((u) => u !== hit.unique);
      }
      return;
    }
    case 'OBJECT_POLICY': {
      for (const names of objects) {
        const policyName = names[names.length - 1];
        const table = splitNames(names.slice(0, -1));
        const relation = table && lookupName(session, table.schema, table.name);
        if (relation) relation.policies = relation.policies.filter((p) => p.name !== policyName);
      }
      return;
    }
    case 'OBJECT_SCHEMA': {
      const schemas = new Set(list(f.objects).map(stringValue).filter((s): s is string => s !== undefined));
      const dropped = [...session.model.relations.values()].filter((r) => schemas.has(r.schema));
      for (const r of dropped) session.model.relations.delete(relationKey(r.schema, r.name));
      if (cascade) dropDependents(session, dropped);
      return;
    }
    default:
      return;
  }
}

/** DROP … CASCADE: views, materialized views and stream tables reading a dropped relation go too. */
function dropDependents(session: Session, dropped: RelationInfo[]): void {
  let queue = dropped;
  while (queue.length) {
    const gone = new Set(queue.map((r) => relationKey(r.schema, r.name)));
    queue = [];
    for (const relation of [...session.model.relations.values()]) {
      if (!relation.query) continue;
      const reads = rangeVarsIn(relation.query.node).some((rv) => {
        const name = str(rv.relname);
        if (name === undefined) return false;
        const schema = str(rv.schemaname);
        const schemas = schema ? [schema] : pathSchemas(session);
        return schemas.some((s) => gone.has(relationKey(s, name)));
      });
      if (reads) {
        session.model.relations.delete(relationKey(relation.schema, relation.name));
        queue.push(relation);
      }
    }
  }
}

function rangeVarsIn(node: unknown): Fields[] {
  const found: Fields[] = [];
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) {
      for (const v of value) visit(v);
      return;
    }
    if (!value || typeof value !== 'object') return;
    const rv = fieldsOf(value, 'RangeVar');
    if (rv) found.push(rv);
    for (const child of Object.values(value as Fields)) if (typeof child === 'object') visit(child);
  };
  visit(node);
  return found;
}

// ---------------------------------------------------------------------------------------------------------------
// CREATE INDEX

function createIndex(stmt: Stmt, f: Fields): void {
  if (f.unique !== true) return;
  const { scope } = stmt;
  const session = scope.session;
  const rv = rangeVar(f.relation);
  const relation = lookupOrStub(stmt, rv, false);
  if (!relation) return;
  const explicitName = str(f.idxname);
  if (explicitName !== undefined && f.if_not_exists && nameTaken(session, relation.schema, explicitName)) return;

  // The key list is the first top-level group after the table name (`ON t [USING method] ( … )`).
  const relLocation = num(rv?.location) ?? stmt.start;
  const afterTable = tokenAt(scope.tokens, relLocation);
  const open = findTopLevel(scope.tokens, afterTable, stmt.to, (t) => t.text === '(');
  const columns = indexKeyColumns(scope, list(f.indexParams), open, false);

  let where: string | null = null;
  if (f.whereClause) {
    const close = open < 0 ? afterTable : matchingParen(scope.tokens, open);
    const w = findTopLevel(scope.tokens, Math.max(close, afterTable), stmt.to, (t) => keyword(t, 'WHERE'));
    const span = w < 0 ? undefined : spanText(scope, w + 1, stmt.to);
    where = span?.text.trim() ?? null;
  }
  addUnique(
    session,
    relation,
    {
      name: explicitName,
      kind: 'index',
      columns,
      where,
      whereNode: where === null ? null : parseExpression(where),
      nullsNotDistinct: f.nulls_not_distinct === true,
      origin: originAt(scope, stmt.start),
    },
    'idx',
    indexNameParts(list(f.indexParams)),
  );
}

// ---------------------------------------------------------------------------------------------------------------
// Views, materialized views, stream tables

/** Output column names of a select: aliases, column names, function names; [] when a `*` makes them unknown. */
/**
 * Output column names of a SELECT. `expand` resolves `*` / `t.*` to the columns the FROM relations have *now*
 * (PostgreSQL expands a view's `*` when the view is created); without it, or when it cannot, a star makes the
 * column list unknown (empty).
 */
export function selectColumns(
  select: Fields | undefined,
  expand?: (select: Fields, qualifier: string | null) => string[] | undefined,
): string[] {
  if (!select) return [];
  if (select.op && select.op !== 'SETOP_NONE') return selectColumns(select.larg as Fields | undefined, expand);
  const values = list(select.valuesLists);
  if (values.length) return list(fieldsOf(values[0], 'List')?.items).map((_, i) => `column${i + 1}`);
  const names: string[] = [];
  for (const raw of list(select.targetList)) {
    const target = fieldsOf(raw, 'ResTarget');
    if (!target) continue;
    const alias = str(target.name);
    if (alias !== undefined) {
      names.push(alias);
      continue;
    }
    const ref = fieldsOf(target.val, 'ColumnRef');
    if (ref && list(ref.fields).some((field) => fieldsOf(field, 'A_Star'))) {
      const qualifiers = nameList(list(ref.fields).slice(0, -1));
      const expanded = expand?.(select, qualifiers[qualifiers.length - 1] ?? null);
      if (!expanded) return [];
      names.push(...expanded);
      continue;
    }
    names.push(figureColname(target.val) ?? '?column?');
  }
  return names;
}

/** `expand` for selectColumns: the current columns of the FROM items (tables, views, joins, subqueries). */
function starExpander(session: Session): (select: Fields, qualifier: string | null) => string[] | undefined {
  const expand = (select: Fields, qualifier: string | null): string[] | undefined => {
    const out: string[] = [];
    const visit = (item: unknown): boolean => {
      const join = fieldsOf(item, 'JoinExpr');
      if (join) return visit(join.larg) && visit(join.rarg);
      const sub = fieldsOf(item, 'RangeSubselect');
      const rv = rangeVar(item);
      const exposed = sub ? str((sub.alias as Fields | undefined)?.aliasname) : str((rv?.alias as Fields | undefined)?.aliasname) ?? str(rv?.relname);
      if (qualifier !== null && exposed !== qualifier) return true;
      const columns = sub
        ? selectColumns(fieldsOf(sub.subquery, 'SelectStmt'), expand)
        : rv
          ? (lookup(session, rv)?.columns ?? [])
          : [];
      if (columns.length === 0) return false; // unknown: the whole list is unknown
      out.push(...columns);
      return true;
    };
    for (const item of list(select.fromClause)) if (!visit(item)) return undefined;
    return out.length ? out : undefined;
  };
  return expand;
}

/** The query text after the top-level `AS` of a CREATE VIEW / MATERIALIZED VIEW, without trailing options. */
function queryAfterAs(stmt: Stmt, trailing: string[][]): { text: string; start: number } | undefined {
  const { scope } = stmt;
  const as = findTopLevel(scope.tokens, stmt.from, stmt.to, (t) => keyword(t, 'AS'));
  if (as < 0) return undefined;
  let to = stmt.to;
  for (const words of trailing) {
    const from = to - words.length;
    if (from > as && words.every((w, i) => scope.tokens[from + i]?.keyword === w)) {
      to = from;
      break;
    }
  }
  return spanText(scope, as + 1, to);
}

function storeQuery(
  scope: Scope,
  relation: RelationInfo,
  node: unknown,
  span: { text: string; start: number } | undefined,
): void {
  if (!span || !node || typeof node !== 'object') return;
  relation.query = {
    node: shiftLocations(node as RawNode, -span.start),
    text: span.text,
    origin: originAt(scope, span.start),
  };
}

function createView(stmt: Stmt, f: Fields): void {
  const { scope } = stmt;
  const session = scope.session;
  const rv = rangeVar(f.view);
  const name = str(rv?.relname);
  if (!rv || name === undefined || rv.relpersistence === 't') return;
  const target = qualified(session, str(rv.schemaname), name);
  const relation = newRelation(target.schema, target.name, 'view', originAt(scope, stmt.start));
  const fromQuery = selectColumns(fieldsOf(f.query, 'SelectStmt'), starExpander(session));
  const aliases = nameList(f.aliases);
  relation.columns = aliases.length ? [...aliases, ...fromQuery.slice(aliases.length)] : fromQuery;
  const checkOption = f.withCheckOption && f.withCheckOption !== 'NO_CHECK_OPTION';
  const trailing = checkOption
    ? [['WITH', 'CASCADED', 'CHECK', 'OPTION'], ['WITH', 'LOCAL', 'CHECK', 'OPTION'], ['WITH', 'CHECK', 'OPTION']]
    : [];
  const span = queryAfterAs(stmt, trailing);
  storeQuery(scope, relation, f.query, span);
  session.model.relations.delete(relationKey(target.schema, target.name));
  putRelation(session, relation);
}

function createTableAs(stmt: Stmt, f: Fields): void {
  const { scope } = stmt;
  const session = scope.session;
  const into = f.into as Fields | undefined;
  const rv = rangeVar(into?.rel);
  const name = str(rv?.relname);
  if (!rv || name === undefined || rv.relpersistence === 't') return;
  const matview = f.objtype === 'OBJECT_MATVIEW';
  if (!matview && f.objtype !== 'OBJECT_TABLE') return;
  const target = qualified(session, str(rv.schemaname), name);
  const key = relationKey(target.schema, target.name);
  if (f.if_not_exists && session.model.relations.has(key)) return;
  const kind = matview ? 'materialized-view' : 'table';
  const relation = newRelation(target.schema, target.name, kind, originAt(scope, stmt.start));
  const fromQuery = selectColumns(fieldsOf(f.query, 'SelectStmt'), starExpander(session));
  const aliases = nameList(into?.colNames);
  relation.columns = aliases.length ? [...aliases, ...fromQuery.slice(aliases.length)] : fromQuery;
  if (matview) storeQuery(scope, relation, f.query, queryAfterAs(stmt, [['WITH', 'NO', 'DATA'], ['WITH', 'DATA']]));
  session.model.relations.delete(key);
  putRelation(session, relation);
}

const STREAM_CREATE = new Set(['create_stream_table', 'create_or_replace_stream_table', 'create_immv']);
const STREAM_DROP = new Set(['drop_stream_table']);
const NAME_ARGS = new Set(['name', 'table_name', 'stream_table', 'immv_name', 'relname']);
const QUERY_ARGS = new Set(['query', 'view_definition', 'defining_query', 'sql']);

/**
 * `SELECT pgtrickle.create_stream_table('name', $$…$$)`, `SELECT create_immv(…)`, `drop_stream_table(…)` and
 * `SELECT set_config('search_path', …)`.
 */
function selectCalls(stmt: Stmt, f: Fields): void {
  if (list(f.fromClause).length) return;
  for (const raw of list(f.targetList)) {
    const call = fieldsOf(fieldsOf(raw, 'ResTarget')?.val, 'FuncCall');
    if (!call) continue;
    const fname = nameList(call.funcname).pop()?.toLowerCase() ?? '';
    const positional: unknown[] = [];
    const named = new Map<string, unknown>();
    for (const arg of list(call.args)) {
      const namedArg = fieldsOf(arg, 'NamedArgExpr');
      if (namedArg && typeof namedArg.name === 'string') named.set(namedArg.name.toLowerCase(), namedArg.arg);
      else positional.push(arg);
    }
    const argument = (index: number, names: Set<string>): unknown => {
      for (const [key, value] of named) if (names.has(key)) return value;
      return positional[index];
    };
    const session = stmt.scope.session;
    if (STREAM_CREATE.has(fname)) {
      streamTable(stmt, constString(argument(0, NAME_ARGS)), constString(argument(1, QUERY_ARGS)));
    } else if (STREAM_DROP.has(fname)) {
      const name = constString(argument(0, NAME_ARGS));
      const parts = name ? splitQualifiedName(name.value) : [];
      const target = splitNames(parts);
      const relation = target && lookupName(session, target.schema, target.name);
      if (relation?.kind === 'stream-table') session.model.relations.delete(relationKey(relation.schema, relation.name));
    } else if (fname === 'set_config') {
      const variable = constString(positional[0]);
      const value = constString(positional[1]);
      if (variable?.value.toLowerCase() === 'search_path' && value) session.searchPath = parseSearchPath([value.value]);
    }
  }
}

function streamTable(
  stmt: Stmt,
  nameArg: { value: string; location: number } | undefined,
  queryArg: { value: string; location: number } | undefined,
): void {
  const { scope } = stmt;
  const session = scope.session;
  const parts = nameArg ? splitQualifiedName(nameArg.value) : [];
  const target = splitNames(parts);
  if (!target || !queryArg) return;
  const { schema, name } = qualified(session, target.schema, target.name);
  const relation = newRelation(schema, name, 'stream-table', originAt(scope, stmt.start));
  const token = scope.tokens[tokenAt(scope.tokens, queryArg.location)];
  const bodyStart =
    token && token.start === queryArg.location ? token.start + stringBodyOffset(token) : queryArg.location;
  const parsed = parseSql(queryArg.value);
  if (!parsed.ok) {
    const message = `stream table ${schema}.${name}: ${parsed.error.message}`;
    problem(session, scope.toRoot(bodyStart + parsed.error.index), message);
  } else {
    const statement = parsed.parsed.statements[0];
    if (statement) {
      relation.columns = selectColumns(fieldsOf(statement.node, 'SelectStmt'), starExpander(session));
      relation.query = { node: statement.node, text: queryArg.value, origin: originAt(scope, bodyStart) };
    }
  }
  session.model.relations.delete(relationKey(schema, name));
  putRelation(session, relation);
}

// ---------------------------------------------------------------------------------------------------------------
// Row-level security

function policy(stmt: Stmt, f: Fields, create: boolean): void {
  const { scope } = stmt;
  const rv = rangeVar(f.table);
  const name = str(f.policy_name);
  if (name === undefined) return;
  const relation = create ? lookupOrStub(stmt, rv, false) : lookup(scope.session, rv);
  if (!relation) return;
  let using: string | null = null;
  if (f.qual) {
    const afterTable = tokenAt(scope.tokens, num(rv?.location) ?? stmt.start);
    const u = findTopLevel(scope.tokens, afterTable, stmt.to, (t) => keyword(t, 'USING'));
    using = u < 0 ? null : (groupInside(scope, u + 1)?.text.trim() ?? null);
  }
  const existing = relation.policies.find((p) => p.name === name);
  if (!create) {
    if (existing && f.qual) {
      existing.using = using;
      existing.usingNode = using === null ? null : parseExpression(using);
    }
    return;
  }
  relation.policies = relation.policies.filter((p) => p !== existing);
  relation.policies.push({
    name,
    using,
    usingNode: using === null ? null : parseExpression(using),
    origin: originAt(scope, stmt.start),
  });
}

// ---------------------------------------------------------------------------------------------------------------
// SET search_path, DO blocks

function parseSearchPath(values: string[]): string[] {
  return values
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter((v) => v !== '')
    .map((v) =>
      v.startsWith('"') && v.endsWith('"') && v.length >= 2 ? v.slice(1, -1).replace(/""/g, '"') : v.toLowerCase(),
    );
}

function setVariable(session: Session, f: Fields): void {
  if (str(f.name)?.toLowerCase() !== 'search_path') return;
  if (f.kind === 'VAR_RESET' || f.kind === 'VAR_SET_DEFAULT') {
    session.searchPath = [...session.initialSearchPath];
    return;
  }
  if (f.kind !== 'VAR_SET_VALUE') return;
  const values = list(f.args)
    .map((a) => constString(a)?.value ?? stringValue(a))
    .filter((v): v is string => v !== undefined);
  session.searchPath = parseSearchPath(values);
}

const DO_STATEMENT_START = new Set(['CREATE', 'ALTER', 'DROP']);
const DO_AFTER = new Set(['BEGIN', 'THEN', 'ELSE', 'LOOP']);

/**
 * `DO $$ BEGIN … END $$`: migrations wrap DDL in PL/pgSQL to make it conditional (`IF NOT EXISTS … THEN ALTER …`,
 * `EXCEPTION WHEN duplicate_object`). The DDL statements inside (and `EXECUTE '<literal>'`) are applied as if
 * they ran; conditions are not evaluated. Anything that does not parse is skipped silently.
 */
function doBlock(stmt: Stmt, f: Fields): void {
  const { scope } = stmt;
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
  const token = scope.tokens[tokenAt(scope.tokens, body.location)];
  const bodyStart =
    token && token.start === body.location ? token.start + stringBodyOffset(token) : Math.max(0, body.location);
  const bodyToRoot = (i: number): number => scope.toRoot(bodyStart + i);
  const tokens = codeTokens(tokenize(body.value));
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    const previous = tokens[i - 1];
    const atStart = !previous || previous.text === ';' || DO_AFTER.has(previous.keyword);
    if (!atStart) continue;
    if (DO_STATEMENT_START.has(t.keyword)) {
      let end = findTopLevel(tokens, i, tokens.length, (x) => x.text === ';');
      if (end < 0) end = tokens.length;
      const last = tokens[end - 1]!;
      const text = body.value.slice(t.start, last.end);
      const start = t.start;
      applyText(scope.session, text, (k) => bodyToRoot(start + k), false);
      i = end - 1;
    } else if (
      t.keyword === 'EXECUTE' &&
      tokens[i + 1]?.kind === 'string' &&
      /^(;|USING|INTO)$/i.test(tokens[i + 2]?.text ?? ';')
    ) {
      const literal = tokens[i + 1]!;
      const offset = stringBodyOffset(literal);
      const raw = literal.text.slice(offset, literal.text.length - (literal.text.startsWith('$') ? offset : 1));
      const text = literal.text.startsWith("'") ? raw.replace(/''/g, "'") : raw;
      if (/^[eE]'/.test(literal.text)) continue; // escape strings: not worth unescaping here
      const start = literal.start + offset;
      applyText(scope.session, text, (k) => bodyToRoot(start + k), false);
      i += 1;
    }
  }
}
