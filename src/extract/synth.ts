/**
 * Shared by the front ends that synthesize SQL from code (query builders, Prisma client, drizzle): building mapped
 * text, reading object-literal keys, and deciding whether a chain is a query that runs.
 */
import { AST_NODE_TYPES, type TSESTree } from '@typescript-eslint/utils';
import { childNodes, patternNames, propertyName, unwrap, type Node, type VisitorKeys } from './estree.js';
import { MappedText } from './mapped-text.js';

/** Mapped text with two builders: synthetic text at one source position, and another mapped text appended. */
export class SynthText extends MappedText {
  syn(text: string, pos: number): this {
    this.push(text, pos);
    return this;
  }

  add(other: MappedText): this {
    for (let k = 0; k < other.text.length; k++) this.copyChar(other, k);
    return this;
  }
}

/** Is `node` a name (`db`) or a member (`this.db`, `ctx.prisma`) whose last name matches `pattern`? */
export function namedLike(node: Node, pattern: RegExp): boolean {
  const n = unwrap(node);
  if (n.type === AST_NODE_TYPES.Identifier) return pattern.test(n.name);
  if (n.type === AST_NODE_TYPES.MemberExpression) {
    const name = propertyName(n);
    return name !== null && pattern.test(name);
  }
  return false;
}

/** A double-quoted SQL identifier. */
export function quoteName(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

export function isLiteral(node: Node, value: boolean | null): boolean {
  const n = unwrap(node);
  return n.type === AST_NODE_TYPES.Literal && n.value === value && !('regex' in n) && !('bigint' in n);
}

export function isUndefined(node: Node): boolean {
  const n = unwrap(node);
  return n.type === AST_NODE_TYPES.Identifier && n.name === 'undefined';
}

/** The name of a non-computed property key (`a:` or `'a':`). */
export function keyName(property: TSESTree.Property): string | null {
  if (property.computed) return null;
  if (property.key.type === AST_NODE_TYPES.Identifier) return property.key.name;
  if (property.key.type === AST_NODE_TYPES.Literal && typeof property.key.value === 'string') return property.key.value;
  return null;
}

/** Source range of a property key's name (without quotes). */
export function keyRange(property: TSESTree.Property): [number, number] {
  const [from, to] = property.key.range;
  return property.key.type === AST_NODE_TYPES.Literal ? [from + 1, to - 1] : [from, to];
}

/** The first ancestor of `node` that is not a TS / optional-chain wrapper, and the child on the way to it. */
function meaningfulParent(node: Node, parents: Map<Node, Node>): { child: Node; parent: Node | undefined } {
  let child = node;
  let parent = parents.get(child);
  while (parent && unwrap(parent) !== parent) {
    child = parent;
    parent = parents.get(parent);
  }
  return { child, parent };
}

/** Does the value of `node` get run as a query? (awaited, returned from an async function, in `Promise.all([…])`) */
export function awaited(node: Node, parents: Map<Node, Node>): boolean {
  const { child: n, parent: p } = meaningfulParent(node, parents);
  if (!p) return false;
  if (p.type === AST_NODE_TYPES.AwaitExpression) return true;
  if (p.type === AST_NODE_TYPES.ArrowFunctionExpression && p.body === n) return p.async;
  if (p.type === AST_NODE_TYPES.ReturnStatement) {
    for (let f = parents.get(p); f; f = parents.get(f)) {
      if (f.type === AST_NODE_TYPES.FunctionDeclaration || f.type === AST_NODE_TYPES.FunctionExpression || f.type === AST_NODE_TYPES.ArrowFunctionExpression) {
        return f.async;
      }
    }
    return false;
  }
  if (p.type === AST_NODE_TYPES.ArrayExpression) {
    const call = parents.get(p);
    if (call?.type !== AST_NODE_TYPES.CallExpression || call.arguments[0] !== p) return false;
    const callee = unwrap(call.callee);
    const object = callee.type === AST_NODE_TYPES.MemberExpression ? unwrap(callee.object) : undefined;
    return (
      callee.type === AST_NODE_TYPES.MemberExpression &&
      object?.type === AST_NODE_TYPES.Identifier &&
      object.name === 'Promise' &&
      ['all', 'allSettled', 'race', 'any'].includes(propertyName(callee) ?? '')
    );
  }
  return false;
}

/** Is this call continued by a method call (`x(…).y`)? */
export function continued(node: Node, parents: Map<Node, Node>): boolean {
  const { child, parent } = meaningfulParent(node, parents);
  return parent?.type === AST_NODE_TYPES.MemberExpression && parent.object === child;
}

/** One method call of a chain: `.where(a, b)` → name 'where', its arguments, the call, where its name starts. */
export interface Step {
  name: string;
  args: TSESTree.CallExpressionArgument[];
  call: TSESTree.CallExpression;
  /** Source index of the method name. */
  at: number;
}

/** `a.b(1).c(2)` → base `a`, steps [b(1), c(2)]. */
export function decompose(end: Node): { base: Node; steps: Step[] } {
  const steps: Step[] = [];
  let node = unwrap(end);
  while (node.type === AST_NODE_TYPES.CallExpression) {
    const callee = unwrap(node.callee);
    if (callee.type !== AST_NODE_TYPES.MemberExpression) break;
    const name = propertyName(callee);
    if (name === null) break;
    steps.push({ name, args: node.arguments, call: node, at: callee.property.range[0] });
    node = unwrap(callee.object);
  }
  steps.reverse();
  return { base: node, steps };
}

/** What a front end needs to know about a file before lowering its calls. */
export interface FileScan {
  /** Every call expression, in source order. */
  calls: TSESTree.CallExpression[];
  /** Each node's parent. */
  parents: Map<Node, Node>;
  /** `const x = …` initializers, for names declared exactly once in the file (so no shadowing can hide them). */
  consts: Map<string, Node>;
  /** Is this name declared exactly once in the file (imports, variables, functions, parameters, classes)? */
  once: (name: string) => boolean;
  imports: Array<{ local: string; imported: string | null; source: string }>;
}

/**
 * One iterative walk over a file (deep chains would overflow a recursive one). `countsParams` says whether a
 * function's parameters count as declarations (a drizzle `where: (users, ops) => …` names what it is given).
 * Never throws: what was collected before a failure is kept.
 */
export function scanFile(
  program: TSESTree.Program,
  visitorKeys: VisitorKeys,
  countsParams: (fn: Node, parents: Map<Node, Node>) => boolean = () => true,
): FileScan {
  const parents = new Map<Node, Node>();
  const calls: TSESTree.CallExpression[] = [];
  const declarations = new Map<string, number>();
  const constInits = new Map<string, Node>();
  const imports: FileScan['imports'] = [];
  const declare = (id: TSESTree.Identifier): void => {
    declarations.set(id.name, (declarations.get(id.name) ?? 0) + 1);
  };
  try {
    const stack: Node[] = [program];
    while (stack.length) {
      const node = stack.pop()!;
      switch (node.type) {
        case AST_NODE_TYPES.CallExpression:
          calls.push(node);
          break;
        case AST_NODE_TYPES.VariableDeclaration:
          for (const d of node.declarations) {
            patternNames(d.id).forEach(declare);
            if (node.kind === 'const' && d.id.type === AST_NODE_TYPES.Identifier && d.init) constInits.set(d.id.name, d.init);
          }
          break;
        case AST_NODE_TYPES.FunctionDeclaration:
        case AST_NODE_TYPES.FunctionExpression:
        case AST_NODE_TYPES.ArrowFunctionExpression:
          if (node.type !== AST_NODE_TYPES.ArrowFunctionExpression && node.id) declare(node.id);
          if (countsParams(node, parents)) for (const param of node.params) patternNames(param).forEach(declare);
          break;
        case AST_NODE_TYPES.CatchClause:
          patternNames(node.param).forEach(declare);
          break;
        case AST_NODE_TYPES.ClassDeclaration:
          if (node.id) declare(node.id);
          break;
        case AST_NODE_TYPES.ImportDeclaration:
          for (const specifier of node.specifiers) {
            declare(specifier.local);
            const imported =
              specifier.type === AST_NODE_TYPES.ImportSpecifier
                ? specifier.imported.type === AST_NODE_TYPES.Identifier
                  ? specifier.imported.name
                  : String(specifier.imported.value)
                : specifier.type === AST_NODE_TYPES.ImportNamespaceSpecifier
                  ? null
                  : 'default';
            imports.push({ local: specifier.local.name, imported, source: String(node.source.value) });
          }
          break;
        default:
          break;
      }
      for (const child of childNodes(node, visitorKeys)) {
        if (parents.has(child) || child === program) continue;
        parents.set(child, node);
        stack.push(child);
      }
    }
  } catch {
    // keep what was collected
  }
  const once = (name: string): boolean => declarations.get(name) === 1;
  const consts = new Map<string, Node>();
  for (const [name, init] of constInits) if (once(name)) consts.set(name, init);
  calls.sort((a, b) => a.range[0] - b.range[0]);
  return { calls, parents, consts, once, imports };
}
