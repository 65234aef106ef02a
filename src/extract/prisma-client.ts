/**
 * The Prisma client front end: `prisma.user.findMany({ where, include })` becomes the SQL Prisma runs for it, as
 * fragments of origin `query-builder`, so the one engine checks them like any other SQL.
 *
 * A call is lowered when its object is named like a Prisma client (`prisma`, `this.prisma`, `ctx.db`, `tx`, …),
 * its delegate is a model of the project's Prisma schema (`user` for `model User`) and its operation is a read
 * (`findMany`, `findFirst`, `findUnique`, `count`, `aggregate`, `groupBy`, …) or a write (`delete`, `deleteMany`,
 * `update`, `updateMany`: `DELETE FROM "User" WHERE …`, `UPDATE "User" SET … WHERE …`).
 *
 * - The read itself: `SELECT * FROM "User" WHERE <where>`; the table's characters map onto the delegate name, so
 *   a report squiggles `user` in `prisma.user.findMany`.
 * - Each relation loaded by `include` / `select` (`posts: true`, `posts: { where }`) is its own query in Prisma,
 *   and its own read here: `SELECT * FROM "Post" WHERE "authorId" = ANY($1) AND <nested where>`, squiggled at the
 *   `posts` key. Soft-deleted children leak through includes more often than anywhere else.
 * - `_count` of a relation (`_count: { select: { posts: true } }`, `_count: true`) reads the related table the same way,
 *   and so does `orderBy: { posts: { _count: 'desc' } }` (which Prisma gives no way to filter).
 * - A condition the parent's where puts on every related row (`author: { deletedAt: null }`, `posts: { every: … }`)
 *   is part of the include's read of that relation: Prisma loads the related rows of the rows returned.
 * - A list relation filter (`some` / `none` / `every`, at any polarity) and a positive to-one one (`author: { is }`)
 *   read the related table too: the rows they examine (`NOT X` for `every: X`) are a read of that table. In the
 *   outer predicate it is a condition on other rows.
 * - A conditional spread of object literals (`...(q ? { email: q } : {})`) is an OR of its branches, unless only
 *   some branches mention the soft-delete column (a switch: unknown).
 *
 * Whatever cannot be seen into — a `where` held in a variable that is not a `const` object literal of this file, a
 * spread, a computed key, an operator we do not model — becomes an opaque placeholder: the verdict is unknown,
 * never a false report.
 */
import { AST_NODE_TYPES, type TSESTree } from '@typescript-eslint/utils';
import type { PrismaField, PrismaModel } from '../schema/model.js';
import { delegateName } from '../schema/prisma.js';
import type { SqlFragment } from '../sql/fragment.js';
import { parseCached } from '../sql/source.js';
import { propertyName, unwrap, type VisitorKeys } from '../js/estree.js';
import { isLiteral, isUndefined, keyName, keyRange, namedLike, pushIdent, SynthText as Text } from '../js/synth.js';
import { scanProgram, type ProgramScan } from '../js/program.js';
import { prismaCallFilter, prismaSoftDelete } from './prisma-filter.js';
import { clientsOf } from './clients.js';
import type { NotUnderstoodCall } from './frontend.js';
import { nextParam, type PlaceholderCounter } from '../sql/placeholder.js';
import { DEFAULT_COLUMNS } from '../settings.js';
import { ClientFilters, filteredBy } from './prisma-extensions.js';

type Node = TSESTree.Node;

/** Names of objects that hold a Prisma client (or an interactive transaction's client). */
const CLIENT_NAME = /[Pp]risma|PRISMA|^(?:db|tx|trx|client|database|conn|transaction|orm)$|(?:Db|DB)$/;
/** Client operations that read rows (each takes a `where`). */
/** Reads of one row whose relations the fluent API reaches (`findUnique(…).posts()`). */
const FLUENT_READS = new Set(['findUnique', 'findUniqueOrThrow', 'findFirst', 'findFirstOrThrow']);
export const PRISMA_READS = new Set([
  'findMany', 'findFirst', 'findFirstOrThrow', 'findUnique', 'findUniqueOrThrow', 'count', 'aggregate', 'groupBy',
]);
/** Client operations that delete or update rows (lowered as writes: no-hard-delete, no-tombstone-update). */
const PRISMA_WRITES = new Set(['delete', 'deleteMany', 'update', 'updateMany']);
const COMPARISONS: Record<string, string> = { lt: '<', lte: '<=', gt: '>', gte: '>=' };
const TEXT_MATCH = new Set(['contains', 'startsWith', 'endsWith']);

/** One read to lower: a table, where its name maps to, and what filters it. */
interface Task {
  model: PrismaModel;
  /** Source range the table name maps onto (the delegate, or a relation key). */
  name: [number, number];
  /** Call arguments / include options (`{ where, include, select }`), or null for none. */
  args: Node | null;
  /** A bare `where` (a relation filter's nested where), instead of `args`. */
  where?: Node;
  /** Read the rows the bare `where` does NOT match (`every: {…}` examines the related rows outside it). */
  negate?: boolean;
  /** What the parent query's `where` already requires of these related rows (see `relationConstraints`). */
  constraints?: Constraint[];
  /** Columns of the related table Prisma matches against the parent rows' keys. */
  key: string[];
  /** The client adds the soft-delete condition to this read itself (a query extension or middleware). */
  global?: 'null' | 'false' | null;
}

/**
 * The columns of the related table Prisma matches against the parent rows when it loads `field` (an include): the
 * referenced columns of a to-one relation holding the foreign key, else the foreign key of the opposite field.
 * Empty when unknown (an implicit many-to-many goes through a join table).
 */
function joinKey(models: ReadonlyMap<string, PrismaModel>, model: PrismaModel, fieldName: string, field: PrismaField): string[] {
  const related = field.relation ? models.get(field.relation) : undefined;
  if (!related) return [];
  const columnOf = (name: string): string | undefined => {
    const f = related.fields.get(name);
    return f && f.relation === undefined ? f.column : undefined;
  };
  let names: string[] | undefined;
  if (field.fields && field.references) names = field.references;
  else {
    for (const [otherName, other] of related.fields) {
      if (other.relation !== model.name || !other.fields || (related === model && otherName === fieldName)) continue;
      if ((other.relationName ?? null) !== (field.relationName ?? null)) continue;
      names = other.fields;
      break;
    }
  }
  const columns = (names ?? []).map(columnOf);
  return columns.every((c): c is string => c !== undefined) ? columns : [];
}

/**
 * A condition the parent's `where` puts on every related row an include loads: `author: { deletedAt: null }` (or
 * `is`) on a to-one relation, `every: {…}` on a list; `isNot` / `none` require the opposite of their where.
 */
interface Constraint {
  where: Node;
  negate: boolean;
}

/** A conjunction being built: an empty list is TRUE. */
type Conds = Text[];

class Lowerer {
  private counter: PlaceholderCounter = { param: 0, ident: 0 };
  private tasks: Task[] = [];

  constructor(
    private readonly consts: ReadonlyMap<string, Node>,
    private readonly models: ReadonlyMap<string, PrismaModel>,
    private readonly softColumns: readonly string[] = DEFAULT_COLUMNS,
  ) {}

  /** An object literal for `node`, following a `const` of this file; null when it is not one we can see. */
  private object(node: Node): TSESTree.ObjectExpression | null {
    let n = unwrap(node);
    for (let depth = 0; depth < 5 && n.type === AST_NODE_TYPES.Identifier; depth++) {
      const init = this.consts.get(n.name);
      if (!init) return null;
      n = unwrap(init);
    }
    return n.type === AST_NODE_TYPES.ObjectExpression ? n : null;
  }

  private param(pos: number, opaque = false): Text {
    const t = new Text();
    t.push(nextParam(this.counter), pos, opaque);
    return t;
  }

  private opaque(pos: number): Text {
    return this.param(pos, true);
  }

  private value(node: Node): Text {
    const e = unwrap(node);
    if (e.type === AST_NODE_TYPES.Literal) {
      if (typeof e.value === 'boolean') return new Text().syn(String(e.value), e.range[0]);
      if (typeof e.value === 'number' && Number.isFinite(e.value) && e.value >= 0) return new Text().syn(String(e.value), e.range[0]);
    }
    return this.param(e.range[0]);
  }

  /** `"Table"` (schema-qualified when `@@schema` says so), every character mapped into `range`. */
  private table(model: PrismaModel, range: [number, number]): Text {
    const t = new Text();
    if (model.schema !== undefined) {
      pushIdent(t, model.schema, range);
      t.push('.', range[0]);
    }
    pushIdent(t, model.table, range);
    return t;
  }

  private column(name: string, range: [number, number]): Text {
    const t = new Text();
    pushIdent(t, name, range);
    return t;
  }

  /** Every read a client call makes; the first is the call's own. */
  lowerCall(model: PrismaModel, delegate: [number, number], args: Node | null, global: 'null' | 'false' | null = null): SqlFragment[] {
    return this.run([{ model, name: delegate, args, key: [], global }]);
  }

  /**
   * The fluent API, `prisma.user.findUnique(…).posts(args)`: the related rows of the row found, read as
   * `include: { posts: args }` reads them (mapped onto the relation's name). Null for a name that is not a relation.
   */
  lowerFluent(model: PrismaModel, relation: string, name: [number, number], args: Node | null, global: 'null' | 'false' | null): SqlFragment[] | null {
    const field = model.fields.get(relation);
    const related = field?.relation ? this.models.get(field.relation) : undefined;
    if (!field || !related) return null;
    return this.run([{ model: related, name, args, key: joinKey(this.models, model, relation, field), global }]);
  }

  private run(tasks: Task[]): SqlFragment[] {
    this.tasks = tasks;
    const out: SqlFragment[] = [];
    for (let i = 0; i < this.tasks.length && i < 64; i++) {
      try {
        const fragment = this.lowerTask(this.tasks[i]!);
        if (fragment) out.push(fragment);
      } catch {
        // skip this read
      }
    }
    return out;
  }

  /**
   * A write (`delete`, `deleteMany`, `update`, `updateMany`): `DELETE FROM "User" WHERE …` / `UPDATE "User" SET … WHERE …`
   * (the table mapped onto the delegate), then the reads its relation filters make. Values the call does not spell
   * out (`data: changes`, `data: { ...changes }`) become an assignment to an unseen column: they might set the
   * soft-delete column, which the check says.
   */
  lowerWriteCall(model: PrismaModel, delegate: [number, number], op: string, args: Node | null, opAt: number): SqlFragment[] {
    this.tasks = [];
    this.counter = { param: 0, ident: 0 };
    const object = args ? this.object(args) : null;
    if (args && !object) return [];
    const conds: Conds = [];
    const sets: Text[] = [];
    let dataValue: Node | null = null;
    for (const property of object?.properties ?? []) {
      if (property.type !== AST_NODE_TYPES.Property) return []; // `...args`: which rows, which values: unknown
      const key = keyName(property);
      if (key === 'where') conds.push(...this.where(property.value as Node, model, true));
      else if (key === 'data') dataValue = property.value as Node;
      else if (key === null) return [];
    }
    const update = op === 'update' || op === 'updateMany';
    if (update) {
      if (dataValue === null) return [];
      const data = this.object(dataValue);
      if (!data) sets.push(new Text().unseenAssignment(this.counter, dataValue.range[0])); // `data: changes`
      for (const property of data?.properties ?? []) {
        if (property.type !== AST_NODE_TYPES.Property || property.computed) {
          sets.push(new Text().unseenAssignment(this.counter, property.range[0])); // `...changes`: values we cannot see
          continue;
        }
        if (property.kind !== 'init') return [];
        const key = keyName(property);
        const field = key === null ? undefined : model.fields.get(key);
        if (!field) return [];
        if (field.relation !== undefined) continue; // a nested write of another table
        const value = property.value as Node;
        if (isUndefined(value)) continue;
        const set = this.column(field.column, keyRange(property)).syn(' = ', property.range[0]);
        sets.push(isLiteral(value, null) ? set.syn('NULL', property.range[0]) : set.add(this.value(value)));
      }
      if (sets.length === 0) return [];
    }
    const out = new Text().syn(update ? 'UPDATE ' : 'DELETE FROM ', opAt).add(this.table(model, delegate));
    out.clause(' SET ', sets, ', ', opAt).clause(' WHERE ', conds, ' AND ', opAt);
    const fragment = out.toSynthesized();
    const fragments = parseCached(fragment.text).ok ? [fragment] : [];
    // the reads of related tables its relation filters make
    for (let i = 0; i < this.tasks.length && i < 64; i++) {
      try {
        const read = this.lowerTask(this.tasks[i]!);
        if (read) fragments.push(read);
      } catch {
        // skip this read
      }
    }
    return fragments;
  }

  private lowerTask(task: Task): SqlFragment | null {
    this.counter = { param: 0, ident: 0 };
    const at = task.name[0];
    const conds: Conds = [];
    for (const column of task.key) {
      conds.push(new Text().add(this.column(column, task.name)).syn(' = ANY(', at).add(this.param(at)).syn(')', at));
    }
    for (const constraint of task.constraints ?? []) conds.push(...this.required(constraint, task.model));
    if (task.global) conds.push(...this.globalFilter(task));
    if (task.where) {
      if (!task.negate) conds.push(...this.where(task.where, task.model, true));
      else {
        // `every: { X }` examines the related rows that are not X: none of them may exist
        const inner = this.where(task.where, task.model, false);
        if (inner.length === 0) return null; // `every: {}`: no row is examined
        conds.push(new Text().syn('NOT ', at).add(this.group(inner, 'AND', at, true)));
      }
    } else if (task.args) {
      const args = this.object(task.args);
      if (!args) conds.push(this.opaque(task.args.range[0]));
      else {
        const where = args.properties.find((p): p is TSESTree.Property => p.type === AST_NODE_TYPES.Property && keyName(p) === 'where');
        const constraints = where ? this.relationConstraints(where.value as Node, task.model) : new Map<string, Constraint[]>();
        for (const property of args.properties) {
          if (property.type !== AST_NODE_TYPES.Property) {
            conds.push(this.opaque(property.range[0])); // `...args`: a where we cannot see
            continue;
          }
          const key = keyName(property);
          if (key === 'where') conds.push(...this.where(property.value as Node, task.model, true));
          else if (key === 'include' || key === 'select') this.includes(property.value as Node, task.model, constraints);
          else if (key === 'orderBy') this.orderByCounts(property.value as Node, task.model, constraints);
          else if (key === null) conds.push(this.opaque(property.range[0]));
        }
      }
    }
    const out = new Text().syn('SELECT * FROM ', at).add(this.table(task.model, task.name));
    out.clause(' WHERE ', conds, ' AND ', at);
    const fragment = out.toSynthesized();
    return parseCached(fragment.text).ok ? fragment : null;
  }

  /** `include: { posts: true, author: { where } }` / `select: { …, posts: true }`: one more read per relation. */
  private includes(node: Node, model: PrismaModel, constraints: ReadonlyMap<string, Constraint[]>): void {
    const object = this.object(node);
    if (!object) return; // which relations a variable loads is unknown: nothing to check
    for (const property of object.properties) {
      if (property.type !== AST_NODE_TYPES.Property) continue;
      const key = keyName(property);
      const value = property.value as Node;
      if (key === '_count') {
        this.counts(property, model, constraints);
        continue;
      }
      const field = key === null ? undefined : model.fields.get(key);
      const related = field?.relation ? this.models.get(field.relation) : undefined;
      if (!field || !related || key === null) continue;
      if (isLiteral(value, false) || isUndefined(value)) continue;
      this.tasks.push({
        model: related,
        name: keyRange(property),
        args: isLiteral(value, true) ? null : value,
        key: joinKey(this.models, model, key, field),
        constraints: constraints.get(key),
      });
    }
  }

  /**
   * `orderBy: { posts: { _count: 'desc' } }` (or a list of such objects) sorts by how many related rows there are:
   * a read of the related table that Prisma gives no way to filter, so deleted children are counted. Squiggled at
   * the relation's key.
   */
  private orderByCounts(node: Node, model: PrismaModel, constraints: ReadonlyMap<string, Constraint[]>): void {
    const n = unwrap(node);
    const items = n.type === AST_NODE_TYPES.ArrayExpression ? n.elements : [n];
    for (const item of items) {
      const object = item && item.type !== AST_NODE_TYPES.SpreadElement ? this.object(item as Node) : null;
      for (const property of object?.properties ?? []) {
        if (property.type !== AST_NODE_TYPES.Property) continue;
        const name = keyName(property);
        const field = name === null ? undefined : model.fields.get(name);
        const related = field?.relation && field.list ? this.models.get(field.relation) : undefined;
        const order = this.object(property.value as Node);
        if (!field || !related || name === null || !order?.properties.some((p) => p.type === AST_NODE_TYPES.Property && keyName(p) === '_count')) continue;
        this.tasks.push({ model: related, name: keyRange(property), args: null, key: joinKey(this.models, model, name, field), constraints: constraints.get(name) });
      }
    }
  }

  /**
   * `_count: true` counts every list relation; `_count: { select: { posts: true, tags: { where } } }` the ones named.
   * Each count reads the related table (deleted children are counted unless filtered): a read of its own, squiggled
   * at the relation's key (or at `_count` for `true`).
   */
  private counts(property: TSESTree.Property, model: PrismaModel, constraints: ReadonlyMap<string, Constraint[]>): void {
    const value = property.value as Node;
    const push = (fieldName: string, name: [number, number], where: Node | undefined): void => {
      const field = model.fields.get(fieldName);
      const related = field?.relation && field.list ? this.models.get(field.relation) : undefined;
      if (!field || !related) return;
      this.tasks.push({
        model: related,
        name,
        args: null,
        where,
        key: joinKey(this.models, model, fieldName, field),
        constraints: constraints.get(fieldName),
      });
    };
    if (isLiteral(value, true)) {
      for (const [name, field] of model.fields) if (field.list) push(name, keyRange(property), undefined);
      return;
    }
    const select = this.object(value)?.properties.find((p): p is TSESTree.Property => p.type === AST_NODE_TYPES.Property && keyName(p) === 'select');
    const relations = select ? this.object(select.value as Node) : null;
    for (const relation of relations?.properties ?? []) {
      if (relation.type !== AST_NODE_TYPES.Property) continue;
      const name = keyName(relation);
      const v = relation.value as Node;
      if (name === null || isLiteral(v, false) || isUndefined(v)) continue;
      let where: Node | undefined;
      if (!isLiteral(v, true)) {
        const options = this.object(v);
        const w = options?.properties.find((p): p is TSESTree.Property => p.type === AST_NODE_TYPES.Property && keyName(p) === 'where');
        where = w ? (w.value as Node) : options ? undefined : v; // a variable: its where is unknown (opaque)
      }
      push(name, keyRange(relation), where);
    }
  }

  /**
   * What the parent `where` requires of the related rows of each relation, read from its top-level conjuncts (and
   * `AND`): `author: { deletedAt: null }` / `author: { is: {…} }` on a to-one relation, and `every: {…}` on a list,
   * hold for every related row an include of that relation loads; `isNot: {…}` / `none: {…}` hold their negation.
   * `some` does not (other related rows are loaded too), nor anything under `OR` / `NOT`.
   */
  private relationConstraints(node: Node, model: PrismaModel, depth = 0): Map<string, Constraint[]> {
    const out = new Map<string, Constraint[]>();
    const object = depth < 8 ? this.object(node) : null;
    if (!object) return out;
    const add = (name: string, where: Node, negate: boolean): void => {
      if (isLiteral(where, null) || isUndefined(where) || !this.object(where)) return;
      out.set(name, [...(out.get(name) ?? []), { where, negate }]);
    };
    for (const [index, property] of object.properties.entries()) {
      if (property.type !== AST_NODE_TYPES.Property || this.replacedLater(object, index)) continue;
      const key = keyName(property);
      const value = property.value as Node;
      if (key === 'AND') {
        const v = unwrap(value);
        const items = v.type === AST_NODE_TYPES.ArrayExpression ? v.elements : [v];
        for (const item of items) {
          if (!item || item.type === AST_NODE_TYPES.SpreadElement) continue;
          for (const [name, list] of this.relationConstraints(item, model, depth + 1)) out.set(name, [...(out.get(name) ?? []), ...list]);
        }
        continue;
      }
      const field = key === null ? undefined : model.fields.get(key);
      if (!field?.relation || key === null) continue;
      const filter = this.object(value);
      if (!filter) continue;
      const keys = filter.properties.map((p) => (p.type === AST_NODE_TYPES.Property ? keyName(p) : null));
      const wrapped = field.list || keys.some((k) => k === 'is' || k === 'isNot');
      if (!wrapped) {
        add(key, value, false); // to-one shorthand
        continue;
      }
      for (const p of filter.properties) {
        if (p.type !== AST_NODE_TYPES.Property) continue;
        const k = keyName(p);
        if (k === (field.list ? 'every' : 'is')) add(key, p.value as Node, false);
        else if (k === (field.list ? 'none' : 'isNot')) add(key, p.value as Node, true);
      }
    }
    return out;
  }

  /**
   * The condition a client extension adds to the call's own read (`deletedAt: null`), unless the call's `where`
   * names the soft-delete field itself (a trash view through the same client decides for itself).
   */
  private globalFilter(task: Task): Conds {
    const args = task.args ? this.object(task.args) : null;
    const where = args?.properties.find((p): p is TSESTree.Property => p.type === AST_NODE_TYPES.Property && keyName(p) === 'where');
    if (where && this.mentionsSoft(where.value as Node, task.model)) return [];
    const field = [...task.model.fields.entries()].find(([name, f]) => f.relation === undefined && (this.softColumns.includes(f.column) || this.softColumns.includes(name)));
    if (!field) return [];
    const at = task.name[0];
    return [this.column(field[1].column, task.name).syn(task.global === 'false' ? ' = false' : ' IS NULL', at)];
  }

  /** A parent's requirement on the related rows, as conjuncts of their read. */
  private required(constraint: Constraint, model: PrismaModel): Conds {
    const inner = this.where(constraint.where, model, !constraint.negate);
    if (!constraint.negate || inner.length === 0) return inner;
    const at = constraint.where.range[0];
    return [new Text().syn('NOT ', at).add(this.group(inner, 'AND', at, true))];
  }

  /** Can a spread after `index` replace that property? (Any spread we cannot see into can.) */
  private replacedLater(object: TSESTree.ObjectExpression, index: number): boolean {
    const property = object.properties[index]!;
    const key = property.type === AST_NODE_TYPES.Property ? keyName(property) : null;
    for (const later of object.properties.slice(index + 1)) {
      if (later.type !== AST_NODE_TYPES.SpreadElement) continue;
      const branches = this.spreadBranches(later);
      if (!branches || key === null) return true;
      if (branches.some((b) => b.properties.some((p) => p.type !== AST_NODE_TYPES.Property || keyName(p) === null || keyName(p) === key))) return true;
    }
    return false;
  }

  /**
   * The objects a conditional spread may add: `...(cond ? { a } : {})`, `...(cond && { a })`; a branch that adds
   * nothing (`{}`, `undefined`, `null`, `false`) is an empty object. Null when a branch cannot be seen into.
   */
  private spreadBranches(spread: TSESTree.SpreadElement): TSESTree.ObjectExpression[] | null {
    const empty = { type: AST_NODE_TYPES.ObjectExpression, properties: [], range: spread.range } as unknown as TSESTree.ObjectExpression;
    const branch = (node: Node, depth: number): TSESTree.ObjectExpression[] | null => {
      const n = unwrap(node);
      if (depth > 4) return null;
      if (n.type === AST_NODE_TYPES.ConditionalExpression) {
        const a = branch(n.consequent, depth + 1);
        const b = branch(n.alternate, depth + 1);
        return a && b ? [...a, ...b] : null;
      }
      if (n.type === AST_NODE_TYPES.LogicalExpression && n.operator === '&&') {
        const a = branch(n.right, depth + 1);
        return a ? [...a, empty] : null;
      }
      if (isUndefined(n) || isLiteral(n, null) || isLiteral(n, false)) return [empty];
      const object = this.object(n);
      return object ? [object] : null;
    };
    return branch(spread.argument, 0);
  }

  /** Does a `where` object mention a soft-delete field, at any depth (`deletedAt`, `AND: [{ deletedAt }]`)? */
  private mentionsSoft(node: Node, model: PrismaModel, depth = 0): boolean {
    const object = depth < 8 ? this.object(node) : null;
    if (!object) return false;
    return object.properties.some((p) => {
      if (p.type !== AST_NODE_TYPES.Property) return false;
      const key = keyName(p);
      const field = key === null ? undefined : model.fields.get(key);
      if (field && field.relation === undefined && (this.softColumns.includes(field.column) || this.softColumns.includes(key!))) return true;
      if (key !== 'AND' && key !== 'OR' && key !== 'NOT') return false;
      const v = unwrap(p.value as Node);
      const items = v.type === AST_NODE_TYPES.ArrayExpression ? v.elements : [v];
      return items.some((item) => item !== null && item.type !== AST_NODE_TYPES.SpreadElement && this.mentionsSoft(item, model, depth + 1));
    });
  }

  /** A `where` as conjuncts (empty: no condition). `positive`: not under NOT (relation filters read rows then). */
  private where(node: Node, model: PrismaModel, positive: boolean): Conds {
    if (isUndefined(node)) return [];
    const object = this.object(node);
    if (!object) return [this.opaque(node.range[0])];
    const conds: Conds = [];
    for (const [index, property] of object.properties.entries()) {
      // A spread may replace a key written before it: that key is unknown (and starts no relation read).
      if (property.type === AST_NODE_TYPES.SpreadElement && !this.replacedLater(object, index)) {
        conds.push(...this.conditionalSpread(property, model, positive));
        continue;
      }
      if (property.type !== AST_NODE_TYPES.Property || property.kind !== 'init' || this.replacedLater(object, index)) {
        conds.push(this.opaque(property.range[0]));
        continue;
      }
      const key = keyName(property);
      const value = property.value as Node;
      const at = property.range[0];
      if (key === null) {
        conds.push(this.opaque(at));
        continue;
      }
      if (key === 'AND' || key === 'OR' || key === 'NOT') {
        conds.push(...this.logical(key, value, model, positive, at));
        continue;
      }
      const field = model.fields.get(key);
      if (!field) {
        conds.push(this.opaque(at)); // a compound unique (`email_orgId`), or a key we do not know
        continue;
      }
      if (field.relation !== undefined) {
        conds.push(...this.relationFilter(property, field, positive));
        continue;
      }
      conds.push(...this.fieldFilter(field.column, keyRange(property), value));
    }
    return conds;
  }

  private group(conds: Conds, bool: 'AND' | 'OR', at: number, parens = false): Text {
    if (conds.length === 1 && !parens) return conds[0]!;
    if (conds.length === 1) return new Text().syn('(', at).add(conds[0]!).syn(')', at);
    return new Text().syn('(', at).clause('', conds, ` ${bool} `, at).syn(')', at);
  }

  /**
   * `...(cond ? { deletedAt: null } : {})`: every branch is a path the query can take. When the branches agree on
   * the soft-delete column — none mentions it, or each does — they are one OR and the checks decide (a filter on
   * every path is a filter; on none, it is missing). When only some branches mention it, the filter is toggled by
   * a flag (usually a deliberate "with deleted" option): unknown, reported by `no-unchecked-query`, never guessed.
   */
  private conditionalSpread(spread: TSESTree.SpreadElement, model: PrismaModel, positive: boolean): Conds {
    const at = spread.range[0];
    const branches = this.spreadBranches(spread);
    if (!branches) return [this.opaque(at)];
    const soft = branches.map((b) => this.mentionsSoft(b, model));
    if (soft.some((m) => m !== soft[0])) return [this.opaque(at)];
    const lowered = branches.map((b) => {
      const inner = this.where(b, model, positive);
      return inner.length === 0 ? new Text().syn('TRUE', b.range[0]) : this.group(inner, 'AND', b.range[0], true);
    });
    if (lowered.every((t) => t.text === 'TRUE')) return [];
    return [this.group(lowered, 'OR', at, true)];
  }

  private logical(key: 'AND' | 'OR' | 'NOT', value: Node, model: PrismaModel, positive: boolean, at: number): Conds {
    const v = unwrap(value);
    const items: Node[] = [];
    if (v.type === AST_NODE_TYPES.ArrayExpression) {
      for (const el of v.elements) {
        if (!el || el.type === AST_NODE_TYPES.SpreadElement) return [this.opaque(at)];
        items.push(el);
      }
    } else if (this.object(v)) {
      items.push(v);
    } else {
      return [this.opaque(at)];
    }
    if (key === 'AND') return items.flatMap((item) => this.where(item, model, positive));
    if (key === 'NOT') {
      // `NOT: [a, b]`: none of them holds
      return items.map((item) => {
        const inner = this.where(item, model, !positive);
        const pos = item.range[0];
        if (inner.length === 0) return this.opaque(pos);
        return new Text().syn('NOT (', pos).clause('', inner, ' AND ', pos).syn(')', pos);
      });
    }
    // OR: no branch is FALSE (Prisma returns nothing); an empty branch is TRUE
    if (items.length === 0) return [new Text().syn('FALSE', at)];
    const branches = items.map((item) => {
      const inner = this.where(item, model, positive);
      return inner.length === 0 ? new Text().syn('TRUE', item.range[0]) : this.group(inner, 'AND', item.range[0]);
    });
    return [this.group(branches, 'OR', at)];
  }

  /** A condition on a scalar field: `email`, `email: null`, `deletedAt: { not: null }`, `id: { in: ids }`. */
  private fieldFilter(name: string, range: [number, number], value: Node): Conds {
    const at = range[0];
    const col = (): Text => this.column(name, range);
    if (isUndefined(value)) return [];
    if (isLiteral(value, null)) return [col().syn(' IS NULL', at)];
    const v = unwrap(value);
    if (v.type !== AST_NODE_TYPES.ObjectExpression) {
      // a variable may hold a filter object: as `= $N` it constrains the column without filtering it
      return [col().syn(' = ', at).add(this.value(v))];
    }
    const conds: Conds = [];
    for (const property of v.properties) {
      const key = property.type === AST_NODE_TYPES.Property ? keyName(property) : null;
      if (property.type !== AST_NODE_TYPES.Property || key === null) {
        conds.push(this.opaque(property.range[0]));
        continue;
      }
      const operand = property.value as Node;
      const op = property.range[0];
      if (key === 'mode' || isUndefined(operand)) continue;
      if (key === 'equals') {
        conds.push(isLiteral(operand, null) ? col().syn(' IS NULL', op) : col().syn(' = ', op).add(this.value(operand)));
      } else if (key === 'not') {
        if (isLiteral(operand, null)) conds.push(col().syn(' IS NOT NULL', op));
        else if (unwrap(operand).type === AST_NODE_TYPES.ObjectExpression) {
          const inner = this.fieldFilter(name, range, operand);
          conds.push(inner.length === 0 ? this.opaque(op) : new Text().syn('NOT (', op).add(this.group(inner, 'AND', op)).syn(')', op));
        } else conds.push(col().syn(' <> ', op).add(this.value(operand)));
      } else if (key === 'in' || key === 'notIn') {
        const any = col().syn(' = ANY(', op).add(this.param(unwrap(operand).range[0])).syn(')', op);
        conds.push(key === 'in' ? any : new Text().syn('NOT (', op).add(any).syn(')', op));
      } else if (COMPARISONS[key] && !isLiteral(operand, null)) {
        conds.push(col().syn(` ${COMPARISONS[key]} `, op).add(this.value(operand)));
      } else if (TEXT_MATCH.has(key)) {
        conds.push(col().syn(' LIKE ', op).add(this.param(unwrap(operand).range[0])));
      } else {
        conds.push(this.opaque(op)); // has, path, search, isSet, …: not modelled
      }
    }
    return conds;
  }

  /**
   * `posts: { some: {…} }`, `author: { is: {…} }`, `author: {…}`: a condition on other rows (a plain parameter in
   * this read), and, when it keeps rows whose related rows match, a read of the related table of its own.
   */
  private relationFilter(property: TSESTree.Property, field: PrismaField, positive: boolean): Conds {
    const cond = this.param(keyRange(property)[0]);
    const related = field.relation ? this.models.get(field.relation) : undefined;
    const object = this.object(property.value as Node);
    if (!related || !object) return [cond];
    const keys = object.properties.map((p) => (p.type === AST_NODE_TYPES.Property ? keyName(p) : null));
    if (field.list) {
      // `some` / `none` test whether a related row matches, `every` whether one does not: a soft-deleted child
      // counts in either, whatever the polarity of the filter (`none: {}` is "has no posts", deleted ones included).
      for (const p of object.properties) {
        if (p.type !== AST_NODE_TYPES.Property) continue;
        const k = keyName(p);
        const v = p.value as Node;
        if ((k !== 'some' && k !== 'none' && k !== 'every') || isLiteral(v, null) || isUndefined(v)) continue;
        this.tasks.push({ model: related, name: keyRange(property), args: null, where: v, negate: k === 'every', key: [] });
      }
      return [cond];
    }
    if (!positive) return [cond];
    const wrapped = keys.some((k) => k === 'is' || k === 'isNot');
    const nested: Node[] = [];
    if (wrapped) {
      for (const p of object.properties) {
        if (p.type !== AST_NODE_TYPES.Property) continue;
        if (keyName(p) === 'is' && !isLiteral(p.value as Node, null)) nested.push(p.value as Node);
      }
    } else if (keys.length > 0) {
      nested.push(object); // to-one shorthand: `author: { email }`
    }
    for (const where of nested) this.tasks.push({ model: related, name: keyRange(property), args: null, where, key: [] });
    return [cond];
  }
}

/** The client a call's delegate hangs off: `prisma`, `this.prisma`, `ctx.db`, `tx`. */
function isClient(node: Node): boolean {
  return namedLike(node, CLIENT_NAME);
}

/**
 * SQL fragments for every Prisma client read in a file (origin `query-builder`). `models` are the Prisma schema's
 * models; with none, nothing is lowered. Never throws: a call that fails to lower is skipped.
 */
export function extractPrismaClient(
  program: TSESTree.Program,
  visitorKeys: VisitorKeys,
  models: ReadonlyMap<string, PrismaModel> | undefined,
): SqlFragment[] {
  if (!models || models.size === 0) return [];
  return prismaClientFromScan(scanProgram(program, '', visitorKeys), models);
}

/** `extractPrismaClient` over the one walk of the file. */
export function prismaClientFromScan(
  scan: ProgramScan,
  models: ReadonlyMap<string, PrismaModel> | undefined,
  softColumns: readonly string[] = DEFAULT_COLUMNS,
  filename?: string,
  notUnderstood?: NotUnderstoodCall[],
): SqlFragment[] {
  if (!models || models.size === 0) return [];
  const delegates = new Map<string, PrismaModel>();
  for (const model of models.values()) delegates.set(delegateName(model.name), model);

  const { calls, consts } = scan;
  const clients = clientsOf(scan);

  const lowerer = new Lowerer(consts, models, softColumns);
  const fragments: SqlFragment[] = [];
  let filters: ClientFilters | undefined;
  for (const call of calls) {
    try {
      const callee = unwrap(call.callee);
      if (callee.type !== AST_NODE_TYPES.MemberExpression) continue;
      const op = propertyName(callee);
      if (op === null || !(PRISMA_READS.has(op) || PRISMA_WRITES.has(op))) continue;
      const delegate = unwrap(callee.object);
      if (delegate.type !== AST_NODE_TYPES.MemberExpression || delegate.computed) continue;
      const name = propertyName(delegate);
      const model = name === null ? undefined : delegates.get(name);
      if (!model || !(isClient(delegate.object) || clients.kindOf(delegate.object) === 'prisma')) continue;
      const arg = call.arguments[0];
      const range = delegate.property.range as [number, number];
      const unread = (reason: string): void => {
        notUnderstood?.push({ start: callee.range[0], end: callee.range[1], callee: `prisma.${name}.${op}`, reason });
      };
      if (arg?.type === AST_NODE_TYPES.SpreadElement) {
        unread('its arguments are spread from a value this file does not spell out');
        continue;
      }
      filters ??= new ClientFilters(scan, filename, models, softNames(models, softColumns));
      const clientFilter = filters.of(delegate.object);
      if (PRISMA_WRITES.has(op)) {
        // a client whose extension or middleware handles soft delete may also turn a delete into an update: not judged
        if (clientFilter && clientFilter.rules.length > 0) continue;
        const writes = lowerer.lowerWriteCall(model, range, op, arg ?? null, callee.property.range[0]);
        // which rows, or which values, are not spelled out: whether it hard-deletes or touches deleted rows is unknown
        if (writes.length === 0 && [...model.fields.values()].some((f) => f.relation === undefined && softColumns.includes(f.column))) {
          unread('its arguments (which rows, which values) are not an object this file spells out');
        }
        const write = writes[0];
        // the write's own table maps onto the delegate: the filter goes into its `where`, the soft delete renames it
        if (write && (op === 'update' || op === 'updateMany')) write.codeFilter = (at, request) => prismaCallFilter(call, range, model, models, at, request);
        const name = callee.property;
        if (write && name.type === AST_NODE_TYPES.Identifier) write.codeSoftDelete = (_at, request) => prismaSoftDelete(call, name, model, request);
        fragments.push(...writes);
        continue;
      }
      const global = filteredBy(clientFilter, model.name, op);
      const lowered = lowerer.lowerCall(model, range, arg ?? null, global);
      for (const fragment of lowered) fragment.codeFilter = (at, request) => prismaCallFilter(call, range, model, models, at, request);
      fragments.push(...lowered);
      // the fluent API: `findUnique(…).posts(args)` reads the relation's rows
      const parent = scan.parents.get(call);
      const member = parent?.type === AST_NODE_TYPES.MemberExpression && parent.object === call && !parent.computed ? parent : null;
      const fluent = member ? scan.parents.get(member) : undefined;
      if (member && FLUENT_READS.has(op) && fluent?.type === AST_NODE_TYPES.CallExpression && fluent.callee === member && member.property.type === AST_NODE_TYPES.Identifier) {
        const fluentArg = fluent.arguments[0];
        if (fluentArg?.type !== AST_NODE_TYPES.SpreadElement) {
          const relation = member.property;
          const target = model.fields.get(relation.name)?.relation;
          const related = target === undefined ? undefined : models.get(target);
          const reads = lowerer.lowerFluent(model, relation.name, relation.range as [number, number], (fluentArg as Node | undefined) ?? null, related ? filteredBy(clientFilter, related.name, 'findMany') : null);
          if (reads) fragments.push(...reads);
        }
      }
    } catch {
      // skip this call
    }
  }
  return fragments;
}

/** Names of the soft-delete fields of the models (and the soft-delete column names themselves). */
function softNames(models: ReadonlyMap<string, PrismaModel>, softColumns: readonly string[]): Set<string> {
  const out = new Set(softColumns);
  for (const model of models.values()) {
    for (const [name, field] of model.fields) if (field.relation === undefined && softColumns.includes(field.column)) out.add(name);
  }
  return out;
}
