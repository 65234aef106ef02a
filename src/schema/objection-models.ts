/**
 * Objection.js models as a schema source. A model that mixes in objection-soft-delete
 * (`class User extends softDelete({ columnName: 'deleted_at' })(Model) { static tableName = 'users' }`) declares its
 * table soft-deletable on that column (`deleted` by default). The plugin filters nothing by itself: reads stay
 * unfiltered unless they call `whereNotDeleted()` (or its named filter: `.modify('notDeleted')`,
 * `'[rel(notDeleted)]'`); what it changes is writes — `delete()` / `del()` /
 * `deleteById()` become a patch setting the column to `deletedValue` (`true` by default), `hardDelete()` is the real
 * DELETE and `undelete()` patches it back to `notDeletedValue` (`false` by default). The query-builder front end
 * lowers those methods with the options read here.
 *
 * A model's mixin is found in its `extends` expression (`softDelete(opts)(Model)`, `mixin(Model, [softDelete(opts)])`,
 * `compose(softDelete(opts), …)(Model)`), or in a base class (`class User extends BaseModel`) of the same set of
 * files. Plain models (no plugin) declare nothing about columns and add nothing to the schema.
 */
import { AST_NODE_TYPES, type TSESTree } from '@typescript-eslint/utils';
import { unwrap, type Node, type VisitorKeys } from '../js/estree.js';
import { scanFile, type FileScan } from '../js/synth.js';
import { Ddl, objectArg, prop, qualified, sqlLiteral, stringOf, type BuilderProblem, type Context } from './schema-builders.js';
import type { OrmModels, OrmTable } from './orm-models.js';

export const OBJECTION_SOFT_DELETE = 'objection-soft-delete';

/** Does this file mention Objection models or the soft-delete plugin (cheap test before parsing)? */
export function looksLikeObjectionModels(text: string): boolean {
  return text.includes(OBJECTION_SOFT_DELETE) || /\bstatic\s+(?:get\s+)?tableName\b/.test(text);
}

/** objection-soft-delete's options, as SQL. */
export interface SoftDeleteMixin {
  column: string;
  /** What `delete()` writes, as an SQL literal; null when it is a run-time value (`new Date()`): a parameter. */
  deletedValue: string | null;
  /** What `whereNotDeleted()` compares with and `undelete()` writes, as an SQL literal; null when not a literal. */
  notDeletedValue: string | null;
  /** Where the mixin is applied (the plugin call). */
  at: number;
}

/** Local names bound to objection-soft-delete (`import softDelete from …`, `const softDelete = require(…)`). */
export function softDeletePluginNames(scan: Pick<FileScan, 'imports'>): Set<string> {
  return new Set(scan.imports.filter((i) => i.source === OBJECTION_SOFT_DELETE && (i.imported === 'default' || i.imported === null)).map((i) => i.local));
}

/** A plugin name when the file that declares the class cannot be seen: the name its README gives it. */
const PLUGIN_NAME = /^soft_?delete$/i;

/**
 * The objection-soft-delete options applied in a class's `extends` expression (not its bases), or null. `plugins`:
 * the names bound to the plugin in the class's file (null when unknown: then a callee named `softDelete`).
 */
export function mixinIn(superClass: Node | null | undefined, plugins: ReadonlySet<string> | null, cx?: Context): SoftDeleteMixin | null {
  const isPlugin = (callee: Node): boolean => {
    const c = unwrap(callee);
    return c.type === AST_NODE_TYPES.Identifier && (plugins ? plugins.has(c.name) : PLUGIN_NAME.test(c.name));
  };
  const visit = (node: Node | null | undefined, depth: number): SoftDeleteMixin | null => {
    if (!node || depth > 6) return null;
    const n = unwrap(node);
    if (n.type === AST_NODE_TYPES.ArrayExpression) {
      for (const el of n.elements) {
        const found = el && el.type !== AST_NODE_TYPES.SpreadElement ? visit(el, depth + 1) : null;
        if (found) return found;
      }
      return null;
    }
    if (n.type !== AST_NODE_TYPES.CallExpression) return null;
    if (isPlugin(n.callee)) return optionsOf(n, cx);
    for (const part of [n.callee, ...n.arguments]) {
      const found = part.type === AST_NODE_TYPES.SpreadElement ? null : visit(part, depth + 1);
      if (found) return found;
    }
    return null;
  };
  return visit(superClass, 0);
}

function optionsOf(call: TSESTree.CallExpression, cx?: Context): SoftDeleteMixin {
  const options = objectArg(call.arguments[0] as Node | undefined);
  const literal = (key: string, fallback: string): string | null => {
    const node = prop(options, key);
    return node === undefined ? fallback : sqlLiteral(node) ?? null;
  };
  const columnNode = prop(options, 'columnName');
  const column = columnNode === undefined ? 'deleted' : (cx ? stringOf(cx, columnNode) : plainString(columnNode)) ?? '';
  return { column, deletedValue: literal('deletedValue', 'true'), notDeletedValue: literal('notDeletedValue', 'false'), at: call.range[0] };
}

function plainString(node: Node): string | undefined {
  const n = unwrap(node);
  if (n.type === AST_NODE_TYPES.Literal && typeof n.value === 'string') return n.value;
  if (n.type === AST_NODE_TYPES.TemplateLiteral && n.expressions.length === 0) return n.quasis[0]?.value.cooked ?? undefined;
  return undefined;
}

/**
 * The marker a mixin declares: a flag when `whereNotDeleted()` compares with `false`, a timestamp when with `null`;
 * anything else (`0`, a string, a run-time value) is no filter the checks can require — a problem, not a guess.
 */
export function mixinMarker(mixin: SoftDeleteMixin): { flag: boolean } | { problem: string } {
  if (mixin.column === '') return { problem: `cannot read objection-soft-delete's columnName: it is not spelled out` };
  const value = mixin.notDeletedValue?.toLowerCase();
  if (value === 'false') return { flag: true };
  if (value === 'null') return { flag: false };
  return { problem: `objection-soft-delete's notDeletedValue is ${mixin.notDeletedValue ?? 'not spelled out'}: only false (a flag) or null (a timestamp) can be checked` };
}

interface ObjectionClass {
  name: string;
  node: TSESTree.ClassDeclaration | TSESTree.ClassExpression;
  file: number;
  cx: Context;
  plugins: Set<string>;
}

/** The `static tableName` a class spells out (`static tableName = 'users'`, `static get tableName() { return … }`). */
function tableNameOf(cx: Context, node: ObjectionClass['node']): { table: string; at: number } | null {
  for (const member of node.body.body) {
    if ((member.type !== AST_NODE_TYPES.PropertyDefinition && member.type !== AST_NODE_TYPES.MethodDefinition) || !member.static || member.computed) continue;
    if (member.key.type !== AST_NODE_TYPES.Identifier || member.key.name !== 'tableName') continue;
    let value: Node | null | undefined = null;
    if (member.type === AST_NODE_TYPES.PropertyDefinition) value = member.value;
    else if (member.kind === 'get') {
      const body = member.value.body?.body ?? [];
      const ret = body.length === 1 && body[0]!.type === AST_NODE_TYPES.ReturnStatement ? body[0].argument : null;
      value = ret;
    }
    const table = value ? stringOf(cx, value) : undefined;
    return table === undefined ? null : { table, at: value!.range[0] };
  }
  return null;
}

/** Classes a file declares: `class X …`, `export default class X …`, `module.exports = class X …`, `const X = class …`. */
function classesOf(scan: FileScan): Array<{ name: string; node: ObjectionClass['node'] }> {
  const out: Array<{ name: string; node: ObjectionClass['node'] }> = [];
  for (const node of scan.declarations) {
    if (node.type === AST_NODE_TYPES.ClassDeclaration && node.id) out.push({ name: node.id.name, node });
    else if (node.type === AST_NODE_TYPES.VariableDeclarator && node.id.type === AST_NODE_TYPES.Identifier && node.init && unwrap(node.init).type === AST_NODE_TYPES.ClassExpression) {
      out.push({ name: node.id.name, node: unwrap(node.init) as TSESTree.ClassExpression });
    }
  }
  for (const statement of scan.program.body) {
    const expression = statement.type === AST_NODE_TYPES.ExpressionStatement ? statement.expression : null;
    if (expression?.type !== AST_NODE_TYPES.AssignmentExpression) continue;
    const right = unwrap(expression.right);
    if (right.type === AST_NODE_TYPES.ClassExpression && right.id) out.push({ name: right.id.name, node: right });
  }
  return out;
}

/**
 * The soft-delete tables the Objection models of a set of files declare: per file, the tables (a `CREATE TABLE` with
 * the marker column, used only when no migration made the table) with their declared markers, and the problems.
 */
export function objectionModels(files: Array<{ program: TSESTree.Program; visitorKeys?: VisitorKeys }>): OrmModels[] {
  const classes = new Map<string, ObjectionClass>();
  const contexts: Context[] = [];
  files.forEach(({ program, visitorKeys }, file) => {
    const scan = scanFile(program, visitorKeys);
    const cx: Context = { scan, problems: [] };
    contexts.push(cx);
    const plugins = softDeletePluginNames(scan);
    for (const { name, node } of classesOf(scan)) if (!classes.has(name)) classes.set(name, { name, node, file, cx, plugins });
  });
  const out: OrmModels[] = contexts.map((cx) => ({ tables: [], problems: cx.problems }));
  for (const cls of classes.values()) {
    const table = tableNameOf(cls.cx, cls.node);
    if (!table) continue;
    const found = mixinOfClass(cls, classes);
    if (!found) continue;
    const marker = mixinMarker(found.mixin);
    if ('problem' in marker) {
      found.in.cx.problems.push({ at: found.mixin.at, message: `model ${cls.name}: ${marker.problem}` } satisfies BuilderProblem);
      continue;
    }
    // positions are in the model's file: the mixin's own when it is applied there, else the table name's
    const mixin = { ...found.mixin, at: found.in.file === cls.file ? found.mixin.at : table.at };
    const dot = table.table.indexOf('.');
    const schema = dot > 0 ? table.table.slice(0, dot) : undefined;
    const name = dot > 0 ? table.table.slice(dot + 1) : table.table;
    const ddl = new Ddl();
    ddl.statement('CREATE TABLE ', table.at).add(qualified(schema, name), table.at).add(` (${qualified(undefined, mixin.column)} ${marker.flag ? 'boolean NOT NULL DEFAULT false' : 'timestamptz'})`, mixin.at);
    const entry: OrmTable = {
      ...(schema ? { schema } : {}),
      table: name,
      fragment: ddl.fragment(),
      incomplete: true,
      markers: [{ column: mixin.column, flag: marker.flag, by: `objection-soft-delete mixin of ${cls.name}`, at: mixin.at }],
      objection: { name: cls.name, table: table.table, column: mixin.column, deletedValue: mixin.deletedValue, notDeletedValue: mixin.notDeletedValue },
    };
    out[cls.file]!.tables.push(entry);
  }
  return out;
}

/** The mixin of a class or of its bases (same set of files, or a `const Base = softDelete()(Model)` of its file). */
function mixinOfClass(cls: ObjectionClass, classes: Map<string, ObjectionClass>): { mixin: SoftDeleteMixin; in: ObjectionClass } | null {
  let current: ObjectionClass | undefined = cls;
  let superClass: Node | null | undefined = cls.node.superClass;
  for (let depth = 0; current && superClass && depth < 8; depth++) {
    const found = mixinIn(superClass, current.plugins, current.cx);
    if (found) return { mixin: found, in: current };
    const s = unwrap(superClass);
    if (s.type !== AST_NODE_TYPES.Identifier) return null;
    const init = current.cx.scan.consts.get(s.name);
    if (init && unwrap(init).type !== AST_NODE_TYPES.ClassExpression) {
      superClass = init; // `const SoftModel = softDelete()(Model)`
      continue;
    }
    current = classes.get(s.name);
    superClass = current?.node.superClass;
  }
  return null;
}
