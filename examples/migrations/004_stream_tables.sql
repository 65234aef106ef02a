-- Seed 004: stream tables over soft-delete tables.

-- Correct: deleted users leave the count.
SELECT pgtrickle.create_stream_table(
  'plan_counts',
  $$ SELECT plan, COUNT(*) AS user_count FROM users WHERE deleted_at IS NULL GROUP BY plan $$
);

-- Wrong: ghost rows, the count never goes down.
SELECT pgtrickle.create_stream_table(
  'plan_counts_buggy',
  'SELECT plan, COUNT(*) AS user_count FROM users GROUP BY plan'
);

-- Correct: both soft-delete tables filtered.
SELECT pgtrickle.create_stream_table(
  'active_user_directory',
  $$
  SELECT u.id, u.email, o.name AS org_name
  FROM users u
  JOIN organizations o ON o.id = u.org_id
  WHERE u.deleted_at IS NULL AND o.deleted_at IS NULL
  $$
);

-- A view that filters is safe to read everywhere.
CREATE VIEW active_users AS
  SELECT id, org_id, plan, email FROM users WHERE deleted_at IS NULL;
