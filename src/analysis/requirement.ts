/**
 * Requirements: the active-row predicate a read of a relation must imply (`deleted_at IS NULL`, `NOT is_deleted`,
 * `valid_to IS NULL`, …), with its SQL text so fixes and messages can show it, and the implication test.
 */
import { parseCached } from '../sql/source.js';
import { tokenize, type SqlToken } from '../sql/parser.js';
import { quoteIdent } from '../sql/ident.js';
import { fieldsOf } from '../sql/ast.js';
import { atoms, atomColumns, lowerPredicate, type Atom, type ColumnRef, type Predicate } from '../sql/predicate.js';
import type { RelationInfo } from '../schema/model.js';

export interface Requirement {
  /** Over unqualified column names of the relation. */
  predicate: Predicate;
  /** The same predicate as SQL over unqualified column names (identifiers quoted where needed). */
  text: string;
  /** Column names the predicate mentions. */
  columns: string[];
  /**
   * The predicate accepts any of several marker columns (a flag and a timestamp kept together) while `text` names
   * the first only: `text` has no OR of its own, so it is added without parentheses.
   */
  alternatives?: boolean;
}

/** Does this column reference point at the relation being checked? */
export type Binder = (column: ColumnRef) => boolean;

export { quoteIdent } from '../sql/ident.js';

/** Boolean flags (`deleted`, `is_deleted`, `isDeleted`, `archived`) are tested with NOT; timestamps with IS NULL. */
export function isFlagColumn(column: string): boolean {
  return /^(is_?|has_?)?(deleted|archived|removed|trashed|discarded)$/i.test(column);
}

/** The requirement of one soft-delete column: `NOT col` for a flag (by its name, unless said), else `col IS NULL`. */
export function columnRequirement(column: string, flag = isFlagColumn(column)): Requirement {
  const ref: ColumnRef = { qualifier: null, name: column, location: -1 };
  if (flag) {
    return { predicate: { kind: 'bool-test', column: ref, value: false, location: -1 }, text: `NOT ${quoteIdent(column)}`, columns: [column] };
  }
  return { predicate: { kind: 'null-test', column: ref, isNull: true, location: -1 }, text: `${quoteIdent(column)} IS NULL`, columns: [column] };
}

/** A requirement from SQL text (settings `active`, a policy's USING); undefined when it does not parse. */
export function requirementFromSql(text: string): Requirement | undefined {
  const outcome = parseCached(`SELECT 1 WHERE ${text}`);
  if (!outcome.ok || outcome.parsed.statements.length !== 1) return undefined;
  const select = fieldsOf(outcome.parsed.statements[0]!.node, 'SelectStmt');
  if (!select?.whereClause) return undefined;
  const predicate = stripQualifiers(lowerPredicate(select.whereClause as Record<string, unknown>));
  const columns = [...new Set(atoms(predicate).flatMap((a) => atomColumns(a).map((c) => c.name)))];
  if (columns.length === 0) return undefined;
  return { predicate, text: text.trim(), columns };
}

function stripQualifiers(p: Predicate): Predicate {
  if (p.kind === 'and') return { kind: 'and', args: p.args.map(stripQualifiers) };
  if (p.kind === 'or') return { ...p, args: p.args.map(stripQualifiers) };
  return mapAtomColumns(p, (c) => ({ ...c, qualifier: null }));
}

function mapAtomColumns(atom: Atom, f: (c: ColumnRef) => ColumnRef): Atom {
  switch (atom.kind) {
    case 'null-test':
    case 'bool-test':
    case 'compare':
    case 'never':
      return { ...atom, column: f(atom.column) };
    case 'column-eq':
      return { ...atom, left: f(atom.left), right: f(atom.right) };
    case 'other':
      return { ...atom, columns: atom.columns.map(f) };
    default:
      return atom;
  }
}

function mapColumns(p: Predicate, f: (c: ColumnRef) => ColumnRef): Predicate {
  if (p.kind === 'and') return { kind: 'and', args: p.args.map((a) => mapColumns(a, f)) };
  if (p.kind === 'or') return { ...p, args: p.args.map((a) => mapColumns(a, f)) };
  return mapAtomColumns(p, f);
}

function identName(tokenText: string): string {
  return tokenText.startsWith('"') ? tokenText.slice(1, -1).replace(/""/g, '"') : tokenText.toLowerCase();
}

/** Tokens of requirement texts: a project has a handful (one per soft-delete convention), rendered per finding. */
const requirementTokens = new Map<string, SqlToken[]>();
const MAX_REQUIREMENT_TEXTS = 256;

function tokensOf(text: string): SqlToken[] {
  let tokens = requirementTokens.get(text);
  if (!tokens) {
    tokens = tokenize(text);
    if (requirementTokens.size >= MAX_REQUIREMENT_TEXTS) requirementTokens.clear();
    requirementTokens.set(text, tokens);
  }
  return tokens;
}

/** Rewrites the column identifiers of `text` (those in `columns`) with `rewrite(name)`. */
function rewriteColumns(text: string, columns: string[], rewrite: (name: string) => string): string {
  let out = '';
  let last = 0;
  const tokens = tokensOf(text);
  tokens.forEach((t, i) => {
    if (t.kind !== 'ident' && t.kind !== 'keyword') return;
    const name = identName(t.text);
    if (!columns.includes(name)) return;
    if (tokens[i - 1]?.text === '.' || tokens[i + 1]?.text === '.' || tokens[i + 1]?.text === '(') return;
    out += text.slice(last, t.start) + rewrite(name);
    last = t.end;
  });
  return out + text.slice(last);
}

/** The requirement's SQL with every column qualified: `u.deleted_at IS NULL`. */
export function renderRequirement(req: Requirement, qualifier: string | null): string {
  if (!qualifier) return req.text;
  return rewriteColumns(req.text, req.columns, (name) => `${quoteIdent(qualifier)}.${quoteIdent(name)}`);
}

/** The requirement over renamed columns (a CTE or view that passes `deleted_at` through as `removed_at`). */
export function renameRequirement(req: Requirement, names: Map<string, string>): Requirement {
  const rename = (n: string) => names.get(n) ?? n;
  return {
    predicate: mapColumns(req.predicate, (c) => ({ ...c, name: rename(c.name) })),
    text: rewriteColumns(req.text, req.columns, (n) => quoteIdent(rename(n))),
    columns: req.columns.map(rename),
    ...(req.alternatives ? { alternatives: true } : {}),
  };
}

function atomImplies(g: Atom, r: Atom, binds: Binder): boolean {
  if (g.kind !== r.kind) return false;
  switch (g.kind) {
    case 'null-test':
      return r.kind === 'null-test' && binds(g.column) && g.column.name === r.column.name && g.isNull === r.isNull;
    case 'bool-test':
      return r.kind === 'bool-test' && binds(g.column) && g.column.name === r.column.name && g.value === r.value;
    case 'compare':
      return r.kind === 'compare' && binds(g.column) && g.column.name === r.column.name && g.op === r.op && g.value === r.value;
    default:
      return false;
  }
}

/** Sound (not complete) implication: does `guard` imply `required` for the relation `binds` selects? */
export function implies(guard: Predicate, required: Predicate, binds: Binder): boolean {
  if (required.kind === 'and') return required.args.every((r) => implies(guard, r, binds));
  if (guard.kind === 'const') return guard.value === false;
  if (guard.kind === 'or') return guard.args.length > 0 && guard.args.every((g) => implies(g, required, binds));
  if (guard.kind === 'and' && guard.args.some((g) => implies(g, required, binds))) return true;
  if (required.kind === 'or') return required.args.some((r) => implies(guard, r, binds));
  if (guard.kind === 'and') return false;
  return atomImplies(guard, required, binds);
}

/**
 * The active-row requirement of a table from the configured marker columns it has. A timestamp declared NOT NULL
 * cannot mark deleted rows by being set (`deleted_time timestamptz NOT NULL` on a trash table records *when*), so it
 * is no marker; a boolean flag is NOT NULL by nature. A table with several markers (a flag and a timestamp kept
 * together) accepts a filter on any one of them; the first configured is the one suggested.
 */
export function markerRequirement(columns: readonly string[], relation: RelationInfo): Requirement | undefined {
  const markers = markerColumns(columns, relation);
  if (markers.length <= 1) return markers[0] === undefined ? undefined : columnRequirement(markers[0], isMarkerFlag(markers[0], relation));
  const each = markers.map((c) => columnRequirement(c, isMarkerFlag(c, relation)));
  return { predicate: { kind: 'or', args: each.map((r) => r.predicate), location: -1 }, text: each[0]!.text, columns: each[0]!.columns, alternatives: true };
}

type MarkerFacts = Pick<RelationInfo, 'columns' | 'notNull' | 'markers'>;

/**
 * The marker columns a table has, in order: the configured names, then those an ORM model declares for it (a
 * timestamp declared NOT NULL is no marker).
 */
export function markerColumns(columns: readonly string[], relation: MarkerFacts): string[] {
  const declared = relation.markers?.map((m) => m.column).filter((c) => !columns.includes(c)) ?? [];
  return [...columns, ...declared].filter((c, i, all) => all.indexOf(c) === i && relation.columns.includes(c) && (isMarkerFlag(c, relation) || !relation.notNull?.includes(c)));
}

/** Is this marker a boolean flag (`NOT col`)? As a model declared it, else by its name. */
export function isMarkerFlag(column: string, relation: MarkerFacts): boolean {
  return relation.markers?.find((m) => m.column === column)?.flag ?? isFlagColumn(column);
}

/** The active-row filter on one marker column of a table, as SQL. */
export function markerRequirementText(column: string, relation: MarkerFacts): string {
  return columnRequirement(column, isMarkerFlag(column, relation)).text;
}
