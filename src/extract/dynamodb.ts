/**
 * The DynamoDB front end: reads and deletes of soft-deletable DynamoDB tables through the AWS SDK — v3 commands
 * (`QueryCommand`, `ScanCommand`, `GetCommand` / `GetItemCommand`, `BatchGetCommand` / `BatchGetItemCommand`) handed
 * to a client, `paginateQuery` / `paginateScan`, and the DocumentClient methods (`query`, `scan`, `get`, `batchGet`,
 * also `getItem` / `batchGetItem` of the aggregated client and SDK v2's DocumentClient) — lowered into the one
 * statement model like any other front end:
 *
 *   docClient.query({ TableName: 'Orders', KeyConditionExpression: 'pk = :pk', FilterExpression: 'attribute_not_exists(deleted_at)' })
 *   → SELECT * FROM dynamodb."Orders" WHERE (pk = $1) AND (deleted_at IS NULL)
 *
 * The DynamoDB condition grammar is close to SQL's: comparisons, `BETWEEN`, `IN`, `AND` / `OR` / `NOT` and
 * parentheses carry over; `attribute_not_exists(a)` is `a IS NULL`, `attribute_exists(a)` is `a IS NOT NULL`;
 * `#name` placeholders are resolved through `ExpressionAttributeNames` and `:value` ones through
 * `ExpressionAttributeValues` (plain values, `{ S: … }` / `{ N: … }` / `{ BOOL: … }`, `marshall({…})`). A filter
 * this file does not spell out is an opaque placeholder (the verdict is then "unknown"). A GetItem cannot filter: it
 * is lowered as a lookup by its `Key` attributes, so `allowLookupsBy` treats it like any lookup by key.
 *
 * Deletes are lowered the same way, for no-hard-delete: `DeleteItem` (`DeleteCommand`, `docClient.delete`), each
 * `DeleteRequest` of a BatchWriteItem (one per table), each `Delete` of a TransactWriteItems and a PartiQL `DELETE`
 * become `DELETE FROM dynamodb."Orders" WHERE <key> AND <ConditionExpression>`, so a condition that keeps the delete
 * to items already soft-deleted (`attribute_exists(deleted_at)`) is a purge, as in SQL. Updates are not lowered.
 *
 * Which tables are soft-deletable comes from settings (and infrastructure definitions, see
 * `src/schema/dynamodb-tables.ts`); a read or delete of any other table is not lowered at all.
 */
import { AST_NODE_TYPES, type TSESTree } from '@typescript-eslint/utils';
import type { DynamoDbTableSetting } from '../settings.js';
import { DYNAMODB_SCHEMA } from '../settings.js';
import type { ApiRead, CodeFilter, FilterRequest, SqlFragment } from '../sql/fragment.js';
import { nextIdent, nextParam, type PlaceholderCounter } from '../sql/placeholder.js';
import { childNodes, propertyName, unwrap, type Node } from '../js/estree.js';
import type { NotUnderstoodCall } from './frontend.js';
import { decodeJsString } from './js-string.js';
import { namesOf, type FileNames } from './names.js';
import type { ProgramScan } from '../js/program.js';
import { keyName, pushIdent, SynthText } from '../js/synth.js';
import { hasTopLevelOr, lowerPartiqlCondition, partiqlStatement, stickyTokens, type PartiqlStatement, type StickyToken } from './dynamodb-partiql.js';

export type DynamoDbOperation =
  | 'Query'
  | 'Scan'
  | 'GetItem'
  | 'BatchGetItem'
  | 'TransactGetItems'
  | 'ExecuteStatement'
  | 'BatchExecuteStatement'
  | 'ExecuteTransaction'
  | 'DeleteItem'
  | 'BatchWriteItem'
  | 'TransactWriteItems';

/** The operations that write (for no-hard-delete: the deletes among them). */
const WRITES: ReadonlySet<DynamoDbOperation> = new Set(['DeleteItem', 'BatchWriteItem', 'TransactWriteItems']);

/** The PartiQL operations: their parameters hold statements, not a TableName. */
const PARTIQL: ReadonlySet<DynamoDbOperation> = new Set(['ExecuteStatement', 'BatchExecuteStatement', 'ExecuteTransaction']);


const COMMANDS: Readonly<Record<string, DynamoDbOperation>> = {
  QueryCommand: 'Query',
  ScanCommand: 'Scan',
  GetCommand: 'GetItem',
  GetItemCommand: 'GetItem',
  BatchGetCommand: 'BatchGetItem',
  BatchGetItemCommand: 'BatchGetItem',
  TransactGetCommand: 'TransactGetItems',
  TransactGetItemsCommand: 'TransactGetItems',
  ExecuteStatementCommand: 'ExecuteStatement',
  BatchExecuteStatementCommand: 'BatchExecuteStatement',
  ExecuteTransactionCommand: 'ExecuteTransaction',
  DeleteCommand: 'DeleteItem',
  DeleteItemCommand: 'DeleteItem',
  BatchWriteCommand: 'BatchWriteItem',
  BatchWriteItemCommand: 'BatchWriteItem',
  TransactWriteCommand: 'TransactWriteItems',
  TransactWriteItemsCommand: 'TransactWriteItems',
};
const PAGINATORS: Readonly<Record<string, DynamoDbOperation>> = { paginateQuery: 'Query', paginateScan: 'Scan' };
const METHODS: Readonly<Record<string, DynamoDbOperation>> = {
  query: 'Query',
  scan: 'Scan',
  get: 'GetItem',
  getItem: 'GetItem',
  batchGet: 'BatchGetItem',
  batchGetItem: 'BatchGetItem',
  transactGet: 'TransactGetItems',
  transactGetItems: 'TransactGetItems',
  executeStatement: 'ExecuteStatement',
  batchExecuteStatement: 'BatchExecuteStatement',
  executeTransaction: 'ExecuteTransaction',
  delete: 'DeleteItem',
  deleteItem: 'DeleteItem',
  batchWrite: 'BatchWriteItem',
  batchWriteItem: 'BatchWriteItem',
  transactWrite: 'TransactWriteItems',
  transactWriteItems: 'TransactWriteItems',
};

/** The parameter that makes a call of that method name DynamoDB's (a `get` or `query` of anything else has none). */
const OWN_PARAMETER: Readonly<Record<DynamoDbOperation, string>> = {
  Query: 'TableName',
  Scan: 'TableName',
  GetItem: 'TableName',
  BatchGetItem: 'RequestItems',
  TransactGetItems: 'TransactItems',
  ExecuteStatement: 'Statement',
  BatchExecuteStatement: 'Statements',
  ExecuteTransaction: 'TransactStatements',
  DeleteItem: 'TableName',
  BatchWriteItem: 'RequestItems',
  TransactWriteItems: 'TransactItems',
};

/** The parameters a note names when a call's parameters cannot be read (else `TableName, FilterExpression`). */
const PARAMETERS_SAID: Partial<Record<DynamoDbOperation, string>> = {
  ExecuteStatement: 'the PartiQL statements',
  BatchExecuteStatement: 'the PartiQL statements',
  ExecuteTransaction: 'the PartiQL statements',
  DeleteItem: 'TableName, Key',
  BatchWriteItem: 'RequestItems',
  TransactWriteItems: 'TransactItems',
};

/**
 * The filter as DynamoDB writes it (in a FilterExpression, or in a PartiQL WHERE), when an item counts as deleted,
 * and — for a marker attribute — the condition that keeps a delete to items already soft-deleted (a purge).
 */
export function dynamoDbFilterText(table: DynamoDbTableSetting, partiql = false): { filter: string; deletedWhen: string; purge: string | null } {
  const name = partiql ? `"${table.attribute.replace(/"/g, '""')}"` : table.attribute;
  if (table.deletedValue === undefined) {
    return {
      filter: partiql ? `${name} IS MISSING` : `attribute_not_exists(${name})`,
      deletedWhen: `\`${table.attribute}\` is set`,
      purge: partiql ? `${name} IS NOT MISSING` : `attribute_exists(${name})`,
    };
  }
  const value = typeof table.deletedValue === 'string' ? `'${table.deletedValue.replace(/'/g, "''")}'` : String(table.deletedValue);
  return { filter: `${name} <> ${value}`, deletedWhen: `\`${table.attribute}\` is ${value}`, purge: null };
}

/** A JS string expression's value with the source index of each character, or null when not spelt out here. */
interface SpelledString {
  text: string;
  src: number[];
  /** The literal itself (an inline literal, whose body an edit may change), or null for a constant elsewhere. */
  literal: TSESTree.StringLiteral | TSESTree.TemplateLiteral | null;
}

function spelled(node: Node, names: FileNames): SpelledString | null {
  const n = unwrap(node);
  if (n.type === AST_NODE_TYPES.Literal && typeof n.value === 'string') {
    const decoded = decodeJsString(n.raw.slice(1, -1), false);
    const base = n.range[0] + 1;
    if (decoded) return { text: decoded.text, src: decoded.offsets.map((o) => base + o), literal: n as TSESTree.StringLiteral };
    return { text: n.value, src: [...n.value].map(() => n.range[0]), literal: null };
  }
  if (n.type === AST_NODE_TYPES.TemplateLiteral && n.expressions.length === 0) {
    const quasi = n.quasis[0]!;
    const decoded = decodeJsString(quasi.value.raw, true);
    const base = n.range[0] + 1;
    if (decoded) return { text: decoded.text, src: decoded.offsets.map((o) => base + o), literal: n };
    const cooked = quasi.value.cooked ?? '';
    return { text: cooked, src: [...cooked].map(() => n.range[0]), literal: null };
  }
  const value = names.stringOf(n);
  // a constant: every character maps onto the name that holds it
  return value === null ? null : { text: value, src: [...value].map(() => n.range[0]), literal: null };
}

/** An object literal's non-computed properties by key (the last one wins, as in JS), and whether it spreads. */
function propertiesOf(object: TSESTree.ObjectExpression): { props: Map<string, TSESTree.Property>; spread: boolean } {
  const props = new Map<string, TSESTree.Property>();
  let spread = false;
  for (const p of object.properties) {
    if (p.type !== AST_NODE_TYPES.Property) {
      spread = true;
      continue;
    }
    const key = keyName(p);
    if (key !== null) props.set(key, p);
    else spread = true; // a computed key may be any parameter
  }
  return { props, spread };
}

/** The value an expression holds: itself, or the initializer of a `const` declared once in this file (null when a name has none). */
function throughConst(node: Node, scan: ProgramScan): Node | null {
  const n = unwrap(node);
  if (n.type !== AST_NODE_TYPES.Identifier) return n;
  const init = scan.consts.get(n.name);
  return init ? unwrap(init) : null;
}

/** An object literal, directly or through a `const` declared once in this file. */
function objectOf(node: Node | undefined, scan: ProgramScan): TSESTree.ObjectExpression | null {
  const n = node ? throughConst(node, scan) : null;
  return n?.type === AST_NODE_TYPES.ObjectExpression ? n : null;
}

/** `marshall({…})` (util-dynamodb) around an object literal: the literal. */
function unmarshalled(node: Node | undefined, scan: ProgramScan): TSESTree.ObjectExpression | null {
  if (!node) return null;
  const n = unwrap(node);
  if (n.type === AST_NODE_TYPES.CallExpression && n.arguments.length >= 1) {
    const callee = unwrap(n.callee);
    const name = callee.type === AST_NODE_TYPES.Identifier ? callee.name : callee.type === AST_NODE_TYPES.MemberExpression ? propertyName(callee) : null;
    if (name === 'marshall') return objectOf(n.arguments[0] as Node, scan);
  }
  return objectOf(n, scan);
}

const KEYWORDS = new Set(['AND', 'OR', 'NOT', 'BETWEEN', 'IN']);
const FUNCTIONS = new Set(['attribute_exists', 'attribute_not_exists', 'attribute_type', 'begins_with', 'contains', 'size']);
const SEGMENT = String.raw`(?:#[A-Za-z0-9_]+|[A-Za-z_][A-Za-z0-9_]*)`;
const TOKEN = new RegExp(String.raw`\s+|(${SEGMENT}(?:\.${SEGMENT}|\[\d+\])*)|(:[A-Za-z0-9_]+)|(<>|<=|>=|[=<>(),])`, 'y');

const KINDS = ['path', 'value', 'punct'] as const;

type Token = StickyToken<(typeof KINDS)[number]>;

function tokenize(text: string): Token[] | null {
  return stickyTokens(TOKEN, KINDS, text);
}

/** The SQL literal of an `ExpressionAttributeValues` entry this file spells out, or null (then a parameter). */
function valueLiteral(node: Node, names: FileNames): string | null {
  const n = unwrap(node);
  if (n.type === AST_NODE_TYPES.Literal) {
    if (typeof n.value === 'number' && Number.isFinite(n.value)) return String(n.value);
    if (typeof n.value === 'boolean') return String(n.value);
  }
  if (n.type === AST_NODE_TYPES.ObjectExpression && n.properties.length === 1) {
    // the low-level client's attribute values: { S: 'deleted' }, { N: '3' }, { BOOL: true }
    const p = n.properties[0]!;
    const key = p.type === AST_NODE_TYPES.Property ? keyName(p) : null;
    if (p.type !== AST_NODE_TYPES.Property || key === null) return null;
    const v = unwrap(p.value as Node);
    if (key === 'S') {
      const s = spelled(v, names);
      return s ? `'${s.text.replace(/'/g, "''")}'` : null;
    }
    if (key === 'N') {
      const s = spelled(v, names);
      return s && /^-?\d+(?:\.\d+)?$/.test(s.text) ? s.text : null;
    }
    if (key === 'BOOL' && v.type === AST_NODE_TYPES.Literal && typeof v.value === 'boolean') return String(v.value);
    return null;
  }
  const s = spelled(n, names);
  return s ? `'${s.text.replace(/'/g, "''")}'` : null;
}

interface ExpressionMaps {
  names: Map<string, string> | null;
  values: Map<string, string | null>;
}

function expressionMaps(props: Map<string, TSESTree.Property>, scan: ProgramScan, names: FileNames): ExpressionMaps {
  const maps: ExpressionMaps = { names: new Map(), values: new Map() };
  const nameNode = props.get('ExpressionAttributeNames')?.value as Node | undefined;
  if (nameNode) {
    const object = objectOf(nameNode, scan);
    const entries = object ? propertiesOf(object) : null;
    if (!entries || entries.spread) maps.names = null;
    else {
      for (const [key, p] of entries.props) {
        const value = spelled(p.value as Node, names);
        if (value) maps.names!.set(key, value.text);
      }
    }
  }
  const valueObject = unmarshalled(props.get('ExpressionAttributeValues')?.value as Node | undefined, scan);
  if (valueObject) {
    for (const [key, p] of propertiesOf(valueObject).props) maps.values.set(key, valueLiteral(p.value as Node, names));
  }
  return maps;
}

/**
 * Appends a DynamoDB condition expression as SQL, mapped onto the expression's characters. False when it cannot
 * (a name placeholder it cannot resolve, a function or token it does not know): the caller then writes an opaque
 * placeholder instead, and the text appended so far is discarded with the caller's copy.
 */
function lowerExpression(out: SynthText, expression: SpelledString, maps: ExpressionMaps, counter: PlaceholderCounter): boolean {
  const tokens = tokenize(expression.text);
  if (!tokens || tokens.length === 0) return false;
  const at = (i: number) => expression.src[Math.min(i, expression.src.length - 1)] ?? 0;
  const pushMapped = (text: string, start: number) => out.push(text, Array.from({ length: text.length }, (_, k) => at(start + k)));
  const pathName = (token: Token): string | null => {
    let name = '';
    for (const part of token.text.split(/(?=[.[])/)) {
      const dot = part.startsWith('.') ? '.' : '';
      const segment = dot ? part.slice(1) : part;
      if (segment.startsWith('#')) {
        const resolved = maps.names?.get(segment);
        if (resolved === undefined) return null;
        name += dot + resolved;
      } else name += dot + segment;
    }
    return name;
  };
  const pushPath = (token: Token): boolean => {
    const name = pathName(token);
    if (name === null) return false;
    out.syn(' ', at(token.start));
    pushIdent(out, name, [at(token.start), at(token.end - 1) + 1]);
    return true;
  };
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    if (token.kind === 'punct') {
      out.syn(' ', at(token.start));
      pushMapped(token.text, token.start);
      continue;
    }
    if (token.kind === 'value') {
      out.syn(' ', at(token.start));
      const literal = maps.values.get(token.text);
      if (literal) out.syn(literal, at(token.start));
      else out.syn(nextParam(counter), at(token.start));
      continue;
    }
    const upper = token.text.toUpperCase();
    if (KEYWORDS.has(upper)) {
      out.syn(' ', at(token.start));
      pushMapped(upper, token.start);
      continue;
    }
    if (tokens[i + 1]?.text === '(') {
      if (!FUNCTIONS.has(token.text)) return false;
      if (token.text === 'attribute_exists' || token.text === 'attribute_not_exists') {
        const operand = tokens[i + 2];
        if (operand?.kind !== 'path' || tokens[i + 3]?.text !== ')') return false;
        out.syn(' (', at(token.start));
        if (!pushPath(operand)) return false;
        out.syn(token.text === 'attribute_exists' ? ' IS NOT NULL' : ' IS NULL', at(token.start));
        out.syn(')', at(tokens[i + 3]!.start));
        i += 3;
        continue;
      }
      out.syn(' ', at(token.start));
      pushMapped(token.text, token.start);
      continue;
    }
    if (!pushPath(token)) return false;
  }
  return true;
}

/** The SynthText a condition is written into, kept only when the whole condition lowered. */
function condition(base: SynthText, write: (into: SynthText) => boolean): boolean {
  const trial = new SynthText();
  if (!write(trial)) return false;
  base.add(trial);
  return true;
}

interface ReadSite {
  operation: DynamoDbOperation;
  params: TSESTree.ObjectExpression | null;
  /** The node to point at when the parameters cannot be read. */
  at: Node;
  callee: string;
}

function calleeText(callee: Node, text: string): string {
  return text.slice(callee.range[0], callee.range[1]).replace(/\s+/g, '');
}

/** The DynamoDB reads of a file: commands handed to any call, paginators, DocumentClient methods. */
function readSites(scan: ProgramScan): ReadSite[] {
  const sites: ReadSite[] = [];
  const seen = new Set<Node>();
  const command = (node: Node): { operation: DynamoDbOperation; created: TSESTree.NewExpression } | null => {
    const n = throughConst(node, scan);
    if (n?.type !== AST_NODE_TYPES.NewExpression) return null;
    const callee = unwrap(n.callee);
    const name = callee.type === AST_NODE_TYPES.Identifier ? callee.name : callee.type === AST_NODE_TYPES.MemberExpression ? propertyName(callee) : null;
    const operation = name === null ? undefined : COMMANDS[name];
    return operation ? { operation, created: n } : null;
  };
  for (const call of scan.calls) {
    const callee = unwrap(call.callee);
    const name = callee.type === AST_NODE_TYPES.Identifier ? callee.name : callee.type === AST_NODE_TYPES.MemberExpression ? propertyName(callee) : null;
    for (const arg of call.arguments) {
      const found = command(arg as Node);
      if (!found || seen.has(found.created)) continue;
      seen.add(found.created);
      const params = found.created.arguments[0] as Node | undefined;
      sites.push({ operation: found.operation, params: objectOf(params, scan), at: found.created, callee: calleeText(found.created.callee as Node, scan.text) });
    }
    if (name === null) continue;
    const paginator = PAGINATORS[name];
    if (paginator) {
      sites.push({ operation: paginator, params: objectOf(call.arguments[1] as Node | undefined, scan), at: call, callee: calleeText(callee, scan.text) });
      continue;
    }
    const method = callee.type === AST_NODE_TYPES.MemberExpression ? METHODS[name] : undefined;
    if (!method) continue;
    // a method of that name counts only with DynamoDB's own parameters (a `TableName`, a batch's `RequestItems`, …)
    const params = objectOf(call.arguments[0] as Node | undefined, scan);
    const props = params ? propertiesOf(params).props : null;
    if (!props || !props.has(OWN_PARAMETER[method])) continue;
    sites.push({ operation: method, params, at: call, callee: calleeText(callee, scan.text) });
  }
  return sites;
}

/**
 * The environment variable an expression reads: `process.env.ORDERS_TABLE`, `process.env['ORDERS_TABLE']` (with
 * `!`, `as string`, or a `?? 'fallback'` / `|| 'fallback'` after it), directly or through a `const` declared once.
 */
function environmentVariable(node: Node, scan: ProgramScan, depth = 0): string | null {
  let n = unwrap(node);
  if (n.type === AST_NODE_TYPES.Identifier && depth < 3) {
    const init = scan.consts.get(n.name);
    return init ? environmentVariable(init, scan, depth + 1) : null;
  }
  if (n.type === AST_NODE_TYPES.LogicalExpression && (n.operator === '??' || n.operator === '||')) n = unwrap(n.left);
  if (n.type !== AST_NODE_TYPES.MemberExpression) return null;
  const env = unwrap(n.object);
  if (env.type !== AST_NODE_TYPES.MemberExpression || propertyName(env) !== 'env') return null;
  const processName = unwrap(env.object);
  if (processName.type !== AST_NODE_TYPES.Identifier || processName.name !== 'process') return null;
  return propertyName(n);
}

/**
 * A table name written as a key or a value: its text and the source range to point at; for a name read from the
 * environment, the table the infrastructure definitions (or settings) set that variable to — `{ variable }` when
 * nothing does.
 */
function tableNameOf(node: Node, names: FileNames, environment: ReadonlyMap<string, string>, scan: ProgramScan): { name: string; range: [number, number] } | { variable: string } | null {
  const s = spelled(node, names);
  if (!s) {
    const variable = environmentVariable(node, scan);
    if (variable === null) return null;
    const table = environment.get(variable);
    return table === undefined ? { variable } : { name: table, range: [node.range[0], node.range[1]] };
  }
  const range: [number, number] = s.literal ? [node.range[0] + 1, node.range[1] - 1] : [node.range[0], node.range[1]];
  return { name: s.text, range };
}

/** Can this attribute be written bare in an expression? (DynamoDB reserves ~570 words, none with `_` or a digit.) */
function bareAttribute(name: string): boolean {
  return /^[A-Za-z][A-Za-z0-9_]*$/.test(name) && /[_0-9]/.test(name);
}

/**
 * Fragments for the DynamoDB reads and deletes of a file. `tables`: the soft-deletable tables (a read or delete of
 * another table is not lowered); `notUnderstood` collects calls whose parameters this file does not spell out.
 */
export function dynamoDbFromScan(
  scan: ProgramScan,
  tables: ReadonlyMap<string, DynamoDbTableSetting | false>,
  filename: string | undefined,
  notUnderstood?: NotUnderstoodCall[],
  environment: ReadonlyMap<string, string> = new Map(),
): SqlFragment[] {
  const names = namesOf(scan, filename);
  const fragments: SqlFragment[] = [];
  for (const site of readSites(scan)) {
    const unreadable = (node: Node, reason: string, write = WRITES.has(site.operation)): void => {
      notUnderstood?.push({ start: node.range[0], end: node.range[1], callee: site.callee, reason, api: 'DynamoDB', ...(write ? { write: true as const } : {}) });
    };
    /** A delete of a table the file does not name: said (whether it is soft-deletable is not known), not lowered. */
    const deleteOf = (table: ReturnType<typeof tableOf>, key: TSESTree.ObjectExpression | null, itemProps: Map<string, TSESTree.Property>, itemSpread: boolean): SqlFragment | null => {
      if (table?.name === null) {
        unreadable(table.node, 'its table is a value this file does not spell out', true);
        return null;
      }
      return lowerItem(site, table, key, itemProps, itemSpread, tables, names, scan, 'delete');
    };
    /** The table a name node stands for; null (said) for an environment variable no definition sets. */
    const tableOf = (node: Node): { name: string; range: [number, number] } | { name: null; node: Node } | null => {
      const table = tableNameOf(node, names, environment, scan);
      if (table && 'variable' in table) {
        unreadable(
          node,
          `its table comes from the environment variable ${table.variable}, which no infrastructure definition the plugin read sets to a table (name it in settings["soft-delete"].dynamodb.environment)`,
        );
        return null;
      }
      return table ?? { name: null, node };
    };
    if (!site.params) {
      unreadable(site.at, `its parameters (${PARAMETERS_SAID[site.operation] ?? 'TableName, FilterExpression'}) are not an object this file spells out`);
      continue;
    }
    const { props, spread } = propertiesOf(site.params);
    if (PARTIQL.has(site.operation)) {
      const list = site.operation === 'ExecuteStatement' ? [{ node: site.params as Node, object: site.params }] : elementsOf(props.get(OWN_PARAMETER[site.operation])?.value as Node | undefined, scan);
      if (!list) {
        unreadable(site.at, `its ${OWN_PARAMETER[site.operation]} are not a list this file spells out`);
        continue;
      }
      for (const element of list) {
        const statement = element.object ? propertiesOf(element.object).props : null;
        const text = statement?.get('Statement')?.value as Node | undefined;
        if (!statement || !text) {
          unreadable(element.node, 'its PartiQL statement is not an object this file spells out');
          continue;
        }
        const fragment = lowerStatement(site, text, statement.get('Parameters')?.value as Node | undefined, tables, names, scan, unreadable, environment);
        if (fragment) fragments.push(fragment);
      }
      continue;
    }
    if (site.operation === 'TransactGetItems') {
      const list = elementsOf(props.get('TransactItems')?.value as Node | undefined, scan);
      if (!list) unreadable(site.at, 'its TransactItems are not a list this file spells out');
      for (const element of list ?? []) {
        const get = element.object ? objectOf(propertiesOf(element.object).props.get('Get')?.value as Node | undefined, scan) : null;
        const getProps = get ? propertiesOf(get).props : null;
        const tableNode = getProps?.get('TableName')?.value as Node | undefined;
        if (!getProps || !tableNode) {
          // a ConditionCheck has no place here; anything else unread is said
          if (!element.object || !propertiesOf(element.object).props.has('ConditionCheck')) unreadable(element.node, 'its Get (TableName, Key) is not an object this file spells out');
          continue;
        }
        const fragment = lowerItem(site, tableOf(tableNode), objectOf(getProps.get('Key')?.value as Node | undefined, scan), new Map(), false, tables, names, scan, 'read');
        if (fragment) fragments.push(fragment);
      }
      continue;
    }
    if (site.operation === 'TransactWriteItems') {
      // each `Delete` of the transaction (its `Put`, `Update` and `ConditionCheck` items remove nothing)
      const list = props.get('TransactItems')?.value as Node | undefined;
      if (!list || !throughConst(list, scan)) unreadable(site.at, 'its TransactItems are not a list this file spells out');
      for (const del of list ? keyedObjects(list, 'Delete', scan) : []) {
        const deleteProps = del.object ? propertiesOf(del.object) : null;
        const tableNode = deleteProps?.props.get('TableName')?.value as Node | undefined;
        if (!deleteProps || !tableNode) {
          unreadable(del.node, 'its Delete (TableName, Key) is not an object this file spells out');
          continue;
        }
        const key = objectOf(deleteProps.props.get('Key')?.value as Node | undefined, scan);
        const fragment = deleteOf(tableOf(tableNode), key, deleteProps.props, deleteProps.spread);
        if (fragment) fragments.push(fragment);
      }
      continue;
    }
    if (site.operation === 'BatchGetItem' || site.operation === 'BatchWriteItem') {
      const items = objectOf(props.get('RequestItems')?.value as Node | undefined, scan);
      if (!items) {
        unreadable(site.at, 'its RequestItems are not an object this file spells out');
        continue;
      }
      for (const p of items.properties) {
        if (p.type !== AST_NODE_TYPES.Property) continue;
        const named = keyName(p);
        const inner = p.key.type === AST_NODE_TYPES.Literal ? 1 : 0;
        const table = p.computed
          ? tableOf(p.key as Node)
          : named === null
            ? null
            : { name: named, range: [p.key.range[0] + inner, p.key.range[1] - inner] as [number, number] };
        if (site.operation === 'BatchWriteItem') {
          // the table's write requests: one report for its deletes (the first one's key), puts remove nothing
          const deletes = keyedObjects(p.value as Node, 'DeleteRequest', scan);
          const soft = table?.name != null && !!tables.get(table.name);
          if (deletes.length === 0 && soft && keyedObjects(p.value as Node, 'PutRequest', scan).length === 0) {
            unreadable(p.value as Node, `its write requests for ${table.name} are not spelled out here (a DeleteRequest among them would remove items for good)`);
          }
          const first = deletes[0]?.object;
          const key = first ? objectOf(propertiesOf(first).props.get('Key')?.value as Node | undefined, scan) : null;
          const fragment = deletes.length > 0 ? deleteOf(table, key, new Map(), false) : null;
          if (fragment) fragments.push(fragment);
          continue;
        }
        const keys = objectOf(p.value as Node, scan);
        const first = keys ? objectOf((propertiesOf(keys).props.get('Keys')?.value as TSESTree.ArrayExpression | undefined)?.elements?.[0] as Node | undefined, scan) : null;
        const fragment = lowerItem(site, table, first, new Map(), false, tables, names, scan, 'read');
        if (fragment) fragments.push(fragment);
      }
      continue;
    }
    const tableNode = props.get('TableName')?.value as Node | undefined;
    if (!tableNode) continue; // spread from elsewhere: the table is not known here
    const key = objectOf(props.get('Key')?.value as Node | undefined, scan);
    const fragment = site.operation === 'DeleteItem' ? deleteOf(tableOf(tableNode), key, props, spread) : lowerItem(site, tableOf(tableNode), key, props, spread, tables, names, scan, 'read');
    if (fragment) fragments.push(fragment);
  }
  return fragments;
}

/** The elements of an array literal (directly or through a `const`): each an object literal, or null where it is not one. */
function elementsOf(node: Node | undefined, scan: ProgramScan): Array<{ node: Node; object: TSESTree.ObjectExpression | null }> | null {
  const n = node ? throughConst(node, scan) : null;
  if (n?.type !== AST_NODE_TYPES.ArrayExpression) return null;
  const out: Array<{ node: Node; object: TSESTree.ObjectExpression | null }> = [];
  for (const element of n.elements) {
    if (!element) continue;
    out.push({ node: element, object: element.type === AST_NODE_TYPES.SpreadElement ? null : objectOf(element, scan) });
  }
  return out;
}

const MAX_REQUEST_NODES = 2000;

/**
 * The values of the properties named `key` inside a write's request list (`DeleteRequest` of a BatchWriteItem,
 * `Delete` of a TransactWriteItems), wherever the list builds them: in an array literal (or a `const` holding the
 * list), or the callback of `ids.map((id) => ({ DeleteRequest: { Key: { id } } }))`. Each as written (`node`) and as an object
 * literal when it is one (directly or through a `const`).
 */
function keyedObjects(node: Node, key: string, scan: ProgramScan): Array<{ node: Node; object: TSESTree.ObjectExpression | null }> {
  const out: Array<{ node: Node; object: TSESTree.ObjectExpression | null }> = [];
  const root = throughConst(node, scan);
  const stack: Node[] = root ? [root] : [];
  for (let seen = 0; stack.length > 0 && seen < MAX_REQUEST_NODES; seen++) {
    const n = stack.pop()!;
    if (n.type === AST_NODE_TYPES.Property && !n.computed && keyName(n) === key) {
      out.push({ node: n.value as Node, object: objectOf(n.value as Node, scan) });
      continue;
    }
    stack.push(...childNodes(n, scan.visitorKeys).reverse());
  }
  return out;
}

/**
 * A PartiQL statement of ExecuteStatement / BatchExecuteStatement / ExecuteTransaction: a SELECT or DELETE of a
 * soft-deletable table is lowered (`SELECT * FROM dynamodb."Orders" WHERE …`, `DELETE FROM dynamodb."Orders" WHERE
 * …`, the table mapped onto its name inside the string); other statements (INSERT, UPDATE, a transaction's `EXISTS`
 * check) remove nothing and are not read; a statement not spelt out, or a SELECT or DELETE in a shape not read, is
 * said.
 */
function lowerStatement(
  site: ReadSite,
  node: Node,
  parameters: Node | undefined,
  tables: ReadonlyMap<string, DynamoDbTableSetting | false>,
  names: FileNames,
  scan: ProgramScan,
  unreadable: (node: Node, reason: string, write?: boolean) => void,
  environment: ReadonlyMap<string, string>,
): SqlFragment | null {
  const statement = spelledStatement(node, names, (expression) => {
    const variable = environmentVariable(expression, scan);
    return variable === null ? null : (environment.get(variable) ?? null);
  });
  if (!statement) {
    unreadable(node, 'its PartiQL statement is not a string this file spells out');
    return null;
  }
  const select = partiqlStatement(statement.text);
  if (select === 'other') return null;
  if (!select) {
    const write = /^\s*delete\b/i.test(statement.text);
    unreadable(node, `its PartiQL ${write ? 'DELETE' : 'SELECT'} is not in a form the plugin reads`, write);
    return null;
  }
  const verb = select.kind === 'select' ? 'SELECT * FROM' : 'DELETE FROM';
  const at = (i: number): number => statement.src[Math.min(i, statement.src.length - 1)] ?? node.range[0];
  const counter: PlaceholderCounter = { param: 0, ident: 0 };
  const out = new SynthText();
  const hole = statement.holes.get(select.table.name);
  let setting: DynamoDbTableSetting | null = null;
  out.syn(`${verb} ${DYNAMODB_SCHEMA}.`, at(select.table.start));
  if (hole && select.kind === 'delete') {
    unreadable(hole, 'its table is a value this file does not spell out', true);
    return null;
  }
  if (hole) {
    // an interpolated table name this file cannot resolve: a read no check can judge (no-unchecked-query says so)
    const ident = nextIdent(counter);
    out.push(ident, Array.from({ length: ident.length }, (_, k) => (k === ident.length - 1 ? hole.range[1] - 1 : hole.range[0])), true);
  } else {
    const found = tables.get(select.table.name);
    if (!found) return null;
    setting = found;
    // inside the string when it is written here; the constant's name when the statement is kept in one
    pushIdent(out, select.table.name, statement.literal ? [at(select.table.start), at(select.table.end - 1) + 1] : [node.range[0], node.range[1]]);
  }
  if (select.where) {
    const where = select.where;
    const values = elementsOf(parameters, scan);
    const param = (k: number): string | null => {
      const value = values?.[k]?.node;
      return value ? valueLiteral(value, names) : null;
    };
    const condition = new SynthText();
    const holed = where.some((t) => statement.holes.has(t.text));
    if (!holed && lowerPartiqlCondition(condition, where, at, param, counter)) {
      out.syn(' WHERE (', at(where[0]!.start));
      out.add(condition);
      out.syn(')', at(where[where.length - 1]!.end - 1));
    } else {
      // a condition not read here (or with an interpolated piece): it may filter, we cannot tell
      out.syn(' WHERE ', at(where[0]!.start));
      out.push(nextParam(counter), at(where[0]!.start), true);
    }
  }
  const fragment = out.toSynthesized();
  if (!setting) return fragment;
  const { filter, deletedWhen, purge } = dynamoDbFilterText(setting, true);
  fragment.api = select.kind === 'select'
    ? { operation: site.operation, table: select.table.name, filter, deletedWhen, canFilter: true, clause: 'WHERE' }
    : { operation: 'PartiQL DELETE', table: select.table.name, filter, deletedWhen, canFilter: false, clause: 'WHERE', ...(purge ? { purge } : {}) };
  if (select.kind === 'select') fragment.codeFilter = (_at, request) => partiqlFilterEdit(statement, select, request, scan.text);
  return fragment;
}

/**
 * The suggestion for a PartiQL SELECT: `"deleted_at" IS MISSING` added to its WHERE (`… AND …`, the condition
 * parenthesised when it has a top-level OR, which binds looser than AND) or a new `WHERE` after the FROM item.
 * Only for a marker attribute (a status value is not asked for), only in a statement written inline in this call,
 * and only where each edit falls on text of the literal itself (not inside an interpolation); the inserted text is
 * escaped for the literal's quotes.
 */
function partiqlFilterEdit(statement: SpelledString & { interpolated: ReadonlySet<number> }, select: PartiqlStatement, request: FilterRequest, source: string): CodeFilter | null {
  const literal = statement.literal;
  if (!literal || request.test !== 'is-null') return null;
  const condition = `"${request.column.replace(/"/g, '""')}" IS MISSING`;
  /** The source index where text inserted before statement character k lands; null inside an interpolation. */
  const before = (k: number): number | null => {
    if (k >= statement.text.length) return literal.range[1] - 1; // before the closing quote
    return statement.interpolated.has(k) ? null : (statement.src[k] ?? null);
  };
  const quote = literal.type === AST_NODE_TYPES.TemplateLiteral ? '`' : source[literal.range[0]]!;
  const escape = (text: string): string =>
    quote === '`' ? text.replace(/[`\\]|\$\{/g, (m) => `\\${m}`) : text.replace(/\\/g, '\\\\').replace(quote === '"' ? /"/g : /'/g, `\\${quote}`);
  const where = select.where;
  if (!where) {
    const at = before(select.fromEnd);
    return at === null ? null : { code: `WHERE ${condition}`, edits: [{ start: at, end: at, text: escape(` WHERE ${condition}`) }] };
  }
  const end = before(where[where.length - 1]!.end);
  if (end === null) return null;
  if (!hasTopLevelOr(where)) return { code: `… AND ${condition}`, edits: [{ start: end, end, text: escape(` AND ${condition}`) }] };
  const start = before(where[0]!.start);
  if (start === null) return null;
  return {
    code: `(…) AND ${condition}`,
    edits: [
      { start, end: start, text: '(' },
      { start: end, end, text: escape(`) AND ${condition}`) },
    ],
  };
}

/**
 * A PartiQL statement's text with the source index of each character: a string `spelled` reads, or a template
 * whose interpolations hold names this file resolves (a constant) or are holes — a placeholder word in the text,
 * mapped onto the interpolation, so a table named by one is said to be hidden and a condition holding one is opaque.
 */
function spelledStatement(
  node: Node,
  names: FileNames,
  fromEnvironment: (expression: Node) => string | null,
): (SpelledString & { holes: Map<string, Node>; interpolated: Set<number> }) | null {
  const n = unwrap(node);
  const plain = spelled(n, names);
  if (plain) return { ...plain, holes: new Map(), interpolated: new Set() };
  if (n.type !== AST_NODE_TYPES.TemplateLiteral) return null;
  let text = '';
  const src: number[] = [];
  const holes = new Map<string, Node>();
  const interpolated = new Set<number>();
  for (let k = 0; k < n.quasis.length; k++) {
    const quasi = n.quasis[k]!;
    const decoded = decodeJsString(quasi.value.raw, true);
    if (!decoded) return null;
    text += decoded.text;
    src.push(...decoded.offsets.map((o) => quasi.range[0] + 1 + o));
    const expression = n.expressions[k] as Node | undefined;
    if (!expression) continue;
    const value = names.stringOf(expression) ?? fromEnvironment(expression);
    const piece = value ?? `__interpolated_${k}`;
    if (value === null) holes.set(piece, expression);
    for (let c = 0; c < piece.length; c++) interpolated.add(text.length + c);
    text += piece;
    // the piece spans the interpolated expression (a table named by it is reported on all of it)
    for (let c = 0; c < piece.length; c++) src.push(c === piece.length - 1 ? expression.range[1] - 1 : expression.range[0]);
  }
  return { text, src, literal: n, holes, interpolated };
}

/**
 * One item operation as SQL: a read (`SELECT * FROM dynamodb."Orders" WHERE <key> AND <key condition> AND
 * <filter>`) or a delete (`DELETE FROM dynamodb."Orders" WHERE <key> AND <condition>`), the table mapped onto its
 * name in the code. A table not soft-deletable is not lowered.
 */
function lowerItem(
  site: ReadSite,
  table: { name: string; range: [number, number] } | { name: null; node: Node } | null,
  key: TSESTree.ObjectExpression | null,
  props: Map<string, TSESTree.Property>,
  spread: boolean,
  tables: ReadonlyMap<string, DynamoDbTableSetting | false>,
  names: FileNames,
  scan: ProgramScan,
  kind: 'read' | 'delete',
): SqlFragment | null {
  if (!table) return null;
  const counter: PlaceholderCounter = { param: 0, ident: 0 };
  const out = new SynthText();
  let setting: DynamoDbTableSetting | null = null;
  const verb = kind === 'read' ? 'SELECT * FROM' : 'DELETE FROM';
  if (table.name === null) {
    // a table this file does not name: a read or delete no check can judge (no-unchecked-query says so)
    const at = table.node.range[0];
    out.syn(`${verb} ${DYNAMODB_SCHEMA}.`, at);
    out.push(nextIdent(counter), at, true);
  } else {
    const found = tables.get(table.name);
    if (!found) return null;
    setting = found;
    out.syn(`${verb} ${DYNAMODB_SCHEMA}.`, table.range[0]);
    pushIdent(out, table.name, table.range);
  }
  const conditions: SynthText[] = [];
  const maps = expressionMaps(props, scan, names);
  if (key) {
    const lookup = new SynthText();
    let first = true;
    for (const p of key.properties) {
      const name = p.type === AST_NODE_TYPES.Property ? keyName(p) : null;
      if (p.type !== AST_NODE_TYPES.Property || name === null) continue;
      lookup.syn(first ? '' : ' AND ', p.range[0]);
      pushIdent(lookup, name, [p.key.range[0], p.key.range[1]]);
      lookup.syn(` = ${nextParam(counter)}`, p.value.range[0]);
      first = false;
    }
    if (!first) conditions.push(lookup);
  }
  const expression = (property: string, opaqueWhenAbsent: boolean): void => {
    const node = props.get(property)?.value as Node | undefined;
    const at = node?.range[0] ?? (table.name === null ? table.node.range[0] : table.range[0]);
    const text = node ? spelled(node, names) : null;
    const lowered = new SynthText();
    if (text && condition(lowered, (into) => lowerExpression(into, text, maps, counter))) conditions.push(lowered);
    else if (node || opaqueWhenAbsent) {
      // a condition this file does not spell out (or one in a form we do not read): it may filter, we cannot tell
      const opaque = new SynthText();
      opaque.push(nextParam(counter), at, true);
      conditions.push(opaque);
    }
  };
  if (site.operation === 'Query') expression('KeyConditionExpression', false);
  // a delete's ConditionExpression: `attribute_exists(deleted_at)` keeps it to items already soft-deleted (a purge)
  if (kind === 'delete' && site.operation !== 'BatchWriteItem') expression('ConditionExpression', false);
  if (site.operation === 'Query' || site.operation === 'Scan') {
    const legacy = props.has('QueryFilter') || props.has('ScanFilter') || props.has('KeyConditions');
    expression('FilterExpression', (spread && !props.has('FilterExpression')) || legacy);
  }
  conditions.forEach((c, i) => {
    out.syn(i === 0 ? ' WHERE (' : ') AND (', c.src[0] ?? 0);
    out.add(c);
  });
  if (conditions.length) out.syn(')', out.src[out.src.length - 1] ?? 0);
  const fragment = out.toSynthesized();
  if (!setting || table.name === null) return fragment;
  const { filter, deletedWhen, purge } = dynamoDbFilterText(setting);
  if (kind === 'delete') {
    // a BatchWriteItem's DeleteRequest takes no condition: it cannot be kept to soft-deleted items
    fragment.api = { operation: site.operation, table: table.name, filter, deletedWhen, canFilter: false, ...(purge && site.operation !== 'BatchWriteItem' ? { purge } : {}) };
    return fragment;
  }
  const canFilter = site.operation === 'Query' || site.operation === 'Scan';
  // Query and Scan take a FilterExpression; GetItem and BatchGetItem cannot filter.
  const api: ApiRead = { operation: site.operation, table: table.name, filter, deletedWhen, canFilter };
  fragment.api = api;
  if (canFilter && site.params) fragment.codeFilter = (_at, request) => filterEdit(site.params!, props, spread, request);
  return fragment;
}

/**
 * The suggestion: `attribute_not_exists(deleted_at)` added to the FilterExpression (parenthesising what is there)
 * or a FilterExpression created after `TableName`. Only for a timestamp-style marker whose name DynamoDB accepts
 * bare, and only where the edit is plain text of this call's parameters.
 */
function filterEdit(params: TSESTree.ObjectExpression, props: Map<string, TSESTree.Property>, spread: boolean, request: FilterRequest): CodeFilter | null {
  if (request.test !== 'is-null' || !bareAttribute(request.column)) return null;
  const condition = `attribute_not_exists(${request.column})`;
  const existing = props.get('FilterExpression');
  if (existing) {
    const value = unwrap(existing.value as Node);
    const literal =
      (value.type === AST_NODE_TYPES.Literal && typeof value.value === 'string') || (value.type === AST_NODE_TYPES.TemplateLiteral && value.expressions.length === 0);
    if (!literal) return null;
    return {
      code: `(…) AND ${condition}`,
      edits: [
        { start: value.range[0] + 1, end: value.range[0] + 1, text: '(' },
        { start: value.range[1] - 1, end: value.range[1] - 1, text: `) AND ${condition}` },
      ],
    };
  }
  if (spread) return null;
  const tableName = props.get('TableName');
  if (!tableName || !params.properties.includes(tableName)) return null;
  const raw = unwrap(tableName.value as Node);
  const quote = raw.type === AST_NODE_TYPES.Literal && raw.raw.startsWith('"') ? '"' : "'";
  const text = `FilterExpression: ${quote}${condition}${quote}`;
  return { code: text, edits: [{ start: tableName.range[1], end: tableName.range[1], text: `, ${text}` }] };
}
