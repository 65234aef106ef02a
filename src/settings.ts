/**
 * `settings["soft-delete"]`: the public configuration shape shared by every rule, with defaults filled in.
 */
import { quoteIdent } from './sql/ident.js';

export interface TableSetting {
  /** This table's soft-delete column (e.g. `archived_at`): active rows have it NULL. */
  column?: string;
  /** An explicit active-row predicate in SQL over the table's own columns, e.g. `valid_to IS NULL`. */
  active?: string;
  /** Uniques on this table are never reported by require-partial-unique-index. */
  allowFullUnique?: boolean;
}

export interface SoftDeleteSettingsInput {
  /** Globs (relative to `root`, else the ESLint cwd) of schema sources: `.sql` files and TS/JS migrations. */
  schema?: string | string[];
  /**
   * The folder relative `schema` globs and discovery start from (relative to the ESLint cwd). ESLint does not tell
   * rules where their config file is: write `root: import.meta.dirname` for the config's own folder.
   */
  root?: string;
  /** Column names that make a table soft-deletable. Default `["deleted_at", "deletedAt"]`. */
  columns?: string[];
  /** Per-table declarations, keyed by `table` or `schema.table`; `false` = never soft-deletable. */
  tables?: Record<string, TableSetting | false>;
  /** Extra template tags whose templates are SQL (added to the built-in list). */
  tags?: string[];
  /** Extra method or function names whose first argument is SQL (added to the built-in list). */
  functions?: string[];
  /** Schemas searched for unqualified names. Default `["public"]`. */
  searchPath?: string[];
  /** Trust a row-level-security policy whose USING clause filters the soft-delete column. Default false. */
  trustRls?: boolean;
  /**
   * Lower Prisma client reads (`prisma.user.findMany({ where })`) into SQL and check them. Default true; turn it
   * off when a Prisma client extension filters soft-deleted rows globally.
   */
  prismaClient?: boolean;
  /** Lower drizzle query-builder and relational-query reads into SQL and check them. Default true. */
  drizzle?: boolean;
  /** DynamoDB tables whose items are soft-deleted (see docs/dynamodb.md). Off unless a table is declared or found. */
  dynamodb?: DynamoDbSettingsInput;
}

/**
 * How the items of a DynamoDB table are marked deleted: the attribute is set on a soft delete (usually the table's
 * TTL attribute, `deleted_at`), or, with `deletedValue`, the attribute holds that value (`status = 'deleted'`).
 */
export interface DynamoDbTableSetting {
  attribute: string;
  deletedValue?: string | number | boolean;
}

export interface DynamoDbSettingsInput {
  /** By table name (as DynamoDB spells it); `false` = never soft-deletable (overrides infrastructure definitions). */
  tables?: Record<string, DynamoDbTableSetting | false>;
  /**
   * Globs (relative to the ESLint cwd) of infrastructure definitions (CDK, CloudFormation / SAM, Terraform) read for
   * tables whose TTL attribute is a soft-delete column; `false` reads none. Default: the conventional places.
   */
  infrastructure?: string[] | false;
  /** The table an environment variable names (`{ ORDERS_TABLE: 'Orders' }`), for `TableName: process.env.ORDERS_TABLE`. */
  environment?: Record<string, string>;
}

export interface SoftDeleteSettings {
  schema: string[] | null;
  root: string | null;
  columns: string[];
  tables: Map<string, TableSetting | false>;
  tags: string[];
  functions: string[];
  searchPath: string[];
  trustRls: boolean;
  prismaClient: boolean;
  drizzle: boolean;
  dynamodb: DynamoDbSettings;
}

export interface DynamoDbSettings {
  /** Soft-deletable tables (declared, then found in infrastructure definitions); `false`: declared never. */
  tables: Map<string, DynamoDbTableSetting | false>;
  /** The table each environment variable names (`ORDERS_TABLE` → `Orders`): declared, then found in definitions. */
  environment: Map<string, string>;
  /** Infrastructure globs; null = the conventional places; false = none. */
  infrastructure: string[] | false | null;
}

/**
 * The schema under which the checks see DynamoDB tables: a read of `Orders` is the SQL read of `dynamodb."Orders"`,
 * and its requirement is the `settings.tables` entry `dynamodb.Orders` (so a relational `orders` table never
 * collides with it).
 */
export const DYNAMODB_SCHEMA = 'dynamodb';

export const DEFAULT_COLUMNS = ['deleted_at', 'deletedAt'];

export function normalizeSettings(raw: unknown): SoftDeleteSettings {
  // ESLint hands every file of one configuration the same settings object: normalised once, and the same result
  // object each time (so what is computed per settings object downstream is computed once)
  if (!raw || typeof raw !== 'object') return (noSettings ??= normalize(undefined));
  let settings = normalizedSettings.get(raw);
  if (!settings) normalizedSettings.set(raw, (settings = normalize(raw)));
  return settings;
}

const normalizedSettings = new WeakMap<object, SoftDeleteSettings>();
let noSettings: SoftDeleteSettings | undefined;

function normalize(raw: unknown): SoftDeleteSettings {
  const input = (raw && typeof raw === 'object' ? raw : {}) as SoftDeleteSettingsInput;
  const schema = input.schema === undefined ? null : Array.isArray(input.schema) ? input.schema : [input.schema];
  const tables = new Map<string, TableSetting | false>();
  for (const [key, value] of Object.entries(input.tables ?? {})) {
    tables.set(key, value === false ? false : { ...value });
  }
  const dynamodb: DynamoDbSettings = { tables: new Map(), environment: new Map(), infrastructure: null };
  const dynamoInput = input.dynamodb && typeof input.dynamodb === 'object' ? input.dynamodb : {};
  for (const [variable, table] of Object.entries(dynamoInput.environment ?? {})) if (typeof table === 'string') dynamodb.environment.set(variable, table);
  if (dynamoInput.infrastructure === false) dynamodb.infrastructure = false;
  else if (Array.isArray(dynamoInput.infrastructure)) dynamodb.infrastructure = dynamoInput.infrastructure.filter((g) => typeof g === 'string');
  for (const [name, value] of Object.entries(dynamoInput.tables ?? {})) {
    if (value === false) dynamodb.tables.set(name, false);
    else if (value && typeof value === 'object' && typeof value.attribute === 'string') dynamodb.tables.set(name, { ...value });
  }
  addDynamoDbRequirements(tables, dynamodb.tables);
  return {
    schema: schema?.filter((s): s is string => typeof s === 'string') ?? null,
    root: typeof input.root === 'string' && input.root !== '' ? input.root : null,
    columns: Array.isArray(input.columns) && input.columns.length ? input.columns : DEFAULT_COLUMNS,
    tables,
    tags: Array.isArray(input.tags) ? input.tags : [],
    functions: Array.isArray(input.functions) ? input.functions : [],
    searchPath: Array.isArray(input.searchPath) && input.searchPath.length ? input.searchPath : ['public'],
    trustRls: input.trustRls === true,
    prismaClient: input.prismaClient !== false,
    drizzle: input.drizzle !== false,
    dynamodb,
  };
}

/** A SQL literal for a DynamoDB marker value (the requirement the checks judge is SQL). */
function sqlLiteral(value: string | number | boolean): string {
  if (typeof value === 'string') return `'${value.replace(/'/g, "''")}'`;
  return String(value);
}

/** The active-item predicate of a DynamoDB table, as SQL over its attributes (what `tables` entries hold). */
export function dynamoDbActiveSql(table: DynamoDbTableSetting): string {
  const name = quoteIdent(table.attribute);
  if (table.deletedValue === undefined) return `${name} IS NULL`;
  if (typeof table.deletedValue === 'number' && !Number.isFinite(table.deletedValue)) return `${name} IS NULL`;
  return `${name} <> ${sqlLiteral(table.deletedValue)}`;
}

function addDynamoDbRequirements(tables: Map<string, TableSetting | false>, dynamo: ReadonlyMap<string, DynamoDbTableSetting | false>): void {
  for (const [name, table] of dynamo) {
    const key = `${DYNAMODB_SCHEMA}.${name}`;
    if (!tables.has(key)) tables.set(key, table === false ? false : { active: dynamoDbActiveSql(table) });
  }
}

/**
 * Settings with more soft-deletable DynamoDB tables (found in infrastructure definitions): a table the settings
 * already name (soft-deletable or `false`) keeps its declaration. Returns `settings` itself when nothing is added.
 */
export function withDynamoDbTables(
  settings: SoftDeleteSettings,
  found: ReadonlyMap<string, DynamoDbTableSetting>,
  environment: ReadonlyMap<string, string> = new Map(),
): SoftDeleteSettings {
  const added = [...found].filter(([name]) => !settings.dynamodb.tables.has(name));
  const variables = [...environment].filter(([variable]) => !settings.dynamodb.environment.has(variable));
  if (added.length === 0 && variables.length === 0) return settings;
  const dynamoTables = new Map(settings.dynamodb.tables);
  for (const [name, table] of added) dynamoTables.set(name, table);
  const tables = new Map(settings.tables);
  addDynamoDbRequirements(tables, new Map(added));
  const dynamoEnvironment = new Map([...settings.dynamodb.environment, ...variables]);
  return { ...settings, tables, dynamodb: { ...settings.dynamodb, tables: dynamoTables, environment: dynamoEnvironment } };
}

/** The setting for a table, looked up as `schema.name`, then `name`. */
export function tableSetting(settings: SoftDeleteSettings, schema: string, name: string): TableSetting | false | undefined {
  return settings.tables.get(`${schema}.${name}`) ?? settings.tables.get(name);
}

/**
 * The JSON schema of `settings["soft-delete"]` (the subset of JSON Schema that rule options use: `type`,
 * `properties`, `additionalProperties`, `items`, `anyOf`, `enum`). Keep it in step with `SoftDeleteSettingsInput`.
 */
export interface SettingsSchema {
  type?: 'object' | 'array' | 'string' | 'boolean' | 'number';
  properties?: Record<string, SettingsSchema>;
  additionalProperties?: boolean | SettingsSchema;
  items?: SettingsSchema;
  anyOf?: SettingsSchema[];
  enum?: unknown[];
  /** Keys an object must have. */
  required?: string[];
  /** How a wrong value is explained: "must be <expected>". */
  expected?: string;
}

const STRINGS: SettingsSchema = { type: 'array', items: { type: 'string' }, expected: 'an array of strings' };

const TABLE_SETTING: SettingsSchema = {
  type: 'object',
  properties: { column: { type: 'string' }, active: { type: 'string' }, allowFullUnique: { type: 'boolean' } },
  additionalProperties: false,
};

const DYNAMODB_TABLE: SettingsSchema = {
  type: 'object',
  properties: {
    attribute: { type: 'string' },
    deletedValue: { anyOf: [{ type: 'string' }, { type: 'number' }, { type: 'boolean' }], expected: 'a string, a number or a boolean' },
  },
  required: ['attribute'],
  additionalProperties: false,
};

const DYNAMODB: SettingsSchema = {
  type: 'object',
  properties: {
    tables: {
      type: 'object',
      additionalProperties: { anyOf: [{ enum: [false] }, DYNAMODB_TABLE], expected: 'false or { attribute, deletedValue }' },
    },
    infrastructure: { anyOf: [{ enum: [false] }, STRINGS], expected: 'false or an array of globs' },
    environment: { type: 'object', additionalProperties: { type: 'string', expected: 'a table name' } },
  },
  additionalProperties: false,
};

export const SETTINGS_SCHEMA: SettingsSchema = {
  type: 'object',
  properties: {
    schema: { anyOf: [{ type: 'string' }, STRINGS], expected: 'a glob or an array of globs' },
    root: { type: 'string', expected: 'a folder (e.g. import.meta.dirname)' },
    columns: STRINGS,
    tables: {
      type: 'object',
      additionalProperties: { anyOf: [{ enum: [false] }, TABLE_SETTING], expected: 'false or { column, active, allowFullUnique }' },
    },
    tags: STRINGS,
    functions: STRINGS,
    searchPath: STRINGS,
    trustRls: { type: 'boolean' },
    prismaClient: { type: 'boolean' },
    drizzle: { type: 'boolean' },
    dynamodb: DYNAMODB,
  },
  additionalProperties: false,
};

function typeOf(value: unknown): string {
  if (Array.isArray(value)) return 'array';
  if (value === null) return 'null';
  return typeof value;
}

function describeValue(value: unknown): string {
  const type = typeOf(value);
  if (type === 'string') return JSON.stringify((value as string).length > 40 ? `${(value as string).slice(0, 40)}…` : value);
  if (type === 'array') return 'an array';
  if (type === 'object') return 'an object';
  return String(value);
}

/** Edit distance (case-insensitive), for "did you mean". */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const same = a[i - 1]!.toLowerCase() === b[j - 1]!.toLowerCase();
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (same ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}

function didYouMean(key: string, known: string[]): string {
  let best = '';
  let bestDistance = Infinity;
  for (const candidate of known) {
    const d = editDistance(key, candidate);
    if (d < bestDistance) [best, bestDistance] = [candidate, d];
  }
  return bestDistance <= Math.max(2, Math.floor(key.length / 3)) ? ` (did you mean "${best}"?)` : '';
}

function keyPath(path: string[]): string {
  const part = (p: string): string => (/^[A-Za-z_$][\w$]*$/.test(p) ? `.${p}` : /^\d+$/.test(p) ? `[${p}]` : `[${JSON.stringify(p)}]`);
  return 'settings["soft-delete"]' + path.map(part).join('');
}

function validate(value: unknown, schema: SettingsSchema, path: string[], problems: string[]): void {
  if (schema.anyOf) {
    const attempts = schema.anyOf.map((branch) => {
      const found: string[] = [];
      validate(value, branch, path, found);
      return { branch, found };
    });
    if (attempts.some((a) => a.found.length === 0)) return;
    // An object given where an object is one choice: its own mistakes (an unknown key) say more than the union.
    const sameType = attempts.find((a) => a.branch.type !== undefined && a.branch.type === typeOf(value));
    if (sameType) problems.push(...sameType.found);
    else problems.push(`${keyPath(path)} must be ${schema.expected ?? 'a valid value'}, got ${describeValue(value)}.`);
    return;
  }
  if (schema.enum && !schema.enum.includes(value)) {
    problems.push(`${keyPath(path)} must be ${schema.expected ?? schema.enum.map((v) => JSON.stringify(v)).join(' or ')}, got ${describeValue(value)}.`);
    return;
  }
  if (schema.type && typeOf(value) !== schema.type) {
    const article = schema.type === 'array' || schema.type === 'object' ? 'an' : 'a';
    problems.push(`${keyPath(path)} must be ${schema.expected ?? `${article} ${schema.type}`}, got ${describeValue(value)}.`);
    return;
  }
  if (schema.type === 'array' && schema.items) {
    (value as unknown[]).forEach((item, index) => validate(item, schema.items!, [...path, String(index)], problems));
  }
  if (schema.type === 'object') {
    const properties = schema.properties ?? {};
    for (const key of schema.required ?? []) {
      if ((value as Record<string, unknown>)[key] === undefined) problems.push(`${keyPath([...path, key])} is required.`);
    }
    for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
      // `toJSON` is how the recommended config puts the schema fingerprint into ESLint's cache key (cache-key.ts).
      if (item === undefined || (key === 'toJSON' && typeof item === 'function' && path.length === 0)) continue;
      const property = properties[key];
      if (property) validate(item, property, [...path, key], problems);
      else if (typeof schema.additionalProperties === 'object') validate(item, schema.additionalProperties, [...path, key], problems);
      else if (schema.additionalProperties === false) {
        problems.push(`${keyPath([...path, key])} is not a setting${didYouMean(key, Object.keys(properties))}.`);
      }
    }
  }
}

/** Every problem of `settings["soft-delete"]`, one sentence each naming the exact key; `[]` when valid or absent. */
export function settingsProblems(raw: unknown): string[] {
  if (raw === undefined) return [];
  const problems: string[] = [];
  validate(raw, SETTINGS_SCHEMA, [], problems);
  return problems;
}

/** Settings objects already validated: ESLint hands every rule of every file the same object. */
const validated = new WeakSet<object>();

/**
 * Throws a configuration error listing every problem of `settings["soft-delete"]`. Called when a rule is created, so
 * ESLint stops with the message — as it does for invalid rule options — instead of running with a setting ignored.
 */
export function assertValidSettings(raw: unknown): void {
  if (raw !== null && typeof raw === 'object' && validated.has(raw)) return;
  const problems = settingsProblems(raw);
  if (problems.length) {
    throw new Error(`Invalid settings["soft-delete"]:\n${problems.map((p) => `\t- ${p}`).join('\n')}`);
  }
  if (raw !== null && typeof raw === 'object') validated.add(raw);
}
