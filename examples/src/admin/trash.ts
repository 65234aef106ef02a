import type { Sql } from 'postgres';

/** Reading deleted rows on purpose is not a mistake: the trash view and the purge job. */
export async function trash(sql: Sql) {
  return sql`SELECT id, email, deleted_at FROM users WHERE deleted_at IS NOT NULL ORDER BY deleted_at DESC`;
}

export async function purge(sql: Sql) {
  return sql`DELETE FROM users WHERE deleted_at < now() - interval '90 days' RETURNING *`;
}

export async function softDelete(sql: Sql, id: number) {
  return sql`UPDATE users SET deleted_at = now() WHERE id = ${id}`;
}

/** A label that mentions SQL words is not SQL. */
export const hint = 'Select a customer from the list';
