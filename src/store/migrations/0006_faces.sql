-- Faces (DESIGN 9, seed 000 Match): the descriptor found in a capture, enrollments, and match results.
-- Descriptors are 128 float32 values stored as 512 raw bytes; they are biometric data, so each row that
-- holds one has a `retain_until` that the maintenance sweep enforces, and they never leave the database
-- except into the engine's worker threads.

-- The selfie's face, or the KTP portrait's, found while the capture was analysed; null when none was.
ALTER TABLE capture_bundles ADD COLUMN face_descriptor bytea;
ALTER TABLE capture_bundles ADD COLUMN face_quality jsonb;

-- A customer's reference faces. `source` says where the face came from; `quality` (0 to 1) how usable
-- it is. Deactivated enrollments stay for the audit until their retention ends but are never matched.
-- `capture_bundle_id` is informational (no foreign key): the bundle may be swept before the enrollment.
CREATE TABLE face_enrollments (
  seq                bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
  id                 text PRIMARY KEY,
  org_id             text NOT NULL REFERENCES orgs(id),
  customer_id        text NOT NULL REFERENCES customers(id),
  source             text NOT NULL CHECK (source IN ('selfie_capture', 'ktp_extract', 'dukcapil', 'upload')),
  capture_bundle_id  text,
  verification_id    text,
  descriptor         bytea NOT NULL,
  quality            real NOT NULL,
  quality_detail     jsonb NOT NULL,
  status             text NOT NULL CHECK (status IN ('active', 'inactive')),
  deactivated_at     timestamptz,
  deactivated_reason text,
  retain_until       timestamptz NOT NULL,
  created_at         timestamptz NOT NULL
);
CREATE INDEX face_enrollments_customer ON face_enrollments (org_id, customer_id, seq);
CREATE INDEX face_enrollments_retain_until ON face_enrollments (retain_until);
-- One enrollment per capture bundle: enrolling the same bundle twice answers the first enrollment.
CREATE UNIQUE INDEX face_enrollments_bundle ON face_enrollments (org_id, capture_bundle_id) WHERE capture_bundle_id IS NOT NULL;

-- One row per POST /v1/matches: the scores, never the images or descriptors.
CREATE TABLE face_matches (
  seq                bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
  id                 text PRIMARY KEY,
  org_id             text NOT NULL REFERENCES orgs(id),
  key_id             text NOT NULL REFERENCES api_keys(id),
  customer_id        text NOT NULL REFERENCES customers(id),
  probe_source       text NOT NULL CHECK (probe_source IN ('capture_bundle', 'live_image')),
  capture_bundle_id  text,
  similarity         real NOT NULL,
  matched            boolean NOT NULL,
  threshold          real NOT NULL,
  per_reference      jsonb NOT NULL,
  created_at         timestamptz NOT NULL
);
CREATE INDEX face_matches_customer ON face_matches (org_id, customer_id, seq);
