/**
 * The ORM writes front end: TypeORM and Sequelize deletes and updates become the SQL the ORM runs for them, as
 * fragments of origin `query-builder`, so no-hard-delete and no-tombstone-update check them like any other write.
 *
 * - TypeORM: `repo.delete(criteria)`, `repo.remove(entity)`, `repo.update(criteria, values)` and
 *   `repo.increment/decrement(criteria, property, by)` on a repository of an entity (`getRepository(User)`,
 *   `@InjectRepository(User)`, a field or parameter typed `Repository<User>`), the same on the manager with the
 *   entity first (`manager.update(User, criteria, values)`), and `User.delete/update(…)` on a `BaseEntity`.
 *   `softDelete` / `softRemove` set the `@DeleteDateColumn` instead: they are not writes to judge here. TypeORM adds
 *   its `deletedAt IS NULL` only to selects, never to an update: the UPDATE is lowered as written.
 * - Sequelize: `User.destroy({ where, force: true })`; on a `paranoid` model a `destroy` without `force` is the soft
 *   delete itself (an UPDATE of `deletedAt`), so only a forced one — or any destroy of a model that is not
 *   paranoid — is a DELETE. `User.update(values, { where })`: on a paranoid model Sequelize adds
 *   `deletedAt IS NULL` to the WHERE unless `paranoid: false`, and so does the lowered UPDATE.
 *
 * Values must be an object literal of the entity's properties (a variable, a spread or a relation might set the
 * soft-delete column: such an update is not lowered, so not judged).
 * Entities are known by name from the project's ORM models (`schema.ormEntities`): a name imported or declared in
 * this file, or a member of that name (`db.User`, `models.User`) for Sequelize. The table maps onto the entity where
 * the call names it (`User` in `User.destroy`, `manager.delete(User, …)`), else onto the method (`delete` in
 * `repo.delete`). A criteria key that is not a known property, or an operator we do not model, is opaque.
 *
 * Suggestions in each library's idiom: a TypeORM update gets `deletedAt: IsNull()` in its criteria (or an
 * `.andWhere('"deletedAt" IS NULL')` in the update builder), an unfiltered Sequelize update `deletedAt: null` in its
 * where; deletes become `softDelete` / `softRemove` and `destroy` without `force`. What both libraries run for
 * each of these is tested on PostgreSQL (test/orm-behaviour.test.ts).
 */
import { AST_NODE_TYPES, type TSESTree } from '@typescript-eslint/utils';
import type { OrmEntity } from '../schema/model.js';
import type { CodeFilter, FilterRequest, SourceEdit, SqlFragment } from '../sql/fragment.js';
import { quoteIdent } from '../sql/ident.js';
import { parseCached } from '../sql/source.js';
import { nextParam, type PlaceholderCounter } from '../sql/placeholder.js';
import { propertyName, unwrap, type Node } from '../js/estree.js';
import type { ProgramScan } from '../js/program.js';
import { decompose, importEdits, isLiteral, isUndefined, keyName, keyRange, pushIdent, SynthText as Text } from '../js/synth.js';
import { rethrowWhenStrict } from '../strict.js';

const TYPEORM_COMPARE: Record<string, string> = { LessThan: '<', LessThanOrEqual: '<=', MoreThan: '>', MoreThanOrEqual: '>=', Equal: '=' };
const WRITE_METHODS = new Set(['delete', 'remove', 'destroy', 'update', 'increment', 'decrement']);
const TYPEORM_METHODS = new Set(['delete', 'remove', 'update', 'increment', 'decrement']);
const SEQUELIZE_COMPARE: Record<string, string> = { lt: '<', lte: '<=', gt: '>', gte: '>=', eq: '=', ne: '<>' };
/** A key written as a plain identifier (`deletedAt`), so a suggestion can spell it bare. */
const PLAIN_KEY = /^[A-Za-z_$][\w$]*$/;
/** A value that is one row's key by its look (`id`, `userId`, `user.id`, `42`): TypeORM criteria by primary key. */
const KEY_NAME = /^(?:id|ID)$|[a-z\d](?:Id|ID)$|_id$/;

/** The entity's property of a column (`deleted_at` → `deletedAt`), when a suggestion can write it as a bare key. */
function propertyOf(entity: OrmEntity, column: string): string | null {
  const property = Object.entries(entity.columns).find(([, c]) => c === column)?.[0];
  return property !== undefined && PLAIN_KEY.test(property) ? property : null;
}

/** An edit adding `entry` as the last property of an object literal; null when it has the key already or is empty. */
function addEntry(object: TSESTree.ObjectExpression, key: string, entry: string): SourceEdit | null {
  const last = object.properties[object.properties.length - 1];
  if (!last || object.properties.some((p) => p.type === AST_NODE_TYPES.Property && keyName(p) === key)) return null;
  return { start: last.range[1], end: last.range[1], text: `, ${entry}` };
}

/** The entity a type annotation names: `Repository<User>` → User. */
function repositoryType(annotation: TSESTree.TypeNode | undefined): string | null {
  if (annotation?.type !== AST_NODE_TYPES.TSTypeReference) return null;
  const name = annotation.typeName.type === AST_NODE_TYPES.Identifier ? annotation.typeName.name : annotation.typeName.type === AST_NODE_TYPES.TSQualifiedName ? annotation.typeName.right.name : null;
  const arg = annotation.typeArguments?.params[0];
  if (name !== 'Repository' || arg?.type !== AST_NODE_TYPES.TSTypeReference || arg.typeName.type !== AST_NODE_TYPES.Identifier) return null;
  return arg.typeName.name;
}

class OrmWrites {
  private counter: PlaceholderCounter = { param: 0, ident: 0 };
  /** Local names (and `this.` field names) holding a repository, by entity name. */
  private readonly repos = new Map<string, string>();
  /** Local names that are an entity: local → entity name. */
  private readonly names = new Map<string, string>();

  constructor(
    private readonly scan: ProgramScan,
    private readonly entities: ReadonlyMap<string, OrmEntity>,
  ) {
    for (const { local, imported } of scan.imports) {
      const name = imported === null || imported === 'default' ? local : imported;
      if (entities.has(name) && scan.once(local)) this.names.set(local, name);
    }
    for (const name of entities.keys()) if (!this.names.has(name) && scan.declarationCounts.get(name) === 1) this.names.set(name, name);
  }

  /** The entity an expression names: `User` (imported or declared here), or `db.User` / `models.User` for Sequelize. */
  private entityOf(node: Node | undefined): { name: string; entity: OrmEntity; range: [number, number] } | null {
    if (!node) return null;
    const n = unwrap(node);
    let name: string | undefined;
    let range: [number, number] | undefined;
    if (n.type === AST_NODE_TYPES.Identifier) {
      name = this.names.get(n.name);
      range = n.range;
    } else if (n.type === AST_NODE_TYPES.MemberExpression && !n.computed) {
      const property = propertyName(n);
      const entity = property === null ? undefined : this.entities.get(property);
      if (entity?.dialect === 'sequelize') {
        name = property!;
        range = n.property.range;
      }
    }
    const entity = name === undefined ? undefined : this.entities.get(name);
    return entity && range ? { name: name!, entity, range } : null;
  }

  /** `getRepository(User)`, `ds.getRepository(User)`, `manager.getRepository(User)`: the entity name. */
  private repositoryCall(node: Node | null | undefined): string | null {
    const n = node && unwrap(node);
    if (n?.type !== AST_NODE_TYPES.CallExpression) return null;
    const callee = unwrap(n.callee);
    const method = callee.type === AST_NODE_TYPES.Identifier ? callee.name : callee.type === AST_NODE_TYPES.MemberExpression ? propertyName(callee) : null;
    if (method !== 'getRepository' && method !== 'getCustomRepository') return null;
    const found = this.entityOf(n.arguments[0] as Node | undefined);
    return found?.entity.dialect === 'typeorm' ? found.name : null;
  }

  private injected(decorators: readonly TSESTree.Decorator[] | undefined): string | null {
    for (const d of decorators ?? []) {
      const e = unwrap(d.expression);
      if (e.type !== AST_NODE_TYPES.CallExpression) continue;
      const callee = unwrap(e.callee);
      if (callee.type === AST_NODE_TYPES.Identifier && callee.name === 'InjectRepository') {
        const found = this.entityOf(e.arguments[0] as Node | undefined);
        if (found) return found.name;
      }
    }
    return null;
  }

  /** Which names hold a repository: variables, class fields, constructor parameters, `this.x = …` assignments. */
  collectRepositories(): void {
    const typed = (name: string | null): string | null => (name !== null && this.entities.get(name)?.dialect === 'typeorm' ? name : null);
    const entityByType = (annotation: TSESTree.TypeNode | undefined): string | null => {
      const local = repositoryType(annotation);
      return local === null ? null : typed(this.names.get(local) ?? null);
    };
    // declarators, functions' parameters, class fields and member assignments: what the one walk collected
    const params = this.scan.declarations.flatMap((d) =>
      d.type === AST_NODE_TYPES.FunctionDeclaration || d.type === AST_NODE_TYPES.FunctionExpression || d.type === AST_NODE_TYPES.ArrowFunctionExpression ? d.params : [],
    );
    for (const node of [...this.scan.declarations, ...params, ...this.scan.fieldWrites] as Node[]) {
      if (node.type === AST_NODE_TYPES.VariableDeclarator && node.id.type === AST_NODE_TYPES.Identifier) {
        const entity = this.repositoryCall(node.init) ?? entityByType(node.id.typeAnnotation?.typeAnnotation);
        if (entity) this.repos.set(node.id.name, entity);
      } else if (node.type === AST_NODE_TYPES.PropertyDefinition && !node.computed && node.key.type === AST_NODE_TYPES.Identifier) {
        const entity = this.injected(node.decorators) ?? this.repositoryCall(node.value) ?? entityByType(node.typeAnnotation?.typeAnnotation);
        if (entity) this.repos.set(node.key.name, entity);
      } else if (node.type === AST_NODE_TYPES.TSParameterProperty || node.type === AST_NODE_TYPES.Identifier) {
        const id = node.type === AST_NODE_TYPES.TSParameterProperty ? node.parameter : node;
        if (id.type !== AST_NODE_TYPES.Identifier) continue;
        const parent = this.scan.parents.get(node);
        const isParam = node.type === AST_NODE_TYPES.TSParameterProperty || (parent && 'params' in parent && (parent.params as Node[]).includes(node));
        if (!isParam) continue;
        const entity = this.injected(node.decorators) ?? entityByType(id.typeAnnotation?.typeAnnotation);
        if (entity) this.repos.set(id.name, entity);
      } else if (node.type === AST_NODE_TYPES.AssignmentExpression) {
        const left = unwrap(node.left);
        const entity = this.repositoryCall(node.right);
        if (entity && left.type === AST_NODE_TYPES.MemberExpression && unwrap(left.object).type === AST_NODE_TYPES.ThisExpression) {
          const name = propertyName(left);
          if (name !== null) this.repos.set(name, entity);
        }
      }
    }
  }

  /** The entity of a repository expression: `repo`, `this.repo`, `this.ds.getRepository(User)`. */
  private repositoryOf(node: Node): string | null {
    const n = unwrap(node);
    if (n.type === AST_NODE_TYPES.Identifier) return this.repos.get(n.name) ?? null;
    if (n.type === AST_NODE_TYPES.MemberExpression && unwrap(n.object).type === AST_NODE_TYPES.ThisExpression) {
      const name = propertyName(n);
      return name === null ? null : (this.repos.get(name) ?? null);
    }
    return this.repositoryCall(n);
  }

  private param(pos: number, opaque = false): Text {
    const t = new Text();
    t.push(nextParam(this.counter), pos, opaque);
    return t;
  }

  /** `DELETE FROM t WHERE …` or `UPDATE t SET … WHERE …`, the table mapped onto `range`. */
  private render(entity: OrmEntity, range: [number, number], at: number, conds: Text[], sets: Text[] | null = null): SqlFragment | null {
    const out = new Text().syn(sets ? 'UPDATE ' : 'DELETE FROM ', at);
    if (entity.schema !== undefined) {
      pushIdent(out, entity.schema, range);
      out.push('.', range[0]);
    }
    pushIdent(out, entity.table, range);
    out.clause(' SET ', sets ?? [], ', ', at).clause(' WHERE ', conds, ' AND ', at);
    const fragment = out.toSynthesized();
    return parseCached(fragment.text).ok ? fragment : null;
  }

  /**
   * The values of an update (`{ email, name: null }`): `email = $1, name = NULL`; values we cannot see (a variable,
   * a spread, a computed key) an unseen assignment. Null — not judged — when a key is not a column of the entity.
   */
  private sets(entity: OrmEntity, node: Node | undefined): Text[] | null {
    if (!node) return null;
    const object = unwrap(node);
    if (object.type !== AST_NODE_TYPES.ObjectExpression) return [new Text().unseenAssignment(this.counter, object.range[0])];
    const sets: Text[] = [];
    for (const property of object.properties) {
      if (property.type !== AST_NODE_TYPES.Property || property.computed) {
        sets.push(new Text().unseenAssignment(this.counter, property.range[0])); // values we cannot see
        continue;
      }
      if (property.kind !== 'init') return null;
      const column = this.column(entity, property);
      if (!column) return null;
      const value = property.value as Node;
      if (isUndefined(value)) continue; // both ORMs leave an undefined value out
      const at = property.range[0];
      sets.push(isLiteral(value, null) ? column.syn(' = NULL', at) : column.syn(' = ', at).add(this.param(value.range[0])));
    }
    return sets.length > 0 ? sets : null;
  }

  /** TypeORM `increment(criteria, 'logins', 1)`: `logins = logins + $1`. */
  private increment(entity: OrmEntity, node: Node | undefined, sign: '+' | '-'): Text[] | null {
    const n = node && unwrap(node);
    if (n?.type !== AST_NODE_TYPES.Literal || typeof n.value !== 'string') return null;
    const column = entity.columns[n.value];
    if (column === undefined) return null;
    const range: [number, number] = [n.range[0] + 1, n.range[1] - 1];
    const set = new Text();
    pushIdent(set, column, range);
    set.syn(' = ', n.range[0]);
    pushIdent(set, column, range);
    return [set.syn(` ${sign} `, n.range[0]).add(this.param(n.range[0]))];
  }

  private column(entity: OrmEntity, property: TSESTree.Property): Text | null {
    const key = keyName(property);
    const column = key === null ? undefined : entity.columns[key];
    if (column === undefined) return null;
    const t = new Text();
    pushIdent(t, column, keyRange(property));
    return t;
  }

  /** A row given by its key (`repo.delete(id)`, `repo.remove(user)`): `id = $1`, or `$1` when the key is unknown. */
  private byKey(entity: OrmEntity, node: Node, list = unwrap(node).type === AST_NODE_TYPES.ArrayExpression): Text {
    const at = node.range[0];
    if (entity.primaryKey.length !== 1) return this.param(at);
    const out = new Text();
    pushIdent(out, entity.primaryKey[0]!, [at, at + 1]);
    return list ? out.syn(' = ANY(', at).add(this.param(at)).syn(')', at) : out.syn(' = ', at).add(this.param(at));
  }

  /** A `where` object: `{ email }`, `{ deletedAt: Not(IsNull()) }`, `{ deletedAt: { [Op.lt]: cutoff } }`. */
  private where(entity: OrmEntity, node: Node): Text[] {
    const object = unwrap(node);
    if (object.type !== AST_NODE_TYPES.ObjectExpression) return [this.param(node.range[0], true)];
    return object.properties.map((property) => {
      if (property.type !== AST_NODE_TYPES.Property || property.kind !== 'init') return this.param(property.range[0], true);
      const column = this.column(entity, property);
      if (!column) return this.param(property.range[0], true); // `[Op.or]`, a key we do not know
      return this.condition(entity.dialect, column, property.value as Node) ?? this.param(property.range[0], true);
    });
  }

  private condition(dialect: OrmEntity['dialect'], column: Text, value: Node): Text | null {
    const v = unwrap(value);
    const at = v.range[0];
    if (isLiteral(v, null)) return column.syn(' IS NULL', at);
    if (dialect === 'typeorm' && v.type === AST_NODE_TYPES.CallExpression) {
      const callee = unwrap(v.callee);
      const fn = callee.type === AST_NODE_TYPES.Identifier ? callee.name : null;
      const arg = v.arguments[0] as Node | undefined;
      const inner = arg ? unwrap(arg) : undefined;
      const innerFn = inner?.type === AST_NODE_TYPES.CallExpression && unwrap(inner.callee).type === AST_NODE_TYPES.Identifier ? (unwrap(inner.callee) as TSESTree.Identifier).name : null;
      if (fn === 'IsNull' && v.arguments.length === 0) return column.syn(' IS NULL', at);
      if (fn === 'Not' && innerFn === 'IsNull') return column.syn(' IS NOT NULL', at);
      if (fn && TYPEORM_COMPARE[fn] && arg) return column.syn(` ${TYPEORM_COMPARE[fn]} `, at).add(this.param(arg.range[0]));
      if (fn === 'In' && arg) return column.syn(' = ANY(', at).add(this.param(arg.range[0])).syn(')', at);
      return null;
    }
    if (dialect === 'sequelize' && v.type === AST_NODE_TYPES.ObjectExpression) {
      if (v.properties.length !== 1) return null;
      const p = v.properties[0]!;
      if (p.type !== AST_NODE_TYPES.Property) return null;
      const key = p.computed && unwrap(p.key).type === AST_NODE_TYPES.MemberExpression ? propertyName(unwrap(p.key) as TSESTree.MemberExpression) : null;
      const operand = p.value as Node;
      if ((key === 'ne' || key === 'not') && isLiteral(operand, null)) return column.syn(' IS NOT NULL', at);
      if (key === 'is' && isLiteral(operand, null)) return column.syn(' IS NULL', at);
      if (key && SEQUELIZE_COMPARE[key] && !isLiteral(operand, null)) return column.syn(` ${SEQUELIZE_COMPARE[key]} `, at).add(this.param(operand.range[0]));
      if (key === 'in') return column.syn(' = ANY(', at).add(this.param(operand.range[0])).syn(')', at);
      return null;
    }
    if (v.type === AST_NODE_TYPES.ObjectExpression || v.type === AST_NODE_TYPES.CallExpression) return null;
    return column.syn(' = ', at).add(this.param(at));
  }

  /** TypeORM delete criteria: an id, a list of ids, or a where object. */
  private criteria(entity: OrmEntity, node: Node | undefined): Text[] | null {
    if (!node || node.type === AST_NODE_TYPES.SpreadElement) return null;
    const n = unwrap(node);
    if (n.type === AST_NODE_TYPES.ObjectExpression) return this.where(entity, n);
    return [this.byKey(entity, n)];
  }

  /** TypeORM `update(criteria, values)` / `increment(criteria, property, by)`: the SET list, or null. */
  private typeormSets(entity: OrmEntity, method: string, args: Node[]): Text[] | null {
    if (method === 'update') return args.length === 2 ? this.sets(entity, args[1]) : null;
    return args.length === 3 ? this.increment(entity, args[1], method === 'increment' ? '+' : '-') : null;
  }

  lower(call: TSESTree.CallExpression): SqlFragment | null {
    const callee = unwrap(call.callee);
    if (callee.type !== AST_NODE_TYPES.MemberExpression) return null;
    const method = propertyName(callee);
    if (method === 'execute') {
      this.counter = { param: 0, ident: 0 };
      return this.builderUpdate(call);
    }
    if (method === null || !WRITE_METHODS.has(method)) return null;
    this.counter = { param: 0, ident: 0 };
    const args = call.arguments as Node[];
    const at = callee.property.range[0];
    const typeorm = TYPEORM_METHODS.has(method);
    // TypeORM repository: repo.delete(criteria) / repo.remove(entity) / repo.update(criteria, values)
    const repo = typeorm ? this.repositoryOf(callee.object) : null;
    const name = callee.property.range as [number, number];
    if (repo !== null) return this.typeorm(this.entities.get(repo)!, method, args, name, at, name);
    // TypeORM manager: manager.delete(User, criteria) / manager.remove(User, entity) / manager.update(User, criteria, values)
    const target = typeorm && args.length >= 2 ? this.entityOf(args[0]) : null;
    if (target?.entity.dialect === 'typeorm') return this.typeorm(target.entity, method, args.slice(1), target.range, at, name);
    const model = this.entityOf(callee.object);
    // TypeORM BaseEntity: User.delete(criteria) / User.update(criteria, values)
    if (model?.entity.dialect === 'typeorm' && method !== 'remove' && typeorm) return this.typeorm(model.entity, method, args, model.range, at, name);
    if (model?.entity.dialect === 'sequelize' && args.length >= 1) {
      if (method === 'destroy' && args.length === 1) return this.sequelizeDestroy(model.entity, args[0]!, model.range, at);
      if (method === 'update' && args.length === 2) return this.sequelizeUpdate(model.entity, args[0]!, args[1]!, model.range, at);
    }
    return null;
  }

  private typeorm(entity: OrmEntity, method: string, args: Node[], range: [number, number], at: number, name: [number, number]): SqlFragment | null {
    if (method === 'remove' || method === 'delete') {
      const conds = args.length !== 1 ? null : method === 'remove' ? [this.byKey(entity, args[0]!)] : this.criteria(entity, args[0]);
      const fragment = conds ? this.render(entity, range, at, conds) : null;
      // `softDelete` / `softRemove` take the same arguments and set the @DeleteDateColumn (TypeORM needs one)
      const soft = method === 'remove' ? 'softRemove' : 'softDelete';
      if (fragment && entity.deleteDateColumn !== undefined) {
        const column = entity.deleteDateColumn;
        fragment.codeSoftDelete = (_at, request) =>
          request.column === column && request.test === 'is-null' ? { code: `.${soft}(…)`, edits: [{ start: name[0], end: name[1], text: soft }] } : null;
      }
      return fragment;
    }
    // update / increment / decrement: TypeORM adds no `@DeleteDateColumn` filter to writes (only to its selects)
    const conds = this.criteria(entity, args[0]);
    const sets = this.typeormSets(entity, method, args);
    const fragment = conds && sets ? this.render(entity, range, at, conds, sets) : null;
    const criteria = args[0]!;
    if (fragment) fragment.codeFilter = (_at, request) => this.typeormFilter(entity, criteria, request);
    return fragment;
  }

  /** How the file names TypeORM's `IsNull`: its import (`import { IsNull as isNull }`), or an edit adding one. */
  private isNull(): { name: string; edits: SourceEdit[] } | null {
    const bound = this.scan.imports.find((b) => b.source === 'typeorm' && b.imported === 'IsNull');
    if (bound) return { name: bound.local, edits: [] };
    if (this.scan.declarationCounts.has('IsNull')) return null;
    const edits = importEdits(this.scan, 'typeorm', ['IsNull']);
    return edits ? { name: 'IsNull', edits } : null;
  }

  /**
   * The active-row filter in a TypeORM update's criteria: `{ id }` → `{ id, deletedAt: IsNull() }`, a key `id` →
   * `{ id, deletedAt: IsNull() }` (`IsNull` imported when the file has not). Not for a list of keys or criteria
   * held in a variable that does not look like a key.
   */
  private typeormFilter(entity: OrmEntity, criteria: Node, request: FilterRequest): CodeFilter | null {
    const property = propertyOf(entity, request.column);
    if (property === null || request.qualifier !== null) return null;
    let value = 'false';
    let imports: SourceEdit[] = [];
    if (request.test === 'is-null') {
      const named = this.isNull();
      if (!named) return null;
      [value, imports] = [`${named.name}()`, named.edits];
    }
    const entry = `${property}: ${value}`;
    const n = unwrap(criteria);
    let edit: SourceEdit | null = null;
    if (n.type === AST_NODE_TYPES.ObjectExpression) edit = addEntry(n, property, entry);
    else if (this.scan.text.length > 0 && entity.primaryKey.length === 1) {
      const key = propertyOf(entity, entity.primaryKey[0]!);
      const looksLikeKey =
        (n.type === AST_NODE_TYPES.Literal && (typeof n.value === 'number' || typeof n.value === 'string')) ||
        (n.type === AST_NODE_TYPES.Identifier && KEY_NAME.test(n.name)) ||
        (n.type === AST_NODE_TYPES.MemberExpression && KEY_NAME.test(propertyName(n) ?? ''));
      if (key !== null && looksLikeKey) {
        const text = this.scan.text.slice(criteria.range[0], criteria.range[1]);
        edit = { start: criteria.range[0], end: criteria.range[1], text: `{ ${text === key ? key : `${key}: ${text}`}, ${entry} }` };
      }
    }
    return edit ? { code: entry, edits: [edit, ...imports].sort((a, b) => a.start - b.start) } : null;
  }

  /**
   * TypeORM's update query builder, run by `.execute()`: `createQueryBuilder().update(User).set({ … })
   * .where('id = :id', { id }).andWhere(…).execute()` (or `repo.createQueryBuilder().update()`). The where strings
   * are SQL with `:name` / `:...names` parameters; TypeORM joins them flat (`a AND b OR c`) and adds no soft-delete
   * filter to an update. Brackets, functions or strings we cannot read make the chain unknown: not lowered.
   */
  private builderUpdate(call: TSESTree.CallExpression): SqlFragment | null {
    const { base, steps } = decompose(call);
    const start = steps.findIndex((s) => s.name === 'createQueryBuilder');
    const update = steps[start + 1];
    if (start < 0 || update?.name !== 'update' || update.args.length > 1) return null;
    const target = update.args[0] ? this.entityOf(update.args[0] as Node) : null;
    const repo = update.args.length === 0 && start === 0 ? this.repositoryOf(base) : null;
    const entity = target?.entity.dialect === 'typeorm' ? target.entity : repo !== null ? this.entities.get(repo)! : null;
    if (!entity) return null;
    const range = target ? target.range : ([update.at, update.at + update.name.length] as [number, number]);
    let sets: Text[] | null = null;
    const where = new Text();
    // where a filter can go: after the last where call (unless one is an orWhere: TypeORM joins them flat), or the set
    let setEnd = -1;
    let whereEnd = -1;
    let or = false;
    for (const step of steps.slice(start + 2, -1)) {
      if (step.name === 'set' && sets === null) {
        sets = this.sets(entity, step.args[0] as Node | undefined);
        setEnd = step.call.range[1];
      } else if (step.name === 'where' || step.name === 'andWhere' || step.name === 'orWhere') {
        whereEnd = step.call.range[1];
        or ||= step.name === 'orWhere';
        const condition = this.whereString(step.args[0] as Node | undefined, step.args[1] as Node | undefined);
        if (!condition) return null;
        if (where.text.length > 0) where.syn(step.name === 'orWhere' ? ' OR ' : ' AND ', step.at);
        else if (step.name !== 'where') return null;
        where.add(condition);
      } else if (step.name === 'whereInIds' && where.text.length === 0 && step.args[0]) {
        where.add(this.byKey(entity, step.args[0] as Node, true));
        whereEnd = step.call.range[1];
      } else if (step.name !== 'returning' && step.name !== 'callListeners' && step.name !== 'updateEntity') return null;
    }
    if (!sets) return null;
    const fragment = this.render(entity, range, update.at, where.text.length > 0 ? [where] : [], sets);
    const place = or ? null : whereEnd >= 0 ? { end: whereEnd, method: 'andWhere' } : { end: setEnd, method: 'where' };
    if (fragment && place) {
      fragment.codeFilter = (_at, request) => {
        if (request.qualifier !== null) return null;
        const condition = `${quoteIdent(request.column)} ${request.test === 'is-null' ? 'IS NULL' : 'IS FALSE'}`;
        if (condition.includes("'") || condition.includes('\\')) return null;
        const code = `.${place.method}('${condition}')`;
        return { code, edits: [{ start: place.end, end: place.end, text: code }] };
      };
    }
    return fragment;
  }

  /** A TypeORM where string (`'id = :id'`) as SQL, its characters mapped onto the literal and `:id` made a parameter. */
  private whereString(node: Node | undefined, params: Node | undefined): Text | null {
    const n = node && unwrap(node);
    if (params && unwrap(params).type !== AST_NODE_TYPES.ObjectExpression) return null;
    let value: string;
    let from: number;
    if (n?.type === AST_NODE_TYPES.Literal && typeof n.value === 'string' && n.raw.slice(1, -1) === n.value) [value, from] = [n.value, n.range[0] + 1];
    else if (n?.type === AST_NODE_TYPES.TemplateLiteral && n.expressions.length === 0 && n.quasis[0]!.value.raw === n.quasis[0]!.value.cooked) {
      [value, from] = [n.quasis[0]!.value.cooked, n.range[0] + 1];
    } else return null;
    const out = new Text();
    const named = /:(?:\.\.\.)?[A-Za-z_][A-Za-z0-9_]*/y;
    for (let k = 0; k < value.length; ) {
      named.lastIndex = k;
      // `:name` not preceded by `:` (`x::int` is a cast)
      const m = value[k - 1] === ':' ? null : named.exec(value);
      if (m) {
        out.add(this.param(from + k));
        k += m[0].length;
      } else {
        out.push(value[k]!, from + k);
        k++;
      }
    }
    return out.text.trim().length > 0 ? out : null;
  }

  /** Sequelize `User.destroy({ where, force: true })`. */
  private sequelizeDestroy(entity: OrmEntity, arg: Node, range: [number, number], at: number): SqlFragment | null {
    const options = unwrap(arg);
    if (options.type !== AST_NODE_TYPES.ObjectExpression) return null;
    let force = false;
    const conds: Text[] = [];
    for (const property of options.properties) {
      if (property.type !== AST_NODE_TYPES.Property) return null; // `...options`: force and where unknown
      const key = keyName(property);
      if (key === 'force') {
        if (isLiteral(property.value as Node, true)) force = true;
        else if (!isLiteral(property.value as Node, false)) return null; // decided at run time
      } else if (key === 'where') conds.push(...this.where(entity, property.value as Node));
    }
    // a paranoid model's destroy without force sets deletedAt: the soft delete itself
    if (entity.paranoid && !force) return null;
    const fragment = this.render(entity, range, at, conds);
    const forced = options.properties.find((p) => p.type === AST_NODE_TYPES.Property && keyName(p) === 'force');
    const column = entity.columns['deletedAt'];
    if (fragment && entity.paranoid && forced && column !== undefined) {
      // without `force`, Sequelize sets deletedAt on the rows where it is still NULL
      const list = options.properties;
      const k = list.indexOf(forced);
      const [start, end] = list.length === 1 ? [options.range[0] + 1, options.range[1] - 1] : k + 1 < list.length ? [forced.range[0], list[k + 1]!.range[0]] : [list[k - 1]!.range[1], forced.range[1]];
      fragment.codeSoftDelete = (_at, request) =>
        request.column === column && request.test === 'is-null' ? { code: 'destroy({ where })', edits: [{ start, end, text: list.length === 1 ? ' ' : '' }] } : null;
    }
    return fragment;
  }

  /**
   * Sequelize `User.update(values, { where })`. On a paranoid model Sequelize adds `deletedAt IS NULL` to the WHERE
   * itself (as it does for finds) unless the options say `paranoid: false`: the lowered UPDATE carries that filter,
   * mapped onto the model's name, so the check sees what Sequelize runs.
   */
  private sequelizeUpdate(entity: OrmEntity, values: Node, arg: Node, range: [number, number], at: number): SqlFragment | null {
    const options = unwrap(arg);
    if (options.type !== AST_NODE_TYPES.ObjectExpression) return null;
    let paranoid = entity.paranoid;
    let where: Node | null = null;
    for (const property of options.properties) {
      if (property.type !== AST_NODE_TYPES.Property) return null; // `...options`: paranoid and where unknown
      const key = keyName(property);
      if (key === 'paranoid') {
        if (isLiteral(property.value as Node, false)) paranoid = false;
        else if (!isLiteral(property.value as Node, true)) return null; // decided at run time
      } else if (key === 'where') where = property.value as Node;
      else if (key === null) return null;
    }
    if (!where) return null; // Sequelize refuses an update without `where`
    const sets = this.sets(entity, values);
    if (!sets) return null;
    const conds = this.where(entity, where);
    if (paranoid) {
      const column = entity.columns['deletedAt'];
      if (column === undefined) return null;
      const filter = new Text();
      pushIdent(filter, column, range);
      conds.unshift(filter.syn(' IS NULL', at));
    }
    const fragment = this.render(entity, range, at, conds, sets);
    // `paranoid: false` (or a model that is not paranoid): the filter goes into the where, `deletedAt: null`
    const object = unwrap(where);
    if (fragment && object.type === AST_NODE_TYPES.ObjectExpression) {
      fragment.codeFilter = (_at, request) => {
        const property = propertyOf(entity, request.column);
        if (property === null || request.qualifier !== null) return null;
        const entry = `${property}: ${request.test === 'is-null' ? 'null' : 'false'}`;
        const edit = object.properties.length === 0 ? { start: object.range[0], end: object.range[1], text: `{ ${entry} }` } : addEntry(object, property, entry);
        return edit ? { code: entry, edits: [edit] } : null;
      };
    }
    return fragment;
  }
}

/** TypeORM and Sequelize deletes of a file, against the project's ORM entities. Never throws. */
export function ormWritesFromScan(scan: ProgramScan, entities: ReadonlyMap<string, OrmEntity> | undefined): SqlFragment[] {
  if (!entities || entities.size === 0) return [];
  const writes = new OrmWrites(scan, entities);
  const fragments: SqlFragment[] = [];
  try {
    writes.collectRepositories();
  } catch (error) {
    rethrowWhenStrict(error);
    return fragments;
  }
  for (const call of scan.calls) {
    try {
      const fragment = writes.lower(call);
      if (fragment) fragments.push(fragment);
    } catch (error) {
      rethrowWhenStrict(error); // else skip this call
    }
  }
  return fragments;
}
