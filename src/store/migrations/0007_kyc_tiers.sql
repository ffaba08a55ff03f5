-- KYC tiers (DESIGN 9): the analysts' overrides, and the capture verdicts tier eligibility is derived from.

-- Append-only audit of analyst overrides: the latest row per customer is the customer's effective tier.
-- `eligible_tier` is what the evidence supported at that moment, so a reviewer can see how far the
-- analyst moved from it; `key_id` is who acted, `analyst` the person they named (free text, optional).
-- `sandbox`: made with a test key, so it never changes what live keys read.
CREATE TABLE kyc_overrides (
  seq            bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
  id             text PRIMARY KEY,
  org_id         text NOT NULL REFERENCES orgs(id),
  customer_id    text NOT NULL REFERENCES customers(id),
  from_tier      text NOT NULL CHECK (from_tier IN ('none', 'basic', 'standard', 'premium')),
  to_tier        text NOT NULL CHECK (to_tier IN ('none', 'basic', 'standard', 'premium')),
  eligible_tier  text NOT NULL CHECK (eligible_tier IN ('none', 'basic', 'standard', 'premium')),
  reason         text NOT NULL CHECK (char_length(btrim(reason)) >= 20),
  key_id         text NOT NULL REFERENCES api_keys(id),
  analyst        text,
  sandbox        boolean NOT NULL,
  created_at     timestamptz NOT NULL
);
CREATE INDEX kyc_overrides_org_customer_seq ON kyc_overrides (org_id, customer_id, seq);

-- An audit trail that can be edited is not one: the database refuses UPDATE and DELETE outright.
-- The body stays on one line because migrate.ts splits scripts at line-ending semicolons.
CREATE FUNCTION kyc_overrides_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'kyc_overrides is append-only'; END $$;
CREATE TRIGGER kyc_overrides_append_only BEFORE UPDATE OR DELETE ON kyc_overrides
  FOR EACH ROW EXECUTE FUNCTION kyc_overrides_append_only();

-- The retention sweep deletes whole capture_bundles rows (they hold biometric-derived scores), but a
-- passed liveness or KTP check must keep counting towards the tier after that. So each capture's
-- outcome alone (no scores, no frames) is copied here as it is written or its status changes, and
-- outlives the bundle. Erasing the customer erases these too.
CREATE TABLE kyc_capture_verdicts (
  capture_id   text PRIMARY KEY,
  org_id       text NOT NULL REFERENCES orgs(id),
  customer_id  text NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
  kind         text NOT NULL,
  status       text NOT NULL,
  created_at   timestamptz NOT NULL
);
CREATE INDEX kyc_capture_verdicts_org_customer ON kyc_capture_verdicts (org_id, customer_id);

-- One line for the same reason as above.
CREATE FUNCTION kyc_keep_capture_verdict() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN INSERT INTO kyc_capture_verdicts (capture_id, org_id, customer_id, kind, status, created_at) VALUES (NEW.id, NEW.org_id, NEW.customer_id, NEW.kind, NEW.status, NEW.created_at) ON CONFLICT (capture_id) DO UPDATE SET status = EXCLUDED.status; RETURN NEW; END $$;
CREATE TRIGGER kyc_keep_capture_verdict AFTER INSERT OR UPDATE OF status ON capture_bundles
  FOR EACH ROW EXECUTE FUNCTION kyc_keep_capture_verdict();

-- Captures written before this migration.
INSERT INTO kyc_capture_verdicts (capture_id, org_id, customer_id, kind, status, created_at)
  SELECT id, org_id, customer_id, kind, status, created_at FROM capture_bundles
  ON CONFLICT (capture_id) DO NOTHING;
