/**
 * Names imported from other modules of the project, read statically: string constants (`export const UsersTable =
 * 'users'`), members of `as const` objects and enums (`Tables.Users`), and the `static tableName` of model classes
 * (Objection). Each module is parsed once per process and re-read only when its stamp (mtime, size) changes.
 * Only relative imports are followed; a name that cannot be read stays unknown (the caller makes it opaque).
 */
import { readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { AST_NODE_TYPES, type TSESTree } from '@typescript-eslint/utils';
import { unwrap, type Node } from './estree.js';

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
  /** Exported name → the node it is bound to (a const initializer, an enum, a class). */
  values: Map<string, Node>;
  /** `export { x } from './y'` and `export * from './y'`: where else to look. */
  reexports: Array<{ name: string | null; imported: string | null; source: string }>;
}

const cache = new Map<string, ModuleExports>();
const MAX_MODULES = 2000;
const MAX_BYTES = 2_000_000;

const EXTENSIONS = ['.ts', '.tsx', '.mts', '.cts', '.js', '.mjs', '.cjs', '.jsx'];

/** The file a relative specifier names, or null. */
export function resolveModule(fromFile: string, specifier: string): string | null {
  if (!specifier.startsWith('.')) return null;
  const base = path.resolve(path.dirname(fromFile), specifier);
  const stem = base.replace(/\.(?:[mc]?js|jsx)$/, '');
  const candidates = [base, ...EXTENSIONS.map((e) => stem + e), ...EXTENSIONS.map((e) => path.join(base, `index${e}`))];
  for (const file of candidates) {
    try {
      if (statSync(file).isFile()) return file;
    } catch {
      // next
    }
  }
  return null;
}

function load(file: string): ModuleExports | null {
  let stamp: string;
  try {
    const st = statSync(file);
    if (st.size > MAX_BYTES) return null;
    stamp = `${st.mtimeMs}:${st.size}`;
  } catch {
    return null;
  }
  const hit = cache.get(file);
  if (hit?.stamp === stamp) return hit;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return null;
  }
  const program = parse(text);
  const exports: ModuleExports = { stamp, values: new Map(), reexports: [] };
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
          for (const v of d.declarations) if (v.id.type === AST_NODE_TYPES.Identifier && v.init) out.values.set(v.id.name, v.init);
        } else if ((d.type === AST_NODE_TYPES.TSEnumDeclaration || d.type === AST_NODE_TYPES.ClassDeclaration) && d.id) {
          out.values.set(d.id.name, d);
        }
      }
      for (const specifier of statement.specifiers) {
        const local = specifier.local.type === AST_NODE_TYPES.Identifier ? specifier.local.name : String(specifier.local.value);
        const exported = specifier.exported.type === AST_NODE_TYPES.Identifier ? specifier.exported.name : String(specifier.exported.value);
        if (statement.source) out.reexports.push({ name: exported, imported: local, source: String(statement.source.value) });
        else {
          const value = locals.get(local);
          if (value) out.values.set(exported, value);
          else out.values.set(exported, specifier.local as Node); // declared later: resolved below
        }
      }
    } else if (statement.type === AST_NODE_TYPES.ExportAllDeclaration && !statement.exported) {
      out.reexports.push({ name: null, imported: null, source: String(statement.source.value) });
    } else if (statement.type === AST_NODE_TYPES.ExportDefaultDeclaration) {
      const d = statement.declaration;
      if (d.type === AST_NODE_TYPES.ClassDeclaration || d.type === AST_NODE_TYPES.Identifier) out.values.set('default', d as Node);
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

