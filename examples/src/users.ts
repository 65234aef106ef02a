import type { Pool } from 'pg';
import type { Knex } from 'knex';

export async function findByEmail(pool: Pool, email: string) {
  const { rows } = await pool.query('SELECT id FROM users WHERE email = $1 AND deleted_at IS NULL', [email]);
  return rows[0];
}

/** Mistake: the OR lets deleted admins through. */
export async function findForLogin(pool: Pool, login: string) {
  return pool.query(
    "SELECT id FROM users WHERE deleted_at IS NULL AND email = $1 OR plan = 'admin'",
    [login],
  );
}

/** Mistake: the filter on the outer-joined side belongs in ON. */
export async function ordersWithBuyer(knex: Knex) {
  return knex.raw(`
    SELECT o.id, u.email
    FROM orders o
    LEFT JOIN users u ON u.id = o.user_id
    WHERE u.deleted_at IS NULL`);
}

/** Mistake: knex bindings are fine, the missing filter on organizations is not. */
export async function orgsBySlug(knex: Knex, slug: string) {
  return knex.raw('SELECT * FROM organizations WHERE slug = ?', [slug]);
}

/** Mistake: query builders are checked too (knex here; kysely alike). */
export async function firstProUser(knex: Knex) {
  return knex('users').where({ plan: 'pro' }).first();
}
