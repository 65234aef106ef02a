/**
 * The type checker of typed linting, seen through one question: which library types is this expression's type
 * (or does its class extend)? Client recognition (`clients.ts`) asks it only for the candidate call sites the
 * bindings could not decide, so a file costs a few type lookups, never a walk.
 *
 * No import of `typescript`: the checker is reached through `parserServices.program` and used through the few
 * methods below, so the plugin works (untyped) where TypeScript is not installed.
 */
import type { Node } from './estree.js';

/** A named type a value has: the module that declares it and its name (`Knex.Transaction` → `Transaction`). */
export interface TypeOrigin {
  /**
   * The module that declares it, as a specifier: a package name (`knex`, `.prisma/client`, `@types/pg` → `pg`), an
   * ambient module name (`declare module 'knex'`), or the absolute path of a project file.
   */
  module: string;
  name: string;
}

export interface TypeOracle {
  /** The named types of a node's type, its base classes and the parts of an intersection (a few at most). */
  origins(node: Node): TypeOrigin[];
  /**
   * The string a node's type is, when it is one string literal (`const T: 'users'`, a member of an `as const`
   * object, a constant of a `.d.ts` or a published package); else null.
   */
  stringLiteral(node: Node): string | null;
  /** The string-literal type of a property of a node's type (a model class's `static tableName: 'persons'`); else null. */
  propertyString(node: Node, property: string): string | null;
}

/** The slice of TypeScript's API used here. */
interface TsDeclaration {
  parent?: TsDeclaration;
  name?: { getText(): string };
  body?: unknown;
  getSourceFile(): { fileName: string };
}
interface TsSymbol {
  name: string;
  declarations?: TsDeclaration[];
}
interface TsType {
  symbol?: TsSymbol;
  aliasSymbol?: TsSymbol;
  types?: TsType[];
  target?: TsType;
  isUnion?(): boolean;
  isIntersection?(): boolean;
  isClassOrInterface?(): boolean;
  isStringLiteral?(): boolean;
  value?: unknown;
}
interface TsChecker {
  getTypeAtLocation(node: unknown): TsType;
  getBaseTypes(type: TsType): TsType[];
  getNonNullableType(type: TsType): TsType;
  getPropertyOfType(type: TsType, name: string): TsSymbol | undefined;
  getTypeOfSymbolAtLocation(symbol: TsSymbol, node: unknown): TsType;
}
interface TsProgram {
  getTypeChecker(): TsChecker;
}

/**
 * Where a symbol is declared: inside `declare module 'knex' { … }` (the module's name), or in a file (its package
 * under `node_modules`, or its path). Read from the declaration itself: the fully qualified name does not carry
 * the module for `export =` libraries (postgres.js declares `postgres.Sql`).
 */
function originOfSymbol(symbol: TsSymbol): TypeOrigin | null {
  const declaration = symbol.declarations?.[0];
  if (!declaration) return null;
  for (let d = declaration.parent; d; d = d.parent) {
    const name = d.body !== undefined ? d.name?.getText() : undefined;
    if (name && /^["']/.test(name)) return { module: name.slice(1, -1), name: symbol.name };
  }
  const file = declaration.getSourceFile().fileName.replace(/(?:\.d)?\.[mc]?[jt]sx?$/, '');
  return { module: moduleSpecifier(file), name: symbol.name };
}

/** A declaring file's path as the package it belongs to (`…/node_modules/@types/pg/index` → `pg`); else as given. */
export function moduleSpecifier(file: string): string {
  const normalized = file.replace(/\\/g, '/');
  const at = normalized.lastIndexOf('/node_modules/');
  if (at < 0) return normalized;
  const parts = normalized.slice(at + '/node_modules/'.length).split('/');
  const scoped = parts[0]!.startsWith('@') || parts[0]!.startsWith('.');
  let pkg = scoped ? parts.slice(0, 2).join('/') : parts[0]!;
  if (pkg.startsWith('@types/')) pkg = pkg.slice('@types/'.length).replace(/^(.+)__(.+)$/, '@$1/$2');
  return pkg;
}

/**
 * The oracle for a file under typed linting, or undefined when the parser gave no program (untyped linting) or
 * the services do not look like typescript-eslint's.
 */
export function typeOracle(program: unknown, nodeMap: { get(node: object): unknown } | undefined): TypeOracle | undefined {
  const p = program as TsProgram | null | undefined;
  if (!p || typeof p.getTypeChecker !== 'function' || !nodeMap || typeof nodeMap.get !== 'function') return undefined;
  let checker: TsChecker | undefined;
  const cache = new WeakMap<Node, TypeOrigin[]>();
  /** Asks the checker about a node's type; a failure is an unknown type, never a crash. */
  const ask = <T>(node: Node, question: (checker: TsChecker, tsNode: unknown) => T | null): T | null => {
    try {
      checker ??= p.getTypeChecker();
      const tsNode = nodeMap.get(node);
      return tsNode ? question(checker, tsNode) : null;
    } catch {
      return null;
    }
  };
  const literal = (type: TsType | undefined): string | null => (type?.isStringLiteral?.() && typeof type.value === 'string' ? type.value : null);
  return {
    stringLiteral: (node) => ask(node, (c, tsNode) => literal(c.getTypeAtLocation(tsNode))),
    propertyString: (node, property) =>
      ask(node, (c, tsNode) => {
        const symbol = c.getPropertyOfType(c.getTypeAtLocation(tsNode), property);
        return symbol ? literal(c.getTypeOfSymbolAtLocation(symbol, tsNode)) : null;
      }),
    origins(node) {
      const hit = cache.get(node);
      if (hit) return hit;
      let out: TypeOrigin[] = [];
      try {
        checker ??= p.getTypeChecker();
        const tsNode = nodeMap.get(node);
        if (tsNode) out = collect(checker, checker.getNonNullableType(checker.getTypeAtLocation(tsNode)));
      } catch {
        out = []; // a checker failure is an unknown type, never a crash
      }
      cache.set(node, out);
      return out;
    },
  };
}

function collect(checker: TsChecker, root: TsType): TypeOrigin[] {
  const out: TypeOrigin[] = [];
  const seen = new Set<TsType>();
  const add = (symbol: TsSymbol | undefined): void => {
    if (!symbol) return;
    const origin = originOfSymbol(symbol);
    if (origin && !out.some((o) => o.module === origin.module && o.name === origin.name)) out.push(origin);
  };
  const visit = (type: TsType, depth: number): void => {
    if (depth > 5 || seen.has(type) || seen.size > 24) return;
    seen.add(type);
    add(type.aliasSymbol);
    // (the Type methods, not TypeFlags: the flags' values change between TypeScript versions)
    if (type.isIntersection?.()) {
      for (const part of type.types ?? []) visit(part, depth + 1);
      return;
    }
    if (type.isUnion?.()) return; // a client or something else: not a client
    add(type.symbol);
    const declared = type.target && type.target !== type ? type.target : type; // `Kysely<DB>` → `Kysely`
    if (declared.isClassOrInterface?.()) {
      for (const base of checker.getBaseTypes(declared)) visit(base, depth + 1);
    }
  };
  visit(root, 0);
  return out;
}
