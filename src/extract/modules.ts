/**
 * Names imported from other modules of the project, read statically: string constants (`export const UsersTable =
 * 'users'`), members of `as const` objects and enums (`Tables.Users`), and the `static tableName` of model classes
 * (Objection). Each module is parsed once per process and re-read only when its stamp (mtime, size) changes.
 * CommonJS modules count the same: `module.exports = { db }`, `module.exports = db`, `exports.db = knex(…)`.
 *
 * Specifiers are resolved the way the project's tooling does: relative paths, tsconfig/jsconfig `paths` and
 * `baseUrl` (nearest config above the importing file, relative `extends` followed), and workspace packages (a
 * `node_modules` entry that links back into the project; its source is read, from `exports`/`types`/`main` mapped
 * from `dist/` to `src/`, or `src/index`). Published packages are never read. A name that cannot be read stays
 * unknown (the caller makes it opaque).
 */
import { existsSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { AST_NODE_TYPES, type TSESTree } from '@typescript-eslint/utils';
import { unwrap, type Node } from '../js/estree.js';
import { clock, recheckInterval } from '../schema/freshness.js';

type Parse = (text: string, options: Record<string, unknown>) => TSESTree.Program;
let parser: Parse | null | undefined;

function parse(text: string): TSESTree.Program | null {
  if (parser === undefined) {
    try {
      const require = createRequire(import.meta.url);
      parser = (require('@typescript-eslint/typescript-estree') as { parse: Parse }).parse;
    } catch {
      parser = null;
    }
  }
  if (!parser) return null;
  try {
    return parser(text, { range: true, jsx: false, loc: false, comment: false });
  } catch {
    return null;
  }
}

/** What a module exports that names can resolve to. */
interface ModuleExports {
  stamp: string;
  /** When the stamp was last compared with the file's (on the re-check clock). */
  checkedAt: number;
  /** The module's tree and text (null when it did not parse). */
  program: TSESTree.Program | null;
  text: string;
  /** Exported name → the local name it exports (`export const db`, `export { db as main }`, `export default db`). */
  locals: Map<string, string>;
  /** `export default <expression>` that is not a name. */
  defaultExpression: Node | null;
  /** CommonJS `exports.name = <expression>` (and `module.exports = { name: <expression> }`) that is not a name. */
  expressions: Map<string, Node>;
  /** Exported name → the node it is bound to (a const initializer, an enum, a class). */
  values: Map<string, Node>;
  /** `export { x } from './y'` and `export * from './y'`: where else to look. */
  reexports: Array<{ name: string | null; imported: string | null; source: string }>;
}

const cache = new Map<string, ModuleExports>();
const MAX_MODULES = 2000;
const MAX_BYTES = 2_000_000;

const EXTENSIONS = ['.ts', '.tsx', '.mts', '.cts', '.js', '.mjs', '.cjs', '.jsx'];

/**
 * Resolutions of non-relative specifiers per (directory, specifier). `final`: a file, or a published package (which
 * is never read); kept. Otherwise nothing was found, and the miss is kept only for MODULE_MISS_TTL_MS from `at`.
 * Relative specifiers per absolute path, looked up again at the re-check pace of the schema files.
 */
const resolved = new Map<string, { file: string | null; at: number; final: boolean }>();
/**
 * A specifier that names nothing yet is looked up again after this long: an editor may create the file later, and
 * a long-lived ESLint process must then see it. (A hit stays: a file that goes away is a failed read, not a guess.)
 */
export const MODULE_MISS_TTL_MS = 1000;

/** The project file a specifier names (relative, a tsconfig alias, a workspace package), or null. */
export function resolveModule(fromFile: string, specifier: string): string | null {
  const relative = specifier.startsWith('.');
  if (!relative && (specifier.startsWith('/') || specifier.startsWith('node:') || /^[a-z]+:/i.test(specifier))) return null;
  const dir = path.dirname(fromFile);
  // a relative specifier names one path wherever it is written from; a bare one depends on the directory
  const key = relative ? path.resolve(dir, specifier) : `${dir}\0${specifier}`;
  const hit = resolved.get(key);
  if (relative) {
    // looked up again at the pace module stamps are (a file created, renamed or removed is then seen)
    const at = clock();
    if (hit && at >= hit.at && at - hit.at < recheckInterval(at)) return hit.file;
    const file = tryFile(key);
    remember(key, { file, at, final: false });
    return file;
  }
  const now = Date.now();
  if (hit && (hit.final || now - hit.at < MODULE_MISS_TTL_MS)) return hit.file;
  let file: string | null = null;
  const aliases = aliasesFor(dir);
  if (aliases) {
    for (const target of aliasTargets(aliases, specifier)) {
      file = tryFile(target);
      if (file) break;
    }
    if (!file && aliases.baseUrl) file = tryFile(path.join(aliases.baseUrl, specifier));
  }
  let final = file !== null;
  if (!file) {
    const workspace = workspaceModule(fromFile, specifier);
    file = workspace ?? null;
    final = workspace !== undefined;
  }
  remember(key, { file, at: now, final });
  return file;
}

function remember(key: string, resolution: { file: string | null; at: number; final: boolean }): void {
  if (resolved.size > 5000) resolved.clear();
  resolved.set(key, resolution);
}

/** Is there a file at this path? (No exception for a missing one: a miss is the common case.) */
function isFile(file: string): boolean {
  try {
    return statSync(file, { throwIfNoEntry: false })?.isFile() ?? false;
  } catch {
    return false;
  }
}
// ── resolution of non-relative specifiers ──────────────────────────────────────────────────────────────────────

/** A file that exists for a path written without (or with a JS) extension, or as a directory with an index. */
function tryFile(base: string): string | null {
  const stem = base.replace(/\.(?:[mc]?js|jsx)$/, '');
  const candidates = [base, ...EXTENSIONS.map((e) => stem + e), ...EXTENSIONS.map((e) => path.join(base, `index${e}`))];
  for (const file of candidates) if (isFile(file)) return file;
  return null;
}

interface PathAliases {
  /** Directory bare specifiers resolve from (`baseUrl`), or null. */
  baseUrl: string | null;
  /** `paths` patterns, each with the directory its targets are relative to. */
  paths: Array<{ pattern: string; targets: string[]; dir: string }>;
}

const aliasCache = new Map<string, PathAliases | null>();

/** JSON with comments and trailing commas (tsconfig's dialect), or null. */
function readJsonc(file: string): Record<string, unknown> | null {
  try {
    const text = readFileSync(file, 'utf8');
    let out = '';
    for (let k = 0; k < text.length; k++) {
      const ch = text[k]!;
      if (ch === '"') {
        const end = /"(?:[^"\\]|\\.)*"/y;
        end.lastIndex = k;
        const m = end.exec(text);
        if (!m) return null;
        out += m[0];
        k += m[0].length - 1;
      } else if (ch === '/' && text[k + 1] === '/') {
        while (k < text.length && text[k] !== '\n') k++;
        out += '\n';
      } else if (ch === '/' && text[k + 1] === '*') {
        const close = text.indexOf('*/', k + 2);
        k = close < 0 ? text.length : close + 1;
      } else {
        out += ch;
      }
    }
    const value: unknown = JSON.parse(out.replace(/,(\s*[}\]])/g, '$1'));
    return value && typeof value === 'object' ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** `compilerOptions.baseUrl` and `paths` of a tsconfig, following relative `extends` (a few levels). */
function tsconfigAliases(file: string, depth = 0): PathAliases | null {
  const json = readJsonc(file);
  if (!json) return null;
  const dir = path.dirname(file);
  let inherited: PathAliases | null = null;
  const extendsValue = json.extends;
  const parents = typeof extendsValue === 'string' ? [extendsValue] : Array.isArray(extendsValue) ? extendsValue : [];
  for (const parent of parents) {
    if (typeof parent !== 'string' || !parent.startsWith('.') || depth > 3) continue;
    const target = path.resolve(dir, parent.endsWith('.json') ? parent : `${parent}.json`);
    inherited = tsconfigAliases(target, depth + 1) ?? inherited;
  }
  const options = (json.compilerOptions ?? {}) as Record<string, unknown>;
  const baseUrl = typeof options.baseUrl === 'string' ? path.resolve(dir, options.baseUrl) : inherited?.baseUrl ?? null;
  let paths = inherited?.paths ?? [];
  if (options.paths && typeof options.paths === 'object') {
    paths = [];
    for (const [pattern, targets] of Object.entries(options.paths as Record<string, unknown>)) {
      if (!Array.isArray(targets)) continue;
      paths.push({ pattern, targets: targets.filter((t): t is string => typeof t === 'string'), dir: baseUrl ?? dir });
    }
  }
  return { baseUrl, paths };
}

/** The aliases of the nearest tsconfig.json (or jsconfig.json) above a directory, cached per directory. */
function aliasesFor(dir: string): PathAliases | null {
  if (aliasCache.has(dir)) return aliasCache.get(dir)!;
  let found: PathAliases | null = null;
  for (const name of ['tsconfig.json', 'jsconfig.json']) {
    const file = path.join(dir, name);
    if (isFile(file)) {
      found = tsconfigAliases(file);
      break;
    }
  }
  if (!found) {
    const parent = path.dirname(dir);
    found = parent === dir ? null : aliasesFor(parent);
  }
  if (aliasCache.size > 1000) aliasCache.clear();
  aliasCache.set(dir, found);
  return found;
}

/** `pkg` and `sub/path` of a bare specifier (`@acme/db/tables` → `@acme/db`, `tables`). */
function splitSpecifier(specifier: string): { name: string; sub: string } | null {
  const parts = specifier.split('/');
  const size = specifier.startsWith('@') ? 2 : 1;
  if (parts.length < size || parts.slice(0, size).some((p) => p === '' || p === '.' || p === '..')) return null;
  return { name: parts.slice(0, size).join('/'), sub: parts.slice(size).join('/') };
}

/** The entry an `exports` value names for source reading (types first, then import/default/require). */
function exportTarget(value: unknown, depth = 0): string | null {
  if (typeof value === 'string') return value;
  if (!value || typeof value !== 'object' || Array.isArray(value) || depth > 4) return null;
  const record = value as Record<string, unknown>;
  for (const key of ['source', 'types', 'import', 'default', 'require', 'node']) {
    const found = exportTarget(record[key], depth + 1);
    if (found) return found;
  }
  return null;
}

/** The source file a built entry (`dist/index.js`, `dist/index.d.ts`) was compiled from, when it is there. */
function sourceOf(pkgDir: string, entry: string): string | null {
  const relativeEntry = entry.replace(/^\.\//, '');
  const candidates = [relativeEntry.replace(/\.d\.([mc]?ts)$/, '.$1')];
  const src = relativeEntry.replace(/^(?:dist|lib|build|out)\//, 'src/').replace(/\.d\.([mc]?ts)$/, '.$1');
  if (src !== relativeEntry) candidates.unshift(src);
  for (const c of candidates) {
    const file = tryFile(path.join(pkgDir, c));
    if (file && !file.endsWith('.d.ts')) return file;
  }
  return null;
}

/**
 * A workspace package (a `node_modules` entry that links back into the project, as npm, pnpm and yarn workspaces
 * make): its source file for the specifier. Published packages (really under `node_modules`) are not read: null.
 * undefined when no `node_modules` above has the package at all (it may be installed or linked later).
 */
function workspaceModule(fromFile: string, specifier: string): string | null | undefined {
  const split = splitSpecifier(specifier);
  if (!split) return null;
  for (let dir = path.dirname(fromFile); ; ) {
    const candidate = path.join(dir, 'node_modules', split.name);
    if (existsSync(candidate)) {
      let real: string;
      try {
        real = realpathSync(candidate);
      } catch {
        return null;
      }
      if (/[\\/]node_modules[\\/]/.test(real)) return null; // a published package
      return packageEntry(real, split.sub);
    }
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

function packageEntry(pkgDir: string, sub: string): string | null {
  const manifest = readJsonc(path.join(pkgDir, 'package.json')) ?? {};
  const exportsField = manifest.exports as unknown;
  const key = sub ? `./${sub}` : '.';
  let entry: string | null = null;
  if (exportsField && typeof exportsField === 'object' && !Array.isArray(exportsField)) {
    const record = exportsField as Record<string, unknown>;
    entry = key in record ? exportTarget(record[key]) : !sub && !Object.keys(record).some((k) => k.startsWith('.')) ? exportTarget(record) : null;
  } else if (!sub && typeof exportsField === 'string') {
    entry = exportsField;
  }
  if (!entry && !sub) {
    for (const field of ['source', 'types', 'typings', 'module', 'main']) {
      if (typeof manifest[field] === 'string') {
        entry = manifest[field] as string;
        break;
      }
    }
  }
  if (entry) {
    const file = sourceOf(pkgDir, entry);
    if (file) return file;
  }
  return tryFile(path.join(pkgDir, sub || 'src/index')) ?? (sub ? tryFile(path.join(pkgDir, 'src', sub)) : tryFile(path.join(pkgDir, 'index')));
}

/** A `paths` pattern's targets for a specifier, in order (`@/*` + `@/db` → `src/db`). */
function aliasTargets(aliases: PathAliases, specifier: string): string[] {
  const out: string[] = [];
  for (const { pattern, targets, dir } of aliases.paths) {
    const star = pattern.indexOf('*');
    let matched: string | null = null;
    if (star < 0) matched = pattern === specifier ? '' : null;
    else {
      const prefix = pattern.slice(0, star);
      const suffix = pattern.slice(star + 1);
      if (specifier.startsWith(prefix) && specifier.endsWith(suffix) && specifier.length >= prefix.length + suffix.length) {
        matched = specifier.slice(prefix.length, specifier.length - suffix.length);
      }
    }
    if (matched === null) continue;
    for (const target of targets) out.push(path.resolve(dir, target.replace('*', matched)));
  }
  return out;
}

function load(file: string): ModuleExports | null {
  const hit = cache.get(file);
  // a module read before is taken as it is for as long as the schema files are (re-checked once a second in an
  // editor, every few seconds within one lint run): a run importing it from every file stats it once, not per file
  const at = clock();
  if (hit && at >= hit.checkedAt && at - hit.checkedAt < recheckInterval(at)) return hit;
  let stamp: string;
  try {
    const st = statSync(file);
    if (st.size > MAX_BYTES) return null;
    stamp = `${st.mtimeMs}:${st.size}`;
  } catch {
    return null;
  }
  if (hit?.stamp === stamp) {
    hit.checkedAt = at;
    return hit;
  }
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return null;
  }
  const program = parse(text);
  const exports: ModuleExports = { stamp, checkedAt: at, program, text, locals: new Map(), defaultExpression: null, expressions: new Map(), values: new Map(), reexports: [] };
  if (program) collect(program, exports);
  if (cache.size >= MAX_MODULES) cache.clear();
  cache.set(file, exports);
  return exports;
}

function collect(program: TSESTree.Program, out: ModuleExports): void {
  const locals = new Map<string, Node>();
  const bind = (node: Node): void => {
    if (node.type === AST_NODE_TYPES.VariableDeclaration) {
      for (const d of node.declarations) {
        if (d.id.type === AST_NODE_TYPES.Identifier && d.init && node.kind === 'const') locals.set(d.id.name, d.init);
      }
    } else if ((node.type === AST_NODE_TYPES.TSEnumDeclaration || node.type === AST_NODE_TYPES.ClassDeclaration) && node.id) {
      locals.set(node.id.name, node);
    }
  };
  for (const statement of program.body) {
    if (statement.type === AST_NODE_TYPES.ExportNamedDeclaration) {
      if (statement.declaration) {
        bind(statement.declaration);
        const d = statement.declaration;
        if (d.type === AST_NODE_TYPES.VariableDeclaration) {
          for (const v of d.declarations) {
            if (v.id.type === AST_NODE_TYPES.Identifier) out.locals.set(v.id.name, v.id.name);
            if (v.id.type === AST_NODE_TYPES.Identifier && v.init) out.values.set(v.id.name, v.init);
          }
        } else if ((d.type === AST_NODE_TYPES.TSEnumDeclaration || d.type === AST_NODE_TYPES.ClassDeclaration) && d.id) {
          out.values.set(d.id.name, d);
          out.locals.set(d.id.name, d.id.name);
        } else if (d.type === AST_NODE_TYPES.FunctionDeclaration && d.id) {
          out.locals.set(d.id.name, d.id.name);
        }
      }
      for (const specifier of statement.specifiers) {
        const local = specifier.local.type === AST_NODE_TYPES.Identifier ? specifier.local.name : String(specifier.local.value);
        const exported = specifier.exported.type === AST_NODE_TYPES.Identifier ? specifier.exported.name : String(specifier.exported.value);
        if (statement.source) out.reexports.push({ name: exported, imported: local, source: String(statement.source.value) });
        else {
          out.locals.set(exported, local);
          const value = locals.get(local);
          if (value) out.values.set(exported, value);
          else out.values.set(exported, specifier.local as Node); // declared later: resolved below
        }
      }
    } else if (statement.type === AST_NODE_TYPES.ExpressionStatement && commonJsExport(statement.expression, out)) {
      // `module.exports = …` / `exports.name = …`: recorded by commonJsExport
    } else if (statement.type === AST_NODE_TYPES.ExportAllDeclaration && !statement.exported) {
      out.reexports.push({ name: null, imported: null, source: String(statement.source.value) });
    } else if (statement.type === AST_NODE_TYPES.ExportDefaultDeclaration) {
      const d = statement.declaration;
      if (d.type === AST_NODE_TYPES.ClassDeclaration || d.type === AST_NODE_TYPES.Identifier) out.values.set('default', d as Node);
      if (d.type === AST_NODE_TYPES.Identifier) out.locals.set('default', d.name);
      else if ((d.type === AST_NODE_TYPES.ClassDeclaration || d.type === AST_NODE_TYPES.FunctionDeclaration) && d.id) out.locals.set('default', d.id.name);
      else if (d.type !== AST_NODE_TYPES.ClassDeclaration && d.type !== AST_NODE_TYPES.FunctionDeclaration && d.type !== AST_NODE_TYPES.TSDeclareFunction) {
        out.defaultExpression = d as Node;
      }
    } else {
      bind(statement);
    }
  }
  // `export { X }` written before `const X` / a default export of a local name
  for (const [name, value] of out.values) {
    if (value.type === AST_NODE_TYPES.Identifier) {
      const local = locals.get(value.name);
      if (local) out.values.set(name, local);
      else out.values.delete(name);
    }
  }
}

/** Is `node` `module.exports`? */
function isModuleExports(node: Node): boolean {
  return (
    node.type === AST_NODE_TYPES.MemberExpression && !node.computed && node.object.type === AST_NODE_TYPES.Identifier &&
    node.object.name === 'module' && node.property.type === AST_NODE_TYPES.Identifier && node.property.name === 'exports'
  );
}

/**
 * Records a CommonJS export: `module.exports = { db, Users: 'users' }`, `module.exports = db` (the default export,
 * what a whole `require` gives), `module.exports.db = …`, `exports.db = …`. A name stays bound to its local (read
 * through the local's declaration), anything else to the expression. False when `expression` is none of these.
 */
function commonJsExport(expression: Node, out: ModuleExports): boolean {
  if (expression.type !== AST_NODE_TYPES.AssignmentExpression || expression.operator !== '=') return false;
  const left = expression.left;
  const right = unwrap(expression.right);
  const bind = (name: string, value: Node): void => {
    if (value.type === AST_NODE_TYPES.Identifier) {
      out.locals.set(name, value.name);
      out.values.set(name, value); // resolved to the local's declaration with the ES names
    } else {
      out.expressions.set(name, value);
      out.values.set(name, value);
    }
  };
  if (isModuleExports(left)) {
    if (right.type === AST_NODE_TYPES.ObjectExpression) {
      for (const property of right.properties) {
        if (property.type !== AST_NODE_TYPES.Property || property.kind !== 'init') continue;
        const key = property.computed ? null : property.key.type === AST_NODE_TYPES.Identifier ? property.key.name : null;
        if (key) bind(key, unwrap(property.value as Node));
      }
    } else if (right.type === AST_NODE_TYPES.Identifier) {
      bind('default', right);
    } else {
      out.defaultExpression = right;
      out.values.set('default', right);
    }
    return true;
  }
  if (left.type !== AST_NODE_TYPES.MemberExpression || left.computed || left.property.type !== AST_NODE_TYPES.Identifier) return false;
  const holder = left.object;
  if (!isModuleExports(holder) && !(holder.type === AST_NODE_TYPES.Identifier && holder.name === 'exports')) return false;
  bind(left.property.name, right);
  return true;
}

/** The node an exported name of `file` is bound to, following re-exports (a few hops). */
export function exportedValue(file: string, name: string, depth = 0): { node: Node; file: string } | null {
  if (depth > 5) return null;
  const exports = load(file);
  if (!exports) return null;
  const node = exports.values.get(name);
  if (node) return { node, file };
  for (const r of exports.reexports) {
    if (r.name !== null && r.name !== name) continue;
    const target = resolveModule(file, r.source);
    if (!target) continue;
    const found = exportedValue(target, r.imported ?? name, depth + 1);
    if (found) return found;
  }
  return null;
}

/** Where an exported name of `file` is bound, following re-exports: its module and its local name there. */
export interface ExportedBinding {
  file: string;
  program: TSESTree.Program;
  text: string;
  /** The local name exported (null for `export default <expression>`). */
  local: string | null;
  /** The exported expression of `export default <expression>`. */
  expression: Node | null;
}

export function exportedBinding(file: string, name: string, depth = 0): ExportedBinding | null {
  if (depth > 5) return null;
  const exports = load(file);
  if (!exports?.program) return null;
  const local = exports.locals.get(name);
  if (local !== undefined) return { file, program: exports.program, text: exports.text, local, expression: null };
  const expression = exports.expressions.get(name) ?? (name === 'default' ? exports.defaultExpression : null);
  if (expression) return { file, program: exports.program, text: exports.text, local: null, expression };
  for (const r of exports.reexports) {
    if (r.name !== null && r.name !== name) continue;
    const target = resolveModule(file, r.source);
    if (!target) continue;
    const found = exportedBinding(target, r.imported ?? name, depth + 1);
    if (found) return found;
  }
  return null;
}

/** A string the node spells out (a literal, a template without interpolation), or null. */
function stringOf(node: Node): string | null {
  const n = unwrap(node);
  if (n.type === AST_NODE_TYPES.Literal && typeof n.value === 'string') return n.value;
  if (n.type === AST_NODE_TYPES.TemplateLiteral && n.expressions.length === 0) return n.quasis[0]?.value.cooked ?? null;
  return null;
}

/** A member of an object literal or an enum, as a string. */
export function memberString(node: Node, key: string): string | null {
  const n = unwrap(node);
  if (n.type === AST_NODE_TYPES.ObjectExpression) {
    for (let k = n.properties.length - 1; k >= 0; k--) {
      const p = n.properties[k]!;
      if (p.type !== AST_NODE_TYPES.Property || p.computed) continue;
      const name = p.key.type === AST_NODE_TYPES.Identifier ? p.key.name : p.key.type === AST_NODE_TYPES.Literal ? String(p.key.value) : null;
      if (name === key) return stringOf(p.value as Node);
    }
    return null;
  }
  if (n.type === AST_NODE_TYPES.TSEnumDeclaration) {
    const loose = n as unknown as { members?: TSESTree.TSEnumMember[]; body?: { members?: TSESTree.TSEnumMember[] } };
    for (const m of loose.body?.members ?? loose.members ?? []) {
      const name = m.id.type === AST_NODE_TYPES.Identifier ? m.id.name : String((m.id as TSESTree.StringLiteral).value);
      if (name === key) return m.initializer ? stringOf(m.initializer) : null;
    }
  }
  return null;
}

/** `static tableName = 'persons'` / `static get tableName() { return 'persons'; }` of a class node, or null. */
export function staticTableName(node: Node): string | null {
  const n = unwrap(node);
  if (n.type !== AST_NODE_TYPES.ClassDeclaration && n.type !== AST_NODE_TYPES.ClassExpression) return null;
  for (const member of n.body.body) {
    if (member.type !== AST_NODE_TYPES.PropertyDefinition && member.type !== AST_NODE_TYPES.MethodDefinition) continue;
    if (!member.static || member.computed) continue;
    const key = 'key' in member ? member.key : null;
    if (key?.type !== AST_NODE_TYPES.Identifier || key.name !== 'tableName') continue;
    if (member.type === AST_NODE_TYPES.PropertyDefinition && member.value) return stringOf(member.value);
    if (member.type === AST_NODE_TYPES.MethodDefinition && member.kind === 'get') {
      const body = member.value.body?.body ?? [];
      const ret = body.length === 1 && body[0]!.type === AST_NODE_TYPES.ReturnStatement ? body[0]!.argument : null;
      return ret ? stringOf(ret) : null;
    }
  }
  return null;
}

/** An imported string constant (`import { UsersTable } from './tables'`), or null. */
export function importedString(fromFile: string, source: string, name: string): string | null {
  const file = resolveModule(fromFile, source);
  const found = file ? exportedValue(file, name) : null;
  return found ? stringOf(found.node) : null;
}

/** A member of an imported `as const` object or enum (`Tables.Users`), or null. */
export function importedMemberString(fromFile: string, source: string, name: string, key: string): string | null {
  const file = resolveModule(fromFile, source);
  const found = file ? exportedValue(file, name) : null;
  return found ? memberString(found.node, key) : null;
}

/** The `static tableName` of an imported model class, or null. */
export function importedTableName(fromFile: string, source: string, name: string): string | null {
  const file = resolveModule(fromFile, source);
  const found = file ? exportedValue(file, name) : null;
  return found ? staticTableName(found.node) : null;
}

