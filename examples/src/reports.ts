import type { Sql } from 'postgres';

/** A CTE that passes deleted_at through can be filtered outside it. */
export async function signupsPerPlan(sql: Sql) {
  return sql`
    WITH recent AS (SELECT * FROM users WHERE id > 1000)
    SELECT plan, count(*) FROM recent WHERE recent.deleted_at IS NULL GROUP BY plan`;
}

/** Mistake: a stream table created from application code, counting ghost rows. */
export async function createOrgCounts(sql: Sql) {
  await sql`SELECT pgtrickle.create_stream_table('org_user_counts', $$
    SELECT o.name, count(u.id) FROM organizations o
    JOIN users u ON u.org_id = o.id AND u.deleted_at IS NULL
    GROUP BY o.name $$)`;
}
