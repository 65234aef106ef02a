/**
 * Objection.js models, read statically: a model class's `relationMappings` (which table each relation reads, and
 * the `modify`/`filter` it applies), its `modifiers`, and relation expressions (`'[pets(onlyAlive), owner]'`).
 * The query-builder front end lowers `withGraphFetched` / `withGraphJoined`, `$relatedQuery` and `relatedQuery`
 * with them; what cannot be read here stays unknown (an opaque condition), never guessed.
 */
import { AST_NODE_TYPES, type TSESTree } from '@typescript-eslint/utils';
import { unwrap, type Node } from '../js/estree.js';
import { staticTableName } from './modules.js';

/** One relation of a model: the table it reads and the functions that narrow it (`modify`, `filter`). */
export interface RelationInfo {
  table: string;
  /** The related model class, when its `modelClass` names one this file can read (for its `modifiers`). */
  target: Node | null;
  /** `modify: 'notDeleted'` names (of the related model's modifiers) and `filter: (qb) => …` functions. */
  modify: Array<string | Node>;
}

/** A static member of a class (`static x = …`, `static get x() { return … }`, `static x() { return … }`). */
function staticMember(cls: Node, name: string): Node | null {
  const n = unwrap(cls);
  if (n.type !== AST_NODE_TYPES.ClassDeclaration && n.type !== AST_NODE_TYPES.ClassExpression) return null;
  for (const member of n.body.body) {
    if (member.type !== AST_NODE_TYPES.PropertyDefinition && member.type !== AST_NODE_TYPES.MethodDefinition) continue;
    if (!member.static || member.computed || member.key.type !== AST_NODE_TYPES.Identifier || member.key.name !== name) continue;
    if (member.type === AST_NODE_TYPES.PropertyDefinition) return member.value ? returned(member.value) : null;
    return returned(member.value);
  }
  return null;
}

/**
 * The key columns of a model class: its `static idColumn` (a name or a list of names), or `['id']` — Objection's
 * default — when a class that extends `Model`, or `Model` with plugins mixed in (`softDelete({…})(Model)`,
 * `compose(a, b)(Model)`: plugins add behaviour, not keys), itself declares none. Null when not readable (a base
 * class of our own may declare it, or the value is computed).
 */
export function modelIdColumns(cls: Node): string[] | null {
  const n = unwrap(cls);
  if (n.type !== AST_NODE_TYPES.ClassDeclaration && n.type !== AST_NODE_TYPES.ClassExpression) return null;
  const declared = n.body.body.some(
    (m) => (m.type === AST_NODE_TYPES.PropertyDefinition || m.type === AST_NODE_TYPES.MethodDefinition) && m.static && !m.computed && m.key.type === AST_NODE_TYPES.Identifier && m.key.name === 'idColumn',
  );
  if (!declared) {
    let base = n.superClass ? unwrap(n.superClass) : null;
    // `plugin(Model)`, `softDelete(options)(Model)`, Objection's `mixin(Model, [a, b])`: the class plugins were applied to
    for (let depth = 0; base?.type === AST_NODE_TYPES.CallExpression && depth < 4; depth++) {
      const callee = unwrap(base.callee);
      const applied = base.arguments.length === 1 || (callee.type === AST_NODE_TYPES.Identifier && callee.name === 'mixin') ? base.arguments[0] : undefined;
      base = applied && applied.type !== AST_NODE_TYPES.SpreadElement ? unwrap(applied) : null;
    }
    return base?.type === AST_NODE_TYPES.Identifier && base.name === 'Model' ? ['id'] : null;
  }
  const value = staticMember(cls, 'idColumn');
  const text = (v: Node | null): string | null => (v?.type === AST_NODE_TYPES.Literal && typeof v.value === 'string' ? v.value : null);
  if (value?.type === AST_NODE_TYPES.ArrayExpression) {
    const names = value.elements.map((e) => (e && e.type !== AST_NODE_TYPES.SpreadElement ? text(unwrap(e)) : null));
    return names.length > 0 && names.every((x) => x !== null) ? (names as string[]) : null;
  }
  const one = text(value);
  return one === null ? null : [one];
}

/** The object a value stands for: itself, or what an arrow / getter / function body returns. */
function returned(value: Node): Node | null {
  const v = unwrap(value);
  if (v.type === AST_NODE_TYPES.ArrowFunctionExpression || v.type === AST_NODE_TYPES.FunctionExpression) {
    if (v.body.type !== AST_NODE_TYPES.BlockStatement) return unwrap(v.body);
    const last = v.body.body[v.body.body.length - 1];
    return last?.type === AST_NODE_TYPES.ReturnStatement && last.argument ? unwrap(last.argument) : null;
  }
  return v;
}

function property(object: Node | null, key: string): Node | null {
  if (object?.type !== AST_NODE_TYPES.ObjectExpression) return null;
  for (const p of object.properties) {
    if (p.type !== AST_NODE_TYPES.Property || p.computed) continue;
    const name = p.key.type === AST_NODE_TYPES.Identifier ? p.key.name : p.key.type === AST_NODE_TYPES.Literal ? String(p.key.value) : null;
    if (name === key) return p.kind === 'init' && p.value.type !== AST_NODE_TYPES.AssignmentPattern ? (p.method ? p.value : unwrap(p.value as Node)) : null;
  }
  return null;
}

function literal(node: Node | null): string | null {
  const n = node && unwrap(node);
  if (n?.type === AST_NODE_TYPES.Literal && typeof n.value === 'string') return n.value;
  if (n?.type === AST_NODE_TYPES.TemplateLiteral && n.expressions.length === 0) return n.quasis[0]?.value.cooked ?? null;
  return null;
}

/**
 * The relation `name` of a model class: its table from `join.to` (`'animals.ownerId'`, the first of a list), or from
 * `modelClass` when it names a class `resolveClass` can read (its `static tableName`). null when not readable.
 */
export function relationOf(cls: Node, name: string, resolveClass: (node: Node) => Node | null): RelationInfo | null {
  const mappings = staticMember(cls, 'relationMappings');
  const relation = property(mappings, name);
  if (relation?.type !== AST_NODE_TYPES.ObjectExpression) return null;
  let table: string | null = null;
  const modelClass = property(relation, 'modelClass');
  const target = modelClass ? resolveClass(modelClass) : null;
  if (target) table = staticTableName(target);
  if (!table) {
    const join = property(relation, 'join');
    let to = property(join, 'to');
    if (to?.type === AST_NODE_TYPES.ArrayExpression) to = to.elements[0] && to.elements[0].type !== AST_NODE_TYPES.SpreadElement ? to.elements[0] : null;
    const column = literal(to);
    const dot = column ? column.lastIndexOf('.') : -1;
    if (column && dot > 0) table = column.slice(0, dot);
  }
  if (!table) return null;
  const modify: Array<string | Node> = [];
  for (const key of ['modify', 'filter']) {
    const value = property(relation, key);
    if (!value) continue;
    const named = literal(value);
    if (named !== null) modify.push(named);
    else if (value.type === AST_NODE_TYPES.ArrayExpression) {
      for (const el of value.elements) if (el && el.type !== AST_NODE_TYPES.SpreadElement) modify.push(literal(el) ?? el);
    } else modify.push(value);
  }
  return { table, modify, target };
}

/** A model's static `modifiers` entry (`static modifiers = { notDeleted(query) { … } }`), or null. */
export function modelModifier(cls: Node, name: string): Node | null {
  const found = property(staticMember(cls, 'modifiers'), name);
  return found && (found.type === AST_NODE_TYPES.FunctionExpression || found.type === AST_NODE_TYPES.ArrowFunctionExpression) ? found : null;
}

/** The functions of a `.modifiers({ name: fn })` call, by name. */
export function modifiersArgument(arg: Node | undefined): Map<string, Node> {
  const out = new Map<string, Node>();
  const object = arg && unwrap(arg);
  if (object?.type !== AST_NODE_TYPES.ObjectExpression) return out;
  for (const p of object.properties) {
    if (p.type !== AST_NODE_TYPES.Property || p.computed) continue;
    const name = p.key.type === AST_NODE_TYPES.Identifier ? p.key.name : p.key.type === AST_NODE_TYPES.Literal ? String(p.key.value) : null;
    if (name) out.set(name, unwrap(p.value as Node));
  }
  return out;
}

/** A relation of a relation expression, with where its name sits in the expression's text. */
export interface GraphRelation {
  name: string;
  /** Offsets of the name in the expression string. */
  start: number;
  end: number;
  modifiers: string[];
  /** The relations loaded under it (`owner.pets`, `owner.[pets, toys]`), read from the related model's mappings. */
  children?: GraphRelation[];
}

const RELATION_NAME = /[A-Za-z_$][\w$]*(?::[A-Za-z_$][\w$]*)?/y;
const MAX_GRAPH_DEPTH = 8;

/**
 * The relations of an Objection relation expression, nested levels as `children`: `'[pets(onlyAlive),
 * owner.[pets]]'` → pets (modifier onlyAlive) and owner (with pets under it); `'pets'`; `'alias:pets'` (the
 * relation is after the colon). Recursive (`^`) and wildcard (`*`) levels are not read. null when the text is not
 * a relation expression.
 */
export function graphRelations(text: string): GraphRelation[] | null {
  let k = 0;
  const space = (): void => {
    while (k < text.length && /\s/.test(text[k]!)) k++;
  };
  const list = (depth: number): GraphRelation[] | null => {
    k++; // '['
    const out: GraphRelation[] = [];
    for (;;) {
      space();
      if (text[k] === ']') break;
      const items = item(depth);
      if (!items) return null;
      out.push(...items);
      space();
      if (text[k] === ',') k++;
      else if (text[k] !== ']') return null;
    }
    k++; // ']'
    return out;
  };
  const item = (depth: number): GraphRelation[] | null => {
    if (depth > MAX_GRAPH_DEPTH) return null;
    space();
    if (text[k] === '[') return list(depth + 1);
    if (text[k] === '*' || text[k] === '^') {
      k++;
      while (k < text.length && /\d/.test(text[k]!)) k++;
      return [];
    }
    RELATION_NAME.lastIndex = k;
    const word = RELATION_NAME.exec(text);
    if (!word) return null;
    const colon = word[0].indexOf(':');
    const start = k + (colon < 0 ? 0 : colon + 1);
    const relation: GraphRelation = { name: text.slice(start, k + word[0].length), start, end: k + word[0].length, modifiers: [] };
    k += word[0].length;
    space();
    if (text[k] === '(') {
      const close = text.indexOf(')', k);
      if (close < 0) return null;
      relation.modifiers = text.slice(k + 1, close).split(',').map((m) => m.trim()).filter(Boolean);
      k = close + 1;
      space();
    }
    if (text[k] === '.') {
      k++;
      const children = item(depth + 1);
      if (!children) return null;
      if (children.length > 0) relation.children = children;
    }
    return [relation];
  };
  const top = item(0);
  space();
  return top && k === text.length ? top : null;
}

/** `person.$relatedQuery('pets')` / `Person.relatedQuery('pets')`: the relation name argument, or null. */
export function relatedQueryName(step: { name: string; args: readonly TSESTree.CallExpressionArgument[] }): string | null {
  if (step.name !== '$relatedQuery' && step.name !== 'relatedQuery') return null;
  return literal(step.args[0] ?? null);
}
