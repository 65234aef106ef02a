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
