-- Hosted sessions and asynchronous verifications (issue 12).

-- Every signed webhook a vendor sent us, once: the dedupe key is the session and the state the webhook
-- reports, so a redelivered or replayed webhook finds its row and changes nothing. Only facts the mapping
-- table reads and codes are kept here (never names, document numbers or images: the vendor's body is not
-- stored). `processed_at` is set by the job that applied it; a row left unprocessed is enqueued again.
CREATE TABLE inbound_webhooks (
  id            text PRIMARY KEY,
  provider      text NOT NULL,
  dedupe_key    text NOT NULL,
  session_ref   text NOT NULL,
  event         jsonb NOT NULL,
  received_at   timestamptz NOT NULL DEFAULT now(),
  processed_at  timestamptz,
  outcome       text
);
CREATE UNIQUE INDEX inbound_webhooks_dedupe ON inbound_webhooks (provider, dedupe_key);
CREATE INDEX inbound_webhooks_unprocessed ON inbound_webhooks (received_at) WHERE processed_at IS NULL;

-- A hosted session whose final webhook is overdue is asked about once (iDenfy asks not to be polled):
-- the follow-up that asked is recorded here, in the transaction that writes its call ahead.
ALTER TABLE verifications ADD COLUMN followed_up_at timestamptz;
CREATE INDEX verifications_pending ON verifications (created_at) WHERE status = 'pending';

-- The sessions a vendor opened, found by the vendor's reference when its webhook arrives.
CREATE INDEX verification_attempts_upstream ON verification_attempts (provider, upstream_request_id)
  WHERE upstream_request_id IS NOT NULL;

-- The input of an asynchronous verification, sealed with the master key's seal key (it holds NIKs and
-- images), kept only until its run ends: job data carries the verification id and nothing else.
CREATE TABLE verification_inputs (
  verification_id  text PRIMARY KEY REFERENCES verifications(id),
  sealed           bytea NOT NULL,
  created_at       timestamptz NOT NULL DEFAULT now()
);
