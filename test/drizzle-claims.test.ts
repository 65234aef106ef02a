/**
 * What drizzle's relational queries really load, run on PostgreSQL (PGlite) through drizzle-orm 1.0's own PGlite
 * driver, next to what the plugin says about the same code (test/fixtures/drizzle-rqb/src/queries.ts, linted by
 * the real ESLint class). A relation loaded by `with` is reported unless the rows it loads are live: the parent's
 * object `where` limits a to-one relation on a key (`org: { deletedAt: { isNull: true } }`), not a to-many one, not
 * under `OR`, and not a to-one relation on a column that is not a key.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import tsParser from '@typescript-eslint/parser';
import { drizzle } from 'drizzle-orm-1/pglite';
import { ESLint } from 'eslint';
import { beforeAll, describe, expect, it } from 'vitest';
import plugin from '../src/index.js';
import { clearSchemaCache } from '../src/schema/load.js';
import * as queries from './fixtures/drizzle-rqb/src/queries.js';
import { DDL, relations } from './fixtures/drizzle-rqb/src/schema.js';
import { PGLITE_TIMEOUT, usePGlite } from './helpers/pglite.js';
import { typeChecker } from './helpers/type-check.js';

const project = fileURLToPath(new URL('./fixtures/drizzle-rqb/', import.meta.url));
const QUERIES = join(project, 'src/queries.ts');

const pg = usePGlite(async (db) => {
  await db.exec(DDL);
  await db.exec(`
    INSERT INTO orgs (id, code, deleted_at) VALUES (1, 'old', now()), (2, 'new', NULL), (3, 'acme', now()), (4, 'acme', NULL);
    INSERT INTO users (id, email, org_id, org_code) VALUES (1, 'a@x', 1, 'acme'), (2, 'b@x', 2, 'new');
    INSERT INTO posts (author_id, deleted_at) VALUES (1, NULL), (1, now());
  `);
});

type Row = Record<string, unknown>;

/** Runs a fixture query on PGlite: the rows drizzle returns. */
async function run(query: keyof typeof queries): Promise<Row[]> {
  const db = drizzle({ client: pg(), relations });
  return (await queries[query](db)) as Row[];
}

/** Are all loaded rows of `relation` live (none with a `deletedAt`)? */
function allLive(rows: Row[], relation: string): boolean {
  return rows.flatMap((r) => [r[relation]].flat()).every((related) => related == null || (related as Row).deletedAt === null);
}

/** The plugin's require-soft-delete-filter reports in queries.ts, as the names of the queries they fall in. */
let reported: Set<string>;

function linter(): ESLint {
  return new ESLint({
    cwd: project,
    overrideConfigFile: true,
    overrideConfig: [
      { files: ['**/*.ts'], languageOptions: { parser: tsParser } },
      ...plugin.configs.recommended,
      { settings: { 'soft-delete': { schema: ['src/schema.ts'] } } },
    ],
  });
}

beforeAll(async () => {
  clearSchemaCache();
  const [result] = await linter().lintFiles([QUERIES]);
  const lines = readFileSync(QUERIES, 'utf8').split('\n');
  const queryAt = (line: number): string => {
    for (let l = line - 1; l >= 0; l--) {
      const m = /^export const (\w+)/.exec(lines[l]!);
      if (m) return m[1]!;
    }
    return '?';
  };
  expect(result!.messages.filter((m) => m.ruleId !== 'soft-delete/require-soft-delete-filter')).toEqual([]);
  reported = new Set(result!.messages.map((m) => `${queryAt(m.line)}:${lines[m.line - 1]!.slice(m.column - 1, m.endColumn! - 1)}`));
}, PGLITE_TIMEOUT);

describe('drizzle relational queries on PostgreSQL, and the plugin on the same code', () => {
  it('the fixture type-checks against drizzle-orm 1.0', { timeout: 180_000 }, () => {
    expect(typeChecker(project)(new Map())).toEqual([]);
  });

  it('drizzle turns a relation filter of the parent into exists (…) over the relation\'s join', () => {
    const db = drizzle({ client: pg(), relations });
    const { sql } = queries.liveOrgs(db).toSQL();
    expect(sql).toContain('exists (select * from "orgs" as "f0" where (("d0"."org_id" = "f0"."id") and (("f0"."deleted_at" is null))))');
    // and loads the relation by the same join, one row (`limit 1`)
    expect(sql).toMatch(/from "orgs" as "d1" where "d0"\."org_id" = "d1"\."id" limit \$1/);
  });

  it('a parent filter on a to-one relation over a key: only live orgs are loaded; not reported', { timeout: PGLITE_TIMEOUT }, async () => {
    for (const query of ['liveOrgs', 'liveOrgsAnd'] as const) {
      const rows = await run(query);
      expect(rows.map((r) => r.id)).toEqual([2]);
      expect(allLive(rows, 'org')).toBe(true);
      expect([...reported].filter((r) => r.startsWith(`${query}:`))).toEqual([]);
    }
  });

  it('no filter, or the filter under OR: a deleted org is loaded; reported at the relation', { timeout: PGLITE_TIMEOUT }, async () => {
    for (const query of ['anyOrg', 'orOrg'] as const) {
      expect(allLive(await run(query), 'org')).toBe(false);
      expect(reported).toContain(`${query}:org`);
    }
  });

  it('a to-many relation: "some live post" still loads the deleted one; reported', { timeout: PGLITE_TIMEOUT }, async () => {
    const rows = await run('somePosts');
    expect(rows.map((r) => r.id)).toEqual([1]);
    expect(allLive(rows, 'posts')).toBe(false);
    expect(reported).toContain('somePosts:posts');
  });

  it('a to-one relation on a column that is not a key: a live match exists, a deleted row is loaded; reported', { timeout: PGLITE_TIMEOUT }, async () => {
    const rows = await run('byCode');
    expect(rows.map((r) => r.id)).toEqual([1, 2]);
    expect(allLive(rows, 'orgByCode')).toBe(false);
    expect(reported).toContain('byCode:orgByCode');
  });

  it('the suggestions (the object where of defineRelations) applied one by one: the file type-checks and nothing is left', { timeout: 180_000 }, async () => {
    clearSchemaCache();
    let text = readFileSync(QUERIES, 'utf8');
    const applied: string[] = [];
    for (let round = 0; round < 10; round++) {
      const [result] = await linter().lintText(text, { filePath: QUERIES });
      const next = result!.messages.find((m) => m.suggestions?.length);
      if (!next) break;
      const fix = next.suggestions![0]!.fix;
      applied.push(text.slice(fix.range[0] - 12, fix.range[1] + 2) + ' → ' + fix.text);
      text = text.slice(0, fix.range[0]) + fix.text + text.slice(fix.range[1]);
    }
    // every with that leaks gets its where (anyOrg, orOrg, somePosts, byCode)
    expect(applied).toHaveLength(4);
    expect(text).toContain('with: { org: { where: { deletedAt: { isNull: true } } } }');
    expect(text).toContain('with: { posts: { where: { deletedAt: { isNull: true } } } }');
    const [after] = await linter().lintText(text, { filePath: QUERIES });
    expect(after!.messages).toEqual([]);
    expect(typeChecker(project)(new Map([[QUERIES, text]]))).toEqual([]);
  });

  it('NOT on the relation filter: only deleted orgs are loaded, a deliberate read; not reported', { timeout: PGLITE_TIMEOUT }, async () => {
    const rows = await run('deletedOrgs');
    expect(rows.map((r) => r.id)).toEqual([1]);
    expect(rows.every((r) => (r.org as Row).deletedAt !== null)).toBe(true);
    expect([...reported].filter((r) => r.startsWith('deletedOrgs:'))).toEqual([]);
  });
});
