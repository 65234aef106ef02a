/**
 * Small, total helpers over the raw libpg-query JSON AST (`{ NodeType: { ...fields } }`). None of them throw on
 * unexpected shapes: they return undefined, which callers treat as "not this construct".
 */
import type { RawNode } from './parser.js';

export type Fields = Record<string, unknown>;

/**
 * The node that stands in a statement tree for a part the parser module cut off because it nests too deeply to
 * analyse: `{ SoftDeleteTooDeep: { location } }`, its location the earliest of the part (-1 when it has none).
 * Lowering reads it as SQL it cannot see: an opaque predicate, no relation, no subquery.
 */
export const TOO_DEEP_NODE = 'SoftDeleteTooDeep';

/** The node type of a raw node (`SelectStmt`, `RangeVar`, …). */
export function nodeType(node: unknown): string | undefined {
  if (!node || typeof node !== 'object' || Array.isArray(node)) return undefined;
  // The keys counted without an array of them: every walk asks this of every node it reads.
  let type: string | undefined;
  for (const key in node) {
    if (type !== undefined) return undefined;
    type = key;
  }
  return type;
}

/** The fields of `node` when it has type `type`. */
export function fieldsOf(node: unknown, type: string): Fields | undefined {
  if (nodeType(node) !== type) return undefined;
  const value = (node as Record<string, unknown>)[type];
  return value && typeof value === 'object' ? (value as Fields) : undefined;
}

/** The type and fields of any node. */
export function unwrap(node: unknown): { type: string; fields: Fields } | undefined {
  const type = nodeType(node);
  if (!type) return undefined;
  const fields = (node as Record<string, unknown>)[type];
  return fields && typeof fields === 'object' ? { type, fields: fields as Fields } : undefined;
}

export function list(value: unknown): RawNode[] {
  return Array.isArray(value) ? (value as RawNode[]) : [];
}

export function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

export function num(value: unknown): number | undefined {
  return typeof value === 'number' ? value : undefined;
}

/** `{ String: { sval } }` → sval. */
export function stringValue(node: unknown): string | undefined {
  return str(fieldsOf(node, 'String')?.sval);
}

/** Names of a qualified-name list (`[{String}, {String}]`). */
export function nameList(value: unknown): string[] {
  return list(value)
    .map(stringValue)
    .filter((s): s is string => s !== undefined);
}

/** The string of an `A_Const` string constant, possibly behind a type cast. */
export function constString(node: unknown): { value: string; location: number } | undefined {
  const cast = fieldsOf(node, 'TypeCast');
  if (cast) return constString(cast.arg);
  const constant = fieldsOf(node, 'A_Const');
  if (!constant) return undefined;
  const value = str((constant.sval as Fields | undefined)?.sval);
  return value === undefined ? undefined : { value, location: num(constant.location) ?? -1 };
}

/**
 * Visits every object and array under `root` (nodes, their fields, lists) in document order — pre-order, left to
 * right, as a recursive walk would — without recursion: the depth of the tree does not matter. `visit` returns
 * false to leave what is under a value unvisited, or the one value to descend into instead of its children.
 */
export function walkTree(root: unknown, visit: (value: object) => boolean | void | { only: unknown }): void {
  const pending: unknown[] = [root];
  while (pending.length > 0) {
    const value = pending.pop();
    if (!value || typeof value !== 'object') continue;
    const verdict = visit(value);
    if (verdict === false) continue;
    if (verdict !== undefined && verdict !== true) {
      pending.push(verdict.only);
      continue;
    }
    pushChildren(pending, value);
  }
}

/**
 * Pushes the objects and arrays directly under `value` (its items, or its fields' values) onto `pending` so that
 * they pop in document order, without allocating a list of them.
 */
export function pushChildren(pending: unknown[], value: object): void {
  const from = pending.length;
  if (Array.isArray(value)) {
    for (let k = 0; k < value.length; k++) {
      const child: unknown = value[k];
      if (child && typeof child === 'object') pending.push(child);
    }
  } else {
    for (const key in value) {
      const child: unknown = (value as Fields)[key];
      if (child && typeof child === 'object') pending.push(child);
    }
  }
  for (let i = from, j = pending.length - 1; i < j; i++, j--) {
    const first = pending[i];
    pending[i] = pending[j];
    pending[j] = first;
  }
}

/** Smallest non-negative `location` anywhere inside the node (its start, approximately). */
export function firstLocation(node: unknown): number {
  let best = Infinity;
  walkTree(node, (value) => {
    const at = (value as Fields).location;
    if (typeof at === 'number' && at >= 0 && at < best) best = at;
  });
  return best === Infinity ? -1 : best;
}

/** A structural key for an expression: the JSON with locations removed. Equal keys mean equal expressions. */
export function structuralKey(node: unknown): string {
  return JSON.stringify(node, (key, value) => (key === 'location' ? undefined : value));
}

/**
 * Every column reference under `root` (through subqueries too), except under `skip` (compared by identity):
 * the qualifier and name as written, `name: null` for a `*`. Iterative: the depth of the tree does not matter.
 */
export function columnUses(root: unknown, skip: unknown): Array<{ qualifier: string | null; name: string | null }> {
  const found: Array<{ qualifier: string | null; name: string | null }> = [];
  const pending: unknown[] = [root];
  while (pending.length > 0) {
    const value = pending.pop();
    if (!value || typeof value !== 'object' || value === skip) continue;
    if (Array.isArray(value)) {
      pending.push(...value);
      continue;
    }
    const column = fieldsOf(value, 'ColumnRef');
    if (column) {
      const parts = list(column.fields);
      const names = nameList(parts);
      const star = parts.length > 0 && 'A_Star' in (parts[parts.length - 1] as object);
      if (star) found.push({ qualifier: names[names.length - 1] ?? null, name: null });
      else found.push({ qualifier: names.length >= 2 ? names[names.length - 2]! : null, name: names[names.length - 1] ?? null });
      continue;
    }
    for (const child of Object.values(value as Fields)) if (child && typeof child === 'object') pending.push(child);
  }
  return found;
}
