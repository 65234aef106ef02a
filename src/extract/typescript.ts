/**
 * Finds SQL embedded in a TS/JS file: `sql`-tagged templates (slonik, postgres.js, Prisma, drizzle, …) and the
 * first argument of query-running calls (`pool.query('…')`, `knex.raw('…', [x])`, `db.any('…')`, …).
 *
 * Each piece becomes a SqlFragment whose text the parser can read and whose `toSource` points back into the file:
 * - `${expr}` in a value position becomes `$N`, in an identifier position (`FROM ${t}`, `${schema}.users`) a quoted
 *   `"__sd_ident_N"`; both are opaque and map to the `${`;
 * - an inline nested `sql` template is inlined with its own mapping; a `const` string (or `const` sql fragment)
 *   the file declares is inlined and maps to the `${` (or, in a `+` concatenation, to the identifier);
 * - knex / Sequelize `?`, `??`, `:name`, `:name:` and pg-promise `${name}`, `$1:name` placeholders are normalised.
 *
 * Inside a *tagged* template a const string in a value position stays a `$N` param: the tag binds it as a value
 * at run time. It is inlined only where a value cannot be (an identifier position). In untagged templates and
 * concatenations — plain JS string building — consts are always inlined.
 */
import type { NotUnderstoodCall } from './frontend.js';
import { AST_NODE_TYPES, type TSESTree } from '@typescript-eslint/utils';
import type { SqlFragment } from '../sql/fragment.js';
import { patternNames, propertyName, unwrap } from '../js/estree.js';
import { decodeJsString, rawTemplateText } from './js-string.js';
import { looksLikeSql } from './looks-like-sql.js';
import { MappedText } from '../js/mapped-text.js';
import { STAND_IN } from '../sql/placeholder.js';
import { quoteIdent } from '../sql/ident.js';
import { skipSpaceAndComments } from '../sql/lexical.js';
import { scanProgram, type ParentLookup, type ProgramScan } from '../js/program.js';
import { rethrowWhenStrict } from '../strict.js';
import { clientsOf } from './clients.js';
import {
  nextIdent,
  nextParam,
  normalizePlaceholders,
  type PlaceholderCounter,
  type PlaceholderStyle,
} from './placeholders.js';

export { looksLikeSql } from './looks-like-sql.js';

export interface ExtractOptions {
  /** Extra template tags (full dotted text such as `db.sql`, or the last name). */
  tags?: string[];
  /** Extra function / method names whose first argument is SQL (full dotted text or the last name). */
  functions?: string[];
  /**
   * Also take every other string or untagged template in the file that holds DDL (`CREATE …`, `ALTER …`, `DROP …`):
   * migrations keep their SQL in arrays and constants run in a loop. For schema loading only.
   */
  ddlStrings?: boolean;
  /**
   * Where to note query-running calls whose SQL cannot be read (built at run time, from a value the file does not
   * spell out): recognised database access that goes unchecked, for no-unchecked-query.
   */
  notUnderstood?: NotUnderstoodCall[];
}


export interface ExtractedSql {
  fragment: SqlFragment;
  /** The template literal, string literal, concatenation or const initializer the SQL text came from. */
  node: TSESTree.Node;
  kind: 'tagged-template' | 'call-argument' | 'ddl-string';
}

type Node = TSESTree.Node;

/** Tags whose last name marks a SQL template; the `sql.`-only ones are checked separately. */
const BUILTIN_TAGS = new Set(['sql', 'SQL', 'unsafe', 'fragment', 'type', 'typeAlias', '$queryRaw', '$executeRaw', 'raw']);
const SQL_OBJECT_ONLY_TAGS = new Set(['unsafe', 'fragment', 'type', 'typeAlias']);

const PG_PROMISE_METHODS = ['any', 'one', 'many', 'none', 'oneOrNone', 'manyOrNone', 'result', 'multi'];
const BUILTIN_FUNCTIONS = new Set([
  'query', 'execute', 'raw', 'unsafe', '$queryRawUnsafe', '$executeRawUnsafe', 'addSql',
  'whereRaw', 'joinRaw', 'havingRaw', 'orderByRaw', 'selectRaw', 'fromRaw',
  ...PG_PROMISE_METHODS,
]);
/** knex-style `*Raw` builder methods (`orWhereRaw`, `groupByRaw`, …). */
const KNEX_RAW_METHOD = /^[a-z][A-Za-z0-9]*Raw$/;
const PG_PROMISE_STYLE = new Set([...PG_PROMISE_METHODS, 'query']);
/**
 * Objects whose methods take SQL in real code even under project-specific names (`sql.selectId('SELECT …')`,
 * `db.fetchAll('SELECT …')`): any method on them is a candidate, kept only when its text looks like SQL.
 */
const DB_OBJECT = /^(db|database|pool|client|conn|connection|sql|pg|knex|trx|tx|transaction|queryRunner|manager|em)$/i;
/** Arguments that may hold SQL the extractor cannot read (a function or an object literal is another call shape). */
const UNREADABLE_SQL = new Set<string>([
  AST_NODE_TYPES.Identifier, AST_NODE_TYPES.MemberExpression, AST_NODE_TYPES.CallExpression, AST_NODE_TYPES.ConditionalExpression,
  AST_NODE_TYPES.LogicalExpression, AST_NODE_TYPES.AwaitExpression, AST_NODE_TYPES.BinaryExpression,
]);
/** A DDL keyword, tried (sticky) where the text's code starts: comments are skipped by a linear scan first. */
const DDL_KEYWORD = /(?:CREATE|ALTER|DROP|COMMENT\s+ON)\b/iy;

function startsWithDdl(text: string): boolean {
  DDL_KEYWORD.lastIndex = skipSpaceAndComments(text, 0);
  return DDL_KEYWORD.test(text);
}

/** Keywords after which an interpolation names a relation (or alias) rather than a value. */
const IDENTIFIER_KEYWORDS = new Set(['FROM', 'JOIN', 'UPDATE', 'INTO', 'TABLE', 'ONLY', 'AS', 'TRUNCATE', 'REFERENCES']);

const BLOCK_SCOPES = new Set<string>([
  AST_NODE_TYPES.Program, AST_NODE_TYPES.BlockStatement, AST_NODE_TYPES.StaticBlock, AST_NODE_TYPES.ForStatement,
  AST_NODE_TYPES.ForInStatement, AST_NODE_TYPES.ForOfStatement, AST_NODE_TYPES.SwitchStatement,
  AST_NODE_TYPES.TSModuleBlock, AST_NODE_TYPES.CatchClause,
]);
const FUNCTION_SCOPES = new Set<string>([
  AST_NODE_TYPES.Program, AST_NODE_TYPES.FunctionDeclaration, AST_NODE_TYPES.FunctionExpression,
  AST_NODE_TYPES.ArrowFunctionExpression, AST_NODE_TYPES.StaticBlock, AST_NODE_TYPES.TSModuleBlock,
]);

const MAX_DEPTH = 24;

/** `end`: the source index just after a text item (its closing delimiter), so an edit at its end lands there. */
type Item = { kind: 'text'; text: string; src: number[]; end?: number } | { kind: 'param' | 'ident'; pos: number };

interface Binding {
  scopeStart: number;
  scopeEnd: number;
  /** The initializer of a `const name = …` (null for anything we cannot read: let, var, params, imports, …). */
  init: Node | null;
  /** Members of a `enum`. */
  enumMembers?: TSESTree.TSEnumMember[];
}

interface Resolved {
  items: Item[];
  /** No opaque placeholder inside. */
  complete: boolean;
  /** A `sql`-tagged template: a fragment that tags splice in as SQL, not as a value. */
  fragment: boolean;
}

/** `this.prisma.$queryRaw` → ['this', 'prisma', '$queryRaw']; unknown parts are '?'. */
function nameParts(node: Node, depth = 0): string[] {
  if (depth > MAX_DEPTH) return ['?'];
  const n = unwrap(node);
  if (n.type === AST_NODE_TYPES.Identifier) return [n.name];
  if (n.type === AST_NODE_TYPES.ThisExpression) return ['this'];
  if (n.type === AST_NODE_TYPES.MemberExpression) {
    return [...nameParts(n.object, depth + 1), propertyName(n) ?? '?'];
  }
  return ['?'];
}

function keyName(key: Node): string | null {
  if (key.type === AST_NODE_TYPES.Identifier) return key.name;
  if (key.type === AST_NODE_TYPES.Literal && (typeof key.value === 'string' || typeof key.value === 'number')) {
    return String(key.value);
  }
  return null;
}

function findProperty(object: TSESTree.ObjectExpression, names: readonly string[]): Node | null {
  for (let k = object.properties.length - 1; k >= 0; k--) {
    const property = object.properties[k];
    if (!property || property.type !== AST_NODE_TYPES.Property || property.kind !== 'init') continue;
    if (property.computed && property.key.type !== AST_NODE_TYPES.Literal) continue;
    const name = keyName(property.key);
    if (name !== null && names.includes(name)) return property.value;
  }
  return null;
}


/**
 * Is an interpolation between `before` and `after` in an identifier position? A `.` directly next to it, or the
 * previous word is FROM / JOIN / UPDATE / INTO / TABLE / ONLY / AS (not `IS DISTINCT FROM`).
 */
function isIdentifierPosition(before: string, after: string): boolean {
  if (after.startsWith('.') || before.endsWith('.')) return true;
  const words = /(?:^|[^\w$"])([A-Za-z_]+)\s+(?:([A-Za-z_]+)\s+)?$/.exec(` ${before}`);
  if (!words) return false;
  // the regex captures the last two words in order: [1] is the earlier one when two matched
  const last = (words[2] ?? words[1] ?? '').toUpperCase();
  const previous = words[2] ? (words[1] ?? '').toUpperCase() : '';
  if (!IDENTIFIER_KEYWORDS.has(last)) return false;
  return !(last === 'FROM' && previous === 'DISTINCT');
}

/** The operands of a `+` chain, left to right (iteratively: generated code can nest thousands deep). */
function plusOperands(node: Node): Node[] {
  const operands: Node[] = [];
  const stack: Node[] = [node];
  while (stack.length) {
    const n = unwrap(stack.pop()!);
    if (n.type === AST_NODE_TYPES.BinaryExpression && n.operator === '+') {
      stack.push(n.right, n.left);
    } else {
      operands.push(n);
    }
  }
  return operands;
}

function flatten(items: readonly Item[], pos: number): Item[] {
  return items.map((item) =>
    item.kind === 'text' ? { kind: 'text', text: item.text, src: item.text.split('').map(() => pos) } : { kind: item.kind, pos },
  );
}

function itemsComplete(items: readonly Item[]): boolean {
  return items.every((item) => item.kind === 'text');
}

/** The last characters of the text built so far (placeholders rendered as stand-ins). */
function tailText(items: readonly Item[]): string {
  let text = '';
  for (let k = items.length - 1; k >= 0 && text.length < 80; k--) {
    const item = items[k]!;
    text = (item.kind === 'text' ? item.text : STAND_IN[item.kind]) + text;
  }
  return text;
}

function render(items: readonly Item[]): { text: MappedText; counter: PlaceholderCounter } {
  let highest = 0;
  for (const item of items) {
    if (item.kind !== 'text') continue;
    for (const match of item.text.matchAll(/\$(\d{1,6})/g)) highest = Math.max(highest, Number(match[1]));
  }
  const counter: PlaceholderCounter = { param: highest, ident: 0 };
  const text = new MappedText();
  for (const item of items) {
    if (item.kind === 'text') text.push(item.text, item.src, false, item.end);
    else text.push(item.kind === 'param' ? nextParam(counter) : nextIdent(counter), item.pos, true);
  }
  return { text, counter };
}

class Extractor {
  private readonly bindings = new Map<string, Binding[]>();
  private readonly tags: Set<string>;
  private readonly functions: Set<string>;
  /** Nested sql templates inlined into the fragment being built (committed when that fragment is kept). */
  private readonly consumedNow = new Set<Node>();
  readonly consumed = new Set<Node>();
  private readonly extractedNodes = new Set<Node>();
  readonly results: ExtractedSql[] = [];

  constructor(
    private readonly source: string,
    options: ExtractOptions | undefined,
    /** Locals bound to a SQL tag (a renamed `sql` import, a postgres.js instance): read as `sql`. */
    private readonly sqlTags: ReadonlySet<string> = new Set(),
    /** A tag the names do not settle: is it a SQL tag by another module's binding or by its type (typed linting)? */
    private readonly typedTag: (tag: Node) => boolean = () => false,
  ) {
    this.tags = new Set(options?.tags ?? []);
    this.functions = new Set(options?.functions ?? []);
    this.notUnderstood = options?.notUnderstood;
  }

  private readonly notUnderstood: NotUnderstoodCall[] | undefined;

  /** `nameParts`, with a local bound to a SQL tag read as `sql`. */
  private parts(node: Node): string[] {
    const parts = nameParts(node);
    if (parts.length > 0 && parts[0] !== 'sql' && this.sqlTags.has(parts[0]!)) parts[0] = 'sql';
    return parts;
  }

  // ── scope bookkeeping ──────────────────────────────────────────────────────────────────────────────────────────

  private bind(name: string, scope: Node | undefined, binding: Omit<Binding, 'scopeStart' | 'scopeEnd'>): void {
    if (!scope) return;
    const list = this.bindings.get(name) ?? [];
    list.push({ scopeStart: scope.range[0], scopeEnd: scope.range[1], ...binding });
    this.bindings.set(name, list);
  }

  /** Declarations read on the first lookup: most files never look a name up. */
  private pending: { nodes: readonly Node[]; parents: ParentLookup } | null = null;

  deferDeclarations(nodes: readonly Node[], parents: ParentLookup): void {
    this.pending = { nodes, parents };
  }

  private declarePending(): void {
    const pending = this.pending;
    if (!pending) return;
    this.pending = null;
    try {
      for (const node of pending.nodes) this.declare(node, pending.parents);
    } catch (error) {
      // fall through with the declarations recorded so far
      rethrowWhenStrict(error);
    }
  }

  /** Records the names a node declares. */
  declare(node: Node, parents: ParentLookup): void {
    const nearest = (kinds: Set<string>): Node | undefined => {
      for (let p = parents.get(node); p; p = parents.get(p)) if (kinds.has(p.type)) return p;
      return undefined;
    };
    const parent = parents.get(node);
    switch (node.type) {
      case AST_NODE_TYPES.VariableDeclarator: {
        const declaration = parent;
        const kind = declaration?.type === AST_NODE_TYPES.VariableDeclaration ? declaration.kind : 'let';
        const scope = nearest(kind === 'var' ? FUNCTION_SCOPES : BLOCK_SCOPES);
        if (kind === 'const' && node.id.type === AST_NODE_TYPES.Identifier && node.init) {
          this.bind(node.id.name, scope, { init: node.init });
        } else {
          for (const id of patternNames(node.id)) this.bind(id.name, scope, { init: null });
        }
        break;
      }
      case AST_NODE_TYPES.FunctionDeclaration:
      case AST_NODE_TYPES.FunctionExpression:
      case AST_NODE_TYPES.ArrowFunctionExpression:
        if (node.type === AST_NODE_TYPES.FunctionDeclaration && node.id) {
          this.bind(node.id.name, nearest(BLOCK_SCOPES), { init: null });
        } else if (node.type === AST_NODE_TYPES.FunctionExpression && node.id) {
          this.bind(node.id.name, node, { init: null });
        }
        for (const param of node.params) for (const id of patternNames(param)) this.bind(id.name, node, { init: null });
        break;
      case AST_NODE_TYPES.ClassDeclaration:
        if (node.id) this.bind(node.id.name, nearest(BLOCK_SCOPES), { init: null });
        break;
      case AST_NODE_TYPES.CatchClause:
        for (const id of patternNames(node.param)) this.bind(id.name, node, { init: null });
        break;
      case AST_NODE_TYPES.ImportDeclaration:
      {
        let root: Node | undefined = node;
        while (root && parents.get(root)) root = parents.get(root);
        for (const specifier of node.specifiers) this.bind(specifier.local.name, root, { init: null });
        break;
      }
      case AST_NODE_TYPES.TSEnumDeclaration: {
        const loose = node as unknown as { members?: TSESTree.TSEnumMember[]; body?: { members?: TSESTree.TSEnumMember[] } };
        this.bind(node.id.name, nearest(BLOCK_SCOPES), { init: null, enumMembers: loose.body?.members ?? loose.members ?? [] });
        break;
      }
      default:
        break;
    }
  }

  /** The innermost binding of `name` visible at `pos`, or null (also when two bindings share that scope). */
  private lookup(name: string, pos: number): Binding | null {
    this.declarePending();
    let best: Binding | null = null;
    let ambiguous = false;
    for (const binding of this.bindings.get(name) ?? []) {
      if (pos < binding.scopeStart || pos > binding.scopeEnd) continue;
      const size = binding.scopeEnd - binding.scopeStart;
      const bestSize = best ? best.scopeEnd - best.scopeStart : Infinity;
      if (size < bestSize) {
        best = binding;
        ambiguous = false;
      } else if (size === bestSize) {
        ambiguous = true;
      }
    }
    return ambiguous ? null : best;
  }

  /**
   * Follows `IDENT` to its `const` initializer, `OBJ.key` to a const object literal's property and `Enum.Member`
   * to its initializer, until something else; null when the chain leaves what this file declares.
   */
  private deref(node: Node, depth = 0): Node | null {
    if (depth > MAX_DEPTH) return null;
    const n = unwrap(node);
    if (n.type === AST_NODE_TYPES.Identifier) {
      const init = this.lookup(n.name, n.range[0])?.init;
      return init ? this.deref(init, depth + 1) : null;
    }
    if (n.type === AST_NODE_TYPES.MemberExpression) {
      const key = propertyName(n);
      if (key === null) return null;
      const object = unwrap(n.object);
      if (object.type === AST_NODE_TYPES.Identifier) {
        const binding = this.lookup(object.name, object.range[0]);
        if (binding?.enumMembers) {
          const member = binding.enumMembers.find((m) => keyName(m.id) === key);
          return member?.initializer ? this.deref(member.initializer, depth + 1) : null;
        }
      }
      const target = this.deref(object, depth + 1);
      if (target?.type !== AST_NODE_TYPES.ObjectExpression) return null;
      const value = findProperty(target, [key]);
      return value ? this.deref(value, depth + 1) : null;
    }
    return n;
  }

  // ── text of JS literals ───────────────────────────────────────────────────────────────────────────────────────

  private stringItems(node: TSESTree.StringLiteral): Item {
    const start = node.range[0] + 1;
    const body = this.source.slice(start, node.range[1] - 1);
    const decoded = decodeJsString(body, false);
    const end = node.range[1] - 1;
    if (decoded && decoded.text === node.value) {
      return { kind: 'text', text: decoded.text, src: decoded.offsets.map((o) => start + o), end };
    }
    const last = Math.max(0, body.length - 1);
    return { kind: 'text', text: node.value, src: node.value.split('').map((_, k) => start + Math.min(k, last)), end };
  }

  private quasiItem(quasi: TSESTree.TemplateElement): Item {
    const start = quasi.range[0] + 1;
    const end = quasi.range[1] - (quasi.tail ? 1 : 2);
    const body = this.source.slice(start, end);
    const decoded = decodeJsString(body, true);
    const cooked = quasi.value.cooked as string | null | undefined;
    if (cooked == null || decoded === null) {
      // An invalid escape (`\1` in a regexp_replace back-reference, `\8`, `\x`): no cooked value at run time (the
      // parser's lenient one is not what a tag sees), the raw text is it.
      const raw = rawTemplateText(body);
      return { kind: 'text', text: raw.text, src: raw.offsets.map((o) => start + o), end };
    }
    if (decoded && decoded.text === cooked) {
      return { kind: 'text', text: decoded.text, src: decoded.offsets.map((o) => start + o), end };
    }
    const text = cooked ?? quasi.value.raw;
    const last = Math.max(0, body.length - 1);
    return { kind: 'text', text, src: text.split('').map((_, k) => start + Math.min(k, last)), end };
  }

  // ── tags and callees ──────────────────────────────────────────────────────────────────────────────────────────

  isSqlTag(tag: Node): boolean {
    let t = unwrap(tag);
    if (t.type === AST_NODE_TYPES.CallExpression) t = unwrap(t.callee); // sql.type(z)`…`
    const parts = this.parts(t);
    const last = parts[parts.length - 1] ?? '?';
    const object = parts[parts.length - 2];
    if (this.tags.has(parts.join('.')) || this.tags.has(last)) return true;
    if (!BUILTIN_TAGS.has(last)) return t.type === AST_NODE_TYPES.Identifier || t.type === AST_NODE_TYPES.MemberExpression ? this.typedTag(t) : false;
    if (SQL_OBJECT_ONLY_TAGS.has(last)) return object === 'sql';
    if (last === 'raw') return object !== 'String';
    return true;
  }

  // ── building items ────────────────────────────────────────────────────────────────────────────────────────────

  /** Items of a template literal. `tagged`: interpolations are bound values (a tag) or spliced text (plain JS). */
  private templateItems(template: TSESTree.TemplateLiteral, tagged: boolean, depth: number): Item[] {
    const items: Item[] = [];
    template.quasis.forEach((quasi, k) => {
      items.push(this.quasiItem(quasi));
      const expression = template.expressions[k];
      if (!expression) return;
      const next = template.quasis[k + 1];
      const after = next ? (next.value.cooked ?? next.value.raw) : '';
      this.interpolation(expression, quasi.range[1] - 2, tagged, items, after, depth + 1);
    });
    return items;
  }

  private interpolation(expression: Node, dollar: number, tagged: boolean, items: Item[], after: string, depth: number): void {
    const e = unwrap(expression);
    if (depth > MAX_DEPTH) {
      items.push({ kind: 'param', pos: dollar });
      return;
    }
    if (e.type === AST_NODE_TYPES.TaggedTemplateExpression && this.isSqlTag(e.tag)) {
      this.consumedNow.add(e);
      items.push(...this.templateItems(e.quasi, true, depth));
      return;
    }
    const helper = this.helperText(e, depth);
    if (helper !== null) {
      items.push(...flatten(helper, dollar));
      return;
    }
    const identifier = isIdentifierPosition(tailText(items), after);
    // a literal or untagged template written right here in plain JS: its characters are in the file (in a tagged
    // template only where it is inlined at all, an identifier position: `FROM ${'public.orgs'}`)
    if (e.type === AST_NODE_TYPES.Literal || e.type === AST_NODE_TYPES.TemplateLiteral) {
      const direct = this.resolve(e, depth);
      if (direct && (!tagged || (identifier && direct.complete && !direct.fragment))) {
        items.push(...direct.items);
        return;
      }
    }
    const resolved = this.resolve(e, depth);
    if (resolved && (resolved.fragment || (resolved.complete && (!tagged || identifier)))) {
      items.push(...flatten(resolved.items, dollar));
      return;
    }
    items.push({ kind: identifier ? 'ident' : 'param', pos: dollar });
  }

  /**
   * SQL helpers spliced into tagged templates: `sql.identifier(['a', 'b'])` / `sql.ident` / `sql.id` /
   * `sql.table` / `sql.ref` and postgres.js `sql('users')` → quoted identifiers; `sql.raw('…')`, `sql.unsafe('…')`,
   * `Prisma.raw('…')` → raw text; `Prisma.empty` / `sql.empty` → nothing. null when `e` is none of these or its
   * argument is not a known string.
   */
  private helperText(e: Node, depth: number): Item[] | null {
    if (e.type === AST_NODE_TYPES.MemberExpression) {
      const dotted = this.parts(e).join('.');
      return dotted === 'Prisma.empty' || dotted === 'sql.empty' ? [] : null;
    }
    if (e.type !== AST_NODE_TYPES.CallExpression) return null;
    const parts = this.parts(e.callee);
    const last = parts[parts.length - 1];
    const object = parts.length === 2 ? parts[0] : undefined;
    const strings = (): Item[][] | null => {
      const out: Item[][] = [];
      for (const argument of e.arguments) {
        const arg = unwrap(argument);
        const elements = arg.type === AST_NODE_TYPES.ArrayExpression ? arg.elements : [arg];
        for (const element of elements) {
          if (!element || element.type === AST_NODE_TYPES.SpreadElement) return null;
          const value = this.resolve(element, depth + 1);
          if (!value?.complete || value.fragment) return null;
          out.push(value.items);
        }
      }
      return out.length ? out : null;
    };
    const joinText = (items: Item[]): string => items.map((i) => (i.kind === 'text' ? i.text : '')).join('');
    if (object === 'sql' && last !== undefined && ['identifier', 'ident', 'id', 'table', 'ref'].includes(last)) {
      const names = strings();
      if (!names) return null;
      const split = last === 'table' || last === 'ref';
      const idents = names.flatMap((n) => (split ? joinText(n).split('.') : [joinText(n)]));
      return [{ kind: 'text', text: idents.map(quoteIdent).join('.'), src: [e.range[0]] }];
    }
    if (parts.length === 1 && last === 'sql' && e.arguments.length === 1) {
      const names = strings();
      if (!names || names.length !== 1 || !names[0]) return null;
      return [{ kind: 'text', text: quoteIdent(joinText(names[0])), src: [e.range[0]] }];
    }
    if ((object === 'sql' && (last === 'raw' || last === 'unsafe')) || (object === 'Prisma' && last === 'raw')) {
      const first = e.arguments[0];
      const value = first && first.type !== AST_NODE_TYPES.SpreadElement ? this.resolve(first, depth + 1) : null;
      return value?.complete ? value.items : null;
    }
    return null;
  }

  /** The value of an expression this file spells out: literals, consts, untagged templates, `+`, sql templates. */
  private resolve(node: Node, depth: number): Resolved | null {
    if (depth > MAX_DEPTH) return null;
    const e = unwrap(node);
    switch (e.type) {
      case AST_NODE_TYPES.Literal: {
        if (typeof e.value === 'string') {
          return { items: [this.stringItems(e as TSESTree.StringLiteral)], complete: true, fragment: false };
        }
        if (typeof e.value === 'number' || typeof e.value === 'bigint') {
          const text = String(e.value);
          const src = e.raw === text ? text.split('').map((_, k) => e.range[0] + k) : [e.range[0]];
          return { items: [{ kind: 'text', text, src }], complete: true, fragment: false };
        }
        return null;
      }
      case AST_NODE_TYPES.TemplateLiteral: {
        const items = this.templateItems(e, false, depth);
        return { items, complete: itemsComplete(items), fragment: false };
      }
      case AST_NODE_TYPES.TaggedTemplateExpression: {
        if (!this.isSqlTag(e.tag)) return null;
        const items = this.templateItems(e.quasi, true, depth);
        return { items, complete: true, fragment: true };
      }
      case AST_NODE_TYPES.BinaryExpression: {
        if (e.operator !== '+') return null;
        const items: Item[] = [];
        let complete = true;
        for (const operand of plusOperands(e)) {
          const part = this.resolve(operand, depth + 1);
          if (!part || part.fragment) return null;
          items.push(...part.items);
          complete &&= part.complete;
        }
        return { items, complete, fragment: false };
      }
      case AST_NODE_TYPES.Identifier:
      case AST_NODE_TYPES.MemberExpression: {
        const target = this.deref(e);
        if (!target || target.type === AST_NODE_TYPES.Identifier || target.type === AST_NODE_TYPES.MemberExpression) {
          return null;
        }
        return this.resolve(target, depth + 1);
      }
      default:
        return null;
    }
  }

  /** Items of a `+` chain: literal parts verbatim, consts inlined at the operand, anything else a placeholder. */
  private concatenationItems(node: TSESTree.BinaryExpression, depth: number): Item[] {
    const operands = plusOperands(node);
    const items: Item[] = [];
    operands.forEach((operand, k) => {
      if (operand.type === AST_NODE_TYPES.Literal || operand.type === AST_NODE_TYPES.TemplateLiteral) {
        const direct = this.resolve(operand, depth + 1);
        if (direct) {
          items.push(...direct.items);
          return;
        }
      }
      if (operand.type === AST_NODE_TYPES.TaggedTemplateExpression && this.isSqlTag(operand.tag)) {
        this.consumedNow.add(operand);
        items.push(...this.templateItems(operand.quasi, true, depth + 1));
        return;
      }
      const resolved = this.resolve(operand, depth + 1);
      if (resolved?.complete) {
        items.push(...flatten(resolved.items, operand.range[0]));
        return;
      }
      const next = operands[k + 1];
      const after = next?.type === AST_NODE_TYPES.Literal && typeof next.value === 'string' ? next.value : '';
      items.push({ kind: isIdentifierPosition(tailText(items), after) ? 'ident' : 'param', pos: operand.range[0] });
    });
    return items;
  }

  // ── candidates ────────────────────────────────────────────────────────────────────────────────────────────────

  private keep(extracted: ExtractedSql): void {
    for (const node of this.consumedNow) this.consumed.add(node);
    this.consumedNow.clear();
    this.extractedNodes.add(extracted.node);
    this.results.push(extracted);
  }

  taggedTemplate(node: TSESTree.TaggedTemplateExpression): void {
    this.consumedNow.clear();
    if (this.consumed.has(node) || !this.isSqlTag(node.tag)) return;
    const items = this.templateItems(node.quasi, true, 0);
    const { text } = render(items);
    if (text.text.trim() === '') return;
    this.keep({ fragment: text.toFragment('tagged-template'), node: node.quasi, kind: 'tagged-template' });
  }

  private placeholderStyle(call: TSESTree.CallExpression, last: string, object: string | undefined): PlaceholderStyle | null {
    const bindingsStyle = (arg: Node | undefined, fallback: PlaceholderStyle): PlaceholderStyle => {
      const a = arg && unwrap(arg);
      if (a?.type === AST_NODE_TYPES.ArrayExpression) return 'knex-positional';
      if (a?.type === AST_NODE_TYPES.ObjectExpression) return 'knex-named';
      return fallback;
    };
    const second = call.arguments[1];
    if (last === 'raw' || (KNEX_RAW_METHOD.test(last) && !last.startsWith('$'))) {
      if (object === 'sql' || object === 'Prisma') return null;
      return bindingsStyle(second, 'knex');
    }
    const options = second && unwrap(second);
    if (options?.type === AST_NODE_TYPES.ObjectExpression) {
      const replacements = findProperty(options, ['replacements']); // Sequelize
      if (replacements) return bindingsStyle(replacements, 'knex');
    }
    return PG_PROMISE_STYLE.has(last) ? 'pg-promise' : null;
  }

  call(node: TSESTree.CallExpression): void {
    this.consumedNow.clear();
    const parts = this.parts(node.callee);
    const last = parts[parts.length - 1] ?? '?';
    const object = parts[parts.length - 2];
    const named = this.functions.has(parts.join('.')) || this.functions.has(last);
    const onDbObject = object !== undefined && DB_OBJECT.test(object);
    if (!named && !BUILTIN_FUNCTIONS.has(last) && !KNEX_RAW_METHOD.test(last) && !onDbObject) return;
    if (last === 'raw' && object === 'String') return;
    const first = node.arguments[0];
    if (!first || first.type === AST_NODE_TYPES.SpreadElement) return;
    let source: Node | null = unwrap(first);
    const deref = (node: Node | null): Node | null =>
      // `const QUERY = '…'; pool.query(QUERY)`: the SQL lives at the declaration
      node && (node.type === AST_NODE_TYPES.Identifier || node.type === AST_NODE_TYPES.MemberExpression) ? this.deref(node) : node;
    source = deref(source);
    if (source?.type === AST_NODE_TYPES.ObjectExpression) {
      // `{ text: '…', values }` (pg), `{ sql: '…' }` (mysql-style), `{ query: '…' }`, inline or in a const
      const value = findProperty(source, ['text', 'sql', 'query']);
      source = deref(value ? unwrap(value) : null);
    }
    const recognised = named || (onDbObject && (BUILTIN_FUNCTIONS.has(last) || KNEX_RAW_METHOD.test(last)));
    // a query-running call whose SQL is a value the file does not spell out (a parameter, a call's result) is
    // recognised database access that goes unchecked: say so (tagged templates are extracted as such)
    const unreadable = (node: Node | null): void => {
      if (recognised && node && UNREADABLE_SQL.has(node.type)) {
        this.notUnderstood?.push({ start: first.range[0], end: first.range[1], callee: parts.join('.'), reason: 'its SQL is built at run time or comes from a value this file does not spell out' });
      }
    };
    if (!source) return unreadable(unwrap(first));
    if (this.extractedNodes.has(source)) return;

    let items: Item[] | null = null;
    if (source.type === AST_NODE_TYPES.Literal && typeof source.value === 'string') {
      items = [this.stringItems(source as TSESTree.StringLiteral)];
    } else if (source.type === AST_NODE_TYPES.TemplateLiteral) {
      items = this.templateItems(source, false, 0);
    } else if (source.type === AST_NODE_TYPES.BinaryExpression && source.operator === '+') {
      items = this.concatenationItems(source, 0);
    }
    if (!items) return unreadable(source);

    const rendered = render(items);
    const style = this.placeholderStyle(node, last, object);
    const text = style ? normalizePlaceholders(rendered.text, style, rendered.counter) : rendered.text;
    if (!looksLikeSql(text.text)) return;
    this.keep({ fragment: text.toFragment('call-argument'), node: source, kind: 'call-argument' });
  }

  /** A string or untagged template holding DDL, wherever it is (see ExtractOptions.ddlStrings). */
  ddlString(node: TSESTree.StringLiteral | TSESTree.TemplateLiteral): void {
    this.consumedNow.clear();
    if (this.extractedNodes.has(node) || this.consumed.has(node)) return;
    const items = node.type === AST_NODE_TYPES.Literal ? [this.stringItems(node)] : this.templateItems(node, false, 0);
    const { text } = render(items);
    if (!startsWithDdl(text.text) || !looksLikeSql(text.text)) return;
    this.keep({ fragment: text.toFragment('call-argument'), node, kind: 'ddl-string' });
  }
}

/**
 * Every SQL fragment in a file, in source order of the nodes they came from. Never throws: whatever goes wrong
 * ends the search and returns what was found so far (a failing candidate is skipped).
 */
export function extractSql(
  program: TSESTree.Program,
  sourceText: string,
  visitorKeys: Readonly<Record<string, readonly string[] | undefined>> | undefined,
  options?: ExtractOptions,
): ExtractedSql[] {
  return extractSqlFromScan(scanProgram(program, sourceText, visitorKeys), options);
}

/** The SQL a TS/JS migration runs, DDL strings included: how the schema loader reads migrations (the engine hands it in). */
export function migrationSql(
  program: TSESTree.Program,
  sourceText: string,
  visitorKeys: Readonly<Record<string, readonly string[]>>,
  options: { tags: string[]; functions: string[] },
): SqlFragment[] {
  return extractSql(program, sourceText, visitorKeys, { ...options, ddlStrings: true }).map((found) => found.fragment);
}

/** `extractSql` over the one walk of the file. */
export function extractSqlFromScan(scan: ProgramScan, options?: ExtractOptions): ExtractedSql[] {
  const clients = clientsOf(scan);
  const extractor = new Extractor(scan.text, options, clients.sqlTags, clients.isSqlTag);
  extractor.deferDeclarations(scan.declarations, scan.parents);
  for (const candidate of scan.candidates) {
    try {
      if (candidate.type === AST_NODE_TYPES.TaggedTemplateExpression) extractor.taggedTemplate(candidate);
      else extractor.call(candidate);
    } catch {
      // skip this candidate
    }
  }
  if (options?.ddlStrings) {
    for (const node of scan.looseStrings) {
      try {
        extractor.ddlString(node);
      } catch {
        // skip this string
      }
    }
  }
  return extractor.results;
}
