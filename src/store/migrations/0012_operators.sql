-- Operators: the people who run the gateway for every tenant. Their keys (`vk_op_...`) live apart from
-- tenants' api_keys, belong to no org and hold no scopes: no tenant route can mint one or widen a tenant
-- key into one. Stored like tenant keys: a public lookup prefix and an HMAC digest, never the key.
CREATE TABLE operator_keys (
  id            text PRIMARY KEY,
  name          text NOT NULL,
  lookup        text NOT NULL UNIQUE,
  digest        bytea NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  revoked_at    timestamptz
);

-- Every operator action (drain, restore, ending a cooldown, breaker reset, org changes): who, when,
-- what, on what, and why. Append-only: the database refuses UPDATE and DELETE.
CREATE TABLE operator_audit (
  seq              bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
  id               text PRIMARY KEY,
  operator_key_id  text NOT NULL REFERENCES operator_keys(id),
  action           text NOT NULL,
  target           text NOT NULL,
  reason           text NOT NULL CHECK (length(btrim(reason)) >= 10),
  detail           jsonb NOT NULL DEFAULT '{}',
  at               timestamptz NOT NULL
);
CREATE INDEX operator_audit_target ON operator_audit (target, seq);
CREATE FUNCTION operator_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'operator_audit is append-only'; END $$;
CREATE TRIGGER operator_audit_append_only BEFORE UPDATE OR DELETE ON operator_audit
  FOR EACH ROW EXECUTE FUNCTION operator_audit_append_only();

-- The tenant scope `providers:manage` gave every tenant global powers; tenants now only read provider
-- health (`providers:view`). Keys that held the old scope keep the read.
UPDATE api_keys SET scopes = array_replace(scopes, 'providers:manage', 'providers:view');
