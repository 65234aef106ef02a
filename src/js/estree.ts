/**
 * Small ESTree helpers shared by the extractors (SQL strings and query-builder chains).
 */
import { AST_NODE_TYPES, type TSESTree } from '@typescript-eslint/utils';

export type Node = TSESTree.Node;
export type VisitorKeys = Readonly<Record<string, readonly string[] | undefined>> | undefined;

export function isNode(value: unknown): value is Node {
  return typeof value === 'object' && value !== null && typeof (value as { type?: unknown }).type === 'string';
}

/** Strips TS-only wrappers (`as`, `satisfies`, `!`, `<T>x`, `f<T>`) and optional-chain wrappers. */
export function unwrap(node: Node): Node {
  let current = node;
  for (;;) {
    switch (current.type) {
      case AST_NODE_TYPES.TSAsExpression:
      case AST_NODE_TYPES.TSSatisfiesExpression:
      case AST_NODE_TYPES.TSNonNullExpression:
      case AST_NODE_TYPES.TSTypeAssertion:
      case AST_NODE_TYPES.TSInstantiationExpression:
      case AST_NODE_TYPES.ChainExpression:
        current = current.expression;
        break;
      default:
        return current;
    }
  }
}

/** The name of a member's property: `a.b` → 'b', `a['b']` → 'b', `a.#b` → 'b'; null when computed otherwise. */
export function propertyName(member: TSESTree.MemberExpression): string | null {
  const property = member.property;
  if (!member.computed && (property.type === AST_NODE_TYPES.Identifier || property.type === AST_NODE_TYPES.PrivateIdentifier)) {
    return property.name;
  }
  if (member.computed && property.type === AST_NODE_TYPES.Literal && typeof property.value === 'string') return property.value;
  return null;
}

/** The keys of a node that may hold children, for a node type the visitor keys do not list. */
export function ownChildKeys(record: Record<string, unknown>): string[] {
  return Object.keys(record).filter((k) => k !== 'parent' && k !== 'range' && k !== 'loc' && k !== 'tokens' && k !== 'comments');
}

/** Child nodes in visiting order (visitorKeys when given, else every node-valued property but `parent`). */
export function childNodes(node: Node, visitorKeys: VisitorKeys): Node[] {
  const record = node as unknown as Record<string, unknown>;
  const keys = visitorKeys?.[node.type] ?? ownChildKeys(record);
  const children: Node[] = [];
  for (const key of keys) {
    const value = record[key];
    if (Array.isArray(value)) {
      for (const element of value) if (isNode(element)) children.push(element);
    } else if (isNode(value)) {
      children.push(value);
    }
  }
  return children;
}

/** The identifiers a binding pattern declares (`{ a, b: [c] }` → a, c). */
export function patternNames(pattern: Node | null | undefined, out: TSESTree.Identifier[] = []): TSESTree.Identifier[] {
  if (!pattern) return out;
  switch (pattern.type) {
    case AST_NODE_TYPES.Identifier:
      out.push(pattern);
      break;
    case AST_NODE_TYPES.ObjectPattern:
      for (const property of pattern.properties) {
        patternNames(property.type === AST_NODE_TYPES.Property ? property.value : property, out);
      }
      break;
    case AST_NODE_TYPES.ArrayPattern:
      for (const element of pattern.elements) patternNames(element, out);
      break;
    case AST_NODE_TYPES.AssignmentPattern:
      patternNames(pattern.left, out);
      break;
    case AST_NODE_TYPES.RestElement:
      patternNames(pattern.argument, out);
      break;
    case AST_NODE_TYPES.TSParameterProperty:
      patternNames(pattern.parameter, out);
      break;
    default:
      break;
  }
  return out;
}
