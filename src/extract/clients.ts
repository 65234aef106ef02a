/**
 * Client recognition, in one place: which names of a file hold a database client (or a SQL tag), by binding —
 * what they are imported as, what factory made them, what type they are annotated with — and, as a fallback for
 * clients that come from elsewhere (a parameter, another module's export), by the names real code gives them.
 *
 * - imports: `import { sql as q } from 'kysely'` makes `q` a SQL tag; `import knexFactory from 'knex'` makes
 *   `knexFactory` a factory; namespace imports and `require` count the same;
 * - factories: `const k = knexFactory({…})`, `new Kysely(…)`, `new PrismaClient()`, `drizzle(…)`, `postgres(…)`,
 *   `createPool(…)` make the declared name a client (postgres.js' instance is a SQL tag too); `$extends(…)`,
 *   `$replica()`, `withSchema`-free `transaction` callbacks (`knex.transaction(trx => …)`,
 *   `prisma.$transaction(tx => …)`, `db.transaction().execute(trx => …)`) hand the same kind of client on;
 * - annotations: a variable, parameter or class field typed `Knex`, `Knex.Transaction`, `Kysely<DB>`,
 *   `Transaction<DB>`, `PrismaClient`, `Prisma.TransactionClient`, `NodePgDatabase`, `PgDatabase`, `Sql` …
 *   imported from the library is a client of that library;
 * - helpers: a function or getter whose every `return` is a client is one when called (`txClient()`);
 * - types (typed linting only): an expression whose type is, or whose class extends, one of the libraries' client
 *   types (`Knex`, `Kysely`, `PrismaClient`, `PgDatabase`, `Sql`, …, declared by that library), asked only for the
 *   candidate call sites the bindings leave undecided.
 */
import { AST_NODE_TYPES, type TSESTree } from '@typescript-eslint/utils';
import { propertyName, unwrap, type Node } from '../js/estree.js';
import { exportedBinding, resolveModule } from './modules.js';
import { scanProgram, type ParentLookup, type ProgramScan } from '../js/program.js';
import type { TypeOrigin } from '../js/types.js';

export type ClientKind = 'knex' | 'kysely' | 'prisma' | 'drizzle' | 'postgres' | 'slonik' | 'pg' | 'objection' | 'typeorm';

/** Library module → kind. */
const MODULES: Array<[RegExp, ClientKind]> = [
  [/^knex(?:\/|$)/, 'knex'],
  [/^kysely(?:\/|$)/, 'kysely'],
  [/^@prisma\/client(?:\/|$)|^\.prisma\/client|\/generated\/prisma|prisma\/client$/, 'prisma'],
  [/^drizzle-orm(?:\/|$)/, 'drizzle'],
  [/^postgres$/, 'postgres'],
  [/^slonik(?:\/|$)|^@slonik\//, 'slonik'],
  [/^pg(?:-pool)?$/, 'pg'],
  [/^objection$/, 'objection'],
  [/^typeorm$/, 'typeorm'],
];

/** Exports that make a client when called / constructed, by kind (`default` for a default import). */
const FACTORIES: Record<ClientKind, readonly string[]> = {
  knex: ['default', 'knex', 'Knex'],
  kysely: ['Kysely'],
  prisma: ['PrismaClient'],
  drizzle: ['drizzle'],
  postgres: ['default'],
  slonik: ['createPool', 'createSqlTag'],
  pg: ['Pool', 'Client'],
  objection: [],
  typeorm: ['DataSource'],
};

/** Type names (last part) that are a client of the kind when imported from its library. */
const CLIENT_TYPES: Record<ClientKind, readonly string[]> = {
  knex: ['Knex', 'Transaction', 'QueryBuilder'],
  kysely: ['Kysely', 'Transaction'],
  prisma: ['PrismaClient', 'TransactionClient'],
  drizzle: ['PgDatabase', 'NodePgDatabase', 'PostgresJsDatabase', 'NeonDatabase', 'NeonHttpDatabase', 'VercelPgDatabase', 'PgTransaction'],
  postgres: ['Sql', 'TransactionSql'],
  slonik: ['DatabasePool', 'DatabaseConnection', 'DatabaseTransactionConnection', 'DatabasePoolConnection'],
  pg: ['Pool', 'Client', 'PoolClient'],
  objection: [],
  typeorm: ['DataSource', 'EntityManager', 'Repository', 'QueryRunner'],
};

/** Exports that are a SQL tag. */
const SQL_TAG_EXPORTS: Partial<Record<ClientKind, readonly string[]>> = {
  kysely: ['sql'],
  slonik: ['sql'],
  drizzle: ['sql'],
  prisma: ['sql'],
};

/** What the file's names hold. */
export interface Clients {
  /** Locals that are a client (or a transaction of one), by kind. */
  clients: Map<string, ClientKind>;
  /** Locals that make a client when called or constructed. */
  factories: Map<string, ClientKind>;
  /** Locals that are a SQL tag (a renamed `sql` import, a postgres.js instance). */
  sqlTags: Set<string>;
  /** Class fields / properties (`this.x`) that hold a client. */
  fields: Map<string, ClientKind>;
  /** Functions (and getters) that return a client. */
  helpers: Map<string, ClientKind>;
  /** Namespace imports of a library (`import * as k from 'kysely'`). */
  namespaces: Map<string, ClientKind>;
  /**
   * The kind of client an expression holds, when its binding says so — or, under typed linting, its type (asked
   * only here, for the candidate call sites the front ends pass).
   */
  kindOf(node: Node): ClientKind | null;
  /** Is this tag a SQL tag by binding (a renamed `sql` import, a postgres.js instance) or by its type (`Sql`)? */
  isSqlTag(node: Node): boolean;
  /** What a top-level name of this file holds, for a module that imports it. */
  exported(local: string): ExportedClient | null;
  /** The kind of client an expression makes or holds (`knex({…})`, `new PrismaService()`), by binding. */
  valueKind(node: Node): ClientKind | null;
}

/** What a name exported by a module holds: a client, a helper returning one, a client class, a SQL tag. */
export interface ExportedClient {
  client?: ClientKind;
  helper?: ClientKind;
  class?: ClientKind;
  sqlTag?: boolean;
}

export function moduleKind(source: string): ClientKind | null {
  for (const [pattern, kind] of MODULES) if (pattern.test(source)) return kind;
  return null;
}

/** The client kind of a value whose type is (or extends) one of the libraries' client types. */
export function kindOfTypes(origins: readonly TypeOrigin[]): ClientKind | null {
  for (const { module, name } of origins) {
    const kind = moduleKind(module);
    if (kind && CLIENT_TYPES[kind].includes(name)) return kind;
  }
  return null;
}

const cache = new WeakMap<ProgramScan, Clients>();

/** Modules being followed right now (a chain of imports is followed a few modules deep, cycles included). */
let following = 0;
const MAX_FOLLOW = 4;
const moduleScans = new WeakMap<object, ProgramScan>();

/**
 * What `name`, imported from `source` into `fromFile`, holds — read from the module that defines it (a project
 * file: relative, aliased or a workspace package), with the same recogniser. Its tree is parsed once per stamp.
 */
export function exportedClient(fromFile: string, source: string, name: string): ExportedClient | null {
  if (following >= MAX_FOLLOW || moduleKind(source)) return null;
  following++;
  try {
    const file = resolveModule(fromFile, source);
    const binding = file ? exportedBinding(file, name) : null;
    if (!binding) return null;
    let scan = moduleScans.get(binding.program);
    if (!scan) {
      scan = scanProgram(binding.program, binding.text, undefined);
      scan.filename = binding.file;
      moduleScans.set(binding.program, scan);
    }
    const clients = clientsOf(scan);
    if (binding.local !== null) return clients.exported(binding.local);
    const kind = binding.expression ? clients.valueKind(binding.expression) : null;
    return kind ? { client: kind, sqlTag: kind === 'postgres' } : null;
  } finally {
    following--;
  }
}

/** The client bindings of a file (computed once per walk). */
export function clientsOf(scan: ProgramScan): Clients {
  const hit = cache.get(scan);
  if (hit) return hit;
  const clients = new Map<string, ClientKind>();
  const factories = new Map<string, ClientKind>();
  const sqlTags = new Set<string>();
  const fields = new Map<string, ClientKind>();
  const helpers = new Map<string, ClientKind>();
  const namespaces = new Map<string, ClientKind>();
  /** Local type names imported from a library. */
  const types = new Map<string, ClientKind>();
  /** Classes of this file that extend a client class (`class PrismaService extends PrismaClient {}`). */
  const classes = new Map<string, ClientKind>();
  /**
   * Names whose kind depends on another module (`const replica = readReplica()` with `readReplica` imported):
   * settled only when a front end asks about them, so a file pays for other modules only at a candidate.
   */
  const lazyClients = new Map<string, () => ClientKind | null>();
  const lazyFields = new Map<string, () => ClientKind | null>();
  const lazyHelpers = new Map<string, () => ClientKind | null>();
  const lazyClasses = new Map<string, () => ClientKind | null>();
  /** Imports are followed only while answering a front end's question (see the lazy maps). */
  let resolving = false;
  /** An import was needed (and not followed) since this was last reset. */
  let neededImport = false;
  const importedRoles = new Map<string, ExportedClient | null>();
  const importedRole = (local: string): ExportedClient | null => {
    if (!scan.filename) return null;
    const binding = scan.imports.find((i) => i.local === local);
    const name = binding?.imported ?? (binding?.required ? 'default' : null); // `require('./db')`: its module.exports
    if (!binding || name === null || moduleKind(binding.source) || !scan.once(local)) return null;
    if (!resolving) {
      neededImport = true;
      return null;
    }
    if (importedRoles.has(local)) return importedRoles.get(local)!;
    importedRoles.set(local, null); // a cycle reads as unknown
    const role = exportedClient(scan.filename, binding.source, name);
    importedRoles.set(local, role);
    return role;
  };
  /** Runs `compute`; when it needed another module, keeps a thunk that follows it when asked. */
  const settle = (compute: () => ClientKind | null, lazy: Map<string, () => ClientKind | null>, name: string): ClientKind | null => {
    neededImport = false;
    const kind = compute();
    if (!kind && neededImport && !lazy.has(name)) {
      let memo: ClientKind | null | undefined;
      lazy.set(name, () => {
        if (memo !== undefined) return memo;
        memo = null;
        const was = resolving;
        resolving = true;
        try {
          memo = compute();
        } finally {
          resolving = was;
        }
        return memo;
      });
    }
    return kind;
  };
  const lazy = (map: Map<string, () => ClientKind | null>, name: string): ClientKind | null => (resolving ? map.get(name)?.() ?? null : null);

  for (const { local, imported, source } of scan.imports) {
    const kind = moduleKind(source);
    if (!kind) continue;
    if (imported === null) {
      namespaces.set(local, kind);
      if (kind === 'knex' || kind === 'postgres') factories.set(local, kind); // `const knex = require('knex')`
      continue;
    }
    if (FACTORIES[kind].includes(imported)) factories.set(local, kind);
    if (SQL_TAG_EXPORTS[kind]?.includes(imported)) sqlTags.add(local);
    if (CLIENT_TYPES[kind].includes(imported) || imported === 'Prisma') types.set(local, kind);
  }

  const typeKind = (annotation: TSESTree.TypeNode | undefined): ClientKind | null => {
    if (!annotation || annotation.type !== AST_NODE_TYPES.TSTypeReference) return null;
    let name = annotation.typeName;
    const parts: string[] = [];
    while (name.type === AST_NODE_TYPES.TSQualifiedName) {
      parts.unshift(name.right.name);
      name = name.left;
    }
    if (name.type !== AST_NODE_TYPES.Identifier) return null;
    const root = name.name;
    const kind = types.get(root) ?? namespaces.get(root);
    if (!kind) {
      // a client class of this file or of another module (`constructor(private people: PrismaService)`)
      if (parts.length > 0) return null;
      return classes.get(root) ?? lazy(lazyClasses, root) ?? importedRole(root)?.class ?? null;
    }
    const last = parts[parts.length - 1] ?? root;
    const imported = scan.imports.find((i) => i.local === root)?.imported ?? null;
    if (parts.length === 0) return CLIENT_TYPES[kind].includes(imported ?? root) ? kind : null;
    return CLIENT_TYPES[kind].includes(last) ? kind : null;
  };

  const factoryKind = (init: Node | null | undefined, depth = 0): ClientKind | null => {
    if (!init || depth > 4) return null;
    const n = unwrap(init);
    if (n.type === AST_NODE_TYPES.AwaitExpression) return factoryKind(n.argument, depth + 1);
    if (n.type === AST_NODE_TYPES.NewExpression || n.type === AST_NODE_TYPES.CallExpression) {
      const callee = unwrap(n.callee);
      if (callee.type === AST_NODE_TYPES.Identifier) {
        const call = n.type === AST_NODE_TYPES.CallExpression;
        const kind =
          factories.get(callee.name) ??
          (call ? helpers.get(callee.name) ?? lazy(lazyHelpers, callee.name) : classes.get(callee.name) ?? lazy(lazyClasses, callee.name)) ??
          (call ? importedRole(callee.name)?.helper : importedRole(callee.name)?.class);
        if (kind) return kind;
      }
      if (callee.type === AST_NODE_TYPES.MemberExpression) {
        const object = unwrap(callee.object);
        const method = propertyName(callee);
        // `new k.Kysely(…)`, `knex.knex(…)`
        if (object.type === AST_NODE_TYPES.Identifier && namespaces.has(object.name) && method && FACTORIES[namespaces.get(object.name)!].includes(method)) {
          return namespaces.get(object.name)!;
        }
        // `prisma.$extends(…)`, `prisma.$replica()`, `db.withSchema(…)`, `knex.transaction()`: the same kind of client
        if (method && ['$extends', '$replica', '$primary', 'withSchema', 'transaction', 'withTables', 'withPlugin'].includes(method)) {
          return kindOf(object, depth + 1);
        }
      }
    }
    return kindOf(n, depth + 1);
  };

  const kindOf = (node: Node, depth = 0): ClientKind | null => {
    if (depth > 6) return null;
    const n = unwrap(node);
    if (n.type === AST_NODE_TYPES.Identifier) return clients.get(n.name) ?? lazy(lazyClients, n.name) ?? importedRole(n.name)?.client ?? null;
    if (n.type === AST_NODE_TYPES.MemberExpression) {
      const name = propertyName(n);
      const object = unwrap(n.object);
      if (name !== null && object.type === AST_NODE_TYPES.ThisExpression) return fields.get(name) ?? lazy(lazyFields, name);
      // `this.prismaService.client`, `deps.db`: a field whose name we know from a class of this file
      if (name !== null && fields.has(name)) return fields.get(name)!;
      return null;
    }
    if (n.type === AST_NODE_TYPES.CallExpression) {
      const callee = unwrap(n.callee);
      if (callee.type === AST_NODE_TYPES.Identifier) return helpers.get(callee.name) ?? lazy(lazyHelpers, callee.name) ?? importedRole(callee.name)?.helper ?? null;
      if (callee.type === AST_NODE_TYPES.MemberExpression) {
        const method = propertyName(callee);
        if (method && ['$extends', '$replica', '$primary'].includes(method)) return kindOf(callee.object, depth + 1);
        if (method && unwrap(callee.object).type === AST_NODE_TYPES.ThisExpression) return helpers.get(method) ?? null;
      }
    }
    return null;
  };

  // declarations: variables, parameters and class fields, in source order (a client made before it is used)
  const declareParam = (param: Node): void => {
    const p = param.type === AST_NODE_TYPES.TSParameterProperty ? param.parameter : param;
    const id = p.type === AST_NODE_TYPES.AssignmentPattern ? p.left : p;
    if (id.type !== AST_NODE_TYPES.Identifier) return;
    const annotation = id.typeAnnotation?.typeAnnotation;
    const kind = settle(() => typeKind(annotation), lazyClients, id.name);
    if (param.type === AST_NODE_TYPES.TSParameterProperty && !kind && lazyClients.has(id.name)) lazyFields.set(id.name, lazyClients.get(id.name)!);
    if (!kind) return;
    clients.set(id.name, kind);
    if (param.type === AST_NODE_TYPES.TSParameterProperty) fields.set(id.name, kind);
  };
  for (const node of scan.declarations) {
    if (node.type === AST_NODE_TYPES.ClassDeclaration && node.id && node.superClass) {
      const superClass = unwrap(node.superClass);
      if (superClass.type !== AST_NODE_TYPES.Identifier) continue;
      const name = superClass.name;
      const kind = settle(() => (factories.has(name) && /^[A-Z]/.test(name) ? factories.get(name)! : null) ?? classes.get(name) ?? importedRole(name)?.class ?? null, lazyClasses, node.id.name);
      if (kind) classes.set(node.id.name, kind);
    } else if (node.type === AST_NODE_TYPES.VariableDeclarator && node.id.type === AST_NODE_TYPES.Identifier) {
      const { id, init: value } = node;
      const kind = settle(() => typeKind(id.typeAnnotation?.typeAnnotation) ?? factoryKind(value), lazyClients, id.name);
      if (kind) clients.set(node.id.name, kind);
      if (kind === 'postgres') sqlTags.add(node.id.name);
      // `const sql = createSqlTag(…)` (slonik)
      const init = node.init && unwrap(node.init);
      if (init?.type === AST_NODE_TYPES.CallExpression) {
        const callee = unwrap(init.callee);
        if (callee.type === AST_NODE_TYPES.Identifier && scan.imports.some((i) => i.local === callee.name && i.imported === 'createSqlTag')) sqlTags.add(node.id.name);
      }
    } else if (
      node.type === AST_NODE_TYPES.FunctionDeclaration ||
      node.type === AST_NODE_TYPES.FunctionExpression ||
      node.type === AST_NODE_TYPES.ArrowFunctionExpression
    ) {
      for (const param of node.params) declareParam(param);
      transactionParam(node);
      const name = functionName(node, scan.parents);
      const kind = name ? settle(() => returnedKind(node), lazyHelpers, name) : null;
      if (name && !kind && lazyHelpers.has(name) && scan.parents.get(node)?.type === AST_NODE_TYPES.MethodDefinition) {
        const method = scan.parents.get(node) as TSESTree.MethodDefinition;
        if (method.kind === 'get') lazyFields.set(name, lazyHelpers.get(name)!);
      }
      if (kind && name) {
        helpers.set(name, kind);
        const method = scan.parents.get(node);
        if (method?.type === AST_NODE_TYPES.MethodDefinition && method.kind === 'get') fields.set(name, kind); // a getter
      }
    }
  }
  // class fields: `private db: Knex`, `db = knex(…)`, `this.db = knex(…)` in a constructor
  for (const node of scan.fieldWrites) {
    if (node.type === AST_NODE_TYPES.PropertyDefinition && !node.computed) {
      const key = node.key;
      const name = key.type === AST_NODE_TYPES.Identifier || key.type === AST_NODE_TYPES.PrivateIdentifier ? key.name : null;
      const { typeAnnotation, value } = node;
      const kind = name ? settle(() => typeKind(typeAnnotation?.typeAnnotation) ?? factoryKind(value), lazyFields, name) : null;
      if (name && kind) fields.set(name, kind);
    } else if (node.type === AST_NODE_TYPES.AssignmentExpression && node.left.type === AST_NODE_TYPES.MemberExpression) {
      const target = node.left;
      if (unwrap(target.object).type !== AST_NODE_TYPES.ThisExpression) continue;
      const name = propertyName(target);
      const right = node.right;
      const kind = name ? settle(() => factoryKind(right), lazyFields, name) : null;
      if (name && kind) fields.set(name, kind);
    }
  }

  /** `knex.transaction(trx => …)`, `prisma.$transaction(tx => …)`, `db.transaction().execute(trx => …)`. */
  function transactionParam(fn: TSESTree.FunctionLike): void {
    const call = scan.parents.get(fn);
    if (call?.type !== AST_NODE_TYPES.CallExpression || call.arguments[0] !== fn) return;
    const callee = unwrap(call.callee);
    if (callee.type !== AST_NODE_TYPES.MemberExpression) return;
    const method = propertyName(callee);
    let holder: Node | null = null;
    if (method === 'transaction' || method === '$transaction') holder = callee.object;
    else if (method === 'execute') {
      const inner = unwrap(callee.object);
      if (inner.type === AST_NODE_TYPES.CallExpression) {
        const innerCallee = unwrap(inner.callee);
        if (innerCallee.type === AST_NODE_TYPES.MemberExpression && propertyName(innerCallee) === 'transaction') holder = innerCallee.object;
      }
    }
    if (!holder) return;
    const kind = kindOf(holder);
    const param = fn.params[0];
    if (!kind || param?.type !== AST_NODE_TYPES.Identifier) return;
    clients.set(param.name, kind);
  }

  /** A function whose every `return` (or expression body) is a client of one kind. */
  function returnedKind(fn: TSESTree.FunctionLike): ClientKind | null {
    if (!fn.body) return null;
    if (fn.body.type !== AST_NODE_TYPES.BlockStatement) return factoryKind(fn.body);
    const statements = fn.body.body;
    const returns = statements.filter((s): s is TSESTree.ReturnStatement => s.type === AST_NODE_TYPES.ReturnStatement);
    if (returns.length !== 1 || !returns[0]!.argument) return null;
    return factoryKind(returns[0]!.argument);
  }

  const typed = (node: Node): ClientKind | null => (scan.types ? kindOfTypes(scan.types.origins(unwrap(node))) : null);
  /** Answers a front end's question, following other modules where the answer lives there. */
  const asking = <T>(question: () => T): T => {
    const was = resolving;
    resolving = true;
    try {
      return question();
    } finally {
      resolving = was;
    }
  };
  const result: Clients = {
    clients, factories, sqlTags, fields, helpers, namespaces,
    kindOf: (node) => asking(() => kindOf(node)) ?? typed(node),
    isSqlTag: (node) => {
      const n = unwrap(node);
      if (n.type === AST_NODE_TYPES.Identifier) {
        const name = n.name;
        if (sqlTags.has(name) || asking(() => importedRole(name)?.sqlTag === true || lazy(lazyClients, name) === 'postgres')) return true;
      }
      return typed(n) === 'postgres';
    },
    exported: (local) =>
      asking(() => {
        const role: ExportedClient = {};
        const client = clients.get(local) ?? lazy(lazyClients, local) ?? importedRole(local)?.client;
        const helper = helpers.get(local) ?? lazy(lazyHelpers, local) ?? importedRole(local)?.helper;
        const klass = classes.get(local) ?? lazy(lazyClasses, local) ?? importedRole(local)?.class;
        if (client) role.client = client;
        if (helper) role.helper = helper;
        if (klass) role.class = klass;
        if (sqlTags.has(local) || importedRole(local)?.sqlTag) role.sqlTag = true;
        return client || helper || klass || role.sqlTag ? role : null;
      }),
    valueKind: (node) => asking(() => factoryKind(node)),
  };
  cache.set(scan, result);
  return result;
}

/** The name a function is known by: its id, the variable it initialises, or the method / getter it implements. */
function functionName(fn: Node, parents: ParentLookup): string | null {
  if ((fn.type === AST_NODE_TYPES.FunctionDeclaration || fn.type === AST_NODE_TYPES.FunctionExpression) && fn.id) return fn.id.name;
  const parent = parents.get(fn);
  if (parent?.type === AST_NODE_TYPES.VariableDeclarator && parent.id.type === AST_NODE_TYPES.Identifier) return parent.id.name;
  if ((parent?.type === AST_NODE_TYPES.MethodDefinition || parent?.type === AST_NODE_TYPES.Property || parent?.type === AST_NODE_TYPES.PropertyDefinition) && !parent.computed) {
    const key = parent.key;
    if (key.type === AST_NODE_TYPES.Identifier || key.type === AST_NODE_TYPES.PrivateIdentifier) return key.name;
  }
  return null;
}
