/**
 * The Prisma client front end: `prisma.user.findMany({ where, include })` becomes the SQL Prisma runs for it, as
 * fragments of origin `query-builder`, so the one engine checks them like any other SQL.
 *
 * A call is lowered when its object is named like a Prisma client (`prisma`, `this.prisma`, `ctx.db`, `tx`, …),
 * its delegate is a model of the project's Prisma schema (`user` for `model User`) and its operation is a read
 * (`findMany`, `findFirst`, `findUnique`, `count`, `aggregate`, `groupBy`, …). Writes are skipped.
 *
 * - The read itself: `SELECT * FROM "User" WHERE <where>`; the table's characters map onto the delegate name, so
 *   a report squiggles `user` in `prisma.user.findMany`.
 * - Each relation loaded by `include` / `select` (`posts: true`, `posts: { where }`) is its own query in Prisma,
 *   and its own read here: `SELECT * FROM "Post" WHERE "authorId" = ANY($1) AND <nested where>`, squiggled at the
 *   `posts` key. Soft-deleted children leak through includes more often than anywhere else.
 * - A positive relation filter (`posts: { some: {…} }`, `author: { is: {…} }`) reads the related table too: its
 *   nested where is checked as a read of that table. In the outer predicate it is a condition on other rows.
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
import { propertyName, unwrap, type VisitorKeys } from './estree.js';
import { isLiteral, isUndefined, keyName, keyRange, namedLike, pushIdent, SynthText as Text } from './synth.js';
import { scanProgram, type ProgramScan } from './program.js';
import { prismaCallFilter } from './prisma-filter.js';
import { clientsOf } from './clients.js';
import { nextParam, type PlaceholderCounter } from '../sql/placeholder.js';

type Node = TSESTree.Node;

/** Names of objects that hold a Prisma client (or an interactive transaction's client). */
const CLIENT_NAME = /[Pp]risma|PRISMA|^(?:db|tx|trx|client|database|conn|transaction|orm)$|(?:Db|DB)$/;
/** Client operations that read rows (each takes a `where`). */
export const PRISMA_READS = new Set([
  'findMany', 'findFirst', 'findFirstOrThrow', 'findUnique', 'findUniqueOrThrow', 'count', 'aggregate', 'groupBy',
]);
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
  /** Columns of the related table Prisma matches against the parent rows' keys. */
  key: string[];
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

/** A conjunction being built: an empty list is TRUE. */
type Conds = Text[];

class Lowerer {
  private counter: PlaceholderCounter = { param: 0, ident: 0 };
  private tasks: Task[] = [];

  constructor(
    private readonly consts: ReadonlyMap<string, Node>,
    private readonly models: ReadonlyMap<string, PrismaModel>,
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
  lowerCall(model: PrismaModel, delegate: [number, number], args: Node | null): SqlFragment[] {
    this.tasks = [{ model, name: delegate, args, key: [] }];
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

  private lowerTask(task: Task): SqlFragment | null {
    this.counter = { param: 0, ident: 0 };
    const at = task.name[0];
    const conds: Conds = [];
    for (const column of task.key) {
      conds.push(new Text().add(this.column(column, task.name)).syn(' = ANY(', at).add(this.param(at)).syn(')', at));
    }
    if (task.where) conds.push(...this.where(task.where, task.model, true));
    else if (task.args) {
      const args = this.object(task.args);
      if (!args) conds.push(this.opaque(task.args.range[0]));
      else {
        for (const property of args.properties) {
          if (property.type !== AST_NODE_TYPES.Property) {
            conds.push(this.opaque(property.range[0])); // `...args`: a where we cannot see
            continue;
          }
          const key = keyName(property);
          if (key === 'where') conds.push(...this.where(property.value as Node, task.model, true));
          else if (key === 'include' || key === 'select') this.includes(property.value as Node, task.model);
          else if (key === null) conds.push(this.opaque(property.range[0]));
        }
      }
    }
    const out = new Text().syn('SELECT * FROM ', at).add(this.table(task.model, task.name));
    if (conds.length > 0) {
      out.syn(' WHERE ', at);
      conds.forEach((c, k) => {
        if (k > 0) out.syn(' AND ', at);
        out.add(c);
      });
    }
    const fragment = out.toSynthesized();
    return parseCached(fragment.text).ok ? fragment : null;
  }

  /** `include: { posts: true, author: { where } }` / `select: { …, posts: true }`: one more read per relation. */
  private includes(node: Node, model: PrismaModel): void {
    const object = this.object(node);
    if (!object) return; // which relations a variable loads is unknown: nothing to check
    for (const property of object.properties) {
      if (property.type !== AST_NODE_TYPES.Property) continue;
      const key = keyName(property);
      const field = key === null ? undefined : model.fields.get(key);
      const related = field?.relation ? this.models.get(field.relation) : undefined;
      if (!field || !related || key === null) continue;
      const value = property.value as Node;
      if (isLiteral(value, false) || isUndefined(value)) continue;
      this.tasks.push({
        model: related,
        name: keyRange(property),
        args: isLiteral(value, true) ? null : value,
        key: joinKey(this.models, model, key, field),
      });
    }
  }

  /** A `where` as conjuncts (empty: no condition). `positive`: not under NOT (relation filters read rows then). */
  private where(node: Node, model: PrismaModel, positive: boolean): Conds {
    if (isUndefined(node)) return [];
    const object = this.object(node);
    if (!object) return [this.opaque(node.range[0])];
    const conds: Conds = [];
    // A spread may replace any key written before it: those keys are unknown (and start no relation read).
    const lastSpread = object.properties.map((p) => p.type).lastIndexOf(AST_NODE_TYPES.SpreadElement);
    for (const [index, property] of object.properties.entries()) {
      if (property.type !== AST_NODE_TYPES.Property || property.kind !== 'init' || index < lastSpread) {
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

  private group(conds: Conds, bool: 'AND' | 'OR', at: number): Text {
    if (conds.length === 1) return conds[0]!;
    const out = new Text().syn('(', at);
    conds.forEach((c, k) => {
      if (k > 0) out.syn(` ${bool} `, at);
      out.add(c);
    });
    return out.syn(')', at);
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
        const out = new Text().syn('NOT (', pos);
        inner.forEach((c, k) => {
          if (k > 0) out.syn(' AND ', pos);
          out.add(c);
        });
        return out.syn(')', pos);
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
    if (!related || !object || !positive) return [cond];
    const keys = object.properties.map((p) => (p.type === AST_NODE_TYPES.Property ? keyName(p) : null));
    const filterKeys = field.list ? ['some', 'every', 'none'] : ['is', 'isNot'];
    const wrapped = keys.some((k) => k !== null && filterKeys.includes(k));
    const nested: Node[] = [];
    if (wrapped) {
      for (const p of object.properties) {
        if (p.type !== AST_NODE_TYPES.Property) continue;
        const k = keyName(p);
        if ((k === 'some' || k === 'is') && !isLiteral(p.value as Node, null)) nested.push(p.value as Node);
      }
    } else if (!field.list && keys.length > 0) {
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
export function prismaClientFromScan(scan: ProgramScan, models: ReadonlyMap<string, PrismaModel> | undefined): SqlFragment[] {
  if (!models || models.size === 0) return [];
  const delegates = new Map<string, PrismaModel>();
  for (const model of models.values()) delegates.set(delegateName(model.name), model);

  const { calls, consts } = scan;
  const clients = clientsOf(scan);

  const lowerer = new Lowerer(consts, models);
  const fragments: SqlFragment[] = [];
  for (const call of calls) {
    try {
      const callee = unwrap(call.callee);
      if (callee.type !== AST_NODE_TYPES.MemberExpression) continue;
      const op = propertyName(callee);
      if (op === null || !PRISMA_READS.has(op)) continue;
      const delegate = unwrap(callee.object);
      if (delegate.type !== AST_NODE_TYPES.MemberExpression || delegate.computed) continue;
      const name = propertyName(delegate);
      const model = name === null ? undefined : delegates.get(name);
      if (!model || !(isClient(delegate.object) || clients.kindOf(delegate.object) === 'prisma')) continue;
      const arg = call.arguments[0];
      if (arg?.type === AST_NODE_TYPES.SpreadElement) continue;
      const range = delegate.property.range as [number, number];
      const lowered = lowerer.lowerCall(model, range, arg ?? null);
      for (const fragment of lowered) fragment.codeFilter = (at, request) => prismaCallFilter(call, range, model, models, at, request);
      fragments.push(...lowered);
    } catch {
      // skip this call
    }
  }
  return fragments;
}
