/**
 * drizzle schema files (`pgTable('users', { … })`) → the schema model. Only what the checks need is read: each
 * exported table's name (and `pgSchema('s').table(…)` schema), its columns (the name given to the column builder,
 * else the property name), and the relations declared with `relations(users, ({ one, many }) => ({ … }))` (v0) or
 * `defineRelations(schema, (r) => ({ users: { posts: r.many.posts() } }))` (v1). Indexes and constraints in the third
 * argument are skipped.
 *
 * Tables defined by the migrations win (drizzle-kit's `drizzle/*.sql` may exist too): a table only adds a relation
 * when no migration created it. The TS name → table/column mapping is recorded either way
 * (`SchemaModel.drizzleTables`) for the drizzle query front end.
 */
import { AST_NODE_TYPES, type TSESTree } from '@typescript-eslint/utils';
import { findRelation, relationKey, type DrizzleRelation, type DrizzleTable, type SchemaModel } from './model.js';

type Node = TSESTree.Node;

export interface DrizzleSchemaFile {
  file: string;
  program: TSESTree.Program;
}

/** Does this file's text define drizzle tables? (cheap test before parsing) */
export function looksLikeDrizzleSchema(text: string): boolean {
  return (/\bpgTable\s*\(|\.table\s*\(|\b(?:defineRelations|relations)\s*\(/.test(text) || hasGenericPgTableCall(text)) && /drizzle-orm/.test(text);
}

/**
 * `pgTable<…>(`: each `pgTable <` is closed by the first `>` after it, which many of them share, so each `>` is
 * looked for once (`pgTable\s*<[^>]*>\s*\(` as one expression rescans to the end of the file for every unclosed
 * `pgTable<`, quadratic).
 */
function hasGenericPgTableCall(text: string): boolean {
  const open = /\bpgTable\s*</g;
  let close = -1;
  for (let m = open.exec(text); m; m = open.exec(text)) {
    if (close < open.lastIndex) {
      close = text.indexOf('>', open.lastIndex);
      if (close < 0) return false;
      const call = /\s*\(/y;
      call.lastIndex = close + 1;
      if (call.test(text)) return true;
    }
  }
  return false;
}

function unwrap(node: Node): Node {
  let n = node;
  while (
    n.type === AST_NODE_TYPES.TSAsExpression ||
    n.type === AST_NODE_TYPES.TSSatisfiesExpression ||
    n.type === AST_NODE_TYPES.TSNonNullExpression
  ) {
    n = n.expression;
  }
  return n;
}

export function stringValue(node: Node | undefined): string | undefined {
  if (!node) return undefined;
  const n = unwrap(node);
  if (n.type === AST_NODE_TYPES.Literal && typeof n.value === 'string') return n.value;
  if (n.type === AST_NODE_TYPES.TemplateLiteral && n.expressions.length === 0) return n.quasis[0]?.value.cooked ?? undefined;
  return undefined;
}

function keyName(property: TSESTree.Property): string | null {
  if (property.computed) return null;
  if (property.key.type === AST_NODE_TYPES.Identifier) return property.key.name;
  if (property.key.type === AST_NODE_TYPES.Literal && typeof property.key.value === 'string') return property.key.value;
  return null;
}

function calleeName(call: TSESTree.CallExpression): string | null {
  const callee = unwrap(call.callee);
  if (callee.type === AST_NODE_TYPES.Identifier) return callee.name;
  if (callee.type === AST_NODE_TYPES.MemberExpression && !callee.computed && callee.property.type === AST_NODE_TYPES.Identifier) {
    return callee.property.name;
  }
  return null;
}

/** The object a function returns when it is `(t) => ({ … })` or `(t) => { return { … } }`. */
function returnedObject(node: Node): TSESTree.ObjectExpression | null {
  const n = unwrap(node);
  if (n.type === AST_NODE_TYPES.ObjectExpression) return n;
  if (n.type !== AST_NODE_TYPES.ArrowFunctionExpression && n.type !== AST_NODE_TYPES.FunctionExpression) return null;
  if (n.body.type !== AST_NODE_TYPES.BlockStatement) return returnedObject(n.body);
  const ret = n.body.body.find((s): s is TSESTree.ReturnStatement => s.type === AST_NODE_TYPES.ReturnStatement);
  return ret?.argument ? returnedObject(ret.argument) : null;
}

/** The column name of `text('email').notNull()` / `t.text()`: the first string argument of the innermost call. */
function columnName(value: Node, property: string): string | null {
  let n = unwrap(value);
  let root: TSESTree.CallExpression | null = null;
  while (n.type === AST_NODE_TYPES.CallExpression) {
    root = n;
    const callee = unwrap(n.callee);
    if (callee.type !== AST_NODE_TYPES.MemberExpression) break;
    const object = unwrap(callee.object);
    if (object.type !== AST_NODE_TYPES.CallExpression) break; // `t.text()`: the builder hangs off the helper
    n = object;
  }
  if (!root) return null;
  return stringValue(root.arguments[0] as Node | undefined) ?? property;
}

interface FileScope {
  /** Top-level `const` initialisers of the file. */
  consts: Map<string, Node>;
}

/** `pgTable('users', cols)`, `s.table('users', cols)` with `const s = pgSchema('s')`, `pgSchema('s').table(…)`. */
function tableOf(init: Node, scope: FileScope): { table: string; schema?: string; columns: Node } | null {
  const n = unwrap(init);
  if (n.type !== AST_NODE_TYPES.CallExpression) return null;
  const callee = unwrap(n.callee);
  const table = stringValue(n.arguments[0] as Node | undefined);
  const columns = n.arguments[1] as Node | undefined;
  if (table === undefined || !columns) return null;
  if (callee.type === AST_NODE_TYPES.Identifier && (callee.name === 'pgTable' || callee.name === 'pgTableWithSchema')) {
    return { table, columns };
  }
  if (callee.type === AST_NODE_TYPES.MemberExpression && !callee.computed && callee.property.type === AST_NODE_TYPES.Identifier && callee.property.name === 'table') {
    let owner = unwrap(callee.object);
    if (owner.type === AST_NODE_TYPES.Identifier) {
      const init2 = scope.consts.get(owner.name);
      if (!init2) return null;
      owner = unwrap(init2);
    }
    if (owner.type === AST_NODE_TYPES.CallExpression && calleeName(owner) === 'pgSchema') {
      const schema = stringValue(owner.arguments[0] as Node | undefined);
      if (schema === undefined) return null;
      return schema === 'public' ? { table, columns } : { table, schema, columns };
    }
  }
  return null;
}

/** Does the column builder chain declare the column a key of its own (`serial('id').primaryKey()`, `.unique()`)? */
function declaresKey(value: Node): boolean {
  let n = unwrap(value);
  for (let depth = 0; depth < 20 && n.type === AST_NODE_TYPES.CallExpression; depth++) {
    const callee = unwrap(n.callee);
    if (callee.type !== AST_NODE_TYPES.MemberExpression) return false;
    if (!callee.computed && callee.property.type === AST_NODE_TYPES.Identifier && ['primaryKey', 'unique'].includes(callee.property.name)) return true;
    n = unwrap(callee.object);
  }
  return false;
}

function columnsOf(node: Node, scope: FileScope, depth = 0, keys?: Set<string>): Map<string, string> {
  const columns = new Map<string, string>();
  const object = returnedObject(node);
  if (!object || depth > 4) return columns;
  for (const property of object.properties) {
    if (property.type === AST_NODE_TYPES.SpreadElement) {
      // `...timestamps`: a const object of this file
      const arg = unwrap(property.argument);
      const init = arg.type === AST_NODE_TYPES.Identifier ? scope.consts.get(arg.name) : undefined;
      if (init) for (const [k, v] of columnsOf(init, scope, depth + 1, keys)) columns.set(k, v);
      continue;
    }
    const key = keyName(property);
    if (key === null) continue;
    const name = columnName(property.value as Node, key);
    if (name !== null) columns.set(key, name);
    if (name !== null && declaresKey(property.value as Node)) keys?.add(key);
    else keys?.delete(key);
  }
  return columns;
}

/** The parsed tables of one set of schema files, by exported TS name. Ambiguous names are dropped. */
export function parseDrizzleSchema(files: readonly DrizzleSchemaFile[]): Map<string, DrizzleTable> {
  const tables = new Map<string, DrizzleTable>();
  const ambiguous = new Set<string>();
  const aliases: Array<[string, string]> = [];
  const relationCalls: Array<{ call: TSESTree.CallExpression; locals: Map<string, string> }> = [];
  const put = (name: string, table: DrizzleTable): void => {
    const old = tables.get(name);
    if (old && (old.table !== table.table || old.schema !== table.schema)) ambiguous.add(name);
    else if (!old) tables.set(name, table);
  };
  for (const { file, program } of files) {
    const scope: FileScope = { consts: new Map() };
    const declarations: TSESTree.VariableDeclaration[] = [];
    const exported = new Map<string, string>(); // local → exported name
    for (const statement of program.body) {
      let decl: Node = statement;
      if (statement.type === AST_NODE_TYPES.ExportNamedDeclaration) {
        if (statement.declaration) {
          decl = statement.declaration;
          if (decl.type === AST_NODE_TYPES.VariableDeclaration) {
            for (const d of decl.declarations) if (d.id.type === AST_NODE_TYPES.Identifier) exported.set(d.id.name, d.id.name);
          }
        } else {
          for (const spec of statement.specifiers) {
            const local = spec.local.type === AST_NODE_TYPES.Identifier ? spec.local.name : String(spec.local.value);
            const name = spec.exported.type === AST_NODE_TYPES.Identifier ? spec.exported.name : String(spec.exported.value);
            if (statement.source) aliases.push([name, local]); // `export { users as people } from './users'`
            else exported.set(local, name);
          }
          continue;
        }
      }
      if (decl.type === AST_NODE_TYPES.VariableDeclaration) {
        declarations.push(decl);
        if (decl.kind === 'const') {
          for (const d of decl.declarations) if (d.id.type === AST_NODE_TYPES.Identifier && d.init) scope.consts.set(d.id.name, d.init);
        }
      }
    }
    const locals = new Map<string, string>(); // local TS name → exported name of a table
    for (const decl of declarations) {
      for (const d of decl.declarations) {
        if (d.id.type !== AST_NODE_TYPES.Identifier || !d.init) continue;
        const found = tableOf(d.init, scope);
        const init = unwrap(d.init);
        if (!found) {
          if (init.type === AST_NODE_TYPES.CallExpression && ['relations', 'defineRelations'].includes(calleeName(init) ?? '')) {
            relationCalls.push({ call: init, locals });
          }
          continue;
        }
        const name = exported.get(d.id.name);
        const keys = new Set<string>();
        const table: DrizzleTable = { table: found.table, columns: columnsOf(found.columns, scope, 0, keys), file, index: d.range[0] };
        if (found.schema !== undefined) table.schema = found.schema;
        if (keys.size > 0) table.keys = keys;
        locals.set(d.id.name, name ?? d.id.name);
        if (name !== undefined) put(name, table);
      }
    }
  }
  for (const [alias, original] of aliases) {
    const table = tables.get(original);
    if (table && alias !== original) put(alias, table);
  }
  for (const name of ambiguous) tables.delete(name);
  for (const { call, locals } of relationCalls) {
    try {
      readRelations(call, locals, tables);
    } catch {
      // relations we cannot read are not followed
    }
  }
  return tables;
}

/** A table name used in a relations definition, as its exported name. */
function tableRef(node: Node | undefined, locals: Map<string, string>): string | null {
  if (!node) return null;
  const n = unwrap(node);
  if (n.type === AST_NODE_TYPES.Identifier) return locals.get(n.name) ?? n.name;
  return null;
}

/** `[posts.authorId]` → ['authorId'] (TS property names). */
function propertyList(node: Node | undefined): string[] | undefined {
  if (!node) return undefined;
  const n = unwrap(node);
  const items = n.type === AST_NODE_TYPES.ArrayExpression ? n.elements : [n];
  const out: string[] = [];
  for (const item of items) {
    if (!item || item.type === AST_NODE_TYPES.SpreadElement) return undefined;
    const m = unwrap(item);
    if (m.type !== AST_NODE_TYPES.MemberExpression || m.computed || m.property.type !== AST_NODE_TYPES.Identifier) return undefined;
    out.push(m.property.name);
  }
  return out;
}

function optionsOf(node: Node | undefined): { fields?: string[]; references?: string[] } {
  const out: { fields?: string[]; references?: string[] } = {};
  if (!node) return out;
  const n = unwrap(node);
  if (n.type !== AST_NODE_TYPES.ObjectExpression) return out;
  for (const p of n.properties) {
    if (p.type !== AST_NODE_TYPES.Property) continue;
    const key = keyName(p);
    // v0: fields/references; v1: from/to
    const list = propertyList(p.value as Node);
    if (!list) continue;
    if (key === 'fields' || key === 'from') out.fields = list;
    if (key === 'references' || key === 'to') out.references = list;
  }
  return out;
}

function readRelations(call: TSESTree.CallExpression, locals: Map<string, string>, tables: Map<string, DrizzleTable>): void {
  const kind = calleeName(call);
  const add = (owner: string | null, name: string | null, relation: DrizzleRelation | null): void => {
    const table = owner === null ? undefined : tables.get(owner);
    if (!table || name === null || !relation || !tables.has(relation.target)) return;
    (table.relations ??= new Map()).set(name, relation);
  };
  if (kind === 'relations') {
    // relations(users, ({ one, many }) => ({ posts: many(posts), author: one(users, { fields, references }) }))
    const owner = tableRef(call.arguments[0] as Node | undefined, locals);
    const object = call.arguments[1] ? returnedObject(call.arguments[1] as Node) : null;
    if (!object) return;
    for (const p of object.properties) {
      if (p.type !== AST_NODE_TYPES.Property) continue;
      const value = unwrap(p.value as Node);
      if (value.type !== AST_NODE_TYPES.CallExpression) continue;
      const fn = calleeName(value);
      if (fn !== 'one' && fn !== 'many') continue;
      const target = tableRef(value.arguments[0] as Node | undefined, locals);
      if (target === null) continue;
      add(owner, keyName(p), { target, kind: fn, api: 'relations', ...optionsOf(value.arguments[1] as Node | undefined) });
    }
    return;
  }
  // defineRelations(schema, (r) => ({ users: { posts: r.many.posts({ from, to }) } }))
  const object = call.arguments[1] ? returnedObject(call.arguments[1] as Node) : null;
  if (!object) return;
  for (const owner of object.properties) {
    if (owner.type !== AST_NODE_TYPES.Property) continue;
    const inner = unwrap(owner.value as Node);
    if (inner.type !== AST_NODE_TYPES.ObjectExpression) continue;
    for (const p of inner.properties) {
      if (p.type !== AST_NODE_TYPES.Property) continue;
      const value = unwrap(p.value as Node);
      if (value.type !== AST_NODE_TYPES.CallExpression) continue;
      const callee = unwrap(value.callee);
      if (callee.type !== AST_NODE_TYPES.MemberExpression || callee.computed || callee.property.type !== AST_NODE_TYPES.Identifier) continue;
      const mid = unwrap(callee.object);
      if (mid.type !== AST_NODE_TYPES.MemberExpression || mid.computed || mid.property.type !== AST_NODE_TYPES.Identifier) continue;
      const fn = mid.property.name;
      if (fn !== 'one' && fn !== 'many') continue;
      add(keyName(owner), keyName(p), { target: callee.property.name, kind: fn, api: 'defineRelations', ...optionsOf(value.arguments[0] as Node | undefined) });
    }
  }
}

/**
 * Adds drizzle tables to `model`: their mapping always, and a relation for every table the migrations did not
 * define (columns: the TS definition's).
 */
export function applyDrizzleSchema(model: SchemaModel, files: readonly DrizzleSchemaFile[], searchPath: readonly string[]): void {
  let tables: Map<string, DrizzleTable>;
  try {
    tables = parseDrizzleSchema(files);
  } catch (error) {
    for (const { file } of files) model.problems.push({ file, message: `${file}: cannot read the drizzle schema: ${(error as Error).message}` });
    return;
  }
  const all = (model.drizzleTables ??= new Map());
  for (const [name, table] of tables) {
    all.set(name, table);
    if (findRelation(model, table.schema ?? null, table.table, searchPath)) continue;
    const schema = table.schema ?? searchPath[0] ?? 'public';
    model.relations.set(relationKey(schema, table.table), {
      schema,
      name: table.table,
      kind: 'table',
      columns: [...new Set(table.columns.values())],
      uniques: [],
      rlsEnabled: false,
      policies: [],
      origin: { file: table.file, index: table.index },
    });
  }
}
