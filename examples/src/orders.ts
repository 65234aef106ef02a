import type { Sql } from 'postgres';

/** Seed 000, section 11: the orders-by-email incident. A new account sees a deleted account's orders. */
export async function ordersByEmail(sql: Sql, email: string) {
  return sql`
    SELECT * FROM orders WHERE user_id IN (
      SELECT id FROM users WHERE email = ${email}
    )`;
}

/** The fix from the seed: look the user up by id, or filter deleted users. */
export async function ordersForUser(sql: Sql, userId: number, email: string) {
  return sql`
    SELECT o.* FROM orders o
    JOIN users u ON u.id = o.user_id
    WHERE u.email = ${email} AND u.deleted_at IS NULL AND u.id = ${userId}`;
}

/** Reading through a view that filters is fine. */
export async function activeUsersOnPlan(sql: Sql, plan: string) {
  return sql`SELECT id, email FROM active_users WHERE plan = ${plan}`;
}
