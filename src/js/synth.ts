/**
 * Shared by the front ends that synthesize SQL from code (query builders, Prisma client, drizzle): building mapped
 * text, reading object-literal keys, and deciding whether a chain is a query that runs.
 */
import { AST_NODE_TYPES, type TSESTree } from '@typescript-eslint/utils';
import { propertyName, unwrap, type Node, type VisitorKeys } from './estree.js';
import { scanProgram, type ParentLookup, type ProgramScan } from './program.js';
import { MappedText } from './mapped-text.js';
import type { SqlFragment } from '../sql/fragment.js';
import { needsQuotes } from '../sql/ident.js';
import { nextIdent, nextParam, type PlaceholderCounter } from '../sql/placeholder.js';

/** Mapped text with two builders: synthetic text at one source position, and another mapped text appended. */
export class SynthText extends MappedText {
  syn(text: string, pos: number): this {
    this.push(text, pos);
    return this;
  }

  /** The finished fragment of synthesized SQL: it maps back to the code, but is not text of the file to edit. */
  toSynthesized(): SqlFragment {
    return { ...this.toFragment('query-builder'), fixable: false };
  }

  add(other: MappedText): this {
    for (let k = 0; k < other.text.length; k++) this.copyChar(other, k);
    return this;
  }

  /**
   * `"__sd_ident_N" = $M`, mapped at `pos`: an assignment of values the code does not spell out where the write is
   * made (`update(changes)`, `{ ...changes }`). The write is still lowered and checked; the check knows it may set
   * any column, the soft-delete column included.
   */
  unseenAssignment(counter: PlaceholderCounter, pos: number): this {
    this.push(nextIdent(counter), pos, true);
    this.syn(' = ', pos);
    this.push(nextParam(counter), pos, true);
    return this;
  }

  /**
   * `items` joined into a clause: ` WHERE a AND b`, ` SET a = $1, b = $2` — `head` before the first, `separator`
   * between them, both synthetic text at `pos`; nothing at all when `items` is empty.
   */
  clause(head: string, items: readonly MappedText[], separator: string, pos: number): this {
    items.forEach((item, k) => {
      const joint = k === 0 ? head : separator;
      if (joint !== '') this.syn(joint, pos);
      this.add(item);
    });
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

/**
 * Appends a name as an SQL identifier (quoted only when PostgreSQL needs it), its characters mapped one by one onto
 * the source range `[from, to)` (clamped to it; the name's end onto its end), the quotes onto its ends.
 */
export function pushIdent(text: MappedText, name: string, [from, to]: readonly [number, number]): void {
  const last = Math.max(from, to - 1);
  const quoted = needsQuotes(name);
  if (quoted) text.push('"', from);
  for (let k = 0; k < name.length; k++) {
    // the last character lands on the end of the range, so a report covers all of it
    const at = k === name.length - 1 && !quoted ? last : Math.min(from + k, last);
    text.push(name[k] === '"' && quoted ? '""' : name[k]!, at);
  }
  if (quoted) text.push('"', last);
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
function meaningfulParent(node: Node, parents: ParentLookup): { child: Node; parent: Node | undefined } {
  let child = node;
  let parent = parents.get(child);
  while (parent && unwrap(parent) !== parent) {
    child = parent;
    parent = parents.get(parent);
  }
  return { child, parent };
}

/** Does the value of `node` get run as a query? (awaited, returned from an async function, in `Promise.all([…])`) */
export function awaited(node: Node, parents: ParentLookup): boolean {
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
export function continued(node: Node, parents: ParentLookup): boolean {
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

/** The one walk of a file, under the name older callers use. */
export type FileScan = ProgramScan;

/** The one walk of a file (see `scanProgram`), for callers without the file text. */
export function scanFile(program: TSESTree.Program, visitorKeys: VisitorKeys): FileScan {
  return scanProgram(program, '', visitorKeys);
}

/**
 * Edits importing `names` from `module`: added to the file's named import of it (`import { a } from 'm'` →
 * `import { a, b } from 'm'`), else a new import after the last one. Null when the file has no import to follow.
 */
export function importEdits(scan: ProgramScan, module: string, names: readonly string[]): Array<{ start: number; end: number; text: string }> | null {
  const imports = scan.program.body.filter((n): n is TSESTree.ImportDeclaration => n.type === AST_NODE_TYPES.ImportDeclaration);
  const named = imports.find(
    (d) => d.source.value === module && d.importKind !== 'type' && d.specifiers.length > 0 && d.specifiers.every((sp) => sp.type === AST_NODE_TYPES.ImportSpecifier),
  );
  if (named) {
    const last = named.specifiers[named.specifiers.length - 1]!;
    return [{ start: last.range[1], end: last.range[1], text: `, ${names.join(', ')}` }];
  }
  const lastImport = imports[imports.length - 1];
  if (!lastImport) return null;
  return [{ start: lastImport.range[1], end: lastImport.range[1], text: `\nimport { ${names.join(', ')} } from '${module}';` }];
}
