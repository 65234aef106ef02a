/**
 * `settings["soft-delete"]`: the public configuration shape shared by every rule, with defaults filled in.
 */

export interface TableSetting {
  /** This table's soft-delete column (e.g. `archived_at`): active rows have it NULL. */
  column?: string;
  /** An explicit active-row predicate in SQL over the table's own columns, e.g. `valid_to IS NULL`. */
  active?: string;
  /** Uniques on this table are never reported by require-partial-unique-index. */
  allowFullUnique?: boolean;
}

export interface SoftDeleteSettingsInput {
  /** Globs (relative to the ESLint cwd) of schema sources: `.sql` files and TS/JS migrations. */
  schema?: string | string[];
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
}

export interface SoftDeleteSettings {
  schema: string[] | null;
  columns: string[];
  tables: Map<string, TableSetting | false>;
  tags: string[];
  functions: string[];
  searchPath: string[];
  trustRls: boolean;
  prismaClient: boolean;
  drizzle: boolean;
}

export const DEFAULT_COLUMNS = ['deleted_at', 'deletedAt'];

export function normalizeSettings(raw: unknown): SoftDeleteSettings {
  const input = (raw && typeof raw === 'object' ? raw : {}) as SoftDeleteSettingsInput;
  const schema = input.schema === undefined ? null : Array.isArray(input.schema) ? input.schema : [input.schema];
  const tables = new Map<string, TableSetting | false>();
  for (const [key, value] of Object.entries(input.tables ?? {})) {
    tables.set(key, value === false ? false : { ...value });
  }
  return {
    schema: schema?.filter((s): s is string => typeof s === 'string') ?? null,
    columns: Array.isArray(input.columns) && input.columns.length ? input.columns : DEFAULT_COLUMNS,
    tables,
    tags: Array.isArray(input.tags) ? input.tags : [],
    functions: Array.isArray(input.functions) ? input.functions : [],
    searchPath: Array.isArray(input.searchPath) && input.searchPath.length ? input.searchPath : ['public'],
    trustRls: input.trustRls === true,
    prismaClient: input.prismaClient !== false,
    drizzle: input.drizzle !== false,
  };
}

/** The setting for a table, looked up as `schema.name`, then `name`. */
export function tableSetting(settings: SoftDeleteSettings, schema: string, name: string): TableSetting | false | undefined {
  return settings.tables.get(`${schema}.${name}`) ?? settings.tables.get(name);
}
