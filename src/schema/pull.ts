/**
 * `soft-delete-review schema pull`: the schema of a live PostgreSQL database, read from `pg_catalog` inside a
 * read-only transaction and written as SQL DDL — a snapshot file the plugin reads like any schema source (like a
 * `pg_dump --schema-only`). Only this command connects to a database; linting never does.
 *
 * What is written: tables with their columns (type, NOT NULL), primary keys, unique and exclusion constraints,
 * foreign keys, indexes (partial ones with their WHERE), views and materialized views (each after the relations it
 * reads), row-level security and its policies, functions written in SQL or PL/pgSQL (extensions' own excepted) and
 * triggers — what require-soft-delete-cascade reads.
 */
import { quoteIdent } from '../sql/ident.js';

/** What the command needs of a client (node-postgres' `Client` has it). */
export interface PullClient {
  query(text: string): Promise<{ rows: Array<Record<string, unknown>> }>;
}

/** Schemas that are PostgreSQL's own, never the project's. */
const SYSTEM = `n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%'`;

const TABLES = `
SELECT n.nspname AS schema, c.relname AS name, c.relrowsecurity AS rls, c.relforcerowsecurity AS force_rls,
       a.attname AS column, format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull AS not_null
FROM pg_catalog.pg_class c
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
WHERE c.relkind IN ('r', 'p') AND ${SYSTEM}
ORDER BY n.nspname, c.relname, a.attnum`;

const CONSTRAINTS = `
SELECT n.nspname AS schema, c.relname AS name, k.conname AS constraint, pg_catalog.pg_get_constraintdef(k.oid, true) AS def,
       k.contype AS type
FROM pg_catalog.pg_constraint k
JOIN pg_catalog.pg_class c ON c.oid = k.conrelid
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE k.contype IN ('p', 'u', 'x', 'f') AND c.relkind IN ('r', 'p') AND ${SYSTEM}
ORDER BY k.contype = 'f', n.nspname, c.relname, k.conname`;

const INDEXES = `
SELECT pg_catalog.pg_get_indexdef(i.indexrelid) AS def
FROM pg_catalog.pg_index i
JOIN pg_catalog.pg_class c ON c.oid = i.indrelid
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint k WHERE k.conindid = i.indexrelid AND k.conrelid = i.indrelid)
  AND c.relkind IN ('r', 'p', 'm') AND ${SYSTEM}
ORDER BY n.nspname, c.relname, i.indexrelid`;

const VIEWS = `
SELECT c.oid::text AS oid, n.nspname AS schema, c.relname AS name, c.relkind AS kind, pg_catalog.pg_get_viewdef(c.oid, true) AS def
FROM pg_catalog.pg_class c
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('v', 'm') AND ${SYSTEM}
ORDER BY c.oid`;

/** Views and materialized views with the relations their definitions read (for creating them in order). */
const VIEW_DEPENDENCIES = `
SELECT DISTINCT r.ev_class AS view, d.refobjid AS ref
FROM pg_catalog.pg_rewrite r
JOIN pg_catalog.pg_depend d ON d.classid = 'pg_catalog.pg_rewrite'::regclass AND d.objid = r.oid
  AND d.refclassid = 'pg_catalog.pg_class'::regclass AND d.refobjid <> r.ev_class`;

/** Functions of the project's schemas in SQL or PL/pgSQL; not aggregates, not C, not an extension's members. */
const FUNCTIONS = `
SELECT pg_catalog.pg_get_functiondef(p.oid) AS def
FROM pg_catalog.pg_proc p
JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
JOIN pg_catalog.pg_language l ON l.oid = p.prolang
WHERE p.prokind IN ('f', 'p') AND l.lanname IN ('sql', 'plpgsql') AND ${SYSTEM}
  AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d WHERE d.classid = 'pg_catalog.pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e')
ORDER BY n.nspname, p.proname, p.oid`;

/** Triggers the project wrote (not the ones PostgreSQL makes for foreign keys). */
const TRIGGERS = `
SELECT pg_catalog.pg_get_triggerdef(t.oid) AS def
FROM pg_catalog.pg_trigger t
JOIN pg_catalog.pg_class c ON c.oid = t.tgrelid
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE NOT t.tgisinternal AND ${SYSTEM}
ORDER BY n.nspname, c.relname, t.tgname`;

const POLICIES = `
SELECT n.nspname AS schema, c.relname AS name, p.polname AS policy, p.polpermissive AS permissive,
       CASE p.polcmd WHEN 'r' THEN 'SELECT' WHEN 'a' THEN 'INSERT' WHEN 'w' THEN 'UPDATE' WHEN 'd' THEN 'DELETE' ELSE 'ALL' END AS cmd,
       pg_catalog.pg_get_expr(p.polqual, p.polrelid) AS using
FROM pg_catalog.pg_policy p
JOIN pg_catalog.pg_class c ON c.oid = p.polrelid
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE ${SYSTEM}
ORDER BY n.nspname, c.relname, p.polname`;

const str = (v: unknown): string => (typeof v === 'string' ? v : String(v ?? ''));
const name = (row: Record<string, unknown>): string => `${quoteIdent(str(row.schema))}.${quoteIdent(str(row.name))}`;

/** The database's schema as DDL, read in one read-only transaction (rolled back). */
export async function pullSchema(client: PullClient): Promise<{ sql: string; tables: number; views: number }> {
  await client.query('BEGIN TRANSACTION READ ONLY');
  try {
    const tables = (await client.query(TABLES)).rows;
    const constraints = (await client.query(CONSTRAINTS)).rows;
    const indexes = (await client.query(INDEXES)).rows;
    const views = (await client.query(VIEWS)).rows;
    const policies = (await client.query(POLICIES)).rows;
    const dependencies = (await client.query(VIEW_DEPENDENCIES)).rows;
    const functions = (await client.query(FUNCTIONS)).rows;
    const triggers = (await client.query(TRIGGERS)).rows;
    const out: string[] = [];
    const byTable = new Map<string, Array<Record<string, unknown>>>();
    for (const row of tables) byTable.set(name(row), [...(byTable.get(name(row)) ?? []), row]);
    const schemas = new Set([...tables, ...views].map((r) => str(r.schema)).filter((s) => s !== 'public'));
    for (const s of schemas) out.push(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(s)};`);
    // primary keys inside CREATE TABLE (where the schema model records them), the other constraints after every table
    const primary = new Map(constraints.filter((c) => c.type === 'p').map((c) => [name(c), c]));
    for (const [table, columns] of byTable) {
      const defs = columns.filter((c) => c.column !== null).map((c) => `  ${quoteIdent(str(c.column))} ${str(c.type)}${c.not_null ? ' NOT NULL' : ''}`);
      const pk = primary.get(table);
      if (pk) defs.push(`  CONSTRAINT ${quoteIdent(str(pk.constraint))} ${str(pk.def)}`);
      out.push(`CREATE TABLE ${table} (\n${defs.join(',\n')}\n);`);
    }
    for (const c of constraints.filter((k) => k.type !== 'p')) out.push(`ALTER TABLE ${name(c)} ADD CONSTRAINT ${quoteIdent(str(c.constraint))} ${str(c.def)};`);
    // functions before the views that may call them; triggers once their tables and functions exist
    for (const f of functions) out.push(`${str(f.def).trim().replace(/;$/, '')};`);
    for (const v of viewOrder(views, dependencies)) {
      const kind = v.kind === 'm' ? 'MATERIALIZED VIEW' : 'VIEW';
      out.push(`CREATE ${kind} ${name(v)} AS\n${str(v.def).trim().replace(/;$/, '')};`);
    }
    for (const i of indexes) out.push(`${str(i.def)};`);
    for (const [table, columns] of byTable) {
      if (columns[0]?.rls) out.push(`ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY;`);
      if (columns[0]?.force_rls) out.push(`ALTER TABLE ${table} FORCE ROW LEVEL SECURITY;`);
    }
    for (const p of policies) {
      const using = p.using === null || p.using === undefined ? '' : ` USING (${str(p.using)})`;
      out.push(`CREATE POLICY ${quoteIdent(str(p.policy))} ON ${name(p)} AS ${p.permissive ? 'PERMISSIVE' : 'RESTRICTIVE'} FOR ${str(p.cmd)}${using};`);
    }
    for (const t of triggers) out.push(`${str(t.def)};`);
    return { sql: `${out.join('\n\n')}\n`, tables: byTable.size, views: views.length };
  } finally {
    await client.query('ROLLBACK').catch(() => undefined);
  }
}

/**
 * Views in an order that creates each after the views it reads (creation order is not enough: `CREATE OR REPLACE
 * VIEW` can make an old view read a newer one). Depth-first over the dependencies; a cycle cannot exist in a catalog.
 */
function viewOrder(views: Array<Record<string, unknown>>, dependencies: Array<Record<string, unknown>>): Array<Record<string, unknown>> {
  const byOid = new Map(views.map((v) => [str(v.oid), v]));
  const reads = new Map<string, string[]>();
  for (const d of dependencies) {
    const view = str(d.view);
    if (byOid.has(view) && byOid.has(str(d.ref))) reads.set(view, [...(reads.get(view) ?? []), str(d.ref)]);
  }
  const out: Array<Record<string, unknown>> = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (oid: string): void => {
    if (state.has(oid)) return;
    state.set(oid, 'visiting');
    for (const ref of reads.get(oid) ?? []) visit(ref);
    state.set(oid, 'done');
    out.push(byOid.get(oid)!);
  };
  for (const v of views) visit(str(v.oid));
  return out;
}

/** A database URL with its password hidden, for messages. */
export function redactUrl(url: string): string {
  return url.replace(/(\/\/[^:/@]*:)[^@/]*@/, '$1***@');
}

/** A one-line explanation of a connection or query failure. */
export function describePullError(error: unknown, url: string): string {
  const e = error as { code?: string; message?: string };
  const where = redactUrl(url);
  switch (e.code) {
    case 'ECONNREFUSED':
      return `cannot connect to ${where}: connection refused (is the server running, and the host and port right?)`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `cannot connect to ${where}: unknown host`;
    case 'ETIMEDOUT':
      return `cannot connect to ${where}: timed out`;
    case '28P01':
    case '28000':
      return `cannot log in to ${where}: ${e.message ?? 'authentication failed'}`;
    case '3D000':
      return `cannot connect to ${where}: ${e.message ?? 'no such database'}`;
    case '42501':
      return `missing permission to read the catalog of ${where}: ${e.message ?? 'permission denied'} (the role needs to read pg_catalog; no write permission is needed)`;
    default:
      return `cannot read the schema of ${where}: ${(e.message ?? String(error)).split('\n')[0]}`;
  }
}
