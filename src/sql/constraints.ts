/**
 * Lowering of uniqueness declarations: UNIQUE column and table constraints (CREATE TABLE, ALTER TABLE … ADD),
 * `CREATE UNIQUE INDEX`, `=`-only EXCLUDE constraints, the columns an ALTER TABLE adds, and the conflict targets
 * of `INSERT … ON CONFLICT`. Each comes with the spans a report, a message or an in-place edit needs.
 *
 * Primary keys are not uniqueness declarations here: a primary key never blocks re-inserting a soft-deleted
 * business value (a new row gets a new key), so nothing downstream ever needs them.
 */
import type { ParsedStatement, RawNode, SqlToken } from './parser.js';
import type { SqlSource } from './source.js';
import { fieldsOf, list, nameList, num, str, unwrap, walkTree, type Fields } from './ast.js';
import { lowerPredicate, type Predicate } from './predicate.js';
import { chooseName, figureColname } from './naming.js';
import { findTopLevel, matchingParen } from './sqltext.js';
import { nameSpanInText } from './layout.js';

export interface Span {
  start: number;
  end: number;
}

export interface TableName {
  schema: string | null;
  name: string;
  /** The (qualified) name as written. */
  span: Span;
}

export interface KeyElement {
  /** A column name, or the SQL text of an expression key (`lower(email)`), as the schema model keeps it. */
  name: string;
  expression: boolean;
  span: Span;
}

export interface WherePart {
  predicate: Predicate;
  /** The predicate's SQL text. */
  text: string;
  /** The expression (inside the parentheses of an EXCLUDE … WHERE ( … )). */
  span: Span;
}

export type UniqueDeclarationKind = 'column-constraint' | 'table-constraint' | 'index' | 'exclusion';

export interface UniqueDeclaration {
  kind: UniqueDeclarationKind;
  /** The statement that declares it. */
  statement: 'create-table' | 'alter-table' | 'create-index';
  source: SqlSource;
  table: TableName;
  /** The explicit name, or null. */
  name: string | null;
  /** PostgreSQL's default name (`users_email_key`, `users_email_idx`), ignoring collisions with other names. */
  defaultName: string;
  /** What the default name is made of (PostgreSQL's ChooseIndexColumnNames: `lower` for `lower(email)`). */
  nameParts: string[];
  keys: KeyElement[];
  nullsNotDistinct: boolean;
  where: WherePart | null;
  /** What a report underlines: `UNIQUE`, `CONSTRAINT x UNIQUE (a, b)`, `UNIQUE INDEX [CONCURRENTLY] name`. */
  span: Span;
  /**
   * The fragment index the schema loader records as this unique's origin: the constraint's location, or the
   * statement start for an index. Matching it (through the fragment's map) finds the unique in the schema model.
   */
  anchor: number;
  /** Text to delete to take the constraint out of its statement; null when that is not clean. */
  removal: Span | null;
  /** An ALTER TABLE whose only command adds this constraint: the whole statement can be replaced. */
  soleCommand: boolean;
  /** The statement (first token to last token, without the `;`). */
  statementSpan: Span;
  /** Where text goes after the statement: after its `;`, or at its end when no `;` follows. */
  after: { at: number; semicolon: boolean };
  /** Where ` WHERE …` goes when a unique index or exclusion constraint has none; null when unknown. */
  whereAt: number | null;
}

export interface AddedColumn {
  table: TableName;
  column: string;
  /** The column name in `ADD COLUMN name`. */
  span: Span;
  /** Fragment index of the ALTER TABLE statement start (to order it against the schema's uniques). */
  anchor: number;
  statementSpan: Span;
  after: { at: number; semicolon: boolean };
}

export interface OnConflictTarget {
  source: SqlSource;
  table: TableName;
  /** Inference columns; null when an element is an expression (not matched) or for ON CONSTRAINT. */
  columns: string[] | null;
  /** `ON CONFLICT ON CONSTRAINT name`. */
  constraint: { name: string; span: Span } | null;
  where: { predicate: Predicate; span: Span } | null;
  /** `ON CONFLICT (…)` / `ON CONFLICT ON CONSTRAINT name`. */
  span: Span;
  /** Just after the `)` of the inference list: where ` WHERE …` goes. */
  whereAt: number | null;
}

type Tokens = SqlToken[];

class ConstraintLowerer {
  constructor(
    private readonly source: SqlSource,
    private readonly statement: ParsedStatement,
  ) {}

  /** Tokens on demand: most statements declare no constraint and never need them. */
  private get tokens(): Tokens {
    return this.source.layout.tokens;
  }

  private opaque = (location: number): boolean => this.source.fragment.opaque.has(location);

  private kw(i: number, ...words: string[]): boolean {
    return this.source.layout.isKeyword(i, ...words);
  }

  /** Token index range of the statement: [first, last]. */
  private statementTokens(): { first: number; last: number } {
    const first = this.source.layout.indexAt(this.statement.start);
    let last = this.source.layout.indexAt(this.statement.end) - 1;
    if (last < first) last = first;
    return { first, last };
  }

  statementSpan(): Span {
    const { first, last } = this.statementTokens();
    const a = this.tokens[first];
    const b = this.tokens[last];
    return a && b ? { start: a.start, end: b.end } : { start: this.statement.start, end: this.statement.end };
  }

  after(): { at: number; semicolon: boolean } {
    const { last } = this.statementTokens();
    const next = this.tokens[last + 1];
    if (next?.text === ';') return { at: next.end, semicolon: true };
    return { at: this.statementSpan().end, semicolon: false };
  }

  private tableName(rangeVar: unknown): TableName | null {
    const rv = (fieldsOf(rangeVar, 'RangeVar') ?? rangeVar) as Fields | undefined;
    const name = str(rv?.relname);
    if (!rv || name === undefined) return null;
    const location = num(rv.location) ?? -1;
    const span = location >= 0 ? nameSpanInText(this.source.parsed.text, location) : this.statementSpan();
    return { schema: str(rv.schemaname) ?? null, name, span };
  }

  private span(from: number, to: number): Span {
    return { start: this.tokens[from]!.start, end: this.tokens[to]!.end };
  }

  /** Comma-separated elements of the group opened at token `open`, as token ranges [from, to). */
  private elements(open: number): Array<{ from: number; to: number }> {
    const close = matchingParen(this.tokens, open);
    if (close < 0) return [];
    const found: Array<{ from: number; to: number }> = [];
    let from = open + 1;
    for (;;) {
      const comma = findTopLevel(this.tokens, from, close, (t) => t.text === ',');
      if (comma < 0) {
        if (close > from) found.push({ from, to: close });
        return found;
      }
      found.push({ from, to: comma });
      from = comma + 1;
    }
  }

  /** The SQL text of an index key written at tokens [from, to): `lower(email) DESC` → `lower(email)`. */
  private keyText(from: number, to: number): string {
    const text = this.source.fragment.text;
    const first = this.tokens[from];
    if (!first) return '';
    if (first.text === '(') {
      const close = matchingParen(this.tokens, from);
      if (close > from + 1) return text.slice(this.tokens[from + 1]!.start, this.tokens[close - 1]!.end).trim();
    }
    const open = findTopLevel(this.tokens, from, to, (t) => t.text === '(');
    const end = open < 0 ? to - 1 : Math.max(matchingParen(this.tokens, open), open);
    return text.slice(first.start, this.tokens[Math.min(end, to - 1)]!.end).trim();
  }

  /** Key elements of `IndexElem` nodes written in the group opened at token `open`. */
  private indexKeys(elems: RawNode[], open: number, stopAtWith: boolean): KeyElement[] {
    const ranges = open >= 0 ? this.elements(open) : [];
    return elems.map((raw, i) => {
      const elem = fieldsOf(raw, 'IndexElem');
      const range = ranges[i];
      let to = range?.to ?? -1;
      if (range && stopAtWith) {
        const w = findTopLevel(this.tokens, range.from, range.to, (t) => t.keyword === 'WITH');
        if (w > range.from) to = w;
      }
      const span = range && to > range.from ? this.span(range.from, to - 1) : this.statementSpan();
      const name = str(elem?.name);
      if (name !== undefined) return { name, expression: false, span };
      const text = range ? this.keyText(range.from, to) : '';
      return { name: text || (figureColname(elem?.expr) ?? 'expr'), expression: true, span };
    });
  }

  /** PostgreSQL's ChooseIndexColumnNames: what a default index name is made of. */
  private static nameParts(elems: RawNode[]): string[] {
    return elems.map((raw) => {
      const elem = fieldsOf(raw, 'IndexElem');
      return str(elem?.name) ?? figureColname(elem?.expr) ?? 'expr';
    });
  }

  private where(node: unknown, from: number, to: number): WherePart | null {
    if (!node || typeof node !== 'object' || from > to || !this.tokens[from] || !this.tokens[to]) return null;
    const span = this.span(from, to);
    return {
      predicate: lowerPredicate(node as RawNode, this.opaque),
      text: this.source.fragment.text.slice(span.start, span.end),
      span,
    };
  }

  /** Whether the token after a removed column constraint lets the column definition stay valid. */
  private columnConstraintFollows(i: number): boolean {
    const t = this.tokens[i];
    const { last } = this.statementTokens();
    if (!t || i > last || t.text === ',' || t.text === ')' || t.text === ';') return true;
    if (this.kw(i, 'NOT')) return this.kw(i + 1, 'NULL');
    return this.kw(i, 'NULL', 'DEFAULT', 'CHECK', 'REFERENCES', 'PRIMARY', 'CONSTRAINT', 'GENERATED', 'COLLATE');
  }

  /** The text to delete to take the element at tokens [from, to] out of a comma-separated list. */
  private listRemoval(from: number, to: number, endOfList: (i: number) => boolean): Span | 'sole' | null {
    const prev = this.tokens[from - 1];
    const next = this.tokens[to + 1];
    if (prev?.text === ',') {
      if (!endOfList(to + 1) && next?.text !== ',') return null;
      return { start: this.source.layout.endBefore(from - 1), end: this.tokens[to]!.end };
    }
    if (next?.text === ',') {
      const following = this.tokens[to + 2];
      return following ? { start: this.tokens[from]!.start, end: following.start } : null;
    }
    return endOfList(to + 1) ? 'sole' : null;
  }

  /**
   * A UNIQUE or `=`-only EXCLUDE constraint at `location`. `column` is set for a column constraint (with the
   * column's name span); `inAlter` when it is an `ALTER TABLE … ADD [CONSTRAINT]` command.
   */
  constraint(
    table: TableName,
    c: Fields,
    column: { name: string; span: Span } | null,
    statement: UniqueDeclaration['statement'],
  ): UniqueDeclaration | null {
    const contype = str(c.contype);
    if (contype !== 'CONSTR_UNIQUE' && contype !== 'CONSTR_EXCLUSION') return null;
    if (str(c.indexname) !== undefined) return null; // ADD CONSTRAINT … UNIQUE USING INDEX: declared by the index
    const location = num(c.location) ?? -1;
    const startToken = location >= 0 ? this.source.layout.tokenIndexStartingAt(location) : undefined;
    if (startToken === undefined) return null;
    let i = startToken;
    if (this.kw(i, 'CONSTRAINT')) i += 2;
    let keys: KeyElement[] = [];
    let where: WherePart | null = null;
    let whereAt: number | null = null;
    let end: number;
    let kind: UniqueDeclarationKind;
    let defaultName: string;
    let nameParts: string[];
    const name = str(c.conname) ?? null;
    if (contype === 'CONSTR_UNIQUE') {
      if (!this.kw(i, 'UNIQUE')) return null;
      end = i;
      if (this.kw(end + 1, 'NULLS')) {
        end++;
        if (this.kw(end + 1, 'NOT')) end++;
        if (this.kw(end + 1, 'DISTINCT')) end++;
      }
      if (column) {
        kind = 'column-constraint';
        keys = [{ name: column.name, expression: false, span: column.span }];
      } else {
        if (this.tokens[end + 1]?.text !== '(') return null;
        const open = end + 1;
        end = matchingParen(this.tokens, open);
        if (end < 0) return null;
        kind = 'table-constraint';
        const names = nameList(c.keys);
        const ranges = this.elements(open);
        keys = names.map((n, k) => {
          const range = ranges[k];
          return { name: n, expression: false, span: range ? this.span(range.from, range.to - 1) : this.span(open, end) };
        });
      }
      nameParts = keys.map((k) => k.name);
      defaultName = chooseName(table.name, nameParts, 'key', () => false);
    } else {
      const exclusions = list(c.exclusions).map((e) => list(fieldsOf(e, 'List')?.items));
      const allEquality =
        exclusions.length > 0 &&
        exclusions.every((pair) => {
          const ops = nameList(fieldsOf(pair[1], 'List')?.items);
          return ops[ops.length - 1] === '=';
        });
      if (!allEquality || !this.kw(i, 'EXCLUDE')) return null;
      const open = findTopLevel(this.tokens, i, this.tokens.length, (t) => t.text === '(');
      if (open < 0) return null;
      end = matchingParen(this.tokens, open);
      if (end < 0) return null;
      kind = 'exclusion';
      const elems = exclusions.map((pair) => pair[0]!);
      keys = this.indexKeys(elems, open, true);
      nameParts = ConstraintLowerer.nameParts(elems);
      defaultName = chooseName(table.name, nameParts, 'excl', () => false);
      const next = this.tokens[end + 1];
      if (c.where_clause) {
        const w = findTopLevel(this.tokens, end + 1, this.statementTokens().last + 1, (t) => t.keyword === 'WHERE' || t.text === ',' || t.text === ')');
        if (w >= 0 && this.kw(w, 'WHERE') && this.tokens[w + 1]?.text === '(') {
          const close = matchingParen(this.tokens, w + 1);
          if (close > w + 2) where = this.where(c.where_clause, w + 2, close - 1);
        }
      } else if (!next || next.text === ',' || next.text === ')' || next.text === ';') {
        whereAt = this.tokens[end]!.end;
      }
    }
    const span = this.span(startToken, end);
    // What to delete to drop the constraint from its statement (rewrites for migrations that have not run yet).
    let removal: Span | null = null;
    let soleCommand = false;
    const { last } = this.statementTokens();
    const endOfStatement = (k: number): boolean => k > last || this.tokens[k]?.text === ';';
    if (kind === 'column-constraint') {
      if (this.columnConstraintFollows(end + 1)) removal = { start: this.source.layout.endBefore(startToken), end: span.end };
    } else if (statement === 'alter-table') {
      const from = this.kw(startToken - 1, 'ADD') ? startToken - 1 : -1;
      if (from >= 0) {
        const r = this.listRemoval(from, end, endOfStatement);
        if (r === 'sole') soleCommand = true;
        else removal = r;
      }
    } else {
      const r = this.listRemoval(startToken, end, (k) => this.tokens[k]?.text === ')');
      removal = r === 'sole' ? null : r;
    }
    return {
      kind,
      statement,
      source: this.source,
      table,
      name,
      defaultName,
      nameParts,
      keys,
      nullsNotDistinct: c.nulls_not_distinct === true,
      where,
      span,
      anchor: location,
      removal,
      soleCommand,
      statementSpan: this.statementSpan(),
      after: this.after(),
      whereAt,
    };
  }

  index(f: Fields): UniqueDeclaration | null {
    if (f.unique !== true) return null;
    const table = this.tableName(f.relation);
    if (!table) return null;
    const { first, last } = this.statementTokens();
    const unique = findTopLevel(this.tokens, first, last + 1, (t) => t.keyword === 'UNIQUE');
    const relToken = this.source.layout.indexAt(table.span.start);
    const on = unique < 0 ? -1 : findTopLevel(this.tokens, unique, relToken, (t) => t.keyword === 'ON');
    const span = unique >= 0 && on > unique ? this.span(unique, on - 1) : table.span;
    const open = findTopLevel(this.tokens, relToken, last + 1, (t) => t.text === '(');
    const elems = list(f.indexParams);
    const keys = this.indexKeys(elems, open, false);
    let where: WherePart | null = null;
    if (f.whereClause && open >= 0) {
      const close = matchingParen(this.tokens, open);
      const w = close < 0 ? -1 : findTopLevel(this.tokens, close + 1, last + 1, (t) => t.keyword === 'WHERE');
      if (w >= 0) where = this.where(f.whereClause, w + 1, last);
    }
    const statementSpan = this.statementSpan();
    return {
      kind: 'index',
      statement: 'create-index',
      source: this.source,
      table,
      name: str(f.idxname) ?? null,
      defaultName: chooseName(table.name, ConstraintLowerer.nameParts(elems), 'idx', () => false),
      nameParts: ConstraintLowerer.nameParts(elems),
      keys,
      nullsNotDistinct: f.nulls_not_distinct === true,
      where,
      span,
      anchor: this.statement.start,
      removal: null,
      soleCommand: false,
      statementSpan,
      after: this.after(),
      whereAt: where ? null : statementSpan.end,
    };
  }

  createTable(f: Fields): UniqueDeclaration[] {
    const table = this.tableName(f.relation);
    if (!table) return [];
    const found: UniqueDeclaration[] = [];
    for (const element of list(f.tableElts)) {
      const columnDef = fieldsOf(element, 'ColumnDef');
      if (columnDef) {
        found.push(...this.columnConstraints(table, columnDef, 'create-table'));
        continue;
      }
      const constraint = fieldsOf(element, 'Constraint');
      const declaration = constraint && this.constraint(table, constraint, null, 'create-table');
      if (declaration) found.push(declaration);
    }
    return found;
  }

  private columnConstraints(table: TableName, columnDef: Fields, statement: UniqueDeclaration['statement']): UniqueDeclaration[] {
    const name = str(columnDef.colname);
    if (name === undefined) return [];
    const location = num(columnDef.location) ?? -1;
    const span = location >= 0 ? nameSpanInText(this.source.parsed.text, location) : table.span;
    return list(columnDef.constraints)
      .map((c) => fieldsOf(c, 'Constraint'))
      .map((c) => (c ? this.constraint(table, c, { name, span }, statement) : null))
      .filter((d): d is UniqueDeclaration => d !== null);
  }

  alterTable(f: Fields): { uniques: UniqueDeclaration[]; added: AddedColumn[] } {
    const uniques: UniqueDeclaration[] = [];
    const added: AddedColumn[] = [];
    const objtype = str(f.objtype) ?? 'OBJECT_TABLE';
    const table = this.tableName(f.relation);
    if (!table || (objtype !== 'OBJECT_TABLE' && objtype !== 'OBJECT_FOREIGN_TABLE')) return { uniques, added };
    for (const raw of list(f.cmds)) {
      const cmd = fieldsOf(raw, 'AlterTableCmd');
      if (!cmd) continue;
      if (cmd.subtype === 'AT_AddColumn') {
        const columnDef = fieldsOf(cmd.def, 'ColumnDef');
        const column = str(columnDef?.colname);
        if (!columnDef || column === undefined) continue;
        const location = num(columnDef.location) ?? -1;
        added.push({
          table,
          column,
          span: location >= 0 ? nameSpanInText(this.source.parsed.text, location) : table.span,
          anchor: this.statement.start,
          statementSpan: this.statementSpan(),
          after: this.after(),
        });
        uniques.push(...this.columnConstraints(table, columnDef, 'alter-table'));
      } else if (cmd.subtype === 'AT_AddConstraint') {
        const constraint = fieldsOf(cmd.def, 'Constraint');
        const declaration = constraint && this.constraint(table, constraint, null, 'alter-table');
        if (declaration) uniques.push(declaration);
      }
    }
    return { uniques, added };
  }

  onConflicts(): OnConflictTarget[] {
    const found: OnConflictTarget[] = [];
    walkTree(this.statement.node, (value) => {
      const insert = fieldsOf(value, 'InsertStmt');
      const target = insert && this.onConflict(insert);
      if (target) found.push(target);
    });
    return found;
  }

  private onConflict(insert: Fields): OnConflictTarget | null {
    const clause = insert.onConflictClause as Fields | undefined;
    const infer = clause?.infer as Fields | undefined;
    const table = this.tableName(insert.relation);
    if (!clause || !infer || !table) return null;
    const onToken = this.source.layout.tokenIndexStartingAt(num(clause.location) ?? -1);
    const inferToken = this.source.layout.tokenIndexStartingAt(num(infer.location) ?? -1);
    if (onToken === undefined || inferToken === undefined) return null;
    const conname = str(infer.conname);
    if (conname !== undefined) {
      // ON CONFLICT ON CONSTRAINT name
      const nameToken = inferToken + 2;
      if (!this.tokens[nameToken]) return null;
      return {
        source: this.source,
        table,
        columns: null,
        constraint: { name: conname, span: this.span(inferToken, nameToken) },
        where: null,
        span: this.span(onToken, nameToken),
        whereAt: null,
      };
    }
    if (this.tokens[inferToken]?.text !== '(') return null;
    const close = matchingParen(this.tokens, inferToken);
    if (close < 0) return null;
    const elems = list(infer.indexElems).map((e) => fieldsOf(e, 'IndexElem'));
    const names = elems.map((e) => str(e?.name));
    const columns = names.every((n): n is string => n !== undefined) ? names : null;
    let where: OnConflictTarget['where'] = null;
    if (infer.whereClause && this.kw(close + 1, 'WHERE')) {
      const doToken = this.source.layout.scanAtDepth(close + 1, (k) => this.kw(k, 'DO'));
      if (doToken > close + 2) {
        where = { predicate: lowerPredicate(infer.whereClause as RawNode, this.opaque), span: this.span(close + 2, doToken - 1) };
      }
    }
    return {
      source: this.source,
      table,
      columns,
      constraint: null,
      where,
      span: this.span(onToken, close),
      whereAt: this.tokens[close]!.end,
    };
  }
}

/** The uniqueness declarations of one statement (CREATE TABLE, ALTER TABLE, CREATE UNIQUE INDEX). */
export function lowerConstraints(source: SqlSource, statement: ParsedStatement): UniqueDeclaration[] {
  const n = unwrap(statement.node);
  if (!n) return [];
  const lowerer = new ConstraintLowerer(source, statement);
  switch (n.type) {
    case 'CreateStmt':
      return lowerer.createTable(n.fields);
    case 'AlterTableStmt':
      return lowerer.alterTable(n.fields).uniques;
    case 'IndexStmt': {
      const index = lowerer.index(n.fields);
      return index ? [index] : [];
    }
    default:
      return [];
  }
}

/** The columns an `ALTER TABLE … ADD COLUMN` adds. */
export function lowerAddedColumns(source: SqlSource, statement: ParsedStatement): AddedColumn[] {
  const n = unwrap(statement.node);
  if (!n || n.type !== 'AlterTableStmt') return [];
  return new ConstraintLowerer(source, statement).alterTable(n.fields).added;
}

/** The conflict targets of every `INSERT … ON CONFLICT (…)` in the statement (CTEs included). */
export function lowerOnConflicts(source: SqlSource, statement: ParsedStatement): OnConflictTarget[] {
  // the walk looks at every node of the statement: skip it when the text cannot hold an ON CONFLICT
  if (!/conflict/i.test(source.parsed.text.slice(statement.start, statement.end))) return [];
  return new ConstraintLowerer(source, statement).onConflicts();
}
