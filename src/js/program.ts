/**
 * The one walk of a JS/TS file that every front end reads: calls, tagged templates, loose strings, each node's
 * parent, the declarations (with the nodes that declare them), `const` initialisers and imports (ES and
 * `require`). Front ends never walk the tree themselves.
 *
 * Before the walk, a text pre-check: a file whose text has none of the words database access is written with (SQL
 * keywords, query-builder and ORM method names, `sql`, `query`, …) cannot hold any, and costs one regex test.
 */
import { AST_NODE_TYPES, type TSESTree } from '@typescript-eslint/utils';
import { isNode, ownChildKeys, patternNames, propertyName, unwrap, type Node, type VisitorKeys } from './estree.js';
import type { TypeOracle } from './types.js';

/** How a name is brought into the file from another module. */
export interface ImportBinding {
  local: string;
  /** The exported name (`'default'` for a default import, null for a namespace import or a whole `require`). */
  imported: string | null;
  /** The module specifier as written. */
  source: string;
  /** The identifier that declares the local name. */
  node: TSESTree.Identifier;
  /** A whole `require('m')`: the module's `module.exports` (its default export, or its namespace for `x.name`). */
  required?: true;
}

/** What every front end reads about a file, computed once. */
export interface ProgramScan {
  program: TSESTree.Program;
  text: string;
  visitorKeys: VisitorKeys;
  /** Every call expression, in source (pre-)order: a call before the calls inside it. */
  calls: TSESTree.CallExpression[];
  /** Every tagged template and call, in source (pre-)order. */
  candidates: Array<TSESTree.CallExpression | TSESTree.TaggedTemplateExpression>;
  /** String literals and untagged templates that are a whole value (not a piece of `+` or of a tagged template). */
  looseStrings: Array<TSESTree.StringLiteral | TSESTree.TemplateLiteral>;
  /** Each node's parent. */
  parents: ParentLookup;
  /** Class fields and `this.x = …` assignments (where clients are kept on an object). */
  fieldWrites: Array<TSESTree.PropertyDefinition | TSESTree.AssignmentExpression>;
  /** Nodes that declare names (variables, functions, parameters' functions, classes, catch, imports, enums). */
  declarations: Node[];
  /** `const x = …` initializers, for names declared exactly once in the file (so no shadowing can hide them). */
  consts: Map<string, Node>;
  /** `const x = …` initializers of every name (shadowed or not): for front ends that count declarations their way. */
  constInitsAll: ReadonlyMap<string, Node>;
  /** Is this name declared exactly once in the file (imports, variables, functions, parameters, classes)? */
  once: (name: string) => boolean;
  /** How many times each name is declared. */
  declarationCounts: ReadonlyMap<string, number>;
  imports: ImportBinding[];
  /** The `const` declarator of each name declared once (for `const q = knex('users')…` and its later uses). */
  constDeclarators: Map<string, TSESTree.VariableDeclarator>;
  /** `let`/`var`/`const` declarators of each name declared once (any kind). */
  declarators: Map<string, TSESTree.VariableDeclarator>;
  /** The type checker, under typed linting (set by the engine after the walk); asked only about candidates. */
  types?: TypeOracle;
  /** Absolute path of the file (set by the engine): imports are followed from here. */
  filename?: string;
}

/**
 * Each node's parent. ESLint links every node to its parent (`node.parent`) before rules run, so under ESLint this
 * costs nothing; for trees nobody linked (the schema loader parses files itself) the walk records the parents.
 */
export interface ParentLookup {
  get(node: Node): Node | undefined;
}

class LinkedParents implements ParentLookup {
  readonly unlinked = new Map<Node, Node>();
  get(node: Node): Node | undefined {
    return (node as { parent?: Node }).parent ?? this.unlinked.get(node);
  }
}

/**
 * A step of ESLint's traversal of the file (`SourceCode#traverse()`, computed once per file and shared by every
 * rule): kind 1 is a node, phase 1 entering it. Under ESLint the nodes are linked to their parents.
 */
export interface TraversalStep {
  kind?: number;
  phase?: number;
  target?: unknown;
}

/** Nodes a walk visits at most: a tree is far smaller; only a cyclic object (not a parser's output) gets here. */
const MAX_VISITS = 10_000_000;

/** Words without which a file cannot reach a database (checked case-insensitively, before any walk). */
const DATABASE_WORDS =
  /select|where|insert|update|delete|merge|join|sql|query|dynamodb|raw|find|first|count|pluck|aggregate|groupBy|min\(|max\(|sum\(|avg\(|from\(|table|execute|\.del\(|\.destroy\(|\.(?:in|de)crement\(|\.remove\(\s*[^)\s]|\b(?:create|alter|drop)\s+\w/i;

/** Could this file text hold database access at all? A cheap test run before the walk. */
export function mayHoldDatabaseAccess(text: string): boolean {
  return DATABASE_WORDS.test(text);
}

function importedName(specifier: TSESTree.ImportClause): string | null {
  if (specifier.type === AST_NODE_TYPES.ImportSpecifier) {
    return specifier.imported.type === AST_NODE_TYPES.Identifier ? specifier.imported.name : String(specifier.imported.value);
  }
  return specifier.type === AST_NODE_TYPES.ImportNamespaceSpecifier ? null : 'default';
}

/** `require('m')` (possibly `require('m').x`): the module specifier, or null. */
export function requiredModule(node: Node | null | undefined): { source: string; member: string | null } | null {
  if (!node) return null;
  let n = unwrap(node);
  let member: string | null = null;
  if (n.type === AST_NODE_TYPES.MemberExpression) {
    member = propertyName(n);
    if (member === null) return null;
    n = unwrap(n.object);
  }
  if (n.type !== AST_NODE_TYPES.CallExpression || n.arguments.length !== 1) return null;
  const callee = unwrap(n.callee);
  const arg = n.arguments[0]!;
  if (callee.type !== AST_NODE_TYPES.Identifier || callee.name !== 'require') return null;
  if (arg.type !== AST_NODE_TYPES.Literal || typeof arg.value !== 'string') return null;
  return { source: arg.value, member };
}

const DECLARING = new Set<string>([
  AST_NODE_TYPES.VariableDeclarator, AST_NODE_TYPES.FunctionDeclaration, AST_NODE_TYPES.FunctionExpression,
  AST_NODE_TYPES.ArrowFunctionExpression, AST_NODE_TYPES.ClassDeclaration, AST_NODE_TYPES.CatchClause,
  AST_NODE_TYPES.ImportDeclaration, AST_NODE_TYPES.TSEnumDeclaration,
]);

/** A string literal or untagged template that is a whole value (not a piece of a `+` chain or a tagged template). */
function isLooseString(node: Node, parent: Node | undefined): boolean {
  if (parent?.type === AST_NODE_TYPES.TaggedTemplateExpression) return false;
  if (parent?.type === AST_NODE_TYPES.BinaryExpression && parent.operator === '+') return false;
  return (node.type === AST_NODE_TYPES.Literal && typeof node.value === 'string') || node.type === AST_NODE_TYPES.TemplateLiteral;
}

/**
 * Walks a file once (iteratively: deep `+` chains would overflow a recursive walk). Never throws: what was
 * collected before a failure is kept.
 */
export function scanProgram(program: TSESTree.Program, text: string, visitorKeys: VisitorKeys, preorder?: Iterable<TraversalStep>): ProgramScan {
  const parents = new LinkedParents();
  const fieldWrites: ProgramScan['fieldWrites'] = [];
  const calls: TSESTree.CallExpression[] = [];
  const candidates: ProgramScan['candidates'] = [];
  const looseStrings: ProgramScan['looseStrings'] = [];
  const declarations: Node[] = [];
  const counts = new Map<string, number>();
  const constInits = new Map<string, Node>();
  const allDeclarators = new Map<string, TSESTree.VariableDeclarator>();
  const imports: ImportBinding[] = [];
  const visit = (child: Node, parent: Node): void => {
    if (child === program) return;
    if ((child as { parent?: Node }).parent !== parent) parents.unlinked.set(child, parent);
    stack.push(child);
  };
  const stack: Node[] = [program];
  const declare = (id: TSESTree.Identifier): void => {
    counts.set(id.name, (counts.get(id.name) ?? 0) + 1);
  };
  /** What the scan records of one node (visited in pre-order). */
  const enter = (node: Node): void => {
    if (DECLARING.has(node.type)) declarations.push(node);
    switch (node.type) {
      case AST_NODE_TYPES.CallExpression:
        calls.push(node);
        candidates.push(node);
        break;
      case AST_NODE_TYPES.TaggedTemplateExpression:
        candidates.push(node);
        break;
      case AST_NODE_TYPES.Literal:
      case AST_NODE_TYPES.TemplateLiteral:
        if (isLooseString(node, parents.get(node))) looseStrings.push(node as TSESTree.StringLiteral | TSESTree.TemplateLiteral);
        break;
      case AST_NODE_TYPES.VariableDeclaration:
        for (const d of node.declarations) {
          patternNames(d.id).forEach(declare);
          if (d.id.type === AST_NODE_TYPES.Identifier) {
            allDeclarators.set(d.id.name, d);
            if (node.kind === 'const' && d.init) constInits.set(d.id.name, d.init);
          }
          const required = d.id.type === AST_NODE_TYPES.Identifier ? requiredModule(d.init) : null;
          if (required && d.id.type === AST_NODE_TYPES.Identifier) {
            imports.push({ local: d.id.name, imported: required.member, source: required.source, node: d.id, ...(required.member === null ? { required: true as const } : {}) });
          } else if (d.id.type === AST_NODE_TYPES.ObjectPattern) {
            const whole = requiredModule(d.init);
            if (whole && whole.member === null) {
              for (const property of d.id.properties) {
                if (property.type !== AST_NODE_TYPES.Property || property.computed) continue;
                const key = property.key.type === AST_NODE_TYPES.Identifier ? property.key.name : null;
                const value = property.value.type === AST_NODE_TYPES.Identifier ? property.value : null;
                if (key && value) imports.push({ local: value.name, imported: key, source: whole.source, node: value });
              }
            }
          }
        }
        break;
      case AST_NODE_TYPES.FunctionDeclaration:
      case AST_NODE_TYPES.FunctionExpression:
      case AST_NODE_TYPES.ArrowFunctionExpression:
        if (node.type !== AST_NODE_TYPES.ArrowFunctionExpression && node.id) declare(node.id);
        for (const param of node.params) patternNames(param).forEach(declare);
        break;
      case AST_NODE_TYPES.CatchClause:
        patternNames(node.param).forEach(declare);
        break;
      case AST_NODE_TYPES.ClassDeclaration:
        if (node.id) declare(node.id);
        break;
      case AST_NODE_TYPES.TSEnumDeclaration:
        declare(node.id);
        break;
      case AST_NODE_TYPES.PropertyDefinition:
        fieldWrites.push(node);
        break;
      case AST_NODE_TYPES.AssignmentExpression:
        if (unwrap(node.left).type === AST_NODE_TYPES.MemberExpression) fieldWrites.push(node);
        break;
      case AST_NODE_TYPES.ImportDeclaration:
        for (const specifier of node.specifiers) {
          declare(specifier.local);
          imports.push({ local: specifier.local.name, imported: importedName(specifier), source: String(node.source.value), node: specifier.local });
        }
        break;
      default:
        break;
    }
  };
  try {
    if (preorder) {
      // ESLint's own pre-order traversal, already made and cached for the rules: no walk of ours at all
      for (const step of preorder) if (step.kind === 1 && step.phase === 1 && isNode(step.target)) enter(step.target);
    } else {
      let visits = 0;
      while (stack.length && ++visits < MAX_VISITS) {
        const node = stack.pop()!;
        enter(node);
        // children pushed last first, so they are visited in order; no array per node
        const record = node as unknown as Record<string, unknown>;
        const keys = visitorKeys?.[node.type] ?? ownChildKeys(record);
        for (let k = keys.length - 1; k >= 0; k--) {
          const value = record[keys[k]!];
          if (Array.isArray(value)) {
            for (let e = value.length - 1; e >= 0; e--) {
              const element: unknown = value[e];
              if (isNode(element)) visit(element, node);
            }
          } else if (isNode(value)) {
            visit(value, node);
          }
        }
      }
    }
  } catch {
    // keep what was collected
  }
  // source order; a stable sort keeps a call before the calls inside it (visited first, same start)
  calls.sort((a, b) => a.range[0] - b.range[0]);
  candidates.sort((a, b) => a.range[0] - b.range[0]);
  const once = (name: string): boolean => counts.get(name) === 1;
  const consts = new Map<string, Node>();
  for (const [name, init] of constInits) if (once(name)) consts.set(name, init);
  const constDeclarators = new Map<string, TSESTree.VariableDeclarator>();
  const declarators = new Map<string, TSESTree.VariableDeclarator>();
  for (const [name, d] of allDeclarators) {
    if (!once(name)) continue;
    declarators.set(name, d);
    if (consts.has(name)) constDeclarators.set(name, d);
  }
  return {
    program, text, visitorKeys, calls, candidates, looseStrings, parents, fieldWrites, declarations, consts, once,
    declarationCounts: counts, constInitsAll: constInits, imports, constDeclarators, declarators,
  };
}

/** The scan of an empty file (what a file that fails the pre-check gets). */
export function emptyScan(program: TSESTree.Program, text: string, visitorKeys: VisitorKeys): ProgramScan {
  return {
    program, text, visitorKeys, calls: [], candidates: [], looseStrings: [], parents: new LinkedParents(), fieldWrites: [], declarations: [],
    consts: new Map(), once: () => false, declarationCounts: new Map(), constInitsAll: new Map(), imports: [], constDeclarators: new Map(),
    declarators: new Map(),
  };
}
