CREATE TABLE orders (
  id         bigserial PRIMARY KEY,
  user_id    integer NOT NULL REFERENCES users (id),
  total      numeric NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE api_keys (
  id      serial PRIMARY KEY,
  user_id integer NOT NULL REFERENCES users (id),
  key     text NOT NULL,
  CONSTRAINT api_keys_key_key UNIQUE (key)
);
