/**
 * The differential oracle's corpus: realistic reads and writes over a fixture schema, generated from a fixed seed.
 *
 * Every reference to a soft-delete relation in a generated statement is marked, so the oracle can swap that one
 * reference for a view of its live rows (`users` → `users__live`) and ask PostgreSQL whether the soft-deleted rows
 * of that reference can change the result. That is the ground truth the rule is compared with, reference by
 * reference, at the place the rule reports.
 */

/** The fixture schema, as the analyzer sees it (the oracle adds the `__live` views only in the database). */
export const FIXTURE_DDL = `
CREATE TABLE orgs (id integer PRIMARY KEY, name text NOT NULL, deleted_at timestamptz);
CREATE TABLE users (
  id integer PRIMARY KEY,
  org_id integer REFERENCES orgs (id),
  manager_id integer REFERENCES users (id),
  email text NOT NULL,
  plan text,
  deleted_at timestamptz
);
CREATE TABLE orders (
  id integer PRIMARY KEY,
  user_id integer NOT NULL REFERENCES users (id),
  status text NOT NULL,
  total integer,
  deleted_at timestamptz
);
CREATE TABLE tags (id integer PRIMARY KEY, user_id integer REFERENCES users (id), label text);
CREATE TABLE audit (user_id integer, note text);
CREATE VIEW active_users AS SELECT id, org_id, email, plan FROM users WHERE deleted_at IS NULL;
CREATE VIEW all_users AS SELECT id, org_id, email, plan, deleted_at FROM users;
CREATE VIEW latest_orders AS SELECT DISTINCT ON (user_id) id, user_id, status, deleted_at FROM orders ORDER BY user_id, id DESC;
`;

/** Views of the live rows only, one per soft-delete relation (never shown to the analyzer). */
export const LIVE_DDL = `
CREATE VIEW orgs__live AS SELECT * FROM orgs WHERE deleted_at IS NULL;
CREATE VIEW users__live AS SELECT * FROM users WHERE deleted_at IS NULL;
CREATE VIEW orders__live AS SELECT * FROM orders WHERE deleted_at IS NULL;
CREATE VIEW active_users__live AS SELECT id, org_id, email, plan FROM users__live WHERE deleted_at IS NULL;
CREATE VIEW all_users__live AS SELECT id, org_id, email, plan, deleted_at FROM users__live;
CREATE VIEW latest_orders__live AS SELECT DISTINCT ON (user_id) id, user_id, status, deleted_at FROM orders__live ORDER BY user_id, id DESC;
`;

export const SOFT_DELETE_RELATIONS = new Set(['orgs', 'users', 'orders', 'active_users', 'all_users', 'latest_orders']);

/**
 * Why the rule may rightly disagree with the database about one reference. Each is documented in the rule's docs.
 * - `deliberate`: the read constrains the soft-delete column on purpose (trash, purge, scheduled deletion): the
 *   deleted rows change the result because they are wanted.
 * - `never-true`: `deleted_at = NULL` is reported as a bug even where it hides nothing.
 * - `view-definition`: a view that passes `deleted_at` through after DISTINCT ON cannot be fixed by its readers;
 *   require-stream-table-filter reports the view itself.
 * - `write-target`: the target of UPDATE / DELETE must reach deleted rows (the soft delete itself, erasure, purge).
 */
export type Exemption = 'deliberate' | 'never-true' | 'view-definition' | 'write-target';

export interface RefSpec {
  id: number;
  relation: string;
  /** Exemptions, and the names of known open classes (`open:…`) this reference belongs to. */
  tags: string[];
}

export interface Case {
  /** The shape that produced it (stable across runs: part of the test's report). */
  shape: string;
  /** SQL with every soft-delete reference written `\u0001<id>\u0002`. */
  template: string;
  refs: RefSpec[];
  /** For a write: the table whose rows (after the statement, rolled back) are the result, unless RETURNING. */
  writeTarget: string | null;
  returning: boolean;
}

export interface Rendered {
  sql: string;
  /** Span of each reference's relation name in `sql`. */
  spans: Map<number, { start: number; end: number }>;
}

/** The SQL of a case with the references in `live` reading live rows only. */
export function render(c: Case, live: ReadonlySet<number> = new Set()): Rendered {
  const spans = new Map<number, { start: number; end: number }>();
  let sql = '';
  let last = 0;
  const marker = /\u0001(\d+)\u0002/g;
  for (let m = marker.exec(c.template); m; m = marker.exec(c.template)) {
    sql += c.template.slice(last, m.index);
    const id = Number(m[1]);
    const ref = c.refs.find((r) => r.id === id)!;
    const name = live.has(id) ? `${ref.relation}__live` : ref.relation;
    spans.set(id, { start: sql.length, end: sql.length + name.length });
    sql += name;
    last = m.index + m[0].length;
  }
  return { sql: sql + c.template.slice(last), spans };
}

/** mulberry32: a tiny deterministic PRNG. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Random = () => number;
const pick = <T>(r: Random, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
const chance = (r: Random, p: number) => r() < p;

/** How a reference's soft-delete column is constrained. */
type FilterKind = 'filter' | 'none' | 'deliberate' | 'never' | 'or-defeat' | 'or-safe' | 'or-contradicted' | 'coalesce';
const FILTER_KINDS: FilterKind[] = ['filter', 'filter', 'filter', 'none', 'none', 'deliberate', 'or-defeat', 'or-safe', 'or-contradicted', 'coalesce'];

/** A column that is not the soft-delete one, with a value from its domain, per relation. */
const OTHER: Record<string, [string, string, string]> = {
  users: ['plan', "'pro'", "'free'"],
  all_users: ['plan', "'pro'", "'free'"],
  active_users: ['plan', "'pro'", "'free'"],
  orders: ['status', "'paid'", "'new'"],
  latest_orders: ['status', "'paid'", "'new'"],
  orgs: ['name', "'x'", "'y'"],
  grouped: ['email', "'a'", "'b'"],
};

/** The conjunct (or null) constraining `q.deleted_at` the given way; the tags the reference gets. */
function spell(r: Random, kind: FilterKind, q: string, relation: string): { sql: string | null; tags: string[] } {
  const d = `${q}deleted_at`;
  const [col, v1, v2] = OTHER[relation] ?? ['id', '1', '2'];
  switch (kind) {
    case 'filter':
      return { sql: pick(r, [`${d} IS NULL`, `${d} IS NULL`, `NOT (${d} IS NOT NULL)`, `${d} IS NOT DISTINCT FROM NULL`]), tags: [] };
    case 'coalesce':
      return { sql: `COALESCE(${d}, 'infinity') = 'infinity'`, tags: [] };
    case 'none':
      return { sql: null, tags: [] };
    case 'deliberate':
      return {
        sql: pick(r, [`${d} IS NOT NULL`, `${d} < '2025-01-01'`, `${d} > now()`, `(${d} IS NULL OR ${d} > '2025-01-01')`, `NOT (${d} IS NULL)`]),
        tags: ['deliberate'],
      };
    case 'never':
      return { sql: `${d} = NULL`, tags: ['never-true'] };
    case 'or-defeat':
      return { sql: `(${d} IS NULL OR ${q}${col} = ${v1})`, tags: [] };
    case 'or-safe':
      return { sql: `((${d} IS NULL AND ${q}${col} = ${v1}) OR (${d} IS NULL AND ${q}${col} = ${v2}))`, tags: [] };
    case 'or-contradicted':
      return { sql: `(${d} IS NULL OR ${q}${col} = ${v1}) AND ${q}${col} = ${v2}`, tags: [] };
  }
}

const where = (conds: Array<string | null>) => {
  const cs = conds.filter((c): c is string => !!c);
  return cs.length ? ` WHERE ${cs.join(' AND ')}` : '';
};

/** Builds one case: `ref(relation)` returns the marker for a new reference and records it. */
class Builder {
  readonly refs: RefSpec[] = [];
  constructor(readonly r: Random) {}
  ref(relation: string, tags: string[] = []): { marker: string; spec: RefSpec } {
    const spec: RefSpec = { id: this.refs.length, relation, tags: [...tags] };
    this.refs.push(spec);
    return { marker: `\u0001${spec.id}\u0002`, spec };
  }
  /** A reference plus a filter of a random kind for it (the conjunct, possibly null). */
  filtered(relation: string, q: string, kinds: FilterKind[] = FILTER_KINDS): { marker: string; cond: string | null; spec: RefSpec; kind: FilterKind } {
    const { marker, spec } = this.ref(relation);
    // A view that hides the soft-delete column cannot be filtered (PostgreSQL: the column does not exist).
    const kind = relation === 'active_users' ? 'none' : pick(this.r, kinds);
    const { sql, tags } = spell(this.r, kind, q, relation);
    if (relation === 'latest_orders') tags.push('view-definition');
    spec.tags.push(...tags);
    return { marker, cond: sql, spec, kind };
  }
  done(shape: string, template: string, extra: Partial<Case> = {}): Case {
    return { shape, template, refs: this.refs, writeTarget: null, returning: false, ...extra };
  }
}

type Shape = (b: Builder) => Case;

const USERISH = ['users', 'users', 'all_users', 'active_users'];
const ANY_SD = ['users', 'orders', 'orgs', 'all_users', 'active_users', 'latest_orders'];

const SHAPES: Record<string, Shape> = {
  single(b) {
    const rel = pick(b.r, ANY_SD);
    const q = pick(b.r, ['', 't.']);
    // `= NULL` only here: it empties the whole result, which would make every other reference's verdict moot.
    const t = b.filtered(rel, q, [...FILTER_KINDS, 'never']);
    const [col, v1] = OTHER[rel]!;
    const other = chance(b.r, 0.5) ? `${q}${col} = ${v1}` : null;
    return b.done('single', `SELECT ${q}id FROM ${t.marker}${q ? ' t' : ''}${where([other, t.cond])}`);
  },
  'and-or-precedence'(b) {
    const t = b.ref('users');
    return b.done('and-or-precedence', `SELECT id FROM ${t.marker} WHERE deleted_at IS NULL AND email = 'a' OR plan = 'pro'`);
  },
  'inner-join'(b) {
    const o = b.filtered('orders', 'o.');
    const u = b.filtered(pick(b.r, USERISH), 'u.');
    const uInOn = chance(b.r, 0.5);
    const on = `u.id = o.user_id${uInOn && u.cond ? ` AND ${u.cond}` : ''}`;
    return b.done('inner-join', `SELECT o.id, u.email FROM ${o.marker} o JOIN ${u.marker} u ON ${on}${where([o.cond, uInOn ? null : u.cond])}`);
  },
  'outer-join'(b) {
    const kind = pick(b.r, ['LEFT', 'LEFT', 'RIGHT', 'FULL']);
    const u = b.filtered('users', 'u.', ['filter', 'filter', 'none', 'deliberate']);
    const g = b.filtered('orgs', 'g.', ['filter', 'filter', 'none', 'or-defeat', 'coalesce']);
    const gPlace = pick(b.r, ['on', 'where', 'where']);
    const uPlace = pick(b.r, ['on', 'where', 'where']);
    // Conjuncts in WHERE that reject the NULL-extended rows of one side (or not).
    const rejecting = pick(b.r, [null, null, "g.name = 'x'", "g.name LIKE 'x%'", 'g.id = u.org_id', 'g.name IS NOT NULL', "u.plan = 'pro'", "COALESCE(g.name, 'x') = 'x'"]);
    const onConds = [`g.id = u.org_id`, gPlace === 'on' ? g.cond : null, uPlace === 'on' ? u.cond : null].filter(Boolean);
    const [left, right] = kind === 'RIGHT' ? [`${g.marker} g`, `${u.marker} u`] : [`${u.marker} u`, `${g.marker} g`];
    const later = chance(b.r, 0.2) ? ` JOIN tags t ON t.id = g.id` : '';
    return b.done(
      `outer-join/${kind.toLowerCase()}`,
      `SELECT u.id AS uid, g.id AS gid FROM ${left} ${kind} JOIN ${right} ON ${onConds.join(' AND ')}${later}${where([
        uPlace === 'where' ? u.cond : null,
        gPlace === 'where' ? g.cond : null,
        rejecting,
      ])}`,
    );
  },
  subquery(b) {
    const o = b.filtered('orders', 'o.', ['filter', 'none']);
    const rel = pick(b.r, USERISH);
    const u = b.filtered(rel, 'u.');
    const form = pick(b.r, ['in', 'not-in', 'exists', 'not-exists', 'scalar', 'any']);
    const inner = (select: string, extra: string | null) => `SELECT ${select} FROM ${u.marker} u${where([extra, u.cond])}`;
    const sql = {
      in: `SELECT o.id FROM ${o.marker} o WHERE o.user_id IN (${inner('u.id', "u.email = 'a'")})${o.cond ? ` AND ${o.cond}` : ''}`,
      'not-in': `SELECT o.id FROM ${o.marker} o WHERE o.user_id NOT IN (${inner('u.id', "u.email = 'a'")})${o.cond ? ` AND ${o.cond}` : ''}`,
      exists: `SELECT o.id FROM ${o.marker} o WHERE EXISTS (${inner('1', 'u.id = o.user_id')})${o.cond ? ` AND ${o.cond}` : ''}`,
      'not-exists': `SELECT o.id FROM ${o.marker} o WHERE NOT EXISTS (${inner('1', "u.id = o.user_id AND u.plan = 'pro'")})${o.cond ? ` AND ${o.cond}` : ''}`,
      scalar: `SELECT o.id, (${inner('u.email', 'u.id = o.user_id')}) AS email FROM ${o.marker} o${where([o.cond])}`,
      any: `SELECT o.id FROM ${o.marker} o WHERE o.user_id = ANY (ARRAY(${inner('u.id', "u.plan = 'pro'")}))${o.cond ? ` AND ${o.cond}` : ''}`,
    }[form];
    return b.done(`subquery/${form}`, sql!);
  },
  'correlated-outer-filter'(b) {
    const form = pick(b.r, ['unqualified', 'unqualified', 'qualified', 'inner-binds', 'not-exists']);
    const o = b.ref('orders');
    if (form === 'inner-binds') {
      // `deleted_at` is a column of the inner users: it filters them, not the outer orders.
      const u = b.ref('users');
      return b.done(`correlated-outer-filter/${form}`, `SELECT o.id FROM ${o.marker} o WHERE EXISTS (SELECT 1 FROM ${u.marker} u WHERE u.id = o.user_id AND deleted_at IS NULL)`);
    }
    const exists = form === 'not-exists' ? 'NOT EXISTS' : 'EXISTS';
    const filter = form === 'qualified' ? 'o.deleted_at IS NULL' : 'deleted_at IS NULL';
    return b.done(`correlated-outer-filter/${form}`, `SELECT o.id FROM ${o.marker} o WHERE ${exists} (SELECT 1 FROM tags t WHERE t.user_id = o.user_id AND ${filter})`);
  },
  'pass-through'(b) {
    const op = pick(b.r, ['plain', 'limit', 'distinct-on', 'window', 'group-by']);
    const container = pick(b.r, ['cte', 'derived', 'lateral']);
    const inside = chance(b.r, 0.4);
    const u = b.ref('users');
    const kind = pick(b.r, ['filter', 'filter', 'none', 'or-defeat'] as FilterKind[]);
    const innerCond = inside ? spell(b.r, kind, '', 'users').sql : null;
    const outerCond = inside ? null : spell(b.r, kind, 'c.', op === 'group-by' ? 'grouped' : 'users').sql;
    const corr = container === 'lateral' ? 'org_id = g.id' : null;
    const g = container === 'lateral' ? b.ref('orgs') : null;
    const body = {
      plain: `SELECT * FROM ${u.marker}${where([corr, innerCond])}`,
      limit: `SELECT * FROM ${u.marker}${where([corr, innerCond])} ORDER BY id DESC LIMIT 2`,
      'distinct-on': `SELECT DISTINCT ON (email) * FROM ${u.marker}${where([corr, innerCond])} ORDER BY email, id DESC`,
      window: `SELECT *, row_number() OVER (PARTITION BY email ORDER BY id DESC) AS rn FROM ${u.marker}${where([corr, innerCond])}`,
      'group-by': `SELECT email, deleted_at, count(*) AS n FROM ${u.marker}${where([corr, innerCond])} GROUP BY email, deleted_at`,
    }[op];
    const rn = op === 'window' ? 'c.rn = 1' : null;
    const cols = op === 'group-by' ? 'c.email, c.n' : 'c.id, c.email';
    const sql =
      container === 'cte'
        ? `WITH c AS (${body}) SELECT ${cols} FROM c${where([rn, outerCond])}`
        : container === 'derived'
          ? `SELECT ${cols} FROM (${body}) c${where([rn, outerCond])}`
          : `SELECT g.id, ${cols} FROM ${g!.marker} g CROSS JOIN LATERAL (${body}) c${where(['g.deleted_at IS NULL', rn, outerCond])}`;
    return b.done(`pass-through/${container}/${op}/${inside ? 'inside' : 'outside'}`, sql);
  },
  'set-operation'(b) {
    const op = pick(b.r, ['UNION', 'UNION ALL', 'INTERSECT', 'EXCEPT']);
    const a = b.filtered('users', '', ['filter', 'filter', 'none', 'deliberate']);
    const rel = pick(b.r, ['users', 'orders']);
    const c = b.filtered(rel, '', ['filter', 'none', 'none', 'deliberate']);
    const col = rel === 'orders' ? 'user_id' : 'id';
    return b.done(`set/${op.toLowerCase().replace(' ', '-')}`, `SELECT id FROM ${a.marker}${where([a.cond])} ${op} SELECT ${col} FROM ${c.marker}${where([c.cond])}`);
  },
  'set-in-cte'(b) {
    const a = b.ref('users');
    const c = b.ref('orgs');
    const filtered = chance(b.r, 0.7);
    return b.done(
      'set/in-cte-filtered-by-reader',
      `WITH x AS (SELECT id, deleted_at FROM ${a.marker} UNION ALL SELECT id, deleted_at FROM ${c.marker}) SELECT id FROM x${filtered ? ' WHERE deleted_at IS NULL' : ''}`,
    );
  },
  aggregate(b) {
    const form = pick(b.r, ['filter-clause', 'case', 'plain']);
    const u = b.ref('users');
    const sql = {
      'filter-clause': `SELECT count(*) FILTER (WHERE deleted_at IS NULL) AS n FROM ${u.marker}`,
      case: `SELECT sum(CASE WHEN deleted_at IS NULL THEN 1 ELSE 0 END) AS n FROM ${u.marker}`,
      plain: `SELECT plan, count(*) AS n FROM ${u.marker}${chance(b.r, 0.5) ? ' WHERE deleted_at IS NULL' : ''} GROUP BY plan`,
    }[form];
    return b.done(`aggregate/${form}`, sql!);
  },
  recursive(b) {
    const a = b.filtered('users', '', ['filter', 'none']);
    const c = b.filtered('users', 'u.', ['filter', 'none']);
    return b.done(
      'recursive-cte',
      `WITH RECURSIVE chain AS (SELECT id, manager_id FROM ${a.marker} WHERE email = 'a'${a.cond ? ` AND ${a.cond}` : ''} UNION ALL SELECT u.id, u.manager_id FROM ${c.marker} u JOIN chain ON u.id = chain.manager_id${c.cond ? ` AND ${c.cond}` : ''}) SELECT id FROM chain`,
    );
  },
  'key-tied'(b) {
    const form = pick(b.r, ['join', 'in', 'in', 'using', 'using', 'on-view', 'in-unfiltered', 'in-other-column', 'not-in', 'using-left', 'derived-using']);
    if (form === 'join') {
      const o = b.ref('orders');
      const u = b.ref('users');
      const u2 = b.ref('users');
      return b.done(
        'key-tied/join',
        `SELECT o.id, u2.email FROM ${o.marker} o JOIN ${u.marker} u ON u.id = o.user_id AND u.deleted_at IS NULL JOIN ${u2.marker} u2 ON u2.id = o.user_id WHERE o.deleted_at IS NULL`,
      );
    }
    const u = b.ref('users');
    if (form === 'in' || form === 'in-unfiltered' || form === 'in-other-column' || form === 'not-in') {
      const inner = b.ref('users');
      const filter = form === 'in-unfiltered' ? '' : ' WHERE deleted_at IS NULL';
      const [outerCol, innerCol] = form === 'in-other-column' ? ['org_id', 'org_id'] : ['id', 'id'];
      const op = form === 'not-in' ? 'NOT IN' : 'IN';
      return b.done(`key-tied/${form}`, `SELECT u.email FROM ${u.marker} u WHERE u.${outerCol} ${op} (SELECT ${innerCol} FROM ${inner.marker}${filter})`);
    }
    if (form === 'derived-using') {
      const inner = b.ref('users');
      return b.done('key-tied/derived-using', `SELECT u.email FROM ${u.marker} u JOIN (SELECT id FROM ${inner.marker} WHERE deleted_at IS NULL) a USING (id)`);
    }
    const a = b.ref('active_users');
    if (form === 'on-view') return b.done('key-tied/on-view', `SELECT u.email FROM ${u.marker} u JOIN ${a.marker} a ON a.id = u.id`);
    const join = form === 'using-left' ? 'LEFT JOIN' : 'JOIN';
    return b.done(`key-tied/${form}`, `SELECT u.email FROM ${u.marker} u ${join} ${a.marker} a USING (id)`);
  },
  'computed-filter'(b) {
    const u = b.ref('users');
    return b.done('computed-filter', `SELECT s.id FROM (SELECT u.id, u.deleted_at IS NULL AS live FROM ${u.marker} u) s WHERE s.live`);
  },
  'unused-left-join'(b) {
    const form = pick(b.r, ['unused', 'unused', 'used-column', 'non-key']);
    const o = b.ref('orders');
    const u = b.ref('users');
    const cols = form === 'used-column' ? 'o.id, u.email' : 'o.id';
    // Joined on a column that is not the key, a deleted match multiplies the row.
    const on = form === 'non-key' ? 'u.manager_id = o.user_id' : 'u.id = o.user_id';
    return b.done(`unused-left-join/${form}`, `SELECT ${cols} FROM ${o.marker} o LEFT JOIN ${u.marker} u ON ${on} WHERE o.deleted_at IS NULL`);
  },
  write(b) {
    const form = pick(b.r, ['insert-select', 'update-from', 'delete-using', 'update-returning', 'delete-returning']);
    if (form === 'insert-select') {
      const u = b.filtered('users', 'u.', ['filter', 'none', 'deliberate']);
      return b.done('write/insert-select', `INSERT INTO audit (user_id, note) SELECT u.id, u.email FROM ${u.marker} u${where([u.cond])}`, { writeTarget: 'audit' });
    }
    if (form === 'update-from') {
      const u = b.filtered('users', 'u.', ['filter', 'none', 'or-defeat']);
      return b.done('write/update-from', `UPDATE tags t SET label = u.email FROM ${u.marker} u WHERE u.id = t.user_id${u.cond ? ` AND ${u.cond}` : ''}`, { writeTarget: 'tags' });
    }
    if (form === 'delete-using') {
      const u = b.filtered('users', 'u.', ['filter', 'none']);
      return b.done('write/delete-using', `DELETE FROM tags t USING ${u.marker} u WHERE u.id = t.user_id AND u.plan = 'pro'${u.cond ? ` AND ${u.cond}` : ''}`, { writeTarget: 'tags' });
    }
    // RETURNING: the rows returned are the result (the write itself reaching deleted rows is not compared).
    const target = b.ref('orders');
    const cond = chance(b.r, 0.5) ? ' AND deleted_at IS NULL' : '';
    return b.done(
      `write/${form}`,
      form === 'update-returning'
        ? `UPDATE ${target.marker} SET total = 0 WHERE status = 'paid'${cond} RETURNING id`
        : `DELETE FROM ${target.marker} WHERE status = 'paid'${cond} RETURNING id`,
      { writeTarget: 'orders', returning: true },
    );
  },
};

/** Relative frequencies of the shapes. */
const WEIGHTS: Array<[string, number]> = [
  ['single', 8],
  ['and-or-precedence', 1],
  ['inner-join', 5],
  ['outer-join', 8],
  ['subquery', 6],
  ['correlated-outer-filter', 2],
  ['pass-through', 8],
  ['set-operation', 4],
  ['set-in-cte', 1],
  ['aggregate', 2],
  ['recursive', 2],
  ['key-tied', 4],
  ['computed-filter', 1],
  ['unused-left-join', 2],
  ['write', 4],
];

/** `count` cases from `seed`; identical SQL is generated once. */
export function generateCases(seed: number, count: number): Case[] {
  const r = rng(seed);
  const total = WEIGHTS.reduce((s, [, w]) => s + w, 0);
  const seen = new Set<string>();
  const cases: Case[] = [];
  for (let attempts = 0; cases.length < count && attempts < count * 20; attempts++) {
    let x = r() * total;
    const [name] = WEIGHTS.find(([, w]) => (x -= w) < 0) ?? WEIGHTS[0]!;
    const c = SHAPES[name]!(new Builder(r));
    if (seen.has(c.template)) continue;
    seen.add(c.template);
    cases.push(c);
  }
  return cases;
}

/** Rows of one database state (every table of the fixture). */
export interface State {
  name: string;
  orgs: Array<[number, string, string | null]>;
  users: Array<[number, number | null, number | null, string, string | null, string | null]>;
  orders: Array<[number, number, string, number | null, string | null]>;
  tags: Array<[number, number | null, string]>;
}

const DELETED = ['2024-01-01T00:00:00Z', '2030-01-01T00:00:00Z'];

/**
 * A random state respecting PK / FK / NOT NULL, with small value domains. `adversarial` biases the deleted rows
 * towards the values predicates look for (and the highest ids, which LIMIT / DISTINCT ON keep), so a read that
 * forgets the filter is likely to return only deleted rows.
 */
export function generateState(r: Random, name: string, pDeleted: number, adversarial: boolean): State {
  const del = () => (chance(r, pDeleted) ? pick(r, DELETED) : null);
  const orgs: State['orgs'] = [];
  for (let id = 1, n = 1 + Math.floor(r() * 2); id <= n; id++) {
    const d = del();
    orgs.push([id, adversarial && d ? 'x' : pick(r, ['x', 'y']), d]);
  }
  const users: State['users'] = [];
  for (let id = 1, n = 1 + Math.floor(r() * 7); id <= n; id++) {
    const d = adversarial && id === n ? pick(r, DELETED) : del();
    users.push([
      id,
      chance(r, 0.2) ? null : pick(r, orgs)[0],
      id > 1 && chance(r, 0.6) ? 1 + Math.floor(r() * (id - 1)) : null,
      adversarial && d ? 'a' : pick(r, ['a', 'b', 'c']),
      adversarial && d ? 'pro' : pick(r, ['free', 'pro', null]),
      d,
    ]);
  }
  const orders: State['orders'] = [];
  for (let id = 1, n = Math.floor(r() * 6); id <= n; id++) {
    const d = adversarial && id === n ? pick(r, DELETED) : del();
    orders.push([id, pick(r, users)[0], adversarial && d ? 'paid' : pick(r, ['new', 'paid']), pick(r, [1, 2, null]), d]);
  }
  const tags: State['tags'] = [];
  for (let id = 1, n = Math.floor(r() * 4); id <= n; id++) tags.push([id, chance(r, 0.2) ? null : pick(r, users)[0], pick(r, ['x', 'y'])]);
  return { name, orgs, users, orders, tags };
}

const D = DELETED[0]!;
/**
 * Hand-picked states: one organisation whose users form a management chain, with deleted rows in the middle of
 * the chain and at the top of each ordering (what LIMIT, DISTINCT ON, row_number() and recursion pick first), and
 * a manager with both live and deleted reports (a join on `manager_id` multiplies rows by them).
 */
const DENSE: State[] = [
  {
    name: 'dense',
    orgs: [[1, 'x', null], [2, 'x', D]],
    users: [
      [1, 1, null, 'a', 'free', null],
      [2, 1, 1, 'a', 'pro', D],
      [3, 1, 2, 'a', 'free', null],
      [4, 1, 3, 'b', 'pro', null],
      [5, 1, 4, 'b', 'pro', D],
      [6, 2, 3, 'a', 'pro', null],
      [7, 1, 3, 'a', null, D],
    ],
    orders: [[1, 1, 'paid', 1, null], [2, 1, 'paid', 2, D], [3, 3, 'new', 1, null], [4, 4, 'paid', null, D], [5, 2, 'new', 1, null], [6, 7, 'paid', 2, D]],
    tags: [[1, 2, 'x'], [2, 3, 'y'], [3, 7, 'x']],
  },
  {
    name: 'dense-live-managers',
    orgs: [[1, 'y', null], [2, 'x', null]],
    users: [
      [1, 1, null, 'a', 'pro', D],
      [2, 1, 1, 'a', 'free', null],
      [3, 2, 1, 'b', 'pro', null],
      [4, 1, 2, 'a', 'pro', D],
      [5, 1, 4, 'c', 'free', null],
      [6, 2, 2, 'b', 'pro', D],
      [7, 1, 5, 'a', 'pro', null],
    ],
    orders: [[1, 7, 'paid', 1, null], [2, 7, 'new', 2, D], [3, 2, 'paid', 1, D], [4, 5, 'paid', null, null], [5, 6, 'new', 1, null]],
    tags: [[1, 1, 'x'], [2, 5, 'y'], [3, null, 'x']],
  },
];

/** `count` states: a few hand-picked extremes, then alternating random and adversarial ones. */
export function generateStates(seed: number, count: number): State[] {
  const r = rng(seed ^ 0x5eed);
  const states: State[] = DENSE.slice(0, count);
  for (let i = 0; states.length < count; i++) {
    const kind = i % 3;
    const pDeleted = [0.3, 0.6, 1][i % 4 === 3 ? 2 : i % 2]!;
    states.push(generateState(r, `state-${i}`, pDeleted, kind !== 0));
  }
  return states;
}

/** SQL loading a state into the fixture tables (which must exist and be empty). */
export function stateSql(s: State): string {
  const lit = (v: unknown) => (v === null ? 'NULL' : typeof v === 'number' ? String(v) : `'${String(v)}'`);
  const rows = (table: string, columns: string, data: unknown[][]) =>
    data.length ? `INSERT INTO ${table} (${columns}) VALUES ${data.map((row) => `(${row.map(lit).join(', ')})`).join(', ')};` : '';
  return [
    'TRUNCATE audit, tags, orders, users, orgs;',
    rows('orgs', 'id, name, deleted_at', s.orgs),
    rows('users', 'id, org_id, manager_id, email, plan, deleted_at', s.users),
    rows('orders', 'id, user_id, status, total, deleted_at', s.orders),
    rows('tags', 'id, user_id, label', s.tags),
  ].join('\n');
}
