/**
 * Prisma clients that hide soft-deleted rows themselves: a query extension
 * (`new PrismaClient().$extends({ query: { $allModels: { findMany({ args, query }) { args.where = { ...args.where,
 * deletedAt: null }; return query(args) } } } })`) or a middleware (`prisma.$use((params, next) => …)`) that adds
 * the soft-delete condition to the `where` of the reads it intercepts.
 *
 * We read where the client is made: in the linted file, in the module it imports the client from (relative
 * imports, a few re-export hops), and — for a client we cannot bind to its making (`this.prisma`, `ctx.db`, a
 * parameter) — in the project's usual client modules (`src/lib/prisma.ts`, `src/server/db.ts`, …) when every
 * client they export is filtered alike. What is learnt is which models and which operations get the filter:
 * - a query extension's keys: a model (`user`) or `$allModels`, then an operation (`findMany`) or
 *   `$allOperations` (then the read operations and model names its code compares against, as string literals,
 *   narrow it; none named means all);
 * - a middleware: the read operations and model names it compares against (`params.action === 'findMany'`,
 *   `params.model === 'User'`), all when none is named.
 * An interceptor "adds the filter" when its code writes the soft-delete field with `null` (or `false` for a
 * boolean flag): `deletedAt: null` in an object, or `where.deletedAt = null`. Extensions only intercept the
 * operation itself: the relations it includes, its `_count` and its relation filters are separate reads that the
 * extension does not touch, and they stay checked.
 */
import { readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { AST_NODE_TYPES, type TSESTree } from '@typescript-eslint/utils';
import type { PrismaModel } from '../schema/model.js';
import { delegateName } from '../schema/prisma.js';
import { childNodes, propertyName, unwrap, type Node, type VisitorKeys } from '../js/estree.js';
import { resolveModule } from './modules.js';
import type { ProgramScan } from '../js/program.js';
import { keyName } from '../js/synth.js';

/** The read operations a client filters, per model name (`*`: every model); `*` ops: every read. */
export interface GlobalFilter {
  rules: Array<{ model: string; ops: ReadonlySet<string> | '*'; value: 'null' | 'false' }>;
}

const WRITE_OPS = ['create', 'createMany', 'update', 'updateMany', 'upsert', 'delete', 'deleteMany'];
const READ_OPS = ['findMany', 'findFirst', 'findFirstOrThrow', 'findUnique', 'findUniqueOrThrow', 'count', 'aggregate', 'groupBy'];

/** What `filter` says about `op` on `model`: the value the soft-delete field is set to, or null (not filtered). */
export function filteredBy(filter: GlobalFilter | null, model: string, op: string): 'null' | 'false' | null {
  for (const rule of filter?.rules ?? []) {
    if ((rule.model === '*' || rule.model === model) && (rule.ops === '*' || rule.ops.has(op))) return rule.value;
  }
  return null;
}

interface Context {
  models: ReadonlyMap<string, PrismaModel>;
  /** Field and column names that hold the soft-delete state. */
  softNames: ReadonlySet<string>;
  consts: ReadonlyMap<string, Node>;
  visitorKeys: VisitorKeys;
  /** `x.$use(fn)` calls of the module, by the name of `x` (`this` for a class extending PrismaClient). */
  uses: ReadonlyMap<string, Node[]>;
}

/** Every node under `node` (depth-limited), for the small interceptor bodies we read. */
function* walk(node: Node, keys: VisitorKeys, depth = 0): Generator<Node> {
  if (depth > 60) return;
  yield node;
  for (const child of childNodes(node, keys)) yield* walk(child, keys, depth + 1);
}

/** The value an interceptor writes into the soft-delete field (`deletedAt: null`, `where.deletedAt = null`). */
function addsFilter(fn: Node, ctx: Context): 'null' | 'false' | null {
  for (const n of walk(fn, ctx.visitorKeys)) {
    let key: string | null = null;
    let value: Node | null = null;
    if (n.type === AST_NODE_TYPES.Property) {
      key = keyName(n);
      value = n.value as Node;
    } else if (n.type === AST_NODE_TYPES.AssignmentExpression && n.operator === '=' && n.left.type === AST_NODE_TYPES.MemberExpression) {
      key = propertyName(n.left);
      value = n.right;
    }
    if (key === null || value === null || !ctx.softNames.has(key)) continue;
    const v = unwrap(value);
    if (v.type === AST_NODE_TYPES.Literal && v.value === null) return 'null';
    if (v.type === AST_NODE_TYPES.Literal && v.value === false) return 'false';
  }
  return null;
}

/** Read operations and model names an interceptor's code names as string literals. */
function named(fn: Node, ctx: Context): { ops: Set<string>; models: Set<string>; writes: boolean } {
  const ops = new Set<string>();
  const models = new Set<string>();
  let writes = false;
  for (const n of walk(fn, ctx.visitorKeys)) {
    if (n.type !== AST_NODE_TYPES.Literal || typeof n.value !== 'string') continue;
    if (READ_OPS.includes(n.value)) ops.add(n.value);
    if (WRITE_OPS.includes(n.value)) writes = true;
    if (ctx.models.has(n.value)) models.add(n.value);
  }
  return { ops, models, writes };
}

function objectOf(node: Node, ctx: Context): TSESTree.ObjectExpression | null {
  let n = unwrap(node);
  for (let depth = 0; depth < 5 && n.type === AST_NODE_TYPES.Identifier; depth++) {
    const init = ctx.consts.get(n.name);
    if (!init) return null;
    n = unwrap(init);
  }
  // `Prisma.defineExtension({ … })`
  if (n.type === AST_NODE_TYPES.CallExpression && n.arguments.length === 1 && n.callee.type === AST_NODE_TYPES.MemberExpression && propertyName(n.callee) === 'defineExtension') {
    return objectOf(n.arguments[0] as Node, ctx);
  }
  return n.type === AST_NODE_TYPES.ObjectExpression ? n : null;
}

/** A function value (method, arrow, function expression, or a const bound to one). */
function fnOf(node: Node, ctx: Context): Node | null {
  let n = unwrap(node);
  if (n.type === AST_NODE_TYPES.Identifier) n = ctx.consts.get(n.name) ?? n;
  return n.type === AST_NODE_TYPES.FunctionExpression || n.type === AST_NODE_TYPES.ArrowFunctionExpression ? n : null;
}

/** The rules an interceptor of `ops` on `model` (either may be `*` with the narrowing described above) gives. */
function interceptor(fn: Node, model: string, ops: ReadonlySet<string> | '*', ctx: Context, out: GlobalFilter['rules']): void {
  const value = addsFilter(fn, ctx);
  if (!value) return;
  const names = named(fn, ctx);
  // an interceptor that names write operations only (`params.action === 'update'`: a restore) filters no read
  if (ops === '*' && names.ops.size === 0 && names.writes) return;
  const opSet = ops === '*' ? (names.ops.size > 0 ? names.ops : '*') : ops;
  if (model === '*' && names.models.size > 0) for (const m of names.models) out.push({ model: m, ops: opSet, value });
  else out.push({ model, ops: opSet, value });
}

/** `{ query: { … } }` of a `$extends` call. */
function queryExtension(arg: Node, ctx: Context, out: GlobalFilter['rules']): void {
  const ext = objectOf(arg, ctx);
  const query = ext?.properties.find((p): p is TSESTree.Property => p.type === AST_NODE_TYPES.Property && keyName(p) === 'query');
  const byModel = query ? objectOf(query.value as Node, ctx) : null;
  const delegates = new Map<string, string>();
  for (const name of ctx.models.keys()) delegates.set(delegateName(name), name);
  for (const entry of byModel?.properties ?? []) {
    if (entry.type !== AST_NODE_TYPES.Property) continue;
    const key = keyName(entry);
    if (key === '$allOperations') {
      const fn = fnOf(entry.value as Node, ctx);
      if (fn) interceptor(fn, '*', '*', ctx, out);
      continue;
    }
    const model = key === '$allModels' ? '*' : key === null ? undefined : delegates.get(key) ?? (ctx.models.has(key) ? key : undefined);
    const ops = model === undefined ? null : objectOf(entry.value as Node, ctx);
    for (const op of ops?.properties ?? []) {
      if (op.type !== AST_NODE_TYPES.Property || model === undefined) continue;
      const name = keyName(op);
      const fn = fnOf(op.value as Node, ctx);
      if (!fn || name === null) continue;
      if (name === '$allOperations') interceptor(fn, model, '*', ctx, out);
      else if (READ_OPS.includes(name)) interceptor(fn, model, new Set([name]), ctx, out);
    }
  }
}

/**
 * The filter of the client an expression makes: `new PrismaClient()`, `x.$extends(…)` chains, a name bound to
 * one (with the `$use` middleware registered on that name), `this` inside a class extending PrismaClient.
 * Null when the expression is not a Prisma client we can see being made.
 */
function clientFilter(node: Node, ctx: Context, depth = 0): GlobalFilter | null {
  const n = unwrap(node);
  if (depth > 6) return null;
  const withUses = (name: string, base: GlobalFilter): GlobalFilter => {
    const rules = [...base.rules];
    for (const fn of ctx.uses.get(name) ?? []) interceptor(fn, '*', '*', ctx, rules);
    return { rules };
  };
  // `globalThis.prisma ?? new PrismaClient()…` (the hot-reload singleton): the client made on the right
  if (n.type === AST_NODE_TYPES.LogicalExpression && (n.operator === '??' || n.operator === '||')) {
    return clientFilter(n.right, ctx, depth + 1);
  }
  // `prismaClientSingleton()`: what a function of the module returns
  if (n.type === AST_NODE_TYPES.CallExpression && n.callee.type === AST_NODE_TYPES.Identifier && n.arguments.length === 0) {
    const fn = ctx.consts.get(n.callee.name);
    const body = fn && (fn.type === AST_NODE_TYPES.ArrowFunctionExpression || fn.type === AST_NODE_TYPES.FunctionExpression || fn.type === AST_NODE_TYPES.FunctionDeclaration) ? fn.body : null;
    if (body && body.type !== AST_NODE_TYPES.BlockStatement) return clientFilter(body, ctx, depth + 1);
    const ret = body?.type === AST_NODE_TYPES.BlockStatement ? body.body.find((st) => st.type === AST_NODE_TYPES.ReturnStatement) : undefined;
    return ret?.type === AST_NODE_TYPES.ReturnStatement && ret.argument ? clientFilter(ret.argument, ctx, depth + 1) : null;
  }
  if (n.type === AST_NODE_TYPES.NewExpression) {
    const callee = unwrap(n.callee);
    const name = callee.type === AST_NODE_TYPES.Identifier ? callee.name : callee.type === AST_NODE_TYPES.MemberExpression ? propertyName(callee) : null;
    return name === 'PrismaClient' ? { rules: [] } : null;
  }
  if (n.type === AST_NODE_TYPES.Identifier) {
    const init = ctx.consts.get(n.name);
    const base = init ? clientFilter(init, ctx, depth + 1) : null;
    return base ? withUses(n.name, base) : null;
  }
  if (n.type === AST_NODE_TYPES.CallExpression && n.callee.type === AST_NODE_TYPES.MemberExpression) {
    const method = propertyName(n.callee);
    if (method === '$extends') {
      const base = clientFilter(n.callee.object, ctx, depth + 1);
      if (!base) return null;
      const rules = [...base.rules];
      for (const arg of n.arguments) queryExtension(arg as Node, ctx, rules);
      return { rules };
    }
  }
  if (n.type === AST_NODE_TYPES.ClassDeclaration || n.type === AST_NODE_TYPES.ClassExpression) {
    const sup = n.superClass ? unwrap(n.superClass) : null;
    const name = sup?.type === AST_NODE_TYPES.Identifier ? sup.name : sup?.type === AST_NODE_TYPES.MemberExpression ? propertyName(sup) : null;
    return name === 'PrismaClient' ? withUses('this', { rules: [] }) : null;
  }
  return null;
}

/** `x.$use(fn)` / `this.$use(fn)` calls of a program, by the name of `x`. */
function usesOf(program: TSESTree.Program, keys: VisitorKeys, consts: ReadonlyMap<string, Node>): Map<string, Node[]> {
  const out = new Map<string, Node[]>();
  for (const n of walk(program as Node, keys, -1000)) {
    if (n.type !== AST_NODE_TYPES.CallExpression || n.callee.type !== AST_NODE_TYPES.MemberExpression) continue;
    if (propertyName(n.callee) !== '$use' || n.arguments.length !== 1) continue;
    const holder = unwrap(n.callee.object);
    const name = holder.type === AST_NODE_TYPES.Identifier ? holder.name : holder.type === AST_NODE_TYPES.ThisExpression ? 'this' : null;
    let fn: Node | null = unwrap(n.arguments[0] as Node);
    if (fn.type === AST_NODE_TYPES.Identifier) fn = consts.get(fn.name) ?? null;
    if (name === null || !fn) continue;
    out.set(name, [...(out.get(name) ?? []), fn]);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Modules: the clients a module exports, cached by file stamp.

type Parse = (text: string, options: Record<string, unknown>) => TSESTree.Program;
let parser: Parse | null | undefined;

function parseModule(text: string, file: string): TSESTree.Program | null {
  if (parser === undefined) {
    try {
      parser = (createRequire(import.meta.url)('@typescript-eslint/typescript-estree') as { parse: Parse }).parse;
    } catch {
      parser = null;
    }
  }
  try {
    return parser ? parser(text, { range: true, jsx: /\.[jt]sx$/.test(file), loc: false, comment: false }) : null;
  } catch {
    return null;
  }
}

interface ModuleClients {
  stamp: string;
  /** Exported name → the filter of the client it holds (null: a Prisma client without a global filter). */
  exports: Map<string, GlobalFilter>;
  reexports: Array<{ name: string | null; imported: string | null; source: string }>;
}

const modules = new Map<string, ModuleClients>();
const MAX_BYTES = 1_000_000;

/** Top-level `const` initializers and class declarations of a program. */
function topConsts(program: TSESTree.Program): Map<string, Node> {
  const out = new Map<string, Node>();
  const bind = (d: Node): void => {
    if (d.type === AST_NODE_TYPES.VariableDeclaration) {
      for (const v of d.declarations) if (v.id.type === AST_NODE_TYPES.Identifier && v.init) out.set(v.id.name, v.init);
    } else if ((d.type === AST_NODE_TYPES.ClassDeclaration || d.type === AST_NODE_TYPES.FunctionDeclaration) && d.id) {
      out.set(d.id.name, d);
    }
  };
  for (const s of program.body) {
    if ((s.type === AST_NODE_TYPES.ExportNamedDeclaration || s.type === AST_NODE_TYPES.ExportDefaultDeclaration) && s.declaration) bind(s.declaration as Node);
    else bind(s);
  }
  return out;
}

function moduleClients(file: string, models: ReadonlyMap<string, PrismaModel>, softNames: ReadonlySet<string>, keys: VisitorKeys): ModuleClients | null {
  let stamp: string;
  try {
    const st = statSync(file);
    if (!st.isFile() || st.size > MAX_BYTES) return null;
    stamp = `${st.mtimeMs}:${st.size}:${[...softNames].join(',')}:${[...models.keys()].join(',')}`;
  } catch {
    return null;
  }
  const hit = modules.get(file);
  if (hit?.stamp === stamp) return hit;
  const out: ModuleClients = { stamp, exports: new Map(), reexports: [] };
  let text = '';
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return null;
  }
  const program = /PrismaClient|\$extends|\$use/.test(text) || reExports(text) ? parseModule(text, file) : null;
  if (program) {
    const consts = topConsts(program);
    const ctx: Context = { models, softNames, consts, visitorKeys: keys, uses: usesOf(program, keys, consts) };
    const add = (name: string, node: Node): void => {
      try {
        const filter = clientFilter(node, ctx);
        if (filter) out.exports.set(name, filter);
      } catch {
        // not a client we can read
      }
    };
    for (const s of program.body) {
      if (s.type === AST_NODE_TYPES.ExportNamedDeclaration) {
        const d = s.declaration;
        if (d?.type === AST_NODE_TYPES.VariableDeclaration) {
          for (const v of d.declarations) if (v.id.type === AST_NODE_TYPES.Identifier && v.init) add(v.id.name, v.id);
        } else if (d?.type === AST_NODE_TYPES.ClassDeclaration && d.id) add(d.id.name, d);
        for (const spec of s.specifiers) {
          const local = spec.local.type === AST_NODE_TYPES.Identifier ? spec.local.name : String(spec.local.value);
          const exported = spec.exported.type === AST_NODE_TYPES.Identifier ? spec.exported.name : String(spec.exported.value);
          if (s.source) out.reexports.push({ name: exported, imported: local, source: String(s.source.value) });
          else add(exported, spec.local as Node);
        }
      } else if (s.type === AST_NODE_TYPES.ExportAllDeclaration && !s.exported) {
        out.reexports.push({ name: null, imported: null, source: String(s.source.value) });
      } else if (s.type === AST_NODE_TYPES.ExportDefaultDeclaration) {
        add('default', s.declaration as Node);
      }
    }
  }
  if (modules.size > 500) modules.clear();
  modules.set(file, out);
  return out;
}

/**
 * Does the module re-export (`export * from …`, `export { … } from …`)? One linear pass: the `}` closing an
 * `export {` is found once and shared by every `export {` before it (a regex over the whole text was quadratic).
 */
function reExports(text: string): boolean {
  if (/export\s*\*/.test(text)) return true;
  const open = /export\s*\{/g;
  let close = -1;
  for (let m = open.exec(text); m; m = open.exec(text)) {
    if (close < m.index) close = text.indexOf('}', m.index);
    if (close < 0) return false;
    if (/^\s*from\b/.test(text.slice(close + 1, close + 64))) return true;
  }
  return false;
}

/** The filter of the client `name` exported by `file` (following re-exports), or undefined if it is not one. */
function exportedFilter(
  file: string,
  name: string,
  models: ReadonlyMap<string, PrismaModel>,
  softNames: ReadonlySet<string>,
  keys: VisitorKeys,
  depth = 0,
): GlobalFilter | undefined {
  if (depth > 4) return undefined;
  const mod = moduleClients(file, models, softNames, keys);
  if (!mod) return undefined;
  const own = mod.exports.get(name);
  if (own) return own;
  for (const r of mod.reexports) {
    if (r.name !== null && r.name !== name) continue;
    const target = resolveModule(file, r.source);
    const found = target ? exportedFilter(target, r.imported ?? name, models, softNames, keys, depth + 1) : undefined;
    if (found) return found;
  }
  return undefined;
}

/** Where projects usually make their Prisma client (relative to the directory holding `prisma/`). */
const USUAL_CLIENT_MODULES = [
  'src/lib/prisma', 'src/lib/db', 'lib/prisma', 'lib/db', 'src/db', 'src/db/index', 'src/prisma', 'src/server/db',
  'server/db', 'src/utils/prisma', 'utils/prisma', 'app/lib/prisma', 'src/config/prisma', 'src/database/prisma',
  'src/prisma/prisma.service', 'src/prisma.service', 'src/client', 'prisma/client',
];
const usual = new Map<string, { at: number; files: string[] }>();

function usualModules(root: string): string[] {
  const hit = usual.get(root);
  if (hit && Date.now() - hit.at < 1000) return hit.files;
  const files: string[] = [];
  for (const stem of USUAL_CLIENT_MODULES) {
    const file = resolveModule(path.join(root, 'x'), `./${stem}`);
    if (file) files.push(file);
  }
  usual.set(root, { at: Date.now(), files });
  return files;
}

/** The directory that holds the project's `prisma/` folder (from where the Prisma schema was read). */
function projectRoot(models: ReadonlyMap<string, PrismaModel>): string | null {
  const file = models.values().next().value?.origin.file;
  if (!file) return null;
  let dir = path.dirname(file);
  if (path.basename(dir) === 'schema' && path.basename(path.dirname(dir)) === 'prisma') dir = path.dirname(dir);
  if (path.basename(dir) === 'prisma') dir = path.dirname(dir);
  return dir;
}

/**
 * The global filters of the clients a file's Prisma reads go through. `of(node)` gives the filter of the client
 * an expression holds: a local made in the file, a relative import of a module that makes it, and for anything
 * else the filter every client of the project's usual client modules shares (none if one of them is unfiltered).
 */
export class ClientFilters {
  private readonly local: Context;
  private readonly cache = new Map<string, GlobalFilter | null>();
  private fallback: GlobalFilter | null | undefined;
  private localUses: Map<string, Node[]> | undefined;

  constructor(
    private readonly scan: ProgramScan,
    private readonly filename: string | undefined,
    private readonly models: ReadonlyMap<string, PrismaModel>,
    private readonly softNames: ReadonlySet<string>,
  ) {
    this.local = { models, softNames, consts: scan.consts, visitorKeys: scan.visitorKeys, uses: new Map() };
  }

  of(node: Node): GlobalFilter | null {
    const n = unwrap(node);
    if (n.type === AST_NODE_TYPES.Identifier) {
      if (!this.cache.has(n.name)) this.cache.set(n.name, this.named(n.name));
      return this.cache.get(n.name)!;
    }
    return this.projectDefault();
  }

  private named(name: string): GlobalFilter | null {
    const binding = this.scan.imports.find((i) => i.local === name);
    if (binding) {
      if (!this.filename || binding.imported === null) return null;
      if (binding.source.startsWith('@prisma/')) return null;
      const file = resolveModule(this.filename, binding.source);
      const found = file ? exportedFilter(file, binding.imported, this.models, this.softNames, this.scan.visitorKeys) : undefined;
      // a module we cannot resolve (a path alias) or read as a client: the project's usual client decides
      return found ?? this.projectDefault();
    }
    if (this.scan.consts.has(name)) {
      this.localUses ??= usesOf(this.scan.program, this.scan.visitorKeys, this.scan.consts);
      const ctx = { ...this.local, uses: this.localUses };
      const made = clientFilter({ type: AST_NODE_TYPES.Identifier, name, range: [0, 0] } as unknown as Node, ctx);
      if (made) return made;
    }
    return this.projectDefault(); // a parameter, a `tx`, …
  }

  private projectDefault(): GlobalFilter | null {
    if (this.fallback !== undefined) return this.fallback;
    this.fallback = null;
    const root = projectRoot(this.models);
    if (!root) return null;
    const filters: GlobalFilter[] = [];
    for (const file of usualModules(root)) {
      const mod = moduleClients(file, this.models, this.softNames, this.scan.visitorKeys);
      for (const f of mod?.exports.values() ?? []) filters.push(f);
    }
    if (filters.length === 0 || filters.some((f) => f.rules.length === 0)) return null;
    // what every client filters: a rule of the first that each of the others covers
    const shared = filters[0]!.rules.filter((rule) =>
      filters.every((f) => f.rules.some((r) => (r.model === '*' || r.model === rule.model) && (r.ops === '*' || (rule.ops !== '*' && [...rule.ops].every((o) => (r.ops as ReadonlySet<string>).has(o)))))),
    );
    this.fallback = shared.length > 0 ? { rules: shared } : null;
    return this.fallback;
  }
}
