/**
 * What the names of a file stand for, beyond what the file spells out: constants imported from other modules (and
 * members of this file's `as const` objects and enums), clients by binding, and Objection model classes with their
 * `static tableName` — here or imported. Shared by the front ends; computed once per walk.
 */
import { AST_NODE_TYPES } from '@typescript-eslint/utils';
import { clientsOf, moduleKind, type Clients } from './clients.js';
import { propertyName, unwrap, type Node } from '../js/estree.js';
import { exportedValue, importedMemberString, importedString, importedTableName, memberString, resolveModule, staticTableName } from './modules.js';
import { relationOf, type RelationInfo } from './objection.js';
import type { ProgramScan } from '../js/program.js';

export interface FileNames {
  clients: Clients;
  /** A string an identifier or member (`UsersTable`, `Tables.Users`) holds: this file's constants or another module's. */
  stringOf(node: Node): string | null;
  /** Is this expression a knex instance (or transaction) by its binding? */
  isKnex(node: Node): boolean;
  /** Is this expression bound to a client of another library (drizzle, kysely, Prisma…), so no knex name guess applies? */
  isOtherClient(node: Node): boolean;
  /** Is `this.<name>` a knex field (a class field typed or made as one, a getter returning one)? */
  isKnexField(name: string): boolean;
  /** The table of an Objection model class (`static tableName`) named by this expression, or null. */
  modelTable(node: Node): string | null;
  /** The class an expression names (declared here or imported from a project module), or null. */
  modelClass(node: Node): Node | null;
  /**
   * A relation named so by the model classes this file declares or imports, when they agree on its table
   * (`person.$relatedQuery('pets')`: the instance's class is not known without types). null otherwise.
   */
  relationAnywhere(name: string): RelationInfo | null;
}

const cache = new WeakMap<ProgramScan, FileNames>();

export function namesOf(scan: ProgramScan, filename: string | undefined): FileNames {
  const hit = cache.get(scan);
  if (hit) return hit;
  const clients = clientsOf(scan);
  let drizzleOnlyMemo: boolean | undefined;
  const drizzleOnly = (): boolean => {
    if (drizzleOnlyMemo === undefined) {
      const kinds = new Set(scan.imports.map((i) => moduleKind(i.source)));
      drizzleOnlyMemo = kinds.has('drizzle') && !kinds.has('knex') && !kinds.has('objection');
    }
    return drizzleOnlyMemo;
  };
  /** Imported names; a whole `require('./m')` used as a value is the module's `module.exports` (its default export). */
  const imports = new Map<string, { imported: string | null; value: string | null; source: string }>();
  for (const i of scan.imports) {
    if (scan.once(i.local)) imports.set(i.local, { imported: i.imported, value: i.imported ?? (i.required ? 'default' : null), source: i.source });
  }
  /** Enums and classes declared once in this file. */
  const declared = new Map<string, Node>();
  for (const node of scan.declarations) {
    if ((node.type === AST_NODE_TYPES.TSEnumDeclaration || node.type === AST_NODE_TYPES.ClassDeclaration) && node.id && scan.once(node.id.name)) {
      declared.set(node.id.name, node);
    }
  }
  const localValue = (name: string): Node | undefined => scan.consts.get(name) ?? declared.get(name);

  const stringOf = (node: Node): string | null => {
    const n = unwrap(node);
    if (n.type === AST_NODE_TYPES.Identifier) {
      const local = scan.consts.get(n.name);
      if (local) {
        const v = unwrap(local);
        return v.type === AST_NODE_TYPES.Literal && typeof v.value === 'string' ? v.value : null;
      }
      const imported = imports.get(n.name);
      const read = imported && imported.value !== null && filename ? importedString(filename, imported.source, imported.value) : null;
      // typed linting: the checker knows constants no module read shows (a `.d.ts`, a published package)
      return read ?? (imported ? scan.types?.stringLiteral(n) ?? null : null);
    }
    if (n.type === AST_NODE_TYPES.MemberExpression) {
      const key = propertyName(n);
      const object = unwrap(n.object);
      if (key === null || object.type !== AST_NODE_TYPES.Identifier) return null;
      const local = localValue(object.name);
      if (local) return memberString(local, key);
      const imported = imports.get(object.name);
      if (!imported) return null;
      let read: string | null = null;
      if (filename) {
        read = imported.imported === null
          ? importedString(filename, imported.source, key) // `import * as T`
          : importedMemberString(filename, imported.source, imported.imported, key);
      }
      return read ?? scan.types?.stringLiteral(n) ?? null;
    }
    return null;
  };

  const modelTable = (node: Node): string | null => {
    const n = unwrap(node);
    if (n.type !== AST_NODE_TYPES.Identifier) return null;
    const local = declared.get(n.name);
    if (local) return staticTableName(local);
    const imported = imports.get(n.name);
    if (!imported) return null;
    const read = imported.value !== null && filename ? importedTableName(filename, imported.source, imported.value) : null;
    // typed linting: a model class of a `.d.ts` or a package whose `static tableName` has a string-literal type
    return read ?? scan.types?.propertyString(n, 'tableName') ?? null;
  };

  const modelClass = (node: Node): Node | null => {
    const n = unwrap(node);
    return n.type === AST_NODE_TYPES.Identifier ? classNamed(n.name) : null;
  };
  const classNamed = (name: string): Node | null => {
    const local = declared.get(name);
    if (local) return local.type === AST_NODE_TYPES.ClassDeclaration ? local : null;
    const imported = imports.get(name);
    if (!imported || imported.value === null || !filename) return null;
    const file = resolveModule(filename, imported.source);
    const found = file ? exportedValue(file, imported.value) : null;
    return found && (found.node.type === AST_NODE_TYPES.ClassDeclaration || found.node.type === AST_NODE_TYPES.ClassExpression) ? found.node : null;
  };

  const relationAnywhere = (name: string): RelationInfo | null => {
    const classes: Node[] = [];
    for (const node of declared.values()) if (node.type === AST_NODE_TYPES.ClassDeclaration) classes.push(node);
    for (const [local, i] of imports) {
      if (i.imported === null || !/^[A-Z]/.test(local)) continue;
      const cls = classNamed(local);
      if (cls) classes.push(cls);
    }
    let found: RelationInfo | null = null;
    for (const cls of classes) {
      const info = relationOf(cls, name, modelClass);
      if (!info) continue;
      if (found && found.table !== info.table) return null; // two models disagree: not guessed
      found ??= info;
    }
    return found;
  };

  const names: FileNames = {
    clients,
    stringOf,
    isKnex: (node) => clients.kindOf(node) === 'knex',
    isOtherClient: (node) => {
      const kind = clients.kindOf(node);
      if (kind !== null) return kind !== 'knex' && kind !== 'objection';
      // unbound: drizzle's `db.select().from(t)` is spelt like knex's; a file that imports drizzle and not knex means drizzle
      return drizzleOnly();
    },
    isKnexField: (name) => clients.fields.get(name) === 'knex',
    modelTable,
    modelClass,
    relationAnywhere,
  };
  cache.set(scan, names);
  return names;
}
