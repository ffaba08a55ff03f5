-- Passkeys (WebAuthn) for customers who passed KYC: the single-use ceremony challenges and the
-- registered credentials.

-- One row per registration or authentication options request. `challenge` is the base64url of 32 random
-- bytes, exactly as it comes back inside the authenticator's clientDataJSON. Single use: `consumed_at` is
-- set by one conditional UPDATE, so of two responses racing for the same challenge exactly one wins.
-- `expires_at` (5 minutes, seed 000) is checked against the server's clock, never the client's timeout.
CREATE TABLE webauthn_challenges (
  id           text PRIMARY KEY,
  org_id       text NOT NULL REFERENCES orgs(id),
  customer_id  text NOT NULL REFERENCES customers(id),
  ceremony     text NOT NULL CHECK (ceremony IN ('registration', 'authentication')),
  challenge    text NOT NULL UNIQUE,
  expires_at   timestamptz NOT NULL,
  consumed_at  timestamptz,
  created_at   timestamptz NOT NULL
);
CREATE INDEX webauthn_challenges_org_customer ON webauthn_challenges (org_id, customer_id, expires_at);

-- One row per registered credential. `credential_id` is the authenticator's id (base64url), unique per
-- org; `public_key` is the COSE key it attested (public, but never logged or returned). `counter` is the
-- last signature counter seen: an assertion must raise it unless both are 0 (authenticators without a
-- counter, such as synced passkeys). `clone_detected_at` records the last assertion refused for a
-- counter that did not increase.
CREATE TABLE passkeys (
  seq                bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
  id                 text PRIMARY KEY,
  org_id             text NOT NULL REFERENCES orgs(id),
  customer_id        text NOT NULL REFERENCES customers(id),
  credential_id      text NOT NULL,
  public_key         bytea NOT NULL,
  counter            bigint NOT NULL CHECK (counter >= 0 AND counter <= 4294967295),
  transports         text[] NOT NULL DEFAULT '{}',
  device_type        text NOT NULL CHECK (device_type IN ('singleDevice', 'multiDevice')),
  backed_up          boolean NOT NULL,
  aaguid             text NOT NULL,
  name               text,
  created_at         timestamptz NOT NULL,
  last_used_at       timestamptz,
  clone_detected_at  timestamptz,
  UNIQUE (org_id, credential_id)
);
CREATE INDEX passkeys_org_customer_seq ON passkeys (org_id, customer_id, seq);
