/**
 * Generated benchmark corpora: a schema of ~200 tables spread over ~300 migration files, realistic queries over it
 * (joins, outer joins, CTEs, subqueries, set operations, writes that read), and TypeScript files that run those
 * queries through `sql` templates and `db.query(…)`. Deterministic (seeded), written to a temp dir at run time.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** A small deterministic PRNG (mulberry32). */
export function rng(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (lo, hi) => lo + Math.floor(next() * (hi - lo + 1)),
    pick: (items) => items[Math.floor(next() * items.length)],
    chance: (p) => next() < p,
  };
}

const NOUNS = [
  'accounts', 'users', 'orders', 'invoices', 'payments', 'products', 'customers', 'subscriptions', 'plans', 'teams',
  'projects', 'tasks', 'comments', 'posts', 'tags', 'files', 'folders', 'messages', 'channels', 'events',
  'tickets', 'shipments', 'addresses', 'coupons', 'refunds', 'reviews', 'carts', 'sessions', 'devices', 'webhooks',
  'api_keys', 'invitations', 'memberships', 'organizations', 'reports', 'dashboards', 'alerts', 'notes', 'contacts', 'leads',
];
const EXTRA_COLUMNS = [
  ['name', 'text NOT NULL'],
  ['email', 'text'],
  ['status', "text NOT NULL DEFAULT 'active'"],
  ['amount', 'numeric(12,2)'],
  ['quantity', 'integer'],
  ['title', 'text'],
  ['slug', 'text'],
  ['priority', 'smallint'],
  ['metadata', 'jsonb'],
  ['updated_at', 'timestamptz'],
];

/**
 * The schema: `count` tables, most of them soft-deletable, with foreign keys to earlier tables, plus views.
 * Returns the table list (for the query generator) and the migration files (name → SQL).
 */
export function generateSchema({ tables: count = 200, migrations = 300, seed = 1 } = {}) {
  const r = rng(seed);
  const tables = [];
  for (let i = 0; i < count; i++) {
    const name = i < NOUNS.length ? NOUNS[i] : `${NOUNS[i % NOUNS.length]}_${Math.floor(i / NOUNS.length)}`;
    const columns = ['id', 'created_at'];
    const extras = [...EXTRA_COLUMNS].sort(() => r.next() - 0.5).slice(0, r.int(3, 7));
    const parents = i === 0 ? [] : [...new Set(Array.from({ length: r.int(0, 2) }, () => tables[r.int(Math.max(0, i - 40), i - 1)]))];
    const softDelete = r.chance(0.65);
    tables.push({ name, columns, extras, parents, softDelete, late: [] });
  }
  const files = [];
  const pad = (n) => String(n).padStart(4, '0');
  tables.forEach((t, i) => {
    const lines = [
      '  id bigserial PRIMARY KEY',
      ...t.extras.map(([c, type]) => `  ${c} ${type}`),
      ...t.parents.map((p) => `  ${singular(p.name)}_id bigint REFERENCES ${p.name}(id)`),
      '  created_at timestamptz NOT NULL DEFAULT now()',
      ...(t.softDelete ? ['  deleted_at timestamptz'] : []),
    ];
    t.columns.push(...t.extras.map(([c]) => c), ...t.parents.map((p) => `${singular(p.name)}_id`));
    if (t.softDelete) t.columns.push('deleted_at');
    let body = `-- ${t.name}\nCREATE TABLE ${t.name} (\n${lines.join(',\n')}\n);\n`;
    const key = t.extras.find(([c]) => c === 'email' || c === 'slug');
    if (key) {
      body += t.softDelete
        ? `CREATE UNIQUE INDEX ${t.name}_${key[0]}_live ON ${t.name} (${key[0]}) WHERE deleted_at IS NULL;\n`
        : `ALTER TABLE ${t.name} ADD CONSTRAINT ${t.name}_${key[0]}_key UNIQUE (${key[0]});\n`;
    }
    for (const p of t.parents) body += `CREATE INDEX ON ${t.name} (${singular(p.name)}_id);\n`;
    files.push([`${pad(i + 1)}_create_${t.name}.sql`, body]);
  });
  for (let n = files.length; n < migrations; n++) {
    const t = r.pick(tables);
    let body;
    switch (n % 4) {
      case 0: {
        const column = `extra_${n}`;
        t.columns.push(column);
        body = `ALTER TABLE ${t.name} ADD COLUMN ${column} text;\nCOMMENT ON COLUMN ${t.name}.${column} IS 'added in ${n}';\n`;
        break;
      }
      case 1:
        body = `CREATE INDEX ${t.name}_created_${n} ON ${t.name} (created_at)${t.softDelete ? ' WHERE deleted_at IS NULL' : ''};\n`;
        break;
      case 2:
        body = t.softDelete
          ? `CREATE VIEW active_${t.name}_${n} AS\n  SELECT id, created_at FROM ${t.name} WHERE deleted_at IS NULL;\n`
          : `CREATE VIEW recent_${t.name}_${n} AS\n  SELECT * FROM ${t.name} WHERE created_at > now() - interval '30 days';\n`;
        break;
      default:
        body = `ALTER TABLE ${t.name} ALTER COLUMN created_at SET DEFAULT now();\nANALYZE ${t.name};\n`;
    }
    files.push([`${pad(n + 1)}_change_${n}.sql`, `BEGIN;\n${body}COMMIT;\n`]);
  }
  return { tables, files };
}

function singular(name) {
  const base = name.replace(/_\d+$/, '');
  return base.endsWith('ies') ? `${base.slice(0, -3)}y` : base.endsWith('ses') ? base.slice(0, -2) : base.replace(/s$/, '');
}

/**
 * One realistic query over `tables`. Parameters are written `@p1`, `@p2`, … so the caller can render them as
 * `$1` (plain SQL) or `${p1}` (a `sql` template). About half the reads filter soft-deleted rows.
 */
export function generateQuery(r, tables) {
  const withParent = tables.filter((t) => t.parents.length);
  const t = r.pick(tables);
  const filter = (alias, table) => (table.softDelete && r.chance(0.55) ? ` AND ${alias}.deleted_at IS NULL` : '');
  const onFilter = (alias, table) => (table.softDelete && r.chance(0.55) ? ` AND ${alias}.deleted_at IS NULL` : '');
  const n = r.int(1, 100000);
  const child = r.pick(withParent);
  const parent = child.parents[0];
  const fk = `${singular(parent.name)}_id`;
  switch (r.int(0, 10)) {
    case 0:
      return `SELECT a.id, a.created_at FROM ${t.name} a\nWHERE a.created_at > @p1${filter('a', t)}\nORDER BY a.created_at DESC\nLIMIT ${n}`;
    case 1:
      return (
        `SELECT c.id, c.created_at, p.id AS parent_id\nFROM ${child.name} c\nJOIN ${parent.name} p ON p.id = c.${fk}${onFilter('p', parent)}\n` +
        `WHERE c.id > ${n}${filter('c', child)}\nORDER BY c.id\nLIMIT 100`
      );
    case 2:
      return (
        `SELECT c.id, p.created_at\nFROM ${child.name} c\nLEFT JOIN ${parent.name} p ON p.id = c.${fk}${onFilter('p', parent)}\n` +
        `WHERE c.created_at BETWEEN @p1 AND @p2${filter('c', child)}`
      );
    case 3:
      return (
        `WITH recent AS (\n  SELECT * FROM ${parent.name} WHERE created_at > now() - interval '${n % 90} days'\n)\n` +
        `SELECT r.id, count(c.id) AS n\nFROM recent r\nJOIN ${child.name} c ON c.${fk} = r.id${onFilter('c', child)}\n` +
        `WHERE r.id <> @p1${parent.softDelete && r.chance(0.6) ? ' AND r.deleted_at IS NULL' : ''}\nGROUP BY r.id\nHAVING count(c.id) > ${n % 7}`
      );
    case 4:
      return `SELECT * FROM ${child.name} c\nWHERE c.${fk} IN (\n  SELECT id FROM ${parent.name} WHERE created_at < @p1${filter(parent.name, parent).replace(`${parent.name}.`, '')}\n)${filter('c', child)}\nLIMIT ${n}`;
    case 5:
      return (
        `SELECT p.id FROM ${parent.name} p\nWHERE p.id >= ${n}${filter('p', parent)}\n` +
        `  AND EXISTS (SELECT 1 FROM ${child.name} c WHERE c.${fk} = p.id${filter('c', child)})`
      );
    case 6:
      return (
        `SELECT date_trunc('day', created_at) AS day, count(*) AS total\nFROM ${t.name}\n` +
        `WHERE created_at > now() - interval '${n % 365} days'${t.softDelete && r.chance(0.55) ? ' AND deleted_at IS NULL' : ''}\nGROUP BY 1\nORDER BY 1`
      );
    case 7:
      return (
        `SELECT id, created_at FROM ${t.name} WHERE id = @p1${filter(t.name, t)}\nUNION ALL\n` +
        `SELECT id, created_at FROM ${parent.name} WHERE id = ${n}${filter(parent.name, parent)}`
      );
    case 8:
      return (
        `UPDATE ${child.name} c SET created_at = now()\nFROM ${parent.name} p\n` +
        `WHERE p.id = c.${fk} AND p.id = @p1${filter('p', parent)}`
      );
    case 9:
      return (
        `SELECT p.id, x.latest\nFROM ${parent.name} p\nCROSS JOIN LATERAL (\n  SELECT max(c.created_at) AS latest FROM ${child.name} c\n` +
        `  WHERE c.${fk} = p.id${filter('c', child)}\n) x\nWHERE p.id < ${n}${filter('p', parent)}`
      );
    default:
      return (
        `SELECT p.id,\n  (SELECT count(*) FROM ${child.name} c WHERE c.${fk} = p.id${filter('c', child)}) AS children\n` +
        `FROM ${parent.name} p\nWHERE p.created_at > @p1${filter('p', parent)}\nORDER BY children DESC\nLIMIT ${n % 500}`
      );
  }
}

/** `count` distinct plain-SQL statements (`$N` parameters). */
export function generateStatements(tables, count, seed) {
  const r = rng(seed);
  const seen = new Set();
  while (seen.size < count) seen.add(generateQuery(r, tables).replace(/@p(\d)/g, '$$$1'));
  return [...seen];
}

/** A TypeScript module of about `lines` lines with SQL in `sql` templates and `db.query(…)` calls. */
export function generateTsFile(r, tables, index, lines) {
  const out = [
    `import { sql, db } from '../db.js';`,
    `import type { Row, Page } from '../types.js';`,
    '',
    `const PAGE_SIZE = ${r.int(10, 100)};`,
    `const LABEL = 'Select a record from the list';`,
    '',
  ];
  let fn = 0;
  while (out.length < lines - 12) {
    const query = generateQuery(r, tables);
    const params = [...new Set(query.match(/@p\d/g) ?? [])].map((p) => p.slice(1));
    const signature = params.map((p) => `${p}: string`).join(', ');
    const name = `query${index}_${fn++}`;
    out.push(`/** Loads rows for screen ${index}.${fn}. */`);
    if (r.chance(0.7)) {
      out.push(`export async function ${name}(${signature}): Promise<Row[]> {`);
      out.push('  const rows = await sql`');
      for (const line of query.replace(/@(p\d)/g, '$${$1}').split('\n')) out.push(`    ${line}`);
      out.push('  `;');
    } else {
      out.push(`export async function ${name}(${signature}): Promise<Row[]> {`);
      out.push('  const { rows } = await db.query(`');
      for (const line of query.replace(/@p(\d)/g, '$$$1').split('\n')) out.push(`    ${line}`);
      out.push(`  \`, [${params.join(', ')}]);`);
    }
    out.push(`  return rows.map((row: Row) => ({ ...row, label: \`\${LABEL} #\${String(row.id)}\` }));`);
    out.push('}', '');
    if (r.chance(0.4)) {
      out.push(`export function paginate${index}_${fn}<T>(items: T[], page: number): Page<T> {`);
      out.push('  const start = Math.max(0, page - 1) * PAGE_SIZE;');
      out.push('  return { items: items.slice(start, start + PAGE_SIZE), page, total: items.length };');
      out.push('}', '');
    }
  }
  while (out.length < lines) out.push(`// padding ${out.length}`);
  return out.join('\n') + '\n';
}

/** Writes the whole project (migrations, TS sources, an editor file) into a fresh temp dir. */
export function writeProject({ tables = 200, migrations = 300, files = 200, linesPerFile = 120, editorLines = 500, seed = 7 } = {}) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'soft-delete-bench-'));
  const schema = generateSchema({ tables, migrations, seed });
  mkdirSync(path.join(dir, 'migrations'));
  for (const [name, text] of schema.files) writeFileSync(path.join(dir, 'migrations', name), text);
  mkdirSync(path.join(dir, 'src'));
  const r = rng(seed + 1);
  for (let i = 0; i < files; i++) writeFileSync(path.join(dir, 'src', `module${i}.ts`), generateTsFile(r, schema.tables, i, linesPerFile));
  const editorText = generateTsFile(rng(seed + 2), schema.tables, 9999, editorLines);
  mkdirSync(path.join(dir, 'editor'));
  writeFileSync(path.join(dir, 'editor', 'screen.ts'), editorText);
  return { dir, schema, editorText };
}

// ---------------------------------------------------------------------------------------------------------------
// The realistic project: most files hold no SQL at all.

const FEATURES = [
  'billing', 'accounts', 'catalog', 'checkout', 'shipping', 'support', 'reporting', 'search', 'auth', 'admin',
  'notifications', 'inventory', 'analytics', 'teams', 'projects', 'messaging', 'files', 'webhooks', 'audit', 'growth',
];
const camel = (name) => name.replace(/_(\w)/g, (_, c) => c.toUpperCase());
const pascal = (name) => camel(name).replace(/^\w/, (c) => c.toUpperCase());

/** An ordinary module (no database access): types, a util, a route or a service calling other services. */
function ordinaryFile(r, kind, index, lines) {
  const out = [];
  const name = `${kind}${index}`;
  switch (kind) {
    case 'types':
      out.push(`import type { Id, Timestamp } from '../../shared/types.js';`, '');
      while (out.length < lines - 8) {
        const t = `${pascal(r.pick(NOUNS))}${out.length}`;
        out.push(`/** A ${t} as the API returns it. */`, `export interface ${t} {`, '  id: Id;', '  createdAt: Timestamp;');
        for (let k = r.int(2, 6); k > 0; k--) out.push(`  ${camel(r.pick(EXTRA_COLUMNS)[0])}${k}?: ${r.pick(['string', 'number', 'boolean', 'string[]', 'Record<string, unknown>'])};`);
        out.push('}', '', `export type ${t}Patch = Partial<Omit<${t}, 'id' | 'createdAt'>>;`, '');
      }
      break;
    case 'util':
      out.push(`import { format } from 'node:util';`, '');
      while (out.length < lines - 10) {
        const f = `${r.pick(['format', 'parse', 'normalize', 'pick', 'group', 'chunk', 'clamp'])}${pascal(r.pick(NOUNS))}${out.length}`;
        out.push(`export function ${f}(items: readonly string[], limit = ${r.int(5, 50)}): string[] {`);
        out.push('  const seen = new Set<string>();', '  const result: string[] = [];');
        out.push('  for (const item of items) {', '    const key = item.trim().toLowerCase();');
        out.push('    if (!key || seen.has(key)) continue;', '    seen.add(key);');
        out.push(`    result.push(format('%s (%d)', key, result.length));`, '    if (result.length >= limit) break;', '  }');
        out.push(`  return result.sort((a, b) => a.localeCompare(b));`, '}', '');
        if (r.chance(0.5)) out.push(`export const ${f}Label = (n: number): string => \`\${n} item\${n === 1 ? '' : 's'} selected\`;`, '');
      }
      break;
    case 'route': {
      const svc = `${camel(r.pick(NOUNS))}Service`;
      out.push(`import { Router, type Request, type Response } from 'express';`, `import { ${svc} } from './service${index}.js';`, '', 'export const router = Router();', '');
      while (out.length < lines - 12) {
        const path = `/${r.pick(NOUNS)}/:id${out.length}`;
        out.push(`router.${r.pick(['get', 'post', 'put', 'delete'])}('${path}', async (req: Request, res: Response) => {`);
        out.push('  const page = Number(req.query.page ?? 1);', `  const id = String(req.params.id);`);
        out.push('  if (!id) {', `    res.status(400).json({ error: 'missing id' });`, '    return;', '  }');
        out.push(`  const result = await ${svc}.find(id, { page, select: req.query.select as string | undefined });`);
        out.push('  res.json({ data: result, page, links: { self: `${req.baseUrl}${req.path}?page=${page}` } });', '});', '');
      }
      break;
    }
    default: {
      const other = `${camel(r.pick(NOUNS))}Client`;
      out.push(`import { ${other} } from '../../clients/${other}.js';`, `import { logger } from '../../shared/logger.js';`, '');
      out.push(`export class ${pascal(name)} {`, '  private readonly retries = 3;', '');
      while (out.length < lines - 10) {
        const m = `${r.pick(['find', 'sync', 'refresh', 'notify', 'archive', 'load'])}${pascal(r.pick(NOUNS))}${out.length}`;
        out.push(`  async ${m}(id: string, options: { page?: number; select?: string } = {}): Promise<unknown> {`);
        out.push('    for (let attempt = 0; attempt < this.retries; attempt++) {', '      try {');
        out.push(`        const response = await ${other}.get(\`/v1/items/\${id}\`, { params: options });`);
        out.push('        return response.data;', '      } catch (error) {');
        out.push(`        logger.warn({ error, attempt }, 'retrying ${m}');`, '      }', '    }');
        out.push(`    throw new Error(\`${m} failed after \${this.retries} attempts\`);`, '  }', '');
      }
      out.push('}', `export const ${camel(name)} = new ${pascal(name)}();`);
    }
  }
  while (out.length < lines) out.push(`// ${kind} ${index}: line ${out.length}`);
  return out.join('\n') + '\n';
}

/** A data-access module: SQL in `sql` templates, `pool.query('…')` strings, knex chains or kysely chains. */
function repositoryFile(r, tables, index, lines, queries) {
  const style = r.pick(['sql', 'sql', 'pool', 'knex', 'kysely']);
  const header = {
    sql: [`import { sql } from '../../db/postgres.js';`],
    pool: [`import { pool } from '../../db/pool.js';`],
    knex: [`import { knex } from '../../db/knex.js';`],
    kysely: [`import { db } from '../../db/kysely.js';`],
  }[style];
  const out = [...header, `import type { Row } from '../../shared/types.js';`, ''];
  for (let q = 0; q < queries; q++) {
    const name = `${r.pick(['find', 'list', 'count', 'load'])}${pascal(r.pick(NOUNS))}${index}_${q}`;
    const t = r.pick(tables);
    const col = r.pick(t.columns.filter((c) => c !== 'deleted_at'));
    const live = t.softDelete && r.chance(0.55);
    switch (style) {
      case 'sql': {
        const query = generateQuery(r, tables).replace(/@(p\d)/g, '$${$1}');
        const params = [...new Set(query.match(/\$\{p\d\}/g) ?? [])].map((p) => p.slice(2, -1));
        out.push(`export async function ${name}(${params.map((p) => `${p}: string`).join(', ')}): Promise<Row[]> {`, '  return sql`');
        for (const line of query.split('\n')) out.push(`    ${line}`);
        out.push('  `;', '}', '');
        break;
      }
      case 'pool': {
        const query = generateQuery(r, tables).replace(/@p(\d)/g, '$$$1');
        const params = [...new Set(query.match(/\$\d/g) ?? [])].map((p) => `p${p.slice(1)}`);
        out.push(`export async function ${name}(${params.map((p) => `${p}: string`).join(', ')}): Promise<Row[]> {`);
        out.push(`  const { rows } = await pool.query(${JSON.stringify(query.replace(/\n/g, ' '))}, [${params.join(', ')}]);`, '  return rows;', '}', '');
        break;
      }
      case 'knex':
        out.push(`export async function ${name}(value: string): Promise<Row[]> {`);
        out.push(`  return await knex('${t.name} as t').select('t.id', 't.${col}').where('t.${col}', value)${live ? ".whereNull('t.deleted_at')" : ''}.orderBy('t.id').limit(${r.int(10, 100)});`, '}', '');
        break;
      default:
        out.push(`export async function ${name}(value: string): Promise<Row[]> {`);
        out.push(`  return await db.selectFrom('${t.name}').select(['id', '${col}']).where('${col}', '=', value)${live ? ".where('deleted_at', 'is', null)" : ''}.execute();`, '}', '');
    }
  }
  while (out.length < lines) out.push(`// repository ${index}: line ${out.length}`);
  return out.join('\n') + '\n';
}

/**
 * The realistic project of the speed targets: `files` TS modules under `src/<feature>/…` (a `sqlShare` of them
 * data-access modules with ~4 queries each, the rest ordinary code without SQL), `tables` tables in `migrations`
 * migration files under `migrations/` (found by discovery: no settings), two 500-line editor files (one with SQL,
 * one without). Returns counts so the runner can check what it measured.
 */
export function writeRealisticProject({ files = 2000, sqlShare = 0.3, tables = 200, migrations = 320, seed = 11 } = {}) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'soft-delete-real-'));
  const schema = generateSchema({ tables, migrations, seed });
  mkdirSync(path.join(dir, 'migrations'));
  for (const [name, text] of schema.files) writeFileSync(path.join(dir, 'migrations', name), text);
  const r = rng(seed + 1);
  let queries = 0;
  let sqlFiles = 0;
  for (let i = 0; i < files; i++) {
    const feature = FEATURES[i % FEATURES.length];
    const lines = r.int(60, 180);
    let sub;
    let base;
    let text;
    if (Math.floor((i + 1) * sqlShare) > Math.floor(i * sqlShare)) {
      const n = r.int(2, 6);
      queries += n;
      sqlFiles++;
      sub = 'repositories';
      base = 'repository';
      text = repositoryFile(r, schema.tables, i, lines, n);
    } else {
      const kind = r.pick(['types', 'util', 'route', 'service']);
      sub = kind === 'types' ? kind : `${kind}s`;
      base = kind;
      text = ordinaryFile(r, kind, i, lines);
    }
    const folder = path.join(dir, 'src', feature, sub);
    mkdirSync(folder, { recursive: true });
    writeFileSync(path.join(folder, `${base}${i}.ts`), text);
  }
  mkdirSync(path.join(dir, 'editor'));
  const withSql = generateTsFile(rng(seed + 2), schema.tables, 9999, 500);
  const withoutSql = ordinaryFile(rng(seed + 3), 'service', 9998, 500);
  writeFileSync(path.join(dir, 'editor', 'with-sql.ts'), withSql);
  writeFileSync(path.join(dir, 'editor', 'without-sql.ts'), withoutSql);
  return { dir, schema, files, sqlFiles, queries, editor: { withSql, withoutSql } };
}

/**
 * A `pg_dump --schema-only`-style `structure.sql` of about `statements` statements: SET lines, tables, sequences
 * and their ownership, defaults, primary keys, foreign keys, indexes (some partial), comments and views.
 */
export function generateStructureSql({ statements = 3000, seed = 5 } = {}) {
  const r = rng(seed);
  const out = [
    'SET statement_timeout = 0;', 'SET lock_timeout = 0;', "SET client_encoding = 'UTF8';",
    'SET standard_conforming_strings = on;', "SELECT pg_catalog.set_config('search_path', '', false);", '',
  ];
  let count = 5;
  let i = 0;
  while (count < statements) {
    const t = `${NOUNS[i % NOUNS.length]}_${Math.floor(i / NOUNS.length)}`;
    const soft = r.chance(0.65);
    const extras = [...EXTRA_COLUMNS].sort(() => r.next() - 0.5).slice(0, r.int(3, 7));
    out.push(
      `CREATE TABLE public.${t} (\n    id bigint NOT NULL,\n${extras.map(([c, type]) => `    ${c} ${type}`).join(',\n')},\n` +
        `    created_at timestamp with time zone DEFAULT now() NOT NULL${soft ? ',\n    deleted_at timestamp with time zone' : ''}\n);`,
      `CREATE SEQUENCE public.${t}_id_seq\n    START WITH 1\n    INCREMENT BY 1\n    NO MINVALUE\n    NO MAXVALUE\n    CACHE 1;`,
      `ALTER SEQUENCE public.${t}_id_seq OWNED BY public.${t}.id;`,
      `ALTER TABLE ONLY public.${t} ALTER COLUMN id SET DEFAULT nextval('public.${t}_id_seq'::regclass);`,
      `ALTER TABLE ONLY public.${t}\n    ADD CONSTRAINT ${t}_pkey PRIMARY KEY (id);`,
      `COMMENT ON TABLE public.${t} IS 'The ${t} of an account.';`,
      `CREATE INDEX index_${t}_on_created_at ON public.${t} USING btree (created_at);`,
    );
    count += 7;
    const key = extras.find(([c]) => c === 'email' || c === 'slug');
    if (key) {
      out.push(
        soft
          ? `CREATE UNIQUE INDEX index_${t}_on_${key[0]} ON public.${t} USING btree (${key[0]}) WHERE (deleted_at IS NULL);`
          : `ALTER TABLE ONLY public.${t}\n    ADD CONSTRAINT ${t}_${key[0]}_key UNIQUE (${key[0]});`,
      );
      count++;
    }
    if (i > 0 && r.chance(0.6)) {
      const parent = `${NOUNS[(i - 1) % NOUNS.length]}_${Math.floor((i - 1) / NOUNS.length)}`;
      out.push(
        `ALTER TABLE ONLY public.${t} ADD COLUMN ${singular(parent)}_id bigint;`,
        `ALTER TABLE ONLY public.${t}\n    ADD CONSTRAINT fk_${t}_${parent} FOREIGN KEY (${singular(parent)}_id) REFERENCES public.${parent}(id);`,
      );
      count += 2;
    }
    if (soft && r.chance(0.2)) {
      out.push(`CREATE VIEW public.active_${t} AS\n SELECT ${t}.id,\n    ${t}.created_at\n   FROM public.${t}\n  WHERE (${t}.deleted_at IS NULL);`);
      count++;
    }
    out.push('');
    i++;
  }
  return { text: out.join('\n') + '\n', statements: count, tables: i };
}
