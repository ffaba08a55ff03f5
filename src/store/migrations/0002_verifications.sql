-- Verifications, their upstream attempts, and the ledger finance reconciles against vendor invoices.

-- One row per POST /v1/verifications. It is written before any upstream call (status 'processing'), so
-- attempts and ledger rows committed during the call always have a verification to belong to, even if
-- the process dies before the answer is stored.
CREATE TABLE verifications (
  seq                 bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
  id                  text PRIMARY KEY,
  org_id              text NOT NULL REFERENCES orgs(id),
  key_id              text NOT NULL REFERENCES api_keys(id),
  customer_id         text NOT NULL REFERENCES customers(id),
  check_name          text NOT NULL,
  mode                text NOT NULL CHECK (mode IN ('sync', 'async')),
  requested_provider  text NOT NULL,
  sandbox             boolean NOT NULL,
  status              text NOT NULL,
  provider            text,
  result_code         text,
  result              jsonb,
  error_code          text,
  skipped             jsonb NOT NULL DEFAULT '[]',
  -- The POST's Idempotency-Key and request hash: a retry after a crash resumes this verification
  -- from its recorded attempts instead of calling (and paying) again.
  idempotency_key     text,
  request_hash        text,
  created_at          timestamptz NOT NULL DEFAULT now(),
  completed_at        timestamptz
);
CREATE INDEX verifications_org_seq ON verifications (org_id, seq);
CREATE INDEX verifications_org_customer_seq ON verifications (org_id, customer_id, seq);
CREATE INDEX verifications_org_idempotency ON verifications (org_id, idempotency_key) WHERE idempotency_key IS NOT NULL;

-- One row per upstream call, as the mapping table classified it.
CREATE TABLE verification_attempts (
  seq                  bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
  id                   text PRIMARY KEY,
  verification_id      text NOT NULL REFERENCES verifications(id),
  org_id               text NOT NULL REFERENCES orgs(id),
  provider             text NOT NULL,
  operation            text NOT NULL,
  kind                 text NOT NULL CHECK (kind IN ('result', 'error')),
  suite_code           text NOT NULL,
  upstream_status      integer,
  upstream_code        text,
  upstream_transport   text,
  upstream_request_id  text,
  charged              text NOT NULL CHECK (charged IN ('charged', 'free', 'unknown')),
  -- The table row's decisions, kept so a resumed verification decides exactly as the first run would.
  final                boolean NOT NULL,
  failover             boolean NOT NULL,
  -- The adapter's normalised answer, so a resumed verification can still return it.
  data                 jsonb,
  latency_ms           integer NOT NULL,
  created_at           timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX verification_attempts_verification ON verification_attempts (verification_id, seq);

-- One row per upstream call, written in the same transaction as its attempt. The price is copied at
-- write time so a later price change never rewrites history.
CREATE TABLE ledger_entries (
  seq                  bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
  attempt_id           text NOT NULL UNIQUE REFERENCES verification_attempts(id),
  org_id               text NOT NULL REFERENCES orgs(id),
  key_id               text NOT NULL REFERENCES api_keys(id),
  customer_id          text NOT NULL REFERENCES customers(id),
  verification_id      text NOT NULL REFERENCES verifications(id),
  check_name           text NOT NULL,
  provider             text NOT NULL,
  operation            text NOT NULL,
  upstream_request_id  text,
  suite_code           text NOT NULL,
  charged              text NOT NULL CHECK (charged IN ('charged', 'free', 'unknown')),
  unit_price           numeric(14, 2) NOT NULL,
  currency             text NOT NULL,
  sandbox              boolean NOT NULL,
  created_at           timestamptz NOT NULL DEFAULT now()
);
-- The same upstream call is never booked twice. The verification is part of the key because Lapis has no
-- per-call id: its face and liveliness calls report the document id, which two verifications may share.
CREATE UNIQUE INDEX ledger_entries_upstream_call ON ledger_entries (provider, operation, upstream_request_id, verification_id)
  WHERE upstream_request_id IS NOT NULL;
CREATE INDEX ledger_entries_org_created ON ledger_entries (org_id, created_at);
