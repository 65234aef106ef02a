/**
 * Applies schema events to a schema model, one after the other, the way the database would: the model is the
 * schema at the end of the history it was given. SQL text is read into events by `sql/ddl.ts` (the same reading
 * the checks use); other loaders can hand events to `applyEvents` directly. Never throws: what cannot be parsed
 * becomes a SchemaProblem.
 */
import { tokenize } from '../sql/parser.js';
import type { Predicate } from '../sql/predicate.js';
import { rethrowWhenStrict } from '../strict.js';
import { parseFragment } from '../sql/source.js';
import { wholeFileFragment } from '../sql/fragment.js';
import {
  lowerDdl,
  predicateOfText,
  queryNodeOf,
  queryShape,
  type DdlEvent,
  type DdlForeignKey,
  type DdlUnique,
  type FromShape,
  type QualifiedName,
  type QueryShape,
} from '../sql/ddl.js';
import {
  emptySchema,
  relationKey,
  type RelationInfo,
  type RelationKind,
  type SchemaModel,
  type SourceOrigin,
  type UniqueInfo,
} from './model.js';
import { chooseName } from '../sql/naming.js';
import { blankPsqlMetaCommands, codeTokens, lineColumn, mentionsColumn, renameColumnInText } from '../sql/sqltext.js';
import { lineIndexOf, lineStarts } from '../sql/line-starts.js';
import { blankInertStatements } from './inert-statements.js';

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
  /**
   * `schema\0name` of every unique named in the model, built on first use and only added to, so choosing a name
   * stays linear in the number of tables: a miss is final, a hit (possibly a dropped name) is re-checked.
   */
  uniqueNames?: Set<string>;
}

/** Where the events being applied came from: their indices map to the session's root text through `toRoot`. */
interface Place {
  session: Session;
  toRoot: (index: number) => number;
}

const identity = (i: number): number => i;

/**
 * Applies the statements of `sqlText` (from `file`) to `model` in order. A syntax error is recorded as a problem
 * `<file>:<line>:<col>: <message>`; the statements around it are still applied (the text is split at top-level
 * semicolons and the pieces parsed one by one). The same as `applyRead(model, readSql(…), file, …)`.
 */
export function applySql(
  model: SchemaModel,
  sqlText: string,
  file: string,
  toFileIndex?: (index: number) => number,
  options: ApplyOptions = {},
): void {
  applyRead(model, readSql(sqlText, toFileIndex, options), file, options);
}

/**
 * What an SQL text says, read once and kept apart from any model: in order, the schema events of each statement
 * and the problems of the text itself. Everything in it depends on the text alone (parse, lowering, the shapes of
 * defining queries, the predicates of partial uniques, the line and column of every place a problem may be
 * reported at), so it can be kept (on disk, as plain data) and applied again to a model being built: a schema
 * file that did not change is not parsed again.
 */
export interface SqlRead {
  steps: ReadStep[];
  /** Index in the text handed to `readSql` → index in the file (only when they differ: SQL inside a TS file). */
  map?: Int32Array;
}

export type ReadStep = ReadStatement | ReadProblem;

/** Events of one statement: their indices are relative to `offset` in the text read. */
export interface ReadStatement {
  offset: number;
  events: DdlEvent[];
  /** `line:column` of the statement (where a failure to apply one of its events is reported). */
  where: string;
}

export interface ReadProblem {
  /** `line:column` in the file. */
  where: string;
  message: string;
}

/** What reading adds to events: a defining query's shape (or its error, located); a partial unique's predicate. */
interface ReadShape {
  shape?: { shape: QueryShape } | { error: { message: string; where: string } };
}
interface ReadUnique {
  predicate?: Predicate | null;
}

interface Reading {
  steps: ReadStep[];
  /** `line:column` of an index in the text read. */
  where: (rootIndex: number) => string;
}

/** Reads `sqlText` (see SqlRead). Never throws: what cannot be read becomes a problem step. */
export function readSql(sqlText: string, toFileIndex?: (index: number) => number, options: Pick<ApplyOptions, 'fileText'> = {}): SqlRead {
  const blanked = blankInertStatements(blankPsqlMetaCommands(sqlText));
  const nul = blanked.indexOf('\0');
  // PostgreSQL's parser stops reading at a NUL: replaced by a space (same offsets) so what follows still counts.
  const rootText = nul < 0 ? blanked : blanked.replace(/\0/g, ' ');
  let map: Int32Array | undefined;
  if (toFileIndex) {
    map = new Int32Array(rootText.length + 1);
    for (let i = 0; i <= rootText.length; i++) map[i] = toFileIndex(i);
  }
  const lines = lineIndex(options.fileText ?? rootText);
  const reading: Reading = { steps: [], where: (i) => lines(map ? indexIn(map, i) : i) };
  if (nul >= 0) reading.steps.push({ where: reading.where(nul), message: 'the file contains a NUL character (is it a binary file?); it was read as a space' });
  try {
    readText(reading, rootText, 0, true);
  } catch (error) {
    // Defensive: nothing above is expected to throw, but a schema loader must never take the linter down.
    rethrowWhenStrict(error);
    reading.steps.push({ where: reading.where(0), message: `internal error: ${(error as Error)?.message ?? error}` });
  }
  return map ? { steps: reading.steps, map } : { steps: reading.steps };
}

function indexIn(map: Int32Array, index: number): number {
  return map[Math.max(0, Math.min(index, map.length - 1))]!;
}

/** `line:column` of an index of `text`, as `lineColumn` says, in logarithmic time after one pass over the text. */
function lineIndex(text: string): (index: number) => string {
  let starts: number[] | undefined;
  return (index) => {
    starts ??= lineStarts(text);
    const end = Math.max(0, Math.min(index, text.length));
    const line = lineIndexOf(starts, end);
    return `${line + 1}:${end - starts[line]! + 1}`;
  };
}

/**
 * Applies what `readSql` read to `model` (as the statements of `file`), in order. The read itself is not changed,
 * so it can be applied again.
 */
export function applyRead(model: SchemaModel, read: SqlRead, file: string, options: Pick<ApplyOptions, 'searchPath'> = {}): void {
  const map = read.map;
  const session = newSession(model, '', file, map ? (i) => indexIn(map, i) : undefined, options);
  for (const step of read.steps) {
    if (!('events' in step)) {
      reportAt(session, step.where, step.message);
      continue;
    }
    const offset = step.offset;
    applyStatementEvents({ session, toRoot: offset === 0 ? identity : (i) => offset + i }, step.events, step.where);
  }
}

/**
 * Applies events built by a loader (or read from SQL with `lowerDdl`) to `model`. Their positions, when given,
 * are indices into `text` (optional: used for origins and problem locations).
 */
export function applyEvents(
  model: SchemaModel,
  events: readonly DdlEvent[],
  file: string,
  options: ApplyOptions & { text?: string; toFileIndex?: (index: number) => number } = {},
): void {
  const session = newSession(model, options.text ?? '', file, options.toFileIndex, options);
  const place: Place = { session, toRoot: identity };
  for (const event of events) applyEvent(place, event);
}

function newSession(
  model: SchemaModel,
  rootText: string,
  file: string,
  toFileIndex: ((index: number) => number) | undefined,
  options: ApplyOptions,
): Session {
  const searchPath = [...(options.searchPath ?? ['public'])];
  return {
    model,
    file,
    fileText: options.fileText,
    rootText,
    rootToFile: toFileIndex ?? identity,
    initialSearchPath: searchPath,
    searchPath: [...searchPath],
  };
}

/** A model built from one SQL text: handy in tests. */
export function schemaFromSql(sql: string, file = 'inline.sql'): SchemaModel {
  const model = emptySchema();
  model.files.push(file);
  applySql(model, sql, file);
  return model;
}

function readText(reading: Reading, text: string, offset: number, report: boolean): void {
  if (text === '') return; // an empty migration (libpg-query rejects the empty string: "Query cannot be empty")
  const outcome = parseFragment(wholeFileFragment(text));
  if (outcome.ok) {
    for (const skipped of outcome.source.parsed.skipped ?? []) if (report) readProblem(reading, offset + skipped.index, skipped.message);
    for (const statement of outcome.source.parsed.statements) readStatement(reading, lowerDdl(outcome.source, statement), offset, statement.start);
    return;
  }
  if (!report) return;
  const pieces = splitAtSemicolons(text);
  if (pieces.length <= 1) {
    readProblem(reading, offset + outcome.error.index, outcome.error.message);
    return;
  }
  for (const piece of pieces) {
    const pieceText = text.slice(piece.start, piece.end);
    const pieceOffset = offset + piece.start;
    const parsed = parseFragment(wholeFileFragment(pieceText));
    if (!parsed.ok) {
      readProblem(reading, pieceOffset + parsed.error.index, parsed.error.message);
      continue;
    }
    for (const skipped of parsed.source.parsed.skipped ?? []) readProblem(reading, pieceOffset + skipped.index, skipped.message);
    for (const statement of parsed.source.parsed.statements) readStatement(reading, lowerDdl(parsed.source, statement), pieceOffset, statement.start);
  }
}

function readProblem(reading: Reading, rootIndex: number, message: string): void {
  reading.steps.push({ where: reading.where(rootIndex), message });
}

/**
 * A statement's events, with what applying them will need read now. SQL nested in a statement (`EXECUTE '…'` in a
 * `DO` block) is read in place, its problems unreported: its events come between the statement's own.
 */
function readStatement(reading: Reading, events: DdlEvent[], offset: number, start: number): void {
  const where = reading.where(offset + start);
  let run: DdlEvent[] = [];
  for (const event of events) {
    if (event.type !== 'nested') {
      readEvent(reading, event, offset);
      run.push(event);
      continue;
    }
    if (run.length > 0) reading.steps.push({ offset, events: run, where });
    run = [];
    try {
      readText(reading, event.text, offset + event.start, false);
    } catch (error) {
      rethrowWhenStrict(error);
      reading.steps.push({ where, message: `could not apply nested: ${(error as Error)?.message ?? error}` });
    }
  }
  if (run.length > 0) reading.steps.push({ offset, events: run, where });
}

/** Reads ahead what applying `event` would read from text: a defining query's shape, partial-unique predicates. */
function readEvent(reading: Reading, event: DdlEvent, offset: number): void {
  switch (event.type) {
    case 'define': {
      if (!event.query) return;
      const outcome = queryShape(event.query.text, queryNodeOf(event));
      const start = event.query.start;
      (event as ReadShape).shape =
        'error' in outcome
          ? { error: { message: outcome.error.message, where: reading.where(start === undefined ? 0 : offset + start + outcome.error.index) } }
          : outcome;
      return;
    }
    case 'create-table':
      for (const u of event.uniques) readUnique(u);
      return;
    case 'create-index':
      if (event.unique) readUnique(event.index);
      return;
    case 'alter-table':
      for (const action of event.actions) {
        if (action.op === 'add-column') for (const u of action.uniques) readUnique(u);
        else if (action.op === 'add-unique') readUnique(action.unique);
      }
      return;
    default:
      return;
  }
}

function readUnique(unique: DdlUnique): void {
  if (unique.where !== null) (unique as ReadUnique).predicate = predicateOfText(unique.where);
}

function applyStatementEvents(place: Place, events: DdlEvent[], where: string): void {
  for (const event of events) {
    try {
      applyEvent(place, event);
    } catch (error) {
      rethrowWhenStrict(error);
      reportAt(place.session, where, `could not apply ${event.type}: ${(error as Error)?.message ?? error}`);
    }
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

/** Records a problem at `rootIndex` (an index in the text the events were read from). */
function problem(session: Session, rootIndex: number, message: string): void {
  const where =
    session.fileText !== undefined
      ? lineColumn(session.fileText, session.rootToFile(rootIndex))
      : lineColumn(session.rootText, rootIndex);
  reportAt(session, `${where.line}:${where.column}`, message);
}

/** Records a problem at `where` (`line:column` in the file). */
function reportAt(session: Session, where: string, message: string): void {
  session.model.problems.push({ file: session.file, message: `${session.file}:${where}: ${message}` });
}

function applyEvent(place: Place, event: DdlEvent): void {
  const { session } = place;
  switch (event.type) {
    case 'create-table':
      return createTable(place, event);
    case 'alter-table':
      return alterTable(place, event);
    case 'create-index':
      return createIndex(place, event);
    case 'define':
      return define(place, event);
    case 'drop-relations': {
      const dropped: RelationInfo[] = [];
      for (const name of event.names) {
        const relation = lookup(session, name);
        if (!relation) continue;
        session.model.relations.delete(relationKey(relation.schema, relation.name));
        dropped.push(relation);
      }
      if (event.cascade) dropDependents(session, dropped);
      return;
    }
    case 'drop-stream-table': {
      const relation = lookup(session, event.name);
      if (relation?.kind === 'stream-table') session.model.relations.delete(relationKey(relation.schema, relation.name));
      return;
    }
    case 'drop-indexes':
      for (const name of event.names) {
        const hit = findUnique(session, name.schema ?? undefined, name.name);
        if (hit) hit.relation.uniques = hit.relation.uniques.filter((u) => u !== hit.unique);
        else for (const r of session.model.relations.values()) if (r.indexes) r.indexes = r.indexes.filter((i) => i.name !== name.name);
      }
      return;
    case 'drop-policies': {
      const relation = lookup(session, event.table);
      if (relation) relation.policies = relation.policies.filter((p) => !event.names.includes(p.name));
      return;
    }
    case 'drop-schemas': {
      const schemas = new Set(event.schemas);
      const dropped = [...session.model.relations.values()].filter((r) => schemas.has(r.schema));
      for (const r of dropped) session.model.relations.delete(relationKey(r.schema, r.name));
      if (event.cascade) dropDependents(session, dropped);
      return;
    }
    case 'rename-relation': {
      const relation = lookup(session, event.table);
      if (relation) moveRelation(session, relation, relation.schema, event.to);
      return;
    }
    case 'rename-column': {
      const relation = lookup(session, event.table);
      if (relation) renameColumn(relation, event.from, event.to);
      return;
    }
    case 'rename-constraint': {
      const relation = lookup(session, event.table);
      const unique = relation?.uniques.find((u) => u.name === event.from);
      if (unique) unique.name = event.to;
      if (unique && relation) noteUniqueName(session, relation.schema, event.to);
      const fk = relation?.foreignKeys?.find((f) => f.name === event.from);
      if (fk) fk.name = event.to;
      return;
    }
    case 'rename-index': {
      const hit = findUnique(session, event.index.schema ?? undefined, event.index.name);
      if (hit) hit.unique.name = event.to;
      if (hit) noteUniqueName(session, hit.relation.schema, event.to);
      return;
    }
    case 'rename-policy': {
      const policy = lookup(session, event.table)?.policies.find((p) => p.name === event.from);
      if (policy) policy.name = event.to;
      return;
    }
    case 'set-schema': {
      const relation = lookup(session, event.table);
      if (relation) moveRelation(session, relation, event.schema, relation.name);
      return;
    }
    case 'policy':
      return policy(place, event);
    case 'trigger': {
      const relation = lookup(session, event.table);
      if (!relation) return;
      const { type: _type, table: _table, at, ...trigger } = event;
      relation.triggers = (relation.triggers ?? []).filter((t) => t.name !== event.name);
      relation.triggers.push({ ...trigger, origin: originAt(place, at) });
      return;
    }
    case 'drop-trigger': {
      const relation = lookup(session, event.table);
      if (relation?.triggers) relation.triggers = relation.triggers.filter((t) => t.name !== event.name);
      return;
    }
    case 'create-function': {
      const schema = event.name.schema ?? creationSchema(session);
      (session.model.functions ??= new Map()).set(relationKey(schema, event.name.name), {
        schema,
        name: event.name.name,
        language: event.language,
        body: event.body,
        origin: { file: session.file },
      });
      return;
    }
    case 'search-path':
      session.searchPath = event.path ? [...event.path] : [...session.initialSearchPath];
      return;
    case 'nested': {
      // (events a loader hands in; read SQL comes with its nested statements read in place)
      const outer = place.toRoot;
      const reading: Reading = { steps: [], where: () => '' };
      readText(reading, event.text, 0, false);
      for (const step of reading.steps) {
        if ('events' in step) for (const e of step.events) applyEvent({ session, toRoot: (k) => outer(event.start + step.offset + k) }, e);
      }
      return;
    }
    default:
      return;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Names and lookups

function originAt(place: Place, index: number | undefined): SourceOrigin {
  const { session } = place;
  if (index === undefined) return { file: session.file };
  return { file: session.file, index: session.rootToFile(place.toRoot(index)) };
}

function pathSchemas(session: Session): string[] {
  const path = session.searchPath.filter((s) => s !== '$user' && s !== 'pg_catalog' && s !== 'pg_temp');
  return path.length ? path : ['public'];
}

function creationSchema(session: Session): string {
  return pathSchemas(session)[0]!;
}

function qualified(session: Session, name: QualifiedName): { schema: string; name: string } {
  return { schema: name.schema ?? creationSchema(session), name: name.name };
}

function lookup(session: Session, name: QualifiedName): RelationInfo | undefined {
  const { relations } = session.model;
  if (name.schema) return relations.get(relationKey(name.schema, name.name));
  for (const s of pathSchemas(session)) {
    const hit = relations.get(relationKey(s, name.name));
    if (hit) return hit;
  }
  return undefined;
}

function newRelation(schema: string, name: string, kind: RelationKind, origin: SourceOrigin): RelationInfo {
  return { schema, name, kind, columns: [], uniques: [], rlsEnabled: false, policies: [], origin };
}

/** The relation an ALTER/CREATE INDEX/CREATE POLICY names; a placeholder when its CREATE TABLE was never seen. */
function lookupOrStub(place: Place, name: QualifiedName, missingOk: boolean, at: number | undefined): RelationInfo | undefined {
  const { session } = place;
  const found = lookup(session, name);
  if (found || missingOk) return found;
  const target = qualified(session, name);
  const stub = newRelation(target.schema, target.name, 'table', originAt(place, at));
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
  if (!session.uniqueNames) {
    session.uniqueNames = new Set();
    for (const relation of session.model.relations.values()) {
      for (const u of relation.uniques) session.uniqueNames.add(`${relation.schema}\0${u.name}`);
    }
  }
  if (!session.uniqueNames.has(`${schema}\0${name}`)) return false;
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

function noteUniqueName(session: Session, schema: string, name: string): void {
  session.uniqueNames?.add(`${schema}\0${name}`);
}

function addUnique(place: Place, relation: RelationInfo, unique: DdlUnique, origin?: SourceOrigin): void {
  const { session } = place;
  const name = unique.name ?? chooseName(relation.name, unique.nameParts, unique.label, (n) => nameTaken(session, relation.schema, n));
  relation.uniques = relation.uniques.filter((u) => u.name !== name);
  relation.uniques.push({
    name,
    kind: unique.kind,
    columns: [...unique.columns],
    where: unique.where,
    wherePredicate: unique.where === null ? null : 'predicate' in unique ? (unique as ReadUnique).predicate! : predicateOfText(unique.where),
    nullsNotDistinct: unique.nullsNotDistinct,
    origin: origin ?? originAt(place, unique.at),
  });
  noteUniqueName(session, relation.schema, name);
}

function addForeignKey(place: Place, relation: RelationInfo, fk: DdlForeignKey): void {
  const references = qualified(place.session, fk.references);
  const target = lookup(place.session, fk.references);
  (relation.foreignKeys ??= []).push({
    name: fk.name,
    columns: fk.columns,
    references: target ? { schema: target.schema, name: target.name } : references,
    refColumns: fk.refColumns,
    onDelete: fk.onDelete,
    origin: originAt(place, fk.at),
  });
}

// ---------------------------------------------------------------------------------------------------------------
// CREATE TABLE / ALTER TABLE / CREATE INDEX

function createTable(place: Place, event: Extract<DdlEvent, { type: 'create-table' }>): void {
  const { session } = place;
  const target = qualified(session, event.table);
  const key = relationKey(target.schema, target.name);
  const existing = session.model.relations.get(key);
  if (existing && !existing.incomplete && event.ifNotExists) return;

  const relation = newRelation(target.schema, target.name, 'table', originAt(place, event.at));
  const created = originAt(place, event.at);
  const addColumn = (name: string, origin: SourceOrigin = created): void => {
    if (relation.columns.includes(name)) return;
    relation.columns.push(name);
    (relation.columnOrigins ??= new Map()).set(name, origin);
  };
  for (const parent of event.inherits) for (const column of lookup(session, parent)?.columns ?? []) addColumn(column);
  session.model.relations.delete(key);
  putRelation(session, relation);

  const copies: UniqueInfo[] = [];
  for (const element of event.elements) {
    if ('column' in element) {
      addColumn(element.column);
      if (element.notNull) setNotNull(relation, element.column, true);
      continue;
    }
    const source = lookup(session, element.like);
    for (const name of source?.columns ?? []) addColumn(name);
    if (source && element.includingIndexes) copies.push(...source.uniques);
  }
  if (event.primaryKey) relation.primaryKey = [...event.primaryKey];
  const origin = originAt(place, event.at);
  for (const u of copies) {
    const label = u.kind === 'constraint' ? 'key' : 'idx';
    const nameParts = u.columns.map((c) => (/^[^\s()]+$/.test(c) ? c : 'expr'));
    addUnique(place, relation, { ...u, name: null, label, nameParts }, origin);
  }
  for (const u of event.uniques) addUnique(place, relation, u);
  for (const fk of event.foreignKeys) addForeignKey(place, relation, fk);

  if (existing?.incomplete) {
    for (const column of existing.columns) addColumn(column, existing.columnOrigins?.get(column));
    for (const u of existing.uniques) {
      if (relation.uniques.some((r) => r.name === u.name)) continue;
      relation.uniques.push(u);
      noteUniqueName(session, relation.schema, u.name);
    }
    relation.policies.push(...existing.policies.filter((p) => !relation.policies.some((r) => r.name === p.name)));
    relation.rlsEnabled ||= existing.rlsEnabled;
    relation.rlsForced ||= existing.rlsForced;
    if (existing.triggers) relation.triggers = [...existing.triggers];
    if (existing.indexes) relation.indexes = [...existing.indexes];
    if (existing.foreignKeys) relation.foreignKeys = [...(relation.foreignKeys ?? []), ...existing.foreignKeys];
  }
}

function alterTable(place: Place, event: Extract<DdlEvent, { type: 'alter-table' }>): void {
  const { session } = place;
  let relation = lookup(session, event.table);
  const target = (): RelationInfo | undefined => (relation ??= lookupOrStub(place, event.table, event.missingOk, event.at));
  for (const action of event.actions) {
    switch (action.op) {
      case 'add-column': {
        const rel = target();
        if (!rel) break;
        if (!rel.columns.includes(action.column)) {
          rel.columns.push(action.column);
          (rel.columnOrigins ??= new Map()).set(action.column, originAt(place, event.at));
        } else if (action.ifNotExists) break; // ADD COLUMN IF NOT EXISTS on an existing column: nothing happens
        if (action.primaryKey) rel.primaryKey = [action.column];
        setNotNull(rel, action.column, action.notNull === true);
        for (const u of action.uniques) addUnique(place, rel, u);
        for (const fk of action.foreignKeys) addForeignKey(place, rel, fk);
        break;
      }
      case 'drop-column':
        if (relation) dropColumn(relation, action.column);
        break;
      case 'not-null':
        if (relation) setNotNull(relation, action.column, action.notNull);
        break;
      case 'add-unique': {
        const rel = target();
        if (rel) addUnique(place, rel, action.unique);
        break;
      }
      case 'unique-using-index': {
        // ADD CONSTRAINT … UNIQUE USING INDEX: the index becomes the constraint (and takes its name).
        const rel = target();
        const hit = rel && findUnique(session, rel.schema, action.index);
        if (hit) {
          hit.unique.kind = 'constraint';
          if (action.name !== null) hit.unique.name = action.name;
          if (action.name !== null) noteUniqueName(session, hit.relation.schema, action.name);
        }
        break;
      }
      case 'add-foreign-key': {
        const rel = target();
        if (rel) addForeignKey(place, rel, action.foreignKey);
        break;
      }
      case 'drop-constraint':
        if (relation) {
          relation.uniques = relation.uniques.filter((u) => u.name !== action.name);
          if (relation.foreignKeys) relation.foreignKeys = relation.foreignKeys.filter((f) => f.name !== action.name);
        }
        break;
      case 'row-security': {
        if (action.enable) {
          const rel = target();
          if (rel) rel.rlsEnabled = true;
        } else if (relation) relation.rlsEnabled = false;
        break;
      }
      case 'force-row-security': {
        const rel = action.force ? target() : relation;
        if (rel) rel.rlsForced = action.force;
        break;
      }
      default:
        break;
    }
  }
}

function createIndex(place: Place, event: Extract<DdlEvent, { type: 'create-index' }>): void {
  const { session } = place;
  const relation = lookupOrStub(place, event.table, !event.unique, event.at);
  if (!relation) return;
  const explicitName = event.index.name;
  if (!event.unique) {
    relation.indexes = (relation.indexes ?? []).filter((i) => explicitName === null || i.name !== explicitName);
    relation.indexes.push({ name: explicitName, columns: [...event.index.columns], where: event.index.where, origin: originAt(place, event.at) });
    return;
  }
  if (explicitName !== null && event.ifNotExists && nameTaken(session, relation.schema, explicitName)) return;
  addUnique(place, relation, event.index, originAt(place, event.at));
}

/** Whether a unique's key entry is an expression (kept as SQL text) rather than a column name. */
function isExpressionKey(relation: RelationInfo, entry: string): boolean {
  return !relation.columns.includes(entry) && /[()\s]/.test(entry);
}

/** Records whether a column is declared NOT NULL. */
function setNotNull(relation: RelationInfo, column: string, notNull: boolean): void {
  const rest = (relation.notNull ?? []).filter((c) => c !== column);
  if (notNull) rest.push(column);
  if (rest.length > 0) relation.notNull = rest;
  else delete relation.notNull;
}

/** DROP COLUMN: the column goes, and so does every unique whose key or predicate uses it (as in PostgreSQL). */
function dropColumn(relation: RelationInfo, column: string): void {
  relation.uniques = relation.uniques.filter(
    (u) =>
      !u.columns.some((c) => c === column || (isExpressionKey(relation, c) && mentionsColumn(c, column))) &&
      !(u.where !== null && mentionsColumn(u.where, column)),
  );
  relation.columns = relation.columns.filter((c) => c !== column);
  relation.columnOrigins?.delete(column);
  setNotNull(relation, column, false);
  if (relation.primaryKey?.includes(column)) delete relation.primaryKey;
}

/** RENAME COLUMN: follows into unique keys, partial-index predicates and policies (PostgreSQL stores them parsed). */
function renameColumn(relation: RelationInfo, from: string, to: string): void {
  for (const u of relation.uniques) {
    u.columns = u.columns.map((c) => (c === from ? to : isExpressionKey(relation, c) ? renameColumnInText(c, from, to) : c));
    if (u.where !== null) {
      const where = renameColumnInText(u.where, from, to);
      if (where !== u.where) {
        u.where = where;
        u.wherePredicate = predicateOfText(where);
      }
    }
  }
  for (const p of relation.policies) if (p.using !== null) p.using = renameColumnInText(p.using, from, to);
  for (const t of relation.triggers ?? []) {
    t.updateColumns = t.updateColumns.map((c) => (c === from ? to : c));
    if (t.when !== null) t.when = renameColumnInText(t.when, from, to);
  }
  for (const fk of relation.foreignKeys ?? []) fk.columns = fk.columns.map((c) => (c === from ? to : c));
  relation.columns = relation.columns.map((c) => (c === from ? to : c));
  const origin = relation.columnOrigins?.get(from);
  if (origin) {
    relation.columnOrigins!.delete(from);
    relation.columnOrigins!.set(to, origin);
  }
  if (relation.notNull) relation.notNull = relation.notNull.map((c) => (c === from ? to : c));
  if (relation.primaryKey) relation.primaryKey = relation.primaryKey.map((c) => (c === from ? to : c));
}

function moveRelation(session: Session, relation: RelationInfo, schema: string, name: string): void {
  session.model.relations.delete(relationKey(relation.schema, relation.name));
  relation.schema = schema;
  relation.name = name;
  putRelation(session, relation);
}

/** DROP … CASCADE: views, materialized views and stream tables reading a dropped relation go too. */
function dropDependents(session: Session, dropped: RelationInfo[]): void {
  let queue = dropped;
  while (queue.length) {
    const gone = new Set(queue.map((r) => relationKey(r.schema, r.name)));
    queue = [];
    for (const relation of [...session.model.relations.values()]) {
      if (!relation.query) continue;
      const reads = relation.query.reads.some((read) => {
        const schemas = read.schema ? [read.schema] : pathSchemas(session);
        return schemas.some((s) => gone.has(relationKey(s, read.name)));
      });
      if (reads) {
        session.model.relations.delete(relationKey(relation.schema, relation.name));
        queue.push(relation);
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Views, materialized views, stream tables, CREATE TABLE AS

/**
 * Output column names of a defining query. `*` / `t.*` expand to the columns the FROM relations have *now*
 * (PostgreSQL expands a view's `*` when the view is created); when they cannot, the column list is unknown (empty).
 */
function shapeColumns(session: Session, shape: QueryShape): string[] {
  const names: string[] = [];
  for (const item of shape.outputs) {
    if (item.name !== undefined) {
      names.push(item.name);
      continue;
    }
    const expanded = expandStar(session, shape.from, item.star?.qualifier ?? null);
    if (!expanded) return [];
    names.push(...expanded);
  }
  return names;
}

function expandStar(session: Session, from: FromShape[], qualifier: string | null): string[] | undefined {
  const out: string[] = [];
  const visit = (item: FromShape): boolean => {
    if (item.kind === 'join') return visit(item.left) && visit(item.right);
    if (qualifier !== null && item.exposed !== qualifier) return true;
    const columns =
      item.kind === 'subquery' ? shapeColumns(session, item.shape) : item.kind === 'relation' ? (lookup(session, item.name)?.columns ?? []) : [];
    if (columns.length === 0) return false; // unknown: the whole list is unknown
    out.push(...columns);
    return true;
  };
  for (const item of from) if (!visit(item)) return undefined;
  return out.length ? out : undefined;
}

const KIND_OF: Record<string, RelationKind> = {
  view: 'view',
  'materialized-view': 'materialized-view',
  'continuous-aggregate': 'materialized-view',
  'stream-table': 'stream-table',
  immv: 'stream-table',
  table: 'table',
};

function define(place: Place, event: Extract<DdlEvent, { type: 'define' }>): void {
  const { session } = place;
  const target = qualified(session, event.name);
  const key = relationKey(target.schema, target.name);
  const existing = lookup(session, event.name);
  const kind = KIND_OF[event.kind] ?? 'view';
  if (event.mode === 'if-not-exists' && (existing ?? session.model.relations.get(key))) return;
  if (event.mode === 'alter') {
    // alter_stream_table: only a new query changes what the model knows (schedule, mode… do not).
    if (!existing || existing.kind !== 'stream-table' || !event.query) return;
  }
  const query = event.query;
  let columns: string[] = [];
  let stored: RelationInfo['query'];
  if (query) {
    const queryStart = query.start;
    const outcome = (event as ReadShape).shape ?? queryShape(query.text, queryNodeOf(event));
    if ('error' in outcome) {
      if (event.kind === 'stream-table' || event.kind === 'immv') {
        const message = `stream table ${target.schema}.${target.name}: ${outcome.error.message}`;
        if ('where' in outcome.error) reportAt(session, outcome.error.where, message);
        else problem(session, queryStart === undefined ? 0 : place.toRoot(queryStart + outcome.error.index), message);
      }
    } else {
      columns = shapeColumns(session, outcome.shape);
      stored = { text: query.text, reads: outcome.shape.reads, ...(queryStart === undefined ? {} : { origin: originAt(place, queryStart) }) };
    }
  }
  if (event.mode === 'alter' && existing) {
    if (!stored) return;
    existing.query = stored;
    existing.columns = columns;
    existing.definedAt = originAt(place, event.at);
    return;
  }
  const relation = newRelation(target.schema, target.name, kind, originAt(place, event.at));
  relation.columns = event.columnAliases.length ? [...event.columnAliases, ...columns.slice(event.columnAliases.length)] : columns;
  if (kind !== 'table') {
    if (stored) relation.query = stored;
    relation.definedAt = originAt(place, event.at);
  }
  session.model.relations.delete(key);
  putRelation(session, relation);
}

// ---------------------------------------------------------------------------------------------------------------
// Row-level security

function policy(place: Place, event: Extract<DdlEvent, { type: 'policy' }>): void {
  const { session } = place;
  const create = event.op === 'create';
  const relation = create ? lookupOrStub(place, event.table, false, event.at) : lookup(session, event.table);
  if (!relation) return;
  const existing = relation.policies.find((p) => p.name === event.name);
  if (!create) {
    if (existing && event.using !== null) existing.using = event.using;
    return;
  }
  relation.policies = relation.policies.filter((p) => p !== existing);
  relation.policies.push({
    name: event.name,
    using: event.using,
    command: event.command,
    permissive: event.permissive,
    origin: originAt(place, event.at),
  });
}
