-- The seeds' schema: organizations and users are soft-deleted (deleted_at), orders are not.
CREATE TABLE organizations (
  id         serial PRIMARY KEY,
  name       text NOT NULL,
  slug       text NOT NULL,
  deleted_at timestamptz,
  UNIQUE (slug, deleted_at)             -- mistake: NULLs are distinct, two live orgs may share a slug
);

CREATE TABLE users (
  id         serial PRIMARY KEY,
  org_id     integer REFERENCES organizations (id),
  plan       text NOT NULL,
  email      text NOT NULL UNIQUE,      -- mistake: blocks re-registration after a soft delete (seed 000, Q2)
  deleted_at timestamptz                -- NULL means active
);
