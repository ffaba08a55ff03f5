-- Orgs, their API keys, their customers, and the idempotency records of their POSTs.

CREATE TABLE orgs (
  id            text PRIMARY KEY,
  name          text NOT NULL,
  capabilities  text[] NOT NULL DEFAULT '{}',
  created_at    timestamptz NOT NULL DEFAULT now()
);

-- The key itself is never stored: `lookup` is its public prefix, `digest` an HMAC of the whole key.
-- `hmac_key_enc` is the per-key bundle-signing key, AES-256-GCM encrypted under the master key.
CREATE TABLE api_keys (
  id            text PRIMARY KEY,
  org_id        text NOT NULL REFERENCES orgs(id),
  name          text NOT NULL,
  mode          text NOT NULL CHECK (mode IN ('test', 'live')),
  lookup        text NOT NULL UNIQUE,
  digest        bytea NOT NULL,
  scopes        text[] NOT NULL,
  hmac_key_enc  bytea NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  revoked_at    timestamptz
);
CREATE INDEX api_keys_org ON api_keys (org_id);

-- `seq` orders pages: timestamps of two quick inserts can be equal, an identity cannot.
CREATE TABLE customers (
  seq           bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
  id            text PRIMARY KEY,
  org_id        text NOT NULL REFERENCES orgs(id),
  external_ref  text NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  UNIQUE (org_id, external_ref)
);
CREATE INDEX customers_org_seq ON customers (org_id, seq);

-- Stripe-style idempotency: one row per (org, key). `state` is 'in_progress' while the first request
-- runs and 'done' once its response is stored; the stored response is replayed byte for byte.
-- `claim_token` names the execution holding the claim, so a request whose claim was taken over after
-- the lock timeout can neither store its answer nor release the new holder's claim.
CREATE TABLE idempotency_keys (
  org_id            text NOT NULL REFERENCES orgs(id),
  key               text NOT NULL,
  request_hash      text NOT NULL,
  claim_token       text NOT NULL,
  state             text NOT NULL CHECK (state IN ('in_progress', 'done')),
  response_status   integer,
  response_headers  jsonb,
  response_body     text,
  locked_at         timestamptz NOT NULL,
  created_at        timestamptz NOT NULL,
  PRIMARY KEY (org_id, key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);
