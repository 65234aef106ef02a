/**
 * The active-row filter of a Prisma client read, written as Prisma writes it: `deletedAt: null` merged into the
 * call's `where` (created when absent), or into the `where` of a to-many relation loaded by `include` / `select`.
 * Only object literals written at the call are edited: a `const` of arguments may be shared by other calls.
 */
import { AST_NODE_TYPES, type TSESTree } from '@typescript-eslint/utils';
import type { PrismaModel } from '../schema/model.js';
import type { CodeFilter, FilterRequest, SoftDeleteRequest, SourceEdit } from '../sql/fragment.js';
import { unwrap, type Node } from '../js/estree.js';
import { keyName, keyRange } from '../js/synth.js';

const PLAIN_FIELD = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * The filter for the read whose table name maps onto source index `at`: the call's own read (its delegate, at
 * `delegate`), or a to-many relation loaded by an `include` / `select` of it.
 */
export function prismaCallFilter(
  call: TSESTree.CallExpression,
  delegate: readonly [number, number],
  model: PrismaModel,
  models: ReadonlyMap<string, PrismaModel>,
  at: number,
  request: FilterRequest,
): CodeFilter | null {
  if (at >= delegate[0] && at < delegate[1]) {
    const arg = call.arguments[0];
    const entry = entryFor(model, request);
    if (!entry) return null;
    if (!arg) {
      const close = call.range[1] - 1;
      return { code: entry, edits: [{ start: close, end: close, text: `{ where: { ${entry} } }` }] };
    }
    const args = unwrap(arg);
    if (args.type !== AST_NODE_TYPES.ObjectExpression) return null;
    const edits = mergeIntoWhere(args, entry);
    return edits ? { code: entry, edits } : null;
  }
  const args = call.arguments[0] && unwrap(call.arguments[0]);
  return args?.type === AST_NODE_TYPES.ObjectExpression ? relationFilter(args, model, models, at, request, 0) : null;
}

/**
 * A Prisma delete as the soft delete: `delete` → `update`, `deleteMany` → `updateMany`, with
 * `data: { deletedAt: new Date() }` (`isDeleted: true` for a flag) and, unless the where keeps to live rows already,
 * `deletedAt: null` merged into it. Only an options object written at the call (or none) is edited.
 */
export function prismaSoftDelete(call: TSESTree.CallExpression, op: TSESTree.Identifier, model: PrismaModel, request: SoftDeleteRequest): CodeFilter | null {
  if (op.name !== 'delete' && op.name !== 'deleteMany') return null;
  const entry = entryFor(model, request);
  if (!entry) return null;
  const field = entry.slice(0, entry.indexOf(':'));
  const data = `data: { ${field}: ${request.test === 'is-null' ? 'new Date()' : 'true'} }`;
  const rename = { start: op.range[0], end: op.range[1], text: op.name === 'delete' ? 'update' : 'updateMany' };
  const code = `${rename.text}({ …, ${data} })`;
  const arg = call.arguments[0];
  const options = arg && unwrap(arg);
  const whole = `{ ${request.filter ? `where: { ${entry} }, ` : ''}${data} }`;
  if (!options) {
    const close = call.range[1] - 1;
    return { code, edits: [rename, { start: close, end: close, text: whole }] };
  }
  if (options.type !== AST_NODE_TYPES.ObjectExpression || options.properties.some((p) => p.type !== AST_NODE_TYPES.Property)) return null;
  if (options.properties.length === 0) return { code, edits: [rename, { start: options.range[0], end: options.range[1], text: whole }] };
  const filter = request.filter ? mergeIntoWhere(options, entry) : [];
  if (!filter) return null;
  const last = options.properties[options.properties.length - 1]!;
  const add: SourceEdit = { start: last.range[1], end: last.range[1], text: `, ${data}` };
  return { code, edits: [rename, ...filter, add].sort((a, b) => a.start - b.start) };
}

/** `deletedAt: null` (a timestamp) / `isDeleted: false` (a flag) for the model's field of the column. */
function entryFor(model: PrismaModel, { column, test }: FilterRequest): string | null {
  const field = [...model.fields].find(([, f]) => f.relation === undefined && f.column === column)?.[0];
  if (field === undefined || !PLAIN_FIELD.test(field)) return null;
  return `${field}: ${test === 'is-null' ? 'null' : 'false'}`;
}

/** Edits adding `entry` to the `where` of an options object (`{ where, include, … }`), creating it when absent. */
function mergeIntoWhere(options: TSESTree.ObjectExpression, entry: string): SourceEdit[] | null {
  if (options.properties.some((p) => p.type !== AST_NODE_TYPES.Property)) return null; // a spread may bring its own where
  const where = options.properties.find((p): p is TSESTree.Property => p.type === AST_NODE_TYPES.Property && keyName(p) === 'where');
  if (!where) {
    if (options.properties.length === 0) return [{ start: options.range[0], end: options.range[1], text: `{ where: { ${entry} } }` }];
    const first = options.properties[0]!;
    return [{ start: first.range[0], end: first.range[0], text: `where: { ${entry} }, ` }];
  }
  if (where.shorthand) return null;
  const value = unwrap(where.value as Node);
  if (value.type !== AST_NODE_TYPES.ObjectExpression) return null;
  const field = entry.slice(0, entry.indexOf(':'));
  if (value.properties.some((p) => p.type === AST_NODE_TYPES.Property && keyName(p) === field)) return null;
  if (value.properties.length === 0) return [{ start: value.range[0], end: value.range[1], text: `{ ${entry} }` }];
  const last = value.properties[value.properties.length - 1]!;
  return [{ start: last.range[1], end: last.range[1], text: `, ${entry}` }];
}

/** The filter of a to-many relation loaded by `include` / `select` (nested ones too), whose key maps onto `at`. */
function relationFilter(
  options: TSESTree.ObjectExpression,
  model: PrismaModel,
  models: ReadonlyMap<string, PrismaModel>,
  at: number,
  request: FilterRequest,
  depth: number,
): CodeFilter | null {
  if (depth > 8) return null;
  for (const option of options.properties) {
    if (option.type !== AST_NODE_TYPES.Property) continue;
    const name = keyName(option);
    if (name !== 'include' && name !== 'select') continue;
    const loaded = unwrap(option.value as Node);
    if (loaded.type !== AST_NODE_TYPES.ObjectExpression) continue;
    for (const p of loaded.properties) {
      if (p.type !== AST_NODE_TYPES.Property) continue;
      const key = keyName(p);
      const field = key === null ? undefined : model.fields.get(key);
      const related = field?.relation ? models.get(field.relation) : undefined;
      if (!field || !related) continue;
      const value = unwrap(p.value as Node);
      const [from, to] = keyRange(p);
      if (at >= from && at < to) {
        // only a to-many relation takes a `where` (a to-one include is filtered through its parent)
        const entry = field.list ? entryFor(related, request) : null;
        if (!entry) return null;
        if (value.type === AST_NODE_TYPES.Literal && value.value === true) {
          return { code: entry, edits: [{ start: value.range[0], end: value.range[1], text: `{ where: { ${entry} } }` }] };
        }
        if (value.type !== AST_NODE_TYPES.ObjectExpression) return null;
        const edits = mergeIntoWhere(value, entry);
        return edits ? { code: entry, edits } : null;
      }
      if (value.type === AST_NODE_TYPES.ObjectExpression) {
        const nested = relationFilter(value, related, models, at, request, depth + 1);
        if (nested) return nested;
      }
    }
  }
  return null;
}
