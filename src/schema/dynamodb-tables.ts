/**
 * Soft-deletable DynamoDB tables found in infrastructure definitions: a table whose Time to Live attribute is a
 * soft-delete column (`settings.columns`, `deleted_at` / `deletedAt` by default) marks deleted items by setting it,
 * and DynamoDB removes them only eventually after that time — so reads must filter them.
 *
 * - AWS CDK: `new dynamodb.Table(this, 'Id', { tableName: 'Orders', timeToLiveAttribute: 'deleted_at' })`, `TableV2`,
 *   `CfnTable` with `timeToLiveSpecification: { attributeName, enabled: true }` (from `aws-cdk-lib/aws-dynamodb`,
 *   `aws-cdk-lib`'s `aws_dynamodb`, or CDK v1's `@aws-cdk/aws-dynamodb`);
 * - CloudFormation / SAM / Serverless (YAML or JSON; CDK's synthesized templates too): a resource of type
 *   `AWS::DynamoDB::Table` / `AWS::DynamoDB::GlobalTable` with `TableName` and `TimeToLiveSpecification:
 *   { AttributeName, Enabled: true }`, anywhere in the document;
 * - Terraform: `resource "aws_dynamodb_table" "x" { name = "Orders" ttl { attribute_name = "deleted_at" enabled = true } }`.
 *
 * Only names written as literals count (a `!Sub`, a Terraform `${var.x}`, a CDK name built at synth time is not a
 * name the code can be matched with). Discovery is bounded: conventional places (or the settings' globs), files
 * read as schema files are (real path under the project, regular file, size cap), at most MAX_FILES of them,
 * skipped unless their text mentions DynamoDB; and it only runs for a package that depends on an AWS SDK or the CDK
 * (without one, there are no DynamoDB reads to check). Results are cached by file stamps, re-checked at the schema
 * pace.
 *
 * Terraform is read with a small scanner of HCL's lexical structure (strings, heredocs, comments, braces), not a
 * parser: the HCL parsers on npm are asynchronous WebAssembly builds of the Go one, which a synchronous lint
 * cannot call, and the one block shape read here needs no more.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { globSync } from 'tinyglobby';
import type { TSESTree } from '@typescript-eslint/typescript-estree';
import type { DynamoDbTableSetting, SoftDeleteSettings } from '../settings.js';
import { withDynamoDbTables } from '../settings.js';
import { guardedGlobFs, readSchemaFile, realRoot, type SchemaFileNote } from './files.js';
import { clock, listingUnchanged, recheckInterval, watchListing, type ListingWatch } from './freshness.js';
import { dependencyNames, nearestPackageDir } from './discover.js';
import { stampOf } from './load.js';
import { rethrowWhenStrict } from '../strict.js';

/** Where infrastructure definitions usually live (relative to the ESLint cwd). */
export const CONVENTIONAL_INFRASTRUCTURE_GLOBS: readonly string[] = [
  '*.tf',
  '{terraform,infra,infrastructure,deploy,tf}/**/*.tf',
  '{template,serverless}.{yaml,yml,json}',
  '*.template.{json,yaml,yml}',
  '{cloudformation,cfn,infra,infrastructure,templates}/**/*.{yaml,yml,json}',
  '{lib,cdk,infra,infrastructure,stacks}/**/*.{ts,js,mts,mjs}',
];

/** Files read at most per discovery: a tree with more is a repository of its own, not a service's definitions. */
export const MAX_FILES = 400;

/** Packages whose presence means the code may read DynamoDB (or define tables). */
const AWS_PACKAGES = ['@aws-sdk/client-dynamodb', '@aws-sdk/lib-dynamodb', 'aws-sdk', 'aws-cdk-lib', '@aws-cdk/aws-dynamodb', 'dynamodb-toolbox', 'electrodb'];

const CDK_MODULES = new Set(['aws-cdk-lib/aws-dynamodb', '@aws-cdk/aws-dynamodb']);
const CDK_TABLES = new Set(['Table', 'TableV2', 'CfnTable', 'CfnGlobalTable']);
const CFN_TYPES = new Set(['AWS::DynamoDB::Table', 'AWS::DynamoDB::GlobalTable']);

export interface FoundTable {
  name: string;
  attribute: string;
  file: string;
}

/**
 * A table resource a definition declares: its literal name (null when computed: a CDK table without `tableName`, a
 * `!Sub`), its TTL attribute when enabled, and `ref`, how the definitions refer to it (a CloudFormation logical id, a
 * Terraform `aws_dynamodb_table.<label>`, a CDK variable), scoped so it is unique where it resolves.
 */
export interface DefinedTable {
  name: string | null;
  attribute: string | null;
  ref: string | null;
  file: string;
}

/** An environment variable a function definition sets to a table: its literal name, or a reference to its resource. */
export interface EnvironmentBinding {
  variable: string;
  /** The table's name when written as a literal (`ORDERS_TABLE: Orders`). */
  name: string | null;
  /** The resource referred to (`!Ref OrdersTable`, `aws_dynamodb_table.orders.name`, `table.tableName`). */
  ref: string | null;
  file: string;
}

export interface Definitions {
  tables: DefinedTable[];
  environment: EnvironmentBinding[];
}

/** The tables and the environment variables naming them that one file defines. */
export function definitionsInFile(file: string, text: string): Definitions {
  const none: Definitions = { tables: [], environment: [] };
  if (/\.tf$/i.test(file)) return /aws_dynamodb_table/.test(text) ? terraformDefinitions(text, file) : none;
  if (/\.(?:ya?ml|json)$/i.test(file)) return /AWS::DynamoDB::|[Ee]nvironment/.test(text) ? cloudFormationDefinitions(text, file) : none;
  if (/\.[cm]?[jt]s$/i.test(file)) return /aws-dynamodb|aws_dynamodb/.test(text) ? cdkDefinitions(text, file) : none;
  return none;
}

/** The TTL-marked tables one file defines with a literal name (the attribute not yet judged against the soft-delete columns). */
export function tablesInFile(file: string, text: string): FoundTable[] {
  return definitionsInFile(file, text).tables.flatMap((t) => (t.name !== null && t.attribute !== null ? [{ name: t.name, attribute: t.attribute, file }] : []));
}

// CloudFormation

const require = createRequire(import.meta.url);
type YamlModule = typeof import('yaml');
let yaml: YamlModule | undefined;
type Estree = typeof import('@typescript-eslint/typescript-estree');
/** typescript-estree (and TypeScript behind it) is loaded on the first CDK file only. */
let estree: Estree | undefined;
type Node = TSESTree.Node;

/** CloudFormation's short-form intrinsic functions: read as `{ 'Fn::X': … }`, so no tag is taken for a literal. */
const CFN_TAGS = ['Ref', 'GetAtt', 'Sub', 'Join', 'Select', 'Split', 'If', 'Equals', 'And', 'Or', 'Not', 'FindInMap', 'ImportValue', 'GetAZs', 'Base64', 'Cidr', 'Condition', 'Transform', 'Length', 'ToJsonString'];

function cfnTags(): Array<{ tag: string; collection?: 'map' | 'seq'; resolve: (value: unknown) => unknown }> {
  return CFN_TAGS.flatMap((name) => {
    const wrap = (value: unknown) => ({ [`Fn::${name}`]: value });
    return [
      { tag: `!${name}`, resolve: (value: unknown) => wrap(value) },
      { tag: `!${name}`, collection: 'seq' as const, resolve: (value: unknown) => wrap((value as { toJSON?: () => unknown }).toJSON?.() ?? value) },
      { tag: `!${name}`, collection: 'map' as const, resolve: (value: unknown) => wrap((value as { toJSON?: () => unknown }).toJSON?.() ?? value) },
    ];
  });
}

function parseTemplate(text: string, file: string): unknown {
  if (/\.json$/i.test(file)) return JSON.parse(text);
  yaml ??= require('yaml') as YamlModule;
  const doc = yaml.parseDocument(text, { customTags: cfnTags() as never, logLevel: 'silent', uniqueKeys: false });
  if (doc.errors.length > 0) throw new Error(doc.errors[0]!.message);
  return doc.toJS({ maxAliasCount: 100 });
}

const MAX_VISITS = 200_000;

const isRecord = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);
const literalName = (value: unknown): string | null => (typeof value === 'string' && !value.includes('${') ? value : null);

function cloudFormationDefinitions(text: string, file: string): Definitions {
  const out: Definitions = { tables: [], environment: [] };
  const root = parseTemplate(text, file);
  const stack: Array<{ value: unknown; key: string | null; parent: string | null }> = [{ value: root, key: null, parent: null }];
  const variables: Array<Record<string, unknown>> = [];
  for (let visits = 0; stack.length > 0 && visits < MAX_VISITS; visits++) {
    const { value, key, parent } = stack.pop()!;
    if (!value || typeof value !== 'object') continue;
    if (Array.isArray(value)) {
      for (const v of value) stack.push({ value: v, key: null, parent: key });
      continue;
    }
    const record = value as Record<string, unknown>;
    if (typeof record.Type === 'string' && CFN_TYPES.has(record.Type) && isRecord(record.Properties)) {
      const props = record.Properties;
      const ttl = isRecord(props.TimeToLiveSpecification) ? props.TimeToLiveSpecification : undefined;
      const enabled = ttl?.Enabled === true || ttl?.Enabled === 'true';
      const attribute = enabled && typeof ttl?.AttributeName === 'string' ? ttl.AttributeName : null;
      // the logical id is the key under Resources
      out.tables.push({ name: literalName(props.TableName), attribute, ref: parent === 'Resources' && key ? `${file}#${key}` : null, file });
      continue;
    }
    // SAM / CloudFormation `Environment: { Variables: {…} }`; Serverless `environment: {…}` (provider or function)
    if ((key === 'Variables' && parent === 'Environment') || key === 'environment') variables.push(record);
    for (const [k, v] of Object.entries(record)) stack.push({ value: v, key: k, parent: key });
  }
  for (const record of variables) {
    for (const [variable, value] of Object.entries(record)) {
      const bound = environmentValue(value, root, file);
      if (bound) out.environment.push({ variable, ...bound, file });
    }
  }
  return out;
}

/**
 * What an environment variable of a template holds: a literal name, `!Ref Table` / `{ Ref: Table }` (a table's
 * `Ref` is its name), or Serverless's `${self:path.to.value}` read from the same document. null otherwise.
 */
function environmentValue(value: unknown, root: unknown, file: string, depth = 0): { name: string | null; ref: string | null } | null {
  if (typeof value === 'string') {
    const self = /^\$\{self:([\w.-]+)\}$/.exec(value);
    if (self && depth < 4) {
      let at: unknown = root;
      for (const part of self[1]!.split('.')) at = isRecord(at) ? at[part] : undefined;
      return environmentValue(at, root, file, depth + 1);
    }
    const name = literalName(value);
    return name === null ? null : { name, ref: null };
  }
  if (isRecord(value)) {
    const ref = value.Ref ?? value['Fn::Ref'];
    if (typeof ref === 'string') return { name: null, ref: `${file}#${ref}` };
  }
  return null;
}

// AWS CDK

function cdkDefinitions(text: string, file: string): Definitions {
  estree ??= require('@typescript-eslint/typescript-estree') as Estree;
  const program = estree.parse(text, { range: true, jsx: /\.[jt]sx$/i.test(file) });
  // which local names are the CDK's DynamoDB module (namespace) or its table classes
  const namespaces = new Set<string>();
  const classes = new Map<string, string>();
  const consts = new Map<string, string>();
  for (const statement of program.body) {
    if (statement.type === 'ImportDeclaration') {
      const source = String(statement.source.value);
      for (const s of statement.specifiers) {
        if (CDK_MODULES.has(source)) {
          if (s.type === 'ImportNamespaceSpecifier' || s.type === 'ImportDefaultSpecifier') namespaces.add(s.local.name);
          else if (s.imported.type === 'Identifier' && CDK_TABLES.has(s.imported.name)) classes.set(s.local.name, s.imported.name);
        } else if (source === 'aws-cdk-lib' && s.type === 'ImportSpecifier' && s.imported.type === 'Identifier' && s.imported.name === 'aws_dynamodb') {
          namespaces.add(s.local.name);
        }
      }
    }
    const declaration = statement.type === 'ExportNamedDeclaration' ? statement.declaration : statement;
    if (declaration?.type === 'VariableDeclaration' && declaration.kind === 'const') {
      for (const d of declaration.declarations) {
        const value = d.init ? literalString(d.init) : null;
        if (d.id.type === 'Identifier' && value !== null) consts.set(d.id.name, value);
      }
    }
  }
  if (namespaces.size === 0 && classes.size === 0) return { tables: [], environment: [] };
  const stringOf = (node: Node | undefined): string | null =>
    !node ? null : node.type === 'Identifier' ? (consts.get(node.name) ?? null) : literalString(node);
  const out: Definitions = { tables: [], environment: [] };
  /** Where a table construct is kept: `const table = new Table(…)`, `this.table = new Table(…)`. */
  const holderOf = (node: Node): string | null => {
    const parent = (node as { parent?: Node }).parent;
    if (parent?.type === 'VariableDeclarator' && parent.id.type === 'Identifier') return `${file}#${parent.id.name}`;
    if (parent?.type === 'AssignmentExpression' && parent.left.type === 'MemberExpression' && parent.left.object.type === 'ThisExpression' && parent.left.property.type === 'Identifier') {
      return `${file}#this.${parent.left.property.name}`;
    }
    return null;
  };
  /** `table.tableName` / `this.table.tableName`: the construct referred to. */
  const tableNameRef = (node: Node): string | null => {
    if (node.type !== 'MemberExpression' || node.property.type !== 'Identifier' || node.property.name !== 'tableName') return null;
    const object = node.object;
    if (object.type === 'Identifier') return `${file}#${object.name}`;
    if (object.type === 'MemberExpression' && object.object.type === 'ThisExpression' && object.property.type === 'Identifier') return `${file}#this.${object.property.name}`;
    return null;
  };
  const bind = (variable: string | null, value: Node): void => {
    if (variable === null) return;
    const name = stringOf(value);
    const ref = name === null ? tableNameRef(value) : null;
    if (name !== null || ref !== null) out.environment.push({ variable, name, ref, file });
  };
  estree.simpleTraverse(program, {
    enter(node) {
      // `environment: { ORDERS_TABLE: table.tableName }` (any function construct), `fn.addEnvironment('ORDERS_TABLE', …)`
      if (node.type === 'Property' && !node.computed && node.key.type === 'Identifier' && node.key.name === 'environment' && node.value.type === 'ObjectExpression') {
        for (const p of node.value.properties) {
          if (p.type !== 'Property' || p.computed) continue;
          bind(p.key.type === 'Identifier' ? p.key.name : p.key.type === 'Literal' && typeof p.key.value === 'string' ? p.key.value : null, p.value as Node);
        }
        return;
      }
      if (node.type === 'CallExpression' && node.callee.type === 'MemberExpression' && node.callee.property.type === 'Identifier' && node.callee.property.name === 'addEnvironment' && node.arguments.length >= 2) {
        bind(stringOf(node.arguments[0] as Node), node.arguments[1] as Node);
        return;
      }
      if (node.type !== 'NewExpression') return;
      const callee = node.callee;
      const kind =
        callee.type === 'Identifier'
          ? classes.get(callee.name)
          : callee.type === 'MemberExpression' && callee.object.type === 'Identifier' && namespaces.has(callee.object.name) && callee.property.type === 'Identifier'
            ? callee.property.name
            : undefined;
      const props = node.arguments[2];
      if (!kind || !CDK_TABLES.has(kind) || props?.type !== 'ObjectExpression') return;
      const name = stringOf(propertyOf(props, 'tableName'));
      let attribute = stringOf(propertyOf(props, 'timeToLiveAttribute'));
      const spec = propertyOf(props, 'timeToLiveSpecification');
      if (attribute === null && spec?.type === 'ObjectExpression') {
        const enabled = propertyOf(spec, 'enabled');
        if (enabled?.type === 'Literal' && enabled.value === true) attribute = stringOf(propertyOf(spec, 'attributeName'));
      }
      out.tables.push({ name, attribute, ref: holderOf(node), file });
    },
  }, true);
  return out;
}

function propertyOf(object: TSESTree.ObjectExpression, key: string): Node | undefined {
  for (const p of object.properties) {
    if (p.type === 'Property' && !p.computed && ((p.key.type === 'Identifier' && p.key.name === key) || (p.key.type === 'Literal' && p.key.value === key))) return p.value;
  }
  return undefined;
}

function literalString(node: Node): string | null {
  if (node.type === 'Literal' && typeof node.value === 'string') return node.value;
  if (node.type === 'TemplateLiteral' && node.expressions.length === 0) return node.quasis[0]?.value.cooked ?? null;
  if (node.type === 'TSAsExpression' || node.type === 'TSSatisfiesExpression') return literalString(node.expression);
  return null;
}

// Terraform

interface HclToken {
  kind: 'word' | 'string' | 'punct';
  text: string;
  /** For a string: true when it interpolates (`${…}`) or is a heredoc (its value is not one literal name). */
  dynamic?: boolean;
}

/** HCL's lexical structure: words, quoted strings (with nested `${…}`), heredocs, comments skipped, punctuation. */
function hclTokens(text: string): HclToken[] {
  const tokens: HclToken[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    if (/\s/.test(ch)) {
      i++;
    } else if (ch === '#' || (ch === '/' && text[i + 1] === '/')) {
      const end = text.indexOf('\n', i);
      i = end === -1 ? text.length : end + 1;
    } else if (ch === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      i = end === -1 ? text.length : end + 2;
    } else if (ch === '<' && text[i + 1] === '<' && /^<<-?([A-Za-z_]\w*)/.test(text.slice(i, i + 80))) {
      const marker = /^<<-?([A-Za-z_]\w*)/.exec(text.slice(i, i + 80))![1]!;
      const close = new RegExp(String.raw`\n[ \t]*${marker}[ \t]*(?:\r?\n|$)`, 'g');
      close.lastIndex = i;
      const m = close.exec(text);
      i = m ? m.index + m[0].length : text.length;
      tokens.push({ kind: 'string', text: '', dynamic: true });
    } else if (ch === '"') {
      let value = '';
      let dynamic = false;
      let depth = 0;
      i++;
      while (i < text.length) {
        const c = text[i]!;
        if (depth === 0 && c === '"') break;
        if (c === '\\') {
          value += text[i + 1] ?? '';
          i += 2;
          continue;
        }
        if ((c === '$' || c === '%') && text[i + 1] === '{') {
          dynamic = true;
          depth++;
          i += 2;
          continue;
        }
        if (depth > 0 && c === '}') depth--;
        else if (depth > 0 && c === '{') depth++;
        if (depth === 0) value += c;
        i++;
      }
      i++;
      tokens.push({ kind: 'string', text: value, dynamic });
    } else if (/[A-Za-z_]/.test(ch)) {
      const m = /^[A-Za-z_][\w-]*/.exec(text.slice(i, i + 256))!;
      tokens.push({ kind: 'word', text: m[0] });
      i += m[0].length;
    } else {
      tokens.push({ kind: 'punct', text: ch });
      i++;
    }
  }
  return tokens;
}

function terraformDefinitions(text: string, file: string): Definitions {
  const tokens = hclTokens(text);
  const out: Definitions = { tables: [], environment: [] };
  for (let i = 0; i + 3 < tokens.length; i++) {
    const t = tokens[i]!;
    // `environment { variables = { ORDERS_TABLE = aws_dynamodb_table.orders.name } }` (a Lambda function's)
    if (t.kind === 'word' && t.text === 'variables' && tokens[i + 1]?.text === '=' && tokens[i + 2]?.text === '{' && tokens[i - 2]?.text === 'environment') {
      let j = i + 3;
      for (; j < tokens.length && tokens[j]!.text !== '}'; j++) {
        const key = tokens[j]!;
        if ((key.kind !== 'word' && key.kind !== 'string') || (tokens[j + 1]?.text !== '=' && tokens[j + 1]?.text !== ':')) continue;
        const value = tokens[j + 2];
        const variable = key.kind === 'string' && key.dynamic ? null : key.text;
        if (variable !== null && value?.kind === 'string' && !value.dynamic) out.environment.push({ variable, name: value.text, ref: null, file });
        else if (
          variable !== null && value?.text === 'aws_dynamodb_table' && tokens[j + 3]?.text === '.' && tokens[j + 4]?.kind === 'word' &&
          tokens[j + 5]?.text === '.' && (tokens[j + 6]?.text === 'name' || tokens[j + 6]?.text === 'id')
        ) {
          out.environment.push({ variable, name: null, ref: `tf:${tokens[j + 4]!.text}`, file });
        }
      }
      i = j;
      continue;
    }
    if (t.kind !== 'word' || t.text !== 'resource' || tokens[i + 1]?.text !== 'aws_dynamodb_table' || tokens[i + 3]?.text !== '{') continue;
    const label = tokens[i + 2]!.kind === 'string' && !tokens[i + 2]!.dynamic ? tokens[i + 2]!.text : null;
    let depth = 0;
    let name: string | null = null;
    let attribute: string | null = null;
    let enabled = false;
    let inTtl = false;
    let j = i + 3;
    for (; j < tokens.length; j++) {
      const u = tokens[j]!;
      if (u.kind === 'punct' && (u.text === '{' || u.text === '[' || u.text === '(')) {
        depth++;
        continue;
      }
      if (u.kind === 'punct' && (u.text === '}' || u.text === ']' || u.text === ')')) {
        depth--;
        if (depth === 1) inTtl = false;
        if (depth === 0) break;
        continue;
      }
      if (u.kind !== 'word' || tokens[j + 1]?.text !== '=') {
        if (depth === 1 && u.kind === 'word' && u.text === 'ttl' && tokens[j + 1]?.text === '{') inTtl = true;
        continue;
      }
      const value = tokens[j + 2];
      if (depth === 1 && u.text === 'name' && value?.kind === 'string' && !value.dynamic) name = value.text;
      if (depth === 2 && inTtl && u.text === 'attribute_name' && value?.kind === 'string' && !value.dynamic) attribute = value.text;
      if (depth === 2 && inTtl && u.text === 'enabled' && value?.kind === 'word') enabled = value.text === 'true';
    }
    out.tables.push({ name, attribute: enabled ? attribute : null, ref: label === null ? null : `tf:${label}`, file });
    i = j;
  }
  return out;
}

// Discovery and its cache

interface Entry {
  watch: ListingWatch;
  stamps: Map<string, string>;
  found: FoundTable[];
  definitions: Definitions;
  notes: SchemaFileNote[];
  checkedAt: number;
}

const cache = new Map<string, Entry>();
const perFile = new Map<string, { stamp: string; definitions: Definitions; note: SchemaFileNote | null }>();

/** Forgets what was found (tests; a process that knows the files changed). */
export function clearInfrastructureCache(): void {
  cache.clear();
  perFile.clear();
}

function listFiles(root: string, patterns: readonly string[], notes: SchemaFileNote[]): string[] {
  try {
    const found = globSync([...patterns], {
      cwd: root,
      absolute: true,
      onlyFiles: true,
      ignore: ['**/node_modules/**', '**/cdk.out/**', '**/.terraform/**', '**/*.d.ts'],
      fs: guardedGlobFs(realRoot(root), notes),
    });
    const files = [...new Set(found.map((f) => path.resolve(f)))].sort();
    if (files.length > MAX_FILES) {
      notes.push({ file: root, message: `${root}: ${files.length} infrastructure files match; only the first ${MAX_FILES} were read for DynamoDB tables` });
      return files.slice(0, MAX_FILES);
    }
    return files;
  } catch {
    return [];
  }
}

/**
 * The TTL-marked tables defined under `root` (`patterns` relative to it) with a literal name, and everything the
 * definitions say (tables by reference, environment variables naming them); cached by file stamps.
 */
export function infrastructureTables(root: string, patterns: readonly string[]): { tables: FoundTable[]; definitions: Definitions; notes: SchemaFileNote[] } {
  const key = JSON.stringify([root, patterns]);
  // re-checked at the schema's pace: once a second in an editor, every 10 s within one lintFiles run
  const now = clock();
  const entry = cache.get(key);
  if (entry && now - entry.checkedAt < recheckInterval(now)) return { tables: entry.found, definitions: entry.definitions, notes: entry.notes };
  const reuse = entry !== undefined && listingUnchanged(entry.watch);
  const watch = reuse ? entry.watch : watchListing(root, patterns);
  const notes: SchemaFileNote[] = [];
  const files = reuse ? [...entry.stamps.keys()] : listFiles(root, patterns, notes);
  const stamps = new Map(files.map((f) => [f, stampOf(f)]));
  const found: FoundTable[] = [];
  const definitions: Definitions = { tables: [], environment: [] };
  const guard = realRoot(root);
  for (const [file, stamp] of stamps) {
    let known = perFile.get(file);
    if (!known || known.stamp !== stamp) {
      const read = readSchemaFile(file, guard);
      let defined: Definitions = { tables: [], environment: [] };
      let note: SchemaFileNote | null = null;
      if ('problem' in read) note = { file, message: read.problem };
      else {
        try {
          defined = definitionsInFile(file, read.text);
        } catch (error) {
          // a file that does not parse defines no table we can see; said, not thrown
          note = { file, message: `${file}: not read for DynamoDB tables: ${(error as Error).message}` };
        }
      }
      known = { stamp, definitions: defined, note };
      if (perFile.size > 10_000) perFile.clear();
      perFile.set(file, known);
    }
    for (const t of known.definitions.tables) if (t.name !== null && t.attribute !== null) found.push({ name: t.name, attribute: t.attribute, file });
    definitions.tables.push(...known.definitions.tables);
    definitions.environment.push(...known.definitions.environment);
    if (known.note) notes.push(known.note);
  }
  cache.set(key, { watch, stamps, found, definitions, notes, checkedAt: now });
  return { tables: found, definitions, notes };
}

/**
 * The table each environment variable names, from the definitions: a literal name, or the resource a reference
 * points at — its literal name, or (a table the deployment names, as CDK does without `tableName`) the resource's
 * own id, under which it is then known when its TTL attribute is a soft-delete column. A variable two definitions
 * set to different tables names none (the code may run under either).
 */
export function environmentTables(definitions: Definitions, columns: readonly string[]): { environment: Map<string, string>; unnamed: Map<string, DynamoDbTableSetting> } {
  const byRef = new Map<string, DefinedTable>();
  for (const t of definitions.tables) if (t.ref !== null) byRef.set(t.ref, t);
  const environment = new Map<string, string | null>();
  const unnamed = new Map<string, DynamoDbTableSetting>();
  for (const binding of definitions.environment) {
    let name = binding.name;
    if (name === null && binding.ref !== null) {
      const table = byRef.get(binding.ref);
      if (!table) continue; // a reference to something that is not a DynamoDB table (a bucket, a queue)
      if (table.name !== null) name = table.name;
      else {
        // the deployment names it: known by its resource id (`OrdersTable`, `orders`, `ordersTable`)
        name = table.ref!.slice(table.ref!.search(/[#:][^#:]*$/) + 1).replace(/^this\./, '');
        if (table.attribute !== null && columns.includes(table.attribute)) unnamed.set(name, { attribute: table.attribute });
      }
    }
    if (name === null) continue;
    const seen = environment.get(binding.variable);
    environment.set(binding.variable, seen === undefined || seen === name ? name : null);
  }
  const resolved = new Map<string, string>();
  for (const [variable, name] of environment) if (name !== null) resolved.set(variable, name);
  return { environment: resolved, unnamed };
}

/** Does the package of `dir` (or `cwd`'s) depend on an AWS SDK, the CDK or a DynamoDB library? */
function usesAws(cwd: string, file: string): boolean {
  const own = nearestPackageDir(path.dirname(file), cwd);
  return [own, cwd].some((dir) => dir !== undefined && AWS_PACKAGES.some((p) => dependencyNames(dir).has(p)));
}

/**
 * The settings with the soft-deletable DynamoDB tables the infrastructure definitions declare added (a table the
 * settings name keeps its declaration). `settings` itself when discovery is off or finds nothing.
 */
export function withInfrastructureTables(settings: SoftDeleteSettings, cwd: string, file: string): SoftDeleteSettings {
  const globs = settings.dynamodb.infrastructure;
  if (globs === false) return settings;
  try {
    // the same folder the schema globs are relative to: `root`, else the ESLint cwd
    const root = settings.root === null ? path.resolve(cwd) : path.resolve(cwd, settings.root);
    if (globs === null && !usesAws(root, file)) return settings;
    const { tables, definitions } = infrastructureTables(root, globs ?? CONVENTIONAL_INFRASTRUCTURE_GLOBS);
    if (tables.length === 0 && definitions.environment.length === 0) return settings;
    const found = new Map<string, DynamoDbTableSetting>();
    for (const t of tables) if (settings.columns.includes(t.attribute) && !found.has(t.name)) found.set(t.name, { attribute: t.attribute });
    const { environment, unnamed } = environmentTables(definitions, settings.columns);
    for (const [name, table] of unnamed) if (!found.has(name)) found.set(name, table);
    return withDynamoDbTables(settings, found, environment);
  } catch (error) {
    rethrowWhenStrict(error); // discovery never fails a lint: the declared tables still apply
    return settings;
  }
}
