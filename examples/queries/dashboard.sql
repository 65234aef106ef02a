-- Queries run by the dashboard.

-- Mistake: counts deleted users too.
SELECT plan, count(*) AS users FROM users GROUP BY plan;

SELECT plan, count(*) AS users FROM users WHERE deleted_at IS NULL GROUP BY plan;

-- Deliberate, and said so:
-- eslint-disable-next-line soft-delete/require-soft-delete-filter -- the audit export includes deleted accounts
SELECT id, email, deleted_at FROM users;
