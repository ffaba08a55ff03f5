-- The in-house engine (DESIGN 9): flash challenges and the capture bundles submitted under them.

-- One row per POST /v1/flash-challenges. Single use: `consumed_at` is set by one conditional UPDATE, so
-- of two captures racing for the same nonce exactly one wins.
CREATE TABLE flash_challenges (
  id           text PRIMARY KEY,
  org_id       text NOT NULL REFERENCES orgs(id),
  customer_id  text NOT NULL REFERENCES customers(id),
  kind         text NOT NULL CHECK (kind IN ('selfie', 'ktp')),
  nonce        text NOT NULL UNIQUE,
  sequence     jsonb NOT NULL,
  expires_at   timestamptz NOT NULL,
  consumed_at  timestamptz,
  created_at   timestamptz NOT NULL
);
CREATE INDEX flash_challenges_org_customer ON flash_challenges (org_id, customer_id);

-- One row per capture that reached a verdict. Raw frames are not stored, only metadata and verdicts;
-- `retain_until` is when the sweep erases the row (it still holds biometric-derived scores).
-- `replay_digest` (SHA-256 of signature and timestamp) is the durable replay guard behind Redis.
CREATE TABLE capture_bundles (
  seq               bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
  id                text PRIMARY KEY,
  org_id            text NOT NULL REFERENCES orgs(id),
  key_id            text NOT NULL REFERENCES api_keys(id),
  customer_id       text NOT NULL REFERENCES customers(id),
  challenge_id      text NOT NULL UNIQUE REFERENCES flash_challenges(id),
  kind              text NOT NULL CHECK (kind IN ('selfie', 'ktp')),
  status            text NOT NULL CHECK (status IN ('passed', 'failed', 'requires_review')),
  frame_count       integer NOT NULL,
  frame_bytes       bigint NOT NULL,
  bundle_timestamp  text NOT NULL,
  replay_digest     text NOT NULL,
  anti_spoof        jsonb NOT NULL,
  tamper            jsonb,
  response_status   integer NOT NULL,
  response_body     jsonb NOT NULL,
  retain_until      timestamptz NOT NULL,
  created_at        timestamptz NOT NULL,
  UNIQUE (org_id, replay_digest)
);
CREATE INDEX capture_bundles_org_customer ON capture_bundles (org_id, customer_id, seq);
CREATE INDEX capture_bundles_retain_until ON capture_bundles (retain_until);
